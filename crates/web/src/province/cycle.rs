//! The Department's side of a reporting request (issue 19): the
//! completeness and timeliness board (`/provinces/{province}/requests/{id}`)
//! with its downloads (the board, the overdue and not-started communes with
//! their officers to call), marking communes not expected to answer, and the
//! Department's consolidated report (versions frozen from the communes'
//! accepted reports, previewed with every figure traced, downloaded as
//! DOCX, PDF and XLSX).
//!
//! Every handler takes [`RequestCtx`], which loads the province (and the
//! user's access to it, as [`ProvinceCtx`]) and the request, refusing a
//! request of another province or one a commune registered for itself.
//! Reading (the board, the reports) is open to whoever reads the province
//! (the Ministry too); writing needs the province's workspace.

use askama::Template;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use toso_domain::{format_date, format_int, format_percent, ReportState};
use toso_reporting::province::{
    compose_province_report, province_report_defaults, PROVINCE_PLACEHOLDERS,
};
use toso_reporting::render::{ascii_number, province_file_name, render_file};
use toso_reporting::FileKind;
use toso_sheets::{Column, Table, Value};
use toso_store::{Board, BoardRow, ProvinceReport, ReportingRequest, StoreError, Timeliness};

use super::{ProvinceCtx, ProvinceLayout};
use crate::access::ProvinceAccess;
use crate::forms::Form;
use crate::params::Query;
use crate::reports::{file_response, parse_settings, printable, settings_form, Preview};
use crate::respond::{refused, render, saved};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/provinces/{province}/requests/{id}", get(board_page))
        .route(
            "/provinces/{province}/requests/{id}/download/{file}",
            get(board_download),
        )
        .route(
            "/provinces/{province}/requests/{id}/expected",
            post(set_expected),
        )
        .route(
            "/provinces/{province}/requests/{id}/report",
            get(report_form).post(report_create),
        )
        .route(
            "/provinces/{province}/requests/{id}/report/{version}",
            get(report_show),
        )
        .route(
            "/provinces/{province}/requests/{id}/report/{version}/{file}",
            get(report_download),
        )
}

/// A province-wide request of the province in the path, with the user's
/// access to the province.
pub struct RequestCtx {
    pub province: ProvinceCtx,
    pub request: ReportingRequest,
}

impl RequestCtx {
    fn base(&self) -> String {
        format!(
            "/provinces/{}/requests/{}",
            self.province.code(),
            self.request.id
        )
    }
}

impl FromRequestParts<AppState> for RequestCtx {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let province = ProvinceCtx::from_request_parts(parts, state).await?;
        let raw = crate::params::path_segment(parts, state, "id").await?;
        let not_found =
            || WebError::NotFound(format!("Không có yêu cầu báo cáo số «{raw}» của tỉnh này."));
        let id: i64 = raw.trim().parse().map_err(|_| not_found())?;
        let request = match state.store.province_request(id).await {
            Ok(r) if r.province_code == province.code() => r,
            Ok(_) | Err(StoreError::NotFound(_)) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        Ok(RequestCtx { province, request })
    }
}

/// A [`RequestCtx`] for a write: users who only read the province (the
/// Ministry) are refused before the handler runs.
pub struct RequestManager(pub RequestCtx);

impl FromRequestParts<AppState> for RequestManager {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = RequestCtx::from_request_parts(parts, state).await?;
        if ctx.province.access == ProvinceAccess::Manage {
            Ok(RequestManager(ctx))
        } else {
            Err(crate::access::forbidden())
        }
    }
}

/// What the board lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Show {
    All,
    Awaiting,
    Overdue,
    NotStarted,
    Late,
    Returned,
    Excluded,
}

impl Show {
    const ALL: [(Show, &'static str, &'static str); 7] = [
        (Show::All, "", "Tất cả"),
        (Show::Awaiting, "awaiting", "Chờ xem xét"),
        (Show::Overdue, "overdue", "Quá hạn"),
        (Show::NotStarted, "not_started", "Chưa lập"),
        (Show::Late, "late", "Gửi trễ"),
        (Show::Returned, "returned", "Sở trả lại"),
        (Show::Excluded, "excluded", "Không phải báo cáo"),
    ];

    fn parse(s: Option<&str>) -> Result<Show, WebError> {
        let s = s.unwrap_or("").trim();
        Show::ALL
            .iter()
            .find(|(_, key, _)| *key == s)
            .map(|(show, _, _)| *show)
            .ok_or_else(|| {
                WebError::Invalid(toso_domain::DomainError::new(
                    "show",
                    format!(
                        "Bộ lọc «{s}» không có; chọn awaiting, overdue, not_started, late, returned hoặc excluded."
                    ),
                ))
            })
    }

    fn keeps(self, r: &BoardRow) -> bool {
        match self {
            Show::All => true,
            Show::Awaiting => r.expected() && r.status.state == ReportState::Submitted,
            Show::Overdue => r.overdue(),
            Show::NotStarted => r.not_started(),
            Show::Late => matches!(r.timeliness, Timeliness::Late { .. }),
            Show::Returned => r.expected() && r.status.state == ReportState::Returned,
            Show::Excluded => !r.expected(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct BoardQuery {
    show: Option<String>,
}

/// One row as the board shows it.
struct Line {
    code: i32,
    name: String,
    state: &'static str,
    state_key: &'static str,
    first: String,
    last: String,
    timeliness: String,
    late: bool,
    /// The version submitted (or the newest one): (report id, number).
    version: Option<(i64, i32)>,
    officers: String,
    exclusion: Option<String>,
}

fn vn_day(at: chrono::DateTime<chrono::Utc>) -> String {
    format_date(toso_store::board::vietnam_date(at))
}

fn line(r: &BoardRow) -> Line {
    Line {
        code: r.commune.code,
        name: r.commune.name.clone(),
        state: if r.expected() {
            r.status.state.label()
        } else {
            "Không phải báo cáo"
        },
        state_key: if r.expected() {
            r.status.state.code()
        } else {
            "excluded"
        },
        first: r.first_submitted.map(vn_day).unwrap_or_default(),
        last: r.last_submitted.map(vn_day).unwrap_or_default(),
        timeliness: if r.expected() {
            r.timeliness.label()
        } else {
            String::new()
        },
        late: matches!(
            r.timeliness,
            Timeliness::Late { .. } | Timeliness::Overdue { .. }
        ) && r.expected(),
        version: r.submitted_version.or(r.status.latest),
        officers: officers_text(r),
        exclusion: r.exclusion.as_ref().map(|e| e.reason.clone()),
    }
}

/// "Nguyễn Văn A (0912 345 678); Trần Thị B" — who to call.
fn officers_text(r: &BoardRow) -> String {
    r.officers
        .iter()
        .map(|o| match &o.phone {
            Some(p) => format!("{} ({p})", o.name),
            None => o.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn rate(n: usize, of: usize) -> String {
    format_percent(n as i64, of as i64)
}

#[derive(Template)]
#[template(path = "province_board.html")]
struct BoardPage {
    layout: ProvinceLayout,
    request: ReportingRequest,
    base: String,
    issued: String,
    deadline: String,
    due: String,
    today: String,
    board: Board,
    counts: Vec<(&'static str, String, String)>,
    filters: Vec<(String, &'static str, bool, usize)>,
    lines: Vec<Line>,
    /// Expected communes (for the "not expected" form): (code, name).
    expected_communes: Vec<(i32, String)>,
    reports: Vec<VersionLine>,
    form: Form,
}

async fn board_view(
    state: &AppState,
    ctx: &RequestCtx,
    show: Show,
    form: Form,
) -> Result<BoardPage, WebError> {
    let board = state
        .store
        .request_board(ctx.request.id, toso_store::today())
        .await?;
    let base = ctx.base();
    let n = board.expected;
    let count = |label, k: usize| {
        let of = format!("{}/{}", format_int(k as i64), format_int(n as i64));
        (label, of, rate(k, n))
    };
    let counts = vec![
        count("Đã gửi", board.submitted),
        count("Đã chấp nhận", board.accepted),
        count("Đúng hạn", board.on_time),
    ];
    let filters = Show::ALL
        .iter()
        .map(|(s, key, label)| {
            let href = if key.is_empty() {
                base.clone()
            } else {
                format!("{base}?show={key}")
            };
            (
                href,
                *label,
                *s == show,
                board.rows.iter().filter(|r| s.keeps(r)).count(),
            )
        })
        .collect();
    let lines = board
        .rows
        .iter()
        .filter(|r| show.keeps(r))
        .map(line)
        .collect();
    let expected_communes = board
        .rows
        .iter()
        .filter(|r| r.expected() && !r.submitted())
        .map(|r| (r.commune.code, r.commune.name.clone()))
        .collect();
    let reports = version_lines(state, ctx).await?;
    let request = ctx.request.clone();
    Ok(BoardPage {
        layout: ctx.province.layout("requests"),
        issued: format_date(request.issued_on),
        deadline: request.deadline.map(format_date).unwrap_or_default(),
        due: request.due().map(format_date).unwrap_or_default(),
        today: format_date(board.today),
        request,
        base,
        board,
        counts,
        filters,
        lines,
        expected_communes,
        reports,
        form,
    })
}

async fn board_page(state: AppState, ctx: RequestCtx, Query(q): Query<BoardQuery>) -> Reply {
    let show = Show::parse(q.show.as_deref())?;
    render(board_view(&state, &ctx, show, Form::default()).await?)
}

/// Mark a commune as not expected to answer (with a reason), or as
/// expected again.
async fn set_expected(
    state: AppState,
    RequestManager(ctx): RequestManager,
    mut form: Form,
) -> Reply {
    let commune = form.field("commune", |s| {
        s.parse::<i32>().map_err(|_| {
            toso_domain::DomainError::new("commune", "Chọn xã, phường, đặc khu trong danh sách.")
        })
    });
    let expected = match form.value("expected") {
        "1" => Some(true),
        "0" => Some(false),
        other => {
            form.add_error(
                "expected",
                format!("Thao tác «{other}» không có: chọn đánh dấu hoặc bỏ đánh dấu."),
            );
            None
        }
    };
    if let (Some(commune), Some(expected)) = (commune, expected) {
        let reason = form.free_text("reason");
        let write = state
            .store
            .set_expected(
                &ctx.province.actor(),
                ctx.request.id,
                commune,
                (!expected).then_some(reason.as_str()),
            )
            .await;
        match write {
            Ok(()) => return Ok(saved(ctx.base())),
            Err(e) => form.refused(e)?,
        }
    }
    refused(board_view(&state, &ctx, Show::All, form).await?)
}

/// The board as XLSX or CSV (`board.xlsx`, `board.csv`), or the communes
/// to chase — overdue or not started — with their officers
/// (`overdue.xlsx`, `overdue.csv`).
async fn board_download(
    state: AppState,
    ctx: RequestCtx,
    Path((_, _, file)): Path<(String, String, String)>,
) -> Reply {
    let not_found = || WebError::NotFound(format!("Không có tệp «{file}» để tải về."));
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let csv = match ext {
        "csv" => true,
        "xlsx" => false,
        _ => return Err(not_found()),
    };
    let chase = match stem {
        "board" => false,
        "overdue" => true,
        _ => return Err(not_found()),
    };
    let board = state
        .store
        .request_board(ctx.request.id, toso_store::today())
        .await?;
    let request = &board.request;
    let columns = [
        ("Mã", 8.0),
        ("Xã, phường, đặc khu", 28.0),
        ("Loại", 10.0),
        ("Trạng thái", 18.0),
        ("Gửi lần đầu", 12.0),
        ("Gửi gần nhất", 12.0),
        ("Thời hạn", 16.0),
        ("Phiên bản", 10.0),
        ("Cán bộ xã (điện thoại)", 40.0),
        ("Ghi chú", 30.0),
    ]
    .map(|(h, w)| Column::new(h, w))
    .to_vec();
    let mut out = Table::new(
        if chase {
            "Cần nhắc"
        } else {
            "Tình hình báo cáo"
        },
        format!(
            "{} — CÔNG VĂN SỐ {}",
            if chase {
                "CÁC XÃ QUÁ HẠN HOẶC CHƯA LẬP BÁO CÁO"
            } else {
                "TÌNH HÌNH BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU"
            },
            request.doc_number
        ),
        columns,
    );
    out.subtitle = Some(format!(
        "{}{}. Đã gửi {}/{}, đã chấp nhận {}/{}, đúng hạn {}/{} (đến ngày {}).",
        ctx.province.province.name,
        request
            .due()
            .map(|d| format!(", hạn báo cáo {}", format_date(d)))
            .unwrap_or_default(),
        board.submitted,
        board.expected,
        board.accepted,
        board.expected,
        board.on_time,
        board.expected,
        format_date(board.today)
    ));
    let day = |at: Option<chrono::DateTime<chrono::Utc>>| {
        Value::opt_date(at.map(toso_store::board::vietnam_date))
    };
    for r in board
        .rows
        .iter()
        .filter(|r| !chase || r.overdue() || r.not_started())
    {
        let l = line(r);
        out.rows.push(vec![
            Value::Plain(i64::from(r.commune.code)),
            Value::text(r.commune.name.clone()),
            Value::text(r.commune.kind.clone()),
            Value::text(l.state),
            day(r.first_submitted),
            day(r.last_submitted),
            Value::text(l.timeliness),
            l.version
                .map_or(Value::Empty, |(_, v)| Value::Plain(i64::from(v))),
            Value::text(l.officers),
            Value::opt_text(l.exclusion),
        ]);
    }
    let name = format!(
        "{}-{}-{}.{ext}",
        if chase {
            "can-nhac"
        } else {
            "tinh-hinh-bao-cao"
        },
        ctx.province.code(),
        ascii_number(&request.doc_number)
    );
    Ok(crate::imports::download(out, csv, &name))
}

#[derive(Template)]
#[template(path = "province_report.html")]
struct ReportPage {
    layout: ProvinceLayout,
    request: ReportingRequest,
    base: String,
    issued: String,
    versions: Vec<VersionLine>,
    /// The version shown (`None` on the form).
    shown: Option<ProvinceReport>,
    created: String,
    preview: Option<Preview>,
    /// The commune versions a shown report sums: (link, commune, version).
    sources: Vec<(String, String, i32)>,
    files: Vec<(String, &'static str)>,
    form: Form,
    placeholders: Vec<toso_reports::PlaceholderInfo>,
    manage: bool,
}

/// Links behind a figure of the consolidated report: the board for the
/// completeness figures, the province's figure pages otherwise.
fn province_href(province: i32, request: i64, key: &str, as_of: chrono::NaiveDate) -> String {
    if toso_domain::IndicatorCode::ALL
        .iter()
        .any(|c| c.key() == key)
    {
        format!(
            "/provinces/{province}/indicators/{key}?as_of={}",
            format_date(as_of)
        )
    } else {
        format!("/provinces/{province}/requests/{request}")
    }
}

/// A version of the Department's consolidated report, as its list shows it.
struct VersionLine {
    version: i32,
    report_date: String,
    made: String,
    by: String,
}

/// Every version of the request's consolidated report, oldest first.
async fn version_lines(state: &AppState, ctx: &RequestCtx) -> Result<Vec<VersionLine>, WebError> {
    Ok(state
        .store
        .province_reports(ctx.request.id)
        .await?
        .into_iter()
        .map(|r| VersionLine {
            version: r.version,
            report_date: format_date(r.settings.report_date),
            made: vn_day(r.created_at),
            by: r.stored.created_by,
        })
        .collect())
}

async fn report_view(
    state: &AppState,
    ctx: &RequestCtx,
    shown: Option<ProvinceReport>,
    preview: Option<Preview>,
    form: Form,
) -> Result<ReportPage, WebError> {
    let base = ctx.base();
    let versions = version_lines(state, ctx).await?;
    let (preview, sources, files) = match &shown {
        Some(report) => {
            let snapshot = report.snapshot()?;
            let (province, request, as_of) =
                (ctx.province.code(), ctx.request.id, snapshot.printed.as_of);
            let sources = snapshot
                .sources
                .iter()
                .map(|s| {
                    (
                        format!("/communes/{}/reports/{}", s.commune_code, s.report_id),
                        s.commune_name.clone(),
                        s.version,
                    )
                })
                .collect();
            let preview = Preview::of(
                snapshot.printed.document,
                &snapshot.printed.figures,
                |key| province_href(province, request, key, as_of),
            );
            let files = FileKind::ALL
                .iter()
                .map(|k| {
                    (
                        format!("{base}/report/{}/{}", report.version, k.extension()),
                        match k {
                            FileKind::Docx => "Tải DOCX",
                            FileKind::Pdf => "Tải PDF",
                            FileKind::Xlsx => "Tải phụ lục XLSX",
                        },
                    )
                })
                .collect();
            (Some(preview), sources, files)
        }
        None => (preview, Vec::new(), Vec::new()),
    };
    Ok(ReportPage {
        layout: ctx.province.layout("requests"),
        issued: format_date(ctx.request.issued_on),
        request: ctx.request.clone(),
        base,
        versions,
        created: shown
            .as_ref()
            .map(|r| format!("{} bởi {}", vn_day(r.created_at), r.created_by))
            .unwrap_or_default(),
        shown,
        preview,
        sources,
        files,
        form,
        placeholders: PROVINCE_PLACEHOLDERS.to_vec(),
        manage: ctx.province.access == ProvinceAccess::Manage,
    })
}

/// The consolidated report: its versions and the form for a new one,
/// filled from the newest version (or the defaults).
async fn report_form(state: AppState, ctx: RequestCtx) -> Reply {
    let newest = state
        .store
        .province_reports(ctx.request.id)
        .await?
        .into_iter()
        .next();
    let settings = match newest {
        Some(r) => toso_store::ReportSettings {
            report_date: toso_store::today().max(r.settings.as_of),
            ..r.stored.settings
        },
        None => province_report_defaults(&state.store, &ctx.request).await?,
    };
    render(report_view(&state, &ctx, None, None, settings_form(&settings)).await?)
}

/// Preview (`action=preview`) or freeze a new version.
async fn report_create(
    state: AppState,
    RequestManager(ctx): RequestManager,
    mut form: Form,
) -> Reply {
    let preview_only = form.value("action") == "preview";
    let mut preview = None;
    if let Some(settings) = parse_settings(&mut form) {
        let store = &state.store;
        if preview_only {
            match compose_province_report(store, &ctx.request, &settings).await {
                Ok(snapshot) => {
                    let (province, request, as_of) =
                        (ctx.province.code(), ctx.request.id, snapshot.printed.as_of);
                    preview = Some(Preview::of(
                        snapshot.printed.document,
                        &snapshot.printed.figures,
                        |key| province_href(province, request, key, as_of),
                    ));
                }
                Err(e) => form.refused(e)?,
            }
        } else {
            match compose_province_report(store, &ctx.request, &settings).await {
                Ok(snapshot) => {
                    match printable(&snapshot.printed.document, &snapshot.printed.annexes).await? {
                        Ok(()) => {
                            match store
                                .save_province_report(
                                    &ctx.province.actor(),
                                    &ctx.request,
                                    settings,
                                    snapshot,
                                )
                                .await
                            {
                                Ok(report) => {
                                    return Ok(saved(format!(
                                        "{}/report/{}",
                                        ctx.base(),
                                        report.version
                                    )))
                                }
                                Err(e) => form.refused(e)?,
                            }
                        }
                        Err((field, message)) => form.add_error(field, message),
                    }
                }
                Err(e) => form.refused(e)?,
            }
        }
    }
    let page = report_view(&state, &ctx, None, preview, form).await?;
    if page.form.has_errors() {
        refused(page)
    } else {
        render(page)
    }
}

fn version_of(raw: &str) -> Result<i32, WebError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| WebError::NotFound(format!("Không có phiên bản «{raw}».")))
}

async fn report_show(
    state: AppState,
    ctx: RequestCtx,
    Path((_, _, version)): Path<(String, String, String)>,
) -> Reply {
    let report = state
        .store
        .province_report(ctx.request.id, version_of(&version)?)
        .await?;
    render(report_view(&state, &ctx, Some(report), None, Form::default()).await?)
}

async fn report_download(
    state: AppState,
    ctx: RequestCtx,
    Path((_, _, version, file)): Path<(String, String, String, String)>,
) -> Reply {
    let kind = FileKind::parse(&file).ok_or_else(|| {
        WebError::NotFound(format!(
            "Không có định dạng «{file}»; chọn docx, pdf hoặc xlsx."
        ))
    })?;
    let report = state
        .store
        .province_report(ctx.request.id, version_of(&version)?)
        .await?;
    let snapshot = report.snapshot()?;
    let bytes = crate::respond::off_thread(move || render_file(&snapshot.printed, kind)).await?;
    Ok(file_response(
        bytes,
        kind,
        &province_file_name(&ctx.request, &report, kind),
    ))
}

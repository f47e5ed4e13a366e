//! Reporting requests and the commune's reports: answer a request, preview
//! the report with every figure linked to its records, generate (freeze) a
//! version, download it as DOCX, PDF or the XLSX annex; the province lists
//! its requests and who has answered.
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::ReportState;
use toso_domain::{format_date, DocumentNumber, DomainError, IndicatorCode, Name};
use toso_reporting::{compose_report, file_name, render_file, report_defaults, FileKind};
use toso_reports::{placeholders, PlaceholderInfo, Snapshot};
use toso_reports::{Block, Inline};
use toso_store::{
    CycleStatus, NewRequest, Report, ReportSettings, ReportingRequest, Review, StoreError,
};

use crate::access::ProvinceAccess;
use crate::forms::Form;
use crate::layout::{CommuneCtx, Layout, Manager, Officer, ProvinceReviewer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{off_thread, refused, render, saved, submit};
use crate::{params, AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/reports", get(list).post(create_request))
        .route("/communes/{code}/reports/new", get(new_form).post(create))
        .route("/communes/{code}/reports/{id}", get(show))
        .route("/communes/{code}/reports/{id}/{file}", get(download))
        .route("/communes/{code}/reports/{id}/submit", post(submit_report))
        .route("/communes/{code}/reports/{id}/review", post(review_report))
}

struct RequestLine {
    request: ReportingRequest,
    issued: String,
    as_of: String,
    deadline: String,
    overdue: bool,
    reports: Vec<ReportLine>,
}

struct ReportLine {
    id: i64,
    version: i32,
    as_of: String,
    report_date: String,
    created_by: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<RequestLine>,
    form: Form,
    province_link: Option<String>,
}

async fn list_page(state: &AppState, ctx: &CommuneCtx, form: Form) -> Result<ListPage, WebError> {
    let store = &state.store;
    let requests = store.requests_for_commune(ctx.code).await?;
    let reports = store.reports_of(ctx.code).await?;
    let today = toso_store::today();
    let lines = requests
        .into_iter()
        .map(|request| RequestLine {
            issued: format_date(request.issued_on),
            as_of: format_date(request.as_of),
            deadline: request.deadline.map(format_date).unwrap_or_default(),
            overdue: request.due().is_some_and(|d| d < today)
                && !reports.iter().any(|r| r.request_id == request.id),
            reports: reports
                .iter()
                .filter(|r| r.request_id == request.id)
                .map(|r| ReportLine {
                    id: r.id,
                    version: r.version,
                    as_of: format_date(r.settings.as_of),
                    report_date: format_date(r.settings.report_date),
                    created_by: r.created_by.clone(),
                })
                .collect(),
            request,
        })
        .collect();
    let province_link = (crate::access::province_access(&ctx.user, ctx.commune.province_code)
        == Some(ProvinceAccess::Manage))
    .then(|| format!("/provinces/{}/requests", ctx.commune.province_code));
    Ok(ListPage {
        layout: ctx.layout("reports"),
        lines,
        form,
        province_link,
    })
}

async fn list(state: AppState, ctx: Officer) -> Reply {
    render(list_page(&state, &ctx, Form::default()).await?)
}

/// The fields of a request form, parsed (errors recorded beside the fields).
pub(crate) fn parse_request(
    form: &mut Form,
    province_code: i32,
    commune_code: Option<i32>,
) -> Option<NewRequest> {
    let number = form.field("doc_number", DocumentNumber::parse);
    let issued_on = form.date("issued_on", "Ngày ban hành");
    let issuer = form.field("issuer", Name::issuer);
    let subject = form.field("subject", Name::subject);
    let deadline = form.optional_date("deadline", "Hạn báo cáo");
    let as_of = form.date("as_of", "Số liệu tính đến ngày");
    let period_from = form.optional_date("period_from", "Kỳ báo cáo từ ngày");
    let grace_days = form.optional_count("grace_days", "Số ngày gia hạn");
    let template_body = Some(form.free_text("template_body")).filter(|t| !t.trim().is_empty());
    Some(NewRequest {
        province_code,
        commune_code,
        number: number?,
        issued_on: issued_on?,
        issuer: issuer?,
        subject: subject?,
        deadline: deadline?,
        as_of: as_of?,
        period_from: period_from?,
        grace_days: grace_days?.unwrap_or(0),
        template_body,
    })
}

/// A commune registers a request it received (when the province does not
/// post its requests in Tổ Số).
async fn create_request(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let actor = ctx.actor();
    let write = parse_request(&mut form, ctx.commune.province_code, Some(ctx.code))
        .map(|new| state.store.create_request(&actor, new));
    let again = async |form| list_page(&state, &ctx, form).await;
    submit(form, write, ctx.path("reports"), again).await
}

pub(crate) fn settings_form(s: &ReportSettings) -> Form {
    Form::filled([
        ("as_of", format_date(s.as_of)),
        ("report_date", format_date(s.report_date)),
        ("number", s.number.clone()),
        ("place", s.place.clone()),
        ("parent_body", s.parent_body.clone().unwrap_or_default()),
        ("subject", s.subject.clone()),
        ("body", s.body.clone()),
        ("recipients", s.recipients.clone()),
        ("signer_capacity", s.signer_capacity.clone()),
        ("signer_name", s.signer_name.clone()),
    ])
}

pub(crate) fn parse_settings(form: &mut Form) -> Option<ReportSettings> {
    let as_of = form.date("as_of", "Số liệu tính đến ngày");
    let report_date = form.date("report_date", "Ngày báo cáo");
    let text =
        |form: &Form, name: &str| crate::forms::free_text(&form.value(name).replace("\r\n", "\n"));
    let parent = text(form, "parent_body");
    Some(ReportSettings {
        as_of: as_of?,
        report_date: report_date?,
        number: text(form, "number").trim_end().to_string(),
        place: text(form, "place").trim().to_string(),
        parent_body: (!parent.trim().is_empty()).then(|| parent.trim().to_string()),
        subject: text(form, "subject"),
        body: text(form, "body"),
        recipients: text(form, "recipients"),
        signer_capacity: text(form, "signer_capacity"),
        signer_name: text(form, "signer_name").trim().to_string(),
    })
}

/// The page listing the records behind a report's figure: an indicator's
/// records as of the report's date, or the register a text came from (the
/// documents, courses, contests, campaigns, teams).
pub fn source_href(commune_code: i32, as_of: NaiveDate, key: &str) -> String {
    if IndicatorCode::ALL.iter().any(|c| c.key() == key) {
        return crate::pages::figure_href(commune_code, key, as_of);
    }
    let page = match key {
        "request" => "/reports",
        "directives" | "decision" => "/documents",
        "courses" => "/training",
        "contests" => "/contests",
        "partners" | "campaign_names" => "/campaigns",
        "zalo" => "/teams",
        _ => "",
    };
    format!("/communes/{commune_code}{page}")
}

/// One block of the HTML preview.
pub struct PreviewBlock {
    pub heading: u8,
    pub parts: Vec<PreviewPart>,
}

pub struct PreviewPart {
    pub text: String,
    /// Where the figure comes from: (records page, what it is).
    pub source: Option<(String, String)>,
}

/// The document as the preview template shows it, each figure linked to
/// the records (or the versions) behind it.
pub struct Preview {
    pub document: toso_reports::Document,
    pub blocks: Vec<PreviewBlock>,
    /// Every figure: (records page, what it is, as printed).
    pub figures: Vec<(String, String, String)>,
}

impl Preview {
    /// A commune report's snapshot: figures link to the commune's records.
    pub fn new(snapshot: Snapshot) -> Preview {
        let (code, as_of) = (snapshot.commune_code, snapshot.printed.as_of);
        Preview::of(
            snapshot.printed.document,
            &snapshot.printed.figures,
            |key| source_href(code, as_of, key),
        )
    }

    /// Any document with its frozen figures; `href` gives the page behind
    /// a placeholder key.
    pub fn of(
        document: toso_reports::Document,
        figures: &[toso_reports::FrozenFigure],
        href: impl Fn(&str) -> String,
    ) -> Preview {
        let blocks = document
            .blocks
            .iter()
            .map(|b| {
                let (heading, content) = match b {
                    Block::Heading { level, content } => (*level, content),
                    Block::Paragraph { content } => (0, content),
                };
                PreviewBlock {
                    heading,
                    parts: content
                        .iter()
                        .map(|i| match i {
                            Inline::Text { text } => PreviewPart {
                                text: text.clone(),
                                source: None,
                            },
                            Inline::Figure { text, source } => PreviewPart {
                                text: text.clone(),
                                source: Some((href(&source.key), source.label.clone())),
                            },
                        })
                        .collect(),
                }
            })
            .collect();
        let figures = figures
            .iter()
            .map(|f| (href(&f.key), f.label.clone(), f.text.clone()))
            .collect();
        Preview {
            document,
            blocks,
            figures,
        }
    }
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct FormPage {
    layout: Layout,
    request: ReportingRequest,
    issued: String,
    form: Form,
    placeholders: Vec<PlaceholderInfo>,
    preview: Option<Preview>,
    version_of: Option<i32>,
}

fn request_param(q: &PageQuery) -> Result<i64, WebError> {
    q.request
        .as_deref()
        .ok_or_else(|| {
            WebError::Invalid(DomainError::new(
                "request",
                "Chưa chọn văn bản yêu cầu báo cáo.",
            ))
        })
        .and_then(params::id)
}

/// The form of a new report for `?request=ID`; `&from=REPORT` starts from an
/// earlier version's settings (a new version is always explicit).
async fn new_form(state: AppState, ctx: Manager, Query(q): Query<PageQuery>) -> Reply {
    let store = &state.store;
    let request = store
        .request_for_commune(ctx.code, request_param(&q)?)
        .await?;
    let (settings, version_of) = match q.from.as_deref() {
        Some(from) => {
            let report = ctx.load(store.report(params::id(from)?)).await?;
            if report.request_id != request.id {
                return Err(WebError::NotFound(
                    "Báo cáo không trả lời văn bản yêu cầu này.".into(),
                ));
            }
            let mut s = report.settings.clone();
            s.report_date = toso_store::today().max(s.as_of);
            (s, Some(report.version))
        }
        None => (report_defaults(store, ctx.code, &request).await?, None),
    };
    render(FormPage {
        layout: ctx.layout("reports"),
        issued: format_date(request.issued_on),
        request,
        form: settings_form(&settings),
        placeholders: placeholders(),
        preview: None,
        version_of,
    })
}

/// "Xem trước" shows the report without storing it; "Tạo báo cáo" freezes
/// the figures into a new version and opens it.
async fn create(
    state: AppState,
    ctx: Manager,
    Query(q): Query<PageQuery>,
    mut form: Form,
) -> Reply {
    let store = &state.store;
    let request = store
        .request_for_commune(ctx.code, request_param(&q)?)
        .await?;
    let preview_only = form.value("action") == "preview";
    let save_default = form.has("save_default");
    let mut preview = None;
    if let Some(settings) = parse_settings(&mut form) {
        if preview_only {
            match compose_report(store, ctx.code, &request, &settings).await {
                Ok(snapshot) => preview = Some(Preview::new(snapshot)),
                Err(e) => form.refused(e)?,
            }
        } else {
            match generate(&state, &ctx, &request, settings, save_default).await? {
                Ok(id) => return Ok(saved(format!("/communes/{}/reports/{id}", ctx.code))),
                Err((field, message)) => form.add_error(field, message),
            }
        }
    }
    let page = FormPage {
        layout: ctx.layout("reports"),
        issued: format_date(request.issued_on),
        request,
        form,
        placeholders: placeholders(),
        preview,
        version_of: None,
    };
    if page.form.has_errors() {
        refused(page)
    } else {
        render(page)
    }
}

/// Compose the report, check that it prints (a character the embedded PDF
/// fonts cannot draw is refused here, not at download), store it as a new
/// version and, if asked, keep the settings as the commune's template.
/// `Ok(Err((field, message)))` is a refusal to show in the form.
async fn generate(
    state: &AppState,
    ctx: &CommuneCtx,
    request: &ReportingRequest,
    settings: ReportSettings,
    save_default: bool,
) -> Result<Result<i64, (&'static str, String)>, WebError> {
    let store = &state.store;
    let refusal = |e: StoreError| match e {
        StoreError::Invalid(e) => Ok(Err((e.field, e.message))),
        other => Err(WebError::from(other)),
    };
    let snapshot = match compose_report(store, ctx.code, request, &settings).await {
        Ok(s) => s,
        Err(e) => return refusal(e),
    };
    if let Err(refusal) = printable(&snapshot.printed.document, &snapshot.printed.annexes).await? {
        return Ok(Err(refusal));
    }
    let actor = ctx.actor();
    let report = match store
        .save_report(&actor, request, settings.clone(), snapshot)
        .await
    {
        Ok(r) => r,
        Err(e) => return refusal(e),
    };
    if save_default {
        store
            .save_report_template(&actor, ctx.code, &settings)
            .await?;
    }
    Ok(Ok(report.id))
}

/// Check that a composed document and its annexes print: a character the
/// embedded PDF fonts cannot draw is refused when the version is made, not
/// at download. `Ok(Err((field, message)))` is the refusal to show in the
/// form.
pub(crate) async fn printable(
    document: &toso_reports::Document,
    annexes: &[toso_reports::Annex],
) -> Result<Result<(), (&'static str, String)>, WebError> {
    let (document, annexes) = (document.clone(), annexes.to_vec());
    let printed =
        tokio::task::spawn_blocking(move || toso_pdf::render_pdf_with_annexes(&document, &annexes))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    match printed {
        Ok(_) => Ok(Ok(())),
        Err(toso_pdf::PdfError::MissingGlyphs(chars)) => Ok(Err((
            "pdf",
            format!(
                "Báo cáo có ký tự không in được trong tệp PDF (phông chữ Times/Liberation Serif không có): {chars}. \
                 Hãy xóa hoặc thay các ký tự này (trong nội dung, hoặc trong tên thôn, tổ, xã ở phụ lục) rồi tạo lại."
            ),
        ))),
        Err(e) => Err(WebError::Internal(e.to_string())),
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    report: Report,
    request: ReportingRequest,
    preview: Preview,
    as_of: String,
    created: String,
    versions: Vec<(i64, i32, String)>,
    files: Vec<(String, String)>,
    /// Where the commune's report for the request stands, and its history.
    cycle: CycleView,
    form: Form,
}

/// The cycle as the report page shows it.
struct CycleView {
    state: &'static str,
    /// The comment of the last return or reopening, shown to the commune.
    comment: Option<String>,
    seq: i32,
    history: Vec<(String, &'static str, i32, String, String)>,
    /// A new version may be made (not while submitted, not once accepted).
    open: bool,
    can_submit: bool,
    can_review: bool,
    can_reopen: bool,
}

fn cycle_view(ctx: &CommuneCtx, report: &Report, status: &CycleStatus) -> CycleView {
    let last = status.last();
    let is_latest = status.latest.map(|l| l.0) == Some(report.id);
    let reviewer = reviews(ctx);
    let vn = toso_domain::vietnam();
    CycleView {
        state: status.state.label(),
        comment: last
            .filter(|t| t.state == "returned")
            .and_then(|t| t.comment.clone()),
        seq: status.seq,
        history: status
            .history
            .iter()
            .map(|t| {
                (
                    t.at.with_timezone(&vn).format("%H:%M %d/%m/%Y").to_string(),
                    t.action_label(),
                    t.version,
                    t.actor.clone(),
                    t.comment.clone().unwrap_or_default(),
                )
            })
            .collect(),
        open: status.open_for_new_version(),
        can_submit: ctx.access.manager().is_ok()
            && is_latest
            && match status.state {
                ReportState::Draft => true,
                ReportState::Returned => status.version() < Some(report.version),
                _ => false,
            },
        can_review: reviewer
            && status.state == ReportState::Submitted
            && last.is_some_and(|t| t.report_id == report.id),
        can_reopen: reviewer
            && status.state == ReportState::Accepted
            && last.is_some_and(|t| t.report_id == report.id),
    }
}

/// Whether the user reviews this commune's reports: the province's
/// officer (and admin).
fn reviews(ctx: &CommuneCtx) -> bool {
    crate::access::province_access(&ctx.user, ctx.commune.province_code)
        == Some(ProvinceAccess::Manage)
}

async fn load(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
) -> Result<(Report, ReportingRequest), WebError> {
    let report = ctx.load(state.store.report(id)).await?;
    let request = state.store.request(report.request_id).await?;
    Ok((report, request))
}

async fn report_page(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
    form: Form,
) -> Result<ReportPage, WebError> {
    let (report, request) = load(state, ctx, id).await?;
    let snapshot = report.snapshot()?;
    let versions = state
        .store
        .reports_of(ctx.code)
        .await?
        .into_iter()
        .filter(|r| r.request_id == report.request_id)
        .map(|r| (r.id, r.version, format_date(r.settings.report_date)))
        .collect();
    let files = FileKind::ALL
        .iter()
        .map(|k| {
            (
                format!(
                    "/communes/{}/reports/{}/{}",
                    ctx.code,
                    report.id,
                    k.extension()
                ),
                file_name(&request, &report, *k),
            )
        })
        .collect();
    let status = state
        .store
        .report_status(ctx.code, report.request_id)
        .await?;
    Ok(ReportPage {
        layout: ctx.layout("reports"),
        as_of: format_date(report.settings.as_of),
        created: report
            .created_at
            .with_timezone(&toso_domain::vietnam())
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        preview: Preview::new(snapshot),
        versions,
        files,
        cycle: cycle_view(ctx, &report, &status),
        form,
        report,
        request,
    })
}

async fn show(state: AppState, ctx: Officer, Id(id): Id) -> Reply {
    render(report_page(&state, &ctx, id, Form::default()).await?)
}

/// `seen`: how many transitions the officer's page showed.
fn seen(form: &mut Form) -> Option<i32> {
    form.field("seen", |s| {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                DomainError::new(
                    "state",
                    "Trang đã cũ (thiếu số thao tác đã thấy): tải lại trang rồi làm lại.",
                )
            })
    })
}

/// A form of the report version `id`'s page ([`submit`]): written, back to
/// the page; refused, the page with the form's errors.
async fn on_report_page<T>(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
    form: Form,
    write: Option<impl std::future::Future<Output = toso_store::Result<T>>>,
) -> Reply {
    let path = ctx.path(&format!("reports/{id}"));
    submit(form, write, path, async |form| {
        report_page(state, ctx, id, form).await
    })
    .await
}

/// The commune's officer submits this version to the province.
async fn submit_report(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let (report, _) = load(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = seen(&mut form).map(|seen| state.store.submit_report(&actor, report.id, seen));
    on_report_page(&state, &ctx, report.id, form, write).await
}

/// The province's officer accepts, returns (with a comment) or reopens
/// (with a reason) the commune's report this version belongs to.
async fn review_report(
    state: AppState,
    ctx: ProvinceReviewer,
    Id(id): Id,
    mut form: Form,
) -> Reply {
    let (report, _) = load(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let seen = seen(&mut form);
    let comment = form.value("comment").to_string();
    let review = form.field("decision", |s| match s.trim() {
        "accept" => Ok(Review::Accept),
        "return" => Ok(Review::Return(comment.clone())),
        "reopen" => Ok(Review::Reopen(comment.clone())),
        other => Err(DomainError::new(
            "decision",
            format!("Không có quyết định «{other}»: chọn chấp nhận, trả lại hoặc mở lại."),
        )),
    });
    let write = match (seen, review) {
        (Some(seen), Some(review)) => {
            Some(
                state
                    .store
                    .review_report(&actor, ctx.code, report.request_id, review, seen),
            )
        }
        _ => None,
    };
    on_report_page(&state, &ctx, report.id, form, write).await
}

async fn download(
    state: AppState,
    ctx: Officer,
    Id(id): Id,
    Path((_, _, file)): Path<(String, String, String)>,
) -> Reply {
    report_file(&state, &ctx, id, &file).await
}

/// The DOCX, the PDF or the XLSX annex (`file`) of the commune's report
/// version `id`, drawn from its frozen figures, as a download: the page's
/// and the API's.
pub(crate) async fn report_file(state: &AppState, ctx: &CommuneCtx, id: i64, file: &str) -> Reply {
    let kind = FileKind::parse(file).ok_or_else(|| {
        WebError::NotFound(format!(
            "Không có định dạng «{file}»; chọn docx, pdf hoặc xlsx."
        ))
    })?;
    let (report, request) = load(state, ctx, id).await?;
    let snapshot = report.snapshot()?;
    let bytes = off_thread(move || render_file(&snapshot.printed, kind)).await?;
    Ok(file_response(
        bytes,
        kind,
        &file_name(&request, &report, kind),
    ))
}

/// A generated file as a download (never cached: reports are private).
pub(crate) fn file_response(bytes: Vec<u8>, kind: FileKind, name: &str) -> Response {
    crate::respond::attachment(name, kind.content_type(), bytes)
}

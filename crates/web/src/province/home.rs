//! The homes of the province and of the nation: their figures (the totals
//! of the table, which the store's tests hold equal to the node's own
//! indicators), one row per commune (or province) with every unit listed,
//! sortable and filterable, server-drawn charts, the table as CSV and XLSX,
//! and the records behind each figure.

use askama::Template;
use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use toso_domain::{fold, format_date, format_int, DomainError, IndicatorCode, Node, ReportState};
use toso_sheets::{Column, Table, Value};
use toso_store::{
    ActivityGroup, ActivityRow, ActivityScope, Evidence, Period, Timeliness, UnitRow, UnitTable,
};

use super::{NationCtx, ProvinceCtx, ProvinceLayout};
use crate::dashboard::period_text;
use crate::pages::{group_label, pages_of, record_groups, RECORDS_PER_PAGE};
use crate::params::{self, Query};
use crate::respond::render;
use crate::svg::{self, Bar};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nation", get(nation_home))
        .route("/nation/indicators/{key}", get(nation_records))
        .route("/nation/download/{file}", get(nation_download))
        .route("/provinces/{province}", get(province_home))
        .route(
            "/provinces/{province}/indicators/{key}",
            get(province_records),
        )
        .route(
            "/provinces/{province}/download/{file}",
            get(province_download),
        )
}

/// The query of a home page: the day or period, the order and the filters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TableQuery {
    as_of: Option<String>,
    until: Option<String>,
    from: Option<String>,
    /// A column key of [`COLUMNS`], `name` or `code`, or `last`.
    sort: Option<String>,
    /// `asc` or `desc`.
    dir: Option<String>,
    /// A unit kind, folded with `_` for spaces (`xa`, `phuong`, `dac_khu`).
    kind: Option<String>,
    /// `coverage` (below 100%), `inactive` (no activity in 30 days),
    /// `nodata`.
    show: Option<String>,
    page: Option<String>,
}

impl TableQuery {
    /// The period from `from` to `until` (or `as_of`; default today).
    fn period(&self) -> Result<toso_store::Period, WebError> {
        params::period(
            self.until.as_deref().or(self.as_of.as_deref()),
            self.from.as_deref(),
        )
    }
}

/// A numeric column of the table: its key (sorting, links), header, the
/// indicator whose records it links to, and its value.
struct Col {
    key: &'static str,
    header: &'static str,
    indicator: IndicatorCode,
    /// A flow figure: counted over the period when there is one.
    flow: bool,
    value: fn(&UnitRow) -> i64,
}

const COLUMNS: &[Col] = &[
    Col {
        key: "villages",
        header: "Thôn, tổ dân phố",
        indicator: IndicatorCode::Villages,
        flow: false,
        value: |r| r.villages,
    },
    Col {
        key: "teams",
        header: "Tổ CNSCĐ",
        indicator: IndicatorCode::Teams,
        flow: false,
        value: |r| r.teams,
    },
    Col {
        key: "coverage",
        header: "Tỷ lệ thôn có tổ",
        indicator: IndicatorCode::Coverage,
        flow: false,
        value: |r| r.villages_with_team,
    },
    Col {
        key: "members",
        header: "Thành viên",
        indicator: IndicatorCode::Members,
        flow: false,
        value: |r| r.members,
    },
    Col {
        key: "quick",
        header: "Đội hỗ trợ phản ứng nhanh",
        indicator: IndicatorCode::QuickResponseMembers,
        flow: false,
        value: |r| r.quick_response_members,
    },
    Col {
        key: "citizens",
        header: "Người dân được hỗ trợ",
        indicator: IndicatorCode::CitizensHelped,
        flow: true,
        value: |r| r.citizens_helped,
    },
    Col {
        key: "dossiers",
        header: "Hồ sơ trực tuyến",
        indicator: IndicatorCode::Dossiers,
        flow: true,
        value: |r| r.dossiers,
    },
    Col {
        key: "trainees",
        header: "Người được tập huấn",
        indicator: IndicatorCode::Trainees,
        flow: true,
        value: |r| r.trainees,
    },
    Col {
        key: "registrations",
        header: "Lượt đăng ký cuộc thi",
        indicator: IndicatorCode::ContestRegistrations,
        flow: true,
        value: |r| r.contest_registrations,
    },
    Col {
        key: "active",
        header: "Tổ hoạt động",
        indicator: IndicatorCode::ActiveTeams,
        flow: false,
        value: |r| r.active_teams,
    },
];

/// Which level a home shows.
#[derive(Debug, Clone, Copy)]
enum Level {
    /// A province: its communes.
    Province(i32),
    /// The nation: its provinces.
    Nation,
}

impl Level {
    fn node(self) -> Node {
        match self {
            Level::Province(code) => Node::Province(code),
            Level::Nation => Node::Nation,
        }
    }

    /// The address of the home.
    fn home(self) -> String {
        match self {
            Level::Province(code) => format!("/provinces/{code}"),
            Level::Nation => "/nation".to_string(),
        }
    }

    /// The page of one unit of the table (a commune, a province).
    fn unit_home(self, code: i32) -> String {
        match self {
            Level::Province(_) => format!("/communes/{code}"),
            Level::Nation => format!("/provinces/{code}"),
        }
    }

    /// The records behind a figure of one unit (`None`: of the level).
    fn records(self, unit: Option<i32>, key: &str, as_of: NaiveDate) -> String {
        let as_of = format_date(as_of);
        match (self, unit) {
            (Level::Province(_), Some(c)) => {
                format!("/communes/{c}/indicators/{key}?as_of={as_of}")
            }
            (Level::Nation, Some(p)) | (Level::Province(p), None) => {
                format!("/provinces/{p}/indicators/{key}?as_of={as_of}")
            }
            (Level::Nation, None) => format!("/nation/indicators/{key}?as_of={as_of}"),
        }
    }

    /// Where a flow figure of one unit over a period is broken down.
    fn period_page(self, unit: i32, period: Period) -> String {
        let q = period_query(period);
        match self {
            Level::Province(_) => format!("/communes/{unit}/dashboard?{q}"),
            Level::Nation => format!("/provinces/{unit}?{q}"),
        }
    }

    fn units(self) -> &'static str {
        match self {
            Level::Province(_) => "xã, phường, đặc khu",
            Level::Nation => "tỉnh, thành phố",
        }
    }
}

/// `from=…&until=…` (or `as_of=…`) of a period, dd/mm/yyyy.
fn period_query(p: Period) -> String {
    match p.from {
        Some(f) => format!("from={}&until={}", format_date(f), format_date(p.until)),
        None => format!("as_of={}", format_date(p.until)),
    }
}

/// What the page does with the rows: order and filters, parsed.
struct View {
    sort: &'static str,
    desc: bool,
    kind: Option<String>,
    show: Option<&'static str>,
}

const SORT_KEYS: &[&str] = &["code", "name", "kind", "last"];
const SHOWS: &[(&str, &str)] = &[
    ("coverage", "Tỷ lệ thôn có tổ dưới 100%"),
    ("inactive", "Không có hoạt động trong 30 ngày"),
    ("nodata", "Chưa có dữ liệu"),
];

/// The slug of a unit kind for the filter: "Đặc khu" → "dac_khu".
fn kind_slug(kind: &str) -> String {
    fold(kind).replace(' ', "_")
}

fn parse_view(q: &TableQuery, table: &UnitTable) -> Result<View, WebError> {
    let sort = match toso_domain::non_blank(q.sort.as_deref()) {
        None => "code",
        Some(s) => SORT_KEYS
            .iter()
            .copied()
            .chain(COLUMNS.iter().map(|c| c.key))
            .find(|k| *k == s)
            .ok_or_else(|| {
                DomainError::new(
                    "sort",
                    format!("Không sắp xếp được theo «{s}»: chọn một cột của bảng."),
                )
            })?,
    };
    let desc = match toso_domain::non_blank(q.dir.as_deref()) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(DomainError::new(
                "dir",
                format!(
                "Chiều sắp xếp «{other}» không hợp lệ: chọn tăng dần (asc) hoặc giảm dần (desc)."
            ),
            )
            .into())
        }
    };
    let kind = match toso_domain::non_blank(q.kind.as_deref()) {
        None => None,
        Some(k) => {
            if !table.rows.iter().any(|r| kind_slug(&r.kind) == k) {
                return Err(DomainError::new(
                    "kind",
                    format!("Loại đơn vị «{k}» không có trong bảng."),
                )
                .into());
            }
            Some(k.to_string())
        }
    };
    let show = match toso_domain::non_blank(q.show.as_deref()) {
        None => None,
        Some(s) => Some(
            SHOWS
                .iter()
                .map(|(k, _)| *k)
                .find(|k| *k == s)
                .ok_or_else(|| {
                    DomainError::new(
                        "show",
                        format!(
                            "Bộ lọc «{s}» không hợp lệ: chọn thôn chưa phủ hết, \
                             không hoạt động trong 30 ngày hoặc chưa có dữ liệu."
                        ),
                    )
                })?,
        ),
    };
    Ok(View {
        sort,
        desc,
        kind,
        show,
    })
}

/// Coverage as a number to sort by (units without villages last).
fn coverage_key(r: &UnitRow) -> f64 {
    if r.villages == 0 {
        -1.0
    } else {
        r.villages_with_team as f64 / r.villages as f64
    }
}

/// No support activity in the 30 days up to `as_of` (units with data).
fn inactive(r: &UnitRow, as_of: NaiveDate) -> bool {
    let since = as_of - Days::new(29);
    r.has_data() && r.last_activity.is_none_or(|d| d < since)
}

/// The rows the view keeps, in its order.
fn apply<'t>(table: &'t UnitTable, view: &View) -> Vec<&'t UnitRow> {
    let mut rows: Vec<&UnitRow> = table
        .rows
        .iter()
        .filter(|r| view.kind.as_ref().is_none_or(|k| kind_slug(&r.kind) == *k))
        .filter(|r| match view.show {
            Some("coverage") => r.has_data() && r.coverage_incomplete(),
            Some("inactive") => inactive(r, table.as_of),
            Some("nodata") => !r.has_data(),
            _ => true,
        })
        .collect();
    match view.sort {
        "name" => rows.sort_by_cached_key(|r| (fold(&r.name), r.code)),
        "kind" => rows.sort_by_cached_key(|r| (fold(&r.kind), r.code)),
        "last" => rows.sort_by_key(|r| (r.last_activity, r.code)),
        "coverage" => rows.sort_by(|a, b| {
            coverage_key(a)
                .total_cmp(&coverage_key(b))
                .then(a.code.cmp(&b.code))
        }),
        "code" => rows.sort_by_key(|r| r.code),
        key => {
            if let Some(col) = COLUMNS.iter().find(|c| c.key == key) {
                rows.sort_by_key(|r| ((col.value)(r), r.code));
            }
        }
    }
    if view.desc {
        rows.reverse();
    }
    rows
}

/// One cell of the table.
struct Cell {
    key: &'static str,
    text: String,
    href: Option<String>,
}

struct Line {
    code: i32,
    name: String,
    href: String,
    kind: String,
    has_data: bool,
    cells: Vec<Cell>,
    last: String,
    report: String,
}

struct Header {
    header: &'static str,
    href: String,
    /// `ascending` / `descending` when the table is sorted by it.
    sorted: Option<&'static str>,
}

struct Card {
    key: &'static str,
    name: &'static str,
    display: String,
    href: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "province_home.html")]
struct HomePage {
    layout: ProvinceLayout,
    title: String,
    units: &'static str,
    period: String,
    as_of: String,
    from: String,
    cards: Vec<Card>,
    headers: Vec<Header>,
    name_header: Header,
    kind_header: Header,
    last_header: Header,
    lines: Vec<Line>,
    totals: Vec<(&'static str, String)>,
    totals_last: String,
    shown: String,
    kinds: Vec<Choice>,
    shows: Vec<Choice>,
    report_header: String,
    /// Reports submitted and awaiting the province's review.
    awaiting: Vec<(String, String)>,
    downloads: (String, String),
    coverage_chart: String,
    month_chart: String,
    category_chart: String,
    ranking_chart: String,
    base: String,
}

/// The display of one column's value of a row.
fn cell_text(col: &Col, r: &UnitRow) -> String {
    if col.key == "coverage" {
        r.coverage().display()
    } else {
        format_int((col.value)(r))
    }
}

/// The header of the report column, its text by unit, and the reports
/// awaiting the province's review (link, text).
type ReportColumn = (
    String,
    std::collections::HashMap<i32, String>,
    Vec<(String, String)>,
);

/// The report status of each unit for the open request: where a commune's
/// report for its province's latest request stands in the cycle (late when
/// the deadline passed before it was submitted), or how many communes of a
/// province submitted and had accepted their report for its latest one.
async fn report_status(
    state: &AppState,
    level: Level,
    table: &UnitTable,
) -> Result<ReportColumn, WebError> {
    let store = &state.store;
    let today = toso_store::today();
    let mut status = std::collections::HashMap::new();
    let mut awaiting = Vec::new();
    match level {
        Level::Province(code) => {
            let Some(request) = store.requests_of_province(code).await?.into_iter().next() else {
                return Ok(("Báo cáo".into(), status, awaiting));
            };
            let board = store.request_board(request.id, today).await?;
            for r in &board.rows {
                let version = r
                    .submitted_version
                    .or(r.status.latest)
                    .map(|(_, v)| format!("bản {v}"));
                let day = r
                    .last_submitted
                    .map(|at| format_date(toso_store::board::vietnam_date(at)));
                let mut text = if r.expected() {
                    r.status.state.label().to_string()
                } else {
                    "Không phải báo cáo".to_string()
                };
                let details: Vec<String> = version.into_iter().chain(day).collect();
                if !details.is_empty() {
                    text = format!("{text} ({})", details.join(", "));
                }
                if r.expected() {
                    match r.timeliness {
                        Timeliness::Overdue { days } => {
                            text = format!("Quá hạn {days} ngày — {text}")
                        }
                        Timeliness::Late { days } => text = format!("{text}, trễ {days} ngày"),
                        _ => {}
                    }
                }
                status.insert(r.commune.code, text);
            }
            for r in board.awaiting_review() {
                if let Some((id, _)) = r.submitted_version {
                    awaiting.push((
                        format!("/communes/{}/reports/{id}", r.commune.code),
                        format!(
                            "{} — {}",
                            r.commune.name,
                            status.get(&r.commune.code).cloned().unwrap_or_default()
                        ),
                    ));
                }
            }
            Ok((
                format!("Báo cáo theo CV {}", request.doc_number),
                status,
                awaiting,
            ))
        }
        Level::Nation => {
            for r in &table.rows {
                let text = match store.requests_of_province(r.code).await?.into_iter().next() {
                    Some(request) => {
                        let states = store.request_states(request.id).await?;
                        let count = |wanted: &[ReportState]| {
                            states
                                .values()
                                .filter(|s| wanted.contains(&s.state))
                                .count() as i64
                        };
                        format!(
                            "CV {}: {}/{} đã gửi, {} đã chấp nhận",
                            request.doc_number,
                            format_int(count(&[ReportState::Submitted, ReportState::Accepted])),
                            format_int(r.communes),
                            format_int(count(&[ReportState::Accepted]))
                        )
                    }
                    None => "Chưa gửi yêu cầu".to_string(),
                };
                status.insert(r.code, text);
            }
            Ok(("Báo cáo theo yêu cầu gần nhất".into(), status, awaiting))
        }
    }
}

/// The link of a header: sort by `key`, ascending first, descending on a
/// second click; the other parameters kept.
fn sort_href(base: &str, q: &TableQuery, view: &View, key: &str) -> String {
    let dir = if view.sort == key && !view.desc {
        "desc"
    } else {
        "asc"
    };
    let mut params: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("as_of", &q.as_of),
        ("until", &q.until),
        ("from", &q.from),
        ("kind", &q.kind),
        ("show", &q.show),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            params.push((k, v.to_string()));
        }
    }
    params.push(("sort", key.to_string()));
    params.push(("dir", dir.to_string()));
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    format!("{base}?{query}")
}

fn header(base: &str, q: &TableQuery, view: &View, key: &str, text: &'static str) -> Header {
    Header {
        header: text,
        href: sort_href(base, q, view, key),
        sorted: (view.sort == key).then_some(if view.desc { "descending" } else { "ascending" }),
    }
}

fn bars(rows: &[ActivityRow]) -> Vec<Bar> {
    rows.iter()
        .map(|r| Bar::new(r.label.clone(), r.citizens_helped))
        .collect()
}

async fn home(state: &AppState, level: Level, layout: ProvinceLayout, q: TableQuery) -> Reply {
    let period = q.period()?;
    let store = &state.store;
    let table = store.unit_table(level.node(), period).await?;
    let view = parse_view(&q, &table)?;
    let (report_header, status, awaiting) = report_status(state, level, &table).await?;
    let as_of = period.until;
    let base = level.home();

    let link = |col: &Col, unit: Option<i32>| -> Option<String> {
        match (col.flow, period.from, unit) {
            (true, Some(_), Some(u)) => Some(level.period_page(u, period)),
            (true, Some(_), None) => None,
            _ => Some(level.records(unit, col.indicator.key(), as_of)),
        }
    };
    let rows = apply(&table, &view);
    let lines = rows
        .iter()
        .map(|r| Line {
            code: r.code,
            name: r.name.clone(),
            href: level.unit_home(r.code),
            kind: r.kind.clone(),
            has_data: r.has_data(),
            cells: COLUMNS
                .iter()
                .map(|c| Cell {
                    key: c.key,
                    text: cell_text(c, r),
                    href: link(c, Some(r.code)),
                })
                .collect(),
            last: r.last_activity.map(format_date).unwrap_or_default(),
            report: status.get(&r.code).cloned().unwrap_or_default(),
        })
        .collect();
    let cards = COLUMNS
        .iter()
        .map(|c| Card {
            key: c.key,
            name: c.header,
            display: cell_text(c, &table.totals),
            href: link(c, None),
        })
        .collect();
    let totals = COLUMNS
        .iter()
        .map(|c| (c.key, cell_text(c, &table.totals)))
        .collect();

    let mut kinds: Vec<Choice> = Vec::new();
    for r in &table.rows {
        let slug = kind_slug(&r.kind);
        if !kinds.iter().any(|k| k.value == slug) {
            kinds.push(Choice {
                selected: view.kind.as_deref() == Some(slug.as_str()),
                value: slug,
                label: r.kind.clone(),
            });
        }
    }
    let shows = SHOWS
        .iter()
        .map(|(k, label)| Choice {
            value: k.to_string(),
            label: label.to_string(),
            selected: view.show == Some(*k),
        })
        .collect();

    // Charts: coverage of the units with villages (lowest first), citizens
    // helped by month and by category, the units ranked by citizens helped.
    let mut covered: Vec<&UnitRow> = table.rows.iter().filter(|r| r.villages > 0).collect();
    covered.sort_by(|a, b| coverage_key(a).total_cmp(&coverage_key(b)));
    let coverage_bars: Vec<Bar> = covered
        .iter()
        .map(|r| {
            let pct = (r.villages_with_team * 100 + r.villages / 2) / r.villages;
            Bar::new(r.name.clone(), pct)
        })
        .collect();
    let scope = ActivityScope::Node(level.node());
    let months = store
        .activity_rows(scope, period, ActivityGroup::Month)
        .await?;
    let categories = store
        .activity_rows(scope, period, ActivityGroup::Category)
        .await?;
    let mut ranked: Vec<&UnitRow> = table.rows.iter().filter(|r| r.has_data()).collect();
    ranked.sort_by_key(|r| (std::cmp::Reverse(r.citizens_helped), r.code));
    let ranking_bars: Vec<Bar> = ranked
        .iter()
        .take(20)
        .map(|r| Bar::new(r.name.clone(), r.citizens_helped))
        .collect();
    let units = level.units();

    let download = |ext: &str| {
        let file = match level {
            Level::Province(_) => "communes",
            Level::Nation => "provinces",
        };
        let q = serde_urlencoded::to_string([
            ("as_of", q.as_of.clone().unwrap_or_default()),
            ("until", q.until.clone().unwrap_or_default()),
            ("from", q.from.clone().unwrap_or_default()),
            ("sort", q.sort.clone().unwrap_or_default()),
            ("dir", q.dir.clone().unwrap_or_default()),
            ("kind", q.kind.clone().unwrap_or_default()),
            ("show", q.show.clone().unwrap_or_default()),
        ])
        .unwrap_or_default();
        format!("{base}/download/{file}.{ext}?{q}")
    };
    render(HomePage {
        title: table.node_name.clone(),
        units,
        period: period_text(period),
        as_of: format_date(as_of),
        from: period.from.map(format_date).unwrap_or_default(),
        cards,
        name_header: header(
            &base,
            &q,
            &view,
            "name",
            match level {
                Level::Province(_) => "Xã, phường, đặc khu",
                Level::Nation => "Tỉnh, thành phố",
            },
        ),
        kind_header: header(&base, &q, &view, "kind", "Loại"),
        last_header: header(&base, &q, &view, "last", "Hoạt động gần nhất"),
        headers: COLUMNS
            .iter()
            .map(|c| header(&base, &q, &view, c.key, c.header))
            .collect(),
        shown: format!(
            "{} trong {} {units}",
            format_int(rows.len() as i64),
            format_int(table.rows.len() as i64)
        ),
        lines,
        totals,
        totals_last: table
            .totals
            .last_activity
            .map(format_date)
            .unwrap_or_default(),
        kinds,
        shows,
        report_header,
        awaiting,
        downloads: (download("xlsx"), download("csv")),
        coverage_chart: svg::rows(
            "coverage",
            &format!("Tỷ lệ thôn, tổ dân phố có tổ theo {units}"),
            &coverage_bars,
            "%",
        ),
        month_chart: svg::columns(
            "months",
            "Người dân được hỗ trợ theo tháng",
            &bars(&months),
            "người",
        ),
        category_chart: svg::rows(
            "categories",
            "Người dân được hỗ trợ theo nội dung",
            &bars(&categories),
            "người",
        ),
        ranking_chart: svg::rows(
            "ranking",
            &format!("Xếp hạng {units} theo người dân được hỗ trợ (20 đầu)"),
            &ranking_bars,
            "người",
        ),
        base,
        layout,
    })
}

async fn province_home(state: AppState, ctx: ProvinceCtx, Query(q): Query<TableQuery>) -> Reply {
    home(&state, Level::Province(ctx.code()), ctx.layout("home"), q).await
}

async fn nation_home(state: AppState, ctx: NationCtx, Query(q): Query<TableQuery>) -> Reply {
    home(&state, Level::Nation, ctx.layout("home"), q).await
}

/// The table as it is shown (order, filters), with its totals, as CSV or
/// XLSX.
async fn download(state: &AppState, level: Level, file: &str, q: TableQuery) -> Reply {
    let stem = match level {
        Level::Province(_) => "communes",
        Level::Nation => "provinces",
    };
    let not_found = || WebError::NotFound(format!("Không có tệp «{file}» để tải về."));
    let csv = match file.strip_prefix(stem).and_then(|f| f.strip_prefix('.')) {
        Some("csv") => true,
        Some("xlsx") => false,
        _ => return Err(not_found()),
    };
    let period = q.period()?;
    let table = state.store.unit_table(level.node(), period).await?;
    let view = parse_view(&q, &table)?;
    let (report_header, status, _) = report_status(state, level, &table).await?;
    let mut columns = vec![
        Column::new("Mã", 8.0),
        Column::new(
            match level {
                Level::Province(_) => "Xã, phường, đặc khu",
                Level::Nation => "Tỉnh, thành phố",
            },
            28.0,
        ),
        Column::new("Loại", 10.0),
    ];
    columns.push(Column::new("Thôn, tổ dân phố", 12.0));
    columns.push(Column::new("Thôn, tổ dân phố có tổ", 12.0));
    columns.extend(COLUMNS.iter().skip(1).map(|c| Column::new(c.header, 14.0)));
    columns.push(Column::new("Hoạt động gần nhất", 14.0));
    columns.push(Column::new("Có dữ liệu", 10.0));
    columns.push(Column::new(report_header, 24.0));
    let mut out = Table::new(
        match level {
            Level::Province(_) => "Các xã",
            Level::Nation => "Các tỉnh",
        },
        format!(
            "SỐ LIỆU TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG THEO {} — {}",
            level.units().to_uppercase(),
            table.node_name.to_uppercase()
        ),
        columns,
    );
    out.subtitle = Some(period_text(period));
    let row_of = |r: &UnitRow, code: Value, data: &str, report: String| {
        let mut row = vec![
            code,
            Value::text(r.name.clone()),
            Value::text(r.kind.clone()),
            Value::Int(r.villages),
            Value::Int(r.villages_with_team),
        ];
        for c in COLUMNS.iter().skip(1) {
            row.push(if c.key == "coverage" {
                if r.villages == 0 {
                    Value::Empty
                } else {
                    Value::Percent(r.villages_with_team as f64 / r.villages as f64)
                }
            } else {
                Value::Int((c.value)(r))
            });
        }
        row.push(Value::opt_date(r.last_activity));
        row.push(Value::text(data));
        row.push(Value::text(report));
        row
    };
    for r in apply(&table, &view) {
        out.rows.push(row_of(
            r,
            Value::Plain(i64::from(r.code)),
            if r.has_data() { "Có" } else { "Chưa" },
            status.get(&r.code).cloned().unwrap_or_default(),
        ));
    }
    let mut totals = table.totals.clone();
    totals.name = format!("Cộng {}", table.node_name);
    out.rows.push(row_of(
        &totals,
        Value::Empty,
        &format!(
            "{}/{}",
            format_int(totals.communes_with_data),
            format_int(totals.communes)
        ),
        String::new(),
    ));
    let name = format!(
        "{stem}-{}-{}.{}",
        match level {
            Level::Province(code) => code.to_string(),
            Level::Nation => "toan-quoc".to_string(),
        },
        format_date(period.until).replace('/', "-"),
        if csv { "csv" } else { "xlsx" }
    );
    Ok(crate::imports::download(out, csv, &name))
}

async fn province_download(
    state: AppState,
    ctx: ProvinceCtx,
    Path((_, file)): Path<(String, String)>,
    Query(q): Query<TableQuery>,
) -> Reply {
    download(&state, Level::Province(ctx.code()), &file, q).await
}

async fn nation_download(
    state: AppState,
    _ctx: NationCtx,
    Path(file): Path<String>,
    Query(q): Query<TableQuery>,
) -> Reply {
    download(&state, Level::Nation, &file, q).await
}

#[derive(Template)]
#[template(path = "province_records.html")]
struct RecordsPage {
    layout: ProvinceLayout,
    title: String,
    back: String,
    name: &'static str,
    definition: &'static str,
    display: String,
    as_of: String,
    total: String,
    first: u64,
    page: u32,
    pages: u32,
    records: Vec<Evidence>,
    groups: std::collections::HashMap<String, String>,
    base: String,
}

impl RecordsPage {
    fn group_label<'a>(&'a self, e: &'a Evidence) -> &'a str {
        group_label(&self.groups, e)
    }
}

/// The records behind one figure of a province or of the nation, paged.
async fn records(
    state: &AppState,
    level: Level,
    layout: ProvinceLayout,
    key: &str,
    q: TableQuery,
) -> Reply {
    let indicator = params::indicator(key)?;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let page = params::page(q.page.as_deref())?;
    let store = &state.store;
    let node = level.node();
    let value = store.indicator(indicator, node, as_of).await?;
    let listed = store
        .indicator_records_page(indicator, node, as_of, page, RECORDS_PER_PAGE)
        .await?;
    let def = indicator.def();
    render(RecordsPage {
        title: store.node_name(node).await?,
        back: format!("{}?as_of={}", level.home(), format_date(as_of)),
        name: def.name,
        definition: def.definition,
        display: value.display(),
        as_of: format_date(as_of),
        first: (u64::from(listed.page) - 1) * u64::from(listed.per_page),
        pages: pages_of(listed.total, listed.per_page),
        total: format_int(listed.total),
        page: listed.page,
        records: listed.records,
        groups: record_groups(&value),
        base: format!(
            "{}?as_of={}",
            level
                .records(None, indicator.key(), as_of)
                .split('?')
                .next()
                .unwrap_or_default(),
            format_date(as_of)
        ),
        layout,
    })
}

async fn province_records(
    state: AppState,
    ctx: ProvinceCtx,
    Path((_, key)): Path<(String, String)>,
    Query(q): Query<TableQuery>,
) -> Reply {
    let layout = ctx.layout("home");
    records(&state, Level::Province(ctx.code()), layout, &key, q).await
}

async fn nation_records(
    state: AppState,
    ctx: NationCtx,
    Path(key): Path<String>,
    Query(q): Query<TableQuery>,
) -> Reply {
    records(&state, Level::Nation, ctx.layout("home"), &key, q).await
}

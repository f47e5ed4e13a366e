//! Dashboards of a commune, a village and a team: the figures of a period
//! from the indicators module, SVG bar charts drawn on the server (by
//! month, by category, by village), the ranking of villages, and every
//! table as a CSV (UTF-8 with BOM, Vietnamese headers) with the same
//! figures as the page.

use askama::Template;
use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use toso_domain::{format_date, format_int, BreakdownItem, IndicatorCode, IndicatorValue, Node};
use toso_sheets::{Column, Table, Value};
use toso_store::{ActivityGroup, ActivityRow, ActivityScope, Period, VillageRank};

use crate::layout::{CommuneCtx, Layout, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::render;
use crate::svg::{self, Bar};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/dashboard", get(commune_page))
        .route("/communes/{code}/dashboard/{file}", get(commune_csv))
        .route(
            "/communes/{code}/villages/{id}/dashboard",
            get(village_page),
        )
        .route(
            "/communes/{code}/villages/{id}/dashboard/{file}",
            get(village_csv),
        )
        .route("/communes/{code}/teams/{id}/dashboard", get(team_page))
        .route(
            "/communes/{code}/teams/{id}/dashboard/{file}",
            get(team_csv),
        )
}

/// A CSV download of `table` (UTF-8 with BOM, Vietnamese formats).
pub fn csv_response(table: &Table, name: &str) -> Reply {
    let mut out = Vec::new();
    toso_sheets::write_csv(table, &mut out).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::respond::attachment(name, crate::respond::CSV, out))
}

/// What a dashboard shows.
enum Subject {
    Commune,
    Village(i64),
    Team(i64),
}

/// One figure: the indicator's name and value, as on every page.
pub struct FigureLine {
    /// The records behind the figure (commune figures as of a date).
    pub href: Option<String>,
    pub key: &'static str,
    pub name: &'static str,
    pub display: String,
    pub unit: &'static str,
    value: IndicatorValue,
}

struct Data {
    title: String,
    figures: Vec<FigureLine>,
    /// Days of activity by team (a commune's or a village's), most first.
    team_days: Vec<BreakdownItem>,
    months: Vec<ActivityRow>,
    categories: Vec<ActivityRow>,
    ranking: Vec<VillageRank>,
}

const COMMUNE_FIGURES: &[IndicatorCode] = &[
    IndicatorCode::Villages,
    IndicatorCode::Teams,
    IndicatorCode::Members,
    IndicatorCode::SupportActivities,
    IndicatorCode::CitizensHelped,
    IndicatorCode::Dossiers,
    IndicatorCode::ActiveTeams,
    IndicatorCode::ContestRegistrations,
    IndicatorCode::TrainingCourses,
    IndicatorCode::Trainees,
    IndicatorCode::TrainingCompletion,
    IndicatorCode::MembersTrained,
    IndicatorCode::Campaigns,
    IndicatorCode::CampaignReach,
    IndicatorCode::ActivityDays,
    IndicatorCode::ActiveMembers,
    IndicatorCode::AllowanceApproved,
];

const VILLAGE_FIGURES: &[IndicatorCode] = &[
    IndicatorCode::Teams,
    IndicatorCode::Members,
    IndicatorCode::SupportActivities,
    IndicatorCode::CitizensHelped,
    IndicatorCode::Dossiers,
    IndicatorCode::MembersTrained,
    IndicatorCode::Campaigns,
    IndicatorCode::CampaignReach,
    IndicatorCode::ActivityDays,
    IndicatorCode::ActiveMembers,
];

async fn node_figures(
    state: &AppState,
    node: Node,
    period: Period,
    codes: &[IndicatorCode],
) -> Result<(Vec<FigureLine>, Vec<BreakdownItem>), WebError> {
    let set = state.store.indicators_in(node, period).await?;
    let mut team_days = match set
        .get(IndicatorCode::ActivityDaysPerTeam)
        .map(|e| &e.value)
    {
        Some(IndicatorValue::Breakdown { items }) => items.clone(),
        _ => Vec::new(),
    };
    team_days.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    let figures = codes
        .iter()
        .filter_map(|&c| set.get(c))
        .map(|e| FigureLine {
            href: match (node, period.from) {
                (Node::Commune(code), None) => Some(format!(
                    "/communes/{code}/indicators/{}?as_of={}",
                    e.code.key(),
                    format_date(period.until)
                )),
                _ => None,
            },
            key: e.code.key(),
            name: e.name,
            display: e.display.clone(),
            unit: if e.unit == "%" { "" } else { e.unit },
            value: e.value.clone(),
        })
        .collect();
    Ok((figures, team_days))
}

async fn load(
    state: &AppState,
    ctx: &CommuneCtx,
    subject: &Subject,
    period: Period,
) -> Result<Data, WebError> {
    let store = &state.store;
    let (title, scope, (figures, team_days), ranking) = match *subject {
        Subject::Commune => {
            let node = Node::Commune(ctx.code);
            (
                ctx.name.clone(),
                ActivityScope::Node(node),
                node_figures(state, node, period, COMMUNE_FIGURES).await?,
                store.village_ranking(ctx.code, period).await?,
            )
        }
        Subject::Village(id) => {
            let node = Node::Village(id);
            (
                store.village(id).await?.name,
                ActivityScope::Node(node),
                node_figures(state, node, period, VILLAGE_FIGURES).await?,
                Vec::new(),
            )
        }
        Subject::Team(id) => {
            // A team is not a node of the tree: its figures are the totals
            // of its own activities.
            let rows = store
                .activity_rows(ActivityScope::Team(id), period, ActivityGroup::Category)
                .await?;
            let total = |f: fn(&ActivityRow) -> i64| rows.iter().map(f).sum::<i64>();
            let figures = [
                (IndicatorCode::SupportActivities, total(|r| r.activities)),
                (IndicatorCode::CitizensHelped, total(|r| r.citizens_helped)),
                (IndicatorCode::Dossiers, total(|r| r.dossiers)),
            ]
            .into_iter()
            .map(|(code, value)| {
                let def = code.def();
                FigureLine {
                    href: None,
                    key: def.key,
                    name: def.name,
                    display: format_int(value),
                    unit: def.unit,
                    value: IndicatorValue::Count { value },
                }
            })
            .collect();
            (
                store.team(id).await?.name,
                ActivityScope::Team(id),
                (figures, Vec::new()),
                Vec::new(),
            )
        }
    };
    Ok(Data {
        title,
        figures,
        team_days,
        months: store
            .activity_rows(scope, period, ActivityGroup::Month)
            .await?,
        categories: store
            .activity_rows(scope, period, ActivityGroup::Category)
            .await?,
        ranking,
    })
}

struct RankLine {
    rank: usize,
    id: i64,
    name: String,
    citizens: String,
    activities: String,
    members: String,
}

struct Line {
    label: String,
    activities: String,
    citizens: String,
    dossiers: String,
}

fn lines(rows: &[ActivityRow]) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            label: r.label.clone(),
            activities: format_int(r.activities),
            citizens: format_int(r.citizens_helped),
            dossiers: format_int(r.dossiers),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    title: String,
    /// "Từ 01/11/2025 đến 30/11/2025" or "Đến hết ngày 30/11/2025".
    period_text: String,
    from: String,
    until: String,
    /// The query string of the period, for the CSV links.
    query: String,
    /// Where the page and its CSV files live.
    base: String,
    back: Option<(String, String)>,
    figures: Vec<FigureLine>,
    month_chart: String,
    category_chart: String,
    village_chart: String,
    months: Vec<Line>,
    categories: Vec<Line>,
    ranking: Vec<RankLine>,
    /// (team, days of activity), most first.
    team_days: Vec<(String, String)>,
}

pub(crate) fn period_text(p: Period) -> String {
    match p.from {
        Some(f) => format!(
            "Từ ngày {} đến ngày {}",
            format_date(f),
            format_date(p.until)
        ),
        None => format!("Từ khi bắt đầu đến hết ngày {}", format_date(p.until)),
    }
}

async fn page(state: &AppState, ctx: &CommuneCtx, subject: Subject, period: Period) -> Reply {
    let data = load(state, ctx, &subject, period).await?;
    let (section, base, back) = match subject {
        Subject::Commune => (
            "dashboard",
            format!("/communes/{}/dashboard", ctx.code),
            None,
        ),
        Subject::Village(id) => (
            "villages",
            format!("/communes/{}/villages/{id}/dashboard", ctx.code),
            Some((
                format!("/communes/{}/dashboard", ctx.code),
                format!("Bảng số liệu {}", ctx.name),
            )),
        ),
        Subject::Team(id) => (
            "teams",
            format!("/communes/{}/teams/{id}/dashboard", ctx.code),
            Some((
                format!("/communes/{}/teams/{id}", ctx.code),
                data.title.clone(),
            )),
        ),
    };
    let bars = |rows: &[ActivityRow]| -> Vec<Bar> {
        rows.iter()
            .map(|r| Bar::new(r.label.clone(), r.citizens_helped))
            .collect()
    };
    let village_bars: Vec<Bar> = data
        .ranking
        .iter()
        .take(15)
        .map(|r| Bar::new(r.name.clone(), r.citizens_helped))
        .collect();
    let from = period.from.map(format_date).unwrap_or_default();
    let until = format_date(period.until);
    let query = match period.from {
        Some(f) => format!("?from={f}&until={}", period.until),
        None => format!("?until={}", period.until),
    };
    render(DashboardPage {
        layout: ctx.layout(section),
        period_text: period_text(period),
        month_chart: svg::columns(
            "chart-month",
            &format!("Số người dân được hỗ trợ theo tháng — {}", data.title),
            &bars(&data.months),
            "người",
        ),
        category_chart: svg::rows(
            "chart-category",
            &format!("Số người dân được hỗ trợ theo lĩnh vực — {}", data.title),
            &bars(&data.categories),
            "người",
        ),
        village_chart: if village_bars.is_empty() {
            String::new()
        } else {
            svg::rows(
                "chart-village",
                &format!(
                    "Thôn, tổ dân phố có nhiều người dân được hỗ trợ nhất — {}",
                    data.title
                ),
                &village_bars,
                "người",
            )
        },
        months: lines(&data.months),
        categories: lines(&data.categories),
        ranking: data
            .ranking
            .iter()
            .enumerate()
            .map(|(i, r)| RankLine {
                rank: i + 1,
                id: r.village_id,
                name: r.name.clone(),
                citizens: format_int(r.citizens_helped),
                activities: format_int(r.activities),
                members: format_int(r.members),
            })
            .collect(),
        team_days: data
            .team_days
            .iter()
            .map(|t| (t.label.clone(), format_int(t.value)))
            .collect(),
        figures: data.figures,
        title: data.title,
        from,
        until,
        query,
        base,
        back,
    })
}

fn activity_table(name: &str, title: String, first: &str, rows: &[ActivityRow]) -> Table {
    let mut table = Table::new(
        name,
        title,
        vec![
            Column::new(first, 36.0),
            Column::new("Số lượt hỗ trợ", 14.0),
            Column::new("Số người dân được hỗ trợ", 16.0),
            Column::new("Số hồ sơ dịch vụ công trực tuyến", 16.0),
        ],
    );
    for r in rows {
        table.rows.push(vec![
            Value::text(&r.label),
            Value::Int(r.activities),
            Value::Int(r.citizens_helped),
            Value::Int(r.dossiers),
        ]);
    }
    table
}

async fn csv(
    state: &AppState,
    ctx: &CommuneCtx,
    subject: Subject,
    period: Period,
    file: &str,
) -> Reply {
    let not_found = || WebError::NotFound(format!("Không có bảng «{file}» để tải về."));
    let stem = file.strip_suffix(".csv").ok_or_else(not_found)?;
    let data = load(state, ctx, &subject, period).await?;
    let when = period_text(period);
    let table = match stem {
        "figures" => {
            let mut t = Table::new(
                "Chi tieu",
                format!("SỐ LIỆU — {}", data.title.to_uppercase()),
                vec![
                    Column::new("Chỉ tiêu", 48.0),
                    Column::new("Giá trị", 14.0),
                    Column::new("Đơn vị", 12.0),
                    Column::new("Mã chỉ tiêu", 24.0),
                ],
            );
            for f in &data.figures {
                let value = match &f.value {
                    IndicatorValue::Count { value } => Value::Int(*value),
                    other => Value::text(other.display()),
                };
                t.rows.push(vec![
                    Value::text(f.name),
                    value,
                    Value::text(f.code_unit()),
                    Value::text(f.key),
                ]);
            }
            t
        }
        "months" => activity_table(
            "Theo thang",
            format!(
                "HỖ TRỢ NGƯỜI DÂN THEO THÁNG — {}",
                data.title.to_uppercase()
            ),
            "Tháng",
            &data.months,
        ),
        "categories" => activity_table(
            "Theo linh vuc",
            format!(
                "HỖ TRỢ NGƯỜI DÂN THEO LĨNH VỰC — {}",
                data.title.to_uppercase()
            ),
            "Lĩnh vực",
            &data.categories,
        ),
        "villages" if matches!(subject, Subject::Commune) => {
            let mut t = Table::new(
                "Xep hang thon",
                format!("XẾP HẠNG THÔN, TỔ DÂN PHỐ — {}", data.title.to_uppercase()),
                vec![
                    Column::new("Hạng", 6.0),
                    Column::new("Thôn, tổ dân phố", 36.0),
                    Column::new("Số người dân được hỗ trợ", 16.0),
                    Column::new("Số lượt hỗ trợ", 14.0),
                    Column::new("Số thành viên", 14.0),
                ],
            );
            for (i, r) in data.ranking.iter().enumerate() {
                t.rows.push(vec![
                    Value::Plain(i as i64 + 1),
                    Value::text(&r.name),
                    Value::Int(r.citizens_helped),
                    Value::Int(r.activities),
                    Value::Int(r.members),
                ]);
            }
            t
        }
        "teams" if !matches!(subject, Subject::Team(_)) => {
            let mut t = Table::new(
                "Ngay cong theo to",
                format!(
                    "NGÀY CÔNG CỦA THÀNH VIÊN THEO TỔ — {}",
                    data.title.to_uppercase()
                ),
                vec![Column::new("Tổ", 40.0), Column::new("Số ngày công", 14.0)],
            );
            for team in &data.team_days {
                t.rows
                    .push(vec![Value::text(&team.label), Value::Int(team.value)]);
            }
            t
        }
        _ => return Err(not_found()),
    };
    let table = Table {
        subtitle: Some(when),
        ..table
    };
    let name = format!(
        "{stem}-{}-{}.csv",
        ctx.code,
        format_date(period.until).replace('/', "-")
    );
    csv_response(&table, &name)
}

impl FigureLine {
    /// The unit as the indicator defines it ("%" included).
    fn code_unit(&self) -> &'static str {
        IndicatorCode::from_key(self.key).map_or(self.unit, |c| c.def().unit)
    }
}

async fn commune_page(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    page(&state, &ctx, Subject::Commune, q.period()?).await
}

async fn commune_csv(
    state: AppState,
    ctx: Officer,
    Path((_, file)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Reply {
    csv(&state, &ctx, Subject::Commune, q.period()?, &file).await
}

async fn village_of(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<i64, WebError> {
    let village = ctx.load(state.store.village(id)).await?;
    Ok(village.id)
}

async fn village_page(
    state: AppState,
    ctx: Officer,
    Id(id): Id,
    Query(q): Query<PageQuery>,
) -> Reply {
    let id = village_of(&state, &ctx, id).await?;
    page(&state, &ctx, Subject::Village(id), q.period()?).await
}

async fn village_csv(
    state: AppState,
    ctx: Officer,
    Id(id): Id,
    Path((_, _, file)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
) -> Reply {
    let id = village_of(&state, &ctx, id).await?;
    csv(&state, &ctx, Subject::Village(id), q.period()?, &file).await
}

async fn team_of(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<i64, WebError> {
    let team = ctx.load(state.store.team(id)).await?;
    ctx.access.team_view(team.id)?;
    Ok(team.id)
}

async fn team_page(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    Query(q): Query<PageQuery>,
) -> Reply {
    let id = team_of(&state, &ctx, id).await?;
    page(&state, &ctx, Subject::Team(id), q.period()?).await
}

async fn team_csv(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    Path((_, _, file)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
) -> Reply {
    let id = team_of(&state, &ctx, id).await?;
    csv(&state, &ctx, Subject::Team(id), q.period()?, &file).await
}

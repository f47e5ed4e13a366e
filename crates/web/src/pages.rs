//! Server-rendered pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{format_date, format_int, IndicatorCode, IndicatorValue, Node, ReportState};
use toso_store::{Commune, Evidence, IndicatorSet, Team};

use crate::auth::CurrentUser;
use crate::layout::{Layout, Officer};
use crate::params::{PageQuery, Query};
use crate::respond::render;
use crate::{params, AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/communes/{code}", get(overview))
        .route("/communes/{code}/indicators/{key}", get(records))
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    communes: Vec<Commune>,
}

/// The start page: where each user works.
async fn index(state: AppState, CurrentUser(user): CurrentUser) -> Reply {
    use toso_domain::UserRole;
    let to = |path: String| Ok(Redirect::to(&path).into_response());
    match (user.role, user.commune_code, user.team_id) {
        (UserRole::CommuneOfficer, Some(c), _) => return to(format!("/communes/{c}")),
        (UserRole::ProvinceOfficer, _, _) => {
            if let Some(p) = user.province_code {
                return to(format!("/provinces/{p}"));
            }
        }
        (UserRole::MinistryOfficer | UserRole::Admin, _, _) => return to("/nation".to_string()),
        (UserRole::TeamLeader | UserRole::TeamMember, Some(c), Some(t)) => {
            return to(format!("/communes/{c}/teams/{t}"))
        }
        _ => {}
    }
    let communes: Vec<Commune> = state
        .store
        .communes_in_use()
        .await?
        .into_iter()
        .filter(|c| user.role == UserRole::Admin || user.province_code == Some(c.province_code))
        .collect();
    if let [only] = communes.as_slice() {
        return to(format!("/communes/{}", only.code));
    }
    render(IndexPage { communes })
}

/// One figure of the overview, linked to the records behind it.
struct Card {
    name: &'static str,
    display: String,
    unit: &'static str,
    href: String,
}

/// One row of a breakdown table.
struct Row {
    label: String,
    display: String,
}

struct TeamLine {
    name: String,
    established: String,
    decision: String,
    zalo: Option<String>,
    members: String,
}

struct Few {
    id: i64,
    name: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    /// The open requests and where the commune's report stands: (link, text).
    notices: Vec<(String, String)>,
    /// Citizens' requests still open, and how many of them are overdue.
    help_open: i64,
    help_overdue: i64,
    few: Vec<Few>,
    changes: Vec<String>,
    commune: Commune,
    province: String,
    as_of: String,
    as_of_iso: String,
    cards: Vec<Card>,
    by_role: Vec<Row>,
    by_affiliation: Vec<Row>,
    role_href: String,
    affiliation_href: String,
    without_team: Vec<String>,
    decisions: Vec<String>,
    zalo_links: Vec<String>,
    quick_response: Option<TeamLine>,
}

/// The page listing the records behind indicator `key` of commune `code`.
pub(crate) fn figure_href(code: i32, key: &str, as_of: NaiveDate) -> String {
    format!(
        "/communes/{code}/indicators/{key}?as_of={}",
        format_date(as_of)
    )
}

fn rows(set: &IndicatorSet, code: IndicatorCode) -> Vec<Row> {
    match set.get(code).map(|e| &e.value) {
        Some(IndicatorValue::Breakdown { items }) => items
            .iter()
            .map(|i| Row {
                label: i.label.clone(),
                display: format_int(i.value),
            })
            .collect(),
        _ => Vec::new(),
    }
}

async fn overview(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let code = ctx.code;
    let as_of = q.as_of()?;
    let store = &state.store;
    let commune = store.commune(code).await?;
    let province = store.province(commune.province_code).await?.name;
    let node = Node::Commune(code);
    let set = store.indicators(node, as_of).await?;

    let cards = [
        IndicatorCode::Villages,
        IndicatorCode::Teams,
        IndicatorCode::Members,
        IndicatorCode::Coverage,
        IndicatorCode::QuickResponseMembers,
        IndicatorCode::CitizensHelped,
        IndicatorCode::Dossiers,
        IndicatorCode::ContestRegistrations,
    ]
    .iter()
    .filter_map(|&c| set.get(c))
    .map(|e| Card {
        name: e.name,
        display: e.display.clone(),
        unit: if e.unit == "%" { "" } else { e.unit },
        href: figure_href(code, e.code.key(), as_of),
    })
    .collect();

    let without_team = store
        .indicator_records(IndicatorCode::Coverage, node, as_of)
        .await?
        .into_iter()
        .filter(|e| e.grp.as_deref() == Some("without_team"))
        .map(|e| e.label)
        .collect();

    let teams: Vec<Team> = store
        .teams(code)
        .await?
        .into_iter()
        .filter(|t| t.is_active_on(as_of))
        .collect();
    let mut decisions = Vec::new();
    let mut decision_ids: Vec<i64> = teams.iter().filter_map(|t| t.decision_id).collect();
    decision_ids.sort_unstable();
    decision_ids.dedup();
    for id in decision_ids {
        let doc = store.document(id).await?;
        decisions.push(format!("{} — {}", doc.citation(), doc.subject));
    }
    let mut zalo_links: Vec<String> = teams.iter().filter_map(|t| t.zalo_link.clone()).collect();
    zalo_links.sort();
    zalo_links.dedup();

    let quick_response = match teams
        .iter()
        .find(|t| t.kind == toso_domain::TeamKind::QuickResponse)
    {
        Some(t) => {
            let decision = match t.decision_id {
                Some(id) => store.document(id).await?.citation(),
                None => "chưa ghi quyết định".to_string(),
            };
            Some(TeamLine {
                name: t.name.clone(),
                established: format_date(t.established_on),
                decision,
                zalo: t.zalo_link.clone(),
                members: format_int(set.count(IndicatorCode::QuickResponseMembers)),
            })
        }
        None => None,
    };

    let counts: HashMap<i64, i64> = store
        .team_member_counts(code, as_of)
        .await?
        .into_iter()
        .collect();
    let few = teams
        .iter()
        .filter(|t| t.kind == toso_domain::TeamKind::Village)
        .filter_map(|t| {
            let n = counts.get(&t.id).copied().unwrap_or(0);
            (n < 3).then(|| Few {
                id: t.id,
                name: t.name.clone(),
                members: n,
            })
        })
        .collect();
    let changes = store
        .recent_changes(code, 10)
        .await?
        .iter()
        .map(describe_change)
        .collect();

    let notices = request_notices(&state, code, ctx.access.manager().is_ok()).await?;
    let (help_open, help_overdue) = state
        .store
        .help_open_counts(code, chrono::Utc::now())
        .await?;
    render(OverviewPage {
        layout: ctx.layout("overview"),
        notices,
        help_open,
        help_overdue,
        few,
        changes,
        province,
        as_of: format_date(as_of),
        as_of_iso: as_of.to_string(),
        cards,
        by_role: rows(&set, IndicatorCode::MembersByRole),
        by_affiliation: rows(&set, IndicatorCode::MembersByAffiliation),
        role_href: figure_href(code, IndicatorCode::MembersByRole.key(), as_of),
        affiliation_href: figure_href(code, IndicatorCode::MembersByAffiliation.key(), as_of),
        without_team,
        decisions,
        zalo_links,
        quick_response,
        commune,
    })
}

/// The requests the commune has not finished answering (its report not
/// accepted yet), each with its deadline and state: "Sở trả lại: …",
/// "Quá hạn 3 ngày".
async fn request_notices(
    state: &AppState,
    code: i32,
    manager: bool,
) -> Result<Vec<(String, String)>, WebError> {
    let store = &state.store;
    let today = toso_store::today();
    let mut notices = Vec::new();
    for request in store.requests_for_commune(code).await? {
        let status = store.report_status(code, request.id).await?;
        if status.state == ReportState::Accepted {
            continue;
        }
        let mut text = format!("Công văn {}", request.doc_number);
        if let Some(deadline) = request.deadline {
            text.push_str(&format!(", hạn {}", format_date(deadline)));
        }
        text.push_str(&format!(": {}", status.state.label()));
        if let Some(comment) = status
            .last()
            .filter(|t| t.state == "returned")
            .and_then(|t| t.comment.as_deref())
        {
            text.push_str(&format!(" — «{comment}»"));
        }
        let waiting = !matches!(status.state, ReportState::Submitted);
        if let Some(late) = request
            .deadline
            .map(|d| (today - d).num_days())
            .filter(|n| *n > 0 && waiting)
        {
            text.push_str(&format!(" · Quá hạn {late} ngày"));
        }
        let href = match status.latest {
            Some((id, _)) => format!("/communes/{code}/reports/{id}"),
            None if manager => format!("/communes/{code}/reports/new?request={}", request.id),
            None => format!("/communes/{code}/reports"),
        };
        notices.push((href, text));
    }
    Ok(notices)
}

#[derive(Template)]
#[template(path = "records.html")]
struct RecordsPage {
    layout: Layout,
    commune: Commune,
    name: &'static str,
    definition: &'static str,
    display: String,
    as_of: String,
    /// The page's address without `page` (the pager adds it).
    base: String,
    /// Records in all, formatted (1.440).
    total: String,
    /// Records before this page (numbering goes on from here).
    first: u64,
    page: u32,
    pages: u32,
    records: Vec<Evidence>,
    groups: HashMap<String, String>,
}

impl RecordsPage {
    fn group_label<'a>(&'a self, e: &'a Evidence) -> &'a str {
        group_label(&self.groups, e)
    }
}

/// The label of the group record `e` falls in (its code when unknown).
pub(crate) fn group_label<'a>(groups: &'a HashMap<String, String>, e: &'a Evidence) -> &'a str {
    e.grp
        .as_deref()
        .map(|g| groups.get(g).map(String::as_str).unwrap_or(g))
        .unwrap_or("")
}

/// The records behind one figure of the overview.
async fn records(
    state: AppState,
    ctx: Officer,
    Path((_, key)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Reply {
    let code = ctx.code;
    let indicator = params::indicator(&key)?;
    let as_of = q.as_of()?;
    let store = &state.store;
    let commune = store.commune(code).await?;
    let node = Node::Commune(code);
    let value = store.indicator(indicator, node, as_of).await?;
    let page = q.page()?;
    let listed = store
        .indicator_records_page(indicator, node, as_of, page, RECORDS_PER_PAGE)
        .await?;
    let groups = record_groups(&value);
    let def = indicator.def();
    render(RecordsPage {
        layout: ctx.layout("overview"),
        commune,
        name: def.name,
        definition: def.definition,
        display: value.display(),
        as_of: format_date(as_of),
        base: format!(
            "/communes/{code}/indicators/{}?as_of={}",
            indicator.key(),
            as_of
        ),
        first: (u64::from(listed.page) - 1) * u64::from(listed.per_page),
        pages: pages_of(listed.total, listed.per_page),
        total: format_int(listed.total),
        records: listed.records,
        page: listed.page,
        groups,
    })
}

/// The labels of the groups a record of a figure's list falls in (the
/// breakdown's items, roles, training modes, support categories, contest
/// groups, with or without a team).
pub(crate) fn record_groups(value: &IndicatorValue) -> HashMap<String, String> {
    let mut groups: HashMap<String, String> = HashMap::from([
        ("with_team".into(), "Có tổ".into()),
        ("without_team".into(), "Chưa có tổ".into()),
    ]);
    if let IndicatorValue::Breakdown { items } = value {
        groups.extend(items.iter().map(|i| (i.key.clone(), i.label.clone())));
    }
    for role in toso_domain::Role::ALL {
        groups.insert(role.code().into(), role.label().into());
    }
    for mode in toso_domain::TrainingMode::ALL {
        groups.insert(mode.code().into(), mode.label().into());
    }
    for category in toso_domain::SupportCategory::ALL {
        groups.insert(category.code().into(), category.label().into());
    }
    for group in toso_domain::ContestGroup::ALL {
        groups.insert(group.code().into(), group.label().into());
    }
    groups
}

/// Records shown on one page of a figure's records.
pub(crate) const RECORDS_PER_PAGE: u32 = 200;

/// How many pages `total` records fill (at least one).
pub(crate) fn pages_of(total: i64, per_page: u32) -> u32 {
    let total = u64::try_from(total).unwrap_or(0);
    u32::try_from(total.div_ceil(u64::from(per_page)).max(1)).unwrap_or(u32::MAX)
}

/// One line of the "recent changes" list: when, who, what.
fn describe_change(e: &toso_store::AuditEntry) -> String {
    let vn = toso_domain::vietnam();
    let when = e.at.with_timezone(&vn).format("%d/%m/%Y %H:%M");
    let what = match e.entity.as_str() {
        "village" => "thôn, tổ dân phố",
        "team" => "tổ",
        "person" => "người",
        "membership" => "thành viên",
        "document" => "văn bản",
        "activity" => "lượt hỗ trợ",
        "training_course" => "lớp tập huấn",
        "campaign" => "đợt ra quân",
        "contest" => "cuộc thi",
        "contest_registration" => "lượt đăng ký cuộc thi",
        "duty_day" => "ngày trực",
        "campaign_members" => "thành viên tham gia ra quân",
        "allowance_policy" => "chính sách chi trả",
        "allowance_month" => "bảng chi trả tháng",
        other => other,
    };
    let action = match e.action.as_str() {
        "create" => "Thêm",
        "update" => "Sửa",
        "deactivate" => "Ngừng hoạt động",
        "dissolve" => "Giải thể",
        "end" => "Kết thúc",
        "delete" => "Xóa",
        other => other,
    };
    let record = e.after.as_ref().or(e.before.as_ref()).map(|j| &j.0);
    let name = record
        .and_then(|j| {
            ["name", "full_name", "doc_number", "title"]
                .iter()
                .find_map(|k| j.get(*k)?.as_str())
        })
        .map(|n| format!(" «{n}»"))
        .unwrap_or_default();
    format!("{when} · {} · {action} {what}{name}", e.actor)
}

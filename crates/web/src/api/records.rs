//! A commune's records through the API: its teams (with their member
//! counts on a day), one team and its members, the document register, the
//! training courses, the campaigns, the contests with their registrations,
//! and the report versions with their files. Each route calls the store
//! functions its HTML page calls and follows that page's rule: the
//! commune's officers (and the province's, the Ministry, admin) read every
//! list; a team's page is read by its own people too. Records reached by
//! id go through [`CommuneCtx::load`]: another commune's is not found.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use axum::extract::Path;
use axum::Json;
use toso_domain::{
    non_blank, ContestGroup, DocumentKind, DomainError, IndicatorCode, IndicatorValue, Node,
};
use toso_reporting::{file_name, FileKind};
use toso_store::{Document, DocumentFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::paths::{CommunePath, ReportPath, TeamPath};
use super::record_types::*;
use super::types::NoQuery;
use crate::layout::{CommuneCtx, Officer};
use crate::params::Id;
use crate::problem::{ApiQuery, Refusals};
use crate::{params, AppState, Reply, WebError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(teams))
        .routes(routes!(team))
        .routes(routes!(documents))
        .routes(routes!(training))
        .routes(routes!(campaigns))
        .routes(routes!(contests))
        .routes(routes!(reports))
        .routes(routes!(report_file))
}

/// The commune's documents by id, cited.
async fn citations(state: &AppState, code: i32) -> Result<HashMap<i64, DocumentRefOut>, WebError> {
    Ok(state
        .store
        .documents(code, &DocumentFilter::default())
        .await?
        .iter()
        .map(|d| (d.id, DocumentRefOut::from(d)))
        .collect())
}

/// The commune's teams, dissolved ones too, each with its village, its
/// decision, its Zalo group and its members counted on `as_of` (the
/// commune's officers, as the page of the teams).
#[utoipa::path(get, path = "/communes/{code}/teams", tag = "Hồ sơ",
    params(CommunePath, AsOfQuery),
    responses((status = 200, description = "Các tổ của xã", body = TeamsOut), Refusals))]
async fn teams(
    state: AppState,
    ctx: Officer,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> Result<Json<TeamsOut>, WebError> {
    let store = &state.store;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let docs = citations(&state, ctx.code).await?;
    let teams = store
        .teams_listed(ctx.code, as_of)
        .await?
        .into_iter()
        .map(|l| {
            let decision = l.team.decision_id.and_then(|d| docs.get(&d).cloned());
            TeamOut::new(l.team, l.village, decision, as_of, l.members)
        })
        .collect();
    Ok(Json(TeamsOut { as_of, teams }))
}

/// One team and its members on `as_of`, with the role and affiliation
/// each held that day: the commune's officers, and the team's own leader
/// and members (as the team's page). Phones are given where the caller's
/// role sees them on that page.
#[utoipa::path(get, path = "/communes/{code}/teams/{id}", tag = "Hồ sơ",
    params(TeamPath, AsOfQuery),
    responses((status = 200, description = "Tổ và các thành viên", body = TeamDetailOut), Refusals))]
async fn team(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> Result<Json<TeamDetailOut>, WebError> {
    let store = &state.store;
    let team = ctx.load(store.team(id)).await?;
    ctx.access.team_view(team.id)?;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let village = match team.village_id {
        Some(v) => Some(store.village(v).await?.name),
        None => None,
    };
    let decision = match team.decision_id {
        Some(d) => Some(DocumentRefOut::from(&store.document(d).await?)),
        None => None,
    };
    let phones = crate::teams::sees_member_phones(ctx.access, team.id);
    let members: Vec<MemberOut> = store
        .team_members(team.id, Some(as_of))
        .await?
        .into_iter()
        .map(|m| MemberOut::new(m, phones))
        .collect();
    // A person counts once, as the teams' list counts them.
    let mut people: Vec<i64> = members.iter().map(|m| m.person_id).collect();
    people.sort_unstable();
    people.dedup();
    Ok(Json(TeamDetailOut {
        as_of,
        team: TeamOut::new(team, village, decision, as_of, people.len() as i64),
        phones_shown: phones,
        members,
    }))
}

/// The document register (decisions, official letters, plans…), newest
/// first, filtered as on its page (the commune's officers).
#[utoipa::path(get, path = "/communes/{code}/documents", tag = "Hồ sơ",
    params(CommunePath, DocumentsQuery),
    responses((status = 200, description = "Sổ văn bản của xã", body = Vec<DocumentOut>), Refusals))]
async fn documents(
    state: AppState,
    ctx: Officer,
    ApiQuery(q): ApiQuery<DocumentsQuery>,
) -> Result<Json<Vec<DocumentOut>>, WebError> {
    let kind = non_blank(q.kind.as_deref())
        .map(|s| DocumentKind::parse(s, "kind"))
        .transpose()?;
    let year = non_blank(q.year.as_deref())
        .map(|s| {
            s.parse::<i32>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| DomainError::new("year", format!("Năm «{s}» không hợp lệ.")))
        })
        .transpose()?;
    let filter = DocumentFilter {
        kind,
        year,
        ..DocumentFilter::default()
    };
    let store = &state.store;
    let mut established: HashMap<i64, i64> = HashMap::new();
    for t in store.teams(ctx.code).await? {
        if let Some(d) = t.decision_id {
            *established.entry(d).or_default() += 1;
        }
    }
    let docs: Vec<Document> = store.documents(ctx.code, &filter).await?;
    Ok(Json(
        docs.into_iter()
            .map(|d| {
                let teams = established.get(&d.id).copied().unwrap_or(0);
                DocumentOut::new(d, teams)
            })
            .collect(),
    ))
}

/// The training courses, newest first, with their participants counted
/// (the commune's officers).
#[utoipa::path(get, path = "/communes/{code}/training", tag = "Hồ sơ",
    params(CommunePath, NoQuery),
    responses((status = 200, description = "Các lớp bồi dưỡng, tập huấn", body = Vec<CourseOut>), Refusals))]
async fn training(
    state: AppState,
    ctx: Officer,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<CourseOut>>, WebError> {
    let docs = citations(&state, ctx.code).await?;
    let courses = state.store.courses(ctx.code).await?;
    Ok(Json(
        courses
            .into_iter()
            .map(|c| {
                let document = c.document_id.and_then(|d| docs.get(&d).cloned());
                CourseOut::new(c, document)
            })
            .collect(),
    ))
}

/// The campaigns with the mass organisations, newest first (the
/// commune's officers).
#[utoipa::path(get, path = "/communes/{code}/campaigns", tag = "Hồ sơ",
    params(CommunePath, NoQuery),
    responses((status = 200, description = "Các đợt ra quân", body = Vec<CampaignOut>), Refusals))]
async fn campaigns(
    state: AppState,
    ctx: Officer,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<CampaignOut>>, WebError> {
    let store = &state.store;
    let mut out = Vec::new();
    for c in store.campaigns(ctx.code).await? {
        let named = store.campaign_members(c.id).await?.len() as i64;
        out.push(CampaignOut::new(c, named));
    }
    Ok(Json(out))
}

/// The contests with their registrations up to `as_of`, and the
/// commune's figure of registrations (the commune's officers, as the
/// contests' page).
#[utoipa::path(get, path = "/communes/{code}/contests", tag = "Hồ sơ",
    params(CommunePath, AsOfQuery),
    responses((status = 200, description = "Các cuộc thi và lượt đăng ký", body = ContestsOut), Refusals))]
async fn contests(
    state: AppState,
    ctx: Officer,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> Result<Json<ContestsOut>, WebError> {
    let store = &state.store;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let docs = citations(&state, ctx.code).await?;
    let mut contests = Vec::new();
    for contest in store.contests(ctx.code).await? {
        let all = store.registrations(contest.id).await?;
        let (shown, later): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|r| r.registered_on <= as_of);
        let by_group = ContestGroup::ALL
            .iter()
            .map(|&g| GroupTotalOut {
                group: g.code().to_string(),
                label: g.label().to_string(),
                count: shown
                    .iter()
                    .filter(|r| r.grp == g)
                    .map(|r| i64::from(r.count))
                    .sum(),
            })
            .collect();
        contests.push(ContestOut {
            id: contest.id,
            commune_code: contest.commune_code,
            name: contest.name,
            organiser: contest.organiser,
            document: contest.document_id.and_then(|d| docs.get(&d).cloned()),
            starts_on: contest.starts_on,
            ends_on: contest.ends_on,
            registrations: shown.iter().map(|r| i64::from(r.count)).sum(),
            by_group,
            entries: shown.into_iter().map(RegistrationOut::from).collect(),
            later_entries: later.len() as i64,
        });
    }
    let total = match store
        .indicator(
            IndicatorCode::ContestRegistrations,
            Node::Commune(ctx.code),
            as_of,
        )
        .await?
    {
        IndicatorValue::Count { value } => value,
        _ => contests.iter().map(|c| c.registrations).sum(),
    };
    Ok(Json(ContestsOut {
        as_of,
        total,
        contests,
    }))
}

/// Every version of the commune's reports, newest request first, each with
/// the request it answers, where the commune's report for that request
/// stands in the cycle with the province, and its files (the commune's
/// officers, as the reports' page).
#[utoipa::path(get, path = "/communes/{code}/reports", tag = "Hồ sơ",
    params(CommunePath, NoQuery),
    responses((status = 200, description = "Các phiên bản báo cáo của xã", body = Vec<ReportOut>), Refusals))]
async fn reports(
    state: AppState,
    ctx: Officer,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<ReportOut>>, WebError> {
    let store = &state.store;
    let requests: HashMap<i64, toso_store::ReportingRequest> = store
        .requests_for_commune(ctx.code)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut statuses: HashMap<i64, toso_store::CycleStatus> = HashMap::new();
    let mut out = Vec::new();
    for report in store.reports_of(ctx.code).await? {
        let request = match requests.get(&report.request_id) {
            Some(r) => r.clone(),
            None => store.request(report.request_id).await?,
        };
        let status = match statuses.entry(request.id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(store.report_status(ctx.code, request.id).await?),
        };
        let submitted_at = status
            .history
            .iter()
            .rev()
            .find(|t| t.report_id == report.id && t.action == "submit")
            .map(|t| t.at);
        let files = FileKind::ALL
            .iter()
            .map(|&k| ReportFileOut {
                kind: k.extension().to_string(),
                name: file_name(&request, &report, k),
                url: format!(
                    "{}/communes/{}/reports/{}/files/{}",
                    super::PREFIX,
                    ctx.code,
                    report.id,
                    k.extension()
                ),
            })
            .collect();
        out.push(ReportOut {
            id: report.id,
            commune_code: report.commune_code,
            version: report.version,
            request: RequestOut::from(&request),
            number: report.settings.number.clone(),
            subject: report.settings.subject.clone(),
            as_of: report.settings.as_of,
            report_date: report.settings.report_date,
            created_by: report.created_by.clone(),
            created_at: report.created_at,
            submitted_at,
            latest: status.latest.map(|l| l.0) == Some(report.id),
            state: status.state.code().to_string(),
            state_label: status.state.label().to_string(),
            state_version: status.version(),
            files,
        });
    }
    Ok(Json(out))
}

/// The DOCX report, its PDF or the XLSX annex of a report version: the
/// same bytes as the download on the report's page, drawn from the
/// figures frozen in the version (the commune's officers).
#[utoipa::path(get, path = "/communes/{code}/reports/{id}/files/{file}", tag = "Hồ sơ",
    params(
        ReportPath,
        ("file" = String, Path, description = "`docx`, `pdf` or `xlsx`", example = "pdf"),
        NoQuery,
    ),
    responses(
        (status = 200, description = "Tệp báo cáo (DOCX, PDF) hoặc phụ lục số liệu (XLSX)", content(
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("application/pdf"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        Refusals,
    ))]
async fn report_file(
    state: AppState,
    ctx: Officer,
    Id(id): Id,
    Path((_, _, file)): Path<(String, String, String)>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Reply {
    crate::reports::report_file(&state, &ctx, id, &file).await
}

//! Who worked which day and what the resolution pays: a team's month
//! (its attendance sheet, its duty days and the form to record one), the
//! commune's month (every team's days, the allowance list under the policy
//! in force, approval and reopening, the difference a later correction
//! makes to an approved month), the list as XLSX and PDF, and the members
//! named on a campaign (whose day it then counts).

use std::collections::HashMap;

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use toso_domain::{
    format_date, format_int, format_money, AllowanceList, Month, RowChange, SheetTeam,
};
use toso_reporting::allowance::{allowance_file_name, allowance_pdf, allowance_xlsx};
use toso_reporting::allowance_month::{month_document, no_policy};
use toso_store::{AllowancePolicy, DutyDay, MonthApproval, NewDutyDay, Team};

use crate::access::Access;
use crate::forms::{free_text, Fields, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer, Params};
use crate::params::{Id, Query};
use crate::respond::{refused, render, saved};
use crate::{params, AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/teams/{id}/days", get(team_days))
        .route("/communes/{code}/teams/{id}/duty", post(create_duty))
        .route(
            "/communes/{code}/teams/{id}/duty/{duty}/delete",
            post(delete_duty),
        )
        .route("/communes/{code}/allowances", get(month_page))
        .route("/communes/{code}/allowances.xlsx", get(month_xlsx))
        .route("/communes/{code}/allowances.pdf", get(month_pdf))
        .route("/communes/{code}/allowances/approve", post(approve))
        .route("/communes/{code}/allowances/reopen", post(reopen))
        .route(
            "/communes/{code}/campaigns/{id}/members",
            get(campaign_members).post(save_campaign_members),
        )
}

/// The month of `?month=` (2025-11 or 11/2025); `default` when absent.
pub(crate) fn month_param(q: &HashMap<String, String>, default: Month) -> Result<Month, WebError> {
    match q.get("month").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Month::parse(s, "month")?),
        None => Ok(default),
    }
}

/// This month: a team's sheet fills in as the days go.
pub(crate) fn this_month() -> Month {
    Month::of(toso_store::today())
}

/// The last month that has ended: the one a commune approves next.
pub(crate) fn last_month() -> Month {
    this_month().previous()
}

/// One member's row of a sheet as the page shows it.
struct SheetLine {
    name: String,
    role: String,
    marks: Vec<String>,
    days: u32,
}

/// A team's sheet as the page shows it.
struct SheetView {
    lines: Vec<SheetLine>,
    active_members: u32,
    person_days: u32,
    active_days: u32,
}

fn sheet_view(month: Month, sheet: &SheetTeam) -> SheetView {
    SheetView {
        lines: sheet
            .members
            .iter()
            .map(|m| SheetLine {
                name: m.full_name.clone(),
                role: m.role.clone(),
                marks: (1..=month.days()).map(|d| m.marks(d)).collect(),
                days: m.day_count(),
            })
            .collect(),
        active_members: sheet.active_members(),
        person_days: sheet.person_days(),
        active_days: sheet.active_days(),
    }
}

// ---------------------------------------------------------------- a team's month

#[derive(Template)]
#[template(path = "team_days.html")]
struct TeamDaysPage {
    layout: Layout,
    team: Team,
    month: Month,
    previous: String,
    next: Option<String>,
    days: Vec<u32>,
    sheet: SheetView,
    legend: String,
    duty: Vec<DutyDay>,
    /// May record and delete duty days (the team's leader, the commune's
    /// managers), while the team is in operation.
    manage: bool,
    form: Form,
    /// (person id, name) of the members today, for the duty form.
    roster: Vec<(i64, String)>,
    saved: bool,
    deleted: bool,
}

impl TeamDaysPage {
    fn ticked(&self, person: &i64) -> bool {
        self.form.value(&format!("m_{person}")) == "on"
    }
}

async fn team_days_page(
    state: &AppState,
    ctx: &CommuneCtx,
    team: Team,
    month: Month,
    form: Form,
    flags: (bool, bool),
) -> Result<TeamDaysPage, WebError> {
    let sheets = state.store.month_sheets(ctx.code, month).await?;
    let empty = SheetTeam {
        team_id: team.id,
        name: team.name.clone(),
        leader: None,
        members: Vec::new(),
    };
    let sheet = sheets
        .iter()
        .find(|s| s.team_id == team.id)
        .unwrap_or(&empty);
    let duty = state
        .store
        .duty_days(team.id, month.first_day(), month.last_day())
        .await?;
    let today = toso_store::today();
    let roster = state
        .store
        .team_members(team.id, Some(today))
        .await?
        .into_iter()
        .map(|m| (m.membership.person_id, m.full_name))
        .collect();
    let base = ctx.path(&format!("teams/{}/days", team.id));
    let next = month.next();
    Ok(TeamDaysPage {
        layout: ctx.layout("teams"),
        manage: ctx.access.team_manage(team.id) && team.is_active_on(today),
        previous: format!("{base}?month={}", month.previous().code()),
        next: (next.first_day() <= today).then(|| format!("{base}?month={}", next.code())),
        days: (1..=month.days()).collect(),
        sheet: sheet_view(month, sheet),
        legend: toso_reporting::allowance::legend(),
        team,
        month,
        duty,
        form,
        roster,
        saved: flags.0,
        deleted: flags.1,
    })
}

async fn load_team(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Team, WebError> {
    let team = ctx.load(state.store.team(id)).await?;
    ctx.access.team_view(team.id)?;
    Ok(team)
}

async fn team_days(state: AppState, ctx: CommuneCtx, Id(id): Id, Query(q): Params) -> Reply {
    let team = load_team(&state, &ctx, id).await?;
    let month = month_param(&q, this_month())?;
    let form = Form::filled([("held_on", format_date(toso_store::today()))]);
    let flags = (q.contains_key("saved"), q.contains_key("deleted"));
    render(team_days_page(&state, &ctx, team, month, form, flags).await?)
}

async fn create_duty(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let team = crate::teams::team_of(&state, &ctx, id, Access::team_manage).await?;
    let mut members: Vec<i64> = fields
        .iter()
        .filter(|(_, v)| v.as_str() == "on")
        .filter_map(|(k, _)| k.strip_prefix("m_")?.parse().ok())
        .collect();
    members.sort_unstable();
    let mut form = Form::new(fields);
    let held_on = form.date("held_on", "Ngày trực");
    let place = free_text(form.value("place"));
    let note = Some(free_text(form.value("note")));
    if let Some(held_on) = held_on {
        let new = NewDutyDay {
            team_id: team.id,
            held_on,
            place,
            note,
            members,
        };
        match state.store.create_duty_day(&ctx.actor(), new).await {
            Ok(_) => {
                let path = format!(
                    "{}?month={}",
                    ctx.path(&format!("teams/{}/days", team.id)),
                    Month::of(held_on).code()
                );
                return Ok(saved_with_query(path));
            }
            Err(e) => form.refused(e)?,
        }
    }
    let month = held_on.map_or_else(this_month, Month::of);
    refused(team_days_page(&state, &ctx, team, month, form, (false, false)).await?)
}

/// `saved` for a path that already has a query.
fn saved_with_query(path: String) -> Response {
    axum::response::Redirect::to(&format!("{path}&saved")).into_response()
}

async fn delete_duty(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    Path((_, _, duty)): Path<(String, String, String)>,
) -> Reply {
    let team = crate::teams::team_of(&state, &ctx, id, Access::team_manage).await?;
    let day = state
        .store
        .delete_duty_day(&ctx.actor(), team.id, params::id(&duty)?)
        .await?;
    let path = format!(
        "{}?month={}",
        ctx.path(&format!("teams/{}/days", team.id)),
        Month::of(day.held_on).code()
    );
    Ok(axum::response::Redirect::to(&format!("{path}&deleted")).into_response())
}

// ---------------------------------------------------------------- the commune's month

/// One team's line of the month's summary.
struct TeamSummary {
    team_id: i64,
    name: String,
    members: usize,
    active_members: u32,
    person_days: u32,
    total: Option<i64>,
}

#[derive(Template)]
#[template(path = "allowances.html")]
struct MonthPage {
    layout: Layout,
    month: Month,
    previous: String,
    next: Option<String>,
    policy: Option<AllowancePolicy>,
    rules: Vec<String>,
    /// The list shown: the frozen one while approved, else the records'.
    list: Option<AllowanceList>,
    summary: Vec<TeamSummary>,
    approval: Option<MonthApproval>,
    /// Rows that differ between the approved copy and the records now.
    changes: Vec<RowChange>,
    over: bool,
    form: Form,
    saved: bool,
}

impl MonthPage {
    fn money(&self, n: &i64) -> String {
        format_money(*n)
    }
    fn int(&self, n: &i64) -> String {
        format_int(*n)
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let vn = toso_domain::vietnam();
        let local = at.with_timezone(&vn);
        format!(
            "{} {}",
            format_date(local.date_naive()),
            local.format("%H:%M")
        )
    }
}

async fn month_page_of(
    state: &AppState,
    ctx: &CommuneCtx,
    month: Month,
    form: Form,
    saved: bool,
) -> Result<MonthPage, WebError> {
    let s = state.store.month_view(ctx.code, month).await?;
    let summary = s
        .sheets
        .iter()
        .map(|t| TeamSummary {
            team_id: t.team_id,
            name: t.name.clone(),
            members: t.members.len(),
            active_members: t.active_members(),
            person_days: t.person_days(),
            total: s.list.as_ref().map(|l| {
                l.teams
                    .iter()
                    .find(|x| x.team_id == t.team_id)
                    .map_or(0, |x| x.total)
            }),
        })
        .collect();
    let today = toso_store::today();
    let base = ctx.path("allowances");
    let next = month.next();
    Ok(MonthPage {
        layout: ctx.layout("allowances"),
        previous: format!("{base}?month={}", month.previous().code()),
        next: (next.first_day() <= today).then(|| format!("{base}?month={}", next.code())),
        rules: s
            .policy
            .as_ref()
            .map(|p| p.rates.describe())
            .unwrap_or_default(),
        policy: s.policy,
        list: s.list,
        summary,
        approval: s.approval,
        changes: s.changes,
        over: month.is_over(today),
        month,
        form,
        saved,
    })
}

async fn month_page(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    let month = month_param(&q, last_month())?;
    render(
        month_page_of(
            &state,
            &ctx,
            month,
            Form::default(),
            q.contains_key("saved"),
        )
        .await?,
    )
}

/// The list and the sheets of the month as a document.
async fn month_doc_bytes(
    state: &AppState,
    ctx: &CommuneCtx,
    month: Month,
    pdf: bool,
) -> Result<Vec<u8>, WebError> {
    let view = state.store.month_view(ctx.code, month).await?;
    if view.list.is_none() {
        return Err(WebError::NotFound(no_policy(&view)));
    }
    let province = state.store.province(ctx.commune.province_code).await?.name;
    let commune = ctx.name.clone();
    // Laying out the document is CPU work: off the async workers.
    crate::respond::off_thread(move || {
        let doc = month_document(&view, &commune, &province, toso_store::today())
            .ok_or_else(|| no_policy(&view))?;
        if pdf {
            allowance_pdf(&doc)
        } else {
            allowance_xlsx(&doc)
        }
    })
    .await
}

/// The month's list and sheets as a download: PDF or XLSX.
async fn month_file(
    state: &AppState,
    ctx: &CommuneCtx,
    q: &HashMap<String, String>,
    pdf: bool,
) -> Reply {
    let month = month_param(q, last_month())?;
    let bytes = month_doc_bytes(state, ctx, month, pdf).await?;
    let (ext, content_type) = if pdf {
        ("pdf", "application/pdf")
    } else {
        ("xlsx", crate::imports::XLSX)
    };
    Ok(crate::respond::attachment(
        &allowance_file_name(ctx.code, month, ext),
        content_type,
        bytes,
    ))
}

async fn month_xlsx(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    month_file(&state, &ctx, &q, false).await
}

async fn month_pdf(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    month_file(&state, &ctx, &q, true).await
}

/// A write on the month the form names (approve, reopen): back to the
/// month when the store takes it; otherwise the page again with the
/// refusal beside its field (422).
async fn month_write(
    state: &AppState,
    ctx: &CommuneCtx,
    mut form: Form,
    write: impl AsyncFnOnce(Month) -> toso_store::Result<()>,
) -> Reply {
    let month = form.field("month", |s| Month::parse(s, "month"));
    if let Some(month) = month {
        match write(month).await {
            Ok(()) => {
                return Ok(saved_with_query(format!(
                    "{}?month={}",
                    ctx.path("allowances"),
                    month.code()
                )))
            }
            Err(e) => form.refused(e)?,
        }
    }
    let shown = month.unwrap_or_else(last_month);
    refused(month_page_of(state, ctx, shown, form, false).await?)
}

async fn approve(state: AppState, ctx: Manager, form: Form) -> Reply {
    let actor = ctx.actor();
    let write = async |month| {
        state
            .store
            .approve_month(&actor, ctx.code, month)
            .await
            .map(|_| ())
    };
    month_write(&state, &ctx, form, write).await
}

async fn reopen(state: AppState, ctx: Manager, form: Form) -> Reply {
    let reason = free_text(form.value("reason"));
    let actor = ctx.actor();
    let write = async |month| {
        state
            .store
            .reopen_month(&actor, ctx.code, month, &reason)
            .await
    };
    month_write(&state, &ctx, form, write).await
}

// ---------------------------------------------------------------- campaign members

#[derive(Template)]
#[template(path = "campaign_members.html")]
struct CampaignMembersPage {
    layout: Layout,
    campaign_id: i64,
    campaign_name: String,
    held_on: String,
    /// (person id, name, team, ticked).
    people: Vec<(i64, String, String, bool)>,
    form: Form,
    saved: bool,
}

async fn campaign_members_page(
    state: &AppState,
    ctx: &CommuneCtx,
    campaign_id: i64,
    form: Option<Form>,
    saved: bool,
) -> Result<CampaignMembersPage, WebError> {
    let campaign = state.store.campaign(campaign_id).await?;
    if campaign.commune_code != ctx.code {
        return Err(WebError::NotFound(format!(
            "Không tìm thấy đợt ra quân này trong {}.",
            ctx.name
        )));
    }
    let named: Vec<i64> = state
        .store
        .campaign_members(campaign_id)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut people = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for team in state.store.teams(ctx.code).await? {
        if !team.is_active_on(campaign.held_on) {
            continue;
        }
        for m in state
            .store
            .team_members(team.id, Some(campaign.held_on))
            .await?
        {
            let p = m.membership.person_id;
            if seen.insert(p) {
                let ticked = match &form {
                    Some(f) => f.value(&format!("m_{p}")) == "on",
                    None => named.contains(&p),
                };
                people.push((p, m.full_name, team.name.clone(), ticked));
            }
        }
    }
    Ok(CampaignMembersPage {
        layout: ctx.layout("campaigns"),
        campaign_id,
        campaign_name: campaign.name,
        held_on: format_date(campaign.held_on),
        people,
        form: form.unwrap_or_default(),
        saved,
    })
}

async fn campaign_members(state: AppState, ctx: Officer, Id(id): Id, Query(q): Params) -> Reply {
    render(campaign_members_page(&state, &ctx, id, None, q.contains_key("saved")).await?)
}

async fn save_campaign_members(
    state: AppState,
    ctx: Manager,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    // Loaded first: a campaign of another commune is not found (404).
    campaign_members_page(&state, &ctx, id, None, false).await?;
    let persons: Vec<i64> = fields
        .iter()
        .filter(|(_, v)| v.as_str() == "on")
        .filter_map(|(k, _)| k.strip_prefix("m_")?.parse().ok())
        .collect();
    let mut form = Form::new(fields);
    match state
        .store
        .set_campaign_members(&ctx.actor(), ctx.code, id, persons)
        .await
    {
        Ok(_) => Ok(saved(ctx.path(&format!("campaigns/{id}/members")))),
        Err(e) => {
            form.refused(e)?;
            refused(campaign_members_page(&state, &ctx, id, Some(form), false).await?)
        }
    }
}

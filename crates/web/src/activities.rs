//! Correcting a logged support activity: members edit their own entries
//! for [`ACTIVITY_EDIT_DAYS`] days after logging them, team leaders their
//! team's entries for as long, officers every entry of their commune.

use askama::Template;
use axum::routing::get;
use axum::Router;
use toso_domain::{format_date, SupportCategory};
use toso_store::activities::ACTIVITY_EDIT_DAYS;
use toso_store::{Activity, ActivityAuthor, ActivityUpdate, Team};

use crate::access::Access;
use crate::forms::{choices, Choices, Form};
use crate::layout::{CommuneCtx, Layout};
use crate::params::Id;
use crate::respond::{refused, render, saved};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/communes/{code}/activities/{id}/edit",
        get(edit_form).post(update),
    )
}

/// Whether `access` (of user `user_id`) may edit `activity` at `now`.
pub fn may_edit(
    access: Access,
    user_id: i64,
    activity: &Activity,
    author: &ActivityAuthor,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    match access {
        Access::Manage => true,
        Access::Read => false,
        Access::Team {
            team_id, leader, ..
        } => {
            team_id == activity.team_id
                && author.within_edit_window(now)
                && (leader || author.created_by == Some(user_id))
        }
    }
}

/// The activity of the path, checked to belong to the commune and to be
/// editable by the user.
async fn load(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<(Activity, Team), WebError> {
    let activity = ctx.load(state.store.activity(id)).await?;
    let author = state.store.activity_author(activity.id).await?;
    if !may_edit(
        ctx.access,
        ctx.user.id,
        &activity,
        &author,
        chrono::Utc::now(),
    ) {
        let message = match ctx.access {
            Access::Team { team_id, .. } if team_id == activity.team_id => format!(
                "Chỉ sửa được lượt hỗ trợ do mình ghi (tổ trưởng: của tổ mình) trong {ACTIVITY_EDIT_DAYS} ngày kể từ khi ghi; sau đó, đề nghị cán bộ xã sửa."
            ),
            _ => "Bạn không có quyền sửa lượt hỗ trợ này.".to_string(),
        };
        return Err(WebError::Forbidden(message));
    }
    let team = state.store.team(activity.team_id).await?;
    Ok((activity, team))
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct EditPage {
    layout: Layout,
    activity: Activity,
    team: Team,
    form: Form,
    categories: Choices,
}

fn page(ctx: &CommuneCtx, activity: Activity, team: Team, form: Form) -> EditPage {
    EditPage {
        layout: ctx.layout("teams"),
        activity,
        team,
        form,
        categories: choices(SupportCategory::ALL),
    }
}

async fn edit_form(state: AppState, ctx: CommuneCtx, Id(id): Id) -> Reply {
    let (activity, team) = load(&state, &ctx, id).await?;
    let form = Form::filled([
        ("activity_date", format_date(activity.activity_date)),
        ("category", activity.category.clone()),
        ("citizens_helped", activity.citizens_helped.to_string()),
        ("dossiers", activity.dossiers.to_string()),
        ("note", activity.note.clone().unwrap_or_default()),
    ]);
    render(page(&ctx, activity, team, form))
}

/// The values of a support activity's form (the log form of a team's
/// page, the correction form), each refused beside its field; `None`
/// when any is.
pub(crate) fn activity_values(form: &mut Form) -> Option<ActivityUpdate> {
    let date = form.date("activity_date", "Ngày hỗ trợ");
    let category = form.field("category", |s| SupportCategory::parse(s, "category"));
    let citizens = form.count("citizens_helped", "Số người được hỗ trợ");
    let dossiers = form.optional_count("dossiers", "Số hồ sơ trực tuyến");
    Some(ActivityUpdate {
        activity_date: date?,
        category: category?,
        citizens_helped: citizens?,
        dossiers: dossiers?.unwrap_or(0),
        note: Some(form.free_text("note").chars().take(500).collect()),
    })
}

async fn update(state: AppState, ctx: CommuneCtx, Id(id): Id, mut form: Form) -> Reply {
    let (activity, team) = load(&state, &ctx, id).await?;
    if let Some(upd) = activity_values(&mut form) {
        match state
            .store
            .update_activity(&ctx.actor(), activity.id, upd)
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, team.id))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(&ctx, activity, team, form))
}

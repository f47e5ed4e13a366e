//! The API's writes: log a support activity for a team, correct one, and
//! record a team's duty day — the same checks, edit windows, permissions
//! and audit rows as the team page's forms (the same store functions), for
//! tokens with the write scope only. Each accepts an `Idempotency-Key`
//! ([`super::idempotency`]); the log route keeps it as the activity's client
//! id instead, as the team page's form does, so a write under a key costs
//! what a form's write costs (BENCHMARKS.md).

// A problem document is a few strings: returned at most once per request,
// it is not worth a box.
#![allow(clippy::result_large_err)]

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use toso_domain::SupportCategory;
use toso_store::{ActivityUpdate, NewActivity, NewDutyDay};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotency;
use super::problem::{parse_json, Problem};
use super::types::*;
use super::ApiWriter;
use crate::access::{forbidden, Access};
use crate::forms::free_text;
use crate::layout::CommuneCtx;
use crate::{params, AppState, WebError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(log_activity))
        .routes(routes!(correct_activity))
        .routes(routes!(record_duty_day))
}

/// The parts every write shares: the key, the fingerprint and the parsed
/// body; a refusal of any of them as its problem.
pub(super) fn prepare<T: serde::de::DeserializeOwned>(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Option<String>, String, T), Problem> {
    let key = idempotency::key(headers)?;
    let fingerprint = idempotency::fingerprint(method, uri.path(), body);
    let value = parse_json(headers, body)?;
    Ok((key, fingerprint, value))
}

pub(super) fn answer<T: serde::Serialize>(
    status: StatusCode,
    result: Result<T, WebError>,
) -> Response {
    match result {
        Ok(value) => (status, Json(value)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A support category's code, checked.
fn category(code: &str) -> Result<SupportCategory, WebError> {
    Ok(SupportCategory::parse(code, "category")?)
}

/// Log a support activity for a team: its members and leader, and the
/// commune's officers. With an `Idempotency-Key`, a repeat returns the
/// first answer and records nothing.
#[utoipa::path(post, path = "/communes/{code}/teams/{id}/activities", tag = "Ghi nhận",
    params(
        ("code" = i32, Path, description = "Mã xã"),
        ("id" = i64, Path, description = "Số hiệu của tổ"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key of the client's (1–255 visible ASCII characters, e.g. a UUID): the same request sent again with it returns the first answer and records nothing new"),
    ),
    request_body = NewActivityIn,
    responses(
        (status = 201, description = "Đã ghi lượt hỗ trợ", body = ActivityOut),
        (status = "4XX", description = "Lỗi", body = Problem, content_type = "application/problem+json"),
    ))]
async fn log_activity(
    State(state): State<AppState>,
    ApiWriter(_): ApiWriter,
    ctx: CommuneCtx,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, id) = path;
    // Who may log for the team is settled before the body is read.
    let team = match team_of(&state, &ctx, &id, Access::team_log).await {
        Ok(team) => team,
        Err(e) => return e.into_response(),
    };
    // The key becomes the activity's client id (below): no fingerprint.
    let parsed = idempotency::key(&headers)
        .and_then(|key| Ok((key, parse_json::<NewActivityIn>(&headers, &body)?)));
    let (key, input) = match parsed {
        Ok(parts) => parts,
        Err(p) => return p.into_response(),
    };
    let written = async {
        let new = NewActivity {
            team_id: team.id,
            activity_date: input.activity_date,
            category: category(&input.category)?,
            citizens_helped: input.citizens_helped,
            dossiers: input.dossiers.unwrap_or(0),
            note: input
                .note
                .as_deref()
                .map(|n| free_text(n).chars().take(500).collect()),
            co_members: input.co_members,
        };
        let actor = ctx.actor();
        // Under a key, the activity carries it as its client id: one read
        // and the support log's group-committed write, as the team page's
        // form with its client id (no separate record of the key).
        Ok::<_, WebError>(match key.as_deref() {
            Some(key) => {
                let wanted = new.clone();
                let (activity, repeat) = state
                    .store
                    .create_activity_once(&actor, new, &idempotency::client_id(key))
                    .await?;
                (activity, repeat.then_some(wanted))
            }
            None => (state.store.create_activity(&actor, new).await?, None),
        })
    };
    match written.await {
        Ok((activity, None)) => answer(StatusCode::CREATED, Ok(ActivityOut::from(activity))),
        Ok((activity, Some(wanted))) if same_activity(&activity, &wanted) => {
            idempotency::replayed(answer(StatusCode::CREATED, Ok(ActivityOut::from(activity))))
        }
        Ok(_) => idempotency::mismatch().into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether the activity recorded under a key is the one asked for again.
fn same_activity(recorded: &toso_store::Activity, wanted: &NewActivity) -> bool {
    recorded.team_id == wanted.team_id
        && recorded.activity_date == wanted.activity_date
        && recorded.category == wanted.category.code()
        && recorded.citizens_helped == wanted.citizens_helped
        && recorded.dossiers == wanted.dossiers
        && recorded.note.as_deref().unwrap_or_default()
            == wanted.note.as_deref().unwrap_or_default()
}

/// Correct a logged activity (all its values): the commune's officers at
/// any time; the member who logged it and the team's leader within 7 days
/// of logging it.
#[utoipa::path(put, path = "/communes/{code}/activities/{id}", tag = "Ghi nhận",
    params(
        ("code" = i32, Path, description = "Mã xã"),
        ("id" = i64, Path, description = "Số hiệu của lượt hỗ trợ"),
        ("Idempotency-Key" = Option<String>, Header, description = "See the log route"),
    ),
    request_body = ActivityCorrectionIn,
    responses(
        (status = 200, description = "Đã sửa lượt hỗ trợ", body = ActivityOut),
        (status = "4XX", description = "Lỗi", body = Problem, content_type = "application/problem+json"),
    ))]
#[allow(clippy::too_many_arguments)] // an axum handler: one argument per extractor
async fn correct_activity(
    State(state): State<AppState>,
    ApiWriter(user): ApiWriter,
    ctx: CommuneCtx,
    Path(path): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, id) = path;
    let activity = match editable(&state, &ctx, user.id, &id).await {
        Ok(activity) => activity,
        Err(e) => return e.into_response(),
    };
    let (key, fingerprint, input) =
        match prepare::<ActivityCorrectionIn>(&method, &uri, &headers, &body) {
            Ok(parts) => parts,
            Err(p) => return p.into_response(),
        };
    idempotency::once(&state, user.id, key.as_deref(), &fingerprint, || async {
        let written = async {
            let upd = ActivityUpdate {
                activity_date: input.activity_date,
                category: category(&input.category)?,
                citizens_helped: input.citizens_helped,
                dossiers: input.dossiers.unwrap_or(0),
                note: input
                    .note
                    .as_deref()
                    .map(|n| free_text(n).chars().take(500).collect()),
            };
            let updated = state
                .store
                .update_activity(&ctx.actor(), activity.id, upd)
                .await?;
            Ok(ActivityOut::from(updated))
        };
        answer(StatusCode::OK, written.await)
    })
    .await
}

/// Record a duty day of a team (the team's leader and the commune's
/// officers), as on the team's month page.
#[utoipa::path(post, path = "/communes/{code}/teams/{id}/duty-days", tag = "Ghi nhận",
    params(
        ("code" = i32, Path, description = "Mã xã"),
        ("id" = i64, Path, description = "Số hiệu của tổ"),
        ("Idempotency-Key" = Option<String>, Header, description = "See the log route"),
    ),
    request_body = NewDutyDayIn,
    responses(
        (status = 201, description = "Đã ghi ngày trực", body = DutyDayOut),
        (status = "4XX", description = "Lỗi", body = Problem, content_type = "application/problem+json"),
    ))]
#[allow(clippy::too_many_arguments)] // an axum handler: one argument per extractor
async fn record_duty_day(
    State(state): State<AppState>,
    ApiWriter(user): ApiWriter,
    ctx: CommuneCtx,
    Path(path): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, id) = path;
    let team = match team_of(&state, &ctx, &id, Access::team_manage).await {
        Ok(team) => team,
        Err(e) => return e.into_response(),
    };
    let (key, fingerprint, input) = match prepare::<NewDutyDayIn>(&method, &uri, &headers, &body) {
        Ok(parts) => parts,
        Err(p) => return p.into_response(),
    };
    idempotency::once(&state, user.id, key.as_deref(), &fingerprint, || async {
        let written = async {
            let mut members = input.members;
            members.sort_unstable();
            members.dedup();
            let new = NewDutyDay {
                team_id: team.id,
                held_on: input.held_on,
                place: free_text(&input.place),
                note: input.note.as_deref().map(free_text),
                members,
            };
            let day = state.store.create_duty_day(&ctx.actor(), new).await?;
            Ok(DutyDayOut::from(day))
        };
        answer(StatusCode::CREATED, written.await)
    })
    .await
}

/// The activity `id` of the commune, if `user_id` may correct it (as on
/// its edit page).
async fn editable(
    state: &AppState,
    ctx: &CommuneCtx,
    user_id: i64,
    id: &str,
) -> Result<toso_store::Activity, WebError> {
    let activity = ctx.load(state.store.activity(params::id(id)?)).await?;
    let author = state.store.activity_author(activity.id).await?;
    if crate::activities::may_edit(ctx.access, user_id, &activity, &author, chrono::Utc::now()) {
        Ok(activity)
    } else {
        Err(WebError::Forbidden(format!(
            "Không sửa được lượt hỗ trợ này: thành viên sửa lượt do mình ghi, tổ trưởng lượt của tổ mình, trong {} ngày kể từ khi ghi; cán bộ xã sửa được mọi lúc.",
            toso_store::activities::ACTIVITY_EDIT_DAYS
        )))
    }
}

/// The team `id` of the commune (another commune's is not found), if the
/// caller's access `may` act on it (403 otherwise).
async fn team_of(
    state: &AppState,
    ctx: &CommuneCtx,
    id: &str,
    may: fn(Access, i64) -> bool,
) -> Result<toso_store::Team, WebError> {
    let team = ctx.load(state.store.team(params::id(id)?)).await?;
    if may(ctx.access, team.id) {
        Ok(team)
    } else {
        Err(forbidden())
    }
}

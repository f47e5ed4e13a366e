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
use axum::extract::Path;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use toso_domain::SupportCategory;
use toso_store::{ActivityUpdate, NewActivity, NewDutyDay};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotency::{self, KeyParam};
use super::paths::{ActivityPath, TeamPath};
use super::types::*;
use super::ApiWriter;
use crate::access::Access;
use crate::forms::free_text;
use crate::layout::CommuneCtx;
use crate::params::Id;
use crate::problem::{parse_json, Problem, Refusals};
use crate::{params, AppState, WebError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(log_activity))
        .routes(routes!(correct_activity))
        .routes(routes!(record_duty_day))
}

/// The parts every write shares: the key, the fingerprint and the parsed
/// body; a refusal of any of them as its problem.
fn prepare<T: serde::de::DeserializeOwned>(
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

fn answer<T: serde::Serialize>(status: StatusCode, result: Result<T, WebError>) -> Response {
    match result {
        Ok(value) => (status, Json(value)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A support category's code, checked.
fn category(code: &str) -> Result<SupportCategory, WebError> {
    Ok(SupportCategory::parse(code, "category")?)
}

/// `values()` for the bodies that carry an activity's values, new or
/// corrected: the category checked, no dossiers as 0, the note cleaned and
/// cut at 500 characters.
macro_rules! activity_values_of {
    ($($body:ty),*) => {$(
        impl $body {
            fn values(&self) -> Result<ActivityUpdate, WebError> {
                Ok(ActivityUpdate {
                    activity_date: self.activity_date,
                    category: category(&self.category)?,
                    citizens_helped: self.citizens_helped,
                    dossiers: self.dossiers.unwrap_or(0),
                    note: self.note.as_deref().map(|n| free_text(n).chars().take(500).collect()),
                })
            }
        }
    )*};
}

activity_values_of!(NewActivityIn, ActivityCorrectionIn);

/// What a write acts on, loaded and authorised from the path's id before
/// the body is parsed: a refusal (404, 403) as a [`WebError`].
pub(super) trait WriteTarget: Sized {
    fn load(
        state: &AppState,
        ctx: &CommuneCtx,
        user_id: i64,
        id: i64,
    ) -> impl std::future::Future<Output = Result<Self, WebError>> + Send;
}

/// A write on one record (`/communes/{code}/…/{id}…`), parsed, authorised
/// and loaded before the handler runs, as [`CommuneCtx`] is for a page: a
/// write token, the commune in the caller's scope, the record as `W`
/// (which the caller may write), and the body as `T` with its key and
/// fingerprint. A body of nothing at all reads as `{}` where `T` takes an
/// empty object. Any refusal is the extractor's answer.
pub(super) struct ApiWrite<W, T> {
    pub state: AppState,
    pub user: toso_store::User,
    pub ctx: CommuneCtx,
    pub target: W,
    key: Option<String>,
    fingerprint: String,
    pub input: T,
}

impl<W, T> axum::extract::FromRequest<AppState> for ApiWrite<W, T>
where
    W: WriteTarget + Send,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Response;
    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let ApiWriter(user) = ApiWriter::from_request_parts(&mut parts, state).await?;
        let ctx = CommuneCtx::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path((_, id)) = Path::<(String, String)>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (method, uri, mut headers) = (
            parts.method.clone(),
            parts.uri.clone(),
            parts.headers.clone(),
        );
        let req = axum::extract::Request::from_parts(parts, body);
        let mut body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if body.iter().all(u8::is_ascii_whitespace) && serde_json::from_str::<T>("{}").is_ok() {
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            );
            body = Bytes::from_static(b"{}");
        }
        let id = params::id(&id).map_err(IntoResponse::into_response)?;
        let target = W::load(state, &ctx, user.id, id)
            .await
            .map_err(IntoResponse::into_response)?;
        let (key, fingerprint, input) =
            prepare::<T>(&method, &uri, &headers, &body).map_err(IntoResponse::into_response)?;
        Ok(ApiWrite {
            state: state.clone(),
            user,
            ctx,
            target,
            key,
            fingerprint,
            input,
        })
    }
}

impl<W, T> ApiWrite<W, T> {
    /// Run `write` once per key (every time without one) and answer what
    /// it wrote with `status`.
    pub async fn once<O, Fut>(self, status: StatusCode, write: impl FnOnce(Self) -> Fut) -> Response
    where
        O: serde::Serialize,
        Fut: std::future::Future<Output = Result<O, WebError>>,
    {
        let (state, user_id, key, fingerprint) = (
            self.state.clone(),
            self.user.id,
            self.key.clone(),
            self.fingerprint.clone(),
        );
        idempotency::once(&state, user_id, key.as_deref(), &fingerprint, || async {
            answer(status, write(self).await)
        })
        .await
    }
}

/// Log a support activity for a team: its members and leader, and the
/// commune's officers. With an `Idempotency-Key`, a repeat returns the
/// first answer and records nothing.
#[utoipa::path(post, path = "/communes/{code}/teams/{id}/activities", tag = "Ghi nhận",
    params(TeamPath, KeyParam),
    request_body = NewActivityIn,
    responses((status = 201, description = "Đã ghi lượt hỗ trợ", body = ActivityOut), Refusals))]
async fn log_activity(
    state: AppState,
    ApiWriter(_): ApiWriter,
    ctx: CommuneCtx,
    Id(id): Id,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Who may log for the team is settled before the body is read.
    let team = match crate::teams::team_of(&state, &ctx, id, Access::team_log).await {
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
        let new = input.values()?.for_team(team.id, input.co_members);
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
        Ok((activity, None)) => answer(StatusCode::CREATED, Ok(activity)),
        Ok((activity, Some(wanted))) if same_activity(&activity, &wanted) => {
            idempotency::replayed(answer(StatusCode::CREATED, Ok(activity)))
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
    params(ActivityPath, KeyParam),
    request_body = ActivityCorrectionIn,
    responses((status = 200, description = "Đã sửa lượt hỗ trợ", body = ActivityOut), Refusals))]
async fn correct_activity(w: ApiWrite<Editable, ActivityCorrectionIn>) -> Response {
    w.once(StatusCode::OK, |w| async move {
        let input = &w.input;
        let upd = input.values()?;
        let updated = w
            .state
            .store
            .update_activity(&w.ctx.actor(), w.target.0.id, upd)
            .await?;
        Ok(updated)
    })
    .await
}

/// Record a duty day of a team (the team's leader and the commune's
/// officers), as on the team's month page.
#[utoipa::path(post, path = "/communes/{code}/teams/{id}/duty-days", tag = "Ghi nhận",
    params(TeamPath, KeyParam),
    request_body = NewDutyDayIn,
    responses((status = 201, description = "Đã ghi ngày trực", body = DutyDayOut), Refusals))]
async fn record_duty_day(w: ApiWrite<ManagedTeam, NewDutyDayIn>) -> Response {
    w.once(StatusCode::CREATED, |w| async move {
        let mut members = w.input.members.clone();
        members.sort_unstable();
        members.dedup();
        let new = NewDutyDay {
            team_id: w.target.0.id,
            held_on: w.input.held_on,
            place: free_text(&w.input.place),
            note: w.input.note.as_deref().map(free_text),
            members,
        };
        let day = w.state.store.create_duty_day(&w.ctx.actor(), new).await?;
        Ok(day)
    })
    .await
}

/// An activity the caller may correct (as on its edit page).
struct Editable(toso_store::Activity);

impl WriteTarget for Editable {
    async fn load(
        state: &AppState,
        ctx: &CommuneCtx,
        user_id: i64,
        id: i64,
    ) -> Result<Self, WebError> {
        editable(state, ctx, user_id, id).await.map(Editable)
    }
}

/// A team whose duty days the caller may record (its leader, the
/// commune's officers).
struct ManagedTeam(toso_store::Team);

impl WriteTarget for ManagedTeam {
    async fn load(
        state: &AppState,
        ctx: &CommuneCtx,
        _user_id: i64,
        id: i64,
    ) -> Result<Self, WebError> {
        crate::teams::team_of(state, ctx, id, Access::team_manage)
            .await
            .map(ManagedTeam)
    }
}

/// The activity `id` of the commune, if `user_id` may correct it (as on
/// its edit page).
async fn editable(
    state: &AppState,
    ctx: &CommuneCtx,
    user_id: i64,
    id: i64,
) -> Result<toso_store::Activity, WebError> {
    let activity = ctx.load(state.store.activity(id)).await?;
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

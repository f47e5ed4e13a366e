//! Citizens' requests for help through the API (issue 23 on issue 20's
//! queue): a commune's queue as the caller sees it on the requests page
//! (a team its own, the quick-response team also the escalated ones, the
//! officers every request), one request, and the three steps a team takes
//! — take it, close it as done (recording its support activity), or close
//! it as not helped (or hand it to the quick-response team). The same
//! rules as the pages ([`crate::help`]): the citizen's name, phone and
//! description only for those who may act on the request; the province
//! and the Ministry read the queue without them and write nothing. Every
//! write accepts an `Idempotency-Key`.

// A problem document is a few strings: returned at most once per request,
// it is not worth a box.
#![allow(clippy::result_large_err)]

use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{non_blank, plain_text, DomainError, HelpState, SupportCategory, REASON_MAX};
use toso_store::{HelpDone, HelpRequest};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::idempotency::KeyParam;
use super::paths::{CommunePath, RequestPath};
use super::writes::{ApiWrite, WriteTarget};
use crate::help::{
    acting, acting_team, load_request, may_act, queue_scope, quick_response_id, NO_TEAM,
};
use crate::layout::CommuneCtx;
use crate::params::Id;
use crate::problem::{ApiQuery, Refusals};
use crate::{AppState, WebError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(request))
        .routes(routes!(take))
        .routes(routes!(done))
        .routes(routes!(unable))
}

/// A citizen's request for help, as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HelpRequestOut {
    /// Số hiệu of the request.
    pub id: i64,
    /// Mã tra cứu: the code the citizen looks the request up with, as
    /// printed for them (`ABCD-EFGH`).
    pub tracking_code: String,
    /// Mã xã.
    pub commune_code: i32,
    /// The village the request came from (its poster's page).
    pub village_id: i64,
    /// Tên thôn, tổ dân phố.
    pub village_name: String,
    /// The team it is routed to: the village's team, or the quick-response
    /// team once handed over or escalated (none where neither exists).
    pub team_id: Option<i64>,
    /// Lĩnh vực: the support category's code (`vneid`, `dvc_truc_tuyen`…).
    pub category: String,
    /// The category's name.
    pub category_label: String,
    /// Trạng thái: `new`, `in_progress`, `done` or `unable`.
    pub state: String,
    /// The state's name.
    pub state_label: String,
    /// When it arrived (RFC 3339, UTC).
    pub received_at: DateTime<Utc>,
    /// Hạn phản hồi: the first response is due by then (working hours of
    /// the commune's calendar).
    pub respond_by: DateTime<Utc>,
    /// Hạn giải quyết: closing is due by then.
    pub resolve_by: DateTime<Utc>,
    /// Lần phản hồi đầu: taken, closed or handed over.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Đóng lúc: done or not helped.
    pub closed_at: Option<DateTime<Utc>>,
    /// Working minutes from arrival to the first response.
    pub response_minutes: Option<i32>,
    /// Working minutes from arrival to closing.
    pub resolution_minutes: Option<i32>,
    /// Quá hạn: open past its deadline now.
    pub overdue: bool,
    /// When it went to the quick-response team.
    pub escalated_at: Option<DateTime<Utc>>,
    /// How: `handed` (by the team) or `overdue` (by the clock).
    pub escalation: Option<String>,
    /// Người nhận: the member who took it.
    pub assignee_name: Option<String>,
    /// Lý do không hỗ trợ được (also a hand-over's reason).
    pub unable_reason: Option<String>,
    /// The support activity its closing recorded (done only).
    pub activity_id: Option<i64>,
    /// The citizen's personal data was erased at the end of its retention
    /// period (the counts stay).
    pub personal_data_erased: bool,
    /// Whether the caller may take or close it (the team it is routed to,
    /// the quick-response team once escalated, the commune's officers).
    pub may_act: bool,
    /// The citizen and what they asked for: only for those who may act on
    /// the request, and until it is erased.
    pub citizen: Option<CitizenOut>,
}

/// The citizen of a request, as they wrote it on the village page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitizenOut {
    /// Họ và tên.
    pub name: Option<String>,
    /// Số điện thoại, as given (digits, `0…` or `+84…`).
    pub phone: Option<String>,
    /// Nội dung cần hỗ trợ.
    pub description: Option<String>,
    /// Thời gian thuận tiện.
    pub preferred_time: Option<String>,
}

impl HelpRequestOut {
    /// `r` as seen by a caller who may (`act`) or may not act on it.
    fn new(r: HelpRequest, act: bool, now: DateTime<Utc>) -> Self {
        let erased = r.erased_at.is_some();
        let overdue = r.overdue(now);
        HelpRequestOut {
            id: r.id,
            tracking_code: toso_domain::display_code(&r.tracking_code),
            commune_code: r.commune_code,
            village_id: r.village_id,
            village_name: r.village_name.clone(),
            team_id: r.team_id,
            category_label: r.category_label().to_string(),
            category: r.category.clone(),
            state: r.state.code().to_string(),
            state_label: r.state.label().to_string(),
            received_at: r.received_at,
            respond_by: r.respond_by,
            resolve_by: r.resolve_by,
            first_response_at: r.first_response_at,
            closed_at: r.closed_at,
            response_minutes: r.response_minutes,
            resolution_minutes: r.resolution_minutes,
            overdue,
            escalated_at: r.escalated_at,
            escalation: r.escalation,
            assignee_name: r.assignee_name,
            unable_reason: r.unable_reason,
            activity_id: r.activity_id,
            personal_data_erased: erased,
            may_act: act,
            citizen: (act && !erased).then_some(CitizenOut {
                name: r.citizen_name,
                phone: r.citizen_phone,
                description: r.description,
                preferred_time: r.preferred_time,
            }),
        }
    }
}

/// A queue of requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HelpQueueOut {
    /// Open requests of the whole commune.
    pub open: i64,
    /// Of them, past their deadline.
    pub overdue: i64,
    /// The caller's queue, newest first.
    pub requests: Vec<HelpRequestOut>,
}

/// Which requests of the queue.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HelpQueueQuery {
    /// Only this state: `new`, `in_progress`, `done` or `unable`.
    #[param(example = "new")]
    pub state: Option<String>,
    /// `true`: only those open past their deadline.
    #[param(example = "true")]
    pub overdue: Option<String>,
    /// The newest this many, 1 to 500 (default 200); `overdue` filters
    /// among them.
    #[param(example = "50")]
    pub limit: Option<String>,
}

/// Taking a request: no fields (an empty body is accepted too).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpTakeIn {}

/// Closing a request as done: the support it was, recorded as the acting
/// team's support activity of the day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"citizens_helped": 1, "dossiers": 1, "note": "Đã cài VNeID mức 2"}))]
pub struct HelpDoneIn {
    /// Lĩnh vực (category code); default the request's.
    #[serde(default)]
    pub category: Option<String>,
    /// Số người được hỗ trợ, 1 to 10.000.
    pub citizens_helped: i32,
    /// Số hồ sơ trực tuyến, 0 to 10.000 (default 0).
    #[serde(default)]
    pub dossiers: Option<i32>,
    /// Ghi chú, at most 300 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// Closing a request as not helped, or handing it to the commune's
/// quick-response team.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Người dân cần làm thủ tục tại Trung tâm Phục vụ hành chính công", "hand_over": false}))]
pub struct HelpUnableIn {
    /// Lý do, 1 to 300 characters.
    pub reason: String,
    /// `true`: hand it to the quick-response team instead of closing it
    /// (default `false`).
    #[serde(default)]
    pub hand_over: Option<bool>,
}

/// The caller's queue of citizens' requests: a team member or leader their
/// team's (the quick-response team also every escalated one); the
/// commune's, the province's officers and the Ministry every request of
/// the commune — the citizen's data only on those they may act on.
#[utoipa::path(get, path = "/communes/{code}/help-requests", tag = "Yêu cầu hỗ trợ",
    params(CommunePath, HelpQueueQuery),
    responses((status = 200, description = "Yêu cầu hỗ trợ của người dân", body = HelpQueueOut), Refusals))]
async fn queue(
    state: AppState,
    ctx: CommuneCtx,
    ApiQuery(q): ApiQuery<HelpQueueQuery>,
) -> Result<Json<HelpQueueOut>, WebError> {
    let filter = non_blank(q.state.as_deref())
        .map(|s| HelpState::parse(s, "state"))
        .transpose()?;
    let overdue_only = match non_blank(q.overdue.as_deref()) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(DomainError::new("overdue", "overdue phải là true hoặc false.").into())
        }
    };
    let limit = match non_blank(q.limit.as_deref()) {
        None => 200,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| DomainError::new("limit", "limit phải là số từ 1 đến 500."))?,
    };
    let qr = quick_response_id(&state, &ctx).await?;
    let now = Utc::now();
    let requests = state
        .store
        .help_queue(ctx.code, queue_scope(ctx.access, qr), filter, limit)
        .await?
        .into_iter()
        .filter(|r| !overdue_only || r.overdue(now))
        .map(|r| {
            let act = may_act(ctx.access, &r, qr);
            HelpRequestOut::new(r, act, now)
        })
        .collect();
    let (open, overdue) = state.store.help_open_counts(ctx.code, now).await?;
    Ok(Json(HelpQueueOut {
        open,
        overdue,
        requests,
    }))
}

/// One request: those who act on it (with the citizen's data) and the
/// officers who read the commune; another team is refused.
#[utoipa::path(get, path = "/communes/{code}/help-requests/{id}", tag = "Yêu cầu hỗ trợ",
    params(RequestPath),
    responses((status = 200, description = "Yêu cầu hỗ trợ", body = HelpRequestOut), Refusals))]
async fn request(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    ApiQuery(_): ApiQuery<super::types::NoQuery>,
) -> Result<Json<HelpRequestOut>, WebError> {
    let (r, qr) = load_request(&state, &ctx, id).await?;
    let act = may_act(ctx.access, &r, qr);
    Ok(Json(HelpRequestOut::new(r, act, Utc::now())))
}

/// A request the caller may act on (the target of the three writes).
pub(super) struct Acting {
    request: HelpRequest,
    /// The commune's quick-response team, if it has one.
    quick_response: Option<i64>,
}

impl WriteTarget for Acting {
    async fn load(
        state: &AppState,
        ctx: &CommuneCtx,
        _user_id: i64,
        id: i64,
    ) -> Result<Self, WebError> {
        let (request, quick_response) = acting(state, ctx, id).await?;
        Ok(Acting {
            request,
            quick_response,
        })
    }
}

/// Take a new request: it becomes the caller's, in progress, and its first
/// response is now.
#[utoipa::path(post, path = "/communes/{code}/help-requests/{id}/take", tag = "Yêu cầu hỗ trợ",
    params(RequestPath, KeyParam),
    request_body(content = Option<HelpTakeIn>, description = "Nothing, or an empty object"),
    responses((status = 200, description = "Đã nhận yêu cầu", body = HelpRequestOut), Refusals))]
async fn take(w: ApiWrite<Acting, HelpTakeIn>) -> Response {
    w.once(StatusCode::OK, |w| async move {
        let now = Utc::now();
        let after = w
            .state
            .store
            .take_help_request(
                &w.ctx.actor(),
                w.target.request.id,
                (w.user.id, &w.user.full_name),
                now,
            )
            .await?;
        Ok(HelpRequestOut::new(after, true, now))
    })
    .await
}

/// Close a request as done: the acting team's support activity of the day
/// is recorded with it (a member's own team; for an officer, the team it
/// is routed to), so the commune's figures count it once.
#[utoipa::path(post, path = "/communes/{code}/help-requests/{id}/done", tag = "Yêu cầu hỗ trợ",
    params(RequestPath, KeyParam),
    request_body = HelpDoneIn,
    responses((status = 200, description = "Đã hỗ trợ: yêu cầu đã đóng", body = HelpRequestOut), Refusals))]
async fn done(w: ApiWrite<Acting, HelpDoneIn>) -> Response {
    w.once(StatusCode::OK, |w| async move {
        let (r, input) = (&w.target.request, &w.input);
        let team_id = acting_team(w.ctx.access, r, w.target.quick_response)
            .ok_or_else(|| DomainError::new("state", NO_TEAM))?;
        let category = match input.category.as_deref() {
            Some(code) => SupportCategory::parse(code, "category")?,
            None => SupportCategory::parse(&r.category, "category")?,
        };
        let note = match input.note.as_deref() {
            Some(n) => Some(plain_text(n, "note", "Ghi chú", 300, false)?),
            None => None,
        };
        let done = HelpDone {
            category,
            citizens_helped: input.citizens_helped,
            dossiers: input.dossiers.unwrap_or(0),
            note,
        };
        let now = Utc::now();
        let after = w
            .state
            .store
            .close_help_request_done(&w.ctx.actor(), r.id, team_id, done, now)
            .await?;
        Ok(HelpRequestOut::new(after, true, now))
    })
    .await
}

/// Close a request as not helped, with the reason; or, with `hand_over`,
/// hand it to the commune's quick-response team (new again there).
#[utoipa::path(post, path = "/communes/{code}/help-requests/{id}/unable", tag = "Yêu cầu hỗ trợ",
    params(RequestPath, KeyParam),
    request_body = HelpUnableIn,
    responses((status = 200, description = "Đã đóng, hoặc đã chuyển Đội phản ứng nhanh", body = HelpRequestOut), Refusals))]
async fn unable(w: ApiWrite<Acting, HelpUnableIn>) -> Response {
    w.once(StatusCode::OK, |w| async move {
        let input = &w.input;
        let reason = plain_text(&input.reason, "reason", "Lý do", REASON_MAX, true)?;
        let now = Utc::now();
        let after = w
            .state
            .store
            .close_help_request_unable(
                &w.ctx.actor(),
                w.target.request.id,
                &reason,
                input.hand_over.unwrap_or(false),
                now,
            )
            .await?;
        // After a hand-over the caller's team may no longer act on it.
        let act = may_act(w.ctx.access, &after, w.target.quick_response);
        Ok(HelpRequestOut::new(after, act, now))
    })
    .await
}

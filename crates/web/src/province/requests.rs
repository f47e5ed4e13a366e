//! The province's requests for reports (`/provinces/{province}/requests`):
//! each request with how far its communes have come (expected, submitted,
//! accepted, awaiting review, overdue), and a new request to the
//! province's communes. The province's officer and admin; the Ministry
//! reads the province's figures, not its mail.

use askama::Template;
use axum::routing::get;
use axum::Router;
use toso_domain::format_date;
use toso_store::ReportingRequest;

use super::{ProvinceCtx, ProvinceLayout};
use crate::access::ProvinceAccess;
use crate::forms::Form;
use crate::reports::parse_request;
use crate::respond::{refused, render, saved};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/provinces/{province}/requests",
        get(province_requests).post(create_province_request),
    )
}

struct ProvinceRequestLine {
    request: ReportingRequest,
    issued: String,
    as_of: String,
    deadline: String,
    expected: usize,
    submitted: usize,
    accepted: usize,
    awaiting: usize,
    overdue: usize,
}

#[derive(Template)]
#[template(path = "province_requests.html")]
struct ProvincePage {
    layout: ProvinceLayout,
    province: toso_store::Province,
    communes: usize,
    lines: Vec<ProvinceRequestLine>,
    form: Form,
}

/// The province's requests, for its workspace (admin, the province's
/// officer; the Ministry reads the province's figures, not its mail).
async fn province_page(
    state: &AppState,
    ctx: &ProvinceCtx,
    form: Form,
) -> Result<ProvincePage, WebError> {
    if ctx.access != ProvinceAccess::Manage {
        return Err(crate::access::forbidden());
    }
    let province = ctx.province.clone();
    let communes = state.store.communes_of(province.code).await?.len();
    let mut lines = Vec::new();
    for request in state.store.requests_of_province(province.code).await? {
        let board = state
            .store
            .request_board(request.id, toso_store::today())
            .await?;
        lines.push(ProvinceRequestLine {
            issued: format_date(request.issued_on),
            as_of: format_date(request.as_of),
            deadline: request.deadline.map(format_date).unwrap_or_default(),
            expected: board.expected,
            submitted: board.submitted,
            accepted: board.accepted,
            awaiting: board.awaiting_review().count(),
            overdue: board.overdue().count(),
            request,
        });
    }
    Ok(ProvincePage {
        layout: ctx.layout("requests"),
        province,
        communes,
        lines,
        form,
    })
}

async fn province_requests(state: AppState, ctx: ProvinceCtx) -> Reply {
    let form = Form::filled([("issuer", "Sở Khoa học và Công nghệ".to_string())]);
    render(province_page(&state, &ctx, form).await?)
}

async fn create_province_request(state: AppState, ctx: ProvinceCtx, mut form: Form) -> Reply {
    let page = province_page(&state, &ctx, Form::default()).await?;
    let code = page.province.code;
    if let Some(new) = parse_request(&mut form, code, None) {
        match state.store.create_request(&ctx.actor(), new).await {
            Ok(_) => return Ok(saved(format!("/provinces/{code}/requests"))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(ProvincePage { form, ..page })
}

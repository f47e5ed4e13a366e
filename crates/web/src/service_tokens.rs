//! Service tokens: API tokens of a province's or a commune's own system
//! (an operations centre, a one-stop-shop software), each held by a
//! service account of that province or commune that never signs in.
//!
//! - `/provinces/{province}/service-tokens`: the province's officers (and
//!   admin, who lists and revokes) — the list, and a form that creates a
//!   token whose account reads (or writes) as a province officer of the
//!   province; `…/{id}/revoke` revokes it and locks its account.
//! - `/communes/{code}/service-tokens`: the same for a commune, its
//!   officers (and admin); the account is a commune officer of the commune.
//!
//! The secret is shown once, on the page answering the creation.

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use toso_store::{ServiceScope, ServiceToken, User};

use crate::access::{self, ProvinceAccess};
use crate::forms::{Choices, Fields, Form};
use crate::layout::{Layout, Manager};
use crate::params::{Id, PageQuery, Query};
use crate::province::{ProvinceCtx, ProvinceLayout};
use crate::respond::{refused, render, saved};
use crate::tokens::{new_token_form, parse_token_form, scope_options, TokenLine};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/provinces/{province}/service-tokens",
            get(province_list).post(province_create),
        )
        .route(
            "/provinces/{province}/service-tokens/{id}/revoke",
            post(province_revoke),
        )
        .route(
            "/communes/{code}/service-tokens",
            get(commune_list).post(commune_create),
        )
        .route(
            "/communes/{code}/service-tokens/{id}/revoke",
            post(commune_revoke),
        )
}

/// A service token as the list shows it.
struct ServiceLine {
    line: TokenLine,
    account: String,
    creator: String,
}

/// What both pages show (`service_tokens_body.html`).
struct Body {
    /// Where the form posts, and the list's address.
    base: String,
    /// The province's or commune's name.
    place: String,
    lines: Vec<ServiceLine>,
    form: Form,
    scopes: Choices,
    /// The user may create (an officer of the place; admin only revokes).
    may_create: bool,
    /// Who creates them, for a user who may not.
    creators: &'static str,
    new_token: Option<String>,
    saved: bool,
}

#[derive(Template)]
#[template(path = "province_service_tokens.html")]
struct ProvincePage {
    layout: ProvinceLayout,
    csrf: String,
    body: Body,
}

#[derive(Template)]
#[template(path = "commune_service_tokens.html")]
struct CommunePage {
    layout: Layout,
    csrf: String,
    body: Body,
}

/// The list's address.
fn base(scope: ServiceScope) -> String {
    match scope {
        ServiceScope::Province(p) => format!("/provinces/{p}/service-tokens"),
        ServiceScope::Commune(c) => format!("/communes/{c}/service-tokens"),
    }
}

async fn body(
    state: &AppState,
    scope: ServiceScope,
    place: String,
    user: &User,
    form: Form,
    new_token: Option<String>,
    saved: bool,
) -> Result<Body, WebError> {
    let now = chrono::Utc::now();
    let lines = state
        .store
        .service_tokens_of(scope)
        .await?
        .into_iter()
        .map(|s: ServiceToken| ServiceLine {
            line: TokenLine::new(&s.token, now),
            account: s.account,
            creator: s.creator.unwrap_or_else(|| "—".to_string()),
        })
        .collect();
    let (may_create, creators) = match scope {
        ServiceScope::Province(_) => (
            user.role == toso_domain::UserRole::ProvinceOfficer,
            "cán bộ Sở KH&CN của tỉnh, thành phố",
        ),
        ServiceScope::Commune(_) => (
            user.role == toso_domain::UserRole::CommuneOfficer,
            "cán bộ của xã",
        ),
    };
    Ok(Body {
        base: base(scope),
        place,
        lines,
        form,
        scopes: scope_options(),
        may_create,
        creators,
        new_token,
        saved,
    })
}

// ------------------------------------------------------------ province

/// The province's workspace only: its officers and admin (not the
/// Ministry, which reads).
fn province_officer(ctx: &ProvinceCtx) -> Result<ServiceScope, WebError> {
    if ctx.access == ProvinceAccess::Manage {
        Ok(ServiceScope::Province(ctx.code()))
    } else {
        Err(access::forbidden())
    }
}

async fn province_page(
    state: &AppState,
    ctx: &ProvinceCtx,
    form: Form,
    new_token: Option<String>,
    saved: bool,
) -> Result<ProvincePage, WebError> {
    let scope = province_officer(ctx)?;
    let body = body(
        state,
        scope,
        ctx.province.name.clone(),
        &ctx.user,
        form,
        new_token,
        saved,
    )
    .await?;
    Ok(ProvincePage {
        layout: ctx.layout("service-tokens"),
        csrf: ctx.csrf.clone(),
        body,
    })
}

async fn province_list(state: AppState, ctx: ProvinceCtx, Query(q): Query<PageQuery>) -> Reply {
    render(province_page(&state, &ctx, new_token_form(), None, q.saved()).await?)
}

async fn province_create(
    state: AppState,
    ctx: ProvinceCtx,
    axum::extract::Form(fields): Fields,
) -> Reply {
    province_officer(&ctx)?;
    create(
        &state,
        &ctx.actor(),
        &ctx.user,
        fields,
        async |form, secret| province_page(&state, &ctx, form, secret, false).await,
    )
    .await
}

/// Make a service token of `user`'s province or commune from the posted
/// `fields`; `page` shows the list again: with the new secret (once) and a
/// blank form, or with the form as typed and its refusals.
async fn create<T: Template>(
    state: &AppState,
    actor: &toso_store::Actor,
    user: &User,
    fields: std::collections::HashMap<String, String>,
    page: impl AsyncFnOnce(Form, Option<String>) -> Result<T, WebError>,
) -> Reply {
    let mut form = Form::new(fields);
    if let Some((name, scope, expires_at)) = parse_token_form(&mut form) {
        match state
            .store
            .create_service_token(actor, user, name, scope, expires_at)
            .await
        {
            Ok((_, secret)) => return render(page(new_token_form(), Some(secret)).await?),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(form, None).await?)
}

async fn province_revoke(state: AppState, ctx: ProvinceCtx, Id(id): Id) -> Reply {
    let scope = province_officer(&ctx)?;
    state
        .store
        .revoke_service_token(&ctx.actor(), scope, id)
        .await?;
    Ok(saved(base(scope)))
}

// ------------------------------------------------------------- commune

async fn commune_page(
    state: &AppState,
    ctx: &crate::layout::CommuneCtx,
    form: Form,
    new_token: Option<String>,
    saved: bool,
) -> Result<CommunePage, WebError> {
    let body = body(
        state,
        ServiceScope::Commune(ctx.code),
        ctx.name.clone(),
        &ctx.user,
        form,
        new_token,
        saved,
    )
    .await?;
    Ok(CommunePage {
        layout: ctx.layout("users"),
        csrf: ctx.csrf.clone(),
        body,
    })
}

async fn commune_list(state: AppState, ctx: Manager, Query(q): Query<PageQuery>) -> Reply {
    render(commune_page(&state, &ctx, new_token_form(), None, q.saved()).await?)
}

async fn commune_create(
    state: AppState,
    ctx: Manager,
    axum::extract::Form(fields): Fields,
) -> Reply {
    create(
        &state,
        &ctx.actor(),
        &ctx.user,
        fields,
        async |form, secret| commune_page(&state, &ctx, form, secret, false).await,
    )
    .await
}

async fn commune_revoke(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let scope = ServiceScope::Commune(ctx.code);
    state
        .store
        .revoke_service_token(&ctx.actor(), scope, id)
        .await?;
    Ok(saved(base(scope)))
}

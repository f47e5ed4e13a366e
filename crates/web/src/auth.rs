//! Who is asking: the session cookie (browsers) or an API token
//! (`Authorization: Bearer toso_…`), resolved once per request by
//! [`identify`]; the login and logout pages; the user's own account page
//! (password, personal API tokens with their scope and expiry). What each
//! user may reach is decided in [`crate::access`].

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use toso_domain::Password;
use toso_store::{Actor, User};

use crate::forms::{behind_https, cookie, Choices, Csrf, Form};
use crate::ops::ClientIp;
use crate::params::Id;
use crate::respond::{refused, render};
use crate::tokens::{new_token_form, parse_token_form, scope_options, Grant, TokenLine};
use crate::{AppState, Reply, WebError};

pub const SESSION_COOKIE: &str = "toso_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account).post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// The signed-in user of this request, if any (set by [`identify`]).
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<User>);

/// Middleware: resolve the session cookie or bearer token to a user. A
/// token's request also gets its [`Grant`], is counted against the token's
/// rate limit (over it: 429 with `Retry-After`) and noted as its last use
/// (written later, in a batch: see [`crate::tokens`]).
pub async fn identify(state: AppState, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // The health check and the stylesheet need nobody, and must answer
    // even when looking a session up would fail.
    if matches!(path, "/healthz" | "/livez" | "/readyz" | "/metrics")
        || path.starts_with("/static/")
    {
        request.extensions_mut().insert(Viewer(None));
        return next.run(request).await;
    }
    let api = path.starts_with("/api/");
    let user = match bearer(request.headers()) {
        Some(token) => match state.store.api_token_user(&token).await {
            Ok(Some((user, grant))) => {
                if let Err(retry_after) = state.tokens.admit(grant.token_id) {
                    let error = WebError::TooManyRequests { retry_after };
                    return refuse(error, api.then(|| path.to_string())).await;
                }
                state.tokens.used(grant.token_id, chrono::Utc::now());
                request.extensions_mut().insert(Grant {
                    token_id: grant.token_id,
                    scope: grant.scope,
                });
                Ok(Some(user))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        },
        None => match cookie(request.headers(), SESSION_COOKIE) {
            Some(token) => state.store.session_user(&token).await,
            None => Ok(None),
        },
    };
    match user {
        Ok(user) => {
            request.extensions_mut().insert(Viewer(user));
            next.run(request).await
        }
        Err(e) => {
            let path = api.then(|| request.uri().path().to_string());
            refuse(WebError::from(e), path).await
        }
    }
}

/// An error answered before the request's handler: a page, or under
/// `/api` (`api_path` given) a problem document naming the path.
async fn refuse(error: WebError, api_path: Option<String>) -> Response {
    let response = error.into_response();
    match api_path {
        Some(path) => crate::problem::as_problem(response, Some(path)).await,
        None => response,
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// A signed-in user; anonymous requests are sent to the login page (or get
/// 401 under `/api`).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Viewer>() {
            Some(Viewer(Some(user))) => Ok(CurrentUser(user.clone())),
            _ => Err(WebError::Unauthenticated(
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
            )),
        }
    }
}

impl CurrentUser {
    /// The audit identity of this user at `address`.
    pub fn actor(&self, address: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.0.id),
            name: self.0.username.clone(),
            address,
        }
    }
}

/// The client's address, for the audit log and login throttling.
pub fn address(parts: &Parts) -> Option<String> {
    crate::ops::client_of(parts).map(|c| c.0.to_string())
}

/// Only a local path may follow a login (no open redirect).
fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.clone(),
        _ => "/".to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    form: Form,
    next: String,
    error: Option<String>,
}

async fn login_form(Csrf(csrf): Csrf, Query(q): Query<HashMap<String, String>>) -> Reply {
    render(LoginPage {
        csrf,
        form: Form::default(),
        next: safe_next(q.get("next")),
        error: None,
    })
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("cookie is ASCII")
}

async fn login(
    state: AppState,
    Csrf(csrf): Csrf,
    headers: HeaderMap,
    ClientIp(peer): ClientIp,
    form: Form,
) -> Reply {
    let next = safe_next(Some(&form.value("next").to_string()));
    let address = peer.to_string();
    let outcome = state
        .store
        .verify_login(form.value("login"), form.value("password"), &address)
        .await?;
    match outcome {
        Ok(user) => {
            let token = state.store.create_session(user.id, Some(&address)).await?;
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(
                    &token,
                    toso_store::accounts::SESSION_DAYS * 86_400,
                    behind_https(&headers),
                ),
            );
            tracing::info!(user = %user.username, "đăng nhập");
            Ok(response)
        }
        Err(e) => {
            let status = match e {
                toso_store::LoginError::Throttled => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let mut kept = form.clone();
            kept.clear("password");
            let page = LoginPage {
                csrf,
                form: kept,
                next,
                error: Some(e.to_string()),
            };
            Ok((status, axum::response::Html(page.render()?)).into_response())
        }
    }
}

async fn logout(state: AppState, headers: HeaderMap) -> Reply {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie("", 0, behind_https(&headers)),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    csrf: String,
    user: User,
    role: &'static str,
    form: Form,
    token_form: Form,
    scopes: Choices,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    saved: bool,
}

impl AccountPage {
    /// The page as a first visit shows it: empty forms, no new token.
    async fn load(state: &AppState, me: &Me) -> Result<AccountPage, WebError> {
        let now = chrono::Utc::now();
        let user = me.user.0.clone();
        Ok(AccountPage {
            csrf: me.csrf.clone(),
            role: user.role.label(),
            tokens: state
                .store
                .api_tokens(user.id)
                .await?
                .iter()
                .map(|t| TokenLine::new(t, now))
                .collect(),
            scopes: scope_options(),
            user,
            form: Form::default(),
            token_form: new_token_form(),
            new_token: None,
            saved: false,
        })
    }
}

/// The signed-in person at their own account page: who, the page's CSRF
/// token, and the address their writes are audited from.
struct Me {
    user: CurrentUser,
    csrf: String,
    address: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Me {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Csrf(csrf) = Csrf::from_request_parts(parts, state).await?;
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(ClientIp(peer)) = ClientIp::from_request_parts(parts, state).await;
        Ok(Me {
            user,
            csrf,
            address: peer.to_string(),
        })
    }
}

impl Me {
    fn actor(&self) -> Actor {
        self.user.actor(Some(self.address.clone()))
    }
}

async fn account(state: AppState, me: Me, Query(q): Query<HashMap<String, String>>) -> Reply {
    let mut page = AccountPage::load(&state, &me).await?;
    page.saved = q.contains_key("saved");
    render(page)
}

async fn change_password(state: AppState, me: Me, mut form: Form) -> Reply {
    let user = &me.user.0;
    let current_ok = state
        .store
        .verify_login(&user.username, form.value("current"), &me.address)
        .await?
        .is_ok();
    if !current_ok {
        form.add_error("current", "Mật khẩu hiện tại không đúng.");
    }
    let new = form.field("password", Password::parse);
    if new.is_some() && form.value("password") != form.value("confirm") {
        form.add_error("confirm", "Hai lần nhập mật khẩu mới không khớp.");
    }
    if let (true, Some(password), false) = (current_ok, new, form.has_errors()) {
        state
            .store
            .set_password(&me.actor(), user.id, password)
            .await?;
        // Every session was closed: sign in again with the new password.
        return Ok(Redirect::to("/login?next=/account").into_response());
    }
    for f in ["current", "password", "confirm"] {
        form.clear(f);
    }
    let mut page = AccountPage::load(&state, &me).await?;
    page.form = form;
    refused(page)
}

async fn create_token(state: AppState, me: Me, mut form: Form) -> Reply {
    if let Some((name, scope, expires_at)) = parse_token_form(&mut form) {
        match state
            .store
            .create_api_token(&me.actor(), me.user.0.id, name, scope, expires_at)
            .await
        {
            Ok((_, secret)) => {
                let mut page = AccountPage::load(&state, &me).await?;
                page.new_token = Some(secret);
                return render(page);
            }
            Err(e) => form.refused(e)?,
        }
    }
    let mut page = AccountPage::load(&state, &me).await?;
    page.token_form = form;
    refused(page)
}

async fn revoke_token(state: AppState, me: Me, Id(id): Id) -> Reply {
    state
        .store
        .revoke_api_token(&me.actor(), me.user.0.id, id)
        .await?;
    Ok(Redirect::to("/account?saved").into_response())
}

//! The Tổ Số web app: server-rendered Vietnamese pages that work without
//! JavaScript, the JSON API under `/api`, a health endpoint and the embedded
//! static assets. One router per resource, merged over one shared state.

use std::future::Future;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use toso_store::Store;

mod access;
mod activities;
mod allowance;
mod allowance_policies;
pub mod api;
mod assets;
mod auth;
mod contests;
mod dashboard;
mod documents;
mod error;
mod forms;
mod help;
mod imports;
mod layout;
mod notices;
mod offline;
pub mod ops;
mod pages;
mod params;
mod problem;
mod province;
pub mod reports;
mod respond;
mod server;
mod service_tokens;
mod svg;
mod teams;
mod tokens;
mod training;
mod users;
mod villages;

pub use error::WebError;

/// A fresh client id as the team page puts in its log form (random, 48 hex
/// characters), so that a double click of the form without JavaScript
/// records one activity; public for tools that post the form as the page
/// does (`toso bench writes`).
pub fn new_client_id() -> String {
    forms::new_token()
}
pub use ops::Settings;
pub use server::Limits;

/// Where the JSON API lives (`crate::api`); the layers below it (sign-in,
/// CSRF, error pages) tell its requests by this prefix.
pub const API_PREFIX: &str = "/api/v1";

/// Shared state of every handler; a handler takes it as a plain
/// `state: AppState` parameter (see the extractor below).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Spreadsheets uploaded for a dry run, waiting for confirmation.
    pub uploads: imports::Uploads,
    /// Recent help requests per address (the public intake's limit).
    pub intake: help::Intake,
    /// API tokens' last uses waiting to be written, and their rate limits.
    pub tokens: tokens::TokenState,
    /// The settings, the metrics, readiness (see [`ops`]).
    pub ops: std::sync::Arc<ops::Ops>,
}

impl axum::extract::FromRequestParts<AppState> for AppState {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        _: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(state.clone())
    }
}

/// What a page handler answers: the page, a file or a redirect, or the
/// refusal [`WebError`] renders.
pub type Reply = Result<Response, WebError>;

/// The whole application, with the default [`Limits`].
pub fn router(store: Store) -> Router {
    router_with(store, Limits::default())
}

/// The whole application; `limits.request_timeout` bounds every request,
/// `limits.api_requests_per_minute` each API token. (The tokens' last uses
/// are written by [`serve_with`]'s flush.)
pub fn router_with(store: Store, limits: Limits) -> Router {
    router_configured(
        store,
        Settings {
            limits,
            ..Settings::default()
        },
    )
}

/// The whole application as `settings` describe it.
pub fn router_configured(store: Store, settings: Settings) -> Router {
    let tokens = tokens::TokenState::new(settings.limits.api_requests_per_minute);
    app(store, ops::Ops::new(settings), tokens)
}

fn app(store: Store, ops: std::sync::Arc<ops::Ops>, tokens: tokens::TokenState) -> Router {
    let limits = ops.settings.limits;
    let state = AppState {
        store,
        uploads: imports::Uploads::default(),
        intake: help::Intake::default(),
        tokens,
        ops,
    };
    // Browser routes: every non-GET request must carry the CSRF token.
    let browser = Router::new()
        .merge(pages::router())
        .merge(villages::router())
        .merge(teams::router())
        .merge(documents::router())
        .merge(users::router())
        .merge(imports::router())
        .merge(reports::router())
        .merge(contests::router())
        .merge(auth::router())
        .merge(activities::router())
        .merge(training::router())
        .merge(dashboard::router())
        .merge(province::router())
        .merge(notices::router())
        .merge(help::router())
        .merge(allowance_policies::router())
        .merge(allowance::router())
        .merge(offline::router())
        .merge(service_tokens::router())
        .layer(middleware::from_fn(forms::csrf));
    Router::new()
        .merge(browser)
        .merge(api::router())
        // Under /api, an unknown path is a problem document, not a page.
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .route("/healthz", get(health))
        .merge(ops::router())
        .merge(assets::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), ops::track))
        .with_state(state)
        .layer(middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .compress_when(compress_when()),
        )
        .layer(TraceLayer::new_for_http())
}

/// Which answers are gzipped for a client that accepts it: text (pages, the
/// stylesheet, JSON, CSV, SVG) above 1 KB — an overview page shrinks about
/// five-fold on a phone's connection (BENCHMARKS.md). Files that are
/// compressed already (XLSX and DOCX are zip archives, PDF streams are
/// deflated, images) are sent as they are: gzipping them again costs CPU
/// for nothing.
fn compress_when() -> impl Predicate {
    SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"))
}

/// Serve `router(store)` on `listener` until `shutdown` resolves, then
/// finish the requests in flight and close the database.
pub async fn serve(
    store: Store,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(store, listener, Limits::default(), shutdown).await
}

/// [`serve`] with the given limits on slow clients and connections.
pub async fn serve_with(
    store: Store,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = Settings {
        limits,
        ..Settings::default()
    };
    serve_configured(store, listener, settings, shutdown).await
}

/// [`serve`] as `settings` describe it (the binary's configuration).
pub async fn serve_configured(
    store: Store,
    listener: tokio::net::TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = settings.limits;
    let proxies = settings.trusted_proxies.clone();
    let tokens = tokens::TokenState::new(limits.api_requests_per_minute);
    let ops = ops::Ops::new(settings);
    let app = app(store.clone(), ops.clone(), tokens.clone());
    // Once asked to stop, `/readyz` says so while the requests in flight finish.
    let draining = ops.clone();
    let shutdown = async move {
        shutdown.await;
        draining
            .draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend_name(), "Tổ Số đang phục vụ tại http://{addr}");
    // The clock of citizens' requests: escalate the overdue, erase the
    // personal data whose retention has passed (store::help).
    let sweeper = tokio::spawn(sweep_help_requests(store.clone()));
    // The API tokens' last uses: written every minute, and once more when
    // the server stops.
    let (stop_flushing, stop) = tokio::sync::oneshot::channel();
    let flusher = tokio::spawn(tokens::flush_every_minute(store.clone(), tokens, stop));
    let served = server::run(app, listener, limits, proxies, shutdown).await;
    sweeper.abort();
    let _ = stop_flushing.send(());
    let _ = flusher.await;
    served?;
    store.close().await;
    tracing::info!("đã dừng máy chủ");
    Ok(())
}

/// Every minute, [`Store::idempotency_sweep`] (the API's write keys older
/// than a day) and [`Store::sweep_help_requests`]; a failure is logged and
/// retried the next minute.
async fn sweep_help_requests(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = store.idempotency_sweep(chrono::Utc::now()).await {
            tracing::warn!(error = %e, "idempotency key sweep failed");
        }
        match store.sweep_help_requests(chrono::Utc::now()).await {
            Ok(s) if s.escalated + s.erased > 0 => {
                tracing::info!(
                    escalated = s.escalated,
                    erased = s.erased,
                    "help requests swept"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "help request sweep failed"),
        }
    }
}

async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(serde_json::json!({
            "status": "ok",
            "database": state.store.backend_name(),
        }))
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "status": "unavailable",
                    "message": "Cơ sở dữ liệu không phản hồi.",
                })),
            )
                .into_response()
        }
    }
}

async fn not_found() -> WebError {
    WebError::NotFound("Không có trang này.".into())
}

/// Headers on every response: no inline scripts, no framing, no sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

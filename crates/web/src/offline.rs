//! The team page as an installable web app that logs support offline
//! (issue 21): its web app manifest (the script, the service worker and the
//! icons are served by `assets`), and the JSON answers the script reads
//! when it sends its queue (see `teams::support_log::log_activity`).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::layout::CommuneCtx;
use crate::params::Id;
use crate::{AppState, Reply, WebError};

/// The app's accent colour (`--accent` in app.css): the manifest's theme.
pub(crate) const THEME_COLOR: &str = "#a50e0e";

/// The team's manifest, behind the same access as the team page.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/communes/{code}/teams/{id}/manifest.webmanifest",
        get(manifest),
    )
}

#[derive(Serialize)]
struct Manifest {
    name: String,
    short_name: &'static str,
    lang: &'static str,
    start_url: String,
    scope: String,
    display: &'static str,
    background_color: &'static str,
    theme_color: &'static str,
    icons: [Icon; 3],
}

#[derive(Serialize)]
struct Icon {
    src: &'static str,
    sizes: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The web app manifest of a team page: installing it opens the team's
/// page; its scope is every team page of the commune.
async fn manifest(state: AppState, ctx: CommuneCtx, Id(id): Id) -> Reply {
    let team = ctx.load(state.store.team(id)).await?;
    ctx.access.team_view(team.id)?;
    let teams = format!("/communes/{}/teams/", ctx.code);
    let manifest = Manifest {
        name: format!("Tổ Số — {}", team.name),
        short_name: "Tổ Số",
        lang: "vi",
        start_url: format!("{teams}{}", team.id),
        scope: teams,
        display: "standalone",
        background_color: "#ffffff",
        theme_color: THEME_COLOR,
        icons: [
            Icon {
                src: "/static/icon-192.png",
                sizes: "192x192",
                kind: "image/png",
            },
            Icon {
                src: "/static/icon-512.png",
                sizes: "512x512",
                kind: "image/png",
            },
            Icon {
                src: "/static/icon.svg",
                sizes: "any",
                kind: "image/svg+xml",
            },
        ],
    };
    let body = serde_json::to_string(&manifest)
        .map_err(|e| WebError::Internal(format!("manifest: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}

/// Whether the request asks for JSON (the script sending its queue) rather
/// than a page.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("application/json"))
}

/// What the script reads after sending an entry: the activity's id, and
/// whether this user had already sent it (the original's id then).
#[derive(Serialize)]
struct Logged {
    id: i64,
    repeat: bool,
}

/// 201 for an activity recorded now, 200 for a repeat of one already
/// recorded.
pub(crate) fn logged(id: i64, repeat: bool) -> Response {
    let status = if repeat {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(Logged { id, repeat })).into_response()
}

/// A refusal of one field, as JSON (422).
pub(crate) fn refused_field(field: &'static str, message: String) -> Response {
    json_error(WebError::Invalid(toso_domain::DomainError::new(
        field, message,
    )))
}

/// Why the session is missing, for the script: it keeps its queue until
/// the member signs in again.
const SIGN_IN_AGAIN: &str =
    "Vui lòng đăng nhập lại để gửi các lượt hỗ trợ đang chờ. Các lượt này vẫn được giữ trên máy.";

/// An error as the script reads it: `{"error", "message", "field"?}` with
/// its status; not signed in is 401 (a browser gets the redirect to the
/// login page instead).
pub(crate) fn json_error(err: WebError) -> Response {
    if let WebError::Unauthenticated(_) = err {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({
                "error": "unauthenticated",
                "message": SIGN_IN_AGAIN,
            })),
        )
            .into_response();
    }
    let html = err.into_response();
    let status = html.status();
    let retry = html.headers().get(header::RETRY_AFTER).cloned();
    let Some(body) = html.extensions().get::<crate::error::ErrorBody>().cloned() else {
        return html;
    };
    let mut json = (status, Json(body)).into_response();
    if let Some(retry) = retry {
        json.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    json.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_is_the_stylesheets_accent() {
        let css = include_str!("../static/app.css");
        assert!(css.contains(&format!("--accent: {THEME_COLOR};")));
    }

    #[test]
    fn json_is_asked_for_by_accept() {
        let mut h = HeaderMap::new();
        assert!(!wants_json(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/html,*/*"));
        assert!(!wants_json(&h));
        h.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/plain"),
        );
        assert!(wants_json(&h));
    }

    #[test]
    fn errors_as_json_keep_their_status_and_field() {
        let r = refused_field("activity_date", "Ngày hỗ trợ sai.".into());
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = json_error(WebError::Unauthenticated("/x".into()));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = json_error(crate::access::forbidden());
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            r.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
    }
}

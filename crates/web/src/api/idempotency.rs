//! `Idempotency-Key` on the API's writes: the first request under a key is
//! run and its answer remembered (for a day); a repeat of the same request
//! (same method, path and body) gets that answer back, with the header
//! `Idempotent-Replayed: true`, and records nothing new; the same key on
//! another request is refused (422), and a repeat while the first is still
//! running is asked to wait (409 with `Retry-After`). A refused request
//! (4xx, 5xx) keeps nothing, so the corrected request may reuse its key.
//! The keys are kept per account in the store ([`toso_store::idempotency`]).

// A problem document is a few strings: returned at most once per request,
// it is not worth a box.
#![allow(clippy::result_large_err)]

use std::future::Future;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use toso_store::Claim;

use crate::problem::{Problem, ProblemKind};
use crate::{AppState, WebError};

/// The header a client names its write with.
pub const HEADER: &str = "idempotency-key";

/// The largest answer remembered (the API's write answers are small).
const MAX_ANSWER: usize = 256 * 1024;

/// The `Idempotency-Key` header as every write route describes it, for
/// the route's `params(…)`.
pub struct KeyParam;

impl utoipa::IntoParams for KeyParam {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "A key of the client's (1–255 visible ASCII characters, e.g. a UUID): the same request sent again with it returns the first answer and records nothing new",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build()]
    }
}

/// The request's `Idempotency-Key`, checked: 1 to 255 visible ASCII
/// characters (a UUID is the usual choice). `None` when absent.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(raw) = headers.get(HEADER) else {
        return Ok(None);
    };
    let refuse = |detail: &str| Problem::invalid("Idempotency-Key", detail);
    let text = raw
        .to_str()
        .map_err(|_| refuse("Idempotency-Key chỉ được gồm ký tự ASCII nhìn thấy được."))?
        .trim();
    // A structured-field string ("…") is read as its content.
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty() || text.len() > 255 {
        return Err(refuse("Idempotency-Key phải dài từ 1 đến 255 ký tự."));
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(refuse(
            "Idempotency-Key chỉ được gồm ký tự ASCII nhìn thấy được (không dấu cách).",
        ));
    }
    Ok(Some(text.to_string()))
}

/// What makes two requests the same: method, path and body.
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update(b" ");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The id an activity written under `key` carries as its client id, so
/// that even a request run twice (its first answer lost in a crash) writes
/// one activity: `api-` and 40 hex characters of the key's hash.
pub fn client_id(key: &str) -> toso_domain::ClientId {
    let hex: String = Sha256::digest(key.as_bytes())
        .iter()
        .take(20)
        .map(|b| format!("{b:02x}"))
        .collect();
    toso_domain::ClientId::parse(&format!("api-{hex}")).expect("a valid client id")
}

/// Run `write` once per `key` of `user_id` (every time when there is no
/// key).
pub async fn once<Fut>(
    state: &AppState,
    user_id: i64,
    key: Option<&str>,
    fingerprint: &str,
    write: impl FnOnce() -> Fut,
) -> Response
where
    Fut: Future<Output = Response>,
{
    let Some(key) = key else {
        return write().await;
    };
    let claim = state
        .store
        .idempotency_claim(user_id, key, fingerprint, chrono::Utc::now())
        .await;
    match claim {
        Err(e) => WebError::from(e).into_response(),
        Ok(Claim::Done { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            replayed(response)
        }
        Ok(Claim::InFlight) => {
            let mut response = Problem {
                field: Some("Idempotency-Key".into()),
                ..Problem::new(
                    ProblemKind::IdempotencyInFlight,
                    "Yêu cầu với cùng Idempotency-Key đang được xử lý; vui lòng gửi lại sau giây lát để nhận kết quả.",
                )
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Ok(Claim::Mismatch) => mismatch().into_response(),
        Ok(Claim::New) => {
            let response = write().await;
            if !response.status().is_success() {
                if let Err(e) = state.store.idempotency_release(user_id, key).await {
                    tracing::warn!(error = %e, "idempotency key not released");
                }
                return response;
            }
            let (parts, body) = response.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_ANSWER).await {
                Ok(bytes) => bytes,
                Err(e) => return WebError::Internal(e.to_string()).into_response(),
            };
            let text = String::from_utf8_lossy(&bytes);
            if let Err(e) = state
                .store
                .idempotency_finish(user_id, key, parts.status.as_u16(), &text)
                .await
            {
                // Written but not remembered: a repeat within the stale
                // time is told to wait, after it runs again (an activity
                // is still written once, by its client id).
                tracing::warn!(error = %e, "idempotency answer not kept");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// A first answer sent again: marked `Idempotent-Replayed: true`.
pub fn replayed(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// The refusal of a key already used for another request.
pub fn mismatch() -> Problem {
    Problem {
        field: Some("Idempotency-Key".into()),
        ..Problem::new(
            ProblemKind::IdempotencyMismatch,
            "Idempotency-Key này đã được dùng cho một yêu cầu khác (khác đường dẫn hoặc nội dung). Hãy dùng một khóa mới cho yêu cầu mới.",
        )
    }
}

//! The API's errors as problem details (RFC 9457, `application/problem+json`):
//! a stable `type` per kind of error (documented at `/api/v1/docs#problems`),
//! a Vietnamese `title`, the HTTP `status`, a `detail` naming what was wrong,
//! the `field` in error where there is one, and the `instance` (the path
//! asked for). The API's own extractors ([`ApiQuery`], [`parse_json`]) refuse
//! bad input with a problem naming the parameter or field; every other error
//! of a handler is a [`WebError`] whose page the [`problems`] layer turns
//! into its problem document.

// A problem document is a few strings: returned at most once per request,
// it is not worth a box.
#![allow(clippy::result_large_err)]

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ErrorBody;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What every API route may answer besides its success, for the route's
/// `responses(…)`: any 4xx, as a problem document. One description, so
/// that every route's refusals read the same in the OpenAPI document.
pub struct Refusals;

impl utoipa::IntoResponses for Refusals {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build();
        let response = ResponseBuilder::new()
            .description("Lỗi")
            .content(PROBLEM_JSON, problem)
            .build();
        [("4XX".to_string(), response.into())].into()
    }
}

/// Every kind of error the API answers, each with its stable `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Invalid,
    NotFound,
    MethodNotAllowed,
    Unauthenticated,
    Forbidden,
    ReadOnlyToken,
    UnsupportedMediaType,
    TooLarge,
    TooManyRequests,
    IdempotencyInFlight,
    IdempotencyMismatch,
    Unavailable,
    StorageFull,
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 14] = [
        ProblemKind::Invalid,
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Unauthenticated,
        ProblemKind::Forbidden,
        ProblemKind::ReadOnlyToken,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::TooLarge,
        ProblemKind::TooManyRequests,
        ProblemKind::IdempotencyInFlight,
        ProblemKind::IdempotencyMismatch,
        ProblemKind::Unavailable,
        ProblemKind::StorageFull,
        ProblemKind::Internal,
    ];

    /// The anchor of the kind in the reference page, and the last part of
    /// its `type`.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "invalid",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::ReadOnlyToken => "read-only-token",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::TooLarge => "too-large",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::IdempotencyInFlight => "idempotency-in-flight",
            ProblemKind::IdempotencyMismatch => "idempotency-mismatch",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::StorageFull => "storage-full",
            ProblemKind::Internal => "internal",
        }
    }

    /// The problem's `type`: a URI reference to its description.
    pub fn type_uri(self) -> String {
        format!("/api/v1/docs#problem-{}", self.slug())
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::Invalid | ProblemKind::IdempotencyMismatch => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden | ProblemKind::ReadOnlyToken => StatusCode::FORBIDDEN,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::IdempotencyInFlight => StatusCode::CONFLICT,
            ProblemKind::Unavailable | ProblemKind::StorageFull => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem's `title`: the same for every occurrence of the kind.
    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "Dữ liệu chưa hợp lệ",
            ProblemKind::NotFound => "Không tìm thấy",
            ProblemKind::MethodNotAllowed => "Phương thức không được hỗ trợ",
            ProblemKind::Unauthenticated => "Chưa xác thực",
            ProblemKind::Forbidden => "Không được phép",
            ProblemKind::ReadOnlyToken => "Mã truy cập chỉ có quyền đọc",
            ProblemKind::UnsupportedMediaType => "Kiểu dữ liệu không được hỗ trợ",
            ProblemKind::TooLarge => "Dữ liệu quá lớn",
            ProblemKind::TooManyRequests => "Quá nhiều yêu cầu",
            ProblemKind::IdempotencyInFlight => "Yêu cầu cùng khóa đang được xử lý",
            ProblemKind::IdempotencyMismatch => "Khóa chống ghi trùng đã dùng cho yêu cầu khác",
            ProblemKind::Unavailable => "Tạm thời gián đoạn",
            ProblemKind::StorageFull => "Ổ đĩa đã đầy",
            ProblemKind::Internal => "Lỗi máy chủ",
        }
    }

    /// When a client meets this kind, and what to do: the reference page.
    pub fn description(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "A parameter or a field was refused (wrong type, out of range, unknown, missing); `field` names it and nothing was written. Correct it and send again.",
            ProblemKind::NotFound => "No such route, or no such record in the caller's scope: a record of another commune or province is not found, as if it did not exist.",
            ProblemKind::MethodNotAllowed => "The route exists but not with this HTTP method.",
            ProblemKind::Unauthenticated => "No token, or a token that is unknown, revoked or expired, or whose account is locked.",
            ProblemKind::Forbidden => "The token's account may not read or write this (outside its province, commune or team, or not its role).",
            ProblemKind::ReadOnlyToken => "A write with a read token, or with a browser session: writes need a token with the write scope.",
            ProblemKind::UnsupportedMediaType => "A write whose body is not `application/json`.",
            ProblemKind::TooLarge => "The request's body is larger than the server accepts.",
            ProblemKind::TooManyRequests => "The token sent more requests in a minute than it may; `Retry-After` says in how many seconds to try again.",
            ProblemKind::IdempotencyInFlight => "A request with the same `Idempotency-Key` is still being handled; send again after `Retry-After` seconds to get its result.",
            ProblemKind::IdempotencyMismatch => "The `Idempotency-Key` was already used by this account for another request (another route or body): use a new key for a new request.",
            ProblemKind::Unavailable => "The database does not answer; nothing was written. Try again after `Retry-After` seconds.",
            ProblemKind::StorageFull => "The database's disk is full; nothing was written, reading works.",
            ProblemKind::Internal => "A fault of the server, logged; the answer says nothing more.",
        }
    }

    /// The kind of a web error body's `error` code.
    fn of_code(code: &str, status: StatusCode) -> ProblemKind {
        match code {
            "invalid" => ProblemKind::Invalid,
            "not_found" => ProblemKind::NotFound,
            "unauthenticated" => ProblemKind::Unauthenticated,
            "forbidden" => ProblemKind::Forbidden,
            "too_large" => ProblemKind::TooLarge,
            "too_many_requests" => ProblemKind::TooManyRequests,
            "unavailable" => ProblemKind::Unavailable,
            "storage_full" => ProblemKind::StorageFull,
            _ if status == StatusCode::REQUEST_TIMEOUT => ProblemKind::Unavailable,
            _ => ProblemKind::Internal,
        }
    }
}

/// A problem document (RFC 9457).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "/api/v1/docs#problem-invalid",
    "title": "Dữ liệu chưa hợp lệ",
    "status": 422,
    "detail": "Ngày báo cáo không hợp lệ: «31/02/2025».",
    "field": "as_of",
    "instance": "/api/v1/communes/11914/indicators"
}))]
pub struct Problem {
    /// The kind of error, stable: a reference to its description in the
    /// API's reference page (`/api/v1/docs#problem-…`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind's title, in Vietnamese (the same for every occurrence).
    pub title: String,
    /// The HTTP status code of the answer.
    pub status: u16,
    /// What was wrong with this request, in Vietnamese, for a person.
    pub detail: String,
    /// The parameter or body field in error (`as_of`, `citizens_helped`,
    /// `Idempotency-Key`…), when the error is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The path the request asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Problem {
        Problem {
            kind: kind.type_uri(),
            title: kind.title().to_string(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            field: None,
            instance: None,
        }
    }

    /// A refused parameter or field.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            field: Some(field.into()),
            ..Problem::new(ProblemKind::Invalid, detail)
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// Middleware of the API router: an error answered as a page (a
/// [`WebError`](crate::WebError), which leaves its [`ErrorBody`] in the
/// response) or as axum's bare 404/405 becomes its problem document, with
/// the path asked for as `instance` and `Retry-After` kept.
pub async fn problems(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    as_problem(next.run(request).await, Some(path)).await
}

/// `response` as a problem document when it is an error (see
/// [`problems`]), with `instance` when the path is known.
pub async fn as_problem(response: Response, path: Option<String>) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let status = response.status();
    let mut problem = match response.extensions().get::<ErrorBody>().cloned() {
        Some(body) => {
            let kind = ProblemKind::of_code(body.error, status);
            let mut p = Problem::new(kind, body.message);
            p.field = body.field.map(str::to_string);
            p
        }
        None if is_problem => {
            // Made by the API itself: add the instance.
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 64 * 1024)
                .await
                .unwrap_or_default();
            return match serde_json::from_slice::<Problem>(&bytes) {
                Ok(mut p) if p.instance.is_none() && path.is_some() => {
                    p.instance = path;
                    let mut out = p.into_response();
                    copy_retry_after(&parts.headers, &mut out);
                    out
                }
                _ => {
                    parts.headers.remove(header::CONTENT_LENGTH);
                    Response::from_parts(parts, axum::body::Body::from(bytes))
                }
            };
        }
        None if status == StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            ProblemKind::MethodNotAllowed,
            "Đường dẫn này không nhận phương thức HTTP đã dùng.",
        ),
        None if status == StatusCode::NOT_FOUND => Problem::new(
            ProblemKind::NotFound,
            "Không có đường dẫn API này. Xem danh sách tại /api/v1/docs.",
        ),
        None if status == StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(ProblemKind::TooLarge, "Dữ liệu gửi lên quá lớn.")
        }
        None => return response,
    };
    if status == StatusCode::SEE_OTHER {
        // "Not signed in" renders as a redirect to the login page.
        problem.status = StatusCode::UNAUTHORIZED.as_u16();
    }
    problem.instance = path;
    let mut out = problem.into_response();
    copy_retry_after(response.headers(), &mut out);
    out
}

fn copy_retry_after(from: &axum::http::HeaderMap, to: &mut Response) {
    if let Some(retry) = from.get(header::RETRY_AFTER) {
        to.headers_mut().insert(header::RETRY_AFTER, retry.clone());
    }
}

/// Typed query parameters: an unknown parameter, a value of the wrong type
/// or a missing one is refused with a problem naming it. (A parameter
/// given twice keeps its last value, as the pages do.)
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| Problem::invalid("query", "Chuỗi tham số không đọc được."))?;
        let mut last: Vec<(String, String)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match last.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => last.push((k, v)),
            }
        }
        let once = serde_urlencoded::to_string(&last)
            .map_err(|_| Problem::invalid("query", "Chuỗi tham số không đọc được."))?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(&once));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| refusal(&e, "tham số"))
    }
}

fn form_urlencoded_parse(s: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(s.as_bytes())
}

/// The JSON body of a write: `Content-Type: application/json`, and fields
/// checked as [`ApiQuery`] checks parameters (unknown fields refused).
pub fn parse_json<T: DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<T, Problem> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| {
            let t = t.split(';').next().unwrap_or_default().trim();
            t.eq_ignore_ascii_case("application/json")
        });
    if !json {
        let mut p = Problem::new(
            ProblemKind::UnsupportedMediaType,
            "Dữ liệu gửi lên phải là JSON (Content-Type: application/json).",
        );
        p.field = Some("Content-Type".into());
        return Err(p);
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let detail = if e.is_eof() && body.iter().all(u8::is_ascii_whitespace) {
            "Thiếu dữ liệu gửi lên: cần một đối tượng JSON.".to_string()
        } else {
            format!(
                "Dữ liệu JSON không đúng cú pháp (dòng {}, cột {}).",
                e.line(),
                e.column()
            )
        };
        Problem::invalid("body", detail)
    })?;
    if !value.is_object() {
        return Err(Problem::invalid(
            "body",
            "Dữ liệu gửi lên phải là một đối tượng JSON ({ … }).",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| refusal(&e, "trường"))
}

/// A serde refusal in Vietnamese, naming the parameter or field.
fn refusal<E: std::fmt::Display>(e: &serde_path_to_error::Error<E>, what: &str) -> Problem {
    let inner = e.inner().to_string();
    let path = e.path().to_string();
    if let Some(name) = between(&inner, "unknown field `", "`") {
        return Problem::invalid(
            name,
            format!("Không có {what} «{name}»: xem các {what} nhận được tại /api/v1/docs."),
        );
    }
    if let Some(name) = between(&inner, "missing field `", "`") {
        return Problem::invalid(name, format!("Thiếu {what} bắt buộc «{name}»."));
    }
    let field = if path == "." || path.is_empty() {
        "body".to_string()
    } else {
        path
    };
    let detail = if inner.contains("invalid type") {
        format!("Giá trị của {what} «{field}» sai kiểu dữ liệu.")
    } else if inner.contains("invalid value") || inner.contains("out of range") {
        format!("Giá trị của {what} «{field}» nằm ngoài phạm vi cho phép.")
    } else if inner.contains("EOF") || inner.contains("expected") || inner.contains("key must") {
        "Dữ liệu JSON không đúng cú pháp.".to_string()
    } else {
        format!("Giá trị của {what} «{field}» không hợp lệ.")
    };
    Problem::invalid(field, detail)
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

//! The web layer's one error type. It renders an HTML page for browsers; the
//! `/api` router turns the same error into a problem document (see
//! [`crate::problem`]).

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use toso_domain::DomainError;
use toso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The user's input was refused; names the field.
    #[error("{}", .0.message)]
    Invalid(DomainError),
    #[error("{0}")]
    NotFound(String),
    /// Not signed in: browsers go to the login page (with where they were
    /// going), the API answers 401.
    #[error("Vui lòng đăng nhập.")]
    Unauthenticated(String),
    /// Not allowed (a forged or expired form, outside one's scope).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooLarge(String),
    /// An API token sent more requests in a minute than it may: 429.
    #[error("Quá nhiều yêu cầu từ mã truy cập này. Vui lòng thử lại sau {retry_after} giây.")]
    TooManyRequests { retry_after: u64 },
    /// The database is unreachable: 503, the server keeps running.
    #[error("Cơ sở dữ liệu tạm thời không phản hồi. Vui lòng thử lại sau ít phút.")]
    Unavailable,
    /// The database has no space left: nothing was saved; reading works.
    #[error(
        "Ổ đĩa của cơ sở dữ liệu đã đầy nên dữ liệu chưa được lưu. \
         Vui lòng báo quản trị viên giải phóng dung lượng rồi thử lại."
    )]
    StorageFull,
    #[error("Đã có lỗi ở máy chủ. Lỗi đã được ghi lại; vui lòng thử lại sau.")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Invalid(e) => WebError::Invalid(e),
            StoreError::NotFound(m) => WebError::NotFound(m),
            e if e.is_full() => WebError::StorageFull,
            e if e.is_unavailable() => WebError::Unavailable,
            e => WebError::Internal(e.to_string()),
        }
    }
}

impl From<DomainError> for WebError {
    fn from(err: DomainError) -> Self {
        WebError::Invalid(err)
    }
}

impl From<askama::Error> for WebError {
    fn from(err: askama::Error) -> Self {
        WebError::Internal(format!("template: {err}"))
    }
}

/// What a JSON error body carries; also stored in the response's extensions
/// so the `/api` layer can re-render it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub error: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Unauthenticated(_) => StatusCode::SEE_OTHER,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unavailable | WebError::StorageFull => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        let (error, field) = match self {
            WebError::Invalid(e) => ("invalid", Some(e.field)),
            WebError::NotFound(_) => ("not_found", None),
            WebError::Unauthenticated(_) => ("unauthenticated", None),
            WebError::Forbidden(_) => ("forbidden", None),
            WebError::TooLarge(_) => ("too_large", None),
            WebError::TooManyRequests { .. } => ("too_many_requests", None),
            WebError::Unavailable => ("unavailable", None),
            WebError::StorageFull => ("storage_full", None),
            WebError::Internal(_) => ("internal", None),
        };
        ErrorBody {
            error,
            message: self.to_string(),
            field,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    status: u16,
    message: &'a str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Unauthenticated(next) = &self {
            let target: String = format!("/login?next={}", encode_component(next));
            let mut response = axum::response::Redirect::to(&target).into_response();
            response.extensions_mut().insert(self.body());
            return response;
        }
        if let WebError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let body = self.body();
        let retry_after = match &self {
            WebError::TooManyRequests { retry_after } => Some(*retry_after),
            _ => None,
        };
        let title = match status {
            StatusCode::NOT_FOUND => "Không tìm thấy",
            StatusCode::FORBIDDEN => "Không được phép",
            StatusCode::PAYLOAD_TOO_LARGE => "Dữ liệu quá lớn",
            StatusCode::UNPROCESSABLE_ENTITY => "Dữ liệu chưa hợp lệ",
            StatusCode::SERVICE_UNAVAILABLE => "Tạm thời gián đoạn",
            StatusCode::TOO_MANY_REQUESTS => "Quá nhiều yêu cầu",
            _ => "Lỗi máy chủ",
        };
        let page = ErrorPage {
            title,
            status: status.as_u16(),
            message: &body.message,
        }
        .render()
        .unwrap_or_else(|_| body.message.clone());
        let mut response = (status, Html(page)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// Percent-encode a path for a query parameter.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

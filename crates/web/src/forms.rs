//! HTML forms: the values typed, the Vietnamese error beside each field, and
//! CSRF protection for every state-changing request from a browser.
//!
//! CSRF uses the double-submit pattern: a random token in an HttpOnly,
//! SameSite=Lax cookie, repeated in a hidden `csrf` field of every form; a
//! POST whose field does not match the cookie is refused before any handler
//! runs. A cross-site page can neither read the cookie nor set it.

use std::collections::HashMap;

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use toso_domain::{DomainError, Vocabulary};
use toso_store::StoreError;

use crate::WebError;

/// The options of a `<select>`: (the value sent, the label shown), in the
/// order shown.
pub type Choices = Vec<(String, String)>;

/// Choices written out as (value, label) pairs.
pub fn choices_from(pairs: &[(&str, &str)]) -> Choices {
    pairs
        .iter()
        .map(|(value, label)| (value.to_string(), label.to_string()))
        .collect()
}

/// The choices of a vocabulary's values, in the order given: (code, label).
pub fn choices<T: Vocabulary>(values: &[T]) -> Choices {
    values
        .iter()
        .map(|v| (v.code().to_string(), v.label().to_string()))
        .collect()
}

pub const CSRF_COOKIE: &str = "toso_csrf";
pub const CSRF_FIELD: &str = "csrf";
/// The largest urlencoded form accepted (uploads have their own limit).
const FORM_LIMIT: usize = 256 * 1024;
/// How much of a too-large form is read (and dropped) before the refusal:
/// the router's body limit.
const DRAIN_LIMIT: usize = 2 * 1024 * 1024;

/// The request's CSRF token, for the hidden field of its forms.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

/// The value of cookie `name`.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Behind a TLS-terminating proxy the cookie is marked Secure.
pub fn behind_https(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A random token (48 hex characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    // Constant time over the token length.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Middleware for the browser routes: issue the token, and check it on
/// every request that is not GET or HEAD.
pub async fn csrf(request: Request, next: Next) -> Response {
    let existing = cookie(request.headers(), CSRF_COOKIE).filter(|t| t.len() == 48);
    let token = existing.clone().unwrap_or_else(new_token);
    let https = behind_https(request.headers());
    let (mut parts, body) = request.into_parts();
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let forged = || {
        WebError::Forbidden(
            "Biểu mẫu đã hết hạn hoặc không gửi từ Tổ Số. Vui lòng tải lại trang và thử lại."
                .into(),
        )
        .into_response()
    };
    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        body
    } else if multipart {
        // An upload is not buffered here: its form carries the token in
        // the query string of its action instead.
        let sent = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
        match (&existing, sent) {
            (Some(cookie), Some(sent)) if same(cookie, &sent) => body,
            _ => return forged(),
        }
    } else {
        // Read on past the form limit, up to the router's body limit,
        // before refusing: answering while the client is still sending
        // makes its connection reset before it reads the answer.
        let bytes = match to_bytes(body, DRAIN_LIMIT).await {
            Ok(b) if b.len() <= FORM_LIMIT => b,
            _ => {
                return WebError::TooLarge("Biểu mẫu quá lớn.".into()).into_response();
            }
        };
        let sent: Option<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v)
            })
            .or_else(|| {
                parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            });
        match (&existing, sent) {
            (Some(cookie), Some(sent)) if same(cookie, &sent) => {}
            _ => return forged(),
        }
        Body::from(bytes)
    };
    parts.extensions.insert(Csrf(token.clone()));
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if existing.is_none() {
        let secure = if https { "; Secure" } else { "" };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"
        )) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Csrf>()
            .cloned()
            .ok_or_else(|| WebError::Internal("CSRF middleware missing".into()))
    }
}

/// A submitted form: what was typed (kept on error) and the errors by field.
#[derive(Debug, Default, Clone)]
pub struct Form {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl Form {
    pub fn new(values: HashMap<String, String>) -> Form {
        Form {
            values,
            errors: HashMap::new(),
        }
    }

    /// A form filled with existing values (for editing).
    pub fn filled<const N: usize>(pairs: [(&str, String); N]) -> Form {
        Form::new(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Whether the field was sent at all (a ticked box, even empty).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    pub fn selected(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Errors that belong to no field shown (listed at the top of the form).
    pub fn general_errors(&self, shown: &[&str]) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(k, _)| !shown.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Parse one field; on failure record the message beside `name`.
    pub fn field<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        let raw = self.value(name).to_string();
        match parse(raw.trim()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.entry(name.to_string()).or_insert(e.message);
                None
            }
        }
    }

    /// An optional field: empty is `None`, otherwise parsed.
    pub fn optional<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        if self.value(name).trim().is_empty() {
            Some(None)
        } else {
            self.field(name, parse).map(Some)
        }
    }

    /// A date field (dd/mm/yyyy) named `name`, labelled `label` in its
    /// refusal.
    pub fn date(&mut self, name: &'static str, label: &'static str) -> Option<chrono::NaiveDate> {
        self.field(name, |s| toso_domain::parse_date(s, name, label))
    }

    /// An optional date field: empty is `None`.
    pub fn optional_date(
        &mut self,
        name: &'static str,
        label: &'static str,
    ) -> Option<Option<chrono::NaiveDate>> {
        self.optional(name, |s| toso_domain::parse_date(s, name, label))
    }

    /// A whole number of people, dossiers, hours or days (at least 0)
    /// named `name`, labelled `label` in its refusal.
    pub fn count(&mut self, name: &'static str, label: &'static str) -> Option<i32> {
        self.field(name, count_field(name, label))
    }

    /// An optional count: empty is `None`.
    pub fn optional_count(
        &mut self,
        name: &'static str,
        label: &'static str,
    ) -> Option<Option<i32>> {
        self.optional(name, count_field(name, label))
    }

    /// A free-text field (a note, a report's text) as typed, without the
    /// control characters a database cannot store (NUL) or a page cannot
    /// show; line breaks and tabs are kept.
    pub fn free_text(&self, name: &str) -> String {
        free_text(self.value(name))
    }

    /// Forget a typed value (passwords are never sent back).
    pub fn clear(&mut self, name: &str) {
        self.values.remove(name);
    }

    pub fn add_error(&mut self, name: &str, message: impl Into<String>) {
        self.errors
            .entry(name.to_string())
            .or_insert(message.into());
    }

    /// Put a refusal from the store beside its field; other errors pass on.
    pub fn refused(&mut self, err: StoreError) -> Result<(), WebError> {
        match err {
            StoreError::Invalid(e) => {
                self.add_error(e.field, e.message);
                Ok(())
            }
            other => Err(other.into()),
        }
    }
}

/// A whole number of people or dossiers (at least 0), as typed.
fn count_field(
    field: &'static str,
    label: &'static str,
) -> impl Fn(&str) -> Result<i32, toso_domain::DomainError> {
    move |s| {
        let n: i64 = s.trim().parse().map_err(|_| {
            toso_domain::DomainError::new(
                field,
                format!("{label} «{s}» phải là một số nguyên, ví dụ 3."),
            )
        })?;
        if n < 0 {
            return Err(toso_domain::DomainError::new(
                field,
                format!("{label} không được là số âm."),
            ));
        }
        i32::try_from(n)
            .map_err(|_| toso_domain::DomainError::new(field, format!("{label} quá lớn.")))
    }
}

/// `s` without control characters other than line breaks and tabs (NUL
/// cannot be stored in PostgreSQL text).
pub fn free_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// The form body of a POST (the CSRF middleware has already checked it),
/// as the name → value map (for the few forms read other than by field).
pub type Fields = axum::extract::Form<HashMap<String, String>>;

/// A handler takes the posted form as a `form: Form` parameter.
impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = axum::extract::rejection::FormRejection;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Form(fields) = Fields::from_request(request, state).await?;
        Ok(Form::new(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_compared_exactly() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same(&a, &a[..47]));
    }

    #[test]
    fn a_form_keeps_values_and_errors_by_field() {
        let mut f = Form::new(HashMap::from([("phone".to_string(), "123".to_string())]));
        assert!(f.field("phone", toso_domain::PhoneNumber::parse).is_none());
        assert!(f.error("phone").unwrap().contains("Số điện thoại"));
        assert_eq!(f.value("phone"), "123");
        assert_eq!(
            f.optional("missing", toso_domain::PhoneNumber::parse),
            Some(None)
        );
        assert!(f.has_errors());
    }
}

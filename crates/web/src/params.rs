//! Parsing of path and query parameters with Vietnamese errors naming the
//! parameter (axum's own rejections would answer in English plain text).

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use toso_domain::{format_date, parse_date, DomainError, IndicatorCode, Node};
use toso_store::Period;

use crate::WebError;

/// `as_of` as dd/mm/yyyy or ISO; today (Vietnam) when absent or empty.
pub fn as_of(input: Option<&str>) -> Result<NaiveDate, WebError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(parse_date(s, "as_of", "Ngày báo cáo")?),
        None => Ok(toso_store::today()),
    }
}

/// The period from `until` (default today) and `from` (optional), both
/// dd/mm/yyyy or ISO: a start after the end is refused, naming `from`. The
/// pages' queries and the API's read their period through it.
pub fn period(until: Option<&str>, from: Option<&str>) -> Result<Period, WebError> {
    let until = as_of(until)?;
    let from = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_date(s, "from", "Từ ngày")?),
        None => None,
    };
    if let Some(f) = from.filter(|f| *f > until) {
        return Err(DomainError::new(
            "from",
            format!(
                "Từ ngày {} không được sau đến ngày {}.",
                format_date(f),
                format_date(until)
            ),
        )
        .into());
    }
    Ok(Period { from, until })
}

/// The value of the path segment `{name}` of the matched route (404 when
/// the route has none): the extractors read their commune or province
/// through it.
pub async fn path_segment<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<String, WebError> {
    let raw = axum::extract::RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| WebError::NotFound("Không có trang này.".into()))?;
    raw.iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| WebError::NotFound("Không có trang này.".into()))
}

/// A commune code from the path.
pub fn commune_code(input: &str) -> Result<i32, WebError> {
    input
        .trim()
        .parse::<i32>()
        .map_err(|_| WebError::NotFound(format!("Mã xã, phường, đặc khu «{input}» không hợp lệ.")))
}

/// A province code from a path (1 to 99).
pub fn province_code(raw: &str) -> Result<i32, WebError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=99).contains(c))
        .ok_or_else(|| {
            toso_domain::DomainError::new("code", format!("Mã tỉnh «{raw}» không hợp lệ.")).into()
        })
}

/// `node=commune:11914` (required).
pub fn node(input: Option<&str>) -> Result<Node, WebError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Node::parse(s)?),
        None => Err(DomainError::new(
            "node",
            "Thiếu tham số node: cần dạng province:31, commune:11914 hoặc village:5.",
        )
        .into()),
    }
}

/// An indicator key from the path (`members`, `coverage`, …).
pub fn indicator(key: &str) -> Result<IndicatorCode, WebError> {
    IndicatorCode::from_key(key)
        .ok_or_else(|| WebError::NotFound(format!("Không có chỉ tiêu «{key}».")))
}

/// A record id from the path.
pub fn id(input: &str) -> Result<i64, WebError> {
    input
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::NotFound(format!("Không có hồ sơ số «{input}».")))
}

/// The record named by the `{id}` path segment, parsed ([`id`]): a
/// handler gets the number, or the page answers 404 before it runs.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Id(id(&path_segment(parts, state, "id").await?)?))
    }
}

/// `page` (from 1); the first when absent or empty.
pub fn page(input: Option<&str>) -> Result<u32, WebError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            DomainError::new(
                "page",
                format!("Số trang «{s}» không hợp lệ: cần một số nguyên từ 1 trở lên."),
            )
            .into()
        }),
    }
}

/// `per_page` for the API: at most `max`; `default` when absent.
pub fn per_page(input: Option<&str>, default: u32, max: u32) -> Result<u32, WebError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                DomainError::new(
                    "per_page",
                    format!("Số bản ghi mỗi trang «{s}» không hợp lệ: cần từ 1 đến {max}."),
                )
                .into()
            }),
    }
}

/// The query string read into `T`, a struct of the keys a handler reads
/// (unknown keys ignored). A key given twice counts once, its last value,
/// as a map of the parameters would; values are parsed by `T`'s accessors,
/// whose errors are Vietnamese and name the parameter.
#[derive(Debug, Clone, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Read as a map first, as the pages always did: the last value of
        // a key given twice wins, and nothing in a query is refused here.
        let internal = |e: &dyn std::fmt::Display| WebError::Internal(e.to_string());
        let map: HashMap<String, String> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default())
                .map_err(|e| internal(&e))?;
        let once = serde_urlencoded::to_string(&map).map_err(|e| internal(&e))?;
        serde_urlencoded::from_str(&once)
            .map(Query)
            .map_err(|e| internal(&e))
    }
}

/// The query parameters of the commune pages, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    /// The day the figures are counted on (`as_of`).
    pub as_of: Option<String>,
    /// The end of a period (dashboards); `as_of` stands in for it.
    pub until: Option<String>,
    /// The start of a period (dashboards), or the report a new one starts
    /// from (reports).
    pub from: Option<String>,
    /// The page of a long list, from 1.
    pub page: Option<String>,
    /// A village preselected in a form.
    pub village: Option<String>,
    /// The reporting request a new report answers.
    pub request: Option<String>,
    /// The words searched for.
    pub q: Option<String>,
    saved: Option<String>,
    deleted: Option<String>,
}

impl PageQuery {
    /// `as_of`, parsed; today when absent.
    pub fn as_of(&self) -> Result<NaiveDate, WebError> {
        as_of(self.as_of.as_deref())
    }

    /// The period from `from` to `until` (or `as_of`; default today).
    pub fn period(&self) -> Result<Period, WebError> {
        period(
            self.until.as_deref().or(self.as_of.as_deref()),
            self.from.as_deref(),
        )
    }

    /// `page`, parsed; the first when absent.
    pub fn page(&self) -> Result<u32, WebError> {
        page(self.page.as_deref())
    }

    /// After a write: the page shows "Đã lưu.".
    pub fn saved(&self) -> bool {
        self.saved.is_some()
    }

    /// After a delete: the page shows "Đã xóa.".
    pub fn deleted(&self) -> bool {
        self.deleted.is_some()
    }
}

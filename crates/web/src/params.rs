//! Parsing of path and query parameters with Vietnamese errors naming the
//! parameter (axum's own rejections would answer in English plain text).

use chrono::NaiveDate;
use toso_domain::{parse_date, DomainError, IndicatorCode, Node};

use crate::WebError;

/// `as_of` as dd/mm/yyyy or ISO; today (Vietnam) when absent or empty.
pub fn as_of(input: Option<&str>) -> Result<NaiveDate, WebError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(parse_date(s, "as_of", "Ngày báo cáo")?),
        None => Ok(toso_store::today()),
    }
}

/// A commune code from the path.
pub fn commune_code(input: &str) -> Result<i32, WebError> {
    input
        .trim()
        .parse::<i32>()
        .map_err(|_| WebError::NotFound(format!("Mã xã, phường, đặc khu «{input}» không hợp lệ.")))
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

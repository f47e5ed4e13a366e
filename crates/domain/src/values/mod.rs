//! Value types that parse user input into a canonical form. Once a value of
//! one of these types exists it is valid; there is no separate validation.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use crate::error::DomainError;
use crate::format::format_date;
use crate::text::{clean_text, lower_first};

#[cfg(test)]
mod tests;

/// Implements `as_str`, Display, and the serde conversions through `parse`.
macro_rules! string_value {
    ($t:ident) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $t {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }

        impl std::str::FromStr for $t {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// Phone number
// ---------------------------------------------------------------------------

/// Vietnamese phone number, stored as digits only starting with 0:
/// mobile = 10 digits (03, 05, 07, 08, 09), landline = 11 digits (02…).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);
string_value!(PhoneNumber);

const PHONE_FIELD: &str = "phone";
const PHONE_LABEL: &str = "Số điện thoại";

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        Self::parse_inner(input, false)
    }

    /// Like [`PhoneNumber::parse`], but also repairs what spreadsheets do to
    /// phone numbers: a lost leading zero ("912345678"), float text
    /// ("912345678.0") and the text-marker apostrophe ("'0912345678").
    pub fn parse_lenient(input: &str) -> Result<Self, DomainError> {
        Self::parse_inner(input, true)
    }

    fn parse_inner(input: &str, lenient: bool) -> Result<Self, DomainError> {
        let shown = clean_text(input);
        if shown.is_empty() {
            return Err(DomainError::new(
                PHONE_FIELD,
                format!("{PHONE_LABEL} không được để trống."),
            ));
        }
        let mut text = shown.as_str();
        if lenient {
            text = text.trim_start_matches('\'').trim();
            if let Some((int, frac)) = text.split_once('.') {
                if !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && !frac.is_empty()
                    && frac.bytes().all(|b| b == b'0')
                {
                    text = int;
                }
            }
        }
        let (international, rest) = match text.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => {
                    return Err(DomainError::new(
                        PHONE_FIELD,
                        format!(
                            "{PHONE_LABEL} «{shown}» không hợp lệ: chỉ được gồm chữ số và các dấu cách, \
                             chấm, gạch ngang, ngoặc đơn (ví dụ 0912 345 678)."
                        ),
                    ))
                }
            }
        }
        if international && !digits.starts_with("84") {
            return Err(DomainError::new(
                PHONE_FIELD,
                format!(
                    "{PHONE_LABEL} «{shown}» không hợp lệ: chỉ nhận số điện thoại Việt Nam \
                     (mã quốc gia +84)."
                ),
            ));
        }
        // Country code: "+84 912…", "84912…", "+84 (0) 912…".
        if international || (digits.starts_with("84") && digits.len() >= 11) {
            let national = &digits[2..];
            digits = if national.starts_with('0') {
                national.to_string()
            } else {
                format!("0{national}")
            };
        }
        if lenient {
            let first = digits.as_bytes().first().copied();
            let lost_zero = match digits.len() {
                9 => matches!(first, Some(b'3' | b'5' | b'7' | b'8' | b'9')),
                10 => first == Some(b'2'),
                _ => false,
            };
            if lost_zero {
                digits.insert(0, '0');
            }
        }
        if is_mobile(&digits) || is_landline(&digits) {
            Ok(Self(digits))
        } else {
            Err(DomainError::new(
                PHONE_FIELD,
                format!(
                    "{PHONE_LABEL} «{shown}» không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 \
                     (ví dụ 0912 345 678); số máy bàn cần 11 chữ số, bắt đầu bằng 02 \
                     (ví dụ 0225 123 4567)."
                ),
            ))
        }
    }

    /// True for a 10-digit mobile number.
    pub fn is_mobile(&self) -> bool {
        is_mobile(&self.0)
    }

    /// Grouped for reading: "0912 345 678", "0225 123 4567".
    pub fn display(&self) -> String {
        // 4-3-3 for mobiles, 4-3-4 for landlines.
        let s = &self.0;
        format!("{} {} {}", &s[..4], &s[4..7], &s[7..])
    }
}

fn is_mobile(d: &str) -> bool {
    d.len() == 10
        && d.bytes().all(|b| b.is_ascii_digit())
        && matches!(&d[..2], "03" | "05" | "07" | "08" | "09")
}

fn is_landline(d: &str) -> bool {
    d.len() == 11 && d.bytes().all(|b| b.is_ascii_digit()) && d.starts_with("02")
}

// ---------------------------------------------------------------------------
// Zalo group link
// ---------------------------------------------------------------------------

/// Invitation link of a Zalo group, normalised to `https://zalo.me/g/<code>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZaloGroupLink(String);
string_value!(ZaloGroupLink);

const ZALO_FIELD: &str = "zalo_link";
const ZALO_LABEL: &str = "Đường liên kết nhóm Zalo";
const ZALO_PREFIX: &str = "https://zalo.me/g/";

impl ZaloGroupLink {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let shown = clean_text(input);
        let err = |why: &str| {
            DomainError::new(
                ZALO_FIELD,
                format!("{ZALO_LABEL} «{shown}» không hợp lệ: {why}"),
            )
        };
        if shown.is_empty() {
            return Err(DomainError::new(
                ZALO_FIELD,
                format!("{ZALO_LABEL} không được để trống."),
            ));
        }
        let lower = shown.to_ascii_lowercase();
        let mut rest = shown.as_str();
        for scheme in ["https://", "http://"] {
            if lower.starts_with(scheme) {
                rest = &shown[scheme.len()..];
                break;
            }
        }
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let host = rest[..host_end].to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        if host != "zalo.me" {
            return Err(err(
                "cần là liên kết mời vào nhóm trên zalo.me, ví dụ https://zalo.me/g/xuubpv554.",
            ));
        }
        let after_host = &rest[host_end..];
        let path_end = after_host.find(['?', '#']).unwrap_or(after_host.len());
        let path = after_host[..path_end].trim_matches('/');
        let code = if path == "g" {
            Some("")
        } else {
            path.strip_prefix("g/")
        };
        let Some(code) = code else {
            if !path.is_empty() && path.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(
                    "đây là liên kết Zalo cá nhân (số điện thoại), không phải liên kết nhóm; \
                     cần dạng https://zalo.me/g/xuubpv554.",
                ));
            }
            return Err(err(
                "cần là liên kết mời vào nhóm dạng https://zalo.me/g/xuubpv554.",
            ));
        };
        let code = code.trim_end_matches('/');
        if code.is_empty() {
            return Err(err(
                "thiếu mã nhóm sau «zalo.me/g/», ví dụ https://zalo.me/g/xuubpv554.",
            ));
        }
        let valid_chars = code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid_chars || !(4..=64).contains(&code.len()) {
            return Err(err(
                "mã nhóm phải gồm 4–64 chữ cái không dấu, chữ số, dấu gạch ngang hoặc gạch dưới, \
                 ví dụ https://zalo.me/g/xuubpv554.",
            ));
        }
        Ok(Self(format!("{ZALO_PREFIX}{code}")))
    }

    /// The group code after `/g/`.
    pub fn code(&self) -> &str {
        &self.0[ZALO_PREFIX.len()..]
    }
}

// ---------------------------------------------------------------------------
// Document number
// ---------------------------------------------------------------------------

/// Number and symbol of an administrative document ("Số, ký hiệu"), e.g.
/// `1907/QĐ-UBND`. Regulations also carry the year: `30/2020/NĐ-CP`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);
string_value!(DocumentNumber);

const DOC_FIELD: &str = "document_number";
const DOC_LABEL: &str = "Số, ký hiệu văn bản";
const DOC_EXAMPLE: &str = "ví dụ 1907/QĐ-UBND";

impl DocumentNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let shown = clean_text(input);
        if shown.is_empty() {
            return Err(DomainError::new(
                DOC_FIELD,
                format!("{DOC_LABEL} không được để trống."),
            ));
        }
        let err = |why: &str| {
            DomainError::new(
                DOC_FIELD,
                format!("{DOC_LABEL} «{shown}» không hợp lệ: {why} ({DOC_EXAMPLE})."),
            )
        };
        let mut text = shown.as_str();
        for prefix in ["Số", "số", "SỐ"] {
            if let Some(r) = text.strip_prefix(prefix) {
                let r = r.trim_start();
                text = r.strip_prefix(':').unwrap_or(r).trim_start();
                break;
            }
        }
        let Some((number, symbol)) = text.split_once('/') else {
            return Err(err(
                "cần có dạng số/ký hiệu, gồm số văn bản, dấu «/» rồi đến ký hiệu",
            ));
        };
        let number = number.trim();
        let symbol = symbol.trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("phần số trước dấu «/» phải là chữ số"));
        }
        if number.len() > 6 {
            return Err(err("phần số trước dấu «/» dài tối đa 6 chữ số"));
        }
        let symbol_upper = symbol.to_uppercase();
        // Optional year part of regulations: 30/2020/NĐ-CP.
        let (year, symbol_only) = match symbol_upper.split_once('/') {
            Some((y, s)) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(y.to_string()), s.to_string())
            }
            _ => (None, symbol_upper.clone()),
        };
        if symbol_only.is_empty() {
            return Err(err("thiếu ký hiệu văn bản sau dấu «/»"));
        }
        let segments: Vec<&str> = symbol_only.split('-').collect();
        if segments.len() > 4 {
            return Err(err("ký hiệu gồm tối đa 4 phần nối bằng dấu «-»"));
        }
        for seg in &segments {
            let len = seg.chars().count();
            let ok_chars = seg.chars().all(|c| c.is_alphabetic() || c == '&');
            if len == 0 || len > 10 || !ok_chars {
                return Err(err(
                    "ký hiệu chỉ gồm chữ cái viết hoa, các phần nối bằng dấu «-», \
                     không có dấu cách",
                ));
            }
        }
        let full = match year {
            Some(y) => format!("{number}/{y}/{symbol_only}"),
            None => format!("{number}/{symbol_only}"),
        };
        Ok(Self(full.nfc().collect()))
    }

    /// The part before the first '/' ("1907"), leading zeros kept.
    pub fn number(&self) -> &str {
        self.0.split_once('/').map_or("", |(n, _)| n)
    }

    /// Everything after the first '/' ("QĐ-UBND", or "2020/NĐ-CP").
    pub fn symbol(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, s)| s)
    }
}

// ---------------------------------------------------------------------------
// Generic names
// ---------------------------------------------------------------------------

/// Non-empty, cleaned, length-limited text (names of villages, teams,
/// document subjects, issuers…).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);
string_value!(Name);

impl Name {
    /// Generic parse used by serde: field "name", label "Tên", at most 500
    /// characters. Prefer the specific constructors.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        Self::parse_field(input, "name", "Tên", 500)
    }

    pub fn parse_field(
        input: &str,
        field: &'static str,
        label: &'static str,
        max_chars: usize,
    ) -> Result<Self, DomainError> {
        let text = clean_text(input);
        if text.is_empty() {
            return Err(DomainError::new(
                field,
                format!("{label} không được để trống."),
            ));
        }
        let len = text.chars().count();
        if len > max_chars {
            return Err(DomainError::new(
                field,
                format!("{label} dài quá {max_chars} ký tự (hiện có {len} ký tự)."),
            ));
        }
        Ok(Self(text))
    }

    pub fn village(input: &str) -> Result<Self, DomainError> {
        Self::parse_field(input, "name", "Tên thôn, tổ dân phố", 120)
    }

    pub fn team(input: &str) -> Result<Self, DomainError> {
        Self::parse_field(input, "name", "Tên tổ", 160)
    }

    pub fn subject(input: &str) -> Result<Self, DomainError> {
        Self::parse_field(input, "subject", "Trích yếu", 500)
    }

    pub fn issuer(input: &str) -> Result<Self, DomainError> {
        Self::parse_field(input, "issuer", "Cơ quan ban hành", 200)
    }
}

// ---------------------------------------------------------------------------
// Person name
// ---------------------------------------------------------------------------

/// Full name of a person: letters, spaces, apostrophes, hyphens and dots.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);
string_value!(PersonName);

const PERSON_FIELD: &str = "full_name";
const PERSON_LABEL: &str = "Họ và tên";

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let text = clean_text(input);
        if text.is_empty() {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!("{PERSON_LABEL} không được để trống."),
            ));
        }
        if text.chars().any(|c| c.is_numeric()) {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!("{PERSON_LABEL} «{text}» không hợp lệ: không được chứa chữ số."),
            ));
        }
        if let Some(bad) = text
            .chars()
            .find(|&c| !(c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.')))
        {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!(
                    "{PERSON_LABEL} «{text}» không hợp lệ: có ký tự «{bad}»; chỉ được dùng chữ cái, \
                     dấu cách, dấu nháy đơn, gạch ngang và dấu chấm."
                ),
            ));
        }
        let len = text.chars().count();
        if len < 2 {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!("{PERSON_LABEL} «{text}» quá ngắn: cần ít nhất 2 ký tự."),
            ));
        }
        if len > 80 {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!("{PERSON_LABEL} dài quá 80 ký tự (hiện có {len} ký tự)."),
            ));
        }
        if !text.chars().any(char::is_alphabetic) {
            return Err(DomainError::new(
                PERSON_FIELD,
                format!("{PERSON_LABEL} «{text}» không hợp lệ: cần có chữ cái."),
            ));
        }
        Ok(Self(text))
    }
}

// ---------------------------------------------------------------------------
// Client id
// ---------------------------------------------------------------------------

/// The id a client gives an entry it sends (a queued offline entry, a
/// rendered form), so that sending it again records it once: 8 to 64
/// characters among ASCII letters, digits, `-` and `_`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);
string_value!(ClientId);

const CLIENT_ID_FIELD: &str = "client_id";
const CLIENT_ID_LABEL: &str = "Mã lượt ghi";
/// Fewest characters of a client id.
pub const CLIENT_ID_MIN: usize = 8;
/// Most characters of a client id.
pub const CLIENT_ID_MAX: usize = 64;

impl ClientId {
    /// Accepts the id exactly as sent (no trimming: a client makes it, a
    /// person never types it). The refusal does not quote the value: it is
    /// not something the person typed or can recognise.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let len = input.chars().count();
        if len == 0 {
            return Err(DomainError::new(
                CLIENT_ID_FIELD,
                format!("{CLIENT_ID_LABEL} không được để trống."),
            ));
        }
        if !(CLIENT_ID_MIN..=CLIENT_ID_MAX).contains(&len) {
            return Err(DomainError::new(
                CLIENT_ID_FIELD,
                format!(
                    "{CLIENT_ID_LABEL} phải dài từ {CLIENT_ID_MIN} đến {CLIENT_ID_MAX} ký tự \
                     (hiện có {len} ký tự). Vui lòng tải lại trang rồi gửi lại."
                ),
            ));
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(DomainError::new(
                CLIENT_ID_FIELD,
                format!(
                    "{CLIENT_ID_LABEL} không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, \
                     dấu «-» và «_». Vui lòng tải lại trang rồi gửi lại."
                ),
            ));
        }
        Ok(Self(input.to_string()))
    }
}

// ---------------------------------------------------------------------------
// Birth year
// ---------------------------------------------------------------------------

/// Year of birth between 1900 and ten years before today.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i32", into = "i32")]
pub struct BirthYear(i32);

const BIRTH_FIELD: &str = "birth_year";
const BIRTH_LABEL: &str = "Năm sinh";
const MIN_BIRTH_YEAR: i32 = 1900;
const MIN_AGE: i32 = 10;

impl BirthYear {
    pub fn new(year: i32, today: NaiveDate) -> Result<Self, DomainError> {
        let max = today.year() - MIN_AGE;
        if (MIN_BIRTH_YEAR..=max).contains(&year) {
            Ok(Self(year))
        } else {
            Err(DomainError::new(
                BIRTH_FIELD,
                format!(
                    "{BIRTH_LABEL} {year} không hợp lệ: cần trong khoảng từ {MIN_BIRTH_YEAR} đến {max}."
                ),
            ))
        }
    }

    /// Accepts "1985" and spreadsheet float text "1985.0".
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let text = clean_text(input);
        if text.is_empty() {
            return Err(DomainError::new(
                BIRTH_FIELD,
                format!("{BIRTH_LABEL} không được để trống."),
            ));
        }
        let digits = match text.split_once('.') {
            Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
            _ => text.as_str(),
        };
        let year = if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse::<i32>().ok()
        } else {
            None
        };
        match year {
            Some(y) => Self::new(y, today),
            None => Err(DomainError::new(
                BIRTH_FIELD,
                format!("{BIRTH_LABEL} «{text}» không hợp lệ: nhập 4 chữ số, ví dụ 1985."),
            )),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl std::fmt::Display for BirthYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<i32> for BirthYear {
    type Error = DomainError;
    /// Checks against today in Vietnam (as the forms do, whatever the
    /// server's own time zone); use [`BirthYear::new`] when a reference
    /// date is at hand.
    fn try_from(year: i32) -> Result<Self, Self::Error> {
        let today = chrono::Utc::now()
            .with_timezone(&crate::help::vietnam())
            .date_naive();
        Self::new(year, today)
    }
}

impl From<BirthYear> for i32 {
    fn from(y: BirthYear) -> i32 {
        y.0
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Rejects a date after `today`.
pub fn not_in_future(
    date: NaiveDate,
    today: NaiveDate,
    field: &'static str,
    label: &'static str,
) -> Result<NaiveDate, DomainError> {
    if date > today {
        Err(DomainError::new(
            field,
            format!(
                "{label} {} không được sau ngày hôm nay ({}).",
                format_date(date),
                format_date(today)
            ),
        ))
    } else {
        Ok(date)
    }
}

/// Parses dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and ISO yyyy-mm-dd.
pub fn parse_date(
    input: &str,
    field: &'static str,
    label: &'static str,
) -> Result<NaiveDate, DomainError> {
    let text = clean_text(input);
    if text.is_empty() {
        return Err(DomainError::new(
            field,
            format!("{label} không được để trống."),
        ));
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let num = |s: &str, min: usize, max: usize| -> Option<u32> {
        if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let date = if parts.len() == 3 {
        let separators: Vec<char> = text
            .chars()
            .filter(|c| matches!(c, '/' | '-' | '.'))
            .collect();
        let same_separator = separators.windows(2).all(|w| w[0] == w[1]);
        let iso = parts[0].len() == 4 && separators.first() == Some(&'-');
        let ymd = if !same_separator {
            None
        } else if iso {
            match (
                num(parts[0], 4, 4),
                num(parts[1], 1, 2),
                num(parts[2], 1, 2),
            ) {
                (Some(y), Some(m), Some(d)) => Some((y, m, d)),
                _ => None,
            }
        } else {
            match (
                num(parts[0], 1, 2),
                num(parts[1], 1, 2),
                num(parts[2], 4, 4),
            ) {
                (Some(d), Some(m), Some(y)) => Some((y, m, d)),
                _ => None,
            }
        };
        ymd.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y as i32, m, d))
    } else {
        None
    };
    date.ok_or_else(|| {
        DomainError::new(
            field,
            format!(
                "{label} «{text}» không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 31/10/2025."
            ),
        )
    })
}

/// Rejects a period whose end is before its start (field "until").
pub fn check_period(
    from: NaiveDate,
    until: Option<NaiveDate>,
    label_from: &'static str,
    label_until: &'static str,
) -> Result<(), DomainError> {
    match until {
        Some(until) if until < from => Err(DomainError::new(
            "until",
            format!(
                "{label_until} {} không được trước {} {}.",
                format_date(until),
                lower_first(label_from),
                format_date(from)
            ),
        )),
        _ => Ok(()),
    }
}

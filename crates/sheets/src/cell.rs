//! One cell's value as read from a file, independent of the format.

use chrono::{Datelike, NaiveDate};

/// A cell as read: Excel gives typed values, CSV only text.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value such as `#N/A` or `#REF!`.
    Error(String),
    /// A formula without the value Excel computed (files written by tools
    /// that do not calculate); holds the cell address ("G7").
    Uncomputed(String),
}

impl Cell {
    /// True for an empty cell or text made only of spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The text a user sees: integers without ".0", dates as dd/mm/yyyy.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => toso_domain::format_date(*d),
            Cell::Bool(true) => "TRUE".into(),
            Cell::Bool(false) => "FALSE".into(),
            Cell::Error(e) => e.clone(),
            Cell::Uncomputed(_) => String::new(),
        }
    }

    /// [`Cell::text`] without copying a text cell.
    pub fn text_cow(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => std::borrow::Cow::Borrowed(s),
            other => std::borrow::Cow::Owned(other.text()),
        }
    }

    /// An Excel date, an Excel serial number or a dd/mm/yyyy text.
    pub fn date(
        &self,
        field: &'static str,
        label: &'static str,
    ) -> Result<NaiveDate, toso_domain::DomainError> {
        match self {
            Cell::Date(d) => Ok(*d),
            // A date typed into a cell formatted as a number.
            Cell::Number(n) if n.fract() == 0.0 && (1.0..=2_958_465.0).contains(n) => {
                excel_serial_date(*n).ok_or_else(|| bad_date(field, label, &self.text()))
            }
            other => toso_domain::parse_date(&other.text(), field, label),
        }
    }

    /// A year, from "1985", 1985, or a full date of birth.
    pub fn year_text(&self) -> String {
        match self {
            Cell::Date(d) => d.year().to_string(),
            Cell::Text(s) => {
                // "12/03/1985" → 1985
                let t = s.trim();
                match toso_domain::parse_date(t, "x", "x") {
                    Ok(d) if t.len() > 4 => d.year().to_string(),
                    _ => t.to_string(),
                }
            }
            other => other.text(),
        }
    }
}

fn bad_date(field: &'static str, label: &'static str, text: &str) -> toso_domain::DomainError {
    toso_domain::DomainError::new(
        field,
        format!("{label} «{text}» không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 31/10/2025."),
    )
}

/// Excel's 1900 date system (serial 60 is the phantom 29/02/1900).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 61 { days + 1 } else { days };
    base.checked_add_signed(chrono::Duration::days(days))
}

/// Integers print without a fraction ("912345678", not "912345678.0").
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(Cell::Number(912345678.0).text(), "912345678");
        assert_eq!(Cell::Number(1.5).text(), "1.5");
        assert_eq!(
            Cell::Date(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()).text(),
            "31/10/2025"
        );
        assert!(Cell::Text("  ".into()).is_blank());
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 10, 31).unwrap();
        assert_eq!(Cell::Number(45961.0).date("f", "Ngày").unwrap(), d);
        assert_eq!(
            Cell::Text("31/10/2025".into()).date("f", "Ngày").unwrap(),
            d
        );
        assert_eq!(Cell::Date(d).date("f", "Ngày").unwrap(), d);
        let err = Cell::Text("31/13/2025".into())
            .date("f", "Ngày")
            .unwrap_err();
        assert!(err.message.contains("«31/13/2025»"));
        assert_eq!(Cell::Text("12/03/1985".into()).year_text(), "1985");
        assert_eq!(Cell::Number(1985.0).year_text(), "1985");
    }
}

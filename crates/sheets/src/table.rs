//! The model of an exported list: a title, columns and typed values. The
//! store builds it from records; the writers turn it into XLSX or CSV.

use chrono::NaiveDate;

/// A value of an exported cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    /// Written with the `#,##0` number format.
    Int(i64),
    /// A number without thousands separator (a year, a row number).
    Plain(i64),
    /// Written as an Excel date with the `dd/mm/yyyy` format.
    Date(NaiveDate),
    /// A fraction (0.125 for 12,5%), written with the `0.0%` format.
    Percent(f64),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Empty, |s| Value::Text(s.into()))
    }

    pub fn opt_date(d: Option<NaiveDate>) -> Value {
        d.map_or(Value::Empty, Value::Date)
    }

    /// The text written to CSV: Vietnamese formats (1.440, 31/10/2025, 12,5%).
    pub fn csv_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(i) => toso_domain::format_int(*i),
            Value::Plain(i) => i.to_string(),
            Value::Date(d) => toso_domain::format_date(*d),
            Value::Percent(p) => {
                // One decimal, decimal comma, ",0" dropped.
                let tenths = (p * 1000.0).round() as i64;
                toso_domain::format_percent(tenths, 1000)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Width in characters.
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64) -> Column {
        Column {
            header: header.into(),
            width,
        }
    }
}

/// One exported list (one worksheet).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Worksheet name (at most 31 characters).
    pub sheet_name: String,
    /// Title above the header in XLSX ("DANH SÁCH THÀNH VIÊN …").
    pub title: String,
    /// A second line under the title (commune, date of the figures).
    pub subtitle: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(sheet_name: &str, title: impl Into<String>, columns: Vec<Column>) -> Table {
        Table {
            sheet_name: sheet_name.chars().take(31).collect(),
            title: title.into(),
            subtitle: None,
            columns,
            rows: Vec::new(),
        }
    }
}

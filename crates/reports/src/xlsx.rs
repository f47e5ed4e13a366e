//! XLSX renderer for the table annexes of a report: one worksheet per
//! [`Annex`], laid out for printing on A4.
//!
//! Layout of a sheet: the title (bold, merged across the columns), the
//! subtitle lines, an empty row, the header row (bold, bordered, wrapped),
//! the data rows (bordered; numbers stay numbers, shown "#,##0", or "#,##0.0"
//! in a column holding a fractional number), and the totals row (bold).
//! Panes are frozen under the header, which repeats on every printed page.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::model::{Annex, Cell};
use crate::ReportError;

const FONT: &str = "Times New Roman";
/// Excel's limit on worksheet names, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;
/// Column widths, in characters.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;
/// Header cells wrap: beyond this many characters they add lines, not width.
const HEADER_WRAP: usize = 24;
/// Height of one line of 12 pt text in a row, in points.
const ROW_HEIGHT: f64 = 16.5;
/// Paper size code of A4 in Excel's page setup.
const PAPER_A4: u8 = 9;

/// Renders the annexes as one workbook, one worksheet per annex, with a
/// fixed creation date (2000-01-01T00:00:00Z) so that the same annexes give
/// the same bytes.
pub fn render_annex(annexes: &[Annex]) -> Result<Vec<u8>, ReportError> {
    let fixed = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
    render_annex_dated(annexes, fixed)
}

/// Like [`render_annex`], with the workbook's creation date set to `date`
/// at 00:00:00 UTC (the report's `generated_on`). Excel holds the years
/// 1900–9999; a date outside them is an error.
pub fn render_annex_dated(annexes: &[Annex], date: NaiveDate) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let created = u16::try_from(date.year())
        .ok()
        // A month (1–12) and a day (1–31) fit in a u8.
        .and_then(|year| ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok())
        .and_then(|d| d.and_hms(0, 0, 0).ok())
        .ok_or_else(|| {
            ReportError::Render(format!(
                "ngày báo cáo {date} nằm ngoài các năm 1900–9999 mà tệp Excel ghi được"
            ))
        })?;
    let mut props = DocProperties::new()
        .set_author("Tổ Số")
        .set_creation_datetime(&created);
    if let Some(first) = annexes.first() {
        props = props.set_title(first.title.as_str());
    }
    workbook.set_properties(&props);

    let names = sheet_names(annexes);
    for (annex, name) in annexes.iter().zip(&names) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name.as_str()).map_err(xlsx_error)?;
        write_annex(sheet, annex).map_err(xlsx_error)?;
    }
    if annexes.is_empty() {
        // A workbook needs a sheet to open.
        workbook
            .add_worksheet()
            .set_name("Phụ lục")
            .map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> ReportError {
    ReportError::Render(format!("lỗi tạo tệp Excel: {e}"))
}

/// Worksheet names from the annex titles: a leading "Phụ lục …:" label is
/// dropped (every sheet is an annex), characters Excel forbids are removed,
/// the name is cut at a word boundary to 31 characters and made unique
/// (case-insensitively) with a " (2)", " (3)"… suffix.
pub fn sheet_names(annexes: &[Annex]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut names = Vec::with_capacity(annexes.len());
    for (i, annex) in annexes.iter().enumerate() {
        let mut base = clean_sheet_name(&annex.title, MAX_SHEET_NAME);
        if base.is_empty() || base.eq_ignore_ascii_case("history") {
            base = format!("Phụ lục {}", i + 1);
        }
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = MAX_SHEET_NAME - suffix.encode_utf16().count();
            name = format!("{}{suffix}", clean_sheet_name(&base, room));
            n += 1;
        }
        taken.push(name.to_lowercase());
        names.push(name);
    }
    names
}

fn clean_sheet_name(title: &str, max_units: usize) -> String {
    let mut title = title.trim();
    // "Phụ lục 1: Tổ công nghệ số…" → "Tổ công nghệ số…"
    if let Some((label, rest)) = title.split_once(':') {
        if label.trim_start().to_lowercase().starts_with("phụ lục") && !rest.trim().is_empty() {
            title = rest;
        }
    }
    let cleaned: String = title
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        let extra = usize::from(!out.is_empty()) + word.encode_utf16().count();
        if out.encode_utf16().count() + extra > max_units {
            if out.is_empty() {
                // One word longer than the limit: cut it.
                let mut units = 0;
                for c in word.chars() {
                    units += c.len_utf16();
                    if units > max_units {
                        break;
                    }
                    out.push(c);
                }
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let trimmed =
        out.trim_matches(|c: char| c == '\'' || c.is_whitespace() || c == ',' || c == '-');
    trimmed.to_string()
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    integer: Format,
    decimal: Format,
    total_text: Format,
    total_integer: Format,
    total_decimal: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new().set_font_name(FONT).set_font_size(12);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let text = cell.clone().set_text_wrap();
        let integer = cell.clone().set_num_format("#,##0");
        let decimal = cell.clone().set_num_format("#,##0.0");
        Formats {
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: base
                .clone()
                .set_italic()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: text
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            total_text: text.clone().set_bold(),
            total_integer: integer.clone().set_bold(),
            total_decimal: decimal.clone().set_bold(),
            text,
            integer,
            decimal,
        }
    }
}

/// Number of columns of an annex: the header's, or the widest row's.
fn column_count(annex: &Annex) -> usize {
    annex
        .rows
        .iter()
        .chain(annex.totals.iter())
        .map(Vec::len)
        .chain(std::iter::once(annex.columns.len()))
        .max()
        .unwrap_or(0)
        .max(1)
}

/// The value as Excel shows it with our formats (thousands separators), to
/// size the columns.
fn displayed_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        Cell::Number(n) if !n.is_finite() => 0,
        Cell::Number(n) => {
            let integral = n.fract() == 0.0;
            let digits = format!("{:.0}", n.abs().trunc()).len();
            let groups = digits.saturating_sub(1) / 3;
            usize::from(*n < 0.0) + digits + groups + if integral { 0 } else { 2 }
        }
    }
}

/// Lines `text` takes in a wrapped cell `width` characters wide (roughly:
/// Excel's width unit is one digit, a little narrower than average text).
fn wrapped_lines(text: &str, width: f64) -> usize {
    let usable = (width - 1.0).max(1.0);
    text.lines()
        .map(|line| {
            ((line.chars().count() as f64 * 1.1) / usable)
                .ceil()
                .max(1.0) as usize
        })
        .sum::<usize>()
        .max(1)
}

fn write_annex(sheet: &mut Worksheet, annex: &Annex) -> Result<(), XlsxError> {
    let f = Formats::new();
    let ncols = column_count(annex);
    let last_col = (ncols - 1) as u16;

    // Column widths from the content.
    let mut widths = vec![0usize; ncols];
    for (i, h) in annex.columns.iter().enumerate() {
        let longest_word = h.split_whitespace().map(|w| w.chars().count()).max();
        let len = h
            .chars()
            .count()
            .min(HEADER_WRAP.max(longest_word.unwrap_or(0)));
        widths[i] = widths[i].max(len);
    }
    for row in annex.rows.iter().chain(annex.totals.iter()) {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(displayed_len(c));
        }
    }
    let widths: Vec<f64> = widths
        .iter()
        .map(|w| (*w as f64 * 1.1 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH))
        .collect();
    for (i, w) in widths.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    let total_width: f64 = widths.iter().sum();

    // Title, merged across the columns; its height grows with the lines it
    // needs, since Excel does not fit merged rows by itself.
    let mut row: u32 = 0;
    let merged = |sheet: &mut Worksheet, row: u32, text: &str, format: &Format| {
        if last_col == 0 {
            sheet
                .write_string_with_format(row, 0, text, format)
                .map(|_| ())
        } else {
            sheet
                .merge_range(row, 0, row, last_col, text, format)
                .map(|_| ())
        }
    };
    merged(sheet, row, &annex.title, &f.title)?;
    let title_lines = ((annex.title.chars().count() as f64 * 1.35) / total_width).ceil();
    sheet.set_row_height(row, 21.0 * title_lines.max(1.0))?;
    row += 1;
    for line in &annex.subtitle {
        merged(sheet, row, line, &f.subtitle)?;
        row += 1;
    }
    row += 1; // an empty row before the table

    // Excel and LibreOffice do not grow a row for wrapped text by
    // themselves when the file says nothing: give every table row the
    // height of its tallest cell.
    let row_height = |sheet: &mut Worksheet, row: u32, texts: &[&str]| {
        let lines = texts
            .iter()
            .zip(&widths)
            .map(|(t, w)| wrapped_lines(t, *w))
            .max()
            .unwrap_or(1);
        sheet
            .set_row_height(row, ROW_HEIGHT * lines as f64)
            .map(|_| ())
    };

    // A column with any fractional number shows one decimal throughout.
    let mut decimal_cols = vec![false; ncols];
    for cells in annex.rows.iter().chain(annex.totals.iter()) {
        for (i, c) in cells.iter().enumerate() {
            if matches!(c, Cell::Number(n) if n.is_finite() && n.fract() != 0.0) {
                decimal_cols[i] = true;
            }
        }
    }

    let header_row = row;
    let headers: Vec<&str> = (0..ncols)
        .map(|i| annex.columns.get(i).map(String::as_str).unwrap_or(""))
        .collect();
    for (i, text) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, i as u16, *text, &f.header)?;
    }
    row_height(sheet, header_row, &headers)?;
    row += 1;

    let write_row = |sheet: &mut Worksheet,
                     row: u32,
                     cells: &[Cell],
                     text: &Format,
                     integer: &Format,
                     decimal: &Format|
     -> Result<(), XlsxError> {
        for (i, &is_decimal) in decimal_cols.iter().enumerate() {
            let col = i as u16;
            match cells.get(i) {
                Some(Cell::Number(n)) if n.is_finite() => {
                    let format = if is_decimal { decimal } else { integer };
                    sheet.write_number_with_format(row, col, *n, format)?;
                }
                Some(Cell::Text(s)) => {
                    sheet.write_string_with_format(row, col, s, text)?;
                }
                // Missing cells and values Excel cannot hold (NaN, ±∞)
                // stay blank, with the row's borders.
                _ => {
                    sheet.write_blank(row, col, text)?;
                }
            }
        }
        Ok(())
    };
    let texts = |cells: &[Cell]| -> Vec<String> {
        cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(_) => String::new(),
            })
            .collect()
    };
    for cells in &annex.rows {
        write_row(sheet, row, cells, &f.text, &f.integer, &f.decimal)?;
        let t = texts(cells);
        row_height(
            sheet,
            row,
            &t.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        row += 1;
    }
    if let Some(totals) = &annex.totals {
        let t = texts(totals);
        row_height(
            sheet,
            row,
            &t.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        write_row(
            sheet,
            row,
            totals,
            &f.total_text,
            &f.total_integer,
            &f.total_decimal,
        )?;
        row += 1;
    }

    // Screen and print setup.
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.set_paper_size(PAPER_A4);
    if total_width > 110.0 {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_margins(0.6, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_print_center_horizontally(true);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_print_area(0, 0, row.saturating_sub(1), last_col)?;
    sheet.set_footer("&CTrang &P/&N");
    Ok(())
}

//! Writing lists to XLSX (styled header, frozen header row, autofilter,
//! column widths, number and date formats) and to CSV (UTF-8 with BOM, so
//! that Excel shows the diacritics), and the import templates.

use std::io::Write;

use rust_xlsxwriter::{
    DataValidation, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};
use toso_domain::{Affiliation, DocumentKind, Gender, Role, VillageKind};

use crate::columns::{Field, SheetKind};
use crate::error::SheetError;
use crate::table::{Column, Table, Value};

/// The header row of an exported XLSX sheet (1-based). Rows above hold the
/// title and subtitle; the importer skips them.
pub const XLSX_HEADER_ROW: u32 = 4;

fn werr(e: XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Write tables as the worksheets of one XLSX workbook.
pub fn write_xlsx(tables: &[Table]) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    for table in tables {
        add_sheet(&mut book, table, None)?;
    }
    book.save_to_buffer().map_err(werr)
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    int: Format,
    plain: Format,
    date: Format,
    percent: Format,
}

fn formats() -> Formats {
    let border = FormatBorder::Thin;
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        subtitle: Format::new().set_italic(),
        header: Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border(border)
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        text: Format::new().set_border(border).set_num_format("@"),
        // Excel shows these with the reader's locale: 1.440 and 31/10/2025 on
        // a Vietnamese system.
        int: Format::new().set_border(border).set_num_format("#,##0"),
        plain: Format::new().set_border(border).set_num_format("0"),
        date: Format::new()
            .set_border(border)
            .set_num_format("dd/mm/yyyy"),
        percent: Format::new().set_border(border).set_num_format("0.0%"),
    }
}

fn add_sheet(
    book: &mut Workbook,
    table: &Table,
    kind_for_validation: Option<SheetKind>,
) -> Result<(), SheetError> {
    let f = formats();
    // Constant-memory mode: rows go to a temporary file as they are written,
    // so a large export does not grow the process.
    let sheet = book.add_worksheet_with_constant_memory().map_err(werr)?;
    start_sheet(sheet, table, &f)?;
    let header_row = XLSX_HEADER_ROW - 1;
    let mut r = header_row;
    for row in &table.rows {
        r += 1;
        write_row(sheet, r, row, &f)?;
    }
    end_sheet(sheet, r, table.columns.len())?;
    if let Some(kind) = kind_for_validation {
        add_validations(sheet, kind, header_row + 1)?;
    }
    Ok(())
}

/// Name, column widths, title, subtitle and header row.
fn start_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    table: &Table,
    f: &Formats,
) -> Result<(), SheetError> {
    sheet.set_name(&table.sheet_name).map_err(werr)?;
    sheet
        .write_with_format(0, 0, &table.title, &f.title)
        .map_err(werr)?;
    if let Some(sub) = &table.subtitle {
        sheet
            .write_with_format(1, 0, sub, &f.subtitle)
            .map_err(werr)?;
    }
    let header_row = XLSX_HEADER_ROW - 1;
    sheet.set_row_height(header_row, 30).map_err(werr)?;
    for (c, col) in table.columns.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, col.width).map_err(werr)?;
        sheet
            .write_with_format(header_row, c, &col.header, &f.header)
            .map_err(werr)?;
    }
    Ok(())
}

/// One data row at row index `r` (0-based).
fn write_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[Value],
    f: &Formats,
) -> Result<(), SheetError> {
    for (c, value) in row.iter().enumerate() {
        let c = c as u16;
        match value {
            Value::Empty => sheet.write_blank(r, c, &f.text).map(|_| ()),
            Value::Text(s) => sheet.write_string_with_format(r, c, s, &f.text).map(|_| ()),
            Value::Int(i) => sheet
                .write_number_with_format(r, c, *i as f64, &f.int)
                .map(|_| ()),
            Value::Plain(i) => sheet
                .write_number_with_format(r, c, *i as f64, &f.plain)
                .map(|_| ()),
            Value::Date(d) => {
                let dt = ExcelDateTime::from_ymd(
                    chrono::Datelike::year(d) as u16,
                    chrono::Datelike::month(d) as u8,
                    chrono::Datelike::day(d) as u8,
                )
                .map_err(werr)?;
                sheet
                    .write_datetime_with_format(r, c, &dt, &f.date)
                    .map(|_| ())
            }
            Value::Percent(p) => sheet
                .write_number_with_format(r, c, *p, &f.percent)
                .map(|_| ()),
        }
        .map_err(werr)?;
    }
    Ok(())
}

/// Frozen header and autofilter over the rows written (`last_row` 0-based).
fn end_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    last_row: u32,
    columns: usize,
) -> Result<(), SheetError> {
    let header_row = XLSX_HEADER_ROW - 1;
    let last_col = columns.saturating_sub(1) as u16;
    sheet.set_freeze_panes(header_row + 1, 0).map_err(werr)?;
    sheet
        .autofilter(header_row, 0, last_row.max(header_row), last_col)
        .map_err(werr)?;
    Ok(())
}

/// A one-sheet XLSX written row by row, for lists of any length: the
/// worksheet is in rust_xlsxwriter's constant-memory mode (each finished
/// row goes to a temporary file), so memory does not grow with the rows.
/// The result is the same file [`write_xlsx`] makes of the whole table.
pub struct XlsxStream {
    book: Workbook,
    formats: Formats,
    row: u32,
    columns: usize,
}

impl XlsxStream {
    /// Start with the title, subtitle and header of `head` (its rows, if
    /// any, are written too).
    pub fn new(head: &Table) -> Result<XlsxStream, SheetError> {
        let mut book = Workbook::new();
        let formats = formats();
        let sheet = book.add_worksheet_with_constant_memory().map_err(werr)?;
        start_sheet(sheet, head, &formats)?;
        let mut stream = XlsxStream {
            book,
            formats,
            row: XLSX_HEADER_ROW - 1,
            columns: head.columns.len(),
        };
        for row in &head.rows {
            stream.push(row)?;
        }
        Ok(stream)
    }

    /// Append one row.
    pub fn push(&mut self, row: &[Value]) -> Result<(), SheetError> {
        self.row += 1;
        let sheet = self.book.worksheet_from_index(0).map_err(werr)?;
        write_row(sheet, self.row, row, &self.formats)
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        u64::from(self.row - (XLSX_HEADER_ROW - 1))
    }

    fn end(&mut self) -> Result<(), SheetError> {
        let sheet = self.book.worksheet_from_index(0).map_err(werr)?;
        end_sheet(sheet, self.row, self.columns)
    }

    /// Finish and write the workbook to `path`.
    pub fn save(mut self, path: &std::path::Path) -> Result<(), SheetError> {
        self.end()?;
        self.book.save(path).map_err(werr)
    }

    /// Finish and write the workbook to `out` as it is assembled (no
    /// seeking, nothing held whole: the rows come back from the temporary
    /// file), for a download sent while it is written.
    pub fn save_to_writer<W: Write + Send>(mut self, out: W) -> Result<(), SheetError> {
        self.end()?;
        self.book.save_to_writer(out).map_err(werr)
    }

    /// Finish and return the workbook's bytes.
    pub fn into_bytes(mut self) -> Result<Vec<u8>, SheetError> {
        self.end()?;
        self.book.save_to_buffer().map_err(werr)
    }
}

/// A CSV written row by row (UTF-8 with BOM, Vietnamese formats): the
/// streaming form of [`write_csv`].
pub struct CsvStream<W: Write> {
    out: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvStream<W> {
    /// Write the BOM and the header of `head` (and its rows, if any).
    pub fn new(head: &Table, mut out: W) -> Result<CsvStream<W>, SheetError> {
        out.write_all(b"\xEF\xBB\xBF")
            .map_err(|e| SheetError::Write(e.to_string()))?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(head.columns.iter().map(|c| c.header.as_str()))
            .map_err(csv_err)?;
        let mut stream = CsvStream { out: w, rows: 0 };
        for row in &head.rows {
            stream.push(row)?;
        }
        Ok(stream)
    }

    /// Append one row.
    pub fn push(&mut self, row: &[Value]) -> Result<(), SheetError> {
        self.rows += 1;
        self.out
            .write_record(row.iter().map(Value::csv_text))
            .map_err(csv_err)
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flush and return the writer.
    pub fn finish(self) -> Result<W, SheetError> {
        self.out
            .into_inner()
            .map_err(|e| SheetError::Write(e.to_string()))
    }
}

fn csv_err(e: csv::Error) -> SheetError {
    SheetError::Write(e.to_string())
}

/// Drop-down lists on the vocabulary columns of a template.
fn add_validations(
    sheet: &mut rust_xlsxwriter::Worksheet,
    kind: SheetKind,
    first_row: u32,
) -> Result<(), SheetError> {
    let columns: Vec<_> = kind.columns().iter().filter(|c| c.in_template).collect();
    for (i, spec) in columns.iter().enumerate() {
        let labels: Vec<&str> = match spec.field {
            Field::Role => Role::ALL.iter().map(|v| v.label()).collect(),
            Field::Gender => Gender::ALL.iter().map(|v| v.label()).collect(),
            Field::Affiliation => Affiliation::ALL.iter().map(|v| v.label()).collect(),
            Field::VillageKind => VillageKind::ALL.iter().map(|v| v.label()).collect(),
            Field::DocumentKind => DocumentKind::ALL.iter().map(|v| v.label()).collect(),
            _ => continue,
        };
        let total: usize = labels.iter().map(|l| l.chars().count() + 1).sum();
        if total > 255 {
            continue; // Excel's limit for an inline list.
        }
        let mut v = DataValidation::new()
            .allow_list_strings(&labels)
            .map_err(werr)?;
        // Other text is allowed (the importer maps it), with a warning only.
        v = v.set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Information);
        sheet
            .add_data_validation(first_row, i as u16, first_row + 5000, i as u16, &v)
            .map_err(werr)?;
    }
    Ok(())
}

/// Write one table as CSV: UTF-8 with a BOM, comma-separated, header first,
/// values in Vietnamese formats.
pub fn write_csv<W: Write>(table: &Table, out: W) -> Result<(), SheetError> {
    let w = CsvStream::new(table, out)?;
    w.finish()?
        .flush()
        .map_err(|e| SheetError::Write(e.to_string()))
}

/// The empty list of `kind` with its Vietnamese headers.
pub fn template(kind: SheetKind) -> Table {
    let columns = kind
        .columns()
        .iter()
        .filter(|c| c.in_template)
        .map(|c| {
            let header = if c.required {
                format!("{} (*)", c.label)
            } else {
                c.label.to_string()
            };
            Column::new(header, c.width)
        })
        .collect();
    let mut t = Table::new("Danh sách", kind.title(), columns);
    t.subtitle = Some(
        "Cột có dấu (*) là bắt buộc. Ngày ghi theo dạng ngày/tháng/năm (31/10/2025). \
         Xóa các dòng ví dụ trước khi nhập."
            .into(),
    );
    t.rows = example_rows(kind);
    t
}

fn example_rows(kind: SheetKind) -> Vec<Vec<Value>> {
    let t = Value::text;
    match kind {
        SheetKind::Villages => vec![vec![
            Value::Plain(1),
            t("Thôn Hải Sơn"),
            t("Thôn"),
            Value::Empty,
            Value::Empty,
        ]],
        SheetKind::Teams => vec![vec![
            Value::Plain(1),
            t("Tổ công nghệ số cộng đồng thôn Hải Sơn"),
            t("Tổ công nghệ số cộng đồng"),
            t("Thôn Hải Sơn"),
            t("31/10/2025"),
            Value::Empty,
            t("1907/QĐ-UBND"),
            t("https://zalo.me/g/abcdef123"),
        ]],
        SheetKind::Members => vec![vec![
            Value::Plain(1),
            t("Nguyễn Văn An"),
            Value::Plain(1980),
            t("Nam"),
            t("Trưởng thôn"),
            t("Tổ trưởng"),
            t("0912345678"),
            t("Thôn Hải Sơn"),
            t("31/10/2025"),
        ]],
        SheetKind::Documents => vec![vec![
            Value::Plain(1),
            t("Quyết định"),
            t("1907/QĐ-UBND"),
            t("31/10/2025"),
            t("UBND đặc khu Cát Hải"),
            t("Về việc thành lập Tổ công nghệ số cộng đồng"),
        ]],
        // One row per member on duty: the rows of one village, day and
        // place make one duty day.
        SheetKind::DutyDays => vec![vec![
            Value::Plain(1),
            t("Nguyễn Văn An"),
            t("0912345678"),
            t("Thôn Hải Sơn"),
            t("03/11/2025"),
            t("Bộ phận một cửa đặc khu Cát Hải"),
            t("Hướng dẫn nộp hồ sơ trực tuyến"),
        ]],
    }
}

/// The template of `kind` as XLSX: the list with one example row and
/// drop-down lists on the vocabulary columns, and a sheet with the allowed
/// values.
pub fn template_xlsx(kind: SheetKind) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    add_sheet(&mut book, &template(kind), Some(kind))?;
    add_sheet(&mut book, &vocabulary_table(kind), None)?;
    book.save_to_buffer().map_err(werr)
}

/// The allowed values of the vocabulary columns, one column each.
fn vocabulary_table(kind: SheetKind) -> Table {
    let mut lists: Vec<(&str, Vec<&str>)> = Vec::new();
    for spec in kind.columns().iter().filter(|c| c.in_template) {
        let labels: Vec<&str> = match spec.field {
            Field::Role => Role::ALL.iter().map(|v| v.label()).collect(),
            Field::Gender => Gender::ALL.iter().map(|v| v.label()).collect(),
            Field::Affiliation => Affiliation::ALL.iter().map(|v| v.label()).collect(),
            Field::VillageKind => VillageKind::ALL.iter().map(|v| v.label()).collect(),
            Field::DocumentKind => DocumentKind::ALL.iter().map(|v| v.label()).collect(),
            _ => continue,
        };
        lists.push((spec.label, labels));
    }
    let columns = lists.iter().map(|(l, _)| Column::new(*l, 28.0)).collect();
    let mut t = Table::new("Danh mục", "CÁC GIÁ TRỊ ĐƯỢC CHẤP NHẬN", columns);
    let height = lists.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    for i in 0..height {
        t.rows.push(
            lists
                .iter()
                .map(|(_, v)| v.get(i).map_or(Value::Empty, |s| Value::text(*s)))
                .collect(),
        );
    }
    t
}

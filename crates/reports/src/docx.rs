//! DOCX renderer: writes the WordprocessingML of a [`Document`] by hand, in
//! the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (A4 portrait, Times New
//! Roman, two-column heading, justified body, "Nơi nhận" and signature at the
//! end, page numbers centred in the top margin from page 2 on), then its
//! annexes, if any, each a bordered table on landscape pages of their own
//! section (page numbers continuing).
//!
//! The output is a pure function of the [`Document`]: every part is built in
//! a fixed order, every zip entry carries a modification time derived from
//! `generated_on`, and `docProps/core.xml` uses the same date, so one
//! snapshot gives byte-identical files.
//!
//! Why by hand and not a DOCX crate (decision of 03/12/2026, issue #16): the
//! maintained writer, docx-rs 0.4.22, was built here and evaluated. It is
//! deterministic (the same document packed twice, two seconds apart, gave
//! identical bytes) and has keep-with-next, keep-lines and PAGE fields, but
//! its writer cannot express two things the official layout needs: a
//! different first page (`<w:titlePg/>`: no page number on page 1) and the
//! non-breaking hyphen (`<w:noBreakHyphen/>`: a number such as
//! `1907/QĐ-UBND` kept on one line) — it reads both, it writes neither. The
//! layout tests (LibreOffice conversion, line-end sweeps) pin this writer's
//! output; moving to docx-rs would mean patching it or post-processing its
//! XML, which is more code than the few hundred lines here.

use std::io::{Cursor, Write};

use chrono::{Datelike, NaiveDate};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::model::{Annex, Block, Document, Inline};
use crate::ReportError;

// ---------------------------------------------------------------------------
// Page geometry (twentieths of a point; 1 mm = 56.69 twips).

/// A4 width, 210 mm.
pub const PAGE_WIDTH: u32 = 11906;
/// A4 height, 297 mm.
pub const PAGE_HEIGHT: u32 = 16838;
/// Top margin, 20 mm.
pub const MARGIN_TOP: u32 = 1134;
/// Bottom margin, 20 mm.
pub const MARGIN_BOTTOM: u32 = 1134;
/// Left margin, 30 mm.
pub const MARGIN_LEFT: u32 = 1701;
/// Right margin, 15 mm.
pub const MARGIN_RIGHT: u32 = 850;
/// Distance from the page edge to the header (page number), 10 mm.
const HEADER_DISTANCE: u32 = 567;
/// Width of the text block.
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// First-line indent of body paragraphs, 1.27 cm.
const FIRST_LINE_INDENT: u32 = 720;

/// Left column of the heading table (issuing body, number), ~40 %.
const HEAD_LEFT: u32 = TEXT_WIDTH * 2 / 5;
/// Right column of the heading table (national title, motto, place/date).
const HEAD_RIGHT: u32 = TEXT_WIDTH - HEAD_LEFT;
/// Left column of the closing table ("Nơi nhận").
const END_LEFT: u32 = TEXT_WIDTH * 9 / 20;
/// Right column of the closing table (signature).
const END_RIGHT: u32 = TEXT_WIDTH - END_LEFT;

const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
const FONT: &str = "Times New Roman";

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Renders `doc` as a DOCX file (Office Open XML, readable by Word and
/// LibreOffice).
pub fn render_docx(doc: &Document) -> Result<Vec<u8>, ReportError> {
    render_docx_with_annexes(doc, &[])
}

/// Renders `doc` followed by its `annexes` (each a table on landscape
/// pages) as one DOCX file. Without annexes the file is [`render_docx`]'s.
pub fn render_docx_with_annexes(doc: &Document, annexes: &[Annex]) -> Result<Vec<u8>, ReportError> {
    let date = FileDate::of(doc.generated_on)?;
    let parts: [(&str, String); 11] = [
        ("[Content_Types].xml", content_types()),
        ("_rels/.rels", package_rels()),
        ("docProps/core.xml", core_xml(doc, &date)),
        ("docProps/app.xml", app_xml()),
        ("word/document.xml", document_xml(doc, annexes)),
        ("word/_rels/document.xml.rels", document_rels()),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", settings_xml()),
        ("word/fontTable.xml", font_table_xml()),
        ("word/header1.xml", header_xml(false)),
        ("word/header2.xml", header_xml(true)),
    ];

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .system(System::Unix)
        .unix_permissions(0o644)
        .last_modified_time(date.zip_time());
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(16 * 1024)));
    for (name, xml) in &parts {
        zip.start_file(*name, options).map_err(zip_error)?;
        zip.write_all(xml.as_bytes())
            .map_err(|e| ReportError::Render(format!("ghi phần {name}: {e}")))?;
    }
    let cursor = zip.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

fn zip_error(e: zip::result::ZipError) -> ReportError {
    ReportError::Render(format!("lỗi nén tệp DOCX: {e}"))
}

/// `generated_on`, the date of every timestamp in the file.
#[derive(Debug)]
struct FileDate {
    year: u16,
    month: u8,
    day: u8,
}

impl FileDate {
    /// Refuses a year W3CDTF cannot write (it has four digits).
    fn of(date: NaiveDate) -> Result<FileDate, ReportError> {
        match u16::try_from(date.year()) {
            Ok(year @ 0..=9999) => Ok(FileDate {
                year,
                // A month (1–12) and a day (1–31) fit in a u8.
                month: date.month() as u8,
                day: date.day() as u8,
            }),
            _ => Err(ReportError::Render(format!(
                "ngày báo cáo {date} nằm ngoài các năm 0000–9999 mà tệp DOCX ghi được"
            ))),
        }
    }

    /// W3CDTF timestamp at midnight UTC.
    fn w3cdtf(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year, self.month, self.day
        )
    }

    /// DOS timestamp for the zip entries; dates the format cannot hold
    /// (before 1980 or after 2107) fall back to 1980-01-01.
    fn zip_time(&self) -> DateTime {
        DateTime::from_date_and_time(self.year, self.month, self.day, 0, 0, 0).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// XML text.

/// Whether `c` may appear in an XML 1.0 document.
fn xml_legal(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for XML text or attribute values and drops characters that
/// XML 1.0 cannot carry (C0 controls but tab/newline/CR, U+FFFE, U+FFFF).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_legal(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Run formatting.
#[derive(Clone, Copy, Default)]
struct R {
    bold: bool,
    italic: bool,
    underline: bool,
    /// Size in points; `None` keeps the style's.
    size: Option<u32>,
}

impl R {
    fn pt(size: u32) -> R {
        R {
            size: Some(size),
            ..R::default()
        }
    }
    fn bold(mut self) -> R {
        self.bold = true;
        self
    }
    fn italic(mut self) -> R {
        self.italic = true;
        self
    }
    fn underline(mut self) -> R {
        self.underline = true;
        self
    }

    fn write(&self, out: &mut String) {
        if !self.bold && !self.italic && !self.underline && self.size.is_none() {
            return;
        }
        out.push_str("<w:rPr>");
        if self.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            out.push_str("<w:i/><w:iCs/>");
        }
        if let Some(pt) = self.size {
            out.push_str(&format!(
                "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>",
                pt * 2
            ));
        }
        if self.underline {
            out.push_str("<w:u w:val=\"single\"/>");
        }
        out.push_str("</w:rPr>");
    }
}

/// Paragraph formatting.
#[derive(Clone, Copy, Default)]
struct P {
    style: Option<&'static str>,
    keep_next: bool,
    keep_lines: bool,
    /// A bottom border: the short rule under a heading.
    rule: bool,
    before: Option<u32>,
    after: Option<u32>,
    /// Exact line height in twips.
    exact_line: Option<u32>,
    /// Left and right indents in twips.
    indent: Option<(u32, u32)>,
    center: bool,
    /// Flush right (a number in a table).
    right: bool,
    /// Run properties of the paragraph mark (sets an empty paragraph's height).
    mark: Option<R>,
}

impl P {
    fn centered() -> P {
        P {
            center: true,
            ..P::default()
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:pPr>");
        if let Some(s) = self.style {
            out.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
        }
        if self.keep_next {
            out.push_str("<w:keepNext/>");
        }
        if self.keep_lines {
            out.push_str("<w:keepLines/>");
        }
        if self.rule {
            out.push_str(
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>",
            );
        }
        if self.before.is_some() || self.after.is_some() || self.exact_line.is_some() {
            out.push_str("<w:spacing");
            if let Some(b) = self.before {
                out.push_str(&format!(" w:before=\"{b}\""));
            }
            if let Some(a) = self.after {
                out.push_str(&format!(" w:after=\"{a}\""));
            }
            if let Some(l) = self.exact_line {
                out.push_str(&format!(" w:line=\"{l}\" w:lineRule=\"exact\""));
            }
            out.push_str("/>");
        }
        if let Some((l, r)) = self.indent {
            out.push_str(&format!(
                "<w:ind w:left=\"{l}\" w:right=\"{r}\" w:firstLine=\"0\"/>"
            ));
        }
        if self.center {
            out.push_str("<w:jc w:val=\"center\"/>");
        } else if self.right {
            out.push_str("<w:jc w:val=\"right\"/>");
        }
        if let Some(m) = self.mark {
            m.write(out);
        }
        out.push_str("</w:pPr>");
    }
}

/// Writes one run; tabs and line breaks in `text` become `<w:tab/>` and
/// `<w:br/>`, a hyphen inside a word (the "-" of "1907/QĐ-UBND", of a date
/// range written without spaces or of a URL) becomes `<w:noBreakHyphen/>`,
/// everything else goes into `<w:t xml:space="preserve">`.
///
/// Word and LibreOffice break a line after a hyphen, so "1907/QĐ-" would end
/// one line and "UBND" start the next; the non-breaking hyphen prints the
/// same glyph (and LibreOffice's PDF text carries a plain "-") without being
/// a break opportunity. Neither breaks after "/" or ".", so document
/// numbers, dd/mm/yyyy dates and URLs then stay whole on a line.
fn run(out: &mut String, text: &str, r: R) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    r.write(out);
    let mut pending = String::new();
    let flush = |out: &mut String, pending: &mut String| {
        if !pending.is_empty() {
            out.push_str("<w:t xml:space=\"preserve\">");
            out.push_str(&escape(pending));
            out.push_str("</w:t>");
            pending.clear();
        }
    };
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let before = prev.replace(c);
        match c {
            '-' if before.is_some_and(in_word) && chars.peek().is_some_and(|n| in_word(*n)) => {
                flush(out, &mut pending);
                out.push_str("<w:noBreakHyphen/>");
            }
            '\t' => {
                flush(out, &mut pending);
                out.push_str("<w:tab/>");
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                flush(out, &mut pending);
                out.push_str("<w:br/>");
            }
            c => pending.push(c),
        }
    }
    flush(out, &mut pending);
    out.push_str("</w:r>");
}

/// Whether `c` is part of a word for [`run`]'s non-breaking hyphens: not
/// white space (a spaced hyphen, as in "Độc lập - Tự do", stays a hyphen).
fn in_word(c: char) -> bool {
    !c.is_whitespace()
}

/// Writes one paragraph of runs.
fn para(out: &mut String, p: P, runs: &[(&str, R)]) {
    out.push_str("<w:p>");
    p.write(out);
    for (text, r) in runs {
        run(out, text, *r);
    }
    out.push_str("</w:p>");
}

/// A rough width in twips of `text` set in Times New Roman at `pt` points,
/// enough to size the short rules (⅓–½ of the line above them).
fn text_width(text: &str, pt: u32, caps: bool) -> u32 {
    let em: f64 = text
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                0.25
            } else if caps || c.is_uppercase() {
                0.7
            } else {
                0.48
            }
        })
        .sum();
    (em * f64::from(pt) * 20.0) as u32
}

/// An empty paragraph whose bottom border is a centred rule `len` twips
/// long inside a space `width` twips wide.
fn short_rule(out: &mut String, width: u32, len: u32, after: u32, keep_next: bool) {
    let len = len.clamp(567, width.saturating_sub(200).max(567));
    let side = width.saturating_sub(len) / 2;
    para(
        out,
        P {
            rule: true,
            keep_next,
            before: Some(0),
            after: Some(after),
            exact_line: Some(100),
            indent: Some((side, side)),
            center: true,
            mark: Some(R::pt(2)),
            ..P::default()
        },
        &[],
    );
}

// ---------------------------------------------------------------------------
// Tables.

/// Opens a borderless, fixed-layout table with the given column widths
/// (the heading and the closing block).
fn table_start(out: &mut String, cols: &[u32]) {
    grid_start(out, cols, false);
}

/// Opens a fixed-layout table with the given column widths: borderless and
/// without cell margins, or `bordered` (single black lines, a small margin
/// in each cell, the first row a header).
fn grid_start(out: &mut String, cols: &[u32], bordered: bool) {
    let total: u32 = cols.iter().sum();
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!("<w:tblW w:w=\"{total}\" w:type=\"dxa\"/>"));
    out.push_str("<w:tblInd w:w=\"0\" w:type=\"dxa\"/>");
    out.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        if bordered {
            out.push_str(&format!(
                "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
            ));
        } else {
            out.push_str(&format!("<w:{side} w:val=\"nil\"/>"));
        }
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    let (v, h) = if bordered { (28, 57) } else { (0, 0) };
    out.push_str(&format!(
        "<w:tblCellMar><w:top w:w=\"{v}\" w:type=\"dxa\"/><w:left w:w=\"{h}\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"{v}\" w:type=\"dxa\"/><w:right w:w=\"{h}\" w:type=\"dxa\"/></w:tblCellMar>"
    ));
    let (look, first_row) = if bordered { ("0020", 1) } else { ("0600", 0) };
    out.push_str(&format!(
        "<w:tblLook w:val=\"{look}\" w:firstRow=\"{first_row}\" w:lastRow=\"0\" w:firstColumn=\"0\" \
         w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>"
    ));
    out.push_str("</w:tblPr><w:tblGrid>");
    for c in cols {
        out.push_str(&format!("<w:gridCol w:w=\"{c}\"/>"));
    }
    out.push_str("</w:tblGrid>");
}

fn row_start(out: &mut String, cant_split: bool) {
    out.push_str("<w:tr>");
    if cant_split {
        out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
    }
}

/// Writes one cell; `body` must write at least one paragraph (an empty one
/// is added otherwise, as a cell without a paragraph is invalid).
fn cell(out: &mut String, width: u32, body: impl FnOnce(&mut String)) {
    out.push_str(&format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>"
    ));
    let start = out.len();
    body(out);
    if !out[start..].contains("<w:p>") {
        para(out, P::default(), &[]);
    }
    out.push_str("</w:tc>");
}

// ---------------------------------------------------------------------------
// Parts.

fn document_xml(doc: &Document, annexes: &[Annex]) -> String {
    let mut out = String::with_capacity(32 * 1024);
    out.push_str(XML_DECL);
    out.push_str(&format!(
        "<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:body>"
    ));
    heading_table(&mut out, doc);
    title(&mut out, doc);
    // The last paragraph stays on the page of the signature block.
    let last = doc.blocks.len().saturating_sub(1);
    for (i, block) in doc.blocks.iter().enumerate() {
        body_block(&mut out, block, i == last);
    }
    closing_table(&mut out, doc);
    if annexes.is_empty() {
        section(&mut out, Orientation::Portrait);
    } else {
        // The document's section ends in a paragraph of its own (a tiny
        // one, so that it never pushes the signature to a new page); the
        // annexes follow in a landscape section.
        out.push_str("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/>");
        out.push_str("<w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr>");
        section(&mut out, Orientation::Portrait);
        out.push_str("</w:pPr></w:p>");
        for (i, annex) in annexes.iter().enumerate() {
            annex_table(&mut out, annex, i > 0);
        }
        section(&mut out, Orientation::Landscape);
    }
    out.push_str("</w:body></w:document>");
    out
}

// ---------------------------------------------------------------------------
// Annexes.

/// Width of the text block on a landscape page.
const LANDSCAPE_TEXT_WIDTH: u32 = PAGE_HEIGHT - MARGIN_LEFT - MARGIN_RIGHT;
/// Column widths of an annex table filling a landscape line, in
/// proportion to [`Annex::column_weights`].
fn annex_columns(annex: &Annex) -> Vec<u32> {
    let weights = annex.column_weights();
    let total: u32 = weights.iter().sum::<u32>().max(1);
    weights
        .iter()
        .map(|w| LANDSCAPE_TEXT_WIDTH * w / total)
        .collect()
}

/// One annex: its title and subtitle centred, then a bordered table whose
/// header row repeats on every page and whose rows never split; numbers
/// flush right, the first column centred, the totals row in bold.
fn annex_table(out: &mut String, annex: &Annex, page_break: bool) {
    if page_break {
        out.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
    }
    let heading = P {
        keep_next: true,
        center: true,
        ..P::default()
    };
    para(out, heading, &[(&annex.title, R::pt(14).bold())]);
    for line in &annex.subtitle {
        para(out, heading, &[(line, R::pt(13).italic())]);
    }
    let gap = P {
        keep_next: true,
        after: Some(120),
        ..P::default()
    };
    para(out, gap, &[]);
    let cols = annex_columns(annex);
    let size = if annex.columns.len() > 10 { 10 } else { 11 };
    grid_start(out, &cols, true);
    // The header row, repeated at the top of every page.
    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (header, width) in annex.columns.iter().zip(&cols) {
        grid_cell(out, *width, header, P::centered(), R::pt(size).bold());
    }
    out.push_str("</w:tr>");
    let rows = annex.rows.iter().map(|r| (r, false));
    for (row, bold) in rows.chain(annex.totals.iter().map(|r| (r, true))) {
        row_start(out, true);
        for (i, width) in cols.iter().enumerate() {
            let cell = row.get(i);
            let text = cell.map(|c| c.printed()).unwrap_or_default();
            let p = P {
                center: i == 0,
                right: i > 0 && cell.is_some_and(|c| c.is_number()),
                ..P::default()
            };
            let r = if bold {
                R::pt(size).bold()
            } else {
                R::pt(size)
            };
            grid_cell(out, *width, &text, p, r);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// One cell of an annex table, its text vertically centred.
fn grid_cell(out: &mut String, width: u32, text: &str, p: P, r: R) {
    out.push_str(&format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
    ));
    para(out, p, &[(text, r)]);
    out.push_str("</w:tc>");
}

/// The two-column heading: issuing body and number on the left, national
/// title, motto and place/date on the right. Two rows so that "Số:" and the
/// place/date line share a baseline.
fn heading_table(out: &mut String, doc: &Document) {
    table_start(out, &[HEAD_LEFT, HEAD_RIGHT]);

    row_start(out, true);
    cell(out, HEAD_LEFT, |out| {
        if let Some(parent) = &doc.parent_body {
            para(out, P::centered(), &[(parent, R::pt(13))]);
        }
        for line in &doc.issuing_body {
            para(out, P::centered(), &[(line, R::pt(13).bold())]);
        }
        let longest = doc
            .issuing_body
            .iter()
            .map(|l| text_width(l, 13, true))
            .max()
            .unwrap_or(0);
        if !doc.issuing_body.is_empty() || doc.parent_body.is_some() {
            short_rule(out, HEAD_LEFT, longest * 2 / 5, 0, false);
        }
    });
    cell(out, HEAD_RIGHT, |out| {
        para(out, P::centered(), &[(NATIONAL_TITLE, R::pt(13).bold())]);
        para(out, P::centered(), &[(MOTTO, R::pt(14).bold().underline())]);
    });
    out.push_str("</w:tr>");

    row_start(out, true);
    let row2 = P {
        before: Some(160),
        ..P::centered()
    };
    cell(out, HEAD_LEFT, |out| {
        let number = format!("Số: {}", doc.number);
        para(out, row2, &[(&number, R::pt(13))]);
    });
    cell(out, HEAD_RIGHT, |out| {
        para(out, row2, &[(&doc.place_date, R::pt(14).italic())]);
    });
    out.push_str("</w:tr></w:tbl>");
}

/// Title, subject lines and the short rule under them.
fn title(out: &mut String, doc: &Document) {
    let keep = P {
        keep_next: true,
        ..P::centered()
    };
    para(
        out,
        P {
            before: Some(480),
            ..keep
        },
        &[(&doc.title, R::pt(14).bold())],
    );
    for line in &doc.subject {
        para(out, keep, &[(line, R::pt(14).bold())]);
    }
    let longest = doc
        .subject
        .iter()
        .map(|l| text_width(l, 14, false))
        .chain(std::iter::once(text_width(&doc.title, 14, true)))
        .max()
        .unwrap_or(0);
    short_rule(out, TEXT_WIDTH, longest * 2 / 5, 360, false);
}

fn body_block(out: &mut String, block: &Block, keep_next: bool) {
    let (mut p, r) = match block {
        Block::Heading { level, .. } => {
            let style = match level {
                0 | 1 => "Heading1",
                2 => "Heading2",
                _ => "Heading3",
            };
            (
                P {
                    style: Some(style),
                    ..P::default()
                },
                R::default(),
            )
        }
        Block::Paragraph { .. } => (
            P {
                style: Some("BodyText"),
                ..P::default()
            },
            R::default(),
        ),
    };
    p.keep_next = keep_next;
    let runs: Vec<(&str, R)> = block
        .content()
        .iter()
        .map(|inline| match inline {
            Inline::Text { text } | Inline::Figure { text, .. } => (text.as_str(), r),
        })
        .collect();
    para(out, p, &runs);
}

/// "Nơi nhận" on the left, the signature on the right, kept on one page.
fn closing_table(out: &mut String, doc: &Document) {
    // A little space between the body and the closing block.
    para(
        out,
        P {
            keep_next: true,
            after: Some(0),
            mark: Some(R::pt(8)),
            ..P::default()
        },
        &[],
    );
    table_start(out, &[END_LEFT, END_RIGHT]);
    row_start(out, true);
    let keep = P {
        keep_next: true,
        keep_lines: true,
        ..P::default()
    };
    cell(out, END_LEFT, |out| {
        para(out, keep, &[("Nơi nhận:", R::pt(12).bold().italic())]);
        for r in &doc.recipients {
            let line = format!("- {r}");
            para(out, keep, &[(&line, R::pt(11))]);
        }
    });
    cell(out, END_RIGHT, |out| {
        let keep_c = P {
            center: true,
            ..keep
        };
        for line in &doc.signature.capacity {
            para(out, keep_c, &[(line, R::pt(14).bold())]);
        }
        for _ in 0..4 {
            para(
                out,
                P {
                    mark: Some(R::pt(14)),
                    ..keep_c
                },
                &[],
            );
        }
        para(out, keep_c, &[(&doc.signature.name, R::pt(14).bold())]);
    });
    out.push_str("</w:tr></w:tbl>");
    // A document may not end with a table.
    para(
        out,
        P {
            exact_line: Some(20),
            mark: Some(R::pt(1)),
            ..P::default()
        },
        &[],
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Orientation {
    Portrait,
    Landscape,
}

/// Section properties: the document's (portrait, no page number on its
/// first page) or the annexes' (landscape, numbered on, no first page of
/// its own).
fn section(out: &mut String, orientation: Orientation) {
    out.push_str("<w:sectPr>");
    out.push_str("<w:headerReference w:type=\"default\" r:id=\"rIdHeaderDefault\"/>");
    if orientation == Orientation::Portrait {
        out.push_str("<w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>");
        out.push_str(&format!(
            "<w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\" w:orient=\"portrait\"/>"
        ));
    } else {
        out.push_str("<w:type w:val=\"nextPage\"/>");
        out.push_str(&format!(
            "<w:pgSz w:w=\"{PAGE_HEIGHT}\" w:h=\"{PAGE_WIDTH}\" w:orient=\"landscape\"/>"
        ));
    }
    out.push_str(&format!(
        "<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" \
         w:left=\"{MARGIN_LEFT}\" w:header=\"{HEADER_DISTANCE}\" w:footer=\"{HEADER_DISTANCE}\" w:gutter=\"0\"/>"
    ));
    out.push_str("<w:pgNumType w:fmt=\"decimal\"/>");
    out.push_str("<w:cols w:space=\"720\"/>");
    if orientation == Orientation::Portrait {
        out.push_str("<w:titlePg/>");
    }
    out.push_str("</w:sectPr>");
}

/// Page header: the default one (page 2 on) holds a centred PAGE field at
/// 13 pt; the first-page one is empty.
fn header_xml(with_page_number: bool) -> String {
    let mut out = String::new();
    out.push_str(XML_DECL);
    out.push_str(&format!("<w:hdr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">"));
    if with_page_number {
        let rpr = "<w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr>";
        out.push_str("<w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>");
        out.push_str(&format!(
            "<w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
             <w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
             <w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
             <w:r><w:rPr><w:noProof/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t>2</w:t></w:r>\
             <w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>"
        ));
        out.push_str("</w:p>");
    } else {
        out.push_str("<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p>");
    }
    out.push_str("</w:hdr>");
    out
}

fn styles_xml() -> String {
    let fonts = format!(
        "<w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:cs=\"{FONT}\" w:eastAsia=\"{FONT}\"/>"
    );
    let body_ppr = format!(
        "<w:spacing w:before=\"0\" w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/>\
         <w:ind w:firstLine=\"{FIRST_LINE_INDENT}\"/><w:jc w:val=\"both\"/>"
    );
    let heading = |id: &str, name: &str, level: u8, italic: bool| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
             <w:basedOn w:val=\"BodyText\"/><w:next w:val=\"BodyText\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:keepLines/>{body_ppr}<w:outlineLvl w:val=\"{level}\"/></w:pPr>\
             <w:rPr><w:b/><w:bCs/>{}</w:rPr></w:style>",
            if italic { "<w:i/><w:iCs/>" } else { "" }
        )
    };
    let mut out = String::new();
    out.push_str(XML_DECL);
    out.push_str(&format!("<w:styles xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">"));
    out.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{fonts}<w:color w:val=\"000000\"/>\
         <w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>\
         </w:pPr></w:pPrDefault></w:docDefaults>"
    ));
    out.push_str(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:widowControl/></w:pPr></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
         <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
         <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"numbering\" w:default=\"1\" w:styleId=\"NoList\"><w:name w:val=\"No List\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>",
    );
    out.push_str(&format!(
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"BodyText\"><w:name w:val=\"Body\"/>\
         <w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{body_ppr}</w:pPr></w:style>"
    ));
    out.push_str(&heading("Heading1", "heading 1", 0, false));
    out.push_str(&heading("Heading2", "heading 2", 1, false));
    out.push_str(&heading("Heading3", "heading 3", 2, true));
    out.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/>\
         <w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val=\"center\" w:pos=\"4677\"/>\
         <w:tab w:val=\"right\" w:pos=\"9355\"/></w:tabs></w:pPr><w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>",
    );
    out.push_str("</w:styles>");
    out
}

fn settings_xml() -> String {
    let word = "http://schemas.microsoft.com/office/word";
    let compat = |name: &str, val: &str| {
        format!("<w:compatSetting w:name=\"{name}\" w:uri=\"{word}\" w:val=\"{val}\"/>")
    };
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">\
         <w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"720\"/>\
         <w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:doNotExpandShiftReturn/>{}{}{}{}{}</w:compat>\
         <w:themeFontLang w:val=\"vi-VN\"/>\
         <w:decimalSymbol w:val=\",\"/><w:listSeparator w:val=\";\"/>\
         </w:settings>",
        compat("compatibilityMode", "15"),
        compat("overrideTableStyleFontSizeAndJustification", "1"),
        compat("enableOpenTypeFeatures", "1"),
        compat("doNotFlipMirrorIndents", "1"),
        compat("differentiateMultirowTableHeaders", "1"),
    )
}

fn font_table_xml() -> String {
    format!(
        "{XML_DECL}<w:fonts xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">\
         <w:font w:name=\"{FONT}\"><w:panose1 w:val=\"02020603050405020304\"/><w:charset w:val=\"00\"/>\
         <w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/>\
         <w:sig w:usb0=\"E0002EFF\" w:usb1=\"C000785B\" w:usb2=\"00000009\" w:usb3=\"00000000\" w:csb0=\"000001FF\" w:csb1=\"00000000\"/>\
         </w:font></w:fonts>"
    )
}

fn content_types() -> String {
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{wml}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{wml}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{wml}.settings+xml\"/>\
         <Override PartName=\"/word/fontTable.xml\" ContentType=\"{wml}.fontTable+xml\"/>\
         <Override PartName=\"/word/header1.xml\" ContentType=\"{wml}.header+xml\"/>\
         <Override PartName=\"/word/header2.xml\" ContentType=\"{wml}.header+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>"
    )
}

fn package_rels() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
         </Relationships>"
    )
}

fn document_rels() -> String {
    let t = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdStyles\" Type=\"{t}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rIdSettings\" Type=\"{t}/settings\" Target=\"settings.xml\"/>\
         <Relationship Id=\"rIdFontTable\" Type=\"{t}/fontTable\" Target=\"fontTable.xml\"/>\
         <Relationship Id=\"rIdHeaderFirst\" Type=\"{t}/header\" Target=\"header1.xml\"/>\
         <Relationship Id=\"rIdHeaderDefault\" Type=\"{t}/header\" Target=\"header2.xml\"/>\
         </Relationships>"
    )
}

fn core_xml(doc: &Document, date: &FileDate) -> String {
    let when = date.w3cdtf();
    format!(
        "{XML_DECL}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
         <cp:lastModifiedBy>Tổ Số</cp:lastModifiedBy><dc:language>vi-VN</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>\
         </cp:coreProperties>",
        escape(&doc.file_title),
        escape(&doc.subject.join(" ")),
        escape(&doc.issuing_body.join(" ")),
    )
}

fn app_xml() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Tổ Số</Application><DocSecurity>0</DocSecurity></Properties>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_drops_illegal_characters() {
        assert_eq!(
            escape("a\u{0}b\u{1}c\u{B}\u{C}\u{1F}<&>\"'\u{FFFE}\t"),
            "abc&lt;&amp;&gt;&quot;&apos;\t"
        );
        assert_eq!(escape("😀 Việt"), "😀 Việt");
    }

    #[test]
    fn hyphens_inside_words_do_not_break() {
        let xml = |text: &str| {
            let mut out = String::new();
            run(&mut out, text, R::default());
            out
        };
        assert_eq!(
            xml("số 1907/QĐ-UBND ngày 31/10/2025"),
            "<w:r><w:t xml:space=\"preserve\">số 1907/QĐ</w:t><w:noBreakHyphen/>\
             <w:t xml:space=\"preserve\">UBND ngày 31/10/2025</w:t></w:r>"
        );
        assert_eq!(
            xml("https://a-b.vn/x-y-z")
                .matches("<w:noBreakHyphen/>")
                .count(),
            3
        );
        // A spaced hyphen, or one at a word's edge, is left as typed.
        for typed in ["Độc lập - Tự do", "-a", "a-", "a -b", "a- b", "-"] {
            assert!(!xml(typed).contains("noBreakHyphen"), "{typed}");
        }
        assert!(xml("a\t-b").contains("<w:tab/><w:t xml:space=\"preserve\">-b"));
    }

    #[test]
    fn file_dates_are_the_generation_date() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let date = FileDate::of(day(2024, 2, 29)).unwrap();
        assert_eq!(date.w3cdtf(), "2024-02-29T00:00:00Z");
        assert_eq!(
            date.zip_time(),
            DateTime::from_date_and_time(2024, 2, 29, 0, 0, 0).unwrap()
        );
        // Before the DOS epoch the zip entries fall back to 1980-01-01;
        // core.xml keeps the date.
        let old = FileDate::of(day(1970, 1, 1)).unwrap();
        assert_eq!(old.zip_time(), DateTime::default());
        assert_eq!(old.w3cdtf(), "1970-01-01T00:00:00Z");
        assert_eq!(
            FileDate::of(day(0, 1, 1)).unwrap().w3cdtf(),
            "0000-01-01T00:00:00Z"
        );
        // A year W3CDTF cannot write is refused, not written wrong.
        for far in [day(10000, 1, 1), day(-1, 12, 31)] {
            match FileDate::of(far) {
                Err(ReportError::Render(m)) => assert!(m.contains("0000–9999"), "{m}"),
                other => panic!("expected a Render error for {far}, got {other:?}"),
            }
        }
    }
}

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

mod package;
mod wml;

pub use wml::escape as xml_escape;

use package::*;
use wml::*;

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

#[cfg(test)]
mod tests {
    use super::*;

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

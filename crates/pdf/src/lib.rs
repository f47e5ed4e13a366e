//! PDF rendering of a report ([`toso_reports::Document`]) with an embedded
//! typst (0.15.1) and embedded Liberation Serif fonts; the village posters
//! ([`render_posters`], `poster.rs`) are laid out the same way, with the
//! same fonts, world and strictness.
//!
//! * **Data, not markup.** The document is serialised to JSON and served to a
//!   fixed template (`report.typ`) as the virtual file `/report.json`, which
//!   the template reads with `json(..)` and shows string by string. No text of
//!   the document is ever parsed as typst markup or code, so `#set …`, `$x$`,
//!   `*bold*`, `<label>`, `\` or `]` in a paragraph print as typed.
//! * **Closed world.** The typst [`World`] below knows two files (the template
//!   and the data) and four fonts compiled into the binary; it reads no file,
//!   no system font and no package, and never touches the network.
//! * **Deterministic.** The PDF's creation date, document id and creator come
//!   from the document (`generated_on`, title, number), never from the clock,
//!   so one document always gives the same bytes.
//! * **Fast.** Fonts, font book, standard library and the parsed template live
//!   in process-wide [`LazyLock`]s; rendering a report only lays it out.
//! * **Strict.** Any typst warning (e.g. an unknown font family) is an error,
//!   and so is a glyph the fonts lack (typst would silently draw a "tofu" box).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use toso_reports::{Annex, Block, Document};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub mod allowance;
mod poster;
pub use poster::*;

/// The fixed typst template every report is laid out with.
const TEMPLATE: &str = include_str!("report.typ");

/// Liberation Serif 2.1.5 (SIL OFL 1.1, see `fonts/OFL.txt`).
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// Virtual path of the template (the main file).
const MAIN_PATH: &str = "/report.typ";
/// Virtual path of the document data the template reads with `json(..)`.
const DATA_PATH: &str = "/report.json";

/// Vietnam's offset from UTC (UTC+7), in minutes, for the PDF creation date.
const VIETNAM_UTC_OFFSET_MINUTES: i32 = 7 * 60;

/// Errors of [`render_pdf`].
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// `generated_on` has a year a PDF date cannot hold (it has four
    /// digits). A malformed date never gets here: the model's dates are
    /// dates, checked when a snapshot is read.
    #[error(
        "không tạo được tệp PDF: ngày báo cáo {0} nằm ngoài các năm 0000–9999 mà tệp PDF ghi được"
    )]
    DateOutOfRange(NaiveDate),
    /// The document could not be serialised for the template.
    #[error("không tạo được tệp PDF: không chuyển được dữ liệu báo cáo: {0}")]
    Data(#[from] serde_json::Error),
    /// Typst reported errors (or warnings, which are treated as errors).
    #[error("không tạo được tệp PDF: lỗi dàn trang: {0}")]
    Layout(String),
    /// The text contains characters the embedded fonts cannot draw.
    #[error("không tạo được tệp PDF: phông chữ Liberation Serif không có các ký tự: {0}")]
    MissingGlyphs(String),
    /// The PDF writer failed.
    #[error("không tạo được tệp PDF: lỗi xuất PDF: {0}")]
    Export(String),
    /// A link too long to fit in a QR code.
    #[error("không tạo được tệp PDF: không tạo được mã QR cho liên kết «{0}»")]
    Qr(String),
}

/// Renders `doc` as an A4 PDF laid out as Nghị định 30/2020/NĐ-CP asks.
///
/// The same document always gives byte-identical output.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_pdf_with_annexes(doc, &[])
}

/// Renders `doc` followed by its `annexes`, each a table on landscape pages
/// (page numbers continuing). Without annexes the PDF is [`render_pdf`]'s.
pub fn render_pdf_with_annexes(doc: &Document, annexes: &[Annex]) -> Result<Vec<u8>, PdfError> {
    let date = creation_date(doc.generated_on)?;
    let mut report = ReportData::from(doc);
    report.annexes = annexes.iter().map(AnnexData::from).collect();
    let data = serde_json::to_vec(&report)?;
    let document = lay_out(&REPORT, data, date)?;
    export(
        &document,
        format!(
            "toso-report|{}|{}|{}|{}",
            doc.generated_on, doc.number, doc.title, doc.file_title
        ),
        date,
    )
}

/// Lays `data` out with `template` in the closed world, strictly: typst's
/// errors and warnings, and any glyph the fonts lack, are errors.
fn lay_out(template: &Template, data: Vec<u8>, today: Datetime) -> Result<PagedDocument, PdfError> {
    let world = ClosedWorld {
        template,
        data: Bytes::new(data),
        today,
    };

    let warned = typst::compile::<PagedDocument>(&world);
    // Typst keeps memoised results of earlier compilations; drop those not
    // used by the last few so that a long-running server stays small.
    typst::comemo::evict(10);
    let document = warned
        .output
        .map_err(|errs| PdfError::Layout(diagnostics(&errs)))?;
    if !warned.warnings.is_empty() {
        return Err(PdfError::Layout(diagnostics(&warned.warnings)));
    }

    let mut missing = BTreeSet::new();
    for page in document.pages() {
        collect_missing_glyphs(&page.frame, &mut missing);
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|c| format!("«{c}» (U+{:04X})", u32::from(*c)))
            .collect();
        return Err(PdfError::MissingGlyphs(list.join(", ")));
    }
    Ok(document)
}

/// The PDF of a laid-out document: its id (`ident`) and creation date
/// (`date`) given, so that the same input always gives the same bytes.
fn export(document: &PagedDocument, ident: String, date: Datetime) -> Result<Vec<u8>, PdfError> {
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some("Tổ Số".into())),
        timestamp: Timestamp::new_local(date, VIETNAM_UTC_OFFSET_MINUTES),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(document, &options).map_err(|errs| PdfError::Export(diagnostics(&errs)))
}

/// `generated_on` as typst's date: the PDF's creation date and typst's
/// "today".
fn creation_date(date: NaiveDate) -> Result<Datetime, PdfError> {
    let out_of_range = || PdfError::DateOutOfRange(date);
    if !(0..=9999).contains(&date.year()) {
        return Err(out_of_range());
    }
    // A month (1–12) and a day (1–31) fit in a u8.
    Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8).ok_or_else(out_of_range)
}

/// One line per diagnostic, with its hints.
fn diagnostics(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let mut s = d.message.to_string();
            for hint in &d.hints {
                s.push_str(" (");
                s.push_str(&hint.v);
                s.push(')');
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Characters drawn with glyph 0 (".notdef", a "tofu" box) anywhere in `frame`.
fn collect_missing_glyphs(frame: &Frame, missing: &mut BTreeSet<char>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => collect_missing_glyphs(&group.frame, missing),
            FrameItem::Text(text) => {
                for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                    let chars = text.text.get(glyph.range()).unwrap_or_default();
                    missing.extend(chars.chars().filter(|c| !c.is_whitespace()));
                }
            }
            _ => {}
        }
    }
}

/// What the template reads from `/report.json`: the document flattened to
/// the strings it prints (figures as printed).
#[derive(Serialize)]
struct ReportData<'a> {
    parent_body: Option<&'a str>,
    issuing_body: &'a [String],
    author: String,
    number_line: String,
    place_date: &'a str,
    title: &'a str,
    /// Each subject line as [`pieces`].
    subject: Vec<Vec<Piece>>,
    blocks: Vec<BlockData>,
    /// Each recipient as [`pieces`].
    recipients: Vec<Vec<Piece>>,
    capacity: &'a [String],
    signer: &'a str,
    file_title: &'a str,
    /// The annexes, printed after the signature on landscape pages.
    annexes: Vec<AnnexData<'a>>,
}

/// An annex as the template prints it: every cell as printed
/// ([`toso_reports::Cell::printed`]) in [`pieces`], numbers marked to be
/// set flush right, the columns' relative widths
/// ([`Annex::column_weights`], as the DOCX's).
#[derive(Serialize)]
struct AnnexData<'a> {
    title: &'a str,
    subtitle: &'a [String],
    columns: &'a [String],
    weights: Vec<u32>,
    rows: Vec<Vec<CellData>>,
    totals: Option<Vec<CellData>>,
}

#[derive(Serialize)]
struct CellData {
    pieces: Vec<Piece>,
    number: bool,
}

impl<'a> From<&'a Annex> for AnnexData<'a> {
    fn from(annex: &'a Annex) -> Self {
        let n = annex.columns.len();
        // Every row exactly as wide as the header (the table's cells flow
        // into its columns: a short row would shift the next one).
        let row = |cells: &[toso_reports::Cell]| -> Vec<CellData> {
            (0..n)
                .map(|i| CellData {
                    pieces: cells.get(i).map_or_else(Vec::new, |c| pieces(&c.printed())),
                    number: cells.get(i).is_some_and(|c| c.is_number()),
                })
                .collect()
        };
        AnnexData {
            title: &annex.title,
            subtitle: &annex.subtitle,
            columns: &annex.columns,
            weights: annex.column_weights(),
            rows: annex.rows.iter().map(|r| row(r)).collect(),
            totals: annex.totals.as_deref().map(row),
        }
    }
}

#[derive(Serialize)]
struct BlockData {
    /// "heading" or "paragraph".
    kind: &'static str,
    /// Heading level (1–3); 0 for a paragraph.
    level: u8,
    /// The text, as [`pieces`] of it.
    pieces: Vec<Piece>,
}

/// A stretch of text as the template prints it: `keep` is a word that must
/// not be broken across lines (a document number, a date, a URL), boxed by
/// the template when it fits on a line; otherwise text that may break at
/// its spaces.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Piece {
    text: String,
    keep: bool,
}

/// Characters after which a line may break inside a word (Unicode line
/// breaking, as typst applies it): a slash, hyphens and dashes. A word
/// holding one is kept whole, so "1907/QĐ-UBND", "31/10/2025" and
/// "https://zalo.me/g/xuubpv554" never end a line at "1907/QĐ-" or
/// "https://zalo.me/".
const BREAKS_INSIDE_A_WORD: [char; 7] = [
    '/', '\\', '-', '\u{2010}', '\u{2012}', '\u{2013}', '\u{2014}',
];

/// Splits `text` into [`Piece`]s: each word (a run of characters between
/// white space) that holds one of [`BREAKS_INSIDE_A_WORD`] after its first
/// character is a piece of its own to keep whole; everything else, spaces
/// included, is gathered into breakable pieces. Joining the pieces' text
/// gives `text` back.
fn pieces(text: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        plain.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        let keep = word.char_indices().any(|(i, c)| {
            i > 0 && BREAKS_INSIDE_A_WORD.contains(&c) && i + c.len_utf8() < word.len()
        });
        if keep {
            if !plain.is_empty() {
                out.push(Piece {
                    text: std::mem::take(&mut plain),
                    keep: false,
                });
            }
            out.push(Piece {
                text: word.to_owned(),
                keep: true,
            });
        } else {
            plain.push_str(word);
        }
    }
    if !plain.is_empty() {
        out.push(Piece {
            text: plain,
            keep: false,
        });
    }
    out
}

impl<'a> From<&'a Document> for ReportData<'a> {
    fn from(doc: &'a Document) -> Self {
        ReportData {
            parent_body: doc.parent_body.as_deref(),
            issuing_body: &doc.issuing_body,
            author: doc.issuing_body.join(" "),
            number_line: format!("Số: {}", doc.number),
            place_date: &doc.place_date,
            title: &doc.title,
            subject: doc.subject.iter().map(|l| pieces(l)).collect(),
            blocks: doc
                .blocks
                .iter()
                .map(|b| BlockData {
                    kind: match b {
                        Block::Heading { .. } => "heading",
                        Block::Paragraph { .. } => "paragraph",
                    },
                    level: match b {
                        Block::Heading { level, .. } => *level,
                        Block::Paragraph { .. } => 0,
                    },
                    pieces: pieces(&b.text()),
                })
                .collect(),
            recipients: doc.recipients.iter().map(|r| pieces(r)).collect(),
            capacity: &doc.signature.capacity,
            signer: &doc.signature.name,
            file_title: &doc.file_title,
            annexes: Vec::new(),
        }
    }
}

/// Everything that is the same for every document: built once per process.
struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Engine {
        library: LazyHash::new(Library::builder().build()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// A fixed template (the main file, parsed once per process) and the
/// virtual path of the JSON data it reads.
struct Template {
    main_id: FileId,
    data_id: FileId,
    source: Source,
}

impl Template {
    fn new(main_path: &str, data_path: &str, text: &str) -> Template {
        let path = |p: &str| {
            RootedPath::new(
                VirtualRoot::Project,
                VirtualPath::new(p).expect("fixed virtual path"),
            )
            .intern()
        };
        let main_id = path(main_path);
        Template {
            main_id,
            data_id: path(data_path),
            source: Source::new(main_id, text.to_owned()),
        }
    }
}

/// The report's template.
static REPORT: LazyLock<Template> = LazyLock::new(|| Template::new(MAIN_PATH, DATA_PATH, TEMPLATE));

/// The closed world one document is compiled in: its template, its data
/// and its date.
struct ClosedWorld<'a> {
    template: &'a Template,
    data: Bytes,
    today: Datetime,
}

impl World for ClosedWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &ENGINE.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &ENGINE.book
    }

    fn main(&self) -> FileId {
        self.template.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.template.main_id {
            Ok(self.template.source.clone())
        } else if id == self.template.data_id {
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.template.data_id {
            Ok(self.data.clone())
        } else if id == self.template.main_id {
            Ok(Bytes::from_string(self.template.source.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        ENGINE.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_creation_date_is_the_generation_date() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            creation_date(day(2024, 2, 29)).unwrap(),
            Datetime::from_ymd(2024, 2, 29).unwrap()
        );
        assert!(creation_date(day(0, 1, 1)).is_ok());
        for far in [day(10000, 1, 1), day(-1, 12, 31)] {
            let err = creation_date(far).unwrap_err();
            assert!(
                matches!(err, PdfError::DateOutOfRange(d) if d == far),
                "{err}"
            );
        }
    }

    #[test]
    fn numbers_dates_and_links_are_pieces_kept_whole() {
        let text = "Quyết định số 1907/QĐ-UBND ngày 31/10/2025 (xem https://zalo.me/g/xuubpv554). \
                    Độc lập - Tự do; 28/10/2025 – 14/11/2025; a/ b -c d-";
        let got = pieces(text);
        let kept: Vec<&str> = got
            .iter()
            .filter(|p| p.keep)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(
            kept,
            vec![
                "1907/QĐ-UBND",
                "31/10/2025",
                "https://zalo.me/g/xuubpv554).",
                "28/10/2025",
                "14/11/2025;"
            ]
        );
        // Nothing is lost or reordered, and kept pieces alternate with the
        // breakable text around them.
        assert_eq!(
            got.iter().map(|p| p.text.as_str()).collect::<String>(),
            text
        );
        assert_eq!(got[0].text, "Quyết định số ");
        assert!(!got[0].keep);
        assert_eq!(
            pieces("  "),
            vec![Piece {
                text: "  ".into(),
                keep: false
            }]
        );
        assert!(pieces("").is_empty());
    }

    #[test]
    fn the_embedded_fonts_are_the_four_liberation_serif_styles() {
        assert_eq!(ENGINE.fonts.len(), 4);
        for font in &ENGINE.fonts {
            assert_eq!(font.info().family, "Liberation Serif");
        }
    }
}

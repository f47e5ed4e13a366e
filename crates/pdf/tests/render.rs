//! End-to-end tests of `render_pdf`, checked with poppler-utils (pdftotext,
//! pdffonts, pdfinfo, pdftoppm). A missing tool fails the test: it does not
//! skip it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use toso_pdf::{render_pdf, PdfError};
use toso_reports::{Block, Document, Inline};

/// Runs a poppler-utils tool; panics (naming the Debian package) if the tool
/// is not installed, or if it fails.
fn run(tool: &str, args: &[&str]) -> Output {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            panic!(
                "`{tool}` not found: install the Debian package poppler-utils \
                 (apt-get install poppler-utils)"
            )
        }
        panic!("cannot run `{tool}`: {e}")
    });
    assert!(
        output.status.success(),
        "`{tool} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Writes `pdf` into `dir` and returns its path as a string.
fn write_pdf(dir: &Path, name: &str, pdf: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    path.to_str().expect("UTF-8 temp path").to_owned()
}

/// `pdftotext -layout` of the given pages (all when `None`).
fn pdftotext(pdf: &str, pages: Option<(u32, u32)>) -> String {
    let mut args: Vec<String> = vec!["-layout".into(), "-enc".into(), "UTF-8".into()];
    if let Some((first, last)) = pages {
        args.extend([
            "-f".into(),
            first.to_string(),
            "-l".into(),
            last.to_string(),
        ]);
    }
    args.extend([pdf.to_owned(), "-".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    String::from_utf8(run("pdftotext", &args).stdout).expect("pdftotext prints UTF-8")
}

/// Whitespace collapsed to single spaces, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the extracted `text` contains the printed `line`: compared with
/// whitespace collapsed, or, failing that, with whitespace removed (a line may
/// wrap inside a word, e.g. after the "/" of "1643/UBND-VHXH" or of a URL, and
/// pdftotext then puts a space there; tightly justified spaces may vanish).
fn contains_line(text: &str, line: &str) -> bool {
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    collapse(text).contains(&collapse(line)) || squeeze(text).contains(&squeeze(line))
}

fn page_count(pdf: &str) -> u32 {
    let info = String::from_utf8(run("pdfinfo", &[pdf]).stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

/// `<workspace root>/test-artifacts/pdf`, created if needed.
fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/pdf");
    std::fs::create_dir_all(&dir).expect("create test-artifacts/pdf");
    dir
}

/// Renders one page to `<artifacts>/<name>.png` at 80 dpi and returns its path.
fn page_png(pdf: &str, page: u32, name: &str) -> PathBuf {
    let prefix = artifacts_dir().join(name);
    let n = page.to_string();
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            &n,
            "-l",
            &n,
            "-singlefile",
            pdf,
            prefix.to_str().unwrap(),
        ],
    );
    let png = prefix.with_extension("png");
    let bytes = std::fs::read(&png).expect("pdftoppm wrote the PNG");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {}",
        png.display()
    );
    png
}

fn paragraph(text: &str) -> Block {
    Block::Paragraph {
        content: vec![Inline::plain(text)],
    }
}

/// The sample with 40 more paragraphs before its last one.
fn long_document() -> Document {
    document_with_extra_paragraphs(40)
}

/// The sample with `n` more paragraphs before its last one.
fn document_with_extra_paragraphs(n: usize) -> Document {
    let mut doc = Document::sample();
    let last = doc.blocks.pop().unwrap();
    for i in 1..=n {
        doc.blocks.push(paragraph(&format!(
            "- Đoạn bổ sung số {i}: Tổ công nghệ số cộng đồng tiếp tục hướng dẫn người \
             dân sử dụng dịch vụ công trực tuyến, thanh toán không dùng tiền mặt và cài \
             đặt ứng dụng VNeID."
        )));
    }
    doc.blocks.push(last);
    doc
}

#[test]
fn sample_prints_every_line_of_its_plain_text() {
    let doc = Document::sample();
    let pdf = render_pdf(&doc).expect("render the sample");
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "sample.pdf", &pdf);

    let text = pdftotext(&path, None);
    for line in doc.plain_text().lines() {
        assert!(
            contains_line(&text, line),
            "missing line «{line}» in:\n{text}"
        );
    }
    // The fixed parts of the layout.
    for fixed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ] {
        assert!(contains_line(&text, fixed), "missing «{fixed}»");
    }
    assert_eq!(page_count(&path), 1, "the sample fits on one page");

    let info = String::from_utf8(run("pdfinfo", &[&path]).stdout).unwrap();
    assert!(info.contains("A4"), "not A4:\n{info}");
    assert!(info.contains(&doc.file_title), "no title:\n{info}");
}

/// Paragraphs that put a document number, a date and a URL at every
/// position of a line end in turn (a word of growing length before them),
/// in the body and in a heading, and as a recipient: pdftotext must find
/// each one whole on one line, and none of them may overflow the margin.
#[test]
fn numbers_dates_and_links_never_break_across_lines() {
    const WHOLE: [&str; 5] = [
        "1907/QĐ-UBND",
        "4675/SKHCN-CNTT",
        "31/10/2025",
        "https://zalo.me/g/xuubpv554",
        "30/2020/NĐ-CP",
    ];
    let mut doc = Document::sample();
    let last = doc.blocks.pop().unwrap();
    for i in 0..36 {
        let filler = "m".repeat(i);
        doc.blocks.push(paragraph(&format!(
            "- Thực hiện văn bản chỉ đạo của cấp trên về chuyển đổi số, {filler} \
             Quyết định số 1907/QĐ-UBND ngày 31/10/2025 và Công văn 4675/SKHCN-CNTT; \
             nhóm https://zalo.me/g/xuubpv554 theo Nghị định 30/2020/NĐ-CP."
        )));
    }
    doc.blocks.push(Block::Heading {
        level: 2,
        content: vec![Inline::plain(
            "3. Kết quả thực hiện Quyết định số 1907/QĐ-UBND ngày 31/10/2025 và 4675/SKHCN-CNTT",
        )],
    });
    doc.blocks.push(last);
    doc.recipients.insert(
        1,
        "Nhóm Zalo https://zalo.me/g/xuubpv554 (1907/QĐ-UBND);".into(),
    );
    // A URL longer than a line still prints, broken after a slash.
    let long_url = format!("https://example.vn/{}", "thu-muc/".repeat(14));
    doc.blocks
        .insert(3, paragraph(&format!("- Đường dẫn dài: {long_url}.")));
    let pdf = render_pdf(&doc).expect("render");
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "unbroken.pdf", &pdf);
    // Without -layout: one text line per printed line, in reading order.
    let text =
        String::from_utf8(run("pdftotext", &["-enc", "UTF-8", &path, "-"]).stdout).expect("UTF-8");
    let count = |needle: &str| text.matches(needle).count();
    // 36 paragraphs, the heading, the recipient (each once or twice).
    for (whole, expected) in [
        ("1907/QĐ-UBND", 36 + 1 + 1),
        ("4675/SKHCN-CNTT", 36 + 1),
        ("31/10/2025", 36 + 1),
        ("https://zalo.me/g/xuubpv554", 36 + 1),
        ("30/2020/NĐ-CP", 36),
    ] {
        assert!(
            count(whole) >= expected,
            "«{whole}» is whole {} times, not {expected}:\n{text}",
            count(whole)
        );
    }
    // No line ends inside one of them ("…/QĐ-", "https://zalo.me/").
    let lines = text.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    for whole in WHOLE {
        for cut in whole.char_indices().map(|(i, _)| i).skip(1) {
            let (head, tail) = whole.split_at(cut);
            assert!(
                !lines.contains(&format!("{head}\n{tail}")),
                "«{whole}» broken after «{head}»:\n{text}"
            );
        }
    }
    assert!(
        text.split_whitespace()
            .collect::<String>()
            .contains(&long_url),
        "the long URL is printed:\n{text}"
    );
    page_png(&path, 1, "unbroken-page1");
}

#[test]
fn only_embedded_liberation_serif_fonts() {
    let pdf = render_pdf(&Document::sample()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "fonts.pdf", &pdf);
    let out = String::from_utf8(run("pdffonts", &[&path]).stdout).unwrap();
    // Two header lines ("name type …" and "----"), then one row per font:
    // name, type…, encoding, emb, sub, uni, object, generation.
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "no fonts listed:\n{out}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let name = cols[0];
        let base = name.split_once('+').map_or(name, |(_, base)| base);
        assert!(
            base.starts_with("LiberationSerif"),
            "font other than Liberation Serif: {row}\n{out}"
        );
        assert_eq!(
            cols[cols.len() - 5],
            "yes",
            "font not embedded: {row}\n{out}"
        );
    }
}

#[test]
fn page_one_renders_to_png() {
    let pdf = render_pdf(&Document::sample()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "page1.pdf", &pdf);
    let png = page_png(&path, 1, "report-page1");
    assert!(png.ends_with("test-artifacts/pdf/report-page1.png"));
}

#[test]
fn a_long_parent_body_fits_on_one_line() {
    let mut doc = Document::sample();
    doc.parent_body = Some("UBND THÀNH PHỐ HỒ CHÍ MINH".into());
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "parent.pdf", &render_pdf(&doc).unwrap());
    let text = pdftotext(&path, Some((1, 1)));
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert!(
        collapse(first).starts_with("UBND THÀNH PHỐ HỒ CHÍ MINH CỘNG HÒA"),
        "the parent body wraps: «{first}»"
    );
    assert!(contains_line(&text, "ỦY BAN NHÂN DÂN"));
}

#[test]
fn rendering_is_deterministic() {
    let doc = Document::sample();
    let a = render_pdf(&doc).unwrap();
    let b = render_pdf(&doc).unwrap();
    assert!(a == b, "two renders of one document differ");
    // Rendering another document in between changes nothing either.
    render_pdf(&long_document()).unwrap();
    let c = render_pdf(&doc).unwrap();
    assert!(a == c, "a render after another document differs");
}

#[test]
fn long_document_numbers_pages_from_two_on() {
    let pdf = render_pdf(&long_document()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "long.pdf", &pdf);
    let pages = page_count(&path);
    assert!(
        pages > 1,
        "40 more paragraphs should need more than one page"
    );

    let first_line = |page: u32| {
        pdftotext(&path, Some((page, page)))
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(first_line(2), "2", "page 2 starts with its number");
    let page1 = first_line(1);
    assert_ne!(page1, "1", "page 1 has no number");
    assert!(
        page1.starts_with("ỦY BAN NHÂN DÂN"),
        "page 1 starts with the header: «{page1}»"
    );
    if pages > 2 {
        assert_eq!(first_line(3), "3");
    }

    // The signature is never alone: the last page holds the end of the body too.
    let last = collapse(&pdftotext(&path, Some((pages, pages))));
    assert!(last.contains("Vũ Hữu Vững"));
    assert!(last.contains("người tham gia cuộc thi./."), "{last}");

    page_png(&path, 2, "long-page2");
}

#[test]
fn signature_is_never_alone_on_a_page() {
    // Enough lengths for the end of the body to fall everywhere on page 1
    // and page 2.
    let dir = tempfile::tempdir().unwrap();
    let mut pages_seen = std::collections::BTreeSet::new();
    for n in (0..=60).step_by(3) {
        let doc = document_with_extra_paragraphs(n);
        let path = write_pdf(dir.path(), &format!("n{n}.pdf"), &render_pdf(&doc).unwrap());
        let pages = page_count(&path);
        pages_seen.insert(pages);
        let last = pdftotext(&path, Some((pages, pages)));
        assert!(
            contains_line(&last, "Vũ Hữu Vững"),
            "n = {n}: no signature on the last page"
        );
        assert!(
            contains_line(&last, "người tham gia cuộc thi./."),
            "n = {n}: the signature is alone on page {pages}:\n{last}"
        );
    }
    assert!(
        pages_seen.len() >= 2,
        "the lengths should span pages: {pages_seen:?}"
    );
}

#[test]
fn document_text_is_never_typst_markup() {
    let nasty = [
        "#set page(width: 1cm)",
        "$x$",
        "*bold*",
        "_emph_",
        "<label>",
        "@label",
        "\\",
        "]",
        "[",
        "#panic(\"boom\")",
        "// not a comment",
        "/* not a comment */",
        "= not a heading",
        "\"); #panic(\"x\"); (\"",
        "`raw`",
        "{ }",
        "#{ 1 + 1 }",
    ];
    let mut doc = Document::sample();
    doc.parent_body = Some("UBND #TỈNH *HẢI* $X$".into());
    doc.number = "#set text(red)".into();
    doc.subject.push("#set page(height: 1cm) ]".into());
    doc.blocks.insert(0, paragraph(&nasty.join(" ")));
    for n in nasty {
        doc.blocks.push(paragraph(&format!("Dòng: {n}")));
    }
    doc.recipients.push("#pagebreak() *x*;".into());
    doc.signature.name = "$Vũ$ *Hữu* Vững".into();

    let pdf = render_pdf(&doc).expect("render the document with markup-like text");
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "escape.pdf", &pdf);
    let text = pdftotext(&path, None);
    for line in doc.plain_text().lines() {
        assert!(
            contains_line(&text, line),
            "«{line}» not printed literally in:\n{text}"
        );
    }
    let info = String::from_utf8(run("pdfinfo", &[&path]).stdout).unwrap();
    assert!(info.contains("A4"), "page size changed:\n{info}");
}

/// Every Vietnamese letter, lower case.
const VIETNAMESE: &str =
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";

#[test]
fn every_vietnamese_letter_has_a_glyph_in_every_style() {
    let lower: String = VIETNAMESE.chars().flat_map(|c| [c, ' ']).collect();
    let upper = lower.to_uppercase();
    let mut doc = Document::sample();
    // Regular (body), bold (heading 1, subject), italic (place and date),
    // bold italic (heading 3).
    doc.blocks = vec![
        paragraph(&lower),
        paragraph(&upper),
        Block::Heading {
            level: 1,
            content: vec![Inline::plain(format!("{lower}{upper}"))],
        },
        Block::Heading {
            level: 3,
            content: vec![Inline::plain(format!("{lower}{upper}"))],
        },
    ];
    doc.subject = vec![lower.clone(), upper.clone()];
    doc.place_date = format!("{lower}{upper}");

    // render_pdf itself fails on a missing glyph (or on any typst warning).
    let pdf = render_pdf(&doc).expect("every Vietnamese letter has a glyph");
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "glyphs.pdf", &pdf);
    let text = pdftotext(&path, None);
    for expected in [&lower, &upper] {
        assert!(
            contains_line(&text, expected),
            "«{expected}» not extracted from:\n{text}"
        );
    }
    for c in VIETNAMESE.chars().chain(VIETNAMESE.to_uppercase().chars()) {
        assert!(text.contains(c), "«{c}» not extracted");
    }
}

#[test]
fn a_character_the_fonts_lack_is_an_error() {
    let mut doc = Document::sample();
    doc.blocks.push(paragraph("Chữ Hán: 漢"));
    match render_pdf(&doc) {
        Err(PdfError::MissingGlyphs(chars)) => assert!(chars.contains('漢'), "{chars}"),
        other => panic!("expected MissingGlyphs, got {:?}", other.map(|p| p.len())),
    }
}

/// The PDF's dates are the document's `generated_on`, a date (a malformed
/// one is refused when a snapshot is read, see toso-reports' model): the
/// creation date pdfinfo reads is that day, whatever the clock says, and a
/// year a PDF cannot hold is an error, not a wrong date.
#[test]
fn the_creation_date_is_the_generation_date() {
    let mut doc = Document::sample();
    doc.generated_on = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let pdf = render_pdf(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(dir.path(), "dated.pdf", &pdf);
    let info = String::from_utf8(run("pdfinfo", &["-isodates", &path]).stdout).unwrap();
    let created = info
        .lines()
        .find(|l| l.starts_with("CreationDate:"))
        .unwrap_or_else(|| panic!("no CreationDate in:\n{info}"));
    assert!(created.contains("2024-02-29T00:00:00+07"), "{created}");

    doc.generated_on = NaiveDate::from_ymd_opt(10000, 1, 1).unwrap();
    let err = render_pdf(&doc).unwrap_err();
    assert!(matches!(err, PdfError::DateOutOfRange(_)), "{err}");
    assert!(
        err.to_string().starts_with("không tạo được tệp PDF"),
        "{err}"
    );
}

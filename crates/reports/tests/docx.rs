//! Tests of the DOCX renderer: content and order of the text, page setup,
//! determinism, escaping, and a real conversion by LibreOffice.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{paragraphs, require_tool, workspace_root, zip_entry, zip_names};
use toso_reports::{render_docx, Block, Document, Inline};

fn document_xml(doc: &Document) -> String {
    let bytes = render_docx(doc).expect("the document renders");
    zip_entry(&bytes, "word/document.xml")
}

/// Asserts that every non-empty line of `doc.plain_text()` is the text of a
/// paragraph, in order.
fn assert_lines_in_order(doc: &Document, paras: &[String]) {
    let mut next = 0;
    for line in doc.plain_text().lines().filter(|l| !l.trim().is_empty()) {
        let found = paras[next..].iter().position(|p| p.contains(line));
        match found {
            Some(i) => next += i + 1,
            None => panic!(
                "line {line:?} not found after paragraph {next}; paragraphs: {:#?}",
                paras
            ),
        }
    }
}

/// The `<w:sectPr>` … `</w:sectPr>` of a document.xml.
fn sect_pr(xml: &str) -> &str {
    let start = xml.rfind("<w:sectPr>").expect("a sectPr");
    let end = xml[start..].find("</w:sectPr>").expect("a closed sectPr") + start;
    &xml[start..end]
}

#[test]
fn sample_text_appears_in_order() {
    let doc = Document::sample();
    let xml = document_xml(&doc);
    let paras = paragraphs(&xml);
    assert_lines_in_order(&doc, &paras);
    // Figures are plain text in the body.
    assert!(paras.iter().any(
        |p| p == "- Số lượng thành viên Tổ công nghệ số cộng đồng: 386 thành viên; tỷ lệ 100%."
    ));
    // The national title and motto are printed, and "Số:" keeps its spaces.
    assert!(paras
        .iter()
        .any(|p| p == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(paras.iter().any(|p| p == "Độc lập - Tự do - Hạnh phúc"));
    assert!(paras.iter().any(|p| p == "Số:    /BC-UBND"));
}

#[test]
fn page_setup_is_a4_with_decree_margins_and_no_number_on_page_one() {
    let bytes = render_docx(&Document::sample()).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    let sect = sect_pr(&xml);
    assert!(
        sect.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "{sect}"
    );
    for margin in [
        r#"w:top="1134""#,
        r#"w:bottom="1134""#,
        r#"w:left="1701""#,
        r#"w:right="850""#,
    ] {
        assert!(sect.contains(margin), "{margin} missing from {sect}");
    }
    assert!(sect.contains("<w:titlePg/>"), "{sect}");
    assert!(sect.contains(r#"<w:headerReference w:type="first""#));
    assert!(sect.contains(r#"<w:headerReference w:type="default""#));

    // The default header has the PAGE field at 13 pt; the first-page one has none.
    let rels = zip_entry(&bytes, "word/_rels/document.xml.rels");
    assert!(rels.contains(r#"Id="rIdHeaderDefault" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml""#));
    let header = zip_entry(&bytes, "word/header2.xml");
    paragraphs(&header);
    assert!(header.contains(" PAGE "));
    assert!(header.contains(r#"<w:sz w:val="26"/>"#));
    assert!(header.contains(r#"<w:jc w:val="center"/>"#));
    let first = zip_entry(&bytes, "word/header1.xml");
    assert!(!first.contains("PAGE"));

    // Fonts, size and language in the styles.
    let styles = zip_entry(&bytes, "word/styles.xml");
    paragraphs(&styles);
    assert!(styles.contains(r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/>"#));
    assert!(styles.contains(r#"<w:sz w:val="28"/>"#));
    assert!(styles.contains(r#"<w:lang w:val="vi-VN""#));
    assert!(styles.contains(r#"w:after="120" w:line="276" w:lineRule="auto""#));
    assert!(styles.contains(r#"<w:ind w:firstLine="720"/><w:jc w:val="both"/>"#));

    // Every part is well-formed and declared.
    let names = zip_names(&bytes);
    assert_eq!(names[0], "[Content_Types].xml");
    let types = zip_entry(&bytes, "[Content_Types].xml");
    for name in &names {
        paragraphs(&zip_entry(&bytes, name));
        if name.ends_with(".xml") && name != "[Content_Types].xml" {
            assert!(
                types.contains(&format!("PartName=\"/{name}\"")),
                "{name} undeclared"
            );
        }
    }
}

#[test]
fn core_properties_carry_title_and_generation_date() {
    let doc = Document::sample();
    let bytes = render_docx(&doc).unwrap();
    let core = zip_entry(&bytes, "docProps/core.xml");
    paragraphs(&core);
    assert!(core.contains("<dc:title>Báo cáo kết quả Tổ công nghệ số cộng đồng</dc:title>"));
    assert!(core.contains(
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T00:00:00Z</dcterms:created>"#
    ));
    assert!(core.contains(
        r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-05T00:00:00Z</dcterms:modified>"#
    ));

    // Every entry is stamped with the generation date.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        let t = file.last_modified().expect("a modification time");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2026, 1, 5, 0, 0, 0),
            "{:?}",
            file.name()
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    let doc = Document::sample();
    let a = render_docx(&doc).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let b = render_docx(&doc).unwrap();
    assert_eq!(a, b, "same document, same bytes");

    let mut later = doc.clone();
    later.generated_on = NaiveDate::from_ymd_opt(2026, 2, 5).unwrap();
    let c = render_docx(&later).unwrap();
    assert_ne!(a, c);
    assert!(zip_entry(&c, "docProps/core.xml").contains("2026-02-05T00:00:00Z"));
}

/// What the renderer once checked itself: a malformed date never reaches a
/// file. The date is a date; a stored document whose date is not
/// "YYYY-MM-DD" is refused when it is read, with an error naming the field.
#[test]
fn a_malformed_generation_date_never_reaches_a_file() {
    let json = serde_json::to_string(&Document::sample()).unwrap();
    assert!(json.contains(r#""generated_on":"2026-01-05""#), "{json}");
    let stored: Document = serde_json::from_str(&json).unwrap();
    assert_eq!(stored, Document::sample());
    let core = zip_entry(&render_docx(&stored).unwrap(), "docProps/core.xml");
    assert!(core.contains("2026-01-05T00:00:00Z"), "{core}");

    let bad = json.replace(
        r#""generated_on":"2026-01-05""#,
        r#""generated_on":"05/01/2026""#,
    );
    let err = serde_json::from_str::<Document>(&bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("(generated_on)"), "{err}");
    assert!(err.contains("«05/01/2026»"), "{err}");
}

#[test]
fn hostile_text_is_escaped_and_stays_well_formed() {
    let long_word = "Đ".repeat(400);
    let hostile = format!(
        "<w:p> & &amp; ]]> \"q\" 'a' nul\u{0}here ctl\u{1}x \u{B}\u{C}\u{1F} emoji 😀🇻🇳 {long_word}"
    );
    let mut doc = Document::sample();
    doc.blocks.push(Block::Paragraph {
        content: vec![Inline::plain(hostile.clone())],
    });
    doc.file_title = "Tiêu đề <&> \u{0}".into();
    doc.recipients.push("Sở <Nội vụ> & \"khác\";".into());
    doc.signature.name = "Nguyễn Văn A\u{7}".into();

    let bytes = render_docx(&doc).unwrap();
    let xml = zip_entry(&bytes, "word/document.xml");
    let paras = paragraphs(&xml);
    let expected = format!("<w:p> & &amp; ]]> \"q\" 'a' nulhere ctlx  emoji 😀🇻🇳 {long_word}");
    assert!(paras.contains(&expected), "escaped text not found");
    assert!(xml.contains("&lt;w:p&gt; &amp; &amp;amp; ]]&gt; &quot;q&quot; &apos;a&apos;"));
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1}') && !xml.contains('\u{7}'));
    assert!(paras.iter().any(|p| p == "- Sở <Nội vụ> & \"khác\";"));
    assert!(paras.iter().any(|p| p == "Nguyễn Văn A"));
    let core = zip_entry(&bytes, "docProps/core.xml");
    paragraphs(&core);
    assert!(core.contains("<dc:title>Tiêu đề &lt;&amp;&gt; </dc:title>"));
}

#[test]
fn tabs_and_newlines_become_word_elements() {
    let mut doc = Document::sample();
    doc.blocks.push(Block::Paragraph {
        content: vec![Inline::plain("a\tb\nc\r\nd")],
    });
    let xml = document_xml(&doc);
    paragraphs(&xml);
    assert!(xml.contains(
        r#"<w:t xml:space="preserve">a</w:t><w:tab/><w:t xml:space="preserve">b</w:t><w:br/><w:t xml:space="preserve">c</w:t><w:br/><w:t xml:space="preserve">d</w:t>"#
    ));
}

#[test]
fn minimal_document_renders() {
    let mut doc = Document::sample();
    doc.parent_body = Some("UBND THÀNH PHỐ HẢI PHÒNG".into());
    doc.issuing_body.clear();
    doc.subject.clear();
    doc.blocks.clear();
    doc.recipients.clear();
    doc.signature.capacity.clear();
    doc.signature.name.clear();
    let xml = document_xml(&doc);
    let paras = paragraphs(&xml);
    assert_lines_in_order(&doc, &paras);
    // Every table cell holds a paragraph.
    assert_eq!(
        xml.matches("<w:tc>").count(),
        xml.matches("<w:tc><w:tcPr>").count()
    );
    for cell in xml.split("<w:tc>").skip(1) {
        let cell = &cell[..cell.find("</w:tc>").unwrap()];
        assert!(cell.contains("<w:p>"), "empty cell: {cell}");
    }
}

/// Forty paragraphs of report prose, for a document that runs to page 2+.
fn long_document() -> Document {
    let mut doc = Document::sample();
    let last = doc.blocks.pop().unwrap();
    doc.blocks.push(Block::Heading {
        level: 3,
        content: vec![Inline::plain("a) Kết quả hỗ trợ người dân theo từng thôn")],
    });
    for i in 1..=40 {
        doc.blocks.push(Block::Paragraph {
            content: vec![Inline::plain(format!(
                "- Thôn số {i}: Tổ công nghệ số cộng đồng đã hướng dẫn người dân cài đặt và \
                 kích hoạt tài khoản định danh điện tử VNeID, nộp hồ sơ dịch vụ công trực tuyến, \
                 thanh toán không dùng tiền mặt; phối hợp với Đoàn Thanh niên, Hội Phụ nữ tổ chức \
                 {i} buổi hướng dẫn kỹ năng số tại nhà văn hóa thôn."
            ))],
        });
    }
    doc.blocks.push(last);
    doc
}

/// Document numbers, a date and a link that the paragraphs of
/// [`with_numbers_at_line_ends`] carry.
const WHOLE: [&str; 4] = [
    "1907/QĐ-UBND",
    "4675/SKHCN-CNTT",
    "31/10/2025",
    "https://zalo.me/g/xuubpv554",
];

/// `doc` with 40 paragraphs more that put the [`WHOLE`] words at every
/// position of a line end in turn (a word of growing length before them).
fn with_numbers_at_line_ends(mut doc: Document) -> Document {
    for i in 0..40 {
        doc.blocks.push(Block::Paragraph {
            content: vec![Inline::plain(format!(
                "- Căn cứ văn bản chỉ đạo của cấp trên về chuyển đổi số {} Quyết định số \
                 1907/QĐ-UBND ngày 31/10/2025 và Công văn 4675/SKHCN-CNTT; nhóm \
                 https://zalo.me/g/xuubpv554 của các tổ.",
                "m".repeat(i)
            ))],
        });
    }
    doc
}

/// Runs `cmd` to completion within `limit`, returning its output; fails the
/// test on a timeout or a non-zero exit.
fn run(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn pdftotext(pdf: &Path, args: &[&str]) -> String {
    let out = run(
        Command::new("pdftotext").args(args).arg(pdf).arg("-"),
        Duration::from_secs(60),
    );
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

/// One LibreOffice conversion of the long document, checked for the
/// figures (page 1 is the sample's), for the page number on page 2 and its
/// absence on page 1; page 1 (and 2) are kept as PNGs under
/// test-artifacts/docx/ to look at.
#[test]
fn libreoffice_converts_the_report_to_pdf() {
    let soffice = require_tool("soffice", "libreoffice-writer-nogui");
    require_tool("pdftotext", "poppler-utils");
    require_tool("pdftoppm", "poppler-utils");
    require_tool("pdffonts", "poppler-utils");

    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("report.docx");
    std::fs::write(
        &docx,
        render_docx(&with_numbers_at_line_ends(long_document())).unwrap(),
    )
    .unwrap();
    let profile = format!("file://{}/lo", dir.path().display());
    let started = Instant::now();
    let out = run(
        Command::new(&soffice)
            .args(["--headless", "--norestore"])
            .arg(format!("-env:UserInstallation={profile}"))
            .args(["--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&docx),
        Duration::from_secs(240),
    );
    println!(
        "LibreOffice ({:.1} s): {}{}",
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = dir.path().join("report.pdf");
    assert!(pdf.is_file(), "LibreOffice wrote no PDF");

    let text = pdftotext(&pdf, &["-layout"]);
    for figure in [
        "58",
        "386",
        "100%",
        "1.440",
        "4675/SKHCN-CNTT",
        "https://zalo.me/g/xuubpv554",
        "Vũ Hữu Vững",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO",
    ] {
        assert!(
            text.contains(figure),
            "{figure:?} missing from the PDF:\n{text}"
        );
    }

    // Word and LibreOffice break after a hyphen: the non-breaking hyphen
    // keeps "1907/QĐ-UBND" on one line, and LibreOffice's PDF text carries
    // it as a plain "-".
    let plain = pdftotext(&pdf, &[]);
    let lines = plain.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    for whole in WHOLE {
        assert!(
            plain.matches(whole).count() >= 40,
            "«{whole}» is whole {} times, not 40:\n{plain}",
            plain.matches(whole).count()
        );
        for (cut, _) in whole.char_indices().skip(1) {
            let (head, tail) = whole.split_at(cut);
            assert!(
                !lines.contains(&format!("{head}\n{tail}")),
                "«{whole}» broken after «{head}»:\n{plain}"
            );
        }
    }

    let fonts = run(Command::new("pdffonts").arg(&pdf), Duration::from_secs(60));
    println!("pdffonts:\n{}", String::from_utf8_lossy(&fonts.stdout));

    let page1 = pdftotext(&pdf, &["-f", "1", "-l", "1"]);
    let first = page1
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    assert!(
        !first.chars().all(|c| c.is_ascii_digit()),
        "page 1 starts with a page number: {first:?}"
    );
    let page2 = pdftotext(&pdf, &["-f", "2", "-l", "2"]);
    let head = page2
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    assert_eq!(
        head, "2",
        "page 2 must start with its number; got:\n{page2}"
    );
    assert!(page2.trim_start().starts_with('2'));

    let artifacts = workspace_root().join("test-artifacts/docx");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::copy(&docx, artifacts.join("report-long.docx")).unwrap();
    std::fs::write(
        artifacts.join("report-sample.docx"),
        render_docx(&Document::sample()).unwrap(),
    )
    .unwrap();
    std::fs::copy(&pdf, artifacts.join("report-long.pdf")).unwrap();
    for page in ["1", "2"] {
        run(
            Command::new("pdftoppm")
                .args(["-png", "-r", "80", "-f", page, "-l", page, "-singlefile"])
                .arg(&pdf)
                .arg(artifacts.join(format!("report-page{page}"))),
            Duration::from_secs(60),
        );
        let png = artifacts.join(format!("report-page{page}.png"));
        assert!(png.is_file(), "pdftoppm wrote no {}", png.display());
    }
}

/// Mean time of one render of the sample; run with
/// `cargo test -p toso-reports --release --test docx -- --ignored --nocapture`.
#[test]
#[ignore]
fn render_time_of_the_sample() {
    let doc = Document::sample();
    render_docx(&doc).unwrap();
    let n = 20;
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(render_docx(std::hint::black_box(&doc)).unwrap());
    }
    let mean = started.elapsed() / n;
    println!("render_docx(sample): mean of {n} renders = {mean:?}");
}

//! `toso report` on the demo: the commune's answer to 4675/SKHCN-CNTT as
//! DOCX, PDF and XLSX, checked in the text extracted from the files
//! (pdftotext, the DOCX's XML), converted by LibreOffice headless and
//! rendered by pdftoppm without errors. Page 1 is kept as a PNG in
//! test-artifacts/report/. Running again re-renders the frozen snapshot:
//! the same bytes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::toso;
use toso_testkit::template::Kind;

/// What the reference report carries, as printed.
const EXPECTED: &[&str] = &[
    "ỦY BAN NHÂN DÂN",
    "ĐẶC KHU CÁT HẢI",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "BÁO CÁO",
    "Công văn số 4675/SKHCN-CNTT ngày 19/12/2025",
    "Có 58 thôn",
    "58 Tổ Công nghệ số",
    "386 thành viên",
    "100%",
    "Quyết định số 1907/QĐ-UBND ngày 31/10/2025",
    "https://zalo.me/g/xuubpv554",
    "Công văn số 1643/UBND-VHXH ngày 14/10/2025",
    "Công văn số 1688/VHXH ngày 20/10/2025",
    "Công văn số 2086/UBND-VHXH ngày 12/11/2025",
    "đăng ký 1.440 người",
    "Nơi nhận:",
    "Lưu: VT, VHXH.",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Vũ Hữu Vững",
];

/// Text with all whitespace removed: line breaks and justification of the
/// rendered page must not decide whether a phrase is found.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_carries(what: &str, text: &str) {
    let flat = squash(text);
    for e in EXPECTED {
        assert!(flat.contains(&squash(e)), "{what} lacks «{e}»:\n{text}");
    }
}

/// Lines of extracted text trimmed and joined: a word broken across two
/// printed lines reads "head\ntail" in it.
fn trimmed_lines(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join("\n")
}

/// Every document number, date and link of `whole` is in `text` as typed
/// (not only once the white space is squashed), and no printed line ends
/// inside one of them ("1907/QĐ-" + "UBND", "https://zalo.me/" + "g/…").
fn assert_whole(what: &str, text: &str, whole: &[String]) {
    let lines = trimmed_lines(text);
    for w in whole {
        assert!(
            text.contains(w.as_str()),
            "{what}: «{w}» is not whole:\n{text}"
        );
        for (cut, _) in w.char_indices().skip(1) {
            let (head, tail) = w.split_at(cut);
            assert!(
                !lines.contains(&format!("{head}\n{tail}")),
                "{what}: «{w}» is broken after «{head}»:\n{text}"
            );
        }
    }
}

/// The numbers, dates and link the demo report prints: the request, every
/// directive document of the commune with its date, the Zalo group.
fn demo_whole() -> Vec<String> {
    let mut whole = vec![
        toso_demo::REQUEST_NUMBER.to_string(),
        "19/12/2025".to_string(),
        toso_demo::ZALO_LINK.to_string(),
    ];
    for doc in toso_demo::DOCUMENTS {
        let (y, m, d) = doc.issued_on;
        whole.push(doc.number.to_string());
        whole.push(format!("{d:02}/{m:02}/{y}"));
    }
    assert!(whole.iter().any(|w| w == "1907/QĐ-UBND"));
    whole
}

fn tool(name: &str, package: &str) -> Command {
    let found = Command::new("which")
        .arg(name)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{name} is missing: install the Debian package {package} (scripts/test.sh and .ci/run do)"
    );
    Command::new(name)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of every paragraph of a DOCX, one per line (a non-breaking
/// hyphen read as the "-" it prints).
fn docx_text(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("the DOCX is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let xml = xml.replace("<w:noBreakHyphen/>", "<w:t>-</w:t>");
    let mut out = String::new();
    for para in xml.split("</w:p>") {
        let mut rest = para;
        while let Some(i) = rest.find("<w:t") {
            let after = &rest[i..];
            let Some(gt) = after.find('>') else { break };
            if !(after.starts_with("<w:t>") || after.starts_with("<w:t ")) {
                rest = &after[gt..];
                continue;
            }
            let body = &after[gt + 1..];
            let end = body.find("</w:t>").unwrap_or(body.len());
            out.push_str(&body[..end]);
            rest = &body[end..];
        }
        out.push('\n');
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_demo_report_as_docx_pdf_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("t.db"));
    let out = dir.path().join("out");
    let args = [
        "report",
        "--commune",
        "11914",
        "--request",
        "4675/SKHCN-CNTT",
        "--as-of",
        "2025-11-30",
        "--date",
        "2026-01-05",
        "--signer",
        "Vũ Hữu Vững",
        "--format",
        "docx,pdf,xlsx",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = toso(&url, &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let name = |ext: &str| out.join(format!("bao-cao-4675-SKHCN-CNTT-11914-v1.{ext}"));
    let (docx, pdf, xlsx) = (name("docx"), name("pdf"), name("xlsx"));
    let bytes = |p: &Path| std::fs::read(p).unwrap();
    let (docx_bytes, pdf_bytes, xlsx_bytes) = (bytes(&docx), bytes(&pdf), bytes(&xlsx));

    // The PDF, as pdftotext reads it.
    let text = run(tool("pdftotext", "poppler-utils")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-"));
    assert_carries("the PDF", &text);
    assert_whole("the PDF", &text, &demo_whole());
    // The demo's version 1 (submitted and accepted in 12/2025) is reused:
    // its date, not --date's, is printed.
    assert!(
        text.contains("Cát Hải, ngày 29 tháng 12 năm 2025"),
        "{text}"
    );
    // No page number on page 1.
    let page1 = run(tool("pdftotext", "poppler-utils")
        .args(["-f", "1", "-l", "1", "-layout"])
        .arg(&pdf)
        .arg("-"));
    assert!(page1.trim_start().starts_with("ỦY BAN NHÂN DÂN"), "{page1}");
    // Fonts are embedded.
    let fonts = run(tool("pdffonts", "poppler-utils").arg(&pdf));
    for line in fonts.lines().skip(2) {
        assert!(line.contains(" yes "), "a font is not embedded: {line}");
    }
    // Page 1 as a PNG, kept.
    let png = artifacts().join("report-pdf-page1");
    run(tool("pdftoppm", "poppler-utils")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png));
    assert!(artifacts().join("report-pdf-page1.png").exists());

    // The DOCX, from its XML, then through LibreOffice.
    assert_carries("the DOCX", &docx_text(&docx));
    assert_whole("the DOCX", &docx_text(&docx), &demo_whole());
    let lo_profile = dir.path().join("lo-profile");
    let converted = dir.path().join("lo");
    run(tool("soffice", "libreoffice-writer-nogui")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            lo_profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&converted)
        .arg(&docx));
    let lo_pdf = converted.join("bao-cao-4675-SKHCN-CNTT-11914-v1.pdf");
    assert!(lo_pdf.exists(), "LibreOffice wrote no PDF");
    let lo_text = run(tool("pdftotext", "poppler-utils")
        .arg("-layout")
        .arg(&lo_pdf)
        .arg("-"));
    assert_carries("the DOCX converted by LibreOffice", &lo_text);
    assert_whole("the DOCX converted by LibreOffice", &lo_text, &demo_whole());
    run(tool("pdftoppm", "poppler-utils")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&lo_pdf)
        .arg(artifacts().join("report-docx-page1")));

    // The XLSX annex: a row per village.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheets = calamine::Reader::sheet_names(&book);
    let range = calamine::Reader::worksheet_range(&mut book, &sheets[0]).unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "Tổ dân phố 10"));
    assert!(cells.iter().any(|c| c == "386"), "the members total");
    let villages = range
        .rows()
        .filter(|r| {
            r.get(1)
                .map(|c| c.to_string())
                .is_some_and(|c| c.starts_with("Thôn ") || c.starts_with("Tổ dân phố "))
        })
        .count();
    assert_eq!(villages, 58);

    // Again: the frozen version 1 is rendered again, byte for byte.
    let again = toso(&url, &args);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("phiên bản 1"));
    assert_eq!(bytes(&docx), docx_bytes);
    assert_eq!(bytes(&pdf), pdf_bytes);
    assert_eq!(bytes(&xlsx), xlsx_bytes);

    // Bad input: an unknown request or format, nothing written.
    let bad = toso(
        &url,
        &[
            "report",
            "--commune",
            "11914",
            "--request",
            "9999/XX",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("9999/XX"));
    let bad = toso(
        &url,
        &[
            "report",
            "--commune",
            "11914",
            "--request",
            "4675/SKHCN-CNTT",
            "--format",
            "odt",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("odt"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
}

/// A commune of Quảng Ninh answers its Department with the built-in body:
/// the DOCX and the PDF carry its own contest, organisations, campaign and
/// course, and never Hải Phòng.
#[test]
fn a_commune_of_quang_ninh_reports_without_hai_phong() {
    use toso_testkit::quang_ninh as qn;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("qn.db").display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = toso_store::Store::connect(&url).await.unwrap();
        qn::seed(&store).await.unwrap();
        store.close().await;
    });
    let out = dir.path().join("out");
    let code = qn::COMMUNE_CODE.to_string();
    let done = toso(
        &url,
        &[
            "report",
            "--commune",
            &code,
            "--request",
            qn::REQUEST_NUMBER,
            "--date",
            "2025-12-10",
            "--format",
            "docx,pdf",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let file = |ext: &str| {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap_or_else(|| panic!("no .{ext} written"))
    };
    let pdf_text = run(tool("pdftotext", "poppler-utils")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(file("pdf"))
        .arg("-"));
    let docx_text = docx_text(&file("docx"));
    for (what, text) in [("the PDF", &pdf_text), ("the DOCX", &docx_text)] {
        assert!(
            !text.contains("Hải Phòng"),
            "{what} names Hải Phòng:\n{text}"
        );
        assert!(!text.contains("Cát Hải"), "{what} names Cát Hải:\n{text}");
        let flat = squash(text);
        for expected in [
            "PHƯỜNG HÀ TU",
            "Hà Tu, ngày 10 tháng 12 năm 2025",
            "Cuộc thi “Tìm hiểu chuyển đổi số Quảng Ninh năm 2025” do Ủy ban nhân dân tỉnh Quảng Ninh phát động",
            "đã đăng ký 215 người tham gia cuộc thi",
            "phối hợp với Hội Phụ nữ, Mặt trận Tổ quốc tổ chức 1 đợt ra quân",
            "“Phường Hà Tu chung tay chuyển đổi số”",
            "Bồi dưỡng kỹ năng số cho Tổ công nghệ số cộng đồng",
        ] {
            assert!(
                flat.contains(&squash(expected)),
                "{what} lacks «{expected}»:\n{text}"
            );
        }
        let whole = [
            qn::REQUEST_NUMBER,
            qn::DECISION_NUMBER,
            "15/09/2025",
            qn::ZALO_LINK,
        ]
        .map(String::from);
        assert_whole(what, text, &whole);
    }
}

/// The Department's consolidated report of the demo city for
/// 4675/SKHCN-CNTT (the demo plays out the cycle: Cát Hải's answer and
/// others accepted, some returned or awaiting review): written as DOCX,
/// PDF and XLSX under the request's and the province's name; the files
/// carry the frozen totals, the XLSX a row per commune of the city with
/// Cát Hải's figures and the totals row their sum; run again, the same
/// version's bytes.
#[test]
fn the_province_report_as_docx_pdf_and_xlsx() {
    use calamine::DataType as _;
    use toso_store::{Actor, Review};
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("t.db"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let code = toso_demo::COMMUNE_CODE;
    // Cát Hải's answer is accepted (the demo's cycle does it; if it did
    // not, the test does).
    let (request_id, communes) = rt.block_on(async {
        let store = toso_store::Store::connect(&url).await.unwrap();
        let actor = Actor::system("test");
        let request = store
            .request_by_number(code, toso_demo::REQUEST_NUMBER)
            .await
            .unwrap();
        let status = store.report_status(code, request.id).await.unwrap();
        if status.state != toso_domain::ReportState::Accepted {
            let settings = toso_reporting::report_defaults(&store, code, &request)
                .await
                .unwrap();
            let report = toso_reporting::create_report(&store, &actor, code, request.id, settings)
                .await
                .unwrap();
            let seen = store.report_status(code, request.id).await.unwrap().seq;
            store.submit_report(&actor, report.id, seen).await.unwrap();
            store
                .review_report(&actor, code, request.id, Review::Accept, seen + 1)
                .await
                .unwrap();
        }
        let communes = store
            .communes_of(toso_demo::PROVINCE_CODE)
            .await
            .unwrap()
            .len();
        store.close().await;
        (request.id, communes)
    });
    let out = dir.path().join("out");
    let args = [
        "report",
        "--province",
        "31",
        "--request",
        "4675/SKHCN-CNTT",
        "--date",
        "2026-01-06",
        "--signer",
        "Nguyễn Văn Thử",
        "--format",
        "docx,pdf,xlsx",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = toso(&url, &args);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(stderr.contains("phiên bản 1"), "{stderr}");
    let name = |ext: &str| out.join(format!("bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1.{ext}"));
    let (docx, pdf, xlsx) = (name("docx"), name("pdf"), name("xlsx"));
    let printed = String::from_utf8_lossy(&first.stdout).into_owned();
    for path in [&docx, &pdf, &xlsx] {
        assert!(printed.contains(path.to_str().unwrap()), "{printed}");
    }
    let bytes = |p: &Path| std::fs::read(p).unwrap();
    let (docx_bytes, pdf_bytes, xlsx_bytes) = (bytes(&docx), bytes(&pdf), bytes(&xlsx));
    assert!(docx_bytes.starts_with(b"PK\x03\x04") && xlsx_bytes.starts_with(b"PK\x03\x04"));
    assert!(pdf_bytes.starts_with(b"%PDF-"));

    // The version the CLI froze.
    let snap = rt.block_on(async {
        let store = toso_store::Store::connect(&url).await.unwrap();
        let versions = store.province_reports(request_id).await.unwrap();
        store.close().await;
        assert_eq!(versions.len(), 1);
        versions[0].snapshot().unwrap()
    });
    assert!(snap.sources.iter().any(|s| s.commune_code == code));
    let figure = |key: &str| {
        snap.printed
            .figures
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no figure {key}"))
            .text
            .clone()
    };
    let totals_line = format!(
        "{} tổ, với {} thành viên",
        figure("teams"),
        figure("members")
    );
    let text = run(tool("pdftotext", "poppler-utils")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-"));
    let docx_text = docx_text(&docx);
    for (what, text) in [("the PDF", &text), ("the DOCX", &docx_text)] {
        let flat = squash(text);
        for expected in [
            "UBND THÀNH PHỐ HẢI PHÒNG",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "/BC-SKHCN",
            "Hải Phòng, ngày 06 tháng 01 năm 2026",
            "Thực hiện Công văn số 4675/SKHCN-CNTT ngày 19/12/2025",
            "Đặc khu Cát Hải",
            &totals_line,
            &format!("{} thôn, tổ dân phố", figure("villages")),
            &format!("cộng đồng: {}", figure("coverage")),
            "Lưu: VT, CNTT.",
            "KT. GIÁM ĐỐC",
            "PHÓ GIÁM ĐỐC",
            "Nguyễn Văn Thử",
        ] {
            assert!(
                flat.contains(&squash(expected)),
                "{what} lacks «{expected}»:\n{text}"
            );
        }
    }

    // The XLSX: a row per commune of the city, Cát Hải's with its figures,
    // the totals row their sum and the body's figures.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheets = calamine::Reader::sheet_names(&book);
    let range = calamine::Reader::worksheet_range(&mut book, &sheets[0]).unwrap();
    let rows: Vec<Vec<calamine::Data>> = range.rows().map(|r| r.to_vec()).collect();
    let cell = |r: &[calamine::Data], i: usize| r.get(i).map(|c| c.to_string()).unwrap_or_default();
    let numbered: Vec<&Vec<calamine::Data>> = rows
        .iter()
        .filter(|r| cell(r, 0).parse::<u32>().is_ok())
        .collect();
    assert_eq!(numbered.len(), communes);
    let cat_hai = numbered
        .iter()
        .find(|r| cell(r, 1) == "Đặc khu Cát Hải")
        .expect("Cát Hải's row");
    assert_eq!(cell(cat_hai, 2), "Sở đã chấp nhận");
    let figures: Vec<String> = (4..8).map(|i| cell(cat_hai, i)).collect();
    assert_eq!(figures, ["58", "58", "100%", "386"]);
    let totals = rows
        .iter()
        .find(|r| cell(r, 1) == "Cộng")
        .expect("the totals row");
    for (col, key) in [(4, "villages"), (5, "teams"), (7, "members")] {
        let sum: f64 = numbered
            .iter()
            .filter_map(|r| r.get(col).and_then(|c| c.get_float()))
            .sum();
        assert_eq!(totals[col].get_float(), Some(sum), "{key}");
        assert_eq!(toso_domain::format_int(sum as i64), figure(key), "{key}");
    }
    assert_eq!(cell(totals, 6), figure("coverage"));

    // The same annex follows the document in the DOCX and the PDF, on
    // landscape pages: every commune of the city by name, Cát Hải's row
    // with its figures, the totals row.
    let raw = run(tool("pdftotext", "poppler-utils")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-"));
    for (what, text) in [("the PDF", &raw), ("the DOCX", &docx_text)] {
        let flat = squash(text);
        assert!(
            flat.contains(&squash(
                "Phụ lục: Kết quả báo cáo của các xã, phường, đặc khu"
            )),
            "{what} lacks the annex:\n{text}"
        );
        for row in &numbered {
            let name = cell(row, 1);
            assert!(flat.contains(&squash(&name)), "{what} lacks {name}");
        }
    }
    let version = cell(cat_hai, 3);
    let cat_hai_row = [
        "Đặc khu Cát Hải",
        "Sở đã chấp nhận",
        &version,
        "58",
        "58",
        "100%",
        "386",
    ];
    assert!(
        docx_text.contains(&cat_hai_row.join("\n")),
        "the DOCX's annex lacks Cát Hải's row:\n{docx_text}"
    );
    let totals_row = format!(
        "Cộng\n{}\n\n{}\n{}\n{}\n{}",
        cell(totals, 2),
        figure("villages"),
        figure("teams"),
        figure("coverage"),
        figure("members")
    );
    assert!(
        docx_text.contains(&totals_row),
        "the DOCX's annex lacks the totals row {totals_row:?}:\n{docx_text}"
    );
    let mut xml = String::new();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("w:orient=\"portrait\"") && xml.contains("w:orient=\"landscape\""));
    assert!(xml.contains("<w:tblHeader/>"), "the header row repeats");
    let info = run(tool("pdfinfo", "poppler-utils")
        .args(["-f", "1", "-l", "999"])
        .arg(&pdf));
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let dims: Vec<f64> = l
                .split(" size: ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            (dims[0], dims[1])
        })
        .collect();
    assert!(sizes.len() >= 2, "{info}");
    assert!(sizes[0].0 < sizes[0].1, "page 1 is portrait: {info}");
    let last = sizes[sizes.len() - 1];
    assert!(last.0 > last.1, "the annex is landscape: {info}");

    // Again: version 1 is rendered again, byte for byte.
    let again = toso(&url, &args);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("phiên bản 1"));
    assert_eq!(bytes(&docx), docx_bytes);
    assert_eq!(bytes(&pdf), pdf_bytes);
    assert_eq!(bytes(&xlsx), xlsx_bytes);
    // --new-version sums the accepted answers again into version 2.
    let mut renewed = args.to_vec();
    renewed.push("--new-version");
    let renewed = toso(&url, &renewed);
    assert!(
        renewed.status.success(),
        "{}",
        String::from_utf8_lossy(&renewed.stderr)
    );
    assert!(out
        .join("bao-cao-tong-hop-4675-SKHCN-CNTT-31-v2.pdf")
        .exists());

    // A request the city did not send: refused, naming it.
    let bad = toso(
        &url,
        &[
            "report",
            "--province",
            "31",
            "--request",
            "9999/XX",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("9999/XX"));
}

/// `--commune` and `--province` are alternatives: exactly one, or a
/// Vietnamese usage error and nothing written.
#[test]
fn report_needs_exactly_one_of_commune_and_province() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("t.db"));
    let out = dir.path().join("out");
    let both = toso(
        &url,
        &[
            "report",
            "--commune",
            "11914",
            "--province",
            "31",
            "--request",
            "4675/SKHCN-CNTT",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    let err = String::from_utf8_lossy(&both.stderr);
    assert!(err.contains("chỉ chọn một trong hai"), "{err}");
    assert!(
        err.contains("--commune") && err.contains("--province"),
        "{err}"
    );
    let neither = toso(
        &url,
        &[
            "report",
            "--request",
            "4675/SKHCN-CNTT",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(neither.status.code(), Some(2));
    let err = String::from_utf8_lossy(&neither.stderr);
    assert!(err.contains("thiếu đơn vị báo cáo"), "{err}");
    assert!(
        err.contains("--commune") && err.contains("--province"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn the_report_benchmark_measures_each_format_beside_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("t.db"));
    let stored = || {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let store = toso_store::Store::connect(&url).await.unwrap();
            let n = store.reports_of(11914).await.unwrap().len();
            store.close().await;
            n
        })
    };
    let before = stored();
    let work = dir.path().join("bench");
    let out = toso(
        &url,
        &[
            "bench",
            "report",
            "--runs",
            "2",
            "--baseline-runs",
            "1",
            "--work",
            work.to_str().unwrap(),
        ],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "| compose",
        "| render DOCX",
        "| render PDF",
        "| render XLSX",
        "| baseline: LibreOffice",
    ] {
        assert!(table.contains(row), "no row {row}:\n{table}");
    }
    // Every row carries a ratio to the baseline; the baseline's is 1×.
    assert!(
        table.lines().filter(|l| l.ends_with("× |")).count() == 5,
        "{table}"
    );
    assert!(table.contains("| 1× |"));
    assert!(
        work.join("lo/report.pdf").exists(),
        "LibreOffice converted the same DOCX"
    );
    // Nothing is stored: the benchmark composes without generating.
    assert_eq!(stored(), before);
}

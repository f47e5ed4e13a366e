//! End-to-end tests of `render_posters`, checked with poppler-utils
//! (pdfinfo, pdftotext, pdftoppm) and zbar-tools (zbarimg, which reads the
//! QR codes back from the rendered page). A missing tool fails the test:
//! it does not skip it.

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use toso_pdf::{render_posters, PdfError, Poster, PosterContact, PosterMember};

const PAGE_URL_1: &str = "http://localhost:8080/v/ABCD2345";
const PAGE_URL_2: &str = "http://localhost:8080/v/WXYZ6789";
const ZALO: &str = "https://zalo.me/g/xuubpv554";

/// Runs `tool`; panics (naming the Debian package that has it) if it is
/// not installed, or if it fails.
fn run(tool: &str, args: &[&str]) -> Output {
    let package = if tool == "zbarimg" {
        "zbar-tools"
    } else {
        "poppler-utils"
    };
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            panic!("`{tool}` not found: install the Debian package {package} (apt-get install {package})")
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

fn printed_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
}

/// A poster with listed members, a Zalo group and a quick-response contact.
fn full_poster() -> Poster {
    Poster {
        province_name: "Thành phố Hải Phòng".into(),
        commune_name: "Đặc khu Cát Hải".into(),
        village_name: "Tổ dân phố 1".into(),
        team_name: Some("Tổ công nghệ số cộng đồng Tổ dân phố 1".into()),
        members: vec![
            PosterMember {
                name: "Nguyễn Văn Hùng".into(),
                role: "Tổ trưởng".into(),
                phone: "0912 345 678".into(),
            },
            PosterMember {
                name: "Phạm Thị Thu Hường".into(),
                role: "Thành viên".into(),
                phone: "0987 654 321".into(),
            },
        ],
        page_url: PAGE_URL_1.into(),
        page_code: "ABCD2345".into(),
        zalo_link: Some(ZALO.into()),
        quick_response: Some(PosterContact {
            team_name: "Đội hỗ trợ chuyển đổi số phản ứng nhanh đặc khu Cát Hải".into(),
            name: "Lê Minh Đức".into(),
            phone: "0225 123 4567".into(),
        }),
        printed_on: printed_on(),
    }
}

/// A poster of a team that lists no member and has no Zalo group, whose
/// texts look like typst markup.
fn bare_poster() -> Poster {
    Poster {
        province_name: "Thành phố Hải Phòng".into(),
        commune_name: "Xã <b>Thử</b> #set page(height: 1cm)".into(),
        village_name: "Thôn Đông".into(),
        team_name: Some("Tổ *x* $y$ _z_ #emph[w] \\ ]".into()),
        members: vec![],
        page_url: PAGE_URL_2.into(),
        page_code: "WXYZ6789".into(),
        zalo_link: None,
        quick_response: None,
        printed_on: printed_on(),
    }
}

fn write_pdf(dir: &Path, pdf: &[u8]) -> String {
    let path = dir.join("posters.pdf");
    std::fs::write(&path, pdf).unwrap();
    path.to_str().unwrap().to_owned()
}

fn page_count(pdf: &str) -> u32 {
    let info = String::from_utf8(run("pdfinfo", &[pdf]).stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

/// The text of page `page`, whitespace collapsed.
fn page_text(pdf: &str, page: u32) -> String {
    let n = page.to_string();
    let out = run(
        "pdftotext",
        &["-enc", "UTF-8", "-f", &n, "-l", &n, pdf, "-"],
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the PNG of a page is kept: `$CARGO_TARGET_DIR/test-artifacts/`
/// when set (to look at), else `dir`.
fn png_dir(dir: &Path) -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => {
            let out = Path::new(&target).join("test-artifacts");
            std::fs::create_dir_all(&out).expect("create test-artifacts");
            out
        }
        None => dir.to_owned(),
    }
}

/// The QR codes zbarimg reads on page `page` rendered at 150 dpi, sorted;
/// the PNG is kept as `<name>-page<page>.png` (see [`png_dir`]).
fn qr_codes(pdf: &str, page: u32, dir: &Path, name: &str) -> Vec<String> {
    let n = page.to_string();
    let prefix = png_dir(dir).join(format!("{name}-page{page}"));
    run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
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
    let out = run("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    let mut codes: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    codes.sort();
    codes
}

#[test]
fn two_posters_make_two_pages_with_their_texts_and_qr_codes() {
    let dir = tempfile::tempdir().unwrap();
    let posters = [full_poster(), bare_poster()];
    let pdf = render_posters(&posters).expect("the posters render");
    let path = write_pdf(dir.path(), &pdf);
    assert_eq!(page_count(&path), 2);

    let first = page_text(&path, 1);
    for expected in [
        "TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
        "Tổ công nghệ số cộng đồng Tổ dân phố 1",
        "TỔ DÂN PHỐ 1",
        "Đặc khu Cát Hải, Thành phố Hải Phòng",
        "Quét mã để gửi yêu cầu — không cần tài khoản.",
        PAGE_URL_1,
        "Mã thôn: ABCD-2345",
        "Nguyễn Văn Hùng",
        "Tổ trưởng",
        "0912 345 678",
        "Phạm Thị Thu Hường",
        "Nhóm Zalo của tổ",
        "Lê Minh Đức",
        "0225 123 4567",
        "In ngày 05/01/2026",
    ] {
        assert!(
            first.contains(expected),
            "page 1 lacks «{expected}»:\n{first}"
        );
    }
    assert!(
        !first.contains("Liên hệ qua mã QR hoặc nhóm Zalo"),
        "{first}"
    );

    let second = page_text(&path, 2);
    for expected in [
        "THÔN ĐÔNG",
        "Mã thôn: WXYZ-6789",
        "Liên hệ qua mã QR hoặc nhóm Zalo",
        "In ngày 05/01/2026",
        // Markup-like text prints as typed.
        "Xã <b>Thử</b> #set page(height: 1cm), Thành phố Hải Phòng",
        "Tổ *x* $y$ _z_ #emph[w] \\ ]",
    ] {
        assert!(
            second.contains(expected),
            "page 2 lacks «{expected}»:\n{second}"
        );
    }
    assert!(!second.contains("Nhóm Zalo của tổ"), "{second}");
    assert!(!second.contains("Nguyễn Văn Hùng"), "{second}");

    // The QR codes read back as the links, and nothing else.
    assert_eq!(
        qr_codes(&path, 1, dir.path(), "poster-two"),
        vec![PAGE_URL_1.to_string(), ZALO.to_string()]
    );
    assert_eq!(
        qr_codes(&path, 2, dir.path(), "poster-two"),
        vec![PAGE_URL_2.to_string()]
    );
}

#[test]
fn the_same_posters_give_the_same_bytes() {
    let posters = [full_poster(), bare_poster()];
    let a = render_posters(&posters).unwrap();
    let b = render_posters(&posters).unwrap();
    assert!(a == b, "two renderings of the same posters differ");
    // Another day is another file.
    let mut later = posters.clone();
    for p in &mut later {
        p.printed_on = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    }
    assert!(render_posters(&later).unwrap() != a);
}

#[test]
fn many_members_and_long_names_stay_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = full_poster();
    p.team_name = Some(
        "Tổ công nghệ số cộng đồng Tổ dân phố Hoàng Văn Thụ kéo dài đến khu tái định cư \
         Cái Giá và bến phà Gót"
            .into(),
    );
    p.members = (1..=20)
        .map(|i| PosterMember {
            name: format!("Nguyễn Thị Hoàng Phương Thảo Nguyên Khánh Linh {i}"),
            role: "Thành viên".into(),
            phone: "0912 345 678".into(),
        })
        .collect();
    let pdf = render_posters(&[p]).expect("renders");
    let path = write_pdf(dir.path(), &pdf);
    assert_eq!(page_count(&path), 1);
    let text = page_text(&path, 1);
    assert!(text.contains("Khánh Linh 12"), "{text}");
    assert!(!text.contains("Khánh Linh 13"), "{text}");
    assert!(text.contains("và 8 thành viên khác"), "{text}");
    assert_eq!(
        qr_codes(&path, 1, dir.path(), "poster-many"),
        vec![PAGE_URL_1.to_string(), ZALO.to_string()]
    );
}

#[test]
fn a_character_the_fonts_lack_is_refused() {
    let mut p = full_poster();
    p.village_name = "Thôn 🙂".into();
    match render_posters(&[p]) {
        Err(PdfError::MissingGlyphs(chars)) => assert!(chars.contains("U+1F642"), "{chars}"),
        other => panic!("expected MissingGlyphs, got {other:?}"),
    }
}

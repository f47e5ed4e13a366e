//! `toso poster` on the demo: Cát Hải's village posters as one PDF, one
//! page per active village, whose page 1 QR code (read back by zbarimg
//! from the page rendered by pdftoppm) opens the first village's public
//! page under `--public-url`. Page 1 is kept as a PNG in
//! `$CARGO_TARGET_DIR/test-artifacts/` (or the temporary folder). Also the
//! errors: an unknown commune, a commune without villages, a village of
//! another commune.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::toso;
use toso_testkit::template::Kind;

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
            panic!(
                "`{tool}` not found: install the Debian package {package} \
                 (apt-get install {package})"
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

fn page_count(pdf: &str) -> usize {
    let info = String::from_utf8(run("pdfinfo", &[pdf]).stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

/// Where page 1's PNG is kept: `$CARGO_TARGET_DIR/test-artifacts/`, else
/// the temporary folder.
fn artifact_png(tmp: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => {
            let dir = PathBuf::from(target).join("test-artifacts");
            std::fs::create_dir_all(&dir).expect("create test-artifacts");
            dir.join("poster-page1.png")
        }
        None => tmp.join("poster-page1.png"),
    }
}

/// What the store knows of the demo's posters on the day the CLI prints
/// them.
struct Expected {
    active_villages: usize,
    first_village_code: String,
    first_village_name: String,
    first_zalo: Option<String>,
    /// A commune of the demo's province without any village.
    empty_commune: Option<(i32, String)>,
    /// A village id that is none of Cát Hải's.
    foreign_village: i64,
}

fn expected(url: &str) -> Expected {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = toso_store::Store::connect(url).await.unwrap();
        let day = toso_store::today();
        let villages = store
            .villages(toso_demo::COMMUNE_CODE, Some(day))
            .await
            .unwrap();
        let first = villages.first().expect("the demo has villages");
        let code = store.village_code(first.id).await.unwrap();
        let zalo = store
            .village_team(toso_demo::COMMUNE_CODE, first.id, day)
            .await
            .unwrap()
            .and_then(|t| t.zalo_link);
        let mut empty_commune = None;
        for c in store.communes_of(toso_demo::PROVINCE_CODE).await.unwrap() {
            if store.villages(c.code, None).await.unwrap().is_empty() {
                empty_commune = Some((c.code, c.name));
                break;
            }
        }
        let foreign_village = villages.iter().map(|v| v.id).max().unwrap() + 1_000_000;
        let expected = Expected {
            active_villages: villages.len(),
            first_village_code: code,
            first_village_name: first.name.clone(),
            first_zalo: zalo,
            empty_commune,
            foreign_village,
        };
        store.close().await;
        expected
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_demo_posters_have_a_page_per_village_and_their_qr_codes() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::Demo, &dir.path().join("t.db"));
    let expected = expected(&url);
    assert!(expected.active_villages > 1);

    let pdf = dir.path().join("p.pdf");
    let pdf_str = pdf.to_str().unwrap();
    let commune = toso_demo::COMMUNE_CODE.to_string();
    let out = toso(
        &url,
        &[
            "poster",
            "--commune",
            &commune,
            "--out",
            pdf_str,
            "--public-url",
            "http://example.test",
        ],
    );
    assert!(out.status.success(), "toso poster failed: {}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{} trang", expected.active_villages)) && stdout.contains(pdf_str),
        "{stdout}"
    );
    assert_eq!(page_count(pdf_str), expected.active_villages);

    // Page 1 is the first village's poster.
    let text = String::from_utf8(
        run(
            "pdftotext",
            &["-enc", "UTF-8", "-f", "1", "-l", "1", pdf_str, "-"],
        )
        .stdout,
    )
    .unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let page_url = format!("http://example.test/v/{}", expected.first_village_code);
    let code = &expected.first_village_code;
    for line in [
        "TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG".to_string(),
        expected.first_village_name.to_uppercase(),
        "Đặc khu Cát Hải".to_string(),
        page_url.clone(),
        format!("Mã thôn: {}-{}", &code[..4], &code[4..]),
        format!("In ngày {}", toso_store::today().format("%d/%m/%Y")),
    ] {
        assert!(text.contains(&line), "page 1 lacks «{line}»:\n{text}");
    }

    // Its QR codes: the village's page (and its team's Zalo group).
    let png = artifact_png(dir.path());
    let prefix = png.with_extension("");
    run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf_str,
            prefix.to_str().unwrap(),
        ],
    );
    println!("page 1 of the posters: {}", png.display());
    let read = run("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    let mut codes: Vec<String> = String::from_utf8(read.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    codes.sort();
    let mut want: Vec<String> = std::iter::once(page_url)
        .chain(expected.first_zalo.clone())
        .collect();
    want.sort();
    assert_eq!(codes, want);

    // One village only.
    let one = dir.path().join("one/village.pdf");
    let tokio_rt = tokio::runtime::Runtime::new().unwrap();
    let first_id = tokio_rt.block_on(async {
        let store = toso_store::Store::connect(&url).await.unwrap();
        let v = store
            .villages(toso_demo::COMMUNE_CODE, Some(toso_store::today()))
            .await
            .unwrap();
        store.close().await;
        v[0].id
    });
    let out = toso(
        &url,
        &[
            "poster",
            "--commune",
            &commune,
            "--village",
            &first_id.to_string(),
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(page_count(one.to_str().unwrap()), 1);
}

#[test]
fn unknown_or_empty_communes_and_foreign_villages_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::Demo, &dir.path().join("t.db"));
    let expected = expected(&url);
    let pdf = dir.path().join("p.pdf");
    let pdf_str = pdf.to_str().unwrap();

    let out = toso(&url, &["poster", "--commune", "99999", "--out", pdf_str]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Không có xã, phường, đặc khu mã 99999"),
        "{}",
        stderr(&out)
    );

    let (empty, name) = expected
        .empty_commune
        .expect("the demo's province has a commune without villages");
    let out = toso(
        &url,
        &["poster", "--commune", &empty.to_string(), "--out", pdf_str],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "{name} không có thôn, tổ dân phố nào đang hoạt động"
        )),
        "{}",
        stderr(&out)
    );

    let commune = toso_demo::COMMUNE_CODE.to_string();
    let foreign = expected.foreign_village.to_string();
    let out = toso(
        &url,
        &[
            "poster",
            "--commune",
            &commune,
            "--village",
            &foreign,
            "--out",
            pdf_str,
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "Thôn, tổ dân phố số {foreign} không thuộc Đặc khu Cát Hải"
        )),
        "{}",
        stderr(&out)
    );
    assert!(!pdf.exists(), "no file is written on an error");

    let out = toso(
        &url,
        &[
            "poster",
            "--commune",
            &commune,
            "--out",
            pdf_str,
            "--public-url",
            "example.test",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("phải bắt đầu bằng http://"),
        "{}",
        stderr(&out)
    );
}

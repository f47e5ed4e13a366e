//! `toso indicators` by unit, as a user runs it on both databases: the
//! table of a province's communes (`--province 31 --by-commune`), the
//! nation's indicators (`--nation`) and its table of provinces
//! (`--nation --by-province`), their JSON, the period (`--from`), and the
//! refusals. The totals of a table are checked against the indicators of
//! its parent computed by the existing form.

mod common;
use common::toso;
use std::process::Output;

use serde_json::Value;
use toso_testkit::{both_backends, Backend, TestDb};
use unicode_width::UnicodeWidthStr;

both_backends!(
    communes_of_a_province_as_a_table,
    a_table_as_json_and_over_a_period,
    the_nation_and_its_provinces,
    refusals
);

/// The indicators and the table columns that mirror them, in the order of
/// the table's figures.
const MIRRORED: [(&str, &str); 10] = [
    ("villages", "villages"),
    ("teams", "teams"),
    ("coverage", ""),
    ("members", "members"),
    ("quick_response_members", "quick_response_members"),
    ("citizens_helped", "citizens_helped"),
    ("dossiers", "dossiers"),
    ("trainees", "trainees"),
    ("contest_registrations", "contest_registrations"),
    ("active_teams", "active_teams"),
];

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 on stdout")
}

fn json(out: Output) -> Value {
    serde_json::from_str(&ok(out)).expect("JSON on stdout")
}

/// An indicator of a set's JSON.
fn entry<'a>(set: &'a Value, code: &str) -> &'a Value {
    set["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}"))
}

/// The lines of a text table that are a unit's: those whose first word is
/// a code of `codes`, by code.
fn unit_lines<'a>(table: &'a str, codes: &[i32]) -> Vec<(i32, &'a str)> {
    table
        .lines()
        .filter_map(|l| {
            let code = l.split_whitespace().next()?.parse::<i32>().ok()?;
            codes.contains(&code).then_some((code, l))
        })
        .collect()
}

/// The last `n` words of a line: its figures and its date (names hold
/// spaces, figures never do).
fn last_words(line: &str, n: usize) -> Vec<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(words.len() >= n, "{line}");
    words[words.len() - n..].to_vec()
}

/// The totals line's figures, in the order of [`MIRRORED`].
fn totals_figures(table: &str) -> Vec<&str> {
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("Cộng "))
        .unwrap_or_else(|| panic!("no totals line:\n{table}"));
    last_words(line, 11)[..10].to_vec()
}

/// Displayed column where `needle` ends in `line`.
fn end_of(line: &str, needle: &str) -> usize {
    let at = line
        .find(needle)
        .unwrap_or_else(|| panic!("«{needle}» in «{line}»"))
        + needle.len();
    UnicodeWidthStr::width(&line[..at])
}

async fn communes_of_a_province_as_a_table(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let table = ok(toso(
        &db.url,
        &[
            "indicators",
            "--province",
            "31",
            "--by-commune",
            "--as-of",
            "30/11/2025",
        ],
    ));
    assert!(
        table.starts_with(
            "Thành phố Hải Phòng — các xã, phường, đặc khu — số liệu tính đến ngày 30/11/2025\n"
        ),
        "{table}"
    );

    // One line per commune of Hải Phòng, in code order.
    let codes: Vec<i32> = db
        .store
        .communes_of(31)
        .await
        .unwrap()
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes.len(), 114);
    let lines = unit_lines(&table, &codes);
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(
        lines.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        sorted,
        "{table}"
    );

    // Đặc khu Cát Hải as in the reference report; its last activity in
    // November 2025 (the demo's activities start on 01/11/2025).
    let cat_hai = lines.iter().find(|(c, _)| *c == 11914).unwrap().1;
    assert!(cat_hai.contains("Đặc khu Cát Hải"), "{cat_hai}");
    let figures = last_words(cat_hai, 11);
    assert_eq!(figures[..4], ["58", "58", "100%", "386"], "{cat_hai}");
    assert!(figures[8] == "1.440", "{cat_hai}");
    assert!(figures[10].ends_with("/11/2025"), "{cat_hai}");
    // The other communes have entered nothing: no row of zeros.
    let empty = lines.iter().find(|(c, _)| *c == 10510).unwrap().1;
    assert!(empty.contains("Phường Thành Đông"), "{empty}");
    assert!(empty.ends_with("chưa có dữ liệu"), "{empty}");
    assert_eq!(
        lines
            .iter()
            .filter(|(_, l)| l.ends_with("chưa có dữ liệu"))
            .count(),
        113
    );
    assert!(table.contains("\nCó dữ liệu: 1/114 xã, phường, đặc khu.\n"));

    // Columns line up by displayed width (names with diacritics).
    let header = table.lines().find(|l| l.contains("Thành viên")).unwrap();
    assert!(header.contains("Xã, phường, đặc khu"), "{header}");
    let totals = table
        .lines()
        .find(|l| l.trim_start().starts_with("Cộng "))
        .unwrap();
    assert_eq!(
        end_of(cat_hai, "  386"),
        end_of(header, "Thành viên"),
        "{table}"
    );
    assert_eq!(end_of(totals, "  386"), end_of(header, "Thành viên"));
    assert_eq!(end_of(cat_hai, "100%"), end_of(header, "Tỷ lệ"));

    // The totals are the province's own figures, as `--province 31` prints them.
    let set = json(toso(
        &db.url,
        &[
            "indicators",
            "--province",
            "31",
            "--as-of",
            "2025-11-30",
            "--json",
        ],
    ));
    let expected: Vec<&str> = MIRRORED
        .iter()
        .map(|(code, _)| entry(&set, code)["display"].as_str().unwrap())
        .collect();
    assert_eq!(totals_figures(&table), expected, "{table}");
    assert_eq!(expected[..4], ["58", "58", "100%", "386"]);

    // A reader that stops early (`| head`): no panic, success.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(["indicators", "--province", "31", "--by-commune"])
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run toso");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The table's totals (JSON) against a set's values.
fn assert_totals_equal(table: &Value, set: &Value) {
    let totals = &table["totals"];
    for (code, column) in MIRRORED {
        let value = &entry(set, code)["value"];
        if column.is_empty() {
            assert_eq!(value["numerator"], totals["villages_with_team"], "{code}");
            assert_eq!(value["denominator"], totals["villages"], "{code}");
        } else {
            assert_eq!(value["value"], totals[column], "{code}");
        }
    }
}

async fn a_table_as_json_and_over_a_period(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let args = |extra: &[&'static str]| {
        let mut a = vec!["indicators", "--province", "31", "--json"];
        a.extend_from_slice(extra);
        a
    };
    let table = json(toso(
        &db.url,
        &args(&["--by-commune", "--as-of", "30/11/2025"]),
    ));
    assert_eq!(
        table["node"],
        serde_json::json!({"level": "province", "id": 31})
    );
    assert_eq!(table["node_name"], "Thành phố Hải Phòng");
    assert_eq!(table["as_of"], "2025-11-30");
    assert!(table.get("from").is_none(), "{table}");
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 114);
    let cat_hai = rows.iter().find(|r| r["code"] == 11914).unwrap();
    assert_eq!(cat_hai["name"], "Đặc khu Cát Hải");
    assert_eq!(cat_hai["villages"], 58);
    assert_eq!(cat_hai["villages_with_team"], 58);
    assert_eq!(cat_hai["teams"], 58);
    assert_eq!(cat_hai["members"], 386);
    assert_eq!(cat_hai["contest_registrations"], 1440);
    assert_eq!(table["totals"]["members"], 386);
    let set = json(toso(&db.url, &args(&["--as-of", "30/11/2025"])));
    assert_totals_equal(&table, &set);

    // A period: flow figures count from --from, stock figures on --as-of;
    // the table's totals still equal the province's over the same period.
    let december = json(toso(
        &db.url,
        &args(&[
            "--by-commune",
            "--from",
            "01/12/2025",
            "--as-of",
            "31/12/2025",
        ]),
    ));
    assert_eq!(december["from"], "2025-12-01");
    assert_eq!(december["as_of"], "2025-12-31");
    let set = json(toso(
        &db.url,
        &args(&["--from", "2025-12-01", "--as-of", "2025-12-31"]),
    ));
    assert_eq!(set["from"], "2025-12-01");
    assert_totals_equal(&december, &set);
    let until_december = json(toso(
        &db.url,
        &args(&["--by-commune", "--as-of", "31/12/2025"]),
    ));
    let (period, all) = (&december["totals"], &until_december["totals"]);
    assert_eq!(period["members"], 386);
    assert_eq!(period["villages"], all["villages"]);
    let helped = |t: &Value| t["citizens_helped"].as_i64().unwrap();
    assert!(helped(period) > 0, "{period}");
    assert!(helped(period) < helped(all), "{period} {all}");
    // The demo's one December entry of registrations (64), not the 1.440
    // made before.
    assert_eq!(period["contest_registrations"], 64);
    assert_eq!(all["contest_registrations"], 1440 + 64);

    // The text form names the period, in the heading and the legend.
    let text = ok(toso(
        &db.url,
        &[
            "indicators",
            "--province",
            "31",
            "--by-commune",
            "--from",
            "01/12/2025",
            "--as-of",
            "31/12/2025",
        ],
    ));
    assert!(text.starts_with(
        "Thành phố Hải Phòng — các xã, phường, đặc khu — số liệu từ ngày 01/12/2025 đến ngày 31/12/2025\n"
    ));
    assert!(text.contains(
        "Tổ HĐ: tổ có hoạt động hỗ trợ người dân từ ngày 01/12/2025 đến ngày 31/12/2025."
    ));
    let helped_text = totals_figures(&text)[5].to_string();
    assert_eq!(helped_text, toso_domain::format_int(helped(period)));
}

async fn the_nation_and_its_provinces(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let text = ok(toso(
        &db.url,
        &["indicators", "--nation", "--as-of", "30/11/2025"],
    ));
    assert!(
        text.starts_with("Toàn quốc — số liệu tính đến ngày 30/11/2025\n"),
        "{text}"
    );
    assert!(text
        .lines()
        .any(|l| l.contains("Số thành viên Tổ công nghệ số cộng đồng")
            && l.split_whitespace().any(|w| w == "386")));
    let set = json(toso(
        &db.url,
        &["indicators", "--nation", "--as-of", "30/11/2025", "--json"],
    ));
    assert_eq!(set["node"], serde_json::json!({"level": "nation"}));
    assert_eq!(entry(&set, "members")["value"]["value"], 386);

    let table = json(toso(
        &db.url,
        &[
            "indicators",
            "--nation",
            "--by-province",
            "--as-of",
            "30/11/2025",
            "--json",
        ],
    ));
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 34);
    let hai_phong = rows.iter().find(|r| r["code"] == 31).unwrap();
    assert_eq!(hai_phong["name"], "Thành phố Hải Phòng");
    assert_eq!(hai_phong["communes"], 114);
    assert_eq!(hai_phong["communes_with_data"], 1);
    assert_eq!(hai_phong["members"], 386);
    assert_eq!(table["totals"]["communes"], 3321);
    assert_totals_equal(&table, &set);

    let text = ok(toso(
        &db.url,
        &[
            "indicators",
            "--nation",
            "--by-province",
            "--as-of",
            "30/11/2025",
        ],
    ));
    assert!(
        text.starts_with("Toàn quốc — các tỉnh, thành phố — số liệu tính đến ngày 30/11/2025\n"),
        "{text}"
    );
    let codes: Vec<i32> = rows
        .iter()
        .map(|r| r["code"].as_i64().unwrap() as i32)
        .collect();
    let lines = unit_lines(&text, &codes);
    assert_eq!(lines.len(), 34, "{text}");
    let line = lines.iter().find(|(c, _)| *c == 31).unwrap().1;
    assert_eq!(
        last_words(line, 11)[..4],
        ["58", "58", "100%", "386"],
        "{line}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|(_, l)| l.ends_with("chưa có dữ liệu"))
            .count(),
        33
    );
    assert!(text.contains("\nCó dữ liệu: 1/34 tỉnh, thành phố; 1/3.321 xã, phường, đặc khu.\n"));
    assert_eq!(totals_figures(&text)[..4], ["58", "58", "100%", "386"]);
}

async fn refusals(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let refused = |args: &[&str], code: i32, says: &str| {
        let out = toso(&db.url, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    };
    for args in [
        &["indicators", "--by-commune"][..],
        &["indicators", "--commune", "11914", "--by-commune"],
        &["indicators", "--nation", "--by-commune"],
    ] {
        refused(args, 2, "Lỗi: --by-commune cần --province MÃ");
    }
    for args in [
        &["indicators", "--by-province"][..],
        &["indicators", "--province", "31", "--by-province"],
    ] {
        refused(args, 2, "Lỗi: --by-province cần --nation");
    }
    refused(&["indicators"], 2, "--village SỐ hoặc --nation");
    // One unit at a time (clap's own refusal, as for --commune with --province).
    refused(
        &["indicators", "--nation", "--province", "31"],
        2,
        "--nation",
    );
    refused(
        &[
            "indicators",
            "--province",
            "31",
            "--by-commune",
            "--from",
            "01/12/2025",
            "--as-of",
            "30/11/2025",
        ],
        2,
        "Từ ngày (--from) 01/12/2025 không được sau ngày báo cáo (--as-of) 30/11/2025.",
    );
    refused(
        &[
            "indicators",
            "--nation",
            "--by-province",
            "--from",
            "31/02/2025",
        ],
        2,
        "Từ ngày (--from) «31/02/2025» không hợp lệ",
    );
    // An unknown province: the store's message, as for an unknown commune.
    refused(
        &["indicators", "--province", "99", "--by-commune"],
        1,
        "Không có tỉnh, thành phố mã 99.",
    );
}

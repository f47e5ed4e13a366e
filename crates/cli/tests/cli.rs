//! The `toso` binary itself, as a user runs it, on both databases.

mod common;
use common::toso;
use std::process::{Command, Output};

use serde_json::Value;
use toso_testkit::template::Kind;
use toso_testkit::{both_backends, Backend, TestDb};

both_backends!(
    demo_then_indicators_as_json,
    indicators_as_a_table_and_refusals,
    the_first_admin_is_created_from_the_command_line
);

fn figure(json: &Value, code: &str) -> Value {
    json["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code)
        .unwrap()["value"]
        .clone()
}

async fn demo_then_indicators_as_json(backend: Backend) {
    let db = TestDb::new(backend).await;
    let out = toso(&db.url, &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("58 thôn"));
    // A second run leaves the data as it was.
    let again = toso(&db.url, &["demo"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("đã có sẵn"));

    let out = toso(
        &db.url,
        &[
            "indicators",
            "--commune",
            "11914",
            "--as-of",
            "2025-11-30",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(figure(&json, "villages")["value"], 58);
    assert_eq!(figure(&json, "teams")["value"], 58);
    assert_eq!(figure(&json, "members")["value"], 386);
    assert_eq!(figure(&json, "contest_registrations")["value"], 1440);
    assert_eq!(
        figure(&json, "coverage"),
        serde_json::json!({"type": "ratio", "numerator": 58, "denominator": 58})
    );

    let out = toso(
        &db.url,
        &[
            "indicators",
            "--commune",
            "11914",
            "--as-of",
            "30/10/2025",
            "--json",
        ],
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(figure(&json, "teams")["value"], 0);
    assert_eq!(figure(&json, "members")["value"], 0);
}

async fn indicators_as_a_table_and_refusals(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let out = toso(
        &db.url,
        &["indicators", "--province", "31", "--as-of", "30/11/2025"],
    );
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("Thành phố Hải Phòng — số liệu tính đến ngày 30/11/2025"));
    assert!(table
        .lines()
        .any(|l| l.contains("Số thành viên Tổ công nghệ số cộng đồng") && l.contains("386")));
    assert!(table
        .lines()
        .any(|l| l.contains("Tỷ lệ") && l.contains("100%")));
    // Figures end in one column, counted in displayed width (the labels'
    // diacritics make byte and code point counts differ from row to row).
    let figure_end = |label: &str, figure: &str| {
        let line = table
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no row «{label}»:\n{table}"));
        let end = line.find(figure).unwrap() + figure.len();
        unicode_width::UnicodeWidthStr::width(&line[..end])
    };
    assert_eq!(
        figure_end("Số thành viên Tổ công nghệ số cộng đồng", "386"),
        figure_end("Tỷ lệ", "100%"),
        "{table}"
    );

    let out = toso(
        &db.url,
        &["indicators", "--commune", "11914", "--as-of", "32/13/2025"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Ngày báo cáo (--as-of) «32/13/2025» không hợp lệ"));
    let out = toso(&db.url, &["indicators"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chọn một đơn vị"));
    let out = toso(&db.url, &["indicators", "--commune", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Không có xã, phường, đặc khu mã 1"));
    let out = toso("mysql://x", &["demo"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("chỉ hỗ trợ sqlite://"));
}

/// `toso user add` with the password on standard input.
fn user_add(url: &str, args: &[&str], password: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(["user", "add"])
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run toso");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn the_first_admin_is_created_from_the_command_line(backend: Backend) {
    let db = TestDb::new(backend).await;
    let out = user_add(
        &db.url,
        &["--role", "admin", "--username", "quantri"],
        "mat-khau-quan-tri",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Đã tạo tài khoản «quantri» (Quản trị hệ thống)"));
    let user = db
        .store
        .verify_login("quantri", "mat-khau-quan-tri", "127.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, toso_domain::UserRole::Admin);
    // Refusals name the field, in Vietnamese, and create nothing.
    let out = user_add(&db.url, &["--role", "admin", "--username", "ngan"], "1234");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mật khẩu cần ít nhất 8 ký tự"));
    let out = user_add(
        &db.url,
        &["--role", "province_officer", "--username", "so-khcn"],
        "mat-khau-so-1",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Chọn tỉnh, thành phố"));
    let out = user_add(
        &db.url,
        &[
            "--role",
            "province_officer",
            "--username",
            "so-khcn",
            "--province",
            "31",
        ],
        "mat-khau-so-1",
    );
    assert!(out.status.success());
    let out = user_add(
        &db.url,
        &["--role", "chu-tich", "--username", "x-y-z"],
        "mat-khau-so-1",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Vai trò «chu-tich» không hợp lệ"));
    assert!(db.store.user_by_login("x-y-z").await.unwrap().is_none());
}

/// `toso bench writes` in rounds: each round's form and API phases are
/// shown with their ratio, the totals are over all rounds, and every
/// acknowledged write of every phase is found in the database (the bench
/// fails otherwise).
#[test]
fn the_write_benchmark_runs_in_rounds_and_finds_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let url = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("t.db"));
    let out = toso(
        &url,
        &[
            "bench",
            "writes",
            "--clients",
            "2",
            "--seconds",
            "0.3",
            "--rounds",
            "2",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "(form, with its client id), round 1",
        "(JSON API, with key), round 1",
        "(form, with its client id), round 2",
        "(JSON API, with key), round 2",
        "the form, with its client id: all rounds",
        "the JSON API, with key: all rounds",
        "(form without a client id)",
    ] {
        assert!(text.contains(row), "no row {row}:\n{text}");
    }
    assert!(text.contains("API ÷ form, round by round: "), "{text}");
    assert!(text.contains(", missing: 0"), "{text}");
}

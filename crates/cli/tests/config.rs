//! The binary's configuration as an operator meets it (issue 24): a file,
//! then the environment, then the flags; `toso config` shows the result
//! without secrets; `toso migrate` says what it applied; `log_format =
//! "json"` makes every log line a JSON object.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn toso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_toso"));
    c.env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("TOSO_CONFIG")
        .env_remove("TOSO_PUBLIC_URL");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn toso_config_shows_each_value_and_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("toso.toml");
    std::fs::write(
        &file,
        "database_url = \"postgres://toso:mat-khau@db.example/toso\"\n\
         public_url = \"https://toso.example.vn\"\n\
         metrics_token = \"token-bi-mat\"\n\
         [backup]\nkeep = 7\n",
    )
    .unwrap();
    let shown = stdout(
        toso()
            .args(["--config", file.to_str().unwrap(), "config"])
            .env("TOSO_BIND", "0.0.0.0:9000"),
    );
    let from_file = format!("# tệp {}", file.display());
    for (line, source) in [
        (
            "database_url = \"postgres://toso:***@db.example/toso\"",
            from_file.as_str(),
        ),
        (
            "public_url = \"https://toso.example.vn\"",
            from_file.as_str(),
        ),
        ("bind = \"0.0.0.0:9000\"", "# biến môi trường TOSO_BIND"),
        ("keep = 7", from_file.as_str()),
        ("log_format = \"text\"", "# mặc định"),
        ("metrics_token = \"***\"", from_file.as_str()),
    ] {
        let found = shown.lines().find(|l| l.starts_with(line));
        assert!(
            found.is_some_and(|l| l.ends_with(source)),
            "{line} … {source} in:\n{shown}"
        );
    }
    assert!(
        !shown.contains("mat-khau") && !shown.contains("token-bi-mat"),
        "{shown}"
    );

    // A mistake names the file and the key, and nothing runs.
    std::fs::write(&file, "bind = \"cổng 80\"\n").unwrap();
    let out = toso()
        .args(["--config", file.to_str().unwrap(), "config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("khóa bind") && err.contains("cổng 80"),
        "{err}"
    );
    let out = toso()
        .args(["config"])
        .env("TOSO_CONFIG", dir.path().join("khong-co.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("khong-co.toml"));
}

#[test]
fn migrate_applies_each_step_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("du-lieu");
    std::fs::create_dir_all(&data).unwrap();
    // The database follows the data directory.
    let first = stdout(toso().arg("migrate").env("TOSO_DATA_DIR", &data));
    assert!(data.join("toso.db").exists());
    let applied: usize = first
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert!(applied > 10, "{first}");
    let again = stdout(toso().arg("migrate").env("TOSO_DATA_DIR", &data));
    assert!(again.starts_with("Đã áp dụng 0 bước"), "{again}");
    assert!(again.contains(&format!("{applied}/{applied}")), "{again}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = toso()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("t.db").display()),
        )
        .env("TOSO_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(server.stderr.take().unwrap()).lines();
    // Every line up to the one saying where it serves is a JSON object.
    let mut serving = None;
    for text in lines.take(50) {
        let text = text.unwrap();
        let line: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert!(
            line["level"].is_string() && line["timestamp"].is_string(),
            "{line}"
        );
        if line["message"]
            .as_str()
            .is_some_and(|m| m.contains("Tổ Số đang phục vụ"))
        {
            serving = Some(line);
            break;
        }
    }
    server.kill().unwrap();
    let _ = server.wait();
    let line = serving.expect("the server says where it serves");
    assert_eq!(line["level"], "INFO", "{line}");
    assert_eq!(line["backend"], "sqlite", "{line}");
}

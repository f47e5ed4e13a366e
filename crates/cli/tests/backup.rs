//! `toso backup` and `toso restore` on SQLite, as a user runs them: the
//! restored database gives the same figures, and a backup taken while
//! another process writes is a sound database.

mod common;
use common::toso;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use toso_domain::{Name, VillageKind};
use toso_store::{Actor, NewVillage, Store};
use toso_testkit::template::Kind;

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "toso failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a refusal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn indicators(url: &str) -> String {
    ok(&toso(
        url,
        &[
            "indicators",
            "--commune",
            "11914",
            "--as-of",
            "2025-11-30",
            "--json",
        ],
    ))
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn integrity_and_villages(path: &Path) -> (String, i64) {
    let mut conn = SqliteConnection::connect(&url(path)).await.expect("open");
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity_check");
    let villages: i64 = sqlx::query_scalar("SELECT count(*) FROM villages")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    conn.close().await.ok();
    (check.join("; "), villages)
}

async fn add_village(store: &Store, name: &str) {
    store
        .create_village(
            &Actor::system("test"),
            NewVillage {
                commune_code: 11914,
                kind: VillageKind::Thon,
                name: Name::village(name).expect("name"),
                active_from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            },
        )
        .await
        .expect("create village");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let live = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("toso.db"));
    let before = indicators(&live);
    // A generated report (frozen version 1), as files.
    let report = |url: &str, out: &str| -> Vec<Vec<u8>> {
        let out = dir.path().join(out);
        ok(&toso(
            url,
            &[
                "report",
                "--commune",
                "11914",
                "--request",
                "4675/SKHCN-CNTT",
                "--date",
                "2026-01-05",
                "--out",
                out.to_str().unwrap(),
            ],
        ));
        ["docx", "pdf", "xlsx"]
            .iter()
            .map(|ext| {
                std::fs::read(out.join(format!("bao-cao-4675-SKHCN-CNTT-11914-v1.{ext}"))).unwrap()
            })
            .collect()
    };
    let files = report(&live, "bao-cao-truoc");

    let backup = dir.path().join("sao-luu.db");
    let backup_arg = backup.to_str().unwrap();
    let out = toso(&live, &["backup", "--out", backup_arg]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Đã sao lưu"));
    // A second backup never overwrites the first.
    let again = refused(&toso(&live, &["backup", "--out", backup_arg]));
    assert!(again.contains("đã có"), "{again}");

    // The data changes after the backup (through another process, which
    // has closed the database when it exits): the figures change.
    let sheet = dir.path().join("thon-moi.csv");
    std::fs::write(
        &sheet,
        "STT,\"Tên thôn, tổ dân phố\",Loại,Hoạt động từ ngày\n1,Thôn Sau Sao Lưu,Thôn,01/07/2025\n",
    )
    .unwrap();
    ok(&toso(
        &live,
        &[
            "import",
            "villages",
            sheet.to_str().unwrap(),
            "--commune",
            "11914",
        ],
    ));
    let after = indicators(&live);
    assert_ne!(before, after, "adding a village changes the figures");
    // The generated report does not: the same bytes from its snapshot.
    assert!(files == report(&live, "bao-cao-sau-thay-doi"));

    // Restored into a new path: the figures of the backup, byte for byte.
    let restored = url(&dir.path().join("khoi-phuc.db"));
    let out = toso(&restored, &["restore", backup_arg]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("integrity_check: ok"));
    assert_eq!(indicators(&restored), before);
    // The restored database renders the report byte for byte as before.
    assert!(files == report(&restored, "bao-cao-khoi-phuc"));

    // An existing database is only replaced with --force …
    let msg = refused(&toso(&live, &["restore", backup_arg]));
    assert!(msg.contains("--force"), "{msg}");
    assert_eq!(indicators(&live), after);
    ok(&toso(&live, &["restore", backup_arg, "--force"]));
    assert_eq!(indicators(&live), before);
    let (check, _) = integrity_and_villages(&dir.path().join("toso.db")).await;
    assert_eq!(check, "ok");

    // … never under a running server …
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &live)
        .env("RUST_LOG", "error")
        .spawn()
        .expect("start toso serve");
    let health = format!("http://127.0.0.1:{port}/healthz");
    let mut up = false;
    for _ in 0..500 {
        if reqwest::get(&health)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let msg = up.then(|| refused(&toso(&live, &["restore", backup_arg, "--force"])));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(up, "toso serve did not start");
    let msg = msg.unwrap();
    assert!(msg.contains("đang được dùng"), "{msg}");

    // … and only a Tổ Số database is accepted.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "không phải cơ sở dữ liệu").unwrap();
    let msg = refused(&toso(
        &restored,
        &["restore", junk.to_str().unwrap(), "--force"],
    ));
    assert!(msg.contains("không phải là cơ sở dữ liệu SQLite"), "{msg}");
    let other = dir.path().join("other.db");
    let mut conn = SqliteConnection::connect(&format!("{}?mode=rwc", url(&other)))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (x TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let msg = refused(&toso(
        &restored,
        &["restore", other.to_str().unwrap(), "--force"],
    ));
    assert!(msg.contains("không phải cơ sở dữ liệu Tổ Số"), "{msg}");
    assert_eq!(
        indicators(&restored),
        before,
        "a refused restore changes nothing"
    );

    // A missing database is not created by a mistyped backup.
    let missing = dir.path().join("go-nham.db");
    refused(&toso(&url(&missing), &["backup", "--out", "x.db"]));
    assert!(!missing.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_another_process_writes_is_sound() {
    let dir = tempfile::tempdir().unwrap();
    let live = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("toso.db"));
    let store = Store::connect(&live).await.unwrap();
    let (_, demo_villages) = integrity_and_villages(&dir.path().join("toso.db")).await;

    // A writer commits villages continuously while backups are taken.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = written.load(Ordering::SeqCst);
                add_village(&store, &format!("Thôn Ghi Liên Tục {n}")).await;
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut counts = Vec::new();
    for i in 0..3 {
        let backup = dir.path().join(format!("sao-luu-{i}.db"));
        let before = written.load(Ordering::SeqCst) as i64;
        let out = tokio::task::spawn_blocking({
            let (live, backup) = (live.clone(), backup.clone());
            move || toso(&live, &["backup", "--out", backup.to_str().unwrap()])
        })
        .await
        .unwrap();
        ok(&out);
        let after = written.load(Ordering::SeqCst) as i64;
        let (check, villages) = integrity_and_villages(&backup).await;
        assert_eq!(check, "ok", "backup {i} is sound");
        // A snapshot: everything committed before the backup started, and
        // nothing that was not committed by the time it ended.
        assert!(
            villages >= demo_villages + before && villages <= demo_villages + after + 1,
            "backup {i}: {villages} villages, {before}..{after} written after the demo's {demo_villages}"
        );
        counts.push(villages);
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(
        counts.windows(2).all(|w| w[0] < w[1]),
        "the writer kept writing during the backups: {counts:?}"
    );
    store.close().await;
}

/// The backups in `dir`, oldest first.
fn backups_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// The rotating set the systemd timer writes (`toso backup` with no
/// `--out`): a new file each run, the oldest beyond `keep` deleted, other
/// files left alone, and the newest restores to the same figures.
#[test]
fn the_rotating_set_keeps_the_newest_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let live = toso_testkit::sqlite_file(Kind::DemoProvince, &dir.path().join("toso.db"));
    let before = indicators(&live);
    let set = dir.path().join("backups");
    std::fs::create_dir_all(&set).unwrap();
    std::fs::write(set.join("ghi-chu.txt"), "not a backup").unwrap();
    // keep = 2 from a configuration file, as the package's /etc/toso/toso.toml.
    let config = dir.path().join("toso.toml");
    std::fs::write(
        &config,
        format!(
            "[backup]\ndir = {:?}\nkeep = 2\n",
            set.display().to_string()
        ),
    )
    .unwrap();
    for _ in 0..3 {
        ok(&toso(
            &live,
            &["--config", config.to_str().unwrap(), "backup"],
        ));
        // Names have a resolution of one second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let files = backups_in(&set);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "ghi-chu.txt");
    assert!(
        names[1..]
            .iter()
            .all(|n| n.starts_with("toso-") && n.ends_with("Z.db")),
        "{names:?}"
    );
    // --keep on the command line overrides the file.
    ok(&toso(
        &live,
        &[
            "--config",
            config.to_str().unwrap(),
            "backup",
            "--keep",
            "1",
        ],
    ));
    assert_eq!(backups_in(&set).len(), 2);
    let newest = backups_in(&set).pop().unwrap();
    let restored = url(&dir.path().join("restored.db"));
    ok(&toso(&restored, &["restore", newest.to_str().unwrap()]));
    assert_eq!(indicators(&restored), before);
    // Nowhere to write: a clear refusal.
    let out = toso(&live, &["backup"]);
    assert!(refused(&out).contains("--dir"));
}

/// PostgreSQL: `toso backup` runs `pg_dump --format=custom` into the
/// rotating set; `pg_restore` of that file into an empty database gives the
/// same figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backups_are_dumps_that_restore() {
    let db = toso_testkit::TestDb::with_demo_province(toso_testkit::Backend::Postgres).await;
    let before = indicators(&db.url);
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("backups");
    ok(&toso(&db.url, &["backup", "--dir", set.to_str().unwrap()]));
    let files = backups_in(&set);
    assert_eq!(files.len(), 1);
    assert!(files[0].to_string_lossy().ends_with("Z.dump"), "{files:?}");
    let bytes = std::fs::read(&files[0]).unwrap();
    assert!(bytes.starts_with(b"PGDMP"), "a custom-format dump");

    let name = format!("toso_restored_{}", std::process::id());
    let admin = toso_testkit::postgres_admin_url();
    let psql = |sql: &str| {
        let out = Command::new("psql")
            .args([admin.as_str(), "-XAtqc", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {name}"));
    psql(&format!("CREATE DATABASE {name}"));
    let restored = toso_testkit::replace_database(&db.url, &name);
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--single-transaction", "--dbname", &restored])
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(indicators(&restored), before);
    psql(&format!("DROP DATABASE {name} WITH (FORCE)"));
}

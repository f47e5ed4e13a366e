//! The database runs out of space under a running server — a real full
//! disk: the SQLite file, or the PostgreSQL tablespace of the villages,
//! sits on a small tmpfs that a filler file or table fills up. Writes are
//! refused with a Vietnamese 503 naming the cause and store nothing, pages
//! still read, and once space is freed the next write succeeds without a
//! restart. Every write acknowledged before is there.
//!
//! Mounting the tmpfs needs root (CI runs as root); the PostgreSQL half
//! needs the server on this machine (its files on this filesystem).

use std::path::{Path, PathBuf};
use std::process::Command;

use toso_testkit::{postgres_admin_url, Backend, TestApp, TestDb};

/// A small tmpfs mounted on a fresh directory; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Tmpfs {
        assert!(
            toso_testkit::is_root(),
            "this test mounts a small tmpfs to fill a disk for real and must run as root (as CI does)"
        );
        let dir = tempfile::tempdir().unwrap();
        run(Command::new("mount").args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={megabytes}m,mode=0777"),
            "tmpfs",
            &dir.path().display().to_string(),
        ]));
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("run a command");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fill the filesystem of `dir` with a file of zeros until no space is left.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&block) {
            assert_eq!(e.raw_os_error(), Some(28), "expected ENOSPC, got {e}");
            break;
        }
    }
    let _ = file.sync_all();
    path
}

/// Post villages until the server refuses one; the names it acknowledged
/// and the refused response's page.
async fn write_until_refused(app: &TestApp, prefix: &str) -> (Vec<String>, String, String) {
    let mut acknowledged = Vec::new();
    for i in 0..20_000 {
        let name = format!("Thôn {prefix} {i}");
        let res = app
            .post_form(
                "/communes/11914/villages/new",
                &[
                    ("kind", "thon"),
                    ("name", &name),
                    ("active_from", "01/07/2025"),
                ],
            )
            .await;
        match res.status().as_u16() {
            303 => acknowledged.push(name),
            503 => {
                assert_eq!(res.headers()["retry-after"], "30");
                return (acknowledged, name, res.text().await.unwrap());
            }
            other => panic!("{name}: {other} {}", res.text().await.unwrap()),
        }
    }
    panic!("the disk never filled up");
}

/// The names of the demo commune's villages, as stored.
async fn village_names(app: &TestApp) -> Vec<String> {
    app.db
        .store
        .villages(11914, None)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect()
}

const FULL: &str = "Ổ đĩa của cơ sở dữ liệu đã đầy nên dữ liệu chưa được lưu.";

/// What a full database must do under the running server, once writes
/// start failing: refuse clearly, keep reading, keep what was acknowledged,
/// and write again once `free` has given space back.
async fn full_then_freed(app: &TestApp, free: impl FnOnce()) {
    let (acknowledged, refused, page) = write_until_refused(app, "Đầy").await;
    assert!(page.contains("Tạm thời gián đoạn"), "{page}");
    assert!(page.contains(FULL), "{page}");

    // Reading still works while the disk is full.
    assert_eq!(app.get("/communes/11914").await.status().as_u16(), 200);
    assert_eq!(
        app.get("/communes/11914/villages").await.status().as_u16(),
        200
    );
    let names = village_names(app).await;
    assert!(!names.contains(&refused), "the refused village was stored");
    for name in &acknowledged {
        assert!(names.contains(name), "acknowledged {name} is missing");
    }

    // Space comes back: the next write succeeds, no restart.
    free();
    let res = app
        .post_form(
            "/communes/11914/villages/new",
            &[
                ("kind", "thon"),
                ("name", "Thôn Sau Khi Dọn Đĩa"),
                ("active_from", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let names = village_names(app).await;
    assert!(names.contains(&"Thôn Sau Khi Dọn Đĩa".to_string()));
    assert_eq!(
        names.len(),
        58 + acknowledged.len() + 1,
        "villages after the disk was freed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_disk_full_refuses_writes_and_recovers() {
    let disk = Tmpfs::mount(24);
    let db = TestDb::sqlite_at(&disk.path().join("toso.db")).await;
    toso_demo::load(&db.store).await.expect("load demo");
    let mut app = TestApp::spawn(db).await;
    app.login("canboxa").await;

    let filler = fill(disk.path());
    full_then_freed(&app, || std::fs::remove_file(&filler).unwrap()).await;

    app.stop().await;
    // integrity_check says "ok" after the full disk.
    toso_store::backup::check_sqlite_file(&disk.path().join("toso.db"))
        .await
        .expect("a sound database after the disk filled up");
}

/// Run SQL with psql on `url`.
fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args([url, "-XAtqv", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql (Debian package postgresql-client) is needed");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_disk_full_refuses_writes_and_recovers() {
    let disk = Tmpfs::mount(24);
    let location = disk.path().join("pg");
    std::fs::create_dir(&location).unwrap();
    run(Command::new("chown").arg("postgres").arg(&location));
    let admin = postgres_admin_url();
    let space = format!("toso_full_{}", std::process::id());
    psql(
        &admin,
        &format!(
            "CREATE TABLESPACE {space} LOCATION '{}'",
            location.display()
        ),
    )
    .expect("create a tablespace on the small disk (PostgreSQL must run on this machine)");

    let db = TestDb::with_demo(Backend::Postgres).await;
    let url = db.url.clone();
    // The villages (table and indexes) and a filler live on the small disk.
    psql(
        &url,
        &format!(
            "ALTER TABLE villages SET TABLESPACE {space}; \
             ALTER INDEX villages_pkey SET TABLESPACE {space}; \
             ALTER INDEX villages_commune_name SET TABLESPACE {space}; \
             CREATE TABLE filler (n BIGINT, t TEXT) TABLESPACE {space};"
        ),
    )
    .unwrap();
    let mut app = TestApp::spawn(db).await;
    app.login("canboxa").await;
    let mut batch = 0;
    loop {
        batch += 1;
        assert!(batch < 1000, "the tablespace never filled up");
        match psql(
            &url,
            "INSERT INTO filler SELECT g, md5(g::text) || md5(random()::text) \
             FROM generate_series(1, 20000) g",
        ) {
            Ok(_) => continue,
            Err(e) => {
                assert!(e.contains("No space left on device"), "{e}");
                break;
            }
        }
    }
    full_then_freed(&app, || {
        psql(&url, "DROP TABLE filler").unwrap();
    })
    .await;

    app.stop().await;
    // The test database goes first, then its tablespace, then the disk.
    psql(&admin, &format!("DROP TABLESPACE {space}")).unwrap();
    drop(disk);
}

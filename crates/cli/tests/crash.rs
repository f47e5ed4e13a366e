//! Crash tests: the real `toso serve`, concurrent writes over HTTP, SIGKILL
//! at random moments, restart. Every write the server acknowledged (303
//! after the form) must be there after the restart.
//!
//! * SQLite: the server (and with it the embedded database) is killed;
//!   `PRAGMA integrity_check` must say "ok" after each restart.
//! * PostgreSQL: a private cluster (initdb, fsync on) is started for the
//!   test; each kill takes down the server and, every other time, the whole
//!   PostgreSQL process group at once (the database's own crash recovery
//!   runs at restart); `pg_amcheck --heapallindexed` must find nothing.
#![cfg(unix)]

use std::collections::HashSet;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use sqlx::{Connection, SqliteConnection};
use toso_testkit::template::Kind;

const KILLS: usize = 20;
const WRITERS: usize = 3;

/// The server process, killed with SIGKILL when dropped (also on a panic).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn start_toso(url: &str, client: &reqwest::Client) -> (Server, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start toso serve");
    let mut server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait().expect("poll server") {
            panic!("toso serve exited at start: {status}");
        }
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                return (server, base);
            }
        }
        assert!(Instant::now() < deadline, "toso serve did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// Sign in as the demo commune officer: (csrf token, cookie header).
async fn login(client: &reqwest::Client, base: &str) -> (String, String) {
    let res = client.get(format!("{base}/login")).send().await.unwrap();
    let csrf = cookie(&res, "toso_csrf").expect("a CSRF cookie");
    let res = client
        .post(format!("{base}/login"))
        .header("cookie", format!("toso_csrf={csrf}"))
        .form(&[
            ("login", "canboxa"),
            ("password", toso_demo::DEMO_PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "login refused");
    let session = cookie(&res, "toso_session").expect("a session cookie");
    (
        csrf.clone(),
        format!("toso_csrf={csrf}; toso_session={session}"),
    )
}

/// What the SQLite file holds: integrity_check and the village names.
async fn inspect_sqlite(path: &Path) -> (String, HashSet<String>) {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open the database");
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity_check");
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM villages")
        .fetch_all(&mut conn)
        .await
        .expect("villages");
    conn.close().await.ok();
    (check.join("; "), names.into_iter().collect())
}

/// The database under test, as the crash loop sees it.
trait Database {
    fn url(&self) -> String;
    /// Bring the database up (after a kill); a no-op for SQLite.
    async fn up(&mut self);
    /// Kill it in round `round` as the server is killed (or not).
    fn kill(&mut self, round: usize);
    /// The integrity check's verdict ("ok" when sound) and the villages.
    async fn inspect(&mut self) -> (String, HashSet<String>);
}

struct Sqlite {
    path: std::path::PathBuf,
}

impl Database for Sqlite {
    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }
    async fn up(&mut self) {}
    fn kill(&mut self, _round: usize) {}
    async fn inspect(&mut self) -> (String, HashSet<String>) {
        inspect_sqlite(&self.path).await
    }
}

/// `tool` from PATH or the newest /usr/lib/postgresql/*/bin.
fn pg_tool(tool: &str) -> String {
    if Command::new(tool).arg("--version").output().is_ok() {
        return tool.to_string();
    }
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(tool))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("{tool} is missing (Debian package postgresql)"))
        .display()
        .to_string()
}

/// `program args…`, as the postgres user when running as root (the server
/// refuses to run as root).
fn as_postgres(program: &str) -> Command {
    if toso_testkit::is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", program]);
        command
    } else {
        Command::new(program)
    }
}

/// A private PostgreSQL cluster, with fsync on as in production.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    postmaster: Option<Child>,
    kills: usize,
}

impl Cluster {
    fn new() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        if toso_testkit::is_root() {
            let status = Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let out = as_postgres(&pg_tool("initdb"))
            .arg("-D")
            .arg(dir.path().join("data"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .output()
            .expect("initdb");
        assert!(out.status.success(), "initdb: {out:?}");
        Cluster {
            dir,
            port: free_port(),
            postmaster: None,
            kills: 0,
        }
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    async fn answers(&self) -> bool {
        match sqlx::PgConnection::connect(&self.admin_url()).await {
            Ok(conn) => {
                conn.close().await.ok();
                true
            }
            Err(_) => false,
        }
    }
}

impl Database for Cluster {
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/toso", self.port)
    }

    async fn up(&mut self) {
        if self.postmaster.is_some() {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        // After a kill, the old processes may still hold the shared memory
        // for a moment: start again until the postmaster stays up.
        loop {
            let mut command = as_postgres(&pg_tool("postgres"));
            command
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .args(["-p", &self.port.to_string(), "-k"])
                .arg(self.dir.path())
                .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"])
                .args(["-c", "synchronous_commit=on", "-c", "full_page_writes=on"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0);
            let mut child = command.spawn().expect("start postgres");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(30) {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if self.answers().await {
                    self.postmaster = Some(child);
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(Instant::now() < deadline, "PostgreSQL did not come back up");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn kill(&mut self, round: usize) {
        if round % 2 == 1 {
            return;
        }
        if let Some(mut postmaster) = self.postmaster.take() {
            // The whole process group at once: postmaster and backends
            // stop mid-write, as at a power cut.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", postmaster.id())])
                .status();
            let _ = postmaster.wait();
            self.kills += 1;
        }
    }

    async fn inspect(&mut self) -> (String, HashSet<String>) {
        let out = Command::new(pg_tool("pg_amcheck"))
            .args(["--heapallindexed", "--install-missing", "-h", "127.0.0.1"])
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", "toso"])
            .output()
            .expect("pg_amcheck");
        let verdict = if out.status.success() && out.stdout.is_empty() {
            "ok".to_string()
        } else {
            format!(
                "pg_amcheck: {} {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        };
        let mut conn = sqlx::PgConnection::connect(&self.url()).await.unwrap();
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM villages")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        (verdict, names.into_iter().collect())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut postmaster) = self.postmaster.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", postmaster.id())])
                .status();
            let _ = postmaster.wait();
        }
    }
}

fn demo(url: &str) {
    let demo = Command::new(env!("CARGO_BIN_EXE_toso"))
        .arg("demo")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(demo.status.success(), "{demo:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Sqlite {
        path: dir.path().join("toso.db"),
    };
    toso_testkit::sqlite_file(Kind::DemoProvince, &db.path);
    crash_loop(&mut db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_acknowledged_writes_survive_sigkill_of_server_and_database() {
    let mut cluster = Cluster::new();
    cluster.up().await;
    let mut admin = sqlx::PgConnection::connect(&cluster.admin_url())
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE toso")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.ok();
    demo(&cluster.url());
    crash_loop(&mut cluster).await;
    assert!(
        cluster.kills >= KILLS / 2,
        "PostgreSQL was killed {} times",
        cluster.kills
    );
}

/// Start the server, write from several clients, kill at a random moment,
/// restart and check — KILLS times.
async fn crash_loop(db: &mut impl Database) {
    let started = Instant::now();
    let url = db.url();
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("crash test seed: {seed} (CRASH_SEED={seed} repeats it)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut auth: Option<(String, String)> = None;

    for round in 0..=KILLS {
        db.up().await;
        let (server, base) = start_toso(&url, &client).await;
        // After each restart: everything acknowledged before is there.
        let (check, names) = db.inspect().await;
        assert_eq!(check, "ok", "integrity check after restart {round}");
        let lost: Vec<&String> = acknowledged
            .iter()
            .filter(|n| !names.contains(*n))
            .collect();
        assert!(
            lost.is_empty(),
            "restart {round}: {} acknowledged villages lost: {lost:?}",
            lost.len()
        );
        if round == KILLS {
            break;
        }
        // The session is kept in the database: it survives the kills too.
        let (csrf, cookies) = match &auth {
            Some(a) => a.clone(),
            None => auth.insert(login(&client, &base).await).clone(),
        };

        let acked = Arc::new(Mutex::new(Vec::new()));
        let unexpected = Arc::new(Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (client, base, csrf, cookies) =
                (client.clone(), base.clone(), csrf.clone(), cookies.clone());
            let (acked, unexpected) = (acked.clone(), unexpected.clone());
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let name = format!("Thôn Sập Nguồn {round}-{w}-{i}");
                    let sent = client
                        .post(format!("{base}/communes/11914/villages/new"))
                        .header("cookie", &cookies)
                        .form(&[
                            ("kind", "thon"),
                            ("name", &name),
                            ("active_from", "01/07/2025"),
                            ("csrf", &csrf),
                        ])
                        .send()
                        .await;
                    match sent {
                        Ok(res) if res.status().as_u16() == 303 => acked.lock().unwrap().push(name),
                        // The database died under the server: refused, not
                        // acknowledged; the server itself dies next.
                        Ok(res) if res.status().as_u16() == 503 => break,
                        Ok(res) => {
                            unexpected
                                .lock()
                                .unwrap()
                                .push(format!("{name}: {}", res.status()));
                            break;
                        }
                        // The server was killed: this write was not acknowledged.
                        Err(_) => break,
                    }
                }
            }));
        }
        // Kill at a random moment while the writes are going on.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(20..300))).await;
        db.kill(round);
        drop(server);
        for writer in writers {
            writer.await.unwrap();
        }
        let unexpected = unexpected.lock().unwrap().clone();
        assert!(unexpected.is_empty(), "round {round}: {unexpected:?}");
        acknowledged.extend(acked.lock().unwrap().drain(..));
    }
    eprintln!(
        "{KILLS} kills, {} acknowledged writes, all present; {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        acknowledged.len() >= KILLS,
        "too few writes to test anything: {}",
        acknowledged.len()
    );
}

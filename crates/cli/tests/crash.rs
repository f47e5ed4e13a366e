//! Crash test: the real `toso serve` on a SQLite file, concurrent writes
//! over HTTP, SIGKILL at random moments, restart. Every write the server
//! acknowledged (303 after the form) must be there after the restart, and
//! `PRAGMA integrity_check` must say "ok".

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use sqlx::{Connection, SqliteConnection};

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

async fn start(url: &str, client: &reqwest::Client) -> (Server, String) {
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

/// What the database file holds: integrity_check and the village names.
async fn inspect(path: &Path) -> (String, HashSet<String>) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("toso.db");
    let url = format!("sqlite://{}", path.display());
    let demo = Command::new(env!("CARGO_BIN_EXE_toso"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(demo.status.success(), "{demo:?}");

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
        let (server, base) = start(&url, &client).await;
        // After each restart: everything acknowledged before is there.
        let (check, names) = inspect(&path).await;
        assert_eq!(check, "ok", "integrity_check after restart {round}");
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

//! Test support shared by the crates' integration tests: a fresh real
//! database per test on either backend, and the real HTTP server on a
//! loopback port; [`quang_ninh`] seeds a commune of another province than
//! the demo's; [`builders`] make villages, teams, people, memberships,
//! users and activities with defaults; [`helpers`] hold the small helpers
//! the tests share (dates, the audit's writer, counts, refusals); each
//! database is a copy of a [`template`] made once (migrated; with the demo
//! commune loaded for [`TestDb::with_demo`]; with all that `toso demo`
//! loads, the demo province too, for [`TestDb::with_demo_province`] and
//! [`sqlite_file`]).
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (an admin connection to any
//! database of the server), else the server on 127.0.0.1:5432. There is no
//! silent skip: without a PostgreSQL the PostgreSQL tests fail.

pub mod builders;
pub mod helpers;
pub mod quang_ninh;
pub mod template;

pub use builders::{
    ActivityBuilder, DutyDayBuilder, MembershipBuilder, PersonBuilder, PolicyBuilder, TeamBuilder,
    UserBuilder, VillageBuilder,
};
pub use helpers::{
    account, actor, count, d, indicator_count, membership_of, refusal, refused_field, rust_sources,
    DEMO_COMMUNE,
};

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgConnection};
use toso_store::Store;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A throwaway database; removed when dropped.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    /// The caller owns the file.
    Nothing,
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// Whether the tests run as root (CI does): a test that mounts a
/// filesystem or starts PostgreSQL as the `postgres` user needs to know.
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A migrated, empty database (administrative units loaded): a copy of
    /// the [`template`].
    pub async fn new(backend: Backend) -> TestDb {
        TestDb::from_template(backend, template::Kind::Empty).await
    }

    /// A fresh database holding what the template of `kind` holds.
    async fn from_template(backend: Backend, kind: template::Kind) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = dir.path().join("toso.db");
                template::sqlite_copy(kind, &file).await;
                let url = format!("sqlite://{}", file.display());
                TestDb::open(url, Cleanup::Dir(dir)).await
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!(
                    "toso_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                template::pg_copy(&admin_url, kind, &name).await;
                let url = replace_database(&admin_url, &name);
                TestDb::open(url, Cleanup::Postgres { admin_url, name }).await
            }
        }
    }

    /// The store at `url`, migrated, dropped by `cleanup`.
    async fn open(url: String, cleanup: Cleanup) -> TestDb {
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("open the test database {url}: {e}"));
        TestDb {
            url,
            store,
            cleanup,
        }
    }

    /// A migrated SQLite database in the file `path` (left there when
    /// dropped: the caller owns its directory).
    pub async fn sqlite_at(path: &std::path::Path) -> TestDb {
        TestDb::open(format!("sqlite://{}", path.display()), Cleanup::Nothing).await
    }

    /// A database with the demo commune loaded: a copy of the [`template`].
    pub async fn with_demo(backend: Backend) -> TestDb {
        TestDb::from_template(backend, template::Kind::Demo).await
    }

    /// A database holding what `toso demo` loads, the demo commune and the
    /// demo province's other communes: a copy of the [`template`].
    pub async fn with_demo_province(backend: Backend) -> TestDb {
        TestDb::from_template(backend, template::Kind::DemoProvince).await
    }
}

/// A new SQLite file at `path` holding what the [`template`] of `kind`
/// holds, and its URL: for the tests that run the `toso` binary on a file
/// and are not about loading the demo (the `demo` command's own test
/// covers that). The copy runs on a thread and runtime of its own, so a
/// plain test and a test inside a runtime can both call it.
pub fn sqlite_file(kind: template::Kind, path: &std::path::Path) -> String {
    let dest = path.to_path_buf();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the copy")
            .block_on(template::sqlite_copy(kind, &dest))
    })
    .join()
    .expect("copy the template");
    format!("sqlite://{}", path.display())
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside async; a short-lived runtime on its own thread
            // removes the database (FORCE ends the store's connections).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                    admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// The real server on 127.0.0.1:0 over a test database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// The session cookie after [`TestApp::login`], sent with every request.
    pub session: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        TestApp::spawn_with(db, toso_web::Limits::default()).await
    }

    /// The server over a fresh database with the demo loaded, signed in as
    /// the demo user `username`.
    pub async fn demo_as(backend: Backend, username: &str) -> TestApp {
        let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
        app.login(username).await;
        app
    }

    /// [`TestApp::spawn`] with the given limits on clients and connections.
    pub async fn spawn_with(db: TestDb, limits: toso_web::Limits) -> TestApp {
        let settings = toso_web::Settings {
            limits,
            ..toso_web::Settings::default()
        };
        TestApp::spawn_configured(db, settings).await
    }

    /// [`TestApp::spawn`] as `settings` describe (the public address, the
    /// trusted proxies, the metrics' access).
    pub async fn spawn_configured(db: TestDb, settings: toso_web::Settings) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = format!("http://{}", listener.local_addr().expect("local addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let store = db.store.clone();
        let task = tokio::spawn(async move {
            toso_web::serve_configured(store, listener, settings, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // The server closes a connection idle for the request-head
            // deadline (10 s); drop idle ones sooner, so a request is never
            // sent on a connection the server is closing at that moment.
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build()
            .expect("http client");
        TestApp {
            address,
            client,
            db,
            session: None,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(session) = &self.session {
            request = request.header("cookie", format!("toso_session={session}"));
        }
        request.send().await.expect("request")
    }

    /// The status and body of a GET.
    pub async fn text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.expect("a body"))
    }

    /// The page at `path`, which must answer 200 (panics at the caller
    /// otherwise, naming the path).
    #[track_caller]
    pub fn html<'a>(&'a self, path: &'a str) -> impl std::future::Future<Output = String> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let (status, body) = self.text(path).await;
            assert_eq!(status, 200, "{caller}: {path}");
            body
        }
    }

    /// Sign in (demo users share `toso_demo::DEMO_PASSWORD`); later requests
    /// carry the session. Panics when the login is refused.
    pub async fn login(&mut self, username: &str) {
        let session = self.session_for(username).await;
        self.session = Some(session);
    }

    /// A new session of `username` (the app's own session is unchanged).
    pub async fn session_for(&self, username: &str) -> String {
        let (token, cookie) = self.csrf().await;
        let res = self
            .client
            .post(self.url("/login"))
            .header("cookie", cookie)
            .form(&[
                ("login", username),
                ("password", toso_demo::DEMO_PASSWORD),
                ("csrf", &token),
            ])
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 303, "login of {username} refused");
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("toso_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
            .expect("a session cookie")
    }

    /// A CSRF token and its cookie, as a browser gets them from any page.
    pub async fn csrf(&self) -> (String, String) {
        let res = self
            .client
            .get(self.url("/login"))
            .send()
            .await
            .expect("request");
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("toso_csrf="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
            .expect("the server sets a CSRF cookie");
        (cookie.clone(), format!("toso_csrf={cookie}"))
    }

    /// POST a form as a browser does (CSRF cookie and field included).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let (token, mut cookie) = self.csrf().await;
        if let Some(session) = &self.session {
            cookie.push_str(&format!("; toso_session={session}"));
        }
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf", &token));
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(&body)
            .send()
            .await
            .expect("request")
    }

    /// Stop the server gracefully and wait for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
    }
}

/// Where a saved form sends the browser: the `location` of a 303 (panics
/// at the caller on any other status).
#[track_caller]
pub fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status().as_u16(), 303, "expected a redirect");
    res.headers()["location"]
        .to_str()
        .expect("a readable location")
        .to_string()
}

/// Define each listed async test fn (taking a [`Backend`]) once per backend:
/// `both_backends!(creates_a_village, …)` yields `sqlite::creates_a_village`
/// and `postgres::creates_a_village`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name_only() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://h:5433", "t3"),
            "postgres://h:5433/t3"
        );
    }
}

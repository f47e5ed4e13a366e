//! Templates of the test databases: a migrated database with the
//! administrative units ([`Kind::Empty`]), one with the demo commune loaded
//! as well ([`Kind::Demo`]) and one with the demo province on top of that,
//! as `toso demo` loads them ([`Kind::DemoProvince`]); each is made once and
//! copied for every test that asks for one, instead of migrating and loading
//! the demo again (one write transaction per record) in each of several
//! hundred tests.
//!
//! A copy holds the same rows, ids and sequences as a database made the
//! long way. A template is made again when it could differ from one made
//! now:
//! - the sources that decide its content changed (the key, `build.rs`: a hash
//!   of the store, its migrations, the demo and the crates they use);
//! - the day changed (the demo dates its records from today);
//! - it is older than [`MAX_AGE`] (the demo stamps some records with the
//!   current time, and no test should see them hours old).
//!
//! Test processes run side by side, so a template is made under a lock held
//! across processes: a file lock for SQLite (the templates are files in the
//! temporary folder), an advisory lock for PostgreSQL (the templates are
//! databases named `toso_tpl_…`, copied by `CREATE DATABASE … TEMPLATE`).
//! Templates left by other keys are removed once they are past
//! [`MAX_AGE`], under the same lock.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor, PgConnection};
use toso_store::Store;

/// How long a template serves before it is made again.
pub const MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// The advisory lock the PostgreSQL templates are made and copied under.
const PG_LOCK: i64 = 0x7057_0da7_a7e1;

/// What a template holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Migrated, with the administrative units: [`crate::TestDb::new`].
    Empty,
    /// The demo commune loaded too: [`crate::TestDb::with_demo`].
    Demo,
    /// The demo province's other communes loaded on top of the demo
    /// commune: what `toso demo` loads ([`crate::TestDb::with_demo_province`]).
    DemoProvince,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Empty, Kind::Demo, Kind::DemoProvince];

    fn label(self) -> &'static str {
        match self {
            Kind::Empty => "empty",
            Kind::Demo => "demo",
            Kind::DemoProvince => "province",
        }
    }

    /// The template this one is made from, a copy of it filled further.
    fn base(self) -> Option<Kind> {
        match self {
            Kind::Empty => None,
            Kind::Demo => Some(Kind::Empty),
            Kind::DemoProvince => Some(Kind::Demo),
        }
    }

    /// The templates to make sure of, base first, ending with this one:
    /// the chain of [`Kind::base`].
    fn layers(self) -> Vec<Kind> {
        let mut chain: Vec<Kind> = std::iter::successors(Some(self), |k| k.base()).collect();
        chain.reverse();
        chain
    }
}

/// The template's name: its kind, the sources' key and today's date.
fn template_name(kind: Kind) -> String {
    format!(
        "toso_tpl_{}_{}_{}",
        kind.label(),
        env!("TOSO_TEMPLATE_KEY"),
        toso_store::today().format("%Y%m%d")
    )
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Fill the new database at `url`, a copy of `kind`'s base if it has one,
/// with what `kind` adds to its base, and open it (`Store::connect`
/// migrates it and loads the administrative units).
async fn fill(url: &str, kind: Kind) -> Store {
    if kind == Kind::DemoProvince {
        // As `toso demo` does: the province's loader opens the database
        // itself, with no other connection open.
        toso_tooling::demo_province::load(url)
            .await
            .expect("load the demo province");
    }
    let store = Store::connect(url)
        .await
        .unwrap_or_else(|e| panic!("open the template's database {url}: {e}"));
    if kind == Kind::Demo {
        toso_demo::load(&store).await.expect("load demo");
    }
    store
}

/// Copy the SQLite template of `kind` to `dest` (a file not there yet),
/// making the template first when there is none fresh.
pub async fn sqlite_copy(kind: Kind, dest: &Path) {
    let dir = std::env::temp_dir().join("toso-test-templates");
    std::fs::create_dir_all(&dir).expect("the templates' folder");
    let lock = std::fs::File::create(dir.join(".lock")).expect("the templates' lock file");
    let lock = tokio::task::spawn_blocking(move || {
        lock.lock().expect("lock the templates");
        lock
    })
    .await
    .expect("the lock's thread");
    let mut template = PathBuf::new();
    for layer in kind.layers() {
        template = sqlite_template(&dir, layer).await;
    }
    std::fs::copy(&template, dest).expect("copy the template");
    drop(lock);
}

/// The SQLite template of `kind` in `dir`, made if missing or stale (the
/// caller holds the lock; the template's base is fresh already).
async fn sqlite_template(dir: &Path, kind: Kind) -> PathBuf {
    let path = dir.join(format!("{}.db", template_name(kind)));
    let age = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|m| m.elapsed().ok());
    if matches!(age, Some(age) if age < MAX_AGE) {
        return path;
    }
    let _ = std::fs::remove_file(&path);
    let work = tempfile::tempdir().expect("temp dir");
    let file = work.path().join("toso.db");
    if let Some(base) = kind.base() {
        let base = dir.join(format!("{}.db", template_name(base)));
        std::fs::copy(&base, &file).expect("copy the base template");
    }
    let store = fill(&format!("sqlite://{}", file.display()), kind).await;
    store
        .backup_sqlite(&path)
        .await
        .expect("write the template");
    store.close().await;
    remove_stale_files(dir);
    path
}

/// Remove other keys' and days' template files once they are past
/// [`MAX_AGE`].
fn remove_stale_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > MAX_AGE);
        let name = entry.file_name();
        if stale && name.to_string_lossy().starts_with("toso_tpl_") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Create the PostgreSQL database `name` as a copy of the template of
/// `kind`, making the template first when there is none fresh.
pub async fn pg_copy(admin_url: &str, kind: Kind, name: &str) {
    let mut admin = PgConnection::connect(admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is required for the PostgreSQL test suite and is not reachable at \
             {admin_url} ({e}). Set TEST_DATABASE_URL or run scripts/test.sh, which starts one."
        )
    });
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(PG_LOCK)
        .execute(&mut admin)
        .await
        .expect("lock the templates");
    let mut template = String::new();
    for layer in kind.layers() {
        template = pg_template(&mut admin, admin_url, layer).await;
    }
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop old test database");
    admin
        .execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
        .await
        .expect("create test database");
    // Closing the connection releases the lock.
    admin.close().await.ok();
}

/// The PostgreSQL template of `kind`, made if missing, unfinished or stale
/// (the caller holds the lock; the template's base is fresh already). A
/// template's comment is the time it was finished: one without a comment
/// was left half made.
async fn pg_template(admin: &mut PgConnection, admin_url: &str, kind: Kind) -> String {
    let name = template_name(kind);
    let finished: Option<Option<String>> = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
    )
    .bind(&name)
    .fetch_optional(&mut *admin)
    .await
    .expect("look for the template");
    let age = finished
        .flatten()
        .and_then(|at| at.parse::<u64>().ok())
        .map(|at| now_secs().saturating_sub(at));
    if matches!(age, Some(age) if age < MAX_AGE.as_secs()) {
        return name;
    }
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop the stale template");
    let create = match kind.base() {
        None => format!("CREATE DATABASE {name}"),
        Some(base) => format!("CREATE DATABASE {name} TEMPLATE {}", template_name(base)),
    };
    admin
        .execute(create.as_str())
        .await
        .expect("create the template");
    fill(&crate::replace_database(admin_url, &name), kind)
        .await
        .close()
        .await;
    admin
        .execute(format!("COMMENT ON DATABASE {name} IS '{}'", now_secs()).as_str())
        .await
        .expect("mark the template finished");
    remove_stale_databases(admin).await;
    name
}

/// Drop other keys' and days' templates once they are past [`MAX_AGE`].
async fn remove_stale_databases(admin: &mut PgConnection) {
    let templates: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database \
         WHERE datname LIKE 'toso\\_tpl\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .expect("list the templates");
    let now = now_secs();
    for (name, finished) in templates {
        let finished = finished.and_then(|at| at.parse::<u64>().ok());
        // Unfinished ones belong to no one: the lock is held.
        let stale = finished.is_none_or(|at| now.saturating_sub(at) > MAX_AGE.as_secs());
        let current = Kind::ALL.iter().any(|kind| template_name(*kind) == name);
        if stale && !current {
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .expect("drop a stale template");
        }
    }
}

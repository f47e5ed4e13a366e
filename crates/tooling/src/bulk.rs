//! Bulk loading of synthetic data (`toso gen`).
//!
//! A [`BulkLoad`] is not a user write: rows go in without the per-record
//! checks and without one audit row per record (the caller writes one audit
//! row for the whole load, [`BulkLoad::finish`]). It owns one connection of
//! its own and, for speed, for the length of the load only:
//!
//! * SQLite: `journal_mode=MEMORY`, `synchronous=OFF`, foreign keys off, a
//!   large page cache, two sorter threads; one transaction; the secondary
//!   indexes of the loaded tables dropped and rebuilt from their own
//!   definitions at the end, then `PRAGMA foreign_key_check` on every loaded
//!   table; `journal_mode=WAL` (the store's setting) restored afterwards.
//!   Multi-row prepared `INSERT`s of up to 32,000 bound values.
//! * PostgreSQL: one transaction; the loaded tables' secondary indexes and
//!   foreign keys dropped and re-created from `pg_get_indexdef` /
//!   `pg_get_constraintdef` at the end (re-adding a foreign key validates
//!   every row); rows sent with `COPY … FROM STDIN`; identity sequences
//!   moved past the ids used; `ANALYZE` after the commit (`VACUUM (ANALYZE)`
//!   for the rollups, whose covering index PostgreSQL reads alone then).
//! * Both: the loaded tables' triggers (the support log's rollups) are off
//!   during the load; when the support log was loaded, its rollups are
//!   recomputed from the rows in the same transaction before the triggers
//!   are put back.
//!
//! A failure before [`BulkLoad::finish`] commits rolls everything back,
//! dropped indexes included (both databases have transactional DDL). The
//! relaxed SQLite settings mean that a crash or power cut *during* a load
//! can damage the file: generate into a database you can recreate.

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use toso_domain::DomainError;
use toso_store::{Result, StoreError};

/// One value of a bulk row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    /// Text known at compile time (codes, fixed labels): never copied.
    Str(&'static str),
    Text(String),
    /// Text shared by many rows (a day's date or timestamp, already in the
    /// backend's format: see [`BulkLoad::date_text`]).
    Shared(std::sync::Arc<str>),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Null,
}

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Run `$body` with `$c` bound to the load's connection, whichever the
/// backend (the same SQL text serves both).
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            Conn::Sqlite($c) => $body,
            Conn::Postgres($c) => $body,
        }
    };
}

/// Something dropped for the load and put back by [`BulkLoad::finish`].
enum Dropped {
    /// SQLite: the `CREATE INDEX` text; PostgreSQL: `pg_get_indexdef`.
    Index(String),
    /// PostgreSQL: `ALTER TABLE … ADD CONSTRAINT …`.
    ForeignKey(String),
    /// SQLite: the `CREATE TRIGGER` text; PostgreSQL: `ALTER TABLE …
    /// ENABLE TRIGGER USER`. The rollup triggers of the support log are
    /// off while it loads; the rollups are rebuilt from the rows instead.
    Trigger(String),
}

/// Bound values per SQLite statement (SQLite allows 32,766).
const SQLITE_MAX_BINDS: usize = 32_000;

/// A bulk load in progress: one connection, one open transaction.
pub struct BulkLoad {
    conn: Conn,
    tables: Vec<&'static str>,
    dropped: Vec<Dropped>,
    /// Reused buffer of the COPY text (PostgreSQL).
    copy: String,
    /// Rows written so far.
    pub rows: u64,
}

impl BulkLoad {
    /// Open `url` for a bulk load into `tables` (parents first): relax the
    /// settings, begin the transaction, drop the tables' secondary indexes
    /// (and, on PostgreSQL, their foreign keys). The store must be closed
    /// (on SQLite the journal mode can only change without other
    /// connections; a close still finishing is waited for, up to
    /// [`JOURNAL_WAIT`]).
    pub async fn open(url: &str, tables: &[&'static str]) -> Result<BulkLoad> {
        let conn = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
                .foreign_keys(false);
            let mut c = SqliteConnection::connect_with(&opts).await?;
            if let Err(kept) = journal_in_memory(&mut c, JOURNAL_WAIT).await {
                tracing::warn!(
                    "journal mode unchanged ({kept}): another connection has the database open; \
                     loading in WAL mode, which is slower"
                );
            }
            for pragma in [
                "PRAGMA synchronous = OFF",
                "PRAGMA cache_size = -524288",
                "PRAGMA threads = 2",
                "PRAGMA foreign_keys = OFF",
            ] {
                c.execute(pragma).await?;
            }
            c.execute("BEGIN").await?;
            Conn::Sqlite(c)
        } else {
            let mut c = PgConnection::connect(url).await?;
            c.execute("BEGIN").await?;
            c.execute(
                "SET LOCAL maintenance_work_mem = '512MB'; SET LOCAL synchronous_commit = off",
            )
            .await?;
            Conn::Postgres(c)
        };
        let mut load = BulkLoad {
            conn,
            tables: tables.to_vec(),
            dropped: Vec::new(),
            copy: String::new(),
            rows: 0,
        };
        // Children first: a foreign key goes before the index it may use.
        for table in tables.iter().rev() {
            load.drop_secondary(table).await?;
        }
        Ok(load)
    }

    /// `day` as the text the backend stores or parses for a date column.
    pub fn date_text(&self, day: NaiveDate) -> std::sync::Arc<str> {
        day.format("%Y-%m-%d").to_string().into()
    }

    /// `at` as the text the backend stores (SQLite, the way sqlx writes a
    /// `DateTime<Utc>`) or parses (PostgreSQL COPY) for a timestamp column.
    pub fn time_text(&self, at: DateTime<Utc>) -> std::sync::Arc<str> {
        match self.conn {
            Conn::Sqlite(_) => at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
                .into(),
            Conn::Postgres(_) => at.format("%Y-%m-%d %H:%M:%S%.f+00").to_string().into(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.conn {
            Conn::Sqlite(_) => "sqlite",
            Conn::Postgres(_) => "postgres",
        }
    }

    async fn drop_secondary(&mut self, table: &str) -> Result<()> {
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let indexes: Vec<(String, String)> = sqlx::query_as(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
                     AND sql IS NOT NULL ORDER BY name",
                )
                .bind(table)
                .fetch_all(&mut *c)
                .await?;
                for (name, sql) in indexes {
                    c.execute(format!("DROP INDEX \"{name}\"").as_str()).await?;
                    self.dropped.push(Dropped::Index(sql));
                }
                let triggers: Vec<(String, String)> = sqlx::query_as(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1 \
                     ORDER BY name",
                )
                .bind(table)
                .fetch_all(&mut *c)
                .await?;
                for (name, sql) in triggers {
                    c.execute(format!("DROP TRIGGER \"{name}\"").as_str())
                        .await?;
                    self.dropped.push(Dropped::Trigger(sql));
                }
            }
            Conn::Postgres(c) => {
                let fks: Vec<(String, String)> = sqlx::query_as(
                    "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                     WHERE conrelid = to_regclass($1) AND contype = 'f' ORDER BY conname",
                )
                .bind(table)
                .fetch_all(&mut *c)
                .await?;
                for (name, def) in fks {
                    c.execute(format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\"").as_str())
                        .await?;
                    self.dropped.push(Dropped::ForeignKey(format!(
                        "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {def}"
                    )));
                }
                let indexes: Vec<(String, String)> = sqlx::query_as(
                    "SELECT i.relname::text, pg_get_indexdef(x.indexrelid) FROM pg_index x \
                     JOIN pg_class i ON i.oid = x.indexrelid \
                     WHERE x.indrelid = to_regclass($1) AND NOT x.indisprimary \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) \
                     ORDER BY i.relname",
                )
                .bind(table)
                .fetch_all(&mut *c)
                .await?;
                for (name, def) in indexes {
                    c.execute(format!("DROP INDEX \"{name}\"").as_str()).await?;
                    self.dropped.push(Dropped::Index(def));
                }
                c.execute(format!("ALTER TABLE {table} DISABLE TRIGGER USER").as_str())
                    .await?;
                self.dropped.push(Dropped::Trigger(format!(
                    "ALTER TABLE {table} ENABLE TRIGGER USER"
                )));
            }
        }
        Ok(())
    }

    /// The largest id of `table` (0 when empty): the caller numbers its
    /// rows from the next one.
    pub async fn max_id(&mut self, table: &str) -> Result<i64> {
        let sql = format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}");
        Ok(on_conn!(&mut self.conn, c => sqlx::query_scalar(&sql).fetch_one(&mut *c).await?))
    }

    /// Write `values` (rows of `columns.len()` values, one after another)
    /// into `table`.
    pub async fn write(
        &mut self,
        table: &'static str,
        columns: &'static [&'static str],
        values: &[Val],
    ) -> Result<()> {
        let width = columns.len();
        if values.is_empty() {
            return Ok(());
        }
        debug_assert_eq!(values.len() % width, 0, "whole rows");
        self.rows += (values.len() / width) as u64;
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let per_statement = (SQLITE_MAX_BINDS / width).max(1);
                for chunk in values.chunks(per_statement * width) {
                    let sql = insert_sql(table, columns, chunk.len() / width);
                    let mut q = sqlx::query(&sql);
                    for v in chunk {
                        q = match v {
                            Val::Int(i) => q.bind(*i),
                            Val::Str(s) => q.bind(*s),
                            Val::Text(s) => q.bind(s.as_str()),
                            Val::Shared(s) => q.bind(&**s),
                            Val::Date(d) => q.bind(*d),
                            Val::Time(t) => q.bind(*t),
                            Val::Null => q.bind(None::<i64>),
                        };
                    }
                    q.execute(&mut *c).await?;
                }
            }
            Conn::Postgres(c) => {
                let buf = &mut self.copy;
                buf.clear();
                for row in values.chunks(width) {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            buf.push('\t');
                        }
                        copy_field(buf, v);
                    }
                    buf.push('\n');
                }
                let mut copy = c
                    .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
                    .await?;
                for piece in buf.as_bytes().chunks(1 << 20) {
                    copy.send(piece).await?;
                }
                copy.finish().await?;
            }
        }
        Ok(())
    }

    /// Put the indexes and foreign keys back (checking every row), write
    /// the one audit row of the load (`entity` = "gen", `after` = `summary`),
    /// commit, and restore the usual settings.
    pub async fn finish(
        mut self,
        actor: &str,
        commune_code: Option<i32>,
        summary: &serde_json::Value,
        mut progress: impl FnMut(&str),
    ) -> Result<()> {
        let now = Utc::now();
        let after = sqlx::types::Json(summary.clone());
        let dropped = std::mem::take(&mut self.dropped);
        // The support log's rollups, off during the load, are recomputed
        // from its rows (after the indexes, which the query uses).
        let rollups = self.tables.contains(&"support_activities");
        match &mut self.conn {
            Conn::Sqlite(c) => {
                for d in dropped.iter().rev() {
                    if let Dropped::Index(sql) | Dropped::ForeignKey(sql) = d {
                        progress(sql);
                        c.execute(sql.as_str()).await?;
                    }
                }
                for sql in rollups_then_triggers(&dropped, rollups, false) {
                    progress(&sql);
                    c.execute(sql.as_str()).await?;
                }
                for table in &self.tables {
                    progress(&format!("PRAGMA foreign_key_check({table})"));
                    let bad: Vec<(String,)> = sqlx::query_as(&format!(
                        "SELECT \"table\" FROM pragma_foreign_key_check('{table}') LIMIT 1"
                    ))
                    .fetch_all(&mut *c)
                    .await?;
                    if !bad.is_empty() {
                        c.execute("ROLLBACK").await?;
                        return Err(StoreError::Invalid(DomainError::new(
                            "gen",
                            format!("Dữ liệu sinh ra vi phạm khóa ngoại ở bảng {table}: đã hủy, không ghi gì."),
                        )));
                    }
                }
            }
            Conn::Postgres(c) => {
                // Indexes first: re-adding a foreign key reads the parent's key.
                for d in dropped.iter().rev() {
                    if let Dropped::Index(sql) = d {
                        progress(sql);
                        c.execute(sql.as_str()).await?;
                    }
                }
                for d in dropped.iter().rev() {
                    if let Dropped::ForeignKey(sql) = d {
                        progress(sql);
                        c.execute(sql.as_str()).await?;
                    }
                }
                for sql in rollups_then_triggers(&dropped, rollups, true) {
                    progress(&sql);
                    c.execute(sql.as_str()).await?;
                }
                for table in &self.tables {
                    // Tables keyed by an identity column: move the sequence
                    // past the ids the load chose itself.
                    let has_identity: bool = sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = $1 \
                         AND column_name = 'id' AND is_identity = 'YES' AND table_schema = current_schema())",
                    )
                    .bind(table)
                    .fetch_one(&mut *c)
                    .await?;
                    if has_identity {
                        c.execute(
                            format!(
                                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                            )
                            .as_str(),
                        )
                        .await?;
                    }
                }
            }
        }
        // The one audit row of the load, then the commit: the same on both.
        on_conn!(&mut self.conn, c => {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, address, commune_code, entity, entity_id, action, before, after, \
                 province_code) VALUES ($1, $2, NULL, $3, 'gen', 0, 'create', NULL, $4, \
                 (SELECT province_code FROM communes WHERE code = $3))",
            )
            .bind(now)
            .bind(actor)
            .bind(commune_code)
            .bind(&after)
            .execute(&mut *c)
            .await?;
            progress("COMMIT");
            c.execute("COMMIT").await?;
        });
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let _: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
                    .fetch_one(&mut *c)
                    .await?;
                c.execute("PRAGMA synchronous = FULL").await?;
                c.execute("PRAGMA foreign_keys = ON").await?;
            }
            Conn::Postgres(c) => {
                let rollup_tables: &[&str] = if rollups {
                    &toso_store::ROLLUP_TABLES
                } else {
                    &[]
                };
                for table in &self.tables {
                    progress(&format!("ANALYZE {table}"));
                    c.execute(format!("ANALYZE {table}").as_str()).await?;
                }
                // The rollups are small (a few million rows at national
                // scale): vacuumed too, so that their covering index
                // answers alone (an index-only scan needs the blocks
                // marked all-visible, which only a vacuum does).
                for table in rollup_tables {
                    progress(&format!("VACUUM (ANALYZE) {table}"));
                    c.execute(format!("VACUUM (ANALYZE) {table}").as_str())
                        .await?;
                }
            }
        }
        on_conn!(self.conn, c => c.close().await?);
        Ok(())
    }
}

/// How long [`BulkLoad::open`] waits for the file's other connections to
/// close: a store closed just before may still have a connection closing
/// on another thread.
const JOURNAL_WAIT: Duration = Duration::from_secs(3);

/// Switch `c`'s file to `journal_mode=MEMORY`, trying again every 50 ms for
/// up to `wait` while another connection keeps it in WAL mode (which only
/// the last connection can leave; SQLite refuses at once, "database is
/// locked", without waiting its busy timeout). `Err`: the last refusal, or
/// the mode kept.
async fn journal_in_memory(
    c: &mut SqliteConnection,
    wait: Duration,
) -> std::result::Result<(), String> {
    let until = Instant::now() + wait;
    loop {
        let kept = match sqlx::query_scalar::<_, String>("PRAGMA journal_mode = MEMORY")
            .fetch_one(&mut *c)
            .await
        {
            Ok(mode) if mode.eq_ignore_ascii_case("memory") => return Ok(()),
            Ok(mode) => mode,
            Err(e) => e.to_string(),
        };
        if Instant::now() >= until {
            return Err(kept);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The end of a load's restore: the support log's rollups recomputed
/// from its rows (when it was loaded), then the triggers put back.
fn rollups_then_triggers(dropped: &[Dropped], rollups: bool, postgres: bool) -> Vec<String> {
    let rebuild = rollups.then(|| toso_store::rollup_rebuild_statements(postgres));
    let triggers = dropped.iter().rev().filter_map(|d| match d {
        Dropped::Trigger(sql) => Some(sql.clone()),
        _ => None,
    });
    rebuild.into_iter().flatten().chain(triggers).collect()
}

/// `INSERT INTO table (cols) VALUES (?, …), (…)` for `rows` rows (SQLite).
/// Anonymous `?` parameters: SQLite looks named ones (`$1`) up by name,
/// which is quadratic in their number and takes seconds at 32,000.
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let row = format!("({})", vec!["?"; width].join(","));
    let mut sql = String::with_capacity(64 + rows * (row.len() + 1));
    let _ = write!(sql, "INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql
}

/// One field in PostgreSQL's COPY text format.
fn copy_field(buf: &mut String, v: &Val) {
    match v {
        Val::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        Val::Str(s) => copy_text(buf, s),
        Val::Text(s) => copy_text(buf, s),
        Val::Shared(s) => copy_text(buf, s),
        Val::Date(d) => {
            let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        }
        Val::Time(t) => {
            let _ = write!(buf, "{}", t.format("%Y-%m-%d %H:%M:%S%.f+00"));
        }
        Val::Null => buf.push_str("\\N"),
    }
}

fn copy_text(buf: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL connection of its own to a new file in `dir`.
    async fn wal_file(dir: &tempfile::TempDir) -> (String, SqliteConnection) {
        let path = dir.path().join("t.db");
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let mut other = SqliteConnection::connect_with(&opts).await.unwrap();
        other.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        (format!("sqlite://{}", path.display()), other)
    }

    async fn mode(c: &mut SqliteConnection) -> String {
        sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(c)
            .await
            .unwrap()
    }

    /// A connection that closes while the load waits (a store's last
    /// close finishing late) no longer leaves the load in WAL mode.
    #[tokio::test]
    async fn waits_for_a_connection_closing_late() {
        let dir = tempfile::tempdir().unwrap();
        let (url, other) = wal_file(&dir).await;
        let closing = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            other.close().await.unwrap();
        });
        let mut load = BulkLoad::open(&url, &["t"]).await.unwrap();
        closing.await.unwrap();
        let Conn::Sqlite(c) = &mut load.conn else {
            panic!("a SQLite load")
        };
        assert_eq!(mode(c).await, "memory");
    }

    /// A connection that stays open keeps the file in WAL mode: after the
    /// wait, the error says why.
    #[tokio::test]
    async fn says_what_an_open_connection_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (url, mut other) = wal_file(&dir).await;
        let opts = SqliteConnectOptions::from_str(&url).unwrap();
        let mut c = SqliteConnection::connect_with(&opts).await.unwrap();
        // SQLite refuses at once, without its busy timeout.
        let kept = journal_in_memory(&mut c, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(kept.contains("database is locked"), "{kept}");
        assert_eq!(mode(&mut other).await, "wal");
    }
}

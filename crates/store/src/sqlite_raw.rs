//! Bulk inserts on SQLite through prepared statements stepped on the
//! connection's own handle (`SqliteConnection::lock_handle`).
//!
//! sqlx sends every statement to the connection's worker thread and back, so
//! the import used to pack 10,000 rows into one JSON parameter and unpack them
//! with `json_each` (the SQLite shell inserted the same rows, with the same
//! indexes, in about half the time). Multi-row
//! statements prepared and stepped here ([`insert_rows`]) cost what SQLite's
//! own B-trees cost. They run inside the caller's transaction (the handle is
//! the transaction's connection), so atomicity is unchanged.
//!
//! Errors come back as [`RawSqliteError`], an `sqlx::Error::Database` with
//! SQLite's extended result code, so `StoreError::is_full` and
//! `is_unavailable` classify them as they classify sqlx's own.

use std::borrow::Cow;
use std::ffi::{c_int, CStr};
use std::marker::PhantomData;
use std::ptr;

use libsqlite3_sys as ffi;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::sqlite::LockedSqliteHandle;

/// A bound value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Param::Null, Param::Text)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::Null, Param::Int)
    }
}

/// An error SQLite returned to a statement stepped on the raw handle.
#[derive(Debug)]
pub struct RawSqliteError {
    /// The extended result code (as `SqliteError::code` gives it).
    pub code: c_int,
    pub message: String,
}

impl std::fmt::Display for RawSqliteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "(code: {}) {}", self.code, self.message)
    }
}

impl std::error::Error for RawSqliteError {}

impl DatabaseError for RawSqliteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(self.code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

/// The connection's last error as an sqlx error.
///
/// # Safety
/// `db` is an open connection handle.
unsafe fn last_error(db: *mut ffi::sqlite3) -> sqlx::Error {
    let code = ffi::sqlite3_extended_errcode(db);
    let message = CStr::from_ptr(ffi::sqlite3_errmsg(db))
        .to_string_lossy()
        .into_owned();
    sqlx::Error::Database(Box::new(RawSqliteError { code, message }))
}

/// One prepared statement on a locked connection, finalized on drop.
pub(crate) struct RawStatement<'h> {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    params: c_int,
    /// Borrows the locked handle: the worker thread cannot use the
    /// connection while the statement lives.
    _handle: PhantomData<&'h mut LockedSqliteHandle<'h>>,
}

impl<'h> RawStatement<'h> {
    pub(crate) fn prepare(
        handle: &'h mut LockedSqliteHandle<'_>,
        sql: &str,
    ) -> Result<RawStatement<'h>, sqlx::Error> {
        let db = handle.as_raw_handle().as_ptr();
        let mut stmt = ptr::null_mut();
        let len = c_int::try_from(sql.len())
            .map_err(|_| sqlx::Error::Protocol("statement too long".into()))?;
        // SAFETY: `db` is the open connection the locked handle guards; the
        // SQL pointer and length describe a valid UTF-8 buffer.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), len, &mut stmt, ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            // SAFETY: `db` is open.
            return Err(unsafe { last_error(db) });
        }
        // SAFETY: `stmt` was just prepared.
        let params = unsafe { ffi::sqlite3_bind_parameter_count(stmt) };
        Ok(RawStatement {
            db,
            stmt,
            params,
            _handle: PhantomData,
        })
    }

    /// Bind `values` to the parameters `?1…?n` (every one of them), step the
    /// statement to its end and reset it for the next row.
    pub(crate) fn execute(&mut self, values: &[Param<'_>]) -> Result<(), sqlx::Error> {
        if values.len() != self.params as usize {
            return Err(sqlx::Error::Protocol(format!(
                "statement expects {} parameters, got {}",
                self.params,
                values.len()
            )));
        }
        for (i, value) in values.iter().enumerate() {
            let index = i as c_int + 1;
            // SAFETY: `stmt` is a live prepared statement and `index` is in
            // 1..=params. Text is bound without a copy (SQLITE_STATIC): the
            // borrowed text outlives the step below, and every parameter is
            // bound again before the statement is stepped again.
            let rc = unsafe {
                match *value {
                    Param::Int(n) => ffi::sqlite3_bind_int64(self.stmt, index, n),
                    Param::Null => ffi::sqlite3_bind_null(self.stmt, index),
                    Param::Text(s) => ffi::sqlite3_bind_text64(
                        self.stmt,
                        index,
                        s.as_ptr().cast(),
                        s.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                }
            };
            if rc != ffi::SQLITE_OK {
                // SAFETY: `db` is open.
                return Err(unsafe { last_error(self.db) });
            }
        }
        // SAFETY: `stmt` is live and fully bound.
        let rc = unsafe { ffi::sqlite3_step(self.stmt) };
        // The error of a failed step is read before the reset (which returns
        // the same code again).
        let result = if rc == ffi::SQLITE_DONE || rc == ffi::SQLITE_ROW {
            Ok(())
        } else {
            // SAFETY: `db` is open.
            Err(unsafe { last_error(self.db) })
        };
        // SAFETY: `stmt` is live.
        unsafe { ffi::sqlite3_reset(self.stmt) };
        result
    }

    /// Fail unless the last execution changed exactly `rows` rows.
    fn expect_changes(&self, target: &str, rows: usize) -> Result<(), sqlx::Error> {
        // SAFETY: `db` is open.
        let changed = unsafe { ffi::sqlite3_changes64(self.db) };
        if changed == rows as i64 {
            return Ok(());
        }
        Err(sqlx::Error::Database(Box::new(RawSqliteError {
            code: ffi::SQLITE_CONSTRAINT,
            message: format!(
                "bulk insert into {target}: {} of {rows} rows refused by a constraint",
                rows as i64 - changed
            ),
        })))
    }
}

impl Drop for RawStatement<'_> {
    fn drop(&mut self) {
        // SAFETY: `stmt` is live and finalized exactly once; clearing the
        // bindings first drops the last borrowed text pointers.
        unsafe {
            ffi::sqlite3_clear_bindings(self.stmt);
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

/// Rows per statement of [`insert_rows`] (fewer when the row is wide: SQLite
/// takes at most 32,766 parameters).
const ROWS_PER_STATEMENT: usize = 1_000;

/// Insert `values.len() / width` rows of `width` values each into `target`
/// (`table (column, …)`), up to [`ROWS_PER_STATEMENT`] rows a statement:
/// `INSERT OR IGNORE INTO {target} VALUES (?, …), (?, …), …`.
///
/// One statement keeps its cursors open from row to row, so keys that arrive
/// in ascending order are appended to the last page of each B-tree instead of
/// being searched for from the root. A multi-row statement that could abort
/// half-way would make SQLite copy every page it first touches into a
/// statement journal (a page per row for a randomly ordered index); so the
/// statement cannot abort: foreign keys are checked at COMMIT
/// (`defer_foreign_keys`, which SQLite switches off again when the
/// transaction ends) and a row refused by a constraint is skipped (`OR
/// IGNORE`) — and then counted: every statement must insert all its rows,
/// else this returns a constraint error and the caller's transaction is
/// rolled back. Nothing is skipped silently.
pub(crate) fn insert_rows(
    handle: &mut LockedSqliteHandle<'_>,
    target: &str,
    width: usize,
    values: &[Param<'_>],
) -> Result<(), sqlx::Error> {
    if width == 0 || !values.len().is_multiple_of(width) {
        return Err(sqlx::Error::Protocol(format!(
            "{} values are not rows of {width}",
            values.len()
        )));
    }
    RawStatement::prepare(handle, "PRAGMA defer_foreign_keys = ON")?.execute(&[])?;
    let per_statement = ROWS_PER_STATEMENT.min(32_766 / width).max(1);
    let sql = |rows: usize| {
        let row = format!("({})", vec!["?"; width].join(", "));
        format!(
            "INSERT OR IGNORE INTO {target} VALUES {}",
            vec![row; rows].join(", ")
        )
    };
    let full = values.chunks_exact(per_statement * width);
    let rest = full.remainder();
    if values.len() >= per_statement * width {
        let mut statement = RawStatement::prepare(handle, &sql(per_statement))?;
        for chunk in full {
            statement.execute(chunk)?;
            statement.expect_changes(target, per_statement)?;
        }
    }
    if !rest.is_empty() {
        let mut statement = RawStatement::prepare(handle, &sql(rest.len() / width))?;
        statement.execute(rest)?;
        statement.expect_changes(target, rest.len() / width)?;
    }
    Ok(())
}

/// [`insert_rows`] on `conn` (the connection of the caller's transaction),
/// without stalling the runtime's other tasks meanwhile.
pub(crate) async fn insert_all(
    conn: &mut sqlx::SqliteConnection,
    target: &str,
    width: usize,
    values: &[Param<'_>],
) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    blocking(|| insert_rows(&mut handle, target, width, values))
}

/// Run `work` (synchronous calls on a locked connection) without stalling
/// the other tasks of a multi-threaded runtime: the worker thread is handed
/// over to blocking work for the duration.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) if rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;
    use sqlx::{Connection, SqliteConnection};

    async fn connection() -> SqliteConnection {
        let mut c = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent(id), \
             name TEXT NOT NULL, note TEXT); \
             CREATE INDEX child_name ON child(name); \
             INSERT INTO parent (id) VALUES (1), (2);",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c
    }

    fn rows<'a>(names: &'a [String], parent: i64) -> Vec<Param<'a>> {
        names
            .iter()
            .enumerate()
            .flat_map(|(i, name)| {
                [
                    Param::Int(i as i64 + 1),
                    Param::Int(parent),
                    Param::Text(name),
                    if i % 2 == 0 {
                        Param::Null
                    } else {
                        Param::Text("ghi chú")
                    },
                ]
            })
            .collect()
    }

    async fn count(c: &mut SqliteConnection) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM child")
            .fetch_one(c)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn inserts_every_row_across_statements() {
        let mut c = connection().await;
        // 2,500 rows: two full statements of 1,000 and one of 500.
        let names: Vec<String> = (0..2_500).map(|i| format!("Người số {i}")).collect();
        let values = rows(&names, 2);
        let mut tx = c.begin().await.unwrap();
        insert_all(&mut tx, "child (id, parent, name, note)", 4, &values)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&mut c).await, 2_500);
        let (name, note): (String, Option<String>) =
            sqlx::query_as("SELECT name, note FROM child WHERE id = 2500")
                .fetch_one(&mut c)
                .await
                .unwrap();
        assert_eq!(
            (name.as_str(), note.as_deref()),
            ("Người số 2499", Some("ghi chú"))
        );
        let (note,): (Option<String>,) = sqlx::query_as("SELECT note FROM child WHERE id = 1")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(note, None);
        // The deferral ends with the transaction.
        let (deferred,): (i64,) = sqlx::query_as("PRAGMA defer_foreign_keys")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(deferred, 0);
    }

    #[tokio::test]
    async fn a_refused_row_fails_the_insert_and_nothing_stays() {
        let mut c = connection().await;
        let names: Vec<String> = (0..1_200).map(|i| format!("Người số {i}")).collect();
        let mut values = rows(&names, 1);
        // Row 1,101 repeats row 1's id: skipped by OR IGNORE, then counted.
        values[1_100 * 4] = Param::Int(1);
        let mut tx = c.begin().await.unwrap();
        let err = insert_all(&mut tx, "child (id, parent, name, note)", 4, &values)
            .await
            .unwrap_err();
        let sqlx::Error::Database(db) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(db.code().as_deref(), Some("19"));
        assert!(
            db.message().contains("1 of 200 rows refused"),
            "{}",
            db.message()
        );
        let err = StoreError::Database(err);
        assert!(!err.is_full() && !err.is_unavailable());
        tx.rollback().await.unwrap();
        assert_eq!(count(&mut c).await, 0);
    }

    #[tokio::test]
    async fn foreign_keys_are_checked_at_commit() {
        let mut c = connection().await;
        let names: Vec<String> = (0..10).map(|i| format!("Người số {i}")).collect();
        let values = rows(&names, 99);
        let mut tx = c.begin().await.unwrap();
        insert_all(&mut tx, "child (id, parent, name, note)", 4, &values)
            .await
            .unwrap();
        let err = tx.commit().await.unwrap_err();
        let sqlx::Error::Database(db) = &err else {
            panic!("{err:?}")
        };
        assert!(
            db.is_foreign_key_violation() || db.message().contains("FOREIGN KEY"),
            "{db}"
        );
        assert_eq!(count(&mut c).await, 0);
    }

    #[tokio::test]
    async fn a_dropped_index_comes_back_on_rollback() {
        let mut c = connection().await;
        let mut tx = c.begin().await.unwrap();
        sqlx::query("DROP INDEX child_name")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'child_name'")
                .fetch_one(&mut c)
                .await
                .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn raw_errors_classify_like_sqlx_ones() {
        let raw = |code| {
            StoreError::Database(sqlx::Error::Database(Box::new(RawSqliteError {
                code,
                message: "x".into(),
            })))
        };
        // SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE.
        assert!(raw(13).is_full() && raw(13).is_unavailable());
        assert!(raw(778).is_unavailable() && !raw(778).is_full());
        assert!(raw(5).is_unavailable());
        assert!(!raw(2067).is_unavailable() && !raw(2067).is_full());
    }
}

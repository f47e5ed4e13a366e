//! The store's one error type, and how a database's refusals become
//! Vietnamese messages: by the name of the constraint that refused (never
//! "any unique violation", so that a second constraint on the same table
//! cannot be reported as the first), the unavailable and the full database
//! told apart from a bad query.

use toso_domain::DomainError;

/// Everything the storage layer can refuse or fail with. Messages are
/// Vietnamese: they reach the user through the web and CLI layers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value or a business rule refused the input; names the field.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The record asked for does not exist (or is outside the commune).
    #[error("{0}")]
    NotFound(String),
    #[error("Địa chỉ cơ sở dữ liệu không hợp lệ: {0}")]
    Url(String),
    #[error("Dữ liệu đơn vị hành chính bị lỗi: {0}")]
    AdminData(String),
    #[error("Không cập nhật được cấu trúc cơ sở dữ liệu: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// A refusal of `field` with a Vietnamese message (also used by the
    /// reporting crate, which checks what it composes).
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(DomainError::new(field, message))
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        StoreError::NotFound(message.into())
    }

    /// True when the database itself is unreachable, failing or full (not
    /// the user's fault): the web layer answers 503 for these.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(e) => unavailable(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => unavailable(e),
            _ => false,
        }
    }

    /// True when the database refused a write for lack of space (SQLite:
    /// disk full; PostgreSQL: disk full, 53100). The web layer answers 503
    /// with its own message: reading still works, writing does not.
    pub fn is_full(&self) -> bool {
        match self {
            StoreError::Database(e) => full(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => full(e),
            _ => false,
        }
    }
}

/// The violation of constraint `name` mapped to `to()`, any other error
/// kept as a database error. PostgreSQL names the constraint (or unique
/// index); SQLite names the table's columns instead (`"table.column"` in its
/// message), given as `sqlite_columns`.
pub(crate) fn on_constraint(
    err: sqlx::Error,
    name: &str,
    sqlite_columns: &str,
    to: impl FnOnce() -> StoreError,
) -> StoreError {
    if violated(&err, name, sqlite_columns) {
        to()
    } else {
        StoreError::Database(err)
    }
}

/// Whether `err` is the violation of constraint `name` (PostgreSQL), or of
/// the one over `sqlite_columns` (SQLite), for a write that more than one
/// constraint may refuse.
pub(crate) fn violated(err: &sqlx::Error, name: &str, sqlite_columns: &str) -> bool {
    matches!(err, sqlx::Error::Database(db)
        if db.constraint() == Some(name)
            || (is_sqlite(db.as_ref()) && db.message().contains(sqlite_columns)))
}

/// Whether `err` is a foreign-key violation (a row still refers to the one
/// being deleted, or refers to one that does not exist).
pub(crate) fn is_foreign_key(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}

/// Whether a database error comes from SQLite: through sqlx, or from a
/// statement the import stepped on the raw handle.
fn is_sqlite(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        || db
            .try_downcast_ref::<crate::sqlite_raw::RawSqliteError>()
            .is_some()
}

/// Whether `err` is the database's "no space left" refusal.
fn full(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if is_sqlite(db.as_ref()) {
                // SQLITE_FULL, or an I/O error whose cause is ENOSPC
                // (SQLITE_IOERR_WRITE and friends say "disk I/O error").
                code.parse::<i32>().unwrap_or_default() & 0xff == 13
            } else {
                code == "53100"
            }
        }
        _ => false,
    }
}

/// Whether `err` means the database cannot serve now (as opposed to a bad
/// query or a refused value).
fn unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if is_sqlite(db.as_ref()) {
                // SQLite (extended result codes): busy beyond the timeout,
                // I/O error, disk full, cannot open the file.
                let primary = code.parse::<i32>().unwrap_or_default() & 0xff;
                matches!(primary, 5 | 10 | 13 | 14)
            } else {
                // PostgreSQL SQLSTATE: connection exceptions (08…),
                // insufficient resources — disk full, out of memory, too many
                // connections (53…), shutdown or not accepting connections
                // (57P…), a database closed to connections (55000 at connect).
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || (code == "55000"
                        && db.message().contains("not currently accepting connections"))
            }
        }
        _ => false,
    }
}

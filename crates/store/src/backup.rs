//! Online backup and restore of a SQLite database.
//!
//! A backup is `VACUUM INTO` a new file: SQLite reads one consistent
//! snapshot of the database (WAL mode lets the server keep writing
//! meanwhile) and writes a compact copy. A restore checks that a file is a
//! sound Tổ Số database, copies it next to the target the same way, and
//! renames it into place, so the target is either the old database or the
//! whole new one. PostgreSQL is backed up with its own tools (`pg_dump`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteLockingMode};
use sqlx::{Connection, Row};

use crate::{Backend, Result, Store, StoreError};

/// What a check of a SQLite file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFileInfo {
    /// Migrations applied to the file.
    pub migrations: i64,
    /// Villages recorded (a hint for the user that it is the right file).
    pub villages: i64,
    /// People recorded.
    pub people: i64,
}

fn refused(message: String) -> StoreError {
    StoreError::invalid("file", message)
}

/// The file a `sqlite://…` URL names.
pub fn sqlite_path(url: &str) -> Result<PathBuf> {
    if !url.starts_with("sqlite:") {
        return Err(StoreError::Url(format!(
            "«{url}»: cần một tệp SQLite (sqlite://TỆP)"
        )));
    }
    let opts =
        SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Url(format!("{url}: {e}")))?;
    Ok(opts.get_filename().to_path_buf())
}

async fn open_read_only(path: &Path) -> Result<SqliteConnection> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    Ok(SqliteConnection::connect_with(&opts).await?)
}

/// `PRAGMA integrity_check` on an open connection: `Ok` when it says "ok".
async fn integrity(conn: &mut SqliteConnection, path: &Path) -> Result<()> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(refused(format!(
            "Tệp {} bị hỏng (PRAGMA integrity_check: {}).",
            path.display(),
            rows.join("; ")
        )))
    }
}

/// Check that `path` is a sound Tổ Số SQLite database: SQLite's
/// `integrity_check` says "ok" and the migrations table is there.
pub async fn check_sqlite_file(path: &Path) -> Result<SqliteFileInfo> {
    if !path.is_file() {
        return Err(refused(format!("Không có tệp {}.", path.display())));
    }
    let mut conn = open_read_only(path).await.map_err(|e| {
        refused(format!(
            "Không mở được {} như một cơ sở dữ liệu SQLite ({e}).",
            path.display()
        ))
    })?;
    let checked = info(&mut conn, path).await;
    conn.close().await.ok();
    checked
}

async fn info(conn: &mut SqliteConnection, path: &Path) -> Result<SqliteFileInfo> {
    // A file that is not SQLite fails here with "file is not a database".
    integrity(conn, path).await.map_err(|e| match e {
        StoreError::Database(e) => refused(format!(
            "{} không phải là cơ sở dữ liệu SQLite ({e}).",
            path.display()
        )),
        e => e,
    })?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name IN ('_sqlx_migrations', 'villages', 'people')",
    )
    .fetch_all(&mut *conn)
    .await?;
    if tables.len() != 3 {
        return Err(refused(format!(
            "{} là tệp SQLite nhưng không phải cơ sở dữ liệu Tổ Số (thiếu bảng {}).",
            path.display(),
            ["_sqlx_migrations", "villages", "people"]
                .into_iter()
                .filter(|t| !tables.iter().any(|x| x == t))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let row = sqlx::query(
        "SELECT (SELECT count(*) FROM _sqlx_migrations WHERE success), \
                (SELECT count(*) FROM villages), (SELECT count(*) FROM people)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(SqliteFileInfo {
        migrations: row.try_get(0)?,
        villages: row.try_get(1)?,
        people: row.try_get(2)?,
    })
}

/// A temporary name beside `target`, in the same directory (so the final
/// rename stays on one file system and is atomic).
fn temp_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "toso.db".into());
    target.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Flush `path` (and, on Unix, its directory entry) to disk.
fn sync(path: &Path) -> Result<()> {
    let io = |e: std::io::Error| {
        refused(format!(
            "Không ghi được {}: {}",
            path.display(),
            toso_domain::io_reason(&e)
        ))
    };
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
    }
    Ok(())
}

/// `VACUUM INTO tmp` through `conn`, then check `tmp` and rename it to
/// `target`. The temporary file is removed on failure.
async fn vacuum_into(
    run: impl std::future::Future<Output = Result<()>>,
    tmp: &Path,
    target: &Path,
    replace: bool,
) -> Result<SqliteFileInfo> {
    let done = async {
        run.await?;
        sync(tmp)?;
        let info = check_sqlite_file(tmp).await?;
        if !replace && target.exists() {
            return Err(refused(format!("Tệp {} đã có.", target.display())));
        }
        if replace {
            // A stale write-ahead log of the old database must not be
            // replayed onto the new one.
            for suffix in ["-wal", "-shm"] {
                let mut side = target.as_os_str().to_owned();
                side.push(suffix);
                match std::fs::remove_file(PathBuf::from(side)) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(refused(format!(
                            "Không xoá được tệp nhật ký cũ của {}: {e}",
                            target.display()
                        )))
                    }
                }
            }
        }
        std::fs::rename(tmp, target).map_err(|e| {
            refused(format!(
                "Không ghi được {}: {}",
                target.display(),
                toso_domain::io_reason(&e)
            ))
        })?;
        sync(target)?;
        Ok(info)
    }
    .await;
    if done.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    done
}

impl Store {
    /// Write a consistent copy of this SQLite database to `out`, which must
    /// not exist yet. Safe while a server writes to the database.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<SqliteFileInfo> {
        let Backend::Sqlite { read, .. } = &*self.backend else {
            return Err(refused(
                "Sao lưu trực tuyến chỉ dành cho SQLite; PostgreSQL dùng pg_dump.".into(),
            ));
        };
        if out.exists() {
            return Err(refused(format!(
                "Tệp {} đã có; chọn một tên tệp mới để không ghi đè bản sao lưu cũ.",
                out.display()
            )));
        }
        let tmp = temp_beside(out);
        let _ = std::fs::remove_file(&tmp);
        let run = async {
            sqlx::query("VACUUM INTO $1")
                .bind(tmp.to_string_lossy().into_owned())
                .execute(read)
                .await?;
            Ok(())
        };
        vacuum_into(run, &tmp, out, false).await
    }
}

/// Refuse a database that another process (a running server) has open:
/// its open WAL connections keep SQLite from taking an exclusive lock. A
/// server holds the database for as long as it runs, so waiting a few
/// seconds still refuses it, while a lock held for a moment (a process
/// that has just finished, a checkpoint) is not mistaken for one.
async fn refuse_if_in_use(target: &Path) -> Result<()> {
    let opts = SqliteConnectOptions::new()
        .filename(target)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(std::time::Duration::from_secs(3));
    let in_use = || {
        refused(format!(
            "Cơ sở dữ liệu {} đang được dùng (máy chủ toso đang chạy?). Dừng máy chủ rồi khôi phục lại.",
            target.display()
        ))
    };
    let mut conn = match SqliteConnection::connect_with(&opts).await {
        Ok(conn) => conn,
        Err(e) if is_busy(&e) => return Err(in_use()),
        // Not a database at all: it is replaced, nothing to protect.
        Err(_) => return Ok(()),
    };
    let probe = sqlx::raw_sql("BEGIN EXCLUSIVE; ROLLBACK;")
        .execute(&mut conn)
        .await;
    conn.close().await.ok();
    match probe {
        Err(e) if is_busy(&e) => Err(in_use()),
        _ => Ok(()),
    }
}

fn is_busy(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db)
        if db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5))
}

/// Restore the Tổ Số SQLite database `from` as the file `target`: check
/// it, copy it beside the target, rename it into place and check the
/// result. Refuses an existing target unless `replace`.
pub async fn restore_sqlite(from: &Path, target: &Path, replace: bool) -> Result<SqliteFileInfo> {
    let info = check_sqlite_file(from).await?;
    if target.exists() && !replace {
        return Err(refused(format!(
            "Cơ sở dữ liệu {} đã có. Dừng máy chủ, rồi chạy lại với --force để thay nó bằng bản sao lưu.",
            target.display()
        )));
    }
    if target.exists() {
        refuse_if_in_use(target).await?;
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(refused(format!("Không có thư mục {}.", dir.display())));
        }
    }
    let tmp = temp_beside(target);
    let _ = std::fs::remove_file(&tmp);
    let run = async {
        let mut conn = open_read_only(from).await?;
        let done = sqlx::query("VACUUM INTO $1")
            .bind(tmp.to_string_lossy().into_owned())
            .execute(&mut conn)
            .await;
        conn.close().await.ok();
        done?;
        Ok(())
    };
    let copied = vacuum_into(run, &tmp, target, replace).await?;
    if copied != info {
        return Err(refused(format!(
            "Bản khôi phục {} khác bản sao lưu ({copied:?} ≠ {info:?}).",
            target.display()
        )));
    }
    // The restored file as the app will open it.
    check_sqlite_file(target).await
}

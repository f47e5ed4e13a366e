//! `toso backup` and `toso restore`: a consistent copy of a SQLite database
//! taken while the server runs, and putting such a copy back. PostgreSQL is
//! backed up with its own tools; for it these commands print the exact
//! `pg_dump` / `pg_restore` commands instead of pretending.

use std::path::PathBuf;

use clap::Args;
use toso_store::backup::{restore_sqlite, sqlite_path, SqliteFileInfo};
use toso_store::{Store, StoreError};

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist yet).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file written by `toso backup`.
    file: PathBuf,
    /// Replace an existing database (stop the server first).
    #[arg(long)]
    force: bool,
}

/// What can go wrong, in Vietnamese.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// PostgreSQL: the commands to run instead.
    #[error("{0}")]
    Postgres(String),
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// The `pg_dump` and `pg_restore` commands for `url`.
pub fn postgres_commands(url: &str, file: &str) -> String {
    format!(
        "Với PostgreSQL, hãy sao lưu và khôi phục bằng công cụ của PostgreSQL (máy chủ không cần dừng khi sao lưu):\n\
         \x20 Sao lưu:   pg_dump --format=custom --file='{file}' '{url}'\n\
         \x20 Khôi phục: pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{url}' '{file}'\n\
         (Khôi phục vào một cơ sở dữ liệu trống: tạo nó bằng createdb rồi chạy pg_restore không có --clean.)"
    )
}

fn describe(info: &SqliteFileInfo) -> String {
    format!(
        "{} thôn/tổ dân phố, {} người, {} bước cấu trúc dữ liệu; PRAGMA integrity_check: ok",
        toso_domain::format_int(info.villages),
        toso_domain::format_int(info.people),
        info.migrations
    )
}

/// `toso backup --out FILE`.
pub async fn backup(url: &str, args: BackupArgs) -> Result<(), BackupError> {
    if is_postgres(url) {
        return Err(BackupError::Postgres(postgres_commands(
            url,
            &args.out.display().to_string(),
        )));
    }
    let path = sqlite_path(url)?;
    // Do not create an empty database where the user mistyped a path.
    toso_store::backup::check_sqlite_file(&path).await?;
    let store = Store::connect_only(url).await?;
    let done = store.backup_sqlite(&args.out).await;
    store.close().await;
    let info = done?;
    eprintln!(
        "Đã sao lưu {} vào {} ({}).",
        path.display(),
        args.out.display(),
        describe(&info)
    );
    Ok(())
}

/// `toso restore FILE`.
pub async fn restore(url: &str, args: RestoreArgs) -> Result<(), BackupError> {
    if is_postgres(url) {
        return Err(BackupError::Postgres(postgres_commands(
            url,
            &args.file.display().to_string(),
        )));
    }
    let target = sqlite_path(url)?;
    let info = restore_sqlite(&args.file, &target, args.force).await?;
    eprintln!(
        "Đã khôi phục {} từ {} ({}).",
        target.display(),
        args.file.display(),
        describe(&info)
    );
    Ok(())
}

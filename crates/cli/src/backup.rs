//! `toso backup` and `toso restore`: a consistent copy of a SQLite database
//! taken while the server runs, and putting such a copy back. PostgreSQL is
//! backed up with its own tools; for it these commands print the exact
//! `pg_dump` / `pg_restore` commands instead of pretending.

use std::path::{Path, PathBuf};

use clap::Args;
use toso_store::backup::{restore_sqlite, sqlite_path, SqliteFileInfo};
use toso_store::{Store, StoreError};

#[derive(Args)]
pub struct BackupArgs {
    #[arg(
        long,
        conflicts_with_all = ["dir", "keep"],
        value_name = "TỆP",
        help = "Tệp sao lưu cần ghi (chưa được có; chỉ với SQLite). Không có tùy chọn \
                này thì bản sao lưu mới vào bộ sao lưu xoay vòng."
    )]
    out: Option<PathBuf>,
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        help = "Thư mục của bộ sao lưu xoay vòng. Mặc định: backup.dir của cấu hình \
                (DATA_DIR/backups)."
    )]
    dir: Option<PathBuf>,
    #[arg(
        long,
        value_name = "SỐ_BẢN",
        help = "Số bản giữ lại trong bộ sao lưu xoay vòng; các bản cũ hơn bị xóa. Mặc \
                định: backup.keep của cấu hình (14)."
    )]
    keep: Option<u32>,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[arg(value_name = "TỆP", help = "Tệp sao lưu do `toso backup` ghi.")]
    file: PathBuf,
    #[arg(long, help = "Thay cơ sở dữ liệu đang có (hãy dừng máy chủ trước).")]
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
    /// The rotating set could not be written (the reason, in Vietnamese).
    #[error("{0}")]
    Failed(String),
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

/// `toso backup`: to `--out`, or into the rotating set.
pub async fn backup(url: &str, args: BackupArgs) -> Result<(), BackupError> {
    let Some(out) = args.out else {
        let cfg = crate::config::current();
        let dir = args
            .dir
            .or_else(|| cfg.backup_dir.value.clone())
            .ok_or_else(|| {
                BackupError::Failed(
                    "Chưa biết lưu bản sao lưu vào đâu: cho --out TỆP, hoặc --dir THƯ_MỤC, \
                 hoặc đặt backup.dir (hay data_dir) trong tệp cấu hình."
                        .to_string(),
                )
            })?;
        let keep = args.keep.unwrap_or(cfg.backup_keep.value).max(1);
        return rotate(url, &dir, keep).await;
    };
    if is_postgres(url) {
        return Err(BackupError::Postgres(postgres_commands(
            url,
            &out.display().to_string(),
        )));
    }
    copy_sqlite(url, &out).await
}

/// A consistent copy of the SQLite database `url` into the new file `out`.
async fn copy_sqlite(url: &str, out: &Path) -> Result<(), BackupError> {
    let path = sqlite_path(url)?;
    // Do not create an empty database where the user mistyped a path.
    toso_store::backup::check_sqlite_file(&path).await?;
    let store = Store::connect_only(url).await?;
    let done = store.backup_sqlite(out).await;
    store.close().await;
    let info = done?;
    eprintln!(
        "Đã sao lưu {} vào {} ({}).",
        path.display(),
        out.display(),
        describe(&info)
    );
    Ok(())
}

/// The name a backup of the rotating set gets at `now`: sortable by time.
fn rotating_name(now: chrono::DateTime<chrono::Utc>, postgres: bool) -> String {
    let ext = if postgres { "dump" } else { "db" };
    format!("toso-{}.{ext}", now.format("%Y%m%dT%H%M%SZ"))
}

/// Whether `name` is one of the rotating set's backups (only those are
/// ever deleted).
fn is_rotating(name: &str) -> bool {
    let Some(stem) = name
        .strip_prefix("toso-")
        .and_then(|n| n.strip_suffix(".db").or_else(|| n.strip_suffix(".dump")))
    else {
        return false;
    };
    chrono::NaiveDateTime::parse_from_str(stem, "%Y%m%dT%H%M%SZ").is_ok()
}

/// A new backup in `dir`, then the oldest beyond `keep` deleted.
async fn rotate(url: &str, dir: &Path, keep: u32) -> Result<(), BackupError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let postgres = is_postgres(url);
    let target = dir.join(rotating_name(chrono::Utc::now(), postgres));
    if target.exists() {
        return Err(BackupError::Failed(format!(
            "{} đã có: chờ một giây rồi chạy lại.",
            target.display()
        )));
    }
    if postgres {
        pg_dump(url, &target)?;
        eprintln!(
            "Đã sao lưu PostgreSQL vào {} (pg_dump, định dạng custom).",
            target.display()
        );
    } else {
        copy_sqlite(url, &target).await?;
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| is_rotating(n))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep as usize);
    for old in &names[..excess] {
        let path = dir.join(old);
        std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        eprintln!("Đã xóa bản sao lưu cũ {}.", path.display());
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> BackupError {
    BackupError::Failed(format!(
        "{}: {}",
        path.display(),
        toso_domain::io_reason(&e)
    ))
}

/// `pg_dump --format=custom` of `url` into `target`, written beside it
/// first and renamed when complete, so that the set never holds half a
/// dump. The password goes to pg_dump through its environment, not its
/// command line (which other users of the machine can read).
fn pg_dump(url: &str, target: &Path) -> Result<(), BackupError> {
    let partial = target.with_extension("dump.partial");
    let (url_without_password, password) = split_password(url);
    let mut command = std::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--no-owner")
        .arg(format!("--file={}", partial.display()))
        .arg(format!("--dbname={url_without_password}"));
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    let status = command.status().map_err(|e| {
        BackupError::Failed(format!(
            "không chạy được pg_dump ({e}): cài gói postgresql-client cùng phiên bản với máy chủ PostgreSQL."
        ))
    })?;
    if !status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Failed(format!(
            "pg_dump không thành công ({status}): không có bản sao lưu mới."
        )));
    }
    std::fs::rename(&partial, target).map_err(|e| io_error(target, e))
}

/// A PostgreSQL URL without its password, and the password (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let (authority_end, _) = rest
        .char_indices()
        .find(|(_, c)| *c == '/' || *c == '?')
        .unwrap_or((rest.len(), ' '));
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    (
        format!("{scheme}://{user}{}", &rest[at..]),
        Some(percent_decode(password)),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `toso restore FILE`.
pub async fn restore(url: &str, args: RestoreArgs) -> Result<(), BackupError> {
    if is_postgres(url) {
        return Err(BackupError::Failed(postgres_commands(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotating_names_sort_by_time_and_nothing_else_is_touched() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-04T09:05:07Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(rotating_name(t, false), "toso-20261204T090507Z.db");
        assert_eq!(rotating_name(t, true), "toso-20261204T090507Z.dump");
        assert!(is_rotating("toso-20261204T090507Z.db"));
        assert!(is_rotating("toso-20261204T090507Z.dump"));
        assert!(!is_rotating("toso-20261204T090507Z.dump.partial"));
        assert!(!is_rotating("toso.db"));
        assert!(!is_rotating("toso-important.db"));
    }

    #[test]
    fn the_password_leaves_the_command_line() {
        assert_eq!(
            split_password("postgres://toso:p%40ss@db:5432/toso?sslmode=require"),
            (
                "postgres://toso@db:5432/toso?sslmode=require".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".to_string(), None)
        );
    }
}

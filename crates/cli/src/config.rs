//! The binary's configuration: a TOML file, then the environment, then the
//! command line's flags, each overriding the one before. The file is the
//! one `--config` or `TOSO_CONFIG` names, else `/etc/toso/toso.toml` when
//! it exists (the Debian package installs it). `toso config` prints the
//! effective values, each with where it came from, secrets hidden.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toso_store::DEFAULT_DATABASE_URL;

/// Where the system-wide configuration lives on a server.
pub const SYSTEM_CONFIG: &str = "/etc/toso/toso.toml";

/// The default log filter: the app's own lines, the HTTP traces, the
/// database driver's warnings only.
pub const DEFAULT_LOG: &str = "info,sqlx=warn,tower_http=info";

/// Backups kept by default in the rotating set.
pub const DEFAULT_BACKUP_KEEP: u32 = 14;

/// What can be wrong with the configuration, in Vietnamese, naming the
/// file and key or the environment variable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The file's keys; every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    public_url: Option<String>,
    data_dir: Option<PathBuf>,
    log_level: Option<String>,
    log_format: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    metrics_local: Option<bool>,
    metrics_token: Option<String>,
    backup: Option<BackupFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupFile {
    dir: Option<PathBuf>,
    keep: Option<u32>,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "mặc định"),
            Source::File(p) => write!(f, "tệp {}", p.display()),
            Source::Env(v) => write!(f, "biến môi trường {v}"),
            Source::Flag(v) => write!(f, "tham số {v}"),
        }
    }
}

/// One value and its source.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting {
            value,
            source: Source::Default,
        }
    }

    fn set(&mut self, value: T, source: Source) {
        self.value = value;
        self.source = source;
    }
}

/// Plain lines for people, or one JSON object per line for a log collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    fn parse(s: &str) -> Option<LogFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    pub database_url: Setting<String>,
    pub bind: Setting<SocketAddr>,
    pub public_url: Setting<Option<String>>,
    pub data_dir: Setting<Option<PathBuf>>,
    pub log_level: Setting<String>,
    pub log_format: Setting<LogFormat>,
    pub trusted_proxies: Setting<Vec<IpAddr>>,
    pub metrics_local: Setting<bool>,
    pub metrics_token: Setting<Option<String>>,
    pub backup_dir: Setting<Option<PathBuf>>,
    pub backup_keep: Setting<u32>,
}

fn bad_value(source: &Source, key: &str, message: &str) -> ConfigError {
    ConfigError(match source {
        Source::File(p) => format!("tệp cấu hình {}: khóa {key}: {message}", p.display()),
        Source::Env(v) => format!("biến môi trường {v}: {message}"),
        Source::Flag(f) => format!("tham số {f}: {message}"),
        Source::Default => format!("{key}: {message}"),
    })
}

fn parse_bind(s: &str, source: &Source) -> Result<SocketAddr, ConfigError> {
    s.trim().parse().map_err(|_| {
        bad_value(
            source,
            "bind",
            &format!("«{s}» không phải địa chỉ và cổng, ví dụ 127.0.0.1:8080"),
        )
    })
}

fn parse_public_url(s: &str, source: &Source) -> Result<Option<String>, ConfigError> {
    let s = s.trim().trim_end_matches('/');
    if s.is_empty() {
        return Ok(None);
    }
    let host = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| {
            bad_value(
                source,
                "public_url",
                &format!("«{s}» phải bắt đầu bằng http:// hoặc https://"),
            )
        })?;
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '"' || c == '<') {
        return Err(bad_value(
            source,
            "public_url",
            &format!("«{s}» không phải một địa chỉ web"),
        ));
    }
    Ok(Some(s.to_string()))
}

fn parse_proxies<'a>(
    items: impl Iterator<Item = &'a str>,
    source: &Source,
) -> Result<Vec<IpAddr>, ConfigError> {
    items
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>().map_err(|_| {
                bad_value(
                    source,
                    "trusted_proxies",
                    &format!("«{s}» không phải địa chỉ IP"),
                )
            })
        })
        .collect()
}

fn parse_log_level(s: &str, source: &Source) -> Result<String, ConfigError> {
    tracing_subscriber::EnvFilter::try_new(s.trim())
        .map(|_| s.trim().to_string())
        .map_err(|e| {
            bad_value(
                source,
                "log_level",
                &format!("«{s}» không phải mức ghi nhật ký (info, warn, debug…): {e}"),
            )
        })
}

fn parse_bool(s: &str, source: &Source, key: &str) -> Result<bool, ConfigError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad_value(
            source,
            key,
            &format!("«{s}» phải là true hoặc false"),
        )),
    }
}

fn parse_keep(n: u32, source: &Source) -> Result<u32, ConfigError> {
    if n == 0 {
        return Err(bad_value(
            source,
            "backup.keep",
            "phải giữ ít nhất 1 bản sao lưu",
        ));
    }
    Ok(n)
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

impl Config {
    /// The configuration from `file_flag` (or `TOSO_CONFIG`, or the system
    /// file when it exists) and the environment `env` reads.
    pub fn load(
        file_flag: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let named = file_flag
            .map(|p| (p.to_path_buf(), Source::Flag("--config")))
            .or_else(|| env("TOSO_CONFIG").map(|p| (PathBuf::from(p), Source::Env("TOSO_CONFIG"))));
        let file = match named {
            Some((path, source)) => match std::fs::read_to_string(&path) {
                Ok(text) => Some((path, text)),
                Err(e) => {
                    return Err(ConfigError(format!(
                        "không đọc được tệp cấu hình {} ({source}): {}",
                        path.display(),
                        toso_domain::io_reason(&e)
                    )))
                }
            },
            None if cfg!(unix) => {
                let path = PathBuf::from(SYSTEM_CONFIG);
                match std::fs::read_to_string(&path) {
                    Ok(text) => Some((path, text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => {
                        return Err(ConfigError(format!(
                            "không đọc được tệp cấu hình {SYSTEM_CONFIG}: {e} \
                             (chạy lệnh bằng tài khoản toso: sudo -u toso toso …)"
                        )))
                    }
                }
            }
            None => None,
        };
        let (path, parsed) = match file {
            Some((path, text)) => {
                let parsed: FileConfig = toml::from_str(&text).map_err(|e| {
                    ConfigError(format!(
                        "tệp cấu hình {} không đúng: {}",
                        path.display(),
                        e.to_string().trim()
                    ))
                })?;
                (Some(path), parsed)
            }
            None => (None, FileConfig::default()),
        };
        let from_file = Source::File(path.clone().unwrap_or_default());

        let mut cfg = Config {
            file: path,
            database_url: Setting::default(DEFAULT_DATABASE_URL.to_string()),
            bind: Setting::default(SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url: Setting::default(None),
            data_dir: Setting::default(None),
            log_level: Setting::default(DEFAULT_LOG.to_string()),
            log_format: Setting::default(LogFormat::Text),
            trusted_proxies: Setting::default(toso_web::ops::default_proxies()),
            metrics_local: Setting::default(true),
            metrics_token: Setting::default(None),
            backup_dir: Setting::default(None),
            backup_keep: Setting::default(DEFAULT_BACKUP_KEEP),
        };

        // The file.
        let f = parsed;
        if let Some(d) = f.data_dir {
            cfg.data_dir.set(Some(d), from_file.clone());
        }
        if let Some(u) = f.database_url.and_then(non_empty) {
            cfg.database_url.set(u, from_file.clone());
        }
        if let Some(b) = f.bind {
            cfg.bind.set(parse_bind(&b, &from_file)?, from_file.clone());
        }
        if let Some(u) = f.public_url {
            cfg.public_url
                .set(parse_public_url(&u, &from_file)?, from_file.clone());
        }
        if let Some(l) = f.log_level {
            cfg.log_level
                .set(parse_log_level(&l, &from_file)?, from_file.clone());
        }
        if let Some(l) = f.log_format {
            let format = LogFormat::parse(&l).ok_or_else(|| {
                bad_value(
                    &from_file,
                    "log_format",
                    &format!("«{l}» phải là text hoặc json"),
                )
            })?;
            cfg.log_format.set(format, from_file.clone());
        }
        if let Some(p) = f.trusted_proxies {
            let proxies = parse_proxies(p.iter().map(String::as_str), &from_file)?;
            cfg.trusted_proxies.set(proxies, from_file.clone());
        }
        if let Some(m) = f.metrics_local {
            cfg.metrics_local.set(m, from_file.clone());
        }
        if let Some(t) = f.metrics_token {
            cfg.metrics_token.set(non_empty(t), from_file.clone());
        }
        if let Some(b) = f.backup {
            if let Some(d) = b.dir {
                cfg.backup_dir.set(Some(d), from_file.clone());
            }
            if let Some(k) = b.keep {
                cfg.backup_keep
                    .set(parse_keep(k, &from_file)?, from_file.clone());
            }
        }

        // The environment.
        if let Some(d) = env("TOSO_DATA_DIR") {
            cfg.data_dir
                .set(Some(PathBuf::from(d.trim())), Source::Env("TOSO_DATA_DIR"));
        }
        if let Some(u) = env("DATABASE_URL") {
            cfg.database_url
                .set(u.trim().to_string(), Source::Env("DATABASE_URL"));
        }
        if let Some(b) = env("TOSO_BIND") {
            let source = Source::Env("TOSO_BIND");
            cfg.bind.set(parse_bind(&b, &source)?, source);
        }
        if let Some(u) = env("TOSO_PUBLIC_URL") {
            let source = Source::Env("TOSO_PUBLIC_URL");
            cfg.public_url.set(parse_public_url(&u, &source)?, source);
        }
        for var in ["TOSO_LOG", "RUST_LOG"] {
            if let Some(l) = env(var) {
                let source = Source::Env(if var == "TOSO_LOG" {
                    "TOSO_LOG"
                } else {
                    "RUST_LOG"
                });
                cfg.log_level.set(parse_log_level(&l, &source)?, source);
                break;
            }
        }
        if let Some(l) = env("TOSO_LOG_FORMAT") {
            let source = Source::Env("TOSO_LOG_FORMAT");
            let format = LogFormat::parse(&l).ok_or_else(|| {
                bad_value(
                    &source,
                    "log_format",
                    &format!("«{l}» phải là text hoặc json"),
                )
            })?;
            cfg.log_format.set(format, source);
        }
        if let Some(p) = env("TOSO_TRUSTED_PROXIES") {
            let source = Source::Env("TOSO_TRUSTED_PROXIES");
            cfg.trusted_proxies
                .set(parse_proxies(p.split(','), &source)?, source);
        }
        if let Some(m) = env("TOSO_METRICS_LOCAL") {
            let source = Source::Env("TOSO_METRICS_LOCAL");
            cfg.metrics_local
                .set(parse_bool(&m, &source, "metrics_local")?, source);
        }
        if let Some(t) = env("TOSO_METRICS_TOKEN") {
            cfg.metrics_token
                .set(non_empty(t), Source::Env("TOSO_METRICS_TOKEN"));
        }
        if let Some(d) = env("TOSO_BACKUP_DIR") {
            cfg.backup_dir.set(
                Some(PathBuf::from(d.trim())),
                Source::Env("TOSO_BACKUP_DIR"),
            );
        }
        if let Some(k) = env("TOSO_BACKUP_KEEP") {
            let source = Source::Env("TOSO_BACKUP_KEEP");
            let n = k.trim().parse::<u32>().map_err(|_| {
                bad_value(&source, "backup.keep", &format!("«{k}» không phải một số"))
            })?;
            cfg.backup_keep.set(parse_keep(n, &source)?, source);
        }

        // Defaults that follow the data directory.
        if let Some(dir) = cfg.data_dir.value.clone() {
            if cfg.database_url.source == Source::Default {
                cfg.database_url.value = sqlite_url(&dir.join("toso.db"));
            }
            if cfg.backup_dir.source == Source::Default {
                cfg.backup_dir.value = Some(dir.join("backups"));
            }
        }
        Ok(cfg)
    }

    /// `--database-url`, when given, over the configured one.
    pub fn database_url(&self, flag: Option<&str>) -> String {
        toso_domain::non_blank(flag).map_or_else(|| self.database_url.value.clone(), str::to_string)
    }

    /// `--bind` and `--public-url`, when given, over the configured ones.
    pub fn apply_serve_flags(
        &mut self,
        bind: Option<SocketAddr>,
        public_url: Option<&str>,
    ) -> Result<(), ConfigError> {
        if let Some(b) = bind {
            self.bind.set(b, Source::Flag("--bind"));
        }
        if let Some(u) = public_url {
            let source = Source::Flag("--public-url");
            self.public_url.set(parse_public_url(u, &source)?, source);
        }
        Ok(())
    }

    /// What the web app needs of it.
    pub fn web_settings(&self) -> toso_web::Settings {
        toso_web::Settings {
            limits: toso_web::Limits::default(),
            public_url: self.public_url.value.clone(),
            trusted_proxies: self.trusted_proxies.value.clone(),
            metrics_local: self.metrics_local.value,
            metrics_token: self.metrics_token.value.clone(),
        }
    }

    /// The effective configuration as TOML, each value with its source,
    /// the secrets (a database password, the metrics token) hidden.
    pub fn describe(&self) -> String {
        fn line(out: &mut String, key: &str, value: Option<String>, source: &Source) {
            match value {
                Some(v) => out.push_str(&format!("{key} = {v}  # {source}\n")),
                None => out.push_str(&format!("# {key} = (chưa đặt)  # {source}\n")),
            }
        }
        let s = |v: &str| toml::Value::String(v.to_string()).to_string();
        let path = |p: &Path| s(&p.display().to_string());
        let mut out = match &self.file {
            Some(f) => format!(
                "# Cấu hình đang dùng của Tổ Số. Tệp cấu hình: {}\n",
                f.display()
            ),
            None => "# Cấu hình đang dùng của Tổ Số. Không có tệp cấu hình.\n".to_string(),
        };
        out.push_str("# Thứ tự: tệp cấu hình, rồi biến môi trường, rồi tham số dòng lệnh.\n");
        line(
            &mut out,
            "database_url",
            Some(s(&hide_password(&self.database_url.value))),
            &self.database_url.source,
        );
        line(
            &mut out,
            "bind",
            Some(s(&self.bind.value.to_string())),
            &self.bind.source,
        );
        line(
            &mut out,
            "public_url",
            self.public_url.value.as_deref().map(s),
            &self.public_url.source,
        );
        line(
            &mut out,
            "data_dir",
            self.data_dir.value.as_deref().map(path),
            &self.data_dir.source,
        );
        line(
            &mut out,
            "log_level",
            Some(s(&self.log_level.value)),
            &self.log_level.source,
        );
        line(
            &mut out,
            "log_format",
            Some(s(self.log_format.value.name())),
            &self.log_format.source,
        );
        let proxies = self
            .trusted_proxies
            .value
            .iter()
            .map(|p| s(&p.to_string()))
            .collect::<Vec<_>>()
            .join(", ");
        line(
            &mut out,
            "trusted_proxies",
            Some(format!("[{proxies}]")),
            &self.trusted_proxies.source,
        );
        line(
            &mut out,
            "metrics_local",
            Some(self.metrics_local.value.to_string()),
            &self.metrics_local.source,
        );
        line(
            &mut out,
            "metrics_token",
            self.metrics_token.value.as_ref().map(|_| s("***")),
            &self.metrics_token.source,
        );
        out.push_str("\n[backup]\n");
        line(
            &mut out,
            "dir",
            self.backup_dir.value.as_deref().map(path),
            &self.backup_dir.source,
        );
        line(
            &mut out,
            "keep",
            Some(self.backup_keep.value.to_string()),
            &self.backup_keep.source,
        );
        out
    }
}

static CURRENT: std::sync::OnceLock<Config> = std::sync::OnceLock::new();

/// Make `cfg` the configuration of this run (once, at start).
pub fn set_current(cfg: Config) {
    let _ = CURRENT.set(cfg);
}

/// The configuration of this run: the one [`set_current`] made, else the
/// defaults and the environment (a test calling a command directly).
pub fn current() -> &'static Config {
    CURRENT.get_or_init(|| {
        Config::load(None, |k| std::env::var(k).ok())
            .unwrap_or_else(|e| panic!("configuration: {e}"))
    })
}

/// `sqlite://PATH` for a file path (Windows paths with forward slashes).
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display().to_string().replace('\\', "/"))
}

/// A database URL with its password replaced by `***`.
pub fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    let (userinfo, host) = rest.split_at(at);
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn file_then_environment_then_flags() {
        let f = file(
            "database_url = \"postgres://toso:secret-pw@db/toso\"\nbind = \"0.0.0.0:9000\"\n\
             public_url = \"https://toso.example.vn/\"\nlog_format = \"json\"\n\
             [backup]\nkeep = 3\n",
        );
        let mut cfg =
            Config::load(Some(f.path()), env(&[("TOSO_BIND", "127.0.0.1:9100")])).unwrap();
        assert_eq!(cfg.database_url.value, "postgres://toso:secret-pw@db/toso");
        assert_eq!(
            cfg.database_url.source,
            Source::File(f.path().to_path_buf())
        );
        assert_eq!(cfg.bind.value.to_string(), "127.0.0.1:9100");
        assert_eq!(cfg.bind.source, Source::Env("TOSO_BIND"));
        assert_eq!(
            cfg.public_url.value.as_deref(),
            Some("https://toso.example.vn")
        );
        assert_eq!(cfg.log_format.value, LogFormat::Json);
        assert_eq!(cfg.backup_keep.value, 3);
        cfg.apply_serve_flags(Some("127.0.0.1:9200".parse().unwrap()), None)
            .unwrap();
        assert_eq!(cfg.bind.source, Source::Flag("--bind"));
        assert_eq!(cfg.database_url(Some("sqlite://x.db")), "sqlite://x.db");
        assert_eq!(cfg.database_url(None), "postgres://toso:secret-pw@db/toso");
        let shown = cfg.describe();
        assert!(shown.contains("postgres://toso:***@db/toso"), "{shown}");
        // The password itself (a '-' cannot stand in a temporary file's
        // name, which the text also shows).
        assert!(!shown.contains("secret-pw"), "{shown}");
        assert!(shown.contains("# tham số --bind"), "{shown}");
        // What it prints is TOML a file can hold.
        let back: toml::Value = toml::from_str(&shown).unwrap();
        assert_eq!(back["backup"]["keep"].as_integer(), Some(3));
    }

    #[test]
    fn the_data_directory_places_the_database_and_the_backups() {
        let cfg = Config::load(None, env(&[("TOSO_DATA_DIR", "/srv/toso")])).unwrap();
        assert_eq!(cfg.database_url.value, "sqlite:///srv/toso/toso.db");
        assert_eq!(
            cfg.backup_dir.value.as_deref(),
            Some(Path::new("/srv/toso/backups"))
        );
        // An explicit database wins over the directory's default.
        let cfg = Config::load(
            None,
            env(&[
                ("TOSO_DATA_DIR", "/srv/toso"),
                ("DATABASE_URL", "sqlite://a.db"),
            ]),
        )
        .unwrap();
        assert_eq!(cfg.database_url.value, "sqlite://a.db");
    }

    #[test]
    fn mistakes_name_the_key_or_the_variable() {
        let f = file("bnd = \"x\"\n");
        let e = Config::load(Some(f.path()), env(&[])).unwrap_err().0;
        assert!(e.contains("bnd") && e.contains("không đúng"), "{e}");
        let f = file("bind = \"here\"\n");
        let e = Config::load(Some(f.path()), env(&[])).unwrap_err().0;
        assert!(e.contains("khóa bind") && e.contains("«here»"), "{e}");
        let e = Config::load(None, env(&[("TOSO_TRUSTED_PROXIES", "127.0.0.1, nginx")]))
            .unwrap_err()
            .0;
        assert!(
            e.contains("TOSO_TRUSTED_PROXIES") && e.contains("«nginx»"),
            "{e}"
        );
        let e = Config::load(None, env(&[("TOSO_PUBLIC_URL", "toso.vn")]))
            .unwrap_err()
            .0;
        assert!(e.contains("http://"), "{e}");
        let e = Config::load(None, env(&[("TOSO_BACKUP_KEEP", "0")]))
            .unwrap_err()
            .0;
        assert!(e.contains("ít nhất 1"), "{e}");
        let e = Config::load(Some(Path::new("/nonexistent/toso.toml")), env(&[]))
            .unwrap_err()
            .0;
        assert!(e.contains("/nonexistent/toso.toml"), "{e}");
    }

    #[test]
    fn the_token_is_never_printed() {
        let cfg = Config::load(None, env(&[("TOSO_METRICS_TOKEN", "abc123secret")])).unwrap();
        assert_eq!(cfg.metrics_token.value.as_deref(), Some("abc123secret"));
        assert!(!cfg.describe().contains("abc123secret"));
        assert_eq!(hide_password("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(hide_password("sqlite://toso.db"), "sqlite://toso.db");
    }
}

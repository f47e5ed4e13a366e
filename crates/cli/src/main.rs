//! `toso`: the one binary. A commune officer runs it on a laptop with the
//! embedded SQLite database; a province runs it against PostgreSQL.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use toso_domain::{parse_date, DomainError, Node};
use toso_sheets::{SheetError, SheetKind};
use toso_store::{Actor, ImportOptions, RowAction, Store, StoreError};

mod allowance;
mod backup;
mod bench;
mod config;
mod desktop;
mod poster;
mod report;
mod sheets;
mod table;
mod units;
mod user;

#[derive(Parser)]
#[command(
    name = "toso",
    version,
    about = "Tổ Số: records, figures and reports of the Community Digital Technology Teams \
             (Tổ công nghệ số cộng đồng) of a commune or a province.",
    long_about = None
)]
struct Cli {
    /// The configuration file (TOML). Default: TOSO_CONFIG, else
    /// /etc/toso/toso.toml when it exists. The environment overrides the
    /// file, the flags override both; `toso config` shows the result.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Database {
    /// Where the data lives: sqlite://FILE (a file on this computer, created
    /// if missing) or postgres://USER@HOST/DB. Default: DATABASE_URL, else
    /// the configuration's database_url, else DATA_DIR/toso.db, else
    /// sqlite://toso.db.
    #[arg(long)]
    database_url: Option<String>,
}

impl Database {
    /// The database to use: the flag, else the configuration's.
    fn url(&self) -> String {
        config::current().database_url(self.database_url.as_deref())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app.
    Serve {
        #[command(flatten)]
        db: Database,
        /// Address and port to listen on. Default: TOSO_BIND, else the
        /// configuration's bind, else 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// The address citizens reach the app at, printed in the villages'
        /// QR codes (https://toso.example.vn). Default: TOSO_PUBLIC_URL, else
        /// the configuration's public_url, else each request's own address.
        #[arg(long)]
        public_url: Option<String>,
        /// Load the demo commune (Đặc khu Cát Hải) first, if it is not there yet.
        #[arg(long)]
        demo: bool,
    },
    /// Print the effective configuration (file, environment, flags) as
    /// TOML, each value with where it came from; secrets hidden.
    Config,
    /// Apply the database's pending migrations and say how many there
    /// were (`toso serve` applies them too; the Debian package runs this
    /// on upgrade).
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Manage accounts: `toso user add --role admin --username NAME` creates
    /// the first admin of a new installation (the password is read from
    /// standard input or asked at the terminal).
    User {
        #[command(flatten)]
        db: Database,
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Back up the database while the server runs: with --out, a
    /// consistent copy of a SQLite database to that file; without it, a new
    /// backup in the rotating set (backup.dir of the configuration, or
    /// --dir), the oldest beyond backup.keep deleted — a SQLite copy, or
    /// for PostgreSQL a `pg_dump --format=custom` dump.
    Backup {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: backup::BackupArgs,
    },
    /// Put a backup back as the SQLite database of --database-url (checked
    /// first, replaced in one step). For PostgreSQL, prints the pg_restore command.
    Restore {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: backup::RestoreArgs,
    },
    /// Load the demo commune, Đặc khu Cát Hải, as in the reference report
    /// (58 villages, 58 teams, 386 members). Does nothing if it is already there.
    Demo {
        #[command(flatten)]
        db: Database,
    },
    /// Print the indicators of a commune, a province, a village or the whole
    /// country on a date (or over a period, with --from); or the table of a
    /// province's communes (`--province 31 --by-commune`) or of the 34
    /// provinces (`--nation --by-province`), one line per unit, then the totals.
    Indicators {
        #[command(flatten)]
        db: Database,
        /// Commune code (GSO), e.g. 11914 for Đặc khu Cát Hải.
        #[arg(long, group = "node")]
        commune: Option<i32>,
        /// Province code (GSO), e.g. 31 for Thành phố Hải Phòng.
        #[arg(long, group = "node")]
        province: Option<i32>,
        /// Village number (as shown in the web app).
        #[arg(long, group = "node")]
        village: Option<i64>,
        /// The whole country (every province).
        #[arg(long, group = "node")]
        nation: bool,
        /// With --province: one line per commune of the province, then the totals.
        #[arg(long)]
        by_commune: bool,
        /// With --nation: one line per province, then the totals.
        #[arg(long)]
        by_province: bool,
        /// The date the figures are counted on: 2025-11-30 or 30/11/2025. Default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// First day of a period: citizens helped, dossiers, trainees,
        /// registrations and active teams count from it (villages, teams and
        /// members are counted on --as-of). Default: from the beginning.
        #[arg(long)]
        from: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Import a list from an Excel (.xlsx, .xls) or CSV file into a commune:
    /// shows what would be created, updated and left unchanged and every
    /// error by row and column, then writes everything in one transaction —
    /// or nothing at all if there is any error.
    ///
    /// KIND is villages, teams, members (the roster: one row per member with
    /// the village, which sets up villages, teams and members in one go),
    /// documents or duty_days (one row per member on duty: the rows of one
    /// village, day and place make one duty day of the village's team).
    Import {
        #[command(flatten)]
        db: Database,
        /// villages, teams, members, documents or duty_days.
        kind: ListKind,
        /// The file to import.
        file: std::path::PathBuf,
        /// Commune code (GSO), e.g. 11914.
        #[arg(long)]
        commune: i32,
        /// Only show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Establishment date of the villages and teams the import creates, and
        /// start of memberships without a "Ngày tham gia". Default: --as-of.
        #[arg(long)]
        established_on: Option<String>,
        /// The import's reference date, and the day a changed role or
        /// affiliation takes effect. Default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// Largest file accepted, in MB.
        #[arg(long, default_value_t = 50)]
        max_size_mb: u64,
        /// Most data rows accepted.
        #[arg(long, default_value_t = toso_sheets::DEFAULT_MAX_ROWS)]
        max_rows: u64,
        /// Rows of each sort listed in the preview.
        #[arg(long, default_value_t = 20)]
        show: usize,
        /// Take a column for a field when its header is not recognised:
        /// FIELD=HEADER, FIELD being the template's header or its key
        /// (`--column "Thôn/TDP=Nơi ở"`, `--column full_name=Người tham gia`);
        /// an empty HEADER leaves the field out. Repeatable.
        #[arg(long = "column", value_name = "FIELD=HEADER")]
        columns: Vec<String>,
    },
    /// Export a commune's list (or its indicator table) to XLSX or CSV.
    Export {
        #[command(flatten)]
        db: Database,
        /// villages, teams, members, documents, duty_days or indicators.
        kind: ExportKind,
        #[arg(long)]
        commune: i32,
        /// xlsx or csv (UTF-8 with BOM, opens in Excel with the diacritics).
        #[arg(long, value_enum, default_value_t = FileFormat::Xlsx)]
        format: FileFormat,
        /// Where to write the file.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Members and indicators as of this date, duty days up to it. Default: today.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Answer a reporting request: freeze the commune's figures into a report
    /// (or reuse the newest version with the same as-of date) and write it as
    /// DOCX, PDF and the XLSX annex, e.g.
    /// `toso report --commune 11914 --request 4675/SKHCN-CNTT --as-of 2025-11-30 --format docx,pdf,xlsx --out DIR`;
    /// or the Department's consolidated report of a province's request, summed
    /// from its communes' accepted versions:
    /// `toso report --province 31 --request 4675/SKHCN-CNTT --format docx,pdf,xlsx --out DIR`.
    Report {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: report::ReportArgs,
    },
    /// Print the village posters of a commune as one PDF, one A4 page per
    /// active village, each with the QR code of the village's public page
    /// (and of its team's Zalo group), e.g.
    /// `toso poster --commune 11914 --out posters.pdf --public-url https://toso.example.vn`.
    Poster {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: poster::PosterArgs,
    },
    /// A commune's month: the allowance list and every team's attendance
    /// sheet as XLSX and PDF (the approved copy when the month is
    /// approved), e.g.
    /// `toso allowance --commune 11914 --month 2025-11 --format xlsx,pdf --out DIR`.
    Allowance {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: allowance::AllowanceArgs,
    },
    /// Benchmarks, each beside a baseline run in the same process
    /// (results in BENCHMARKS.md). Build with --release first.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Generate synthetic data for benchmarks: one commune, Hải Phòng's 114
    /// communes (city) or all 3,321 communes (national), with villages,
    /// teams, members and two years of support activities. The same --seed
    /// gives the same data. Refuses a database that already has data for
    /// those communes. Synthetic people only.
    Gen {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: toso_tooling::gen::GenArgs,
    },
    /// Print the JSON API's OpenAPI 3.1 document (the one the server serves
    /// at /api/v1/openapi.json), for validators and client generators.
    Openapi,
    /// Write the empty import template of a list (XLSX with drop-down lists,
    /// or CSV when FILE ends in .csv).
    Template {
        kind: ListKind,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Write a synthetic roster for benchmarks (synthetic people, no real person).
    #[command(hide = true)]
    SampleRoster {
        #[arg(long, default_value_t = 500_000)]
        rows: u64,
        #[arg(long, default_value_t = 1000)]
        villages: u64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListKind {
    Villages,
    Teams,
    Members,
    Documents,
    #[value(name = "duty_days")]
    DutyDays,
}

impl From<ListKind> for SheetKind {
    fn from(k: ListKind) -> SheetKind {
        match k {
            ListKind::Villages => SheetKind::Villages,
            ListKind::Teams => SheetKind::Teams,
            ListKind::Members => SheetKind::Members,
            ListKind::Documents => SheetKind::Documents,
            ListKind::DutyDays => SheetKind::DutyDays,
        }
    }
}

/// What `export` writes: one of the lists, or the indicator table.
#[derive(Clone, Copy)]
enum ExportKind {
    List(ListKind),
    Indicators,
}

impl ValueEnum for ExportKind {
    fn value_variants<'a>() -> &'a [Self] {
        use ListKind::*;
        &[
            ExportKind::List(Villages),
            ExportKind::List(Teams),
            ExportKind::List(Members),
            ExportKind::List(Documents),
            ExportKind::List(DutyDays),
            ExportKind::Indicators,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            ExportKind::List(k) => k.to_possible_value(),
            ExportKind::Indicators => Some(clap::builder::PossibleValue::new("indicators")),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error("Lỗi vào/ra: {}", toso_domain::io_reason(.0))]
    Io(#[from] std::io::Error),
    /// A file or folder the command reads or writes, named.
    #[error("{}: {}", .0.display(), toso_domain::io_reason(.1))]
    File(std::path::PathBuf, std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    User(#[from] user::UserError),
    #[error(transparent)]
    Backup(#[from] backup::BackupError),
    /// The import found errors: nothing was written (already reported).
    #[error("{0}")]
    Refused(String),
}

/// The tooling's failures, as the binary's own (the same messages and exit
/// codes as when the tooling lived in this crate).
/// The refusal of a file system call on `path`, naming it:
/// `std::fs::write(&p, b).map_err(at(&p))?`.
fn at(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::File(path.to_path_buf(), e)
}

impl From<toso_tooling::Error> for CliError {
    fn from(e: toso_tooling::Error) -> CliError {
        match e {
            toso_tooling::Error::Store(e) => CliError::Store(e),
            toso_tooling::Error::Invalid(e) => CliError::Invalid(e),
            toso_tooling::Error::Io(e) => CliError::Io(e),
            toso_tooling::Error::Usage(s) => CliError::Usage(s),
            toso_tooling::Error::Refused(s) => CliError::Refused(s),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Double-clicked on Windows (no arguments): the commune officer's start
    // (desktop.rs), not clap's usage message.
    if cfg!(windows) && std::env::args_os().len() == 1 {
        return desktop::start(shutdown_signal()).await;
    }
    let cli = Cli::parse();
    let cfg = match config::Config::load(cli.config.as_deref(), |k| std::env::var(k).ok()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg);
    config::set_current(cfg);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            match e {
                CliError::Usage(_)
                | CliError::User(_)
                | CliError::Backup(_)
                | CliError::Invalid(_)
                | CliError::Sheet(_)
                | CliError::Refused(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Log lines to standard error, as plain text or one JSON object per line
/// (`log_format`), filtered by `log_level`.
fn init_logging(cfg: &config::Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log_level.value)
        .unwrap_or_else(|_| config::DEFAULT_LOG.into());
    // Colours only for a person at a terminal, not in the journal or a file.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal)
        .with_writer(std::io::stderr);
    match cfg.log_format.value {
        config::LogFormat::Text => logs.init(),
        config::LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve {
            db,
            bind,
            public_url,
            demo,
        } => {
            let mut cfg = config::current().clone();
            cfg.apply_serve_flags(bind, public_url.as_deref())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let url = db.url();
            let mut store = Store::connect(&url).await?;
            if demo {
                let commune = toso_demo::load(&store).await?;
                // The province's communes go in through a bulk load, which
                // wants the database to itself.
                store.close().await;
                let province = toso_tooling::demo_province::load(&url).await?;
                report_demo(commune, province);
                store = Store::connect(&url).await?;
            }
            let listener = tokio::net::TcpListener::bind(cfg.bind.value).await?;
            toso_web::serve_configured(store, listener, cfg.web_settings(), shutdown_signal())
                .await?;
        }
        Command::Config => print!("{}", config::current().describe()),
        Command::Migrate { db } => {
            let store = Store::connect_only(&db.url()).await?;
            let done = store.migrate_counting().await;
            store.close().await;
            let (applied, state) = done?;
            println!(
                "Đã áp dụng {applied} bước cấu trúc mới; cơ sở dữ liệu có {}/{} bước.",
                state.applied, state.known
            );
        }
        Command::User { db, command } => {
            let store = Store::connect(&db.url()).await?;
            let done = user::run(&store, command).await;
            store.close().await;
            done?;
        }
        Command::Backup { db, args } => backup::backup(&db.url(), args).await?,
        Command::Restore { db, args } => backup::restore(&db.url(), args).await?,
        Command::Report { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = report::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Poster { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = poster::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Allowance { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = allowance::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Bench { command } => bench::run(command).await?,
        Command::Openapi => {
            let doc = serde_json::to_string_pretty(toso_web::api::document())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            println!("{doc}");
        }
        Command::Gen { db, args } => toso_tooling::gen::command(&db.url(), args).await?,
        Command::Demo { db } => {
            let store = Store::connect(&db.url()).await?;
            let commune = toso_demo::load(&store).await;
            store.close().await;
            let commune = commune?;
            let province = toso_tooling::demo_province::load(&db.url()).await?;
            report_demo(commune, province);
        }
        Command::Indicators {
            db,
            commune,
            province,
            village,
            nation,
            by_commune,
            by_province,
            as_of,
            from,
            json,
        } => {
            let node = match (commune, province, village, nation) {
                (Some(c), _, _, _) => Some(Node::Commune(c)),
                (_, Some(p), _, _) => Some(Node::Province(p)),
                (_, _, Some(v), _) => Some(Node::Village(v)),
                (_, _, _, true) => Some(Node::Nation),
                _ => None,
            };
            let form = units::Form::new(node, by_commune, by_province)?;
            let period = units::period(as_of, from)?;
            let store = Store::connect(&db.url()).await?;
            let done = units::print(&store, form, period, json).await;
            store.close().await;
            done?;
        }
        Command::Import {
            db,
            kind,
            file,
            commune,
            dry_run,
            established_on,
            as_of,
            max_size_mb,
            max_rows,
            show,
            columns,
        } => {
            let as_of = date_arg(as_of, "Ngày nhập (--as-of)")?;
            let established_on = match established_on {
                Some(s) => Some(parse_date(
                    &s,
                    "established_on",
                    "Ngày thành lập (--established-on)",
                )?),
                None => None,
            };
            let mut opts = toso_sheets::ReadOptions::new(toso_store::today());
            opts.max_bytes = max_size_mb * 1024 * 1024;
            opts.max_rows = max_rows;
            opts.columns = sheets::manual_columns(kind.into(), &columns)?;
            let parsed = sheets::read_with_progress(&file, kind.into(), &opts)
                .map_err(sheets::with_column_hint)?;
            let store = Store::connect(&db.url()).await?;
            let spinner = sheets::spinner(if dry_run {
                "Đang kiểm tra với dữ liệu của xã…"
            } else {
                "Đang kiểm tra và ghi vào cơ sở dữ liệu…"
            });
            let report = store
                .import(
                    &Actor::system(&format!("toso import {}", file.display())),
                    &parsed,
                    &ImportOptions {
                        commune_code: commune,
                        as_of,
                        established_on,
                        commit: !dry_run,
                        source: file.file_name().map_or_else(
                            || file.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        ),
                    },
                )
                .await;
            spinner.finish_and_clear();
            store.close().await;
            let report = report?;
            sheets::print_report(&parsed, &report, show);
            if !report.is_ok() {
                return Err(CliError::Refused(format!(
                    "có {} lỗi: không ghi gì vào cơ sở dữ liệu. Sửa tệp rồi nhập lại.",
                    toso_domain::format_int(report.errors.len() as i64)
                )));
            }
            if dry_run {
                eprintln!("Chạy thử (--dry-run): chưa ghi gì. Chạy lại không có --dry-run để ghi.");
            } else {
                let n = report.count(RowAction::Create) + report.count(RowAction::Update);
                eprintln!(
                    "Đã ghi: {} dòng thêm mới hoặc cập nhật, trong một giao dịch.",
                    toso_domain::format_int(n as i64)
                );
            }
        }
        Command::Export {
            db,
            kind,
            commune,
            format,
            out,
            as_of,
        } => {
            let as_of = date_arg(as_of, "Ngày số liệu (--as-of)")?;
            let store = Store::connect(&db.url()).await?;
            if let ExportKind::List(ListKind::Members) = kind {
                // Streamed: a province-sized roster is never held whole.
                let n =
                    sheets::export_members(&store, commune, as_of, format == FileFormat::Csv, &out)
                        .await;
                store.close().await;
                eprintln!(
                    "Đã ghi {} dòng vào {}.",
                    toso_domain::format_int(n? as i64),
                    out.display()
                );
                return Ok(());
            }
            let table = match kind {
                ExportKind::Indicators => {
                    store
                        .indicators_table(Node::Commune(commune), as_of)
                        .await?
                }
                ExportKind::List(k) => store.export_table(k.into(), commune, as_of).await?,
            };
            store.close().await;
            sheets::write_table(&table, format == FileFormat::Csv, &out)?;
            eprintln!(
                "Đã ghi {} dòng vào {}.",
                toso_domain::format_int(table.rows.len() as i64),
                out.display()
            );
        }
        Command::Template { kind, out } => {
            let csv = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if csv {
                let mut t = toso_sheets::template(kind.into());
                t.rows.clear();
                sheets::write_table(&t, true, &out)?;
            } else {
                std::fs::write(&out, toso_sheets::template_xlsx(kind.into())?).map_err(at(&out))?;
            }
            eprintln!("Đã ghi tệp mẫu {}.", out.display());
        }
        Command::SampleRoster {
            rows,
            villages,
            out,
        } => {
            let table = toso_tooling::roster::sample_roster(rows, villages);
            sheets::write_table(&table, out.extension().is_some_and(|e| e == "csv"), &out)?;
            eprintln!(
                "Đã ghi {} dòng vào {}.",
                toso_domain::format_int(rows as i64),
                out.display()
            );
        }
    }
    Ok(())
}

fn date_arg(s: Option<String>, label: &'static str) -> Result<chrono::NaiveDate, CliError> {
    Ok(match s {
        Some(s) => parse_date(&s, "as_of", label)?,
        None => toso_store::today(),
    })
}

fn report_demo(loaded: toso_demo::Loaded, province: toso_tooling::demo_province::Loaded) {
    use toso_domain::format_int;
    use toso_tooling::demo_province;
    match loaded {
        toso_demo::Loaded::Created {
            villages,
            teams,
            people,
        } => eprintln!(
            "Đã nạp dữ liệu mẫu đặc khu Cát Hải: {villages} thôn, {teams} tổ/đội, {people} người."
        ),
        toso_demo::Loaded::AlreadyPresent => {
            eprintln!("Dữ liệu mẫu đặc khu Cát Hải đã có sẵn; không nạp lại.")
        }
    }
    match province {
        demo_province::Loaded::Created {
            communes,
            villages,
            teams,
            people,
            support_activities,
            officers,
            versions,
        } => eprintln!(
            "Đã nạp thêm {communes} xã, phường khác của Hải Phòng (dữ liệu tổng hợp): {} thôn, {} tổ/đội, \
             {} người, {} lượt hỗ trợ; {officers} tài khoản cán bộ xã (canbo<mã xã>); {versions} phiên bản \
             báo cáo theo yêu cầu {} ở mọi trạng thái (đã chấp nhận, chờ xem xét, nộp trễ, bị trả lại, \
             bản nháp, chưa làm, không phải báo cáo).",
            format_int(villages),
            format_int(teams),
            format_int(people),
            format_int(support_activities),
            toso_demo::REQUEST_NUMBER
        ),
        demo_province::Loaded::AlreadyPresent => eprintln!(
            "Dữ liệu mẫu các xã, phường khác của Hải Phòng đã có sẵn; không nạp lại."
        ),
    }
    eprintln!(
        "Tài khoản mẫu (mật khẩu chung «{}», chỉ dùng để thử):",
        toso_demo::DEMO_PASSWORD
    );
    for (username, role, _) in toso_demo::DEMO_USERS {
        eprintln!("  {username:<10} {}", role.label());
    }
    eprintln!(
        "  canbo<mã xã> {} của {} xã, phường mẫu khác",
        toso_domain::UserRole::CommuneOfficer.label(),
        demo_province::CASES.len()
    );
}

/// Resolves on Ctrl-C or SIGTERM, for a graceful shutdown.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("nhận tín hiệu dừng, đang hoàn tất các yêu cầu dở dang…");
}

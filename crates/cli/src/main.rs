//! `toso`: the one binary. A commune officer runs it on a laptop with the
//! embedded SQLite database; a province runs it against PostgreSQL.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use toso_domain::{format_date, parse_date, DomainError, IndicatorValue, Node};
use toso_store::{Store, StoreError, DEFAULT_DATABASE_URL};

#[derive(Parser)]
#[command(
    name = "toso",
    version,
    about = "Tổ Số: records, figures and reports of the Community Digital Technology Teams \
             (Tổ công nghệ số cộng đồng) of a commune or a province.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Database {
    /// Where the data lives: sqlite://FILE (a file on this computer, created
    /// if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app.
    Serve {
        #[command(flatten)]
        db: Database,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Load the demo commune (Đặc khu Cát Hải) first, if it is not there yet.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo commune, Đặc khu Cát Hải, as in the reference report
    /// (58 villages, 58 teams, 386 members). Does nothing if it is already there.
    Demo {
        #[command(flatten)]
        db: Database,
    },
    /// Print the indicators of a commune, a province or a village on a date.
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
        /// The date the figures are counted on: 2025-11-30 or 30/11/2025. Default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("Lỗi vào/ra: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            match e {
                CliError::Usage(_) | CliError::Invalid(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve { db, bind, demo } => {
            let store = Store::connect(&db.database_url).await?;
            if demo {
                report_demo(toso_demo::load(&store).await?);
            }
            let listener = tokio::net::TcpListener::bind(bind).await?;
            toso_web::serve(store, listener, shutdown_signal()).await?;
        }
        Command::Demo { db } => {
            let store = Store::connect(&db.database_url).await?;
            report_demo(toso_demo::load(&store).await?);
            store.close().await;
        }
        Command::Indicators {
            db,
            commune,
            province,
            village,
            as_of,
            json,
        } => {
            let node = match (commune, province, village) {
                (Some(c), _, _) => Node::Commune(c),
                (_, Some(p), _) => Node::Province(p),
                (_, _, Some(v)) => Node::Village(v),
                _ => {
                    return Err(CliError::Usage(
                        "chọn một đơn vị: --commune MÃ, --province MÃ hoặc --village SỐ.".into(),
                    ))
                }
            };
            let as_of = match as_of {
                Some(s) => parse_date(&s, "as_of", "Ngày báo cáo (--as-of)")?,
                None => toso_store::today(),
            };
            let store = Store::connect(&db.database_url).await?;
            let set = store.indicators(node, as_of).await?;
            store.close().await;
            if json {
                let text = serde_json::to_string_pretty(&set).map_err(std::io::Error::other)?;
                println!("{text}");
            } else {
                println!(
                    "{} — số liệu tính đến ngày {}",
                    set.node_name,
                    format_date(set.as_of)
                );
                for e in &set.indicators {
                    match &e.value {
                        IndicatorValue::Breakdown { items } => {
                            println!("  {}:", e.name);
                            for i in items {
                                println!(
                                    "      {:<28} {:>8}",
                                    i.label,
                                    toso_domain::format_int(i.value)
                                );
                            }
                        }
                        _ => println!(
                            "  {:<62} {:>8} {}",
                            e.name,
                            e.display,
                            if e.unit == "%" { "" } else { e.unit }
                        ),
                    }
                }
            }
        }
    }
    Ok(())
}

fn report_demo(loaded: toso_demo::Loaded) {
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

//! `toso bench`: benchmarks that report each measurement beside a baseline
//! run in the same process, as a ratio (BENCHMARKS.md keeps the results).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Subcommand;
use toso_domain::parse_date;
use toso_store::Store;
use toso_web::reports::{render_file, FileKind};

use crate::{CliError, Database};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time the commune report: composing the figures from the records,
    /// then rendering the frozen snapshot as DOCX, PDF and XLSX; beside
    /// LibreOffice headless converting the same DOCX to PDF (the baseline).
    Report {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = 11914)]
        commune: i32,
        #[arg(long, default_value = "4675/SKHCN-CNTT")]
        request: String,
        /// As-of date; default: the request's.
        #[arg(long)]
        as_of: Option<String>,
        /// Timed runs of each in-process step (after one warm-up run).
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// Timed LibreOffice conversions (each starts soffice afresh, as a
        /// converter run from a script does).
        #[arg(long, default_value_t = 3)]
        baseline_runs: u32,
        /// Folder for the files (a temporary one by default).
        #[arg(long)]
        work: Option<PathBuf>,
    },
}

struct Timing {
    label: String,
    runs: Vec<Duration>,
}

impl Timing {
    fn median(&self) -> Duration {
        let mut v = self.runs.clone();
        v.sort();
        v[v.len() / 2]
    }
    fn min(&self) -> Duration {
        *self.runs.iter().min().expect("at least one run")
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(command: BenchCommand) -> Result<(), CliError> {
    match command {
        BenchCommand::Report {
            db,
            commune,
            request,
            as_of,
            runs,
            baseline_runs,
            work,
        } => {
            let runs = runs.max(1);
            let store = Store::connect(&db.database_url).await?;
            let request = store.request_by_number(commune, &request).await?;
            let mut settings = store.report_defaults(commune, &request).await?;
            if let Some(s) = as_of {
                settings.as_of = parse_date(&s, "as_of", "Ngày số liệu (--as-of)")?;
            }
            let mut timings = Vec::new();

            // Composing: every figure from the records (no write).
            let mut snapshot = store.compose_report(commune, &request, &settings).await?;
            let mut t = Timing {
                label: "compose (figures from the records, annex)".into(),
                runs: Vec::new(),
            };
            for _ in 0..runs {
                let start = Instant::now();
                snapshot = store.compose_report(commune, &request, &settings).await?;
                t.runs.push(start.elapsed());
            }
            timings.push(t);
            store.close().await;

            let dir = match work {
                Some(d) => d,
                None => {
                    std::env::temp_dir().join(format!("toso-bench-report-{}", std::process::id()))
                }
            };
            std::fs::create_dir_all(&dir)?;
            let mut docx_path = dir.join("report.docx");
            for kind in FileKind::ALL {
                let first = render_file(&snapshot, kind).map_err(CliError::Usage)?;
                let path = dir.join(format!("report.{}", kind.extension()));
                std::fs::write(&path, &first)?;
                if kind == FileKind::Docx {
                    docx_path = path;
                }
                let mut t = Timing {
                    label: format!(
                        "render {} ({} bytes)",
                        kind.extension().to_uppercase(),
                        first.len()
                    ),
                    runs: Vec::new(),
                };
                for _ in 0..runs {
                    let start = Instant::now();
                    let bytes = render_file(&snapshot, kind).map_err(CliError::Usage)?;
                    t.runs.push(start.elapsed());
                    assert_eq!(bytes.len(), first.len(), "deterministic output");
                }
                timings.push(t);
            }

            // The baseline: LibreOffice headless, DOCX → PDF, same file.
            let profile = dir.join("lo-profile");
            let mut baseline = Timing {
                label: "baseline: LibreOffice headless DOCX → PDF".into(),
                runs: Vec::new(),
            };
            for i in 0..=baseline_runs.max(1) {
                let start = Instant::now();
                let out = Command::new("soffice")
                    .arg(format!(
                        "-env:UserInstallation=file://{}",
                        profile.display()
                    ))
                    .args([
                        "--headless",
                        "--norestore",
                        "--convert-to",
                        "pdf",
                        "--outdir",
                    ])
                    .arg(dir.join("lo"))
                    .arg(&docx_path)
                    .output()
                    .map_err(|e| {
                        CliError::Usage(format!(
                            "không chạy được soffice (cài gói libreoffice-writer-nogui): {e}"
                        ))
                    })?;
                if !out.status.success() {
                    return Err(CliError::Usage(format!(
                        "soffice báo lỗi: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )));
                }
                // The first run creates LibreOffice's profile: not timed.
                if i > 0 {
                    baseline.runs.push(start.elapsed());
                }
            }
            let base = ms(baseline.median());
            println!(
                "| step | runs | median | min | LibreOffice ÷ step |\n|---|---:|---:|---:|---:|"
            );
            for t in timings.iter().chain(std::iter::once(&baseline)) {
                println!(
                    "| {} | {} | {:.2} ms | {:.2} ms | {:.0}× |",
                    t.label,
                    t.runs.len(),
                    ms(t.median()),
                    ms(t.min()),
                    base / ms(t.median())
                );
            }
            eprintln!("Tệp đã tạo: {}", dir.display());
        }
    }
    Ok(())
}

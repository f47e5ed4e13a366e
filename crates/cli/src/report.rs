//! `toso report`: answer a reporting request from the command line and
//! write the report's files (DOCX, PDF, XLSX annex).
//!
//! The newest version with the same as-of date is re-rendered from its
//! snapshot (so the files of a generated report never change); `--new-version`
//! freezes the figures again into a new version.

use std::path::PathBuf;

use clap::Args;
use toso_domain::{format_date, parse_date};
use toso_reporting::{file_name, render_file, FileKind};
use toso_store::{Actor, Store};

use crate::CliError;

#[derive(Args)]
pub struct ReportArgs {
    /// Commune code (GSO), e.g. 11914 for Đặc khu Cát Hải.
    #[arg(long)]
    commune: i32,
    /// Number and symbol of the request, e.g. 4675/SKHCN-CNTT.
    #[arg(long)]
    request: String,
    /// The date the figures are counted on (2025-11-30 or 30/11/2025).
    /// Default: the date the request asks for.
    #[arg(long)]
    as_of: Option<String>,
    /// Date printed on the report. Default: today (or the as-of date if later).
    #[arg(long)]
    date: Option<String>,
    /// Name of the signer (PHÓ CHỦ TỊCH …). Default: the commune's saved template.
    #[arg(long)]
    signer: Option<String>,
    /// Comma-separated formats: docx, pdf, xlsx.
    #[arg(long, default_value = "docx,pdf,xlsx")]
    format: String,
    /// Folder to write the files to (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Generate a new version even if one with the same as-of date exists.
    #[arg(long)]
    new_version: bool,
}

pub async fn run(store: &Store, args: ReportArgs) -> Result<(), CliError> {
    let kinds = args
        .format
        .split(',')
        .map(|f| {
            FileKind::parse(f).ok_or_else(|| {
                CliError::Usage(format!(
                    "định dạng «{}» không có; chọn trong docx, pdf, xlsx (--format docx,pdf).",
                    f.trim()
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let request = store.request_by_number(args.commune, &args.request).await?;
    let as_of = match &args.as_of {
        Some(s) => parse_date(s, "as_of", "Ngày số liệu (--as-of)")?,
        None => request.as_of,
    };
    let existing = if args.new_version {
        None
    } else {
        store.latest_report(args.commune, request.id, as_of).await?
    };
    let report = match existing {
        Some(r) => {
            eprintln!(
                "Dùng báo cáo đã chốt: phiên bản {} (số liệu đến {}). Thêm --new-version để chốt lại số liệu.",
                r.version,
                format_date(r.settings.as_of)
            );
            r
        }
        None => {
            let mut settings =
                toso_reporting::report_defaults(store, args.commune, &request).await?;
            settings.as_of = as_of;
            settings.report_date = match &args.date {
                Some(s) => parse_date(s, "report_date", "Ngày báo cáo (--date)")?,
                None => toso_store::today().max(as_of),
            };
            if let Some(signer) = &args.signer {
                settings.signer_name = signer.trim().to_string();
            }
            let r = toso_reporting::create_report(
                store,
                &Actor::system("cli"),
                args.commune,
                request.id,
                settings,
            )
            .await?;
            eprintln!(
                "Đã tạo báo cáo phiên bản {} (số liệu đến {}).",
                r.version,
                format_date(r.settings.as_of)
            );
            r
        }
    };
    let snapshot = report.snapshot()?;
    std::fs::create_dir_all(&args.out)?;
    for kind in kinds {
        let bytes = render_file(&snapshot, kind).map_err(CliError::Usage)?;
        let path = args.out.join(file_name(&request, &report, kind));
        std::fs::write(&path, &bytes)?;
        println!("{}", path.display());
    }
    Ok(())
}

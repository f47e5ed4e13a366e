//! `toso allowance`: a commune's month — the allowance list and every
//! team's attendance sheet — as XLSX and/or PDF, the approved copy when the
//! month is approved, else computed from the records now, e.g.
//! `toso allowance --commune 11914 --month 2025-11 --format xlsx,pdf --out DIR`.

use std::path::PathBuf;

use clap::Args;
use toso_domain::{format_money, Month};
use toso_reporting::allowance::{allowance_file_name, allowance_pdf, allowance_xlsx};
use toso_reporting::allowance_month::{month_document, no_policy};
use toso_store::Store;

use crate::{at, CliError};

#[derive(Args)]
pub struct AllowanceArgs {
    #[arg(long, value_name = "MÃ_XÃ", help = crate::COMMUNE)]
    commune: i32,
    #[arg(long, value_name = "THÁNG", help = "Tháng: 2025-11 hoặc 11/2025.")]
    month: String,
    #[arg(
        long,
        default_value = "xlsx,pdf",
        value_name = "ĐỊNH_DẠNG",
        help = "Các tệp cần ghi, cách nhau bằng dấu phẩy: xlsx, pdf."
    )]
    format: String,
    #[arg(
        long,
        default_value = ".",
        value_name = "THƯ_MỤC",
        help = "Thư mục ghi tệp (tự tạo nếu chưa có)."
    )]
    out: PathBuf,
}

pub async fn run(store: &Store, args: AllowanceArgs) -> Result<(), CliError> {
    let month = Month::parse(&args.month, "month")?;
    let mut kinds = Vec::new();
    for f in args
        .format
        .split(',')
        .map(|f| f.trim().to_ascii_lowercase())
    {
        match f.as_str() {
            "xlsx" | "pdf" if !kinds.contains(&f) => kinds.push(f),
            "xlsx" | "pdf" => {}
            other => {
                return Err(CliError::Usage(format!(
                    "định dạng «{other}» (--format) không hỗ trợ: dùng xlsx, pdf hoặc xlsx,pdf."
                )))
            }
        }
    }
    let commune = store.commune(args.commune).await?;
    let province = store.province(commune.province_code).await?;
    let view = store.month_view(commune.code, month).await?;
    let today = toso_store::today();
    let doc = month_document(&view, &commune.name, &province.name, today)
        .ok_or_else(|| CliError::Usage(no_policy(&view)))?;
    std::fs::create_dir_all(&args.out).map_err(at(&args.out))?;
    for kind in &kinds {
        let bytes = if kind == "pdf" {
            allowance_pdf(&doc)
        } else {
            allowance_xlsx(&doc)
        }
        .map_err(CliError::Usage)?;
        let path = args
            .out
            .join(allowance_file_name(commune.code, month, kind));
        std::fs::write(&path, bytes).map_err(at(&path))?;
        println!("Đã ghi {}", path.display());
    }
    println!(
        "{} tháng {}: {} người nhận, tổng {} ({}).",
        commune.name,
        month.label(),
        doc.list.people_paid(),
        format_money(doc.list.total),
        doc.status
    );
    Ok(())
}

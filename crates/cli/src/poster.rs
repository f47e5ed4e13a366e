//! `toso poster`: the village posters of a commune as one PDF, one A4 page
//! per active village (or only `--village`'s), each with the QR code of
//! the village's public page under `--public-url`, e.g.
//! `toso poster --commune 11914 --out posters.pdf --public-url https://toso.example.vn`.

use std::path::PathBuf;

use clap::Args;
use toso_reporting::poster::{posters_of, render, PosterError};
use toso_store::Store;

use crate::{at, CliError};

#[derive(Args)]
pub struct PosterArgs {
    #[arg(long, value_name = "MÃ_XÃ", help = crate::COMMUNE)]
    commune: i32,
    #[arg(long, value_name = "TỆP", help = "Tệp PDF cần ghi.")]
    out: PathBuf,
    #[arg(
        long,
        value_name = "SỐ",
        help = "Chỉ áp phích của thôn này (số của thôn, như trong `toso export villages`)."
    )]
    village: Option<i64>,
    #[arg(
        long,
        value_name = "ĐỊA_CHỈ",
        help = "Địa chỉ người dân dùng để vào ứng dụng web: mã QR mở \
                ĐỊA_CHỈ/v/<mã thôn>. Mặc định: TOSO_PUBLIC_URL, nếu không có thì \
                public_url của cấu hình, rồi http://localhost:8080."
    )]
    public_url: Option<String>,
}

pub async fn run(store: &Store, args: PosterArgs) -> Result<(), CliError> {
    let configured = crate::config::current().public_url.value.clone();
    let url = args
        .public_url
        .or(configured)
        .unwrap_or_else(|| "http://localhost:8080".to_string());
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CliError::Usage(format!(
            "địa chỉ công khai «{url}» (--public-url) phải bắt đầu bằng http:// hoặc https://."
        )));
    }
    let day = toso_store::today();
    let posters = posters_of(store, args.commune, args.village, url, day)
        .await
        .map_err(cli_error)?;
    let pages = posters.len();
    // Laying out the pages is CPU work: keep it off the async workers.
    let pdf = tokio::task::spawn_blocking(move || render(&posters))
        .await
        .map_err(|e| CliError::Usage(format!("không tạo được tệp PDF: {e}")))?
        .map_err(cli_error)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(at(dir))?;
    }
    std::fs::write(&args.out, pdf).map_err(at(&args.out))?;
    println!(
        "Đã in {pages} trang tờ thông tin vào {}",
        args.out.display()
    );
    Ok(())
}

fn cli_error(e: PosterError) -> CliError {
    match e {
        PosterError::Store(e) => CliError::Store(e),
        other => CliError::Usage(other.to_string()),
    }
}

//! `toso report`: answer a reporting request from the command line and
//! write the report's files (DOCX, PDF, XLSX annex) — a commune's answer
//! (`--commune`) or the Department's consolidated report of the province's
//! accepted answers (`--province`); exactly one of the two.
//!
//! The newest version with the same as-of date is re-rendered from its
//! snapshot (so the files of a generated report never change); `--new-version`
//! freezes the figures again into a new version.

use std::path::{Path, PathBuf};

use clap::Args;
use toso_domain::{format_date, parse_date};
use toso_reporting::{file_name, province_file_name, render_file, FileKind};
use toso_store::{Actor, ReportSettings, ReportingRequest, Store};

use crate::{at, CliError};

#[derive(Args)]
pub struct ReportArgs {
    #[arg(
        long,
        value_name = "MÃ_XÃ",
        help = "Mã xã (mã thống kê), ví dụ 11914 là Đặc khu Cát Hải: báo cáo của xã \
                trả lời yêu cầu. Cho tùy chọn này hoặc --province, không cả hai."
    )]
    commune: Option<i32>,
    #[arg(
        long,
        value_name = "MÃ_TỈNH",
        help = "Mã tỉnh (mã thống kê), ví dụ 31 là Thành phố Hải Phòng: báo cáo tổng \
                hợp của Sở, cộng các báo cáo đã được chấp nhận của các xã. Cho tùy \
                chọn này hoặc --commune, không cả hai."
    )]
    province: Option<i32>,
    #[arg(
        long,
        value_name = "SỐ_KÝ_HIỆU",
        help = "Số, ký hiệu văn bản yêu cầu, ví dụ 4675/SKHCN-CNTT."
    )]
    request: String,
    #[arg(
        long,
        value_name = "NGÀY",
        help = "Ngày tính số liệu (2025-11-30 hoặc 30/11/2025). Mặc định: ngày yêu \
                cầu đề nghị."
    )]
    as_of: Option<String>,
    #[arg(
        long,
        value_name = "NGÀY",
        help = "Ngày ghi trên báo cáo. Mặc định: hôm nay (hoặc ngày số liệu nếu muộn hơn)."
    )]
    date: Option<String>,
    #[arg(
        long,
        value_name = "HỌ_TÊN",
        help = "Họ tên người ký (PHÓ CHỦ TỊCH …, hoặc PHÓ GIÁM ĐỐC Sở với \
                --province). Mặc định: theo mẫu đã lưu của xã; báo cáo của tỉnh thì \
                để trống."
    )]
    signer: Option<String>,
    #[arg(
        long,
        default_value = "docx,pdf,xlsx",
        value_name = "ĐỊNH_DẠNG",
        help = "Các định dạng, cách nhau bằng dấu phẩy: docx, pdf, xlsx."
    )]
    format: String,
    #[arg(
        long,
        value_name = "THƯ_MỤC",
        help = "Thư mục ghi tệp (tự tạo nếu chưa có)."
    )]
    out: PathBuf,
    #[arg(
        long,
        help = "Lập một bản mới ngay cả khi đã có bản cùng ngày số liệu (với \
                --province: cộng lại các báo cáo đã được chấp nhận)."
    )]
    new_version: bool,
}

pub async fn run(store: &Store, args: ReportArgs) -> Result<(), CliError> {
    match (args.commune, args.province) {
        (Some(commune), None) => {
            let kinds = kinds(&args.format)?;
            commune_report(store, commune, &args, &kinds).await
        }
        (None, Some(province)) => {
            let kinds = kinds(&args.format)?;
            province_report(store, province, &args, &kinds).await
        }
        (Some(_), Some(_)) => Err(CliError::Usage(
            "chỉ chọn một trong hai: --commune MÃ_XÃ (báo cáo của xã) hoặc --province MÃ_TỈNH \
             (báo cáo tổng hợp của Sở), không cả hai."
                .into(),
        )),
        (None, None) => Err(CliError::Usage(
            "thiếu đơn vị báo cáo: thêm --commune MÃ_XÃ (báo cáo của xã, ví dụ --commune 11914) \
             hoặc --province MÃ_TỈNH (báo cáo tổng hợp của Sở, ví dụ --province 31)."
                .into(),
        )),
    }
}

/// The formats of `--format`, in order.
fn kinds(format: &str) -> Result<Vec<FileKind>, CliError> {
    format
        .split(',')
        .map(|f| {
            FileKind::parse(f).ok_or_else(|| {
                CliError::Usage(format!(
                    "định dạng «{}» không có; chọn trong docx, pdf, xlsx (--format docx,pdf).",
                    f.trim()
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
}

/// The as-of date of `--as-of`, else the request's.
fn as_of_date(
    args: &ReportArgs,
    request: &ReportingRequest,
) -> Result<chrono::NaiveDate, CliError> {
    Ok(match &args.as_of {
        Some(s) => parse_date(s, "as_of", "Ngày số liệu (--as-of)")?,
        None => request.as_of,
    })
}

/// `--as-of`, `--date` and `--signer` over the default settings.
fn apply_options(
    args: &ReportArgs,
    settings: &mut ReportSettings,
    as_of: chrono::NaiveDate,
) -> Result<(), CliError> {
    settings.as_of = as_of;
    settings.report_date = match &args.date {
        Some(s) => parse_date(s, "report_date", "Ngày báo cáo (--date)")?,
        None => toso_store::today().max(as_of),
    };
    if let Some(signer) = &args.signer {
        settings.signer_name = signer.trim().to_string();
    }
    Ok(())
}

/// Write each file into `out` and print its path.
fn write_files(
    out: &Path,
    kinds: &[FileKind],
    render: impl Fn(FileKind) -> Result<Vec<u8>, String>,
    name: impl Fn(FileKind) -> String,
) -> Result<(), CliError> {
    std::fs::create_dir_all(out).map_err(at(out))?;
    for &kind in kinds {
        let bytes = render(kind).map_err(CliError::Usage)?;
        let path = out.join(name(kind));
        std::fs::write(&path, &bytes).map_err(at(&path))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// A commune's answer to the request.
async fn commune_report(
    store: &Store,
    commune: i32,
    args: &ReportArgs,
    kinds: &[FileKind],
) -> Result<(), CliError> {
    let request = store.request_by_number(commune, &args.request).await?;
    let as_of = as_of_date(args, &request)?;
    let existing = if args.new_version {
        None
    } else {
        store.latest_report(commune, request.id, as_of).await?
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
            let mut settings = toso_reporting::report_defaults(store, commune, &request).await?;
            apply_options(args, &mut settings, as_of)?;
            let r = toso_reporting::create_report(
                store,
                &Actor::system("cli"),
                commune,
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
    write_files(
        &args.out,
        kinds,
        |kind| render_file(&snapshot.printed, kind),
        |kind| file_name(&request, &report, kind),
    )
}

/// The Department's consolidated report for its request: the newest
/// version with the same as-of date, or a new one.
async fn province_report(
    store: &Store,
    province: i32,
    args: &ReportArgs,
    kinds: &[FileKind],
) -> Result<(), CliError> {
    let name = store.province(province).await?.name;
    let wanted = args.request.trim().to_uppercase();
    let request = store
        .requests_of_province(province)
        .await?
        .into_iter()
        .find(|r| r.commune_code.is_none() && r.doc_number.to_uppercase() == wanted)
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{name} không có yêu cầu báo cáo số {} gửi các xã (--request).",
                args.request.trim()
            ))
        })?;
    let as_of = as_of_date(args, &request)?;
    let existing = if args.new_version {
        None
    } else {
        store
            .province_reports(request.id)
            .await?
            .into_iter()
            .find(|r| r.settings.as_of == as_of)
    };
    let report = match existing {
        Some(r) => {
            eprintln!(
                "Dùng báo cáo tổng hợp đã chốt: phiên bản {} (số liệu đến {}). Thêm --new-version để tổng hợp lại.",
                r.version,
                format_date(r.settings.as_of)
            );
            r
        }
        None => {
            let mut settings = toso_reporting::province_report_defaults(store, &request).await?;
            apply_options(args, &mut settings, as_of)?;
            let r = toso_reporting::create_province_report(
                store,
                &Actor::system("cli"),
                request.id,
                settings,
            )
            .await?;
            eprintln!(
                "Đã tạo báo cáo tổng hợp phiên bản {} (số liệu đến {}), tổng hợp {} báo cáo xã đã được chấp nhận.",
                r.version,
                format_date(r.settings.as_of),
                r.snapshot()?.sources.len()
            );
            r
        }
    };
    let snapshot = report.snapshot()?;
    write_files(
        &args.out,
        kinds,
        |kind| render_file(&snapshot.printed, kind),
        |kind| province_file_name(&request, &report, kind),
    )
}

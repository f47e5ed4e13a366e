//! The spreadsheet side of the CLI: reading with a progress bar, columns
//! chosen by hand (`--column`), printing an import's preview (which column
//! was taken for which field), writing files, and the synthetic roster for
//! benchmarks.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use toso_domain::format_int;
use toso_sheets::{ManualColumns, ParsedSheet, Pick, ReadOptions, SheetError, SheetKind, Table};
use toso_store::{ImportReport, RowAction};

use crate::{at, CliError};

/// Read `path` with a progress bar on stderr (hidden when stderr is not a
/// terminal).
pub fn read_with_progress(
    path: &Path,
    kind: SheetKind,
    opts: &ReadOptions,
) -> Result<ParsedSheet, SheetError> {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} Đang đọc {msg}: {human_pos} dòng {wide_bar} {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let mut last = 0u64;
    let started = std::time::Instant::now();
    let result = toso_sheets::read_path(path, kind, opts, &mut |done, total| {
        if let Some(t) = total {
            if bar.length() != Some(t) {
                bar.set_length(t);
            }
        }
        // Updating the bar every row would cost more than reading it.
        if done >= last + 1000 || Some(done) == total {
            bar.set_position(done);
            last = done;
        }
    });
    bar.finish_and_clear();
    tracing::debug!(elapsed = ?started.elapsed(), "import: file read and parsed");
    result
}

/// `--column FIELD=HEADER` options as columns chosen by hand.
pub fn manual_columns(kind: SheetKind, args: &[String]) -> Result<ManualColumns, CliError> {
    let mut manual = ManualColumns::default();
    for arg in args {
        let Some((field, header)) = arg.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--column «{arg}»: viết MỤC=TÊN CỘT, ví dụ --column \"Thôn/TDP=Tên ấp\"."
            )));
        };
        let spec = ManualColumns::field_named(kind, field).ok_or_else(|| {
            CliError::Usage(format!(
                "--column «{arg}»: danh sách {} không có mục «{}»; các mục: {}.",
                kind.what(),
                field.trim(),
                kind.columns()
                    .iter()
                    .map(|c| format!("«{}» ({})", c.label, c.field.key()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let pick = if header.trim().is_empty() {
            Pick::Skip
        } else {
            Pick::Header(header.trim().to_string())
        };
        manual.picks.retain(|(f, _)| *f != spec.field);
        manual.picks.push((spec.field, pick));
    }
    Ok(manual)
}

/// A sheet missing required columns: the message lists the sheet's
/// columns and how to choose one with `--column`.
pub fn with_column_hint(e: SheetError) -> CliError {
    let SheetError::MissingColumns { header, .. } = &e else {
        return CliError::Sheet(e);
    };
    let columns: Vec<String> = header
        .cells
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(i, h)| format!("{} «{h}»", toso_sheets::column_letter(i)))
        .collect();
    CliError::Usage(format!(
        "{e} Các cột của tệp: {}. Chọn cột bằng tay với --column \"MỤC=TÊN CỘT\", ví dụ \
         --column \"Thôn/TDP=Nơi ở\".",
        columns.join(", ")
    ))
}

pub fn spinner(message: &'static str) -> ProgressBar {
    let s = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    s.set_message(message);
    s.enable_steady_tick(Duration::from_millis(120));
    s
}

/// The preview (or result) of an import, on stdout.
pub fn print_report(sheet: &ParsedSheet, report: &ImportReport, show: usize) {
    println!(
        "Trang tính «{}», dòng tiêu đề {}: {} dòng dữ liệu; các cột: {}.",
        sheet.sheet,
        sheet.header_line,
        format_int(sheet.data_rows as i64),
        sheet.columns.join(", ")
    );
    for m in &sheet.header.mapping {
        println!("  {}", m.describe());
    }
    if !sheet.ignored_columns.is_empty() {
        println!(
            "Bỏ qua các cột không dùng: {}.",
            sheet.ignored_columns.join(", ")
        );
    }
    println!(
        "Thêm mới: {} dòng · Cập nhật: {} dòng · Không đổi: {} dòng · Lỗi: {}",
        format_int(report.count(RowAction::Create) as i64),
        format_int(report.count(RowAction::Update) as i64),
        format_int(report.count(RowAction::Skip) as i64),
        format_int(report.errors.len() as i64),
    );
    let c = report.created;
    println!(
        "Sẽ thêm: {} thôn/TDP, {} tổ, {} người, {} thành viên, {} văn bản, {} ngày trực.",
        format_int(c.villages as i64),
        format_int(c.teams as i64),
        format_int(c.people as i64),
        format_int(c.memberships as i64),
        format_int(c.documents as i64),
        format_int(c.duty_days as i64),
    );
    for action in [RowAction::Create, RowAction::Update, RowAction::Skip] {
        let rows: Vec<_> = report.rows.iter().filter(|r| r.action == action).collect();
        if rows.is_empty() {
            continue;
        }
        println!("\n{} ({}):", action.label(), format_int(rows.len() as i64));
        for r in rows.iter().take(show) {
            if r.changes.is_empty() {
                println!("  Dòng {}: {}", r.line, r.label);
            } else {
                println!("  Dòng {}: {} ({})", r.line, r.label, r.changes.join("; "));
            }
        }
        if rows.len() > show {
            println!(
                "  … và {} dòng nữa.",
                format_int((rows.len() - show) as i64)
            );
        }
    }
    if !report.warnings.is_empty() {
        println!("\nLưu ý ({}):", format_int(report.warnings.len() as i64));
        for w in report.warnings.iter().take(show.max(50)) {
            println!("  {w}");
        }
        if report.warnings.len() > show.max(50) {
            println!(
                "  … và {} lưu ý nữa.",
                format_int((report.warnings.len() - show.max(50)) as i64)
            );
        }
    }
    if !report.errors.is_empty() {
        println!("\nLỗi ({}):", format_int(report.errors.len() as i64));
        for e in report.errors.iter().take(500) {
            println!("  {e}");
        }
        if report.errors.len() > 500 {
            println!(
                "  … và {} lỗi nữa.",
                format_int((report.errors.len() - 500) as i64)
            );
        }
    }
}

pub fn write_table(table: &Table, csv: bool, out: &Path) -> Result<(), CliError> {
    if csv {
        let file = std::io::BufWriter::new(std::fs::File::create(out).map_err(at(out))?);
        toso_sheets::write_csv(table, file)?;
    } else {
        std::fs::write(out, toso_sheets::write_xlsx(std::slice::from_ref(table))?)
            .map_err(at(out))?;
    }
    Ok(())
}

/// The members list of a commune written row by row to XLSX (constant
/// memory) or CSV: never the whole list in memory. Returns the rows written.
pub async fn export_members(
    store: &toso_store::Store,
    commune: i32,
    as_of: chrono::NaiveDate,
    csv: bool,
    out: &Path,
) -> Result<u64, CliError> {
    let head = store
        .export_header(SheetKind::Members, commune, as_of)
        .await?;
    if csv {
        let file = std::io::BufWriter::with_capacity(
            1 << 16,
            std::fs::File::create(out).map_err(at(out))?,
        );
        let mut w = toso_sheets::CsvStream::new(&head, file)?;
        let n = store
            .export_members_each(commune, as_of, |row| w.push(&row).map_err(CliError::from))
            .await?;
        std::io::Write::flush(&mut w.finish()?)?;
        Ok(n)
    } else {
        let mut w = toso_sheets::XlsxStream::new(&head)?;
        let n = store
            .export_members_each(commune, as_of, |row| w.push(&row).map_err(CliError::from))
            .await?;
        w.save(out)?;
        Ok(n)
    }
}

//! Reading a file into typed rows: format detection, limits, streaming of
//! XLSX (cell by cell, never the whole sheet in memory) and CSV, header
//! detection below title rows and across merged header cells.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xls, Xlsx, XlsxError};
use chrono::NaiveDate;

use crate::cell::Cell;
use crate::columns::{
    header_key, match_header_scored, ColumnSpec, ManualColumns, MappedColumn, Pick, SheetHeader,
    SheetKind,
};
use crate::error::{cell_address, human_size, SheetError};
use crate::rows::{ColumnMap, Issue, ParsedSheet, RowParser};

mod formats;
mod header;
use formats::*;
use header::*;

/// 50 MB: the default size limit of an imported file.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// The default cap on data rows of one import.
pub const DEFAULT_MAX_ROWS: u64 = 500_000;
/// Rows scanned for the header (title rows above it are skipped).
const HEADER_SCAN_ROWS: usize = 30;
/// Columns read per row; cells further right are ignored.
pub const MAX_COLUMNS: u32 = 256;
/// Largest uncompressed shared-strings part accepted (guards against zip bombs:
/// calamine keeps that table in memory).
const MAX_SHARED_STRINGS: u64 = 256 * 1024 * 1024;
/// Rows handed from the XLSX reader to the row parser at a time.
const ROW_BATCH: usize = 1024;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub max_bytes: u64,
    pub max_rows: u64,
    /// Reference date for birth-year checks.
    pub today: NaiveDate,
    /// Columns chosen by hand (the web preview's mapping, `--column`).
    pub columns: ManualColumns,
}

impl ReadOptions {
    pub fn new(today: NaiveDate) -> ReadOptions {
        ReadOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            max_rows: DEFAULT_MAX_ROWS,
            today,
            columns: ManualColumns::default(),
        }
    }
}

/// Progress of a read: rows read so far and the sheet's row count when the
/// file declares it.
pub type Progress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Csv,
}

/// Read the file at `path` as a sheet of `kind`.
pub fn read_path(
    path: &Path,
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let io = |e| SheetError::io(name.clone(), e);
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    check_size(&name, size, opts)?;
    let job = Job {
        name: &name,
        kind,
        opts,
        progress,
    };
    read_from(job, BufReader::with_capacity(1 << 16, file))
}

/// Read an uploaded file held in memory.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    check_size(name, bytes.len() as u64, opts)?;
    let job = Job {
        name,
        kind,
        opts,
        progress,
    };
    read_from(job, Cursor::new(bytes))
}

fn check_size(name: &str, size: u64, opts: &ReadOptions) -> Result<(), SheetError> {
    if size > opts.max_bytes {
        return Err(SheetError::TooLarge {
            name: name.to_string(),
            size: human_size(size),
            limit: human_size(opts.max_bytes),
        });
    }
    if size == 0 {
        return Err(SheetError::Empty {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// What the first bytes say the file is.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") {
        Some(Format::Xlsx)
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Format::Xls)
    } else if head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        // Control bytes (NUL, the PNG/PDF/JPEG signatures' \x1a…) never
        // stand in a text CSV: some other binary file.
        None
    } else {
        Some(Format::Csv)
    }
}

/// What one read is of: the file's name (for messages), the kind of
/// sheet, the options and where progress goes.
pub(super) struct Job<'a> {
    pub(super) name: &'a str,
    pub(super) kind: SheetKind,
    pub(super) opts: &'a ReadOptions,
    pub(super) progress: Progress<'a>,
}

fn read_from<R: Read + Seek>(job: Job, mut reader: R) -> Result<ParsedSheet, SheetError> {
    let name = job.name;
    let mut head = [0u8; 8192];
    let n = read_up_to(&mut reader, &mut head).map_err(|e| SheetError::io(name, e))?;
    rewind(name, &mut reader)?;
    match sniff(&head[..n]) {
        Some(Format::Xlsx) => contain_panic(name, || read_xlsx(job, reader)),
        Some(Format::Xls) => contain_panic(name, || read_xls(job, reader)),
        Some(Format::Csv) => read_csv(job, reader),
        None => Err(SheetError::NotASpreadsheet { name: name.into() }),
    }
}

/// calamine can panic on a malformed workbook (found by fuzzing: a merged
/// range whose end is above its start, `B6:C4`, overflows a subtraction in
/// its dimension parser when overflow checks are on). A hostile upload is a
/// corrupt file, never a crash of the import.
fn contain_panic(
    name: &str,
    read: impl FnOnce() -> Result<ParsedSheet, SheetError>,
) -> Result<ParsedSheet, SheetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(SheetError::Corrupt {
            name: name.into(),
            detail: "cấu trúc bảng tính không hợp lệ".into(),
        })
    })
}

/// Back to the start of the file.
fn rewind<R: Seek>(name: &str, reader: &mut R) -> Result<(), SheetError> {
    reader
        .seek(SeekFrom::Start(0))
        .map(drop)
        .map_err(|e| SheetError::io(name, e))
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while total < buf.len() {
        let n = r.read(&mut buf[total..])?;
        if n == 0 {
            break;
        }
        total += n;
    }
    Ok(total)
}

fn xlsx_error(name: &str, e: XlsxError) -> SheetError {
    match e {
        XlsxError::Password => SheetError::Encrypted { name: name.into() },
        XlsxError::FileNotFound(_)
        | XlsxError::RelationshipNotFound
        | XlsxError::WorksheetNotFound(_) => SheetError::NotASpreadsheet { name: name.into() },
        other => SheetError::Corrupt {
            name: name.into(),
            detail: other.to_string(),
        },
    }
}

/// Refuse a zip whose shared-strings part would not fit in memory.
fn check_zip<R: Read + Seek>(name: &str, reader: &mut R) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(&mut *reader).map_err(|e| SheetError::Corrupt {
        name: name.into(),
        detail: e.to_string(),
    })?;
    if let Ok(f) = zip.by_name("xl/sharedStrings.xml") {
        if f.size() > MAX_SHARED_STRINGS {
            return Err(SheetError::TooLarge {
                name: name.into(),
                size: format!("{} chữ sau khi giải nén", human_size(f.size())),
                limit: human_size(MAX_SHARED_STRINGS),
            });
        }
    }
    drop(zip);
    rewind(name, reader)?;
    Ok(())
}

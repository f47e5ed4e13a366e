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
    let io = |e: std::io::Error| SheetError::Io {
        name: name.clone(),
        detail: e.to_string(),
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    check_size(&name, size, opts)?;
    read_from(
        &name,
        BufReader::with_capacity(1 << 16, file),
        kind,
        opts,
        progress,
    )
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
    read_from(name, Cursor::new(bytes), kind, opts, progress)
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

fn read_from<R: Read + Seek>(
    name: &str,
    mut reader: R,
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    let mut head = [0u8; 8192];
    let n = read_up_to(&mut reader, &mut head).map_err(|e| SheetError::Io {
        name: name.into(),
        detail: e.to_string(),
    })?;
    rewind(name, &mut reader)?;
    match sniff(&head[..n]) {
        Some(Format::Xlsx) => contain_panic(name, || read_xlsx(name, reader, kind, opts, progress)),
        Some(Format::Xls) => contain_panic(name, || read_xls(name, reader, kind, opts, progress)),
        Some(Format::Csv) => read_csv(name, reader, kind, opts, progress),
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
        .map_err(|e| SheetError::Io {
            name: name.into(),
            detail: e.to_string(),
        })
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

fn read_xlsx<R: Read + Seek>(
    name: &str,
    mut reader: R,
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    check_zip(name, &mut reader)?;
    // Merged regions found by scanning each worksheet's bytes (calamine
    // parses the whole worksheet for them: as long as reading its rows).
    let mut fast_merges = crate::xlsx_merges::merges_by_sheet(&mut reader);
    rewind(name, &mut reader)?;
    let mut book: Xlsx<R> = Xlsx::new(reader).map_err(|e| xlsx_error(name, e))?;
    let sheets: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut best_missing: Option<SheetError> = None;
    let mut any_data = false;
    for sheet in sheets {
        let merges: Vec<_> = match fast_merges.remove(&sheet) {
            Some(regions) => regions,
            None => book
                .merge_cells_by_sheet_name(&sheet)
                .map_err(|e| xlsx_error(name, e))?
                .into_iter()
                .map(|d| (d.start, d.end))
                .collect(),
        };
        let mut merges = Merges::new(merges.into_iter().take(100_000).collect());
        let mut cells = book
            .worksheet_cells_reader(&sheet)
            .map_err(|e| xlsx_error(name, e))?;
        let total = {
            let d = cells.dimensions();
            (d.end.0 > 0).then_some(u64::from(d.end.0) + 1)
        };
        // Two threads: this one inflates and parses the XML into rows of
        // cells, a second one turns the rows into typed rows (the domain
        // parsing), batch by batch.
        let mut formulas = 0u64;
        let stop = AtomicBool::new(false);
        let sheet_name = sheet.as_str();
        let (read, state) = std::thread::scope(|scope| {
            // Inside the scope: a panic of the reader drops the sender, so
            // the parser thread ends and the scope can join it.
            let (batches, received) = std::sync::mpsc::sync_channel::<Vec<(u32, Vec<Cell>)>>(4);
            // Batches go back to this thread once parsed: their cells are
            // freed where they were allocated (glibc's arenas lock when a
            // thread frees another's memory: 13 % of a large read went to
            // that lock) and the row vectors are used again.
            let (spent, returned) = std::sync::mpsc::channel::<Vec<(u32, Vec<Cell>)>>();
            let stop = &stop;
            let parser = scope.spawn(move || -> Result<SheetState, SheetError> {
                let mut state = SheetState::new(kind, sheet_name, opts);
                for mut batch in received {
                    for (line, cells) in &mut batch {
                        match state.push_borrowed(*line, cells) {
                            Ok(Flow::Continue) => {}
                            Ok(Flow::Stop) => {
                                stop.store(true, Ordering::Relaxed);
                                return Ok(state);
                            }
                            Err(e) => {
                                stop.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    // The reader may be done: then the batch is dropped here.
                    let _ = spent.send(batch);
                }
                Ok(state)
            });
            let read = (|| -> Result<(), SheetError> {
                let mut batch: Vec<(u32, Vec<Cell>)> = Vec::with_capacity(ROW_BATCH);
                let mut row: Vec<Cell> = Vec::new();
                let mut row_index: Option<u32> = None;
                // Emptied row vectors from the parsed batches.
                let mut spare: Vec<Vec<Cell>> = Vec::new();
                let send =
                    |batch: &mut Vec<(u32, Vec<Cell>)>, spare: &mut Vec<Vec<Cell>>| -> bool {
                        let mut next = None;
                        while let Ok(mut back) = returned.try_recv() {
                            for (_, mut cells) in back.drain(..) {
                                cells.clear();
                                if spare.len() < 8 * ROW_BATCH {
                                    spare.push(cells);
                                }
                            }
                            next.get_or_insert(back);
                        }
                        let next = next.unwrap_or_else(|| Vec::with_capacity(ROW_BATCH));
                        let full = std::mem::replace(batch, next);
                        batches.send(full).is_ok() && !stop.load(Ordering::Relaxed)
                    };
                loop {
                    let next = cells
                        .next_cell_with_formula_metadata()
                        .map_err(|e| xlsx_error(name, e))?;
                    let Some(rec) = next else { break };
                    let (r, c) = rec.pos;
                    if row_index != Some(r) {
                        if let Some(prev) = row_index {
                            merges.fill(prev, &mut row);
                            let next = spare.pop().unwrap_or_default();
                            batch.push((prev + 1, std::mem::replace(&mut row, next)));
                            if batch.len() >= ROW_BATCH && !send(&mut batch, &mut spare) {
                                return Ok(());
                            }
                            progress(u64::from(prev) + 1, total);
                        }
                        row_index = Some(r);
                    }
                    if c >= MAX_COLUMNS {
                        continue;
                    }
                    let mut cell = data_cell(rec.value);
                    if rec.formula.is_some() {
                        if cell == Cell::Empty {
                            cell = Cell::Uncomputed(cell_address(r, c));
                        } else {
                            formulas += 1;
                        }
                    }
                    merges.remember(r, c, &cell);
                    let c = c as usize;
                    if row.len() <= c {
                        row.resize(c + 1, Cell::Empty);
                    }
                    row[c] = cell;
                }
                if let Some(prev) = row_index {
                    merges.fill(prev, &mut row);
                    batch.push((prev + 1, row));
                    progress(u64::from(prev) + 1, total);
                }
                if !batch.is_empty() {
                    send(&mut batch, &mut spare);
                }
                Ok(())
            })();
            drop(batches);
            let state = parser
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (read, state)
        });
        read?;
        let state = state?;
        any_data |= state.saw_data;
        match state.finish()? {
            Found::Sheet(mut parsed) => {
                parsed.formula_cells = formulas;
                if formulas > 0 {
                    parsed.warnings.insert(
                        0,
                        Issue::new(
                            parsed.header_line,
                            None,
                            format!(
                                "{formulas} ô có công thức: đã lấy giá trị Excel đã tính và lưu trong tệp."
                            ),
                        ),
                    );
                }
                return Ok(parsed);
            }
            Found::Missing(e) => {
                best_missing.get_or_insert(e);
            }
            Found::Nothing => {}
        }
    }
    Err(no_sheet(name, kind, any_data, best_missing))
}

fn no_sheet(
    name: &str,
    kind: SheetKind,
    any_data: bool,
    missing: Option<SheetError>,
) -> SheetError {
    if let Some(e) = missing {
        return e;
    }
    if !any_data {
        return SheetError::Empty { name: name.into() };
    }
    SheetError::NoHeader {
        name: name.into(),
        what: kind.what(),
        required: kind
            .required()
            .map(|c| format!("«{}»", c.label))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn data_cell(v: DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() => Cell::Date(d.date()),
            _ => Cell::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(&s), "%Y-%m-%d")
            .map(Cell::Date)
            .unwrap_or(Cell::Text(s)),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn owned_cell(v: &calamine::Data) -> Cell {
    use calamine::Data;
    match v {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => data_cell(DataRef::DateTime(*dt)),
        Data::DateTimeIso(s) => data_cell(DataRef::DateTimeIso(s.clone())),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Merged regions: the top-left value counts in every cell of the region
/// (headers merged over two columns, a village name merged down its rows).
struct Merges {
    /// Sorted by start; `next` is the first not yet reached.
    regions: Vec<((u32, u32), (u32, u32))>,
    next: usize,
    active: Vec<((u32, u32), (u32, u32))>,
    values: HashMap<(u32, u32), Cell>,
}

impl Merges {
    fn new(mut regions: Vec<((u32, u32), (u32, u32))>) -> Merges {
        regions.sort();
        Merges {
            regions,
            next: 0,
            active: Vec::new(),
            values: HashMap::new(),
        }
    }

    fn remember(&mut self, r: u32, c: u32, cell: &Cell) {
        if self.regions.is_empty() {
            return;
        }
        if self
            .regions
            .binary_search_by(|(s, _)| s.cmp(&(r, c)))
            .is_ok()
        {
            self.values.insert((r, c), cell.clone());
        }
    }

    fn fill(&mut self, r: u32, row: &mut Vec<Cell>) {
        if self.regions.is_empty() {
            return;
        }
        while self.next < self.regions.len() && self.regions[self.next].0 .0 <= r {
            self.active.push(self.regions[self.next]);
            self.next += 1;
        }
        let values = &mut self.values;
        self.active.retain(|(start, end)| {
            let keep = end.0 >= r;
            if !keep {
                values.remove(start);
            }
            keep
        });
        for (start, end) in &self.active {
            let Some(value) = self.values.get(start) else {
                continue;
            };
            for c in start.1..=end.1.min(MAX_COLUMNS - 1) {
                if (r, c) == *start {
                    continue;
                }
                let c = c as usize;
                if row.len() <= c {
                    row.resize(c + 1, Cell::Empty);
                }
                if row[c].is_blank() {
                    row[c] = value.clone();
                }
            }
        }
    }
}

fn read_xls<R: Read + Seek>(
    name: &str,
    mut reader: R,
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    // An encrypted .xlsx is an OLE container too: calamine's XLSX reader
    // recognises it.
    if let Err(XlsxError::Password) = Xlsx::new(&mut reader) {
        return Err(SheetError::Encrypted { name: name.into() });
    }
    rewind(name, &mut reader)?;
    let mut book: Xls<R> = Xls::new(reader).map_err(|e| match e {
        calamine::XlsError::Password => SheetError::Encrypted { name: name.into() },
        other => SheetError::Corrupt {
            name: name.into(),
            detail: other.to_string(),
        },
    })?;
    let sheets: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut best_missing = None;
    let mut any_data = false;
    for sheet in sheets {
        // A .xls sheet holds at most 65,536 rows: loading it is bounded.
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| SheetError::Corrupt {
                name: name.into(),
                detail: e.to_string(),
            })?;
        let merges = book.merge_cells_by_sheet_name(&sheet).unwrap_or_default();
        let mut merges = Merges::new(merges.into_iter().map(|d| (d.start, d.end)).collect());
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let total = Some(range.height() as u64);
        let mut state = SheetState::new(kind, &sheet, opts);
        for (i, cells) in range.rows().enumerate() {
            let r = r0 + i as u32;
            let mut row = vec![Cell::Empty; c0 as usize];
            for (j, v) in cells.iter().enumerate().take(MAX_COLUMNS as usize) {
                let cell = owned_cell(v);
                merges.remember(r, c0 + j as u32, &cell);
                row.push(cell);
            }
            merges.fill(r, &mut row);
            if state.push(r + 1, row)? == Flow::Stop {
                break;
            }
            progress(i as u64 + 1, total);
        }
        any_data |= state.saw_data;
        match state.finish()? {
            Found::Sheet(parsed) => return Ok(parsed),
            Found::Missing(e) => {
                best_missing.get_or_insert(e);
            }
            Found::Nothing => {}
        }
    }
    Err(no_sheet(name, kind, any_data, best_missing))
}

fn read_csv<R: Read>(
    name: &str,
    mut reader: R,
    kind: SheetKind,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<ParsedSheet, SheetError> {
    let io = |e: std::io::Error| SheetError::Io {
        name: name.into(),
        detail: e.to_string(),
    };
    // Sniff the delimiter: Excel in a Vietnamese locale writes ';' (the
    // decimal separator is ','). Title rows above the header may hold none,
    // so take the line with the most of one kind among the first lines
    // (ties go to ',').
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut reader, &mut head).map_err(io)?;
    head.truncate(n);
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let sample: Vec<&[u8]> = body.split(|&b| b == b'\n').take(20).collect();
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| {
            sample
                .iter()
                .map(|line| line.iter().filter(|b| *b == d).count())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(b',');
    let bom = body.len() != head.len();
    let start = if bom { head[3..].to_vec() } else { head };
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Vec::<(u64, bool)>::new()));
    let chained = LineCounter {
        inner: Cursor::new(start).chain(reader),
        pos: 0,
        content: false,
        lines: lines.clone(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(chained);
    let mut state = SheetState::new(kind, "CSV", opts);
    let mut record = csv::ByteRecord::new();
    let mut line = 0u32;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(SheetError::Corrupt {
                    name: name.into(),
                    detail: e.to_string(),
                })
            }
        }
        // The csv crate's line numbers skip blank lines: count them here.
        line = match record.position() {
            Some(p) => line_at(&lines.borrow(), p.byte()),
            None => line + 1,
        };
        let mut row = Vec::with_capacity(record.len());
        for field in record.iter().take(MAX_COLUMNS as usize) {
            let text = std::str::from_utf8(field).map_err(|_| SheetError::NotUtf8 {
                name: name.into(),
                line: u64::from(line),
            })?;
            row.push(if text.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.to_string())
            });
        }
        if state.push(line, row)? == Flow::Stop {
            break;
        }
        progress(u64::from(line), None);
    }
    let saw = state.saw_data;
    match state.finish()? {
        Found::Sheet(parsed) => Ok(parsed),
        Found::Missing(e) => Err(e),
        Found::Nothing => Err(no_sheet(name, kind, saw, None)),
    }
}

/// Remembers where each line starts and whether it is blank, for exact row
/// numbers in messages (the csv crate skips blank lines when counting).
struct LineCounter<R> {
    inner: R,
    pos: u64,
    content: bool,
    lines: std::rc::Rc<std::cell::RefCell<Vec<(u64, bool)>>>,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.borrow_mut();
        if lines.is_empty() {
            lines.push((0, true));
        }
        for (i, b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    if let Some(last) = lines.last_mut() {
                        last.1 = !self.content;
                    }
                    lines.push((self.pos + i as u64 + 1, true));
                    self.content = false;
                }
                b'\r' => {}
                _ => self.content = true,
            }
        }
        if let Some(last) = lines.last_mut() {
            last.1 = !self.content;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// The 1-based line of a record starting at byte `at` (past blank lines).
fn line_at(lines: &[(u64, bool)], at: u64) -> u32 {
    let mut i = lines
        .partition_point(|(start, _)| *start <= at)
        .saturating_sub(1);
    while i + 1 < lines.len() && lines[i].1 {
        i += 1;
    }
    i as u32 + 1
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

enum Found {
    Sheet(ParsedSheet),
    Missing(SheetError),
    Nothing,
}

/// One sheet being read: rows are buffered until the header is found, then
/// parsed one by one.
struct SheetState<'a> {
    kind: SheetKind,
    sheet: String,
    opts: &'a ReadOptions,
    pending: Vec<(u32, Vec<Cell>)>,
    header: Option<Header>,
    parser: Option<RowParser>,
    rows_after_header: u64,
    missing: Option<SheetError>,
    saw_data: bool,
    numbering_checked: bool,
}

struct Header {
    line: u32,
    columns: Vec<&'static str>,
    ignored: Vec<String>,
    found: SheetHeader,
}

impl<'a> SheetState<'a> {
    fn new(kind: SheetKind, sheet: &str, opts: &'a ReadOptions) -> Self {
        SheetState {
            kind,
            sheet: sheet.to_string(),
            opts,
            pending: Vec::new(),
            header: None,
            parser: None,
            rows_after_header: 0,
            missing: None,
            saw_data: false,
            numbering_checked: false,
        }
    }

    fn push(&mut self, line: u32, mut cells: Vec<Cell>) -> Result<Flow, SheetError> {
        self.push_borrowed(line, &mut cells)
    }

    /// As [`SheetState::push`], but a data row's cells stay with the caller
    /// (taken only while the header is being looked for).
    fn push_borrowed(&mut self, line: u32, cells: &mut Vec<Cell>) -> Result<Flow, SheetError> {
        if cells.iter().all(Cell::is_blank) {
            return Ok(Flow::Continue);
        }
        self.saw_data = true;
        if let Some(parser) = &mut self.parser {
            if !self.numbering_checked {
                self.numbering_checked = true;
                if is_numbering_row(cells) {
                    return Ok(Flow::Continue);
                }
            }
            self.rows_after_header += 1;
            if self.rows_after_header > self.opts.max_rows {
                return Err(SheetError::TooManyRows {
                    sheet: self.sheet.clone(),
                    limit: toso_domain::format_int(self.opts.max_rows as i64),
                });
            }
            parser.push(line, cells);
            return Ok(Flow::Continue);
        }
        self.pending.push((line, std::mem::take(cells)));
        if self.pending.len() >= HEADER_SCAN_ROWS {
            return self.detect(true);
        }
        Ok(Flow::Continue)
    }

    /// Look for the header among the buffered rows. With `enough`, give up
    /// on this sheet when none is found.
    fn detect(&mut self, enough: bool) -> Result<Flow, SheetError> {
        match find_header(self.kind, &self.pending, &self.opts.columns) {
            HeaderSearch::Found {
                last_header,
                map,
                found,
                notes,
            } => {
                let columns = map.cols.iter().map(|(_, c)| c.label).collect();
                let line = found.line;
                self.header = Some(Header {
                    line,
                    columns,
                    ignored: found.ignored.clone(),
                    found,
                });
                let mut parser = RowParser::new(map, self.opts.today);
                for note in notes {
                    parser.warn(Issue::new(line, None, note));
                }
                self.parser = Some(parser);
                let rest: Vec<_> = self.pending.drain(..).skip(last_header + 1).collect();
                for (line, cells) in rest {
                    self.push(line, cells)?;
                }
                Ok(Flow::Continue)
            }
            HeaderSearch::Missing { missing, found } => {
                self.missing = Some(SheetError::MissingColumns {
                    sheet: self.sheet.clone(),
                    line: found.line,
                    missing,
                    header: Box::new(found),
                });
                Ok(if enough { Flow::Stop } else { Flow::Continue })
            }
            HeaderSearch::None => Ok(if enough { Flow::Stop } else { Flow::Continue }),
        }
    }

    fn finish(mut self) -> Result<Found, SheetError> {
        if self.parser.is_none() {
            self.detect(false)?;
        }
        let (Some(parser), Some(header)) = (self.parser, self.header) else {
            return Ok(match self.missing {
                Some(e) => Found::Missing(e),
                None => Found::Nothing,
            });
        };
        let (rows, errors, warnings, data_rows) = parser.finish();
        Ok(Found::Sheet(ParsedSheet {
            rows,
            errors,
            warnings,
            sheet: self.sheet,
            header_line: header.line,
            columns: header.columns,
            ignored_columns: header.ignored,
            data_rows,
            formula_cells: 0,
            header: header.found,
        }))
    }
}

/// "(1) (2) (3)…" or "1 2 3…" under a header, as official forms number
/// their columns.
fn is_numbering_row(cells: &[Cell]) -> bool {
    let mut expected = 1u32;
    let mut count = 0;
    for c in cells.iter().filter(|c| !c.is_blank()) {
        let t = c.text();
        let t = t.trim().trim_start_matches('(').trim_end_matches(')');
        match t.parse::<u32>() {
            Ok(n) if n == expected => {
                expected += 1;
                count += 1;
            }
            _ => return false,
        }
    }
    count >= 3
}

enum HeaderSearch {
    Found {
        /// Index in the buffer of the last header row (a sub-header row under
        /// merged cells counts).
        last_header: usize,
        map: ColumnMap,
        found: SheetHeader,
        /// Columns chosen by hand that are not in the sheet.
        notes: Vec<String>,
    },
    Missing {
        missing: String,
        found: SheetHeader,
    },
    None,
}

fn text_of(cells: &[Cell], i: usize) -> String {
    cells.get(i).map(Cell::text).unwrap_or_default()
}

/// The header row: the row (possibly with the sub-header row under it) that
/// names the most columns of `kind`, among those naming every required one
/// (with the columns chosen by hand, if any; at the row they were chosen
/// from, if given).
fn find_header(kind: SheetKind, rows: &[(u32, Vec<Cell>)], manual: &ManualColumns) -> HeaderSearch {
    let mut best: Option<(usize, usize, bool)> = None; // (score, index, two rows)
    let mut best_partial: Option<(usize, usize, bool, Vec<&'static str>)> = None;
    let fixed = manual
        .header
        .filter(|(line, _)| rows.iter().any(|(l, _)| l == line));
    for i in 0..rows.len() {
        for two in [false, true] {
            if two && i + 1 >= rows.len() {
                continue;
            }
            if let Some((line, fixed_two)) = fixed {
                if rows[i].0 != line || two != fixed_two {
                    continue;
                }
            } else if is_title(&rows[i].1) {
                continue;
            }
            let cols = header_columns(kind, rows, i, two, manual);
            // A two-row header needs matches of its own in both rows, and
            // never two headers stacked in one column outside a merged cell
            // (a title split at its comma above the real header).
            if fixed.is_none()
                && two
                && (cols.sub_used == 0 || cols.map.len() == cols.sub_used || cols.stacked)
            {
                continue;
            }
            let fields: Vec<_> = cols.map.iter().map(|(_, c)| c.field).collect();
            // Among rows naming as many fields, the wider one: a title
            // naming a unit ("DANH SÁCH ẤP, KHÓM" split at its comma) is
            // narrower than the header under it.
            let width = rows[i].1.iter().filter(|c| !c.is_blank()).count();
            let score = fields.len() * 1024 + width.min(1023);
            let missing: Vec<&'static str> = kind
                .required()
                .filter(|spec| !fields.contains(&spec.field))
                .map(|spec| spec.label)
                .collect();
            if missing.is_empty() {
                if best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, i, two));
                }
            } else if (fields.len() >= 2 || fixed.is_some())
                && best_partial.as_ref().is_none_or(|(s, _, _, _)| score > *s)
            {
                best_partial = Some((score, i, two, missing));
            }
        }
    }
    if let Some((_, i, two)) = best {
        let cols = header_columns(kind, rows, i, two, manual);
        let found = cols.found(rows[i].0, two);
        return HeaderSearch::Found {
            last_header: if two { i + 1 } else { i },
            map: ColumnMap::new(kind, cols.map),
            notes: cols.notes,
            found,
        };
    }
    if let Some((_, i, two, missing)) = best_partial {
        let cols = header_columns(kind, rows, i, two, manual);
        return HeaderSearch::Missing {
            missing: missing
                .iter()
                .map(|m| format!("«{m}»"))
                .collect::<Vec<_>>()
                .join(", "),
            found: cols.found(rows[i].0, two),
        };
    }
    HeaderSearch::None
}

/// A title row ("DANH SÁCH ẤP, KHÓM", "ỦY BAN NHÂN DÂN …"), which may name
/// a unit but is never the header, even split at its commas by a CSV.
fn is_title(cells: &[Cell]) -> bool {
    let Some(first) = cells.iter().find(|c| !c.is_blank()) else {
        return false;
    };
    let key = header_key(&first.text());
    [
        "danh sach ",
        "bang tong hop ",
        "bang ke ",
        "uy ban nhan dan",
        "cong hoa xa hoi",
    ]
    .iter()
    .any(|t| key.starts_with(t))
}

struct HeaderColumns {
    /// The columns taken, left to right.
    map: Vec<(usize, &'static ColumnSpec)>,
    manual: Vec<usize>,
    /// Each column's header text (both rows).
    cells: Vec<String>,
    ignored: Vec<String>,
    sub_used: usize,
    /// Two different headers one above the other in a column (not merged).
    stacked: bool,
    notes: Vec<String>,
}

impl HeaderColumns {
    fn found(&self, line: u32, two_rows: bool) -> SheetHeader {
        SheetHeader {
            line,
            two_rows,
            cells: self.cells.clone(),
            mapping: self
                .map
                .iter()
                .map(|(i, c)| MappedColumn {
                    index: *i,
                    header: self.cells.get(*i).cloned().unwrap_or_default(),
                    field: c.field,
                    label: c.label,
                    manual: self.manual.contains(i),
                })
                .collect(),
            ignored: self.ignored.clone(),
        }
    }
}

fn header_columns(
    kind: SheetKind,
    rows: &[(u32, Vec<Cell>)],
    i: usize,
    two: bool,
    manual: &ManualColumns,
) -> HeaderColumns {
    let top = &rows[i].1;
    let sub = if two { Some(&rows[i + 1].1) } else { None };
    let width = top.len().max(sub.map_or(0, |s| s.len()));
    // Every column's candidate: (column, spec, score).
    let mut candidates: Vec<(usize, &'static ColumnSpec, u32)> = Vec::new();
    let mut cells = Vec::with_capacity(width);
    let mut sub_used = 0;
    let mut stacked = false;
    for col in 0..width {
        let top_text = text_of(top, col);
        let top_match = match_header_scored(kind, &top_text);
        // A header merged over several columns repeats (the merge is filled).
        let spread = !top_text.trim().is_empty()
            && ((col > 0 && text_of(top, col - 1) == top_text)
                || text_of(top, col + 1) == top_text);
        let sub_text = sub.map(|s| text_of(s, col)).unwrap_or_default();
        let sub_match = sub.and_then(|_| match_header_scored(kind, &sub_text));
        if top_match.is_some()
            && sub_match.is_some()
            && !spread
            && header_key(&top_text) != header_key(&sub_text)
        {
            stacked = true;
        }
        let chosen = match (top_match, sub_match) {
            (Some(t), Some(s)) if spread && s.0.field != t.0.field => {
                sub_used += 1;
                Some(s)
            }
            (Some(t), _) => Some(t),
            (None, Some(s)) => {
                sub_used += 1;
                Some(s)
            }
            (None, None) => None,
        };
        let top_shown = toso_domain::clean_text(&top_text);
        let sub_shown = toso_domain::clean_text(&sub_text);
        cells.push(
            if sub_shown.is_empty() || sub_shown == top_shown || header_key(&sub_shown).is_empty() {
                top_shown
            } else if top_shown.is_empty() {
                sub_shown
            } else {
                format!("{top_shown} / {sub_shown}")
            },
        );
        if let Some((spec, score)) = chosen {
            candidates.push((col, spec, score));
        }
    }
    // Each field from its best column (the leftmost among equals).
    let mut map: Vec<(usize, &'static ColumnSpec)> = Vec::new();
    for &(col, spec, score) in &candidates {
        let better = candidates
            .iter()
            .any(|&(c, s, sc)| s.field == spec.field && (sc > score || (sc == score && c < col)));
        if !better {
            map.push((col, spec));
        }
    }
    // Then the columns chosen by hand.
    let mut manual_cols = Vec::new();
    let mut notes = Vec::new();
    if manual.only {
        map.retain(|(_, c)| manual.picks.iter().any(|(f, _)| *f == c.field));
    }
    for (field, pick) in &manual.picks {
        let Some(spec) = kind.columns().iter().find(|c| c.field == *field) else {
            continue;
        };
        map.retain(|(_, c)| c.field != *field);
        let col = match pick {
            Pick::Skip => continue,
            Pick::Index(col) => Some(*col),
            Pick::Header(h) => {
                let key = header_key(h);
                (0..width).find(|&col| {
                    [
                        text_of(top, col),
                        sub.map(|s| text_of(s, col)).unwrap_or_default(),
                    ]
                    .iter()
                    .chain(cells.get(col))
                    .any(|t| !key.is_empty() && header_key(t) == key)
                })
            }
        };
        let Some(col) = col else {
            if let Pick::Header(h) = pick {
                notes.push(format!(
                    "không có cột «{}» để lấy cho «{}»: bỏ qua.",
                    toso_domain::clean_text(h),
                    spec.label
                ));
            }
            continue;
        };
        // A column feeds one field.
        map.retain(|(c, _)| *c != col);
        map.push((col, spec));
        manual_cols.push(col);
    }
    map.sort_by_key(|(col, _)| *col);
    let mut ignored = Vec::new();
    for (col, shown) in cells.iter().enumerate() {
        if map.iter().any(|(c, _)| *c == col) || header_key(shown).is_empty() {
            continue;
        }
        let lost = candidates
            .iter()
            .find(|(c, _, _)| *c == col)
            .and_then(|(_, spec, _)| {
                map.iter()
                    .find(|(_, s)| s.field == spec.field)
                    .map(|(winner, s)| (*winner, s.label))
            });
        ignored.push(match lost {
            Some((winner, label)) => format!(
                "{shown} (đã lấy cột {} «{}» cho «{label}»)",
                crate::columns::column_letter(winner),
                cells.get(winner).map_or("", String::as_str)
            ),
            None => shown.clone(),
        });
    }
    HeaderColumns {
        map,
        manual: manual_cols,
        cells,
        ignored,
        sub_used,
        stacked,
        notes,
    }
}

//! The per-format readers: XLSX (streamed cell by cell, merged cells from the
//! worksheet's tail), XLS and CSV (encoding, delimiter, line numbers), each
//! feeding rows to the sheet state.

use super::*;

pub(super) fn read_xlsx<R: Read + Seek>(
    job: Job,
    mut reader: R,
) -> Result<ParsedSheet, SheetError> {
    let (name, kind, opts, progress) = (job.name, job.kind, job.opts, job.progress);
    check_zip(name, &mut reader)?;
    // Merged regions found by scanning each worksheet's bytes (calamine
    // parses the whole worksheet for them: as long as reading its rows).
    let mut fast_merges = crate::xlsx_merges::merges_by_sheet(&mut reader);
    rewind(name, &mut reader)?;
    let mut book: Xlsx<R> = Xlsx::new(reader).map_err(|e| xlsx_error(name, e))?;
    let sheets = visible_worksheets(book.sheets_metadata());
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

pub(super) fn no_sheet(
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

pub(super) fn data_cell(v: DataRef<'_>) -> Cell {
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

pub(super) fn owned_cell(v: &calamine::Data) -> Cell {
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
pub(super) struct Merges {
    /// Sorted by start; `next` is the first not yet reached.
    regions: Vec<((u32, u32), (u32, u32))>,
    next: usize,
    active: Vec<((u32, u32), (u32, u32))>,
    values: HashMap<(u32, u32), Cell>,
}

impl Merges {
    pub(super) fn new(mut regions: Vec<((u32, u32), (u32, u32))>) -> Merges {
        regions.sort();
        Merges {
            regions,
            next: 0,
            active: Vec::new(),
            values: HashMap::new(),
        }
    }

    pub(super) fn remember(&mut self, r: u32, c: u32, cell: &Cell) {
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

    pub(super) fn fill(&mut self, r: u32, row: &mut Vec<Cell>) {
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

/// The names of a workbook's visible worksheets (not its charts, not its
/// hidden sheets), in the workbook's order.
fn visible_worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect()
}

pub(super) fn read_xls<R: Read + Seek>(job: Job, mut reader: R) -> Result<ParsedSheet, SheetError> {
    let (name, kind, opts, progress) = (job.name, job.kind, job.opts, job.progress);
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
    let sheets = visible_worksheets(book.sheets_metadata());
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

pub(super) fn read_csv<R: Read>(job: Job, mut reader: R) -> Result<ParsedSheet, SheetError> {
    let (name, kind, opts, progress) = (job.name, job.kind, job.opts, job.progress);
    let io = |e| SheetError::io(name, e);
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
pub(super) struct LineCounter<R> {
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
pub(super) fn line_at(lines: &[(u64, bool)], at: u64) -> u32 {
    let mut i = lines
        .partition_point(|(start, _)| *start <= at)
        .saturating_sub(1);
    while i + 1 < lines.len() && lines[i].1 {
        i += 1;
    }
    i as u32 + 1
}

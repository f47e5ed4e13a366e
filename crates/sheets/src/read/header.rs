//! Finding the header of a sheet (title rows, two-row headers, numbering
//! rows, the columns chosen by hand) and the state of a sheet being read.

use super::*;

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    Stop,
}

pub(super) enum Found {
    Sheet(ParsedSheet),
    Missing(SheetError),
    Nothing,
}

/// One sheet being read: rows are buffered until the header is found, then
/// parsed one by one.
pub(super) struct SheetState<'a> {
    kind: SheetKind,
    sheet: String,
    opts: &'a ReadOptions,
    pending: Vec<(u32, Vec<Cell>)>,
    header: Option<Header>,
    parser: Option<RowParser>,
    rows_after_header: u64,
    missing: Option<SheetError>,
    pub(super) saw_data: bool,
    numbering_checked: bool,
}

pub(super) struct Header {
    line: u32,
    columns: Vec<&'static str>,
    ignored: Vec<String>,
    found: SheetHeader,
}

impl<'a> SheetState<'a> {
    pub(super) fn new(kind: SheetKind, sheet: &str, opts: &'a ReadOptions) -> Self {
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

    pub(super) fn push(&mut self, line: u32, mut cells: Vec<Cell>) -> Result<Flow, SheetError> {
        self.push_borrowed(line, &mut cells)
    }

    /// As [`SheetState::push`], but a data row's cells stay with the caller
    /// (taken only while the header is being looked for).
    pub(super) fn push_borrowed(
        &mut self,
        line: u32,
        cells: &mut Vec<Cell>,
    ) -> Result<Flow, SheetError> {
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
    pub(super) fn detect(&mut self, enough: bool) -> Result<Flow, SheetError> {
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

    pub(super) fn finish(mut self) -> Result<Found, SheetError> {
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
pub(super) fn is_numbering_row(cells: &[Cell]) -> bool {
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

pub(super) enum HeaderSearch {
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

pub(super) fn text_of(cells: &[Cell], i: usize) -> String {
    cells.get(i).map(Cell::text).unwrap_or_default()
}

/// The header row: the row (possibly with the sub-header row under it) that
/// names the most columns of `kind`, among those naming every required one
/// (with the columns chosen by hand, if any; at the row they were chosen
/// from, if given).
pub(super) fn find_header(
    kind: SheetKind,
    rows: &[(u32, Vec<Cell>)],
    manual: &ManualColumns,
) -> HeaderSearch {
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
pub(super) fn is_title(cells: &[Cell]) -> bool {
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

pub(super) struct HeaderColumns {
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
    pub(super) fn found(&self, line: u32, two_rows: bool) -> SheetHeader {
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

pub(super) fn header_columns(
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

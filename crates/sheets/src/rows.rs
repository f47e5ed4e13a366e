//! Typed rows: what a sheet's data rows become once every cell has been
//! parsed by the domain types, and the problems found on the way, by row and
//! column.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use toso_domain::{
    clean_text, fold, Affiliation, BirthYear, DocumentKind, DocumentNumber, DomainError, Gender,
    Name, PersonName, PhoneNumber, Role, TeamKind, VillageKind, ZaloGroupLink,
};

use crate::cell::Cell;
use crate::columns::{ColumnSpec, Field, SheetHeader, SheetKind};

mod duty;
pub use duty::DutyDayRow;

/// A problem of one row (and, where known, one column), in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// Row number as Excel shows it (1-based).
    pub line: u32,
    /// The column's header as in the template ("Số điện thoại").
    pub column: Option<&'static str>,
    pub message: String,
}

impl Issue {
    pub fn new(line: u32, column: Option<&'static str>, message: impl Into<String>) -> Issue {
        Issue {
            line,
            column,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Issue {
    /// `Dòng 7, cột «Số điện thoại»: Số điện thoại «12345» không hợp lệ: …`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(c) => write!(f, "Dòng {}, cột «{}»: {}", self.line, c, self.message),
            None => write!(f, "Dòng {}: {}", self.line, self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VillageRow {
    pub line: u32,
    pub name: Name,
    /// Given in the sheet, else guessed from the name ("Thôn …", "Tổ dân phố …").
    pub kind: VillageKind,
    pub kind_given: bool,
    pub active_from: Option<NaiveDate>,
    /// A village that no longer exists (exported history): never created.
    pub active_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    pub line: u32,
    pub village: Arc<str>,
    pub name: Option<Name>,
    pub established_on: Option<NaiveDate>,
    /// A dissolved team (exported history): left as it is.
    pub dissolved_on: Option<NaiveDate>,
    pub decision: Option<DocumentNumber>,
    pub zalo: Option<ZaloGroupLink>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub line: u32,
    pub village: Arc<str>,
    pub full_name: PersonName,
    pub birth_year: Option<BirthYear>,
    pub gender: Option<Gender>,
    /// None when the cell is empty: an existing member keeps theirs, a new
    /// one gets «Khác».
    pub affiliation: Option<Affiliation>,
    /// None when the cell is empty: an existing member keeps theirs, a new
    /// one is «Thành viên».
    pub role: Option<Role>,
    pub phone: Option<PhoneNumber>,
    pub started_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    pub line: u32,
    pub kind: DocumentKind,
    pub number: DocumentNumber,
    pub issued_on: NaiveDate,
    pub issuer: Name,
    pub subject: Name,
}

/// The typed rows of one sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Villages(Vec<VillageRow>),
    Teams(Vec<TeamRow>),
    Members(Vec<MemberRow>),
    Documents(Vec<DocumentRow>),
    DutyDays(Vec<DutyDayRow>),
}

impl Rows {
    pub fn empty(kind: SheetKind) -> Rows {
        match kind {
            SheetKind::Villages => Rows::Villages(Vec::new()),
            SheetKind::Teams => Rows::Teams(Vec::new()),
            SheetKind::Members => Rows::Members(Vec::new()),
            SheetKind::Documents => Rows::Documents(Vec::new()),
            SheetKind::DutyDays => Rows::DutyDays(Vec::new()),
        }
    }

    pub fn kind(&self) -> SheetKind {
        match self {
            Rows::Villages(_) => SheetKind::Villages,
            Rows::Teams(_) => SheetKind::Teams,
            Rows::Members(_) => SheetKind::Members,
            Rows::Documents(_) => SheetKind::Documents,
            Rows::DutyDays(_) => SheetKind::DutyDays,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Villages(v) => v.len(),
            Rows::Teams(v) => v.len(),
            Rows::Members(v) => v.len(),
            Rows::Documents(v) => v.len(),
            Rows::DutyDays(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A sheet read and parsed: the rows that parsed, and every problem.
#[derive(Debug, Clone)]
pub struct ParsedSheet {
    pub rows: Rows,
    /// Rows that cannot be imported, by row and column.
    pub errors: Vec<Issue>,
    /// What was read but deserves a look (an affiliation mapped to «Khác»,
    /// a row skipped as a section heading, a cached formula value…).
    pub warnings: Vec<Issue>,
    pub sheet: String,
    /// Row number of the header (1-based).
    pub header_line: u32,
    /// The template labels of the columns found.
    pub columns: Vec<&'static str>,
    /// Headers not recognised (their columns are ignored).
    pub ignored_columns: Vec<String>,
    /// Data rows read (including the ones with errors).
    pub data_rows: u64,
    /// Cells whose formula was replaced by the value Excel computed.
    pub formula_cells: u64,
    /// The header row: which sheet column was taken for which field, and
    /// every column's header (for choosing columns by hand).
    pub header: SheetHeader,
}

/// Where each field's cell is in a row.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    pub kind: SheetKind,
    pub(crate) cols: Vec<(usize, &'static ColumnSpec)>,
}

impl ColumnMap {
    pub fn new(kind: SheetKind, cols: Vec<(usize, &'static ColumnSpec)>) -> ColumnMap {
        ColumnMap { kind, cols }
    }

    fn get<'a>(&self, cells: &'a [Cell], field: Field) -> Option<(&'a Cell, &'static str)> {
        self.cols
            .iter()
            .find(|(_, c)| c.field == field)
            .map(|(i, c)| (cells.get(*i).unwrap_or(&Cell::Empty), c.label))
    }

    pub fn has(&self, field: Field) -> bool {
        self.cols.iter().any(|(_, c)| c.field == field)
    }
}

/// Turns raw rows into typed rows, collecting issues.
pub struct RowParser {
    map: ColumnMap,
    today: NaiveDate,
    villages: HashMap<String, Arc<str>>,
    memo: std::cell::RefCell<Memo>,
    pub(crate) rows: Rows,
    pub(crate) errors: Vec<Issue>,
    pub(crate) warnings: Vec<Issue>,
    pub(crate) data_rows: u64,
}

/// Keep at most this many issues of each sort (the counts stay exact).
pub const MAX_ISSUES: usize = 10_000;

/// Distinct cell texts remembered per memoized column.
const MEMO_MAX: usize = 4096;

/// The values of the vocabulary columns and the village names already
/// parsed, by their cell text: a roster repeats a handful of each on every
/// row, and parsing folds the text (Unicode decomposition) every time.
#[derive(Default)]
struct Memo {
    roles: HashMap<String, Role>,
    affiliations: HashMap<String, (Affiliation, bool)>,
    genders: HashMap<String, Gender>,
    villages: HashMap<String, Arc<str>>,
}

/// `parse` of the cell's text, remembered in `map` for text cells.
fn memoized<T: Clone>(
    map: &mut HashMap<String, T>,
    cell: &Cell,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Result<T, DomainError> {
    let Cell::Text(text) = cell else {
        return parse(&cell.text());
    };
    if let Some(v) = map.get(text.as_str()) {
        return Ok(v.clone());
    }
    let v = parse(text)?;
    if map.len() < MEMO_MAX {
        map.insert(text.clone(), v.clone());
    }
    Ok(v)
}

impl RowParser {
    pub fn new(map: ColumnMap, today: NaiveDate) -> RowParser {
        let rows = Rows::empty(map.kind);
        RowParser {
            map,
            today,
            villages: HashMap::new(),
            memo: Default::default(),
            rows,
            errors: Vec::new(),
            warnings: Vec::new(),
            data_rows: 0,
        }
    }

    pub fn warn(&mut self, issue: Issue) {
        if self.warnings.len() < MAX_ISSUES {
            self.warnings.push(issue);
        }
    }

    fn error(&mut self, issue: Issue) {
        if self.errors.len() < MAX_ISSUES {
            self.errors.push(issue);
        }
    }

    /// Parse one data row (`line` is 1-based). Blank rows, footers and
    /// section headings are skipped.
    pub fn push(&mut self, line: u32, cells: &[Cell]) {
        let nonblank: Vec<&Cell> = cells.iter().filter(|c| !c.is_blank()).collect();
        if nonblank.is_empty() {
            return;
        }
        let kind = self.map.kind;
        let required_blank = kind.required().all(|spec| {
            self.map
                .get(cells, spec.field)
                .is_none_or(|(c, _)| c.is_blank())
        });
        let stt_blank = self
            .map
            .get(cells, Field::Stt)
            .is_none_or(|(c, _)| c.is_blank());
        let key_blank = kind.required().next().is_none_or(|spec| {
            self.map
                .get(cells, spec.field)
                .is_none_or(|(c, _)| c.is_blank())
        });
        if !required_blank && key_blank && stt_blank {
            // Neither a row number nor the record's name: a signature block
            // or a note under the list.
            self.warn(Issue::new(
                line,
                None,
                format!(
                    "bỏ qua dòng «{}» (không phải dòng dữ liệu: không có STT và {}).",
                    nonblank
                        .iter()
                        .map(|c| clean_text(&c.text()))
                        .collect::<Vec<_>>()
                        .join(" | "),
                    kind.required()
                        .next()
                        .map_or("", |c| c.label)
                        .to_lowercase()
                ),
            ));
            return;
        }
        if required_blank || (nonblank.len() == 1 && kind.required().count() >= 2) {
            if nonblank.len() == 1 {
                // "I. THÔN HẢI SƠN", "Tổng cộng: 58", a signature line.
                self.warn(Issue::new(
                    line,
                    None,
                    format!(
                        "bỏ qua dòng «{}» (không phải dòng dữ liệu).",
                        clean_text(&nonblank[0].text())
                    ),
                ));
                return;
            }
            if stt_blank {
                // A footer or signature block spread over a few cells.
                return;
            }
        }
        // A header repeated on every printed page. (The required cells are
        // tested first: on a data row the first of them already answers,
        // without matching every text cell against the headers.)
        let stt_number = matches!(self.map.get(cells, Field::Stt), Some((Cell::Number(_), _)));
        if !stt_number
            && required_blank_or_header(&self.map, cells)
            && cells
                .iter()
                .filter(|c| {
                    matches!(c, Cell::Text(t) if crate::columns::match_header(kind, t).is_some())
                })
                .count()
                >= 2
        {
            return;
        }
        self.data_rows += 1;
        let mut bad: Vec<Issue> = Vec::new();
        match kind {
            SheetKind::Villages => {
                if let Some(row) = self.village_row(line, cells, &mut bad) {
                    if let Rows::Villages(v) = &mut self.rows {
                        v.push(row)
                    }
                }
            }
            SheetKind::Teams => {
                if let Some(row) = self.team_row(line, cells, &mut bad) {
                    if let Rows::Teams(v) = &mut self.rows {
                        v.push(row)
                    }
                }
            }
            SheetKind::Members => {
                if let Some(row) = self.member_row(line, cells, &mut bad) {
                    if let Rows::Members(v) = &mut self.rows {
                        v.push(row)
                    }
                }
            }
            SheetKind::Documents => {
                if let Some(row) = self.document_row(line, cells, &mut bad) {
                    if let Rows::Documents(v) = &mut self.rows {
                        v.push(row)
                    }
                }
            }
            SheetKind::DutyDays => {
                if let Some(row) = self.duty_day_row(line, cells, &mut bad) {
                    if let Rows::DutyDays(v) = &mut self.rows {
                        v.push(row)
                    }
                }
            }
        }
        for issue in bad {
            self.error(issue);
        }
    }

    /// Parse a field with `f`; an error becomes an issue naming the column.
    fn field<T>(
        &self,
        line: u32,
        cells: &[Cell],
        field: Field,
        bad: &mut Vec<Issue>,
        f: impl FnOnce(&Cell) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        match self.map.get(cells, field) {
            None => Some(None),
            Some((cell, _)) if cell.is_blank() => Some(None),
            Some((Cell::Error(e), label)) => {
                bad.push(Issue::new(
                    line,
                    Some(label),
                    format!("ô có lỗi công thức {e}: sửa trong Excel rồi nhập lại."),
                ));
                None
            }
            Some((Cell::Uncomputed(at), label)) => {
                bad.push(Issue::new(
                    line,
                    Some(label),
                    format!(
                        "ô {at} chứa công thức chưa có giá trị tính sẵn: mở tệp bằng Excel và lưu lại \
                         (để Excel tính công thức), hoặc thay công thức bằng giá trị."
                    ),
                ));
                None
            }
            Some((cell, label)) => match f(cell) {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    bad.push(Issue::new(line, Some(label), e.message));
                    None
                }
            },
        }
    }

    fn required<T>(
        &self,
        line: u32,
        cells: &[Cell],
        field: Field,
        bad: &mut Vec<Issue>,
        f: impl FnOnce(&Cell) -> Result<T, DomainError>,
    ) -> Option<T> {
        match self.field(line, cells, field, bad, f) {
            Some(Some(v)) => Some(v),
            Some(None) => {
                let label = self
                    .map
                    .kind
                    .columns()
                    .iter()
                    .find(|c| c.field == field)
                    .map_or("", |c| c.label);
                bad.push(Issue::new(
                    line,
                    Some(label),
                    format!("{label} không được để trống."),
                ));
                None
            }
            None => None,
        }
    }

    fn village_name(&mut self, name: Name) -> Arc<str> {
        let key = village_key(name.as_str());
        self.villages
            .entry(key)
            .or_insert_with(|| Arc::from(name.as_str()))
            .clone()
    }

    /// The row's village (required), one shared name per village.
    fn village_cell(
        &mut self,
        line: u32,
        cells: &[Cell],
        bad: &mut Vec<Issue>,
    ) -> Option<Arc<str>> {
        let text = match self.map.get(cells, Field::VillageName) {
            Some((Cell::Text(t), _)) => Some(t),
            _ => None,
        };
        if let Some(v) = text.and_then(|t| self.memo.borrow().villages.get(t.as_str()).cloned()) {
            return Some(v);
        }
        let name = self.required(line, cells, Field::VillageName, bad, |c| {
            Name::village(&c.text_cow())
        })?;
        let village = self.village_name(name);
        let mut memo = self.memo.borrow_mut();
        if let Some(t) = text {
            if memo.villages.len() < MEMO_MAX {
                memo.villages.insert(t.clone(), village.clone());
            }
        }
        Some(village)
    }

    fn village_row(
        &mut self,
        line: u32,
        cells: &[Cell],
        bad: &mut Vec<Issue>,
    ) -> Option<VillageRow> {
        let name = self.required(line, cells, Field::VillageName, bad, |c| {
            Name::village(&c.text_cow())
        });
        let kind = self.field(line, cells, Field::VillageKind, bad, |c| {
            VillageKind::parse(&c.text(), "village_kind")
        });
        let from = self.field(line, cells, Field::ActiveFrom, bad, |c| {
            c.date("active_from", "Ngày bắt đầu hoạt động")
        });
        let until = self.field(line, cells, Field::ActiveUntil, bad, |c| {
            c.date("active_until", "Ngày ngừng hoạt động")
        });
        let name = name?;
        let kind = kind?;
        Some(VillageRow {
            line,
            kind: kind.unwrap_or_else(|| guess_village_kind(name.as_str())),
            kind_given: kind.is_some(),
            name,
            active_from: from?,
            active_until: until?,
        })
    }

    fn team_row(&mut self, line: u32, cells: &[Cell], bad: &mut Vec<Issue>) -> Option<TeamRow> {
        let kind = self.field(line, cells, Field::TeamKind, bad, |c| {
            TeamKind::parse(&c.text(), "team_kind")
        });
        if let Some(Some(TeamKind::QuickResponse)) = kind {
            self.warn(Issue::new(
                line,
                None,
                "bỏ qua Đội hỗ trợ chuyển đổi số phản ứng nhanh: đội này nhập trên trang của xã, không nhập từ bảng tính.",
            ));
            return None;
        }
        let village = self.village_cell(line, cells, bad);
        let name = self.field(line, cells, Field::TeamName, bad, |c| Name::team(&c.text()));
        let est = self.field(line, cells, Field::EstablishedOn, bad, |c| {
            c.date("established_on", "Ngày thành lập")
        });
        let dis = self.field(line, cells, Field::DissolvedOn, bad, |c| {
            c.date("dissolved_on", "Ngày giải thể")
        });
        let decision = self.field(line, cells, Field::Decision, bad, |c| {
            DocumentNumber::parse(&c.text())
        });
        let zalo = self.field(line, cells, Field::Zalo, bad, |c| {
            ZaloGroupLink::parse(&c.text())
        });
        let village = village?;
        Some(TeamRow {
            line,
            village,
            name: name?,
            established_on: est?,
            dissolved_on: dis?,
            decision: decision?,
            zalo: zalo?,
        })
    }

    fn member_row(&mut self, line: u32, cells: &[Cell], bad: &mut Vec<Issue>) -> Option<MemberRow> {
        let today = self.today;
        let name = self.required(line, cells, Field::FullName, bad, |c| {
            PersonName::parse(&c.text_cow())
        });
        let village = self.village_cell(line, cells, bad);
        let mut birth = self.field(line, cells, Field::BirthYear, bad, |c| {
            BirthYear::parse(&c.year_text(), today)
        });
        let mut gender = self.field(line, cells, Field::Gender, bad, |c| {
            memoized(&mut self.memo.borrow_mut().genders, c, |t| {
                Gender::parse(t, "gender")
            })
        });
        // "Năm sinh" split into "Nam" / "Nữ" columns.
        for (field, g) in [
            (Field::BirthYearMale, Gender::Nam),
            (Field::BirthYearFemale, Gender::Nu),
        ] {
            if let Some(Some(year)) = self.field(line, cells, field, bad, |c| {
                BirthYear::parse(&c.year_text(), today)
            }) {
                if matches!(birth, Some(None)) {
                    birth = Some(Some(year));
                }
                if matches!(gender, Some(None)) {
                    gender = Some(Some(g));
                }
            }
        }
        let mut warn = None;
        let affiliation = self.field(line, cells, Field::Affiliation, bad, |c| {
            let (a, exact) = memoized(&mut self.memo.borrow_mut().affiliations, c, |t| {
                Ok(map_affiliation(t))
            })?;
            if !exact && a == Affiliation::Khac {
                warn = Some(Issue::new(
                    line,
                    Some("Chức vụ / đơn vị"),
                    format!(
                        "«{}» không thuộc danh mục chức vụ / đơn vị: ghi là «Khác».",
                        clean_text(&c.text())
                    ),
                ));
            }
            Ok(a)
        });
        if let Some(w) = warn {
            self.warn(w);
        }
        let role = self.field(line, cells, Field::Role, bad, |c| {
            memoized(&mut self.memo.borrow_mut().roles, c, map_role)
        });
        let phone = self.field(line, cells, Field::Phone, bad, |c| {
            PhoneNumber::parse_lenient(&c.text_cow())
        });
        let started = self.field(line, cells, Field::StartedOn, bad, |c| {
            c.date("started_on", "Ngày tham gia")
        });
        let village = village?;
        Some(MemberRow {
            line,
            village,
            full_name: name?,
            birth_year: birth?,
            gender: gender?,
            affiliation: affiliation?,
            role: role?,
            phone: phone?,
            started_on: started?,
        })
    }

    fn document_row(
        &mut self,
        line: u32,
        cells: &[Cell],
        bad: &mut Vec<Issue>,
    ) -> Option<DocumentRow> {
        let kind = self.required(line, cells, Field::DocumentKind, bad, |c| {
            DocumentKind::parse(&c.text(), "document_kind")
        });
        let number = self.required(line, cells, Field::DocumentNumber, bad, |c| {
            DocumentNumber::parse(&c.text())
        });
        let issued = self.required(line, cells, Field::IssuedOn, bad, |c| {
            c.date("issued_on", "Ngày ban hành")
        });
        let issuer = self.required(line, cells, Field::Issuer, bad, |c| Name::issuer(&c.text()));
        let subject = self.required(line, cells, Field::Subject, bad, |c| {
            Name::subject(&c.text())
        });
        Some(DocumentRow {
            line,
            kind: kind?,
            number: number?,
            issued_on: issued?,
            issuer: issuer?,
            subject: subject?,
        })
    }

    /// The typed rows and issues.
    pub fn finish(self) -> (Rows, Vec<Issue>, Vec<Issue>, u64) {
        (self.rows, self.errors, self.warnings, self.data_rows)
    }
}

fn required_blank_or_header(map: &ColumnMap, cells: &[Cell]) -> bool {
    map.kind.required().all(|spec| {
        map.get(cells, spec.field).is_none_or(|(c, _)| {
            c.is_blank()
                || matches!(c, Cell::Text(t) if crate::columns::match_header(map.kind, t).is_some())
        })
    })
}

/// The key a village is matched by within a commune: the Vietnamese fold of
/// its name with the usual abbreviations spelled out ("TDP 1" and "Tổ dân
/// phố 1" are the same village; likewise KP, KDC, TDC).
pub fn village_key(name: &str) -> String {
    let f = fold(name);
    for (abbr, full) in [
        ("tdp", "to dan pho"),
        ("tdp.", "to dan pho"),
        ("kp", "khu pho"),
        ("kp.", "khu pho"),
        ("kdc", "khu dan cu"),
        ("kdc.", "khu dan cu"),
        ("tdc", "to dan cu"),
        ("tdc.", "to dan cu"),
    ] {
        if let Some(rest) = f.strip_prefix(abbr) {
            if rest.starts_with(' ') || rest.starts_with(|c: char| c.is_ascii_digit()) {
                return format!("{full} {}", rest.trim_start());
            }
        }
    }
    f
}

/// The kind of a village from the first words of its name: "Thôn Hải Sơn" →
/// Thôn, "Tổ dân phố 1" / "TDP 1" → Tổ dân phố, "Ấp Tân Lập" → Ấp, "Buôn
/// Đôn" → Buôn, "Plei Ơi" → Plei, "Sóc Ruộng" → Sóc, "Khu dân cư số 2" → Khu
/// dân cư, "Khu 3" / "Khu vực 3" → Khu; otherwise «Khác».
pub fn guess_village_kind(name: &str) -> VillageKind {
    let key = village_key(name);
    // Longer names first: "khu pho" before "khu".
    let prefixes: &[(&str, VillageKind)] = &[
        ("thon", VillageKind::Thon),
        ("to dan pho", VillageKind::ToDanPho),
        ("to dan cu", VillageKind::ToDanCu),
        ("khu pho", VillageKind::KhuPho),
        ("khu dan cu", VillageKind::KhuDanCu),
        ("khu vuc", VillageKind::Khu),
        ("khu", VillageKind::Khu),
        ("ap", VillageKind::Ap),
        ("ban", VillageKind::Ban),
        ("xom", VillageKind::Xom),
        ("khom", VillageKind::Khom),
        ("buon", VillageKind::Buon),
        // The M'nông of Đắk Nông write "bon".
        ("bon", VillageKind::Buon),
        ("lang", VillageKind::Lang),
        ("plei", VillageKind::Plei),
        ("ploi", VillageKind::Plei),
        ("soc", VillageKind::Soc),
    ];
    prefixes
        .iter()
        .find(|(p, _)| {
            key.strip_prefix(p).is_some_and(|rest| {
                rest.starts_with(' ') || rest.starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .map_or(VillageKind::Khac, |(_, k)| *k)
}

/// A role from the labels of the vocabulary or the usual short forms
/// ("TT", "Tổ viên").
pub fn map_role(text: &str) -> Result<Role, DomainError> {
    match header_words(text).as_str() {
        "tt" => return Ok(Role::ToTruong),
        "tp" => return Ok(Role::ToPho),
        "tv" | "to vien" | "uy vien" | "thanh vien to" => return Ok(Role::ThanhVien),
        _ => {}
    }
    Role::parse(text, "role")
}

fn header_words(text: &str) -> String {
    crate::columns::header_key(text)
}

/// An affiliation from the vocabulary's labels, else from the words of the
/// post ("Chi hội trưởng Hội Phụ nữ" → Hội Phụ nữ, "Công an viên" → Công an).
/// Returns whether the text was an exact label; text matching nothing gives
/// «Khác» (the importer warns).
pub fn map_affiliation(text: &str) -> (Affiliation, bool) {
    if let Ok(a) = Affiliation::parse(text, "affiliation") {
        return (a, true);
    }
    let key = format!(" {} ", header_words(text));
    let rules: &[(&[&str], Affiliation)] = &[
        (&[" bi thu chi bo "], Affiliation::BiThuChiBo),
        (
            &[
                " truong thon ",
                " truong tdp ",
                " to truong tdp ",
                " to truong to dan pho ",
                " truong khu ",
                " truong ap ",
                " truong ban ",
                " truong xom ",
            ],
            Affiliation::TruongThon,
        ),
        (&[" cong an "], Affiliation::CongAn),
        (
            &[" phu nu ", " hoi pn ", " chi hoi pn "],
            Affiliation::HoiPn,
        ),
        (&[" nong dan ", " hoi nd "], Affiliation::HoiNd),
        (&[" cuu chien binh ", " ccb "], Affiliation::HoiCcb),
        (&[" mat tran ", " mttq "], Affiliation::Mttq),
        (
            &[
                " doan thanh nien ",
                " chi doan ",
                " doan tn ",
                " thanh nien ",
                " doan vien ",
            ],
            Affiliation::DoanTn,
        ),
        (&[" uy tin "], Affiliation::NguoiCoUyTin),
        (
            &[
                " vien thong ",
                " viettel ",
                " vnpt ",
                " mobifone ",
                " vietnamobile ",
            ],
            Affiliation::DoanhNghiepVienThong,
        ),
    ];
    for (words, a) in rules {
        if words.iter().any(|w| key.contains(w)) {
            return (*a, false);
        }
    }
    (Affiliation::Khac, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affiliations_from_posts() {
        assert_eq!(
            map_affiliation("Trưởng thôn"),
            (Affiliation::TruongThon, true)
        );
        assert_eq!(
            map_affiliation("truong thon"),
            (Affiliation::TruongThon, true)
        );
        assert_eq!(
            map_affiliation("Chi hội trưởng Hội Phụ nữ").0,
            Affiliation::HoiPn
        );
        assert_eq!(map_affiliation("Bí thư chi đoàn").0, Affiliation::DoanTn);
        assert_eq!(
            map_affiliation("Bí thư Chi bộ, Trưởng thôn").0,
            Affiliation::BiThuChiBo
        );
        assert_eq!(map_affiliation("Công an viên").0, Affiliation::CongAn);
        assert_eq!(
            map_affiliation("Nhân viên Viettel").0,
            Affiliation::DoanhNghiepVienThong
        );
        assert_eq!(map_affiliation("Giáo viên"), (Affiliation::Khac, false));
        assert_eq!(map_affiliation("Khác"), (Affiliation::Khac, true));
    }

    #[test]
    fn roles() {
        assert_eq!(map_role("Tổ trưởng").unwrap(), Role::ToTruong);
        assert_eq!(map_role("TT").unwrap(), Role::ToTruong);
        assert_eq!(map_role("to pho").unwrap(), Role::ToPho);
        assert_eq!(map_role("Tổ viên").unwrap(), Role::ThanhVien);
        let e = map_role("Trưởng ban").unwrap_err();
        assert!(e.message.contains("«Trưởng ban»"));
    }

    #[test]
    fn village_keys_and_kinds() {
        assert_eq!(village_key("TDP 1"), village_key("Tổ dân phố 1"));
        assert_eq!(village_key("TDP1"), "to dan pho 1");
        assert_eq!(village_key("  Thôn  Hải Sơn"), "thon hai son");
        assert_eq!(guess_village_kind("Thôn Hải Sơn"), VillageKind::Thon);
        assert_eq!(guess_village_kind("TDP 3"), VillageKind::ToDanPho);
        assert_eq!(guess_village_kind("Ấp Bình Hòa"), VillageKind::Ap);
        assert_eq!(guess_village_kind("Hải Sơn"), VillageKind::Khac);
        assert_eq!(village_key("KDC 2"), village_key("Khu dân cư 2"));
        for (name, kind) in [
            ("Ấp Tân Lập", VillageKind::Ap),
            ("Buôn Đôn", VillageKind::Buon),
            ("Bon Bu Prăng", VillageKind::Buon),
            ("Plei Ơi", VillageKind::Plei),
            ("Sóc Ruộng", VillageKind::Soc),
            ("Khóm 3", VillageKind::Khom),
            ("Xóm Đình", VillageKind::Xom),
            ("Làng Chăm", VillageKind::Lang),
            ("Bản Mồ", VillageKind::Ban),
            ("Khu phố 5", VillageKind::KhuPho),
            ("KP 5", VillageKind::KhuPho),
            ("Khu dân cư số 2", VillageKind::KhuDanCu),
            ("KDC 2", VillageKind::KhuDanCu),
            ("Tổ dân cư 7", VillageKind::ToDanCu),
            ("Khu 3", VillageKind::Khu),
            ("Khu vực 3", VillageKind::Khu),
            ("TDP 3", VillageKind::ToDanPho),
            ("Thôn3", VillageKind::Thon),
            ("Khuê Trung", VillageKind::Khac),
            ("Apple", VillageKind::Khac),
            ("Thống Nhất", VillageKind::Khac),
        ] {
            assert_eq!(guess_village_kind(name), kind, "{name}");
        }
    }
}

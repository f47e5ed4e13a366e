//! What each kind of sheet holds: its columns, their Vietnamese headers and
//! the spellings of those headers met in real files — and how a header is
//! recognised by meaning rather than by one spelling.
//!
//! A header is matched in three ways, best first: a known spelling
//! ([`ColumnSpec::variants`], after [`header_key`]); the words of a field's
//! concept covering the whole header ("Tên thôn, xóm", "Thôn/Ấp/Bản", "Địa
//! bàn (thôn, tổ dân phố)", "SĐT liên hệ (Zalo)"), where the words for the
//! unit below the commune — thôn, xóm, làng, ấp, bản, buôn, bon, plei, sóc,
//! khóm, khu phố, khu dân cư, tổ dân phố, tổ dân cư, khu, địa bàn — all name
//! the village column; and a known spelling once a note in brackets is set
//! aside ("Năm sinh (ghi 4 chữ số)"). Every word of the header must be
//! accounted for, so "Tổ trưởng" is not "Tổ dân phố" and "Khu vực" (a region
//! as often as a unit) is not "Khu". Two fields that read the same header
//! equally well leave it unmatched rather than guess.

use std::collections::HashSet;
use std::sync::OnceLock;

use toso_domain::fold;

mod matching;
pub use matching::*;

#[cfg(test)]
mod tests;

/// The lists that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Villages,
    Teams,
    /// The roster: one row per member, with the member's village.
    Members,
    Documents,
    /// Duty days: one row per member on duty; the rows of one team, day and
    /// place make one duty day.
    DutyDays,
}

impl SheetKind {
    pub const ALL: &'static [SheetKind] = &[
        SheetKind::Villages,
        SheetKind::Teams,
        SheetKind::Members,
        SheetKind::Documents,
        SheetKind::DutyDays,
    ];

    /// The command-line name: villages, teams, members, documents,
    /// duty_days.
    pub fn key(self) -> &'static str {
        match self {
            SheetKind::Villages => "villages",
            SheetKind::Teams => "teams",
            SheetKind::Members => "members",
            SheetKind::Documents => "documents",
            SheetKind::DutyDays => "duty_days",
        }
    }

    pub fn from_key(s: &str) -> Option<SheetKind> {
        Self::ALL.iter().copied().find(|k| k.key() == s)
    }

    /// "thôn, tổ dân phố", used in sentences ("danh sách …").
    pub fn what(self) -> &'static str {
        match self {
            SheetKind::Villages => "thôn, tổ dân phố",
            SheetKind::Teams => "tổ công nghệ số cộng đồng",
            SheetKind::Members => "thành viên tổ công nghệ số cộng đồng",
            SheetKind::Documents => "văn bản chỉ đạo, điều hành",
            SheetKind::DutyDays => "ngày trực của tổ công nghệ số cộng đồng",
        }
    }

    /// Title written above exported lists and templates.
    pub fn title(self) -> String {
        format!("DANH SÁCH {}", self.what().to_uppercase())
    }

    /// The columns, in template and export order.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            SheetKind::Villages => VILLAGE_COLUMNS,
            SheetKind::Teams => TEAM_COLUMNS,
            SheetKind::Members => MEMBER_COLUMNS,
            SheetKind::Documents => DOCUMENT_COLUMNS,
            SheetKind::DutyDays => DUTY_DAY_COLUMNS,
        }
    }

    pub fn required(self) -> impl Iterator<Item = &'static ColumnSpec> {
        self.columns().iter().filter(|c| c.required)
    }
}

/// Which field a column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Row number (STT): read only to tell data rows from footers.
    Stt,
    VillageName,
    VillageKind,
    ActiveFrom,
    ActiveUntil,
    TeamName,
    TeamKind,
    EstablishedOn,
    DissolvedOn,
    Decision,
    Zalo,
    FullName,
    BirthYear,
    /// "Năm sinh" split under "Nam" / "Nữ" (a merged header): the year of a
    /// man in one column, of a woman in the other.
    BirthYearMale,
    BirthYearFemale,
    Gender,
    Affiliation,
    Role,
    Phone,
    StartedOn,
    EndedOn,
    DocumentKind,
    DocumentNumber,
    IssuedOn,
    Issuer,
    Subject,
    /// The day of a duty day ("Ngày trực").
    HeldOn,
    /// Where the team was on duty ("Nơi trực").
    Place,
    Note,
}

impl Field {
    /// Every field, in declaration order.
    pub const ALL: &'static [Field] = &[
        Field::Stt,
        Field::VillageName,
        Field::VillageKind,
        Field::ActiveFrom,
        Field::ActiveUntil,
        Field::TeamName,
        Field::TeamKind,
        Field::EstablishedOn,
        Field::DissolvedOn,
        Field::Decision,
        Field::Zalo,
        Field::FullName,
        Field::BirthYear,
        Field::BirthYearMale,
        Field::BirthYearFemale,
        Field::Gender,
        Field::Affiliation,
        Field::Role,
        Field::Phone,
        Field::StartedOn,
        Field::EndedOn,
        Field::DocumentKind,
        Field::DocumentNumber,
        Field::IssuedOn,
        Field::Issuer,
        Field::Subject,
        Field::HeldOn,
        Field::Place,
        Field::Note,
    ];

    /// Stable ascii key, used in forms and on the command line
    /// (`--column village=…`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Stt => "stt",
            Field::VillageName => "village",
            Field::VillageKind => "village_kind",
            Field::ActiveFrom => "active_from",
            Field::ActiveUntil => "active_until",
            Field::TeamName => "team_name",
            Field::TeamKind => "team_kind",
            Field::EstablishedOn => "established_on",
            Field::DissolvedOn => "dissolved_on",
            Field::Decision => "decision",
            Field::Zalo => "zalo",
            Field::FullName => "full_name",
            Field::BirthYear => "birth_year",
            Field::BirthYearMale => "birth_year_male",
            Field::BirthYearFemale => "birth_year_female",
            Field::Gender => "gender",
            Field::Affiliation => "affiliation",
            Field::Role => "role",
            Field::Phone => "phone",
            Field::StartedOn => "started_on",
            Field::EndedOn => "ended_on",
            Field::DocumentKind => "document_kind",
            Field::DocumentNumber => "document_number",
            Field::IssuedOn => "issued_on",
            Field::Issuer => "issuer",
            Field::Subject => "subject",
            Field::HeldOn => "held_on",
            Field::Place => "place",
            Field::Note => "note",
        }
    }

    pub fn from_key(s: &str) -> Option<Field> {
        Self::ALL.iter().copied().find(|f| f.key() == s)
    }
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    pub field: Field,
    /// The header of templates and exports, and the column name in messages.
    pub label: &'static str,
    pub required: bool,
    /// Written to templates and exports (false for alternative layouts).
    pub in_template: bool,
    /// Width in characters in exported XLSX.
    pub width: f64,
    /// Header spellings, already normalised by [`header_key`].
    pub variants: &'static [&'static str],
}

const fn col(
    field: Field,
    label: &'static str,
    required: bool,
    width: f64,
    variants: &'static [&'static str],
) -> ColumnSpec {
    ColumnSpec {
        field,
        label,
        required,
        in_template: true,
        width,
        variants,
    }
}

const fn alt(field: Field, label: &'static str, variants: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        field,
        label,
        required: false,
        in_template: false,
        width: 10.0,
        variants,
    }
}

const STT: ColumnSpec = col(
    Field::Stt,
    "STT",
    false,
    6.0,
    &["stt", "tt", "so tt", "so thu tu", "thu tu", "no"],
);

const VILLAGE_OF_ROW: &[&str] = &[
    "thon tdp",
    "thon to dan pho",
    "thon tdp khu pho",
    "thon",
    "to dan pho",
    "tdp",
    "ten thon",
    "ten thon tdp",
    "ten thon to dan pho",
    "thon xom",
    "thon ban",
    "thon ap",
    "ap",
    "ban",
    "khu pho",
    "dia ban",
    "dia ban thon tdp",
    "thuoc thon tdp",
    "thuoc thon",
];

pub(crate) const VILLAGE_COLUMNS: &[ColumnSpec] = &[
    STT,
    col(
        Field::VillageName,
        "Tên thôn, tổ dân phố",
        true,
        30.0,
        VILLAGE_OF_ROW,
    ),
    col(
        Field::VillageKind,
        "Loại",
        false,
        14.0,
        &["loai", "loai thon", "phan loai", "loai don vi"],
    ),
    col(
        Field::ActiveFrom,
        "Hoạt động từ ngày",
        false,
        16.0,
        &[
            "hoat dong tu ngay",
            "tu ngay",
            "ngay bat dau hoat dong",
            "ngay bat dau",
            "ngay thanh lap thon",
        ],
    ),
    col(
        Field::ActiveUntil,
        "Ngừng hoạt động từ ngày",
        false,
        16.0,
        &[
            "ngung hoat dong tu ngay",
            "ngay ngung hoat dong",
            "den ngay",
        ],
    ),
];

pub(crate) const TEAM_COLUMNS: &[ColumnSpec] = &[
    STT,
    col(
        Field::TeamName,
        "Tên tổ",
        false,
        44.0,
        &[
            "ten to",
            "ten to cong nghe so cong dong",
            "ten to cnscd",
            "to cong nghe so cong dong",
            "ten",
        ],
    ),
    col(
        Field::TeamKind,
        "Loại tổ",
        false,
        24.0,
        &["loai to", "loai"],
    ),
    col(Field::VillageName, "Thôn/TDP", true, 24.0, VILLAGE_OF_ROW),
    col(
        Field::EstablishedOn,
        "Ngày thành lập",
        false,
        14.0,
        &["ngay thanh lap", "thanh lap ngay", "ngay thanh lap to"],
    ),
    col(
        Field::DissolvedOn,
        "Ngày giải thể",
        false,
        14.0,
        &["ngay giai the", "giai the ngay"],
    ),
    col(
        Field::Decision,
        "Quyết định thành lập",
        false,
        22.0,
        &[
            "quyet dinh thanh lap",
            "so quyet dinh",
            "quyet dinh",
            "so qd",
            "qd thanh lap",
            "so quyet dinh thanh lap",
        ],
    ),
    col(
        Field::Zalo,
        "Nhóm Zalo",
        false,
        34.0,
        &[
            "nhom zalo",
            "zalo",
            "link nhom zalo",
            "duong lien ket nhom zalo",
            "lien ket zalo",
            "link zalo",
        ],
    ),
];

const FULL_NAME_OF_ROW: &[&str] = &[
    "ho va ten",
    "ho ten",
    "ho va ten thanh vien",
    "ho ten thanh vien",
    "ten thanh vien",
    "ho va ten dem",
];

/// A member's phone, in the member list and in the duty roster alike.
const PHONE: ColumnSpec = col(
    Field::Phone,
    "Số điện thoại",
    false,
    16.0,
    &[
        "so dien thoai",
        "sdt",
        "so dt",
        "dien thoai",
        "dt",
        "dien thoai lien he",
        "so dien thoai lien he",
    ],
);

/// The village of a member's team, in the member list and the duty roster.
const VILLAGE_OF_MEMBER: ColumnSpec =
    col(Field::VillageName, "Thôn/TDP", true, 22.0, VILLAGE_OF_ROW);

pub(crate) const MEMBER_COLUMNS: &[ColumnSpec] = &[
    STT,
    col(Field::FullName, "Họ và tên", true, 26.0, FULL_NAME_OF_ROW),
    col(
        Field::BirthYear,
        "Năm sinh",
        false,
        10.0,
        &["nam sinh", "ngay sinh", "ngay thang nam sinh", "sinh nam"],
    ),
    col(
        Field::Gender,
        "Giới tính",
        false,
        10.0,
        &["gioi tinh", "gioi", "nam nu"],
    ),
    col(
        Field::Affiliation,
        "Chức vụ / đơn vị",
        false,
        26.0,
        &[
            "chuc vu don vi",
            "chuc vu don vi cong tac",
            "chuc vu",
            "don vi",
            "don vi cong tac",
            "chuc vu dang dam nhiem",
            "chuc vu hien tai",
            "chuc vu tai dia phuong",
            "thanh phan",
            "chuc vu doan the",
        ],
    ),
    col(
        Field::Role,
        "Chức danh trong Tổ",
        false,
        18.0,
        &[
            "chuc danh trong to",
            "chuc vu trong to",
            "chuc danh",
            "vai tro",
            "vai tro trong to",
            "nhiem vu trong to",
            "chuc danh to cnscd",
        ],
    ),
    PHONE,
    VILLAGE_OF_MEMBER,
    col(
        Field::StartedOn,
        "Ngày tham gia",
        false,
        14.0,
        &["ngay tham gia", "tham gia tu ngay", "ngay vao to"],
    ),
    alt(
        Field::BirthYearMale,
        "Năm sinh (Nam)",
        &["nam", "nam sinh nam"],
    ),
    alt(
        Field::BirthYearFemale,
        "Năm sinh (Nữ)",
        &["nu", "nam sinh nu"],
    ),
];

pub(crate) const DOCUMENT_COLUMNS: &[ColumnSpec] = &[
    STT,
    col(
        Field::DocumentKind,
        "Loại văn bản",
        true,
        14.0,
        &["loai van ban", "loai", "hinh thuc van ban", "the loai"],
    ),
    col(
        Field::DocumentNumber,
        "Số, ký hiệu",
        true,
        20.0,
        &[
            "so ky hieu",
            "so ky hieu van ban",
            "so hieu",
            "so van ban",
            "so",
        ],
    ),
    col(
        Field::IssuedOn,
        "Ngày ban hành",
        true,
        14.0,
        &[
            "ngay ban hanh",
            "ngay thang",
            "ngay thang van ban",
            "ngay van ban",
            "ngay",
        ],
    ),
    col(
        Field::Issuer,
        "Cơ quan ban hành",
        true,
        24.0,
        &[
            "co quan ban hanh",
            "noi ban hanh",
            "don vi ban hanh",
            "co quan",
        ],
    ),
    col(
        Field::Subject,
        "Trích yếu",
        true,
        60.0,
        &["trich yeu", "trich yeu noi dung", "noi dung", "ve viec"],
    ),
];

/// One row per member on duty. The member's name comes first: it is the
/// row's key (a row without it and without a number is a note under the
/// list), and the phone tells apart two members of a team with one name.
pub(crate) const DUTY_DAY_COLUMNS: &[ColumnSpec] = &[
    STT,
    col(
        Field::FullName,
        "Họ và tên",
        true,
        26.0,
        &[
            "ho va ten",
            "ho ten",
            "ho va ten thanh vien",
            "ho ten thanh vien",
            "ten thanh vien",
            "ho va ten dem",
            "nguoi truc",
            "ho ten nguoi truc",
            "ho va ten nguoi truc",
            "thanh vien truc",
        ],
    ),
    PHONE,
    VILLAGE_OF_MEMBER,
    col(
        Field::HeldOn,
        "Ngày trực",
        true,
        14.0,
        &[
            "ngay truc",
            "ngay truc ban",
            "truc ngay",
            "ngay",
            "ngay thang",
            "ngay thang nam",
        ],
    ),
    col(
        Field::Place,
        "Nơi trực",
        true,
        34.0,
        &[
            "noi truc",
            "noi truc ban",
            "dia diem",
            "dia diem truc",
            "dia diem truc ban",
            "diem truc",
            "vi tri truc",
        ],
    ),
    col(
        Field::Note,
        "Ghi chú",
        false,
        30.0,
        &["ghi chu", "chu thich", "ghi chu khac"],
    ),
];

/// "A", "B", … "AA": a column's letter as Excel shows it (0-based index).
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut c = index + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        c = (c - 1) / 26;
    }
    letters.into_iter().rev().collect()
}

/// A sheet column taken for a field, as the preview names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    /// 0-based column index.
    pub index: usize,
    /// The sheet's own header (both rows of a two-row header).
    pub header: String,
    pub field: Field,
    /// The field's name: the template's header ("Thôn/TDP").
    pub label: &'static str,
    /// Chosen by hand rather than recognised.
    pub manual: bool,
}

impl MappedColumn {
    /// "Cột C «Tên ấp» → Thôn/TDP".
    pub fn describe(&self) -> String {
        format!(
            "Cột {} «{}» → {}{}",
            column_letter(self.index),
            self.header,
            self.label,
            if self.manual { " (chọn tay)" } else { "" }
        )
    }
}

/// The header row a read settled on: what the preview shows and what a
/// manual mapping chooses from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetHeader {
    /// Row number (1-based).
    pub line: u32,
    /// The header spans this row and the one under it (merged cells).
    pub two_rows: bool,
    /// Each column's header text (both rows), by column index; "" when blank.
    pub cells: Vec<String>,
    /// The columns taken, left to right.
    pub mapping: Vec<MappedColumn>,
    /// Headers not taken, with the reason when another column won their field.
    pub ignored: Vec<String>,
}

/// One field's column chosen by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The column at this 0-based index.
    Index(usize),
    /// The column whose header reads this (compared by [`header_key`]).
    Header(String),
    /// Not read at all.
    Skip,
}

/// Columns chosen by hand, over the recognised ones: each field listed takes
/// its pick; the others are recognised as usual (unless `only`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManualColumns {
    /// The header row to use (line, two rows), as an earlier read found it;
    /// None: found as usual.
    pub header: Option<(u32, bool)>,
    pub picks: Vec<(Field, Pick)>,
    /// Only the picked fields are read (the web form lists every field).
    pub only: bool,
}

impl ManualColumns {
    pub fn is_empty(&self) -> bool {
        self.header.is_none() && self.picks.is_empty()
    }

    /// The field of `kind` named by `name`: its key (`village`) or its
    /// header in the template ("Thôn/TDP"), whatever the diacritics.
    pub fn field_named(kind: SheetKind, name: &str) -> Option<&'static ColumnSpec> {
        let key = header_key(name);
        kind.columns().iter().find(|c| {
            c.field.key() == name.trim()
                || header_key(c.label) == key
                || header_key(c.field.key()) == key
        })
    }
}

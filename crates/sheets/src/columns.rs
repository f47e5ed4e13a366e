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

/// The lists that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Villages,
    Teams,
    /// The roster: one row per member, with the member's village.
    Members,
    Documents,
}

impl SheetKind {
    pub const ALL: &'static [SheetKind] = &[
        SheetKind::Villages,
        SheetKind::Teams,
        SheetKind::Members,
        SheetKind::Documents,
    ];

    /// The command-line name: villages, teams, members, documents.
    pub fn key(self) -> &'static str {
        match self {
            SheetKind::Villages => "villages",
            SheetKind::Teams => "teams",
            SheetKind::Members => "members",
            SheetKind::Documents => "documents",
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

pub(crate) const MEMBER_COLUMNS: &[ColumnSpec] = &[
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
        ],
    ),
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
    col(
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
    ),
    col(Field::VillageName, "Thôn/TDP", true, 22.0, VILLAGE_OF_ROW),
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

/// A header reduced to what matters: diacritics, case, punctuation, marks
/// such as "(*)" and extra spaces removed. `"Thôn, TDP (*)" → "thon tdp"`,
/// `"SĐT" → "sdt"`, `"Chức vụ/ đơn vị" → "chuc vu don vi"`.
pub fn header_key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    let mut pending = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        } else {
            pending = true;
        }
    }
    out
}

/// How well a header names its column, best first: a known spelling; the
/// words of the field's concept (more of them, fewer filler words: higher,
/// within [`CONCEPT_MIN`]..[`CONCEPT_MAX`]); a known spelling beside a note in
/// brackets; the concept's words once the note is set aside.
pub const EXACT: u32 = 100;
pub const CONCEPT_MAX: u32 = 89;
pub const CONCEPT_MIN: u32 = 60;
const NOTED_EXACT: u32 = 59;
const NOTED_CONCEPT_CUT: u32 = 20;

/// The column of `kind` a header names, if any.
pub fn match_header(kind: SheetKind, header: &str) -> Option<&'static ColumnSpec> {
    match_header_scored(kind, header).map(|(c, _)| c)
}

/// The column of `kind` a header names and how well ([`EXACT`] …), if any.
/// When two fields read the header equally well, none is taken.
pub fn match_header_scored(kind: SheetKind, header: &str) -> Option<(&'static ColumnSpec, u32)> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    if let Some(c) = exact(kind, &key) {
        return Some((c, EXACT));
    }
    let mut found = concept(kind, &key);
    if header.contains(['(', '[']) {
        let bare = header_key(&strip_brackets(header));
        if !bare.is_empty() && bare != key {
            let noted = exact(kind, &bare).map(|c| (c, NOTED_EXACT)).or_else(|| {
                concept(kind, &bare).map(|(c, s)| (c, s.saturating_sub(NOTED_CONCEPT_CUT)))
            });
            if let Some((c, s)) = noted {
                if found.is_none_or(|(_, f)| s > f) {
                    found = Some((c, s));
                }
            }
        }
    }
    found
}

fn exact(kind: SheetKind, key: &str) -> Option<&'static ColumnSpec> {
    kind.columns().iter().find(|c| c.variants.contains(&key))
}

/// The header without its notes in brackets: "Năm sinh (ghi 4 chữ số)" →
/// "Năm sinh ".
fn strip_brackets(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// The words that name the unit below the commune, folded.
pub const UNIT_WORDS: &[&str] = &[
    "thon",
    "xom",
    "lang",
    "ap",
    "ban",
    "buon",
    "bon",
    "plei",
    "ploi",
    "soc",
    "khom",
    "khu pho",
    "kp",
    "khu dan cu",
    "kdc",
    "khu",
    "to dan pho",
    "tdp",
    "to dan cu",
    "tdc",
    "dia ban",
    "cum dan cu",
];

/// Words any header may carry without changing its meaning.
const FILLER: &[&str] = &[
    "so",
    "cua",
    "ghi ro",
    "neu co",
    "day du",
    "bat buoc",
    "hien nay",
    "hien tai",
    "viet hoa",
    "co dau",
    "tieng viet",
    "dd mm yyyy",
    "dd mm yy",
    "yyyy",
];

/// A field's concept: the phrases that name it (at least one must be in the
/// header) and the words that may stand beside them.
struct Concept {
    core: &'static [&'static str],
    extra: &'static [&'static str],
}

fn concept_of(field: Field) -> Option<Concept> {
    let (core, extra): (&'static [&'static str], &'static [&'static str]) = match field {
        Field::Stt => (&["stt", "tt", "so tt", "so thu tu", "thu tu"], &[]),
        Field::VillageName => (
            UNIT_WORDS,
            &[
                "ten",
                "thuoc",
                "don vi",
                "cap",
                "dia chi",
                "noi o",
                "noi cu tru",
                "va",
                "hoac",
                "to",
                "tai",
                "sinh hoat tai",
            ],
        ),
        Field::VillageKind => (
            &[
                "loai",
                "loai thon",
                "phan loai",
                "loai don vi",
                "loai hinh",
                "loai dia ban",
            ],
            &["thon", "to dan pho", "tdp", "don vi", "ban", "ap"],
        ),
        Field::ActiveFrom => (
            &[
                "hoat dong tu ngay",
                "tu ngay",
                "ngay bat dau hoat dong",
                "ngay bat dau",
                "ngay thanh lap",
                "thanh lap ngay",
                "ngay hoat dong",
            ],
            &["thon", "tdp", "to dan pho", "don vi"],
        ),
        Field::ActiveUntil => (
            &[
                "ngung hoat dong tu ngay",
                "ngay ngung hoat dong",
                "ngung hoat dong",
                "den ngay",
                "ngay giai the",
                "ngay sap nhap",
                "sap nhap tu ngay",
            ],
            &["thon", "tdp", "to dan pho", "don vi"],
        ),
        Field::TeamName => (
            &[
                "ten to",
                "ten",
                "to cnscd",
                "to cong nghe so",
                "to cong nghe so cong dong",
            ],
            &["cong dong", "cnscd"],
        ),
        Field::TeamKind => (&["loai to", "loai", "loai hinh to"], &[]),
        Field::EstablishedOn => (
            &["ngay thanh lap", "thanh lap ngay", "ngay thanh lap to"],
            &["to", "cnscd", "to cnscd"],
        ),
        Field::DissolvedOn => (
            &["ngay giai the", "giai the ngay", "ngay ngung hoat dong"],
            &["to", "cnscd", "to cnscd"],
        ),
        Field::Decision => (
            &[
                "quyet dinh",
                "qd",
                "so quyet dinh",
                "so qd",
                "quyet dinh thanh lap",
                "qd thanh lap",
            ],
            &["so hieu", "ky hieu", "thanh lap", "to", "cnscd", "to cnscd"],
        ),
        Field::Zalo => (
            &[
                "zalo",
                "nhom zalo",
                "link zalo",
                "link nhom zalo",
                "duong lien ket",
                "duong dan",
            ],
            &["nhom", "link", "to", "cua to", "dia chi"],
        ),
        Field::FullName => (
            &["ho va ten", "ho ten", "ho va ten dem", "ho ten dem va ten"],
            &[
                "thanh vien",
                "to vien",
                "nguoi",
                "can bo",
                "to",
                "cnscd",
                "to cnscd",
                "khai sinh",
                "tham gia",
            ],
        ),
        Field::BirthYear => (
            &[
                "nam sinh",
                "ngay sinh",
                "ngay thang nam sinh",
                "sinh nam",
                "sinh ngay",
            ],
            &["thanh vien"],
        ),
        Field::Gender => (&["gioi tinh", "gioi", "nam nu", "phai"], &[]),
        Field::Affiliation => (
            &[
                "chuc vu",
                "don vi",
                "don vi cong tac",
                "noi cong tac",
                "co quan cong tac",
                "co quan don vi",
                "thanh phan",
                "doan the",
                "chuc vu doan the",
                "chuc vu chinh quyen",
                "dang doan the",
            ],
            &[
                "dang dam nhiem",
                "tai dia phuong",
                "o dia phuong",
                "tai thon",
                "cong tac",
                "dang cong tac",
                "kiem nhiem",
                "dang",
                "thanh vien",
            ],
        ),
        Field::Role => (
            &[
                "chuc danh",
                "vai tro",
                "chuc vu trong to",
                "nhiem vu trong to",
                "vi tri trong to",
            ],
            &[
                "trong to",
                "tai to",
                "to",
                "cnscd",
                "to cnscd",
                "to cong nghe so",
                "to cong nghe so cong dong",
                "cong dong",
                "thanh vien",
            ],
        ),
        Field::Phone => (
            &[
                "so dien thoai",
                "dien thoai",
                "sdt",
                "so dt",
                "dt",
                "dtdd",
                "so dtdd",
                "di dong",
                "so di dong",
                "dien thoai di dong",
            ],
            &[
                "lien he",
                "lien lac",
                "ca nhan",
                "thanh vien",
                "zalo",
                "co zalo",
                "dang ky",
            ],
        ),
        Field::StartedOn => (
            &[
                "ngay tham gia",
                "tham gia tu ngay",
                "tham gia ngay",
                "ngay vao to",
                "thoi gian tham gia",
                "ngay gia nhap",
                "ngay bat dau tham gia",
            ],
            &["to", "cnscd", "to cnscd"],
        ),
        Field::DocumentKind => (
            &[
                "loai van ban",
                "loai",
                "loai vb",
                "hinh thuc van ban",
                "hinh thuc",
                "the loai",
                "ten loai van ban",
            ],
            &[],
        ),
        Field::DocumentNumber => (
            &[
                "so ky hieu",
                "so hieu",
                "so",
                "ky hieu",
                "so va ky hieu",
                "so van ban",
                "so vb",
            ],
            &["van ban", "vb"],
        ),
        Field::IssuedOn => (
            &[
                "ngay ban hanh",
                "ban hanh ngay",
                "ngay thang",
                "ngay thang nam",
                "ngay",
                "ngay ky",
                "ngay thang ban hanh",
                "ngay thang nam ban hanh",
            ],
            &["van ban", "vb"],
        ),
        Field::Issuer => (
            &[
                "co quan ban hanh",
                "noi ban hanh",
                "don vi ban hanh",
                "cq ban hanh",
                "co quan",
                "tac gia",
                "co quan tac gia",
            ],
            &["van ban", "vb"],
        ),
        Field::Subject => (
            &[
                "trich yeu",
                "trich yeu noi dung",
                "noi dung trich yeu",
                "noi dung",
                "tom tat noi dung",
                "ve viec",
                "ten van ban",
                "tieu de",
            ],
            &["van ban", "vb", "chinh"],
        ),
        Field::BirthYearMale | Field::BirthYearFemale | Field::EndedOn => return None,
    };
    Some(Concept { core, extra })
}

/// Every word a concept of `kind` knows: a header with any other word is
/// not a concept match (and a data row is told from a header quickly).
fn vocabulary(kind: SheetKind) -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<Vec<HashSet<&'static str>>> = OnceLock::new();
    let all = WORDS.get_or_init(|| {
        SheetKind::ALL
            .iter()
            .map(|k| {
                let mut words: HashSet<&'static str> =
                    FILLER.iter().flat_map(|p| p.split(' ')).collect();
                for c in k.columns() {
                    if let Some(concept) = concept_of(c.field) {
                        for p in concept.core.iter().chain(concept.extra) {
                            words.extend(p.split(' '));
                        }
                    }
                }
                words
            })
            .collect()
    });
    let i = SheetKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    &all[i]
}

/// The field whose concept covers every word of `key`, and how well.
fn concept(kind: SheetKind, key: &str) -> Option<(&'static ColumnSpec, u32)> {
    let words: Vec<&str> = key.split(' ').collect();
    let vocabulary = vocabulary(kind);
    if !words.iter().all(|w| vocabulary.contains(w)) {
        return None;
    }
    let mut best: Option<(&'static ColumnSpec, u32)> = None;
    let mut tie = false;
    for spec in kind.columns() {
        let Some(c) = concept_of(spec.field) else {
            continue;
        };
        let Some((core, other)) = cover(&words, &c) else {
            continue;
        };
        let score = (CONCEPT_MIN + 4 * core)
            .saturating_sub(3 * other)
            .clamp(CONCEPT_MIN, CONCEPT_MAX);
        match best {
            Some((b, s)) if s == score && b.field != spec.field => tie = true,
            Some((_, s)) if s >= score => {}
            _ => {
                best = Some((spec, score));
                tie = false;
            }
        }
    }
    if tie {
        None
    } else {
        best
    }
}

/// Cover `words` entirely with the concept's phrases and the fillers, at
/// least one core phrase: the most words in core phrases, then the fewest
/// others. Returns (core words, other words).
fn cover(words: &[&str], c: &Concept) -> Option<(u32, u32)> {
    let n = words.len();
    // best[i]: the best cover of words[i..].
    let mut best: Vec<Option<(u32, u32)>> = vec![None; n + 1];
    best[n] = Some((0, 0));
    let better = |a: (u32, u32), b: Option<(u32, u32)>| match b {
        None => true,
        Some(b) => a.0 > b.0 || (a.0 == b.0 && a.1 < b.1),
    };
    for i in (0..n).rev() {
        let phrases = c
            .core
            .iter()
            .map(|p| (p, true))
            .chain(c.extra.iter().chain(FILLER).map(|p| (p, false)));
        for (phrase, is_core) in phrases {
            let len = phrase.split(' ').count();
            if i + len > n || !phrase.split(' ').eq(words[i..i + len].iter().copied()) {
                continue;
            }
            let Some((core, other)) = best[i + len] else {
                continue;
            };
            let cand = if is_core {
                (core + len as u32, other)
            } else {
                (core, other + len as u32)
            };
            if better(cand, best[i]) {
                best[i] = Some(cand);
            }
        }
    }
    best[0].filter(|(core, _)| *core > 0)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys() {
        assert_eq!(header_key("Thôn, TDP (*)"), "thon tdp");
        assert_eq!(header_key("SĐT"), "sdt");
        assert_eq!(header_key("  Chức vụ/ đơn vị "), "chuc vu don vi");
        assert_eq!(header_key("Họ và tên\n(đầy đủ)"), "ho va ten day du");
    }

    #[test]
    fn member_headers_and_variants() {
        let m = |h: &str| match_header(SheetKind::Members, h).map(|c| c.field);
        assert_eq!(m("Họ và tên"), Some(Field::FullName));
        assert_eq!(m("HỌ TÊN"), Some(Field::FullName));
        assert_eq!(m("ho ten"), Some(Field::FullName));
        assert_eq!(m("SĐT"), Some(Field::Phone));
        assert_eq!(m("Số điện thoại"), Some(Field::Phone));
        assert_eq!(m("Điện thoại"), Some(Field::Phone));
        assert_eq!(m("Chức danh trong tổ"), Some(Field::Role));
        assert_eq!(m("Chức vụ trong Tổ"), Some(Field::Role));
        assert_eq!(m("Chức vụ / đơn vị"), Some(Field::Affiliation));
        assert_eq!(m("Thôn"), Some(Field::VillageName));
        assert_eq!(m("Tổ dân phố"), Some(Field::VillageName));
        assert_eq!(m("Thôn, TDP"), Some(Field::VillageName));
        assert_eq!(m("Thôn/TDP"), Some(Field::VillageName));
        assert_eq!(m("Nữ"), Some(Field::BirthYearFemale));
        assert_eq!(m("Ghi chú"), None);
        assert_eq!(m(""), None);
    }

    #[test]
    fn the_unit_below_the_commune_by_any_name() {
        for kind in [SheetKind::Villages, SheetKind::Teams, SheetKind::Members] {
            for h in [
                "Tên ấp",
                "Thôn/Ấp/Bản",
                "Tên thôn, xóm",
                "Thôn, TDP",
                "Khu dân cư",
                "Địa bàn",
                "Địa bàn (thôn, tổ dân phố)",
                "Tên buôn, plei",
                "Sóc",
                "Khóm, ấp",
                "Tổ dân phố số",
                "Tổ dân cư",
                "Khu phố/Ấp",
                "Khu",
                "Thuộc thôn/bản",
                "Thôn, tổ",
                "Xóm (làng)",
                "TÊN THÔN, LÀNG, BUÔN, PLEI",
                "Đơn vị (thôn, tổ dân phố)",
            ] {
                assert_eq!(
                    match_header(kind, h).map(|c| c.field),
                    Some(Field::VillageName),
                    "{kind:?} «{h}»"
                );
            }
            for h in [
                "Tổ trưởng",
                "Tổ",
                "Khu vực",
                "Địa chỉ",
                "Tên",
                "Xã",
                "Ghi chú",
                "Thôn Hải Sơn",
                "Ấp Tân Lập",
                "Khu 3",
                "DANH SÁCH THÔN, TỔ DÂN PHỐ",
            ] {
                assert_ne!(
                    match_header(kind, h).map(|c| c.field),
                    Some(Field::VillageName),
                    "{kind:?} «{h}»"
                );
            }
        }
    }

    #[test]
    fn other_columns_by_meaning() {
        let m = |kind, h: &str| match_header(kind, h).map(|c| c.field);
        use SheetKind::*;
        let cases = [
            (Members, "Họ và tên thành viên tổ", Some(Field::FullName)),
            (
                Members,
                "HỌ VÀ TÊN (viết hoa, có dấu)",
                Some(Field::FullName),
            ),
            (Members, "Năm sinh (ghi 4 chữ số)", Some(Field::BirthYear)),
            (Members, "Ngày, tháng, năm sinh", Some(Field::BirthYear)),
            (Members, "Số điện thoại (Zalo)", Some(Field::Phone)),
            (Members, "SĐT liên hệ", Some(Field::Phone)),
            (Members, "Số ĐTDĐ", Some(Field::Phone)),
            (Members, "Chức vụ (trong tổ)", Some(Field::Role)),
            (Members, "Chức danh trong Tổ CNSCĐ", Some(Field::Role)),
            (Members, "Vai trò", Some(Field::Role)),
            (
                Members,
                "Chức vụ, đơn vị công tác",
                Some(Field::Affiliation),
            ),
            (Members, "Chức vụ đảng, đoàn thể", Some(Field::Affiliation)),
            (Members, "Thành phần", Some(Field::Affiliation)),
            (Members, "Phái", Some(Field::Gender)),
            (Members, "Ngày tham gia tổ", Some(Field::StartedOn)),
            // Neither one nor the other: left for the officer.
            (Members, "Chức vụ, chức danh", None),
            (Members, "Nhiệm vụ", None),
            (Members, "Nghề nghiệp", None),
            (Members, "Số thành viên", None),
            (Villages, "Ngày thành lập", Some(Field::ActiveFrom)),
            (Villages, "Loại thôn, TDP", Some(Field::VillageKind)),
            (Villages, "Ngày sáp nhập", Some(Field::ActiveUntil)),
            (Teams, "Tên tổ CNSCĐ", Some(Field::TeamName)),
            (Teams, "Số quyết định thành lập tổ", Some(Field::Decision)),
            (Teams, "Link nhóm Zalo của tổ", Some(Field::Zalo)),
            (Teams, "Ngày thành lập tổ CNSCĐ", Some(Field::EstablishedOn)),
            (
                Documents,
                "Số, ký hiệu văn bản",
                Some(Field::DocumentNumber),
            ),
            (Documents, "Ngày tháng văn bản", Some(Field::IssuedOn)),
            (Documents, "Ngày ký", Some(Field::IssuedOn)),
            (Documents, "Cơ quan ban hành văn bản", Some(Field::Issuer)),
            (Documents, "Tác giả", Some(Field::Issuer)),
            (
                Documents,
                "Trích yếu nội dung văn bản",
                Some(Field::Subject),
            ),
            (Documents, "Hình thức văn bản", Some(Field::DocumentKind)),
        ];
        for (kind, h, want) in cases {
            assert_eq!(m(kind, h), want, "{kind:?} «{h}»");
        }
    }

    #[test]
    fn scores_rank_known_spellings_first() {
        let score = |h: &str| match_header_scored(SheetKind::Members, h).map(|(_, s)| s);
        assert_eq!(score("Thôn/TDP"), Some(EXACT));
        let concept = score("Tên thôn, xóm, bản").unwrap();
        assert!((CONCEPT_MIN..=CONCEPT_MAX).contains(&concept));
        // More of the concept's words, fewer fillers: a better match.
        assert!(score("Thôn/Ấp/Bản").unwrap() > score("Tên thôn, xóm").unwrap());
        assert!(score("Năm sinh (ghi 4 chữ số)").unwrap() < CONCEPT_MIN);
    }

    #[test]
    fn letters_and_field_keys() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(27), "AB");
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(*f));
        }
        let f = |s| ManualColumns::field_named(SheetKind::Members, s).map(|c| c.field);
        assert_eq!(f("village"), Some(Field::VillageName));
        assert_eq!(f("thôn/tdp"), Some(Field::VillageName));
        assert_eq!(f("Số điện thoại"), Some(Field::Phone));
        assert_eq!(f("decision"), None);
    }

    #[test]
    fn every_template_label_matches_its_own_column() {
        for &kind in SheetKind::ALL {
            for c in kind.columns() {
                let found = match_header(kind, c.label).map(|s| s.field);
                assert_eq!(found, Some(c.field), "{kind:?} {}", c.label);
            }
        }
    }
}

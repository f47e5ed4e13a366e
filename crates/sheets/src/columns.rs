//! What each kind of sheet holds: its columns, their Vietnamese headers and
//! the spellings of those headers met in real files.

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

/// The column of `kind` a header names, if any.
pub fn match_header(kind: SheetKind, header: &str) -> Option<&'static ColumnSpec> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    kind.columns()
        .iter()
        .find(|c| c.variants.contains(&key.as_str()))
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
    fn every_template_label_matches_its_own_column() {
        for &kind in SheetKind::ALL {
            for c in kind.columns() {
                let found = match_header(kind, c.label).map(|s| s.field);
                assert_eq!(found, Some(c.field), "{kind:?} {}", c.label);
            }
        }
    }
}

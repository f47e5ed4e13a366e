//! Matching a sheet's header to a field by meaning: the folded header key,
//! known spellings scored highest, then a field's own words (and the many
//! names of the unit below the commune) covering the whole header.

use super::*;

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
pub(super) const NOTED_EXACT: u32 = 59;
pub(super) const NOTED_CONCEPT_CUT: u32 = 20;

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

pub(super) fn exact(kind: SheetKind, key: &str) -> Option<&'static ColumnSpec> {
    kind.columns().iter().find(|c| c.variants.contains(&key))
}

/// The header without its notes in brackets: "Năm sinh (ghi 4 chữ số)" →
/// "Năm sinh ".
pub(super) fn strip_brackets(header: &str) -> String {
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
pub(super) const FILLER: &[&str] = &[
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
pub(super) struct Concept {
    core: &'static [&'static str],
    extra: &'static [&'static str],
}

pub(super) fn concept_of(field: Field) -> Option<Concept> {
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
        Field::HeldOn => (
            &[
                "ngay truc",
                "ngay truc ban",
                "truc ngay",
                "ngay",
                "ngay thang",
                "ngay thang nam",
                "thoi gian truc",
            ],
            &["truc", "ca truc", "cua to"],
        ),
        Field::Place => (
            &[
                "noi truc",
                "noi truc ban",
                "dia diem",
                "dia diem truc",
                "diem truc",
                "vi tri truc",
            ],
            &["truc", "ca truc", "cua to"],
        ),
        Field::Note => (&["ghi chu", "chu thich", "ghi chu khac"], &["noi dung"]),
        Field::BirthYearMale | Field::BirthYearFemale | Field::EndedOn => return None,
    };
    Some(Concept { core, extra })
}

/// Every word a concept of `kind` knows: a header with any other word is
/// not a concept match (and a data row is told from a header quickly).
pub(super) fn vocabulary(kind: SheetKind) -> &'static HashSet<&'static str> {
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
pub(super) fn concept(kind: SheetKind, key: &str) -> Option<(&'static ColumnSpec, u32)> {
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
pub(super) fn cover(words: &[&str], c: &Concept) -> Option<(u32, u32)> {
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

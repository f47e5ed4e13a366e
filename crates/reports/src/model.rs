//! The document model shared by every renderer (DOCX, PDF, XLSX annex, HTML),
//! and the [`Snapshot`] a generated report freezes it in.
//!
//! Dates the renderers compute with are dates ([`NaiveDate`]), parsed once
//! when a snapshot is read: [`Document::generated_on`] (every timestamp a
//! renderer writes) and [`Printed::as_of`]. In the JSON of a snapshot they
//! are ISO "YYYY-MM-DD" strings (e.g. "2026-01-05"), as they always were;
//! reading one in any other form fails with an error naming the field, so a
//! malformed date never reaches a file. Dates that are only printed stay
//! text, already formatted by the composer: the place and date line
//! ([`Document::place_date`], "ngày 05 tháng 01 năm 2026"), the annexes'
//! subtitles, and the dates inside figures and body text ("ngày 31/10/2025").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The frozen content of a generated report, stored as JSON with the
/// report's version: what it prints ([`Printed`]: the resolved document with
/// every figure as printed, the annexes, the figures with the placeholder
/// each came from) and every indicator's number. Snapshots frozen before
/// links were left to the web layer carry an `href` in each figure and
/// source; it is read and ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub commune_code: i32,
    #[serde(flatten)]
    pub printed: Printed,
    /// Every count and rate indicator of the commune on the as-of date as
    /// a number, frozen with the version whether the body prints it or not:
    /// what the province's consolidated report sums. Absent from snapshots
    /// frozen before it existed (and then not written, so they read and
    /// write back unchanged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<FrozenValue>,
}

/// What a frozen report prints, a commune's [`Snapshot`] or a province's
/// [`ProvinceSnapshot`]: the date of its figures, the document, the annexes
/// (and whether the DOCX and the PDF print them), and every figure the
/// document prints. The renderers read only this. In a snapshot's JSON its
/// fields sit beside the owner's (serde's flatten), in this order, as they
/// did before the two snapshots shared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Printed {
    #[serde(with = "iso_date::as_of")]
    pub as_of: NaiveDate,
    pub document: Document,
    pub annexes: Vec<Annex>,
    /// Whether the DOCX and the PDF print the annexes after the document,
    /// on landscape pages: every report frozen since they do (04/12/2026).
    /// Absent (false) from earlier snapshots, whose DOCX and PDF were the
    /// document alone and so render still (a signed version does not
    /// change); their annexes stay in the XLSX.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub annex_pages: bool,
    /// Every figure the document prints, in order of first use.
    pub figures: Vec<FrozenFigure>,
}

impl Snapshot {
    /// The frozen number of indicator `key` (a rate's numerator), if frozen.
    pub fn value(&self, key: &str) -> Option<&FrozenValue> {
        self.values.iter().find(|v| v.key == key)
    }
}

/// One indicator frozen as a number: a count, or a rate's numerator with
/// its denominator (coverage: villages with a team / villages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenValue {
    pub key: String,
    pub value: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
}

/// The frozen content of a province's consolidated report for a request:
/// the document, the annex with one row per commune (the figures of its
/// accepted version, or marked as not reported), the figures the body
/// prints, and the commune versions every figure sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceSnapshot {
    pub province_code: i32,
    pub request_id: i64,
    #[serde(flatten)]
    pub printed: Printed,
    /// The accepted commune versions summed, one per commune, in the
    /// annex's order.
    pub sources: Vec<SourceVersion>,
}

/// A commune version a consolidated report sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceVersion {
    pub commune_code: i32,
    pub commune_name: String,
    /// The report's id (its page) and its version number.
    pub report_id: i64,
    pub version: i32,
}

/// One figure as frozen into a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenFigure {
    /// Placeholder key (an indicator's key, or "decision", "contests"…).
    pub key: String,
    pub label: String,
    pub text: String,
}

/// One administrative document, laid out as Nghị định 30/2020 Phụ lục I asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Parent body, caps, regular weight, top left above the issuing body
    /// (e.g. "UBND THÀNH PHỐ HẢI PHÒNG"); `None` when there is none.
    pub parent_body: Option<String>,
    /// Issuing body, caps, bold, top left, one entry per printed line
    /// (e.g. ["ỦY BAN NHÂN DÂN", "ĐẶC KHU CÁT HẢI"]); a short rule goes under it.
    pub issuing_body: Vec<String>,
    /// The number and symbol after "Số: " (e.g. "05/BC-UBND", or "   /BC-UBND"
    /// while the clerk has not numbered it yet).
    pub number: String,
    /// Place and date, italic, under the motto
    /// (e.g. "Cát Hải, ngày 05 tháng 02 năm 2026").
    pub place_date: String,
    /// Document kind in caps, bold, centred (e.g. "BÁO CÁO").
    pub title: String,
    /// The subject (trích yếu), bold, centred under the title, one entry per
    /// printed line; a short rule goes under it.
    pub subject: Vec<String>,
    /// The body, in order.
    pub blocks: Vec<Block>,
    /// "Nơi nhận:" entries in order, each already ending in ";" or "." as
    /// printed (e.g. "Sở Khoa học và Công nghệ;", "Lưu: VT, VHXH."); the
    /// renderer prefixes "- ".
    pub recipients: Vec<String>,
    pub signature: Signature,
    /// Title written into the file's properties (DOCX core.xml, PDF info).
    pub file_title: String,
    /// Date the document was generated ("YYYY-MM-DD" in JSON); renderers use
    /// it for every timestamp they write so that one snapshot gives one file.
    #[serde(with = "iso_date::generated_on")]
    pub generated_on: NaiveDate,
}

/// Signature block, bottom right: capacity lines in caps bold, a space for
/// the signature and seal, then the signer's name in bold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// e.g. ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    pub capacity: Vec<String>,
    /// e.g. "Vũ Hữu Vững"; may be empty in a draft.
    pub name: String,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A section heading, bold, justified, first-line indent like the body.
    /// Level 1: "I. CÔNG TÁC CHỈ ĐẠO…" (caps as typed); level 2: "1. Kiện toàn…";
    /// level 3: "a) …" (bold italic).
    Heading { level: u8, content: Vec<Inline> },
    /// A body paragraph: justified, first-line indent, ≥ 6 pt after. Lines
    /// starting with "- " are printed as typed (the reference report's style).
    Paragraph { content: Vec<Inline> },
}

impl Block {
    pub fn content(&self) -> &[Inline] {
        match self {
            Block::Heading { content, .. } | Block::Paragraph { content } => content,
        }
    }

    /// The block's text with figures as printed.
    pub fn text(&self) -> String {
        self.content().iter().map(Inline::text).collect()
    }
}

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    /// A value computed from records (a figure, a document citation, a link):
    /// printed as `text`; the HTML preview links it to the records behind
    /// it (the web layer builds the link from `source.key`).
    Figure {
        text: String,
        source: Source,
    },
}

impl Inline {
    pub fn text(&self) -> &str {
        match self {
            Inline::Text { text } | Inline::Figure { text, .. } => text,
        }
    }

    pub fn plain(text: impl Into<String>) -> Inline {
        Inline::Text { text: text.into() }
    }
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Placeholder key in the template (e.g. "members", "decision").
    pub key: String,
    /// What the figure is, in Vietnamese (the indicator's name).
    pub label: String,
}

/// A table annex: one row per village, say. The XLSX has it as a sheet;
/// the DOCX and the PDF print it after the document, on landscape pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annex {
    /// Sheet title, e.g. "Phụ lục: Tổ công nghệ số cộng đồng theo thôn".
    pub title: String,
    /// Lines under the title (commune, as-of date).
    pub subtitle: Vec<String>,
    pub columns: Vec<String>,
    /// Cells as printed; numbers are [`Cell::Number`] so a spreadsheet can sum them.
    pub rows: Vec<Vec<Cell>>,
    /// A totals row, if any.
    pub totals: Option<Vec<Cell>>,
}

impl Annex {
    /// Relative widths of the columns of the printed table, from what each
    /// holds: room for its longest word (a document number or a date is
    /// never broken) and its longest text up to 24 characters, its header
    /// on at most three lines, at least 3, and one more. The DOCX and the PDF share
    /// them, so both print the same table.
    pub fn column_weights(&self) -> Vec<u32> {
        let chars = |t: &str| t.chars().count();
        // A word's width in characters, a capital counting one and a half
        // ("CNSCĐ", "STT" are wider than their letters' count).
        let width = |w: &str| {
            w.chars()
                .map(|c| if c.is_uppercase() { 3 } else { 2 })
                .sum::<usize>()
                .div_ceil(2)
        };
        let longest_word = |t: &str| t.split_whitespace().map(width).max().unwrap_or(0);
        (0..self.columns.len())
            .map(|i| {
                let header = &self.columns[i];
                let mut weight = chars(header).div_ceil(3).max(longest_word(header));
                for row in self.rows.iter().chain(&self.totals) {
                    if let Some(cell) = row.get(i) {
                        let text = cell.printed();
                        weight = weight.max(chars(&text).min(24)).max(longest_word(&text));
                    }
                }
                // One more for the cell's margins and wide capitals.
                weight.max(3) as u32 + 1
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
}

impl Eq for Cell {}

impl Cell {
    /// The cell as a document prints it: a whole number grouped the
    /// Vietnamese way ("1.440"), a fraction with a decimal comma and at
    /// most two decimals ("12,5"), a text as it is.
    pub fn printed(&self) -> String {
        match self {
            Cell::Number(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => {
                toso_domain::format_int(*n as i64)
            }
            Cell::Number(n) => {
                let two = toso_domain::format_decimal(*n, 2);
                match two.split_once(',') {
                    Some((whole, frac)) => match frac.trim_end_matches('0') {
                        "" => whole.to_string(),
                        frac => format!("{whole},{frac}"),
                    },
                    None => two,
                }
            }
            Cell::Text(t) => t.clone(),
        }
    }

    /// Whether the cell is a number (printed flush right in a table).
    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Number(_))
    }
}

impl Document {
    /// Every printed line of the document, in reading order, for tests and
    /// for text search (figures as printed).
    pub fn plain_text(&self) -> String {
        let mut out = Vec::new();
        if let Some(p) = &self.parent_body {
            out.push(p.clone());
        }
        out.extend(self.issuing_body.iter().cloned());
        out.push(format!("Số: {}", self.number));
        out.push(self.place_date.clone());
        out.push(self.title.clone());
        out.extend(self.subject.iter().cloned());
        out.extend(self.blocks.iter().map(Block::text));
        out.push("Nơi nhận:".into());
        out.extend(self.recipients.iter().map(|r| format!("- {r}")));
        out.extend(self.signature.capacity.iter().cloned());
        out.push(self.signature.name.clone());
        out.join("\n")
    }

    /// A document shaped like the Cát Hải reference report, for renderer tests.
    pub fn sample() -> Document {
        let fig = |text: &str, key: &str| Inline::Figure {
            text: text.into(),
            source: Source {
                key: key.into(),
                label: key.into(),
            },
        };
        let t = Inline::plain;
        Document {
            parent_body: None,
            issuing_body: vec!["ỦY BAN NHÂN DÂN".into(), "ĐẶC KHU CÁT HẢI".into()],
            number: "   /BC-UBND".into(),
            place_date: "Cát Hải, ngày 05 tháng 01 năm 2026".into(),
            title: "BÁO CÁO".into(),
            subject: vec![
                "Kết quả triển khai phát huy hiệu quả của các".into(),
                "Tổ công nghệ số cộng đồng trong hỗ trợ người dân".into(),
            ],
            blocks: vec![
                Block::Paragraph {
                    content: vec![
                        t("Thực hiện "),
                        fig(
                            "Công văn số 4675/SKHCN-CNTT ngày 19/12/2025 của Sở Khoa học và Công nghệ về việc thúc đẩy, phát huy hiệu quả của các Tổ công nghệ số cộng đồng trong hỗ trợ người dân",
                            "request",
                        ),
                        t(". Ủy ban nhân dân đặc khu Cát Hải báo cáo kết quả thực hiện như sau:"),
                    ],
                },
                Block::Heading {
                    level: 1,
                    content: vec![t("I. CÔNG TÁC CHỈ ĐẠO, HƯỚNG DẪN TRIỂN KHAI THỰC HIỆN")],
                },
                Block::Paragraph {
                    content: vec![fig(
                        "Quyết định số 1907/QĐ-UBND ngày 31/10/2025 về việc thành lập Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản ứng nhanh; Công văn số 1643/UBND-VHXH ngày 14/10/2025 về triển khai Cuộc thi “Công dân số Hải Phòng - Sử dụng thông minh, sống an toàn”.",
                        "directives",
                    )],
                },
                Block::Heading { level: 1, content: vec![t("II. KẾT QUẢ THỰC HIỆN")] },
                Block::Heading { level: 2, content: vec![t("1. Kiện toàn các Tổ Công nghệ số")] },
                Block::Paragraph {
                    content: vec![
                        t("- Số lượng thôn bản, tổ dân phố trên địa bàn: Có "),
                        fig("58", "villages"),
                        t(" thôn."),
                    ],
                },
                Block::Paragraph {
                    content: vec![
                        t("- Số lượng thành viên Tổ công nghệ số cộng đồng: "),
                        fig("386", "members"),
                        t(" thành viên; tỷ lệ "),
                        fig("100%", "coverage"),
                        t("."),
                    ],
                },
                Block::Paragraph {
                    content: vec![
                        t("- Nhóm zalo hoạt động Tổ CNSCĐ (nếu có): đường liên kết là "),
                        fig("https://zalo.me/g/xuubpv554", "zalo"),
                    ],
                },
                Block::Heading { level: 2, content: vec![t("2. Bồi dưỡng tập huấn nghiệp vụ")] },
                Block::Paragraph {
                    content: vec![
                        t("- Đến hết tháng 11/2025, Ủy ban nhân dân đặc khu đã đăng ký "),
                        fig("1.440", "contest_registrations"),
                        t(" người tham gia cuộc thi./."),
                    ],
                },
            ],
            recipients: vec![
                "Sở Khoa học và Công nghệ;".into(),
                "CT, các PCT UBND Đặc khu;".into(),
                "Lưu: VT, VHXH.".into(),
            ],
            signature: Signature {
                capacity: vec![
                    "TM. ỦY BAN NHÂN DÂN".into(),
                    "KT. CHỦ TỊCH".into(),
                    "PHÓ CHỦ TỊCH".into(),
                ],
                name: "Vũ Hữu Vững".into(),
            },
            file_title: "Báo cáo kết quả Tổ công nghệ số cộng đồng".into(),
            generated_on: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a valid date"),
        }
    }
}

/// The JSON form of the model's dates: ISO "YYYY-MM-DD", four-digit year,
/// two-digit month and day, as chrono writes a date of the years 0–9999 (so
/// the JSON is what it was when these fields were strings). Reading refuses
/// any other form, and writing refuses a year that has no four-digit form,
/// each with an error naming the field (the store shows it when a snapshot
/// cannot be read or saved).
mod iso_date {
    use std::fmt;

    use chrono::{Datelike, NaiveDate};
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::{self, Serializer};

    /// `generated_on` of a [`Document`](super::Document).
    pub mod generated_on {
        use super::*;

        const FIELD: &str = "ngày báo cáo (generated_on)";

        pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
            super::serialize(date, FIELD, s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
            d.deserialize_str(IsoDate(FIELD))
        }
    }

    /// `as_of` of a report's [`Printed`](super::Printed).
    pub mod as_of {
        use super::*;

        const FIELD: &str = "ngày số liệu (as_of)";

        pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
            super::serialize(date, FIELD, s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
            d.deserialize_str(IsoDate(FIELD))
        }
    }

    fn serialize<S: Serializer>(date: &NaiveDate, field: &str, s: S) -> Result<S::Ok, S::Error> {
        if !(0..=9999).contains(&date.year()) {
            return Err(ser::Error::custom(format!(
                "{field}: năm {} không viết được dạng NNNN-TT-NN",
                date.year()
            )));
        }
        // chrono's Display writes "2026-01-05" for the years 0–9999.
        s.collect_str(date)
    }

    /// Reads a date "YYYY-MM-DD"; the field's name is in every error.
    struct IsoDate(&'static str);

    impl Visitor<'_> for IsoDate {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "{} dạng NNNN-TT-NN, ví dụ 2026-01-05", self.0)
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<NaiveDate, E> {
            parse(s).ok_or_else(|| {
                E::custom(format!(
                    "{} «{s}» không hợp lệ: phải là một ngày có thật, dạng NNNN-TT-NN (ví dụ 2026-01-05)",
                    self.0
                ))
            })
        }
    }

    /// "YYYY-MM-DD" with ASCII digits, and a day that exists.
    fn parse(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if !(digits(0..4) && digits(5..7) && digits(8..10)) {
            return None;
        }
        // Every byte is ASCII now, so the slices are on char boundaries.
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot as stored by an earlier version: its dates were strings.
    /// Snapshots frozen before the web layer built the links also carry an
    /// `href` in every figure and source.
    const STORED: &str = r#"{"commune_code":11914,"as_of":"2025-11-30",
            "document":{"parent_body":null,"issuing_body":["ỦY BAN NHÂN DÂN"],"number":"05/BC-UBND",
              "place_date":"Cát Hải, ngày 05 tháng 01 năm 2026","title":"BÁO CÁO","subject":["Kết quả"],
              "blocks":[{"type":"paragraph","content":[{"type":"text","text":"Có "},
                {"type":"figure","text":"58","source":{"key":"villages","label":"Số thôn",
                 "href":"/communes/11914/indicators/villages?as_of=30/11/2025"}}]}],
              "recipients":["Lưu: VT."],"signature":{"capacity":["CHỦ TỊCH"],"name":""},
              "file_title":"Báo cáo","generated_on":"2026-01-05"},
            "annexes":[],
            "figures":[{"key":"villages","label":"Số thôn","text":"58",
              "href":"/communes/11914/indicators/villages?as_of=30/11/2025"}]}"#;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn annex_columns_are_as_wide_as_what_they_hold() {
        let annex = Annex {
            title: "Phụ lục".into(),
            subtitle: vec![],
            columns: [
                "STT",
                "Thôn, tổ dân phố",
                "Quyết định",
                "Số người dân được hỗ trợ",
                "Số Tổ CNSCĐ",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![vec![
                Cell::Number(1.0),
                Cell::Text("Thôn Hoàng Châu và các xóm ven biển phía đông".into()),
                Cell::Text("1907/QĐ-UBND".into()),
                Cell::Number(1440.0),
                Cell::Number(58.0),
            ]],
            totals: Some(vec![Cell::Text(String::new()), Cell::Text("Cộng".into())]),
        };
        // STT: its capitals (4.5); the long name: 24; the decision: its
        // whole number (12 characters, 3 of them capitals: 15); the count:
        // its header on three lines (24 / 3); "CNSCĐ": 7.5; each one more.
        assert_eq!(annex.column_weights(), [6, 25, 16, 9, 9]);
    }

    #[test]
    fn cells_print_numbers_the_vietnamese_way() {
        assert_eq!(Cell::Number(1440.0).printed(), "1.440");
        assert_eq!(Cell::Number(0.0).printed(), "0");
        assert_eq!(Cell::Number(-386.0).printed(), "-386");
        assert_eq!(Cell::Number(12.5).printed(), "12,5");
        assert_eq!(Cell::Number(1234.567).printed(), "1.234,57");
        assert_eq!(Cell::Number(f64::NAN).printed(), "—");
        assert_eq!(Cell::Text("100%".into()).printed(), "100%");
        assert!(Cell::Number(1.0).is_number() && !Cell::Text("1".into()).is_number());
    }

    #[test]
    fn snapshots_with_links_still_load() {
        let snap: Snapshot = serde_json::from_str(STORED).unwrap();
        assert_eq!(snap.printed.figures[0].key, "villages");
        assert_eq!(snap.printed.document.blocks[0].text(), "Có 58");
    }

    /// The dates of a stored snapshot are read as dates, once, and written
    /// back as the same JSON strings.
    #[test]
    fn stored_snapshot_dates_are_read_as_dates() {
        let snap: Snapshot = serde_json::from_str(STORED).unwrap();
        assert_eq!(snap.printed.document.generated_on, day(2026, 1, 5));
        assert_eq!(snap.printed.as_of, day(2025, 11, 30));

        let json = serde_json::to_string(&snap).unwrap();
        assert!(json.contains(r#""generated_on":"2026-01-05""#), "{json}");
        assert!(
            json.starts_with(r#"{"commune_code":11914,"as_of":"2025-11-30","#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Snapshot>(&json).unwrap(), snap);
    }

    /// A date in any other form than "YYYY-MM-DD", or a day that does not
    /// exist, is refused when the snapshot is read, and the error names the
    /// field.
    #[test]
    fn malformed_dates_are_refused_naming_the_field() {
        let with = |field: &str, was: &str, value: &str| {
            let from = format!(r#""{field}":"{was}""#);
            assert!(STORED.contains(&from), "{from}");
            STORED.replace(&from, &format!(r#""{field}":{value}"#))
        };
        let refused = |json: String| {
            serde_json::from_str::<Snapshot>(&json)
                .expect_err("a malformed date is refused")
                .to_string()
        };
        for bad in [
            "05/01/2026",
            "2026-1-05",
            "2026-01-5",
            "2026-13-01",
            "2026-01-00",
            "2025-02-29",
            "２０２６-01-05",
            " 2026-01-05",
            "2026-01-05T00:00:00",
            "+2026-01-05",
            "",
        ] {
            let err = refused(with("generated_on", "2026-01-05", &format!("\"{bad}\"")));
            assert!(err.contains("ngày báo cáo (generated_on)"), "{bad}: {err}");
            assert!(err.contains(&format!("«{bad}»")), "{bad}: {err}");
            let err = refused(with("as_of", "2025-11-30", &format!("\"{bad}\"")));
            assert!(err.contains("ngày số liệu (as_of)"), "{bad}: {err}");
        }
        // Not a string at all.
        for bad in ["20260105", "null", "[2026,1,5]"] {
            let err = refused(with("generated_on", "2026-01-05", bad));
            assert!(err.contains("(generated_on)"), "{bad}: {err}");
        }
        // A leap day is a day.
        let leap = with("generated_on", "2026-01-05", r#""2024-02-29""#);
        let snap: Snapshot = serde_json::from_str(&leap).unwrap();
        assert_eq!(snap.printed.document.generated_on, day(2024, 2, 29));
    }

    /// A year without a four-digit form cannot be saved: what is written
    /// can always be read back.
    #[test]
    fn a_date_without_a_four_digit_year_is_not_written() {
        let mut doc = Document::sample();
        for far in [day(10000, 1, 1), day(-1, 12, 31)] {
            doc.generated_on = far;
            let err = serde_json::to_string(&doc).unwrap_err().to_string();
            assert!(err.contains("(generated_on)"), "{far}: {err}");
        }
        doc.generated_on = day(0, 1, 1);
        let json = serde_json::to_string(&doc).unwrap();
        assert!(json.contains(r#""generated_on":"0000-01-01""#), "{json}");
        assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), doc);
    }
}

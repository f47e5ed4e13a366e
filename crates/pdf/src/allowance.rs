//! The allowance papers of a commune for one month as one PDF: the
//! allowance list (danh sách chi trả) with its totals and signature blocks,
//! then the attendance sheet (bảng chấm công) of every team.
//!
//! Laid out like the reports (see the crate's documentation): the papers go
//! to a fixed template (`allowance.typ`) as JSON data (`/allowance.json`),
//! never as markup, in the same closed world, with the same fonts and the
//! same strictness. The input is plain data (names, labels, numbers): the
//! caller (`toso-reporting`) maps the domain's list and sheets to it. Every
//! figure is written here as printed ("1.400.000"), so the template only
//! places strings. The same papers always give the same bytes (the creation
//! date is [`AllowancePapers::dated`]).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::{creation_date, export, lay_out, PdfError, Template};

/// The fixed typst template of the allowance papers.
const ALLOWANCE_TEMPLATE: &str = include_str!("allowance.typ");
/// Virtual path of the template.
const ALLOWANCE_PATH: &str = "/allowance.typ";
/// Virtual path of the data.
const ALLOWANCE_DATA_PATH: &str = "/allowance.json";

static ALLOWANCE: LazyLock<Template> =
    LazyLock::new(|| Template::new(ALLOWANCE_PATH, ALLOWANCE_DATA_PATH, ALLOWANCE_TEMPLATE));

/// The title of the allowance list (the XLSX prints the same).
pub const ALLOWANCE_TITLE: &str = "DANH SÁCH CHI TRẢ THÙ LAO TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG";
/// The title of the attendance sheets.
pub const ATTENDANCE_TITLE: &str = "BẢNG CHẤM CÔNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG";
/// The columns of the allowance list, in order.
pub const ALLOWANCE_COLUMNS: [&str; 10] = [
    "STT",
    "Họ và tên",
    "Chức danh",
    "Số ngày hoạt động",
    "Số ngày được chi",
    "Theo tổ (đ)",
    "Theo tháng (đ)",
    "Theo ngày (đ)",
    "Thành tiền (đ)",
    "Ký nhận",
];
/// The columns of an attendance sheet before the days, and after them.
pub const ATTENDANCE_COLUMNS: [&str; 3] = ["STT", "Họ và tên", "Chức danh"];
/// The last column of an attendance sheet: the member's days.
pub const ATTENDANCE_TOTAL: &str = "Tổng số ngày";
/// Printed on the sheet of a team without members.
pub const NO_MEMBER: &str = "Tổ không có thành viên trong tháng";
/// The label of a team's subtotal row.
pub const TEAM_TOTAL_LABEL: &str = "Cộng tổ";
/// The label of the list's grand total row.
pub const GRAND_TOTAL_LABEL: &str = "TỔNG CỘNG";
/// The signature blocks under the list, left to right: each capacity
/// (lines) and the note under it.
pub const SIGNATURES: [(&[&str], &str); 3] = [
    (&["NGƯỜI LẬP BIỂU"], "(Ký, ghi rõ họ tên)"),
    (&["KẾ TOÁN"], "(Ký, ghi rõ họ tên)"),
    (&["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "(Ký, ghi rõ họ tên)"),
];
/// The date line over the commune's signature, filled in by hand.
pub const SIGNING_DATE: &str = "Ngày ...... tháng ...... năm ..........";
/// The unit line over the list.
pub const UNIT_LINE: &str = "Đơn vị tính: đồng";

/// A commune's allowance papers for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowancePapers {
    /// The body above the commune ("UBND THÀNH PHỐ HẢI PHÒNG").
    pub parent_body: String,
    /// The commune's body ("UBND ĐẶC KHU CÁT HẢI").
    pub issuing_body: String,
    /// "Tháng 11/2025".
    pub month_line: String,
    /// The lines under the month: the policy, its rates, the status.
    pub notes: Vec<String>,
    /// The list's teams, in order.
    pub teams: Vec<PaperTeam>,
    /// The list's totals.
    pub total: Amounts,
    /// The month's first day (the sheets' day columns and weekends).
    pub first_day: NaiveDate,
    /// Days in the month (28–31): the sheets' day columns.
    pub days: u32,
    /// Every team's attendance sheet, in order.
    pub sheets: Vec<PaperSheet>,
    /// The marks explained ("H: Hỗ trợ người dân; T: Trực; …").
    pub legend: String,
    /// The PDF's creation date.
    pub dated: NaiveDate,
}

/// The amounts of a row or a total, in đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub team_part: i64,
    pub member_part: i64,
    pub day_part: i64,
    pub total: i64,
}

/// A team's block of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperTeam {
    pub name: String,
    pub rows: Vec<PaperRow>,
    pub total: Amounts,
}

/// A payee's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperRow {
    pub name: String,
    pub role: String,
    /// Days of activity; `None` on a team's own row (blank).
    pub days: Option<u32>,
    pub days_paid: u32,
    pub amounts: Amounts,
}

/// A team's attendance sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperSheet {
    pub name: String,
    /// "Tổ trưởng: Lê Văn A", or none.
    pub leader: Option<String>,
    pub members: Vec<PaperMember>,
}

/// A member's line of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperMember {
    pub name: String,
    pub role: String,
    /// The marks of each day, from day 1 ("H", "H T", "" when none); days
    /// past the list are blank, marks past the month's days are refused.
    pub marks: Vec<String>,
    /// Days of activity in the team.
    pub days: u32,
}

/// Renders the papers as one A4 landscape PDF: the list, its signatures,
/// then each team's sheet on a new page.
///
/// Refuses a month of fewer than 28 or more than 31 days and a member with
/// marks past the month's last day. The same papers always give
/// byte-identical output.
pub fn render_allowance(papers: &AllowancePapers) -> Result<Vec<u8>, PdfError> {
    if !(28..=31).contains(&papers.days) {
        return Err(PdfError::Layout(format!(
            "tháng có {} ngày: bảng chấm công cần từ 28 đến 31 ngày",
            papers.days
        )));
    }
    for sheet in &papers.sheets {
        for m in &sheet.members {
            if m.marks.len() > papers.days as usize {
                return Err(PdfError::Layout(format!(
                    "{} ({}) có dấu chấm công cho {} ngày, tháng chỉ có {} ngày",
                    m.name,
                    sheet.name,
                    m.marks.len(),
                    papers.days
                )));
            }
        }
    }
    let date = creation_date(papers.dated)?;
    let data = AllowanceData::of(papers);
    let document = lay_out(&ALLOWANCE, serde_json::to_vec(&data)?, date)?;
    export(
        &document,
        format!(
            "toso-allowance|{}|{}|{}|{}",
            papers.issuing_body, papers.first_day, papers.total.total, papers.dated
        ),
        date,
    )
}

/// "1.400.000": digits grouped by three with dots, as Vietnamese print.
pub fn dotted(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A component as printed: "-" for nothing.
fn amount(n: i64) -> String {
    if n == 0 {
        "-".into()
    } else {
        dotted(n)
    }
}

/// "I", "II", … for the `n`-th team (1-based).
pub fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digit) in DIGITS {
        while n >= value {
            out.push_str(digit);
            n -= value;
        }
    }
    out
}

/// What the template reads from `/allowance.json`: every text as printed.
#[derive(Serialize)]
struct AllowanceData {
    title: String,
    parent_body: String,
    issuing_body: String,
    heading: &'static str,
    month_line: String,
    notes: Vec<String>,
    unit_line: &'static str,
    columns: [&'static str; 10],
    teams: Vec<TeamData>,
    grand_label: &'static str,
    total: AmountsData,
    signing_date: &'static str,
    signatures: Vec<SignatureData>,
    sheet_heading: &'static str,
    /// The day columns: "1" … "31", and whether each is a weekend day.
    days: Vec<DayData>,
    sheets: Vec<SheetData>,
    no_member: &'static str,
    legend: String,
}

#[derive(Serialize)]
struct AmountsData {
    team_part: String,
    member_part: String,
    day_part: String,
    total: String,
}

impl From<Amounts> for AmountsData {
    fn from(a: Amounts) -> Self {
        AmountsData {
            team_part: amount(a.team_part),
            member_part: amount(a.member_part),
            day_part: amount(a.day_part),
            total: amount(a.total),
        }
    }
}

#[derive(Serialize)]
struct TeamData {
    /// "I", "II", …
    number: String,
    name: String,
    rows: Vec<RowData>,
    total_label: &'static str,
    total: AmountsData,
}

#[derive(Serialize)]
struct RowData {
    number: String,
    name: String,
    role: String,
    days: String,
    days_paid: String,
    amounts: AmountsData,
}

#[derive(Serialize)]
struct SignatureData {
    capacity: Vec<&'static str>,
    note: &'static str,
}

#[derive(Serialize)]
struct DayData {
    label: String,
    weekend: bool,
}

#[derive(Serialize)]
struct SheetData {
    name: String,
    leader: Option<String>,
    columns: [&'static str; 3],
    total_column: &'static str,
    members: Vec<MemberData>,
}

#[derive(Serialize)]
struct MemberData {
    number: String,
    name: String,
    role: String,
    /// Exactly one per day of the month.
    marks: Vec<String>,
    days: String,
}

impl AllowanceData {
    fn of(p: &AllowancePapers) -> AllowanceData {
        let days = (0..p.days)
            .map(|i| {
                let day = p.first_day + chrono::Days::new(u64::from(i));
                DayData {
                    label: (i + 1).to_string(),
                    weekend: matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                }
            })
            .collect();
        AllowanceData {
            title: format!(
                "Danh sách chi trả thù lao Tổ công nghệ số cộng đồng – {} – {}",
                p.month_line, p.issuing_body
            ),
            parent_body: p.parent_body.clone(),
            issuing_body: p.issuing_body.clone(),
            heading: ALLOWANCE_TITLE,
            month_line: p.month_line.clone(),
            notes: p.notes.clone(),
            unit_line: UNIT_LINE,
            columns: ALLOWANCE_COLUMNS,
            teams: p
                .teams
                .iter()
                .enumerate()
                .map(|(i, t)| TeamData {
                    number: roman(i as u32 + 1),
                    name: t.name.clone(),
                    rows: t
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(j, r)| RowData {
                            number: (j + 1).to_string(),
                            name: r.name.clone(),
                            role: r.role.clone(),
                            days: r.days.map(|d| d.to_string()).unwrap_or_default(),
                            days_paid: r.days_paid.to_string(),
                            amounts: r.amounts.into(),
                        })
                        .collect(),
                    total_label: TEAM_TOTAL_LABEL,
                    total: t.total.into(),
                })
                .collect(),
            grand_label: GRAND_TOTAL_LABEL,
            total: p.total.into(),
            signing_date: SIGNING_DATE,
            signatures: SIGNATURES
                .iter()
                .map(|(capacity, note)| SignatureData {
                    capacity: capacity.to_vec(),
                    note,
                })
                .collect(),
            sheet_heading: ATTENDANCE_TITLE,
            days,
            sheets: p
                .sheets
                .iter()
                .map(|s| SheetData {
                    name: s.name.clone(),
                    leader: s.leader.clone(),
                    columns: ATTENDANCE_COLUMNS,
                    total_column: ATTENDANCE_TOTAL,
                    members: s
                        .members
                        .iter()
                        .enumerate()
                        .map(|(j, m)| MemberData {
                            number: (j + 1).to_string(),
                            name: m.name.clone(),
                            role: m.role.clone(),
                            marks: (0..p.days as usize)
                                .map(|d| m.marks.get(d).cloned().unwrap_or_default())
                                .collect(),
                            days: m.days.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            no_member: NO_MEMBER,
            legend: p.legend.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn papers() -> AllowancePapers {
        let row = |name: &str, total: i64| PaperRow {
            name: name.into(),
            role: "Thành viên".into(),
            days: Some(2),
            days_paid: 2,
            amounts: Amounts {
                day_part: total,
                total,
                ..Amounts::default()
            },
        };
        AllowancePapers {
            parent_body: "UBND THÀNH PHỐ HẢI PHÒNG".into(),
            issuing_body: "UBND ĐẶC KHU CÁT HẢI".into(),
            month_line: "Tháng 02/2024".into(),
            notes: vec!["Chưa duyệt".into()],
            teams: vec![PaperTeam {
                name: "Tổ công nghệ số cộng đồng Thôn 1".into(),
                rows: vec![
                    row("Nguyễn Văn An", 100_000),
                    row("Trần Thị Bình", 1_300_000),
                ],
                total: Amounts {
                    day_part: 1_400_000,
                    total: 1_400_000,
                    ..Amounts::default()
                },
            }],
            total: Amounts {
                day_part: 1_400_000,
                total: 1_400_000,
                ..Amounts::default()
            },
            first_day: NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
            days: 29,
            sheets: vec![PaperSheet {
                name: "Tổ công nghệ số cộng đồng Thôn 1".into(),
                leader: None,
                members: vec![PaperMember {
                    name: "Nguyễn Văn An".into(),
                    role: "Thành viên".into(),
                    marks: vec!["H".into(), String::new(), "H T".into()],
                    days: 2,
                }],
            }],
            legend: "H: Hỗ trợ người dân; T: Trực".into(),
            dated: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        }
    }

    #[test]
    fn numbers_are_grouped_with_dots_and_teams_numbered_in_roman() {
        assert_eq!(dotted(1_400_000), "1.400.000");
        assert_eq!(dotted(0), "0");
        assert_eq!(dotted(999), "999");
        assert_eq!(dotted(-12_345), "-12.345");
        assert_eq!(amount(0), "-");
        assert_eq!(
            (1..=4).map(roman).collect::<Vec<_>>(),
            ["I", "II", "III", "IV"]
        );
        assert_eq!(roman(14), "XIV");
    }

    #[test]
    fn every_member_gets_one_mark_per_day_and_weekends_are_known() {
        let data = AllowanceData::of(&papers());
        assert_eq!(data.days.len(), 29);
        // 03/02/2024 was a Saturday, 05/02/2024 a Monday.
        assert!(data.days[2].weekend && data.days[3].weekend);
        assert!(!data.days[4].weekend);
        let m = &data.sheets[0].members[0];
        assert_eq!(m.marks.len(), 29);
        assert_eq!(m.marks[2], "H T");
        assert_eq!(m.marks[28], "");
        assert_eq!(data.teams[0].total.total, "1.400.000");
        assert_eq!(data.teams[0].rows[1].amounts.team_part, "-");
        assert_eq!(data.teams[0].number, "I");
    }

    #[test]
    fn marks_past_the_month_and_odd_months_are_refused() {
        let mut p = papers();
        p.sheets[0].members[0].marks = vec![String::new(); 30];
        assert!(matches!(render_allowance(&p), Err(PdfError::Layout(_))));
        let mut p = papers();
        p.days = 32;
        assert!(matches!(render_allowance(&p), Err(PdfError::Layout(_))));
    }

    #[test]
    fn the_papers_render_the_same_twice() {
        let a = render_allowance(&papers()).expect("renders");
        assert!(a.starts_with(b"%PDF"));
        assert_eq!(a, render_allowance(&papers()).unwrap());
    }
}

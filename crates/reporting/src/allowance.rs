//! A commune's allowance papers for one month, as the finance office files
//! them: the allowance list (danh sách chi trả) and every team's
//! attendance sheet (bảng chấm công), as one XLSX workbook (two worksheets)
//! or one PDF (typst, `toso_pdf::allowance`).
//!
//! The figures come from the domain's pure model (`toso_domain::allowance`:
//! the sheets the store gathers and the list [`toso_domain::compute`] makes
//! of them, or the frozen copy of an approved month); nothing is summed
//! here, so every total printed is the model's. Both files print the same
//! texts (titles, columns, signature blocks: the constants of
//! `toso_pdf::allowance`) and the same header lines ([`AllowanceDoc`]'s
//! policy and status). The same papers always give the same bytes: the
//! files are dated with the month's last day, never with the clock.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use toso_domain::{AllowanceList, AllowanceRow, DaySource, Month, Payee, SheetTeam};
use toso_pdf::allowance::{
    render_allowance, roman, AllowancePapers, Amounts, PaperMember, PaperRow, PaperSheet,
    PaperTeam, ALLOWANCE_COLUMNS, ALLOWANCE_TITLE, ATTENDANCE_TITLE, GRAND_TOTAL_LABEL, SIGNATURES,
    SIGNING_DATE, TEAM_TOTAL_LABEL, UNIT_LINE,
};
// The attendance sheets' fixed texts, shared with the PDF.
pub use toso_pdf::allowance::{ATTENDANCE_COLUMNS, ATTENDANCE_TOTAL, NO_MEMBER};

/// The name of the list's worksheet.
pub const LIST_SHEET: &str = "Danh sách chi trả";
/// The name of the attendance sheets' worksheet.
pub const ATTENDANCE_SHEET: &str = "Bảng chấm công";

/// A commune's allowance papers for a month: what both files print.
pub struct AllowanceDoc<'a> {
    /// "Đặc khu Cát Hải".
    pub commune_name: &'a str,
    /// "Thành phố Hải Phòng".
    pub province_name: &'a str,
    pub month: Month,
    /// Every team's sheet (members without a day included), in order.
    pub sheets: &'a [SheetTeam],
    pub list: &'a AllowanceList,
    /// The policy applied ("Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025
    /// của HĐND thành phố").
    pub policy: String,
    /// "Đã duyệt ngày 02/12/2025 (Nguyễn Văn A)", or why not yet.
    pub status: String,
}

/// "chi-tra-11914-2025-11.xlsx": ASCII, safe in any header.
pub fn allowance_file_name(commune_code: i32, month: Month, ext: &str) -> String {
    format!("chi-tra-{commune_code}-{}.{ext}", month.code())
}

/// "UBND THÀNH PHỐ HẢI PHÒNG".
fn parent_body(doc: &AllowanceDoc) -> String {
    format!("UBND {}", doc.province_name.trim().to_uppercase())
}

/// "UBND ĐẶC KHU CÁT HẢI".
fn issuing_body(doc: &AllowanceDoc) -> String {
    format!("UBND {}", doc.commune_name.trim().to_uppercase())
}

/// "Tháng 11/2025".
fn month_line(month: Month) -> String {
    format!("Tháng {}", month.label())
}

/// The lines under the title: the policy, each of its rates, the status.
fn notes(doc: &AllowanceDoc) -> Vec<String> {
    let mut lines = vec![format!("Chính sách áp dụng: {}", doc.policy.trim())];
    lines.extend(
        doc.list
            .rates
            .describe()
            .into_iter()
            .map(|l| format!("Mức chi: {l}")),
    );
    if !doc.status.trim().is_empty() {
        lines.push(doc.status.trim().to_owned());
    }
    lines
}

/// "H: Hỗ trợ người dân; T: Trực; L: Tập huấn; C: Chiến dịch".
pub fn legend() -> String {
    DaySource::ALL
        .iter()
        .map(|s| format!("{}: {}", s.mark(), s.label()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether day `d` (1-based) of `month` is a Saturday or a Sunday.
fn weekend(month: Month, d: u32) -> bool {
    let day = month.first_day() + Days::new(u64::from(d - 1));
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn amounts(r: &AllowanceRow) -> Amounts {
    Amounts {
        team_part: r.team_part,
        member_part: r.member_part,
        day_part: r.day_part,
        total: r.total,
    }
}

// ---------------------------------------------------------------------------
// PDF

/// The papers as one A4 landscape PDF (see [`toso_pdf::allowance`]).
pub fn allowance_pdf(doc: &AllowanceDoc) -> Result<Vec<u8>, String> {
    render_allowance(&papers(doc)).map_err(|e| e.to_string())
}

/// The papers as the PDF renderer takes them.
fn papers(doc: &AllowanceDoc) -> AllowancePapers {
    let list = doc.list;
    let days = doc.month.days();
    AllowancePapers {
        parent_body: parent_body(doc),
        issuing_body: issuing_body(doc),
        month_line: month_line(doc.month),
        notes: notes(doc),
        teams: list
            .teams
            .iter()
            .map(|t| {
                let rows: Vec<PaperRow> = t
                    .rows
                    .iter()
                    .map(|r| PaperRow {
                        name: r.name.clone(),
                        role: r.role.clone(),
                        days: matches!(r.payee, Payee::Person(_)).then_some(r.days),
                        days_paid: r.days_paid,
                        amounts: amounts(r),
                    })
                    .collect();
                PaperTeam {
                    name: t.name.clone(),
                    total: team_amounts(&t.rows, t.total),
                    rows,
                }
            })
            .collect(),
        total: Amounts {
            team_part: list.team_part,
            member_part: list.member_part,
            day_part: list.day_part,
            total: list.total,
        },
        first_day: doc.month.first_day(),
        days,
        sheets: doc
            .sheets
            .iter()
            .map(|s| PaperSheet {
                name: s.name.clone(),
                leader: s.leader.as_ref().map(|l| format!("Tổ trưởng: {l}")),
                members: s
                    .members
                    .iter()
                    .map(|m| PaperMember {
                        name: m.full_name.clone(),
                        role: m.role.clone(),
                        marks: (1..=days).map(|d| m.marks(d)).collect(),
                        days: m.day_count(),
                    })
                    .collect(),
            })
            .collect(),
        legend: legend(),
        dated: doc.month.last_day(),
    }
}

/// A team's components summed over its rows, with the team's total as the
/// model gives it.
fn team_amounts(rows: &[AllowanceRow], total: i64) -> Amounts {
    Amounts {
        team_part: rows.iter().map(|r| r.team_part).sum(),
        member_part: rows.iter().map(|r| r.member_part).sum(),
        day_part: rows.iter().map(|r| r.day_part).sum(),
        total,
    }
}

// ---------------------------------------------------------------------------
// XLSX

const FONT: &str = "Times New Roman";
/// Paper size code of A4 in Excel's page setup.
const PAPER_A4: u8 = 9;
/// Height of one line of 12 pt text in a row, in points.
const LINE: f64 = 16.5;
/// Height of one line of 10 pt text in a row, in points.
const SMALL_LINE: f64 = 13.5;
/// Widths of the list's columns, in characters.
const LIST_WIDTHS: [f64; 10] = [6.0, 28.0, 24.0, 11.0, 11.0, 13.0, 13.0, 13.0, 15.0, 16.0];
/// Amounts: thousands separators, "-" for nothing.
const MONEY: &str = "#,##0;-#,##0;\"-\"";
/// Light grey of team rows and weekend columns.
const SHADE: u32 = 0xE7E6E6;

/// The papers as one workbook: the list ("Danh sách chi trả") and the
/// attendance sheets ("Bảng chấm công"), laid out for A4 landscape.
pub fn allowance_xlsx(doc: &AllowanceDoc) -> Result<Vec<u8>, String> {
    build_xlsx(doc).map_err(|e| format!("lỗi tạo tệp Excel: {e}"))
}

fn build_xlsx(doc: &AllowanceDoc) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let last = doc.month.last_day();
    // A month is within 2000–2100 (Month::new), which Excel holds.
    let created = ExcelDateTime::from_ymd(year(last), last.month() as u8, last.day() as u8)?
        .and_hms(0, 0, 0)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_author("Tổ Số")
            .set_title(format!(
                "Danh sách chi trả thù lao Tổ công nghệ số cộng đồng – {} – {}",
                month_line(doc.month),
                doc.commune_name
            ))
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(LIST_SHEET)?;
    write_list(sheet, doc, &f)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(ATTENDANCE_SHEET)?;
    write_attendance(sheet, doc, &f)?;
    workbook.save_to_buffer()
}

/// The year of `d` for Excel (2000–2100 for a [`Month`]).
fn year(d: NaiveDate) -> u16 {
    u16::try_from(d.year()).unwrap_or(2000)
}

struct Formats {
    plain: Format,
    bold: Format,
    title: Format,
    note: Format,
    unit: Format,
    header: Format,
    text: Format,
    centre: Format,
    number: Format,
    money: Format,
    group: Format,
    group_centre: Format,
    total_text: Format,
    total_money: Format,
    sign_bold: Format,
    sign_note: Format,
    // The attendance sheets, in 10 pt.
    small_header: Format,
    small_header_shaded: Format,
    small_text: Format,
    small_centre: Format,
    mark: Format,
    mark_shaded: Format,
    small_total: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new().set_font_name(FONT).set_font_size(12);
        let centred = |f: Format| {
            f.set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
        };
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let small = cell.clone().set_font_size(10);
        let mark = centred(small.clone());
        Formats {
            plain: centred(base.clone()).set_text_wrap(),
            bold: centred(base.clone()).set_bold().set_text_wrap(),
            title: centred(base.clone())
                .set_bold()
                .set_font_size(14)
                .set_text_wrap(),
            note: centred(base.clone()).set_italic().set_text_wrap(),
            unit: base
                .clone()
                .set_italic()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter),
            header: centred(cell.clone()).set_bold(),
            text: cell.clone(),
            centre: centred(cell.clone()),
            number: centred(cell.clone()).set_num_format("0"),
            money: cell.clone().set_num_format(MONEY),
            group: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(SHADE)),
            group_centre: centred(cell.clone())
                .set_bold()
                .set_background_color(Color::RGB(SHADE)),
            total_text: cell.clone().set_bold(),
            total_money: cell.clone().set_bold().set_num_format(MONEY),
            sign_bold: centred(base.clone()).set_bold().set_text_wrap(),
            sign_note: centred(base.clone()).set_italic(),
            small_header: centred(small.clone()).set_bold(),
            small_header_shaded: centred(small.clone())
                .set_bold()
                .set_background_color(Color::RGB(SHADE)),
            small_text: small.clone(),
            small_centre: centred(small.clone()),
            mark_shaded: mark.clone().set_background_color(Color::RGB(SHADE)),
            mark,
            small_total: centred(small).set_bold().set_num_format("0"),
        }
    }
}

/// Lines `text` takes in a wrapped cell `width` characters wide (roughly:
/// Excel's width unit is one digit, a little narrower than average text).
fn lines(text: &str, width: f64) -> f64 {
    let usable = (width - 1.0).max(1.0);
    text.lines()
        .map(|l| ((l.chars().count() as f64 * 1.1) / usable).ceil().max(1.0))
        .sum::<f64>()
        .max(1.0)
}

/// Width of columns `first..=last` of `widths`.
fn span(widths: &[f64], first: u16, last: u16) -> f64 {
    widths[usize::from(first)..=usize::from(last)].iter().sum()
}

/// Writes `text` across columns `first..=last` of `row` (one cell when
/// they are one column: Excel refuses a merge of a single cell).
fn merged(
    sheet: &mut Worksheet,
    row: u32,
    first: u16,
    last: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if first == last {
        sheet.write_string_with_format(row, first, text, format)?;
    } else {
        sheet.merge_range(row, first, row, last, text, format)?;
    }
    Ok(())
}

/// The commune (left) and the national title (right) on rows 0 and 1 (the
/// left block spans columns `0..=left_last`, the right one
/// `right_first..=last`), then the sheet's title and its month across
/// every column on rows 3 and 4. Returns the next row, 5.
fn write_heading(
    sheet: &mut Worksheet,
    doc: &AllowanceDoc,
    f: &Formats,
    (left_last, right_first, last): (u16, u16, u16),
    title: &str,
) -> Result<u32, XlsxError> {
    merged(sheet, 0, 0, left_last, &parent_body(doc), &f.plain)?;
    merged(sheet, 1, 0, left_last, &issuing_body(doc), &f.bold)?;
    merged(
        sheet,
        0,
        right_first,
        last,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        &f.bold,
    )?;
    merged(
        sheet,
        1,
        right_first,
        last,
        "Độc lập - Tự do - Hạnh phúc",
        &f.bold,
    )?;
    merged(sheet, 3, 0, last, title, &f.title)?;
    sheet.set_row_height(3, 21.0)?;
    merged(sheet, 4, 0, last, &month_line(doc.month), &f.bold)?;
    Ok(5)
}

fn print_setup(sheet: &mut Worksheet, last_row: u32, last_col: u16) -> Result<(), XlsxError> {
    sheet.set_paper_size(PAPER_A4);
    sheet.set_landscape();
    sheet.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    sheet.set_print_center_horizontally(true);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_area(0, 0, last_row, last_col)?;
    sheet.set_footer("&CTrang &P/&N");
    Ok(())
}

fn write_list(sheet: &mut Worksheet, doc: &AllowanceDoc, f: &Formats) -> Result<(), XlsxError> {
    let list = doc.list;
    let last: u16 = (ALLOWANCE_COLUMNS.len() - 1) as u16;
    for (i, w) in LIST_WIDTHS.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    let all = span(&LIST_WIDTHS, 0, last);

    let mut row = write_heading(sheet, doc, f, (3, 5, last), ALLOWANCE_TITLE)?;
    for note in notes(doc) {
        merged(sheet, row, 0, last, &note, &f.note)?;
        sheet.set_row_height(row, LINE * lines(&note, all))?;
        row += 1;
    }
    merged(sheet, row, 7, last, UNIT_LINE, &f.unit)?;
    row += 1;

    let header_row = row;
    for (i, h) in ALLOWANCE_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(row, i as u16, *h, &f.header)?;
    }
    let header_lines = ALLOWANCE_COLUMNS
        .iter()
        .zip(LIST_WIDTHS)
        .map(|(h, w)| lines(h, w))
        .fold(1.0, f64::max);
    sheet.set_row_height(row, LINE * header_lines)?;
    row += 1;

    // The four amounts and the empty signature cell of a row.
    let write_amounts =
        |sheet: &mut Worksheet, row: u32, a: [i64; 4], money: &Format| -> Result<(), XlsxError> {
            for (i, v) in a.iter().enumerate() {
                sheet.write_number_with_format(row, 5 + i as u16, *v as f64, money)?;
            }
            sheet.write_blank(row, last, &f.text)?;
            Ok(())
        };
    // A total row: its label across the name columns, then the amounts.
    let total_row = |sheet: &mut Worksheet, row: u32, label: &str, a: [i64; 4]| {
        sheet.write_blank(row, 0, &f.total_text)?;
        merged(sheet, row, 1, 4, label, &f.total_text)?;
        write_amounts(sheet, row, a, &f.total_money)
    };

    for (ti, team) in list.teams.iter().enumerate() {
        sheet.write_string_with_format(row, 0, roman(ti as u32 + 1), &f.group_centre)?;
        merged(sheet, row, 1, last, &team.name, &f.group)?;
        sheet.set_row_height(row, LINE * lines(&team.name, span(&LIST_WIDTHS, 1, last)))?;
        row += 1;
        for (ri, r) in team.rows.iter().enumerate() {
            sheet.write_number_with_format(row, 0, (ri + 1) as f64, &f.number)?;
            sheet.write_string_with_format(row, 1, &r.name, &f.text)?;
            sheet.write_string_with_format(row, 2, &r.role, &f.text)?;
            match r.payee {
                Payee::Person(_) => {
                    sheet.write_number_with_format(row, 3, f64::from(r.days), &f.number)?;
                }
                Payee::Team(_) => {
                    sheet.write_blank(row, 3, &f.centre)?;
                }
            }
            sheet.write_number_with_format(row, 4, f64::from(r.days_paid), &f.number)?;
            write_amounts(
                sheet,
                row,
                [r.team_part, r.member_part, r.day_part, r.total],
                &f.money,
            )?;
            // Room to sign, and for a wrapped name or role.
            let text_lines = lines(&r.name, LIST_WIDTHS[1]).max(lines(&r.role, LIST_WIDTHS[2]));
            sheet.set_row_height(row, (LINE * text_lines).max(2.0 * LINE))?;
            row += 1;
        }
        let t = team_amounts(&team.rows, team.total);
        let amounts = [t.team_part, t.member_part, t.day_part, t.total];
        total_row(sheet, row, TEAM_TOTAL_LABEL, amounts)?;
        sheet.set_row_height(row, LINE)?;
        row += 1;
    }
    let amounts = [list.team_part, list.member_part, list.day_part, list.total];
    total_row(sheet, row, GRAND_TOTAL_LABEL, amounts)?;
    sheet.set_row_height(row, LINE * 1.3)?;
    row += 2;

    // Signature blocks, side by side, with room to sign under them.
    let blocks: [(u16, u16); 3] = [(0, 2), (3, 5), (6, last)];
    merged(
        sheet,
        row,
        blocks[2].0,
        blocks[2].1,
        SIGNING_DATE,
        &f.sign_note,
    )?;
    row += 1;
    let mut capacity_lines = 1.0f64;
    for ((first, end), (capacity, _)) in blocks.iter().zip(SIGNATURES) {
        let text = capacity.join("\n");
        merged(sheet, row, *first, *end, &text, &f.sign_bold)?;
        capacity_lines = capacity_lines.max(lines(&text, span(&LIST_WIDTHS, *first, *end)));
    }
    sheet.set_row_height(row, LINE * capacity_lines)?;
    row += 1;
    for ((first, end), (_, note)) in blocks.iter().zip(SIGNATURES) {
        merged(sheet, row, *first, *end, note, &f.sign_note)?;
    }
    // Four empty rows to sign in, printed.
    row += 4;

    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.set_repeat_rows(header_row, header_row)?;
    print_setup(sheet, row, last)
}

fn write_attendance(
    sheet: &mut Worksheet,
    doc: &AllowanceDoc,
    f: &Formats,
) -> Result<(), XlsxError> {
    let days = doc.month.days();
    let first_day: u16 = 3;
    let total_col: u16 = first_day + days as u16;
    let mut widths = vec![5.0, 26.0, 16.0];
    widths.extend(std::iter::repeat_n(3.6, days as usize));
    widths.push(8.0);
    for (i, w) in widths.iter().enumerate() {
        sheet.set_column_width(i as u16, *w)?;
    }
    let all = span(&widths, 0, total_col);

    // The national title over the last 15 days' columns and the total.
    let columns = (2, total_col - 15, total_col);
    let mut row = write_heading(sheet, doc, f, columns, ATTENDANCE_TITLE)? + 1;

    let legend = legend();
    for team in doc.sheets {
        let title = match &team.leader {
            Some(l) => format!("{} (Tổ trưởng: {l})", team.name),
            None => team.name.clone(),
        };
        let title_format = f.bold.clone().set_align(FormatAlign::Left);
        merged(sheet, row, 0, total_col, &title, &title_format)?;
        sheet.set_row_height(row, LINE * lines(&title, all))?;
        row += 1;

        for (i, h) in ATTENDANCE_COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(row, i as u16, *h, &f.small_header)?;
        }
        for d in 1..=days {
            let format = if weekend(doc.month, d) {
                &f.small_header_shaded
            } else {
                &f.small_header
            };
            sheet.write_number_with_format(
                row,
                first_day + (d - 1) as u16,
                f64::from(d),
                format,
            )?;
        }
        sheet.write_string_with_format(row, total_col, ATTENDANCE_TOTAL, &f.small_header)?;
        sheet.set_row_height(row, SMALL_LINE * 2.0)?;
        row += 1;

        for (mi, m) in team.members.iter().enumerate() {
            sheet.write_number_with_format(row, 0, (mi + 1) as f64, &f.small_centre)?;
            sheet.write_string_with_format(row, 1, &m.full_name, &f.small_text)?;
            sheet.write_string_with_format(row, 2, &m.role, &f.small_text)?;
            let mut most = 1usize;
            for d in 1..=days {
                let col = first_day + (d - 1) as u16;
                let format = if weekend(doc.month, d) {
                    &f.mark_shaded
                } else {
                    &f.mark
                };
                let marks = m.marks(d);
                if marks.is_empty() {
                    sheet.write_blank(row, col, format)?;
                } else {
                    // One letter a line in the narrow column.
                    most = most.max(marks.split(' ').count());
                    sheet.write_string_with_format(row, col, &marks, format)?;
                }
            }
            sheet.write_number_with_format(
                row,
                total_col,
                f64::from(m.day_count()),
                &f.small_total,
            )?;
            let text_lines = lines(&m.full_name, widths[1]).max(lines(&m.role, widths[2]));
            sheet.set_row_height(row, SMALL_LINE * text_lines.max(most as f64))?;
            row += 1;
        }
        if team.members.is_empty() {
            merged(sheet, row, 0, total_col, NO_MEMBER, &f.small_centre)?;
            row += 1;
        }
        let legend_format = f
            .note
            .clone()
            .set_align(FormatAlign::Left)
            .set_font_size(10);
        merged(sheet, row, 0, total_col, &legend, &legend_format)?;
        row += 2; // the legend, and a blank row before the next team
    }

    print_setup(sheet, row.saturating_sub(1), total_col)
}

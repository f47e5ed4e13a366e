//! The allowance papers of a commune for a month, read back: the XLSX with
//! calamine (the list's rows, subtotals and grand total as numbers equal to
//! the sums of the rows and to the model's; the attendance marks in their
//! day columns) and the PDF through `pdftotext -layout` (the title, the
//! month, every name, the totals "1.400.000" style, the signature blocks,
//! one attendance sheet per team). Both render to the same bytes twice.
//! No database: the sheets are built by hand and the list is
//! `toso_domain::compute`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Range, Reader, Xlsx};
use toso_domain::{
    compute, format_int, AllowanceList, DaySource, Month, Payee, Rates, SheetMember, SheetTeam,
};
use toso_pdf::allowance::{
    ALLOWANCE_COLUMNS, ALLOWANCE_TITLE, ATTENDANCE_TITLE, GRAND_TOTAL_LABEL, TEAM_TOTAL_LABEL,
};
use toso_reporting::allowance::{
    allowance_file_name, allowance_pdf, allowance_xlsx, AllowanceDoc, ATTENDANCE_SHEET,
    ATTENDANCE_TOTAL, LIST_SHEET, NO_MEMBER,
};

const NOV: Month = Month {
    year: 2025,
    month: 11,
};

fn member(id: i64, name: &str, role: &str, days: &[(u32, DaySource)]) -> SheetMember {
    let mut map: BTreeMap<u32, BTreeSet<DaySource>> = BTreeMap::new();
    for (d, s) in days {
        map.entry(*d).or_default().insert(*s);
    }
    SheetMember {
        person_id: id,
        full_name: name.into(),
        role: role.into(),
        days: map,
    }
}

/// Two village teams (one without members) and the quick-response team,
/// with a person in two teams.
fn sheets() -> Vec<SheetTeam> {
    use DaySource::*;
    vec![
        SheetTeam {
            team_id: 1,
            name: "Tổ công nghệ số cộng đồng Thôn Đông".into(),
            leader: Some("Nguyễn Văn An".into()),
            members: vec![
                member(
                    10,
                    "Nguyễn Văn An",
                    "Tổ trưởng",
                    &[
                        (1, Support),
                        (3, Support),
                        (3, Duty),
                        (4, Training),
                        (15, Campaign),
                    ],
                ),
                member(11, "Trần Thị Bình", "Thành viên", &[(2, Duty)]),
                member(12, "Phạm Văn Chí", "Thành viên", &[]),
            ],
        },
        SheetTeam {
            team_id: 2,
            name: "Tổ công nghệ số cộng đồng Thôn Tây".into(),
            leader: None,
            members: vec![],
        },
        SheetTeam {
            team_id: 3,
            name: "Đội hỗ trợ chuyển đổi số phản ứng nhanh".into(),
            leader: Some("Đỗ Thị Dung".into()),
            members: vec![
                member(
                    20,
                    "Đỗ Thị Dung",
                    "Đội trưởng",
                    &[(7, Duty), (8, Duty), (30, Support)],
                ),
                member(10, "Nguyễn Văn An", "Thành viên", &[(1, Support)]),
            ],
        },
    ]
}

fn rates() -> Rates {
    Rates {
        per_team_month: 1_000_000,
        per_member_month: 200_000,
        per_day: 50_000,
        day_cap: Some(3),
        min_days: 2,
    }
}

fn doc<'a>(sheets: &'a [SheetTeam], list: &'a AllowanceList) -> AllowanceDoc<'a> {
    AllowanceDoc {
        commune_name: "Đặc khu Cát Hải",
        province_name: "Thành phố Hải Phòng",
        month: NOV,
        sheets,
        list,
        policy: "Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025 của HĐND thành phố (ví dụ)".into(),
        status: "Chưa duyệt — số liệu tính từ hồ sơ đến 03/12/2025".into(),
    }
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(cell: Option<&Data>) -> f64 {
    match cell {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn read(bytes: &[u8]) -> (Vec<String>, Range<Data>, Range<Data>) {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the XLSX opens");
    let names = book.sheet_names();
    let list = book.worksheet_range(LIST_SHEET).expect("the list sheet");
    let attendance = book
        .worksheet_range(ATTENDANCE_SHEET)
        .expect("the attendance sheet");
    assert_eq!(list.start(), Some((0, 0)));
    assert_eq!(attendance.start(), Some((0, 0)));
    (names, list, attendance)
}

/// The row whose column `col` reads `wanted`, from `from` on.
fn find_row(range: &Range<Data>, from: u32, col: u32, wanted: &str) -> u32 {
    let (height, _) = range.get_size();
    (from..height as u32)
        .find(|r| text(range.get_value((*r, col))) == wanted)
        .unwrap_or_else(|| panic!("no row with «{wanted}» in column {col} from row {from}"))
}

#[test]
fn the_file_name_is_ascii_with_the_commune_and_month() {
    assert_eq!(
        allowance_file_name(11914, NOV, "xlsx"),
        "chi-tra-11914-2025-11.xlsx"
    );
    assert_eq!(
        allowance_file_name(11914, Month::new(2026, 1).unwrap(), "pdf"),
        "chi-tra-11914-2026-01.pdf"
    );
}

#[test]
fn the_xlsx_list_has_every_payee_and_totals_that_are_the_sums_of_its_rows() {
    let sheets = sheets();
    let list = compute(NOV, &rates(), &sheets);
    // The model as this test expects it: An paid once, in Thôn Đông;
    // Thôn Tây (no member) not on the list.
    assert_eq!(list.teams.len(), 2);
    assert_eq!(list.teams[0].total, 1_400_000);
    assert_eq!(list.total, 1_400_000 + 1_000_000 + 350_000);

    let bytes = allowance_xlsx(&doc(&sheets, &list)).expect("renders");
    assert_eq!(
        bytes,
        allowance_xlsx(&doc(&sheets, &list)).unwrap(),
        "the same papers give the same bytes"
    );
    let (names, range, _) = read(&bytes);
    assert_eq!(names, vec![LIST_SHEET, ATTENDANCE_SHEET]);

    // The header lines.
    let all_text: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| text(Some(c))))
        .collect();
    for wanted in [
        "UBND THÀNH PHỐ HẢI PHÒNG",
        "UBND ĐẶC KHU CÁT HẢI",
        ALLOWANCE_TITLE,
        "Tháng 11/2025",
        "Chính sách áp dụng: Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025 của HĐND thành phố (ví dụ)",
        "Mức chi: 1.000.000 đ/tổ/tháng (khi có từ 2 ngày hoạt động trở lên)",
        "Mức chi: 50.000 đ/người/ngày hoạt động, tối đa 3 ngày/tháng",
        "Chưa duyệt — số liệu tính từ hồ sơ đến 03/12/2025",
        "NGƯỜI LẬP BIỂU",
        "KẾ TOÁN",
        "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "(Ký, ghi rõ họ tên)",
    ] {
        assert!(
            all_text.iter().any(|t| t == wanted),
            "«{wanted}» is missing from the list sheet"
        );
    }

    // The table, walked block by block against the model.
    let header = find_row(&range, 0, 0, "STT");
    for (i, h) in ALLOWANCE_COLUMNS.iter().enumerate() {
        assert_eq!(text(range.get_value((header, i as u32))), *h);
    }
    let cell = |r: u32, c: u32| range.get_value((r, c));
    let mut row = header + 1;
    let mut grand = [0.0f64; 4];
    for (ti, team) in list.teams.iter().enumerate() {
        assert_eq!(text(cell(row, 0)), ["I", "II"][ti]);
        assert_eq!(text(cell(row, 1)), team.name);
        row += 1;
        let mut sums = [0.0f64; 4];
        for (ri, r) in team.rows.iter().enumerate() {
            assert_eq!(number(cell(row, 0)), (ri + 1) as f64);
            assert_eq!(text(cell(row, 1)), r.name);
            assert_eq!(text(cell(row, 2)), r.role);
            match r.payee {
                Payee::Person(_) => assert_eq!(number(cell(row, 3)), f64::from(r.days)),
                Payee::Team(_) => assert_eq!(text(cell(row, 3)), ""),
            }
            assert_eq!(number(cell(row, 4)), f64::from(r.days_paid));
            let amounts = [r.team_part, r.member_part, r.day_part, r.total];
            for (k, a) in amounts.iter().enumerate() {
                let v = number(cell(row, 5 + k as u32));
                assert_eq!(v, *a as f64, "{} column {}", r.name, 5 + k);
                sums[k] += v;
            }
            assert_eq!(text(cell(row, 9)), "", "the signature cell is empty");
            row += 1;
        }
        assert_eq!(text(cell(row, 1)), TEAM_TOTAL_LABEL);
        for (k, sum) in sums.iter().enumerate() {
            assert_eq!(
                number(cell(row, 5 + k as u32)),
                *sum,
                "{} subtotal",
                team.name
            );
            grand[k] += sum;
        }
        assert_eq!(number(cell(row, 8)), team.total as f64);
        row += 1;
    }
    assert_eq!(text(cell(row, 1)), GRAND_TOTAL_LABEL);
    for (k, sum) in grand.iter().enumerate() {
        assert_eq!(number(cell(row, 5 + k as u32)), *sum);
    }
    assert_eq!(number(cell(row, 8)), list.total as f64);
    assert_eq!(
        [list.team_part, list.member_part, list.day_part].map(|v| v as f64),
        [grand[0], grand[1], grand[2]]
    );

    // Every payee once, the payee in two teams included.
    let an_rows = all_text.iter().filter(|t| *t == "Nguyễn Văn An").count();
    assert_eq!(an_rows, 1);
}

#[test]
fn the_xlsx_attendance_sheet_has_every_team_and_the_marks_in_their_day_columns() {
    let sheets = sheets();
    let list = compute(NOV, &rates(), &sheets);
    let bytes = allowance_xlsx(&doc(&sheets, &list)).unwrap();
    let (_, _, range) = read(&bytes);
    let days = NOV.days();
    assert_eq!(days, 30);
    let total_col = 3 + days;
    assert_eq!(text(range.get_value((3, 0))), ATTENDANCE_TITLE);
    assert_eq!(text(range.get_value((4, 0))), "Tháng 11/2025");

    let mut from = 0;
    for team in &sheets {
        let title = match &team.leader {
            Some(l) => format!("{} (Tổ trưởng: {l})", team.name),
            None => team.name.clone(),
        };
        let title_row = find_row(&range, from, 0, &title);
        let header = title_row + 1;
        assert_eq!(text(range.get_value((header, 0))), "STT");
        assert_eq!(text(range.get_value((header, 1))), "Họ và tên");
        assert_eq!(text(range.get_value((header, 2))), "Chức danh");
        for d in 1..=days {
            assert_eq!(number(range.get_value((header, 2 + d))), f64::from(d));
        }
        assert_eq!(text(range.get_value((header, total_col))), ATTENDANCE_TOTAL);
        let mut row = header + 1;
        for (mi, m) in team.members.iter().enumerate() {
            assert_eq!(number(range.get_value((row, 0))), (mi + 1) as f64);
            assert_eq!(text(range.get_value((row, 1))), m.full_name);
            assert_eq!(text(range.get_value((row, 2))), m.role);
            for d in 1..=days {
                assert_eq!(
                    text(range.get_value((row, 2 + d))),
                    m.marks(d),
                    "{} day {d}",
                    m.full_name
                );
            }
            assert_eq!(
                number(range.get_value((row, total_col))),
                f64::from(m.day_count())
            );
            row += 1;
        }
        if team.members.is_empty() {
            assert_eq!(text(range.get_value((row, 0))), NO_MEMBER);
            row += 1;
        }
        assert_eq!(
            text(range.get_value((row, 0))),
            "H: Hỗ trợ người dân; T: Trực; L: Tập huấn; C: Chiến dịch"
        );
        assert_eq!(
            text(range.get_value((row + 1, 0))),
            "",
            "a blank row follows"
        );
        from = row + 1;
    }

    // The marks where this test put them, spelled out.
    let an = find_row(&range, 0, 1, "Nguyễn Văn An");
    let marks: Vec<String> = [1, 2, 3, 4, 15]
        .iter()
        .map(|d| text(range.get_value((an, 2 + d))))
        .collect();
    assert_eq!(marks, ["H", "", "H T", "L", "C"]);
    assert_eq!(number(range.get_value((an, total_col))), 4.0);
    let dung = find_row(&range, 0, 1, "Đỗ Thị Dung");
    assert_eq!(text(range.get_value((dung, 2 + 30))), "H");
    assert_eq!(number(range.get_value((dung, total_col))), 3.0);
    // A member without a day is on the sheet, with 0.
    let chi = find_row(&range, 0, 1, "Phạm Văn Chí");
    assert_eq!(number(range.get_value((chi, total_col))), 0.0);
}

#[test]
fn a_february_sheet_has_28_day_columns() {
    let feb = Month::new(2026, 2).unwrap();
    let sheets = vec![SheetTeam {
        team_id: 1,
        name: "Tổ công nghệ số cộng đồng Thôn Bắc".into(),
        leader: None,
        members: vec![member(
            1,
            "Vũ Thị Hoa",
            "Thành viên",
            &[(28, DaySource::Support)],
        )],
    }];
    let list = compute(feb, &rates(), &sheets);
    let mut d = doc(&sheets, &list);
    d.month = feb;
    let (_, _, range) = read(&allowance_xlsx(&d).unwrap());
    let header = find_row(&range, 0, 0, "STT");
    assert_eq!(number(range.get_value((header, 2 + 28))), 28.0);
    assert_eq!(text(range.get_value((header, 3 + 28))), ATTENDANCE_TOTAL);
    let hoa = header + 1;
    assert_eq!(text(range.get_value((hoa, 2 + 28))), "H");
    assert_eq!(number(range.get_value((hoa, 3 + 28))), 1.0);
    // The PDF takes a short month too.
    assert!(allowance_pdf(&d).unwrap().starts_with(b"%PDF"));
}

#[test]
fn the_pdf_reads_back_with_the_names_the_totals_and_the_signature_blocks() {
    let sheets = sheets();
    let list = compute(NOV, &rates(), &sheets);
    let pdf = allowance_pdf(&doc(&sheets, &list)).expect("renders");
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(
        pdf,
        allowance_pdf(&doc(&sheets, &list)).unwrap(),
        "the same papers give the same bytes"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chi-tra.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();

    for wanted in [
        ALLOWANCE_TITLE,
        "Tháng 11/2025",
        "UBND ĐẶC KHU CÁT HẢI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đơn vị tính: đồng",
        "Nghị quyết số 26/2025/NQ-HĐND",
        "Chưa duyệt — số liệu tính từ hồ sơ đến 03/12/2025",
        "Cộng tổ",
        "TỔNG CỘNG",
        "NGƯỜI LẬP BIỂU",
        "KẾ TOÁN",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "(Ký, ghi rõ họ tên)",
        "H: Hỗ trợ người dân; T: Trực; L: Tập huấn; C: Chiến dịch",
    ] {
        assert!(text.contains(wanted), "«{wanted}» is missing:\n{text}");
    }
    for name in sheets
        .iter()
        .flat_map(|t| t.members.iter().map(|m| m.full_name.as_str()))
        .chain(list.rows().map(|r| r.name.as_str()))
    {
        assert!(text.contains(name), "«{name}» is missing:\n{text}");
    }
    // The team subtotal and the grand total, written with dots.
    assert_eq!(format_int(list.teams[0].total), "1.400.000");
    for team in &list.teams {
        assert!(text.contains(&format_int(team.total)), "{}", team.name);
    }
    assert!(
        text.contains(&format_int(list.total)),
        "the grand total {} is missing:\n{text}",
        format_int(list.total)
    );
    // The grand total sits on the TỔNG CỘNG line.
    let grand = text
        .lines()
        .find(|l| l.contains(GRAND_TOTAL_LABEL))
        .unwrap();
    assert!(
        grand.trim_end().ends_with(&format_int(list.total)),
        "{grand}"
    );

    // One attendance sheet per team (the team without members included),
    // each from its own page, after the list.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let sheet_pages: Vec<&&str> = pages
        .iter()
        .filter(|p| p.contains(ATTENDANCE_TITLE))
        .collect();
    assert_eq!(sheet_pages.len(), sheets.len(), "{text}");
    for (page, team) in sheet_pages.iter().zip(&sheets) {
        assert!(page.contains(&team.name), "{}:\n{page}", team.name);
    }
    assert!(sheet_pages[1].contains(NO_MEMBER));
    assert!(!pages[0].contains(ATTENDANCE_TITLE));
}

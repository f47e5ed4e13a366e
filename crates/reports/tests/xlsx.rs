//! Tests of the XLSX annex renderer, read back with calamine.

mod common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::NaiveDate;
use common::zip_entry;
use toso_reports::model::Cell;
use toso_reports::xlsx::{render_annex_dated, sheet_names};
use toso_reports::{render_annex, Annex, ReportError};

fn villages() -> Annex {
    Annex {
        title: "Phụ lục 1: Tổ công nghệ số cộng đồng theo thôn".into(),
        subtitle: vec![
            "Đặc khu Cát Hải, thành phố Hải Phòng".into(),
            "Số liệu đến ngày 30/11/2025".into(),
        ],
        columns: vec![
            "STT".into(),
            "Thôn, tổ dân phố".into(),
            "Số thành viên Tổ công nghệ số cộng đồng".into(),
            "Tỷ lệ hộ được hỗ trợ (%)".into(),
        ],
        rows: vec![
            vec![
                Cell::Number(1.0),
                Cell::Text("Thôn Bến".into()),
                Cell::Number(7.0),
                Cell::Number(82.5),
            ],
            vec![
                Cell::Number(2.0),
                Cell::Text("Thôn Liên Minh".into()),
                Cell::Number(1440.0),
                Cell::Number(100.0),
            ],
        ],
        totals: Some(vec![
            Cell::Text(String::new()),
            Cell::Text("Tổng cộng".into()),
            Cell::Number(1447.0),
            Cell::Number(91.25),
        ]),
    }
}

fn contest() -> Annex {
    Annex {
        title: "Phụ lục 2: Cuộc thi [Công dân số] Hải Phòng / đăng ký *theo* xã?".into(),
        subtitle: vec![],
        columns: vec!["Đơn vị".into(), "Số người đăng ký".into()],
        rows: vec![vec![
            Cell::Text("Đặc khu Cát Hải".into()),
            Cell::Number(1440.0),
        ]],
        totals: None,
    }
}

#[test]
fn two_annexes_read_back() {
    let bytes = render_annex(&[villages(), contest()]).unwrap();
    let artifacts = common::workspace_root().join("test-artifacts/xlsx");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("annex.xlsx"), &bytes).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 2);
    for name in &names {
        assert!(name.encode_utf16().count() <= 31, "{name}");
        assert!(
            !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
            "{name}"
        );
    }
    assert_eq!(names[0], "Tổ công nghệ số cộng đồng theo");
    assert_eq!(names[1], "Cuộc thi Công dân số Hải Phòng");

    let first = book.worksheet_range(&names[0]).unwrap();
    let at = |r: u32, c: u32| first.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(
        at(0, 0),
        Data::String("Phụ lục 1: Tổ công nghệ số cộng đồng theo thôn".into())
    );
    assert_eq!(
        at(1, 0),
        Data::String("Đặc khu Cát Hải, thành phố Hải Phòng".into())
    );
    assert_eq!(at(2, 0), Data::String("Số liệu đến ngày 30/11/2025".into()));
    // Row 3 is empty; the header is row 4.
    assert_eq!(at(4, 0), Data::String("STT".into()));
    assert_eq!(
        at(4, 2),
        Data::String("Số thành viên Tổ công nghệ số cộng đồng".into())
    );
    assert_eq!(at(5, 1), Data::String("Thôn Bến".into()));
    assert_eq!(at(5, 2), Data::Float(7.0));
    assert_eq!(at(5, 3), Data::Float(82.5));
    assert_eq!(at(6, 2), Data::Float(1440.0));
    assert_eq!(at(7, 1), Data::String("Tổng cộng".into()));
    assert_eq!(at(7, 2), Data::Float(1447.0));
    assert_eq!(at(7, 3), Data::Float(91.25));

    let second = book.worksheet_range(&names[1]).unwrap();
    assert_eq!(
        second.get_value((0, 0)),
        Some(&Data::String(
            "Phụ lục 2: Cuộc thi [Công dân số] Hải Phòng / đăng ký *theo* xã?".into()
        ))
    );
    assert_eq!(
        second.get_value((2, 1)),
        Some(&Data::String("Số người đăng ký".into()))
    );
    assert_eq!(second.get_value((3, 1)), Some(&Data::Float(1440.0)));

    // Layout details in the sheet XML: title merged, panes frozen under the
    // header, A4, number formats, bold totals.
    let sheet1 = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains(r#"<mergeCell ref="A1:D1"/>"#), "{sheet1}");
    assert!(sheet1.contains(r#"<mergeCell ref="A2:D2"/>"#));
    assert!(sheet1.contains(r#"topLeftCell="A6""#) && sheet1.contains(r#"ySplit="5""#));
    assert!(sheet1.contains(r#"paperSize="9""#));
    assert!(sheet1.contains("<cols>"));
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains(r##"formatCode="#,##0""##));
    assert!(styles.contains(r##"formatCode="#,##0.0""##));
    assert!(styles.contains("Times New Roman"));
    let sheet2 = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(sheet2.contains(r#"<mergeCell ref="A1:B1"/>"#));
}

#[test]
fn annex_rendering_is_deterministic() {
    let annexes = [villages(), contest()];
    let a = render_annex(&annexes).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = render_annex(&annexes).unwrap();
    assert_eq!(a, b);
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let dated = render_annex_dated(&annexes, day(2026, 1, 5)).unwrap();
    assert!(zip_entry(&dated, "docProps/core.xml").contains("2026-01-05T00:00:00Z"));
    // Excel holds the years 1900–9999: a date outside them is refused,
    // not written wrong.
    for far in [day(1899, 1, 1), day(10000, 1, 1)] {
        match render_annex_dated(&annexes, far) {
            Err(ReportError::Render(m)) => assert!(m.contains("1900–9999"), "{m}"),
            other => panic!(
                "expected a Render error for {far}, got {:?}",
                other.map(|b| b.len())
            ),
        }
    }
}

#[test]
fn sheet_names_are_valid_and_unique() {
    let mut a = villages();
    a.title = "Phụ lục".into();
    let mut b = villages();
    b.title = "'History'".into();
    let mut c = villages();
    c.title = "Danh sách thành viên các Tổ công nghệ số cộng đồng".into();
    let d = c.clone();
    let mut e = c.clone();
    e.title = "DANH SÁCH THÀNH VIÊN CÁC TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG".into();
    let mut f = c.clone();
    f.title = "Thànhviêncủatấtcảcáctổcôngnghệsốcộngđồngtrênđịabàn".into();
    let mut g = c.clone();
    g.title = "[]:*?/\\".into();
    let annexes = [a, b, c, d, e, f, g];
    let names = sheet_names(&annexes);
    assert_eq!(names[0], "Phụ lục");
    assert_eq!(names[1], "Phụ lục 2");
    assert_eq!(names[2], "Danh sách thành viên các Tổ");
    assert_eq!(names[3], "Danh sách thành viên các Tổ (2)");
    assert_eq!(names[4], "DANH SÁCH THÀNH VIÊN CÁC TỔ (3)");
    assert_eq!(names[5].encode_utf16().count(), 31);
    assert_eq!(names[6], "Phụ lục 7");
    let mut seen = std::collections::HashSet::new();
    for n in &names {
        assert!(n.encode_utf16().count() <= 31, "{n}");
        assert!(seen.insert(n.to_lowercase()), "duplicate {n}");
    }
    // And Excel (rust_xlsxwriter's checks) accepts them.
    let bytes = render_annex(&annexes).unwrap();
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), names);
}

#[test]
fn odd_annexes_render() {
    let odd = Annex {
        title: "Một cột".into(),
        subtitle: vec![],
        columns: vec!["Giá trị".into()],
        rows: vec![
            vec![Cell::Number(f64::NAN)],
            vec![Cell::Number(f64::INFINITY)],
            vec![],
            vec![Cell::Number(-12345.678), Cell::Text("thừa một ô".into())],
        ],
        totals: Some(vec![Cell::Number(0.5)]),
    };
    let bytes = render_annex(&[odd]).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("Một cột").unwrap();
    assert_eq!(
        range.get_value((2, 0)),
        Some(&Data::String("Giá trị".into()))
    );
    assert_eq!(range.get_value((6, 0)), Some(&Data::Float(-12345.678)));
    assert_eq!(
        range.get_value((6, 1)),
        Some(&Data::String("thừa một ô".into()))
    );
    assert_eq!(range.get_value((7, 0)), Some(&Data::Float(0.5)));

    // No annex at all still opens.
    let empty = render_annex(&[]).unwrap();
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(empty)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Phụ lục".to_string()]);
}

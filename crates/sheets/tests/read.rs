//! Reading real files written in the test: messy layouts as communes keep
//! them, and every kind of bad input.

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use toso_domain::{Affiliation, Gender, Role};
use toso_sheets::{
    read_bytes, read_path, template_xlsx, write_csv, write_xlsx, Cell, ParsedSheet, ReadOptions,
    Rows, SheetError, SheetKind, Table, Value,
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
}

fn opts() -> ReadOptions {
    ReadOptions::new(today())
}

fn read(name: &str, bytes: &[u8], kind: SheetKind) -> Result<ParsedSheet, SheetError> {
    read_bytes(name, bytes, kind, &opts(), &mut |_, _| {})
}

fn members(p: &ParsedSheet) -> &[toso_sheets::MemberRow] {
    match &p.rows {
        Rows::Members(m) => m,
        other => panic!("expected members, got {other:?}"),
    }
}

/// The layout of a typical commune roster: a title over merged cells, the
/// header on two rows ("Năm sinh" merged over "Nam" / "Nữ", "Họ và tên"
/// merged down), a row numbering the columns, a section heading per
/// village, the village merged down its rows, phones typed as numbers, an STT
/// formula, and a signature block under the list.
fn messy_roster() -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let bold = Format::new().set_bold();
    s.merge_range(0, 0, 0, 8, "ỦY BAN NHÂN DÂN ĐẶC KHU CÁT HẢI", &bold)
        .unwrap();
    s.merge_range(
        1,
        0,
        1,
        8,
        "DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
        &bold,
    )
    .unwrap();
    // Header: rows 4-5 (0-based 3-4).
    s.merge_range(3, 0, 4, 0, "TT", &bold).unwrap();
    s.merge_range(3, 1, 4, 1, "Họ tên", &bold).unwrap();
    s.merge_range(3, 2, 3, 3, "Năm sinh", &bold).unwrap();
    s.write(4, 2, "Nam").unwrap();
    s.write(4, 3, "Nữ").unwrap();
    s.merge_range(3, 4, 4, 4, "Chức vụ/ đơn vị", &bold).unwrap();
    s.merge_range(3, 5, 4, 5, "Chức vụ trong Tổ", &bold)
        .unwrap();
    s.merge_range(3, 6, 4, 6, "SĐT", &bold).unwrap();
    s.merge_range(3, 7, 4, 7, "Thôn, TDP", &bold).unwrap();
    s.merge_range(3, 8, 4, 8, "Ghi chú", &bold).unwrap();
    // Column numbers.
    for c in 0..9u16 {
        s.write(5, c, format!("({})", c + 1)).unwrap();
    }
    // Section heading.
    s.write(6, 1, "I. THÔN HẢI SƠN").unwrap();
    // Three members of Thôn Hải Sơn, village merged down rows 8-10.
    s.merge_range(7, 7, 9, 7, "Thôn Hải Sơn", &Format::new())
        .unwrap();
    s.write(7, 0, 1).unwrap();
    s.write(7, 1, "Nguyễn Văn An").unwrap();
    s.write(7, 2, 1975).unwrap();
    s.write(7, 4, "Trưởng thôn").unwrap();
    s.write(7, 5, "Tổ trưởng").unwrap();
    s.write(7, 6, 912345678).unwrap(); // leading 0 lost
    s.write_formula(8, 0, Formula::new("=A8+1").set_result("2"))
        .unwrap();
    s.write(8, 1, "Trần Thị Bình").unwrap();
    s.write(8, 3, "1990").unwrap();
    s.write(8, 4, "Chi hội trưởng phụ nữ").unwrap();
    s.write(8, 5, "to pho").unwrap();
    s.write(8, 6, "0987 654 321").unwrap();
    s.write(9, 0, 3).unwrap();
    s.write(9, 1, "Lê Văn Cường").unwrap();
    s.write(9, 2, 1988.0).unwrap();
    s.write(9, 4, "Giáo viên").unwrap();
    s.write(9, 6, "'0356789012").unwrap();
    // A member of another village, written "TDP 2".
    s.write(10, 0, 4).unwrap();
    s.write(10, 1, "Phạm Thị Dung").unwrap();
    s.write(10, 3, 2000).unwrap();
    s.write(10, 4, "Đoàn thanh niên").unwrap();
    s.write(10, 5, "Thành viên").unwrap();
    s.write(10, 7, "TDP 2").unwrap();
    // Signature block.
    s.write(12, 5, "Cát Hải, ngày 30 tháng 11 năm 2025")
        .unwrap();
    s.write(13, 5, "NGƯỜI LẬP BIỂU").unwrap();
    s.write(13, 7, "CHỦ TỊCH").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_messy_commune_roster_reads_row_by_row() {
    let parsed = read("danh-sach.xlsx", &messy_roster(), SheetKind::Members).unwrap();
    assert_eq!(parsed.errors, vec![], "{:#?}", parsed.errors);
    assert_eq!(parsed.header_line, 4);
    assert_eq!(parsed.ignored_columns, vec!["Ghi chú".to_string()]);
    let m = members(&parsed);
    assert_eq!(m.len(), 4, "{m:#?}");

    assert_eq!(m[0].line, 8);
    assert_eq!(m[0].full_name.as_str(), "Nguyễn Văn An");
    assert_eq!(m[0].birth_year.unwrap().get(), 1975);
    assert_eq!(m[0].gender, Some(Gender::Nam));
    assert_eq!(m[0].affiliation, Some(Affiliation::TruongThon));
    assert_eq!(m[0].role, Some(Role::ToTruong));
    assert_eq!(m[0].phone.as_ref().unwrap().as_str(), "0912345678");
    assert_eq!(&*m[0].village, "Thôn Hải Sơn");

    assert_eq!(m[1].gender, Some(Gender::Nu));
    assert_eq!(m[1].birth_year.unwrap().get(), 1990);
    assert_eq!(m[1].affiliation, Some(Affiliation::HoiPn));
    assert_eq!(m[1].role, Some(Role::ToPho));
    assert_eq!(m[1].phone.as_ref().unwrap().as_str(), "0987654321");
    assert_eq!(&*m[1].village, "Thôn Hải Sơn", "merged village cell");

    assert_eq!(m[2].affiliation, Some(Affiliation::Khac));
    assert_eq!(m[2].role, None, "empty role cell");
    assert_eq!(m[2].phone.as_ref().unwrap().as_str(), "0356789012");
    assert_eq!(&*m[2].village, "Thôn Hải Sơn");

    assert_eq!(&*m[3].village, "TDP 2");
    assert_eq!(m[3].gender, Some(Gender::Nu));

    // The heading row, the unmapped affiliation and the formula are reported.
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Dòng 7") && w.contains("I. THÔN HẢI SƠN")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w
            == "Dòng 10, cột «Chức vụ / đơn vị»: «Giáo viên» không thuộc danh mục chức vụ / đơn vị: ghi là «Khác»."),
        "{warnings:?}"
    );
    assert_eq!(parsed.formula_cells, 1);
}

#[test]
fn errors_name_the_row_and_the_column() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let header = [
        "STT",
        "Họ và tên",
        "Năm sinh",
        "Giới tính",
        "Chức vụ / đơn vị",
        "Chức danh trong Tổ",
        "Số điện thoại",
        "Thôn/TDP",
    ];
    for (c, h) in header.iter().enumerate() {
        s.write(5, c as u16, *h).unwrap();
    }
    let rows: [[&str; 8]; 3] = [
        [
            "1",
            "Nguyễn Văn An",
            "1975",
            "Nam",
            "Trưởng thôn",
            "Tổ trưởng",
            "12345",
            "Thôn 1",
        ],
        [
            "2",
            "",
            "1890",
            "Nam",
            "",
            "Trưởng ban",
            "0912345678",
            "Thôn 1",
        ],
        ["3", "Lê Văn 3", "1980", "Không rõ", "", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write(6 + r as u32, c as u16, *v).unwrap();
            }
        }
    }
    let parsed = read(
        "loi.xlsx",
        &book.save_to_buffer().unwrap(),
        SheetKind::Members,
    )
    .unwrap();
    let errors: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errors[0].starts_with(
            "Dòng 7, cột «Số điện thoại»: Số điện thoại «12345» không hợp lệ: cần 10 chữ số"
        ),
        "{errors:#?}"
    );
    assert!(
        errors.contains(&"Dòng 8, cột «Họ và tên»: Họ và tên không được để trống.".to_string()),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Dòng 8, cột «Năm sinh»: Năm sinh 1890 không hợp lệ")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with(
            "Dòng 8, cột «Chức danh trong Tổ»: Chức danh trong tổ «Trưởng ban» không hợp lệ"
        )),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Dòng 9, cột «Họ và tên»: Họ và tên «Lê Văn 3» không hợp lệ")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("Dòng 9, cột «Giới tính»:")),
        "{errors:#?}"
    );
    assert!(
        errors.contains(&"Dòng 9, cột «Thôn/TDP»: Thôn/TDP không được để trống.".to_string()),
        "{errors:#?}"
    );
    assert_eq!(
        members(&parsed).len(),
        0,
        "no row with an error becomes a record"
    );
}

#[test]
fn dates_as_excel_dates_or_text_and_documents() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in [
        "Loại văn bản",
        "Số, ký hiệu",
        "Ngày ban hành",
        "Cơ quan ban hành",
        "Trích yếu",
    ]
    .iter()
    .enumerate()
    {
        s.write(0, c as u16, *h).unwrap();
    }
    s.write(1, 0, "Quyết định").unwrap();
    s.write(1, 1, "1907/QĐ-UBND").unwrap();
    s.write_datetime_with_format(
        1,
        2,
        ExcelDateTime::from_ymd(2025, 10, 31).unwrap(),
        &date_fmt,
    )
    .unwrap();
    s.write(1, 3, "UBND đặc khu Cát Hải").unwrap();
    s.write(1, 4, "Thành lập Tổ công nghệ số cộng đồng")
        .unwrap();
    s.write(2, 0, "cong van").unwrap();
    s.write(2, 1, "1643/UBND-VHXH").unwrap();
    s.write(2, 2, "14/10/2025").unwrap();
    s.write(2, 3, "UBND đặc khu Cát Hải").unwrap();
    s.write(2, 4, "Cuộc thi Công dân số Hải Phòng").unwrap();
    let parsed = read(
        "vb.xlsx",
        &book.save_to_buffer().unwrap(),
        SheetKind::Documents,
    )
    .unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let Rows::Documents(docs) = &parsed.rows else {
        panic!()
    };
    assert_eq!(
        docs[0].issued_on,
        NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()
    );
    assert_eq!(
        docs[1].issued_on,
        NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
    );
    assert_eq!(docs[1].kind, toso_domain::DocumentKind::CongVan);
}

#[test]
fn csv_with_bom_semicolons_and_vietnamese_headers() {
    let text = "\u{feff}STT;Họ tên;Năm sinh;SĐT;Tổ dân phố\n1;Đỗ Thị Hoa;1985;912345678;Tổ dân phố 3\n\n2;Vũ Văn Nam;;;TDP 3\n";
    let parsed = read("ds.csv", text.as_bytes(), SheetKind::Members).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let m = members(&parsed);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].phone.as_ref().unwrap().as_str(), "0912345678");
    assert_eq!(m[0].line, 2);
    assert_eq!(m[1].line, 4);
    assert_eq!(
        toso_sheets::village_key(&m[0].village),
        toso_sheets::village_key(&m[1].village)
    );
}

#[test]
fn csv_title_rows_above_the_header_are_tolerated() {
    for sep in [",", ";"] {
        let text = format!(
            "\u{feff}DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ\n\nSTT{sep}Họ và tên{sep}SĐT{sep}Thôn/TDP\n1{sep}Đỗ Thị Hoa{sep}912345678{sep}Thôn Bến\n"
        );
        let parsed = read("ds.csv", text.as_bytes(), SheetKind::Members).unwrap();
        assert!(parsed.errors.is_empty(), "{sep}: {:?}", parsed.errors);
        let m = members(&parsed);
        assert_eq!(m.len(), 1, "{sep}");
        assert_eq!(m[0].line, 4);
        assert_eq!(m[0].phone.as_ref().unwrap().as_str(), "0912345678");
    }
}

#[test]
fn written_files_read_back() {
    let mut t = Table::new(
        "Danh sách",
        "DANH SÁCH",
        vec![
            toso_sheets::Column::new("Họ và tên", 20.0),
            toso_sheets::Column::new("Thôn/TDP", 20.0),
            toso_sheets::Column::new("Năm sinh", 8.0),
        ],
    );
    t.rows.push(vec![
        Value::text("Nguyễn Văn An"),
        Value::text("Thôn Hải Sơn"),
        Value::Plain(1980),
    ]);
    let xlsx = write_xlsx(std::slice::from_ref(&t)).unwrap();
    let p = read("x.xlsx", &xlsx, SheetKind::Members).unwrap();
    assert_eq!(p.header_line, 4, "title rows above the header are skipped");
    assert_eq!(members(&p)[0].birth_year.unwrap().get(), 1980);

    let mut csv = Vec::new();
    write_csv(&t, &mut csv).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "Họ và tên,Thôn/TDP,Năm sinh\nNguyễn Văn An,Thôn Hải Sơn,1980\n"
    );
    let p = read("x.csv", text.as_bytes(), SheetKind::Members).unwrap();
    assert_eq!(members(&p)[0].full_name.as_str(), "Nguyễn Văn An");

    // Each template reads back: its header is found and its example row parses.
    for &kind in SheetKind::ALL {
        let p = read("mau.xlsx", &template_xlsx(kind).unwrap(), kind).unwrap();
        assert!(p.errors.is_empty(), "{kind:?}: {:?}", p.errors);
        assert_eq!(p.rows.len(), 1, "{kind:?}");
    }
}

#[test]
fn bad_inputs_get_clear_errors() {
    let msg = |r: Result<ParsedSheet, SheetError>| r.unwrap_err().to_string();

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0";
    assert_eq!(
        msg(read("anh.png", png, SheetKind::Members)),
        "Tệp «anh.png» không phải là bảng tính: chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv)."
    );

    let mut xlsx = messy_roster();
    xlsx.truncate(xlsx.len() / 2);
    assert!(
        msg(read("hong.xlsx", &xlsx, SheetKind::Members)).starts_with("Tệp «hong.xlsx» bị hỏng")
    );

    // A zip that is not a workbook (a .docx, say).
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        w.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut w, b"<w/>").unwrap();
        w.finish().unwrap();
    }
    assert!(msg(read("vanban.docx", &zip, SheetKind::Members)).contains("không phải là bảng tính"));

    let mut empty = Workbook::new();
    empty.add_worksheet();
    assert_eq!(
        msg(read(
            "trong.xlsx",
            &empty.save_to_buffer().unwrap(),
            SheetKind::Members
        )),
        "Tệp «trong.xlsx» không có dữ liệu: bảng tính trống."
    );
    assert_eq!(
        msg(read("trong.csv", b"", SheetKind::Members)),
        "Tệp «trong.csv» không có dữ liệu: bảng tính trống."
    );

    let missing = "STT,Họ và tên,Năm sinh,Số điện thoại\n1,Nguyễn Văn An,1980,0912345678\n";
    assert_eq!(
        msg(read("thieu.csv", missing.as_bytes(), SheetKind::Members)),
        "Trang tính «CSV», dòng tiêu đề 1: thiếu cột bắt buộc «Thôn/TDP»."
    );
    let nothing = "a,b,c\n1,2,3\n";
    assert!(msg(read("x.csv", nothing.as_bytes(), SheetKind::Members))
        .starts_with("Không tìm thấy dòng tiêu đề"));

    // Windows-1258 text saved as "CSV" by an old Excel.
    let ansi = b"STT,H\xd2 t\xean,Th\xf4n\n";
    assert!(msg(read("ansi.csv", ansi, SheetKind::Members)).contains("không dùng mã UTF-8"));

    let mut small = opts();
    small.max_bytes = 1024;
    let big = vec![b'a'; 2048];
    assert_eq!(
        read_bytes("lon.csv", &big, SheetKind::Members, &small, &mut |_, _| {})
            .unwrap_err()
            .to_string(),
        "Tệp «lon.csv» quá lớn (2 kB): chỉ nhận tệp đến 1 kB."
    );
}

#[test]
fn a_formula_without_a_computed_value_is_refused_with_its_cell() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Thôn/TDP", "Năm sinh"].iter().enumerate() {
        s.write(0, c as u16, *h).unwrap();
    }
    s.write(1, 0, "Nguyễn Văn An").unwrap();
    s.write(1, 1, "Thôn 1").unwrap();
    // A formula whose cached result is empty text, as generators write them.
    s.write_formula(1, 2, Formula::new("=1900+80").set_result(""))
        .unwrap();
    // rust_xlsxwriter always stores a result: remove it, as tools that do not
    // calculate leave it out.
    let bytes = rewrite_part(
        &book.save_to_buffer().unwrap(),
        "xl/worksheets/sheet1.xml",
        |xml| {
            let start = xml.find("<f>1900+80</f>").unwrap() + "<f>1900+80</f>".len();
            let end = start + xml[start..].find("</c>").unwrap();
            format!("{}{}", &xml[..start], &xml[end..])
        },
    );
    let p = read("ct.xlsx", &bytes, SheetKind::Members).unwrap();
    let errors: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("Dòng 2, cột «Năm sinh»: ô C2 chứa công thức chưa có giá trị tính sẵn"),
        "{errors:?}"
    );
}

#[test]
fn merged_cells_read_the_same_in_a_prefixed_worksheet() {
    // Some producers write the worksheet with a namespace prefix
    // (`<x:sheetData>`, `<x:mergeCell>`): the merged header and the village
    // merged down its rows are found all the same.
    let plain = messy_roster();
    let prefixed = rewrite_part(&plain, "xl/worksheets/sheet1.xml", |xml| {
        let mut out = String::with_capacity(xml.len() + xml.len() / 4);
        let mut rest = xml;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            if rest.starts_with('/') {
                out.push('/');
                rest = &rest[1..];
            }
            if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
                out.push_str("x:");
            }
        }
        out.push_str(rest);
        out.replacen("xmlns=\"", "xmlns:x=\"", 1)
    });
    let a = read("a.xlsx", &plain, SheetKind::Members).unwrap();
    let b = read("a.xlsx", &prefixed, SheetKind::Members).unwrap();
    assert_eq!(format!("{:?}", a.rows), format!("{:?}", b.rows));
    assert_eq!(a.errors, b.errors);
    assert_eq!(a.header_line, b.header_line);
    let Rows::Members(rows) = &b.rows else {
        panic!("{:?}", b.rows)
    };
    // The merged village reached the three rows under it.
    assert_eq!(
        rows.iter()
            .filter(|r| &*r.village == "Thôn Hải Sơn")
            .count(),
        3
    );
}

/// The same zip with one part's text rewritten.
fn rewrite_part(xlsx: &[u8], part: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for i in 0..src.len() {
            let mut file = src.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            if name == part {
                let text = String::from_utf8(data).unwrap();
                let changed = f(&text);
                assert_ne!(changed, text, "the part was rewritten");
                data = changed.into_bytes();
            }
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&data).unwrap();
        }
        w.finish().unwrap();
    }
    out
}

#[test]
fn a_million_rows_stop_at_the_cap_with_bounded_memory() {
    // 1,000,001 rows streamed from a temporary CSV file (about 40 MB).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trieu-dong.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(f, "Họ và tên,Thôn/TDP,Số điện thoại").unwrap();
        for i in 0..1_000_001u64 {
            writeln!(f, "Nguyễn Văn An,Thôn {},09{:08}", i % 100, i % 100_000_000).unwrap();
        }
    }
    let err = read_path(&path, SheetKind::Members, &opts(), &mut |_, _| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Trang tính «CSV» có quá nhiều dòng: chỉ nhận đến 500.000 dòng dữ liệu mỗi lần nhập. Hãy chia thành nhiều tệp nhỏ hơn."
    );
}

#[test]
fn cells_keep_their_types() {
    assert_eq!(Cell::Number(1985.0).year_text(), "1985");
}

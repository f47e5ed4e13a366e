//! Headers as communes of every region write them: the unit below the
//! commune named thôn, xóm, làng, ấp, bản, buôn, plei, sóc, khóm, khu phố, khu
//! dân cư, tổ dân phố, tổ dân cư, khu or "địa bàn", alone or combined
//! ("Thôn/Ấp/Bản", "Tên thôn, xóm"), on one row or two; each list reads in one
//! go, names the column taken for each field, and guesses the kind of each
//! unit from its name. Columns the reader cannot place are chosen by hand.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};
use toso_domain::{Role, VillageKind};
use toso_sheets::{
    read_bytes, Field, ManualColumns, ParsedSheet, Pick, ReadOptions, Rows, SheetError, SheetKind,
};

fn opts() -> ReadOptions {
    ReadOptions::new(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap())
}

fn read(name: &str, bytes: &[u8], kind: SheetKind) -> Result<ParsedSheet, SheetError> {
    read_bytes(name, bytes, kind, &opts(), &mut |_, _| {})
}

/// The header the mapping names for `field`.
fn header_of(p: &ParsedSheet, field: Field) -> Option<String> {
    p.header
        .mapping
        .iter()
        .find(|m| m.field == field)
        .map(|m| m.header.clone())
}

/// A roster from a region: its CSV, the header expected for the village
/// column, and the villages of its rows with their guessed kinds.
struct Roster {
    region: &'static str,
    csv: &'static str,
    village_header: &'static str,
    villages: &'static [(&'static str, VillageKind)],
}

const ROSTERS: &[Roster] = &[
    Roster {
        region: "Vĩnh Long (ấp), Excel with ';'",
        csv: "STT;Họ và tên;Năm sinh;Giới tính;Chức vụ;Chức danh trong tổ;Số điện thoại;Tên ấp\n\
              1;Nguyễn Văn Tám;1978;Nam;Trưởng ấp;Tổ trưởng;0912000001;Ấp Phú Thạnh\n\
              2;Lê Thị Út;1990;Nữ;Hội Phụ nữ;Thành viên;0912000002;Ấp Phú Thạnh\n",
        village_header: "Tên ấp",
        villages: &[("Ấp Phú Thạnh", VillageKind::Ap)],
    },
    Roster {
        region: "Cà Mau (khóm and ấp of a ward)",
        csv: "TT,Họ tên,Năm sinh,Nam/Nữ,Đơn vị công tác,Vai trò,SĐT,Khóm/Ấp\n\
              1,Trần Văn Hai,1980,Nam,Công an,Tổ trưởng,0913000001,Khóm 3\n\
              2,Đỗ Thị Ba,1995,Nữ,Đoàn Thanh niên,Thành viên,0913000002,Ấp Cây Gừa\n",
        village_header: "Khóm/Ấp",
        villages: &[
            ("Khóm 3", VillageKind::Khom),
            ("Ấp Cây Gừa", VillageKind::Ap),
        ],
    },
    Roster {
        region: "Sóc Trăng (Khmer sóc)",
        csv: "STT,Họ tên,Năm sinh,Giới tính,Chức vụ,Chức danh,SĐT,Ấp/Sóc\n\
              1,Thạch Sa Rươn,1985,Nam,Người có uy tín,Tổ trưởng,0914000001,Sóc Ruộng\n",
        village_header: "Ấp/Sóc",
        villages: &[("Sóc Ruộng", VillageKind::Soc)],
    },
    Roster {
        region: "Gia Lai (làng, plei)",
        csv: "STT,Họ và tên,Ngày sinh,Giới tính,Thành phần,Chức danh,Điện thoại,\"Thôn, làng, plei\"\n\
              1,Rơ Châm H'Ly,1992,Nữ,Hội Phụ nữ,Tổ phó,0915000001,Plei Ơi\n\
              2,Siu Đen,1988,Nam,Trưởng thôn,Tổ trưởng,0915000002,Làng Kép\n",
        village_header: "Thôn, làng, plei",
        villages: &[
            ("Plei Ơi", VillageKind::Plei),
            ("Làng Kép", VillageKind::Lang),
        ],
    },
    Roster {
        region: "Đắk Lắk (buôn), an unknown 'Dân tộc' column",
        csv: "STT,Họ và tên thành viên,Năm sinh,Dân tộc,Chức vụ,Chức vụ trong tổ,SĐT,Buôn\n\
              1,Y Bih Niê,1987,Ê Đê,Trưởng buôn,Tổ trưởng,0916000001,Buôn Đôn\n",
        village_header: "Buôn",
        villages: &[("Buôn Đôn", VillageKind::Buon)],
    },
    Roster {
        region: "Thái Nguyên (xóm)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ/đơn vị,Chức danh trong tổ,Số điện thoại,\"Tên thôn, xóm\"\n\
              1,Hoàng Văn Sơn,1979,Nam,Bí thư chi bộ,Tổ trưởng,0917000001,Xóm Đình\n",
        village_header: "Tên thôn, xóm",
        villages: &[("Xóm Đình", VillageKind::Xom)],
    },
    Roster {
        region: "Sơn La (bản)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh,Điện thoại liên hệ,Thôn/Bản\n\
              1,Lò Văn Khụt,1983,Nam,Trưởng bản,Tổ trưởng,0918000001,Bản Mồ\n",
        village_header: "Thôn/Bản",
        villages: &[("Bản Mồ", VillageKind::Ban)],
    },
    Roster {
        region: "a national form (Thôn/Ấp/Bản)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh trong Tổ,Số điện thoại,Thôn/Ấp/Bản\n\
              1,Phạm Văn Một,1980,Nam,Khác,Tổ trưởng,0919000001,Thôn Tân Sơn\n\
              2,Phạm Văn Hai,1981,Nam,Khác,Thành viên,0919000002,Ấp 3\n",
        village_header: "Thôn/Ấp/Bản",
        villages: &[
            ("Thôn Tân Sơn", VillageKind::Thon),
            ("Ấp 3", VillageKind::Ap),
        ],
    },
    Roster {
        region: "Hà Nội (tổ dân phố)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh trong tổ,SĐT,Tổ dân phố\n\
              1,Nguyễn Thu Hà,1991,Nữ,Đoàn Thanh niên,Tổ trưởng,0920000001,TDP số 5\n",
        village_header: "Tổ dân phố",
        villages: &[("TDP số 5", VillageKind::ToDanPho)],
    },
    Roster {
        region: "TP. Hồ Chí Minh (khu phố)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh trong tổ,SĐT,Khu phố\n\
              1,Lâm Minh Tâm,1986,Nam,Khác,Tổ trưởng,0921000001,Khu phố 3\n",
        village_header: "Khu phố",
        villages: &[("Khu phố 3", VillageKind::KhuPho)],
    },
    Roster {
        region: "Quảng Ninh (khu)",
        csv: "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh trong tổ,SĐT,Khu\n\
              1,Vũ Thị Lan,1984,Nữ,Hội Phụ nữ,Tổ trưởng,0922000001,Khu 5\n",
        village_header: "Khu",
        villages: &[("Khu 5", VillageKind::Khu)],
    },
    Roster {
        region: "Bình Dương (khu dân cư), a title row above",
        csv: "DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG\n\
              STT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh trong tổ,Số điện thoại,Khu dân cư\n\
              1,Đặng Văn Bảy,1977,Nam,Khác,Tổ trưởng,0923000001,Khu dân cư số 2\n",
        village_header: "Khu dân cư",
        villages: &[("Khu dân cư số 2", VillageKind::KhuDanCu)],
    },
    Roster {
        region: "a commune form headed 'Địa bàn'",
        csv: "TT,Họ và tên,Năm sinh,Giới tính,Chức vụ,Chức danh,Số điện thoại,Địa bàn (thôn/tổ dân phố)\n\
              1,Cao Văn Tư,1980,Nam,Khác,Tổ trưởng,0924000001,Thôn Hải Sơn\n\
              2,Cao Thị Năm,1982,Nữ,Khác,Thành viên,0924000002,Tổ dân cư 7\n",
        village_header: "Địa bàn (thôn/tổ dân phố)",
        villages: &[
            ("Thôn Hải Sơn", VillageKind::Thon),
            ("Tổ dân cư 7", VillageKind::ToDanCu),
        ],
    },
];

#[test]
fn rosters_of_every_region_read_in_one_go() {
    for r in ROSTERS {
        let p = read("ds.csv", r.csv.as_bytes(), SheetKind::Members)
            .unwrap_or_else(|e| panic!("{}: {e}", r.region));
        assert_eq!(p.errors, vec![], "{}", r.region);
        assert_eq!(
            header_of(&p, Field::VillageName).as_deref(),
            Some(r.village_header),
            "{}",
            r.region
        );
        for f in [Field::FullName, Field::BirthYear, Field::Role, Field::Phone] {
            assert!(
                header_of(&p, f).is_some(),
                "{}: no column for {f:?} in {:?}",
                r.region,
                p.header.mapping
            );
        }
        let Rows::Members(rows) = &p.rows else {
            panic!("{}", r.region)
        };
        assert_eq!(
            rows.len(),
            r.csv.lines().count() - 1 - r.csv.starts_with("DANH") as usize
        );
        for (name, kind) in r.villages {
            assert!(
                rows.iter().any(|m| &*m.village == *name),
                "{}: {name}",
                r.region
            );
            assert_eq!(toso_sheets::guess_village_kind(name), *kind, "{name}");
        }
    }
}

#[test]
fn the_preview_names_the_column_taken_for_each_field() {
    let p = read("ds.csv", ROSTERS[0].csv.as_bytes(), SheetKind::Members).unwrap();
    let described: Vec<String> = p.header.mapping.iter().map(|m| m.describe()).collect();
    assert!(
        described.contains(&"Cột H «Tên ấp» → Thôn/TDP".to_string()),
        "{described:?}"
    );
    assert!(described.contains(&"Cột B «Họ và tên» → Họ và tên".to_string()));
    assert_eq!(p.header.cells.len(), 8);
    assert_eq!(p.header.cells[7], "Tên ấp");
    // An unknown column is listed as ignored.
    let p = read("ds.csv", ROSTERS[4].csv.as_bytes(), SheetKind::Members).unwrap();
    assert_eq!(p.ignored_columns, vec!["Dân tộc".to_string()]);
}

/// Village rows with the kind they get.
type Villages = &'static [(&'static str, VillageKind)];

/// Village lists: (region, CSV, village rows with the kind they get).
const VILLAGE_LISTS: &[(&str, &str, Villages)] = &[
    (
        "Tiền Giang (Tên ấp)",
        "STT,Tên ấp,Ngày thành lập\n1,Ấp Tân Lập,01/01/2020\n2,Ấp Phú Hòa,\n",
        &[
            ("Ấp Tân Lập", VillageKind::Ap),
            ("Ấp Phú Hòa", VillageKind::Ap),
        ],
    ),
    (
        "a national form (Thôn/Ấp/Bản)",
        "TT,Thôn/Ấp/Bản,Ghi chú\n1,Bản Nà Hẩu,\n2,Thôn Tân Sơn,sáp nhập 2025\n3,Ấp 3,\n",
        &[
            ("Bản Nà Hẩu", VillageKind::Ban),
            ("Thôn Tân Sơn", VillageKind::Thon),
            ("Ấp 3", VillageKind::Ap),
        ],
    ),
    (
        "Kon Tum (làng, buôn, plei)",
        "STT,\"Tên thôn, làng, buôn, plei\"\n1,Làng Kon Klor,\n2,Plei Đôn\n3,Buôn Đôn\n4,Bon Bu Prăng\n",
        &[
            ("Làng Kon Klor", VillageKind::Lang),
            ("Plei Đôn", VillageKind::Plei),
            ("Buôn Đôn", VillageKind::Buon),
            ("Bon Bu Prăng", VillageKind::Buon),
        ],
    ),
    (
        "Trà Vinh (khóm, ấp, sóc)",
        "STT;Tên khóm, ấp;Ghi chú\n1;Khóm 1;\n2;Sóc Chà;\n",
        &[("Khóm 1", VillageKind::Khom), ("Sóc Chà", VillageKind::Soc)],
    ),
    (
        "Nam Định (xóm, làng)",
        "STT,Xóm (làng)\n1,Xóm Chùa\n2,Làng Vân\n",
        &[("Xóm Chùa", VillageKind::Xom), ("Làng Vân", VillageKind::Lang)],
    ),
    (
        "Đà Nẵng (tổ dân phố), abbreviated",
        "STT,Tổ dân phố số,Hoạt động từ ngày\n1,TDP 12,01/07/2025\n2,Tổ dân phố 13,01/07/2025\n",
        &[
            ("TDP 12", VillageKind::ToDanPho),
            ("Tổ dân phố 13", VillageKind::ToDanPho),
        ],
    ),
    (
        "Quảng Ninh (khu), headed 'Địa bàn'",
        "STT,Địa bàn\n1,Khu 3\n2,Khu vực 4\n",
        &[("Khu 3", VillageKind::Khu), ("Khu vực 4", VillageKind::Khu)],
    ),
];

#[test]
fn village_lists_of_every_region_read_with_their_kinds() {
    for (region, csv, want) in VILLAGE_LISTS {
        let p = read("thon.csv", csv.as_bytes(), SheetKind::Villages)
            .unwrap_or_else(|e| panic!("{region}: {e}"));
        assert_eq!(p.errors, vec![], "{region}");
        let Rows::Villages(rows) = &p.rows else {
            panic!("{region}")
        };
        let got: Vec<(&str, VillageKind)> =
            rows.iter().map(|v| (v.name.as_str(), v.kind)).collect();
        assert_eq!(&got, want, "{region}");
        assert!(rows.iter().all(|v| !v.kind_given));
    }
}

#[test]
fn a_kind_column_beats_the_guess_and_a_second_unit_column_is_ignored() {
    let csv =
        "STT,Thôn,\"Tên thôn, xóm\",Loại\n1,Khu dân cư số 2,Xóm 9,Khu dân cư\n2,Ấp 4,Xóm 8,\n";
    let p = read("thon.csv", csv.as_bytes(), SheetKind::Villages).unwrap();
    assert_eq!(header_of(&p, Field::VillageName).as_deref(), Some("Thôn"));
    assert_eq!(
        p.ignored_columns,
        vec!["Tên thôn, xóm (đã lấy cột B «Thôn» cho «Tên thôn, tổ dân phố»)".to_string()]
    );
    let Rows::Villages(rows) = &p.rows else {
        panic!()
    };
    assert_eq!(rows[0].kind, VillageKind::KhuDanCu);
    assert!(rows[0].kind_given);
    assert_eq!(rows[1].kind, VillageKind::Ap);
    // The better match wins whatever the order: a spelling of the template
    // over a combination of unit words.
    let csv = "STT,\"Tên thôn, xóm\",Thôn/TDP\n1,Xóm 9,Thôn Một\n";
    let p = read("thon.csv", csv.as_bytes(), SheetKind::Villages).unwrap();
    assert_eq!(
        header_of(&p, Field::VillageName).as_deref(),
        Some("Thôn/TDP")
    );
}

/// Two-row headers under merged cells: "Địa chỉ" over "Thôn, xóm" / "Xã",
/// "Năm sinh" over "Nam" / "Nữ".
fn two_row_roster() -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let bold = Format::new().set_bold();
    s.merge_range(0, 0, 0, 7, "DANH SÁCH TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG", &bold)
        .unwrap();
    s.merge_range(2, 0, 3, 0, "STT", &bold).unwrap();
    s.merge_range(2, 1, 3, 1, "Họ và tên", &bold).unwrap();
    s.merge_range(2, 2, 2, 3, "Năm sinh", &bold).unwrap();
    s.write(3, 2, "Nam").unwrap();
    s.write(3, 3, "Nữ").unwrap();
    s.merge_range(2, 4, 3, 4, "Chức danh trong tổ", &bold)
        .unwrap();
    s.merge_range(2, 5, 3, 5, "SĐT", &bold).unwrap();
    s.merge_range(2, 6, 2, 7, "Địa chỉ", &bold).unwrap();
    s.write(3, 6, "Thôn, xóm").unwrap();
    s.write(3, 7, "Xã").unwrap();
    s.write(4, 0, 1).unwrap();
    s.write(4, 1, "Hà Văn Thắng").unwrap();
    s.write(4, 2, 1980).unwrap();
    s.write(4, 4, "Tổ trưởng").unwrap();
    s.write(4, 5, "0912111222").unwrap();
    s.write(4, 6, "Xóm Mới").unwrap();
    s.write(4, 7, "Xã Phú Bình").unwrap();
    s.write(5, 0, 2).unwrap();
    s.write(5, 1, "Hà Thị Hoa").unwrap();
    s.write(5, 3, 1992).unwrap();
    s.write(5, 4, "Thành viên").unwrap();
    s.write(5, 6, "Xóm Mới").unwrap();
    s.write(5, 7, "Xã Phú Bình").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_two_row_header_names_the_unit_on_its_second_row() {
    let p = read("ds.xlsx", &two_row_roster(), SheetKind::Members).unwrap();
    assert_eq!(p.errors, vec![]);
    assert_eq!(p.header_line, 3);
    assert!(p.header.two_rows);
    assert_eq!(
        header_of(&p, Field::VillageName).as_deref(),
        Some("Địa chỉ / Thôn, xóm")
    );
    assert_eq!(p.ignored_columns, vec!["Địa chỉ / Xã".to_string()]);
    let Rows::Members(rows) = &p.rows else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(&*rows[0].village, "Xóm Mới");
    assert_eq!(rows[1].birth_year.unwrap().get(), 1992);
    assert_eq!(rows[0].role, Some(Role::ToTruong));
}

#[test]
fn columns_the_reader_cannot_place_are_chosen_by_hand() {
    // "Người tham gia" is not a spelling of "Họ và tên"; "Nơi ở" not of a
    // village.
    let csv = "STT,Người tham gia,Năm sinh,Nơi ở,SĐT\n1,Mai Văn Hùng,1980,Thôn Đông,0912000111\n";
    let err = read("ds.csv", csv.as_bytes(), SheetKind::Members).unwrap_err();
    let SheetError::MissingColumns {
        line,
        missing,
        header,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*line, 1);
    assert_eq!(missing, "«Họ và tên», «Thôn/TDP»");
    assert_eq!(
        header.cells,
        vec!["STT", "Người tham gia", "Năm sinh", "Nơi ở", "SĐT"]
    );
    assert_eq!(
        header.ignored,
        vec!["Người tham gia".to_string(), "Nơi ở".to_string()]
    );

    // The web form: every field given, by column index, at that row.
    let mut o = opts();
    o.columns = ManualColumns {
        header: Some((header.line, header.two_rows)),
        picks: vec![
            (Field::Stt, Pick::Index(0)),
            (Field::FullName, Pick::Index(1)),
            (Field::BirthYear, Pick::Index(2)),
            (Field::VillageName, Pick::Index(3)),
            (Field::Phone, Pick::Skip),
        ],
        only: true,
    };
    let p = read_bytes(
        "ds.csv",
        csv.as_bytes(),
        SheetKind::Members,
        &o,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(p.errors, vec![]);
    let Rows::Members(rows) = &p.rows else {
        panic!()
    };
    assert_eq!(rows[0].full_name.as_str(), "Mai Văn Hùng");
    assert_eq!(&*rows[0].village, "Thôn Đông");
    assert_eq!(rows[0].phone, None, "a skipped column is not read");
    let described: Vec<String> = p.header.mapping.iter().map(|m| m.describe()).collect();
    assert!(
        described.contains(&"Cột D «Nơi ở» → Thôn/TDP (chọn tay)".to_string()),
        "{described:?}"
    );
    assert_eq!(p.ignored_columns, vec!["SĐT".to_string()]);

    // The command line: by header text, the rest recognised.
    let mut o = opts();
    o.columns = ManualColumns {
        header: None,
        picks: vec![
            (Field::FullName, Pick::Header("nguoi tham gia".into())),
            (Field::VillageName, Pick::Header("Nơi ở".into())),
        ],
        only: false,
    };
    let p = read_bytes(
        "ds.csv",
        csv.as_bytes(),
        SheetKind::Members,
        &o,
        &mut |_, _| {},
    )
    .unwrap();
    let Rows::Members(rows) = &p.rows else {
        panic!()
    };
    assert_eq!(rows[0].phone.as_ref().unwrap().as_str(), "0912000111");
    assert_eq!(&*rows[0].village, "Thôn Đông");

    // A header that is not in the sheet: the field stays missing.
    o.columns.picks[1].1 = Pick::Header("Thôn".into());
    let err = read_bytes(
        "ds.csv",
        csv.as_bytes(),
        SheetKind::Members,
        &o,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("«Thôn/TDP»"), "{err}");
}

#[test]
fn a_title_naming_a_unit_is_not_taken_for_the_header() {
    // The title, split at its comma by the CSV, names "KHÓM"; the header
    // under it names the same column "Tên ấp".
    for csv in [
        "DANH SÁCH ẤP, KHÓM\nTên ấp,Ghi chú\nẤp 1,\nKhóm 2,\n",
        "DANH SÁCH ẤP, KHÓM\nSTT,Tên ấp,Ngày thành lập\n1,Ấp 1,\n2,Khóm 2,\n",
    ] {
        let p = read("ap.csv", csv.as_bytes(), SheetKind::Villages).unwrap();
        assert_eq!(p.header_line, 2, "{csv}");
        assert!(!p.header.two_rows);
        let Rows::Villages(rows) = &p.rows else {
            panic!()
        };
        let names: Vec<&str> = rows.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Ấp 1", "Khóm 2"], "{csv}");
    }
}

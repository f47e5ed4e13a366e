//! Unit tests of the column vocabulary and the matching by meaning.

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
    for kind in [
        SheetKind::Villages,
        SheetKind::Teams,
        SheetKind::Members,
        SheetKind::DutyDays,
    ] {
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
fn duty_day_headers_by_meaning() {
    let m = |h: &str| match_header(SheetKind::DutyDays, h).map(|c| c.field);
    let cases = [
        ("Ngày trực", Some(Field::HeldOn)),
        ("NGÀY TRỰC (dd/mm/yyyy)", Some(Field::HeldOn)),
        ("Ngày trực ban", Some(Field::HeldOn)),
        ("Ngày", Some(Field::HeldOn)),
        ("Thời gian trực", Some(Field::HeldOn)),
        ("Nơi trực", Some(Field::Place)),
        ("Địa điểm trực", Some(Field::Place)),
        ("Địa điểm", Some(Field::Place)),
        ("Ghi chú", Some(Field::Note)),
        ("Họ và tên", Some(Field::FullName)),
        ("Họ tên người trực", Some(Field::FullName)),
        ("Người trực", Some(Field::FullName)),
        ("SĐT", Some(Field::Phone)),
        ("Tên thôn, xóm", Some(Field::VillageName)),
        ("Ấp", Some(Field::VillageName)),
        ("Khu dân cư", Some(Field::VillageName)),
        ("Thôn, tổ dân phố", Some(Field::VillageName)),
        // Not a column of this list.
        ("Năm sinh", None),
        ("Tổ", None),
        ("Nơi ở", None),
    ];
    for (h, want) in cases {
        assert_eq!(m(h), want, "«{h}»");
    }
    assert_eq!(SheetKind::from_key("duty_days"), Some(SheetKind::DutyDays));
    assert_eq!(SheetKind::DutyDays.key(), "duty_days");
    let f = |s| ManualColumns::field_named(SheetKind::DutyDays, s).map(|c| c.field);
    assert_eq!(f("Nơi trực"), Some(Field::Place));
    assert_eq!(f("held_on"), Some(Field::HeldOn));
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

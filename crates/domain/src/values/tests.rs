//! Unit tests of the value types: what each accepts, refuses and prints.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

// --- phone ---------------------------------------------------------

#[test]
fn phone_accepts_common_spellings() {
    for input in [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "(0912) 345 678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "+84 (0) 912 345 678",
        " 0912345678 ",
    ] {
        let p = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.as_str(), "0912345678", "{input}");
        assert_eq!(p.display(), "0912 345 678");
        assert!(p.is_mobile());
    }
    for prefix in ["03", "05", "07", "08", "09"] {
        let s = format!("{prefix}12345678");
        assert_eq!(PhoneNumber::parse(&s).unwrap().as_str(), s);
    }
}

#[test]
fn phone_landline() {
    let p = PhoneNumber::parse("0225 123 4567").unwrap();
    assert_eq!(p.as_str(), "02251234567");
    assert_eq!(p.display(), "0225 123 4567");
    assert!(!p.is_mobile());
    assert_eq!(PhoneNumber::parse("+84 225 123 4567").unwrap(), p);
}

#[test]
fn phone_rejections_name_the_field() {
    for input in [
        "0123",
        "0123456789",   // 01x no longer exists
        "0612345678",   // 06 prefix not allocated
        "091234567",    // 9 digits
        "09123456789",  // 11-digit mobile
        "0212345678",   // 10-digit landline
        "912345678",    // lost zero: only parse_lenient repairs it
        "0912345678.0", // float text: only parse_lenient repairs it
        "abc",
        "0912a45678",
        "+1 202 555 0100",
    ] {
        let err = PhoneNumber::parse(input).unwrap_err();
        assert_eq!(err.field, "phone", "{input}");
        assert!(err.message.contains("Số điện thoại"), "{}", err.message);
        assert!(
            err.message.contains(&format!("«{}»", input.trim())),
            "{}",
            err.message
        );
    }
    let err = PhoneNumber::parse("0123").unwrap_err();
    assert!(err.message.starts_with(
        "Số điện thoại «0123» không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (ví dụ 0912 345 678)"
    ));
    let err = PhoneNumber::parse("  ").unwrap_err();
    assert!(err.message.contains("không được để trống"));
}

#[test]
fn phone_lenient_repairs_excel_damage() {
    assert_eq!(
        PhoneNumber::parse_lenient("912345678").unwrap().as_str(),
        "0912345678"
    );
    assert_eq!(
        PhoneNumber::parse_lenient("912345678.0").unwrap().as_str(),
        "0912345678"
    );
    assert_eq!(
        PhoneNumber::parse_lenient("'0912345678").unwrap().as_str(),
        "0912345678"
    );
    assert_eq!(
        PhoneNumber::parse_lenient("2251234567").unwrap().as_str(),
        "02251234567"
    );
    assert_eq!(
        PhoneNumber::parse_lenient("0912 345 678").unwrap().as_str(),
        "0912345678"
    );
    // Dotted groups are not float text.
    assert_eq!(
        PhoneNumber::parse_lenient("0912.345.678").unwrap().as_str(),
        "0912345678"
    );
    for bad in ["112345678", "612345678", "12345", "912345678.5"] {
        let err = PhoneNumber::parse_lenient(bad).unwrap_err();
        assert_eq!(err.field, "phone");
        assert!(err.message.contains("Số điện thoại"));
    }
}

#[test]
fn phone_serde() {
    let p: PhoneNumber = serde_json::from_str("\"0912 345 678\"").unwrap();
    assert_eq!(p.as_str(), "0912345678");
    assert_eq!(serde_json::to_string(&p).unwrap(), "\"0912345678\"");
    let back: PhoneNumber = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    let err = serde_json::from_str::<PhoneNumber>("\"0123\"").unwrap_err();
    assert!(err.to_string().contains("Số điện thoại"), "{err}");
    assert_eq!("0912345678".parse::<PhoneNumber>().unwrap(), p);
    assert_eq!(p.to_string(), "0912345678");
}

// --- zalo --------------------------------------------------------------

#[test]
fn zalo_normalises() {
    for input in [
        "https://zalo.me/g/xuubpv554",
        "zalo.me/g/xuubpv554",
        "http://zalo.me/g/xuubpv554",
        "https://www.zalo.me/g/xuubpv554",
        "HTTPS://Zalo.Me/g/xuubpv554",
        "https://zalo.me/g/xuubpv554/",
        "https://zalo.me/g/xuubpv554?utm_source=zalo",
        "https://zalo.me/g/xuubpv554#x",
        "  www.zalo.me/g/xuubpv554  ",
    ] {
        let link = ZaloGroupLink::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(link.as_str(), "https://zalo.me/g/xuubpv554", "{input}");
        assert_eq!(link.code(), "xuubpv554");
    }
    let link = ZaloGroupLink::parse("https://zalo.me/g/xuubpv554").unwrap();
    assert_eq!(ZaloGroupLink::parse(link.as_str()).unwrap(), link);
    assert_eq!(
        ZaloGroupLink::parse("zalo.me/g/Ab_C-9").unwrap().as_str(),
        "https://zalo.me/g/Ab_C-9"
    );
}

#[test]
fn zalo_rejections() {
    for input in [
        "",
        "https://facebook.com/g/xuubpv554",
        "https://zalo.me.evil.com/g/xuubpv554",
        "https://chat.zalo.me/g/xuubpv554",
        "https://zalo.me/0912345678",
        "https://zalo.me/g/",
        "https://zalo.me/g",
        "https://zalo.me/g/abc",
        "https://zalo.me/g/xuu bpv554",
        "https://zalo.me/g/xuubpv554/extra",
        "https://zalo.me/abc/xuubpv554",
        "xuubpv554",
    ] {
        let err = ZaloGroupLink::parse(input).unwrap_err();
        assert_eq!(err.field, "zalo_link", "{input}");
        assert!(
            err.message.contains("Đường liên kết nhóm Zalo"),
            "{}",
            err.message
        );
    }
    let err = ZaloGroupLink::parse("zalo.me/0912345678").unwrap_err();
    assert!(err.message.contains("cá nhân"), "{}", err.message);
    assert!(err.message.contains("«zalo.me/0912345678»"));
    let err = ZaloGroupLink::parse("https://zalo.me/g/").unwrap_err();
    assert!(err.message.contains("thiếu mã nhóm"), "{}", err.message);
}

#[test]
fn zalo_serde() {
    let link: ZaloGroupLink = serde_json::from_str("\"zalo.me/g/xuubpv554\"").unwrap();
    assert_eq!(
        serde_json::to_string(&link).unwrap(),
        "\"https://zalo.me/g/xuubpv554\""
    );
    assert!(serde_json::from_str::<ZaloGroupLink>("\"zalo.me/0912345678\"").is_err());
}

// --- document number -----------------------------------------------------

#[test]
fn document_numbers_parse() {
    for (input, number, symbol) in [
        ("1907/QĐ-UBND", "1907", "QĐ-UBND"),
        ("1643/UBND-VHXH", "1643", "UBND-VHXH"),
        ("1688/VHXH", "1688", "VHXH"),
        ("4675/SKHCN-CNTT", "4675", "SKHCN-CNTT"),
        ("05/BC-UBND", "05", "BC-UBND"),
        ("Số 1907/QĐ-UBND", "1907", "QĐ-UBND"),
        ("Số: 1907/QĐ-UBND", "1907", "QĐ-UBND"),
        ("số:1907/qđ-ubnd", "1907", "QĐ-UBND"),
        ("  1907 / QĐ-UBND  ", "1907", "QĐ-UBND"),
        ("12/KH-BCĐ&TT", "12", "KH-BCĐ&TT"),
        ("30/2020/NĐ-CP", "30", "2020/NĐ-CP"),
    ] {
        let n = DocumentNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(n.number(), number, "{input}");
        assert_eq!(n.symbol(), symbol, "{input}");
        assert_eq!(n.as_str(), format!("{number}/{symbol}"));
        assert_eq!(DocumentNumber::parse(n.as_str()).unwrap(), n);
    }
}

#[test]
fn document_number_is_nfc() {
    let decomposed: String = "1907/QĐ-UBND".nfd().collect();
    let n = DocumentNumber::parse(&decomposed).unwrap();
    assert_eq!(n.as_str(), "1907/QĐ-UBND");
    let decomposed_prefix: String = "Số 5/TB-UBND".nfd().collect();
    assert_eq!(
        DocumentNumber::parse(&decomposed_prefix).unwrap().as_str(),
        "5/TB-UBND"
    );
}

#[test]
fn document_number_rejections() {
    for input in [
        "abc",
        "1907",
        "/QĐ",
        "1907/",
        "1907/QĐ UBND",
        "1234567/UBND",
        "19a7/QĐ",
        "1907/QĐ-",
        "1907/A-B-C-D-E",
        "1907/QĐ1-UBND",
        "1907/ABCDEFGHIJK",
        "",
    ] {
        let err = DocumentNumber::parse(input).unwrap_err();
        assert_eq!(err.field, "document_number", "{input}");
        assert!(
            err.message.contains("Số, ký hiệu văn bản"),
            "{}",
            err.message
        );
        if !input.is_empty() {
            assert!(
                err.message.contains("ví dụ 1907/QĐ-UBND"),
                "{}",
                err.message
            );
            assert!(
                err.message.contains(&format!("«{input}»")),
                "{}",
                err.message
            );
        }
    }
    assert!(serde_json::from_str::<DocumentNumber>("\"1907\"").is_err());
    let ok: DocumentNumber = serde_json::from_str("\"Số 1907/qđ-ubnd\"").unwrap();
    assert_eq!(serde_json::to_string(&ok).unwrap(), "\"1907/QĐ-UBND\"");
}

// --- names -------------------------------------------------------------

#[test]
fn names() {
    let n = Name::village("  Thôn   Hải  Sơn ").unwrap();
    assert_eq!(n.as_str(), "Thôn Hải Sơn");
    assert_eq!(n.to_string(), "Thôn Hải Sơn");

    let err = Name::village("   ").unwrap_err();
    assert_eq!(err.field, "name");
    assert_eq!(err.message, "Tên thôn, tổ dân phố không được để trống.");

    let long = "ư".repeat(121);
    let err = Name::village(&long).unwrap_err();
    assert!(err
        .message
        .contains("Tên thôn, tổ dân phố dài quá 120 ký tự"));
    assert!(Name::village(&"ư".repeat(120)).is_ok());

    assert!(Name::team(&"a".repeat(160)).is_ok());
    let err = Name::team(&"a".repeat(161)).unwrap_err();
    assert!(err.message.contains("Tên tổ dài quá 160 ký tự"));

    let err = Name::subject("").unwrap_err();
    assert_eq!(err.field, "subject");
    assert!(err.message.contains("Trích yếu"));
    assert!(Name::subject(&"a".repeat(501)).is_err());

    let err = Name::issuer("").unwrap_err();
    assert_eq!(err.field, "issuer");
    assert!(err.message.contains("Cơ quan ban hành"));
    assert!(Name::issuer(&"a".repeat(201)).is_err());

    let n: Name = serde_json::from_str("\" UBND  xã \"").unwrap();
    assert_eq!(n.as_str(), "UBND xã");
    assert!(serde_json::from_str::<Name>("\"  \"").is_err());
}

#[test]
fn person_names() {
    for (input, expected) in [
        ("  Nguyễn   Văn Đức ", "Nguyễn Văn Đức"),
        ("Đặng Thị Mai", "Đặng Thị Mai"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Ksor Y-Bih", "Ksor Y-Bih"),
        ("Lò Văn A.", "Lò Văn A."),
        ("An", "An"),
    ] {
        assert_eq!(PersonName::parse(input).unwrap().as_str(), expected);
    }
    let err = PersonName::parse("Nguyễn Văn 2").unwrap_err();
    assert_eq!(err.field, "full_name");
    assert!(err.message.contains("Họ và tên"));
    assert!(err.message.contains("chữ số"));
    for bad in ["", "A", "Nguyễn@Văn", "--", &"a".repeat(81)] {
        let err = PersonName::parse(bad).unwrap_err();
        assert_eq!(err.field, "full_name", "{bad}");
        assert!(err.message.contains("Họ và tên"), "{}", err.message);
    }
    assert!(serde_json::from_str::<PersonName>("\"Trần 3\"").is_err());
}

// --- birth year ------------------------------------------------------------

#[test]
fn birth_years() {
    let today = d(2026, 11, 24);
    assert_eq!(BirthYear::new(1985, today).unwrap().get(), 1985);
    assert_eq!(BirthYear::new(1900, today).unwrap().get(), 1900);
    assert_eq!(BirthYear::new(2016, today).unwrap().get(), 2016);
    assert_eq!(BirthYear::parse(" 1985 ", today).unwrap().get(), 1985);
    assert_eq!(BirthYear::parse("1985.0", today).unwrap().get(), 1985);
    for bad in [1899, 2017, 2030] {
        let err = BirthYear::new(bad, today).unwrap_err();
        assert_eq!(err.field, "birth_year");
        assert!(err.message.contains("Năm sinh"));
        assert!(err.message.contains("2016"), "{}", err.message);
    }
    for bad in ["abc", "85", "", "19850", "1985.5"] {
        let err = BirthYear::parse(bad, today).unwrap_err();
        assert_eq!(err.field, "birth_year", "{bad}");
        assert!(err.message.contains("Năm sinh"));
    }
    let y = BirthYear::new(1985, today).unwrap();
    assert_eq!(serde_json::to_string(&y).unwrap(), "1985");
    assert_eq!(serde_json::from_str::<BirthYear>("1985").unwrap(), y);
    assert!(serde_json::from_str::<BirthYear>("1800").is_err());
}

// --- dates -------------------------------------------------------------

#[test]
fn dates_parse() {
    for input in [
        "31/10/2025",
        "31-10-2025",
        "31.10.2025",
        "2025-10-31",
        " 31/10/2025 ",
    ] {
        assert_eq!(
            parse_date(input, "date", "Ngày").unwrap(),
            d(2025, 10, 31),
            "{input}"
        );
    }
    assert_eq!(
        parse_date("5/2/2026", "date", "Ngày").unwrap(),
        d(2026, 2, 5)
    );
    assert_eq!(
        parse_date("05/02/2026", "date", "Ngày").unwrap(),
        d(2026, 2, 5)
    );
    assert_eq!(
        parse_date("29/02/2024", "date", "Ngày").unwrap(),
        d(2024, 2, 29)
    );
}

#[test]
fn dates_reject() {
    for input in [
        "31/02/2025",
        "29/02/2025",
        "32/01/2025",
        "01/13/2025",
        "2025/10/31",
        "31/10/25",
        "31/10-2025",
        "hôm qua",
        "31102025",
        "",
    ] {
        let err = parse_date(input, "founded_on", "Ngày thành lập").unwrap_err();
        assert_eq!(err.field, "founded_on", "{input}");
        assert!(err.message.contains("Ngày thành lập"), "{}", err.message);
    }
    let err = parse_date("31/02/2025", "date", "Ngày ban hành").unwrap_err();
    assert_eq!(
        err.message,
        "Ngày ban hành «31/02/2025» không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 31/10/2025."
    );
}

#[test]
fn future_dates() {
    let today = d(2026, 11, 24);
    assert_eq!(
        not_in_future(today, today, "founded_on", "Ngày thành lập").unwrap(),
        today
    );
    let err = not_in_future(d(2030, 1, 1), today, "founded_on", "Ngày thành lập").unwrap_err();
    assert_eq!(err.field, "founded_on");
    assert_eq!(
        err.message,
        "Ngày thành lập 01/01/2030 không được sau ngày hôm nay (24/11/2026)."
    );
}

#[test]
fn periods() {
    let from = d(2025, 5, 5);
    assert!(check_period(from, None, "Ngày thành lập", "Ngày giải thể").is_ok());
    assert!(check_period(from, Some(from), "Ngày thành lập", "Ngày giải thể").is_ok());
    assert!(check_period(from, Some(d(2026, 1, 1)), "Ngày thành lập", "Ngày giải thể").is_ok());
    let err =
        check_period(from, Some(d(2020, 1, 1)), "Ngày thành lập", "Ngày giải thể").unwrap_err();
    assert_eq!(err.field, "until");
    assert_eq!(
        err.message,
        "Ngày giải thể 01/01/2020 không được trước ngày thành lập 05/05/2025."
    );
}

// --- client id -------------------------------------------------------

#[test]
fn client_ids_accept_what_clients_make() {
    for input in [
        "abcdefgh",
        "0123456789abcdef0123456789abcdef",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "q_1-Z_9-",
        &"a".repeat(64),
    ] {
        let id = ClientId::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(id.as_str(), input);
        assert_eq!(id.to_string(), input);
    }
    let id: ClientId = serde_json::from_str("\"abcd-1234\"").unwrap();
    assert_eq!(id.as_str(), "abcd-1234");
    assert_eq!(serde_json::to_string(&id).unwrap(), "\"abcd-1234\"");
}

#[test]
fn client_id_rejections_name_the_field() {
    for input in [
        "",
        "abc",
        "abcdefg",
        &"a".repeat(65),
        "abcd efgh",
        " abcdefgh",
        "abcdefgh\n",
        "abcd/efgh",
        "abcd.efgh",
        "abcd+efgh",
        "mãlượtghi1",
        "<script>x</script>",
        "abcd'--efgh",
    ] {
        let err = ClientId::parse(input).unwrap_err();
        assert_eq!(err.field, "client_id", "{input:?}");
        assert!(
            err.message.starts_with("Mã lượt ghi"),
            "{input:?}: {}",
            err.message
        );
    }
    assert_eq!(
        ClientId::parse("abc").unwrap_err().message,
        "Mã lượt ghi phải dài từ 8 đến 64 ký tự (hiện có 3 ký tự). \
         Vui lòng tải lại trang rồi gửi lại."
    );
    assert_eq!(
        ClientId::parse("").unwrap_err().message,
        "Mã lượt ghi không được để trống."
    );
    assert_eq!(
        ClientId::parse("<b>abcd</b>").unwrap_err().message,
        "Mã lượt ghi không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, dấu «-» và «_». \
         Vui lòng tải lại trang rồi gửi lại."
    );
    assert!(serde_json::from_str::<ClientId>("\"a b\"").is_err());
}

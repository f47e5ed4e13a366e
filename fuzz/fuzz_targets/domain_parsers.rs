//! Every domain parser on arbitrary text: never panics, and what a parser
//! accepts is canonical (parsing its own output gives it back), since stored
//! values are read back through the same parsers (serde `try_from`).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use toso_domain::{
    fold, parse_date, BirthYear, DocumentNumber, Name, Password, PersonName, PhoneNumber, Username,
    ZaloGroupLink,
};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2025, 10, 31).unwrap();

    // fold: idempotent.
    let f = fold(s);
    assert_eq!(fold(&f), f, "fold not idempotent on {s:?}");

    for lenient in [false, true] {
        let p = if lenient {
            PhoneNumber::parse_lenient(s)
        } else {
            PhoneNumber::parse(s)
        };
        if let Ok(p) = p {
            assert_eq!(PhoneNumber::parse(p.as_str()).as_ref(), Ok(&p));
            assert_eq!(PhoneNumber::parse_lenient(p.as_str()).as_ref(), Ok(&p));
            assert_eq!(PhoneNumber::parse(&p.display()).as_ref(), Ok(&p));
            assert!(p.as_str().len() == 10 || p.as_str().len() == 11);
        }
    }

    if let Ok(z) = ZaloGroupLink::parse(s) {
        assert_eq!(ZaloGroupLink::parse(z.as_str()).as_ref(), Ok(&z));
        assert!(z.as_str().ends_with(z.code()));
    }

    if let Ok(d) = DocumentNumber::parse(s) {
        let again = DocumentNumber::parse(d.as_str());
        assert_eq!(again.as_ref(), Ok(&d), "document number {s:?} -> {d:?}");
        assert_eq!(format!("{}/{}", d.number(), d.symbol()), d.as_str());
    }

    for parse in [
        Name::parse as fn(&str) -> _,
        Name::village,
        Name::team,
        Name::subject,
        Name::issuer,
    ] {
        if let Ok(n) = parse(s) {
            assert_eq!(parse(n.as_str()).as_ref(), Ok(&n));
        }
    }

    if let Ok(n) = PersonName::parse(s) {
        assert_eq!(PersonName::parse(n.as_str()).as_ref(), Ok(&n));
    }

    if let Ok(y) = BirthYear::parse(s, today) {
        assert_eq!(BirthYear::parse(&y.to_string(), today).as_ref(), Ok(&y));
    }

    if let Ok(u) = Username::parse(s) {
        assert_eq!(Username::parse(u.as_str()).as_ref(), Ok(&u));
        let _ = u.folded();
    }

    if let Ok(p) = Password::parse(s) {
        assert_eq!(p.expose(), s);
    }

    if let Ok(d) = parse_date(s, "date", "Ngày") {
        let shown = d.format("%d/%m/%Y").to_string();
        assert_eq!(parse_date(&shown, "date", "Ngày").as_ref(), Ok(&d));
    }
});

//! Inputs found by `cargo fuzz run domain_parsers` (see TESTING.md): each
//! once broke an invariant the fuzz target checks.

use toso_domain::{clean_text, fold, Name, PersonName};

/// Parsing a parsed value's text gives the same value (stored values are
/// read back through `parse`).
fn assert_canonical(input: &str) {
    let once = clean_text(input);
    assert_eq!(clean_text(&once), once, "clean_text({input:?})");
    let f = fold(input);
    assert_eq!(fold(&f), f, "fold({input:?})");
    if let Ok(n) = Name::parse(input) {
        assert_eq!(Name::parse(n.as_str()).as_ref(), Ok(&n), "Name({input:?})");
    }
    if let Ok(n) = PersonName::parse(input) {
        assert_eq!(
            PersonName::parse(n.as_str()).as_ref(),
            Ok(&n),
            "PersonName({input:?})"
        );
    }
}

/// A control character between two combining marks: removed after NFC, it
/// left the marks out of canonical order, so cleaning again reordered them.
#[test]
fn control_between_combining_marks() {
    // Minimised crash (7 bytes): U+1AEB, BEL, U+1AD1.
    assert_canonical("\u{1aeb}\u{7}\u{1ad1}");
    assert_eq!(clean_text("\u{1aeb}\u{7}\u{1ad1}"), "\u{1ad1}\u{1aeb}");
    // A base letter and its accent split by a control character compose.
    assert_eq!(clean_text("e\u{7}\u{301}"), "é");
    // The original crash.
    let crash: &[u8] = &[
        83, 83, 32, 46, 46, 0, 225, 171, 145, 47, 46, 32, 32, 41, 225, 171, 145, 225, 171, 171, 46,
        0, 1, 0, 0, 0, 0, 46, 46, 0, 225, 171, 145, 47, 46, 32, 32, 41, 225, 171, 145, 225, 171,
        171, 46, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 225, 171, 145, 225, 171, 171, 32, 46, 46, 0, 225,
        171, 145, 47, 46, 32, 32, 41, 225, 171, 145, 225, 171, 171, 46, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        6, 225, 171, 145, 225, 171, 171, 0, 0, 0, 6, 225, 171, 145, 225, 171, 171, 32, 46, 46, 0,
        225, 171, 145, 47, 46, 32, 32, 41, 225, 171, 145, 225, 171, 171, 46, 0, 1, 0, 0, 0, 0, 0,
        0, 0, 6, 225, 171, 145, 225, 171, 171,
    ];
    assert_canonical(std::str::from_utf8(crash).unwrap());
}

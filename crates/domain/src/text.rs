//! Text normalisation helpers.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// An optional text without the white space around it; none when nothing
/// is left (an empty note is no note).
pub fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Vietnamese search key: strips diacritics, maps đ/Đ to d, lowercases and
/// collapses whitespace. `fold("Nguyễn Văn Đức") == "nguyen van duc"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Canonical form of free text typed by a user: NFC, trimmed, internal
/// whitespace runs collapsed to one space, control characters removed.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Drop control and zero-width characters before composing: dropped
    // after, they could leave combining marks out of canonical order (not
    // NFC), and cleaning the result again would change it.
    let kept = s
        .chars()
        .filter(|&c| c.is_whitespace() || !(c.is_control() || is_invisible(c)));
    for c in kept.nfc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Zero-width characters that often sneak in from copy-paste.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Lowercases the first character: used to put a field label in the middle
/// of a sentence ("Ngày thành lập" → "ngày thành lập").
pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_examples() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("Đặng"), "dang");
        assert_eq!(fold("  THÔN   Hải  Sơn "), "thon hai son");
        assert_eq!(fold("Tổ trưởng"), "to truong");
        assert_eq!(fold("TỔ TRƯỞNG"), "to truong");
        assert_eq!(fold("Ấp\tBình\nHòa"), "ap binh hoa");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn fold_handles_precomposed_and_decomposed_input_alike() {
        let composed = "Hải";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
    }

    #[test]
    fn clean_text_normalises() {
        assert_eq!(clean_text("  Thôn \t Hải   Sơn \n"), "Thôn Hải Sơn");
        assert_eq!(clean_text("a\u{0007}b"), "ab");
        assert_eq!(clean_text("\u{FEFF}Xã Cát Hải"), "Xã Cát Hải");
        let decomposed: String = "Hải".nfd().collect();
        assert_eq!(clean_text(&decomposed), "Hải");
        assert_eq!(clean_text("   "), "");
    }

    #[test]
    fn lower_first_works() {
        assert_eq!(lower_first("Ngày thành lập"), "ngày thành lập");
        assert_eq!(lower_first("Đến ngày"), "đến ngày");
        assert_eq!(lower_first(""), "");
    }
}

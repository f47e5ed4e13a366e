//! Text normalisation helpers.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

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
    // Most text is clean already (every cell of a roster goes through
    // here): copied as it is, without composing it character by character.
    if is_clean(s) {
        return s.to_owned();
    }
    clean_the_long_way(s)
}

/// [`clean_text`] character by character: filtered, composed, white space
/// folded.
fn clean_the_long_way(s: &str) -> String {
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

/// What [`clean_text`] would return unchanged: single spaces between
/// words and no other white space, no control or zero-width character, and
/// NFC by the normalisation quick check (which answers "maybe" for a few
/// characters: those strings take the long way).
fn is_clean(s: &str) -> bool {
    // A space is not allowed first, nor after another space.
    let mut after_space = true;
    for c in s.chars() {
        if c == ' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if c.is_whitespace() || c.is_control() || is_invisible(c) {
            return false;
        } else {
            after_space = false;
        }
    }
    (s.is_empty() || !after_space) && is_nfc_quick(s.chars()) == IsNormalized::Yes
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

    /// Every string of up to four characters from an alphabet of the cases
    /// that matter (spaces and other white space, control and zero-width
    /// characters, combining marks in and out of order, precomposed
    /// letters): the short way answers "clean" only where the long way
    /// leaves the text as it is, and cleaning twice changes nothing.
    #[test]
    fn the_short_way_agrees_with_the_long_way() {
        let alphabet = [
            'a', 'ơ', 'Đ', ' ', '\t', '\u{00A0}', '\u{0007}', '\u{200B}', '\u{0301}', '\u{0323}',
            '\u{0309}', 'ệ',
        ];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        let mut clean = 0;
        for s in &strings {
            let long = clean_the_long_way(s);
            if is_clean(s) {
                clean += 1;
                assert_eq!(&long, s, "{s:?} taken as clean");
            }
            assert_eq!(clean_text(s), long, "{s:?}");
            assert_eq!(clean_text(&long), long, "{s:?} cleaned twice");
        }
        // The short way is taken (485 of the 22,621 strings), not only the
        // long one; and for the text of a roster.
        assert!(clean > 400, "{clean} clean strings");
        for s in ["Thôn Hải Sơn", "Nguyễn Thị Ánh Tuyết", "0912345678", ""] {
            assert!(is_clean(s), "{s:?}");
        }
    }

    #[test]
    fn lower_first_works() {
        assert_eq!(lower_first("Ngày thành lập"), "ngày thành lập");
        assert_eq!(lower_first("Đến ngày"), "đến ngày");
        assert_eq!(lower_first(""), "");
    }
}

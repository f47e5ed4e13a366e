//! Small text helpers shared by the store (checking and citing) and the
//! composer: the lines of a multi-line field, a subject after "về việc".

/// Lines of a multi-line field, trimmed, empty ones dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The text with its first letter in lower case ("Về việc …" → "về việc …").
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

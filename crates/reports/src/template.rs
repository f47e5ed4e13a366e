//! Report templates as data: the body of a report is plain text that the
//! commune edits, one paragraph per line, with figures as `{placeholders}`.
//!
//! ```text
//! # I. CÔNG TÁC CHỈ ĐẠO          ← heading, level 1 ("##" level 2, "###" level 3)
//! - Số thành viên: {members}.   ← a paragraph; {members} is filled from records
//! ```
//!
//! Blank lines are ignored; `{{` and `}}` print a literal brace. Which
//! placeholders exist is decided by the caller (the store knows the
//! indicators); an unknown one is refused with the line it is on.

use crate::model::{Block, Inline};

/// A template line that could not be used, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Dòng {line}: {message}")]
pub struct TemplateError {
    pub line: usize,
    pub message: String,
}

/// One piece of a template line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Placeholder(String),
}

/// A parsed, non-empty template line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the template text.
    pub number: usize,
    /// 0 for a paragraph, 1–3 for a heading.
    pub heading: u8,
    pub parts: Vec<Part>,
}

/// Longest template accepted (characters): a report is a few pages.
pub const MAX_TEMPLATE_CHARS: usize = 50_000;

/// Parse a template. Refuses unbalanced braces, empty or malformed
/// placeholder names, and over-long templates.
pub fn parse(text: &str) -> Result<Vec<Line>, TemplateError> {
    if text.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(TemplateError {
            line: 1,
            message: format!("nội dung quá dài (tối đa {MAX_TEMPLATE_CHARS} ký tự)."),
        });
    }
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        // Zero-width characters pasted at a line's ends (a BOM, a zero-width
        // space) count as blank, so a body of them alone is empty.
        let trimmed = raw.trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
                )
        });
        if trimmed.is_empty() {
            continue;
        }
        let (heading, rest) = match trimmed.find(|c: char| c != '#') {
            Some(n @ 1..=3) if trimmed[n..].starts_with(' ') => (n as u8, trimmed[n..].trim()),
            _ if trimmed.starts_with('#') => {
                return Err(TemplateError {
                    line: number,
                    message: "đề mục viết «# », «## » hoặc «### » rồi đến nội dung.".into(),
                })
            }
            _ => (0, trimmed),
        };
        let parts = parse_parts(rest).map_err(|message| TemplateError {
            line: number,
            message,
        })?;
        if parts.is_empty() {
            continue;
        }
        lines.push(Line {
            number,
            heading,
            parts,
        });
    }
    Ok(lines)
}

fn parse_parts(s: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                        Some(c) => {
                            return Err(format!(
                                "ký tự «{c}» không dùng được trong tên chỗ điền số liệu \
                                 (chỉ chữ không dấu, số và dấu _); muốn in dấu ngoặc thì viết «{{{{»."
                            ))
                        }
                        None => {
                            return Err(format!(
                                "thiếu dấu «}}» đóng chỗ điền «{{{name}»."
                            ))
                        }
                    }
                }
                if name.is_empty() {
                    return Err("chỗ điền số liệu «{}» chưa có tên.".into());
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Placeholder(name));
            }
            '}' => {
                return Err(
                    "dấu «}» không có dấu «{» mở tương ứng; muốn in dấu ngoặc thì viết «}}»."
                        .into(),
                )
            }
            c if c.is_control() => {}
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// Placeholder names used by a parsed template, in first-use order.
pub fn placeholders(lines: &[Line]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for line in lines {
        for part in &line.parts {
            if let Part::Placeholder(name) = part {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// Check every placeholder against the known names.
pub fn check(lines: &[Line], known: &[&str]) -> Result<(), TemplateError> {
    for line in lines {
        for part in &line.parts {
            if let Part::Placeholder(name) = part {
                if !known.contains(&name.as_str()) {
                    return Err(TemplateError {
                        line: line.number,
                        message: format!(
                            "không có số liệu tên «{{{name}}}»; xem danh sách các chỗ điền số liệu bên cạnh."
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Turn a parsed template into document blocks, asking `fill` for each
/// placeholder. `fill` returning `None` is an unknown placeholder.
pub fn resolve(
    lines: &[Line],
    mut fill: impl FnMut(&str) -> Option<Inline>,
) -> Result<Vec<Block>, TemplateError> {
    let mut blocks = Vec::with_capacity(lines.len());
    for line in lines {
        let mut content = Vec::with_capacity(line.parts.len());
        for part in &line.parts {
            match part {
                Part::Text(t) => content.push(Inline::plain(t.clone())),
                Part::Placeholder(name) => match fill(name) {
                    Some(inline) => content.push(inline),
                    None => {
                        return Err(TemplateError {
                            line: line.number,
                            message: format!("không có số liệu tên «{{{name}}}»."),
                        })
                    }
                },
            }
        }
        blocks.push(match line.heading {
            0 => Block::Paragraph { content },
            level => Block::Heading { level, content },
        });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_placeholders() {
        let lines =
            parse("# I. CHỈ ĐẠO\n\n- Có {villages} thôn, {{không}} điền.\n## 1. Tổ\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].heading, 1);
        assert_eq!(lines[1].number, 3);
        assert_eq!(
            lines[1].parts,
            vec![
                Part::Text("- Có ".into()),
                Part::Placeholder("villages".into()),
                Part::Text(" thôn, {không} điền.".into())
            ]
        );
        assert_eq!(lines[2].heading, 2);
        assert_eq!(placeholders(&lines), vec!["villages"]);
        let blocks = resolve(&lines, |k| (k == "villages").then(|| Inline::plain("58"))).unwrap();
        assert_eq!(blocks[1].text(), "- Có 58 thôn, {không} điền.");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("ok\n- {villages").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("Dòng 2: thiếu dấu «}»"), "{e}");
        assert_eq!(parse("a } b").unwrap_err().line, 1);
        assert_eq!(parse("x\ny\n{tên có dấu}").unwrap_err().line, 3);
        assert_eq!(parse("{}").unwrap_err().line, 1);
        assert_eq!(parse("#Thiếu cách").unwrap_err().line, 1);
        let lines = parse("a\n{nope}").unwrap();
        let e = check(&lines, &["villages"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Dòng 2: không có số liệu tên «{nope}»; xem danh sách các chỗ điền số liệu bên cạnh."
        );
        assert!(parse(&"a".repeat(MAX_TEMPLATE_CHARS + 1)).is_err());
    }
}

//! WordprocessingML by hand: XML text escaping, runs (font size, bold,
//! italic, underline; hyphens inside words kept unbroken), paragraphs, and
//! the fixed-layout tables the heading, the closing block and the annexes
//! are built from.

// ---------------------------------------------------------------------------
// XML text.

/// Whether `c` may appear in an XML 1.0 document.
fn xml_legal(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for XML text or attribute values and drops characters that
/// XML 1.0 cannot carry (C0 controls but tab/newline/CR, U+FFFE, U+FFFF).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_legal(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Run formatting.
#[derive(Clone, Copy, Default)]
pub(super) struct R {
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) underline: bool,
    /// Size in points; `None` keeps the style's.
    pub(super) size: Option<u32>,
}

impl R {
    pub(super) fn pt(size: u32) -> R {
        R {
            size: Some(size),
            ..R::default()
        }
    }
    pub(super) fn bold(mut self) -> R {
        self.bold = true;
        self
    }
    pub(super) fn italic(mut self) -> R {
        self.italic = true;
        self
    }
    pub(super) fn underline(mut self) -> R {
        self.underline = true;
        self
    }

    pub(super) fn write(&self, out: &mut String) {
        if !self.bold && !self.italic && !self.underline && self.size.is_none() {
            return;
        }
        out.push_str("<w:rPr>");
        if self.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            out.push_str("<w:i/><w:iCs/>");
        }
        if let Some(pt) = self.size {
            out.push_str(&format!(
                "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>",
                pt * 2
            ));
        }
        if self.underline {
            out.push_str("<w:u w:val=\"single\"/>");
        }
        out.push_str("</w:rPr>");
    }
}

/// Paragraph formatting.
#[derive(Clone, Copy, Default)]
pub(super) struct P {
    pub(super) style: Option<&'static str>,
    pub(super) keep_next: bool,
    pub(super) keep_lines: bool,
    /// A bottom border: the short rule under a heading.
    pub(super) rule: bool,
    pub(super) before: Option<u32>,
    pub(super) after: Option<u32>,
    /// Exact line height in twips.
    pub(super) exact_line: Option<u32>,
    /// Left and right indents in twips.
    pub(super) indent: Option<(u32, u32)>,
    pub(super) center: bool,
    /// Flush right (a number in a table).
    pub(super) right: bool,
    /// Run properties of the paragraph mark (sets an empty paragraph's height).
    pub(super) mark: Option<R>,
}

impl P {
    pub(super) fn centered() -> P {
        P {
            center: true,
            ..P::default()
        }
    }

    pub(super) fn write(&self, out: &mut String) {
        out.push_str("<w:pPr>");
        if let Some(s) = self.style {
            out.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
        }
        if self.keep_next {
            out.push_str("<w:keepNext/>");
        }
        if self.keep_lines {
            out.push_str("<w:keepLines/>");
        }
        if self.rule {
            out.push_str(
                "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>",
            );
        }
        if self.before.is_some() || self.after.is_some() || self.exact_line.is_some() {
            out.push_str("<w:spacing");
            if let Some(b) = self.before {
                out.push_str(&format!(" w:before=\"{b}\""));
            }
            if let Some(a) = self.after {
                out.push_str(&format!(" w:after=\"{a}\""));
            }
            if let Some(l) = self.exact_line {
                out.push_str(&format!(" w:line=\"{l}\" w:lineRule=\"exact\""));
            }
            out.push_str("/>");
        }
        if let Some((l, r)) = self.indent {
            out.push_str(&format!(
                "<w:ind w:left=\"{l}\" w:right=\"{r}\" w:firstLine=\"0\"/>"
            ));
        }
        if self.center {
            out.push_str("<w:jc w:val=\"center\"/>");
        } else if self.right {
            out.push_str("<w:jc w:val=\"right\"/>");
        }
        if let Some(m) = self.mark {
            m.write(out);
        }
        out.push_str("</w:pPr>");
    }
}

/// Writes one run; tabs and line breaks in `text` become `<w:tab/>` and
/// `<w:br/>`, a hyphen inside a word (the "-" of "1907/QĐ-UBND", of a date
/// range written without spaces or of a URL) becomes `<w:noBreakHyphen/>`,
/// everything else goes into `<w:t xml:space="preserve">`.
///
/// Word and LibreOffice break a line after a hyphen, so "1907/QĐ-" would end
/// one line and "UBND" start the next; the non-breaking hyphen prints the
/// same glyph (and LibreOffice's PDF text carries a plain "-") without being
/// a break opportunity. Neither breaks after "/" or ".", so document
/// numbers, dd/mm/yyyy dates and URLs then stay whole on a line.
pub(super) fn run(out: &mut String, text: &str, r: R) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    r.write(out);
    let mut pending = String::new();
    let flush = |out: &mut String, pending: &mut String| {
        if !pending.is_empty() {
            out.push_str("<w:t xml:space=\"preserve\">");
            out.push_str(&escape(pending));
            out.push_str("</w:t>");
            pending.clear();
        }
    };
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let before = prev.replace(c);
        match c {
            '-' if before.is_some_and(in_word) && chars.peek().is_some_and(|n| in_word(*n)) => {
                flush(out, &mut pending);
                out.push_str("<w:noBreakHyphen/>");
            }
            '\t' => {
                flush(out, &mut pending);
                out.push_str("<w:tab/>");
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                flush(out, &mut pending);
                out.push_str("<w:br/>");
            }
            c => pending.push(c),
        }
    }
    flush(out, &mut pending);
    out.push_str("</w:r>");
}

/// Whether `c` is part of a word for [`run`]'s non-breaking hyphens: not
/// white space (a spaced hyphen, as in "Độc lập - Tự do", stays a hyphen).
fn in_word(c: char) -> bool {
    !c.is_whitespace()
}

/// Writes one paragraph of runs.
pub(super) fn para(out: &mut String, p: P, runs: &[(&str, R)]) {
    out.push_str("<w:p>");
    p.write(out);
    for (text, r) in runs {
        run(out, text, *r);
    }
    out.push_str("</w:p>");
}

/// A rough width in twips of `text` set in Times New Roman at `pt` points,
/// enough to size the short rules (⅓–½ of the line above them).
pub(super) fn text_width(text: &str, pt: u32, caps: bool) -> u32 {
    let em: f64 = text
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                0.25
            } else if caps || c.is_uppercase() {
                0.7
            } else {
                0.48
            }
        })
        .sum();
    (em * f64::from(pt) * 20.0) as u32
}

/// An empty paragraph whose bottom border is a centred rule `len` twips
/// long inside a space `width` twips wide.
pub(super) fn short_rule(out: &mut String, width: u32, len: u32, after: u32, keep_next: bool) {
    let len = len.clamp(567, width.saturating_sub(200).max(567));
    let side = width.saturating_sub(len) / 2;
    para(
        out,
        P {
            rule: true,
            keep_next,
            before: Some(0),
            after: Some(after),
            exact_line: Some(100),
            indent: Some((side, side)),
            center: true,
            mark: Some(R::pt(2)),
            ..P::default()
        },
        &[],
    );
}

// ---------------------------------------------------------------------------
// Tables.

/// Opens a borderless, fixed-layout table with the given column widths
/// (the heading and the closing block).
pub(super) fn table_start(out: &mut String, cols: &[u32]) {
    grid_start(out, cols, false);
}

/// Opens a fixed-layout table with the given column widths: borderless and
/// without cell margins, or `bordered` (single black lines, a small margin
/// in each cell, the first row a header).
pub(super) fn grid_start(out: &mut String, cols: &[u32], bordered: bool) {
    let total: u32 = cols.iter().sum();
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!("<w:tblW w:w=\"{total}\" w:type=\"dxa\"/>"));
    out.push_str("<w:tblInd w:w=\"0\" w:type=\"dxa\"/>");
    out.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        if bordered {
            out.push_str(&format!(
                "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
            ));
        } else {
            out.push_str(&format!("<w:{side} w:val=\"nil\"/>"));
        }
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
    let (v, h) = if bordered { (28, 57) } else { (0, 0) };
    out.push_str(&format!(
        "<w:tblCellMar><w:top w:w=\"{v}\" w:type=\"dxa\"/><w:left w:w=\"{h}\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"{v}\" w:type=\"dxa\"/><w:right w:w=\"{h}\" w:type=\"dxa\"/></w:tblCellMar>"
    ));
    let (look, first_row) = if bordered { ("0020", 1) } else { ("0600", 0) };
    out.push_str(&format!(
        "<w:tblLook w:val=\"{look}\" w:firstRow=\"{first_row}\" w:lastRow=\"0\" w:firstColumn=\"0\" \
         w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>"
    ));
    out.push_str("</w:tblPr><w:tblGrid>");
    for c in cols {
        out.push_str(&format!("<w:gridCol w:w=\"{c}\"/>"));
    }
    out.push_str("</w:tblGrid>");
}

pub(super) fn row_start(out: &mut String, cant_split: bool) {
    out.push_str("<w:tr>");
    if cant_split {
        out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
    }
}

/// Writes one cell; `body` must write at least one paragraph (an empty one
/// is added otherwise, as a cell without a paragraph is invalid).
pub(super) fn cell(out: &mut String, width: u32, body: impl FnOnce(&mut String)) {
    out.push_str(&format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>"
    ));
    let start = out.len();
    body(out);
    if !out[start..].contains("<w:p>") {
        para(out, P::default(), &[]);
    }
    out.push_str("</w:tc>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_drops_illegal_characters() {
        assert_eq!(
            escape("a\u{0}b\u{1}c\u{B}\u{C}\u{1F}<&>\"'\u{FFFE}\t"),
            "abc&lt;&amp;&gt;&quot;&apos;\t"
        );
        assert_eq!(escape("😀 Việt"), "😀 Việt");
    }

    #[test]
    fn hyphens_inside_words_do_not_break() {
        let xml = |text: &str| {
            let mut out = String::new();
            run(&mut out, text, R::default());
            out
        };
        assert_eq!(
            xml("số 1907/QĐ-UBND ngày 31/10/2025"),
            "<w:r><w:t xml:space=\"preserve\">số 1907/QĐ</w:t><w:noBreakHyphen/>\
             <w:t xml:space=\"preserve\">UBND ngày 31/10/2025</w:t></w:r>"
        );
        assert_eq!(
            xml("https://a-b.vn/x-y-z")
                .matches("<w:noBreakHyphen/>")
                .count(),
            3
        );
        // A spaced hyphen, or one at a word's edge, is left as typed.
        for typed in ["Độc lập - Tự do", "-a", "a-", "a -b", "a- b", "-"] {
            assert!(!xml(typed).contains("noBreakHyphen"), "{typed}");
        }
        assert!(xml("a\t-b").contains("<w:tab/><w:t xml:space=\"preserve\">-b"));
    }
}

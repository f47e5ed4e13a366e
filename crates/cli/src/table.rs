//! The text table `toso indicators` prints: columns aligned by the width the
//! text takes on a terminal (Unicode East Asian Width, combining marks
//! taking none), not by bytes or code points, so that a label typed with
//! decomposed diacritics ("Tổ" as T, o, U+0302, U+0309) or holding a wide
//! character lines up with the others.

use toso_domain::{format_int, IndicatorValue};
use toso_store::IndicatorEntry;
use unicode_width::UnicodeWidthStr;

/// Columns a string takes on a terminal.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `width` columns (as is when wider).
pub fn pad_right(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(s));
    format!("{s}{}", " ".repeat(pad))
}

/// Spaces up to `width` columns, then `s` (as is when wider).
pub fn pad_left(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(s));
    format!("{}{s}", " ".repeat(pad))
}

/// Widest label column (a longer label pushes its own row's figure to the
/// right, no other row's).
const MAX_LABEL: usize = 62;
/// Width of the figure column.
const FIGURE: usize = 8;
/// How much deeper a breakdown's items are indented than a label.
const ITEM_INDENT: usize = 4;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<'a> {
    /// A label, its figure as printed ("1.440", "100%") and its unit.
    Figure {
        label: &'a str,
        figure: String,
        unit: &'a str,
    },
    /// A label over one indented line per item (label, figure).
    Breakdown {
        label: &'a str,
        items: Vec<(&'a str, String)>,
    },
}

/// The rows of an indicator set, in its order.
pub fn rows_of(indicators: &[IndicatorEntry]) -> Vec<Row<'_>> {
    indicators
        .iter()
        .map(|e| match &e.value {
            IndicatorValue::Breakdown { items } => Row::Breakdown {
                label: e.name,
                items: items
                    .iter()
                    .map(|i| (i.label.as_str(), format_int(i.value)))
                    .collect(),
            },
            // A percentage carries its sign already.
            _ => Row::Figure {
                label: e.name,
                figure: e.display.clone(),
                unit: if e.unit == "%" { "" } else { e.unit },
            },
        })
        .collect()
}

/// The table, one string per line: labels left-aligned, figures
/// right-aligned in one column for the whole table (items of a breakdown
/// included), all by displayed width.
pub fn render(rows: &[Row]) -> Vec<String> {
    let label = rows
        .iter()
        .flat_map(|r| match r {
            Row::Figure { label, .. } => vec![display_width(label)],
            Row::Breakdown { items, .. } => items
                .iter()
                .map(|(l, _)| display_width(l) + ITEM_INDENT)
                .collect(),
        })
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL);
    let item_label = label.saturating_sub(ITEM_INDENT);
    let indent = " ".repeat(ITEM_INDENT);
    let mut out = Vec::new();
    for r in rows {
        match r {
            Row::Breakdown { label, items } => {
                out.push(format!("  {label}:"));
                for (l, figure) in items {
                    out.push(format!(
                        "  {indent}{} {}",
                        pad_right(l, item_label),
                        pad_left(figure, FIGURE)
                    ));
                }
            }
            Row::Figure {
                label: l,
                figure,
                unit,
            } => {
                let line = format!(
                    "  {} {} {unit}",
                    pad_right(l, label),
                    pad_left(figure, FIGURE)
                );
                out.push(line.trim_end().to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column (in displayed width) where `needle` starts in `line`.
    fn column_of(line: &str, needle: &str) -> usize {
        let at = line.find(needle).expect("the needle is in the line");
        display_width(&line[..at])
    }

    #[test]
    fn widths_count_columns_not_bytes_or_code_points() {
        let nfc = "Tổ dân phố";
        let nfd = "To\u{302}\u{309} da\u{302}n pho\u{302}\u{301}";
        assert_eq!(nfc.chars().count(), 10);
        assert_eq!(nfd.chars().count(), 15);
        assert_eq!(display_width(nfc), 10);
        assert_eq!(display_width(nfd), 10);
        // Wide characters take two columns each.
        assert_eq!(display_width("越南"), 4);
        assert_eq!(pad_right(nfd, 12), format!("{nfd}  "));
        assert_eq!(pad_left("1.440", 8), "   1.440");
        assert_eq!(pad_right("quá dài", 3), "quá dài");
    }

    #[test]
    fn figures_line_up_whatever_the_labels_are_made_of() {
        let figure = |label, figure: &str| Row::Figure {
            label,
            figure: figure.to_string(),
            unit: "",
        };
        let long = "Số thành viên Tổ công nghệ số cộng đồng";
        let nfd = "So\u{302}\u{301} tho\u{302}n, to\u{302}\u{309} da\u{302}n pho\u{302}\u{301}";
        let rows = vec![
            // NFC, NFD (combining marks), ASCII and wide characters.
            figure(long, "386"),
            figure(nfd, "58"),
            figure("Teams", "1.440"),
            figure("Nhóm 越南 hỗ trợ", "12,5%"),
            Row::Breakdown {
                label: "Thành viên theo chức danh",
                items: vec![
                    ("Tổ trưởng", "58".into()),
                    ("To\u{302}\u{309} pho\u{301}", "58".into()),
                    ("Thành viên", "270".into()),
                ],
            },
        ];
        let lines = render(&rows);
        assert_eq!(lines.len(), 8, "{lines:#?}");
        // Every figure ends in the same column.
        let ends: Vec<usize> = lines[..4].iter().map(|l| display_width(l)).collect();
        assert!(ends.iter().all(|e| *e == ends[0]), "{lines:#?}");
        assert_eq!(ends[0], 2 + display_width(long) + 1 + FIGURE);
        assert_eq!(column_of(&lines[1], "58") + 2, ends[0]);
        // The breakdown's items too, in the same column.
        assert_eq!(lines[4], "  Thành viên theo chức danh:");
        let item_ends: Vec<usize> = lines[5..].iter().map(|l| display_width(l)).collect();
        assert!(item_ends.iter().all(|e| *e == ends[0]), "{lines:#?}");
        assert!(lines[5].starts_with("      Tổ trưởng "), "{lines:#?}");
        // Counting code points instead would have misaligned the NFD rows.
        assert_ne!(lines[0].chars().count(), lines[1].chars().count());
        assert_ne!(lines[5].chars().count(), lines[6].chars().count());
    }

    #[test]
    fn units_follow_the_figure_and_a_percentage_has_none() {
        let lines = render(&[
            Row::Figure {
                label: "Số tổ",
                figure: "58".into(),
                unit: "tổ",
            },
            Row::Figure {
                label: "Tỷ lệ",
                figure: "100%".into(),
                unit: "",
            },
        ]);
        assert_eq!(lines, vec!["  Số tổ       58 tổ", "  Tỷ lệ     100%"]);
    }

    #[test]
    fn a_long_item_widens_the_column_up_to_a_limit() {
        let long_item = "Đội hỗ trợ chuyển đổi số phản ứng nhanh đặc khu Cát Hải";
        let rows = [
            Row::Figure {
                label: "Số tổ",
                figure: "58".into(),
                unit: "",
            },
            Row::Breakdown {
                label: "Theo tổ",
                items: vec![(long_item, "2".into())],
            },
        ];
        let lines = render(&rows);
        assert_eq!(
            display_width(&lines[0]),
            display_width(&lines[2]),
            "{lines:#?}"
        );
        assert_eq!(
            display_width(&lines[0]),
            2 + ITEM_INDENT + display_width(long_item) + 1 + FIGURE
        );
        // Beyond MAX_LABEL only the long row is pushed right.
        let huge = "x".repeat(MAX_LABEL + 10);
        let lines = render(&[
            Row::Figure {
                label: "Số tổ",
                figure: "58".into(),
                unit: "",
            },
            Row::Figure {
                label: &huge,
                figure: "1".into(),
                unit: "",
            },
        ]);
        assert_eq!(display_width(&lines[0]), 2 + MAX_LABEL + 1 + FIGURE);
        assert_eq!(display_width(&lines[1]), 2 + MAX_LABEL + 10 + 1 + FIGURE);
    }
}

//! `toso indicators`: which form the options ask for, the period, and the
//! tables of units — one line per commune of a province
//! (`--province 31 --by-commune`) or per province of the nation
//! (`--nation --by-province`) with the figures a Department reads at a
//! glance, then the totals (the parent's own figures). Columns are aligned
//! by the width the text takes on a terminal, with the padding of
//! [`crate::table`], so that names with diacritics line up.

use toso_domain::{format_date, format_int, parse_date, Node};
use toso_store::indicators::ACTIVE_TEAM_DAYS;
use toso_store::{Period, Store, UnitRow, UnitTable};

use crate::table::{self, display_width, pad_left, pad_right};
use crate::CliError;

/// Shown in place of the figures of a unit where nothing was ever entered
/// (not a row of zeros, which would read as "counted, and none").
pub const NO_DATA: &str = "chưa có dữ liệu";

/// The label of the totals line.
pub const TOTALS: &str = "Cộng";

/// What `toso indicators` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The indicator set of one node (`--commune`, `--province`,
    /// `--village`, `--nation`).
    Set(Node),
    /// The communes of a province (`--province P --by-commune`).
    Communes(i32),
    /// The provinces of the nation (`--nation --by-province`).
    Provinces,
}

impl Form {
    /// The form asked for by the node options (at most one, clap sees to
    /// that) and the table flags; a table flag on the wrong node, or no
    /// node at all, is a usage error in Vietnamese.
    pub fn new(node: Option<Node>, by_commune: bool, by_province: bool) -> Result<Form, CliError> {
        if by_commune && !matches!(node, Some(Node::Province(_))) {
            return Err(CliError::Usage(
                "--by-commune cần --province MÃ: bảng các xã, phường, đặc khu của một tỉnh, \
                 thành phố (ví dụ --province 31 --by-commune); bảng các tỉnh, thành phố là \
                 --nation --by-province."
                    .into(),
            ));
        }
        if by_province && node != Some(Node::Nation) {
            return Err(CliError::Usage(
                "--by-province cần --nation: bảng 34 tỉnh, thành phố của toàn quốc \
                 (--nation --by-province); bảng các xã của một tỉnh là --province MÃ --by-commune."
                    .into(),
            ));
        }
        match node {
            Some(Node::Province(code)) if by_commune => Ok(Form::Communes(code)),
            Some(Node::Nation) if by_province => Ok(Form::Provinces),
            Some(node) => Ok(Form::Set(node)),
            None => Err(CliError::Usage(
                "chọn một đơn vị: --commune MÃ, --province MÃ, --village SỐ hoặc --nation.".into(),
            )),
        }
    }
}

/// The period of `--from` and `--as-of` (default today): from the
/// beginning when there is no `--from`; a start after the end is refused.
pub fn period(as_of: Option<String>, from: Option<String>) -> Result<Period, CliError> {
    let until = match as_of {
        Some(s) => parse_date(&s, "as_of", "Ngày báo cáo (--as-of)")?,
        None => toso_store::today(),
    };
    let from = match from {
        Some(s) => Some(parse_date(&s, "from", "Từ ngày (--from)")?),
        None => None,
    };
    if let Some(f) = from.filter(|f| *f > until) {
        return Err(CliError::Usage(format!(
            "Từ ngày (--from) {} không được sau ngày báo cáo (--as-of) {}.",
            format_date(f),
            format_date(until)
        )));
    }
    Ok(Period { from, until })
}

/// Computes the form over the period and prints it to standard output, as
/// JSON (the store's `IndicatorSet` or `UnitTable`) or as a text table.
pub async fn print(store: &Store, form: Form, period: Period, json: bool) -> Result<(), CliError> {
    let json_text = |r: serde_json::Result<String>| r.map_err(std::io::Error::other);
    let lines = match form {
        Form::Set(node) => {
            let set = store.indicators_in(node, period).await?;
            if json {
                vec![json_text(serde_json::to_string_pretty(&set))?]
            } else {
                let mut lines = vec![format!("{} — {}", set.node_name, days(period))];
                lines.extend(table::render(&table::rows_of(&set.indicators)));
                lines
            }
        }
        Form::Communes(_) | Form::Provinces => {
            let t = match form {
                Form::Communes(code) => store.commune_table(code, period).await?,
                _ => store.province_table(period).await?,
            };
            if json {
                vec![json_text(serde_json::to_string_pretty(&t))?]
            } else {
                render(&t)
            }
        }
    };
    // A reader that stops early (`| head`, a pager closed) is not an error.
    match write_lines(&lines) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes `lines` to standard output.
fn write_lines(lines: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// "số liệu tính đến ngày 30/11/2025", or "số liệu từ ngày 01/11/2025 đến
/// ngày 30/11/2025" for a period.
fn days(period: Period) -> String {
    match period.from {
        None => format!("số liệu tính đến ngày {}", format_date(period.until)),
        Some(from) => format!(
            "số liệu từ ngày {} đến ngày {}",
            format_date(from),
            format_date(period.until)
        ),
    }
}

/// The figure columns' headers, in the order of [`figures`].
const FIGURE_HEADERS: [&str; 10] = [
    "Thôn",
    "Tổ",
    "Tỷ lệ",
    "Thành viên",
    "Đội PƯN",
    "Người dân",
    "Hồ sơ",
    "Tập huấn",
    "Dự thi",
    "Tổ HĐ",
];

/// The last column's header: the last day with a support activity.
const LAST_HEADER: &str = "HĐ gần nhất";

/// Between two columns.
const GAP: &str = "  ";
/// Before every line of the table.
const INDENT: &str = "  ";

/// A row's figures as printed, in the order of [`FIGURE_HEADERS`].
fn figures(row: &UnitRow) -> [String; 10] {
    [
        format_int(row.villages),
        format_int(row.teams),
        row.coverage().display(),
        format_int(row.members),
        format_int(row.quick_response_members),
        format_int(row.citizens_helped),
        format_int(row.dossiers),
        format_int(row.trainees),
        format_int(row.contest_registrations),
        format_int(row.active_teams),
    ]
}

/// The last activity as printed ("—" when there is none).
fn last_activity(row: &UnitRow) -> String {
    row.last_activity
        .map_or_else(|| "—".to_string(), format_date)
}

/// One line of the table before padding.
enum Line {
    /// Code, name, figures, last activity.
    Full(Vec<String>),
    /// Code and name of a unit with nothing entered.
    NoData(String, String),
    /// A horizontal rule across the table.
    Rule,
}

/// The table as text, one string per line: the heading, the column
/// headers, one line per unit (in code order), the totals, how many units
/// have data, and what the short headers mean.
pub fn render(t: &UnitTable) -> Vec<String> {
    let nation = t.node == Node::Nation;
    let (units, unit_header) = if nation {
        ("các tỉnh, thành phố", "Tỉnh, thành phố")
    } else {
        ("các xã, phường, đặc khu", "Xã, phường, đặc khu")
    };
    let full = |code: String, name: String, row: &UnitRow| {
        let mut cells = vec![code, name];
        cells.extend(figures(row));
        cells.push(last_activity(row));
        Line::Full(cells)
    };
    let mut header = vec!["Mã".to_string(), unit_header.to_string()];
    header.extend(FIGURE_HEADERS.iter().map(|h| h.to_string()));
    header.push(LAST_HEADER.to_string());
    let mut lines = vec![Line::Full(header), Line::Rule];
    for row in &t.rows {
        lines.push(if row.has_data() {
            full(row.code.to_string(), row.name.clone(), row)
        } else {
            Line::NoData(row.code.to_string(), row.name.clone())
        });
    }
    lines.push(Line::Rule);
    lines.push(full(String::new(), TOTALS.to_string(), &t.totals));

    let columns = FIGURE_HEADERS.len() + 3;
    let mut widths = vec![0; columns];
    for line in &lines {
        let cells: Vec<&String> = match line {
            Line::Full(cells) => cells.iter().collect(),
            Line::NoData(code, name) => vec![code, name],
            Line::Rule => vec![],
        };
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(display_width(cell));
        }
    }
    let total_width = widths.iter().sum::<usize>() + GAP.len() * (columns - 1);
    // Code and figures to the right, name and date to the left.
    let left = |i: usize| i == 1 || i == columns - 1;
    let pad = |i: usize, cell: &str| {
        if left(i) {
            pad_right(cell, widths[i])
        } else {
            pad_left(cell, widths[i])
        }
    };

    let mut out = vec![
        format!("{} — {} — {}", t.node_name, units, days(period_of(t))),
        String::new(),
    ];
    for line in &lines {
        let text = match line {
            Line::Full(cells) => cells
                .iter()
                .enumerate()
                .map(|(i, c)| pad(i, c))
                .collect::<Vec<_>>()
                .join(GAP),
            Line::NoData(code, name) => [pad(0, code), pad(1, name), NO_DATA.to_string()].join(GAP),
            Line::Rule => "-".repeat(total_width),
        };
        out.push(format!("{INDENT}{}", text.trim_end()));
    }
    out.push(String::new());
    out.push(with_data(t));
    out.extend(legend(period_of(t)));
    out
}

/// The period a table covers.
fn period_of(t: &UnitTable) -> Period {
    Period {
        from: t.from,
        until: t.as_of,
    }
}

/// "Có dữ liệu: 1/114 xã, phường, đặc khu." (and the provinces for the
/// nation).
fn with_data(t: &UnitTable) -> String {
    let communes = format!(
        "{}/{} xã, phường, đặc khu",
        format_int(t.totals.communes_with_data),
        format_int(t.totals.communes)
    );
    if t.node == Node::Nation {
        let provinces = t.rows.iter().filter(|r| r.has_data()).count();
        format!(
            "Có dữ liệu: {}/{} tỉnh, thành phố; {communes}.",
            format_int(provinces as i64),
            format_int(t.rows.len() as i64)
        )
    } else {
        format!("Có dữ liệu: {communes}.")
    }
}

/// What the short column headers mean, for this period.
fn legend(period: Period) -> Vec<String> {
    let flow = match period.from {
        None => "từ trước đến nay".to_string(),
        Some(from) => format!(
            "từ ngày {} đến ngày {}",
            format_date(from),
            format_date(period.until)
        ),
    };
    let active = match period.from {
        None => format!(
            "trong {ACTIVE_TEAM_DAYS} ngày đến ngày {}",
            format_date(period.until)
        ),
        Some(_) => flow.clone(),
    };
    vec![
        format!(
            "Thôn, Tổ, Thành viên: thôn, tổ dân phố; Tổ công nghệ số cộng đồng; thành viên các \
             tổ (tính đến ngày {}).",
            format_date(period.until)
        ),
        "Tỷ lệ: thôn, tổ dân phố đã có Tổ công nghệ số cộng đồng trên tổng số thôn, tổ dân phố."
            .to_string(),
        "Đội PƯN: thành viên Đội hỗ trợ chuyển đổi số phản ứng nhanh.".to_string(),
        format!(
            "Người dân, Hồ sơ, Tập huấn, Dự thi: người dân được hỗ trợ, hồ sơ dịch vụ công trực \
             tuyến đã hỗ trợ nộp, lượt người đăng ký tập huấn, lượt đăng ký dự thi ({flow})."
        ),
        format!("Tổ HĐ: tổ có hoạt động hỗ trợ người dân {active}."),
        "HĐ gần nhất: ngày gần nhất có hoạt động hỗ trợ người dân.".to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row(code: i32, name: &str, villages: i64, data: bool) -> UnitRow {
        UnitRow {
            code,
            name: name.to_string(),
            kind: "xã".to_string(),
            villages,
            villages_with_team: villages,
            teams: villages,
            members: villages * 7,
            citizens_helped: 1440,
            last_activity: data.then(|| day(2025, 11, 28)),
            communes: 1,
            communes_with_data: i64::from(data),
            ..UnitRow::default()
        }
    }

    fn table(rows: Vec<UnitRow>) -> UnitTable {
        let mut totals = UnitRow {
            code: 31,
            name: "Thành phố Hải Phòng".to_string(),
            ..UnitRow::default()
        };
        for r in &rows {
            totals.add(r);
        }
        UnitTable {
            node: Node::Province(31),
            node_name: "Thành phố Hải Phòng".to_string(),
            as_of: day(2025, 11, 30),
            from: None,
            rows,
            totals,
        }
    }

    /// Displayed column where `needle` ends in `line`.
    fn end_of(line: &str, needle: &str) -> usize {
        let at = line.find(needle).expect("the needle is in the line") + needle.len();
        display_width(&line[..at])
    }

    #[test]
    fn columns_line_up_by_displayed_width() {
        // NFC and NFD (combining marks) names: the members column ends in
        // one place whatever the code point count of the name.
        let nfd = "Xa\u{303} Nam Sa\u{301}ch";
        let lines = render(&table(vec![
            row(10606, nfd, 12, true),
            row(11914, "Đặc khu Cát Hải", 58, true),
        ]));
        let line = |needle: &str| lines.iter().find(|l| l.contains(needle)).unwrap();
        assert_eq!(
            lines[0],
            "Thành phố Hải Phòng — các xã, phường, đặc khu — số liệu tính đến ngày 30/11/2025"
        );
        let header = line("Thành viên");
        assert_eq!(end_of(line(nfd), " 84"), end_of(header, "Thành viên"));
        assert_eq!(end_of(line("Cát Hải"), "406"), end_of(header, "Thành viên"));
        assert_eq!(end_of(line(TOTALS), "490"), end_of(header, "Thành viên"));
        // Vietnamese number format, the coverage as a percentage, the date.
        assert!(line("Cát Hải").contains("1.440"), "{lines:#?}");
        assert!(line("Cát Hải").contains("100%"), "{lines:#?}");
        assert!(line("Cát Hải").ends_with("28/11/2025"), "{lines:#?}");
        assert!(line(TOTALS).contains("2.880"), "{lines:#?}");
        assert!(lines.contains(&"Có dữ liệu: 2/2 xã, phường, đặc khu.".to_string()));
    }

    #[test]
    fn a_unit_without_data_says_so_instead_of_zeros() {
        let lines = render(&table(vec![
            row(11914, "Đặc khu Cát Hải", 58, true),
            row(11917, "Xã Bạch Long Vĩ", 0, false),
        ]));
        let empty = lines.iter().find(|l| l.contains("Bạch Long Vĩ")).unwrap();
        assert!(empty.trim_start().starts_with("11917"), "{empty}");
        assert!(empty.ends_with(NO_DATA), "{empty}");
        assert!(!empty.contains(" 0"), "{empty}");
        assert!(lines.contains(&"Có dữ liệu: 1/2 xã, phường, đặc khu.".to_string()));
    }

    #[test]
    fn a_period_is_named_in_the_heading_and_the_legend() {
        let mut t = table(vec![row(11914, "Đặc khu Cát Hải", 58, true)]);
        t.from = Some(day(2025, 11, 1));
        let lines = render(&t);
        assert!(
            lines[0].ends_with("số liệu từ ngày 01/11/2025 đến ngày 30/11/2025"),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l
            == "Tổ HĐ: tổ có hoạt động hỗ trợ người dân từ ngày 01/11/2025 đến ngày 30/11/2025."));
    }

    #[test]
    fn forms_and_their_refusals() {
        assert_eq!(
            Form::new(Some(Node::Province(31)), true, false).unwrap(),
            Form::Communes(31)
        );
        assert_eq!(
            Form::new(Some(Node::Nation), false, true).unwrap(),
            Form::Provinces
        );
        assert_eq!(
            Form::new(Some(Node::Nation), false, false).unwrap(),
            Form::Set(Node::Nation)
        );
        for (node, by_commune, by_province, says) in [
            (None, true, false, "--by-commune cần --province"),
            (
                Some(Node::Commune(11914)),
                true,
                false,
                "--by-commune cần --province",
            ),
            (
                Some(Node::Nation),
                true,
                false,
                "--by-commune cần --province",
            ),
            (
                Some(Node::Province(31)),
                false,
                true,
                "--by-province cần --nation",
            ),
            (None, false, false, "chọn một đơn vị"),
        ] {
            let err = Form::new(node, by_commune, by_province).unwrap_err();
            assert!(matches!(err, CliError::Usage(_)), "{err}");
            assert!(err.to_string().contains(says), "{err}");
        }
        let err = period(Some("30/11/2025".into()), Some("01/12/2025".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Từ ngày (--from) 01/12/2025 không được sau ngày báo cáo (--as-of) 30/11/2025."
        );
        let p = period(Some("2025-11-30".into()), Some("01/11/2025".into())).unwrap();
        assert_eq!(p, Period::between(day(2025, 11, 1), day(2025, 11, 30)));
    }
}

//! SVG drawn on the server: bar charts, and the QR codes of Zalo links and
//! posters. No script, no external library or image, no inline style (the
//! Content-Security-Policy forbids it), only presentation attributes. Every
//! chart has a `<title>` and a `<desc>` that name it and list its figures
//! for screen readers, and each bar a `<title>` with its value; the page
//! shows the same figures in a table.

use std::fmt::Write;

use toso_domain::format_int;
// Text for XML content and attribute values, without the characters XML
// cannot carry: the DOCX writer's escaping.
use toso_reports::xml_escape as escape;

/// One bar: its label and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
        }
    }
}

const BAR_COLOUR: &str = "#1f6f8b";
const AXIS_COLOUR: &str = "#5f6b73";
const TEXT_COLOUR: &str = "#1b1f23";

/// A "nice" upper bound of the axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut step = 1i64;
    while step * 10 < max {
        step *= 10;
    }
    for m in [1, 2, 5, 10] {
        if step * m >= max {
            return step * m;
        }
    }
    step * 10
}

fn open(id: &str, title: &str, bars: &[Bar], unit: &str, width: u32, height: u32) -> String {
    let summary = bars
        .iter()
        .map(|b| format!("{}: {} {unit}", b.label, format_int(b.value)))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(if summary.is_empty() {
            "Không có số liệu."
        } else {
            &summary
        })
    )
}

/// Vertical bars (months along the bottom). `id` must be unique in the page.
pub fn columns(id: &str, title: &str, bars: &[Bar], unit: &str) -> String {
    let (left, right, top, bottom) = (48.0, 8.0, 12.0, 44.0);
    // Narrow by default: the chart is read on a 360 px phone.
    let width = 360.0f64.max(left + right + 28.0 * bars.len() as f64);
    let height = 260.0;
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = nice_max(bars.iter().map(|b| b.value).max().unwrap_or(0));
    let mut svg = open(id, title, bars, unit, width as u32, height as u32);
    // Axis with three gridlines.
    for i in 0..=4 {
        let v = max * i / 4;
        let y = top + plot_h - plot_h * v as f64 / max as f64;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{AXIS_COLOUR}\" stroke-opacity=\"0.25\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{AXIS_COLOUR}\">{}</text>",
            width - right,
            left - 6.0,
            y + 4.0,
            format_int(v)
        );
    }
    let slot = if bars.is_empty() {
        plot_w
    } else {
        plot_w / bars.len() as f64
    };
    for (i, b) in bars.iter().enumerate() {
        let h = plot_h * b.value.max(0) as f64 / max as f64;
        let x = left + slot * i as f64 + slot * 0.15;
        let y = top + plot_h - h;
        let _ = write!(
            svg,
            "<g><title>{}: {} {}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{BAR_COLOUR}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{TEXT_COLOUR}\">{}</text></g>",
            escape(&b.label),
            format_int(b.value),
            escape(unit),
            slot * 0.7,
            x + slot * 0.35,
            top + plot_h + 16.0,
            escape(&b.label)
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{AXIS_COLOUR}\"/></svg>",
        width - right,
        top + plot_h,
        top + plot_h
    );
    svg
}

/// Horizontal bars (categories, villages: long labels on the left).
pub fn rows(id: &str, title: &str, bars: &[Bar], unit: &str) -> String {
    let (label_w, right, row_h) = (160.0, 52.0, 22.0);
    let width = 420.0;
    let height = 8.0 + row_h * bars.len().max(1) as f64;
    let plot_w = width - label_w - right;
    let max = nice_max(bars.iter().map(|b| b.value).max().unwrap_or(0));
    let mut svg = open(id, title, bars, unit, width as u32, height as u32);
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = plot_w * b.value.max(0) as f64 / max as f64;
        let label: String = if b.label.chars().count() > 24 {
            b.label
                .chars()
                .take(23)
                .chain(std::iter::once('…'))
                .collect()
        } else {
            b.label.clone()
        };
        let _ = write!(
            svg,
            "<g><title>{}: {} {}</title>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{TEXT_COLOUR}\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{BAR_COLOUR}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{TEXT_COLOUR}\">{}</text></g>",
            escape(&b.label),
            format_int(b.value),
            escape(unit),
            label_w - 6.0,
            y + 15.0,
            escape(&label),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 4.0,
            y + 15.0,
            format_int(b.value)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The Zalo link as an SVG QR code (inline, no script, no external image).
pub fn qr_svg(link: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(link.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    // One path segment per horizontal run of dark modules, in module units
    // with a 4-module quiet zone: about a third of the size of one square
    // per module, which matters on a page a phone opens offline.
    let mut path = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == qrcode::Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let side = width + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"160\" height=\"160\" \
         shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(48), 50);
        assert_eq!(nice_max(1440), 2000);
        assert_eq!(nice_max(100), 100);
    }

    #[test]
    fn charts_are_accessible_and_escaped() {
        let bars = [Bar::new("11/2025", 1440), Bar::new("<Khác & \"x\">", 3)];
        for svg in [
            columns("c1", "Người được hỗ trợ theo tháng", &bars, "người"),
            rows("c2", "Theo lĩnh vực", &bars, "người"),
        ] {
            assert!(svg.starts_with("<svg"));
            assert!(svg.ends_with("</svg>"));
            assert!(svg.contains("role=\"img\""));
            assert!(svg.contains("<title id=\"c"));
            assert!(svg.contains("11/2025: 1.440 người"), "{svg}");
            assert!(svg.contains("&lt;Khác &amp; &quot;x&quot;&gt;"));
            assert!(!svg.contains("<Khác"));
            assert!(!svg.contains("style="), "no inline style under the CSP");
        }
        let empty = columns("c3", "Trống", &[], "lượt");
        assert!(empty.contains("Không có số liệu."));
    }

    /// The dark modules read back from the path's runs are exactly the
    /// QR code's.
    #[test]
    fn runs_draw_exactly_the_dark_modules() {
        let link = "https://zalo.me/g/xuubpv554";
        let code = qrcode::QrCode::new(link.as_bytes()).unwrap();
        let width = code.width();
        let svg = qr_svg(link);
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"));
        let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut dark = vec![false; width * width];
        for seg in d.split('z').filter(|s| !s.is_empty()) {
            let nums: Vec<usize> = seg
                .trim_start_matches('M')
                .split([' ', 'h', 'v'])
                .take(3)
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, run) = (nums[0] - 4, nums[1] - 4, nums[2]);
            for i in 0..run {
                dark[y * width + x + i] = true;
            }
        }
        let expected: Vec<bool> = code
            .to_colors()
            .iter()
            .map(|c| *c == qrcode::Color::Dark)
            .collect();
        assert_eq!(dark, expected);
        assert!(svg.len() < 4000, "{} bytes", svg.len());
    }
}

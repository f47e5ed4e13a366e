//! Vietnamese number and date formats ("1.440", "12,5%", "31/10/2025"),
//! and what a file system's refusal means, in Vietnamese.

use chrono::{Datelike, NaiveDate};

/// "31/10/2025".
pub fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// Groups an unsigned digit string by thousands with '.'.
fn group_digits(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// "1.440", "386", "1.234.567", "-1.440".
pub fn format_int(n: i64) -> String {
    let grouped = group_digits(&n.unsigned_abs().to_string());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Percentage with one decimal and a decimal comma, ",0" dropped:
/// (58, 58) → "100%", (1, 8) → "12,5%", (2, 3) → "66,7%", denominator 0 → "—".
/// Rounds half away from zero in exact integer arithmetic.
pub fn format_percent(numerator: i64, denominator: i64) -> String {
    if denominator == 0 {
        return "—".to_string();
    }
    let negative = (numerator < 0) != (denominator < 0);
    let a = i128::from(numerator).abs() * 1000;
    let b = i128::from(denominator).abs();
    let mut tenths = a / b;
    if 2 * (a % b) >= b {
        tenths += 1;
    }
    let whole = group_digits(&(tenths / 10).to_string());
    let frac = tenths % 10;
    let sign = if negative && tenths != 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{whole}%")
    } else {
        format!("{sign}{whole},{frac}%")
    }
}

/// Decimal number with '.' thousands and ',' decimal separator, rounded half
/// away from zero on the exact binary value:
/// `format_decimal(1234.5, 2) == "1.234,50"`. Non-finite values give "—".
pub fn format_decimal(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    // 1100 fractional digits print any f64 exactly (at most 1074 are needed).
    let exact = format!("{:.1100}", x.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((exact.as_str(), ""));
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes().take(decimals))
        .collect();
    let round_up = frac_part
        .as_bytes()
        .get(decimals)
        .is_some_and(|&b| b >= b'5');
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let int_len = digits.len() - decimals;
    let text = String::from_utf8(digits).expect("ascii digits");
    let (int_digits, frac_digits) = text.split_at(int_len);
    let mut out = String::new();
    if x < 0.0 && text.bytes().any(|b| b != b'0') {
        out.push('-');
    }
    out.push_str(&group_digits(int_digits));
    if decimals > 0 {
        out.push(',');
        out.push_str(frac_digits);
    }
    out
}

/// Place and date line of an administrative document (Nghị định 30/2020/NĐ-CP):
/// days below 10 and months 1–2 are zero-padded.
/// `"Cát Hải, ngày 05 tháng 02 năm 2026"`, `"…, ngày 30 tháng 11 năm 2025"`.
/// Without a place the line starts with "Ngày".
pub fn format_date_long(place: &str, d: NaiveDate) -> String {
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    let tail = format!("gày {:02} tháng {} năm {}", d.day(), month, d.year());
    let place = place.trim();
    if place.is_empty() {
        format!("N{tail}")
    } else {
        format!("{place}, n{tail}")
    }
}

/// What went wrong with a file or folder, in Vietnamese: "không có tệp hay
/// thư mục này" rather than the system's English "No such file or
/// directory (os error 2)". The system's words follow, in brackets, for a
/// kind without a Vietnamese name.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let said = match e.kind() {
        NotFound => "không có tệp hay thư mục này",
        PermissionDenied => "không có quyền truy cập",
        AlreadyExists => "đã có tệp hay thư mục trùng tên",
        IsADirectory => "đây là một thư mục, không phải tệp",
        NotADirectory => "một phần của đường dẫn không phải thư mục",
        StorageFull => "ổ đĩa đã đầy",
        ReadOnlyFilesystem => "ổ đĩa chỉ cho đọc",
        UnexpectedEof => "tệp bị cắt cụt (hết dữ liệu giữa chừng)",
        InvalidData => "dữ liệu trong tệp không đọc được",
        _ => return format!("lỗi vào/ra ({e})"),
    };
    said.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_refusals_are_said_in_vietnamese() {
        use std::io::{Error, ErrorKind};
        let missing = std::fs::File::open("/nonexistent/toso-test-file").unwrap_err();
        assert_eq!(io_reason(&missing), "không có tệp hay thư mục này");
        assert_eq!(
            io_reason(&Error::from(ErrorKind::PermissionDenied)),
            "không có quyền truy cập"
        );
        assert_eq!(
            io_reason(&Error::from(ErrorKind::StorageFull)),
            "ổ đĩa đã đầy"
        );
        // A kind without a Vietnamese name keeps the system's words.
        let other = io_reason(&Error::other("socket closed"));
        assert_eq!(other, "lỗi vào/ra (socket closed)");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(format_date(d(2025, 10, 31)), "31/10/2025");
        assert_eq!(format_date(d(2026, 2, 5)), "05/02/2026");
    }

    #[test]
    fn ints() {
        assert_eq!(format_int(1440), "1.440");
        assert_eq!(format_int(386), "386");
        assert_eq!(format_int(1_234_567), "1.234.567");
        assert_eq!(format_int(-1440), "-1.440");
        assert_eq!(format_int(0), "0");
        assert_eq!(format_int(100_000), "100.000");
        assert_eq!(format_int(i64::MIN), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn percents() {
        assert_eq!(format_percent(58, 58), "100%");
        assert_eq!(format_percent(1, 8), "12,5%");
        assert_eq!(format_percent(2, 3), "66,7%");
        assert_eq!(format_percent(1, 3), "33,3%");
        assert_eq!(format_percent(0, 5), "0%");
        assert_eq!(format_percent(5, 0), "—");
        // 1/16 = 6.25% → 6.3% (half away from zero)
        assert_eq!(format_percent(1, 16), "6,3%");
        assert_eq!(format_percent(-1, 16), "-6,3%");
        assert_eq!(format_percent(999_999, 1_000_000), "100%");
        assert_eq!(format_percent(1440, 100), "1.440%");
        assert_eq!(format_percent(i64::MAX, i64::MAX), "100%");
    }

    #[test]
    fn decimals() {
        assert_eq!(format_decimal(1234.5, 2), "1.234,50");
        assert_eq!(format_decimal(0.25, 1), "0,3");
        assert_eq!(format_decimal(-0.25, 1), "-0,3");
        assert_eq!(format_decimal(2.5, 0), "3");
        assert_eq!(format_decimal(999.96, 1), "1.000,0");
        // 1.005 is really 1.00499999999999989… in binary.
        assert_eq!(format_decimal(1.005, 2), "1,00");
        assert_eq!(format_decimal(12.5, 1), "12,5");
        assert_eq!(format_decimal(1_234_567.0, 0), "1.234.567");
        assert_eq!(format_decimal(-1440.75, 1), "-1.440,8");
        assert_eq!(format_decimal(-0.01, 1), "0,0");
        assert_eq!(format_decimal(f64::NAN, 1), "—");
    }

    #[test]
    fn long_dates() {
        for (place, (y, m, day), expected) in [
            (
                "Cát Hải",
                (2026, 2, 5),
                "Cát Hải, ngày 05 tháng 02 năm 2026",
            ),
            (
                "Cát Hải",
                (2025, 11, 30),
                "Cát Hải, ngày 30 tháng 11 năm 2025",
            ),
            (
                "Hải Phòng",
                (2025, 3, 15),
                "Hải Phòng, ngày 15 tháng 3 năm 2025",
            ),
            (
                "Hải Phòng",
                (2025, 1, 9),
                "Hải Phòng, ngày 09 tháng 01 năm 2025",
            ),
            ("", (2025, 7, 1), "Ngày 01 tháng 7 năm 2025"),
        ] {
            assert_eq!(format_date_long(place, d(y, m, day)), expected);
        }
    }
}

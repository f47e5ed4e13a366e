//! Citizens' help requests: the codes printed on posters and given to
//! citizens, what a citizen may type, the states of a request, and the
//! working calendar its deadlines are counted on.
//!
//! Deadlines follow the Vietnamese working week: Monday to Friday, 07:30–
//! 11:30 and 13:00–17:00 (eight hours a day), Vietnam time (UTC+7, no
//! daylight saving), without the holidays the commune marks. A request that
//! arrives in the evening or at the weekend starts counting at the next
//! working morning.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday,
};

use crate::enums::HelpState;
use crate::error::DomainError;
use crate::text::clean_text;

/// The letters and digits of every code given to people: no 0/O, 1/I/L,
/// so a code read aloud over the phone or copied from paper is not
/// mistaken.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters of a tracking code or a village's public code: 31⁸ ≈ 8,5 ×
/// 10¹¹ codes, so a code cannot be guessed by trying.
pub const CODE_LEN: usize = 8;

/// A code of [`CODE_LEN`] characters of [`CODE_ALPHABET`], made from
/// random bytes (the caller draws them from the OS generator).
pub fn code_from_random(bytes: [u8; CODE_LEN * 2]) -> String {
    // Two bytes per character keeps the modulo bias under 0.05%.
    bytes
        .chunks(2)
        .map(|b| {
            let n = u16::from_be_bytes([b[0], b[1]]) as usize;
            CODE_ALPHABET[n % CODE_ALPHABET.len()] as char
        })
        .collect()
}

/// A code as typed or read from a QR code: case, spaces and dashes
/// ignored ("abcd-2345" is "ABCD2345"); `None` when it cannot be one.
pub fn normalize_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A tracking code grouped for reading: "ABCD-2345".
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_LEN && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// Longest description of a request, in characters.
pub const DESCRIPTION_MAX: usize = 500;
/// Longest preferred time ("sáng thứ Bảy", "sau 17 giờ").
pub const PREFERRED_TIME_MAX: usize = 60;
/// Longest reason for "could not help".
pub const REASON_MAX: usize = 300;

/// Free text a citizen (or a member) types: trimmed, at most `max`
/// characters, without control characters (other than line breaks and
/// tabs) and without markup (`<b>`, `</script>`, `<!--`): refused beside
/// the field, never silently changed.
pub fn plain_text(
    input: &str,
    field: &'static str,
    label: &str,
    max: usize,
    required: bool,
) -> Result<String, DomainError> {
    let text = input.trim();
    if text.is_empty() {
        if required {
            return Err(DomainError::new(
                field,
                format!("{label} không được để trống."),
            ));
        }
        return Ok(String::new());
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::new(
            field,
            format!("{label} có ký tự điều khiển không hợp lệ: vui lòng gõ lại bằng chữ thường."),
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    if chars
        .windows(2)
        .any(|w| w[0] == '<' && (w[1].is_ascii_alphabetic() || matches!(w[1], '/' | '!' | '?')))
    {
        return Err(DomainError::new(
            field,
            format!("{label} không được chứa mã HTML (dạng <…>): vui lòng chỉ gõ chữ."),
        ));
    }
    let n = chars.len();
    if n > max {
        return Err(DomainError::new(
            field,
            format!("{label} dài quá {max} ký tự (hiện có {n} ký tự): vui lòng viết ngắn lại."),
        ));
    }
    // Composed (NFC) like every other stored text; line breaks kept.
    Ok(text
        .lines()
        .map(clean_text)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string())
}

impl HelpState {
    /// Closed: done or could not help.
    pub fn closed(self) -> bool {
        matches!(self, HelpState::Done | HelpState::Unable)
    }

    /// What the citizen reads on the status page (lower case, as in a
    /// sentence: "Yêu cầu của bạn: đã hỗ trợ").
    pub fn citizen_label(self) -> &'static str {
        match self {
            HelpState::New => "đã tiếp nhận, đang chờ tổ liên hệ",
            HelpState::InProgress => "đang hỗ trợ",
            HelpState::Done => "đã hỗ trợ",
            HelpState::Unable => "không hỗ trợ được",
        }
    }
}

/// Vietnam's time zone: UTC+7 all year.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// The working periods of a working day, local time.
const PERIODS: [(u32, u32, u32, u32); 2] = [(7, 30, 11, 30), (13, 0, 17, 0)];
/// Working hours in a working day.
pub const HOURS_PER_DAY: i64 = 8;

/// A commune's working calendar: weekdays, less its holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> WorkCalendar {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The working periods of `day` (none on a day off), local time.
    fn periods(&self, day: NaiveDate) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> {
        let working = self.is_working_day(day);
        PERIODS
            .iter()
            .filter(move |_| working)
            .map(move |&(h1, m1, h2, m2)| {
                let at = |h, m| day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time"));
                (at(h1, m1), at(h2, m2))
            })
    }

    /// The moment `minutes` working minutes after `start`.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let local = start.with_timezone(&vietnam()).naive_local();
        let mut left = minutes.max(0);
        let mut day = local.date();
        // Bounded: a year of holidays cannot hold more than 366 days off.
        for _ in 0..(minutes / (HOURS_PER_DAY * 60) + 400) {
            for (from, until) in self.periods(day) {
                let from = from.max(local);
                if from >= until {
                    continue;
                }
                let available = (until - from).num_minutes();
                if left <= available {
                    return to_utc(from + Duration::minutes(left));
                }
                left -= available;
            }
            day = day.succ_opt().expect("date in range");
        }
        to_utc(local + Duration::minutes(minutes))
    }

    /// Working minutes between `from` and `until` (0 when `until` is not
    /// after `from`): what a deadline counts.
    pub fn working_minutes_between(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
        if until <= from {
            return 0;
        }
        let (a, b) = (
            from.with_timezone(&vietnam()).naive_local(),
            until.with_timezone(&vietnam()).naive_local(),
        );
        let mut total = 0;
        let mut day = a.date();
        while day <= b.date() {
            for (p1, p2) in self.periods(day) {
                let (s, e) = (p1.max(a), p2.min(b));
                if e > s {
                    total += (e - s).num_minutes();
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        total
    }
}

fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    local
        .and_local_timezone(vietnam())
        .single()
        .expect("a fixed offset has one mapping")
        .with_timezone(&Utc)
}

/// The median of `values` (the lower middle one for an even count, so the
/// figure is one that happened); `None` when empty.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        to_utc(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap(),
        )
    }

    #[test]
    fn codes_are_unambiguous_and_normalised() {
        let code = code_from_random([7; 16]);
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalize_code(" abcd-2345 ").as_deref(), Some("ABCD2345"));
        assert_eq!(normalize_code("ABCD0345"), None, "0 is not in the alphabet");
        assert_eq!(normalize_code("ABC"), None);
        assert_eq!(display_code("ABCD2345"), "ABCD-2345");
        for c in b"01ILO" {
            assert!(!CODE_ALPHABET.contains(c));
        }
    }

    #[test]
    fn plain_text_refuses_markup_controls_and_length() {
        assert_eq!(
            plain_text("  Cài VNeID mức 2 ", "d", "Nội dung", 500, true).unwrap(),
            "Cài VNeID mức 2"
        );
        assert!(plain_text("", "d", "Nội dung", 500, true)
            .unwrap_err()
            .message
            .contains("để trống"));
        assert_eq!(plain_text("", "d", "Nội dung", 500, false).unwrap(), "");
        assert!(
            plain_text("<script>alert(1)</script>", "d", "Nội dung", 500, true)
                .unwrap_err()
                .message
                .contains("HTML")
        );
        assert!(plain_text("a < b, 3 > 2", "d", "Nội dung", 500, true).is_ok());
        assert!(plain_text("a\u{7}b", "d", "Nội dung", 500, true)
            .unwrap_err()
            .message
            .contains("điều khiển"));
        let long = "x".repeat(501);
        let e = plain_text(&long, "d", "Nội dung", 500, true).unwrap_err();
        assert!(
            e.message.contains("500") && e.message.contains("501"),
            "{}",
            e.message
        );
        assert_eq!(e.field, "d");
    }

    #[test]
    fn working_hours_skip_lunch_nights_weekends_and_holidays() {
        let cal = WorkCalendar::default();
        // Thursday 03/12/2026 10:00 + 8 h: 1.5 h before lunch, 4 h after,
        // 2.5 h on Friday morning → Friday 10:00.
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 3, 10, 0), 8 * 60),
            vn(2026, 12, 4, 10, 0)
        );
        // Friday 16:00 + 2 h → Monday 08:30.
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 4, 16, 0), 120),
            vn(2026, 12, 7, 8, 30)
        );
        // Saturday evening: the clock starts on Monday 07:30.
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 5, 20, 0), 60),
            vn(2026, 12, 7, 8, 30)
        );
        // At lunch: counts from 13:00.
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 3, 12, 0), 30),
            vn(2026, 12, 3, 13, 30)
        );
        // A holiday on Monday moves it to Tuesday.
        let cal = WorkCalendar::new([NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()]);
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()));
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 4, 16, 0), 120),
            vn(2026, 12, 8, 8, 30)
        );
        // Three working days (24 h) from Thursday 10:00 → Tuesday 10:00
        // (Monday is a holiday).
        assert_eq!(
            cal.add_working_minutes(vn(2026, 12, 3, 10, 0), 24 * 60),
            vn(2026, 12, 9, 10, 0)
        );
    }

    #[test]
    fn working_minutes_between_inverts_adding() {
        let cal = WorkCalendar::new([NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()]);
        let start = vn(2026, 12, 3, 10, 0);
        for minutes in [0, 30, 90, 240, 480, 1440, 2000] {
            let end = cal.add_working_minutes(start, minutes);
            assert_eq!(
                cal.working_minutes_between(start, end),
                minutes,
                "{minutes}"
            );
        }
        assert_eq!(
            cal.working_minutes_between(vn(2026, 12, 5, 9, 0), vn(2026, 12, 6, 9, 0)),
            0
        );
        assert_eq!(
            cal.working_minutes_between(start, start - Duration::hours(1)),
            0
        );
    }

    #[test]
    fn medians_are_values_that_happened() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(median(vec![10, 1, 5, 7]), Some(5));
    }

    #[test]
    fn states_read_for_citizens() {
        assert_eq!(HelpState::Done.citizen_label(), "đã hỗ trợ");
        assert!(HelpState::Unable.closed() && !HelpState::InProgress.closed());
        assert_eq!(
            HelpState::parse("in_progress", "state").unwrap(),
            HelpState::InProgress
        );
    }
}

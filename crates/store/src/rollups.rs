//! Rollups of the support log (migrations 0007 and 0009):
//! `activity_province_days` (per province, day and category: activities,
//! citizens helped, dossiers), `activity_commune_days` (the same per commune
//! and day, for a province's table of communes) and `team_activity_months`
//! (per team and month: activities, and the days with an activity as a bit
//! set). Database triggers keep them in step with
//! `support_activities` inside every writing transaction; this module holds
//! the one query that recomputes them from the rows (after the migration
//! on a database that already has activities, and after a bulk load, which
//! drops the triggers while it writes), and the arithmetic the indicators
//! use to read them.

use chrono::{Datelike, Days, NaiveDate};

use crate::{Result, Store};

/// The statements that recompute both rollups from `support_activities`,
/// in the backend's dialect (the day-of-month bit and the month key are
/// the only differences). Public as [`crate::rollup_rebuild_statements`]
/// for the bulk loader of `toso-tooling`, which turns the triggers off
/// while it writes and recomputes the rollups at the end. Each is filled
/// in the order of its primary key, so that a PostgreSQL table, which keeps
/// its rows in the order written, holds a province's or a team's rows
/// together (a province's communes read 1,913 blocks instead of 120,171).
pub fn rebuild_statements(postgres: bool) -> [String; 6] {
    let (bit, month) = if postgres {
        (
            "1 << (EXTRACT(DAY FROM a.activity_date)::int - 1)",
            "to_char(x.activity_date, 'YYYY-MM')",
        )
    } else {
        (
            "1 << (CAST(substr(a.activity_date, 9, 2) AS INTEGER) - 1)",
            "substr(x.activity_date, 1, 7)",
        )
    };
    [
        "DELETE FROM activity_province_days".to_string(),
        "INSERT INTO activity_province_days \
         (province_code, activity_date, category, activities, citizens_helped, dossiers) \
         SELECT c.province_code, a.activity_date, a.category, COUNT(*), SUM(a.citizens_helped), SUM(a.dossiers) \
         FROM support_activities a JOIN communes c ON c.code = a.commune_code \
         GROUP BY c.province_code, a.activity_date, a.category \
         ORDER BY c.province_code, a.activity_date, a.category"
            .to_string(),
        "DELETE FROM activity_commune_days".to_string(),
        "INSERT INTO activity_commune_days \
         (commune_code, activity_date, activities, citizens_helped, dossiers) \
         SELECT a.commune_code, a.activity_date, COUNT(*), SUM(a.citizens_helped), SUM(a.dossiers) \
         FROM support_activities a GROUP BY a.commune_code, a.activity_date \
         ORDER BY a.commune_code, a.activity_date"
            .to_string(),
        "DELETE FROM team_activity_months".to_string(),
        // One row per team and day first (its bit, its count), then the
        // month: the sum of distinct bits is their bitwise OR. Read in the
        // order of the (team_id, activity_date) index, from the index
        // alone (the province through the team's commune, which is the
        // activity's).
        format!(
            "INSERT INTO team_activity_months (team_id, month, province_code, activities, days) \
             SELECT x.team_id, {month}, MIN(x.province_code), SUM(x.n), CAST(SUM(x.bit) AS INTEGER) \
             FROM (SELECT a.team_id, a.activity_date, MIN(c.province_code) AS province_code, \
                          COUNT(*) AS n, {bit} AS bit \
                   FROM support_activities a JOIN teams t ON t.id = a.team_id \
                   JOIN communes c ON c.code = t.commune_code \
                   GROUP BY a.team_id, a.activity_date) x \
             GROUP BY x.team_id, {month} ORDER BY x.team_id, {month}"
        ),
    ]
}

impl Store {
    /// Recompute the rollups from the support log, in one transaction.
    pub async fn rebuild_activity_rollups(&self) -> Result<()> {
        let postgres = self.dialect() == crate::Dialect::Postgres;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for sql in rebuild_statements(postgres) {
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// After migrating: roll up the activities recorded before the rollups
    /// existed (a database upgraded to migration 0007).
    pub(crate) async fn ensure_activity_rollups(&self) -> Result<()> {
        let missing: bool = on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM support_activities) \
                 AND (NOT EXISTS (SELECT 1 FROM activity_province_days) \
                      OR NOT EXISTS (SELECT 1 FROM activity_commune_days))",
            )
            .fetch_one(pool)
            .await?
        });
        if missing {
            tracing::info!("rolling up the support log recorded before migrations 0007 and 0009");
            self.rebuild_activity_rollups().await?;
        }
        Ok(())
    }
}

/// The rollup tables [`rebuild_statements`] fills (the bulk loader
/// vacuums and analyses them after a load: the vacuum marks their blocks
/// all-visible, which lets PostgreSQL answer from a covering index alone).
pub const TABLES: [&str; 3] = [
    "activity_province_days",
    "activity_commune_days",
    "team_activity_months",
];

/// Every bit of a month's day set (days 1 to 31).
pub(crate) const ALL_DAYS: i32 = 0x7FFF_FFFF;

/// The month key of `day` ('YYYY-MM').
pub(crate) fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("day 1 exists")
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    let first = first_of_month(day);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    next - Days::new(1)
}

/// The months a day range `[from, until]` touches, as month keys, with
/// the bits of the first and last month's days inside the range (one
/// month: both masks are that month's, each already narrowed to both
/// ends). `from` = `None` counts from the beginning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonthSpan {
    pub first_month: String,
    pub last_month: String,
    pub first_mask: i32,
    pub last_mask: i32,
}

pub(crate) fn month_span(from: Option<NaiveDate>, until: NaiveDate) -> MonthSpan {
    // Bits of days `lo..=hi` (1-based).
    let bits = |lo: u32, hi: u32| -> i32 {
        let upper: u64 = (1u64 << hi) - 1;
        let lower: u64 = (1u64 << (lo - 1)) - 1;
        (upper & !lower) as i32
    };
    let last_mask_hi = until.day();
    match from {
        None => MonthSpan {
            first_month: "0000-00".to_string(),
            last_month: month_key(until),
            first_mask: ALL_DAYS,
            last_mask: bits(1, last_mask_hi),
        },
        Some(from) if month_key(from) == month_key(until) => {
            let mask = bits(from.day(), until.day());
            MonthSpan {
                first_month: month_key(from),
                last_month: month_key(until),
                first_mask: mask,
                last_mask: mask,
            }
        }
        Some(from) => MonthSpan {
            first_month: month_key(from),
            last_month: month_key(until),
            first_mask: bits(from.day(), 31),
            last_mask: bits(1, last_mask_hi),
        },
    }
}

/// A day range split for per-month rollups: whole months read from the
/// rollup (`whole`, month keys inclusive; `None` when no month is whole),
/// the days of partial months read from the rows (`edges`, up to two
/// inclusive day ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonthSplit {
    pub whole: Option<(String, String)>,
    pub edges: Vec<(NaiveDate, NaiveDate)>,
}

pub(crate) fn month_split(from: Option<NaiveDate>, until: NaiveDate) -> MonthSplit {
    let whole_end = if until == last_of_month(until) {
        until
    } else {
        first_of_month(until) - Days::new(1)
    };
    let whole_start = match from {
        None => None,
        Some(f) if f.day() == 1 => Some(f),
        Some(f) => Some(last_of_month(f) + Days::new(1)),
    };
    if whole_start.is_some_and(|s| s > whole_end) {
        // No whole month inside: every day from the rows.
        return MonthSplit {
            whole: None,
            edges: vec![(from.expect("bounded"), until)],
        };
    }
    let mut edges = Vec::new();
    if let (Some(f), Some(s)) = (from, whole_start) {
        if f < s {
            edges.push((f, s - Days::new(1)));
        }
    }
    if whole_end < until {
        edges.push((whole_end + Days::new(1), until));
    }
    MonthSplit {
        whole: Some((
            whole_start.map_or_else(|| "0000-00".to_string(), month_key),
            month_key(whole_end),
        )),
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spans_mask_the_days_inside() {
        let s = month_span(Some(d(2026, 10, 2)), d(2026, 10, 31));
        assert_eq!(
            (s.first_month.as_str(), s.last_month.as_str()),
            ("2026-10", "2026-10")
        );
        assert_eq!(s.first_mask, ALL_DAYS & !1);
        let s = month_span(Some(d(2026, 9, 30)), d(2026, 10, 29));
        assert_eq!(s.first_month, "2026-09");
        assert_eq!(s.first_mask, 1 << 29 | 1 << 30);
        assert_eq!(s.last_mask, (1 << 29) - 1);
        let s = month_span(None, d(2026, 2, 1));
        assert_eq!(s.first_month, "0000-00");
        assert_eq!((s.first_mask, s.last_mask), (ALL_DAYS, 1));
    }

    #[test]
    fn splits_whole_months_from_edges() {
        // A month end, from the beginning: everything from the rollup.
        let s = month_split(None, d(2026, 10, 31));
        assert_eq!(s.whole, Some(("0000-00".into(), "2026-10".into())));
        assert!(s.edges.is_empty());
        // Mid-month, from the beginning: the month so far from the rows.
        let s = month_split(None, d(2026, 10, 15));
        assert_eq!(s.whole, Some(("0000-00".into(), "2026-09".into())));
        assert_eq!(s.edges, vec![(d(2026, 10, 1), d(2026, 10, 15))]);
        // Both ends partial.
        let s = month_split(Some(d(2026, 1, 20)), d(2026, 3, 10));
        assert_eq!(s.whole, Some(("2026-02".into(), "2026-02".into())));
        assert_eq!(
            s.edges,
            vec![
                (d(2026, 1, 20), d(2026, 1, 31)),
                (d(2026, 3, 1), d(2026, 3, 10))
            ]
        );
        // Inside one month: no whole month.
        let s = month_split(Some(d(2026, 1, 20)), d(2026, 2, 10));
        assert_eq!(s.whole, None);
        assert_eq!(s.edges, vec![(d(2026, 1, 20), d(2026, 2, 10))]);
        // A whole month exactly.
        let s = month_split(Some(d(2026, 2, 1)), d(2026, 2, 28));
        assert_eq!(s.whole, Some(("2026-02".into(), "2026-02".into())));
        assert!(s.edges.is_empty());
    }
}

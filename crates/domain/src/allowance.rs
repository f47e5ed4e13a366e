//! Who worked which day, and what the province's resolution pays for it.
//!
//! A member's *day of activity* is a day on which they are recorded on a
//! support entry (as its author or a helper), on a duty day of their team,
//! on a training course they took part in, or on a campaign they joined
//! ([`DaySource`]). The store gathers these per person for one [`Month`];
//! this module turns them into the month's attendance sheet (bảng chấm
//! công) and, with the [`Rates`] of the allowance policy in force, the
//! allowance list (danh sách chi trả) — pure functions, so the same figures
//! come out of the web page, the XLSX, the PDF and the frozen copy of an
//! approved month.
//!
//! The rules, in one place ([`compute`]):
//! - **per team per month**: each team in operation during the month whose
//!   members were active on at least `min_days` distinct days (together) is
//!   paid the flat sum, shown as the team's own row, received by its leader;
//! - **per member per month**: each person active on at least
//!   `max(1, min_days)` days of the month;
//! - **per person per day**: each day of activity, up to `day_cap` days.
//!
//! A person in two teams (a village team and the quick-response team) is
//! paid once, on one row, under the team where they have most days (the
//! first team in the given order on a tie).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{format_int, DomainError};

/// The largest amount a component may carry (a typo guard: the resolutions
/// pay hundreds of thousands a month, not tens of millions).
pub const MAX_AMOUNT: i64 = 20_000_000;

/// "300.000 đ".
pub fn format_money(amount: i64) -> String {
    format!("{} đ", format_int(amount))
}

/// A calendar month ("2025-11" in addresses and files, "11/2025" on paper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (2000..=2100).contains(&year))
            .then_some(Month { year, month })
    }

    /// The month `day` falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Parses "2025-11", "11/2025" and "11-2025".
    pub fn parse(input: &str, field: &'static str) -> Result<Month, DomainError> {
        let text = input.trim();
        let parsed = match text.split_once(['-', '/']) {
            Some((a, b)) if a.len() == 4 => a.parse().ok().zip(b.parse().ok()),
            Some((a, b)) if b.len() == 4 => b.parse().ok().zip(a.parse().ok()),
            _ => None,
        }
        .and_then(|(y, m)| Month::new(y, m));
        parsed.ok_or_else(|| {
            DomainError::new(
                field,
                format!("Tháng «{text}» không hợp lệ: nhập theo dạng tháng/năm, ví dụ 11/2025."),
            )
        })
    }

    /// "2025-11".
    pub fn code(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "11/2025".
    pub fn label(&self) -> String {
        format!("{:02}/{:04}", self.month, self.year)
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a day before")
    }

    pub fn days(&self) -> u32 {
        self.last_day().day()
    }

    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(&self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Whether the month has ended by `today` (only an ended month can be
    /// approved).
    pub fn is_over(&self, today: NaiveDate) -> bool {
        self.last_day() < today
    }
}

/// Where a day of activity comes from; the mark on the attendance sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DaySource {
    /// A support entry the person logged or helped on.
    Support,
    /// A duty day the leader recorded for the team.
    Duty,
    /// A day of a training course the person took part in.
    Training,
    /// A campaign the person joined.
    Campaign,
}

impl DaySource {
    pub const ALL: [DaySource; 4] = [
        DaySource::Support,
        DaySource::Duty,
        DaySource::Training,
        DaySource::Campaign,
    ];

    /// The letter on the sheet.
    pub fn mark(self) -> &'static str {
        match self {
            DaySource::Support => "H",
            DaySource::Duty => "T",
            DaySource::Training => "L",
            DaySource::Campaign => "C",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DaySource::Support => "Hỗ trợ người dân",
            DaySource::Duty => "Trực",
            DaySource::Training => "Tập huấn",
            DaySource::Campaign => "Chiến dịch",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DaySource::Support => "support",
            DaySource::Duty => "duty",
            DaySource::Training => "training",
            DaySource::Campaign => "campaign",
        }
    }

    pub fn from_code(code: &str) -> Option<DaySource> {
        DaySource::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The amounts of an allowance policy, in đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Rates {
    pub per_team_month: i64,
    pub per_member_month: i64,
    pub per_day: i64,
    /// At most this many days a person a month are paid; `None`: no cap.
    pub day_cap: Option<u32>,
    /// The monthly parts need at least this many days (0: any activity for
    /// a member, none for a team).
    pub min_days: u32,
}

impl Rates {
    /// Refuses negative or absurd amounts, a cap or minimum outside 0–31,
    /// and a policy that pays nothing; the error names the field.
    pub fn check(&self) -> Result<(), DomainError> {
        for (field, label, value) in [
            (
                "per_team_month",
                "Mức theo tổ mỗi tháng",
                self.per_team_month,
            ),
            (
                "per_member_month",
                "Mức theo thành viên mỗi tháng",
                self.per_member_month,
            ),
            ("per_day", "Mức theo ngày hoạt động", self.per_day),
        ] {
            if value < 0 {
                return Err(DomainError::new(
                    field,
                    format!("{label} không được là số âm."),
                ));
            }
            if value > MAX_AMOUNT {
                return Err(DomainError::new(
                    field,
                    format!(
                        "{label} {} quá lớn (tối đa {}).",
                        format_money(value),
                        format_money(MAX_AMOUNT)
                    ),
                ));
            }
        }
        if let Some(cap) = self.day_cap {
            if cap > 31 {
                return Err(DomainError::new(
                    "day_cap",
                    "Số ngày tối đa được chi trong tháng phải từ 0 đến 31.",
                ));
            }
        }
        if self.min_days > 31 {
            return Err(DomainError::new(
                "min_days",
                "Số ngày tối thiểu phải từ 0 đến 31.",
            ));
        }
        if self.per_team_month == 0 && self.per_member_month == 0 && self.per_day == 0 {
            return Err(DomainError::new(
                "per_team_month",
                "Chính sách phải có ít nhất một mức chi lớn hơn 0.",
            ));
        }
        Ok(())
    }

    /// The rules in words, for the page and the printed list.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let min = if self.min_days > 0 {
            format!(" (khi có từ {} ngày hoạt động trở lên)", self.min_days)
        } else {
            String::new()
        };
        if self.per_team_month > 0 {
            lines.push(format!(
                "{}/tổ/tháng{min}",
                format_money(self.per_team_month)
            ));
        }
        if self.per_member_month > 0 {
            lines.push(format!(
                "{}/thành viên hoạt động/tháng{min}",
                format_money(self.per_member_month)
            ));
        }
        if self.per_day > 0 {
            let cap = match self.day_cap {
                Some(c) => format!(", tối đa {c} ngày/tháng"),
                None => String::new(),
            };
            lines.push(format!(
                "{}/người/ngày hoạt động{cap}",
                format_money(self.per_day)
            ));
        }
        lines
    }
}

/// One member on a team's sheet: their days of the month, each with its
/// sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetMember {
    pub person_id: i64,
    pub full_name: String,
    /// The role's label on the last day of the month they were a member.
    pub role: String,
    pub days: BTreeMap<u32, BTreeSet<DaySource>>,
}

impl SheetMember {
    pub fn day_count(&self) -> u32 {
        self.days.len() as u32
    }

    /// "H", "H T" … for day `d`, empty when none.
    pub fn marks(&self, d: u32) -> String {
        self.days
            .get(&d)
            .map(|s| s.iter().map(|x| x.mark()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }
}

/// A team's attendance sheet for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetTeam {
    pub team_id: i64,
    pub name: String,
    /// The leader (tổ trưởng) on the month's last day in the team, if any.
    pub leader: Option<String>,
    pub members: Vec<SheetMember>,
}

impl SheetTeam {
    /// The distinct days on which any member was active.
    pub fn active_days(&self) -> u32 {
        self.members
            .iter()
            .flat_map(|m| m.days.keys())
            .collect::<BTreeSet<_>>()
            .len() as u32
    }

    /// Days of activity summed over members (person-days).
    pub fn person_days(&self) -> u32 {
        self.members.iter().map(SheetMember::day_count).sum()
    }

    /// Members with at least one day of activity.
    pub fn active_members(&self) -> u32 {
        self.members.iter().filter(|m| !m.days.is_empty()).count() as u32
    }
}

/// Whose row it is on the allowance list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Payee {
    /// The team's flat monthly sum, received by its leader.
    Team(i64),
    Person(i64),
}

/// One row of the allowance list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceRow {
    pub payee: Payee,
    /// The person's name; for a team row, "Kinh phí hoạt động của tổ".
    pub name: String,
    pub team_id: i64,
    pub role: String,
    /// Days of activity in the month (0 on a team row: its active days are
    /// in `days_paid`).
    pub days: u32,
    /// Days paid (after the cap).
    pub days_paid: u32,
    pub team_part: i64,
    pub member_part: i64,
    pub day_part: i64,
    pub total: i64,
}

/// One team's block of the allowance list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceTeam {
    pub team_id: i64,
    pub name: String,
    pub rows: Vec<AllowanceRow>,
    pub total: i64,
}

/// The allowance list of a commune for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceList {
    pub month: Month,
    pub rates: Rates,
    pub teams: Vec<AllowanceTeam>,
    pub team_part: i64,
    pub member_part: i64,
    pub day_part: i64,
    pub total: i64,
}

impl AllowanceList {
    pub fn rows(&self) -> impl Iterator<Item = &AllowanceRow> {
        self.teams.iter().flat_map(|t| t.rows.iter())
    }

    /// Persons paid (team rows left out).
    pub fn people_paid(&self) -> usize {
        self.rows()
            .filter(|r| matches!(r.payee, Payee::Person(_)))
            .count()
    }
}

/// The allowance list for `month` under `rates`, from the teams' sheets
/// (teams in the order the list shows them: village teams first). Rows with
/// nothing to pay are left out; every total is the sum of the rows below it.
pub fn compute(month: Month, rates: &Rates, teams: &[SheetTeam]) -> AllowanceList {
    // Each person's days over all their teams, and the team they are
    // listed under: most days there, the first team on a tie.
    let mut days: BTreeMap<i64, BTreeSet<u32>> = BTreeMap::new();
    let mut home: BTreeMap<i64, (u32, usize, usize)> = BTreeMap::new();
    for (ti, team) in teams.iter().enumerate() {
        for (mi, m) in team.members.iter().enumerate() {
            days.entry(m.person_id)
                .or_default()
                .extend(m.days.keys().copied());
            let here = m.day_count();
            match home.get(&m.person_id) {
                Some((best, _, _)) if *best >= here => {}
                _ => {
                    home.insert(m.person_id, (here, ti, mi));
                }
            }
        }
    }
    let member_min = rates.min_days.max(1);
    let mut list = AllowanceList {
        month,
        rates: *rates,
        teams: Vec::new(),
        team_part: 0,
        member_part: 0,
        day_part: 0,
        total: 0,
    };
    for (ti, team) in teams.iter().enumerate() {
        let mut rows = Vec::new();
        let active = team.active_days();
        if rates.per_team_month > 0 && active >= rates.min_days && !team.members.is_empty() {
            rows.push(AllowanceRow {
                payee: Payee::Team(team.team_id),
                name: "Kinh phí hoạt động của tổ".into(),
                team_id: team.team_id,
                role: match &team.leader {
                    Some(l) => format!("Tổ trưởng {l} nhận"),
                    None => String::new(),
                },
                days: 0,
                days_paid: active,
                team_part: rates.per_team_month,
                member_part: 0,
                day_part: 0,
                total: rates.per_team_month,
            });
        }
        for (mi, m) in team.members.iter().enumerate() {
            if home.get(&m.person_id).map(|h| (h.1, h.2)) != Some((ti, mi)) {
                continue;
            }
            let n = days.get(&m.person_id).map_or(0, |d| d.len() as u32);
            let paid = rates.day_cap.map_or(n, |c| n.min(c));
            let member_part = if n >= member_min {
                rates.per_member_month
            } else {
                0
            };
            let day_part = rates.per_day * i64::from(paid);
            let total = member_part + day_part;
            if total == 0 {
                continue;
            }
            rows.push(AllowanceRow {
                payee: Payee::Person(m.person_id),
                name: m.full_name.clone(),
                team_id: team.team_id,
                role: m.role.clone(),
                days: n,
                days_paid: paid,
                team_part: 0,
                member_part,
                day_part,
                total,
            });
        }
        if rows.is_empty() {
            continue;
        }
        let total = rows.iter().map(|r| r.total).sum();
        for r in &rows {
            list.team_part += r.team_part;
            list.member_part += r.member_part;
            list.day_part += r.day_part;
        }
        list.total += total;
        list.teams.push(AllowanceTeam {
            team_id: team.team_id,
            name: team.name.clone(),
            rows,
            total,
        });
    }
    list
}

/// How a row of the list stands against the approved copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowChange {
    pub payee: Payee,
    pub name: String,
    pub team_name: String,
    pub days_then: u32,
    pub days_now: u32,
    pub total_then: i64,
    pub total_now: i64,
}

/// The rows whose days or total differ between the approved list and the
/// list the records give now (rows only in one side included).
pub fn differences(approved: &AllowanceList, now: &AllowanceList) -> Vec<RowChange> {
    let index = |l: &AllowanceList| -> BTreeMap<Payee, (AllowanceRow, String)> {
        l.teams
            .iter()
            .flat_map(|t| {
                t.rows
                    .iter()
                    .map(|r| (r.payee, (r.clone(), t.name.clone())))
            })
            .collect()
    };
    let (then, now) = (index(approved), index(now));
    let payees: BTreeSet<Payee> = then.keys().chain(now.keys()).copied().collect();
    let mut changes = Vec::new();
    for p in payees {
        let a = then.get(&p);
        let b = now.get(&p);
        let (days_then, total_then) = a.map_or((0, 0), |(r, _)| (r.days.max(r.days_paid), r.total));
        let (days_now, total_now) = b.map_or((0, 0), |(r, _)| (r.days.max(r.days_paid), r.total));
        if days_then == days_now && total_then == total_now {
            continue;
        }
        let (row, team) = a.or(b).expect("one side has the row");
        changes.push(RowChange {
            payee: p,
            name: row.name.clone(),
            team_name: team.clone(),
            days_then,
            days_now,
            total_then,
            total_now,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, name: &str, days: &[(u32, DaySource)]) -> SheetMember {
        let mut map: BTreeMap<u32, BTreeSet<DaySource>> = BTreeMap::new();
        for (d, s) in days {
            map.entry(*d).or_default().insert(*s);
        }
        SheetMember {
            person_id: id,
            full_name: name.into(),
            role: "Thành viên".into(),
            days: map,
        }
    }

    fn team(id: i64, members: Vec<SheetMember>) -> SheetTeam {
        SheetTeam {
            team_id: id,
            name: format!("Tổ {id}"),
            leader: Some("Lê Văn A".into()),
            members,
        }
    }

    const NOV: Month = Month {
        year: 2025,
        month: 11,
    };

    #[test]
    fn months_parse_both_ways_and_know_their_days() {
        assert_eq!(Month::parse("2025-11", "m").unwrap(), NOV);
        assert_eq!(Month::parse("11/2025", "m").unwrap(), NOV);
        assert_eq!(NOV.days(), 30);
        assert_eq!(Month::parse("2024-02", "m").unwrap().days(), 29);
        assert_eq!(NOV.label(), "11/2025");
        assert_eq!(NOV.code(), "2025-11");
        assert_eq!(Month::new(2025, 12).unwrap().next().code(), "2026-01");
        assert_eq!(Month::new(2026, 1).unwrap().previous().code(), "2025-12");
        for bad in ["", "2025-13", "13/2025", "abc", "2025", "1/1/2025"] {
            let e = Month::parse(bad, "month").unwrap_err();
            assert_eq!(e.field, "month", "{bad}");
        }
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(!NOV.is_over(d(2025, 11, 30)));
        assert!(NOV.is_over(d(2025, 12, 1)));
    }

    #[test]
    fn money_is_written_with_dots_and_dong() {
        assert_eq!(format_money(300_000), "300.000 đ");
        assert_eq!(format_money(0), "0 đ");
    }

    #[test]
    fn rates_refuse_negative_absurd_and_empty_policies() {
        let ok = Rates {
            per_day: 50_000,
            day_cap: Some(10),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        let e = Rates { per_day: -1, ..ok }.check().unwrap_err();
        assert_eq!(e.field, "per_day");
        let e = Rates {
            per_member_month: MAX_AMOUNT + 1,
            ..ok
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "per_member_month");
        let e = Rates {
            day_cap: Some(32),
            ..ok
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "day_cap");
        let e = Rates::default().check().unwrap_err();
        assert_eq!(e.field, "per_team_month");
    }

    #[test]
    fn each_component_follows_its_rule_and_totals_are_sums() {
        let rates = Rates {
            per_team_month: 1_000_000,
            per_member_month: 200_000,
            per_day: 50_000,
            day_cap: Some(3),
            min_days: 2,
        };
        use DaySource::*;
        let teams = vec![
            team(
                1,
                vec![
                    // 5 days: capped at 3; monthly part paid.
                    member(
                        10,
                        "An",
                        &[
                            (1, Support),
                            (2, Duty),
                            (3, Support),
                            (4, Training),
                            (5, Campaign),
                        ],
                    ),
                    // 1 day: below the minimum of 2 for the monthly part.
                    member(11, "Bình", &[(1, Support)]),
                    // No day: not listed.
                    member(12, "Chi", &[]),
                ],
            ),
            // A team with one active day: under the minimum, no team sum.
            team(2, vec![member(20, "Dung", &[(7, Duty)])]),
        ];
        let list = compute(NOV, &rates, &teams);
        let rows: Vec<_> = list
            .rows()
            .map(|r| (r.payee, r.days_paid, r.total))
            .collect();
        assert_eq!(
            rows,
            vec![
                (Payee::Team(1), 5, 1_000_000),
                (Payee::Person(10), 3, 200_000 + 150_000),
                (Payee::Person(11), 1, 50_000),
                (Payee::Person(20), 1, 50_000),
            ]
        );
        assert_eq!(list.teams[0].total, 1_400_000);
        assert_eq!(list.total, list.rows().map(|r| r.total).sum::<i64>());
        assert_eq!(
            list.total,
            list.team_part + list.member_part + list.day_part
        );
        assert_eq!(list.people_paid(), 3);
    }

    #[test]
    fn a_person_in_two_teams_is_paid_once_where_they_worked_most() {
        let rates = Rates {
            per_day: 10_000,
            ..Default::default()
        };
        use DaySource::*;
        let teams = vec![
            team(1, vec![member(5, "An", &[(1, Support)])]),
            team(
                2,
                vec![member(5, "An", &[(1, Support), (2, Duty), (3, Duty)])],
            ),
        ];
        let list = compute(NOV, &rates, &teams);
        assert_eq!(list.teams.len(), 1);
        assert_eq!(list.teams[0].team_id, 2);
        // Days are the person's union: 1, 2, 3.
        assert_eq!(list.teams[0].rows[0].days, 3);
        assert_eq!(list.total, 30_000);
    }

    #[test]
    fn differences_name_the_rows_that_moved() {
        let rates = Rates {
            per_day: 10_000,
            ..Default::default()
        };
        use DaySource::*;
        let before = compute(
            NOV,
            &rates,
            &[team(1, vec![member(5, "An", &[(1, Support)])])],
        );
        let after = compute(
            NOV,
            &rates,
            &[team(
                1,
                vec![
                    member(5, "An", &[(1, Support), (2, Support)]),
                    member(6, "Bảo", &[(3, Duty)]),
                ],
            )],
        );
        let d = differences(&before, &after);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].total_then, d[0].total_now), (10_000, 20_000));
        assert_eq!((d[1].days_then, d[1].days_now), (0, 1));
        assert!(differences(&after, &after).is_empty());
    }
}

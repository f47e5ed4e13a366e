//! What a `toso gen` run makes: its scale and the shape of a commune at
//! that scale, the period, and the counts it reports.

use chrono::NaiveDate;
use clap::ValueEnum;

/// Hải Phòng, the city of the `city` scale.
pub const CITY_PROVINCE: i32 = 31;
/// The commune of the `commune` scale unless `--commune` says otherwise:
/// Xã Nam Sách (Hải Phòng).
pub const DEFAULT_COMMUNE: i32 = 10606;
/// The two years of support activities: 01/11/2024 to 31/10/2026.
pub const FIRST_DAY: (i32, u32, u32) = (2024, 11, 1);
pub const LAST_DAY: (i32, u32, u32) = (2026, 10, 31);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// One commune: a few dozen villages, a few hundred members, a few
    /// thousand support activities.
    Commune,
    /// Hải Phòng's 114 communes: about 3,000 villages, 20,000 members and
    /// 2 million support activities.
    City,
    /// All 3,321 communes: about 100,000 villages and teams, 500,000
    /// members and 50 million support activities.
    National,
}

/// The shape of the communes of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Villages (and village teams) per commune, lowest and highest.
    pub villages: (u64, u64),
    /// Seats of a village team, lowest and highest.
    pub members: (u64, u64),
    /// Support activities of the whole run over the two years (expected
    /// value: each team draws its days at its own pace).
    pub activities: f64,
}

impl Scale {
    /// The shape of a commune at this scale.
    pub fn shape(self) -> Shape {
        match self {
            Scale::Commune => Shape {
                villages: (30, 45),
                members: (5, 9),
                activities: 4_000.0,
            },
            Scale::City => Shape {
                villages: (12, 40),
                members: (4, 9),
                activities: 2_000_000.0,
            },
            Scale::National => Shape {
                villages: (12, 48),
                members: (3, 7),
                activities: 50_000_000.0,
            },
        }
    }
}

/// What a run wrote, as of [`LAST_DAY`]: the figures the indicators of the
/// generated communes must show on that day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenCounts {
    pub communes: i64,
    pub documents: i64,
    pub villages: i64,
    pub teams: i64,
    pub quick_response_teams: i64,
    pub people: i64,
    pub memberships: i64,
    /// Distinct people in a village team on the last day.
    pub members: i64,
    pub quick_response_members: i64,
    pub support_activities: i64,
    pub citizens_helped: i64,
    pub dossiers: i64,
    pub contests: i64,
    pub contest_registrations: i64,
    pub training_courses: i64,
    pub trainees: i64,
    pub campaigns: i64,
    pub campaign_reach: i64,
}

impl GenCounts {
    /// Every count with its name, in declaration order.
    pub fn fields(&self) -> [(&'static str, i64); 18] {
        [
            ("communes", self.communes),
            ("documents", self.documents),
            ("villages", self.villages),
            ("teams", self.teams),
            ("quick_response_teams", self.quick_response_teams),
            ("people", self.people),
            ("memberships", self.memberships),
            ("members", self.members),
            ("quick_response_members", self.quick_response_members),
            ("support_activities", self.support_activities),
            ("citizens_helped", self.citizens_helped),
            ("dossiers", self.dossiers),
            ("contests", self.contests),
            ("contest_registrations", self.contest_registrations),
            ("training_courses", self.training_courses),
            ("trainees", self.trainees),
            ("campaigns", self.campaigns),
            ("campaign_reach", self.campaign_reach),
        ]
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.fields()
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect(),
        )
    }
}

impl Scale {
    pub fn code(self) -> &'static str {
        match self {
            Scale::Commune => "commune",
            Scale::City => "city",
            Scale::National => "national",
        }
    }
}

/// The date of a `(year, month, day)` constant.
pub(super) fn day(d: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.0, d.1, d.2).expect("valid date")
}

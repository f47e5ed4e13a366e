//! Citizens' help requests (issue 20): each village's public code (the
//! address its poster's QR code opens), the members who agreed to be
//! listed there, requests made without an account and routed to the
//! village's team, the commune's deadlines on its working calendar,
//! escalation to the quick-response team, closing (a done request records
//! its support activity, so the figures count it once), and the erasure of
//! a closed request's personal data after the commune's retention period.
//!
//! Personal data (the citizen's name, phone, description and preferred
//! time) never enters the audit log: its rows record a request's state,
//! team and dates ([`HelpAudit`]).

use chrono::{DateTime, NaiveDate, Utc};
use rand::RngCore;
use serde::Serialize;
use toso_domain::{
    code_from_random, format_date, HelpState, PersonName, PhoneNumber, SupportCategory,
    WorkCalendar, CODE_LEN,
};

use crate::{Actor, Result, Store, StoreError};

mod public;
mod requests;

pub use public::{PublicLookup, PublicMember, PublicTeam, PublicVillage};

/// A commune's deadlines and retention, with the defaults of the issue:
/// first response within 8 working hours, resolution within 3 working
/// days, personal data of closed requests kept 90 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HelpSettings {
    pub response_hours: i32,
    pub resolution_days: i32,
    pub retention_days: i32,
}

impl Default for HelpSettings {
    fn default() -> Self {
        HelpSettings {
            response_hours: 8,
            resolution_days: 3,
            retention_days: 90,
        }
    }
}

impl HelpSettings {
    /// Refuse values outside what the database allows, beside their field.
    pub fn check(&self) -> Result<()> {
        for (field, label, value, lo, hi) in [
            (
                "response_hours",
                "Thời hạn phản hồi (giờ làm việc)",
                self.response_hours,
                1,
                80,
            ),
            (
                "resolution_days",
                "Thời hạn giải quyết (ngày làm việc)",
                self.resolution_days,
                1,
                30,
            ),
            (
                "retention_days",
                "Thời gian giữ thông tin cá nhân (ngày)",
                self.retention_days,
                7,
                730,
            ),
        ] {
            if !(lo..=hi).contains(&value) {
                return Err(StoreError::invalid(
                    field,
                    format!("{label} phải từ {lo} đến {hi} (đang là {value})."),
                ));
            }
        }
        Ok(())
    }
}

/// One holiday of a commune's working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Holiday {
    pub day: NaiveDate,
    pub name: String,
}

/// A citizen's request as the team and the officers see it. The personal
/// fields are `None` once erased (`erased_at`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct HelpRequest {
    pub id: i64,
    pub tracking_code: String,
    pub commune_code: i32,
    pub village_id: i64,
    pub village_name: String,
    pub team_id: Option<i64>,
    pub category: String,
    pub description: Option<String>,
    pub citizen_name: Option<String>,
    pub citizen_phone: Option<String>,
    pub preferred_time: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: HelpState,
    pub received_at: DateTime<Utc>,
    pub respond_by: DateTime<Utc>,
    pub resolve_by: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Working minutes from arrival to the first response.
    pub response_minutes: Option<i32>,
    /// Working minutes from arrival to closing.
    pub resolution_minutes: Option<i32>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalation: Option<String>,
    pub unable_reason: Option<String>,
    pub activity_id: Option<i64>,
    pub erased_at: Option<DateTime<Utc>>,
}

const SELECT_REQUEST: &str = "SELECT h.id, h.tracking_code, h.commune_code, h.village_id, \
     v.name AS village_name, h.team_id, h.category, h.description, h.citizen_name, h.citizen_phone, \
     h.preferred_time, h.state, h.received_at, h.respond_by, h.resolve_by, h.first_response_at, \
     h.closed_at, h.response_minutes, h.resolution_minutes, h.assignee_id, h.assignee_name, h.escalated_at, h.escalation, h.unable_reason, \
     h.activity_id, h.erased_at FROM help_requests h JOIN villages v ON v.id = h.village_id";

impl HelpRequest {
    /// No first response by its deadline (still new at `now`, or first
    /// answered late).
    pub fn response_late(&self, now: DateTime<Utc>) -> bool {
        match self.first_response_at {
            Some(at) => at > self.respond_by,
            None => now > self.respond_by && !self.state.closed(),
        }
    }

    /// Not closed by its deadline (still open at `now`, or closed late).
    pub fn resolution_late(&self, now: DateTime<Utc>) -> bool {
        match self.closed_at {
            Some(at) => at > self.resolve_by,
            None => now > self.resolve_by,
        }
    }

    /// Open and past one of its deadlines: flagged in the queue.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        !self.state.closed() && (self.response_late(now) || self.resolution_late(now))
    }

    pub fn category_label(&self) -> &'static str {
        SupportCategory::from_code(&self.category).map_or("Khác", |c| c.label())
    }
}

/// What the audit log keeps of a request: never the citizen's data.
#[derive(Debug, Serialize)]
pub struct HelpAudit<'a> {
    pub tracking_code: &'a str,
    pub village_id: i64,
    pub team_id: Option<i64>,
    pub category: &'a str,
    pub state: HelpState,
    pub assignee: Option<&'a str>,
    pub escalation: Option<&'a str>,
    pub unable_reason: Option<&'a str>,
    pub activity_id: Option<i64>,
}

impl<'a> From<&'a HelpRequest> for HelpAudit<'a> {
    fn from(r: &'a HelpRequest) -> Self {
        HelpAudit {
            tracking_code: &r.tracking_code,
            village_id: r.village_id,
            team_id: r.team_id,
            category: &r.category,
            state: r.state,
            assignee: r.assignee_name.as_deref(),
            escalation: r.escalation.as_deref(),
            unable_reason: r.unable_reason.as_deref(),
            activity_id: r.activity_id,
        }
    }
}

/// A request as the citizen sends it (already parsed by the caller).
#[derive(Debug, Clone)]
pub struct NewHelpRequest {
    pub village_code: String,
    pub category: SupportCategory,
    pub description: String,
    pub citizen_name: PersonName,
    pub citizen_phone: PhoneNumber,
    pub preferred_time: String,
}

/// Closing a request as done: the support activity it records.
#[derive(Debug, Clone)]
pub struct HelpDone {
    pub category: SupportCategory,
    pub citizens_helped: i32,
    pub dossiers: i32,
    pub note: Option<String>,
}

/// Which requests a queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueScope {
    /// Every request of the commune (its officers).
    Commune,
    /// A team's: those routed to it; for the commune's quick-response team
    /// also every escalated one.
    Team { team_id: i64, quick_response: bool },
}

impl QueueScope {
    /// The queue's condition on `help_requests h` after the commune's, with
    /// the team as parameter `$n`, and the team id to bind (none for the
    /// commune's queue).
    fn filter(self, n: u8) -> (String, Option<i64>) {
        match self {
            QueueScope::Commune => (String::new(), None),
            QueueScope::Team {
                team_id,
                quick_response: false,
            } => (format!(" AND h.team_id = ${n}"), Some(team_id)),
            QueueScope::Team {
                team_id,
                quick_response: true,
            } => (
                format!(" AND (h.team_id = ${n} OR h.escalated_at IS NOT NULL)"),
                Some(team_id),
            ),
        }
    }
}

/// Requests a village takes in an hour at most: a flood of one poster
/// cannot bury the team's queue.
pub const VILLAGE_HOURLY_LIMIT: i64 = 10;
/// Requests a commune takes in a day at most: bounds what a flood can
/// write to disk.
pub const COMMUNE_DAILY_LIMIT: i64 = 200;

/// What [`Store::sweep_help_requests`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub escalated: u64,
    pub erased: u64,
}

/// A request as the indicators count it: (state, closed by its
/// deadline (0/1), working minutes to the first response, to closing).
pub(crate) type HelpFigures = (String, i32, Option<i32>, Option<i32>);

fn random_code() -> String {
    let mut bytes = [0u8; CODE_LEN * 2];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    code_from_random(bytes)
}

fn system_actor() -> Actor {
    Actor {
        user_id: None,
        name: "hệ thống".into(),
        address: None,
    }
}

impl Store {
    /// The commune's deadlines (the defaults when it set none).
    pub async fn help_settings(&self, commune_code: i32) -> Result<HelpSettings> {
        let row: Option<HelpSettings> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT response_hours, resolution_days, retention_days FROM help_settings WHERE commune_code = $1",
            )
            .bind(commune_code)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.unwrap_or_default())
    }

    /// The commune's holidays, by date.
    pub async fn holidays(&self, commune_code: i32) -> Result<Vec<Holiday>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Holiday>(
                "SELECT day, name FROM commune_holidays WHERE commune_code = $1 ORDER BY day",
            )
            .bind(commune_code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The commune's working calendar.
    pub async fn work_calendar(&self, commune_code: i32) -> Result<WorkCalendar> {
        Ok(WorkCalendar::new(
            self.holidays(commune_code)
                .await?
                .into_iter()
                .map(|h| h.day),
        ))
    }

    /// Set the commune's deadlines, retention and holidays (the holidays
    /// replace the old list), in one transaction with its audit row.
    pub async fn save_help_settings(
        &self,
        actor: &Actor,
        commune_code: i32,
        settings: HelpSettings,
        holidays: Vec<Holiday>,
    ) -> Result<()> {
        settings.check()?;
        let before = self.help_settings(commune_code).await?;
        let now = Utc::now();
        #[derive(Serialize)]
        struct Saved<'a> {
            settings: HelpSettings,
            holidays: &'a [Holiday],
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO help_settings (commune_code, response_hours, resolution_days, retention_days, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (commune_code) DO UPDATE SET \
                 response_hours = excluded.response_hours, resolution_days = excluded.resolution_days, \
                 retention_days = excluded.retention_days, updated_at = excluded.updated_at",
            )
            .bind(commune_code)
            .bind(settings.response_hours)
            .bind(settings.resolution_days)
            .bind(settings.retention_days)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM commune_holidays WHERE commune_code = $1")
                .bind(commune_code)
                .execute(&mut *tx)
                .await?;
            for h in &holidays {
                sqlx::query(
                    "INSERT INTO commune_holidays (commune_code, day, name) VALUES ($1, $2, $3) \
                     ON CONFLICT (commune_code, day) DO UPDATE SET name = excluded.name",
                )
                .bind(commune_code)
                .bind(h.day)
                .bind(&h.name)
                .execute(&mut *tx)
                .await?;
            }
            let after = Saved { settings, holidays: &holidays };
            audit!(tx, actor, Some(commune_code), "help_settings", commune_code as i64, "update",
                Some(&before), Some(&after));
            tx.commit().await?;
            Ok(())
        })
    }
}

/// "08:30 04/12/2026", Vietnam time.
pub fn format_moment(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&toso_domain::vietnam());
    format!(
        "{} {}",
        local.format("%H:%M"),
        format_date(local.date_naive())
    )
}

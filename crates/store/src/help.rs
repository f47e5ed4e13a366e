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

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use serde::Serialize;
use toso_domain::{
    code_from_random, format_date, HelpState, PersonName, PhoneNumber, Role, SupportCategory,
    TeamKind, WorkCalendar, CODE_LEN, HOURS_PER_DAY,
};

use crate::activities::{check_activity, Activity, NewActivity};
use crate::error::on_constraint;
use crate::{Actor, Result, Store, StoreError};

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

/// Requests a village takes in an hour at most: a flood of one poster
/// cannot bury the team's queue.
pub const VILLAGE_HOURLY_LIMIT: i64 = 10;
/// Requests a commune takes in a day at most: bounds what a flood can
/// write to disk.
pub const COMMUNE_DAILY_LIMIT: i64 = 200;

/// A village's public page as a citizen (and the poster) sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicVillage {
    pub code: String,
    pub village_id: i64,
    pub village_name: String,
    pub commune_code: i32,
    pub commune_name: String,
    pub province_name: String,
    /// The village's team (absent when the village has none).
    pub team: Option<PublicTeam>,
    /// The commune's quick-response team.
    pub quick_response: Option<PublicTeam>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicTeam {
    pub id: i64,
    pub name: String,
    pub zalo_link: Option<String>,
    /// Only the members who agreed to be listed, leader first.
    pub members: Vec<PublicMember>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicMember {
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
}

/// What a village code leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum PublicLookup {
    Found(Box<PublicVillage>),
    /// A code replaced by a newer one (or of a village no longer active):
    /// the commune's contact is still given.
    Expired {
        commune_name: String,
        quick_response: Option<PublicTeam>,
    },
    Unknown,
}

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

    /// The current public code of a village, made on first use.
    pub async fn village_code(&self, village_id: i64) -> Result<String> {
        let current: Option<String> = on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT code FROM village_codes WHERE village_id = $1 AND revoked_at IS NULL",
            )
            .bind(village_id)
            .fetch_optional(pool)
            .await?
        });
        if let Some(code) = current {
            return Ok(code);
        }
        on_write!(self, pool => {
            // Two first visits at once: the unique index keeps one; both
            // read it back.
            sqlx::query(
                "INSERT INTO village_codes (code, village_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(random_code())
            .bind(village_id)
            .bind(Utc::now())
            .execute(pool)
            .await?;
            let code: String = sqlx::query_scalar(
                "SELECT code FROM village_codes WHERE village_id = $1 AND revoked_at IS NULL",
            )
            .bind(village_id)
            .fetch_one(pool)
            .await?;
            Ok(code)
        })
    }

    /// Replace a village's public code (a poster torn down, a code passed
    /// around): the old page then says it has expired. Audited.
    pub async fn renew_village_code(&self, actor: &Actor, village_id: i64) -> Result<String> {
        let village = self.village(village_id).await?;
        let old = self.village_code(village_id).await?;
        let code = random_code();
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE village_codes SET revoked_at = $1 WHERE village_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(village_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO village_codes (code, village_id, created_at) VALUES ($1, $2, $3)")
                .bind(&code)
                .bind(village_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            audit!(tx, actor, Some(village.commune_code), "village_code", village_id, "renew",
                Some(&serde_json::json!({ "code": old })), Some(&serde_json::json!({ "code": code })));
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        Ok(code)
    }

    /// The active members of `team_id` on `day` who agreed to be listed,
    /// leader first.
    async fn listed_members(&self, team_id: i64, day: NaiveDate) -> Result<Vec<PublicMember>> {
        let mut members: Vec<PublicMember> = Vec::new();
        let listed: Vec<i64> = on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id \
                 WHERE m.team_id = $1 AND p.listed_publicly = $2",
            )
            .bind(team_id)
            .bind(true)
            .fetch_all(pool)
            .await?
        });
        let mut all = self.team_members(team_id, Some(day)).await?;
        all.sort_by_key(|m| (m.membership.role, m.full_name.clone()));
        for m in all {
            if listed.contains(&m.membership.person_id) {
                members.push(PublicMember {
                    name: m.full_name,
                    role: m.membership.role,
                    phone: m.phone,
                });
            }
        }
        Ok(members)
    }

    async fn public_team(&self, team: &crate::Team, day: NaiveDate) -> Result<PublicTeam> {
        Ok(PublicTeam {
            id: team.id,
            name: team.name.clone(),
            zalo_link: team.zalo_link.clone(),
            members: self.listed_members(team.id, day).await?,
        })
    }

    /// The commune's active quick-response team on `day`.
    pub async fn quick_response_team(
        &self,
        commune_code: i32,
        day: NaiveDate,
    ) -> Result<Option<crate::Team>> {
        Ok(self
            .teams(commune_code)
            .await?
            .into_iter()
            .find(|t| t.kind == TeamKind::QuickResponse && t.is_active_on(day)))
    }

    /// The active village team of `village_id` on `day`.
    pub async fn village_team(
        &self,
        commune_code: i32,
        village_id: i64,
        day: NaiveDate,
    ) -> Result<Option<crate::Team>> {
        Ok(self
            .teams(commune_code)
            .await?
            .into_iter()
            .find(|t| t.village_id == Some(village_id) && t.is_active_on(day)))
    }

    async fn public_village_of(
        &self,
        code: String,
        village: &crate::Village,
        day: NaiveDate,
    ) -> Result<PublicVillage> {
        let commune = self.commune(village.commune_code).await?;
        let province = self.province(commune.province_code).await?;
        let team = match self.village_team(commune.code, village.id, day).await? {
            Some(t) => Some(self.public_team(&t, day).await?),
            None => None,
        };
        let quick_response = match self.quick_response_team(commune.code, day).await? {
            Some(t) => Some(self.public_team(&t, day).await?),
            None => None,
        };
        Ok(PublicVillage {
            code,
            village_id: village.id,
            village_name: village.name.clone(),
            commune_code: commune.code,
            commune_name: commune.name,
            province_name: province.name,
            team,
            quick_response,
        })
    }

    /// What a village's public code leads to on `day`.
    pub async fn public_village(&self, code: &str, day: NaiveDate) -> Result<PublicLookup> {
        let row: Option<(i64, bool)> = on_read!(self, pool => {
            sqlx::query_as("SELECT village_id, revoked_at IS NULL FROM village_codes WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        let Some((village_id, current)) = row else {
            return Ok(PublicLookup::Unknown);
        };
        let village = self.village(village_id).await?;
        let active = village.is_active_on(day);
        if current && active {
            return Ok(PublicLookup::Found(Box::new(
                self.public_village_of(code.to_string(), &village, day)
                    .await?,
            )));
        }
        let commune = self.commune(village.commune_code).await?;
        let quick_response = match self.quick_response_team(commune.code, day).await? {
            Some(t) => Some(self.public_team(&t, day).await?),
            None => None,
        };
        Ok(PublicLookup::Expired {
            commune_name: commune.name,
            quick_response,
        })
    }

    /// Every active village of the commune on `day` as its poster shows
    /// it (codes made where missing), in the villages' order.
    pub async fn public_villages(
        &self,
        commune_code: i32,
        day: NaiveDate,
    ) -> Result<Vec<PublicVillage>> {
        let mut out = Vec::new();
        for village in self.villages(commune_code, Some(day)).await? {
            if !village.is_active_on(day) {
                continue;
            }
            let code = self.village_code(village.id).await?;
            out.push(self.public_village_of(code, &village, day).await?);
        }
        Ok(out)
    }

    /// Whether `person_id` is listed on the public pages.
    pub async fn listed_publicly(&self, person_id: i64) -> Result<bool> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, bool>("SELECT listed_publicly FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_optional(pool)
                .await?
        })
        .unwrap_or(false))
    }

    /// Record a member's consent (or its withdrawal) to be listed with
    /// name and phone on the village page and poster. Audited.
    pub async fn set_listed_publicly(
        &self,
        actor: &Actor,
        person_id: i64,
        listed: bool,
    ) -> Result<()> {
        let person = self.person(person_id).await?;
        let before = self.listed_publicly(person_id).await?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE people SET listed_publicly = $1, updated_at = $2 WHERE id = $3")
                .bind(listed)
                .bind(Utc::now())
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            audit!(tx, actor, Some(person.commune_code), "person", person_id, "public_listing",
                Some(&serde_json::json!({ "listed_publicly": before })),
                Some(&serde_json::json!({ "listed_publicly": listed })));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Take a citizen's request at `now`: routed to the village's team (the
    /// quick-response team where the village has none), its deadlines set
    /// from the commune's settings and calendar, a tracking code given.
    /// Refused for an unknown or expired village code, and beyond the
    /// village's hourly and the commune's daily limits.
    pub async fn create_help_request(
        &self,
        new: NewHelpRequest,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let day = crate::board::vietnam_date(now);
        let village = match self.public_village(&new.village_code, day).await? {
            PublicLookup::Found(v) => *v,
            _ => {
                return Err(StoreError::not_found(
                    "Mã thôn này không còn dùng được: vui lòng liên hệ UBND xã.",
                ))
            }
        };
        let (hour, day_ago) = (now - Duration::hours(1), now - Duration::days(1));
        let (in_village, in_commune): (i64, i64) = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM help_requests WHERE village_id = $1 AND received_at > $2), \
                        (SELECT COUNT(*) FROM help_requests WHERE commune_code = $3 AND received_at > $4)",
            )
            .bind(village.village_id)
            .bind(hour)
            .bind(village.commune_code)
            .bind(day_ago)
            .fetch_one(pool)
            .await?
        });
        if in_village >= VILLAGE_HOURLY_LIMIT || in_commune >= COMMUNE_DAILY_LIMIT {
            let contact = village
                .quick_response
                .as_ref()
                .and_then(|t| t.members.iter().find_map(|m| m.phone.clone()))
                .and_then(|p| PhoneNumber::parse(&p).ok())
                .map(|p| format!(" hoặc gọi {}", p.display()))
                .unwrap_or_default();
            return Err(StoreError::invalid(
                "description",
                format!(
                    "Thôn đang nhận quá nhiều yêu cầu cùng lúc. Vui lòng thử lại sau ít phút{contact}."
                ),
            ));
        }
        let team_id = village
            .team
            .as_ref()
            .or(village.quick_response.as_ref())
            .map(|t| t.id);
        let settings = self.help_settings(village.commune_code).await?;
        let calendar = self.work_calendar(village.commune_code).await?;
        let respond_by = calendar.add_working_minutes(now, settings.response_hours as i64 * 60);
        let resolve_by =
            calendar.add_working_minutes(now, settings.resolution_days as i64 * HOURS_PER_DAY * 60);
        let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut request = HelpRequest {
            id: 0,
            tracking_code: String::new(),
            commune_code: village.commune_code,
            village_id: village.village_id,
            village_name: village.village_name.clone(),
            team_id,
            category: new.category.code().to_string(),
            description: blank(&new.description),
            citizen_name: Some(new.citizen_name.as_str().to_string()),
            citizen_phone: Some(new.citizen_phone.as_str().to_string()),
            preferred_time: blank(&new.preferred_time),
            state: HelpState::New,
            received_at: now,
            respond_by,
            resolve_by,
            first_response_at: None,
            closed_at: None,
            response_minutes: None,
            resolution_minutes: None,
            assignee_id: None,
            assignee_name: None,
            escalated_at: None,
            escalation: None,
            unable_reason: None,
            activity_id: None,
            erased_at: None,
        };
        let citizen = Actor {
            user_id: None,
            name: "người dân".into(),
            address: None,
        };
        // A new random code on the (vanishingly rare) collision.
        for _ in 0..3 {
            request.tracking_code = random_code();
            let written: Result<i64> = async { on_write!(self, pool => {
                let mut tx = pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO help_requests (tracking_code, commune_code, village_id, team_id, category, \
                     description, citizen_name, citizen_phone, preferred_time, state, received_at, respond_by, \
                     resolve_by, updated_at, received_on) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12, $10, $13) RETURNING id",
                )
                .bind(&request.tracking_code)
                .bind(request.commune_code)
                .bind(request.village_id)
                .bind(request.team_id)
                .bind(&request.category)
                .bind(request.description.as_deref())
                .bind(request.citizen_name.as_deref())
                .bind(request.citizen_phone.as_deref())
                .bind(request.preferred_time.as_deref())
                .bind(now)
                .bind(respond_by)
                .bind(resolve_by)
                .bind(day)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| on_constraint(e, "help_requests_tracking", "help_requests.tracking_code", || {
                    StoreError::invalid("tracking_code", "collision")
                }))?;
                audit!(tx, citizen, Some(request.commune_code), "help_request", id, "create",
                    None::<&HelpAudit>, Some(&HelpAudit::from(&request)));
                tx.commit().await?;
                Ok(id)
            }) }.await;
            match written {
                Ok(id) => return Ok(HelpRequest { id, ..request }),
                Err(StoreError::Invalid(e)) if e.field == "tracking_code" => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::invalid(
            "description",
            "Chưa gửi được yêu cầu: vui lòng bấm gửi lại.",
        ))
    }

    /// A request by its id.
    pub async fn help_request(&self, id: i64) -> Result<HelpRequest> {
        let sql = format!("{SELECT_REQUEST} WHERE h.id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy yêu cầu hỗ trợ số {id}.")))
    }

    /// A request by its tracking code (already normalised).
    pub async fn help_request_by_code(&self, code: &str) -> Result<HelpRequest> {
        let sql = format!("{SELECT_REQUEST} WHERE h.tracking_code = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(code).fetch_optional(pool).await?
        })
        .ok_or_else(|| {
            StoreError::not_found(
                "Không tìm thấy yêu cầu với mã này. Vui lòng kiểm tra lại mã tra cứu (8 ký tự).",
            )
        })
    }

    /// The requests of a queue, newest first; at most `limit`.
    pub async fn help_queue(
        &self,
        commune_code: i32,
        scope: QueueScope,
        state: Option<HelpState>,
        limit: i64,
    ) -> Result<Vec<HelpRequest>> {
        let team_filter = match scope {
            QueueScope::Commune => "",
            QueueScope::Team {
                quick_response: false,
                ..
            } => " AND h.team_id = $3",
            QueueScope::Team {
                quick_response: true,
                ..
            } => " AND (h.team_id = $3 OR h.escalated_at IS NOT NULL)",
        };
        let sql = format!(
            "{SELECT_REQUEST} WHERE h.commune_code = $1 AND ($2 = '' OR h.state = $2){team_filter} \
             ORDER BY h.received_at DESC, h.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let team = match scope {
            QueueScope::Commune => 0,
            QueueScope::Team { team_id, .. } => team_id,
        };
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, HelpRequest>(&sql)
                .bind(commune_code)
                .bind(state.map_or("", |s| s.code()));
            let q = if team_filter.is_empty() { q } else { q.bind(team) };
            q.fetch_all(pool).await?
        }))
    }

    /// Open requests of the commune and how many of them are overdue at
    /// `now` (the commune home's line).
    pub async fn help_open_counts(
        &self,
        commune_code: i32,
        now: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN resolve_by < $2 \
                    OR (first_response_at IS NULL AND respond_by < $2) THEN 1 ELSE 0 END), 0) \
                 FROM help_requests WHERE commune_code = $1 AND state IN ('new', 'in_progress')",
            )
            .bind(commune_code)
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Write `after` over request `before` (state, assignee, closing,
    /// escalation), with its audit row, in `tx`'s transaction.
    async fn update_request(
        &self,
        actor: &Actor,
        before: &HelpRequest,
        after: &HelpRequest,
        action: &str,
        activity: Option<&Activity>,
    ) -> Result<HelpRequest> {
        let now = Utc::now();
        let mut after = after.clone();
        let minutes = |at: Option<DateTime<Utc>>, cal: &toso_domain::WorkCalendar| {
            at.map(|at| {
                cal.working_minutes_between(before.received_at, at)
                    .min(i32::MAX as i64) as i32
            })
        };
        if (after.first_response_at.is_some() && after.response_minutes.is_none())
            || (after.closed_at.is_some() && after.resolution_minutes.is_none())
        {
            let calendar = self.work_calendar(before.commune_code).await?;
            after.response_minutes = after
                .response_minutes
                .or(minutes(after.first_response_at, &calendar));
            after.resolution_minutes = after
                .resolution_minutes
                .or(minutes(after.closed_at, &calendar));
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Some(a) = activity {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO support_activities (commune_code, team_id, village_id, activity_date, category, \
                     citizens_helped, dossiers, note, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                )
                .bind(a.commune_code)
                .bind(a.team_id)
                .bind(a.village_id)
                .bind(a.activity_date)
                .bind(&a.category)
                .bind(a.citizens_helped)
                .bind(a.dossiers)
                .bind(a.note.as_deref())
                .bind(actor.user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let written = Activity { id, ..a.clone() };
                audit!(tx, actor, Some(a.commune_code), "activity", id, "create", None::<&Activity>, Some(&written));
                after.activity_id = Some(id);
            }
            // Guarded on the state read: two members taking or closing the
            // same request at once, only the first one's write lands.
            let changed = sqlx::query(
                "UPDATE help_requests SET state = $1, team_id = $2, first_response_at = $3, closed_at = $4, \
                 assignee_id = $5, assignee_name = $6, escalated_at = $7, escalation = $8, unable_reason = $9, \
                 activity_id = $10, updated_at = $11, response_minutes = $14, resolution_minutes = $15 \
                 WHERE id = $12 AND state = $13",
            )
            .bind(after.state.code())
            .bind(after.team_id)
            .bind(after.first_response_at)
            .bind(after.closed_at)
            .bind(after.assignee_id)
            .bind(after.assignee_name.as_deref())
            .bind(after.escalated_at)
            .bind(after.escalation.as_deref())
            .bind(after.unable_reason.as_deref())
            .bind(after.activity_id)
            .bind(now)
            .bind(before.id)
            .bind(before.state.code())
            .bind(after.response_minutes)
            .bind(after.resolution_minutes)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::invalid(
                    "state",
                    "Yêu cầu vừa được người khác cập nhật: vui lòng tải lại trang.",
                ));
            }
            audit!(tx, actor, Some(before.commune_code), "help_request", before.id, action,
                Some(&HelpAudit::from(before)), Some(&HelpAudit::from(&after)));
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        Ok(after)
    }

    /// A member takes a new request: it is theirs, in progress, and its
    /// first response is now.
    pub async fn take_help_request(
        &self,
        actor: &Actor,
        id: i64,
        assignee: (i64, &str),
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state != HelpState::New {
            return Err(StoreError::invalid(
                "state",
                format!(
                    "Yêu cầu đang ở trạng thái «{}»: chỉ nhận được yêu cầu mới.",
                    before.state.label()
                ),
            ));
        }
        let after = HelpRequest {
            state: HelpState::InProgress,
            first_response_at: before.first_response_at.or(Some(now)),
            assignee_id: Some(assignee.0),
            assignee_name: Some(assignee.1.to_string()),
            ..before.clone()
        };
        self.update_request(actor, &before, &after, "take", None)
            .await
    }

    /// Close a request as done by `team_id` (the routed team, or the
    /// quick-response team on an escalated one): records its support
    /// activity (dated the day closed) in the same transaction, linked to
    /// the request, so the commune's figures count it once.
    pub async fn close_help_request_done(
        &self,
        actor: &Actor,
        id: i64,
        team_id: i64,
        done: HelpDone,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state.closed() {
            return Err(StoreError::invalid("state", "Yêu cầu đã đóng trước đó."));
        }
        let team = self.team(team_id).await?;
        let day = crate::board::vietnam_date(now);
        let new = NewActivity {
            team_id,
            activity_date: day,
            category: done.category,
            citizens_helped: done.citizens_helped,
            dossiers: done.dossiers,
            note: None,
            co_members: Vec::new(),
        };
        check_activity(&team, &new, day)?;
        if done.citizens_helped < 1 {
            return Err(StoreError::invalid(
                "citizens_helped",
                "Đã hỗ trợ thì số người được hỗ trợ phải từ 1 trở lên.",
            ));
        }
        let note = match done
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => format!("Yêu cầu {}: {n}", before.tracking_code),
            None => format!("Yêu cầu {}", before.tracking_code),
        };
        let activity = Activity {
            id: 0,
            commune_code: team.commune_code,
            team_id: team.id,
            village_id: team.village_id.or(Some(before.village_id)),
            activity_date: day,
            category: done.category.code().to_string(),
            citizens_helped: done.citizens_helped,
            dossiers: done.dossiers,
            note: Some(note),
        };
        let after = HelpRequest {
            state: HelpState::Done,
            first_response_at: before.first_response_at.or(Some(now)),
            closed_at: Some(now),
            ..before.clone()
        };
        self.update_request(actor, &before, &after, "done", Some(&activity))
            .await
    }

    /// Close a request the team could not help with, with the reason; or,
    /// with `hand_over`, pass it to the commune's quick-response team
    /// (it becomes new again there, escalated).
    pub async fn close_help_request_unable(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        hand_over: bool,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state.closed() {
            return Err(StoreError::invalid("state", "Yêu cầu đã đóng trước đó."));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "Lý do không hỗ trợ được không được để trống.",
            ));
        }
        let after = if hand_over {
            let day = crate::board::vietnam_date(now);
            let Some(qr) = self.quick_response_team(before.commune_code, day).await? else {
                return Err(StoreError::invalid(
                    "hand_over",
                    "Xã chưa có Đội hỗ trợ chuyển đổi số phản ứng nhanh đang hoạt động để chuyển yêu cầu.",
                ));
            };
            if before.team_id == Some(qr.id) {
                return Err(StoreError::invalid(
                    "hand_over",
                    "Yêu cầu đã ở Đội phản ứng nhanh: không chuyển tiếp được nữa.",
                ));
            }
            HelpRequest {
                state: HelpState::New,
                team_id: Some(qr.id),
                first_response_at: before.first_response_at.or(Some(now)),
                assignee_id: None,
                assignee_name: None,
                escalated_at: Some(now),
                escalation: Some("handed".into()),
                unable_reason: Some(reason.to_string()),
                ..before.clone()
            }
        } else {
            HelpRequest {
                state: HelpState::Unable,
                first_response_at: before.first_response_at.or(Some(now)),
                closed_at: Some(now),
                unable_reason: Some(reason.to_string()),
                ..before.clone()
            }
        };
        let action = if hand_over { "hand_over" } else { "unable" };
        self.update_request(actor, &before, &after, action, None)
            .await
    }

    /// What the clock does to requests at `now`: open requests past a
    /// deadline are escalated to the quick-response team (once), and the
    /// personal data of requests closed longer ago than their commune's
    /// retention period is erased (the counts stay). Run by the server
    /// every minute; each change has its audit row.
    pub async fn sweep_help_requests(&self, now: DateTime<Utc>) -> Result<Sweep> {
        let sql = format!(
            "{SELECT_REQUEST} WHERE h.state IN ('new', 'in_progress') AND h.escalated_at IS NULL \
             AND (h.resolve_by < $1 OR (h.first_response_at IS NULL AND h.respond_by < $1))"
        );
        let overdue: Vec<HelpRequest> = on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(now).fetch_all(pool).await?
        });
        let system = system_actor();
        let mut sweep = Sweep::default();
        for before in overdue {
            let after = HelpRequest {
                escalated_at: Some(now),
                escalation: Some("overdue".into()),
                ..before.clone()
            };
            match self
                .update_request(&system, &before, &after, "escalate", None)
                .await
            {
                Ok(_) => sweep.escalated += 1,
                // Changed meanwhile by a member: the next sweep sees it.
                Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        // Erase by commune, each with its own retention.
        let closed: Vec<(i64, i32, i32, DateTime<Utc>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT h.id, h.commune_code, COALESCE(s.retention_days, 90), h.closed_at FROM help_requests h \
                 LEFT JOIN help_settings s ON s.commune_code = h.commune_code \
                 WHERE h.erased_at IS NULL AND h.closed_at IS NOT NULL AND h.closed_at < $1",
            )
            .bind(now - Duration::days(7))
            .fetch_all(pool)
            .await?
        });
        for (id, commune_code, days, closed) in closed {
            if closed + Duration::days(days as i64) > now {
                continue;
            }
            on_write!(self, pool => {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "UPDATE help_requests SET citizen_name = NULL, citizen_phone = NULL, description = NULL, \
                     preferred_time = NULL, erased_at = $1, updated_at = $1 WHERE id = $2 AND erased_at IS NULL",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                audit!(tx, system, Some(commune_code), "help_request", id, "erase_personal_data",
                    None::<&HelpAudit>, Some(&serde_json::json!({ "retention_days": days })));
                tx.commit().await?;
                Ok::<_, StoreError>(())
            })?;
            sweep.erased += 1;
        }
        Ok(sweep)
    }

    /// The requests received in a scope during a period, for the
    /// indicators: (state, closed on time, response minutes, resolution
    /// minutes). `sql_scope` restricts `h`; `$2` is the node; the period
    /// runs from `from` (or the beginning) to `until`, days of arrival.
    pub(crate) async fn help_figures(
        &self,
        sql_scope: &str,
        until: NaiveDate,
        node_key: i64,
        from: Option<NaiveDate>,
    ) -> Result<Vec<HelpFigures>> {
        let sql = format!(
            "SELECT h.state, CASE WHEN h.closed_at IS NOT NULL AND h.closed_at <= h.resolve_by THEN 1 ELSE 0 END, \
             h.response_minutes, h.resolution_minutes FROM help_requests h \
             WHERE h.received_on <= $1 AND {sql_scope}{}",
            if from.is_some() { " AND h.received_on >= $3" } else { "" }
        );
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, HelpFigures>(&sql).bind(until).bind(node_key);
            let q = match from {
                Some(f) => q.bind(f),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
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

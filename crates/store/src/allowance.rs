//! Who worked which day, and the allowance a province's resolution pays:
//! the duty days a leader records, the members named on a campaign, the
//! allowance policies of a province (or of a commune where its province has
//! none), the month's attendance sheets gathered from every record that
//! names a member, and the approval of a month, which freezes the sheets
//! and the list as they stood. The rules that turn days into amounts are in
//! [`toso_domain::allowance`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{
    compute, differences, format_date, not_in_future, AllowanceList, DaySource, Month, Rates, Role,
    RowChange, SheetMember, SheetTeam, TeamKind,
};

use crate::{Actor, Result, Store, StoreError};

/// The longest place or note of a duty day.
pub const MAX_DUTY_TEXT: usize = 300;

/// A duty day of a team, with the members on duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyDay {
    pub id: i64,
    pub commune_code: i32,
    pub team_id: i64,
    pub held_on: NaiveDate,
    pub place: String,
    pub note: Option<String>,
    /// (person id, full name), by name.
    pub members: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
pub struct NewDutyDay {
    pub team_id: i64,
    pub held_on: NaiveDate,
    pub place: String,
    pub note: Option<String>,
    pub members: Vec<i64>,
}

#[derive(sqlx::FromRow)]
struct DutyRow {
    id: i64,
    commune_code: i32,
    team_id: i64,
    held_on: NaiveDate,
    place: String,
    note: Option<String>,
}

/// Who owns a policy: a province, or a commune where its province has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyOwner {
    Province(i32),
    Commune(i32),
}

/// An allowance policy: a resolution's amounts and the period it is in
/// force (both ends inclusive; open-ended without an end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowancePolicy {
    pub id: i64,
    pub owner: PolicyOwner,
    /// "26/2025/NQ-HĐND".
    pub resolution: String,
    pub resolution_on: NaiveDate,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub rates: Rates,
    /// The demo's example, not a real resolution's figures.
    pub example: bool,
    pub note: Option<String>,
}

impl AllowancePolicy {
    /// "Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025", with "(ví dụ, không
    /// phải số liệu của nghị quyết thật)" for the demo's.
    pub fn title(&self) -> String {
        let mut t = format!(
            "Nghị quyết số {} ngày {}",
            self.resolution,
            format_date(self.resolution_on)
        );
        if self.example {
            t.push_str(" (ví dụ minh họa, không phải mức chi của nghị quyết thật)");
        }
        t
    }

    /// "từ 01/07/2025" or "từ 01/07/2025 đến 31/12/2026".
    pub fn period(&self) -> String {
        match self.effective_until {
            Some(u) => format!(
                "từ {} đến {}",
                format_date(self.effective_from),
                format_date(u)
            ),
            None => format!("từ {}", format_date(self.effective_from)),
        }
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_until.is_none_or(|u| day <= u)
    }
}

/// A policy as typed (owner given separately).
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub resolution: String,
    pub resolution_on: NaiveDate,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub rates: Rates,
    pub example: bool,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: i64,
    province_code: Option<i32>,
    commune_code: Option<i32>,
    resolution: String,
    resolution_on: NaiveDate,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    per_team_month: i64,
    per_member_month: i64,
    per_day: i64,
    day_cap: Option<i32>,
    min_days: i32,
    example: i32,
    note: Option<String>,
}

impl From<PolicyRow> for AllowancePolicy {
    fn from(r: PolicyRow) -> Self {
        AllowancePolicy {
            id: r.id,
            owner: match (r.province_code, r.commune_code) {
                (Some(p), _) => PolicyOwner::Province(p),
                (None, Some(c)) => PolicyOwner::Commune(c),
                (None, None) => PolicyOwner::Province(0),
            },
            resolution: r.resolution,
            resolution_on: r.resolution_on,
            effective_from: r.effective_from,
            effective_until: r.effective_until,
            rates: Rates {
                per_team_month: r.per_team_month,
                per_member_month: r.per_member_month,
                per_day: r.per_day,
                day_cap: r.day_cap.map(|c| c.max(0) as u32),
                min_days: r.min_days.max(0) as u32,
            },
            example: r.example != 0,
            note: r.note,
        }
    }
}

const SELECT_POLICY: &str = "SELECT id, province_code, commune_code, resolution, resolution_on, \
     effective_from, effective_until, per_team_month, per_member_month, per_day, day_cap, \
     min_days, example, note FROM allowance_policies";

/// What an approval froze: the sheets, the list and the policy as they
/// stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub sheets: Vec<SheetTeam>,
    pub list: AllowanceList,
    pub policy: AllowancePolicy,
}

/// The approval of a commune's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthApproval {
    pub commune_code: i32,
    pub month: Month,
    /// True while approved; false once reopened (until approved again).
    pub approved: bool,
    pub total: i64,
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
    #[serde(skip)]
    pub frozen: Frozen,
}

#[derive(sqlx::FromRow)]
struct ApprovalRow {
    commune_code: i32,
    state: String,
    frozen: String,
    total: i64,
    approved_by: String,
    approved_at: DateTime<Utc>,
    reopened_by: Option<String>,
    reopened_at: Option<DateTime<Utc>>,
    reopen_reason: Option<String>,
}

/// A commune's month as the records give it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: Month,
    pub sheets: Vec<SheetTeam>,
    /// The policy in force, if any.
    pub policy: Option<AllowancePolicy>,
    /// The list under that policy (`None` without one).
    pub list: Option<AllowanceList>,
}

/// What a commune's month shows and prints: the frozen copy while
/// approved, otherwise the records now; with the rows that differ between
/// the approved copy (if any) and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthView {
    pub month: Month,
    pub sheets: Vec<SheetTeam>,
    pub policy: Option<AllowancePolicy>,
    pub list: Option<AllowanceList>,
    pub approval: Option<MonthApproval>,
    pub changes: Vec<RowChange>,
}

impl MonthView {
    /// "Đã duyệt ngày 02/12/2025 (username)" or "Chưa duyệt — số liệu tính
    /// từ hồ sơ đến ngày …" (also when reopened), for the printed list.
    pub fn status(&self, today: NaiveDate) -> String {
        match &self.approval {
            Some(a) if a.approved => {
                let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("valid offset");
                format!(
                    "Đã duyệt ngày {} ({})",
                    format_date(a.approved_at.with_timezone(&vn).date_naive()),
                    a.approved_by
                )
            }
            Some(_) => format!(
                "Đã mở lại để sửa, chưa duyệt lại — số liệu tính từ hồ sơ đến ngày {}",
                format_date(today)
            ),
            None => format!(
                "Chưa duyệt — số liệu tính từ hồ sơ đến ngày {}",
                format_date(today)
            ),
        }
    }
}

/// The audit record of an approval (the list's totals, not the JSON).
#[derive(Serialize)]
struct ApprovalRecord<'a> {
    month: String,
    state: &'a str,
    policy_id: i64,
    total: i64,
    people_paid: usize,
    reason: Option<&'a str>,
}

/// Typed text in canonical form (NFC, spaces collapsed, control and
/// zero-width characters dropped).
fn trimmed(s: &str) -> String {
    toso_domain::clean_text(s)
}

fn check_duty_text(new: &NewDutyDay) -> Result<(String, Option<String>)> {
    let place = trimmed(&new.place);
    if place.is_empty() {
        return Err(StoreError::invalid(
            "place",
            "Nơi trực không được để trống.",
        ));
    }
    if place.chars().count() > MAX_DUTY_TEXT {
        return Err(StoreError::invalid(
            "place",
            format!("Nơi trực dài quá {MAX_DUTY_TEXT} ký tự."),
        ));
    }
    let note = new
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_DUTY_TEXT * 4)
    {
        return Err(StoreError::invalid(
            "note",
            format!("Ghi chú dài quá {} ký tự.", MAX_DUTY_TEXT * 4),
        ));
    }
    Ok((place, note))
}

fn check_policy(new: &NewPolicy) -> Result<()> {
    new.rates.check()?;
    let resolution = trimmed(&new.resolution);
    if resolution.is_empty() {
        return Err(StoreError::invalid(
            "resolution",
            "Số nghị quyết không được để trống, ví dụ 26/2025/NQ-HĐND.",
        ));
    }
    if resolution.chars().count() > 100 {
        return Err(StoreError::invalid(
            "resolution",
            "Số nghị quyết dài quá 100 ký tự.",
        ));
    }
    toso_domain::check_period(
        new.effective_from,
        new.effective_until,
        "Ngày có hiệu lực",
        "Ngày hết hiệu lực",
    )
    .map_err(|e| StoreError::invalid("effective_until", e.message))?;
    if new.resolution_on > new.effective_until.unwrap_or(NaiveDate::MAX) {
        return Err(StoreError::invalid(
            "resolution_on",
            "Ngày ban hành không được sau ngày hết hiệu lực.",
        ));
    }
    Ok(())
}

/// Whether two inclusive periods (open-ended when `None`) share a day.
fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.0 <= b.1.unwrap_or(NaiveDate::MAX) && b.0 <= a.1.unwrap_or(NaiveDate::MAX)
}

/// Write a new duty day inside the caller's transaction: its row, its
/// members and its audit row ("duty_day", "create"), the one INSERT of a
/// duty day, for [`Store::create_duty_day`] and the importer. The caller
/// has checked `day` (its members sorted by name); its `id` is set to the
/// new row's.
pub(crate) async fn insert_duty_day<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    actor: &Actor,
    day: &mut DutyDay,
    now: DateTime<Utc>,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> (i64,): sqlx::FromRow<'r, DB::Row>,
    for<'q> i32: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> NaiveDate: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i32>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<sqlx::types::Json<serde_json::Value>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO duty_days (commune_code, team_id, held_on, place, note, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(day.commune_code)
    .bind(day.team_id)
    .bind(day.held_on)
    .bind(day.place.as_str())
    .bind(day.note.as_deref())
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (p, _) in &day.members {
        sqlx::query("INSERT INTO duty_day_members (duty_day_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*p)
            .execute(&mut **tx)
            .await?;
    }
    day.id = id;
    let conn: &mut DB::Connection = tx;
    audit!(
        conn,
        actor,
        Some(day.commune_code),
        "duty_day",
        id,
        "create",
        None::<&DutyDay>,
        Some(&*day)
    );
    Ok(())
}

impl Store {
    // ---------------------------------------------------------------------
    // Duty days
    // ---------------------------------------------------------------------

    /// Record a duty day of a team. Refuses a future day, a day outside the
    /// team's period, no member, members who were not in the team that day,
    /// and an empty place.
    pub async fn create_duty_day(&self, actor: &Actor, new: NewDutyDay) -> Result<DutyDay> {
        let team = self.team(new.team_id).await?;
        not_in_future(new.held_on, crate::today(), "held_on", "Ngày trực")?;
        if !team.is_active_on(new.held_on) {
            return Err(StoreError::invalid(
                "held_on",
                format!(
                    "Ngày trực {} nằm ngoài thời gian hoạt động của tổ «{}».",
                    format_date(new.held_on),
                    team.name
                ),
            ));
        }
        let (place, note) = check_duty_text(&new)?;
        let mut persons: Vec<i64> = new.members.clone();
        persons.sort_unstable();
        persons.dedup();
        if persons.is_empty() {
            return Err(StoreError::invalid(
                "members",
                "Chọn ít nhất một thành viên trực.",
            ));
        }
        let roster = self.team_members(team.id, Some(new.held_on)).await?;
        let mut members = Vec::new();
        for p in &persons {
            match roster.iter().find(|m| m.membership.person_id == *p) {
                Some(m) => members.push((*p, m.full_name.clone())),
                None => {
                    return Err(StoreError::invalid(
                        "members",
                        format!(
                            "Người số {p} không phải thành viên của tổ «{}» vào ngày {}.",
                            team.name,
                            format_date(new.held_on)
                        ),
                    ))
                }
            }
        }
        members.sort_by(|a, b| a.1.cmp(&b.1));
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut day = DutyDay {
                id: 0,
                commune_code: team.commune_code,
                team_id: team.id,
                held_on: new.held_on,
                place,
                note,
                members,
            };
            insert_duty_day(&mut tx, actor, &mut day, now).await?;
            tx.commit().await?;
            Ok(day)
        })
    }

    /// The team's duty days between two days (inclusive), newest first.
    pub async fn duty_days(
        &self,
        team_id: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DutyDay>> {
        let rows: Vec<DutyRow> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT id, commune_code, team_id, held_on, place, note FROM duty_days \
                 WHERE team_id = $1 AND held_on >= $2 AND held_on <= $3 ORDER BY held_on DESC, id DESC",
            )
            .bind(team_id)
            .bind(from)
            .bind(until)
            .fetch_all(pool)
            .await?
        });
        let mut days = Vec::with_capacity(rows.len());
        for r in rows {
            days.push(self.duty_day_of(r).await?);
        }
        Ok(days)
    }

    async fn duty_day_of(&self, r: DutyRow) -> Result<DutyDay> {
        let members: Vec<(i64, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.full_name FROM duty_day_members d JOIN people p ON p.id = d.person_id \
                 WHERE d.duty_day_id = $1 ORDER BY p.name_fold, p.id",
            )
            .bind(r.id)
            .fetch_all(pool)
            .await?
        });
        Ok(DutyDay {
            id: r.id,
            commune_code: r.commune_code,
            team_id: r.team_id,
            held_on: r.held_on,
            place: r.place,
            note: r.note,
            members,
        })
    }

    /// The duty day `id` of the team `team_id`.
    pub async fn duty_day(&self, team_id: i64, id: i64) -> Result<DutyDay> {
        let row: Option<DutyRow> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT id, commune_code, team_id, held_on, place, note FROM duty_days WHERE id = $1 AND team_id = $2",
            )
            .bind(id)
            .bind(team_id)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(r) => self.duty_day_of(r).await,
            None => Err(StoreError::not_found(format!(
                "Không có ngày trực số {id} của tổ này."
            ))),
        }
    }

    /// Delete a duty day entered by mistake, with its audit row.
    pub async fn delete_duty_day(&self, actor: &Actor, team_id: i64, id: i64) -> Result<DutyDay> {
        let day = self.duty_day(team_id, id).await?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM duty_day_members WHERE duty_day_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM duty_days WHERE id = $1 AND team_id = $2")
                .bind(id)
                .bind(team_id)
                .execute(&mut *tx)
                .await?;
            audit!(tx, actor, Some(day.commune_code), "duty_day", id, "delete", Some(&day), None::<&DutyDay>);
            tx.commit().await?;
        });
        Ok(day)
    }

    // ---------------------------------------------------------------------
    // Campaign members
    // ---------------------------------------------------------------------

    /// The team members named on a campaign: (person id, full name), by name.
    pub async fn campaign_members(&self, campaign_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.full_name FROM campaign_members c JOIN people p ON p.id = c.person_id \
                 WHERE c.campaign_id = $1 ORDER BY p.name_fold, p.id",
            )
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Name the team members who took part in the commune's campaign
    /// (replacing the list). Each must have been a member of one of the
    /// commune's teams on the campaign's day.
    pub async fn set_campaign_members(
        &self,
        actor: &Actor,
        commune_code: i32,
        campaign_id: i64,
        persons: Vec<i64>,
    ) -> Result<Vec<(i64, String)>> {
        let campaign = self.campaign(campaign_id).await?;
        if campaign.commune_code != commune_code {
            return Err(StoreError::not_found(format!(
                "Không có chiến dịch số {campaign_id} của xã này."
            )));
        }
        let mut persons = persons;
        persons.sort_unstable();
        persons.dedup();
        let eligible: BTreeSet<i64> = self
            .commune_members_on(commune_code, campaign.held_on)
            .await?
            .into_iter()
            .collect();
        if let Some(p) = persons.iter().find(|p| !eligible.contains(p)) {
            return Err(StoreError::invalid(
                "members",
                format!(
                    "Người số {p} không phải thành viên tổ nào của xã vào ngày {}.",
                    format_date(campaign.held_on)
                ),
            ));
        }
        let before = self.campaign_members(campaign_id).await?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM campaign_members WHERE campaign_id = $1")
                .bind(campaign_id)
                .execute(&mut *tx)
                .await?;
            for p in &persons {
                sqlx::query("INSERT INTO campaign_members (campaign_id, person_id) VALUES ($1, $2)")
                    .bind(campaign_id)
                    .bind(p)
                    .execute(&mut *tx)
                    .await?;
            }
            let ids_before: Vec<i64> = before.iter().map(|(p, _)| *p).collect();
            audit!(tx, actor, Some(commune_code), "campaign_members", campaign_id, "update", Some(&ids_before), Some(&persons));
            tx.commit().await?;
        });
        self.campaign_members(campaign_id).await
    }

    /// The persons who were members of any of the commune's teams on `day`.
    async fn commune_members_on(&self, commune_code: i32, day: NaiveDate) -> Result<Vec<i64>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT m.person_id FROM memberships m JOIN teams t ON t.id = m.team_id \
                 WHERE t.commune_code = $1 AND m.started_on <= $2 AND (m.ended_on IS NULL OR m.ended_on > $2)",
            )
            .bind(commune_code)
            .bind(day)
            .fetch_all(pool)
            .await?
        }))
    }

    // ---------------------------------------------------------------------
    // Policies
    // ---------------------------------------------------------------------

    /// The policies of a province or a commune, newest period first.
    pub async fn policies(&self, owner: PolicyOwner) -> Result<Vec<AllowancePolicy>> {
        let (column, code) = match owner {
            PolicyOwner::Province(p) => ("province_code", p),
            PolicyOwner::Commune(c) => ("commune_code", c),
        };
        let sql =
            format!("{SELECT_POLICY} WHERE {column} = $1 ORDER BY effective_from DESC, id DESC");
        let rows: Vec<PolicyRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(code).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn policy(&self, id: i64) -> Result<AllowancePolicy> {
        let sql = format!("{SELECT_POLICY} WHERE id = $1");
        let row: Option<PolicyRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(Into::into)
            .ok_or_else(|| StoreError::not_found(format!("Không có chính sách chi trả số {id}.")))
    }

    /// The policy that pays the commune's `month`: its province's in force
    /// on the month's first day (else on its last), or, where the province
    /// has none for the month, the commune's own.
    pub async fn policy_for(
        &self,
        commune_code: i32,
        month: Month,
    ) -> Result<Option<AllowancePolicy>> {
        let commune = self.commune(commune_code).await?;
        for owner in [
            PolicyOwner::Province(commune.province_code),
            PolicyOwner::Commune(commune_code),
        ] {
            let policies = self.policies(owner).await?;
            for day in [month.first_day(), month.last_day()] {
                if let Some(p) = policies.iter().find(|p| p.covers(day)) {
                    return Ok(Some(p.clone()));
                }
            }
        }
        Ok(None)
    }

    /// Record a policy for `owner`, or replace policy `id`'s values.
    /// Refuses bad amounts, an end before the start, and a period that
    /// overlaps another of the owner's policies (checked under a lock of
    /// the owner's row, so two officers cannot both pass the check).
    pub async fn save_policy(
        &self,
        actor: &Actor,
        owner: PolicyOwner,
        id: Option<i64>,
        new: NewPolicy,
    ) -> Result<AllowancePolicy> {
        check_policy(&new)?;
        let before = match id {
            Some(id) => {
                let p = self.policy(id).await?;
                if p.owner != owner {
                    return Err(StoreError::not_found(format!(
                        "Không có chính sách chi trả số {id} của đơn vị này."
                    )));
                }
                Some(p)
            }
            None => None,
        };
        let (province, commune) = match owner {
            PolicyOwner::Province(p) => (Some(p), None),
            PolicyOwner::Commune(c) => (None, Some(c)),
        };
        let resolution = trimmed(&new.resolution);
        let note = new
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let now = Utc::now();
        let r = new.rates;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // The owner's row, locked (PostgreSQL; SQLite has one writer).
            match owner {
                PolicyOwner::Province(p) => sqlx::query("UPDATE provinces SET code = code WHERE code = $1").bind(p).execute(&mut *tx).await?,
                PolicyOwner::Commune(c) => sqlx::query("UPDATE communes SET code = code WHERE code = $1").bind(c).execute(&mut *tx).await?,
            };
            let others: Vec<(i64, NaiveDate, Option<NaiveDate>, String)> = sqlx::query_as(
                "SELECT id, effective_from, effective_until, resolution FROM allowance_policies \
                 WHERE (province_code = $1 OR commune_code = $2)",
            )
            .bind(province)
            .bind(commune)
            .fetch_all(&mut *tx)
            .await?;
            if let Some(o) = others.iter().find(|o| Some(o.0) != id && overlaps((o.1, o.2), (new.effective_from, new.effective_until))) {
                return Err(StoreError::invalid(
                    "effective_from",
                    format!(
                        "Thời gian hiệu lực trùng với chính sách theo Nghị quyết số {} ({}{}).",
                        o.3,
                        format_date(o.1),
                        o.2.map(|u| format!(" – {}", format_date(u))).unwrap_or_else(|| " – nay".into())
                    ),
                ));
            }
            let id = match id {
                Some(id) => {
                    sqlx::query(
                        "UPDATE allowance_policies SET resolution = $1, resolution_on = $2, effective_from = $3, \
                         effective_until = $4, per_team_month = $5, per_member_month = $6, per_day = $7, day_cap = $8, \
                         min_days = $9, example = $10, note = $11, updated_at = $12 WHERE id = $13",
                    )
                    .bind(&resolution).bind(new.resolution_on).bind(new.effective_from).bind(new.effective_until)
                    .bind(r.per_team_month).bind(r.per_member_month).bind(r.per_day)
                    .bind(r.day_cap.map(|c| c as i32)).bind(r.min_days as i32).bind(i32::from(new.example))
                    .bind(note.as_deref()).bind(now).bind(id)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO allowance_policies (province_code, commune_code, resolution, resolution_on, effective_from, \
                     effective_until, per_team_month, per_member_month, per_day, day_cap, min_days, example, note, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
                )
                .bind(province).bind(commune).bind(&resolution).bind(new.resolution_on).bind(new.effective_from)
                .bind(new.effective_until).bind(r.per_team_month).bind(r.per_member_month).bind(r.per_day)
                .bind(r.day_cap.map(|c| c as i32)).bind(r.min_days as i32).bind(i32::from(new.example))
                .bind(note.as_deref()).bind(now)
                .fetch_one(&mut *tx)
                .await?,
            };
            let after = AllowancePolicy {
                id,
                owner,
                resolution,
                resolution_on: new.resolution_on,
                effective_from: new.effective_from,
                effective_until: new.effective_until,
                rates: new.rates,
                example: new.example,
                note,
            };
            let action = if before.is_some() { "update" } else { "create" };
            audit!(tx, actor, province: province, commune, "allowance_policy", id, action, before.as_ref(), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Delete a policy no approved month was paid by.
    pub async fn delete_policy(&self, actor: &Actor, owner: PolicyOwner, id: i64) -> Result<()> {
        let policy = self.policy(id).await?;
        if policy.owner != owner {
            return Err(StoreError::not_found(format!(
                "Không có chính sách chi trả số {id} của đơn vị này."
            )));
        }
        let (province, commune) = match owner {
            PolicyOwner::Province(p) => (Some(p), None),
            PolicyOwner::Commune(c) => (None, Some(c)),
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM allowance_months WHERE policy_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if used > 0 {
                return Err(StoreError::invalid(
                    "policy",
                    format!("Không xóa được: {used} tháng đã duyệt chi trả theo chính sách này."),
                ));
            }
            sqlx::query("DELETE FROM allowance_policies WHERE id = $1").bind(id).execute(&mut *tx).await?;
            audit!(tx, actor, province: province, commune, "allowance_policy", id, "delete", Some(&policy), None::<&AllowancePolicy>);
            tx.commit().await?;
            Ok(())
        })
    }

    // ---------------------------------------------------------------------
    // The month
    // ---------------------------------------------------------------------

    /// Every team of the commune in operation during `month` (village teams
    /// first, then the quick-response team), each member who belonged to it
    /// during the month, and their days of activity while they belonged.
    pub async fn month_sheets(&self, commune_code: i32, month: Month) -> Result<Vec<SheetTeam>> {
        let (first, last) = (month.first_day(), month.last_day());
        let mut teams: Vec<_> = self
            .teams(commune_code)
            .await?
            .into_iter()
            .filter(|t| t.established_on <= last && t.dissolved_on.is_none_or(|d| d > first))
            .collect();
        teams.sort_by_key(|t| (t.kind == TeamKind::QuickResponse, t.name.clone(), t.id));
        #[derive(sqlx::FromRow)]
        struct MemberRow {
            team_id: i64,
            person_id: i64,
            full_name: String,
            role: String,
            started_on: NaiveDate,
            ended_on: Option<NaiveDate>,
        }
        let role = crate::people::role_on("$3");
        let sql = format!(
            "SELECT m.team_id, m.person_id, p.full_name, {role} AS role, m.started_on, m.ended_on \
             FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
             WHERE t.commune_code = $1 AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on > $2) \
             ORDER BY CASE {role} WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END, p.name_fold, p.id"
        );
        let members: Vec<MemberRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(commune_code).bind(first).bind(last).fetch_all(pool).await?
        });
        // Every (person, day, source) of the month in the commune.
        let points: Vec<(i64, NaiveDate, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT u.person_id, a.activity_date, 'support' FROM support_activities a JOIN users u ON u.id = a.created_by \
                 WHERE a.commune_code = $1 AND a.activity_date >= $2 AND a.activity_date <= $3 AND u.person_id IS NOT NULL \
                 UNION ALL \
                 SELECT am.person_id, a.activity_date, 'support' FROM activity_members am JOIN support_activities a ON a.id = am.activity_id \
                 WHERE a.commune_code = $1 AND a.activity_date >= $2 AND a.activity_date <= $3 \
                 UNION ALL \
                 SELECT dm.person_id, d.held_on, 'duty' FROM duty_day_members dm JOIN duty_days d ON d.id = dm.duty_day_id \
                 WHERE d.commune_code = $1 AND d.held_on >= $2 AND d.held_on <= $3 \
                 UNION ALL \
                 SELECT cm.person_id, c.held_on, 'campaign' FROM campaign_members cm JOIN campaigns c ON c.id = cm.campaign_id \
                 WHERE c.commune_code = $1 AND c.held_on >= $2 AND c.held_on <= $3",
            )
            .bind(commune_code)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let courses: Vec<(i64, NaiveDate, Option<NaiveDate>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT tp.person_id, c.starts_on, c.ends_on FROM training_participants tp \
                 JOIN training_courses c ON c.id = tp.course_id \
                 WHERE c.commune_code = $1 AND c.starts_on <= $3 AND COALESCE(c.ends_on, c.starts_on) >= $2",
            )
            .bind(commune_code)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut days: HashMap<i64, BTreeMap<NaiveDate, BTreeSet<DaySource>>> = HashMap::new();
        for (person, day, source) in points {
            if let Some(s) = DaySource::from_code(&source) {
                days.entry(person)
                    .or_default()
                    .entry(day)
                    .or_default()
                    .insert(s);
            }
        }
        for (person, starts, ends) in courses {
            let mut day = starts.max(first);
            let end = ends.unwrap_or(starts).min(last);
            while day <= end {
                days.entry(person)
                    .or_default()
                    .entry(day)
                    .or_default()
                    .insert(DaySource::Training);
                day = day.succ_opt().expect("a next day");
            }
        }
        let mut sheets = Vec::with_capacity(teams.len());
        for team in teams {
            let mut sheet = SheetTeam {
                team_id: team.id,
                name: team.name.clone(),
                leader: None,
                members: Vec::new(),
            };
            for m in members.iter().filter(|m| m.team_id == team.id) {
                let role =
                    Role::from_code(&m.role).map_or(m.role.clone(), |r| r.label().to_string());
                if m.role == Role::ToTruong.code() && sheet.leader.is_none() {
                    sheet.leader = Some(m.full_name.clone());
                }
                let mut own: BTreeMap<u32, BTreeSet<DaySource>> = BTreeMap::new();
                if let Some(person_days) = days.get(&m.person_id) {
                    for (day, sources) in person_days {
                        let member_then =
                            m.started_on <= *day && m.ended_on.is_none_or(|e| e > *day);
                        if member_then {
                            use chrono::Datelike;
                            own.entry(day.day())
                                .or_default()
                                .extend(sources.iter().copied());
                        }
                    }
                }
                // One row per person: a second membership in the same month
                // (left and came back) adds its days to the first.
                match sheet
                    .members
                    .iter_mut()
                    .find(|x| x.person_id == m.person_id)
                {
                    Some(existing) => {
                        for (d, s) in own {
                            existing.days.entry(d).or_default().extend(s);
                        }
                    }
                    None => sheet.members.push(SheetMember {
                        person_id: m.person_id,
                        full_name: m.full_name.clone(),
                        role,
                        days: own,
                    }),
                }
            }
            sheets.push(sheet);
        }
        Ok(sheets)
    }

    /// The commune's month as the records give it now: the sheets, the
    /// policy in force and the list it pays.
    pub async fn month_figures(&self, commune_code: i32, month: Month) -> Result<MonthFigures> {
        let sheets = self.month_sheets(commune_code, month).await?;
        let policy = self.policy_for(commune_code, month).await?;
        let list = policy.as_ref().map(|p| compute(month, &p.rates, &sheets));
        Ok(MonthFigures {
            month,
            sheets,
            policy,
            list,
        })
    }

    /// The commune's month as shown and printed (see [`MonthView`]).
    pub async fn month_view(&self, commune_code: i32, month: Month) -> Result<MonthView> {
        let now = self.month_figures(commune_code, month).await?;
        let approval = self.month_approval(commune_code, month).await?;
        let changes = match (&approval, &now.list) {
            (Some(a), Some(list)) => differences(&a.frozen.list, list),
            (Some(a), None) => differences(
                &a.frozen.list,
                &compute(month, &a.frozen.policy.rates, &now.sheets),
            ),
            _ => Vec::new(),
        };
        Ok(match approval {
            Some(a) if a.approved => MonthView {
                month,
                sheets: a.frozen.sheets.clone(),
                policy: Some(a.frozen.policy.clone()),
                list: Some(a.frozen.list.clone()),
                approval: Some(a),
                changes,
            },
            other => MonthView {
                month,
                sheets: now.sheets,
                policy: now.policy,
                list: now.list,
                approval: other,
                changes,
            },
        })
    }

    /// The approval of the commune's month, if it was ever approved.
    pub async fn month_approval(
        &self,
        commune_code: i32,
        month: Month,
    ) -> Result<Option<MonthApproval>> {
        let row: Option<ApprovalRow> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT commune_code, state, frozen, total, approved_by, approved_at, reopened_by, reopened_at, reopen_reason \
                 FROM allowance_months WHERE commune_code = $1 AND month = $2",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .fetch_optional(pool)
            .await?
        });
        let Some(r) = row else { return Ok(None) };
        let frozen: Frozen = serde_json::from_str(&r.frozen)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        Ok(Some(MonthApproval {
            commune_code: r.commune_code,
            month,
            approved: r.state == "approved",
            total: r.total,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            reopened_by: r.reopened_by,
            reopened_at: r.reopened_at,
            reopen_reason: r.reopen_reason,
            frozen,
        }))
    }

    /// The commune's approvals whose month lies between two months
    /// (inclusive), by month.
    pub async fn month_approvals(
        &self,
        commune_code: i32,
        from: Month,
        until: Month,
    ) -> Result<Vec<(Month, bool, i64)>> {
        let rows: Vec<(NaiveDate, String, i64)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT month, state, total FROM allowance_months WHERE commune_code = $1 AND month >= $2 AND month <= $3 ORDER BY month",
            )
            .bind(commune_code)
            .bind(from.first_day())
            .bind(until.first_day())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(m, s, t)| (Month::of(m), s == "approved", t))
            .collect())
    }

    /// Approve the commune's month: the sheets and the list as the records
    /// give them now are frozen. Refuses a month not yet over, a month with
    /// no policy in force, and a month already approved.
    pub async fn approve_month(
        &self,
        actor: &Actor,
        commune_code: i32,
        month: Month,
    ) -> Result<MonthApproval> {
        let today = crate::today();
        if !month.is_over(today) {
            return Err(StoreError::invalid(
                "month",
                format!(
                    "Tháng {} chưa kết thúc: chỉ duyệt được từ ngày {}.",
                    month.label(),
                    format_date(month.next().first_day())
                ),
            ));
        }
        let figures = self.month_figures(commune_code, month).await?;
        let (Some(policy), Some(list)) = (figures.policy, figures.list) else {
            return Err(StoreError::invalid(
                "month",
                format!(
                    "Chưa có chính sách chi trả có hiệu lực trong tháng {}.",
                    month.label()
                ),
            ));
        };
        let frozen = Frozen {
            sheets: figures.sheets,
            list,
            policy,
        };
        let json = serde_json::to_string(&frozen)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let now = Utc::now();
        let record = ApprovalRecord {
            month: month.code(),
            state: "approved",
            policy_id: frozen.policy.id,
            total: frozen.list.total,
            people_paid: frozen.list.people_paid(),
            reason: None,
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let state: Option<String> = sqlx::query_scalar(
                "SELECT state FROM allowance_months WHERE commune_code = $1 AND month = $2",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .fetch_optional(&mut *tx)
            .await?;
            if state.as_deref() == Some("approved") {
                return Err(StoreError::invalid(
                    "month",
                    format!("Tháng {} đã được duyệt.", month.label()),
                ));
            }
            sqlx::query(
                "INSERT INTO allowance_months (commune_code, month, state, policy_id, frozen, total, approved_by, approved_at) \
                 VALUES ($1, $2, 'approved', $3, $4, $5, $6, $7) \
                 ON CONFLICT (commune_code, month) DO UPDATE SET state = 'approved', policy_id = $3, frozen = $4, total = $5, \
                 approved_by = $6, approved_at = $7, reopened_by = NULL, reopened_at = NULL, reopen_reason = NULL",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .bind(frozen.policy.id)
            .bind(&json)
            .bind(frozen.list.total)
            .bind(&actor.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit!(tx, actor, Some(commune_code), "allowance_month", i64::from(commune_code), "approve", None::<&ApprovalRecord>, Some(&record));
            tx.commit().await?;
        });
        self.month_approval(commune_code, month)
            .await?
            .ok_or_else(|| StoreError::not_found("Tháng vừa duyệt không còn."))
    }

    /// Reopen an approved month, with a reason: the records give its
    /// figures again until it is approved anew (the frozen copy is kept
    /// for comparison).
    pub async fn reopen_month(
        &self,
        actor: &Actor,
        commune_code: i32,
        month: Month,
        reason: &str,
    ) -> Result<()> {
        let reason = trimmed(reason);
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "Ghi lý do mở lại tháng đã duyệt.",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(StoreError::invalid("reason", "Lý do dài quá 1.000 ký tự."));
        }
        let Some(approval) = self.month_approval(commune_code, month).await? else {
            return Err(StoreError::invalid(
                "month",
                format!("Tháng {} chưa được duyệt.", month.label()),
            ));
        };
        if !approval.approved {
            return Err(StoreError::invalid(
                "month",
                format!("Tháng {} đã được mở lại.", month.label()),
            ));
        }
        let record = ApprovalRecord {
            month: month.code(),
            state: "reopened",
            policy_id: approval.frozen.policy.id,
            total: approval.total,
            people_paid: approval.frozen.list.people_paid(),
            reason: Some(&reason),
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE allowance_months SET state = 'reopened', reopened_by = $1, reopened_at = $2, reopen_reason = $3 \
                 WHERE commune_code = $4 AND month = $5 AND state = 'approved'",
            )
            .bind(&actor.name)
            .bind(Utc::now())
            .bind(&reason)
            .bind(commune_code)
            .bind(month.first_day())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::invalid("month", format!("Tháng {} đã được mở lại.", month.label())));
            }
            audit!(tx, actor, Some(commune_code), "allowance_month", i64::from(commune_code), "reopen", None::<&ApprovalRecord>, Some(&record));
            tx.commit().await?;
            Ok(())
        })
    }
}

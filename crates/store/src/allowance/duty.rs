//! Duty days: the shifts a team's leader records (a day at the commune's
//! public-service desk: date, members, place, note), one INSERT shared with
//! the importer; and the members named on a campaign. Both count as days of
//! activity on the month's sheets.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{format_date, not_in_future};

use super::trimmed;
use crate::{Actor, Result, Store, StoreError};

/// The longest place or note of a duty day.
pub const MAX_DUTY_TEXT: usize = 300;

/// A duty day of a team, with the members on duty (the API's
/// `DutyDayOut`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DutyDayOut))]
pub struct DutyDay {
    pub id: i64,
    /// Mã xã.
    pub commune_code: i32,
    pub team_id: i64,
    /// Ngày trực.
    pub held_on: NaiveDate,
    /// Địa điểm.
    pub place: String,
    /// Ghi chú.
    pub note: Option<String>,
    /// The members on duty, by name.
    pub members: Vec<DutyMember>,
}

/// A member on a duty day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DutyMemberOut))]
pub struct DutyMember {
    /// The person's id.
    pub person_id: i64,
    /// Họ và tên.
    pub full_name: String,
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
pub(super) struct DutyRow {
    id: i64,
    commune_code: i32,
    team_id: i64,
    held_on: NaiveDate,
    place: String,
    note: Option<String>,
}

pub(super) fn check_duty_text(new: &NewDutyDay) -> Result<(String, Option<String>)> {
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
    let note = toso_domain::non_blank(new.note.as_deref()).map(str::to_string);
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
    for m in &day.members {
        sqlx::query("INSERT INTO duty_day_members (duty_day_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m.person_id)
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
                Some(m) => members.push(DutyMember {
                    person_id: *p,
                    full_name: m.full_name.clone(),
                }),
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
        members.sort_by(|a, b| a.full_name.cmp(&b.full_name));
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

    pub(super) async fn duty_day_of(&self, r: DutyRow) -> Result<DutyDay> {
        let members: Vec<DutyMember> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT p.id AS person_id, p.full_name FROM duty_day_members d JOIN people p ON p.id = d.person_id \
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
    pub(super) async fn commune_members_on(
        &self,
        commune_code: i32,
        day: NaiveDate,
    ) -> Result<Vec<i64>> {
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
}

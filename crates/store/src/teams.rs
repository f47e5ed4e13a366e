//! Teams: a village's community digital technology team (one active per
//! village) or the commune's quick-response support team, established by a
//! directive document.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{format_date, not_in_future, Name, TeamKind, ZaloGroupLink};

use crate::error::violated;
use crate::{Actor, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub commune_code: i32,
    pub village_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: TeamKind,
    pub name: String,
    pub established_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    pub decision_id: Option<i64>,
    pub zalo_link: Option<String>,
}

/// A team as the list of a commune's teams shows it: with its village's
/// name (none for the quick-response team) and its members on a day.
#[derive(Debug, Clone)]
pub struct ListedTeam {
    pub team: Team,
    pub village: Option<String>,
    pub members: i64,
}

impl Team {
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.established_on <= day && self.dissolved_on.is_none_or(|d| d > day)
    }
}

#[derive(Debug, Clone)]
pub struct NewTeam {
    pub commune_code: i32,
    pub kind: TeamKind,
    /// Required for a village team, absent for the quick-response team.
    pub village_id: Option<i64>,
    pub name: Name,
    pub established_on: NaiveDate,
    pub decision_id: Option<i64>,
    pub zalo_link: Option<ZaloGroupLink>,
}

#[derive(Debug, Clone)]
pub struct TeamUpdate {
    pub name: Name,
    pub established_on: NaiveDate,
    pub decision_id: Option<i64>,
    pub zalo_link: Option<ZaloGroupLink>,
}

/// The columns of a [`Team`], for every read of the table.
pub(crate) const SELECT: &str =
    "SELECT id, commune_code, village_id, kind, name, established_on, dissolved_on, \
                      decision_id, zalo_link FROM teams";

/// The columns a new team is written with, by [`Store::create_team`] and by
/// the importer's [`insert_village_teams!`].
pub(crate) const INSERT: &str =
    "INSERT INTO teams (commune_code, village_id, kind, name, established_on, \
     decision_id, zalo_link, created_at, updated_at) ";

/// Insert new village teams of commune `$commune` inside `$tx`, in
/// multi-row statements (the importer's fast path); each item `$t` has
/// `name`, `established_on`, `decision_id` and `zalo_link`, and
/// `$village_id` is its village's id. Evaluates to their ids, in order.
/// The caller audits them.
macro_rules! insert_village_teams {
    ($tx:expr, $commune:expr, $now:expr, $teams:expr, |$t:ident| $village_id:expr) => {
        $crate::multirow::insert_chunks!(
            $tx,
            $crate::teams::INSERT,
            $teams,
            |b, $t| {
                b.push_bind($commune)
                    .push_bind($village_id)
                    .push_bind(toso_domain::TeamKind::Village.code())
                    .push_bind(&$t.name)
                    .push_bind($t.established_on)
                    .push_bind($t.decision_id)
                    .push_bind(&$t.zalo_link)
                    .push_bind($now)
                    .push_bind($now);
            },
            "name",
            |t| t.name
        )
    };
}
pub(crate) use insert_village_teams;

/// Write a team's new details (`$after`) inside `$tx`, with the audit row:
/// the one UPDATE of a team's details, for the form and the importer.
macro_rules! write_team_update {
    ($tx:expr, $actor:expr, $before:expr, $after:expr, $now:expr) => {{
        let before: &$crate::Team = $before;
        let after: &$crate::Team = $after;
        sqlx::query(
            "UPDATE teams SET name = $1, established_on = $2, decision_id = $3, zalo_link = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(&after.name)
        .bind(after.established_on)
        .bind(after.decision_id)
        .bind(after.zalo_link.as_deref())
        .bind($now)
        .bind(after.id)
        .execute(&mut *$tx)
        .await?;
        audit!($tx, $actor, Some(after.commune_code), "team", after.id, "update", Some(before), Some(after));
    }};
}
pub(crate) use write_team_update;

/// A new team refused by the one open team per village
/// (`teams_one_open_per_village`) or the one open quick-response team per
/// commune (`teams_one_open_quick_response`): another write got there
/// between the check and the insert.
fn on_open_team(err: sqlx::Error) -> StoreError {
    if violated(&err, "teams_one_open_per_village", "teams.village_id") {
        StoreError::invalid(
            "village_id",
            "Thôn, tổ dân phố này đã có tổ đang hoạt động.",
        )
    } else if violated(&err, "teams_one_open_quick_response", "teams.commune_code") {
        StoreError::invalid(
            "village_id",
            "Xã đã có đội hỗ trợ chuyển đổi số phản ứng nhanh đang hoạt động.",
        )
    } else {
        StoreError::Database(err)
    }
}

impl Store {
    pub async fn team(&self, id: i64) -> Result<Team> {
        let sql = format!("{SELECT} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Team>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy tổ số {id}.")))
    }

    /// Every team of the commune (active or not), quick-response team first.
    pub async fn teams(&self, commune_code: i32) -> Result<Vec<Team>> {
        let sql =
            format!("{SELECT} WHERE commune_code = $1 ORDER BY kind DESC, name, established_on");
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Team>(&sql).bind(commune_code).fetch_all(pool).await?
        }))
    }

    /// Every team of the commune as [`Store::teams`] orders them, each with
    /// its village's name and its members on `as_of`.
    pub async fn teams_listed(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<ListedTeam>> {
        let villages: HashMap<i64, String> = self
            .villages(commune_code, None)
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        let counts: HashMap<i64, i64> = self
            .team_member_counts(commune_code, as_of)
            .await?
            .into_iter()
            .collect();
        Ok(self
            .teams(commune_code)
            .await?
            .into_iter()
            .map(|team| ListedTeam {
                village: team.village_id.and_then(|v| villages.get(&v).cloned()),
                members: counts.get(&team.id).copied().unwrap_or(0),
                team,
            })
            .collect())
    }

    /// The teams a village has had, newest first.
    pub async fn teams_of_village(&self, village_id: i64) -> Result<Vec<Team>> {
        let sql = format!("{SELECT} WHERE village_id = $1 ORDER BY established_on DESC");
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Team>(&sql).bind(village_id).fetch_all(pool).await?
        }))
    }

    /// The teams a directive document established.
    pub async fn teams_established_by(&self, document_id: i64) -> Result<Vec<Team>> {
        let sql = format!("{SELECT} WHERE decision_id = $1 ORDER BY kind DESC, name");
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Team>(&sql).bind(document_id).fetch_all(pool).await?
        }))
    }

    /// Checks shared by create and update: the decision belongs to the
    /// commune and was issued on or before the establishment date.
    async fn check_decision(
        &self,
        commune_code: i32,
        decision_id: Option<i64>,
        established_on: NaiveDate,
    ) -> Result<()> {
        not_in_future(
            established_on,
            crate::today(),
            "established_on",
            "Ngày thành lập",
        )?;
        let Some(id) = decision_id else { return Ok(()) };
        let doc = self.document(id).await.map_err(|_| {
            StoreError::invalid(
                "decision_id",
                "Quyết định thành lập không có trong sổ văn bản của xã.",
            )
        })?;
        if doc.commune_code != commune_code {
            return Err(StoreError::invalid(
                "decision_id",
                "Quyết định thành lập không có trong sổ văn bản của xã.",
            ));
        }
        if doc.issued_on > established_on {
            return Err(StoreError::invalid(
                "established_on",
                crate::rules::before_decision(established_on, doc.issued_on),
            ));
        }
        Ok(())
    }

    pub async fn create_team(&self, actor: &Actor, new: NewTeam) -> Result<Team> {
        self.commune(new.commune_code).await?;
        match (new.kind, new.village_id) {
            (TeamKind::Village, None) => {
                return Err(StoreError::invalid(
                    "village_id",
                    "Chọn thôn, tổ dân phố của tổ.",
                ))
            }
            (TeamKind::QuickResponse, Some(_)) => {
                return Err(StoreError::invalid(
                    "village_id",
                    "Đội hỗ trợ chuyển đổi số phản ứng nhanh thuộc xã, không thuộc thôn nào.",
                ))
            }
            _ => {}
        }
        if let Some(village_id) = new.village_id {
            let village = self.village(village_id).await?;
            if village.commune_code != new.commune_code {
                return Err(StoreError::invalid(
                    "village_id",
                    "Thôn, tổ dân phố đã chọn không thuộc xã này.",
                ));
            }
            if !village.is_active_on(new.established_on) {
                return Err(StoreError::invalid(
                    "established_on",
                    format!(
                        "Thôn, tổ dân phố «{}» không hoạt động vào ngày {}.",
                        village.name,
                        format_date(new.established_on)
                    ),
                ));
            }
        }
        self.check_decision(new.commune_code, new.decision_id, new.established_on)
            .await?;

        let team = Team {
            id: 0,
            commune_code: new.commune_code,
            village_id: new.village_id,
            kind: new.kind,
            name: new.name.as_str().to_string(),
            established_on: new.established_on,
            dissolved_on: None,
            decision_id: new.decision_id,
            zalo_link: new.zalo_link.as_ref().map(|z| z.as_str().to_string()),
        };
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // One active team per village (and one quick-response team per
            // commune): an existing team whose period reaches the new
            // establishment date blocks it. Checked inside the write
            // transaction; the partial unique indexes back it up.
            let clash: Option<(String, NaiveDate)> = sqlx::query_as(
                "SELECT name, established_on FROM teams WHERE commune_code = $1 AND kind = $2 \
                 AND (($3 IS NULL AND village_id IS NULL) OR village_id = $3) \
                 AND (dissolved_on IS NULL OR dissolved_on > $4) LIMIT 1",
            )
            .bind(team.commune_code)
            .bind(team.kind.code())
            .bind(team.village_id)
            .bind(team.established_on)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((name, since)) = clash {
                return Err(StoreError::invalid(
                    "village_id",
                    crate::rules::team_clash(team.kind, &name, since),
                ));
            }
            let id: i64 = sqlx::query_scalar(&format!(
                "{INSERT}VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id"
            ))
            .bind(team.commune_code)
            .bind(team.village_id)
            .bind(team.kind.code())
            .bind(&team.name)
            .bind(team.established_on)
            .bind(team.decision_id)
            .bind(team.zalo_link.as_deref())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_open_team)?;
            let team = Team { id, ..team };
            audit!(tx, actor, Some(team.commune_code), "team", id, "create", None::<&Team>, Some(&team));
            tx.commit().await?;
            Ok(team)
        })
    }

    pub async fn update_team(&self, actor: &Actor, id: i64, upd: TeamUpdate) -> Result<Team> {
        let before = self.team(id).await?;
        self.check_decision(before.commune_code, upd.decision_id, upd.established_on)
            .await?;
        if let Some(d) = before.dissolved_on {
            if upd.established_on > d {
                return Err(StoreError::invalid(
                    "established_on",
                    format!(
                        "Ngày thành lập không được sau ngày giải thể ({}).",
                        format_date(d)
                    ),
                ));
            }
        }
        let after = Team {
            name: upd.name.as_str().to_string(),
            established_on: upd.established_on,
            decision_id: upd.decision_id,
            zalo_link: upd.zalo_link.as_ref().map(|z| z.as_str().to_string()),
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_team_update!(tx, actor, &before, &after, Utc::now());
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Dissolve a team from `on`; its open memberships end the same day.
    pub async fn dissolve_team(&self, actor: &Actor, id: i64, on: NaiveDate) -> Result<Team> {
        let before = self.team(id).await?;
        not_in_future(on, crate::today(), "dissolved_on", "Ngày giải thể")?;
        if before.dissolved_on.is_some() {
            return Err(StoreError::invalid(
                "dissolved_on",
                format!("Tổ «{}» đã giải thể.", before.name),
            ));
        }
        if on < before.established_on {
            return Err(StoreError::invalid(
                "dissolved_on",
                format!(
                    "Ngày giải thể không được trước ngày thành lập ({}).",
                    format_date(before.established_on)
                ),
            ));
        }
        let after = Team {
            dissolved_on: Some(on),
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE teams SET dissolved_on = $1, updated_at = $2 WHERE id = $3")
                .bind(on)
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // Memberships that started after `on` cannot end before they start.
            let open: Vec<crate::Membership> = sqlx::query_as(concat!(
                "SELECT ",
                crate::people::membership_columns!(),
                " FROM memberships WHERE team_id = $1 AND ended_on IS NULL AND started_on <= $2"
            ))
            .bind(id)
            .bind(on)
            .fetch_all(&mut *tx)
            .await?;
            for m in open {
                crate::people::write_membership_end!(tx, actor, before.commune_code, &m, on, Utc::now());
            }
            audit!(tx, actor, Some(before.commune_code), "team", id, "dissolve", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }
}

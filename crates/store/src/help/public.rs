//! What a citizen reaches without an account: each village's public code
//! (the address its poster's QR code opens, renewed when a poster is torn
//! down), the village's page with its team and the commune's
//! quick-response team, and only the members who agreed to be listed.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{Role, TeamKind};

use super::random_code;
use crate::{Actor, Result, Store, StoreError};

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

/// What a commune's public pages share (see `Store::commune_facts`).
struct CommuneFacts {
    commune_name: String,
    province_name: String,
    teams: Vec<crate::Team>,
    quick_response: Option<PublicTeam>,
}

/// The quick-response team of `teams` active on `day`.
fn quick_response_in(teams: &[crate::Team], day: NaiveDate) -> Option<&crate::Team> {
    teams
        .iter()
        .find(|t| t.kind == TeamKind::QuickResponse && t.is_active_on(day))
}

/// The team of `teams` serving `village_id` on `day`.
fn village_team_in(teams: &[crate::Team], village_id: i64, day: NaiveDate) -> Option<&crate::Team> {
    teams
        .iter()
        .find(|t| t.village_id == Some(village_id) && t.is_active_on(day))
}

impl Store {
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
    pub(super) async fn listed_members(
        &self,
        team_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<PublicMember>> {
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

    pub(super) async fn public_team(
        &self,
        team: &crate::Team,
        day: NaiveDate,
    ) -> Result<PublicTeam> {
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
        Ok(quick_response_in(&self.teams(commune_code).await?, day).cloned())
    }

    /// The active village team of `village_id` on `day`.
    pub async fn village_team(
        &self,
        commune_code: i32,
        village_id: i64,
        day: NaiveDate,
    ) -> Result<Option<crate::Team>> {
        Ok(village_team_in(&self.teams(commune_code).await?, village_id, day).cloned())
    }

    /// What every public page of a commune shows beside its village, read
    /// once however many villages' pages are made (the posters).
    async fn commune_facts(&self, commune_code: i32, day: NaiveDate) -> Result<CommuneFacts> {
        let commune = self.commune(commune_code).await?;
        let province = self.province(commune.province_code).await?;
        let teams = self.teams(commune_code).await?;
        let quick_response = match quick_response_in(&teams, day) {
            Some(t) => Some(self.public_team(t, day).await?),
            None => None,
        };
        Ok(CommuneFacts {
            commune_name: commune.name,
            province_name: province.name,
            teams,
            quick_response,
        })
    }

    async fn public_village_of(
        &self,
        code: String,
        village: &crate::Village,
        facts: &CommuneFacts,
        day: NaiveDate,
    ) -> Result<PublicVillage> {
        let team = match village_team_in(&facts.teams, village.id, day) {
            Some(t) => Some(self.public_team(t, day).await?),
            None => None,
        };
        Ok(PublicVillage {
            code,
            village_id: village.id,
            village_name: village.name.clone(),
            commune_code: village.commune_code,
            commune_name: facts.commune_name.clone(),
            province_name: facts.province_name.clone(),
            team,
            quick_response: facts.quick_response.clone(),
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
        let facts = self.commune_facts(village.commune_code, day).await?;
        if current && village.is_active_on(day) {
            return Ok(PublicLookup::Found(Box::new(
                self.public_village_of(code.to_string(), &village, &facts, day)
                    .await?,
            )));
        }
        Ok(PublicLookup::Expired {
            commune_name: facts.commune_name,
            quick_response: facts.quick_response,
        })
    }

    /// Every active village of the commune on `day` as its poster shows
    /// it (codes made where missing), in the villages' order. The commune,
    /// its teams and its quick-response team are read once.
    pub async fn public_villages(
        &self,
        commune_code: i32,
        day: NaiveDate,
    ) -> Result<Vec<PublicVillage>> {
        let facts = self.commune_facts(commune_code, day).await?;
        let mut out = Vec::new();
        for village in self.villages(commune_code, Some(day)).await? {
            if !village.is_active_on(day) {
                continue;
            }
            let code = self.village_code(village.id).await?;
            out.push(self.public_village_of(code, &village, &facts, day).await?);
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
}

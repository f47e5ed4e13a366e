//! Loading the current state ([`super::state::State`]) inside the writing
//! transaction: the commune's villages, village teams (for a duty-day sheet
//! its quick-response team too) and documents, for a roster or a duty-day
//! sheet the memberships of those teams (team by team) and their people (by
//! ranges of ids), each bulk read answering one JSON array, and for a
//! duty-day sheet the teams' duty days.

use chrono::NaiveDate;

use crate::{Result, StoreError};

/// A membership as the bulk read answers it:
/// `[id, team_id, person_id, role, affiliation, started_on, ended_on, role_since]`.
pub(super) type MembershipJson = (
    i64,
    i64,
    i64,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
);
/// A person: `[id, commune_code, full_name, gender, birth_year, phone]`.
pub(super) type PersonJson = (
    i64,
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
);

pub(super) fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("bulk read: {e}"))))
}

/// Load what the plan of `$kind` needs, inside `$tx`.
macro_rules! load_state {
    ($tx:expr, $commune:expr, $kind:expr) => {{
        use toso_domain::{Affiliation, Role};
        use toso_sheets::SheetKind;
        use $crate::import::bulk::{Bulk, BULK};
        use $crate::import::load::{from_json, MembershipJson, PersonJson};
        use $crate::import::state::{ExistingDutyDay, State};
        use $crate::{Document, Membership, Person, StoreError, Team, Village};
        let commune: i32 = $commune;
        let villages = sqlx::query_as::<_, Village>(&format!(
            "{} WHERE commune_code = $1 ORDER BY id",
            $crate::villages::SELECT
        ))
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        // A duty-day sheet may name the quick-response team too.
        let kinds = if $kind == SheetKind::DutyDays {
            ""
        } else {
            " AND kind = 'village'"
        };
        let teams = sqlx::query_as::<_, Team>(&format!(
            "{} WHERE commune_code = $1{kinds} ORDER BY id",
            $crate::teams::SELECT
        ))
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        let documents = sqlx::query_as::<_, Document>(&format!(
            "{} WHERE commune_code = $1",
            $crate::documents::SELECT
        ))
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        let mut state = State::new(villages, teams, documents);
        if $kind == SheetKind::Members || $kind == SheetKind::DutyDays {
            // The memberships of the commune's teams loaded, team by team,
            // then their people by ranges of ids (sequential reads), each
            // query answering one JSON array (rather than a row per record).
            let team_ids: Vec<i64> = state.teams.iter().map(|t| t.id).collect();
            let mut memberships: Vec<Membership> = Vec::new();
            for team in team_ids {
                let json = Bulk::memberships_json(&mut *$tx, team).await?;
                let rows: Vec<MembershipJson> = from_json(&json)?;
                for (id, team_id, person_id, role, affiliation, started_on, ended_on, role_since) in
                    rows
                {
                    memberships.push(Membership {
                        id,
                        team_id,
                        person_id,
                        role: Role::try_from(role).map_err(StoreError::Invalid)?,
                        affiliation: Affiliation::try_from(affiliation)
                            .map_err(StoreError::Invalid)?,
                        started_on,
                        ended_on,
                        role_since,
                    });
                }
            }
            let mut ids: Vec<i64> = memberships.iter().map(|m| m.person_id).collect();
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(BULK) {
                let json = Bulk::people_json(&mut *$tx, chunk[0], chunk[chunk.len() - 1]).await?;
                let people: Vec<PersonJson> = from_json(&json)?;
                state.members.add_people(
                    people
                        .into_iter()
                        .filter(|p| chunk.binary_search(&p.0).is_ok())
                        .map(
                            |(id, commune_code, full_name, gender, birth_year, phone)| Person {
                                id,
                                commune_code,
                                full_name,
                                gender,
                                birth_year,
                                phone,
                            },
                        ),
                );
            }
            drop(ids);
            state.members.memberships = memberships;
            state.members.finish();
        }
        if $kind == SheetKind::DutyDays {
            let days: Vec<(i64, i64, chrono::NaiveDate, String, Option<String>)> = sqlx::query_as(
                "SELECT d.id, d.team_id, d.held_on, d.place, d.note FROM duty_days d \
                 WHERE d.commune_code = $1 ORDER BY d.id",
            )
            .bind(commune)
            .fetch_all(&mut *$tx)
            .await?;
            let on_duty: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT m.duty_day_id, m.person_id FROM duty_day_members m \
                 JOIN duty_days d ON d.id = m.duty_day_id \
                 WHERE d.commune_code = $1 ORDER BY m.duty_day_id, m.person_id",
            )
            .bind(commune)
            .fetch_all(&mut *$tx)
            .await?;
            let mut on_duty = on_duty.into_iter().peekable();
            for (id, team_id, held_on, place, note) in days {
                // Both ordered by duty day: the members of each in turn.
                while on_duty.next_if(|(d, _)| *d < id).is_some() {}
                let mut members = Vec::new();
                while let Some((_, person)) = on_duty.next_if(|(d, _)| *d == id) {
                    members.push(person);
                }
                state.duty_days.push(ExistingDutyDay {
                    id,
                    team_id,
                    held_on,
                    place,
                    note,
                    members,
                });
            }
        }
        state
    }};
}

pub(super) use load_state;

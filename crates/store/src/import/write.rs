//! Writing the plan inside the import's transaction: villages, teams and
//! documents by their record modules' multi-row INSERTs and updates
//! (`villages`, `teams`, `documents`), people and memberships through the
//! per-backend bulk writers ([`super::bulk`]) with the column lists of
//! `people`, their updates by `people`'s writers, duty days by
//! [`crate::allowance::insert_duty_day`]. The records created are audited by
//! one entry per kind — except duty days, audited one by one as the team
//! page writes them — the records updated by one entry each.

use serde::Serialize;

pub(super) struct AuditRow {
    pub(super) commune: i32,
    pub(super) entity: &'static str,
    pub(super) id: i64,
    pub(super) action: &'static str,
    pub(super) before: Option<sqlx::types::Json<serde_json::Value>>,
    pub(super) after: Option<sqlx::types::Json<serde_json::Value>>,
}

pub(super) fn audit_row<T: Serialize>(
    commune: i32,
    entity: &'static str,
    id: i64,
    action: &'static str,
    before: Option<&T>,
    after: Option<&T>,
) -> AuditRow {
    AuditRow {
        commune,
        entity,
        id,
        action,
        before: crate::audit::json(before),
        after: crate::audit::json(after),
    }
}

/// The audit entry of the records of one kind an import creates: entity
/// `import`, id 0, action `create`, and after it the file, the kind, the
/// number created and their ids as ranges `[[first, last], …]`. `None` when
/// it creates none.
pub(super) fn import_audit_row(
    commune: i32,
    source: &str,
    entity: &str,
    ids: &[i64],
) -> Option<AuditRow> {
    if ids.is_empty() {
        return None;
    }
    let after = serde_json::json!({
        "file": source,
        "entity": entity,
        "created": ids.len(),
        "ids": id_ranges(ids),
    });
    Some(AuditRow {
        commune,
        entity: "import",
        id: 0,
        action: "create",
        before: None,
        after: Some(sqlx::types::Json(after)),
    })
}

/// Ids as ascending ranges of consecutive ids, `[first, last]` each.
pub(crate) fn id_ranges(ids: &[i64]) -> Vec<[i64; 2]> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut ranges: Vec<[i64; 2]> = Vec::new();
    for id in sorted {
        match ranges.last_mut() {
            Some(r) if id <= r[1] + 1 => r[1] = r[1].max(id),
            _ => ranges.push([id, id]),
        }
    }
    ranges
}

macro_rules! insert_audit {
    ($tx:expr, $actor:expr, $rows:expr) => {{
        use $crate::import::write::AuditRow;
        use $crate::multirow::CHUNK;
        use $crate::Actor;
        use chrono::Utc;
        let actor: &Actor = $actor;
        let rows: Vec<AuditRow> = $rows;
        let now = Utc::now();
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (at, actor, address, commune_code, entity, entity_id, action, before, after, \
                 province_code) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(now)
                    .push_bind(&actor.name)
                    .push_bind(actor.address.as_deref())
                    .push_bind(r.commune)
                    .push_bind(r.entity)
                    .push_bind(r.id)
                    .push_bind(r.action)
                    .push_bind(r.before.clone())
                    .push_bind(r.after.clone())
                    // The province, derived from the commune.
                    .push("(SELECT province_code FROM communes WHERE code = ")
                    .push_bind_unseparated(r.commune)
                    .push_unseparated(")");
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use insert_audit;

/// Write `$plan` inside `$tx`.
macro_rules! write_plan {
    ($tx:expr, $actor:expr, $commune:expr, $source:expr, $plan:expr, $rows:expr) => {{
        use chrono::{SubsecRound, Utc};
        use $crate::import::bulk::{Bulk, BulkCtx, NewMembershipRow, NewPersonRow, BULK};
        use $crate::import::plan::{Plan, Ref};
        use $crate::import::write::{audit_row, import_audit_row, insert_audit, AuditRow};
        let plan: &Plan = $plan;
        let commune: i32 = $commune;
        let source: &str = $source;
        // The records created: one audit entry per kind.
        let created = |entity: &str, ids: &[i64]| -> Vec<AuditRow> {
            import_audit_row(commune, source, entity, ids)
                .into_iter()
                .collect()
        };
        // Whole seconds: the same instant for every row of the import, and
        // ten bytes less in each of its timestamps.
        let now = Utc::now().trunc_subsecs(0);

        // Villages.
        let village_ids = $crate::villages::insert_villages!($tx, commune, now, plan.villages);
        insert_audit!($tx, $actor, created("village", &village_ids));
        for (before, after) in &plan.village_updates {
            $crate::villages::write_village_update!($tx, $actor, before, after, now);
        }
        let village_id = |r: Ref| match r {
            Ref::Old(id) => id,
            Ref::New(i) => village_ids[i],
        };

        // Teams.
        let team_ids =
            $crate::teams::insert_village_teams!($tx, commune, now, plan.teams, |t| village_id(
                t.village
            ));
        insert_audit!($tx, $actor, created("team", &team_ids));
        for (before, after) in &plan.team_updates {
            $crate::teams::write_team_update!($tx, $actor, before, after, now);
        }
        let team_id = |r: Ref| match r {
            Ref::Old(id) => id,
            Ref::New(i) => team_ids[i],
        };

        // People and memberships: in bulk, ids assigned inside the
        // transaction. Written in team order — the memberships sorted by team
        // (the sheet's order within a team), the new people numbered in the
        // order their first membership comes — so that every key of the
        // memberships (id, team, team and person, person) and the people's
        // ids arrive in ascending order and are appended to their B-trees.
        let ctx = BulkCtx { commune, now };
        let mut membership_order: Vec<usize> = (0..plan.memberships.len()).collect();
        membership_order.sort_by_key(|&m| team_id(plan.memberships[m].team));
        let mut person_order: Vec<usize> = Vec::with_capacity(plan.people.len());
        let mut placed = vec![false; plan.people.len()];
        for &m in &membership_order {
            if let Ref::New(p) = plan.memberships[m].person {
                if !std::mem::replace(&mut placed[p], true) {
                    person_order.push(p);
                }
            }
        }
        person_order.extend((0..plan.people.len()).filter(|&p| !placed[p]));
        drop(placed);
        let fresh_people = Bulk::fresh_ids(&mut *$tx, "people", plan.people.len()).await?;
        let mut person_ids = vec![0i64; plan.people.len()];
        for (&p, &id) in person_order.iter().zip(&fresh_people) {
            person_ids[p] = id;
        }
        let people_indexes = Bulk::suspend_indexes(&mut *$tx, "people", plan.people.len()).await?;
        let mut people: Vec<NewPersonRow> = Vec::with_capacity(BULK.min(plan.people.len()));
        for (chunk, ids) in person_order.chunks(BULK).zip(fresh_people.chunks(BULK)) {
            people.clear();
            for (&p, &id) in chunk.iter().zip(ids) {
                let row = &$rows[plan.people[p].row as usize];
                let name = row.full_name.as_str();
                people.push(NewPersonRow(
                    id,
                    name,
                    $crate::people::name_fold(name),
                    row.gender.map(|g| g.code()),
                    row.birth_year.map(|b| b.get()),
                    row.phone.as_ref().map(|p| p.as_str()),
                ));
            }
            Bulk::people(&mut *$tx, &ctx, &people).await?;
        }
        drop(people);
        Bulk::rebuild_indexes(&mut *$tx, people_indexes).await?;
        let mut audits = created("person", &person_ids);
        for (before, after) in &plan.person_updates {
            $crate::people::update_person_row!($tx, after, now);
            audits.push(audit_row(
                commune,
                "person",
                after.id,
                "update",
                Some(before),
                Some(after),
            ));
        }
        insert_audit!($tx, $actor, std::mem::take(&mut audits));
        tracing::debug!(people = plan.people.len(), "import: people written");
        let person_id = |r: Ref| match r {
            Ref::Old(id) => id,
            Ref::New(i) => person_ids[i],
        };

        let membership_ids =
            Bulk::fresh_ids(&mut *$tx, "memberships", plan.memberships.len()).await?;
        let mut memberships: Vec<NewMembershipRow> =
            Vec::with_capacity(BULK.min(plan.memberships.len()));
        for (chunk, ids) in membership_order
            .chunks(BULK)
            .zip(membership_ids.chunks(BULK))
        {
            memberships.clear();
            for (&m, &id) in chunk.iter().zip(ids) {
                let m = &plan.memberships[m];
                memberships.push(NewMembershipRow(
                    id,
                    team_id(m.team),
                    person_id(m.person),
                    m.role.code(),
                    m.affiliation.code(),
                    m.started_on,
                ));
            }
            Bulk::memberships(&mut *$tx, &ctx, &memberships).await?;
        }
        drop(memberships);
        audits.extend(created("membership", &membership_ids));
        tracing::debug!(
            memberships = plan.memberships.len(),
            "import: memberships written"
        );
        for (before, after) in &plan.membership_updates {
            crate::people::write_term_change!($tx, before, after, now);
            audits.push(audit_row(
                commune,
                "membership",
                after.id,
                "update",
                Some(before),
                Some(after),
            ));
        }
        insert_audit!($tx, $actor, audits);

        // Documents.
        let document_ids = $crate::documents::insert_documents!($tx, commune, now, plan.documents);
        insert_audit!($tx, $actor, created("document", &document_ids));
        for (before, after) in &plan.document_updates {
            $crate::documents::write_document_update!($tx, $actor, before, after, now);
        }

        // Duty days: each with its own audit row, as the team page writes it.
        for day in &plan.duty_days {
            let mut day = day.clone();
            $crate::allowance::insert_duty_day(&mut $tx, $actor, &mut day, now).await?;
        }
    }};
}
pub(super) use write_plan;

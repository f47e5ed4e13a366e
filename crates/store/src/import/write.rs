//! Writing the plan inside the import's transaction: villages, teams and
//! documents in multi-row INSERTs of [`CHUNK`] rows, people and memberships
//! through the per-backend bulk writers ([`super::bulk`]), the updates one
//! by one; the records created audited by one entry per kind, the records
//! updated by one entry each.

use serde::Serialize;
use toso_domain::fold;

use crate::Document;

/// Rows per multi-row INSERT (at most 9 parameters a row: well under the
/// limits of SQLite, 32,766, and PostgreSQL, 65,535).
pub(super) const CHUNK: usize = 1000;

/// Multi-row INSERT of `$items` in chunks, `RETURNING id, <check column>`;
/// ids come back in insertion order (sorted), checked against `$check`.
macro_rules! insert_chunks {
    ($tx:expr, $sql:expr, $items:expr, |$b:ident, $it:ident| $push:block, $check:expr) => {{
        use $crate::import::write::CHUNK;
        use $crate::StoreError;
        let mut all_ids: Vec<i64> = Vec::with_capacity($items.len());
        for chunk in $items.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new($sql);
            qb.push_values(chunk, |mut $b, $it| $push);
            qb.push(" RETURNING id, ");
            qb.push($check.0);
            let mut got: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *$tx).await?;
            got.sort_unstable_by_key(|(id, _)| *id);
            for ((_, key), item) in got.iter().zip(chunk.iter()) {
                if *key != ($check.1)(item) {
                    return Err(StoreError::Database(sqlx::Error::Protocol(
                        "bulk insert returned ids out of order".into(),
                    )));
                }
            }
            all_ids.extend(got.into_iter().map(|(id, _)| id));
        }
        all_ids
    }};
}
pub(super) use insert_chunks;

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
        use $crate::import::write::{AuditRow, CHUNK};
        use $crate::Actor;
        use chrono::Utc;
        let actor: &Actor = $actor;
        let rows: Vec<AuditRow> = $rows;
        let now = Utc::now();
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (at, actor, address, commune_code, entity, entity_id, action, before, after) ",
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
                    .push_bind(r.after.clone());
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(super) use insert_audit;

/// Write `$plan` inside `$tx`.
macro_rules! write_plan {
    ($tx:expr, $actor:expr, $commune:expr, $source:expr, $plan:expr, $rows:expr) => {{
        use $crate::import::bulk::{Bulk, BulkCtx, NewMembershipRow, NewPersonRow, BULK};
        use $crate::import::plan::{NewTeamOp, NewVillageOp, Plan, Ref};
        use $crate::import::write::{audit_row, document_fold, import_audit_row, insert_audit, insert_chunks, AuditRow};
        use $crate::Document;
        use chrono::{Datelike, SubsecRound, Utc};
        use toso_domain::{fold, TeamKind};
        let plan: &Plan = $plan;
        let commune: i32 = $commune;
        let source: &str = $source;
        // The records created: one audit entry per kind.
        let created = |entity: &str, ids: &[i64]| -> Vec<AuditRow> {
            import_audit_row(commune, source, entity, ids).into_iter().collect()
        };
        // Whole seconds: the same instant for every row of the import, and
        // ten bytes less in each of its timestamps.
        let now = Utc::now().trunc_subsecs(0);

        // Villages.
        let village_ids = insert_chunks!(
            $tx,
            "INSERT INTO villages (commune_code, kind, name, name_fold, active_from, created_at, updated_at) ",
            plan.villages,
            |b, v| {
                b.push_bind(commune)
                    .push_bind(v.kind.code())
                    .push_bind(&v.name)
                    .push_bind(fold(&v.name))
                    .push_bind(v.active_from)
                    .push_bind(now)
                    .push_bind(now);
            },
            ("name", |v: &NewVillageOp| v.name.clone())
        );
        insert_audit!($tx, $actor, created("village", &village_ids));
        for (before, after) in &plan.village_updates {
            sqlx::query("UPDATE villages SET kind = $1, updated_at = $2 WHERE id = $3")
                .bind(after.kind.code())
                .bind(now)
                .bind(after.id)
                .execute(&mut *$tx)
                .await?;
            insert_audit!($tx, $actor, vec![audit_row(commune, "village", after.id, "update", Some(before), Some(after))]);
        }
        let village_id = |r: Ref| match r {
            Ref::Old(id) => id,
            Ref::New(i) => village_ids[i],
        };

        // Teams.
        let team_ids = insert_chunks!(
            $tx,
            "INSERT INTO teams (commune_code, village_id, kind, name, established_on, decision_id, zalo_link, created_at, updated_at) ",
            plan.teams,
            |b, t| {
                b.push_bind(commune)
                    .push_bind(village_id(t.village))
                    .push_bind(TeamKind::Village.code())
                    .push_bind(&t.name)
                    .push_bind(t.established_on)
                    .push_bind(t.decision_id)
                    .push_bind(&t.zalo_link)
                    .push_bind(now)
                    .push_bind(now);
            },
            ("name", |t: &NewTeamOp| t.name.clone())
        );
        insert_audit!($tx, $actor, created("team", &team_ids));
        for (before, after) in &plan.team_updates {
            sqlx::query("UPDATE teams SET name = $1, decision_id = $2, zalo_link = $3, updated_at = $4 WHERE id = $5")
                .bind(&after.name)
                .bind(after.decision_id)
                .bind(after.zalo_link.as_deref())
                .bind(now)
                .bind(after.id)
                .execute(&mut *$tx)
                .await?;
            insert_audit!($tx, $actor, vec![audit_row(commune, "team", after.id, "update", Some(before), Some(after))]);
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
                    fold(name),
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
            sqlx::query(
                "UPDATE people SET full_name = $1, name_fold = $2, gender = $3, birth_year = $4, phone = $5, \
                 updated_at = $6 WHERE id = $7",
            )
            .bind(&after.full_name)
            .bind(fold(&after.full_name))
            .bind(after.gender.as_deref())
            .bind(after.birth_year)
            .bind(after.phone.as_deref())
            .bind(now)
            .bind(after.id)
            .execute(&mut *$tx)
            .await?;
            audits.push(audit_row(commune, "person", after.id, "update", Some(before), Some(after)));
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
        for (chunk, ids) in membership_order.chunks(BULK).zip(membership_ids.chunks(BULK)) {
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
        tracing::debug!(memberships = plan.memberships.len(), "import: memberships written");
        for (before, after) in &plan.membership_updates {
            crate::people::write_term_change!($tx, before, after, now);
            audits.push(audit_row(commune, "membership", after.id, "update", Some(before), Some(after)));
        }
        insert_audit!($tx, $actor, audits);

        // Documents.
        let document_ids = insert_chunks!(
            $tx,
            "INSERT INTO documents (commune_code, kind, doc_number, issued_on, issued_year, issuer, subject, search_fold, created_at, updated_at) ",
            plan.documents,
            |b, d| {
                b.push_bind(commune)
                    .push_bind(d.kind.code())
                    .push_bind(&d.doc_number)
                    .push_bind(d.issued_on)
                    .push_bind(d.issued_on.year())
                    .push_bind(&d.issuer)
                    .push_bind(&d.subject)
                    .push_bind(document_fold(d))
                    .push_bind(now)
                    .push_bind(now);
            },
            ("doc_number", |d: &Document| d.doc_number.clone())
        );
        insert_audit!($tx, $actor, created("document", &document_ids));
        for (before, after) in &plan.document_updates {
            sqlx::query(
                "UPDATE documents SET kind = $1, issued_on = $2, issued_year = $3, issuer = $4, subject = $5, \
                 search_fold = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(after.kind.code())
            .bind(after.issued_on)
            .bind(after.issued_on.year())
            .bind(&after.issuer)
            .bind(&after.subject)
            .bind(document_fold(after))
            .bind(now)
            .bind(after.id)
            .execute(&mut *$tx)
            .await?;
            insert_audit!($tx, $actor, vec![audit_row(commune, "document", after.id, "update", Some(before), Some(after))]);
        }
    }};
}
pub(super) use write_plan;

/// The search key of a document (as `documents.rs` computes it).
pub(super) fn document_fold(doc: &Document) -> String {
    fold(&format!(
        "{} {} {} {}",
        doc.kind.label(),
        doc.doc_number,
        doc.issuer,
        doc.subject
    ))
}

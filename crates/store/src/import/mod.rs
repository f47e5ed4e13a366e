//! Importing lists read from spreadsheets: a plan first (rows to create,
//! update and skip, and every error by row and column), then — only when
//! there is no error and the caller commits — every write in ONE
//! transaction, with its audit entries.
//!
//! The plan is computed in memory against the commune's records read inside
//! the writing transaction, so the dry run and the commit see the same
//! thing. The rules are the store's: one active team per village (a new one
//! only after the old one's dissolution), a membership within its team's
//! period, the same person not twice in a team at the same time, dates not in
//! the future, a team not established before its decision, document numbers
//! unique per commune and year. The partial unique indexes back them up
//! inside the transaction.
//!
//! Natural keys, so that importing the same file twice changes nothing:
//! village by its folded name within the commune ("TDP 1" = "Tổ dân phố 1");
//! team by its village (the village's open team); person by phone, else by
//! folded name and birth year, among the people of the team; document by
//! number and year; duty day by team, day and folded place, the same
//! members making it unchanged. An empty cell never overwrites a stored
//! value.
//!
//! A duty-day sheet creates duty days only (never a village, team or
//! member: each row names a member of the village's team on that day), each
//! with its own audit row as the team page writes it
//! ([`crate::allowance::insert_duty_day`]).
//!
//! The audit trail of an import: the records it CREATES are audited by ONE
//! entry per import and kind — entity `import`, id 0, action `create`, no
//! before, and after `{"file": …, "entity": "person", "created": 500000,
//! "ids": [[1, 500000]]}` (the ids as ranges of consecutive ids) — instead
//! of one per record: the created rows themselves are in their tables, and
//! every later change of one is audited with its before and after.
//! [`Store::audit_of`] of a created record returns that entry. The records
//! an import UPDATES keep one audit row each, with before and after, as
//! every other write. (A 500,000-member roster wrote 1,002,000 audit rows,
//! half the database, before; it now writes four.)
//!
//! Large imports use multi-row INSERTs (sqlx `QueryBuilder`, accepted by both
//! backends) in chunks, people and memberships one JSON array of 10,000 rows
//! per statement, so memory stays bounded by the plan.
//!
//! The rooms: this file holds the entry ([`Store::import`]) and the public
//! types; `state` the current records in memory, `load` reading them,
//! `plan` deciding create / update / unchanged (pure, tested without a
//! database), `write` writing the plan, `bulk` the per-backend bulk
//! writers. The SQL of each record kind's single writes lives in its own
//! module (`villages`, `teams`, `people`, `documents`).

use chrono::NaiveDate;
use serde::Serialize;
use toso_domain::not_in_future;
use toso_sheets::{Issue, MemberRow, ParsedSheet, Rows, SheetKind};

use crate::{Actor, Result, Store};

mod bulk;
mod load;
mod plan;
mod state;
mod write;

use bulk::{Bulk, BULK};
use load::load_state;
use plan::{plan_documents, plan_duty_days, plan_members, plan_teams, plan_villages, Plan};
use write::write_plan;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub commune_code: i32,
    /// The import's reference date: the default establishment date of the
    /// villages and teams it creates and start of the memberships, and the
    /// day a changed role or affiliation takes effect (the earlier values
    /// stay in the membership's history).
    pub as_of: NaiveDate,
    /// Establishment date of the teams (and villages) the import creates, and
    /// start of memberships without a "Ngày tham gia"; default `as_of`.
    pub established_on: Option<NaiveDate>,
    /// Write the plan (false: dry run).
    pub commit: bool,
    /// The file's name, recorded in the audit entries of the records the
    /// import creates.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    Skip,
}

impl RowAction {
    pub fn label(self) -> &'static str {
        match self {
            RowAction::Create => "Thêm mới",
            RowAction::Update => "Cập nhật",
            RowAction::Skip => "Không đổi",
        }
    }
}

/// What happens to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowOutcome {
    pub line: u32,
    pub action: RowAction,
    /// The record, as a user names it ("Nguyễn Văn An — Thôn Hải Sơn").
    pub label: String,
    /// For an update: "Số điện thoại: 0912345678 → 0987654321"; for a
    /// create: what else is created ("thêm thôn mới", "thêm tổ mới").
    pub changes: Vec<String>,
}

/// Records written (or to be written) by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub villages: u64,
    pub teams: u64,
    pub people: u64,
    pub memberships: u64,
    pub documents: u64,
    pub duty_days: u64,
}

/// The preview of an import, or its result once committed.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kind: SheetKind,
    /// True once written.
    pub committed: bool,
    pub rows: Vec<RowOutcome>,
    /// Every error by row and column; any error means nothing is written.
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    pub created: Counts,
    pub updated: Counts,
}

impl ImportReport {
    pub fn count(&self, action: RowAction) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// True when the import writes nothing (a re-import of the same file).
    pub fn changes_nothing(&self) -> bool {
        self.created == Counts::default() && self.updated == Counts::default()
    }
}

impl Store {
    /// Plan the import of a parsed sheet into a commune and, with
    /// `opts.commit` and no error anywhere (in the sheet or in the plan),
    /// write it in one transaction. Without `commit` nothing is written (dry
    /// run). Re-importing the same rows plans no change.
    pub async fn import(
        &self,
        actor: &Actor,
        sheet: &ParsedSheet,
        opts: &ImportOptions,
    ) -> Result<ImportReport> {
        self.commune(opts.commune_code).await?;
        let date = opts.established_on.unwrap_or(opts.as_of);
        not_in_future(date, crate::today(), "established_on", "Ngày thành lập")?;
        let kind = sheet.rows.kind();
        let commune = opts.commune_code;
        on_write!(self, pool => {
            let started = std::time::Instant::now();
            let mut tx = pool.begin().await?;
            let mut large = false;
            let done: Result<(Plan, bool)> = async {
                let state = load_state!(tx, commune, kind);
                tracing::debug!(elapsed = ?started.elapsed(), "import: the commune's records read");
                let mut plan = Plan {
                    errors: sheet.errors.clone(),
                    warnings: sheet.warnings.clone(),
                    ..Plan::default()
                };
                match &sheet.rows {
                    Rows::Villages(rows) => plan_villages(&state, rows, date, &mut plan),
                    Rows::Teams(rows) => plan_teams(&state, rows, date, &mut plan),
                    Rows::Members(rows) => {
                        plan_members(&state, rows, opts.established_on, opts.as_of, &mut plan)
                    }
                    Rows::Documents(rows) => plan_documents(&state, rows, commune, &mut plan),
                    Rows::DutyDays(rows) => plan_duty_days(&state, rows, commune, &mut plan),
                }
                drop(state);
                tracing::debug!(elapsed = ?started.elapsed(), "import: planned");
                plan.errors.sort_by_key(|e| e.line);
                let commit = opts.commit && plan.errors.is_empty();
                if commit {
                    let members: &[MemberRow] = match &sheet.rows {
                        Rows::Members(rows) => rows,
                        _ => &[],
                    };
                    // A province-sized roster: a larger page cache while it is
                    // written (back to the usual one afterwards, whatever
                    // happens).
                    if plan.people.len() + plan.memberships.len() > BULK {
                        large = true;
                        Bulk::large_write(&mut *tx, true).await?;
                    }
                    write_plan!(tx, actor, commune, &opts.source, &plan, members);
                    tracing::debug!(elapsed = ?started.elapsed(), "import: written");
                    tx.commit().await?;
                    tracing::debug!(elapsed = ?started.elapsed(), "import: committed");
                } else {
                    tx.rollback().await?;
                }
                Ok((plan, commit))
            }
            .await;
            if large {
                let mut conn = pool.acquire().await?;
                Bulk::large_write(&mut *conn, false).await?;
            }
            let (plan, commit) = done?;
            let (created, updated) = plan.counts();
            Ok(ImportReport {
                kind,
                committed: commit,
                rows: plan.rows,
                errors: plan.errors,
                warnings: plan.warnings,
                created,
                updated,
            })
        })
    }
}

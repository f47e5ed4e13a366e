//! Importing lists read from spreadsheets: a plan first (rows to create,
//! update and skip, and every error by row and column), then — only when
//! there is no error and the caller commits — every write in ONE
//! transaction, each created or changed record with its audit row.
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
//! number and year. An empty cell never overwrites a stored value.
//!
//! Large imports use multi-row INSERTs (sqlx `QueryBuilder`, accepted by both
//! backends) in chunks, and the audit rows are written chunk by chunk, so
//! memory stays bounded by the plan.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{
    fold, format_date, not_in_future, Affiliation, Gender, Role, TeamKind, VillageKind,
};
use toso_sheets::{
    default_team_name, village_key, DocumentRow, Issue, MemberRow, ParsedSheet, Rows, SheetKind,
    TeamRow, VillageRow,
};

use crate::{Actor, Document, Membership, Person, Result, Store, StoreError, Team, Village};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub commune_code: i32,
    /// The import's reference date: the default establishment date of the
    /// villages and teams it creates and start of the memberships.
    pub as_of: NaiveDate,
    /// Establishment date of the teams (and villages) the import creates, and
    /// start of memberships without a "Ngày tham gia"; default `as_of`.
    pub established_on: Option<NaiveDate>,
    /// Write the plan (false: dry run).
    pub commit: bool,
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

// ---------------------------------------------------------------------------
// The commune's records, read inside the writing transaction
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
struct MemberRecord {
    #[sqlx(flatten)]
    membership: Membership,
    full_name: String,
    gender: Option<String>,
    birth_year: Option<i32>,
    phone: Option<String>,
    commune_code: i32,
}

#[derive(Default)]
struct TeamPeople {
    by_phone: HashMap<String, i64>,
    by_name_year: HashMap<(String, Option<i32>), i64>,
    memberships: HashMap<i64, Vec<Membership>>,
}

#[derive(Default)]
struct State {
    villages: Vec<Village>,
    village_by_key: HashMap<String, usize>,
    teams: Vec<Team>,
    /// Village id → indexes in `teams`.
    teams_of_village: HashMap<i64, Vec<usize>>,
    people: HashMap<i64, Person>,
    team_people: HashMap<i64, TeamPeople>,
    documents: Vec<Document>,
}

impl State {
    fn open_team(&self, village_id: i64) -> Option<&Team> {
        self.teams_of_village
            .get(&village_id)?
            .iter()
            .map(|&i| &self.teams[i])
            .find(|t| t.dissolved_on.is_none())
    }

    fn document(&self, number: &str, year: i32) -> Option<&Document> {
        self.documents
            .iter()
            .find(|d| d.doc_number == number && d.issued_on.year() == year)
    }

    /// The latest document with that number issued on or before `on`.
    fn decision(&self, number: &str, on: NaiveDate) -> Option<&Document> {
        self.documents
            .iter()
            .filter(|d| d.doc_number == number)
            .min_by_key(|d| (d.issued_on > on, std::cmp::Reverse(d.issued_on)))
    }
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ref {
    Old(i64),
    New(usize),
}

#[derive(Debug, Clone)]
struct NewVillageOp {
    name: String,
    kind: VillageKind,
    active_from: NaiveDate,
}

#[derive(Debug, Clone)]
struct NewTeamOp {
    village: Ref,
    name: String,
    established_on: NaiveDate,
    decision_id: Option<i64>,
    zalo_link: Option<String>,
}

#[derive(Debug, Clone)]
struct NewPersonOp {
    full_name: String,
    gender: Option<Gender>,
    birth_year: Option<i32>,
    phone: Option<String>,
}

#[derive(Debug, Clone)]
struct NewMembershipOp {
    team: Ref,
    person: Ref,
    role: Role,
    affiliation: Affiliation,
    started_on: NaiveDate,
}

#[derive(Default)]
struct Plan {
    villages: Vec<NewVillageOp>,
    village_updates: Vec<(Village, Village)>,
    teams: Vec<NewTeamOp>,
    team_updates: Vec<(Team, Team)>,
    people: Vec<NewPersonOp>,
    person_updates: Vec<(Person, Person)>,
    memberships: Vec<NewMembershipOp>,
    membership_updates: Vec<(Membership, Membership)>,
    documents: Vec<Document>,
    document_updates: Vec<(Document, Document)>,
    rows: Vec<RowOutcome>,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    /// Village key → the village (existing or planned).
    new_village_by_key: HashMap<String, usize>,
    /// Village → its planned new team.
    new_team_by_village: HashMap<Ref, usize>,
}

impl Plan {
    fn error(&mut self, line: u32, column: Option<&'static str>, message: impl Into<String>) {
        if self.errors.len() < toso_sheets::rows::MAX_ISSUES {
            self.errors.push(Issue::new(line, column, message));
        }
    }

    fn counts(&self) -> (Counts, Counts) {
        let created = Counts {
            villages: self.villages.len() as u64,
            teams: self.teams.len() as u64,
            people: self.people.len() as u64,
            memberships: self.memberships.len() as u64,
            documents: self.documents.len() as u64,
        };
        let updated = Counts {
            villages: self.village_updates.len() as u64,
            teams: self.team_updates.len() as u64,
            people: self.person_updates.len() as u64,
            memberships: self.membership_updates.len() as u64,
            documents: self.document_updates.len() as u64,
        };
        (created, updated)
    }

    /// The village named `name`, existing or planned (created if missing,
    /// active from `from`). `changes` learns when it is new.
    fn village(
        &mut self,
        state: &State,
        line: u32,
        name: &str,
        from: NaiveDate,
        changes: &mut Vec<String>,
    ) -> Option<Ref> {
        let key = village_key(name);
        if let Some(&i) = state.village_by_key.get(&key) {
            let v = &state.villages[i];
            if v.active_until.is_some_and(|u| u <= from) {
                self.error(
                    line,
                    Some("Thôn/TDP"),
                    format!(
                        "Thôn, tổ dân phố «{}» đã ngừng hoạt động từ ngày {}.",
                        v.name,
                        format_date(v.active_until.unwrap_or(from))
                    ),
                );
                return None;
            }
            return Some(Ref::Old(v.id));
        }
        if let Some(&i) = self.new_village_by_key.get(&key) {
            return Some(Ref::New(i));
        }
        let i = self.villages.len();
        self.villages.push(NewVillageOp {
            name: name.to_string(),
            kind: toso_sheets::guess_village_kind(name),
            active_from: from,
        });
        self.new_village_by_key.insert(key, i);
        changes.push(format!("thêm thôn, tổ dân phố «{name}»"));
        Some(Ref::New(i))
    }

    /// The village's open team, or a new one established on `on`.
    #[allow(clippy::too_many_arguments)]
    fn team(
        &mut self,
        state: &State,
        line: u32,
        village: Ref,
        village_name: &str,
        on: NaiveDate,
        name: Option<&str>,
        changes: &mut Vec<String>,
    ) -> Option<Ref> {
        if let Ref::Old(vid) = village {
            if let Some(t) = state.open_team(vid) {
                return Some(Ref::Old(t.id));
            }
            // A dissolved team blocks a new one until its dissolution.
            if let Some(t) = state.teams_of_village.get(&vid).and_then(|ts| {
                ts.iter()
                    .map(|&i| &state.teams[i])
                    .find(|t| t.dissolved_on.is_some_and(|d| d > on))
            }) {
                self.error(
                    line,
                    Some("Thôn/TDP"),
                    crate::rules::team_clash(TeamKind::Village, &t.name, t.established_on),
                );
                return None;
            }
            let v = state.villages.iter().find(|v| v.id == vid)?;
            if !v.is_active_on(on) {
                self.error(
                    line,
                    Some("Thôn/TDP"),
                    format!(
                        "Thôn, tổ dân phố «{}» không hoạt động vào ngày {}.",
                        v.name,
                        format_date(on)
                    ),
                );
                return None;
            }
        }
        if let Some(&i) = self.new_team_by_village.get(&village) {
            return Some(Ref::New(i));
        }
        let i = self.teams.len();
        let name = name
            .map(str::to_string)
            .unwrap_or_else(|| default_team_name(village_name));
        changes.push(format!("thêm tổ «{name}»"));
        self.teams.push(NewTeamOp {
            village,
            name,
            established_on: on,
            decision_id: None,
            zalo_link: None,
        });
        self.new_team_by_village.insert(village, i);
        Some(Ref::New(i))
    }
}

fn check_not_future(
    plan: &mut Plan,
    line: u32,
    column: &'static str,
    date: NaiveDate,
    label: &'static str,
) -> bool {
    match not_in_future(date, crate::today(), "date", label) {
        Ok(_) => true,
        Err(e) => {
            plan.error(line, Some(column), e.message);
            false
        }
    }
}

fn plan_villages(state: &State, rows: &[VillageRow], date: NaiveDate, plan: &mut Plan) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in rows {
        let key = village_key(row.name.as_str());
        if let Some(first) = seen.insert(key.clone(), row.line) {
            plan.error(
                row.line,
                Some("Tên thôn, tổ dân phố"),
                format!("«{}» trùng với dòng {first}.", row.name),
            );
            continue;
        }
        let label = row.name.to_string();
        if let Some(&i) = state.village_by_key.get(&key) {
            let before = &state.villages[i];
            if row.kind_given && row.kind != before.kind {
                let after = Village {
                    kind: row.kind,
                    ..before.clone()
                };
                plan.rows.push(RowOutcome {
                    line: row.line,
                    action: RowAction::Update,
                    label,
                    changes: vec![format!("Loại: {} → {}", before.kind, row.kind)],
                });
                plan.village_updates.push((before.clone(), after));
            } else {
                plan.rows.push(skip(row.line, label));
            }
            continue;
        }
        if row.active_until.is_some() {
            plan.warnings.push(Issue::new(
                row.line,
                Some("Ngừng hoạt động từ ngày"),
                "thôn, tổ dân phố đã ngừng hoạt động và chưa có trong xã: không thêm.",
            ));
            plan.rows.push(skip(row.line, label));
            continue;
        }
        let from = row.active_from.unwrap_or(date);
        if !check_not_future(
            plan,
            row.line,
            "Hoạt động từ ngày",
            from,
            "Ngày bắt đầu hoạt động",
        ) {
            continue;
        }
        plan.new_village_by_key.insert(key, plan.villages.len());
        plan.villages.push(NewVillageOp {
            name: row.name.to_string(),
            kind: row.kind,
            active_from: from,
        });
        plan.rows.push(RowOutcome {
            line: row.line,
            action: RowAction::Create,
            label,
            changes: vec![],
        });
    }
}

fn skip(line: u32, label: String) -> RowOutcome {
    RowOutcome {
        line,
        action: RowAction::Skip,
        label,
        changes: vec![],
    }
}

fn plan_teams(state: &State, rows: &[TeamRow], date: NaiveDate, plan: &mut Plan) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in rows {
        let key = village_key(&row.village);
        let label = row
            .name
            .as_ref()
            .map_or_else(|| default_team_name(&row.village), |n| n.to_string());
        if row.dissolved_on.is_some() {
            // History (an exported dissolved team): never re-created.
            plan.rows.push(skip(row.line, label));
            continue;
        }
        if let Some(first) = seen.insert(key, row.line) {
            plan.error(
                row.line,
                Some("Thôn/TDP"),
                format!(
                    "thôn, tổ dân phố «{}» đã có tổ ở dòng {first}: mỗi thôn chỉ có một tổ đang hoạt động.",
                    row.village
                ),
            );
            continue;
        }
        let on = row.established_on.unwrap_or(date);
        if !check_not_future(plan, row.line, "Ngày thành lập", on, "Ngày thành lập") {
            continue;
        }
        let decision = match &row.decision {
            None => None,
            Some(number) => match state.decision(number.as_str(), on) {
                None => {
                    plan.error(
                        row.line,
                        Some("Quyết định thành lập"),
                        format!(
                            "Quyết định số {number} không có trong sổ văn bản của xã: nhập văn bản trước."
                        ),
                    );
                    continue;
                }
                Some(doc) if doc.issued_on > on => {
                    plan.error(
                        row.line,
                        Some("Ngày thành lập"),
                        crate::rules::before_decision(on, doc.issued_on),
                    );
                    continue;
                }
                Some(doc) => Some(doc.id),
            },
        };
        let zalo = row.zalo.as_ref().map(|z| z.as_str().to_string());
        let mut changes = Vec::new();
        let Some(village) = plan.village(state, row.line, &row.village, on, &mut changes) else {
            continue;
        };
        let existing = match village {
            Ref::Old(vid) => state.open_team(vid),
            Ref::New(_) => None,
        };
        if let Some(before) = existing {
            let mut after = before.clone();
            let mut diff = Vec::new();
            if let Some(name) = &row.name {
                if name.as_str() != before.name {
                    diff.push(format!("Tên tổ: {} → {}", before.name, name));
                    after.name = name.to_string();
                }
            }
            if zalo.is_some() && zalo != before.zalo_link {
                diff.push(format!(
                    "Nhóm Zalo: {} → {}",
                    before.zalo_link.as_deref().unwrap_or("(trống)"),
                    zalo.as_deref().unwrap_or_default()
                ));
                after.zalo_link = zalo.clone();
            }
            if decision.is_some() && decision != before.decision_id {
                diff.push(format!(
                    "Quyết định thành lập: {}",
                    row.decision
                        .as_ref()
                        .map(|d| d.as_str())
                        .unwrap_or_default()
                ));
                after.decision_id = decision;
            }
            if let Some(est) = row.established_on {
                if est != before.established_on {
                    plan.warnings.push(Issue::new(
                        row.line,
                        Some("Ngày thành lập"),
                        format!(
                            "tổ đã thành lập ngày {}: không đổi ngày thành lập khi nhập (sửa trên trang của tổ).",
                            format_date(before.established_on)
                        ),
                    ));
                }
            }
            if diff.is_empty() {
                plan.rows.push(skip(row.line, label));
            } else {
                plan.rows.push(RowOutcome {
                    line: row.line,
                    action: RowAction::Update,
                    label,
                    changes: diff,
                });
                plan.team_updates.push((before.clone(), after));
            }
            continue;
        }
        let name = row.name.as_ref().map(|n| n.as_str().to_string());
        let Some(Ref::New(t)) = plan.team(
            state,
            row.line,
            village,
            &row.village,
            on,
            name.as_deref(),
            &mut changes,
        ) else {
            continue;
        };
        plan.teams[t].decision_id = decision;
        plan.teams[t].zalo_link = zalo;
        plan.rows.push(RowOutcome {
            line: row.line,
            action: RowAction::Create,
            label,
            changes,
        });
    }
}

/// A village of the roster resolved: village, team, and what their first
/// row creates.
type Resolved = (Ref, Ref, Vec<String>);

fn plan_members(
    state: &State,
    rows: &[MemberRow],
    explicit: Option<NaiveDate>,
    as_of: NaiveDate,
    plan: &mut Plan,
) {
    // A team the import creates is established on --established-on, else on
    // the earliest "Ngày tham gia" of its village's rows (if before as_of).
    let mut earliest: HashMap<&str, NaiveDate> = HashMap::new();
    if explicit.is_none() {
        for row in rows {
            if let Some(s) = row.started_on {
                let e = earliest.entry(&*row.village).or_insert(s);
                *e = (*e).min(s);
            }
        }
    }
    let date = explicit.unwrap_or(as_of);
    // (team, person key) → first line, to refuse the same person twice.
    let mut seen: HashMap<(Ref, String), u32> = HashMap::new();
    let mut village_cache: HashMap<Arc<str>, Option<Resolved>> = HashMap::new();
    for row in rows {
        let label = format!("{} — {}", row.full_name, row.village);
        let started = row.started_on.unwrap_or(date);
        if row.started_on.is_some()
            && !check_not_future(plan, row.line, "Ngày tham gia", started, "Ngày tham gia")
        {
            continue;
        }
        // Village and team, resolved once per village name.
        let resolved = match village_cache.get(&row.village) {
            Some(r) => r.clone(),
            None => {
                let mut changes = Vec::new();
                let on = earliest.get(&*row.village).map_or(date, |e| (*e).min(date));
                let r = plan
                    .village(state, row.line, &row.village, on, &mut changes)
                    .and_then(|v| {
                        plan.team(state, row.line, v, &row.village, on, None, &mut changes)
                            .map(|t| (v, t, changes))
                    });
                village_cache.insert(row.village.clone(), r.clone());
                r
            }
        };
        let Some((_, team, first_changes)) = resolved else {
            continue;
        };
        // Only the first row of a new village reports its creation.
        if !first_changes.is_empty() {
            if let Some(Some((_, _, c))) = village_cache.get_mut(&row.village) {
                c.clear();
            }
        }
        let name_fold = fold(row.full_name.as_str());
        let year = row.birth_year.map(|b| b.get());
        let phone = row.phone.as_ref().map(|p| p.as_str().to_string());
        let key = match &phone {
            Some(p) => format!("tel:{p}"),
            None => format!("name:{name_fold}:{year:?}"),
        };
        if let Some(first) = seen.insert((team, key), row.line) {
            plan.error(
                row.line,
                Some(if phone.is_some() {
                    "Số điện thoại"
                } else {
                    "Họ và tên"
                }),
                format!(
                    "{} trùng với dòng {first} (cùng tổ, cùng {}).",
                    row.full_name,
                    if phone.is_some() {
                        "số điện thoại"
                    } else {
                        "họ tên và năm sinh"
                    }
                ),
            );
            continue;
        }
        // The team's period.
        let (team_name, established, dissolved) = match team {
            Ref::Old(id) => {
                let t = state.teams.iter().find(|t| t.id == id);
                match t {
                    Some(t) => (t.name.clone(), t.established_on, t.dissolved_on),
                    None => continue,
                }
            }
            Ref::New(i) => (
                plan.teams[i].name.clone(),
                plan.teams[i].established_on,
                None,
            ),
        };
        let in_period = established <= started && dissolved.is_none_or(|d| d > started);
        // The person among the team's people.
        let found = match team {
            Ref::Old(id) => state.team_people.get(&id).and_then(|tp| {
                phone
                    .as_ref()
                    .and_then(|p| tp.by_phone.get(p))
                    .or_else(|| tp.by_name_year.get(&(name_fold.clone(), year)))
                    .map(|pid| (*pid, tp.memberships.get(pid)))
            }),
            Ref::New(_) => None,
        };
        let period_error = |plan: &mut Plan| {
            plan.error(
                row.line,
                Some("Ngày tham gia"),
                crate::rules::outside_team_period(started, &team_name, established, dissolved),
            );
        };
        let Some((pid, memberships)) = found else {
            if !in_period {
                period_error(plan);
                continue;
            }
            let p = plan.people.len();
            plan.people.push(NewPersonOp {
                full_name: row.full_name.to_string(),
                gender: row.gender,
                birth_year: year,
                phone,
            });
            plan.memberships.push(NewMembershipOp {
                team,
                person: Ref::New(p),
                role: row.role.unwrap_or(Role::ThanhVien),
                affiliation: row.affiliation.unwrap_or(Affiliation::Khac),
                started_on: started,
            });
            plan.rows.push(RowOutcome {
                line: row.line,
                action: RowAction::Create,
                label,
                changes: first_changes,
            });
            continue;
        };
        // An existing person: details and membership.
        let Some(before) = state.people.get(&pid) else {
            continue;
        };
        let mut after = before.clone();
        let mut diff = Vec::new();
        if row.full_name.as_str() != before.full_name {
            diff.push(format!(
                "Họ và tên: {} → {}",
                before.full_name, row.full_name
            ));
            after.full_name = row.full_name.to_string();
        }
        if let Some(y) = year {
            if Some(y) != before.birth_year {
                diff.push(format!(
                    "Năm sinh: {} → {y}",
                    before
                        .birth_year
                        .map_or("(trống)".into(), |b| b.to_string())
                ));
                after.birth_year = Some(y);
            }
        }
        if let Some(g) = row.gender {
            if Some(g.code()) != before.gender.as_deref() {
                diff.push(format!(
                    "Giới tính: {} → {g}",
                    before.gender().map_or("(trống)", |g| g.label())
                ));
                after.gender = Some(g.code().to_string());
            }
        }
        if let Some(p) = &phone {
            if Some(p) != before.phone.as_ref() {
                diff.push(format!(
                    "Số điện thoại: {} → {p}",
                    before.phone.as_deref().unwrap_or("(trống)")
                ));
                after.phone = Some(p.clone());
            }
        }
        if after != *before {
            plan.person_updates.push((before.clone(), after));
        }
        let memberships = memberships.map(Vec::as_slice).unwrap_or_default();
        let open = memberships.iter().find(|m| m.ended_on.is_none());
        let mut created = false;
        match open {
            Some(m) => {
                let mut upd = m.clone();
                if let Some(role) = row.role {
                    if role != m.role {
                        diff.push(format!("Chức danh trong Tổ: {} → {role}", m.role));
                        upd.role = role;
                    }
                }
                if let Some(a) = row.affiliation {
                    if a != m.affiliation {
                        diff.push(format!("Chức vụ / đơn vị: {} → {a}", m.affiliation));
                        upd.affiliation = a;
                    }
                }
                if upd != *m {
                    plan.membership_updates.push((m.clone(), upd));
                }
            }
            None => {
                if let Some(m) = memberships
                    .iter()
                    .find(|m| m.ended_on.is_some_and(|e| e > started))
                {
                    plan.error(
                        row.line,
                        Some("Ngày tham gia"),
                        crate::rules::member_twice(&before.full_name, &team_name, m.started_on),
                    );
                    continue;
                }
                if !in_period {
                    period_error(plan);
                    continue;
                }
                plan.memberships.push(NewMembershipOp {
                    team,
                    person: Ref::Old(pid),
                    role: row.role.unwrap_or(Role::ThanhVien),
                    affiliation: row.affiliation.unwrap_or(Affiliation::Khac),
                    started_on: started,
                });
                created = true;
            }
        }
        let action = if created {
            RowAction::Create
        } else if diff.is_empty() {
            RowAction::Skip
        } else {
            RowAction::Update
        };
        plan.rows.push(RowOutcome {
            line: row.line,
            action,
            label,
            changes: diff,
        });
    }
}

fn plan_documents(state: &State, rows: &[DocumentRow], commune: i32, plan: &mut Plan) {
    let mut seen: HashMap<(String, i32), u32> = HashMap::new();
    for row in rows {
        let number = row.number.as_str().to_string();
        let year = row.issued_on.year();
        let label = format!(
            "{} số {} ngày {}",
            row.kind,
            number,
            format_date(row.issued_on)
        );
        if let Some(first) = seen.insert((number.clone(), year), row.line) {
            plan.error(
                row.line,
                Some("Số, ký hiệu"),
                format!("Văn bản số {number} năm {year} trùng với dòng {first}."),
            );
            continue;
        }
        if !check_not_future(
            plan,
            row.line,
            "Ngày ban hành",
            row.issued_on,
            "Ngày ban hành",
        ) {
            continue;
        }
        let doc = Document {
            id: 0,
            commune_code: commune,
            kind: row.kind,
            doc_number: number.clone(),
            issued_on: row.issued_on,
            issuer: row.issuer.to_string(),
            subject: row.subject.to_string(),
        };
        match state.document(&number, year) {
            Some(before) => {
                let after = Document {
                    id: before.id,
                    ..doc
                };
                let mut diff = Vec::new();
                if after.kind != before.kind {
                    diff.push(format!("Loại văn bản: {} → {}", before.kind, after.kind));
                }
                if after.issued_on != before.issued_on {
                    diff.push(format!(
                        "Ngày ban hành: {} → {}",
                        format_date(before.issued_on),
                        format_date(after.issued_on)
                    ));
                }
                if after.issuer != before.issuer {
                    diff.push(format!(
                        "Cơ quan ban hành: {} → {}",
                        before.issuer, after.issuer
                    ));
                }
                if after.subject != before.subject {
                    diff.push(format!("Trích yếu: {} → {}", before.subject, after.subject));
                }
                if diff.is_empty() {
                    plan.rows.push(skip(row.line, label));
                } else {
                    plan.rows.push(RowOutcome {
                        line: row.line,
                        action: RowAction::Update,
                        label,
                        changes: diff,
                    });
                    plan.document_updates.push((before.clone(), after));
                }
            }
            None => {
                plan.documents.push(doc);
                plan.rows.push(RowOutcome {
                    line: row.line,
                    action: RowAction::Create,
                    label,
                    changes: vec![],
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reading the state and writing the plan (SQL written once for both backends)
// ---------------------------------------------------------------------------

/// Rows per multi-row INSERT (at most 9 parameters a row: well under the
/// limits of SQLite, 32,766, and PostgreSQL, 65,535).
const CHUNK: usize = 1000;

/// Load what the plan of `$kind` needs, inside `$tx`.
macro_rules! load_state {
    ($tx:expr, $commune:expr, $kind:expr) => {{
        let mut state = State::default();
        let commune: i32 = $commune;
        state.villages = sqlx::query_as::<_, Village>(
            "SELECT id, commune_code, kind, name, active_from, active_until FROM villages WHERE commune_code = $1 ORDER BY id",
        )
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        for (i, v) in state.villages.iter().enumerate() {
            state.village_by_key.entry(village_key(&v.name)).or_insert(i);
        }
        state.teams = sqlx::query_as::<_, Team>(
            "SELECT id, commune_code, village_id, kind, name, established_on, dissolved_on, decision_id, zalo_link \
             FROM teams WHERE commune_code = $1 AND kind = 'village' ORDER BY id",
        )
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        for (i, t) in state.teams.iter().enumerate() {
            if let Some(v) = t.village_id {
                state.teams_of_village.entry(v).or_default().push(i);
            }
        }
        state.documents = sqlx::query_as::<_, Document>(
            "SELECT id, commune_code, kind, doc_number, issued_on, issuer, subject FROM documents WHERE commune_code = $1",
        )
        .bind(commune)
        .fetch_all(&mut *$tx)
        .await?;
        if $kind == SheetKind::Members {
            let records = sqlx::query_as::<_, MemberRecord>(
                "SELECT m.id, m.team_id, m.person_id, m.role, m.affiliation, m.started_on, m.ended_on, \
                 p.full_name, p.gender, p.birth_year, p.phone, p.commune_code \
                 FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
                 WHERE t.commune_code = $1 AND t.kind = 'village' ORDER BY m.id",
            )
            .bind(commune)
            .fetch_all(&mut *$tx)
            .await?;
            for r in records {
                let pid = r.membership.person_id;
                let tp = state.team_people.entry(r.membership.team_id).or_default();
                if let Some(p) = &r.phone {
                    tp.by_phone.entry(p.clone()).or_insert(pid);
                }
                tp.by_name_year
                    .entry((fold(&r.full_name), r.birth_year))
                    .or_insert(pid);
                tp.memberships.entry(pid).or_default().push(r.membership);
                state.people.entry(pid).or_insert(Person {
                    id: pid,
                    commune_code: r.commune_code,
                    full_name: r.full_name,
                    gender: r.gender,
                    birth_year: r.birth_year,
                    phone: r.phone,
                });
            }
        }
        state
    }};
}

/// Multi-row INSERT of `$items` in chunks, `RETURNING id, <check column>`;
/// ids come back in insertion order (sorted), checked against `$check`.
/// For each chunk, `$audit` receives the chunk and its ids.
macro_rules! insert_chunks {
    ($tx:expr, $actor:expr, $sql:expr, $items:expr, |$b:ident, $it:ident| $push:block, $check:expr, $audit:expr) => {{
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
            let ids: Vec<i64> = got.into_iter().map(|(id, _)| id).collect();
            let audits: Vec<AuditRow> = ($audit)(chunk, &ids);
            insert_audit!($tx, $actor, audits);
            all_ids.extend(ids);
        }
        all_ids
    }};
}

struct AuditRow {
    commune: i32,
    entity: &'static str,
    id: i64,
    action: &'static str,
    before: Option<sqlx::types::Json<serde_json::Value>>,
    after: Option<sqlx::types::Json<serde_json::Value>>,
}

fn audit_row<T: Serialize>(
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

macro_rules! insert_audit {
    ($tx:expr, $actor:expr, $rows:expr) => {{
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

/// Write `$plan` inside `$tx`.
macro_rules! write_plan {
    ($tx:expr, $actor:expr, $commune:expr, $plan:expr) => {{
        let plan: &Plan = $plan;
        let commune: i32 = $commune;
        let now = Utc::now();

        // Villages.
        let village_ids = insert_chunks!(
            $tx,
            $actor,
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
            ("name", |v: &NewVillageOp| v.name.clone()),
            |chunk: &[NewVillageOp], ids: &[i64]| {
                chunk
                    .iter()
                    .zip(ids)
                    .map(|(v, &id)| {
                        let after = Village {
                            id,
                            commune_code: commune,
                            kind: v.kind,
                            name: v.name.clone(),
                            active_from: v.active_from,
                            active_until: None,
                        };
                        audit_row(commune, "village", id, "create", None, Some(&after))
                    })
                    .collect()
            }
        );
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
            $actor,
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
            ("name", |t: &NewTeamOp| t.name.clone()),
            |chunk: &[NewTeamOp], ids: &[i64]| {
                chunk
                    .iter()
                    .zip(ids)
                    .map(|(t, &id)| {
                        let after = Team {
                            id,
                            commune_code: commune,
                            village_id: Some(village_id(t.village)),
                            kind: TeamKind::Village,
                            name: t.name.clone(),
                            established_on: t.established_on,
                            dissolved_on: None,
                            decision_id: t.decision_id,
                            zalo_link: t.zalo_link.clone(),
                        };
                        audit_row(commune, "team", id, "create", None, Some(&after))
                    })
                    .collect()
            }
        );
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

        // People.
        let person_ids = insert_chunks!(
            $tx,
            $actor,
            "INSERT INTO people (commune_code, full_name, name_fold, gender, birth_year, phone, created_at, updated_at) ",
            plan.people,
            |b, p| {
                b.push_bind(commune)
                    .push_bind(&p.full_name)
                    .push_bind(fold(&p.full_name))
                    .push_bind(p.gender.map(|g| g.code()))
                    .push_bind(p.birth_year)
                    .push_bind(&p.phone)
                    .push_bind(now)
                    .push_bind(now);
            },
            ("full_name", |p: &NewPersonOp| p.full_name.clone()),
            |chunk: &[NewPersonOp], ids: &[i64]| {
                chunk
                    .iter()
                    .zip(ids)
                    .map(|(p, &id)| {
                        let after = Person {
                            id,
                            commune_code: commune,
                            full_name: p.full_name.clone(),
                            gender: p.gender.map(|g| g.code().to_string()),
                            birth_year: p.birth_year,
                            phone: p.phone.clone(),
                        };
                        audit_row(commune, "person", id, "create", None, Some(&after))
                    })
                    .collect()
            }
        );
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
            insert_audit!($tx, $actor, vec![audit_row(commune, "person", after.id, "update", Some(before), Some(after))]);
        }
        let person_id = |r: Ref| match r {
            Ref::Old(id) => id,
            Ref::New(i) => person_ids[i],
        };

        // Memberships.
        insert_chunks!(
            $tx,
            $actor,
            "INSERT INTO memberships (team_id, person_id, role, affiliation, started_on, created_at, updated_at) ",
            plan.memberships,
            |b, m| {
                b.push_bind(team_id(m.team))
                    .push_bind(person_id(m.person))
                    .push_bind(m.role.code())
                    .push_bind(m.affiliation.code())
                    .push_bind(m.started_on)
                    .push_bind(now)
                    .push_bind(now);
            },
            ("role", |m: &NewMembershipOp| m.role.code().to_string()),
            |chunk: &[NewMembershipOp], ids: &[i64]| {
                chunk
                    .iter()
                    .zip(ids)
                    .map(|(m, &id)| {
                        let after = Membership {
                            id,
                            team_id: team_id(m.team),
                            person_id: person_id(m.person),
                            role: m.role,
                            affiliation: m.affiliation,
                            started_on: m.started_on,
                            ended_on: None,
                        };
                        audit_row(commune, "membership", id, "create", None, Some(&after))
                    })
                    .collect()
            }
        );
        for (before, after) in &plan.membership_updates {
            sqlx::query("UPDATE memberships SET role = $1, affiliation = $2, updated_at = $3 WHERE id = $4")
                .bind(after.role.code())
                .bind(after.affiliation.code())
                .bind(now)
                .bind(after.id)
                .execute(&mut *$tx)
                .await?;
            insert_audit!($tx, $actor, vec![audit_row(commune, "membership", after.id, "update", Some(before), Some(after))]);
        }

        // Documents.
        insert_chunks!(
            $tx,
            $actor,
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
            ("doc_number", |d: &Document| d.doc_number.clone()),
            |chunk: &[Document], ids: &[i64]| {
                chunk
                    .iter()
                    .zip(ids)
                    .map(|(d, &id)| {
                        let after = Document { id, ..d.clone() };
                        audit_row(commune, "document", id, "create", None, Some(&after))
                    })
                    .collect()
            }
        );
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

/// The search key of a document (as `documents.rs` computes it).
fn document_fold(doc: &Document) -> String {
    fold(&format!(
        "{} {} {} {}",
        doc.kind.label(),
        doc.doc_number,
        doc.issuer,
        doc.subject
    ))
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
            let mut tx = pool.begin().await?;
            let state = load_state!(tx, commune, kind);
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
            }
            drop(state);
            plan.errors.sort_by_key(|e| e.line);
            let commit = opts.commit && plan.errors.is_empty();
            if commit {
                write_plan!(tx, actor, commune, &plan);
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
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

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

use toso_sheets::{Column, Table, Value};

fn columns_of(kind: SheetKind) -> Vec<Column> {
    kind.columns()
        .iter()
        .filter(|c| c.in_template)
        .map(|c| Column::new(c.label, c.width))
        .collect()
}

impl Store {
    /// A commune's list of `kind` as a table (members: the village teams'
    /// members on `as_of`), in the layout the importer reads back.
    pub async fn export_table(
        &self,
        kind: SheetKind,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Table> {
        let commune = self.commune(commune_code).await?;
        let mut table = Table::new("Danh sách", kind.title(), columns_of(kind));
        table.subtitle = Some(format!(
            "{} — số liệu đến ngày {}",
            commune.name,
            format_date(as_of)
        ));
        let villages = self.villages(commune_code, None).await?;
        let village_name: HashMap<i64, &str> =
            villages.iter().map(|v| (v.id, v.name.as_str())).collect();
        match kind {
            SheetKind::Villages => {
                for (i, v) in villages.iter().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(&v.name),
                        Value::text(v.kind.label()),
                        Value::Date(v.active_from),
                        Value::opt_date(v.active_until),
                    ]);
                }
            }
            SheetKind::Teams => {
                let docs: HashMap<i64, String> = self
                    .documents(commune_code, &Default::default())
                    .await?
                    .into_iter()
                    .map(|d| (d.id, d.doc_number))
                    .collect();
                for (i, t) in self.teams(commune_code).await?.iter().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(&t.name),
                        Value::text(t.kind.label()),
                        Value::opt_text(t.village_id.and_then(|v| village_name.get(&v).copied())),
                        Value::Date(t.established_on),
                        Value::opt_date(t.dissolved_on),
                        Value::opt_text(t.decision_id.and_then(|d| docs.get(&d).cloned())),
                        Value::opt_text(t.zalo_link.clone()),
                    ]);
                }
            }
            SheetKind::Members => {
                let rows: Vec<MemberExport> = on_read!(self, pool => {
                    sqlx::query_as::<_, MemberExport>(
                        "SELECT p.full_name, p.birth_year, p.gender, p.phone, m.role, m.affiliation, m.started_on, \
                         v.name AS village \
                         FROM memberships m JOIN teams t ON t.id = m.team_id JOIN villages v ON v.id = t.village_id \
                         JOIN people p ON p.id = m.person_id \
                         WHERE t.commune_code = $1 AND t.kind = 'village' AND m.started_on <= $2 \
                         AND (m.ended_on IS NULL OR m.ended_on > $2) \
                         AND t.established_on <= $2 AND (t.dissolved_on IS NULL OR t.dissolved_on > $2) \
                         ORDER BY v.name_fold, CASE m.role WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END, \
                         p.name_fold, m.id",
                    )
                    .bind(commune_code)
                    .bind(as_of)
                    .fetch_all(pool)
                    .await?
                });
                table.rows.reserve(rows.len());
                for (i, r) in rows.into_iter().enumerate() {
                    let role = Role::try_from(r.role).map_err(StoreError::Invalid)?;
                    let aff = Affiliation::try_from(r.affiliation).map_err(StoreError::Invalid)?;
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::Text(r.full_name),
                        r.birth_year
                            .map_or(Value::Empty, |y| Value::Plain(y.into())),
                        Value::opt_text(
                            r.gender
                                .as_deref()
                                .and_then(Gender::from_code)
                                .map(|g| g.label()),
                        ),
                        Value::text(aff.label()),
                        Value::text(role.label()),
                        Value::opt_text(r.phone),
                        Value::Text(r.village),
                        Value::Date(r.started_on),
                    ]);
                }
            }
            SheetKind::Documents => {
                let docs = self.documents(commune_code, &Default::default()).await?;
                for (i, d) in docs.iter().rev().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(d.kind.label()),
                        Value::text(&d.doc_number),
                        Value::Date(d.issued_on),
                        Value::text(&d.issuer),
                        Value::text(&d.subject),
                    ]);
                }
            }
        }
        Ok(table)
    }

    /// Every indicator of a node on a date as a table: one row per figure,
    /// breakdowns one row per item.
    pub async fn indicators_table(
        &self,
        node: toso_domain::Node,
        as_of: NaiveDate,
    ) -> Result<Table> {
        let set = self.indicators(node, as_of).await?;
        let mut table = Table::new(
            "Chỉ tiêu",
            "BẢNG CHỈ TIÊU TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
            vec![
                Column::new("STT", 6.0),
                Column::new("Chỉ tiêu", 60.0),
                Column::new("Giá trị", 14.0),
                Column::new("Đơn vị tính", 12.0),
                Column::new("Mã", 24.0),
                Column::new("Cách tính", 90.0),
            ],
        );
        table.subtitle = Some(format!(
            "{} — số liệu đến ngày {}",
            set.node_name,
            format_date(as_of)
        ));
        for (i, e) in set.indicators.iter().enumerate() {
            let value = match &e.value {
                toso_domain::IndicatorValue::Count { value } => Value::Int(*value),
                toso_domain::IndicatorValue::Ratio { .. } => e
                    .value
                    .percent()
                    .map_or(Value::text("—"), |p| Value::Percent(p / 100.0)),
                toso_domain::IndicatorValue::Breakdown { items } => {
                    Value::Int(items.iter().map(|i| i.value).sum())
                }
            };
            table.rows.push(vec![
                Value::Plain(i as i64 + 1),
                Value::text(e.name),
                value,
                Value::text(e.unit),
                Value::text(e.code.key()),
                Value::text(e.definition),
            ]);
            if let toso_domain::IndicatorValue::Breakdown { items } = &e.value {
                for item in items {
                    table.rows.push(vec![
                        Value::Empty,
                        Value::text(format!("— {}", item.label)),
                        Value::Int(item.value),
                        Value::text(e.unit),
                        Value::text(format!("{}.{}", e.code.key(), item.key)),
                        Value::Empty,
                    ]);
                }
            }
        }
        Ok(table)
    }
}

#[derive(sqlx::FromRow)]
struct MemberExport {
    full_name: String,
    birth_year: Option<i32>,
    gender: Option<String>,
    phone: Option<String>,
    role: String,
    affiliation: String,
    started_on: NaiveDate,
    village: String,
}

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
//! number and year. An empty cell never overwrites a stored value.
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

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};
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

/// A hasher for keys that are already 64-bit hashes.
#[derive(Default, Clone, Copy)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;

/// A 64-bit hash of a natural key (team and phone, or team, folded name and
/// birth year). Maps keyed by it are compact (no owned strings); every hit
/// is checked against the real key, so a collision never matches the wrong
/// record.
fn key_hash(value: impl std::hash::Hash) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(value)
}

/// One existing person, compact: the name, its fold and the phone live in
/// [`Members::text`].
#[derive(Debug, Clone, Copy)]
struct PersonLite {
    id: i64,
    commune_code: i32,
    at: u32,
    name_len: u32,
    fold_len: u32,
    phone_len: u32,
    has_phone: bool,
    gender: Option<Gender>,
    birth_year: Option<i32>,
}

/// The members of the commune's village teams, compact enough for a
/// province-sized roster: people sorted by id with their strings in one
/// buffer, memberships sorted by (team, person, id), and the natural keys
/// as hashes pointing at the first membership of a (team, person) group.
#[derive(Default)]
struct Members {
    people: Vec<PersonLite>,
    text: String,
    memberships: Vec<Membership>,
    /// hash(team, phone) → index in `memberships` of the group of the
    /// person (the first by membership id) with that phone in that team.
    by_phone: HashedMap<u32>,
    /// hash(team, folded name, birth year) → the same for name and year.
    by_name_year: HashedMap<u32>,
    /// Keys whose hash another key already took (almost never).
    overflow: Vec<(u64, u32)>,
}

impl Members {
    fn phone_hash(team: i64, phone: &str) -> u64 {
        key_hash((team, 1u8, phone))
    }

    fn name_hash(team: i64, name_fold: &str, year: Option<i32>) -> u64 {
        key_hash((team, 2u8, name_fold, year))
    }

    fn person(&self, id: i64) -> Option<&PersonLite> {
        self.people
            .binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|i| &self.people[i])
    }

    fn name(&self, p: &PersonLite) -> &str {
        &self.text[p.at as usize..(p.at + p.name_len) as usize]
    }

    fn name_fold(&self, p: &PersonLite) -> &str {
        let at = (p.at + p.name_len) as usize;
        &self.text[at..at + p.fold_len as usize]
    }

    fn phone(&self, p: &PersonLite) -> Option<&str> {
        let at = (p.at + p.name_len + p.fold_len) as usize;
        p.has_phone
            .then(|| &self.text[at..at + p.phone_len as usize])
    }

    fn full(&self, p: &PersonLite) -> Person {
        Person {
            id: p.id,
            commune_code: p.commune_code,
            full_name: self.name(p).to_string(),
            gender: p.gender.map(|g| g.code().to_string()),
            birth_year: p.birth_year,
            phone: self.phone(p).map(str::to_string),
        }
    }

    /// The group of memberships starting at `at` (one team, one person, by id).
    fn group(&self, at: u32) -> &[Membership] {
        let m = &self.memberships;
        let at = at as usize;
        let first = &m[at];
        let len = m[at..]
            .iter()
            .take_while(|x| x.team_id == first.team_id && x.person_id == first.person_id)
            .count();
        &m[at..at + len]
    }

    /// The real key of a group: (team, phone) or (team, folded name, year).
    fn group_key(&self, at: u32, phone_key: bool) -> Option<(i64, &str, Option<i32>)> {
        let m = &self.memberships[at as usize];
        let p = self.person(m.person_id)?;
        if phone_key {
            Some((m.team_id, self.phone(p)?, None))
        } else {
            Some((m.team_id, self.name_fold(p), p.birth_year))
        }
    }

    /// The person of `team` with that phone, else with that folded name
    /// and birth year, and their memberships in the team.
    fn find(
        &self,
        team: i64,
        phone: Option<&str>,
        name_fold: impl FnOnce() -> String,
        year: Option<i32>,
    ) -> Option<(i64, &[Membership])> {
        let lookup = |map: &HashedMap<u32>, h: u64, key: (i64, &str, Option<i32>), phone_key| {
            map.get(&h)
                .copied()
                .into_iter()
                .chain(
                    self.overflow
                        .iter()
                        .filter(|(k, _)| *k == h)
                        .map(|(_, g)| *g),
                )
                .find(|&g| self.group_key(g, phone_key) == Some(key))
        };
        let group = phone
            .and_then(|p| {
                lookup(
                    &self.by_phone,
                    Self::phone_hash(team, p),
                    (team, p, None),
                    true,
                )
            })
            .or_else(|| {
                let name_fold = name_fold();
                lookup(
                    &self.by_name_year,
                    Self::name_hash(team, &name_fold, year),
                    (team, &name_fold, year),
                    false,
                )
            })?;
        let g = self.group(group);
        Some((g[0].person_id, g))
    }

    /// Add people (in id order).
    fn add_people(&mut self, people: impl Iterator<Item = Person>) {
        for p in people {
            let at = self.text.len() as u32;
            let name_fold = fold(&p.full_name);
            self.text.push_str(&p.full_name);
            self.text.push_str(&name_fold);
            if let Some(phone) = &p.phone {
                self.text.push_str(phone);
            }
            self.people.push(PersonLite {
                id: p.id,
                commune_code: p.commune_code,
                at,
                name_len: p.full_name.len() as u32,
                fold_len: name_fold.len() as u32,
                phone_len: p.phone.as_ref().map_or(0, |p| p.len() as u32),
                has_phone: p.phone.is_some(),
                gender: p.gender.as_deref().and_then(Gender::from_code),
                birth_year: p.birth_year,
            });
        }
    }

    /// Sort and index once the people and memberships are in. A key belongs to
    /// the person whose membership with it came first (by id), as when
    /// the records are read in id order.
    fn finish(&mut self) {
        self.people.sort_by_key(|p| p.id);
        self.people.dedup_by_key(|p| p.id);
        self.people.shrink_to_fit();
        self.memberships
            .sort_unstable_by_key(|m| (m.team_id, m.person_id, m.id));
        self.memberships.shrink_to_fit();
        let mut by_phone = HashedMap::default();
        let mut by_name_year = HashedMap::default();
        by_phone.reserve(self.memberships.len());
        by_name_year.reserve(self.memberships.len());
        let mut overflow: Vec<(u64, u32)> = Vec::new();
        let mut at = 0usize;
        while at < self.memberships.len() {
            let g = at as u32;
            let len = self.group(g).len();
            let m = &self.memberships[at];
            let (team, first_id) = (m.team_id, m.id);
            if let Some(p) = self.person(m.person_id) {
                let mut keys = vec![(
                    Self::name_hash(team, self.name_fold(p), p.birth_year),
                    false,
                )];
                if let Some(phone) = self.phone(p) {
                    keys.push((Self::phone_hash(team, phone), true));
                }
                for (h, phone_key) in keys {
                    let map = if phone_key {
                        &mut by_phone
                    } else {
                        &mut by_name_year
                    };
                    let key = self.group_key(g, phone_key);
                    // The group already holding this very key, if any.
                    let holder = map
                        .get(&h)
                        .copied()
                        .into_iter()
                        .chain(overflow.iter().filter(|(k, _)| *k == h).map(|(_, o)| *o))
                        .find(|&o| self.group_key(o, phone_key) == key);
                    match holder {
                        Some(o) if self.memberships[o as usize].id < first_id => {}
                        Some(o) => {
                            if map.get(&h) == Some(&o) {
                                map.insert(h, g);
                            } else if let Some(e) =
                                overflow.iter_mut().find(|(k, v)| *k == h && *v == o)
                            {
                                e.1 = g;
                            }
                        }
                        None if map.contains_key(&h) => overflow.push((h, g)),
                        None => {
                            map.insert(h, g);
                        }
                    }
                }
            }
            at += len;
        }
        self.by_phone = by_phone;
        self.by_name_year = by_name_year;
        self.overflow = overflow;
    }
}

#[derive(Default)]
struct State {
    villages: Vec<Village>,
    village_by_key: HashMap<String, usize>,
    teams: Vec<Team>,
    /// Village id → indexes in `teams`.
    teams_of_village: HashMap<i64, Vec<usize>>,
    /// The village teams' members (roster imports only).
    members: Members,
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
    /// The roster row (index in the sheet's rows) that holds the person.
    row: u32,
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
    // hash(team, person key) → index of the first row, to refuse the same
    // person twice in a team; rows whose hash another key took go to
    // `seen_more` (almost never).
    let mut seen: HashedMap<u32> = HashedMap::default();
    seen.reserve(rows.len());
    let mut seen_more: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut village_cache: HashMap<Arc<str>, Option<Resolved>> = HashMap::new();
    // The person key of a row: its team and phone, else its team, folded
    // name and birth year.
    let row_key = |team: Ref, row: &MemberRow, name_fold: &str| -> u64 {
        match &row.phone {
            Some(p) => key_hash((team, 1u8, p.as_str())),
            None => key_hash((team, 2u8, name_fold, row.birth_year.map(|b| b.get()))),
        }
    };
    let same_person = |a: &MemberRow, b: &MemberRow| match (&a.phone, &b.phone) {
        (Some(x), Some(y)) => x == y,
        (None, None) => {
            a.birth_year == b.birth_year && fold(a.full_name.as_str()) == fold(b.full_name.as_str())
        }
        _ => false,
    };
    for (index, row) in rows.iter().enumerate() {
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
        let year = row.birth_year.map(|b| b.get());
        let phone = row.phone.as_ref().map(|p| p.as_str());
        // The folded name is the key only without a phone.
        let name_fold = if phone.is_none() {
            fold(row.full_name.as_str())
        } else {
            String::new()
        };
        let key = row_key(team, row, &name_fold);
        let first = seen
            .get(&key)
            .into_iter()
            .chain(seen_more.get(&key).into_iter().flatten())
            .copied()
            .find(|&i| {
                let other = &rows[i as usize];
                same_person(other, row)
                    && matches!(village_cache.get(&other.village), Some(Some((_, t, _))) if *t == team)
            });
        if let Some(first) = first {
            let first = rows[first as usize].line;
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
        match seen.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(index as u32);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                seen_more.entry(key).or_default().push(index as u32);
            }
        }
        let label = format!("{} — {}", row.full_name, row.village);
        // The team's period.
        let (team_name, established, dissolved) = match team {
            Ref::Old(id) => {
                let t = state.teams.iter().find(|t| t.id == id);
                match t {
                    Some(t) => (t.name.as_str(), t.established_on, t.dissolved_on),
                    None => continue,
                }
            }
            Ref::New(i) => (
                plan.teams[i].name.as_str(),
                plan.teams[i].established_on,
                None,
            ),
        };
        let team_name = team_name.to_string();
        let in_period = established <= started && dissolved.is_none_or(|d| d > started);
        // The person among the team's people.
        let found = match team {
            Ref::Old(id) => state.members.find(
                id,
                phone,
                || {
                    if phone.is_none() {
                        name_fold.clone()
                    } else {
                        fold(row.full_name.as_str())
                    }
                },
                year,
            ),
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
            plan.people.push(NewPersonOp { row: index as u32 });
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
        let Some(before) = state.members.person(pid) else {
            continue;
        };
        let members = &state.members;
        let mut diff = Vec::new();
        let before_name = members.name(before);
        let before_phone = members.phone(before);
        if row.full_name.as_str() != before_name {
            diff.push(format!("Họ và tên: {before_name} → {}", row.full_name));
        }
        if let Some(y) = year {
            if Some(y) != before.birth_year {
                diff.push(format!(
                    "Năm sinh: {} → {y}",
                    before
                        .birth_year
                        .map_or("(trống)".into(), |b| b.to_string())
                ));
            }
        }
        if let Some(g) = row.gender {
            if Some(g) != before.gender {
                diff.push(format!(
                    "Giới tính: {} → {g}",
                    before.gender.map_or("(trống)", |g| g.label())
                ));
            }
        }
        if let Some(p) = phone {
            if Some(p) != before_phone {
                diff.push(format!(
                    "Số điện thoại: {} → {p}",
                    before_phone.unwrap_or("(trống)")
                ));
            }
        }
        if !diff.is_empty() {
            let before = members.full(before);
            let mut after = before.clone();
            after.full_name = row.full_name.to_string();
            if year.is_some() {
                after.birth_year = year;
            }
            if let Some(g) = row.gender {
                after.gender = Some(g.code().to_string());
            }
            if let Some(p) = phone {
                after.phone = Some(p.to_string());
            }
            plan.person_updates.push((before, after));
        }
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
                    // A change of role or affiliation holds from the
                    // import's as-of date, as the member form's does.
                    match crate::people::check_term_change(m, as_of) {
                        Ok(()) => {
                            let upd = crate::people::after_term_change(
                                m,
                                upd.role,
                                upd.affiliation,
                                as_of,
                            );
                            plan.membership_updates.push((m.clone(), upd));
                        }
                        Err(e) => plan.error(row.line, Some("Chức danh trong Tổ"), e.to_string()),
                    }
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
                        crate::rules::member_twice(before_name, &team_name, m.started_on),
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

/// A membership as the bulk read answers it:
/// `[id, team_id, person_id, role, affiliation, started_on, ended_on, role_since]`.
type MembershipJson = (
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
type PersonJson = (
    i64,
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
);

fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("bulk read: {e}"))))
}

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
            // The memberships of the commune's village teams, team by team,
            // then their people by ranges of ids (sequential reads), each
            // query answering one JSON array (rather than a row per record).
            let team_ids: Vec<i64> = state.teams.iter().map(|t| t.id).collect();
            let mut memberships: Vec<Membership> = Vec::new();
            for team in team_ids {
                let json = Bulk::memberships_json(&mut *$tx, team).await?;
                let rows: Vec<MembershipJson> = from_json(&json)?;
                for (id, team_id, person_id, role, affiliation, started_on, ended_on, role_since) in rows {
                    memberships.push(Membership {
                        id,
                        team_id,
                        person_id,
                        role: Role::try_from(role).map_err(StoreError::Invalid)?,
                        affiliation: Affiliation::try_from(affiliation).map_err(StoreError::Invalid)?,
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
                        .map(|(id, commune_code, full_name, gender, birth_year, phone)| Person {
                            id,
                            commune_code,
                            full_name,
                            gender,
                            birth_year,
                            phone,
                        }),
                );
            }
            drop(ids);
            state.members.memberships = memberships;
            state.members.finish();
        }
        state
    }};
}

/// Multi-row INSERT of `$items` in chunks, `RETURNING id, <check column>`;
/// ids come back in insertion order (sorted), checked against `$check`.
macro_rules! insert_chunks {
    ($tx:expr, $sql:expr, $items:expr, |$b:ident, $it:ident| $push:block, $check:expr) => {{
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

/// The audit entry of the records of one kind an import creates: entity
/// `import`, id 0, action `create`, and after it the file, the kind, the
/// number created and their ids as ranges `[[first, last], …]`. `None` when
/// it creates none.
fn import_audit_row(commune: i32, source: &str, entity: &str, ids: &[i64]) -> Option<AuditRow> {
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

/// Rows per batch of the bulk writes of people and memberships.
const BULK: usize = 10_000;

/// New rows of a table from which an import on SQLite drops the table's
/// secondary indexes and rebuilds them afterwards ([`Bulk::suspend_indexes`];
/// only when the table holds no more rows than are added, so the rebuild
/// costs at most twice the load).
const LARGE_LOAD: usize = BULK;

/// A new person as the bulk write sends it: id, name, folded name, gender,
/// birth year, phone.
struct NewPersonRow<'a>(
    i64,
    &'a str,
    String,
    Option<&'static str>,
    Option<i32>,
    Option<&'a str>,
);

/// A new membership as the bulk write sends it: id, team, person, role,
/// affiliation, start.
struct NewMembershipRow(i64, i64, i64, &'static str, &'static str, NaiveDate);

/// Append `text` as a field of PostgreSQL's `COPY … FROM STDIN` text format
/// (backslash, tab, newline and carriage return escaped).
fn copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Append an optional field (`\N` for NULL) and its separator.
fn copy_opt(out: &mut String, value: Option<&dyn std::fmt::Display>, last: bool) {
    use std::fmt::Write;
    match value {
        Some(v) => {
            let text = v.to_string();
            copy_text(out, &text);
        }
        None => out.push_str("\\N"),
    }
    let _ = write!(out, "{}", if last { '\n' } else { '\t' });
}

/// What every bulk-written row shares.
struct BulkCtx {
    commune: i32,
    now: DateTime<Utc>,
}

/// The bulk writes of an import, per backend: people and memberships go
/// 10,000 rows at a time — SQLite: multi-row prepared statements stepped on
/// the connection's raw handle ([`crate::sqlite_raw::insert_rows`]);
/// PostgreSQL: one `COPY … FROM STDIN` — with ids assigned inside the
/// transaction. The records created are audited by one entry per kind
/// ([`import_audit_row`]), not one per record.
trait Bulk {
    /// Settings for a large write (`on`) and back, after it (committed or
    /// not).
    async fn large_write(&mut self, on: bool) -> Result<()>;
    /// The memberships of `team` as one JSON array of [`MembershipJson`].
    async fn memberships_json(&mut self, team: i64) -> Result<String>;
    /// The people with ids in `lo..=hi` as one JSON array of [`PersonJson`].
    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String>;
    /// Before `adding` rows are loaded into `table`: drop its secondary
    /// indexes when the load is large and at least doubles the table, and
    /// return the statements that rebuild them ([`Bulk::rebuild_indexes`]
    /// after the load, in the same transaction). Empty when nothing was
    /// dropped.
    async fn suspend_indexes(&mut self, table: &'static str, adding: usize) -> Result<Vec<String>>;
    /// Run the statements [`Bulk::suspend_indexes`] returned.
    async fn rebuild_indexes(&mut self, statements: Vec<String>) -> Result<()>;
    /// `n` ids for new rows of `table` (ascending).
    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>>;
    /// Insert new people (multi-row statements, or one `COPY`).
    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()>;
    /// Insert new memberships (multi-row statements, or one `COPY`).
    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()>;
}

impl Bulk for sqlx::SqliteConnection {
    async fn memberships_json(&mut self, team: i64) -> Result<String> {
        Ok(sqlx::query_scalar(
            "SELECT json_group_array(json_array(id, team_id, person_id, role, affiliation, started_on, ended_on, role_since)) \
             FROM memberships WHERE team_id = $1",
        )
        .bind(team)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String> {
        Ok(sqlx::query_scalar(
            "SELECT json_group_array(json_array(id, commune_code, full_name, gender, birth_year, phone)) \
             FROM people WHERE id BETWEEN $1 AND $2",
        )
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn large_write(&mut self, on: bool) -> Result<()> {
        // A 32 MB page cache while the import writes (the default is 2 MB):
        // the last pages of the tables and indexes written stay in memory.
        // (64 MB until the writes came in key order: 500,000 members now
        // take 249 MB with 32 MB, 277–294 MB with 64, in the same time.)
        let sql = if on {
            "PRAGMA cache_size = -32768"
        } else {
            "PRAGMA cache_size = -2000"
        };
        sqlx::query(sql).execute(&mut *self).await?;
        Ok(())
    }

    async fn suspend_indexes(&mut self, table: &'static str, adding: usize) -> Result<Vec<String>> {
        // Keys in random order (names, phones) cost a search from the root
        // and a page spilled to the log per row; CREATE INDEX sorts them and
        // writes each page once. Worth it only when the table's existing
        // rows are fewer than those added (the rebuild reads them all).
        if adding < LARGE_LOAD {
            return Ok(Vec::new());
        }
        let (existing,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *self)
            .await?;
        if existing as usize > adding {
            return Ok(Vec::new());
        }
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
             AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        )
        .bind(table)
        .fetch_all(&mut *self)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .execute(&mut *self)
                .await?;
        }
        tracing::debug!(
            table,
            indexes = indexes.len(),
            "import: indexes dropped for the load"
        );
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    async fn rebuild_indexes(&mut self, statements: Vec<String>) -> Result<()> {
        if statements.is_empty() {
            return Ok(());
        }
        // SQLite's sort for CREATE INDEX keeps as much in memory as the page
        // cache may hold before it spills to a temporary file: the sort gets
        // 16 MB, half the large write's cache, to keep the import's peak
        // memory down.
        let (cache,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&mut *self)
            .await?;
        sqlx::query("PRAGMA cache_size = -16384")
            .execute(&mut *self)
            .await?;
        for sql in statements {
            sqlx::query(&sql).execute(&mut *self).await?;
        }
        sqlx::query(&format!("PRAGMA cache_size = {cache}"))
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        // The writing transaction holds SQLite's only write lock: the ids
        // after the largest are free until it ends.
        let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
        let (max,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut *self).await?;
        Ok((max + 1..=max + n as i64).collect())
    }

    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()> {
        use crate::sqlite_raw::{insert_all, Param};
        let now = sqlite_timestamp(ctx.now);
        let commune = i64::from(ctx.commune);
        let mut values: Vec<Param> = Vec::with_capacity(rows.len() * 9);
        for NewPersonRow(id, name, name_fold, gender, birth_year, phone) in rows {
            values.extend([
                Param::Int(*id),
                Param::Int(commune),
                Param::Text(name),
                Param::Text(name_fold),
                (*gender).into(),
                birth_year.map(i64::from).into(),
                (*phone).into(),
                Param::Text(&now),
                Param::Text(&now),
            ]);
        }
        insert_all(
            self,
            "people (id, commune_code, full_name, name_fold, gender, birth_year, phone, created_at, updated_at)",
            9,
            &values,
        )
        .await?;
        Ok(())
    }

    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()> {
        use crate::sqlite_raw::{insert_all, Param};
        let now = sqlite_timestamp(ctx.now);
        // Each distinct start date formatted once (an import's memberships
        // mostly start on one day).
        let mut dates: HashMap<NaiveDate, String> = HashMap::new();
        for row in rows {
            dates
                .entry(row.5)
                .or_insert_with(|| row.5.format("%F").to_string());
        }
        let mut values: Vec<Param> = Vec::with_capacity(rows.len() * 8);
        for NewMembershipRow(id, team, person, role, affiliation, started_on) in rows {
            values.extend([
                Param::Int(*id),
                Param::Int(*team),
                Param::Int(*person),
                Param::Text(role),
                Param::Text(affiliation),
                Param::Text(&dates[started_on]),
                Param::Text(&now),
                Param::Text(&now),
            ]);
        }
        insert_all(
            self,
            "memberships (id, team_id, person_id, role, affiliation, started_on, created_at, updated_at)",
            8,
            &values,
        )
        .await?;
        Ok(())
    }
}

/// A timestamp as sqlx stores `DateTime<Utc>` in SQLite (RFC 3339, `+00:00`),
/// so rows written on the raw handle read back like every other row.
fn sqlite_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

impl Bulk for sqlx::PgConnection {
    async fn memberships_json(&mut self, team: i64) -> Result<String> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(json_agg(json_build_array(id, team_id, person_id, role, affiliation, started_on, \
             ended_on, role_since))::text, '[]') FROM memberships WHERE team_id = $1",
        )
        .bind(team)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(json_agg(json_build_array(id, commune_code, full_name, gender, birth_year, \
             phone))::text, '[]') FROM people WHERE id BETWEEN $1 AND $2",
        )
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn large_write(&mut self, on: bool) -> Result<()> {
        if !on {
            // Fresh statistics after a large import (autovacuum may take a
            // while): without them the planner scans whole tables for the
            // next import's per-team reads.
            sqlx::query("ANALYZE people, memberships")
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    async fn suspend_indexes(
        &mut self,
        _table: &'static str,
        _adding: usize,
    ) -> Result<Vec<String>> {
        // COPY maintains PostgreSQL's indexes well enough; dropping them
        // would take an exclusive lock on the table.
        Ok(Vec::new())
    }

    async fn rebuild_indexes(&mut self, _statements: Vec<String>) -> Result<()> {
        Ok(())
    }

    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        // Taken from the identity sequence, so concurrent writers never
        // get the same ids.
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1) ORDER BY 1"
        );
        let ids: Vec<(i64,)> = sqlx::query_as(&sql)
            .bind(n as i64)
            .fetch_all(&mut *self)
            .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()> {
        // COPY (text format): no statement to parse, no JSON to build.
        let now = ctx.now.to_rfc3339();
        let mut data = String::with_capacity(rows.len() * 100);
        for NewPersonRow(id, name, fold, gender, birth_year, phone) in rows {
            copy_opt(&mut data, Some(id), false);
            copy_opt(&mut data, Some(&ctx.commune), false);
            copy_opt(&mut data, Some(name), false);
            copy_opt(&mut data, Some(fold), false);
            copy_opt(
                &mut data,
                gender.as_ref().map(|g| g as &dyn std::fmt::Display),
                false,
            );
            copy_opt(
                &mut data,
                birth_year.as_ref().map(|y| y as &dyn std::fmt::Display),
                false,
            );
            copy_opt(
                &mut data,
                phone.as_ref().map(|p| p as &dyn std::fmt::Display),
                false,
            );
            copy_opt(&mut data, Some(&now), false);
            copy_opt(&mut data, Some(&now), true);
        }
        let mut copy = self
            .copy_in_raw(
                "COPY people (id, commune_code, full_name, name_fold, gender, birth_year, phone, created_at, updated_at) \
                 FROM STDIN",
            )
            .await?;
        copy.send(data.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()> {
        let now = ctx.now.to_rfc3339();
        let mut data = String::with_capacity(rows.len() * 100);
        for NewMembershipRow(id, team, person, role, affiliation, started_on) in rows {
            copy_opt(&mut data, Some(id), false);
            copy_opt(&mut data, Some(team), false);
            copy_opt(&mut data, Some(person), false);
            copy_opt(&mut data, Some(role), false);
            copy_opt(&mut data, Some(affiliation), false);
            copy_opt(&mut data, Some(started_on), false);
            copy_opt(&mut data, Some(&now), false);
            copy_opt(&mut data, Some(&now), true);
        }
        let mut copy = self
            .copy_in_raw(
                "COPY memberships (id, team_id, person_id, role, affiliation, started_on, created_at, updated_at) \
                 FROM STDIN",
            )
            .await?;
        copy.send(data.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }
}

/// Write `$plan` inside `$tx`.
macro_rules! write_plan {
    ($tx:expr, $actor:expr, $commune:expr, $source:expr, $plan:expr, $rows:expr) => {{
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

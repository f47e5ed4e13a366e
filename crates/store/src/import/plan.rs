//! The plan of an import, pure: from the sheet's typed rows and the current
//! state, what to create, update or leave unchanged, and every error by row
//! and column. No database here (see the tests below).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use toso_domain::{fold, format_date, not_in_future, Affiliation, Role, TeamKind, VillageKind};
use toso_sheets::{village_key, DocumentRow, Issue, MemberRow, TeamRow, VillageRow};

use super::state::{key_hash, HashedMap, State};
use super::{Counts, RowAction, RowOutcome};
use crate::{Document, DutyDay, Membership, Person, Team, Village};

mod duty;
pub(super) use duty::plan_duty_days;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Ref {
    Old(i64),
    New(usize),
}

#[derive(Debug, Clone)]
pub(super) struct NewVillageOp {
    pub(super) name: String,
    pub(super) kind: VillageKind,
    pub(super) active_from: NaiveDate,
}

#[derive(Debug, Clone)]
pub(super) struct NewTeamOp {
    pub(super) village: Ref,
    pub(super) name: String,
    pub(super) established_on: NaiveDate,
    pub(super) decision_id: Option<i64>,
    pub(super) zalo_link: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct NewPersonOp {
    /// The roster row (index in the sheet's rows) that holds the person.
    pub(super) row: u32,
}

#[derive(Debug, Clone)]
pub(super) struct NewMembershipOp {
    pub(super) team: Ref,
    pub(super) person: Ref,
    pub(super) role: Role,
    pub(super) affiliation: Affiliation,
    pub(super) started_on: NaiveDate,
}

#[derive(Default)]
pub(super) struct Plan {
    pub(super) villages: Vec<NewVillageOp>,
    pub(super) village_updates: Vec<(Village, Village)>,
    pub(super) teams: Vec<NewTeamOp>,
    pub(super) team_updates: Vec<(Team, Team)>,
    pub(super) people: Vec<NewPersonOp>,
    pub(super) person_updates: Vec<(Person, Person)>,
    pub(super) memberships: Vec<NewMembershipOp>,
    pub(super) membership_updates: Vec<(Membership, Membership)>,
    pub(super) documents: Vec<Document>,
    pub(super) document_updates: Vec<(Document, Document)>,
    /// New duty days (id 0), their members sorted by name.
    pub(super) duty_days: Vec<DutyDay>,
    pub(super) rows: Vec<RowOutcome>,
    pub(super) errors: Vec<Issue>,
    pub(super) warnings: Vec<Issue>,
    /// Village key → the village (existing or planned).
    pub(super) new_village_by_key: HashMap<String, usize>,
    /// Village → its planned new team.
    pub(super) new_team_by_village: HashMap<Ref, usize>,
}

impl Plan {
    pub(super) fn error(
        &mut self,
        line: u32,
        column: Option<&'static str>,
        message: impl Into<String>,
    ) {
        if self.errors.len() < toso_sheets::rows::MAX_ISSUES {
            self.errors.push(Issue::new(line, column, message));
        }
    }

    /// The outcome of a row of an existing record: an update listing
    /// `changes`, or unchanged when there are none. True for an update.
    pub(super) fn changed(&mut self, line: u32, label: String, changes: Vec<String>) -> bool {
        if changes.is_empty() {
            self.rows.push(skip(line, label));
            return false;
        }
        self.rows.push(RowOutcome {
            line,
            action: RowAction::Update,
            label,
            changes,
        });
        true
    }

    pub(super) fn counts(&self) -> (Counts, Counts) {
        let created = Counts {
            villages: self.villages.len() as u64,
            teams: self.teams.len() as u64,
            people: self.people.len() as u64,
            memberships: self.memberships.len() as u64,
            documents: self.documents.len() as u64,
            duty_days: self.duty_days.len() as u64,
        };
        let updated = Counts {
            villages: self.village_updates.len() as u64,
            teams: self.team_updates.len() as u64,
            people: self.person_updates.len() as u64,
            memberships: self.membership_updates.len() as u64,
            documents: self.document_updates.len() as u64,
            // An import never changes a duty day.
            duty_days: 0,
        };
        (created, updated)
    }

    /// The village named `name`, existing or planned (created if missing,
    /// active from `from`). `changes` learns when it is new.
    pub(super) fn village(
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
    pub(super) fn team(
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
            .unwrap_or_else(|| TeamKind::Village.usual_name(village_name));
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

pub(super) fn check_not_future(
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

pub(super) fn plan_villages(state: &State, rows: &[VillageRow], date: NaiveDate, plan: &mut Plan) {
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

pub(super) fn skip(line: u32, label: String) -> RowOutcome {
    RowOutcome {
        line,
        action: RowAction::Skip,
        label,
        changes: vec![],
    }
}

pub(super) fn plan_teams(state: &State, rows: &[TeamRow], date: NaiveDate, plan: &mut Plan) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in rows {
        let key = village_key(&row.village);
        let label = row.name.as_ref().map_or_else(
            || TeamKind::Village.usual_name(&row.village),
            |n| n.to_string(),
        );
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
            if plan.changed(row.line, label, diff) {
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
pub(super) type Resolved = (Ref, Ref, Vec<String>);

pub(super) fn plan_members(
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

pub(super) fn plan_documents(state: &State, rows: &[DocumentRow], commune: i32, plan: &mut Plan) {
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
                if plan.changed(row.line, label, diff) {
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

#[cfg(test)]
mod tests;

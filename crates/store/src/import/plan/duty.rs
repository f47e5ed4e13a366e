//! The plan of a duty-day sheet, pure: each row names a member on duty; the
//! rows of one village (hence one team) — or of the commune's quick-response
//! team, named in the village column — one day and one place make one duty day,
//! created — or left unchanged when the team already has a duty day that
//! day at that place with exactly those members. A duty day there with
//! other members is an error naming it: nothing is guessed, and an import
//! never changes or deletes a duty day.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use toso_domain::{fold, format_date, TeamKind};
use toso_sheets::rows::DutyDayRow;
use toso_sheets::village_key;

use super::{check_not_future, skip, Plan};
use crate::allowance::MAX_DUTY_TEXT;
use crate::import::state::{ExistingDutyDay, Members, State};
use crate::import::{RowAction, RowOutcome};
use crate::{DutyDay, DutyMember, Membership, Team};

const NAME: &str = "Họ và tên";
const PHONE: &str = "Số điện thoại";
const VILLAGE: &str = "Thôn/TDP";
const DAY: &str = "Ngày trực";
const PLACE: &str = "Nơi trực";
const NOTE: &str = "Ghi chú";

/// The rows of one duty day: one village, one day, one place (folded).
struct Group<'a> {
    first: &'a DutyDayRow,
    /// Any row refused: the group is neither created nor compared.
    failed: bool,
    team: Option<&'a Team>,
    /// (person id, stored name, row), in the sheet's order.
    members: Vec<(i64, String, &'a DutyDayRow)>,
    /// Distinct notes, in the sheet's order.
    notes: Vec<String>,
}

/// The people who were ever members of each village team, by folded name.
struct TeamPeople<'a> {
    members: &'a Members,
    by_name: HashMap<(i64, String), Vec<i64>>,
}

impl<'a> TeamPeople<'a> {
    fn new(members: &'a Members) -> TeamPeople<'a> {
        let mut by_name: HashMap<(i64, String), Vec<i64>> = HashMap::new();
        let mut last = None;
        // Sorted by (team, person, id): one entry per team and person.
        for m in &members.memberships {
            if last == Some((m.team_id, m.person_id)) {
                continue;
            }
            last = Some((m.team_id, m.person_id));
            if let Some(p) = members.person(m.person_id) {
                by_name
                    .entry((m.team_id, members.name_fold(p).to_string()))
                    .or_default()
                    .push(m.person_id);
            }
        }
        TeamPeople { members, by_name }
    }

    fn named(&self, team: i64, name_fold: String) -> &[i64] {
        self.by_name
            .get(&(team, name_fold))
            .map_or(&[], |v| v.as_slice())
    }

    /// The person's memberships of the team.
    fn memberships(&self, team: i64, person: i64) -> &[Membership] {
        let m = &self.members.memberships;
        let lo = m.partition_point(|x| (x.team_id, x.person_id) < (team, person));
        let hi = m.partition_point(|x| (x.team_id, x.person_id) <= (team, person));
        &m[lo..hi]
    }

    fn member_on(&self, team: i64, person: i64, day: NaiveDate) -> bool {
        self.memberships(team, person)
            .iter()
            .any(|m| m.started_on <= day && m.ended_on.is_none_or(|e| e > day))
    }

    fn name(&self, person: i64) -> String {
        self.members.person(person).map_or_else(
            || format!("người số {person}"),
            |p| self.members.name(p).to_string(),
        )
    }

    fn phone(&self, person: i64) -> Option<&str> {
        self.members
            .person(person)
            .and_then(|p| self.members.phone(p))
    }
}

/// Whether a village cell names the commune's quick-response team: by its
/// name, or by the words every name of it shares ("… phản ứng nhanh").
fn names_quick_response(state: &State, cell: &str) -> bool {
    let cell = fold(cell);
    cell.contains("phan ung nhanh")
        || state
            .teams
            .iter()
            .any(|t| t.kind == TeamKind::QuickResponse && fold(&t.name) == cell)
}

/// The team of the row's village (or the quick-response team it names) on
/// the row's day, or the error.
fn team_of<'a>(state: &'a State, row: &DutyDayRow) -> Result<&'a Team, (&'static str, String)> {
    let Some(&v) = state.village_by_key.get(&village_key(&row.village)) else {
        if names_quick_response(state, &row.village) {
            let teams: Vec<&Team> = state
                .teams
                .iter()
                .filter(|t| t.kind == TeamKind::QuickResponse)
                .collect();
            return team_on(
                teams,
                row,
                "Xã chưa có Đội hỗ trợ chuyển đổi số phản ứng nhanh.".to_string(),
            );
        }
        return Err((
            VILLAGE,
            format!(
                "Không có thôn, tổ dân phố «{}» trong xã: nhập danh sách thôn, tổ dân phố trước \
                 (ngày trực của Đội hỗ trợ phản ứng nhanh: ghi tên đội ở cột này).",
                row.village
            ),
        ));
    };
    let village = &state.villages[v];
    let teams: Vec<&Team> = state
        .teams_of_village
        .get(&village.id)
        .map(|ts| ts.iter().map(|&i| &state.teams[i]).collect())
        .unwrap_or_default();
    team_on(
        teams,
        row,
        format!(
            "Thôn, tổ dân phố «{}» chưa có tổ công nghệ số cộng đồng.",
            village.name
        ),
    )
}

/// The one of `teams` active on the row's day, or the error: the day
/// outside the nearest team's time, or `none` when there is no team.
fn team_on<'a>(
    teams: Vec<&'a Team>,
    row: &DutyDayRow,
    none: String,
) -> Result<&'a Team, (&'static str, String)> {
    if let Some(t) = teams.iter().find(|t| t.is_active_on(row.held_on)) {
        return Ok(t);
    }
    // The team nearest the day: the open one, else the latest.
    match teams
        .iter()
        .max_by_key(|t| (t.dissolved_on.is_none(), t.established_on))
    {
        Some(t) => Err((
            DAY,
            format!(
                "Ngày trực {} nằm ngoài thời gian hoạt động của tổ «{}» (thành lập ngày {}{}).",
                format_date(row.held_on),
                t.name,
                format_date(t.established_on),
                t.dissolved_on
                    .map(|d| format!(", giải thể ngày {}", format_date(d)))
                    .unwrap_or_default()
            ),
        )),
        None => Err((VILLAGE, none)),
    }
}

/// The member the row names: among the team's members that day, by folded
/// name, and by phone when two share the name.
fn member_of(
    people: &TeamPeople,
    team: &Team,
    row: &DutyDayRow,
) -> Result<i64, (&'static str, String)> {
    let name = row.full_name.as_str();
    let day = format_date(row.held_on);
    let ever = people.named(team.id, fold(name));
    if ever.is_empty() {
        return Err((
            NAME,
            format!("Tổ «{}» không có thành viên tên «{name}».", team.name),
        ));
    }
    let that_day: Vec<i64> = ever
        .iter()
        .copied()
        .filter(|&p| people.member_on(team.id, p, row.held_on))
        .collect();
    if that_day.is_empty() {
        return Err((
            NAME,
            format!(
                "«{name}» không phải thành viên của tổ «{}» vào ngày {day}.",
                team.name
            ),
        ));
    }
    let Some(phone) = &row.phone else {
        return match that_day[..] {
            [one] => Ok(one),
            _ => Err((
                NAME,
                format!(
                    "Tổ «{}» có {} thành viên tên «{name}» vào ngày {day}: ghi thêm cột «{PHONE}» \
                     để chỉ rõ người trực.",
                    team.name,
                    that_day.len()
                ),
            )),
        };
    };
    let same_phone: Vec<i64> = that_day
        .iter()
        .copied()
        .filter(|&p| people.phone(p) == Some(phone.as_str()))
        .collect();
    match (&same_phone[..], &that_day[..]) {
        ([one], _) => Ok(*one),
        // The only one of that name, with no phone stored: nothing to
        // contradict.
        ([], [one]) if people.phone(*one).is_none() => Ok(*one),
        ([], [_]) => Err((
            PHONE,
            format!(
                "Số điện thoại {phone} không phải của «{name}» trong tổ «{}».",
                team.name
            ),
        )),
        _ => Err((
            PHONE,
            format!(
                "Tổ «{}» không có thành viên «{name}» với số điện thoại {phone} vào ngày {day}.",
                team.name
            ),
        )),
    }
}

pub(in crate::import) fn plan_duty_days(
    state: &State,
    rows: &[DutyDayRow],
    commune: i32,
    plan: &mut Plan,
) {
    let people = TeamPeople::new(&state.members);
    let mut existing: HashMap<(i64, NaiveDate), Vec<&ExistingDutyDay>> = HashMap::new();
    for d in &state.duty_days {
        existing.entry((d.team_id, d.held_on)).or_default().push(d);
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<(String, NaiveDate, String), usize> = HashMap::new();
    for row in rows {
        // Any spelling of the quick-response team's name is one key.
        let unit = match state
            .village_by_key
            .contains_key(&village_key(&row.village))
        {
            false if names_quick_response(state, &row.village) => "\u{0}quick_response".into(),
            _ => village_key(&row.village),
        };
        let key = (unit, row.held_on, fold(&row.place));
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Group {
                first: row,
                failed: false,
                team: None,
                members: Vec::new(),
                notes: Vec::new(),
            });
            groups.len() - 1
        });
        let refused = |plan: &mut Plan, groups: &mut Vec<Group>, column, message: String| {
            plan.error(row.line, Some(column), message);
            groups[g].failed = true;
        };
        if !check_not_future(plan, row.line, DAY, row.held_on, "Ngày trực") {
            groups[g].failed = true;
            continue;
        }
        if row.place.chars().count() > MAX_DUTY_TEXT {
            refused(
                plan,
                &mut groups,
                PLACE,
                format!("Nơi trực dài quá {MAX_DUTY_TEXT} ký tự."),
            );
            continue;
        }
        let team = match team_of(state, row) {
            Ok(t) => t,
            Err((column, message)) => {
                refused(plan, &mut groups, column, message);
                continue;
            }
        };
        groups[g].team = Some(team);
        let person = match member_of(&people, team, row) {
            Ok(p) => p,
            Err((column, message)) => {
                refused(plan, &mut groups, column, message);
                continue;
            }
        };
        if let Some((_, _, first)) = groups[g].members.iter().find(|(p, _, _)| *p == person) {
            let message = format!(
                "«{}» đã có ở dòng {} (cùng ngày trực, cùng nơi trực).",
                row.full_name, first.line
            );
            refused(plan, &mut groups, NAME, message);
            continue;
        }
        groups[g].members.push((person, people.name(person), row));
        if let Some(note) = &row.note {
            if !groups[g].notes.contains(note) {
                groups[g].notes.push(note.clone());
            }
        }
    }

    for group in &groups {
        let (Some(team), false) = (group.team, group.failed) else {
            continue;
        };
        let first = group.first;
        let note = (!group.notes.is_empty()).then(|| group.notes.join("; "));
        if note
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_DUTY_TEXT * 4)
        {
            plan.error(
                first.line,
                Some(NOTE),
                format!("Ghi chú dài quá {} ký tự.", MAX_DUTY_TEXT * 4),
            );
            continue;
        }
        let label = |row: &DutyDayRow| {
            format!(
                "{} — {}, ngày trực {}, {}",
                row.full_name,
                row.village,
                format_date(row.held_on),
                first.place
            )
        };
        let ids: HashSet<i64> = group.members.iter().map(|(p, _, _)| *p).collect();
        let place = fold(&first.place);
        let same_place: Vec<&ExistingDutyDay> = existing
            .get(&(team.id, first.held_on))
            .into_iter()
            .flatten()
            .copied()
            .filter(|d| fold(&d.place) == place)
            .collect();
        let same = same_place
            .iter()
            .find(|d| d.members.len() == ids.len() && d.members.iter().all(|p| ids.contains(p)));
        if let Some(day) = same {
            if note.is_some() && note != day.note {
                plan.warnings.push(toso_sheets::Issue::new(
                    first.line,
                    Some(NOTE),
                    "ngày trực này đã có, với ghi chú khác: không đổi ghi chú khi nhập (sửa trên trang của tổ).",
                ));
            }
            for (_, _, row) in &group.members {
                plan.rows.push(skip(row.line, label(row)));
            }
            continue;
        }
        if let Some(other) = same_place.first() {
            let names: Vec<String> = other.members.iter().map(|&p| people.name(p)).collect();
            plan.error(
                first.line,
                Some(PLACE),
                format!(
                    "Tổ «{}» đã có ngày trực {} tại «{}» với thành viên khác ({}): sửa hoặc xóa ngày \
                     trực đó trên trang của tổ rồi nhập lại.",
                    team.name,
                    format_date(other.held_on),
                    other.place,
                    names.join(", ")
                ),
            );
            continue;
        }
        let mut members: Vec<DutyMember> = group
            .members
            .iter()
            .map(|(p, name, _)| DutyMember {
                person_id: *p,
                full_name: name.clone(),
            })
            .collect();
        // As the team page records them.
        members.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        plan.duty_days.push(DutyDay {
            id: 0,
            commune_code: commune,
            team_id: team.id,
            held_on: first.held_on,
            place: first.place.clone(),
            note,
            members,
        });
        for (i, (_, _, row)) in group.members.iter().enumerate() {
            plan.rows.push(RowOutcome {
                line: row.line,
                action: RowAction::Create,
                label: label(row),
                changes: if i == 0 {
                    vec![format!(
                        "thêm ngày trực {} tại «{}» của tổ «{}» ({} người)",
                        format_date(first.held_on),
                        first.place,
                        team.name,
                        group.members.len()
                    )]
                } else {
                    Vec::new()
                },
            });
        }
    }
    plan.rows.sort_by_key(|r| r.line);
}

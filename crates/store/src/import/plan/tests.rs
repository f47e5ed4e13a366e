//! The planner without a database: a current state built in memory, the
//! sheet's typed rows, and what the plan decides for each row.

use std::sync::Arc;

use chrono::NaiveDate;
use toso_domain::{
    Affiliation, BirthYear, DocumentKind, DocumentNumber, Name, PersonName, PhoneNumber, Role,
    VillageKind,
};
use toso_sheets::rows::DutyDayRow;
use toso_sheets::{DocumentRow, MemberRow, TeamRow, VillageRow};

use super::{plan_documents, plan_duty_days, plan_members, plan_teams, plan_villages, Plan};
use crate::import::state::{ExistingDutyDay, State};
use crate::import::RowAction;
use crate::{Document, DutyMember, Membership, Person, Team, Village};

/// The members of a planned duty day: (person id, full name), in order.
fn on_duty(members: &[DutyMember]) -> Vec<(i64, &str)> {
    members
        .iter()
        .map(|m| (m.person_id, m.full_name.as_str()))
        .collect()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

fn village(id: i64, name: &str, kind: VillageKind) -> Village {
    Village {
        id,
        commune_code: 11914,
        kind,
        name: name.into(),
        active_from: d(2025, 1, 1),
        active_until: None,
    }
}

fn team(id: i64, village_id: i64, name: &str) -> Team {
    Team {
        id,
        commune_code: 11914,
        village_id: Some(village_id),
        kind: toso_domain::TeamKind::Village,
        name: name.into(),
        established_on: d(2025, 1, 1),
        dissolved_on: None,
        decision_id: None,
        zalo_link: None,
    }
}

fn document(id: i64, number: &str, issued_on: NaiveDate, subject: &str) -> Document {
    Document {
        id,
        commune_code: 11914,
        kind: DocumentKind::QuyetDinh,
        doc_number: number.into(),
        issued_on,
        issuer: "UBND xã".into(),
        subject: subject.into(),
    }
}

fn village_row(line: u32, name: &str, kind: Option<VillageKind>) -> VillageRow {
    VillageRow {
        line,
        name: Name::parse(name).expect("a name"),
        kind: kind.unwrap_or_else(|| toso_sheets::guess_village_kind(name)),
        kind_given: kind.is_some(),
        active_from: None,
        active_until: None,
    }
}

fn member_row(line: u32, name: &str, phone: Option<&str>, born: Option<i32>) -> MemberRow {
    MemberRow {
        line,
        village: Arc::from("Thôn Hải Sơn"),
        full_name: PersonName::parse(name).expect("a name"),
        birth_year: born.map(|y| BirthYear::new(y, crate::today()).expect("a year")),
        gender: None,
        affiliation: None,
        role: None,
        phone: phone.map(|p| PhoneNumber::parse(p).expect("a phone")),
        started_on: None,
    }
}

fn document_row(line: u32, number: &str, issued_on: NaiveDate, subject: &str) -> DocumentRow {
    DocumentRow {
        line,
        kind: DocumentKind::QuyetDinh,
        number: DocumentNumber::parse(number).expect("a number"),
        issued_on,
        issuer: Name::parse("UBND xã").expect("a name"),
        subject: Name::parse(subject).expect("a subject"),
    }
}

fn actions(plan: &Plan) -> Vec<(u32, RowAction)> {
    plan.rows.iter().map(|r| (r.line, r.action)).collect()
}

#[test]
fn villages_are_matched_by_their_folded_name() {
    let state = State::new(
        vec![
            village(1, "Thôn Hải Sơn", VillageKind::Thon),
            village(2, "Khu 3", VillageKind::Thon),
        ],
        vec![],
        vec![],
    );
    let rows = [
        village_row(2, "thôn hải sơn", None),
        village_row(3, "Khu 3", Some(VillageKind::KhuPho)),
        village_row(4, "Tổ dân phố 1", None),
        village_row(5, "TDP 1", None),
    ];
    let mut plan = Plan::default();
    plan_villages(&state, &rows, d(2025, 6, 1), &mut plan);
    assert_eq!(
        actions(&plan),
        [
            (2, RowAction::Skip),
            (3, RowAction::Update),
            (4, RowAction::Create)
        ]
    );
    assert_eq!(plan.village_updates.len(), 1);
    assert_eq!(plan.village_updates[0].1.kind, VillageKind::KhuPho);
    assert_eq!(plan.villages.len(), 1);
    assert_eq!(plan.villages[0].active_from, d(2025, 6, 1));
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 5);
}

#[test]
fn documents_are_matched_by_number_and_year() {
    let state = State::new(
        vec![],
        vec![],
        vec![document(7, "12/QĐ-UBND", d(2025, 3, 1), "Thành lập tổ")],
    );
    let rows = [
        document_row(2, "12/QĐ-UBND", d(2025, 3, 2), "Thành lập các tổ"),
        document_row(3, "12/QĐ-UBND", d(2024, 5, 1), "Năm trước"),
        document_row(4, "13/QĐ-UBND", d(2999, 1, 1), "Tương lai"),
    ];
    let mut plan = Plan::default();
    plan_documents(&state, &rows, 11914, &mut plan);
    assert_eq!(
        actions(&plan),
        [(2, RowAction::Update), (3, RowAction::Create)]
    );
    assert_eq!(plan.rows[0].changes.len(), 2, "{:?}", plan.rows[0].changes);
    assert_eq!(plan.document_updates[0].1.id, 7);
    assert_eq!(plan.documents.len(), 1);
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 4);
}

#[test]
fn a_team_needs_its_decision_in_the_register() {
    let state = State::new(
        vec![village(1, "Thôn Hải Sơn", VillageKind::Thon)],
        vec![],
        vec![],
    );
    let rows = [TeamRow {
        line: 2,
        village: Arc::from("Thôn Hải Sơn"),
        name: None,
        established_on: None,
        dissolved_on: None,
        decision: Some(DocumentNumber::parse("99/QĐ-UBND").expect("a number")),
        zalo: None,
    }];
    let mut plan = Plan::default();
    plan_teams(&state, &rows, d(2025, 6, 1), &mut plan);
    assert!(plan.teams.is_empty());
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].column, Some("Quyết định thành lập"));
}

#[test]
fn members_are_matched_by_phone_then_by_name_and_birth_year() {
    let mut state = State::new(
        vec![village(1, "Thôn Hải Sơn", VillageKind::Thon)],
        vec![team(10, 1, "Tổ CNS thôn Hải Sơn")],
        vec![],
    );
    let person = |id: i64, name: &str, phone: Option<&str>, born: Option<i32>| Person {
        id,
        commune_code: 11914,
        full_name: name.into(),
        gender: None,
        birth_year: born,
        phone: phone.map(str::to_string),
    };
    state.members.add_people(
        [
            person(100, "Nguyễn Văn An", Some("0912345678"), None),
            person(101, "Trần Thị Bình", None, Some(1990)),
        ]
        .into_iter(),
    );
    let membership = |id: i64, person_id: i64| Membership {
        id,
        team_id: 10,
        person_id,
        role: Role::ThanhVien,
        affiliation: Affiliation::Khac,
        started_on: d(2025, 1, 1),
        ended_on: None,
        role_since: None,
    };
    state.members.memberships = vec![membership(1000, 100), membership(1001, 101)];
    state.members.finish();

    let mut renamed = member_row(2, "Nguyễn Văn Ân", Some("0912345678"), None);
    renamed.role = Some(Role::ToTruong);
    let rows = [
        renamed,
        member_row(3, "trần thị bình", None, Some(1990)),
        member_row(4, "Lê Văn Cường", Some("0987654321"), None),
        member_row(5, "Lê Văn Cường", Some("0987654321"), None),
    ];
    let mut plan = Plan::default();
    plan_members(&state, &rows, None, d(2025, 6, 1), &mut plan);
    assert_eq!(
        actions(&plan),
        [
            (2, RowAction::Update),
            (3, RowAction::Update),
            (4, RowAction::Create)
        ]
    );
    // Found by phone, renamed; found by folded name and year, written anew.
    assert_eq!(plan.person_updates.len(), 2);
    assert_eq!(plan.person_updates[0].1.full_name, "Nguyễn Văn Ân");
    // The role changes from the import's date, the earlier one kept.
    assert_eq!(plan.membership_updates.len(), 1);
    let (before, after) = &plan.membership_updates[0];
    assert_eq!((before.role, after.role), (Role::ThanhVien, Role::ToTruong));
    assert_eq!(after.role_since, Some(d(2025, 6, 1)));
    assert_eq!((plan.people.len(), plan.memberships.len()), (1, 1));
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(plan.errors[0].line, 5);
    assert!(plan.teams.is_empty() && plan.villages.is_empty());
}

fn duty_row(line: u32, name: &str, phone: Option<&str>, on: NaiveDate, place: &str) -> DutyDayRow {
    DutyDayRow {
        line,
        full_name: PersonName::parse(name).expect("a name"),
        phone: phone.map(|p| PhoneNumber::parse(p).expect("a phone")),
        village: Arc::from("Thôn Hải Sơn"),
        held_on: on,
        place: place.into(),
        note: None,
    }
}

/// Thôn Hải Sơn's team (established 01/01/2025): An (with a phone), Bình
/// (without), two Lê Văn Cường told apart by their phones, and Dũng, who
/// left on 01/05/2025; on 02/06/2025 An and Bình kept the village hall.
fn duty_state() -> State {
    let mut state = State::new(
        vec![village(1, "Thôn Hải Sơn", VillageKind::Thon)],
        vec![team(10, 1, "Tổ CNS thôn Hải Sơn")],
        vec![],
    );
    let person = |id: i64, name: &str, phone: Option<&str>| Person {
        id,
        commune_code: 11914,
        full_name: name.into(),
        gender: None,
        birth_year: None,
        phone: phone.map(str::to_string),
    };
    state.members.add_people(
        [
            person(100, "Nguyễn Văn An", Some("0912345678")),
            person(101, "Trần Thị Bình", None),
            person(102, "Lê Văn Cường", Some("0912000001")),
            person(103, "Lê Văn Cường", Some("0912000002")),
            person(104, "Phạm Văn Dũng", None),
        ]
        .into_iter(),
    );
    let membership = |id: i64, person_id: i64, ended_on: Option<NaiveDate>| Membership {
        id,
        team_id: 10,
        person_id,
        role: Role::ThanhVien,
        affiliation: Affiliation::Khac,
        started_on: d(2025, 1, 1),
        ended_on,
        role_since: None,
    };
    state.members.memberships = vec![
        membership(1000, 100, None),
        membership(1001, 101, None),
        membership(1002, 102, None),
        membership(1003, 103, None),
        membership(1004, 104, Some(d(2025, 5, 1))),
    ];
    state.members.finish();
    state.duty_days = vec![ExistingDutyDay {
        id: 500,
        team_id: 10,
        held_on: d(2025, 6, 2),
        place: "Nhà văn hóa thôn".into(),
        note: None,
        members: vec![100, 101],
    }];
    state
}

#[test]
fn duty_days_group_their_rows_and_reimport_unchanged() {
    let state = duty_state();
    let rows = [
        // The existing day, the place typed another way: unchanged.
        duty_row(2, "Nguyễn Văn An", None, d(2025, 6, 2), "Nhà văn hoá thôn"),
        duty_row(3, "trần thị bình", None, d(2025, 6, 2), "nhà văn hóa  thôn"),
        // A new day of two members, one Cường picked by his phone.
        duty_row(4, "Nguyễn Văn An", None, d(2025, 6, 3), "Bộ phận một cửa"),
        duty_row(
            5,
            "Lê Văn Cường",
            Some("0912000002"),
            d(2025, 6, 3),
            "Bộ phận một cửa",
        ),
    ];
    let mut plan = Plan::default();
    plan_duty_days(&state, &rows, 11914, &mut plan);
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert_eq!(
        actions(&plan),
        [
            (2, RowAction::Skip),
            (3, RowAction::Skip),
            (4, RowAction::Create),
            (5, RowAction::Create)
        ]
    );
    assert_eq!(plan.duty_days.len(), 1);
    let day = &plan.duty_days[0];
    assert_eq!((day.team_id, day.held_on), (10, d(2025, 6, 3)));
    assert_eq!(day.place, "Bộ phận một cửa");
    // Sorted by name, as the team page records them.
    assert_eq!(
        on_duty(&day.members),
        [(103, "Lê Văn Cường"), (100, "Nguyễn Văn An")]
    );
    assert_eq!(plan.counts().0.duty_days, 1);
}

#[test]
fn duty_day_rows_that_name_no_one_surely_are_refused() {
    let state = duty_state();
    let tomorrow = crate::today().succ_opt().expect("a next day");
    let mut unknown_village = duty_row(4, "Nguyễn Văn An", None, d(2025, 6, 4), "Chợ");
    unknown_village.village = Arc::from("Thôn Không Có");
    let rows = [
        duty_row(2, "Lê Văn Cường", None, d(2025, 6, 4), "Chợ"),
        duty_row(3, "Phạm Văn Dũng", None, d(2025, 6, 4), "Chợ"),
        unknown_village,
        duty_row(5, "Nguyễn Văn An", None, tomorrow, "Chợ"),
        // The existing day of An and Bình, with An and Cường.
        duty_row(6, "Nguyễn Văn An", None, d(2025, 6, 2), "Nhà văn hóa thôn"),
        duty_row(
            7,
            "Lê Văn Cường",
            Some("0912000001"),
            d(2025, 6, 2),
            "Nhà văn hóa thôn",
        ),
        duty_row(8, "Nguyễn Văn An", None, d(2025, 6, 5), "Chợ"),
        duty_row(9, "Nguyễn Văn An", None, d(2025, 6, 5), "Chợ"),
        // Bình has no phone stored: the sheet's cannot contradict it.
        duty_row(
            10,
            "Trần Thị Bình",
            Some("0987654321"),
            d(2025, 6, 6),
            "Chợ",
        ),
        duty_row(11, "Lê Văn Cường", Some("0987654321"), d(2025, 6, 7), "Chợ"),
        duty_row(12, "Nguyễn Văn An", None, d(2024, 12, 1), "Chợ"),
        duty_row(13, "Hoàng Văn Em", None, d(2025, 6, 8), "Chợ"),
    ];
    let mut plan = Plan::default();
    plan_duty_days(&state, &rows, 11914, &mut plan);
    // Sorted by row, as the import reports them.
    plan.errors.sort_by_key(|e| e.line);
    let errors: Vec<(u32, Option<&str>)> = plan.errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        errors,
        [
            (2, Some("Họ và tên")),
            (3, Some("Họ và tên")),
            (4, Some("Thôn/TDP")),
            (5, Some("Ngày trực")),
            (6, Some("Nơi trực")),
            (9, Some("Họ và tên")),
            (11, Some("Số điện thoại")),
            (12, Some("Ngày trực")),
            (13, Some("Họ và tên")),
        ],
        "{:?}",
        plan.errors
    );
    let message = |line: u32| {
        plan.errors
            .iter()
            .find(|e| e.line == line)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    };
    assert!(
        message(2).contains("ghi thêm cột «Số điện thoại»"),
        "{}",
        message(2)
    );
    assert!(message(3).contains("vào ngày 04/06/2025"), "{}", message(3));
    assert!(
        message(6)
            .contains("đã có ngày trực 02/06/2025 tại «Nhà văn hóa thôn» với thành viên khác")
            && message(6).contains("Trần Thị Bình"),
        "{}",
        message(6)
    );
    assert!(message(9).contains("dòng 8"), "{}", message(9));
    assert!(
        message(12).contains("ngoài thời gian hoạt động"),
        "{}",
        message(12)
    );
    // Only Bình's day is planned; nothing of a refused group.
    assert_eq!(actions(&plan), [(10, RowAction::Create)]);
    assert_eq!(plan.duty_days.len(), 1);
    assert_eq!(
        on_duty(&plan.duty_days[0].members),
        [(101, "Trần Thị Bình")]
    );
}

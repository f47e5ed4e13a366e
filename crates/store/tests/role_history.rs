//! Role and affiliation history: a change takes effect from a date, every
//! as-of figure and record list reads the values of that date, the history
//! is kept and shown, and a change that would rewrite the past is refused.
//! On SQLite and PostgreSQL, against the demo commune.

use chrono::NaiveDate;
use toso_domain::{Affiliation, IndicatorCode, IndicatorValue, Node, PersonName, Role};
use toso_sheets::{SheetKind, Value};
use toso_store::{ImportOptions, MemberView, MembershipTerm, NewPerson, Store};
use toso_testkit::{
    actor, both_backends, d, refused_field, Backend, MembershipBuilder, PersonBuilder, TestDb,
};

both_backends!(
    a_promotion_counts_from_its_date,
    a_change_cannot_rewrite_the_past,
    a_refused_member_form_writes_nothing,
    an_import_records_a_change_from_its_date,
);

const CAT_HAI: i32 = 11914;
const NODE: Node = Node::Commune(CAT_HAI);

/// The value of `key` in a breakdown indicator as of `on`.
async fn by(store: &Store, code: IndicatorCode, key: &str, on: NaiveDate) -> i64 {
    match store.indicator(code, NODE, on).await.unwrap() {
        IndicatorValue::Breakdown { items } => {
            items.iter().find(|i| i.key == key).map_or(0, |i| i.value)
        }
        other => panic!("{code:?} is not a breakdown: {other:?}"),
    }
}

/// A new plain member of the Women's Union in a village team of the demo,
/// since the team was established (before 01/11/2025).
async fn plain_member(store: &Store) -> MemberView {
    let team = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id.is_some())
        .expect("the demo has village teams");
    let person = PersonBuilder::new()
        .name("Hoàng Thị Thử")
        .phone("0987 654 321")
        .birth_year(1990)
        .expect_build(store)
        .await;
    let membership = MembershipBuilder::new()
        .team(team.id)
        .person(person.id)
        .expect_build(store)
        .await;
    assert!(membership.started_on < d(2025, 11, 1));
    store
        .team_members(team.id, Some(d(2025, 11, 30)))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.membership.id == membership.id)
        .expect("the new member is listed")
}

/// The role and affiliation of membership `id` in the records behind
/// "members by role" and "by affiliation" as of `on` (the group of each).
async fn groups_of(store: &Store, id: i64, on: NaiveDate) -> (String, String) {
    let mut groups = Vec::new();
    for code in [
        IndicatorCode::MembersByRole,
        IndicatorCode::MembersByAffiliation,
    ] {
        let records = store.indicator_records(code, NODE, on).await.unwrap();
        let row = records
            .iter()
            .find(|r| r.entity == "membership" && r.id == id)
            .expect("the membership is behind the figure");
        groups.push(row.grp.clone().unwrap_or_default());
    }
    (groups[0].clone(), groups[1].clone())
}

async fn a_promotion_counts_from_its_date(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let m = plain_member(store).await;
    let id = m.membership.id;
    let (nov30, dec1) = (d(2025, 11, 30), d(2025, 12, 1));
    let role = IndicatorCode::MembersByRole;
    let aff = IndicatorCode::MembersByAffiliation;
    let before = (
        by(store, role, "thanh_vien", nov30).await,
        by(store, role, "to_pho", nov30).await,
        by(store, role, "thanh_vien", dec1).await,
        by(store, role, "to_pho", dec1).await,
        by(store, aff, "doan_tn", dec1).await,
    );

    // Promoted to deputy and moved to the Youth Union from 01/12/2025.
    let after = store
        .update_membership(&actor(), id, Role::ToPho, Affiliation::DoanTn, dec1)
        .await
        .unwrap();
    assert_eq!(after.role_since, Some(dec1));

    // As of 30/11/2025 nothing changed; from 01/12/2025 one member moved.
    assert_eq!(by(store, role, "thanh_vien", nov30).await, before.0);
    assert_eq!(by(store, role, "to_pho", nov30).await, before.1);
    assert_eq!(by(store, role, "thanh_vien", dec1).await, before.2 - 1);
    assert_eq!(by(store, role, "to_pho", dec1).await, before.3 + 1);
    assert_eq!(by(store, aff, "doan_tn", dec1).await, before.4 + 1);
    // The records behind the figures say the same.
    let old = m.membership.affiliation.code().to_string();
    assert_eq!(
        groups_of(store, id, nov30).await,
        ("thanh_vien".to_string(), old.clone())
    );
    assert_eq!(
        groups_of(store, id, dec1).await,
        ("to_pho".to_string(), "doan_tn".to_string())
    );
    // The team's list as of a day, and the roster export.
    let on = |day| {
        let team = m.membership.team_id;
        async move {
            store
                .team_members(team, Some(day))
                .await
                .unwrap()
                .into_iter()
                .find(|x| x.membership.id == id)
                .unwrap()
                .membership
                .role
        }
    };
    assert_eq!(on(nov30).await, Role::ThanhVien);
    assert_eq!(on(dec1).await, Role::ToPho);
    for (day, label) in [(nov30, "Thành viên"), (dec1, "Tổ phó")] {
        let table = store
            .export_table(SheetKind::Members, CAT_HAI, day)
            .await
            .unwrap();
        let row = table
            .rows
            .iter()
            .find(|r| r.iter().any(|c| c.csv_text() == m.full_name))
            .expect("the member is in the roster");
        assert!(
            row.iter().any(|c| c.csv_text() == label),
            "roster as of {day}: {row:?}"
        );
    }
    // A report as of each day freezes the figure of that day.
    let request = store
        .request_by_number(CAT_HAI, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap();
    let mut settings = toso_reporting::report_defaults(store, CAT_HAI, &request)
        .await
        .unwrap();
    settings.body = "{members_by_role}".into();
    for (day, deputies) in [(nov30, before.1), (dec1, before.3 + 1)] {
        settings.as_of = day;
        let snapshot = toso_reporting::compose_report(store, CAT_HAI, &request, &settings)
            .await
            .unwrap();
        let figure = snapshot
            .printed
            .figures
            .iter()
            .find(|f| f.key == "members_by_role")
            .unwrap();
        assert!(
            figure.text.contains(&format!("Tổ phó: {deputies}")),
            "as of {day}: {}",
            figure.text
        );
    }

    // The history, oldest first.
    let current = store.membership(id).await.unwrap();
    assert_eq!(
        store.membership_terms(&current).await.unwrap(),
        vec![
            MembershipTerm {
                role: Role::ThanhVien,
                affiliation: m.membership.affiliation,
                from_on: m.membership.started_on,
                until_on: Some(dec1),
            },
            MembershipTerm {
                role: Role::ToPho,
                affiliation: Affiliation::DoanTn,
                from_on: dec1,
                until_on: None,
            },
        ]
    );
    // Audited with before and after.
    let audit = store.audit_of("membership", id).await.unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "update");
    assert_eq!(last.before.as_ref().unwrap().0["role"], "thanh_vien");
    assert_eq!(last.after.as_ref().unwrap().0["role"], "to_pho");
    assert_eq!(last.after.as_ref().unwrap().0["role_since"], "2025-12-01");

    // A correction on the same day replaces the current values: no new term.
    store
        .update_membership(&actor(), id, Role::ToTruong, Affiliation::DoanTn, dec1)
        .await
        .unwrap();
    let current = store.membership(id).await.unwrap();
    let terms = store.membership_terms(&current).await.unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[1].role, Role::ToTruong);
    assert_eq!(by(store, role, "thanh_vien", nov30).await, before.0);
    // The person's page lists the membership.
    let all = store
        .person_memberships(m.membership.person_id)
        .await
        .unwrap();
    assert!(all
        .iter()
        .any(|p| p.membership.id == id && !p.team_name.is_empty()));
}

async fn a_change_cannot_rewrite_the_past(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let m = plain_member(store).await;
    let id = m.membership.id;
    let aff = m.membership.affiliation;
    store
        .update_membership(&actor(), id, Role::ToPho, aff, d(2025, 12, 1))
        .await
        .unwrap();
    let audit = store.audit_of("membership", id).await.unwrap().len();
    let tomorrow = toso_store::today().succ_opt().unwrap();
    let before_start = m.membership.started_on.pred_opt().unwrap();
    for from in [d(2025, 11, 15), tomorrow, before_start] {
        let err = store
            .update_membership(&actor(), id, Role::ToTruong, aff, from)
            .await
            .unwrap_err();
        assert_eq!(refused_field(err), "role_from", "from {from}");
    }
    // Ending or moving before the current role took effect is refused too.
    let err = store
        .end_membership(&actor(), id, d(2025, 11, 20))
        .await
        .unwrap_err();
    assert_eq!(refused_field(err), "ended_on");
    assert_eq!(
        store.audit_of("membership", id).await.unwrap().len(),
        audit,
        "nothing written"
    );
    let current = store.membership(id).await.unwrap();
    assert_eq!(
        (current.role, current.role_since),
        (Role::ToPho, Some(d(2025, 12, 1)))
    );
    // Unchanged values write nothing, whatever the date.
    store
        .update_membership(&actor(), id, Role::ToPho, aff, d(2025, 1, 1))
        .await
        .unwrap();
    assert_eq!(store.audit_of("membership", id).await.unwrap().len(), audit);
}

async fn a_refused_member_form_writes_nothing(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let m = plain_member(store).await;
    let person = store.person(m.membership.person_id).await.unwrap();
    let renamed = NewPerson {
        commune_code: CAT_HAI,
        full_name: PersonName::parse("Tên Mới Hoàn Toàn").unwrap(),
        gender: person.gender(),
        birth_year: None,
        phone: None,
    };
    let err = store
        .update_member(
            &actor(),
            m.membership.id,
            renamed.clone(),
            Role::ToPho,
            m.membership.affiliation,
            m.membership.started_on.pred_opt().unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(refused_field(err), "role_from");
    assert_eq!(
        store.person(person.id).await.unwrap(),
        person,
        "the person's details are not written either"
    );
    let (p, ms) = store
        .update_member(
            &actor(),
            m.membership.id,
            renamed,
            Role::ToPho,
            m.membership.affiliation,
            d(2025, 12, 1),
        )
        .await
        .unwrap();
    assert_eq!(p.full_name, "Tên Mới Hoàn Toàn");
    assert_eq!(
        (ms.role, ms.role_since),
        (Role::ToPho, Some(d(2025, 12, 1)))
    );
}

async fn an_import_records_a_change_from_its_date(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let m = plain_member(store).await;
    // The roster as exported today, with the member promoted.
    let mut table = store
        .export_table(SheetKind::Members, CAT_HAI, toso_store::today())
        .await
        .unwrap();
    let role_col = table
        .columns
        .iter()
        .position(|c| c.header.starts_with("Chức danh"))
        .expect("a role column");
    let mut found = false;
    for row in &mut table.rows {
        if row.iter().any(|c| c.csv_text() == m.full_name) {
            row[role_col] = Value::text("Tổ phó");
            found = true;
        }
    }
    assert!(found);
    let bytes = toso_sheets::write_xlsx(std::slice::from_ref(&table)).unwrap();
    let sheet = toso_sheets::read_bytes(
        "ds.xlsx",
        &bytes,
        SheetKind::Members,
        &toso_sheets::ReadOptions::new(toso_store::today()),
        &mut |_, _| {},
    )
    .unwrap();
    let opts = |as_of, commit| ImportOptions {
        commune_code: CAT_HAI,
        as_of,
        established_on: None,
        commit,
        source: "ds.xlsx".into(),
    };
    // A change dated before the membership began is refused by row.
    let early = store
        .import(&actor(), &sheet, &opts(d(2020, 1, 1), false))
        .await
        .unwrap();
    assert!(
        early
            .errors
            .iter()
            .any(|e| e.to_string().contains("Ngày hiệu lực")),
        "{:?}",
        early.errors
    );
    let done = store
        .import(&actor(), &sheet, &opts(d(2025, 12, 1), true))
        .await
        .unwrap();
    assert!(done.committed, "{:?}", done.errors);
    assert_eq!(done.updated.memberships, 1);
    let current = store.membership(m.membership.id).await.unwrap();
    assert_eq!(
        (current.role, current.role_since),
        (Role::ToPho, Some(d(2025, 12, 1)))
    );
    let terms = store.membership_terms(&current).await.unwrap();
    assert_eq!(terms[0].role, Role::ThanhVien);
    assert_eq!(terms[0].until_on, Some(d(2025, 12, 1)));
    assert_eq!(
        by(
            store,
            IndicatorCode::MembersByRole,
            "to_pho",
            d(2025, 11, 30)
        )
        .await
            + 1,
        by(
            store,
            IndicatorCode::MembersByRole,
            "to_pho",
            d(2025, 12, 1)
        )
        .await
    );
}

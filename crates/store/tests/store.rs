//! The store suite: every test runs on SQLite (temp dir) and on PostgreSQL
//! (a fresh database), against the real databases.

use chrono::NaiveDate;
use toso_domain::{
    Affiliation, DocumentKind, DocumentNumber, IndicatorCode, IndicatorValue, Name, Node, Role,
    TeamKind, VillageKind, ZaloGroupLink,
};
use toso_store::{
    Actor, DocumentFilter, NewDocument, NewTeam, NewVillage, Store, StoreError, VillageUpdate,
};
use toso_testkit::{
    actor, both_backends, d, indicator_count, refusal, Backend, MembershipBuilder, PersonBuilder,
    TeamBuilder, TestDb, VillageBuilder,
};

both_backends!(
    admin_units_load_once,
    demo_reproduces_the_reference_figures,
    figures_follow_the_as_of_date,
    every_figure_lists_its_records,
    one_active_team_per_village,
    one_quick_response_team_per_commune,
    same_person_twice_in_a_team_is_refused,
    membership_periods_drive_the_counts,
    deactivating_a_village_stops_its_team_counting,
    refuses_future_dates_and_misordered_decisions,
    refuses_records_of_another_commune,
    document_register_numbers_and_filters,
    every_write_is_audited,
    reconnecting_keeps_the_data,
);

const CAT_HAI: i32 = 11914;
const BACH_LONG_VI: i32 = 11948;

fn village_team(commune: i32, village_id: i64, on: NaiveDate) -> NewTeam {
    NewTeam {
        commune_code: commune,
        kind: TeamKind::Village,
        village_id: Some(village_id),
        name: Name::team(&format!("Tổ CNSCĐ {village_id}")).unwrap(),
        established_on: on,
        decision_id: None,
        zalo_link: Some(ZaloGroupLink::parse("https://zalo.me/g/abcd1234").unwrap()),
    }
}

async fn admin_units_load_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    assert_eq!(store.provinces().await.unwrap().len(), 34);
    let hai_phong = store.province(31).await.unwrap();
    assert_eq!(hai_phong.name, "Thành phố Hải Phòng");
    assert_eq!(store.communes_of(31).await.unwrap().len(), 114);
    let cat_hai = store.commune(CAT_HAI).await.unwrap();
    assert_eq!(
        (cat_hai.name.as_str(), cat_hai.province_code),
        ("Đặc khu Cát Hải", 31)
    );
    assert_eq!(store.commune(BACH_LONG_VI).await.unwrap().kind, "đặc khu");
    let mut total = 0;
    for p in store.provinces().await.unwrap() {
        total += store.communes_of(p.code).await.unwrap().len();
    }
    assert_eq!(total, 3321);
    // Already loaded at connect: loading again inserts nothing.
    assert_eq!(store.load_admin_units().await.unwrap(), 0);
    assert!(matches!(
        store.commune(99999).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn demo_reproduces_the_reference_figures(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let set = store
        .indicators(Node::Commune(CAT_HAI), d(2025, 11, 30))
        .await
        .unwrap();
    assert_eq!(set.node_name, "Đặc khu Cát Hải");
    assert_eq!(set.count(IndicatorCode::Villages), 58);
    assert_eq!(set.count(IndicatorCode::Teams), 58);
    assert_eq!(set.count(IndicatorCode::Members), 386);
    assert_eq!(set.count(IndicatorCode::QuickResponseMembers), 9);
    let coverage = set.get(IndicatorCode::Coverage).unwrap();
    assert_eq!(
        coverage.value,
        IndicatorValue::Ratio {
            numerator: 58,
            denominator: 58
        }
    );
    assert_eq!(coverage.display, "100%");
    let IndicatorValue::Breakdown { items } = &set.get(IndicatorCode::MembersByRole).unwrap().value
    else {
        panic!("breakdown expected")
    };
    let by_role: Vec<(&str, i64)> = items.iter().map(|i| (i.key.as_str(), i.value)).collect();
    assert_eq!(
        by_role,
        vec![("to_truong", 58), ("to_pho", 58), ("thanh_vien", 270)]
    );
    assert_eq!(
        indicator_count(
            store,
            IndicatorCode::MembersByAffiliation,
            Node::Commune(CAT_HAI),
            d(2025, 11, 30)
        )
        .await,
        386
    );

    // The province holds only this commune's records; a village its own.
    let province = store
        .indicators(Node::Province(31), d(2025, 11, 30))
        .await
        .unwrap();
    assert_eq!(province.count(IndicatorCode::Members), 386);
    assert_eq!(province.count(IndicatorCode::QuickResponseMembers), 9);
    let first = store.villages(CAT_HAI, None).await.unwrap()[0].clone();
    let v = store
        .indicators(Node::Village(first.id), d(2025, 11, 30))
        .await
        .unwrap();
    assert_eq!(
        (
            v.count(IndicatorCode::Villages),
            v.count(IndicatorCode::Teams)
        ),
        (1, 1)
    );
    assert!((6..=7).contains(&v.count(IndicatorCode::Members)));
    assert_eq!(v.count(IndicatorCode::QuickResponseMembers), 0);
    // Another province sees nothing of it.
    let ha_noi = store
        .indicators(Node::Province(1), d(2025, 11, 30))
        .await
        .unwrap();
    assert_eq!(ha_noi.count(IndicatorCode::Villages), 0);
    assert_eq!(ha_noi.get(IndicatorCode::Coverage).unwrap().display, "—");

    // The decision is on record and linked to the 59 teams it established.
    let decision = store
        .document_by_number(CAT_HAI, &DocumentNumber::parse("1907/QĐ-UBND").unwrap())
        .await
        .unwrap()
        .expect("decision 1907");
    assert_eq!(decision.issued_on, d(2025, 10, 31));
    let established = store.teams_established_by(decision.id).await.unwrap();
    assert_eq!(established.len(), 59);
    assert!(established
        .iter()
        .all(|t| t.zalo_link.as_deref() == Some("https://zalo.me/g/xuubpv554")));

    // Loading again changes nothing.
    assert_eq!(
        toso_demo::load(store).await.unwrap(),
        toso_demo::Loaded::AlreadyPresent
    );
    assert_eq!(
        indicator_count(
            store,
            IndicatorCode::Members,
            Node::Commune(CAT_HAI),
            d(2025, 11, 30)
        )
        .await,
        386
    );
}

async fn figures_follow_the_as_of_date(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let before = store
        .indicators(Node::Commune(CAT_HAI), d(2025, 10, 30))
        .await
        .unwrap();
    assert_eq!(before.count(IndicatorCode::Villages), 58);
    assert_eq!(before.count(IndicatorCode::Teams), 0);
    assert_eq!(before.count(IndicatorCode::Members), 0);
    assert_eq!(before.get(IndicatorCode::Coverage).unwrap().display, "0%");
    let on_the_day = store
        .indicators(Node::Commune(CAT_HAI), d(2025, 10, 31))
        .await
        .unwrap();
    assert_eq!(on_the_day.count(IndicatorCode::Teams), 58);
    // Before the villages existed (the July 2025 reorganisation), nothing.
    let earlier = store
        .indicators(Node::Commune(CAT_HAI), d(2025, 6, 30))
        .await
        .unwrap();
    assert_eq!(earlier.count(IndicatorCode::Villages), 0);
}

async fn every_figure_lists_its_records(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let node = Node::Commune(CAT_HAI);
    let on = d(2025, 11, 30);
    for code in [
        IndicatorCode::Villages,
        IndicatorCode::Teams,
        IndicatorCode::Members,
        IndicatorCode::QuickResponseMembers,
    ] {
        let records = store.indicator_records(code, node, on).await.unwrap();
        assert_eq!(
            records.len() as i64,
            indicator_count(store, code, node, on).await,
            "{code:?}"
        );
    }
    let teams = store
        .indicator_records(IndicatorCode::Teams, node, on)
        .await
        .unwrap();
    assert!(teams
        .iter()
        .all(|r| r.entity == "team" && r.label.starts_with("Tổ công nghệ số cộng đồng")));
    let members = store
        .indicator_records(IndicatorCode::MembersByRole, node, on)
        .await
        .unwrap();
    let leaders = members
        .iter()
        .filter(|r| r.grp.as_deref() == Some("to_truong"))
        .count();
    assert_eq!(leaders, 58);
    assert!(
        members[0].detail.contains(" — "),
        "detail is readable: {}",
        members[0].detail
    );
    let coverage = store
        .indicator_records(IndicatorCode::Coverage, node, on)
        .await
        .unwrap();
    assert_eq!(coverage.len(), 58);
    assert!(coverage
        .iter()
        .all(|r| r.grp.as_deref() == Some("with_team")));
    // Before the decision every village is listed as without a team.
    let before = store
        .indicator_records(IndicatorCode::Coverage, node, d(2025, 10, 1))
        .await
        .unwrap();
    assert!(before
        .iter()
        .all(|r| r.grp.as_deref() == Some("without_team")));
}

async fn one_active_team_per_village(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let v = VillageBuilder::new()
        .name("Thôn Một")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let first = store
        .create_team(&actor(), village_team(CAT_HAI, v, d(2025, 8, 1)))
        .await
        .unwrap();
    let (field, msg) = refusal(
        store
            .create_team(&actor(), village_team(CAT_HAI, v, d(2025, 9, 1)))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "village_id");
    assert!(msg.contains("đã có tổ đang hoạt động"), "{msg}");

    store
        .dissolve_team(&actor(), first.id, d(2025, 10, 1))
        .await
        .unwrap();
    // A new team may not start while the old one still ran…
    assert!(store
        .create_team(&actor(), village_team(CAT_HAI, v, d(2025, 9, 15)))
        .await
        .is_err());
    // …but may from the dissolution date.
    let second = store
        .create_team(&actor(), village_team(CAT_HAI, v, d(2025, 10, 1)))
        .await
        .unwrap();
    assert_ne!(first.id, second.id);
    let node = Node::Village(v);
    assert_eq!(
        indicator_count(store, IndicatorCode::Teams, node, d(2025, 9, 30)).await,
        1
    );
    assert_eq!(
        indicator_count(store, IndicatorCode::Teams, node, d(2025, 10, 1)).await,
        1
    );
    assert_eq!(store.teams_of_village(v).await.unwrap().len(), 2);
    // A village team needs its village.
    let mut no_village = village_team(CAT_HAI, v, d(2025, 10, 2));
    no_village.village_id = None;
    assert_eq!(
        refusal(store.create_team(&actor(), no_village).await.unwrap_err()).0,
        "village_id"
    );
}

async fn one_quick_response_team_per_commune(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let quick = |on| NewTeam {
        commune_code: CAT_HAI,
        kind: TeamKind::QuickResponse,
        village_id: None,
        name: Name::team("Đội phản ứng nhanh").unwrap(),
        established_on: on,
        decision_id: None,
        zalo_link: None,
    };
    store
        .create_team(&actor(), quick(d(2025, 10, 31)))
        .await
        .unwrap();
    let (field, msg) = refusal(
        store
            .create_team(&actor(), quick(d(2025, 11, 5)))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "village_id");
    assert!(msg.contains("Xã đã có đội"), "{msg}");
    // Another commune may have its own.
    let mut other = quick(d(2025, 10, 31));
    other.commune_code = BACH_LONG_VI;
    store.create_team(&actor(), other).await.unwrap();
    // A quick-response team does not belong to a village.
    let v = VillageBuilder::new()
        .name("Thôn Hai")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let mut in_village = quick(d(2025, 10, 31));
    in_village.village_id = Some(v);
    assert_eq!(
        refusal(store.create_team(&actor(), in_village).await.unwrap_err()).0,
        "village_id"
    );
}

async fn same_person_twice_in_a_team_is_refused(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let v = VillageBuilder::new()
        .name("Thôn Ba")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let team = TeamBuilder::new()
        .village(v)
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    let p = PersonBuilder::new()
        .name("Đặng Thị Hoa")
        .expect_build(store)
        .await
        .id;
    let m = MembershipBuilder::new()
        .team(team.id)
        .person(p)
        .started_on(d(2025, 8, 1))
        .build(store)
        .await
        .unwrap();
    let (field, msg) = refusal(
        MembershipBuilder::new()
            .team(team.id)
            .person(p)
            .started_on(d(2025, 9, 1))
            .build(store)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "person_id");
    assert!(
        msg.contains("Đặng Thị Hoa") && msg.contains("01/08/2025"),
        "{msg}"
    );
    store
        .end_membership(&actor(), m.id, d(2025, 9, 1))
        .await
        .unwrap();
    // Rejoining after the end is a new period, not a duplicate.
    MembershipBuilder::new()
        .team(team.id)
        .person(p)
        .started_on(d(2025, 9, 1))
        .build(store)
        .await
        .unwrap();
    assert_eq!(
        indicator_count(
            store,
            IndicatorCode::Members,
            Node::Village(v),
            d(2025, 9, 1)
        )
        .await,
        1
    );
    assert_eq!(store.team_members(team.id, None).await.unwrap().len(), 2);
    assert_eq!(
        store
            .team_members(team.id, Some(d(2025, 9, 1)))
            .await
            .unwrap()
            .len(),
        1
    );
    // Before the team existed nobody can join it.
    let late = PersonBuilder::new()
        .name("Lê Văn Nam")
        .expect_build(store)
        .await
        .id;
    let (field, _) = refusal(
        MembershipBuilder::new()
            .team(team.id)
            .person(late)
            .started_on(d(2025, 7, 15))
            .build(store)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "started_on");
}

async fn membership_periods_drive_the_counts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let v = VillageBuilder::new()
        .name("Thôn Bốn")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let team = TeamBuilder::new()
        .village(v)
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    let mut ids = Vec::new();
    for (i, name) in ["Nguyễn Văn Đức", "Trần Thị Lan", "Phạm Minh Tuấn"]
        .iter()
        .enumerate()
    {
        let p = PersonBuilder::new().name(name).expect_build(store).await.id;
        let mut new = MembershipBuilder::new()
            .team(team.id)
            .person(p)
            .started_on(d(2025, 8, 1 + i as u32));
        if i == 0 {
            new = new
                .role(Role::ToTruong)
                .affiliation(Affiliation::TruongThon);
        }
        ids.push(new.expect_build(store).await.id);
    }
    let node = Node::Commune(CAT_HAI);
    assert_eq!(
        indicator_count(store, IndicatorCode::Members, node, d(2025, 8, 1)).await,
        1
    );
    assert_eq!(
        indicator_count(store, IndicatorCode::Members, node, d(2025, 8, 3)).await,
        3
    );
    store
        .end_membership(&actor(), ids[1], d(2025, 10, 1))
        .await
        .unwrap();
    assert_eq!(
        indicator_count(store, IndicatorCode::Members, node, d(2025, 9, 30)).await,
        3
    );
    assert_eq!(
        indicator_count(store, IndicatorCode::Members, node, d(2025, 10, 1)).await,
        2
    );
    // Ending again, or before the start, is refused.
    assert_eq!(
        refusal(
            store
                .end_membership(&actor(), ids[1], d(2025, 10, 2))
                .await
                .unwrap_err()
        )
        .0,
        "ended_on"
    );
    assert_eq!(
        refusal(
            store
                .end_membership(&actor(), ids[2], d(2025, 7, 1))
                .await
                .unwrap_err()
        )
        .0,
        "ended_on"
    );
    // Dissolving the team ends the open memberships.
    store
        .dissolve_team(&actor(), team.id, d(2025, 11, 1))
        .await
        .unwrap();
    assert_eq!(
        indicator_count(store, IndicatorCode::Members, node, d(2025, 11, 1)).await,
        0
    );
    assert!(store
        .team_members(team.id, None)
        .await
        .unwrap()
        .iter()
        .all(|m| m.membership.ended_on.is_some()));
    // Each membership ended by the dissolution is audited with its values
    // before and after.
    let m = store.team_members(team.id, None).await.unwrap()[0]
        .membership
        .clone();
    let log = store.audit_of("membership", m.id).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "end");
    assert!(last.before.as_ref().unwrap().0["ended_on"].is_null());
    assert_eq!(last.after.as_ref().unwrap().0["ended_on"], "2025-11-01");
}

async fn deactivating_a_village_stops_its_team_counting(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let a = VillageBuilder::new()
        .name("Thôn Năm")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let b = VillageBuilder::new()
        .name("Thôn Sáu")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    TeamBuilder::new()
        .village(a)
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    TeamBuilder::new()
        .village(b)
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    store
        .deactivate_village(&actor(), b, d(2025, 9, 1))
        .await
        .unwrap();
    let node = Node::Commune(CAT_HAI);
    let before = store.indicators(node, d(2025, 8, 31)).await.unwrap();
    assert_eq!(
        (
            before.count(IndicatorCode::Villages),
            before.count(IndicatorCode::Teams)
        ),
        (2, 2)
    );
    let after = store.indicators(node, d(2025, 9, 1)).await.unwrap();
    assert_eq!(
        (
            after.count(IndicatorCode::Villages),
            after.count(IndicatorCode::Teams)
        ),
        (1, 1)
    );
    assert_eq!(after.get(IndicatorCode::Coverage).unwrap().display, "100%");
    assert_eq!(
        store
            .villages(CAT_HAI, Some(d(2025, 9, 1)))
            .await
            .unwrap()
            .len(),
        1
    );
    // Twice is refused, and so is a date before the village began.
    assert!(store
        .deactivate_village(&actor(), b, d(2025, 9, 2))
        .await
        .is_err());
    assert_eq!(
        refusal(
            store
                .deactivate_village(&actor(), a, d(2025, 6, 1))
                .await
                .unwrap_err()
        )
        .0,
        "active_until"
    );
    // Half the villages covered: 50%.
    let c = VillageBuilder::new()
        .name("Thôn Bảy")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let cov = store.indicators(node, d(2025, 9, 1)).await.unwrap();
    assert_eq!(cov.get(IndicatorCode::Coverage).unwrap().display, "50%");
    // Renaming keeps the id and refuses a duplicate name (diacritics folded).
    let upd = |name: &str| VillageUpdate {
        kind: VillageKind::ToDanPho,
        name: Name::village(name).unwrap(),
        active_from: d(2025, 7, 1),
    };
    assert_eq!(
        store
            .update_village(&actor(), c, upd("Tổ dân phố Bảy"))
            .await
            .unwrap()
            .id,
        c
    );
    let (field, msg) = refusal(
        store
            .update_village(&actor(), c, upd("THON NAM"))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "name");
    assert!(msg.contains("đã có"), "{msg}");
}

async fn refuses_future_dates_and_misordered_decisions(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let future = toso_store::today() + chrono::Days::new(3);
    let doc = |on| NewDocument {
        commune_code: CAT_HAI,
        kind: DocumentKind::QuyetDinh,
        number: DocumentNumber::parse("1907/QĐ-UBND").unwrap(),
        issued_on: on,
        issuer: Name::issuer("Ủy ban nhân dân đặc khu Cát Hải").unwrap(),
        subject: Name::subject("Thành lập tổ").unwrap(),
    };
    let (field, msg) = refusal(
        store
            .create_document(&actor(), doc(future))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "issued_on");
    assert!(msg.contains("Ngày ban hành"), "{msg}");
    let decision = store
        .create_document(&actor(), doc(d(2025, 10, 31)))
        .await
        .unwrap();
    let v = VillageBuilder::new()
        .name("Thôn Tám")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let mut early = village_team(CAT_HAI, v, d(2025, 10, 1));
    early.decision_id = Some(decision.id);
    let (field, msg) = refusal(store.create_team(&actor(), early).await.unwrap_err());
    assert_eq!(field, "established_on");
    assert!(msg.contains("31/10/2025"), "{msg}");
    let (field, _) = refusal(
        store
            .create_team(&actor(), village_team(CAT_HAI, v, future))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "established_on");
    // Nothing was written by the refusals.
    assert!(store.teams(CAT_HAI).await.unwrap().is_empty());
}

async fn refuses_records_of_another_commune(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let here = VillageBuilder::new()
        .name("Thôn Chín")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let there = VillageBuilder::new()
        .commune(BACH_LONG_VI)
        .name("Thôn Chín")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await
        .id;
    let (field, _) = refusal(
        store
            .create_team(&actor(), village_team(CAT_HAI, there, d(2025, 8, 1)))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "village_id");
    let team = TeamBuilder::new()
        .village(here)
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    let stranger = PersonBuilder::new()
        .commune(BACH_LONG_VI)
        .name("Vũ Hữu Long")
        .expect_build(store)
        .await
        .id;
    let (field, _) = refusal(
        MembershipBuilder::new()
            .team(team.id)
            .person(stranger)
            .started_on(d(2025, 8, 1))
            .build(store)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "person_id");
    assert!(matches!(
        store.village(999_999).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn document_register_numbers_and_filters(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let all = store
        .documents(CAT_HAI, &DocumentFilter::default())
        .await
        .unwrap();
    let numbers: Vec<&str> = all.iter().map(|d| d.doc_number.as_str()).collect();
    assert_eq!(
        numbers,
        vec![
            "2086/UBND-VHXH",
            "1907/QĐ-UBND",
            "1688/VHXH",
            "1643/UBND-VHXH"
        ]
    );
    let letters = store
        .documents(
            CAT_HAI,
            &DocumentFilter {
                kind: Some(DocumentKind::CongVan),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(letters.len(), 3);
    let none = store
        .documents(
            CAT_HAI,
            &DocumentFilter {
                year: Some(2024),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    let november = store
        .documents(
            CAT_HAI,
            &DocumentFilter {
                from: Some(d(2025, 11, 1)),
                until: Some(d(2025, 11, 30)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(november.len(), 1);
    assert_eq!(
        november[0].citation(),
        "Công văn số 2086/UBND-VHXH ngày 12/11/2025"
    );
    // The same number in the same year is refused.
    let dup = NewDocument {
        commune_code: CAT_HAI,
        kind: DocumentKind::CongVan,
        number: DocumentNumber::parse("1688/VHXH").unwrap(),
        issued_on: d(2025, 12, 1),
        issuer: Name::issuer("UBND").unwrap(),
        subject: Name::subject("Trùng số").unwrap(),
    };
    let (field, msg) = refusal(
        store
            .create_document(&actor(), dup.clone())
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "doc_number");
    assert!(msg.contains("1688/VHXH") && msg.contains("2025"), "{msg}");
    // …but not in another year.
    store
        .create_document(
            &actor(),
            NewDocument {
                issued_on: d(2026, 1, 5),
                ..dup
            },
        )
        .await
        .unwrap();
}

async fn every_write_is_audited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let who = Actor {
        user_id: None,
        name: "can-bo-xa".into(),
        address: Some("127.0.0.1".into()),
    };
    let v = store
        .create_village(
            &who,
            NewVillage {
                commune_code: CAT_HAI,
                kind: VillageKind::Thon,
                name: Name::village("Thôn Mười").unwrap(),
                active_from: d(2025, 7, 1),
            },
        )
        .await
        .unwrap();
    store
        .update_village(
            &who,
            v.id,
            VillageUpdate {
                kind: VillageKind::Thon,
                name: Name::village("Thôn Mười Một").unwrap(),
                active_from: d(2025, 7, 1),
            },
        )
        .await
        .unwrap();
    let log = store.audit_of("village", v.id).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].action.as_str(), log[1].action.as_str()),
        ("create", "update")
    );
    assert_eq!(log[1].actor, "can-bo-xa");
    assert_eq!(log[1].address.as_deref(), Some("127.0.0.1"));
    assert!(log[0].before.is_none());
    assert_eq!(log[1].before.as_ref().unwrap().0["name"], "Thôn Mười");
    assert_eq!(log[1].after.as_ref().unwrap().0["name"], "Thôn Mười Một");
    // A refused write leaves no audit row.
    let dup = store
        .create_village(
            &who,
            NewVillage {
                commune_code: CAT_HAI,
                kind: VillageKind::Thon,
                name: Name::village("thon muoi mot").unwrap(),
                active_from: d(2025, 7, 1),
            },
        )
        .await;
    assert!(dup.is_err());
    assert_eq!(store.villages(CAT_HAI, None).await.unwrap().len(), 1);
}

async fn reconnecting_keeps_the_data(backend: Backend) {
    let db = TestDb::new(backend).await;
    VillageBuilder::new()
        .name("Thôn Bền")
        .active_from(d(2025, 7, 1))
        .expect_build(&db.store)
        .await;
    db.store.close().await;
    // Migrations and the admin-unit load are idempotent on a second start.
    let again = Store::connect(&db.url).await.unwrap();
    assert_eq!(again.villages(CAT_HAI, None).await.unwrap().len(), 1);
    assert_eq!(again.load_admin_units().await.unwrap(), 0);
    again.close().await;
}

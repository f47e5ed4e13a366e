//! The test builders on both databases: what each makes when told nothing,
//! that two builds never collide, that a setter is honoured, and that a
//! refused `expect_build` fails naming the test's own line.

use toso_domain::{Affiliation, IndicatorCode, Node, Role, TeamKind, UserRole, VillageKind};
use toso_testkit::builders::{default_active_from, default_established_on};
use toso_testkit::{
    both_backends, d, indicator_count, refused_field, ActivityBuilder, Backend, MembershipBuilder,
    PersonBuilder, TeamBuilder, TestDb, UserBuilder, VillageBuilder, DEMO_COMMUNE,
};

both_backends!(
    builders_fill_in_sensible_defaults,
    setters_are_honoured,
    a_refused_expect_build_names_the_callers_line,
);

async fn builders_fill_in_sensible_defaults(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;

    let village = VillageBuilder::new().expect_build(store).await;
    assert_eq!(village.commune_code, DEMO_COMMUNE);
    assert_eq!(village.kind, VillageKind::Thon);
    assert!(village.name.starts_with("Thôn Thử "), "{}", village.name);
    assert_eq!(village.active_from, default_active_from());
    let other = VillageBuilder::new().expect_build(store).await;
    assert_ne!(village.name, other.name, "fresh names never collide");

    // A team brings its own village, active from the team's day.
    let team = TeamBuilder::new().expect_build(store).await;
    assert_eq!(
        (team.commune_code, team.kind, team.established_on),
        (DEMO_COMMUNE, TeamKind::Village, default_established_on())
    );
    let its_village = store.village(team.village_id.unwrap()).await.unwrap();
    assert_eq!(its_village.active_from, team.established_on);

    let person = PersonBuilder::new().expect_build(store).await;
    assert_eq!(person.commune_code, DEMO_COMMUNE);
    assert!(person.full_name.starts_with("Nguyễn Thị Thử "));
    assert_eq!((person.phone, person.birth_year), (None, None));

    // A membership brings its team and person; it starts with the team.
    let membership = MembershipBuilder::new().expect_build(store).await;
    let its_team = store.team(membership.team_id).await.unwrap();
    assert_eq!(membership.started_on, its_team.established_on);
    assert_eq!(
        (membership.role, membership.affiliation),
        (Role::ThanhVien, Affiliation::HoiPn)
    );
    assert_eq!(
        store
            .person(membership.person_id)
            .await
            .unwrap()
            .commune_code,
        its_team.commune_code
    );
    let on = d(2025, 11, 30);
    assert_eq!(
        indicator_count(
            store,
            IndicatorCode::Members,
            Node::Commune(DEMO_COMMUNE),
            on
        )
        .await,
        1
    );

    let user = UserBuilder::new().expect_build(store).await;
    assert_eq!(user.role, UserRole::CommuneOfficer);
    assert_eq!(user.commune_code, Some(DEMO_COMMUNE));
    let officer = UserBuilder::new()
        .role(UserRole::ProvinceOfficer)
        .expect_build(store)
        .await;
    assert_eq!(officer.province_code, Some(toso_demo::PROVINCE_CODE));

    let activity = ActivityBuilder::new().expect_build(store).await;
    let its_team = store.team(activity.team_id).await.unwrap();
    assert_eq!(activity.activity_date, its_team.established_on);
    assert_eq!((activity.citizens_helped, activity.dossiers), (1, 0));
    assert_eq!(
        indicator_count(
            store,
            IndicatorCode::SupportActivities,
            Node::Commune(DEMO_COMMUNE),
            on
        )
        .await,
        1
    );
}

async fn setters_are_honoured(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let village = VillageBuilder::new()
        .commune(11948)
        .kind(VillageKind::ToDanPho)
        .name("Tổ dân phố 3")
        .active_from(d(2025, 7, 1))
        .expect_build(store)
        .await;
    assert_eq!(
        (
            village.commune_code,
            village.kind,
            village.name.as_str(),
            village.active_from
        ),
        (11948, VillageKind::ToDanPho, "Tổ dân phố 3", d(2025, 7, 1))
    );
    // The team of a given village is of the village's commune.
    let team = TeamBuilder::new()
        .village(village.id)
        .name("Tổ CNSCĐ Tổ dân phố 3")
        .established_on(d(2025, 8, 1))
        .zalo("https://zalo.me/g/abcd1234")
        .expect_build(store)
        .await;
    assert_eq!(team.commune_code, 11948);
    assert_eq!(
        team.zalo_link.as_deref(),
        Some("https://zalo.me/g/abcd1234")
    );
    let quick = TeamBuilder::new()
        .quick_response()
        .expect_build(store)
        .await;
    assert_eq!(
        (quick.kind, quick.village_id),
        (TeamKind::QuickResponse, None)
    );

    let person = PersonBuilder::new()
        .commune(11948)
        .name("Trần Văn Bình")
        .phone("0912 345 678")
        .birth_year(1990)
        .expect_build(store)
        .await;
    let leader = MembershipBuilder::new()
        .team(team.id)
        .person(person.id)
        .role(Role::ToTruong)
        .affiliation(Affiliation::TruongThon)
        .started_on(d(2025, 9, 1))
        .expect_build(store)
        .await;
    assert_eq!(
        (
            leader.team_id,
            leader.person_id,
            leader.role,
            leader.started_on
        ),
        (team.id, person.id, Role::ToTruong, d(2025, 9, 1))
    );
    let user = UserBuilder::new()
        .role(UserRole::TeamLeader)
        .team(team.id)
        .person(person.id)
        .username("to-truong-3")
        .expect_build(store)
        .await;
    assert_eq!(
        (user.username.as_str(), user.team_id, user.commune_code),
        ("to-truong-3", Some(team.id), Some(11948))
    );
    let activity = ActivityBuilder::new()
        .team(team.id)
        .on(d(2025, 10, 2))
        .citizens_helped(4)
        .dossiers(2)
        .co_member(person.id)
        .note("Hướng dẫn cài VNeID")
        .expect_build(store)
        .await;
    assert_eq!(
        (
            activity.activity_date,
            activity.citizens_helped,
            activity.dossiers
        ),
        (d(2025, 10, 2), 4, 2)
    );
    // `build` hands back the store's refusal to assert on.
    let refused = PersonBuilder::new().name("Nguyễn 2").build(store).await;
    assert_eq!(refused_field(refused.unwrap_err()), "full_name");
}

async fn a_refused_expect_build_names_the_callers_line(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store.clone();
    VillageBuilder::new()
        .name("Thôn Một")
        .expect_build(&store)
        .await;
    let line = line!() + 4;
    let task = tokio::spawn(async move {
        VillageBuilder::new()
            .name("Thôn Một")
            .expect_build(&store)
            .await
    });
    let panic = task.await.unwrap_err().into_panic();
    let message = panic.downcast_ref::<String>().expect("a message");
    let at = format!("{}:{line}:", file!());
    assert!(
        message.starts_with(&at),
        "the failure names {at}, got: {message}"
    );
    assert!(message.contains("could not build the village"), "{message}");
}

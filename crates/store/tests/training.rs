//! Training courses, campaigns and period indicators on both databases: the
//! demo's figures, the rules of a new entry (a Vietnamese error naming the
//! field, nothing stored), the audit row of every write, and the period
//! variant of the flow indicators agreeing with the as-of figures.

use chrono::NaiveDate;
use toso_domain::{
    IndicatorCode, IndicatorValue, Name, Node, PartnerOrganisation, PersonName, TrainingMode,
};
use toso_store::{Actor, NewCampaign, NewCourse, NewPerson, Period, Store};
use toso_testkit::{both_backends, count, d, refusal, Backend, TestDb};

both_backends!(
    the_demo_has_the_reports_courses_and_campaigns,
    a_course_is_checked_stored_whole_and_audited,
    a_campaign_is_checked_and_counted_at_once,
    period_figures_agree_with_as_of_figures,
);

const CAT_HAI: Node = Node::Commune(11914);

async fn at(store: &Store, code: IndicatorCode, node: Node, day: NaiveDate) -> IndicatorValue {
    store.indicator(code, node, day).await.unwrap()
}

async fn the_demo_has_the_reports_courses_and_campaigns(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let nov = d(2025, 11, 30);

    // The two courses of the reference report, linked to their letters.
    let courses = store.courses(11914).await.unwrap();
    assert_eq!(courses.len(), 3);
    let ai = courses
        .iter()
        .find(|c| c.title.starts_with("Ứng dụng trí tuệ nhân tạo (AI)"))
        .expect("the AI course");
    assert_eq!(ai.mode, TrainingMode::TrucTuyen);
    let letter = store.document(ai.document_id.unwrap()).await.unwrap();
    assert_eq!(letter.doc_number, "1688/VHXH");
    assert_eq!(letter.issued_on, d(2025, 10, 20));
    let city = courses
        .iter()
        .find(|c| c.title == "Tập huấn sử dụng Hệ thống Chính quyền số thành phố")
        .expect("the city's digital-government course");
    assert_eq!(
        store
            .document(city.document_id.unwrap())
            .await
            .unwrap()
            .doc_number,
        "2086/UBND-VHXH"
    );
    assert_eq!(city.participants.len(), 58, "the 58 team leaders");

    // Figures as of 30/11/2025: the two courses of 2025.
    let expected_registered = ai.registered() + city.registered();
    let expected_completed = ai.completed() + city.completed();
    assert_eq!(expected_registered, 9 + 35 + 58 + 42 + 120);
    assert_eq!(
        count(&at(store, IndicatorCode::TrainingCourses, CAT_HAI, nov).await),
        2
    );
    assert_eq!(
        count(&at(store, IndicatorCode::Trainees, CAT_HAI, nov).await),
        expected_registered
    );
    assert_eq!(
        count(&at(store, IndicatorCode::TraineesCompleted, CAT_HAI, nov).await),
        expected_completed
    );
    let completion = at(store, IndicatorCode::TrainingCompletion, CAT_HAI, nov).await;
    assert_eq!(
        completion,
        IndicatorValue::Ratio {
            numerator: expected_completed,
            denominator: expected_registered
        }
    );
    assert_eq!(completion.display(), "87,9%");
    let members_completed = (ai.participants.iter().chain(&city.participants))
        .filter(|p| p.completed)
        .count() as i64;
    assert_eq!(
        count(&at(store, IndicatorCode::MembersTrained, CAT_HAI, nov).await),
        members_completed
    );
    // Before the first course: nothing; a village has no course of its own.
    assert_eq!(
        count(
            &at(
                store,
                IndicatorCode::TrainingCourses,
                CAT_HAI,
                d(2025, 10, 27)
            )
            .await
        ),
        0
    );
    let village = store.villages(11914, None).await.unwrap()[0].id;
    assert_eq!(
        count(&at(store, IndicatorCode::Trainees, Node::Village(village), nov).await),
        0
    );
    // A village's members trained are its team's members who completed.
    let in_village = count(
        &at(
            store,
            IndicatorCode::MembersTrained,
            Node::Village(village),
            nov,
        )
        .await,
    );
    assert!(in_village <= 1, "one leader per village: {in_village}");

    // Records: one per course, in Vietnamese.
    let records = store
        .indicator_records(IndicatorCode::Trainees, CAT_HAI, nov)
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert!(
        records[0]
            .detail
            .starts_with("28/10/2025 — Trực tuyến — 44 người đăng ký"),
        "{}",
        records[0].detail
    );
    let trained = store
        .indicator_records(IndicatorCode::MembersTrained, CAT_HAI, nov)
        .await
        .unwrap();
    assert_eq!(trained.len() as i64, members_completed);
    assert!(trained.iter().all(|r| r.detail == "Hoàn thành 1 lớp"));

    // Campaigns with the four mass organisations over the year.
    let campaigns = store.campaigns(11914).await.unwrap();
    for org in [
        PartnerOrganisation::DoanTn,
        PartnerOrganisation::HoiPn,
        PartnerOrganisation::HoiNd,
        PartnerOrganisation::HoiCcb,
    ] {
        assert!(
            campaigns.iter().any(|c| c.partners.contains(&org)),
            "{org} takes part"
        );
    }
    assert_eq!(
        count(&at(store, IndicatorCode::Campaigns, CAT_HAI, nov).await),
        2
    );
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, CAT_HAI, nov).await),
        320 + 410
    );
    let year_end = d(2026, 10, 31);
    let all_reach: i64 = campaigns.iter().map(|c| c.citizens_reached as i64).sum();
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, CAT_HAI, year_end).await),
        all_reach
    );
    assert_eq!(
        count(&at(store, IndicatorCode::Campaigns, CAT_HAI, year_end).await),
        campaigns.len() as i64
    );
    // A village counts the campaigns it took part in.
    let first = campaigns
        .iter()
        .find(|c| c.name == "Tuổi trẻ chuyển đổi số")
        .unwrap();
    let (vid, _) = first.villages[0];
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, Node::Village(vid), nov).await),
        320
    );
    let recs = store
        .indicator_records(IndicatorCode::Campaigns, CAT_HAI, nov)
        .await
        .unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[0].detail,
        "09/11/2025 — 45 người tham gia, 320 người dân được tiếp cận"
    );
    // The province adds up its communes.
    let set = store.indicators(Node::Province(31), nov).await.unwrap();
    assert_eq!(set.count(IndicatorCode::TrainingCourses), 2);
    assert_eq!(set.count(IndicatorCode::CampaignReach), 730);
    assert_eq!(set.from, None);
}

fn course(store_person: Vec<(i64, bool)>) -> NewCourse {
    NewCourse {
        commune_code: 11914,
        title: Name::subject("Lớp thử").unwrap(),
        organiser: Name::issuer("Ủy ban nhân dân đặc khu Cát Hải").unwrap(),
        document_id: None,
        starts_on: d(2026, 1, 5),
        ends_on: Some(d(2026, 1, 6)),
        mode: TrainingMode::TrucTiep,
        officials_registered: 10,
        officials_completed: 8,
        citizens_registered: 5,
        citizens_completed: 5,
        participants: store_person,
    }
}

async fn a_course_is_checked_stored_whole_and_audited(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let actor = Actor::system("test");
    let day = d(2026, 1, 31);
    let before = count(&at(store, IndicatorCode::Trainees, CAT_HAI, day).await);
    let courses_before = store.courses(11914).await.unwrap().len();

    let team = store.teams(11914).await.unwrap()[0].clone();
    let members = store.team_members(team.id, None).await.unwrap();
    let (a, b) = (
        members[0].membership.person_id,
        members[1].membership.person_id,
    );
    // A person of the commune who is in no team, and one of another commune.
    let outsider = store
        .create_person(
            &actor,
            NewPerson {
                commune_code: 11914,
                full_name: PersonName::parse("Nguyễn Văn Ngoài").unwrap(),
                gender: None,
                birth_year: None,
                phone: None,
            },
        )
        .await
        .unwrap();
    let elsewhere = store
        .create_person(
            &actor,
            NewPerson {
                commune_code: 11948,
                full_name: PersonName::parse("Trần Thị Khác").unwrap(),
                gender: None,
                birth_year: None,
                phone: None,
            },
        )
        .await
        .unwrap();

    let refusals: Vec<(NewCourse, &str, &str)> = vec![
        (
            NewCourse {
                officials_registered: -1,
                officials_completed: 0,
                ..course(vec![])
            },
            "officials_registered",
            "Số cán bộ, công chức đăng ký không được là số âm.",
        ),
        (
            NewCourse {
                citizens_completed: 6,
                ..course(vec![])
            },
            "citizens_completed",
            "Số người dân hoàn thành (6) không được lớn hơn số đăng ký (5).",
        ),
        (
            NewCourse {
                ends_on: Some(d(2026, 1, 4)),
                ..course(vec![])
            },
            "ends_on",
            "Ngày kết thúc 04/01/2026 không được trước ngày khai giảng 05/01/2026.",
        ),
        (
            NewCourse {
                starts_on: toso_store::today() + chrono::Days::new(3),
                ends_on: None,
                ..course(vec![])
            },
            "starts_on",
            "Ngày khai giảng",
        ),
        (
            course(vec![(a, true), (outsider.id, true)]),
            "participants",
            "«Nguyễn Văn Ngoài» không phải thành viên tổ công nghệ số nào của",
        ),
        (
            course(vec![(elsewhere.id, false)]),
            "participants",
            "«Trần Thị Khác» không phải thành viên",
        ),
        (
            course(vec![(a, true), (a, false)]),
            "participants",
            "được ghi hai lần",
        ),
        (
            NewCourse {
                document_id: Some(999_999),
                ..course(vec![])
            },
            "document_id",
            "Văn bản chỉ đạo không có trong sổ văn bản của xã.",
        ),
    ];
    for (new, want_field, want_message) in refusals {
        let (f, message) = refusal(store.create_course(&actor, new).await.unwrap_err());
        assert_eq!(f, want_field, "{message}");
        assert!(message.contains(want_message), "{message}");
    }
    // Nothing was stored by the refusals.
    assert_eq!(store.courses(11914).await.unwrap().len(), courses_before);
    assert_eq!(
        count(&at(store, IndicatorCode::Trainees, CAT_HAI, day).await),
        before
    );

    // A good course counts at once, members and counts together.
    let created = store
        .create_course(&actor, course(vec![(a, true), (b, false)]))
        .await
        .unwrap();
    assert_eq!(created.participants.len(), 2);
    assert_eq!(created.registered(), 2 + 10 + 5);
    assert_eq!(created.completed(), 1 + 8 + 5);
    assert_eq!(
        count(&at(store, IndicatorCode::Trainees, CAT_HAI, day).await),
        before + 17
    );
    // Completion marked later: an update, audited with before and after.
    let mut upd = course(vec![(a, true), (b, true)]);
    upd.officials_completed = 10;
    let updated = store.update_course(&actor, created.id, upd).await.unwrap();
    assert_eq!(updated.completed(), 2 + 10 + 5);
    let (f, _) = refusal(
        store
            .update_course(
                &actor,
                created.id,
                NewCourse {
                    citizens_registered: -2,
                    citizens_completed: 0,
                    ..course(vec![])
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "citizens_registered");
    assert_eq!(store.course(created.id).await.unwrap(), updated);

    let ours = store.audit_of("training_course", created.id).await.unwrap();
    assert_eq!(ours.len(), 2, "create and update");
    let update = ours.iter().find(|e| e.action == "update").unwrap();
    assert_eq!(update.before.as_ref().unwrap().0["officials_completed"], 8);
    assert_eq!(update.after.as_ref().unwrap().0["officials_completed"], 10);
    assert_eq!(update.actor, "test");
}

async fn a_campaign_is_checked_and_counted_at_once(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let actor = Actor::system("test");
    let day = d(2026, 2, 1);
    let villages = store.villages(11914, None).await.unwrap();
    let (v1, v2) = (villages[0].id, villages[1].id);
    let reach = count(&at(store, IndicatorCode::CampaignReach, CAT_HAI, day).await);
    let village_reach =
        count(&at(store, IndicatorCode::CampaignReach, Node::Village(v2), day).await);
    let good = NewCampaign {
        commune_code: 11914,
        name: Name::subject("Chủ nhật xanh").unwrap(),
        held_on: d(2026, 1, 25),
        partners: vec![PartnerOrganisation::DoanTn, PartnerOrganisation::HoiPn],
        village_ids: vec![v1, v2],
        participants: 20,
        citizens_reached: 150,
        note: Some("Hướng dẫn cài đặt VNeID mức 2".into()),
    };
    // A village of another commune.
    let other = store
        .create_village(
            &actor,
            toso_store::NewVillage {
                commune_code: 11948,
                kind: toso_domain::VillageKind::Thon,
                name: Name::village("Thôn Khác").unwrap(),
                active_from: d(2025, 7, 1),
            },
        )
        .await
        .unwrap();
    for (new, want) in [
        (
            NewCampaign {
                citizens_reached: -1,
                ..good.clone()
            },
            "citizens_reached",
        ),
        (
            NewCampaign {
                participants: -5,
                ..good.clone()
            },
            "participants",
        ),
        (
            NewCampaign {
                held_on: toso_store::today() + chrono::Days::new(1),
                ..good.clone()
            },
            "held_on",
        ),
        (
            NewCampaign {
                partners: vec![],
                ..good.clone()
            },
            "partners",
        ),
        (
            NewCampaign {
                village_ids: vec![v1, other.id],
                ..good.clone()
            },
            "villages",
        ),
        (
            NewCampaign {
                held_on: d(2025, 6, 1),
                ..good.clone()
            },
            "villages",
        ),
    ] {
        let (f, message) = refusal(store.create_campaign(&actor, new).await.unwrap_err());
        assert_eq!(f, want, "{message}");
        assert!(!message.is_empty());
    }
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, CAT_HAI, day).await),
        reach,
        "refusals store nothing"
    );
    let created = store.create_campaign(&actor, good).await.unwrap();
    assert_eq!(
        created.partners,
        vec![PartnerOrganisation::DoanTn, PartnerOrganisation::HoiPn]
    );
    assert_eq!(created.villages.len(), 2);
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, CAT_HAI, day).await),
        reach + 150
    );
    assert_eq!(
        count(&at(store, IndicatorCode::CampaignReach, Node::Village(v2), day).await),
        village_reach + 150,
        "the whole reach counts in each village of the campaign"
    );
    let audit = store.audit_of("campaign", created.id).await.unwrap();
    let row = audit.first().expect("the campaign's audit row");
    assert_eq!(row.action, "create");
    assert_eq!(
        row.after.as_ref().unwrap().0["partners"],
        serde_json::json!(["doan_tn", "hoi_pn"])
    );
}

async fn period_figures_agree_with_as_of_figures(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let nov_end = d(2025, 11, 30);
    let oct_end = d(2025, 10, 31);
    let november = Period::between(d(2025, 11, 1), nov_end);

    // A flow figure over a period is the difference of two as-of figures.
    for code in [
        IndicatorCode::SupportActivities,
        IndicatorCode::CitizensHelped,
        IndicatorCode::CitizensHelpedByCategory,
        IndicatorCode::Dossiers,
        IndicatorCode::ContestRegistrations,
        IndicatorCode::Trainees,
        IndicatorCode::CampaignReach,
        IndicatorCode::ActivitiesPerTeam,
    ] {
        let whole = count(&at(store, code, CAT_HAI, nov_end).await);
        let before = count(&at(store, code, CAT_HAI, oct_end).await);
        let in_period = count(&store.indicator_in(code, CAT_HAI, november).await.unwrap());
        assert_eq!(in_period, whole - before, "{code:?}");
        let records = store
            .indicator_records_in(code, CAT_HAI, november)
            .await
            .unwrap();
        assert!(!records.is_empty(), "{code:?} lists its records");
    }
    assert_eq!(
        count(
            &store
                .indicator_in(IndicatorCode::ContestRegistrations, CAT_HAI, november)
                .await
                .unwrap()
        ),
        1440 - 95 - 120
    );
    // Stock figures over a period are counted on its last day.
    let set = store.indicators_in(CAT_HAI, november).await.unwrap();
    assert_eq!(set.from, Some(d(2025, 11, 1)));
    assert_eq!(set.as_of, nov_end);
    assert_eq!(set.count(IndicatorCode::Members), 386);
    assert_eq!(set.count(IndicatorCode::Teams), 58);
    // Active teams: every village team logged something in a month of the
    // demo; over the as-of form it is the last 30 days.
    let active = count(
        &store
            .indicator_in(
                IndicatorCode::ActiveTeams,
                CAT_HAI,
                Period::between(d(2026, 1, 1), d(2026, 1, 31)),
            )
            .await
            .unwrap(),
    );
    assert_eq!(active, 58);
    let thirty = count(&at(store, IndicatorCode::ActiveTeams, CAT_HAI, d(2026, 1, 31)).await);
    let same = count(
        &store
            .indicator_in(
                IndicatorCode::ActiveTeams,
                CAT_HAI,
                Period::between(d(2026, 1, 2), d(2026, 1, 31)),
            )
            .await
            .unwrap(),
    );
    assert_eq!(thirty, same, "as-of = the 30 days up to the date");
    let listed = store
        .indicator_records(IndicatorCode::ActiveTeams, CAT_HAI, d(2026, 1, 31))
        .await
        .unwrap();
    assert_eq!(listed.len() as i64, thirty);
    // Activities per team: one line per active team, adding up to the total.
    let per_team = at(store, IndicatorCode::ActivitiesPerTeam, CAT_HAI, nov_end).await;
    match &per_team {
        IndicatorValue::Breakdown { items } => assert_eq!(items.len(), 59),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        count(&per_team),
        count(&at(store, IndicatorCode::SupportActivities, CAT_HAI, nov_end).await)
    );
    // The as-of API is unchanged: `indicators` = `indicators_in` from the beginning.
    assert_eq!(
        store.indicators(CAT_HAI, nov_end).await.unwrap(),
        store
            .indicators_in(CAT_HAI, Period::as_of(nov_end))
            .await
            .unwrap()
    );
}

#[test]
fn the_edit_window_is_seven_days() {
    let now = chrono::Utc::now();
    let at = |days: i64| toso_store::ActivityAuthor {
        created_by: Some(1),
        created_at: now - chrono::Duration::days(days),
    };
    assert!(at(0).within_edit_window(now));
    assert!(at(7).within_edit_window(now));
    assert!(!at(8).within_edit_window(now));
}

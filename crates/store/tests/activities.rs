//! Support activities and contests on both databases: the demo's figures,
//! the rules of a new entry, and figures that follow the records at once.

use chrono::NaiveDate;
use toso_domain::{ContestGroup, IndicatorCode, IndicatorValue, Node, SupportCategory};
use toso_store::{Actor, NewActivity, StoreError};
use toso_testkit::{both_backends, count, d, Backend, TestDb};

both_backends!(
    the_contest_has_1440_registrations_by_the_end_of_november,
    activity_figures_add_up_and_list_their_records,
    a_new_activity_is_checked_and_counted_at_once,
    many_phones_logging_at_once_share_commits_and_lose_nothing,
);

async fn the_contest_has_1440_registrations_by_the_end_of_november(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let at = |day| {
        store.indicator(
            IndicatorCode::ContestRegistrations,
            Node::Commune(11914),
            day,
        )
    };
    assert_eq!(count(&at(d(2025, 11, 30)).await.unwrap()), 1440);
    assert_eq!(count(&at(d(2025, 12, 31)).await.unwrap()), 1504);
    assert_eq!(count(&at(d(2025, 10, 19)).await.unwrap()), 0);
    let set = store
        .indicators(Node::Province(31), d(2025, 11, 30))
        .await
        .unwrap();
    assert_eq!(set.count(IndicatorCode::ContestRegistrations), 1440);
    assert_eq!(
        set.get(IndicatorCode::ContestRegistrations)
            .unwrap()
            .display,
        "1.440"
    );
    let records = store
        .indicator_records(
            IndicatorCode::ContestRegistrations,
            Node::Commune(11914),
            d(2025, 11, 30),
        )
        .await
        .unwrap();
    assert_eq!(records.len(), 11);
    assert!(
        records[0]
            .detail
            .starts_with("20/10/2025 — Cán bộ, công chức, viên chức — 95 người"),
        "{}",
        records[0].detail
    );
    // Rules of a registration.
    let contest = store.contests(11914).await.unwrap()[0].clone();
    let actor = Actor::system("test");
    let refused = |e: StoreError| match e {
        StoreError::Invalid(e) => e.field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(
            store
                .add_registrations(
                    &actor,
                    contest.id,
                    d(2025, 11, 2),
                    ContestGroup::NguoiDan,
                    0
                )
                .await
                .unwrap_err()
        ),
        "count"
    );
    assert_eq!(
        refused(
            store
                .add_registrations(&actor, contest.id, d(2026, 2, 1), ContestGroup::NguoiDan, 5)
                .await
                .unwrap_err()
        ),
        "registered_on"
    );
    assert_eq!(
        count(&at(d(2025, 12, 31)).await.unwrap()),
        1504,
        "refusals write nothing"
    );
}

async fn activity_figures_add_up_and_list_their_records(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let node = Node::Commune(11914);
    let on = d(2026, 10, 31);
    let set = store.indicators(node, on).await.unwrap();
    let activities = set.count(IndicatorCode::SupportActivities);
    let citizens = set.count(IndicatorCode::CitizensHelped);
    assert!(
        activities >= 59 * 12,
        "every team logs at least monthly ({activities})"
    );
    let IndicatorValue::Breakdown { items } = &set
        .get(IndicatorCode::CitizensHelpedByCategory)
        .unwrap()
        .value
    else {
        panic!("breakdown")
    };
    assert_eq!(items.len(), SupportCategory::ALL.len());
    assert_eq!(
        items.iter().map(|i| i.value).sum::<i64>(),
        citizens,
        "categories add up to the total"
    );
    assert!(set.count(IndicatorCode::Dossiers) <= citizens);
    let active = set.count(IndicatorCode::ActiveTeams);
    assert!((1..=58).contains(&active), "{active}");
    let records = store
        .indicator_records(IndicatorCode::SupportActivities, node, on)
        .await
        .unwrap();
    assert_eq!(records.len() as i64, activities);
    assert!(
        records[0].detail.contains(" người, "),
        "{}",
        records[0].detail
    );
    let active_records = store
        .indicator_records(IndicatorCode::ActiveTeams, node, on)
        .await
        .unwrap();
    assert_eq!(active_records.len() as i64, active);
    // Before the teams existed there is nothing; a village holds its own.
    assert_eq!(
        store
            .indicators(node, d(2025, 10, 30))
            .await
            .unwrap()
            .count(IndicatorCode::SupportActivities),
        0
    );
    let village = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find_map(|t| t.village_id)
        .unwrap();
    let v = store.indicators(Node::Village(village), on).await.unwrap();
    assert!(v.count(IndicatorCode::SupportActivities) >= 12);
    assert!(v.count(IndicatorCode::SupportActivities) < activities);
    assert_eq!(v.count(IndicatorCode::ContestRegistrations), 0);
}

async fn a_new_activity_is_checked_and_counted_at_once(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let actor = Actor::system("test");
    let team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id.is_some())
        .unwrap();
    let member = store
        .team_members(team.id, Some(d(2025, 11, 30)))
        .await
        .unwrap()[0]
        .membership
        .person_id;
    let other_team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|t| t.village_id.is_some() && t.id != team.id)
        .unwrap();
    let stranger = store.team_members(other_team.id, None).await.unwrap()[0]
        .membership
        .person_id;
    let today = toso_store::today();
    let new = |citizens: i32, day: NaiveDate, co: Vec<i64>| NewActivity {
        team_id: team.id,
        activity_date: day,
        category: SupportCategory::Vneid,
        citizens_helped: citizens,
        dossiers: 0,
        note: Some("Hướng dẫn kích hoạt VNeID mức 2".into()),
        co_members: co,
    };
    let field = |e: StoreError| match e {
        StoreError::Invalid(e) => (e.field, e.message),
        other => panic!("{other:?}"),
    };
    let before = store.indicators(Node::Commune(11914), today).await.unwrap();
    let (f, m) = field(
        store
            .create_activity(&actor, new(-3, today, vec![]))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "citizens_helped");
    assert!(m.contains("không được là số âm"));
    assert_eq!(
        field(
            store
                .create_activity(&actor, new(3, today + chrono::Days::new(2), vec![]))
                .await
                .unwrap_err()
        )
        .0,
        "activity_date"
    );
    assert_eq!(
        field(
            store
                .create_activity(&actor, new(3, d(2025, 10, 1), vec![]))
                .await
                .unwrap_err()
        )
        .0,
        "activity_date"
    );
    let (f, m) = field(
        store
            .create_activity(&actor, new(3, today, vec![stranger]))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "co_members");
    assert!(m.contains("không phải thành viên"), "{m}");
    let after_refusals = store.indicators(Node::Commune(11914), today).await.unwrap();
    assert_eq!(
        after_refusals.count(IndicatorCode::SupportActivities),
        before.count(IndicatorCode::SupportActivities)
    );
    let a = store
        .create_activity(&actor, new(7, today, vec![member]))
        .await
        .unwrap();
    let after = store.indicators(Node::Commune(11914), today).await.unwrap();
    assert_eq!(
        after.count(IndicatorCode::SupportActivities),
        before.count(IndicatorCode::SupportActivities) + 1
    );
    assert_eq!(
        after.count(IndicatorCode::CitizensHelped),
        before.count(IndicatorCode::CitizensHelped) + 7
    );
    assert!(after.count(IndicatorCode::ActiveTeams) >= 1);
    assert_eq!(store.audit_of("activity", a.id).await.unwrap().len(), 1);
    assert_eq!(
        store.activities(11914, today, today).await.unwrap()[0].id,
        a.id
    );
}

/// 300 activities logged at once (the group-commit writer takes them in
/// batches): each is answered with its own id, each is stored once with
/// its co-member and its audit row, and the figures count every one.
async fn many_phones_logging_at_once_share_commits_and_lose_nothing(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = db.store.clone();
    let day = d(2025, 11, 20);
    let teams: Vec<_> = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.village_id.is_some())
        .collect();
    let before = store
        .indicator(IndicatorCode::SupportActivities, Node::Commune(11914), day)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..300usize {
        let store = store.clone();
        let team = teams[i % teams.len()].clone();
        tasks.push(tokio::spawn(async move {
            let helper = store.team_members(team.id, Some(day)).await.unwrap()[0]
                .membership
                .person_id;
            let activity = store
                .create_activity(
                    &Actor::system("test"),
                    NewActivity {
                        team_id: team.id,
                        activity_date: day,
                        category: SupportCategory::DvcTrucTuyen,
                        citizens_helped: 2,
                        dossiers: 1,
                        note: Some(format!("cùng lúc {i}")),
                        co_members: vec![helper],
                    },
                )
                .await
                .unwrap();
            (i, activity)
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let (i, activity) = task.await.unwrap();
        assert_eq!(
            activity.note.as_deref(),
            Some(format!("cùng lúc {i}").as_str())
        );
        assert!(ids.insert(activity.id), "id {} given twice", activity.id);
        let audit = store.audit_of("activity", activity.id).await.unwrap();
        assert_eq!(audit.len(), 1, "one audit row for activity {}", activity.id);
    }
    let notes = store
        .activity_notes_like(11914, "cùng lúc %")
        .await
        .unwrap();
    assert_eq!(notes.len(), 300);
    let after = store
        .indicator(IndicatorCode::SupportActivities, Node::Commune(11914), day)
        .await
        .unwrap();
    assert_eq!(count(&after), count(&before) + 300);
}

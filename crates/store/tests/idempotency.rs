//! Logging an activity under a client id records it once, on both
//! databases (issue 21): a repeat answers the original unchanged, the
//! figures count it once (even when the repeat's content would now be
//! refused), two users' ids never collide, twenty sends
//! racing with one id write one row, and a malformed id is refused beside
//! `client_id`.

use chrono::NaiveDate;
use toso_domain::{ClientId, IndicatorCode, Node, SupportCategory};
use toso_store::{Activity, Actor, NewActivity, Store, Team, User};
use toso_testkit::{
    both_backends, indicator_count, refusal, Backend, TeamBuilder, TestDb, UserBuilder,
    DEMO_COMMUNE,
};

both_backends!(
    the_same_client_id_twice_records_one_activity,
    two_users_may_use_the_same_client_id,
    twenty_sends_racing_with_one_id_write_one_activity,
    different_client_ids_record_different_activities,
    malformed_or_userless_client_ids_are_refused,
);

/// The signed-in writer `user`, as the web layer makes it.
fn as_user(user: &User) -> Actor {
    Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: Some("127.0.0.1".to_string()),
    }
}

fn entry(team: &Team, citizens_helped: i32) -> NewActivity {
    NewActivity {
        team_id: team.id,
        activity_date: team.established_on,
        category: SupportCategory::Vneid,
        citizens_helped,
        dossiers: 1,
        note: Some("Hỗ trợ cài VNeID".to_string()),
        co_members: Vec::new(),
    }
}

fn id(s: &str) -> ClientId {
    ClientId::parse(s).unwrap()
}

/// The commune's (activities, citizens helped) as of `day`.
async fn figures(store: &Store, day: NaiveDate) -> (i64, i64) {
    let node = Node::Commune(DEMO_COMMUNE);
    (
        indicator_count(store, IndicatorCode::SupportActivities, node, day).await,
        indicator_count(store, IndicatorCode::CitizensHelped, node, day).await,
    )
}

/// The answers of sends running at once (spawned together), in order.
async fn answers_of(
    sends: Vec<tokio::task::JoinHandle<toso_store::Result<(Activity, bool)>>>,
) -> Vec<(Activity, bool)> {
    let mut answers = Vec::with_capacity(sends.len());
    for send in sends {
        answers.push(send.await.unwrap().unwrap());
    }
    answers
}

async fn setup(backend: Backend) -> (TestDb, Team, User) {
    let db = TestDb::new(backend).await;
    let team = TeamBuilder::new().expect_build(&db.store).await;
    let user = UserBuilder::new().expect_build(&db.store).await;
    (db, team, user)
}

async fn the_same_client_id_twice_records_one_activity(backend: Backend) {
    let (db, team, user) = setup(backend).await;
    let store = &db.store;
    let today = toso_store::today();
    let before = figures(store, today).await;
    let cid = id("f47ac10b-58cc-4372-a567-0e02b2c3d479");
    let (first, repeat) = store
        .create_activity_once(&as_user(&user), entry(&team, 4), &cid)
        .await
        .unwrap();
    assert!(!repeat);
    assert_eq!(first.citizens_helped, 4);
    assert_eq!(figures(store, today).await, (before.0 + 1, before.1 + 4));
    // Sent again (the answer was lost), even with other content: the
    // original, unchanged, and nothing more counted.
    let (again, repeat) = store
        .create_activity_once(&as_user(&user), entry(&team, 9), &cid)
        .await
        .unwrap();
    assert!(repeat);
    assert_eq!(again, first);
    assert_eq!(store.activity(first.id).await.unwrap().citizens_helped, 4);
    assert_eq!(figures(store, today).await, (before.0 + 1, before.1 + 4));
    // A repeat whose content would now be refused (a day in the future, a
    // helper not in the team) still gets the original, not the refusal.
    let refused_now = NewActivity {
        activity_date: today + chrono::Days::new(3),
        co_members: vec![i64::MAX],
        ..entry(&team, 7)
    };
    let (again, repeat) = store
        .create_activity_once(&as_user(&user), refused_now, &cid)
        .await
        .unwrap();
    assert!(repeat);
    assert_eq!(again, first);
    assert_eq!(figures(store, today).await, (before.0 + 1, before.1 + 4));
    assert_eq!(
        store
            .activity_by_client_id(user.id, &cid)
            .await
            .unwrap()
            .map(|a| a.id),
        Some(first.id)
    );
    // One audit row: the repeat wrote nothing.
    assert_eq!(store.audit_of("activity", first.id).await.unwrap().len(), 1);
    // Logging without a client id is unchanged: each call is a new one.
    let plain = store
        .create_activity(&as_user(&user), entry(&team, 2))
        .await
        .unwrap();
    assert_ne!(plain.id, first.id);
    assert_eq!(figures(store, today).await, (before.0 + 2, before.1 + 6));
}

async fn two_users_may_use_the_same_client_id(backend: Backend) {
    let (db, team, user) = setup(backend).await;
    let store = &db.store;
    let other = UserBuilder::new().expect_build(store).await;
    let today = toso_store::today();
    let before = figures(store, today).await;
    let cid = id("abcdefgh12345678");
    let (mine, repeat_mine) = store
        .create_activity_once(&as_user(&user), entry(&team, 1), &cid)
        .await
        .unwrap();
    let (theirs, repeat_theirs) = store
        .create_activity_once(&as_user(&other), entry(&team, 1), &cid)
        .await
        .unwrap();
    assert!(!repeat_mine && !repeat_theirs);
    assert_ne!(mine.id, theirs.id);
    assert_eq!(figures(store, today).await, (before.0 + 2, before.1 + 2));
    assert_eq!(
        store
            .activity_by_client_id(other.id, &cid)
            .await
            .unwrap()
            .map(|a| a.id),
        Some(theirs.id)
    );
}

async fn twenty_sends_racing_with_one_id_write_one_activity(backend: Backend) {
    let (db, team, user) = setup(backend).await;
    let today = toso_store::today();
    let before = figures(&db.store, today).await;
    let cid = id("race_0123456789");
    let sends: Vec<_> = (0..20)
        .map(|_| {
            let store = db.store.clone();
            let actor = as_user(&user);
            let new = entry(&team, 3);
            let cid = cid.clone();
            tokio::spawn(async move { store.create_activity_once(&actor, new, &cid).await })
        })
        .collect();
    let answers = answers_of(sends).await;
    let first = answers.iter().find(|(_, repeat)| !repeat).unwrap().0.id;
    assert_eq!(answers.iter().filter(|(_, repeat)| !repeat).count(), 1);
    assert_eq!(answers.iter().filter(|(_, repeat)| *repeat).count(), 19);
    assert!(answers.iter().all(|(a, _)| a.id == first));
    assert_eq!(
        figures(&db.store, today).await,
        (before.0 + 1, before.1 + 3)
    );
    // Others logging at the same time are answered and written, each once,
    // even when a duplicate shares their commit.
    let mixed: Vec<_> = (0..12)
        .map(|i| {
            let store = db.store.clone();
            let actor = as_user(&user);
            let new = entry(&team, 1);
            let cid = if i % 2 == 0 {
                cid.clone()
            } else {
                id(&format!("mixed-{i:04}"))
            };
            tokio::spawn(async move { store.create_activity_once(&actor, new, &cid).await })
        })
        .collect();
    let answers = answers_of(mixed).await;
    assert_eq!(answers.iter().filter(|(_, repeat)| *repeat).count(), 6);
    assert!(answers
        .iter()
        .filter(|(_, repeat)| *repeat)
        .all(|(a, _)| a.id == first));
    assert_eq!(
        figures(&db.store, today).await,
        (before.0 + 7, before.1 + 9)
    );
}

async fn different_client_ids_record_different_activities(backend: Backend) {
    let (db, team, user) = setup(backend).await;
    let store = &db.store;
    let today = toso_store::today();
    let before = figures(store, today).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (a, repeat) = store
            .create_activity_once(
                &as_user(&user),
                entry(&team, 2),
                &id(&format!("entry-{n}-of-three")),
            )
            .await
            .unwrap();
        assert!(!repeat);
        ids.push(a.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(figures(store, today).await, (before.0 + 3, before.1 + 6));
}

async fn malformed_or_userless_client_ids_are_refused(backend: Backend) {
    let (db, team, user) = setup(backend).await;
    let store = &db.store;
    let today = toso_store::today();
    let before = figures(store, today).await;
    for bad in [
        "",
        "short",
        "has space here",
        "dấu-tiếng-việt",
        "a/b/c/d/e/f",
    ] {
        let err = ClientId::parse(bad).unwrap_err();
        assert_eq!(err.field, "client_id", "{bad:?}");
    }
    // A command (no user) cannot log under a client id.
    let (field, message) = refusal(
        store
            .create_activity_once(
                &Actor::system("toso demo"),
                entry(&team, 1),
                &id("system-entry-1"),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "client_id");
    assert!(message.contains("tài khoản"), "{message}");
    // The other rules still apply to an entry with a client id.
    let future = NewActivity {
        activity_date: today + chrono::Days::new(3),
        ..entry(&team, 1)
    };
    let cid = id("future-entry-1");
    assert_eq!(
        refusal(
            store
                .create_activity_once(&as_user(&user), future, &cid)
                .await
                .unwrap_err()
        )
        .0,
        "activity_date"
    );
    // Nothing was written; the id is still free.
    assert_eq!(figures(store, today).await, before);
    assert!(store
        .activity_by_client_id(user.id, &cid)
        .await
        .unwrap()
        .is_none());
    let (_, repeat) = store
        .create_activity_once(&as_user(&user), entry(&team, 1), &cid)
        .await
        .unwrap();
    assert!(!repeat);
}

//! Citizens' help requests on both databases: a village's public code and
//! the members listed on it only with their consent; a request routed to
//! the village's team with deadlines on the commune's working calendar;
//! taken and closed as done, recording its support activity once (the
//! figures follow); escalated when overdue, handed to the quick-response
//! team; personal data erased after the retention period with the counts
//! kept and never written to the audit log; the limits of the intake.

use chrono::{DateTime, TimeZone, Utc};
use toso_domain::{
    HelpState, IndicatorCode, IndicatorValue, Node, PersonName, PhoneNumber, Role, SupportCategory,
    CODE_ALPHABET,
};
use toso_store::{
    Actor, HelpDone, HelpSettings, Holiday, NewHelpRequest, PublicLookup, QueueScope, Store,
    StoreError, Team,
};
use toso_testkit::{
    both_backends, d, refusal, Backend, MembershipBuilder, PersonBuilder, TeamBuilder, TestDb,
    UserBuilder,
};

both_backends!(
    a_request_is_routed_timed_taken_and_closed_once,
    overdue_requests_escalate_hand_over_and_erase,
    codes_limits_and_settings_refuse_what_they_must,
);

const CAT_HAI: i32 = 11914;

fn officer() -> Actor {
    Actor::system("canboxa")
}

/// `h:m` Vietnam time on `day`, as UTC.
fn vn(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap() - chrono::Duration::hours(7)
}

fn request(code: &str, name: &str, phone: &str) -> NewHelpRequest {
    NewHelpRequest {
        village_code: code.to_string(),
        category: SupportCategory::Vneid,
        description: "Kích hoạt VNeID mức 2".into(),
        citizen_name: PersonName::parse(name).unwrap(),
        citizen_phone: PhoneNumber::parse(phone).unwrap(),
        preferred_time: "Buổi sáng".into(),
    }
}

/// A village team and the commune's quick-response team.
async fn teams(store: &Store) -> (Team, Team) {
    let village = TeamBuilder::new().expect_build(store).await;
    let quick = TeamBuilder::new()
        .quick_response()
        .expect_build(store)
        .await;
    (village, quick)
}

async fn count(store: &Store, code: IndicatorCode, day: chrono::NaiveDate) -> IndicatorValue {
    store
        .indicator(code, Node::Commune(CAT_HAI), day)
        .await
        .unwrap()
}

async fn a_request_is_routed_timed_taken_and_closed_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let (team, quick) = teams(store).await;
    let village = team.village_id.unwrap();

    // One code per village, stable, unambiguous.
    let code = store.village_code(village).await.unwrap();
    assert_eq!(code.len(), 8);
    assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
    assert_eq!(store.village_code(village).await.unwrap(), code);

    // Listed only with consent.
    let person = PersonBuilder::new()
        .name("Lê Văn Công")
        .phone("0912345678")
        .expect_build(store)
        .await;
    MembershipBuilder::new()
        .team(team.id)
        .person(person.id)
        .role(Role::ToTruong)
        .expect_build(store)
        .await;
    let today = toso_store::today();
    let page = match store.public_village(&code, today).await.unwrap() {
        PublicLookup::Found(v) => v,
        other => panic!("expected the village, got {other:?}"),
    };
    assert_eq!(page.team.as_ref().unwrap().id, team.id);
    assert!(page.team.as_ref().unwrap().members.is_empty());
    assert_eq!(page.quick_response.as_ref().unwrap().id, quick.id);
    store
        .set_listed_publicly(&officer(), person.id, true)
        .await
        .unwrap();
    let PublicLookup::Found(page) = store.public_village(&code, today).await.unwrap() else {
        panic!("the village");
    };
    let listed = &page.team.as_ref().unwrap().members;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Lê Văn Công");
    assert_eq!(listed[0].phone.as_deref(), Some("0912345678"));

    // Thursday 03/12/2026 10:00: first response by Friday 10:00 (8 working
    // hours), resolution by Tuesday 08/12 10:00 (3 working days).
    let before_help = count(store, IndicatorCode::CitizensHelped, today).await;
    let at = vn(2026, 12, 3, 10, 0);
    let r = store
        .create_help_request(request(&code, "Nguyễn Thị Dân", "0987654321"), at)
        .await
        .unwrap();
    assert_eq!(r.state, HelpState::New);
    assert_eq!(r.team_id, Some(team.id));
    assert_eq!(r.respond_by, vn(2026, 12, 4, 10, 0));
    assert_eq!(r.resolve_by, vn(2026, 12, 8, 10, 0));
    assert_eq!(r.tracking_code.len(), 8);
    let found = store.help_request_by_code(&r.tracking_code).await.unwrap();
    assert_eq!(found.id, r.id);
    assert_eq!(found.citizen_phone.as_deref(), Some("0987654321"));

    // In the team's queue, not in another team's.
    let mine = QueueScope::Team {
        team_id: team.id,
        quick_response: false,
    };
    assert_eq!(
        store
            .help_queue(CAT_HAI, mine, None, 100)
            .await
            .unwrap()
            .len(),
        1
    );
    let other = TeamBuilder::new().expect_build(store).await;
    let theirs = QueueScope::Team {
        team_id: other.id,
        quick_response: false,
    };
    assert!(store
        .help_queue(CAT_HAI, theirs, None, 100)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.help_open_in_queue(CAT_HAI, mine).await.unwrap(), 1);
    assert_eq!(store.help_open_in_queue(CAT_HAI, theirs).await.unwrap(), 0);

    // Taken an hour later, done at 14:00: 3 people helped.
    let member = UserBuilder::new().expect_build(store).await;
    let taken = store
        .take_help_request(
            &officer(),
            r.id,
            (member.id, "Lê Văn Công"),
            at + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(taken.state, HelpState::InProgress);
    assert_eq!(taken.response_minutes, Some(60));
    let again = store
        .take_help_request(&officer(), r.id, (member.id, "Lê Văn Công"), at)
        .await
        .unwrap_err();
    assert_eq!(refusal(again).0, "state");
    let done = store
        .close_help_request_done(
            &officer(),
            r.id,
            team.id,
            HelpDone {
                category: SupportCategory::Vneid,
                citizens_helped: 3,
                dossiers: 1,
                note: Some("Đã kích hoạt".into()),
            },
            at + chrono::Duration::hours(4),
        )
        .await
        .unwrap();
    assert_eq!(done.state, HelpState::Done);
    // Closed: no longer counted open in the team's queue.
    assert_eq!(store.help_open_in_queue(CAT_HAI, mine).await.unwrap(), 0);
    // 10:00–11:30 and 13:00–14:00: lunch does not count.
    assert_eq!(done.resolution_minutes, Some(150));
    let activity = store.activity(done.activity_id.unwrap()).await.unwrap();
    assert_eq!(activity.team_id, team.id);
    assert_eq!(activity.citizens_helped, 3);
    assert!(activity.note.unwrap().contains(&r.tracking_code));
    // Closing twice is refused and records nothing more.
    let twice = store
        .close_help_request_done(
            &officer(),
            r.id,
            team.id,
            HelpDone {
                category: SupportCategory::Vneid,
                citizens_helped: 3,
                dossiers: 0,
                note: None,
            },
            at + chrono::Duration::hours(3),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(twice).0, "state");

    // The figures: counted once, from the records.
    let after_help = count(store, IndicatorCode::CitizensHelped, today).await;
    assert_eq!(
        after_help.total().unwrap(),
        before_help.total().unwrap() + 3
    );
    assert_eq!(
        count(store, IndicatorCode::HelpRequests, today).await,
        IndicatorValue::Count { value: 1 }
    );
    assert_eq!(
        count(store, IndicatorCode::HelpRequestsDone, today).await,
        IndicatorValue::Count { value: 1 }
    );
    assert_eq!(
        count(store, IndicatorCode::HelpRequestsOnTime, today).await,
        IndicatorValue::Ratio {
            numerator: 1,
            denominator: 1
        }
    );
    assert_eq!(
        count(store, IndicatorCode::HelpFirstResponse, today).await,
        IndicatorValue::Duration { minutes: Some(60) }
    );
    assert_eq!(
        count(store, IndicatorCode::HelpResolution, today).await,
        IndicatorValue::Duration { minutes: Some(150) }
    );
    // Before it arrived, nothing; the village counts it too.
    assert_eq!(
        count(store, IndicatorCode::HelpRequests, d(2026, 12, 2)).await,
        IndicatorValue::Count { value: 0 }
    );
    assert_eq!(
        store
            .indicator(IndicatorCode::HelpRequests, Node::Village(village), today)
            .await
            .unwrap(),
        IndicatorValue::Count { value: 1 }
    );
    let records = store
        .indicator_records(
            IndicatorCode::HelpRequestsDone,
            Node::Commune(CAT_HAI),
            today,
        )
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].label, r.tracking_code);
    assert_eq!(records[0].grp.as_deref(), Some("on_time"));
    assert!(
        records[0].detail.contains("03/12/2026"),
        "{}",
        records[0].detail
    );

    // The audit log has every state change and never the citizen's data.
    let audit = store.audit_of("help_request", r.id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "take", "done"]);
    for e in &audit {
        let text = format!("{:?}{:?}", e.before, e.after);
        assert!(
            !text.contains("0987654321") && !text.contains("Nguyễn Thị Dân"),
            "{text}"
        );
    }
}

async fn overdue_requests_escalate_hand_over_and_erase(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let (team, quick) = teams(store).await;
    let code = store.village_code(team.village_id.unwrap()).await.unwrap();
    let at = vn(2026, 11, 2, 9, 0);
    let late = store
        .create_help_request(request(&code, "Trần Văn Một", "0912000001"), at)
        .await
        .unwrap();
    let handed = store
        .create_help_request(request(&code, "Trần Văn Hai", "0912000002"), at)
        .await
        .unwrap();
    let unable = store
        .create_help_request(request(&code, "Trần Văn Ba", "0912000003"), at)
        .await
        .unwrap();

    // The team hands one over and cannot help with another.
    let h = store
        .close_help_request_unable(&officer(), handed.id, "Cần máy tính", true, at)
        .await
        .unwrap();
    assert_eq!(h.state, HelpState::New);
    assert_eq!(h.team_id, Some(quick.id));
    assert_eq!(h.escalation.as_deref(), Some("handed"));
    let empty = store
        .close_help_request_unable(&officer(), unable.id, "  ", false, at)
        .await
        .unwrap_err();
    assert_eq!(refusal(empty).0, "reason");
    let u = store
        .close_help_request_unable(&officer(), unable.id, "Người dân đã chuyển đi", false, at)
        .await
        .unwrap();
    assert_eq!(u.state, HelpState::Unable);
    assert!(u.closed_at.is_some());

    // Two weeks later the untouched one is overdue: escalated once.
    let later = at + chrono::Duration::days(14);
    let sweep = store.sweep_help_requests(later).await.unwrap();
    assert_eq!(sweep.escalated, 1);
    let l = store.help_request(late.id).await.unwrap();
    assert_eq!(l.escalation.as_deref(), Some("overdue"));
    assert!(l.overdue(later));
    assert_eq!(store.sweep_help_requests(later).await.unwrap().escalated, 0);
    let quick_queue = store
        .help_queue(
            CAT_HAI,
            QueueScope::Team {
                team_id: quick.id,
                quick_response: true,
            },
            None,
            100,
        )
        .await
        .unwrap();
    let ids: Vec<i64> = quick_queue.iter().map(|r| r.id).collect();
    assert!(
        ids.contains(&late.id) && ids.contains(&handed.id),
        "{ids:?}"
    );
    assert!(!ids.contains(&unable.id));
    let (open, overdue) = store.help_open_counts(CAT_HAI, later).await.unwrap();
    assert_eq!((open, overdue), (2, 2));
    // The quick-response team's count takes in the escalated ones; the
    // commune's, every open one.
    let quick_scope = QueueScope::Team {
        team_id: quick.id,
        quick_response: true,
    };
    let quick_open = quick_queue.iter().filter(|r| !r.state.closed()).count() as i64;
    assert_eq!(
        store
            .help_open_in_queue(CAT_HAI, quick_scope)
            .await
            .unwrap(),
        quick_open
    );
    assert_eq!(
        store
            .help_open_in_queue(CAT_HAI, QueueScope::Commune)
            .await
            .unwrap(),
        open
    );

    // Retention: 7 days after closing, the closed one's personal data goes.
    store
        .save_help_settings(
            &officer(),
            CAT_HAI,
            HelpSettings {
                retention_days: 7,
                ..HelpSettings::default()
            },
            vec![],
        )
        .await
        .unwrap();
    let day = d(2026, 11, 30);
    let before = count(store, IndicatorCode::HelpRequests, day).await;
    assert_eq!(before, IndicatorValue::Count { value: 3 });
    let sweep = store
        .sweep_help_requests(at + chrono::Duration::days(6))
        .await
        .unwrap();
    assert_eq!(sweep.erased, 0);
    let sweep = store
        .sweep_help_requests(at + chrono::Duration::days(8))
        .await
        .unwrap();
    assert_eq!(sweep.erased, 1);
    let gone = store.help_request(unable.id).await.unwrap();
    assert!(gone.erased_at.is_some());
    assert_eq!(gone.citizen_name, None);
    assert_eq!(gone.citizen_phone, None);
    assert_eq!(gone.description, None);
    assert_eq!(gone.state, HelpState::Unable);
    // Open requests keep theirs; the counts stay.
    assert!(store
        .help_request(late.id)
        .await
        .unwrap()
        .citizen_phone
        .is_some());
    assert_eq!(count(store, IndicatorCode::HelpRequests, day).await, before);
    let audit = store.audit_of("help_request", unable.id).await.unwrap();
    assert_eq!(audit.last().unwrap().action, "erase_personal_data");
}

async fn codes_limits_and_settings_refuse_what_they_must(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let (team, _) = teams(store).await;
    let village = team.village_id.unwrap();
    let today = toso_store::today();
    assert_eq!(
        store.public_village("ABCD2345", today).await.unwrap(),
        PublicLookup::Unknown
    );
    let old = store.village_code(village).await.unwrap();
    let new = store.renew_village_code(&officer(), village).await.unwrap();
    assert_ne!(old, new);
    assert!(matches!(
        store.public_village(&old, today).await.unwrap(),
        PublicLookup::Expired { .. }
    ));
    let refused = store
        .create_help_request(request(&old, "Trần Văn Một", "0912000001"), Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::NotFound(_)), "{refused:?}");

    // Ten an hour per village; the eleventh is refused, nothing written.
    let at = vn(2026, 11, 30, 9, 0);
    for i in 0..10 {
        store
            .create_help_request(
                request(&new, "Trần Văn Một", &format!("091200{:04}", i)),
                at,
            )
            .await
            .unwrap();
    }
    let over = store
        .create_help_request(request(&new, "Trần Văn Một", "0912009999"), at)
        .await
        .unwrap_err();
    let (field, message) = refusal(over);
    assert_eq!(field, "description");
    assert!(message.contains("quá nhiều"), "{message}");
    assert_eq!(
        store
            .help_queue(CAT_HAI, QueueScope::Commune, None, 100)
            .await
            .unwrap()
            .len(),
        10
    );
    // An hour later the village takes requests again.
    store
        .create_help_request(
            request(&new, "Trần Văn Một", "0912009999"),
            at + chrono::Duration::minutes(61),
        )
        .await
        .unwrap();

    // Settings out of range are refused beside their field; holidays
    // move the deadlines.
    let bad = store
        .save_help_settings(
            &officer(),
            CAT_HAI,
            HelpSettings {
                response_hours: 0,
                ..HelpSettings::default()
            },
            vec![],
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(bad).0, "response_hours");
    store
        .save_help_settings(
            &officer(),
            CAT_HAI,
            HelpSettings {
                response_hours: 2,
                resolution_days: 1,
                retention_days: 30,
            },
            vec![Holiday {
                day: d(2026, 12, 7),
                name: "Ngày nghỉ bù".into(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(store.holidays(CAT_HAI).await.unwrap().len(), 1);
    // Friday 04/12 16:00 + 2 working hours → Tuesday 08/12 08:30 (Monday is
    // a holiday).
    let r = store
        .create_help_request(
            request(&new, "Trần Văn Hai", "0912000002"),
            vn(2026, 12, 4, 16, 0),
        )
        .await
        .unwrap();
    assert_eq!(r.respond_by, vn(2026, 12, 8, 8, 30));
    assert_eq!(r.resolve_by, vn(2026, 12, 8, 16, 0));
}

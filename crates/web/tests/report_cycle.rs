//! The reporting cycle over real HTTP (issue 19, item 1): the commune's
//! officer submits a version; the province's officer returns it with a
//! comment; the commune sees the comment, makes a new version and submits
//! it; the province accepts, which locks the figures; a reopening needs a
//! reason. Transitions out of order, stale pages and the wrong people are
//! refused with nothing changed; of two simultaneous decisions one wins.

use toso_domain::ReportState;
use toso_store::{Actor, Review};
use toso_testkit::{both_backends, location, Backend, TestApp, TestDb};

both_backends!(
    a_report_goes_round_the_cycle,
    transitions_out_of_order_change_nothing,
    of_two_simultaneous_decisions_one_wins,
);

async fn request_id(app: &TestApp) -> i64 {
    app.db
        .store
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap()
        .id
}

/// A new frozen version of Cát Hải's report for the demo request.
async fn new_version(app: &TestApp) -> Result<i64, toso_store::StoreError> {
    let store = &app.db.store;
    let request = store
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await?;
    let settings = toso_reporting::report_defaults(store, 11914, &request).await?;
    Ok(
        toso_reporting::create_report(store, &Actor::system("test"), 11914, request.id, settings)
            .await?
            .id,
    )
}

async fn state(app: &TestApp) -> ReportState {
    app.db
        .store
        .report_status(11914, request_id(app).await)
        .await
        .unwrap()
        .state
}

async fn a_report_goes_round_the_cycle(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let v1 = new_version(&app).await.unwrap();
    let page = format!("/communes/11914/reports/{v1}");

    // The commune's officer submits version 1.
    app.login("canboxa").await;
    let html = app.html(&page).await;
    assert!(html.contains("Đang soạn, chưa gửi"), "a draft");
    assert!(html.contains("Gửi phiên bản 1 lên Sở"));
    let res = app
        .post_form(&format!("{page}/submit"), &[("seen", "0")])
        .await;
    assert_eq!(res.status().as_u16(), 303, "submitted");
    assert_eq!(location(&res), format!("{page}?saved"));
    assert_eq!(state(&app).await, ReportState::Submitted);
    let html = app.html(&page).await;
    assert!(html.contains("Đã gửi, chờ Sở xem xét"));
    assert!(
        !html.contains("Tạo phiên bản mới từ phiên bản này"),
        "no new version while the province reviews"
    );
    let refused = new_version(&app).await.unwrap_err().to_string();
    assert!(refused.contains("chờ xem xét"), "{refused}");
    // A commune officer does not review.
    let res = app
        .post_form(
            &format!("{page}/review"),
            &[("seen", "1"), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);

    // The province's officer returns it: a comment is required.
    app.login("sokhcn").await;
    let html = app.html(&page).await;
    assert!(html.contains("Trả lại cho xã") && html.contains("Chấp nhận"));
    let res = app
        .post_form(
            &format!("{page}/review"),
            &[("seen", "1"), ("decision", "return"), ("comment", "  ")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Nội dung trả lại: chưa ghi gì."));
    assert_eq!(state(&app).await, ReportState::Submitted, "nothing changed");
    let res = app
        .post_form(
            &format!("{page}/review"),
            &[
                ("seen", "1"),
                ("decision", "return"),
                ("comment", "Bổ sung số liệu tập huấn tháng 11."),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(state(&app).await, ReportState::Returned);

    // The commune sees the comment; version 1 cannot go back as it was.
    app.login("canboxa").await;
    let html = app.html(&page).await;
    assert!(html.contains("Sở trả lại: Bổ sung số liệu tập huấn tháng 11."));
    let res = app
        .post_form(&format!("{page}/submit"), &[("seen", "2")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("lập phiên bản mới theo góp ý rồi gửi lại"));
    let v2 = new_version(&app).await.unwrap();
    let page2 = format!("/communes/11914/reports/{v2}");
    let res = app
        .post_form(&format!("{page2}/submit"), &[("seen", "2")])
        .await;
    assert_eq!(res.status().as_u16(), 303);

    // The province accepts version 2: the figures lock.
    app.login("sokhcn").await;
    let res = app
        .post_form(
            &format!("{page2}/review"),
            &[("seen", "3"), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(state(&app).await, ReportState::Accepted);
    let accepted = app.db.store.report(v2).await.unwrap().stored.snapshot;
    let refused = new_version(&app).await.unwrap_err().to_string();
    assert!(refused.contains("số liệu đã khóa"), "{refused}");
    // Returning an accepted report needs a reopening first.
    let res = app
        .post_form(
            &format!("{page2}/review"),
            &[("seen", "4"), ("decision", "return"), ("comment", "Sai")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("mở lại báo cáo trước"));
    // A later change of the records does not touch the accepted version.
    toso_testkit::builders::VillageBuilder::new()
        .commune(11914)
        .expect_build(&app.db.store)
        .await;
    assert_eq!(app.db.store.report(v2).await.unwrap().snapshot, accepted);

    // Reopening needs a reason; then a new version can be made.
    let res = app
        .post_form(
            &format!("{page2}/review"),
            &[("seen", "4"), ("decision", "reopen"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form(
            &format!("{page2}/review"),
            &[
                ("seen", "4"),
                ("decision", "reopen"),
                ("comment", "Thành phố yêu cầu cập nhật đến 31/12."),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(state(&app).await, ReportState::Returned);
    new_version(&app)
        .await
        .expect("open again for a new version");

    // The history, on the page and in the audit log.
    let html = app.html(&page2).await;
    for step in ["Gửi Sở", "Sở trả lại", "Sở chấp nhận", "Sở mở lại"] {
        assert!(html.contains(step), "{step} in the history");
    }
    let status = app
        .db
        .store
        .report_status(11914, request_id(&app).await)
        .await
        .unwrap();
    let actions: Vec<&str> = status.history.iter().map(|t| t.action.as_str()).collect();
    assert_eq!(actions, ["submit", "return", "submit", "accept", "reopen"]);
    assert_eq!(status.history[1].actor, "sokhcn");
    let audited = app.db.store.audit_of("report", v2).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "accept"));
    assert!(audited.iter().any(|e| e.action == "reopen"));
    app.stop().await;
}

async fn transitions_out_of_order_change_nothing(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let v1 = new_version(&app).await.unwrap();
    let page = format!("/communes/11914/reports/{v1}");
    // Accepting a draft.
    app.login("sokhcn").await;
    let res = app
        .post_form(
            &format!("{page}/review"),
            &[("seen", "0"), ("decision", "accept")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Chỉ xem xét được báo cáo xã đã gửi"));
    for (seen, decision) in [("x", "accept"), ("0", "approve"), ("-1", "accept")] {
        let res = app
            .post_form(
                &format!("{page}/review"),
                &[("seen", seen), ("decision", decision)],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422, "{seen} {decision}");
    }
    assert_eq!(state(&app).await, ReportState::Draft);
    // Submitting twice, and from a stale page.
    app.login("canboxa").await;
    let submit = format!("{page}/submit");
    assert_eq!(
        app.post_form(&submit, &[("seen", "0")])
            .await
            .status()
            .as_u16(),
        303
    );
    let res = app.post_form(&submit, &[("seen", "0")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("vừa thay đổi"));
    let res = app.post_form(&submit, &[("seen", "1")]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("đang chờ xem xét"));
    // Another province's officer and the Ministry do not review.
    app.db
        .store
        .create_user(
            &Actor::system("test"),
            toso_store::NewUser {
                username: toso_domain::Username::parse("so-ha-noi").unwrap(),
                full_name: toso_domain::Name::parse("Cán bộ Sở Hà Nội").unwrap(),
                phone: None,
                password: toso_domain::Password::parse(toso_demo::DEMO_PASSWORD).unwrap(),
                role: toso_domain::UserRole::ProvinceOfficer,
                province_code: Some(1),
                commune_code: None,
                team_id: None,
                person_id: None,
            },
        )
        .await
        .unwrap();
    for who in ["so-ha-noi", "bokhcn"] {
        app.login(who).await;
        let res = app
            .post_form(
                &format!("{page}/review"),
                &[("seen", "1"), ("decision", "accept")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 403, "{who}");
    }
    assert_eq!(state(&app).await, ReportState::Submitted);
    let history = app
        .db
        .store
        .report_status(11914, request_id(&app).await)
        .await
        .unwrap()
        .history;
    assert_eq!(history.len(), 1, "one transition only");
    app.stop().await;
}

async fn of_two_simultaneous_decisions_one_wins(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let v1 = new_version(&app).await.unwrap();
    store
        .submit_report(&Actor::system("canboxa"), v1, 0)
        .await
        .unwrap();
    let request = request_id(&app).await;
    let (one, two) = (Actor::system("so-1"), Actor::system("so-2"));
    let (a, b) = tokio::join!(
        store.review_report(&one, 11914, request, Review::Accept, 1),
        store.review_report(
            &two,
            11914,
            request,
            Review::Return("Thiếu số liệu.".into()),
            1
        ),
    );
    let wins = [a.is_ok(), b.is_ok()];
    assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{a:?} {b:?}");
    let lost = if a.is_ok() { b } else { a }.unwrap_err().to_string();
    assert!(lost.contains("vừa thay đổi"), "{lost}");
    let status = store.report_status(11914, request).await.unwrap();
    assert_eq!(status.history.len(), 2);
    app.stop().await;
}

//! A team member logs a support activity from the team page; the commune's
//! figures show it at once.

use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    a_member_logs_an_activity_and_the_overview_shows_it,
    bad_counts_are_refused_beside_the_field
);

fn figure(page: &str, label: &str) -> String {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("no card {label}"));
    let start = page[..at].rfind("class=\"figure\">").unwrap() + 15;
    page[start..].split('<').next().unwrap().replace('.', "")
}

async fn a_member_logs_an_activity_and_the_overview_shows_it(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let before: i64 = figure(
        &app.get("/communes/11914").await.text().await.unwrap(),
        "Số người dân được hỗ trợ",
    )
    .parse()
    .unwrap();
    let member = toso_testkit::account(&app.db.store, "thanhvien").await;
    let team = member.team_id.unwrap();
    let helper = app
        .db
        .store
        .team_members(team, Some(toso_store::today()))
        .await
        .unwrap()[0]
        .membership
        .person_id;
    app.login("thanhvien").await;
    let page = app
        .get(&format!("/communes/11914/teams/{team}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ghi lượt hỗ trợ người dân"));
    let co = format!("co_{helper}");
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[
                (
                    "activity_date",
                    &toso_domain::format_date(toso_store::today()),
                ),
                ("category", "vneid"),
                ("citizens_helped", "6"),
                ("dossiers", "0"),
                (co.as_str(), "on"),
                ("note", "Kích hoạt VNeID mức 2 tại nhà văn hóa"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = app
        .get(&format!("/communes/11914/teams/{team}?saved"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(
        "VNeID / định danh điện tử: 6 người, 0 hồ sơ (Kích hoạt VNeID mức 2 tại nhà văn hóa)"
    ));
    app.login("canboxa").await;
    let after: i64 = figure(
        &app.get("/communes/11914").await.text().await.unwrap(),
        "Số người dân được hỗ trợ",
    )
    .parse()
    .unwrap();
    assert_eq!(
        after,
        before + 6,
        "the overview shows the new activity at once"
    );
    // The province officer reads but does not log.
    app.login("sokhcn").await;
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[("citizens_helped", "1"), ("category", "khac")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    app.stop().await;
}

async fn bad_counts_are_refused_beside_the_field(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let leader = toso_testkit::account(&app.db.store, "totruong").await;
    let team = leader.team_id.unwrap();
    app.login("totruong").await;
    let count = || async {
        app.db
            .store
            .activities(11914, toso_store::today(), toso_store::today())
            .await
            .unwrap()
            .len()
    };
    let before = count().await;
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[
                ("activity_date", "01/01/2099"),
                ("category", "vneid"),
                ("citizens_helped", "-2"),
                ("dossiers", "ba"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Số người được hỗ trợ không được là số âm."));
    assert!(page.contains("Số hồ sơ trực tuyến «ba» phải là một số nguyên"));
    assert!(
        page.contains("value=\"-2\"") && page.contains("value=\"ba\""),
        "the typed values are kept"
    );
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[
                ("activity_date", "01/01/2099"),
                ("category", "vneid"),
                ("citizens_helped", "2"),
                ("dossiers", "0"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("không được sau ngày hôm nay"));
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[("category", "karaoke"), ("citizens_helped", "2")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Lĩnh vực hỗ trợ «karaoke» không hợp lệ"));
    assert_eq!(count().await, before, "nothing was written");
    app.stop().await;
}

//! An officer records contest registrations in the web app: the commune's
//! figure (the indicator) follows at once; bad counts and dates are refused
//! beside the field and store nothing; a contest is added.

use toso_testkit::{both_backends, Backend, TestApp};

both_backends!(
    registrations_are_recorded_and_counted,
    bad_registrations_store_nothing
);

async fn total(app: &TestApp) -> i64 {
    let page = app
        .get("/communes/11914/contests")
        .await
        .text()
        .await
        .unwrap();
    let at = page.find("class=\"figure\">").unwrap();
    let rest = &page[at..];
    let value = rest[rest.find("\">").unwrap() + 2..]
        .split('<')
        .nth(1)
        .unwrap();
    let value = value.rsplit('>').next().unwrap();
    value.replace('.', "").parse().unwrap()
}

async fn registrations_are_recorded_and_counted(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let page = app
        .get("/communes/11914/contests")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Công dân số Hải Phòng"));
    let before = total(&app).await;
    assert!(before >= 1504, "{before}");
    let contest = app.db.store.contests(11914).await.unwrap()[0].clone();
    let today = toso_domain::format_date(toso_store::today());
    // The demo contest ended; registrations must fall in its period.
    let day = contest
        .ends_on
        .map(toso_domain::format_date)
        .unwrap_or(today.clone());
    let res = app
        .post_form(
            &format!("/communes/11914/contests/{}/registrations", contest.id),
            &[
                ("registered_on", &day),
                ("group", "nguoi_dan"),
                ("count", "12"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(total(&app).await, before + 12);
    // A new contest.
    let res = app
        .post_form(
            "/communes/11914/contests",
            &[
                ("name", "Tìm hiểu Bình dân học vụ số"),
                ("organiser", "Ủy ban nhân dân đặc khu Cát Hải"),
                ("document_id", ""),
                ("starts_on", &today),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = app
        .get("/communes/11914/contests")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tìm hiểu Bình dân học vụ số"));
    app.stop().await;
}

async fn bad_registrations_store_nothing(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let before = total(&app).await;
    let contest = app.db.store.contests(11914).await.unwrap()[0].clone();
    let path = format!("/communes/11914/contests/{}/registrations", contest.id);
    let day = toso_domain::format_date(contest.starts_on);
    for (field, fields) in [
        (
            "count",
            vec![
                ("registered_on", day.as_str()),
                ("group", "can_bo"),
                ("count", "-3"),
            ],
        ),
        (
            "count",
            vec![
                ("registered_on", day.as_str()),
                ("group", "can_bo"),
                ("count", "0"),
            ],
        ),
        (
            "count",
            vec![
                ("registered_on", day.as_str()),
                ("group", "can_bo"),
                ("count", "ba"),
            ],
        ),
        (
            "group",
            vec![
                ("registered_on", day.as_str()),
                ("group", "khach"),
                ("count", "3"),
            ],
        ),
        (
            "registered_on",
            vec![
                ("registered_on", "31/02/2025"),
                ("group", "can_bo"),
                ("count", "3"),
            ],
        ),
        (
            "registered_on",
            vec![
                ("registered_on", "01/01/2020"),
                ("group", "can_bo"),
                ("count", "3"),
            ],
        ),
    ] {
        let res = app.post_form(&path, &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains(&format!("id=\"e-{field}\"")),
            "{fields:?}: {page}"
        );
    }
    assert_eq!(total(&app).await, before);
    // The team member cannot record registrations.
    app.login("thanhvien").await;
    let res = app
        .post_form(
            &path,
            &[
                ("registered_on", day.as_str()),
                ("group", "can_bo"),
                ("count", "3"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    app.stop().await;
}

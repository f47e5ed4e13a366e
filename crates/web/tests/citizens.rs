//! Citizens reach their village team, through the real server on both
//! databases: the public village page (no account) lists only the members
//! who agreed; a request sent from it gets a tracking code whose status
//! page shows state and dates but never the name or phone; the village
//! team's member takes and closes it, which records one support activity;
//! the phone is shown to the routed team and the commune officer, not to
//! another team or the province; bad codes get a friendly 404; the
//! honeypot and bad input store nothing.

use toso_domain::{IndicatorCode, Node};
use toso_store::QueueScope;
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    a_citizen_asks_and_the_team_helps,
    personal_data_stays_with_those_who_need_it,
    bad_codes_and_bad_input_store_nothing,
);

const CAT_HAI: i32 = 11914;

/// Tổ dân phố 1's public code and team id.
async fn first_village(app: &TestApp) -> (String, i64) {
    let store = &app.db.store;
    let village = store
        .villages(CAT_HAI, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 1")
        .unwrap();
    let team = store
        .village_team(CAT_HAI, village.id, toso_store::today())
        .await
        .unwrap()
        .unwrap();
    (store.village_code(village.id).await.unwrap(), team.id)
}

async fn requests(app: &TestApp) -> usize {
    app.db
        .store
        .help_queue(CAT_HAI, QueueScope::Commune, None, 1000)
        .await
        .unwrap()
        .len()
}

async fn ask(app: &TestApp, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_form(&format!("/v/{code}"), fields).await
}

const GOOD: &[(&str, &str)] = &[
    ("category", "vneid"),
    ("description", "Cài VNeID mức 2 cho mẹ"),
    ("citizen_name", "Vũ Thị Hỏi"),
    ("citizen_phone", "0987 111 222"),
    ("preferred_time", "Sáng thứ Bảy"),
];

async fn a_citizen_asks_and_the_team_helps(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let (code, team_id) = first_village(&app).await;
    let store = app.db.store.clone();
    let today = toso_store::today();
    let helped = |s: toso_store::Store| async move {
        s.indicator(IndicatorCode::CitizensHelped, Node::Commune(CAT_HAI), today)
            .await
            .unwrap()
            .total()
            .unwrap()
    };
    let before = helped(store.clone()).await;

    // The public page: no account; the listed leader, not the others.
    let officer = app.session.take();
    let page = app.html(&format!("/v/{code}")).await;
    assert!(page.contains("Tổ dân phố 1"));
    assert!(page.contains("Gửi yêu cầu hỗ trợ"));
    let team = store.team(team_id).await.unwrap();
    let members = store.team_members(team.id, Some(today)).await.unwrap();
    let mut listed = 0;
    for m in &members {
        let shown = page.contains(&m.full_name);
        let consent = store.listed_publicly(m.membership.person_id).await.unwrap();
        assert_eq!(shown, consent, "{} listed: {consent}", m.full_name);
        listed += usize::from(consent);
    }
    assert!(listed >= 1 && listed < members.len());
    // Small for a cheap phone: the page itself, before gzip.
    assert!(page.len() < 20_000, "{} bytes", page.len());

    // A request: a tracking code, a status page without personal data.
    let res = ask(&app, &code, GOOD).await;
    let to = location(&res);
    assert!(to.starts_with("/tra-cuu/") && to.ends_with("?moi"), "{to}");
    let tracking = to["/tra-cuu/".len()..to.len() - 4].to_string();
    assert_eq!(tracking.len(), 8);
    let status = app.html(&to).await;
    assert!(status.contains(&format!("{}-{}", &tracking[..4], &tracking[4..])));
    assert!(status.contains("đã tiếp nhận"));
    assert!(!status.contains("Vũ Thị Hỏi") && !status.contains("0987"));
    // The code can be typed in lower case with a dash.
    let typed = app
        .get(&format!(
            "/tra-cuu?ma={}-{}",
            tracking[..4].to_lowercase(),
            &tracking[4..]
        ))
        .await;
    assert_eq!(location(&typed), format!("/tra-cuu/{tracking}"));

    // The team's member sees it with the phone, takes it, closes it.
    app.session = Some(app.session_for("thanhvien").await);
    let queue = app.html("/communes/11914/requests").await;
    assert!(queue.contains(&format!("{}-{}", &tracking[..4], &tracking[4..])));
    assert!(queue.contains("Vũ Thị Hỏi") && queue.contains("0987 111 222"));
    let r = store.help_request_by_code(&tracking).await.unwrap();
    let path = format!("/communes/11914/requests/{}", r.id);
    let res = app.post_form(&format!("{path}/take"), &[]).await;
    assert_eq!(location(&res), format!("{path}?saved"));
    let res = app
        .post_form(
            &format!("{path}/done"),
            &[
                ("category", "vneid"),
                ("citizens_helped", "2"),
                ("dossiers", "0"),
                ("note", "Đã kích hoạt"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{path}?saved"));
    let shown = app.html(&path).await;
    assert!(shown.contains("Đã hỗ trợ"));
    assert!(shown.contains("Nhận hỗ trợ") && shown.contains("Lịch sử"));

    // The citizen reads "đã hỗ trợ"; the figure grew by 2, once.
    let member = app.session.take();
    let status = app.html(&format!("/tra-cuu/{tracking}")).await;
    assert!(status.contains("đã hỗ trợ"));
    app.session = member;
    assert_eq!(helped(store.clone()).await, before + 2);
    let again = app
        .post_form(
            &format!("{path}/done"),
            &[("category", "vneid"), ("citizens_helped", "2")],
        )
        .await;
    assert_eq!(again.status().as_u16(), 422, "closed once only");
    assert_eq!(helped(store).await, before + 2);
    drop(officer);
}

async fn personal_data_stays_with_those_who_need_it(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    // The demo's overdue request (escalated) and today's, both of Tổ dân
    // phố 1.
    let all = store
        .help_queue(CAT_HAI, QueueScope::Commune, None, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let escalated = all.iter().find(|r| r.escalated_at.is_some()).unwrap();
    let phone = escalated.citizen_phone.clone().unwrap();
    let shown_phone = toso_domain::PhoneNumber::parse(&phone).unwrap().display();
    let path = format!("/communes/11914/requests/{}", escalated.id);

    // The commune officer: the phone, and the overview's overdue line.
    assert!(app.html(&path).await.contains(&shown_phone));
    let overview = app.html("/communes/11914").await;
    assert!(overview.contains("quá hạn"), "the overdue line");
    let overdue = app.html("/communes/11914/requests?overdue=1").await;
    assert!(overdue.contains("Quá hạn, đã chuyển Đội phản ứng nhanh"));

    // The province reads the request without the name or phone.
    app.session = Some(app.session_for("sokhcn").await);
    let page = app.html(&path).await;
    assert!(!page.contains(&shown_phone) && !page.contains(&phone));
    assert!(!page.contains(escalated.citizen_name.as_deref().unwrap()));
    let res = app.post_form(&format!("{path}/take"), &[]).await;
    assert_eq!(res.status().as_u16(), 403);

    // A member of another village's team: not theirs at all.
    let other_team = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| Some(t.id) != escalated.team_id && t.village_id.is_some())
        .unwrap();
    toso_testkit::UserBuilder::new()
        .username("thanhvien-khac")
        .password(toso_demo::DEMO_PASSWORD)
        .role(toso_domain::UserRole::TeamMember)
        .commune(CAT_HAI)
        .team(other_team.id)
        .expect_build(&store)
        .await;
    app.session = Some(app.session_for("thanhvien-khac").await);
    let (status, _) = app.text(&path).await;
    assert_eq!(status, 403);
    let queue = app.html("/communes/11914/requests").await;
    assert!(!queue.contains(&shown_phone));
}

async fn bad_codes_and_bad_input_store_nothing(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (code, _) = first_village(&app).await;
    // An unknown code: a friendly 404, not a stack trace.
    let (status, body) = app.text("/v/ABCD2345").await;
    assert_eq!(status, 404);
    assert!(body.contains("Không tìm thấy thôn"));
    let (status, _) = app.text("/v/<script>").await;
    assert_eq!(status, 404);
    // An expired code: the commune's contact.
    let village = app
        .db
        .store
        .villages(CAT_HAI, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 1")
        .unwrap();
    let res = app
        .post_form(
            &format!("/communes/11914/villages/{}/public-code", village.id),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (status, body) = app.text(&format!("/v/{code}")).await;
    assert_eq!(status, 404);
    assert!(
        body.contains("hết hiệu lực") && body.contains("Cát Hải"),
        "{body}"
    );
    let code = app.db.store.village_code(village.id).await.unwrap();

    let before = requests(&app).await;
    for (field, value, expect) in [
        ("citizen_phone", "12345", "Số điện thoại"),
        ("citizen_name", "", "Họ và tên"),
        ("description", "<script>alert(1)</script>", "HTML"),
        ("description", "a\u{1}b", "điều khiển"),
        ("preferred_time", &"x".repeat(61), "60"),
        ("category", "tien_dien", "Lĩnh vực hỗ trợ"),
        ("website", "http://spam.example", "Chưa gửi được"),
    ] {
        let mut fields: Vec<(&str, &str)> =
            GOOD.iter().copied().filter(|(k, _)| *k != field).collect();
        fields.push((field, value));
        let res = ask(&app, &code, &fields).await;
        assert_eq!(res.status().as_u16(), 422, "{field}={value}");
        let body = res.text().await.unwrap();
        assert!(body.contains(expect), "{field}: {expect}");
        // What was typed stays in the form.
        assert!(body.contains("Cài VNeID mức 2 cho mẹ") || field == "description");
    }
    let long = "x".repeat(501);
    let mut fields: Vec<(&str, &str)> = GOOD.to_vec();
    fields.retain(|(k, _)| *k != "description");
    fields.push(("description", &long));
    assert_eq!(ask(&app, &code, &fields).await.status().as_u16(), 422);
    assert_eq!(requests(&app).await, before, "nothing stored");
}

//! The real server on a loopback port, over both databases.

mod api_support;

use serde_json::Value;
use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    start_page_leads_where_each_user_works,
    overview_shows_the_reference_figures,
    overview_follows_the_as_of_date,
    every_figure_links_to_its_records,
    api_serves_the_same_figures,
    bad_input_gets_vietnamese_errors_not_500,
    health_and_security_headers,
);

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    let expected = if status < 400 {
        "application/json"
    } else {
        "application/problem+json"
    };
    assert!(kind.starts_with(expected), "{path} answers {kind}");
    let body: Value = res.json().await.unwrap();
    if path.starts_with("/api/") {
        api_support::check_path(&api_support::document(), "GET", path, status, &body);
    }
    (status, body)
}

/// The figure of an indicator card on the overview page.
fn card(html: &str, label: &str) -> String {
    let at = html
        .find(label)
        .unwrap_or_else(|| panic!("no card {label}"));
    let start = html[..at]
        .rfind("class=\"figure\">")
        .expect("figure before label")
        + 15;
    html[start..].split('<').next().unwrap().to_string()
}

async fn start_page_leads_where_each_user_works(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let res = app.get("/").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"],
        "/login?next=/",
        "anonymous users sign in first"
    );
    app.login("canboxa").await;
    let res = app.get("/").await;
    assert_eq!(
        res.headers()["location"],
        "/communes/11914",
        "a commune officer lands on the commune"
    );
    app.login("totruong").await;
    let res = app.get("/").await;
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/communes/11914/teams/"));
    app.login("sokhcn").await;
    let res = app.get("/").await;
    assert_eq!(
        res.headers()["location"],
        "/provinces/31",
        "a province officer lands on the province's home"
    );
    app.login("bokhcn").await;
    let res = app.get("/").await;
    assert_eq!(
        res.headers()["location"],
        "/nation",
        "the Ministry lands on the whole country"
    );
    app.stop().await;
}

async fn overview_shows_the_reference_figures(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let res = app.get("/communes/11914?as_of=30/11/2025").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.len() < 100 * 1024, "page weighs {} bytes", html.len());
    assert!(html.contains("<h1>Đặc khu Cát Hải</h1>"));
    assert!(html.contains("Thành phố Hải Phòng"));
    assert_eq!(card(&html, "Số thôn, tổ dân phố"), "58");
    assert_eq!(
        card(&html, "Số Tổ công nghệ số cộng đồng đã thành lập"),
        "58"
    );
    assert_eq!(
        card(&html, "Số thành viên Tổ công nghệ số cộng đồng"),
        "386"
    );
    assert_eq!(card(&html, "Tỷ lệ Tổ CNSCĐ"), "100%");
    assert_eq!(card(&html, "Số lượt đăng ký tham gia cuộc thi"), "1.440");
    assert!(html.contains("Quyết định số 1907/QĐ-UBND ngày 31/10/2025"));
    assert!(html.contains("href=\"https://zalo.me/g/xuubpv554\""));
    assert!(html.contains("Đội hỗ trợ chuyển đổi số phản ứng nhanh"));
    assert!(!html.contains("chưa có tổ ("), "every village has a team");
    app.stop().await;
}

async fn overview_follows_the_as_of_date(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (status, html) = app.text("/communes/11914?as_of=2025-10-30").await;
    assert_eq!(status, 200);
    assert_eq!(card(&html, "Số thôn, tổ dân phố"), "58");
    assert_eq!(
        card(&html, "Số Tổ công nghệ số cộng đồng đã thành lập"),
        "0"
    );
    assert_eq!(card(&html, "Tỷ lệ Tổ CNSCĐ"), "0%");
    assert!(
        html.contains("value=\"30/10/2025\""),
        "the date is shown as dd/mm/yyyy"
    );
    assert!(html.contains("Thôn, tổ dân phố chưa có tổ (58)"));
    app.stop().await;
}

async fn every_figure_links_to_its_records(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (_, html) = app.text("/communes/11914?as_of=30/11/2025").await;
    for key in [
        "villages",
        "teams",
        "members",
        "coverage",
        "quick_response_members",
        "members_by_role",
    ] {
        let href = format!("/communes/11914/indicators/{key}?as_of=30/11/2025");
        assert!(html.contains(&href), "overview links {href}");
    }
    let (status, page) = app
        .text("/communes/11914/indicators/members?as_of=30/11/2025")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("386 hồ sơ làm căn cứ (trang 1/2)"));
    // 200 a page; the second page holds the rest (see the API test).
    assert_eq!(page.matches("<tr><td class=\"num\">").count(), 200);
    let (_, page) = app
        .text("/communes/11914/indicators/members_by_role?as_of=30/11/2025")
        .await;
    assert!(
        page.contains("<td>Tổ trưởng</td>"),
        "groups show their labels"
    );
    app.stop().await;
}

async fn api_serves_the_same_figures(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (status, body) = json(
        &app,
        "/api/v1/indicators?node=commune:11914&as_of=2025-11-30",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["node_name"], "Đặc khu Cát Hải");
    assert_eq!(body["as_of"], "2025-11-30");
    let by_code = |code: &str| {
        body["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(by_code("villages")["value"], 58);
    assert_eq!(by_code("teams")["value"], 58);
    assert_eq!(by_code("members")["value"], 386);
    assert_eq!(by_code("coverage")["display"], "100%");
    let (_, same) = json(&app, "/api/v1/communes/11914/indicators?as_of=30/11/2025").await;
    assert_eq!(same, body);
    let (status, records) = json(
        &app,
        "/api/v1/indicators/teams/records?node=commune:11914&as_of=2025-11-30",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(records["records"].as_array().unwrap().len(), 58);
    assert_eq!(records["total"], 58);
    // Records come in pages: 386 members, 100 a page, the last page holds 86,
    // and the pages put together are the whole list, in order.
    let mut all = Vec::new();
    for page in 1..=4 {
        let (status, body) = json(
            &app,
            &format!(
                "/api/v1/indicators/members/records?node=commune:11914&as_of=2025-11-30&per_page=100&page={page}"
            ),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            (body["total"].as_i64(), body["page"].as_u64()),
            (Some(386), Some(page))
        );
        let got = body["records"].as_array().unwrap();
        assert_eq!(got.len(), if page == 4 { 86 } else { 100 }, "page {page}");
        all.extend(got.iter().map(|r| r["id"].as_i64().unwrap()));
    }
    let (_, whole) = json(
        &app,
        "/api/v1/indicators/members/records?node=commune:11914&as_of=2025-11-30&per_page=500",
    )
    .await;
    let whole: Vec<i64> = whole["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(all, whole);
    // Beyond the cap, or not a page: refused, naming the parameter.
    for bad in ["per_page=501", "per_page=0", "page=0", "page=abc"] {
        let (status, body) = json(
            &app,
            &format!("/api/v1/indicators/members/records?node=commune:11914&{bad}"),
        )
        .await;
        assert_eq!(status, 422, "{bad}");
        assert!(
            body["detail"].as_str().unwrap().contains("không hợp lệ"),
            "{bad}"
        );
    }
    // The page of a figure's records: 200 a page, numbered on.
    let (status, html) = app
        .text("/communes/11914/indicators/members?as_of=30/11/2025&page=2")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("386 hồ sơ làm căn cứ (trang 2/2)"), "{html}");
    assert!(html.contains(">201</td>") && html.contains(">386</td>"));
    assert!(html.contains("page=1\">← Trang trước"));
    let (_, commune) = json(&app, "/api/v1/communes/11914").await;
    assert_eq!(commune["province_code"], 31);
    // The province's figures are the province officer's, not the commune's.
    let (status, _) = json(&app, "/api/v1/indicators?node=province:31&as_of=2025-11-30").await;
    assert_eq!(status, 403);
    let mut app = app;
    app.login("sokhcn").await;
    let (_, province) = json(&app, "/api/v1/indicators?node=province:31&as_of=2025-11-30").await;
    assert_eq!(province["node_name"], "Thành phố Hải Phòng");
    assert_eq!(province["indicators"][2]["value"], 386);
    app.stop().await;
}

async fn bad_input_gets_vietnamese_errors_not_500(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (status, body) = json(
        &app,
        "/api/v1/indicators?node=commune:11914&as_of=31/02/2025",
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["field"], "as_of");
    assert!(body["detail"].as_str().unwrap().contains("Ngày báo cáo"));
    let (status, body) = json(&app, "/api/v1/indicators?node=xa:1").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("node")));
    let (status, body) = json(&app, "/api/v1/indicators").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("node")));
    let (status, body) = json(&app, "/api/v1/communes/99999").await;
    assert_eq!(
        (status, body["type"].as_str()),
        (404, Some("/api/v1/docs#problem-not-found"))
    );
    let (status, _) = json(&app, "/api/v1/communes/abc").await;
    assert_eq!(status, 404);
    let (status, _) = json(
        &app,
        "/api/v1/indicators/nothing/records?node=commune:11914",
    )
    .await;
    assert_eq!(status, 404);
    let (status, html) = app.text("/communes/11914?as_of=hôm-qua").await;
    assert_eq!(status, 422);
    assert!(html.contains("Ngày báo cáo «hôm-qua» không hợp lệ"));
    let (status, html) = app
        .text("/communes/11914?as_of=<script>alert(1)</script>")
        .await;
    assert_eq!(status, 422);
    assert!(!html.contains("<script>alert"), "input is escaped");
    assert!(
        html.contains("«&#60;script&#62;alert(1)"),
        "shown back escaped"
    );
    let (status, html) = app.text("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Không có trang này."));
    app.stop().await;
}

async fn health_and_security_headers(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let (status, body) = json(&app, "/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    let res = app.get("/communes/11914").await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    // The page names its stylesheet by the stylesheet's hash (a new
    // release's page never uses a day-old copy); both addresses serve it.
    let page = res.text().await.unwrap();
    let href = page
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet link")
        .to_string();
    assert!(href.starts_with("/static/app.css?v="), "{href}");
    let css = app.get("/static/app.css").await;
    assert_eq!(css.status().as_u16(), 200);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let css = css.bytes().await.unwrap();
    let versioned = app.get(&href).await;
    assert_eq!(versioned.status().as_u16(), 200);
    assert_eq!(versioned.bytes().await.unwrap(), css);
    app.stop().await;
}

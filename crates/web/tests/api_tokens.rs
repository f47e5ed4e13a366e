//! API tokens through the real server (issue 23, part 5): a read token
//! reads the demo commune; an expired or revoked token is 401; a token's
//! last use is written by the server's flush, never by the request; a
//! token over its rate limit gets 429 with `Retry-After`; the account page
//! makes tokens with a scope and a last day; officers make, list and revoke
//! their province's or commune's service tokens, and nobody else reaches
//! those pages.

mod api_support;

use api_support::{call, check, document};
use chrono::{Duration, Months, Utc};
use toso_domain::{format_date, Name, UserRole};
use toso_store::{ServiceScope, Store, TokenScope};
use toso_testkit::{actor, both_backends, Backend, TestApp, TestDb, UserBuilder};

both_backends!(
    tokens_read_until_they_expire_or_are_revoked,
    last_use_is_written_by_the_flush_not_the_request,
    a_token_over_its_limit_waits,
    the_account_page_makes_scoped_tokens_with_a_last_day,
    province_officers_manage_their_service_tokens,
    commune_officers_manage_their_service_tokens
);

const COMMUNE: &str = "/api/v1/communes/11914";

/// A new token of the demo user `login`.
async fn token(
    store: &Store,
    login: &str,
    scope: TokenScope,
    expires_at: Option<chrono::DateTime<Utc>>,
) -> (i64, String) {
    let user = toso_testkit::account(store, login).await;
    let (token, secret) = store
        .create_api_token(
            &actor(),
            user.id,
            Name::parse("kiểm thử").unwrap(),
            scope,
            expires_at,
        )
        .await
        .unwrap();
    (token.id, secret)
}

/// GET the demo commune with `secret`; the status, checked against the
/// document (200 or a problem).
async fn read_commune(app: &TestApp, secret: &str) -> u16 {
    let (status, headers, body) =
        call(&app.client, "GET", &app.url(COMMUNE), secret, None, &[]).await;
    check(&document(), "GET", "/api/v1/communes/{code}", status, &body);
    if status != 200 {
        assert_eq!(headers["content-type"], "application/problem+json");
    }
    status
}

/// A token that stops working in two seconds, and the wait for it (no
/// store API puts an expiry in the past).
const SHORT: Duration = Duration::seconds(2);

async fn wait_for_expiry() {
    tokio::time::sleep(std::time::Duration::from_millis(2_300)).await;
}

async fn tokens_read_until_they_expire_or_are_revoked(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let (_, read) = token(store, "canboxa", TokenScope::Read, None).await;
    assert_eq!(read_commune(&app, &read).await, 200);
    let (_, body) = {
        let (s, _, b) = call(&app.client, "GET", &app.url(COMMUNE), &read, None, &[]).await;
        (s, b)
    };
    assert_eq!(body["code"], 11914, "{body}");

    // Expired: 401, as for no token.
    let (_, expiring) = token(store, "canboxa", TokenScope::Read, Some(Utc::now() + SHORT)).await;
    assert_eq!(read_commune(&app, &expiring).await, 200);
    wait_for_expiry().await;
    assert_eq!(read_commune(&app, &expiring).await, 401);

    // Revoked: 401.
    let (id, revoked) = token(store, "canboxa", TokenScope::Write, None).await;
    assert_eq!(read_commune(&app, &revoked).await, 200);
    let user = toso_testkit::account(store, "canboxa").await;
    store.revoke_api_token(&actor(), user.id, id).await.unwrap();
    assert_eq!(read_commune(&app, &revoked).await, 401);
    assert_eq!(read_commune(&app, "toso_0000").await, 401);
    // The first still reads.
    assert_eq!(read_commune(&app, &read).await, 200);
    app.stop().await;
}

async fn last_use_is_written_by_the_flush_not_the_request(backend: Backend) {
    // The server over a database the test keeps after the server stops.
    let db = TestDb::with_demo(backend).await;
    let (id, secret) = token(&db.store, "canboxa", TokenScope::Read, None).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(toso_web::serve_with(
        db.store.clone(),
        listener,
        toso_web::Limits::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::new();
    let before = Utc::now();
    for _ in 0..3 {
        let res = client
            .get(format!("{address}{COMMUNE}"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }
    let user = toso_testkit::account(&db.store, "canboxa").await;
    let last_used = |tokens: Vec<toso_store::ApiToken>| {
        tokens
            .into_iter()
            .find(|t| t.id == id)
            .unwrap()
            .last_used_at
    };
    assert_eq!(
        last_used(db.store.api_tokens(user.id).await.unwrap()),
        None,
        "a request writes nothing for its token"
    );
    // Stopping the server flushes what it noted (and closes the store).
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let again = Store::connect(&db.url).await.unwrap();
    let at = last_used(again.api_tokens(user.id).await.unwrap()).expect("written at shutdown");
    assert!(
        at >= before - Duration::seconds(1) && at <= Utc::now(),
        "{at}"
    );
    again.close().await;
}

async fn a_token_over_its_limit_waits(backend: Backend) {
    let limits = toso_web::Limits {
        api_requests_per_minute: 3,
        ..toso_web::Limits::default()
    };
    let app = TestApp::spawn_with(TestDb::with_demo(backend).await, limits).await;
    let store = &app.db.store;
    let (_, busy) = token(store, "canboxa", TokenScope::Read, None).await;
    let (_, other) = token(store, "canboxa", TokenScope::Read, None).await;
    for _ in 0..3 {
        assert_eq!(read_commune(&app, &busy).await, 200);
    }
    let (status, headers, body) =
        call(&app.client, "GET", &app.url(COMMUNE), &busy, None, &[]).await;
    assert_eq!(status, 429);
    check(&document(), "GET", "/api/v1/communes/{code}", status, &body);
    assert_eq!(headers["content-type"], "application/problem+json");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    assert_eq!(body["status"], 429);
    assert_eq!(body["title"], "Quá nhiều yêu cầu");
    assert_eq!(
        body["detail"],
        format!("Quá nhiều yêu cầu từ mã truy cập này. Vui lòng thử lại sau {retry} giây.")
    );
    assert_eq!(body["instance"], COMMUNE);
    // Any route counts for the token; another token has its own minute.
    let page = app
        .client
        .get(app.url("/communes/11914"))
        .bearer_auth(&busy)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert_eq!(read_commune(&app, &other).await, 200);
    // Browsers (a session, no token) are not counted.
    let mut app = app;
    app.login("canboxa").await;
    for _ in 0..5 {
        assert_eq!(app.get(COMMUNE).await.status().as_u16(), 200);
    }
    app.stop().await;
}

/// The secret shown once on a page.
fn secret_in(page: &str) -> String {
    page.split("lưu lại ngay): <code>")
        .nth(1)
        .expect("the new secret is shown")
        .split("</code>")
        .next()
        .unwrap()
        .to_string()
}

async fn the_account_page_makes_scoped_tokens_with_a_last_day(backend: Backend) {
    let app = TestApp::demo_as(backend, "thanhvien").await;
    let store = &app.db.store;
    let page = app.html("/account").await;
    let in_a_year = format_date(
        toso_store::today()
            .checked_add_months(Months::new(12))
            .unwrap(),
    );
    assert!(
        page.contains(&format!("value=\"{in_a_year}\"")),
        "a year ahead, prefilled"
    );
    assert!(
        page.contains("<option value=\"read\" selected>Chỉ đọc</option>"),
        "read by default"
    );
    assert!(page.contains("<option value=\"write\">Đọc và ghi</option>"));

    let last_day = toso_store::today() + Duration::days(10);
    let res = app
        .post_form(
            "/account/tokens",
            &[
                ("name", "Zalo mini-app"),
                ("scope", "write"),
                ("expires_on", &format_date(last_day)),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let secret = secret_in(&page);
    let (user, grant) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!(user.username, "thanhvien");
    assert_eq!(grant.scope, TokenScope::Write);
    assert!(page.contains("Đọc và ghi"));
    assert!(page.contains(&format!("Đến hết {}", format_date(last_day))));
    assert!(page.contains("Chưa dùng"));

    // Refusals beside their fields, nothing written.
    let too_far = toso_store::today()
        .checked_add_months(Months::new(25))
        .unwrap();
    for (fields, words) in [
        (
            vec![("name", "X"), ("scope", "root"), ("expires_on", "")],
            "Quyền của mã truy cập «root» không hợp lệ",
        ),
        (
            vec![
                ("name", "X"),
                ("scope", "read"),
                ("expires_on", "01/01/2020"),
            ],
            "đã qua",
        ),
        (
            vec![
                ("name", "X"),
                ("scope", "read"),
                ("expires_on", "32/01/2026"),
            ],
            "Ngày hết hạn",
        ),
        (
            vec![
                ("name", "X"),
                ("scope", "read"),
                ("expires_on", &format_date(too_far)),
            ],
            "tối đa 2 năm",
        ),
    ] {
        let res = app.post_form("/account/tokens", &fields).await;
        assert_eq!(res.status().as_u16(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains(words), "{words}");
        assert!(!page.contains("lưu lại ngay"));
    }
    assert_eq!(store.api_tokens(user.id).await.unwrap().len(), 1);

    // An expired token is shown as such.
    token(
        store,
        "thanhvien",
        TokenScope::Read,
        Some(Utc::now() + SHORT),
    )
    .await;
    wait_for_expiry().await;
    let page = app.html("/account").await;
    let last = format_date(
        (Utc::now() - Duration::seconds(3))
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
            .date_naive(),
    );
    assert!(
        page.contains(&format!("Hết hạn (ngày cuối {last})")),
        "{page}"
    );
    assert!(
        page.contains(&format!("Đến hết {}", format_date(last_day))),
        "the other one works"
    );
    app.stop().await;
}

async fn province_officers_manage_their_service_tokens(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "sokhcn").await;
    let store = app.db.store.clone();
    const PAGE: &str = "/provinces/31/service-tokens";
    let home = app.html("/provinces/31").await;
    assert!(
        home.contains(&format!("href=\"{PAGE}\"")),
        "linked from the province's home"
    );
    let page = app.html(PAGE).await;
    assert!(page.contains("Chưa có mã truy cập dịch vụ nào"));

    let res = app
        .post_form(
            PAGE,
            &[
                ("name", "Trung tâm điều hành Hải Phòng"),
                ("scope", "read"),
                (
                    "expires_on",
                    &format_date(toso_store::today() + Duration::days(30)),
                ),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let secret = secret_in(&page);
    assert!(page.contains("Trung tâm điều hành Hải Phòng"));
    // The service account reads the province's communes through the API.
    assert_eq!(read_commune(&app, &secret).await, 200);
    let listed = store
        .service_tokens_of(ServiceScope::Province(31))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let token = listed[0].token.clone();
    let officer = toso_testkit::account(&store, "sokhcn").await;
    assert_eq!(
        listed[0].creator.as_deref(),
        Some(officer.full_name.as_str())
    );
    // Listed with its account and creator; not among the accounts.
    let page = app.html(PAGE).await;
    assert!(page.contains(&listed[0].account));
    assert!(page.contains(&officer.full_name.replace('&', "&#38;")));
    assert!(!page.contains("lưu lại ngay"), "the secret is shown once");
    let users = app.html("/provinces/31/users").await;
    assert!(
        !users.contains(&listed[0].account),
        "not among the accounts"
    );

    // Refusals: beside the field, nothing created.
    let res = app
        .post_form(PAGE, &[("name", ""), ("scope", "read")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tên mã truy cập không được để trống"));

    // Others: another province's officer, the Ministry, a commune officer
    // are refused; admin lists but does not create.
    let quang_ninh = UserBuilder::new()
        .role(UserRole::ProvinceOfficer)
        .province(22)
        .username("so.quangninh")
        .password(toso_demo::DEMO_PASSWORD)
        .expect_build(&store)
        .await;
    assert_eq!(quang_ninh.province_code, Some(22));
    let revoke = format!("{PAGE}/{}/revoke", token.id);
    for who in ["so.quangninh", "bokhcn", "canboxa"] {
        app.login(who).await;
        assert_eq!(app.get(PAGE).await.status().as_u16(), 403, "{who}");
        let res = app
            .post_form(PAGE, &[("name", "Không được"), ("scope", "read")])
            .await;
        assert_eq!(res.status().as_u16(), 403, "{who}");
        assert_eq!(
            app.post_form(&revoke, &[]).await.status().as_u16(),
            403,
            "{who}"
        );
    }
    // Quảng Ninh's officer: the same token under their own province is
    // not found.
    app.login("so.quangninh").await;
    let res = app
        .post_form(
            &format!("/provinces/22/service-tokens/{}/revoke", token.id),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(read_commune(&app, &secret).await, 200, "still works");

    app.login("admin").await;
    let page = app.html(PAGE).await;
    assert!(page.contains(&listed[0].account));
    assert!(page.contains("do cán bộ Sở KH&#38;CN của tỉnh, thành phố tạo"));
    let res = app
        .post_form(PAGE, &[("name", "Của quản trị"), ("scope", "read")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("tạo được mã truy cập dịch vụ"));
    assert_eq!(
        store
            .service_tokens_of(ServiceScope::Province(31))
            .await
            .unwrap()
            .len(),
        1
    );

    // The officer revokes it: the token stops, its account is locked.
    app.login("sokhcn").await;
    let res = app.post_form(&revoke, &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], format!("{PAGE}?saved"));
    assert_eq!(read_commune(&app, &secret).await, 401);
    assert!(store.user(token.user_id).await.unwrap().is_disabled());
    let page = app.html(&format!("{PAGE}?saved")).await;
    assert!(page.contains("Đã thu hồi"));
    assert_eq!(
        app.post_form(&format!("{PAGE}/abc/revoke"), &[])
            .await
            .status()
            .as_u16(),
        404
    );
    app.stop().await;
}

async fn commune_officers_manage_their_service_tokens(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    const PAGE: &str = "/communes/11914/service-tokens";
    let users = app.html("/communes/11914/users").await;
    assert!(
        users.contains(&format!("href=\"{PAGE}\"")),
        "linked from the accounts page"
    );
    let res = app
        .post_form(
            PAGE,
            &[
                ("name", "Phần mềm một cửa"),
                ("scope", "write"),
                ("expires_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let secret = secret_in(&page);
    assert!(page.contains("Không hết hạn"));
    let (account, grant) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!(grant.scope, TokenScope::Write);
    assert_eq!(account.role, UserRole::CommuneOfficer);
    assert_eq!(account.commune_code, Some(11914));
    assert_eq!(read_commune(&app, &secret).await, 200);
    let users = app.html("/communes/11914/users").await;
    assert!(!users.contains(&account.username), "not among the accounts");
    // Its account never signs in.
    let res = app
        .post_form(
            "/login",
            &[
                ("login", account.username.as_str()),
                ("password", toso_demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tên đăng nhập hoặc mật khẩu không đúng."));

    // The province's officer and team accounts are refused here.
    let revoke = format!("{PAGE}/{}/revoke", grant.token_id);
    for who in ["sokhcn", "totruong", "bokhcn"] {
        app.login(who).await;
        assert_eq!(app.get(PAGE).await.status().as_u16(), 403, "{who}");
        assert_eq!(
            app.post_form(&revoke, &[]).await.status().as_u16(),
            403,
            "{who}"
        );
    }
    app.login("canboxa").await;
    assert_eq!(app.post_form(&revoke, &[]).await.status().as_u16(), 303);
    assert_eq!(read_commune(&app, &secret).await, 401);
    assert!(store.user(account.id).await.unwrap().is_disabled());
    // The audit log shows who did it, without the secret.
    let audit = app.html("/communes/11914/audit").await;
    assert!(audit.contains("Mã truy cập API"));
    assert!(!audit.contains(&secret[5..]));
    app.stop().await;
}

//! Accounts over real HTTP: login, throttling, locked accounts, API tokens,
//! team scopes, and the audit trail of browser writes.

use serde_json::Value;
use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    login_refuses_wrong_passwords_without_echoing_them,
    repeated_wrong_passwords_are_throttled,
    session_cookie_flags_and_logout,
    locked_users_cannot_log_in_or_use_tokens,
    api_tokens_carry_their_users_scope,
    a_team_leader_cannot_reach_another_villages_team,
    browser_writes_are_audited_with_before_and_after,
    officers_create_users_within_their_scope,
    changing_the_password_signs_out_everywhere,
    a_member_who_left_the_team_is_signed_out,
    a_member_moved_to_another_team_keeps_their_account,
);

async fn demo(backend: Backend) -> TestApp {
    TestApp::spawn(TestDb::with_demo(backend).await).await
}

async fn login_refuses_wrong_passwords_without_echoing_them(backend: Backend) {
    let app = demo(backend).await;
    let res = app
        .post_form(
            "/login",
            &[("login", "canboxa"), ("password", "sai-mat-khau-99")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
    let page = res.text().await.unwrap();
    assert!(page.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert!(page.contains("value=\"canboxa\""), "the login is kept");
    assert!(
        !page.contains("sai-mat-khau-99"),
        "the password is not sent back"
    );
    // The next page after login is only ever a local path.
    let res = app
        .post_form(
            "/login",
            &[
                ("login", "canboxa"),
                ("password", toso_demo::DEMO_PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/");
    app.stop().await;
}

async fn repeated_wrong_passwords_are_throttled(backend: Backend) {
    let app = demo(backend).await;
    for _ in 0..5 {
        let res = app
            .post_form(
                "/login",
                &[("login", "canboxa"), ("password", "sai-mat-khau")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = app
        .post_form(
            "/login",
            &[("login", "canboxa"), ("password", toso_demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 429);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."));
    // Another account is not affected.
    let res = app
        .post_form(
            "/login",
            &[("login", "sokhcn"), ("password", toso_demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.stop().await;
}

async fn session_cookie_flags_and_logout(backend: Backend) {
    let mut app = demo(backend).await;
    let (token, cookie) = app.csrf().await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", cookie)
        .header("x-forwarded-proto", "https")
        .form(&[
            ("login", "canboxa"),
            ("password", toso_demo::DEMO_PASSWORD),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    let session = set
        .iter()
        .find(|c| c.starts_with("toso_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    app.login("canboxa").await;
    assert_eq!(app.get("/communes/11914").await.status().as_u16(), 200);
    let res = app.post_form("/logout", &[]).await;
    assert_eq!(res.headers()["location"], "/login");
    // The session is gone on the server, not just in the browser.
    let res = app.get("/communes/11914").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/login?next=/communes/11914");
    app.stop().await;
}

async fn locked_users_cannot_log_in_or_use_tokens(backend: Backend) {
    let mut app = demo(backend).await;
    let leader_session = app.session_for("totruong").await;
    let leader = toso_testkit::account(&app.db.store, "totruong").await;
    let (_, secret) = app
        .db
        .store
        .create_api_token(
            &toso_store::Actor::system("test"),
            leader.id,
            toso_domain::Name::parse("thử").unwrap(),
            toso_store::TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    app.login("canboxa").await;
    let res = app
        .post_form(&format!("/communes/11914/users/{}/disable", leader.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form(
            "/login",
            &[
                ("login", "totruong"),
                ("password", toso_demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tài khoản này đã bị khóa"));
    app.session = Some(leader_session);
    assert_eq!(
        app.get("/").await.headers()["location"],
        "/login?next=/",
        "the open session ended"
    );
    let api = app
        .client
        .get(app.url("/api/v1/communes/11914"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 401);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["type"], "/api/v1/docs#problem-unauthenticated");
    // An officer cannot lock their own account.
    app.login("canboxa").await;
    let me = toso_testkit::account(&app.db.store, "canboxa").await;
    let res = app
        .post_form(&format!("/communes/11914/users/{}/disable", me.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    app.stop().await;
}

async fn api_tokens_carry_their_users_scope(backend: Backend) {
    let mut app = demo(backend).await;
    app.login("canboxa").await;
    let res = app
        .post_form("/account/tokens", &[("name", "Báo cáo tự động")])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let secret = page
        .split("lưu lại ngay): <code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_string();
    assert!(secret.starts_with("toso_"));
    let get = |path: &str| app.client.get(app.url(path)).bearer_auth(&secret).send();
    let res = get("/api/v1/indicators?node=commune:11914&as_of=2025-11-30")
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["indicators"][2]["value"], 386);
    assert_eq!(
        get("/api/v1/indicators?node=commune:11948")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        get("/api/v1/indicators?node=province:31")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.client
            .get(app.url("/api/v1/communes/11914"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401,
        "no token, no answer"
    );
    // The token is stored hashed, listed by name, and revocable.
    let tokens = app
        .db
        .store
        .api_tokens(toso_testkit::account(&app.db.store, "canboxa").await.id)
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    let res = app
        .post_form(&format!("/account/tokens/{}/revoke", tokens[0].id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        get("/api/v1/communes/11914")
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    app.stop().await;
}

async fn a_team_leader_cannot_reach_another_villages_team(backend: Backend) {
    let mut app = demo(backend).await;
    let store = app.db.store.clone();
    let leader = toso_testkit::account(&store, "totruong").await;
    let own = store.team(leader.team_id.unwrap()).await.unwrap();
    let other = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != own.id && t.village_id.is_some())
        .unwrap();
    app.login("totruong").await;
    assert_eq!(
        app.get(&format!("/communes/11914/teams/{}", own.id))
            .await
            .status()
            .as_u16(),
        200
    );
    let res = app
        .get(&format!("/communes/11914/teams/{}", other.id))
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(res.text().await.unwrap().contains("Bạn không có quyền"));
    let res = app
        .get(&format!(
            "/api/v1/indicators?node=village:{}",
            other.village_id.unwrap()
        ))
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["type"], "/api/v1/docs#problem-forbidden");
    // Adding a member to another team is refused and writes nothing.
    let before = store.team_members(other.id, None).await.unwrap().len();
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{}/members", other.id),
            &[
                ("full_name", "Người Lạ"),
                ("role", "thanh_vien"),
                ("affiliation", "khac"),
                ("started_on", "01/11/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(
        store.team_members(other.id, None).await.unwrap().len(),
        before
    );
    // In their own team the leader adds members.
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{}/members", own.id),
            &[
                ("full_name", "Người Mới"),
                ("role", "thanh_vien"),
                ("affiliation", "khac"),
                ("started_on", "01/11/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.stop().await;
}

async fn browser_writes_are_audited_with_before_and_after(backend: Backend) {
    let mut app = demo(backend).await;
    app.login("canboxa").await;
    let village = app.db.store.villages(11914, None).await.unwrap()[0].clone();
    let res = app
        .post_form(
            &format!("/communes/11914/villages/{}/edit", village.id),
            &[
                ("kind", "to_dan_pho"),
                ("name", "Tổ dân phố Một Mới"),
                ("active_from", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let log = app.db.store.audit_of("village", village.id).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("update", "canboxa")
    );
    assert_eq!(last.address.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        last.before.as_ref().unwrap().0["name"],
        village.name.as_str()
    );
    assert_eq!(last.after.as_ref().unwrap().0["name"], "Tổ dân phố Một Mới");
    // The commune's audit page and its CSV show it; filters narrow it.
    let page = app
        .get("/communes/11914/audit?entity=village&actor=canboxa")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tổ dân phố Một Mới") && page.contains("1 thay đổi"));
    // The entry names its kind of record in Vietnamese, and the filter
    // offers every kind the store audits (a duty day, a citizen's request).
    assert!(
        page.contains(&format!("update Thôn, tổ dân phố #{}", village.id)),
        "{page}"
    );
    for kind in ["duty_day", "help_request", "allowance_policy"] {
        assert!(
            page.contains(&format!("<option value=\"{kind}\"")),
            "{kind}"
        );
    }
    let csv = app
        .get("/communes/11914/audit.csv?entity=village&actor=canboxa")
        .await;
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        csv.headers()["cache-control"],
        "private, no-store",
        "a download is never cached"
    );
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    assert_eq!(text.lines().count(), 2, "header and the one change");
    assert!(text.contains("canboxa") && text.contains("Tổ dân phố Một Mới"));
    let none = app
        .get("/communes/11914/audit?from=01/01/2020&until=31/12/2020")
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("0 thay đổi"));
    app.stop().await;
}

async fn officers_create_users_within_their_scope(backend: Backend) {
    let mut app = demo(backend).await;
    let team = app.db.store.teams(11914).await.unwrap()[5].clone();
    app.login("canboxa").await;
    let res = app
        .post_form(
            "/communes/11914/users",
            &[
                ("username", "to-truong-moi"),
                ("full_name", "Tổ trưởng Mới"),
                ("password", "mat-khau-ban-dau"),
                ("role", "team_leader"),
                ("team_id", &team.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let page = app.get("/communes/11914/users").await.text().await.unwrap();
    assert!(page.contains("to-truong-moi") && page.contains(&team.name));
    // A commune officer cannot create an admin.
    let res = app
        .post_form(
            "/communes/11914/users",
            &[
                ("username", "quan-tri-2"),
                ("full_name", "X"),
                ("password", "mat-khau-ban-dau"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Bạn không thể cấp vai trò «Quản trị hệ thống»"));
    assert!(
        !page.contains("mat-khau-ban-dau"),
        "the password is not sent back"
    );
    assert!(app
        .db
        .store
        .user_by_login("quan-tri-2")
        .await
        .unwrap()
        .is_none());
    // A phone is one account's: the second account with it is refused
    // beside the phone, with what was typed kept.
    let officer = |username: &'static str| {
        [
            ("username", username),
            ("full_name", "Cán bộ Có Số"),
            ("phone", "0912 000 111"),
            ("password", "mat-khau-ban-dau"),
            ("role", "commune_officer"),
        ]
    };
    let res = app
        .post_form("/communes/11914/users", &officer("can-bo-co-so"))
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form("/communes/11914/users", &officer("can-bo-trung-so"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(
            "<p class=\"error-text\" id=\"e-phone\">Số điện thoại 0912000111 đã có ở một tài khoản khác.</p>"
        ),
        "the refusal stands beside the phone"
    );
    assert!(page.contains("value=\"can-bo-trung-so\""));
    assert!(app
        .db
        .store
        .user_by_login("can-bo-trung-so")
        .await
        .unwrap()
        .is_none());
    // The new leader signs in and lands on their team.
    let res = app
        .post_form(
            "/login",
            &[("login", "to-truong-moi"), ("password", "mat-khau-ban-dau")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.stop().await;
}

async fn changing_the_password_signs_out_everywhere(backend: Backend) {
    let mut app = demo(backend).await;
    let other_session = app.session_for("thanhvien").await;
    app.login("thanhvien").await;
    let res = app
        .post_form(
            "/account",
            &[
                ("current", "sai"),
                ("password", "mat-khau-moi-1"),
                ("confirm", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Mật khẩu hiện tại không đúng."));
    let res = app
        .post_form(
            "/account",
            &[
                ("current", toso_demo::DEMO_PASSWORD),
                ("password", "mat-khau-moi-1"),
                ("confirm", "khac-hẳn"),
            ],
        )
        .await;
    assert!(res.text().await.unwrap().contains("không khớp"));
    let res = app
        .post_form(
            "/account",
            &[
                ("current", toso_demo::DEMO_PASSWORD),
                ("password", "mat-khau-moi-1"),
                ("confirm", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/login?next=/account");
    app.session = Some(other_session);
    assert_eq!(
        app.get("/account").await.status().as_u16(),
        303,
        "every session ended"
    );
    let res = app
        .post_form(
            "/login",
            &[("login", "thanhvien"), ("password", "mat-khau-moi-1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.stop().await;
}

/// When the member a team account acts for leaves the team (the officer
/// ends the membership), the account's session stops, signing in says
/// why, and the officer's list of accounts shows it.
async fn a_member_who_left_the_team_is_signed_out(backend: Backend) {
    let mut app = demo(backend).await;
    let member = app.session_for("thanhvien").await;
    let account = toso_testkit::account(&app.db.store, "thanhvien").await;
    let team = account.team_id.unwrap();
    let team_page = format!("/communes/11914/teams/{team}");
    let officer = app.session_for("canboxa").await;
    app.session = Some(member.clone());
    assert_eq!(app.get(&team_page).await.status().as_u16(), 200);

    let membership = toso_testkit::membership_of(&app.db.store, &account).await;
    app.session = Some(officer.clone());
    let today = toso_domain::format_date(toso_store::today());
    let res = app
        .post_form(
            &format!("/communes/11914/members/{}/end", membership.id),
            &[("ended_on", today.as_str())],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "the membership is ended");

    app.session = Some(member);
    let res = app.get(&team_page).await;
    assert_eq!(
        res.status().as_u16(),
        303,
        "the session no longer reaches the team"
    );
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let res = app
        .post_form(
            "/login",
            &[
                ("login", "thanhvien"),
                ("password", toso_demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
    let page = res.text().await.unwrap();
    assert!(page.contains("đã thôi tham gia tổ"), "the reason is said");
    app.session = Some(officer);
    let users = app.html("/communes/11914/users").await;
    let row = users
        .split("<tr>")
        .find(|r| r.contains("<td>thanhvien"))
        .unwrap();
    assert!(row.contains("thành viên đã thôi tham gia tổ"), "{row}");
    let leader = users
        .split("<tr>")
        .find(|r| r.contains("<td>totruong"))
        .unwrap();
    assert!(!leader.contains("đã thôi tham gia tổ"), "{leader}");
    app.stop().await;
}

async fn a_member_moved_to_another_team_keeps_their_account(backend: Backend) {
    let mut app = demo(backend).await;
    let member = app.session_for("thanhvien").await;
    let store = &app.db.store;
    let account = toso_testkit::account(store, "thanhvien").await;
    let from = account.team_id.unwrap();
    let to = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != from && t.village_id.is_some())
        .unwrap()
        .id;
    let membership = toso_testkit::membership_of(store, &account).await;
    app.session = Some(app.session_for("canboxa").await);
    let page = app
        .html(&format!("/communes/11914/members/{}", membership.id))
        .await;
    assert!(
        page.contains("Tài khoản đăng nhập của thành viên ở tổ này (nếu có) chuyển theo"),
        "the move form says what happens to the account"
    );
    let today = toso_domain::format_date(toso_store::today());
    let res = app
        .post_form(
            &format!("/communes/11914/members/{}/move", membership.id),
            &[
                ("team_id", to.to_string().as_str()),
                ("moved_on", today.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "the member is moved");

    app.session = Some(member);
    let res = app.get(&format!("/communes/11914/teams/{to}")).await;
    assert_eq!(
        res.status().as_u16(),
        200,
        "the session reaches the new team"
    );
    let res = app.get(&format!("/communes/11914/teams/{from}")).await;
    assert_ne!(res.status().as_u16(), 200, "and no longer the old one");
    let moved = toso_testkit::account(&app.db.store, "thanhvien").await;
    assert_eq!(moved.team_id, Some(to));
    app.stop().await;
}

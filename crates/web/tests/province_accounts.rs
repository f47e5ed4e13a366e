//! The province's accounts and audit log through the real HTTP server, as
//! the demo's province officer (`sokhcn`, Hải Phòng) and admin: creating a
//! commune officer who then signs in and lands on their commune, refusals
//! that write nothing (a commune of another province, a role above one's
//! own), locking and unlocking, the province's own audit entries on the
//! page and in the CSV, and who is turned away.

use toso_domain::{Name, Password, UserRole, Username};
use toso_store::{Actor, NewUser, User};
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    the_province_officer_creates_a_commune_officer,
    refused_accounts_write_nothing,
    admin_creates_a_province_officer,
    the_province_officer_locks_and_unlocks,
    the_province_s_audit_shows_its_request,
    others_are_turned_away,
);

const USERS: &str = "/provinces/31/users";
const AUDIT: &str = "/provinces/31/audit";

/// The account form, filled; `fields` override or add values.
fn account<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("username", "canbo-moi"),
        ("full_name", "Trần Văn Mới"),
        ("phone", ""),
        ("password", "mat-khau-moi-123"),
        ("role", "commune_officer"),
        ("commune_code", ""),
    ];
    for (k, v) in fields {
        match form.iter_mut().find(|(fk, _)| fk == k) {
            Some(slot) => slot.1 = v,
            None => form.push((k, v)),
        }
    }
    form
}

/// A commune of Hải Phòng other than the demo's Cát Hải.
async fn other_commune(app: &TestApp) -> (i32, String) {
    let c = app
        .db
        .store
        .communes_of(31)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code != 11914)
        .expect("Hải Phòng has other communes");
    (c.code, c.name)
}

/// A login with `password`, as the login form sends it.
async fn login(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    let (token, cookie) = app.csrf().await;
    app.client
        .post(app.url("/login"))
        .header("cookie", cookie)
        .form(&[("login", login), ("password", password), ("csrf", &token)])
        .send()
        .await
        .unwrap()
}

/// The status of a login with `password` (303 when it is accepted).
async fn login_status(app: &TestApp, name: &str, password: &str) -> u16 {
    login(app, name, password).await.status().as_u16()
}

async fn user(app: &TestApp, login: &str) -> Option<User> {
    app.db.store.user_by_login(login).await.unwrap()
}

/// Every account there is (to show that a refusal wrote none).
async fn account_count(app: &TestApp) -> usize {
    let store = &app.db.store;
    let mut n = store.users_of_province(31).await.unwrap().len();
    for province in [1, 31] {
        for c in store.communes_of(province).await.unwrap() {
            n += store.users_of_commune(c.code).await.unwrap().len();
        }
    }
    n
}

async fn the_province_officer_creates_a_commune_officer(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "sokhcn").await;
    let (code, name) = other_commune(&app).await;

    let page = app.html(USERS).await;
    assert!(
        page.contains("Tài khoản — Thành phố Hải Phòng"),
        "the title"
    );
    assert!(page.contains("canboxa") && page.contains("Đặc khu Cát Hải"));
    assert!(
        page.contains("sokhcn"),
        "the province's officers are listed"
    );
    assert!(!page.contains("bokhcn") && !page.contains("totruong"));
    assert!(
        page.contains("href=\"/provinces/31/users\" aria-current=\"page\">Tài khoản</a>")
            && page.contains("href=\"/provinces/31/audit\">Nhật ký</a>"),
        "the workspace's menu"
    );
    assert!(
        !page.contains("value=\"province_officer\""),
        "a province officer is not offered the province officer's role"
    );

    let code_text = code.to_string();
    let res = app
        .post_form(USERS, &account(&[("commune_code", &code_text)]))
        .await;
    assert_eq!(location(&res), "/provinces/31/users?saved");
    let created = user(&app, "canbo-moi").await.expect("the account exists");
    assert_eq!(
        (created.role, created.province_code, created.commune_code),
        (UserRole::CommuneOfficer, Some(31), Some(code))
    );
    let page = app.html("/provinces/31/users?saved").await;
    assert!(page.contains("Đã lưu.") && page.contains("canbo-moi"));
    assert!(
        page.contains(&format!("<a href=\"/communes/{code}/users\">{name}</a>")),
        "listed with their commune"
    );

    // The new officer signs in with their password and lands on their
    // commune.
    let res = login(&app, "canbo-moi", "mat-khau-moi-123").await;
    assert_eq!(res.status().as_u16(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("toso_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .expect("a session");
    app.session = Some(session);
    assert_eq!(location(&app.get("/").await), format!("/communes/{code}"));
    let home = app.html(&format!("/communes/{code}")).await;
    assert!(home.contains(&name));
    // The creation is in the province's audit, with the commune.
    app.login("sokhcn").await;
    let page = app.html(&format!("{AUDIT}?entity=user")).await;
    assert!(page.contains(&format!("create Tài khoản #{}", created.id)));
}

async fn refused_accounts_write_nothing(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let ha_noi = app.db.store.communes_of(1).await.unwrap()[0]
        .code
        .to_string();
    let before = account_count(&app).await;

    // A commune of another province: refused beside the field.
    let res = app
        .post_form(USERS, &account(&[("commune_code", &ha_noi)]))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "Xã, phường, đặc khu mã «{ha_noi}» không thuộc Thành phố Hải Phòng."
        )),
        "the refusal names the commune"
    );
    assert!(page.contains("id=\"f-commune_code\" name=\"commune_code\" aria-invalid=\"true\""));
    assert!(
        page.contains("value=\"canbo-moi\""),
        "what was typed is kept"
    );
    // No commune chosen, a commune that does not exist.
    for bad in ["", "99999", "abc"] {
        let res = app
            .post_form(USERS, &account(&[("commune_code", bad)]))
            .await;
        assert_eq!(res.status().as_u16(), 422, "commune «{bad}»");
    }
    // Roles above the province officer's own.
    for role in ["province_officer", "admin", "ministry_officer"] {
        let res = app
            .post_form(
                USERS,
                &account(&[("role", role), ("commune_code", "11914")]),
            )
            .await;
        assert_eq!(res.status().as_u16(), 422, "role {role}");
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("Bạn không thể cấp vai trò"));
    }
    assert!(user(&app, "canbo-moi").await.is_none());
    assert_eq!(account_count(&app).await, before, "nothing written");
}

async fn admin_creates_a_province_officer(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "admin").await;
    let page = app.html(USERS).await;
    assert!(
        page.contains("value=\"province_officer\""),
        "offered to admin"
    );
    let res = app
        .post_form(
            USERS,
            &account(&[("username", "so-moi"), ("role", "province_officer")]),
        )
        .await;
    assert_eq!(location(&res), "/provinces/31/users?saved");
    let created = user(&app, "so-moi").await.expect("the account exists");
    assert_eq!(
        (created.role, created.province_code, created.commune_code),
        (UserRole::ProvinceOfficer, Some(31), None)
    );
    // In the province's own audit entries.
    let page = app
        .html(&format!("{AUDIT}?scope=province&entity=user"))
        .await;
    assert!(page.contains(&format!("create Tài khoản #{}", created.id)));
    assert!(page.contains("so-moi"));

    // sokhcn cannot touch it: only admin manages province officers.
    app.login("sokhcn").await;
    let page = app.html(USERS).await;
    assert!(!page.contains(&format!("/users/{}/disable", created.id)));
    let res = app
        .post_form(&format!("{USERS}/{}/disable", created.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let res = app
        .post_form(
            &format!("{USERS}/{}/password", created.id),
            &[("new_password", "mat-khau-khac-123")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(!user(&app, "so-moi").await.unwrap().is_disabled());
    assert_eq!(login_status(&app, "so-moi", "mat-khau-moi-123").await, 303);
}

async fn the_province_officer_locks_and_unlocks(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let canboxa = user(&app, "canboxa").await.unwrap();
    let path = |action: &str| format!("{USERS}/{}/{action}", canboxa.id);

    let res = app.post_form(&path("disable"), &[]).await;
    assert_eq!(location(&res), "/provinces/31/users?saved");
    assert!(user(&app, "canboxa").await.unwrap().is_disabled());
    assert_ne!(
        login_status(&app, "canboxa", toso_demo::DEMO_PASSWORD).await,
        303,
        "a locked account cannot sign in"
    );
    let page = app.html(USERS).await;
    assert!(page.contains("đã khóa") && page.contains(&path("enable")));

    let res = app.post_form(&path("enable"), &[]).await;
    assert_eq!(location(&res), "/provinces/31/users?saved");
    assert!(!user(&app, "canboxa").await.unwrap().is_disabled());
    assert_eq!(
        login_status(&app, "canboxa", toso_demo::DEMO_PASSWORD).await,
        303
    );

    // A new password, and a refused one.
    let res = app
        .post_form(&path("password"), &[("new_password", "mat-khau-moi-456")])
        .await;
    assert_eq!(location(&res), "/provinces/31/users?saved");
    assert_eq!(login_status(&app, "canboxa", "mat-khau-moi-456").await, 303);
    let res = app
        .post_form(&path("password"), &[("new_password", "ngan")])
        .await;
    assert_eq!(res.status().as_u16(), 422);

    // Accounts outside the province: not found; one's own: refused.
    let store = &app.db.store;
    let admin = user(&app, "admin").await.unwrap();
    let ministry = user(&app, "bokhcn").await.unwrap();
    let ha_noi = store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: Username::parse("so-ha-noi").unwrap(),
                full_name: Name::parse("Cán bộ Sở Hà Nội").unwrap(),
                phone: None,
                password: Password::parse(toso_demo::DEMO_PASSWORD).unwrap(),
                role: UserRole::ProvinceOfficer,
                province_code: Some(1),
                commune_code: None,
                team_id: None,
                person_id: None,
            },
        )
        .await
        .unwrap();
    for target in [&admin, &ministry, &ha_noi] {
        let res = app
            .post_form(&format!("{USERS}/{}/disable", target.id), &[])
            .await;
        assert_eq!(res.status().as_u16(), 404, "{}", target.username);
        assert!(!user(&app, &target.username).await.unwrap().is_disabled());
    }
    let me = user(&app, "sokhcn").await.unwrap();
    let res = app
        .post_form(&format!("{USERS}/{}/disable", me.id), &[])
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(!user(&app, "sokhcn").await.unwrap().is_disabled());
}

async fn the_province_s_audit_shows_its_request(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let res = app
        .post_form(
            "/provinces/31/requests",
            &[
                ("doc_number", "5001/SKHCN-CNTT"),
                ("issued_on", "01/12/2025"),
                ("issuer", "Sở Khoa học và Công nghệ"),
                ("subject", "Về báo cáo kết quả hoạt động tháng 12"),
                ("as_of", "30/11/2025"),
                ("period_from", ""),
                ("deadline", ""),
            ],
        )
        .await;
    assert_eq!(location(&res), "/provinces/31/requests?saved");
    let request = app
        .db
        .store
        .requests_of_province(31)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.doc_number == "5001/SKHCN-CNTT")
        .expect("the request is stored");
    let line = format!("create Yêu cầu báo cáo #{}", request.id);

    let page = app.html(AUDIT).await;
    assert!(page.contains("Nhật ký thay đổi — Thành phố Hải Phòng"));
    assert!(page.contains(&line), "the request in the province's log");
    assert!(
        page.contains("<td>Đặc khu Cát Hải</td>"),
        "and its communes' entries"
    );
    let own = app.html(&format!("{AUDIT}?scope=province")).await;
    assert!(own.contains(&line));
    assert!(
        !own.contains("<td>Đặc khu Cát Hải</td>"),
        "only the province's own entries"
    );
    let users_only = app.html(&format!("{AUDIT}?entity=user")).await;
    assert!(!users_only.contains(&line), "filtered by entity");
    let by_other = app.html(&format!("{AUDIT}?actor=canboxa")).await;
    assert!(!by_other.contains(&line), "filtered by actor");
    let later = app.html(&format!("{AUDIT}?from=01/01/2099")).await;
    assert!(later.contains("<p>0 thay đổi"), "filtered by date");
    let refused = app.html(&format!("{AUDIT}?from=32/13/2025")).await;
    assert!(
        refused.contains("aria-invalid=\"true\""),
        "a bad date is marked"
    );

    let res = app.get(&format!("{AUDIT}.csv?scope=province")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("nhat-ky-tinh-31-"));
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Thời điểm,Người thực hiện,"),
        "BOM and header"
    );
    let row = csv
        .lines()
        .find(|l| l.contains(&format!(",reporting_request,{},create,", request.id)))
        .expect("the request's row");
    assert!(row.contains("sokhcn") && row.contains("5001/SKHCN-CNTT"));
    assert!(
        !csv.contains("Đặc khu Cát Hải"),
        "the province's own entries name no commune"
    );
}

async fn others_are_turned_away(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let canboxa = user(&app, "canboxa").await.unwrap();
    for login in ["canboxa", "bokhcn", "totruong"] {
        app.login(login).await;
        for path in [USERS, AUDIT, "/provinces/31/audit.csv"] {
            let res = app.get(path).await;
            assert_eq!(res.status().as_u16(), 403, "GET {path} as {login}");
        }
        let res = app
            .post_form(USERS, &account(&[("commune_code", "11914")]))
            .await;
        assert_eq!(res.status().as_u16(), 403, "POST as {login}");
        let res = app
            .post_form(&format!("{USERS}/{}/disable", canboxa.id), &[])
            .await;
        assert_eq!(res.status().as_u16(), 403, "lock as {login}");
    }
    assert!(user(&app, "canbo-moi").await.is_none());
    assert!(!user(&app, "canboxa").await.unwrap().is_disabled());
    // The Ministry sees no workspace menu on the province's home.
    app.login("bokhcn").await;
    let home = app.html("/provinces/31").await;
    assert!(!home.contains("/provinces/31/users") && !home.contains("/provinces/31/audit"));
}

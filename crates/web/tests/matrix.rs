//! The authorization matrix: every route × every role, in its own scope, in
//! another commune's or province's scope, and anonymous. A route added to
//! the router without an entry here fails `every_route_has_a_matrix_entry`.

use std::collections::BTreeSet;

use toso_domain::{Name, Password, UserRole, Username};
use toso_store::{Actor, NewUser};
use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(the_matrix_has_no_leaks);

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    Account,
    /// Officers who read the commune: admin, its province's officer, its officer.
    Officer,
    /// Those who manage the commune: admin, its officer.
    Manager,
    /// Those who manage the commune's accounts: admin, province and commune officers.
    Users,
    /// Officers and the team's own leader and member.
    TeamView,
    /// Managers and the team's leader.
    TeamManage,
    /// Team managers and the member themself (the member's own record).
    Profile,
    /// The commune's managers and the team's own leader and members.
    TeamLog,
    /// The commune's managers; the team's leader and the member who logged
    /// the entry, within 7 days of logging it.
    ActivityEdit,
    /// Admin and the province's own officer (the province's workspace:
    /// requests, accounts, the review of its communes' reports).
    Province,
    /// Those who read the province: admin, its officer, the Ministry.
    ProvinceRead,
    /// The whole country: admin and the Ministry.
    Nation,
}

/// (method, route as written in the router, rule). The path parameters are
/// filled with records of the team of the demo's team leader and member.
const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Public),
    ("GET", "/static/app.css", Rule::Public),
    ("GET", "/login", Rule::Public),
    ("POST", "/login", Rule::Public),
    ("GET", "/", Rule::Account),
    ("GET", "/account", Rule::Account),
    ("POST", "/account", Rule::Account),
    ("POST", "/account/tokens", Rule::Account),
    ("POST", "/account/tokens/{id}/revoke", Rule::Account),
    ("GET", "/communes/{code}", Rule::Officer),
    ("GET", "/communes/{code}/indicators/{key}", Rule::Officer),
    ("GET", "/communes/{code}/villages", Rule::Officer),
    ("GET", "/communes/{code}/villages/new", Rule::Manager),
    ("POST", "/communes/{code}/villages/new", Rule::Manager),
    ("GET", "/communes/{code}/villages/{id}/edit", Rule::Manager),
    ("POST", "/communes/{code}/villages/{id}/edit", Rule::Manager),
    (
        "POST",
        "/communes/{code}/villages/{id}/deactivate",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/teams", Rule::Officer),
    ("GET", "/communes/{code}/teams/new", Rule::Manager),
    ("POST", "/communes/{code}/teams/new", Rule::Manager),
    ("GET", "/communes/{code}/teams/{id}", Rule::TeamView),
    ("GET", "/communes/{code}/teams/{id}/edit", Rule::Manager),
    ("POST", "/communes/{code}/teams/{id}/edit", Rule::Manager),
    (
        "POST",
        "/communes/{code}/teams/{id}/dissolve",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/teams/{id}/members",
        Rule::TeamManage,
    ),
    (
        "POST",
        "/communes/{code}/teams/{id}/activities",
        Rule::TeamLog,
    ),
    ("GET", "/communes/{code}/members/{id}", Rule::TeamView),
    ("POST", "/communes/{code}/members/{id}", Rule::Profile),
    (
        "POST",
        "/communes/{code}/members/{id}/end",
        Rule::TeamManage,
    ),
    ("POST", "/communes/{code}/members/{id}/move", Rule::Manager),
    ("GET", "/communes/{code}/people/{id}", Rule::Officer),
    ("GET", "/communes/{code}/documents", Rule::Officer),
    ("GET", "/communes/{code}/documents/new", Rule::Manager),
    ("POST", "/communes/{code}/documents/new", Rule::Manager),
    ("GET", "/communes/{code}/documents/{id}/edit", Rule::Manager),
    (
        "POST",
        "/communes/{code}/documents/{id}/edit",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/documents/{id}/delete",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/search", Rule::Officer),
    ("GET", "/communes/{code}/users", Rule::Users),
    ("POST", "/communes/{code}/users", Rule::Users),
    ("POST", "/communes/{code}/users/{id}/password", Rule::Users),
    ("POST", "/communes/{code}/users/{id}/disable", Rule::Users),
    ("POST", "/communes/{code}/users/{id}/enable", Rule::Users),
    ("GET", "/communes/{code}/import", Rule::Manager),
    ("POST", "/communes/{code}/import", Rule::Manager),
    ("POST", "/communes/{code}/import/commit", Rule::Manager),
    ("POST", "/communes/{code}/import/columns", Rule::Manager),
    (
        "GET",
        "/communes/{code}/import/template/{kind}",
        Rule::Officer,
    ),
    ("GET", "/communes/{code}/export/{file}", Rule::Officer),
    (
        "GET",
        "/communes/{code}/activities/{id}/edit",
        Rule::ActivityEdit,
    ),
    (
        "POST",
        "/communes/{code}/activities/{id}/edit",
        Rule::ActivityEdit,
    ),
    ("GET", "/communes/{code}/training", Rule::Officer),
    ("GET", "/communes/{code}/training.csv", Rule::Officer),
    ("GET", "/communes/{code}/training/new", Rule::Manager),
    ("POST", "/communes/{code}/training/new", Rule::Manager),
    ("GET", "/communes/{code}/training/{id}/edit", Rule::Manager),
    ("POST", "/communes/{code}/training/{id}/edit", Rule::Manager),
    ("GET", "/communes/{code}/campaigns", Rule::Officer),
    ("GET", "/communes/{code}/campaigns.csv", Rule::Officer),
    ("GET", "/communes/{code}/campaigns/new", Rule::Manager),
    ("POST", "/communes/{code}/campaigns/new", Rule::Manager),
    ("GET", "/communes/{code}/campaigns/{id}/edit", Rule::Manager),
    (
        "POST",
        "/communes/{code}/campaigns/{id}/edit",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/campaigns/{id}/delete",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/dashboard", Rule::Officer),
    ("GET", "/communes/{code}/dashboard/{file}", Rule::Officer),
    (
        "GET",
        "/communes/{code}/villages/{id}/dashboard",
        Rule::Officer,
    ),
    (
        "GET",
        "/communes/{code}/villages/{id}/dashboard/{file}",
        Rule::Officer,
    ),
    (
        "GET",
        "/communes/{code}/teams/{id}/dashboard",
        Rule::TeamView,
    ),
    (
        "GET",
        "/communes/{code}/teams/{id}/dashboard/{file}",
        Rule::TeamView,
    ),
    ("GET", "/communes/{code}/audit", Rule::Officer),
    ("GET", "/communes/{code}/audit.csv", Rule::Officer),
    ("GET", "/communes/{code}/contests", Rule::Officer),
    ("POST", "/communes/{code}/contests", Rule::Manager),
    (
        "POST",
        "/communes/{code}/contests/{id}/registrations",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/contests/{id}/edit", Rule::Manager),
    ("POST", "/communes/{code}/contests/{id}/edit", Rule::Manager),
    (
        "POST",
        "/communes/{code}/contests/{id}/delete",
        Rule::Manager,
    ),
    (
        "GET",
        "/communes/{code}/registrations/{id}/edit",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/registrations/{id}/edit",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/registrations/{id}/delete",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/reports", Rule::Officer),
    ("POST", "/communes/{code}/reports", Rule::Manager),
    ("GET", "/communes/{code}/reports/new", Rule::Manager),
    ("POST", "/communes/{code}/reports/new", Rule::Manager),
    ("GET", "/communes/{code}/reports/{id}", Rule::Officer),
    ("GET", "/communes/{code}/reports/{id}/{file}", Rule::Officer),
    (
        "POST",
        "/communes/{code}/reports/{id}/submit",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/reports/{id}/review",
        Rule::Province,
    ),
    ("GET", "/nation", Rule::Nation),
    ("GET", "/nation/indicators/{key}", Rule::Nation),
    ("GET", "/nation/download/{file}", Rule::Nation),
    ("GET", "/provinces/{province}", Rule::ProvinceRead),
    (
        "GET",
        "/provinces/{province}/indicators/{key}",
        Rule::ProvinceRead,
    ),
    (
        "GET",
        "/provinces/{province}/download/{file}",
        Rule::ProvinceRead,
    ),
    ("GET", "/provinces/{province}/search", Rule::ProvinceRead),
    ("GET", "/provinces/{province}/requests", Rule::Province),
    ("POST", "/provinces/{province}/requests", Rule::Province),
    (
        "GET",
        "/provinces/{province}/requests/{id}",
        Rule::ProvinceRead,
    ),
    (
        "GET",
        "/provinces/{province}/requests/{id}/download/{file}",
        Rule::ProvinceRead,
    ),
    (
        "POST",
        "/provinces/{province}/requests/{id}/expected",
        Rule::Province,
    ),
    (
        "GET",
        "/provinces/{province}/requests/{id}/report",
        Rule::ProvinceRead,
    ),
    (
        "POST",
        "/provinces/{province}/requests/{id}/report",
        Rule::Province,
    ),
    (
        "GET",
        "/provinces/{province}/requests/{id}/report/{version}",
        Rule::ProvinceRead,
    ),
    (
        "GET",
        "/provinces/{province}/requests/{id}/report/{version}/{file}",
        Rule::ProvinceRead,
    ),
    ("GET", "/notices", Rule::Account),
    ("POST", "/notices/read", Rule::Account),
    ("GET", "/provinces/{province}/users", Rule::Province),
    ("POST", "/provinces/{province}/users", Rule::Province),
    (
        "POST",
        "/provinces/{province}/users/{id}/password",
        Rule::Province,
    ),
    (
        "POST",
        "/provinces/{province}/users/{id}/disable",
        Rule::Province,
    ),
    (
        "POST",
        "/provinces/{province}/users/{id}/enable",
        Rule::Province,
    ),
    ("GET", "/provinces/{province}/audit", Rule::Province),
    ("GET", "/provinces/{province}/audit.csv", Rule::Province),
    ("GET", "/api/v1/indicators", Rule::Officer),
    ("GET", "/api/v1/indicators/{key}/records", Rule::Officer),
    ("GET", "/api/v1/communes/{code}", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/indicators", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/activities", Rule::Officer),
    // Last: it ends the session it is called with (and is harmless without one).
    ("POST", "/logout", Rule::Public),
];

/// The routes the router declares, read from the web crate's source:
/// every `.route("PATH", get(..).post(..))`, with `/api/v1` before the API's.
fn declared_routes() -> BTreeSet<(String, String)> {
    let sources: &[(&str, &str)] = &[
        ("", include_str!("../src/lib.rs")),
        ("", include_str!("../src/pages.rs")),
        ("", include_str!("../src/villages.rs")),
        ("", include_str!("../src/teams.rs")),
        ("", include_str!("../src/documents.rs")),
        ("", include_str!("../src/users.rs")),
        ("", include_str!("../src/auth.rs")),
        ("", include_str!("../src/imports.rs")),
        ("", include_str!("../src/reports.rs")),
        ("", include_str!("../src/contests.rs")),
        ("", include_str!("../src/activities.rs")),
        ("", include_str!("../src/training.rs")),
        ("", include_str!("../src/dashboard.rs")),
        ("", include_str!("../src/province/home.rs")),
        ("", include_str!("../src/province/search.rs")),
        ("", include_str!("../src/province/accounts.rs")),
        ("", include_str!("../src/province/cycle.rs")),
        ("", include_str!("../src/notices.rs")),
        ("/api/v1", include_str!("../src/api.rs")),
    ];
    let mut routes = BTreeSet::new();
    for (prefix, text) in sources {
        let mut rest = *text;
        while let Some(at) = rest.find(".route(") {
            let call = &rest[at + 7..];
            let mut depth = 1;
            let end = call
                .char_indices()
                .find_map(|(i, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    (depth == 0).then_some(i)
                })
                .expect("balanced route call");
            let body = &call[..end];
            let path = body.split('"').nth(1).expect("route path literal");
            for method in ["get", "post", "put", "patch", "delete"] {
                if body.contains(&format!("{method}(")) {
                    routes.insert((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
            rest = &call[end..];
        }
    }
    routes
}

#[test]
fn every_route_has_a_matrix_entry() {
    let declared = declared_routes();
    let covered: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = declared.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix entry: {missing:?}"
    );
    assert!(stale.is_empty(), "matrix entries for no route: {stale:?}");
    assert!(
        declared.len() > 40,
        "the parser found the routes ({})",
        declared.len()
    );
}

/// The actors: (user name, role in the demo's own scope or elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    Ministry,
    ProvinceOfficer,
    OtherProvinceOfficer,
    CommuneOfficer,
    OtherCommuneOfficer,
    Leader,
    Member,
    OtherTeamLeader,
}

const EVERYONE: &[(Who, &str)] = &[
    (Who::Anonymous, ""),
    (Who::Admin, "admin"),
    (Who::Ministry, "bokhcn"),
    (Who::ProvinceOfficer, "sokhcn"),
    (Who::OtherProvinceOfficer, "so-ha-noi"),
    (Who::CommuneOfficer, "canboxa"),
    (Who::OtherCommuneOfficer, "canbo-blv"),
    (Who::Leader, "totruong"),
    (Who::Member, "thanhvien"),
    (Who::OtherTeamLeader, "totruong-khac"),
];

fn allowed(rule: Rule, who: Who) -> bool {
    use Who::*;
    match rule {
        Rule::Public => true,
        Rule::Account => who != Anonymous,
        Rule::Officer => matches!(who, Admin | Ministry | ProvinceOfficer | CommuneOfficer),
        Rule::Manager => matches!(who, Admin | CommuneOfficer),
        Rule::Users => matches!(who, Admin | ProvinceOfficer | CommuneOfficer),
        Rule::TeamView => matches!(
            who,
            Admin | Ministry | ProvinceOfficer | CommuneOfficer | Leader | Member
        ),
        Rule::TeamManage => matches!(who, Admin | CommuneOfficer | Leader),
        Rule::Profile => matches!(who, Admin | CommuneOfficer | Leader | Member),
        Rule::TeamLog => matches!(who, Admin | CommuneOfficer | Leader | Member),
        Rule::ActivityEdit => matches!(who, Admin | CommuneOfficer | Leader | Member),
        Rule::Province => matches!(who, Admin | ProvinceOfficer),
        Rule::ProvinceRead => matches!(who, Admin | Ministry | ProvinceOfficer),
        Rule::Nation => matches!(who, Admin | Ministry),
    }
}

async fn extra_user(
    app: &TestApp,
    username: &str,
    role: UserRole,
    scope: (Option<i32>, Option<i32>, Option<i64>),
) -> i64 {
    app.db
        .store
        .create_user(
            &Actor::system("test"),
            NewUser {
                username: Username::parse(username).unwrap(),
                full_name: Name::parse("Người thử").unwrap(),
                phone: None,
                password: Password::parse(toso_demo::DEMO_PASSWORD).unwrap(),
                role,
                province_code: scope.0,
                commune_code: scope.1,
                team_id: scope.2,
                person_id: None,
            },
        )
        .await
        .unwrap()
        .id
}

async fn the_matrix_has_no_leaks(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let leader = store.user_by_login("totruong").await.unwrap().unwrap();
    let member = store.user_by_login("thanhvien").await.unwrap().unwrap();
    let team = store.team(leader.team_id.unwrap()).await.unwrap();
    let membership = store
        .team_members(team.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| Some(m.membership.person_id) == member.person_id)
        .unwrap();
    let other_team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team.id)
        .unwrap();
    let village = team.village_id.unwrap();
    let document = store.documents(11914, &Default::default()).await.unwrap()[0].id;
    let course = store.courses(11914).await.unwrap()[0].id;
    let contest = store.contests(11914).await.unwrap()[0].id;
    let registration = store.registrations(contest).await.unwrap()[0].id;
    let campaign = store.campaigns(11914).await.unwrap()[0].id;
    // A generated report of the demo's request.
    let request = store
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap();
    let settings = toso_reporting::report_defaults(store, 11914, &request)
        .await
        .unwrap();
    let report =
        toso_reporting::create_report(store, &Actor::system("test"), 11914, request.id, settings)
            .await
            .unwrap()
            .id;
    // An activity of the team, just logged by its member.
    let activity = store
        .create_activity(
            &Actor {
                user_id: Some(member.id),
                name: member.username.clone(),
                address: None,
            },
            toso_store::NewActivity {
                team_id: team.id,
                activity_date: toso_store::today(),
                category: toso_domain::SupportCategory::Vneid,
                citizens_helped: 3,
                dossiers: 0,
                note: None,
                co_members: Vec::new(),
            },
        )
        .await
        .unwrap()
        .id;
    extra_user(
        &app,
        "so-ha-noi",
        UserRole::ProvinceOfficer,
        (Some(1), None, None),
    )
    .await;
    extra_user(
        &app,
        "canbo-blv",
        UserRole::CommuneOfficer,
        (None, Some(11948), None),
    )
    .await;
    extra_user(
        &app,
        "totruong-khac",
        UserRole::TeamLeader,
        (None, Some(11914), Some(other_team.id)),
    )
    .await;
    let target = extra_user(
        &app,
        "tai-khoan-thu",
        UserRole::TeamMember,
        (None, Some(11914), Some(team.id)),
    )
    .await;

    let mut sessions = Vec::new();
    for (who, name) in EVERYONE {
        let session = if name.is_empty() {
            None
        } else {
            Some(app.session_for(name).await)
        };
        sessions.push((*who, session));
    }
    let (csrf, csrf_cookie) = app.csrf().await;

    let mut leaks = Vec::new();
    for (method, route, rule) in MATRIX {
        let id = match route {
            r if r.contains("/villages/{id}") => village,
            r if r.contains("/teams/{id}") => team.id,
            r if r.contains("/members/{id}") => membership.membership.id,
            r if r.contains("/people/{id}") => membership.membership.person_id,
            r if r.contains("/documents/{id}") => document,
            r if r.contains("/training/{id}") => course,
            r if r.contains("/activities/{id}") => activity,
            r if r.contains("/users/{id}") => target,
            r if r.contains("/reports/{id}") => report,
            r if r.contains("/requests/{id}") => request.id,
            r if r.contains("/contests/{id}") => contest,
            r if r.contains("/registrations/{id}") => registration,
            r if r.contains("/campaigns/{id}") => campaign,
            _ => 999_999,
        };
        let mut path = route
            .replace("{code}", "11914")
            .replace("{id}", &id.to_string())
            .replace("{key}", "members")
            .replace("{kind}", "members.xlsx")
            .replace("{province}", "31")
            .replace("{version}", "1");
        path = if path.contains("/reports/") || path.contains("/report/") {
            path.replace("{file}", "docx")
        } else if path.starts_with("/nation/download/") {
            path.replace("{file}", "provinces.csv")
        } else if path.contains("/requests/") {
            path.replace("{file}", "board.csv")
        } else if path.contains("/download/") {
            path.replace("{file}", "communes.csv")
        } else {
            path.replace("{file}", "members.csv")
        };
        if path.ends_with("/reports/new") && *method == "GET" {
            path.push_str(&format!("?request={}", request.id));
        }
        if path.starts_with("/api/v1/indicators") {
            path.push_str("?node=commune:11914");
        }
        for (who, session) in &sessions {
            let mut cookie = csrf_cookie.clone();
            if let Some(s) = session {
                cookie.push_str(&format!("; toso_session={s}"));
            }
            let request = match *method {
                "GET" => app.client.get(app.url(&path)),
                _ => app
                    .client
                    .post(app.url(&path))
                    .form(&[("csrf", csrf.as_str())]),
            };
            let res = request.header("cookie", cookie).send().await.unwrap();
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let to_login = location.starts_with("/login?next=");
            let refused = status == 403 || status == 401 || to_login;
            let ok = if *rule == Rule::Public {
                // A wrong login answers 401/429: that is the login's answer,
                // not a refusal of the route.
                status < 500
            } else if allowed(*rule, *who) {
                !refused && status < 500
            } else if *who == Who::Anonymous {
                (path.starts_with("/api/") && status == 401)
                    || (!path.starts_with("/api/") && to_login)
            } else {
                status == 403
            };
            if !ok {
                leaks.push(format!("{method} {path} as {who:?}: {status} {location}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} wrong answers:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    app.stop().await;
}

//! The authorization matrix: every route × every role, in its own scope, in
//! another commune's or province's scope, and anonymous. A route added to
//! the router without an entry here fails `every_route_has_a_matrix_entry`.

use std::collections::BTreeSet;

use toso_domain::{Name, Password, UserRole, Username};
use toso_store::{Actor, NewUser};
use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    the_matrix_has_no_leaks,
    help_requests_follow_their_team,
    the_log_route_answers_the_queue_in_json
);

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
    /// Everyone with access to the commune: its officers, and the members
    /// of any of its teams (who see their own team's part).
    Commune,
    /// A citizen's request: the officers who read the commune and the team
    /// it is routed to (the quick-response team once escalated, checked by
    /// `help_requests_follow_their_team`); another team is refused.
    HelpView,
    /// Take or close a citizen's request: the commune's managers and the
    /// team it is routed to; the province and the Ministry only read it.
    HelpAct,
    /// The citizens' public pages (no account): a valid code answers 200,
    /// an empty request form is refused beside its fields (422), whoever
    /// sends it.
    Citizen,
}

/// (method, route as written in the router, rule). The path parameters are
/// filled with records of the team of the demo's team leader and member.
const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Public),
    // Liveness and readiness (issue 24); the metrics answer whoever asks
    // from this machine (the matrix's client), the proxy and token rules
    // are tested in tests/ops.rs.
    ("GET", "/livez", Rule::Public),
    ("GET", "/readyz", Rule::Public),
    ("GET", "/metrics", Rule::Public),
    // The stylesheet, and the offline logging app's script, service worker
    // and icons (issue 21).
    ("GET", "/static/{file}", Rule::Public),
    // A team's manifest follows the team page.
    (
        "GET",
        "/communes/{code}/teams/{id}/manifest.webmanifest",
        Rule::TeamView,
    ),
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
    // Service tokens of a province's or a commune's system (issue 23).
    (
        "GET",
        "/provinces/{province}/service-tokens",
        Rule::Province,
    ),
    (
        "POST",
        "/provinces/{province}/service-tokens",
        Rule::Province,
    ),
    (
        "POST",
        "/provinces/{province}/service-tokens/{id}/revoke",
        Rule::Province,
    ),
    ("GET", "/communes/{code}/service-tokens", Rule::Manager),
    ("POST", "/communes/{code}/service-tokens", Rule::Manager),
    (
        "POST",
        "/communes/{code}/service-tokens/{id}/revoke",
        Rule::Manager,
    ),
    // The JSON API (issue 23), asked with a write token of each role: its
    // routes are the OpenAPI document's.
    ("GET", "/api/v1/openapi.json", Rule::Public),
    ("GET", "/api/v1/docs", Rule::Public),
    ("GET", "/api/v1/provinces", Rule::Account),
    (
        "GET",
        "/api/v1/provinces/{code}/communes",
        Rule::ProvinceRead,
    ),
    ("GET", "/api/v1/provinces/{code}/table", Rule::ProvinceRead),
    ("GET", "/api/v1/nation/table", Rule::Nation),
    ("GET", "/api/v1/indicators", Rule::Officer),
    ("GET", "/api/v1/indicators/{key}/records", Rule::Officer),
    ("GET", "/api/v1/communes/{code}", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/villages", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/indicators", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/activities", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/teams", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/teams/{id}", Rule::TeamView),
    ("GET", "/api/v1/communes/{code}/documents", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/training", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/campaigns", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/contests", Rule::Officer),
    ("GET", "/api/v1/communes/{code}/reports", Rule::Officer),
    (
        "GET",
        "/api/v1/communes/{code}/reports/{id}/files/{file}",
        Rule::Officer,
    ),
    (
        "POST",
        "/api/v1/communes/{code}/teams/{id}/activities",
        Rule::TeamLog,
    ),
    (
        "PUT",
        "/api/v1/communes/{code}/activities/{id}",
        Rule::ActivityEdit,
    ),
    (
        "POST",
        "/api/v1/communes/{code}/teams/{id}/duty-days",
        Rule::TeamManage,
    ),
    (
        "GET",
        "/api/v1/communes/{code}/help-requests",
        Rule::Commune,
    ),
    (
        "GET",
        "/api/v1/communes/{code}/help-requests/{id}",
        Rule::HelpView,
    ),
    (
        "POST",
        "/api/v1/communes/{code}/help-requests/{id}/take",
        Rule::HelpAct,
    ),
    (
        "POST",
        "/api/v1/communes/{code}/help-requests/{id}/done",
        Rule::HelpAct,
    ),
    (
        "POST",
        "/api/v1/communes/{code}/help-requests/{id}/unable",
        Rule::HelpAct,
    ),
    // Citizens reach their village team (issue 20).
    ("GET", "/v/{code}", Rule::Citizen),
    ("POST", "/v/{code}", Rule::Citizen),
    ("GET", "/tra-cuu", Rule::Citizen),
    ("GET", "/tra-cuu/{code}", Rule::Citizen),
    ("GET", "/communes/{code}/requests", Rule::Commune),
    ("GET", "/communes/{code}/requests/settings", Rule::Officer),
    ("POST", "/communes/{code}/requests/settings", Rule::Manager),
    ("GET", "/communes/{code}/requests/{id}", Rule::HelpView),
    ("POST", "/communes/{code}/requests/{id}/take", Rule::HelpAct),
    ("POST", "/communes/{code}/requests/{id}/done", Rule::HelpAct),
    (
        "POST",
        "/communes/{code}/requests/{id}/unable",
        Rule::HelpAct,
    ),
    (
        "POST",
        "/communes/{code}/members/{id}/listing",
        Rule::Profile,
    ),
    (
        "POST",
        "/communes/{code}/villages/{id}/public-code",
        Rule::Manager,
    ),
    (
        "GET",
        "/communes/{code}/teams/{id}/poster.pdf",
        Rule::TeamView,
    ),
    ("GET", "/communes/{code}/posters.pdf", Rule::Officer),
    // Who worked which day (issue 22).
    ("GET", "/communes/{code}/teams/{id}/days", Rule::TeamView),
    ("POST", "/communes/{code}/teams/{id}/duty", Rule::TeamManage),
    (
        "POST",
        "/communes/{code}/teams/{id}/duty/{duty}/delete",
        Rule::TeamManage,
    ),
    ("GET", "/communes/{code}/allowances", Rule::Officer),
    ("GET", "/communes/{code}/allowances.xlsx", Rule::Officer),
    ("GET", "/communes/{code}/allowances.pdf", Rule::Officer),
    ("POST", "/communes/{code}/allowances/approve", Rule::Manager),
    ("POST", "/communes/{code}/allowances/reopen", Rule::Manager),
    (
        "GET",
        "/communes/{code}/campaigns/{id}/members",
        Rule::Officer,
    ),
    (
        "POST",
        "/communes/{code}/campaigns/{id}/members",
        Rule::Manager,
    ),
    ("GET", "/communes/{code}/allowance-policies", Rule::Officer),
    ("POST", "/communes/{code}/allowance-policies", Rule::Manager),
    (
        "GET",
        "/communes/{code}/allowance-policies/{id}",
        Rule::Officer,
    ),
    (
        "POST",
        "/communes/{code}/allowance-policies/{id}",
        Rule::Manager,
    ),
    (
        "POST",
        "/communes/{code}/allowance-policies/{id}/delete",
        Rule::Manager,
    ),
    (
        "GET",
        "/provinces/{province}/allowance-policies",
        Rule::ProvinceRead,
    ),
    (
        "GET",
        "/provinces/{province}/allowances",
        Rule::ProvinceRead,
    ),
    (
        "POST",
        "/provinces/{province}/allowance-policies",
        Rule::Province,
    ),
    (
        "GET",
        "/provinces/{province}/allowance-policies/{id}",
        Rule::ProvinceRead,
    ),
    (
        "POST",
        "/provinces/{province}/allowance-policies/{id}",
        Rule::Province,
    ),
    (
        "POST",
        "/provinces/{province}/allowance-policies/{id}/delete",
        Rule::Province,
    ),
    // Last: it ends the session it is called with (and is harmless without one).
    ("POST", "/logout", Rule::Public),
];

/// The routes the router declares, read from the web crate's source:
/// every `.route("PATH", get(..).post(..))`, with `/api/v1` before the API's.
fn declared_routes() -> BTreeSet<(String, String)> {
    // Every source file of the crate, read now: a module added with routes
    // cannot be left out of the check.
    let sources =
        toso_testkit::rust_sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(sources.len() > 20, "the crate's sources are found");
    let mut routes = BTreeSet::new();
    for text in &sources {
        let mut rest = text.as_str();
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
                    routes.insert((method.to_uppercase(), path.to_string()));
                }
            }
            rest = &call[end..];
        }
    }
    // The API's routes are served from the list that builds its OpenAPI
    // document (tests/api.rs checks that none is added beside it).
    routes.extend(toso_web::api::documented_routes());
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
        Rule::Commune => !matches!(who, Anonymous | OtherProvinceOfficer | OtherCommuneOfficer),
        Rule::HelpView => matches!(
            who,
            Admin | Ministry | ProvinceOfficer | CommuneOfficer | Leader | Member
        ),
        Rule::HelpAct => matches!(who, Admin | CommuneOfficer | Leader | Member),
        Rule::Citizen => true,
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
    let leader = toso_testkit::account(store, "totruong").await;
    let member = toso_testkit::account(store, "thanhvien").await;
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
    // The demo's citizens' requests are routed to the team of Tổ dân phố 1;
    // the one sent today (not escalated) stands for `{id}`.
    let help = store
        .help_queue(11914, toso_store::QueueScope::Commune, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.escalated_at.is_none())
        .expect("the demo's request of today");
    assert_eq!(help.team_id, Some(team.id));
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
    let mut tokens = std::collections::HashMap::new();
    for (who, name) in EVERYONE {
        let session = if name.is_empty() {
            None
        } else {
            let user = toso_testkit::account(store, name).await;
            let (_, secret) = store
                .create_api_token(
                    &Actor::system("test"),
                    user.id,
                    Name::parse("matrix").unwrap(),
                    toso_store::TokenScope::Write,
                    None,
                )
                .await
                .unwrap();
            tokens.insert(*who, secret);
            Some(app.session_for(name).await)
        };
        sessions.push((*who, session));
    }
    let (csrf, csrf_cookie) = app.csrf().await;
    // The demo's policy of Hải Phòng, and a commune's own (from 2030, to
    // overlap nothing).
    let policy = store
        .policies(toso_store::PolicyOwner::Province(31))
        .await
        .unwrap()[0]
        .id;
    let commune_policy = toso_testkit::PolicyBuilder::new()
        .owner(toso_store::PolicyOwner::Commune(11914))
        .period(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), None)
        .expect_build(store)
        .await
        .id;
    // A duty day of the team (the demo records two in November 2025).
    let duty = store
        .duty_days(
            team.id,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            toso_store::today(),
        )
        .await
        .unwrap()
        .first()
        .expect("a demo duty day of the team")
        .id;

    let mut leaks = Vec::new();
    for (method, route, rule) in MATRIX {
        let id = match route {
            r if r.starts_with("/provinces/{province}/allowance-policies/{id}") => policy,
            r if r.starts_with("/communes/{code}/allowance-policies/{id}") => commune_policy,
            r if r.starts_with("/communes/{code}/requests/{id}") => help.id,
            r if r.contains("/help-requests/{id}") => help.id,
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
        // The public pages take a village's code (read again: the matrix
        // renews it) or a tracking code.
        let route = if route.starts_with("/v/") {
            route.replace("{code}", &store.village_code(village).await.unwrap())
        } else if route.starts_with("/tra-cuu/") {
            route.replace("{code}", &help.tracking_code)
        } else {
            route.to_string()
        };
        let route = if route.starts_with("/api/v1/provinces/") {
            route.replace("{code}", "31")
        } else {
            route
        };
        let mut path = route
            .replace("{code}", "11914")
            .replace("{id}", &id.to_string())
            .replace("{key}", "members")
            .replace("{kind}", "members.xlsx")
            .replace("{province}", "31")
            .replace("{version}", "1")
            .replace("{duty}", &duty.to_string());
        if path.contains("/allowances.") {
            path.push_str("?month=2025-11");
        }
        path = if path.contains("/reports/") || path.contains("/report/") {
            path.replace("{file}", "docx")
        } else if path.starts_with("/static/") {
            path.replace("{file}", "sw.js")
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
            let request = if path.starts_with("/api/") {
                // The API with the role's token; a write with an empty
                // object, which those allowed get refused beside a field.
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut request = app.client.request(method.clone(), app.url(&path));
                if let Some(token) = tokens.get(who) {
                    request = request.bearer_auth(token);
                }
                if method != reqwest::Method::GET {
                    request = request.json(&serde_json::json!({}));
                }
                request
            } else {
                let request = match *method {
                    "GET" => app.client.get(app.url(&path)),
                    _ => app
                        .client
                        .post(app.url(&path))
                        .form(&[("csrf", csrf.as_str())]),
                };
                request.header("cookie", cookie)
            };
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let to_login = location.starts_with("/login?next=");
            let refused = status == 403 || status == 401 || to_login;
            let ok = if *rule == Rule::Citizen {
                match *method {
                    "GET" => status == 200,
                    _ => status == 422,
                }
            } else if *rule == Rule::Public {
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

/// The support log's route as the offline queue sends to it (`Accept:
/// application/json`): every role gets JSON — 401 without an account, 403
/// outside the team, a refusal beside the first field for those who may
/// log — and nothing is written.
async fn the_log_route_answers_the_queue_in_json(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let leader = toso_testkit::account(store, "totruong").await;
    let team = leader.team_id.unwrap();
    let other_team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team)
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
        (None, Some(11914), Some(other_team)),
    )
    .await;
    let far = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let before = store
        .activities(11914, far, toso_store::today())
        .await
        .unwrap()
        .len();
    let (csrf, csrf_cookie) = app.csrf().await;
    let path = format!("/communes/11914/teams/{team}/activities");
    let mut wrong = Vec::new();
    for (n, (who, name)) in EVERYONE.iter().enumerate() {
        let mut cookie = csrf_cookie.clone();
        if !name.is_empty() {
            let session = app.session_for(name).await;
            cookie.push_str(&format!("; toso_session={session}"));
        }
        let client_id = format!("matrix-queue-{n:04}");
        let res = app
            .client
            .post(app.url(&path))
            .header("cookie", cookie)
            .header("accept", "application/json")
            .form(&[
                ("csrf", csrf.as_str()),
                ("client_id", client_id.as_str()),
                ("activity_date", ""),
            ])
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: serde_json::Value = match res.json().await {
            Ok(v) => v,
            Err(e) => {
                wrong.push(format!("{who:?}: {status} without JSON: {e}"));
                continue;
            }
        };
        let expected = if *who == Who::Anonymous {
            (401, "unauthenticated")
        } else if allowed(Rule::TeamLog, *who) {
            (422, "invalid")
        } else {
            (403, "forbidden")
        };
        let field_ok = expected.0 != 422 || body["field"] == "activity_date";
        let message_ok = body["message"].as_str().is_some_and(|m| !m.is_empty());
        if (status, body["error"].as_str().unwrap_or_default()) != expected
            || !field_ok
            || !message_ok
        {
            wrong.push(format!("{who:?}: {status} {body}"));
        }
    }
    assert!(wrong.is_empty(), "wrong answers:\n{}", wrong.join("\n"));
    let after = store
        .activities(11914, far, toso_store::today())
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "a refused send wrote an activity");
    app.stop().await;
}

/// A GET with a session (or none); the status and the page.
async fn page_as(app: &TestApp, session: Option<&str>, path: &str) -> (u16, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(s) = session {
        request = request.header("cookie", format!("toso_session={s}"));
    }
    let res = request.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A form POST with a session (or none); the status and the redirect.
async fn post_as(
    app: &TestApp,
    session: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (token, mut cookie) = app.csrf().await;
    if let Some(s) = session {
        cookie.push_str(&format!("; toso_session={s}"));
    }
    let mut body = fields.to_vec();
    body.push(("csrf", &token));
    let res = app
        .client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(&body)
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (res.status().as_u16(), location)
}

/// Who sees a citizen's request and its name and phone: the team it is
/// routed to; the quick-response team once it is escalated (not before);
/// the commune's officer; the province and the Ministry without the name
/// and phone; another team not at all. The public pages answer without an
/// account, list only the members who agreed, and a friendly 404 for an
/// unknown or replaced code.
async fn help_requests_follow_their_team(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let today = toso_store::today();
    let leader = toso_testkit::account(store, "totruong").await;
    let member = toso_testkit::account(store, "thanhvien").await;
    let team = store.team(leader.team_id.unwrap()).await.unwrap();
    let village = team.village_id.unwrap();
    let quick = store
        .quick_response_team(11914, today)
        .await
        .unwrap()
        .expect("the demo's quick-response team");
    let other_team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team.id && t.id != quick.id)
        .unwrap();
    let requests = store
        .help_queue(11914, toso_store::QueueScope::Commune, None, 1000)
        .await
        .unwrap();
    assert_eq!(requests.len(), 2, "the demo's two requests");
    let fresh = requests
        .iter()
        .find(|r| r.escalated_at.is_none())
        .unwrap()
        .clone();
    let late = requests
        .iter()
        .find(|r| r.escalated_at.is_some())
        .unwrap()
        .clone();
    assert_eq!(fresh.team_id, Some(team.id));
    assert_eq!(late.team_id, Some(team.id), "escalation keeps the team");
    assert_eq!(late.escalation.as_deref(), Some("overdue"));
    let fresh_name = fresh.citizen_name.clone().unwrap();
    let late_name = late.citizen_name.clone().unwrap();
    let fresh_phone = fresh.citizen_phone.clone().unwrap();
    let fresh_code = toso_domain::display_code(&fresh.tracking_code);
    let late_code = toso_domain::display_code(&late.tracking_code);
    let c = "/communes/11914";

    extra_user(
        &app,
        "doi-phan-ung",
        UserRole::TeamLeader,
        (None, Some(11914), Some(quick.id)),
    )
    .await;
    extra_user(
        &app,
        "totruong-khac",
        UserRole::TeamLeader,
        (None, Some(11914), Some(other_team.id)),
    )
    .await;
    let routed = app.session_for("thanhvien").await;
    let qr = app.session_for("doi-phan-ung").await;
    let other = app.session_for("totruong-khac").await;
    let officer = app.session_for("canboxa").await;
    let fresh_page = format!("{c}/requests/{}", fresh.id);
    let late_page = format!("{c}/requests/{}", late.id);

    // The routed team: both requests, with the citizens' names.
    let (status, queue) = page_as(&app, Some(&routed), &format!("{c}/requests")).await;
    assert_eq!(status, 200);
    for text in [&fresh_code, &late_code, &fresh_name, &late_name] {
        assert!(
            queue.contains(text.as_str()),
            "the team's queue lacks {text}"
        );
    }
    assert!(queue.contains("Quá hạn, đã chuyển Đội phản ứng nhanh"));
    let (status, page) = page_as(&app, Some(&routed), &fresh_page).await;
    assert_eq!(status, 200);
    assert!(page.contains(&fresh_name) && page.contains("Nhận hỗ trợ"));

    // The quick-response team: the escalated request only.
    let (status, queue) = page_as(&app, Some(&qr), &format!("{c}/requests")).await;
    assert_eq!(status, 200);
    assert!(queue.contains(&late_code) && queue.contains(&late_name));
    assert!(!queue.contains(&fresh_code) && !queue.contains(&fresh_name));
    let (status, page) = page_as(&app, Some(&qr), &late_page).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&late_name),
        "the quick-response team calls back"
    );
    assert_eq!(page_as(&app, Some(&qr), &fresh_page).await.0, 403);
    assert_eq!(
        post_as(&app, Some(&qr), &format!("{fresh_page}/take"), &[])
            .await
            .0,
        403
    );

    // Another village's team: nothing of either.
    let (status, queue) = page_as(&app, Some(&other), &format!("{c}/requests")).await;
    assert_eq!(status, 200);
    for text in [&fresh_code, &late_code, &fresh_name, &late_name] {
        assert!(!queue.contains(text.as_str()), "another team sees {text}");
    }
    for path in [&fresh_page, &late_page] {
        assert_eq!(page_as(&app, Some(&other), path).await.0, 403);
        for action in ["take", "done", "unable"] {
            let (status, _) = post_as(
                &app,
                Some(&other),
                &format!("{path}/{action}"),
                &[("reason", "Thử"), ("citizens_helped", "1")],
            )
            .await;
            assert_eq!(status, 403, "{action} by another team");
        }
    }

    // The province and the Ministry read the request without the name and
    // phone, and may not act on it.
    let spaced = format!(
        "{} {} {}",
        &fresh_phone[..4],
        &fresh_phone[4..7],
        &fresh_phone[7..]
    );
    for reader in ["sokhcn", "bokhcn"] {
        let session = app.session_for(reader).await;
        for path in [fresh_page.clone(), format!("{c}/requests")] {
            let (status, page) = page_as(&app, Some(&session), &path).await;
            assert_eq!(status, 200, "{reader} reads {path}");
            assert!(page.contains(&fresh_code), "{reader}: {path}");
            for private in [&fresh_name, &late_name, &fresh_phone, &spaced] {
                assert!(
                    !page.contains(private.as_str()),
                    "{reader} sees {private} on {path}"
                );
            }
            assert!(!page.contains("Nhận hỗ trợ"), "{reader} is offered to act");
        }
        for action in ["take", "done", "unable"] {
            let (status, _) = post_as(
                &app,
                Some(&session),
                &format!("{fresh_page}/{action}"),
                &[("reason", "Thử"), ("citizens_helped", "1")],
            )
            .await;
            assert_eq!(status, 403, "{action} by {reader}");
        }
    }
    assert_eq!(
        store.help_request(fresh.id).await.unwrap().state,
        toso_domain::HelpState::New,
        "nothing changed the refused request"
    );

    // The quick-response team takes the escalated request.
    let (status, location) = post_as(&app, Some(&qr), &format!("{late_page}/take"), &[]).await;
    assert_eq!((status, location.starts_with(&late_page)), (303, true));
    let taken = store.help_request(late.id).await.unwrap();
    assert_eq!(taken.state, toso_domain::HelpState::InProgress);
    assert_eq!(taken.assignee_name.as_deref(), Some("Người thử"));

    // The public village page, without an account: the listed members
    // only; the code as typed from paper works too.
    let code = store.village_code(village).await.unwrap();
    let toso_store::PublicLookup::Found(public) = store.public_village(&code, today).await.unwrap()
    else {
        panic!("the demo village's code is valid");
    };
    let listed: Vec<String> = public
        .team
        .as_ref()
        .unwrap()
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let members = store.team_members(team.id, Some(today)).await.unwrap();
    let own = members
        .iter()
        .find(|m| Some(m.membership.person_id) == member.person_id)
        .unwrap();
    assert!(listed.contains(&own.full_name), "the demo lists its member");
    let unlisted = members
        .iter()
        .find(|m| !listed.contains(&m.full_name))
        .expect("a member who did not agree");
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    for path in [format!("/v/{code}"), format!("/v/{typed}")] {
        let (status, page) = page_as(&app, None, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains("Tổ dân phố 1"), "{path}");
        for name in &listed {
            assert!(page.contains(name.as_str()), "{path} lacks {name}");
        }
        assert!(
            !page.contains(&unlisted.full_name),
            "{path} lists {} who did not agree",
            unlisted.full_name
        );
        assert!(page.contains("Gửi yêu cầu"));
    }
    for (path, text) in [
        ("/v/ZZZZZZZZ", "Không tìm thấy thôn"),
        ("/v/abc", "Không tìm thấy thôn"),
        ("/v/%3Cscript%3E", "Không tìm thấy thôn"),
    ] {
        let (status, page) = page_as(&app, None, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains(text), "{path}: {page}");
    }

    // The status page: state and dates, never the name, phone or text.
    let typed = fresh_code.to_lowercase();
    for path in [
        format!("/tra-cuu/{}", fresh.tracking_code),
        format!("/tra-cuu/{typed}"),
    ] {
        let (status, page) = page_as(&app, None, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(&fresh_code), "{path}");
        assert!(page.contains("đã tiếp nhận, đang chờ tổ liên hệ"), "{path}");
        for private in [
            &fresh_name,
            &fresh_phone,
            &spaced,
            fresh.description.as_ref().unwrap(),
        ] {
            assert!(!page.contains(private.as_str()), "{path} shows {private}");
        }
    }
    let (status, page) = page_as(&app, None, "/tra-cuu/ZZZZ-ZZZZ").await;
    assert_eq!(status, 404);
    assert!(page.contains("Không tìm thấy yêu cầu với mã này"));
    let res = app
        .client
        .get(app.url("/tra-cuu?ma=abcd-2345"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/tra-cuu/ABCD2345");
    let (status, page) = page_as(&app, None, "/tra-cuu?ma=%3Cb%3Ex").await;
    assert_eq!(status, 422);
    assert!(page.contains("Mã tra cứu") && !page.contains("<b>x"));

    // Consent to be listed: the member themself withdraws it; another
    // team's leader may not touch it.
    let listing = format!("{c}/members/{}/listing", own.membership.id);
    let (status, _) = post_as(&app, Some(&other), &listing, &[]).await;
    assert_eq!(status, 403);
    assert!(store
        .listed_publicly(own.membership.person_id)
        .await
        .unwrap());
    let (status, _) = post_as(&app, Some(&routed), &listing, &[]).await;
    assert_eq!(status, 303);
    assert!(!store
        .listed_publicly(own.membership.person_id)
        .await
        .unwrap());
    let (_, page) = page_as(&app, None, &format!("/v/{code}")).await;
    assert!(
        !page.contains(&own.full_name),
        "a withdrawn consent still lists"
    );

    // A new village code: the team's leader may not; the officer may, and
    // the old code then says it expired, with the commune's contact.
    let renew = format!("{c}/villages/{village}/public-code");
    let leader_session = app.session_for("totruong").await;
    assert_eq!(
        post_as(&app, Some(&leader_session), &renew, &[]).await.0,
        403
    );
    assert_eq!(store.village_code(village).await.unwrap(), code);
    assert_eq!(post_as(&app, Some(&officer), &renew, &[]).await.0, 303);
    let new_code = store.village_code(village).await.unwrap();
    assert_ne!(new_code, code);
    let (status, page) = page_as(&app, None, &format!("/v/{code}")).await;
    assert_eq!(status, 404);
    assert!(page.contains("Mã thôn đã hết hiệu lực") && page.contains("Cát Hải"));
    let (status, page) = page_as(&app, None, &format!("/v/{new_code}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Tổ dân phố 1"));
    app.stop().await;
}

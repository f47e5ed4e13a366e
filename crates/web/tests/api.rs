//! The JSON API as a client meets it: the OpenAPI document describes every
//! route and is served with a reference page; the demo commune's figures
//! read with a token; an activity logged with an `Idempotency-Key` is
//! recorded once however often it is sent; corrections and duty days
//! follow the forms' rules; bad input, bad tokens and read tokens get
//! problem documents, never a 5xx. Every answer is checked against the
//! document's schema.

mod api_support;

use api_support::{call, check, check_path, document, token};
use serde_json::{json, Value};
use toso_store::TokenScope;
use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    the_demo_figures_read_with_a_token,
    a_write_with_a_key_is_recorded_once,
    writes_follow_the_forms_rules,
    bad_input_gets_problems,
    help_requests_through_the_api
);

/// Every route is served from the same list that describes it, the
/// document is served as it is built, and the reference page names every
/// route and every kind of problem.
#[tokio::test]
async fn the_document_describes_every_route() {
    // No route of the API is added beside the document (a plain axum
    // `.route(` would be served without being described).
    for (file, text) in [
        ("mod.rs", include_str!("../src/api/mod.rs")),
        ("figures.rs", include_str!("../src/api/figures.rs")),
        ("records.rs", include_str!("../src/api/records.rs")),
        ("writes.rs", include_str!("../src/api/writes.rs")),
        ("reference.rs", include_str!("../src/api/reference.rs")),
    ] {
        assert!(
            !text.contains(".route("),
            "api/{file} adds a route outside the OpenAPI document"
        );
    }
    let routes = toso_web::api::documented_routes();
    assert!(routes.len() >= 14, "{routes:?}");
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let app = TestApp::spawn(TestDb::new(Backend::Sqlite).await).await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, doc);
    let (status, page) = app.text("/api/v1/docs").await;
    assert_eq!(status, 200);
    for (method, path) in &routes {
        assert!(
            page.contains(&format!("{method} {path}")),
            "the reference page lacks {method} {path}"
        );
        // Every documented route is served: anonymous, it is refused (401)
        // or answered, never the API's "no such route".
        let url = app.url(
            &path
                .replace("{code}", "11914")
                .replace("{id}", "1")
                .replace("{key}", "members")
                .replace("{file}", "docx"),
        );
        let res = app
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("Không có đường dẫn API này"),
            "{method} {path} is documented but not served"
        );
        assert!(status < 500, "{method} {path}: {status}");
    }
    for kind in toso_web::api::ProblemKind::ALL {
        assert!(page.contains(&format!("id=\"problem-{}\"", kind.slug())));
    }
    // An unknown route is a problem too, signed in or not.
    for token in ["x", ""] {
        let (status, headers, body) = call(
            &app.client,
            "GET",
            &app.url("/api/v1/khong-co"),
            token,
            None,
            &[],
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(body["type"], "/api/v1/docs#problem-not-found");
    }
    app.stop().await;
}

/// The answers that are the store's records as they are (the store derives
/// their schema, feature `openapi`) keep their names and fields: a change
/// of the store's type that would change the API fails here, not in a
/// client.
#[test]
fn store_records_answered_as_they_are_keep_their_fields() {
    let doc = document();
    let pinned: [(&str, &[(&str, &str)]); 4] = [
        (
            "ActivityOut",
            &[
                ("id", "integer"),
                ("commune_code", "integer"),
                ("team_id", "integer"),
                ("village_id", "integer|null"),
                ("activity_date", "string"),
                ("category", "string"),
                ("citizens_helped", "integer"),
                ("dossiers", "integer"),
                ("note", "string|null"),
            ],
        ),
        (
            "DutyDayOut",
            &[
                ("id", "integer"),
                ("commune_code", "integer"),
                ("team_id", "integer"),
                ("held_on", "string"),
                ("place", "string"),
                ("note", "string|null"),
                ("members", "array"),
            ],
        ),
        (
            "DutyMemberOut",
            &[("person_id", "integer"), ("full_name", "string")],
        ),
        (
            "UnitRowOut",
            &[
                ("code", "integer"),
                ("name", "string"),
                ("kind", "string"),
                ("villages", "integer"),
                ("villages_with_team", "integer"),
                ("teams", "integer"),
                ("members", "integer"),
                ("quick_response_members", "integer"),
                ("citizens_helped", "integer"),
                ("dossiers", "integer"),
                ("trainees", "integer"),
                ("contest_registrations", "integer"),
                ("active_teams", "integer"),
                ("last_activity", "string|null"),
                ("communes", "integer"),
                ("communes_with_data", "integer"),
            ],
        ),
    ];
    for (name, fields) in pinned {
        let schema = &doc["components"]["schemas"][name];
        let properties = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} is not in the document"));
        let mut got: Vec<(String, String)> = properties
            .iter()
            .map(|(field, p)| {
                let kind = match &p["type"] {
                    Value::Array(kinds) => kinds
                        .iter()
                        .map(|k| k.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("|"),
                    Value::String(kind) => kind.clone(),
                    _ => p["$ref"].as_str().unwrap_or_default().to_string(),
                };
                (field.clone(), kind)
            })
            .collect();
        let mut want: Vec<(String, String)> = fields
            .iter()
            .map(|(f, k)| (f.to_string(), k.to_string()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}'s fields");
        // Every field is always present (none is skipped when empty).
        let mut required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        required.sort_unstable();
        let mut non_null: Vec<&str> = fields
            .iter()
            .filter(|(_, k)| !k.ends_with("|null"))
            .map(|(f, _)| *f)
            .collect();
        non_null.sort_unstable();
        assert_eq!(required, non_null, "{name}'s required fields");
    }
}

/// The README's example: the demo commune's indicators and the province's
/// table through the API, equal to the store's figures.
async fn the_demo_figures_read_with_a_token(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let officer = token(&app, "canboxa", TokenScope::Read).await;
    let path = "/api/v1/communes/{code}/indicators";
    let (status, headers, body) = call(
        &app.client,
        "GET",
        &app.url("/api/v1/communes/11914/indicators?as_of=2025-11-30"),
        &officer,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    check(&doc, "GET", path, 200, &body);
    let expected = app
        .db
        .store
        .indicators(
            toso_domain::Node::Commune(11914),
            toso_testkit::d(2025, 11, 30),
        )
        .await
        .unwrap();
    assert_eq!(body["node"], "commune:11914");
    assert_eq!(body["as_of"], "2025-11-30");
    let find = |key: &str| {
        body["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("villages")["value"], 58);
    assert_eq!(find("coverage")["numerator"], 58);
    assert_eq!(find("coverage")["denominator"], 58);
    assert_eq!(find("contest_registrations")["display"], "1.440");
    assert_eq!(
        body["indicators"].as_array().unwrap().len(),
        expected.indicators.len()
    );
    // The records behind a figure, a page at a time.
    let (status, _, records) = call(
        &app.client,
        "GET",
        &app.url("/api/v1/indicators/villages/records?node=commune:11914&as_of=2025-11-30&per_page=10&page=2"),
        &officer,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{records}");
    check(
        &doc,
        "GET",
        "/api/v1/indicators/{key}/records",
        200,
        &records,
    );
    assert_eq!(records["total"], 58);
    assert_eq!(records["records"].as_array().unwrap().len(), 10);
    // The province's officer reads the province's table; its totals are
    // the province's own figures.
    let province = token(&app, "sokhcn", TokenScope::Read).await;
    let (status, _, table) = call(
        &app.client,
        "GET",
        &app.url("/api/v1/provinces/31/table?as_of=2025-11-30"),
        &province,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{table}");
    check(&doc, "GET", "/api/v1/provinces/{code}/table", 200, &table);
    let rows = table["rows"].as_array().unwrap();
    let cat_hai = rows.iter().find(|r| r["code"] == 11914).unwrap();
    assert_eq!(cat_hai["villages"], 58);
    assert_eq!(cat_hai["members"], toso_demo::VILLAGE_MEMBERS as i64);
    assert_eq!(
        rows.len(),
        app.db.store.communes_of(31).await.unwrap().len(),
        "every commune, with or without data"
    );
    assert_eq!(table["totals"]["villages"], 58);
    // The tree: provinces, communes, villages.
    for (path, url, len) in [
        ("/api/v1/provinces", "/api/v1/provinces", Some(1)),
        (
            "/api/v1/provinces/{code}/communes",
            "/api/v1/provinces/31/communes",
            None,
        ),
        (
            "/api/v1/communes/{code}/villages",
            "/api/v1/communes/11914/villages",
            Some(58),
        ),
        ("/api/v1/communes/{code}", "/api/v1/communes/11914", None),
        (
            "/api/v1/communes/{code}/activities",
            "/api/v1/communes/11914/activities?by=category",
            None,
        ),
        (
            "/api/v1/indicators",
            "/api/v1/indicators?node=province:31&from=2025-11-01&as_of=2025-11-30",
            None,
        ),
    ] {
        let (status, _, body) = call(&app.client, "GET", &app.url(url), &province, None, &[]).await;
        assert_eq!(status, 200, "{url}: {body}");
        check(&doc, "GET", path, 200, &body);
        if let Some(len) = len {
            assert_eq!(body.as_array().unwrap().len(), len, "{url}");
        }
    }
    // The Ministry reads the nation's table; a commune's officer may not.
    let ministry = token(&app, "bokhcn", TokenScope::Read).await;
    let (status, _, nation) = call(
        &app.client,
        "GET",
        &app.url("/api/v1/nation/table?as_of=2025-11-30"),
        &ministry,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{nation}");
    check(&doc, "GET", "/api/v1/nation/table", 200, &nation);
    assert_eq!(nation["rows"].as_array().unwrap().len(), 34);
    let (status, _, refused) = call(
        &app.client,
        "GET",
        &app.url("/api/v1/nation/table"),
        &officer,
        None,
        &[],
    )
    .await;
    assert_eq!(status, 403);
    check(&doc, "GET", "/api/v1/nation/table", 403, &refused);
    assert_eq!(refused["type"], "/api/v1/docs#problem-forbidden");
    assert_eq!(refused["instance"], "/api/v1/nation/table");
    app.stop().await;
}

/// The activities of the demo's team leader's team.
async fn team_activities(app: &TestApp) -> (i64, usize) {
    let store = &app.db.store;
    let leader = toso_testkit::account(store, "totruong").await;
    let team = leader.team_id.unwrap();
    let count = store
        .activities(11914, toso_testkit::d(2000, 1, 1), toso_store::today())
        .await
        .unwrap()
        .iter()
        .filter(|a| a.team_id == team)
        .count();
    (team, count)
}

/// Logging with a key: the first send records, a repeat returns the same
/// answer (`Idempotent-Replayed`) and records nothing, the key on another
/// body is refused, a new key records a second activity.
async fn a_write_with_a_key_is_recorded_once(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let member = token(&app, "thanhvien", TokenScope::Write).await;
    let (team, before) = team_activities(&app).await;
    let url = app.url(&format!("/api/v1/communes/11914/teams/{team}/activities"));
    let path = "/api/v1/communes/{code}/teams/{id}/activities";
    let today = toso_store::today().to_string();
    let entry = json!({"activity_date": today, "category": "vneid", "citizens_helped": 3, "dossiers": 1, "note": "Cài VNeID mức 2"});
    let key = [("Idempotency-Key", "3b1f6c1e-0d7a-4c7e-9a7e-1c2d3e4f5a6b")];
    let (status, headers, first) =
        call(&app.client, "POST", &url, &member, Some(&entry), &key).await;
    assert_eq!(status, 201, "{first}");
    check(&doc, "POST", path, 201, &first);
    assert!(headers.get("idempotent-replayed").is_none());
    assert_eq!(first["citizens_helped"], 3);
    assert_eq!(first["team_id"], team);
    let (status, headers, again) =
        call(&app.client, "POST", &url, &member, Some(&entry), &key).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first, "the first answer, again");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(team_activities(&app).await.1, before + 1, "recorded once");
    // The same key for another entry is refused and records nothing.
    let other = json!({"activity_date": today, "category": "vneid", "citizens_helped": 5});
    let (status, _, refused) = call(&app.client, "POST", &url, &member, Some(&other), &key).await;
    assert_eq!(status, 422, "{refused}");
    check(&doc, "POST", path, 422, &refused);
    assert_eq!(refused["type"], "/api/v1/docs#problem-idempotency-mismatch");
    assert_eq!(refused["field"], "Idempotency-Key");
    // A refused request keeps nothing: its key carries the corrected one.
    let bad = json!({"activity_date": today, "category": "vneid", "citizens_helped": -1});
    let fresh = [("Idempotency-Key", "second-key-1")];
    let (status, _, refused) = call(&app.client, "POST", &url, &member, Some(&bad), &fresh).await;
    assert_eq!(status, 422);
    assert_eq!(refused["field"], "citizens_helped");
    let (status, _, second) = call(&app.client, "POST", &url, &member, Some(&other), &fresh).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);
    // Without a key, each send records (as the plain form without its id).
    assert_eq!(team_activities(&app).await.1, before + 2);
    // The audit log holds one row per activity written.
    let audit = app
        .db
        .store
        .audit_of("activity", first["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    app.stop().await;
}

/// Who may write what, as on the forms: a read token and a browser session
/// may not write; a member logs for their own team only; a correction
/// after the edit window is the officer's; duty days are the leader's.
async fn writes_follow_the_forms_rules(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let (team, before) = team_activities(&app).await;
    let url = app.url(&format!("/api/v1/communes/11914/teams/{team}/activities"));
    let path = "/api/v1/communes/{code}/teams/{id}/activities";
    let today = toso_store::today().to_string();
    let entry = json!({"activity_date": today, "category": "vneid", "citizens_helped": 2});
    let read = token(&app, "thanhvien", TokenScope::Read).await;
    let (status, _, refused) = call(&app.client, "POST", &url, &read, Some(&entry), &[]).await;
    assert_eq!(status, 403, "{refused}");
    check(&doc, "POST", path, 403, &refused);
    assert_eq!(refused["type"], "/api/v1/docs#problem-read-only-token");
    // A browser session (no token) may read, not write.
    app.login("thanhvien").await;
    let res = app
        .client
        .post(&url)
        .header(
            "cookie",
            format!("toso_session={}", app.session.clone().unwrap()),
        )
        .json(&entry)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(team_activities(&app).await.1, before, "nothing written");
    // Another team's member may not log for this team.
    let store = &app.db.store;
    let other_team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team && t.dissolved_on.is_none())
        .unwrap();
    let member = token(&app, "thanhvien", TokenScope::Write).await;
    let other_url = app.url(&format!(
        "/api/v1/communes/11914/teams/{}/activities",
        other_team.id
    ));
    let (status, _, refused) =
        call(&app.client, "POST", &other_url, &member, Some(&entry), &[]).await;
    assert_eq!(status, 403, "{refused}");
    // The member corrects their own entry.
    let (status, _, logged) = call(&app.client, "POST", &url, &member, Some(&entry), &[]).await;
    assert_eq!(status, 201, "{logged}");
    let id = logged["id"].as_i64().unwrap();
    let fix_url = app.url(&format!("/api/v1/communes/11914/activities/{id}"));
    let fix =
        json!({"activity_date": today, "category": "vneid", "citizens_helped": 4, "dossiers": 2});
    let (status, _, fixed) = call(&app.client, "PUT", &fix_url, &member, Some(&fix), &[]).await;
    assert_eq!(status, 200, "{fixed}");
    check(
        &doc,
        "PUT",
        "/api/v1/communes/{code}/activities/{id}",
        200,
        &fixed,
    );
    assert_eq!(fixed["citizens_helped"], 4);
    assert_eq!(store.activity(id).await.unwrap().dossiers, 2);
    // An entry of the demo's past (logged by nobody's account) is the
    // officer's to correct.
    let old = store
        .activities(11914, toso_testkit::d(2000, 1, 1), toso_store::today())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id != id && a.team_id == team)
        .unwrap();
    let old_url = app.url(&format!("/api/v1/communes/11914/activities/{}", old.id));
    let old_fix = json!({"activity_date": old.activity_date.to_string(), "category": old.category, "citizens_helped": old.citizens_helped + 1});
    let (status, _, refused) =
        call(&app.client, "PUT", &old_url, &member, Some(&old_fix), &[]).await;
    assert_eq!(status, 403, "{refused}");
    let officer = token(&app, "canboxa", TokenScope::Write).await;
    let (status, _, fixed) =
        call(&app.client, "PUT", &old_url, &officer, Some(&old_fix), &[]).await;
    assert_eq!(status, 200, "{fixed}");
    // The province's officer reads the commune but writes nothing in it.
    let province = token(&app, "sokhcn", TokenScope::Write).await;
    let (status, _, _) = call(&app.client, "PUT", &old_url, &province, Some(&old_fix), &[]).await;
    assert_eq!(status, 403);
    // Duty days: the leader records one; a member may not.
    let leader = token(&app, "totruong", TokenScope::Write).await;
    let people: Vec<i64> = store
        .team_members(team, Some(toso_store::today()))
        .await
        .unwrap()
        .iter()
        .map(|m| m.membership.person_id)
        .collect();
    let duty_url = app.url(&format!("/api/v1/communes/11914/teams/{team}/duty-days"));
    let duty = json!({"held_on": today, "place": "Bộ phận một cửa", "members": [people[0]]});
    let (status, _, refused) =
        call(&app.client, "POST", &duty_url, &member, Some(&duty), &[]).await;
    assert_eq!(status, 403, "{refused}");
    let (status, _, day) = call(&app.client, "POST", &duty_url, &leader, Some(&duty), &[]).await;
    assert_eq!(status, 201, "{day}");
    check(
        &doc,
        "POST",
        "/api/v1/communes/{code}/teams/{id}/duty-days",
        201,
        &day,
    );
    assert_eq!(day["members"][0]["person_id"], people[0]);
    app.stop().await;
}

/// Bad input of every kind: the right 4xx with a problem document naming
/// the parameter or field, never a 5xx, nothing written.
async fn bad_input_gets_problems(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let officer = token(&app, "canboxa", TokenScope::Write).await;
    let (team, before) = team_activities(&app).await;
    let elsewhere = app.db.store.communes_of(1).await.unwrap()[0].code;
    let elsewhere = format!("/api/v1/communes/{elsewhere}");
    let get_cases: &[(&str, &str, u16, Option<&str>)] = &[
        (
            "/api/v1/communes/{code}/indicators",
            "/api/v1/communes/11914/indicators?as_of=2025-13-45",
            422,
            Some("as_of"),
        ),
        (
            "/api/v1/communes/{code}/indicators",
            "/api/v1/communes/11914/indicators?asof=2025-11-30",
            422,
            Some("asof"),
        ),
        (
            "/api/v1/communes/{code}/indicators",
            "/api/v1/communes/11914/indicators?from=2025-12-01&as_of=2025-11-30",
            422,
            Some("from"),
        ),
        (
            "/api/v1/indicators",
            "/api/v1/indicators",
            422,
            Some("node"),
        ),
        (
            "/api/v1/indicators",
            "/api/v1/indicators?node=commune:abc",
            422,
            Some("node"),
        ),
        (
            "/api/v1/indicators/{key}/records",
            "/api/v1/indicators/members/records?node=commune:11914&per_page=100000",
            422,
            Some("per_page"),
        ),
        (
            "/api/v1/indicators/{key}/records",
            "/api/v1/indicators/members/records?node=commune:11914&page=-1",
            422,
            Some("page"),
        ),
        (
            "/api/v1/indicators/{key}/records",
            "/api/v1/indicators/khong_co/records?node=commune:11914",
            422,
            None,
        ),
        (
            "/api/v1/communes/{code}",
            "/api/v1/communes/99999999",
            422,
            None,
        ),
        ("/api/v1/communes/{code}", &elsewhere, 403, None),
        (
            "/api/v1/communes/{code}/activities",
            "/api/v1/communes/11914/activities?by=year",
            422,
            Some("by"),
        ),
        (
            "/api/v1/provinces/{code}/table",
            "/api/v1/provinces/1/table",
            403,
            None,
        ),
    ];
    for (path, url, expected, field) in get_cases {
        let (status, headers, body) =
            call(&app.client, "GET", &app.url(url), &officer, None, &[]).await;
        assert!(
            status == *expected || (status == 404 && *expected == 422),
            "{url}: {status} {body}"
        );
        assert_eq!(headers["content-type"], "application/problem+json", "{url}");
        check(&doc, "GET", path, status, &body);
        assert!(!body["detail"].as_str().unwrap().is_empty());
        if let Some(field) = field {
            assert_eq!(body["field"], *field, "{url}: {body}");
        }
    }
    // Tokens: none, unknown, malformed.
    for bad in [
        "",
        "toso_0000",
        "not a token",
        "toso_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ] {
        let (status, _, body) = call(
            &app.client,
            "GET",
            &app.url("/api/v1/communes/11914"),
            bad,
            None,
            &[],
        )
        .await;
        assert_eq!(status, 401, "{bad}: {body}");
        check(&doc, "GET", "/api/v1/communes/{code}", 401, &body);
        assert_eq!(body["type"], "/api/v1/docs#problem-unauthenticated");
    }
    // Writes: wrong media type, bad JSON, unknown fields, wrong types,
    // out-of-range values, a future date, a bad key, another commune's team.
    let url = app.url(&format!("/api/v1/communes/11914/teams/{team}/activities"));
    let path = "/api/v1/communes/{code}/teams/{id}/activities";
    let res = app
        .client
        .post(&url)
        .bearer_auth(&officer)
        .body("activity_date=2025-11-20")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let body: Value = res.json().await.unwrap();
    check(&doc, "POST", path, 415, &body);
    let res = app
        .client
        .post(&url)
        .bearer_auth(&officer)
        .body("{\"activity_date\": ")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let today = toso_store::today();
    let body_cases: Vec<(Value, &str)> = vec![
        (
            json!({"activity_date": today.to_string(), "category": "vneid", "citizens_helped": 1, "hacked": true}),
            "hacked",
        ),
        (
            json!({"activity_date": today.to_string(), "category": "vneid", "citizens_helped": "ba"}),
            "citizens_helped",
        ),
        (
            json!({"activity_date": "2025-02-30", "category": "vneid", "citizens_helped": 1}),
            "activity_date",
        ),
        (
            json!({"category": "vneid", "citizens_helped": 1}),
            "activity_date",
        ),
        (
            json!({"activity_date": (today + chrono::Days::new(3)).to_string(), "category": "vneid", "citizens_helped": 1}),
            "activity_date",
        ),
        (
            json!({"activity_date": today.to_string(), "category": "khong_co", "citizens_helped": 1}),
            "category",
        ),
        (
            json!({"activity_date": today.to_string(), "category": "vneid", "citizens_helped": 99999999}),
            "citizens_helped",
        ),
        (
            json!({"activity_date": today.to_string(), "category": "vneid", "citizens_helped": 1, "co_members": [999999]}),
            "co_members",
        ),
        (json!([1, 2, 3]), "body"),
    ];
    for (body, field) in &body_cases {
        let (status, _, problem) = call(&app.client, "POST", &url, &officer, Some(body), &[]).await;
        assert_eq!(status, 422, "{body}: {problem}");
        check(&doc, "POST", path, 422, &problem);
        assert_eq!(problem["field"], *field, "{body}: {problem}");
    }
    let good =
        json!({"activity_date": today.to_string(), "category": "vneid", "citizens_helped": 1});
    for key in ["", "có dấu", &"k".repeat(300)] {
        let (status, _, problem) = call(
            &app.client,
            "POST",
            &url,
            &officer,
            Some(&good),
            &[("Idempotency-Key", key)],
        )
        .await;
        assert_eq!(status, 422, "{key:?}: {problem}");
        assert_eq!(problem["field"], "Idempotency-Key");
    }
    let elsewhere = app.url("/api/v1/communes/11914/teams/999999/activities");
    let (status, _, problem) =
        call(&app.client, "POST", &elsewhere, &officer, Some(&good), &[]).await;
    assert_eq!(status, 404, "{problem}");
    check(&doc, "POST", path, 404, &problem);
    let (status, _, _) = call(&app.client, "DELETE", &url, &officer, None, &[]).await;
    assert_eq!(status, 405);
    assert_eq!(team_activities(&app).await.1, before, "nothing written");
    app.stop().await;
}

/// Citizens' requests through the API, as on the requests pages: the team
/// they are routed to reads its queue with the citizen's name and phone,
/// the province reads it without them and writes nothing; a take under a
/// key is recorded once; closing as done records the team's activity; a
/// closed request cannot be closed again; a hand-over moves the request
/// to the quick-response team, out of the member's reach.
async fn help_requests_through_the_api(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let store = &app.db.store;
    let member = token(&app, "thanhvien", TokenScope::Write).await;
    let province = token(&app, "sokhcn", TokenScope::Write).await;
    let get = |path: String, token: String| {
        let app = &app;
        let doc = &doc;
        async move {
            let (status, _, body) =
                call(&app.client, "GET", &app.url(&path), &token, None, &[]).await;
            if status < 500 {
                check_path(doc, "GET", &path, status, &body);
            }
            (status, body)
        }
    };
    let queue_path = "/api/v1/communes/11914/help-requests".to_string();
    // The demo's two requests are routed to the member's team: one sent
    // today, one sent ten days ago and escalated by the clock.
    let (status, queue) = get(queue_path.clone(), member.clone()).await;
    assert_eq!(status, 200, "{queue}");
    let requests = queue["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{queue:#}");
    assert_eq!(queue["open"], 2);
    let fresh = requests
        .iter()
        .find(|r| r["escalated_at"].is_null())
        .unwrap()
        .clone();
    let old = requests
        .iter()
        .find(|r| r["escalation"] == "overdue")
        .unwrap()
        .clone();
    assert_eq!(fresh["state"], "new");
    assert_eq!(fresh["may_act"], true);
    assert_eq!(fresh["citizen"]["name"], "Trần Thị Mẫu");
    assert_eq!(fresh["citizen"]["phone"], "0912000102");
    assert_eq!(fresh["category"], "vneid");
    assert_eq!(old["overdue"], true);
    // The province reads the queue, never the citizens.
    let (status, seen) = get(queue_path.clone(), province.clone()).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["requests"].as_array().unwrap().len(), 2);
    for r in seen["requests"].as_array().unwrap() {
        assert!(r["citizen"].is_null(), "{r}");
        assert_eq!(r["may_act"], false);
    }
    assert!(!seen.to_string().contains("0912000102"));
    // Filters, and their refusals beside the parameter.
    let (_, only_overdue) = get(format!("{queue_path}?overdue=true"), member.clone()).await;
    let ids: Vec<&Value> = only_overdue["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, vec![&old["id"]]);
    let (_, done) = get(format!("{queue_path}?state=done"), member.clone()).await;
    assert!(done["requests"].as_array().unwrap().is_empty());
    for (query, field) in [
        ("state=xong", "state"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("overdue=yes", "overdue"),
        ("page=2", "page"),
    ] {
        let (status, refused) = get(format!("{queue_path}?{query}"), member.clone()).await;
        assert_eq!(status, 422, "{query}: {refused}");
        assert_eq!(refused["field"], field, "{query}");
    }
    // One request: the citizen for the team, not for the province.
    let id = fresh["id"].as_i64().unwrap();
    let one = format!("{queue_path}/{id}");
    let (status, mine) = get(one.clone(), member.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        mine["citizen"]["description"],
        "Kích hoạt tài khoản định danh điện tử mức 2"
    );
    let (status, theirs) = get(one.clone(), province.clone()).await;
    assert_eq!(status, 200);
    assert!(theirs["citizen"].is_null());
    let (status, missing) = get(format!("{queue_path}/999999"), member.clone()).await;
    assert_eq!(status, 404, "{missing}");
    // The province may not take it; the member takes it once under a key.
    let take_url = app.url(&format!("{one}/take"));
    let take_path = "/api/v1/communes/{code}/help-requests/{id}/take";
    let (status, _, refused) = call(&app.client, "POST", &take_url, &province, None, &[]).await;
    assert_eq!(status, 403, "{refused}");
    check(&doc, "POST", take_path, 403, &refused);
    let key = [("Idempotency-Key", "take-0001")];
    let (status, headers, taken) = call(&app.client, "POST", &take_url, &member, None, &key).await;
    assert_eq!(status, 200, "{taken}");
    check(&doc, "POST", take_path, 200, &taken);
    assert!(headers.get("idempotent-replayed").is_none());
    assert_eq!(taken["state"], "in_progress");
    let name = toso_testkit::account(store, "thanhvien").await.full_name;
    assert_eq!(taken["assignee_name"], name.as_str());
    assert!(!taken["first_response_at"].is_null());
    let (status, headers, again) = call(&app.client, "POST", &take_url, &member, None, &key).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, taken);
    assert_eq!(headers["idempotent-replayed"], "true");
    // Without the key, a second take is refused beside the state.
    let (status, _, refused) = call(
        &app.client,
        "POST",
        &take_url,
        &member,
        Some(&json!({})),
        &[],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["field"], "state");
    let takes = store
        .audit_of("help_request", id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "take")
        .count();
    assert_eq!(takes, 1);
    // Done: the team's activity of the day is recorded with it.
    let done_url = app.url(&format!("{one}/done"));
    let done_path = "/api/v1/communes/{code}/help-requests/{id}/done";
    let (status, _, refused) = call(
        &app.client,
        "POST",
        &done_url,
        &member,
        Some(&json!({})),
        &[],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    check(&doc, "POST", done_path, 422, &refused);
    assert_eq!(refused["field"], "citizens_helped");
    let (status, _, refused) = call(
        &app.client,
        "POST",
        &done_url,
        &member,
        Some(&json!({"citizens_helped": 0})),
        &[],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["field"], "citizens_helped");
    let body = json!({"citizens_helped": 2, "dossiers": 1, "note": "Đã kích hoạt mức 2"});
    let (status, _, closed) = call(&app.client, "POST", &done_url, &member, Some(&body), &[]).await;
    assert_eq!(status, 200, "{closed}");
    check(&doc, "POST", done_path, 200, &closed);
    assert_eq!(closed["state"], "done");
    let activity = store
        .activity(closed["activity_id"].as_i64().unwrap())
        .await
        .unwrap();
    let (team, _) = team_activities(&app).await;
    assert_eq!(
        (
            activity.team_id,
            activity.citizens_helped,
            activity.dossiers
        ),
        (team, 2, 1)
    );
    assert_eq!(activity.category, "vneid");
    let (status, _, refused) =
        call(&app.client, "POST", &done_url, &member, Some(&body), &[]).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["field"], "state");
    // The old request handed to the quick-response team: out of the
    // member's reach afterwards.
    let old_id = old["id"].as_i64().unwrap();
    let unable_url = app.url(&format!("{queue_path}/{old_id}/unable"));
    let unable_path = "/api/v1/communes/{code}/help-requests/{id}/unable";
    let (status, _, refused) = call(
        &app.client,
        "POST",
        &unable_url,
        &member,
        Some(&json!({"reason": "  "})),
        &[],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["field"], "reason");
    let body =
        json!({"reason": "Cần làm tại Trung tâm Phục vụ hành chính công", "hand_over": true});
    let (status, _, handed) =
        call(&app.client, "POST", &unable_url, &member, Some(&body), &[]).await;
    assert_eq!(status, 200, "{handed}");
    check(&doc, "POST", unable_path, 200, &handed);
    assert_eq!(handed["state"], "new");
    assert_eq!(handed["escalation"], "handed");
    assert_eq!(handed["may_act"], false);
    assert!(handed["citizen"].is_null());
    let (status, _, refused) =
        call(&app.client, "POST", &unable_url, &member, Some(&body), &[]).await;
    assert_eq!(status, 403, "{refused}");
    app.stop().await;
}

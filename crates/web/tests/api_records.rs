//! A commune's records through the API, read with tokens on the demo
//! commune (Cát Hải, 11914): the teams with their member counts, one team
//! with its members (phones as the team page shows them), the documents,
//! the training courses, the campaigns, the contests with their
//! registrations, the report versions and their files — each equal to
//! what the store holds, each answer checked against the OpenAPI
//! document's schema; the team page's rule (a member reads their own team
//! only), another commune's ids not found, and bad parameters refused with
//! a problem naming them.

mod api_support;

use std::collections::HashMap;

use api_support::{call, check, document};
use serde_json::Value;
use toso_domain::{IndicatorCode, IndicatorValue, Node};
use toso_store::TokenScope;
use toso_testkit::{actor, both_backends, d, Backend, TeamBuilder, TestApp, TestDb};

both_backends!(
    the_lists_equal_the_store,
    a_team_is_read_by_its_people_only,
    report_versions_and_their_files,
    bad_parameters_get_problems
);

const C: &str = "/api/v1/communes/11914";

/// A new read token of the demo user `login`.
async fn token(app: &TestApp, login: &str) -> String {
    api_support::token(app, login, TokenScope::Read).await
}

/// GET `url` with `token`, checked against the document for `path`: the
/// status and the body.
async fn get(app: &TestApp, doc: &Value, token: &str, path: &str, url: &str) -> (u16, Value) {
    let (status, headers, body) = call(&app.client, "GET", &app.url(url), token, None, &[]).await;
    assert!(status < 500, "{url}: {status} {body}");
    let kind = headers["content-type"].to_str().unwrap();
    if status < 400 {
        assert!(kind.starts_with("application/json"), "{url}: {kind}");
    } else {
        assert_eq!(kind, "application/problem+json", "{url}");
        assert_eq!(body["status"], status, "{url}: {body}");
    }
    check(doc, "GET", path, status, &body);
    (status, body)
}

/// The demo team of the demo leader and member (Tổ dân phố 1's).
async fn demo_team(app: &TestApp) -> i64 {
    let user = toso_testkit::account(&app.db.store, "totruong").await;
    user.team_id.unwrap()
}

async fn the_lists_equal_the_store(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let doc = document();
    let officer = token(&app, "canboxa").await;
    let today = toso_store::today();

    // Teams: every team of the commune, counted today and on a past day.
    let path = "/api/v1/communes/{code}/teams";
    let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/teams")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], today.to_string());
    let teams = store.teams(11914).await.unwrap();
    let listed = body["teams"].as_array().unwrap();
    assert_eq!(listed.len(), teams.len());
    assert!(teams.len() > 3, "the demo has its teams");
    let counts: HashMap<i64, i64> = store
        .team_member_counts(11914, today)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let villages: HashMap<i64, String> = store
        .villages(11914, None)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    for (t, out) in teams.iter().zip(listed) {
        assert_eq!(out["id"], t.id);
        assert_eq!(out["name"], t.name.as_str());
        assert_eq!(out["kind"], t.kind.code());
        assert_eq!(out["members"], counts.get(&t.id).copied().unwrap_or(0));
        assert_eq!(out["established_on"], t.established_on.to_string());
        assert_eq!(out["active"], t.is_active_on(today));
        assert_eq!(out["zalo_link"].as_str(), t.zalo_link.as_deref());
        assert_eq!(
            out["village_name"].as_str(),
            t.village_id.map(|v| villages[&v].as_str())
        );
        assert_eq!(out["decision"]["id"].as_i64(), t.decision_id);
    }
    let members: i64 = listed.iter().map(|t| t["members"].as_i64().unwrap()).sum();
    assert!(members > 0);
    let day = d(2025, 11, 30);
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/teams?as_of=2025-11-30"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], "2025-11-30");
    let counts: HashMap<i64, i64> = store
        .team_member_counts(11914, day)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for out in body["teams"].as_array().unwrap() {
        let id = out["id"].as_i64().unwrap();
        assert_eq!(out["members"], counts.get(&id).copied().unwrap_or(0));
    }

    // Documents, all and filtered as on the page.
    let path = "/api/v1/communes/{code}/documents";
    let docs = store.documents(11914, &Default::default()).await.unwrap();
    let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/documents")).await;
    assert_eq!(status, 200, "{body}");
    let listed = body.as_array().unwrap();
    assert_eq!(listed.len(), docs.len());
    assert!(!docs.is_empty());
    for (d, out) in docs.iter().zip(listed) {
        assert_eq!(out["id"], d.id);
        assert_eq!(out["number"], d.doc_number.as_str());
        assert_eq!(out["kind"], d.kind.code());
        assert_eq!(out["issued_on"], d.issued_on.to_string());
        assert_eq!(out["issuer"], d.issuer.as_str());
        assert_eq!(out["subject"], d.subject.as_str());
        assert_eq!(out["citation"], d.citation());
        let established = store.teams_established_by(d.id).await.unwrap().len();
        assert_eq!(out["teams_established"], established);
    }
    let decisions = docs
        .iter()
        .filter(|d| d.kind == toso_domain::DocumentKind::QuyetDinh)
        .count();
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/documents?kind=quyet_dinh"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), decisions);
    assert!(decisions > 0);
    let (_, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/documents?year=1999"),
    )
    .await;
    assert_eq!(body, Value::Array(vec![]));

    // Training courses with their participants counted.
    let path = "/api/v1/communes/{code}/training";
    let courses = store.courses(11914).await.unwrap();
    let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/training")).await;
    assert_eq!(status, 200, "{body}");
    let listed = body.as_array().unwrap();
    assert_eq!(listed.len(), courses.len());
    assert!(!courses.is_empty());
    for (c, out) in courses.iter().zip(listed) {
        assert_eq!(out["id"], c.id);
        assert_eq!(out["title"], c.title.as_str());
        assert_eq!(out["starts_on"], c.starts_on.to_string());
        assert_eq!(
            out["ends_on"].as_str(),
            c.ends_on.map(|e| e.to_string()).as_deref()
        );
        assert_eq!(out["mode"], c.mode.code());
        assert_eq!(out["registered"], c.registered());
        assert_eq!(out["completed"], c.completed());
        assert_eq!(out["members_registered"], c.participants.len());
        assert_eq!(out["officials_registered"], c.officials_registered);
        assert_eq!(out["citizens_completed"], c.citizens_completed);
        assert_eq!(out["document"]["id"].as_i64(), c.document_id);
    }

    // Campaigns with the members named on them.
    let path = "/api/v1/communes/{code}/campaigns";
    let campaigns = store.campaigns(11914).await.unwrap();
    let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/campaigns")).await;
    assert_eq!(status, 200, "{body}");
    let listed = body.as_array().unwrap();
    assert_eq!(listed.len(), campaigns.len());
    assert!(!campaigns.is_empty());
    let mut named = 0;
    for (c, out) in campaigns.iter().zip(listed) {
        assert_eq!(out["id"], c.id);
        assert_eq!(out["name"], c.name.as_str());
        assert_eq!(out["held_on"], c.held_on.to_string());
        assert_eq!(out["participants"], c.participants);
        assert_eq!(out["citizens_reached"], c.citizens_reached);
        assert_eq!(out["partners"].as_array().unwrap().len(), c.partners.len());
        assert_eq!(out["villages"].as_array().unwrap().len(), c.villages.len());
        let n = store.campaign_members(c.id).await.unwrap().len();
        assert_eq!(out["members_named"], n);
        named += n;
    }
    assert!(named > 0, "the demo names members on a campaign");

    // Contests: the commune's figure and each contest's registrations.
    let path = "/api/v1/communes/{code}/contests";
    for (query, day) in [("", today), ("?as_of=2025-11-30", day)] {
        let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/contests{query}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["as_of"], day.to_string());
        let IndicatorValue::Count { value } = store
            .indicator(
                IndicatorCode::ContestRegistrations,
                Node::Commune(11914),
                day,
            )
            .await
            .unwrap()
        else {
            panic!("a count")
        };
        assert_eq!(body["total"], value);
        let contests = store.contests(11914).await.unwrap();
        let listed = body["contests"].as_array().unwrap();
        assert_eq!(listed.len(), contests.len());
        for (c, out) in contests.iter().zip(listed) {
            let regs = store.registrations(c.id).await.unwrap();
            let shown: Vec<_> = regs.iter().filter(|r| r.registered_on <= day).collect();
            let sum: i64 = shown.iter().map(|r| i64::from(r.count)).sum();
            assert_eq!(out["name"], c.name.as_str());
            assert_eq!(out["registrations"], sum);
            assert_eq!(out["entries"].as_array().unwrap().len(), shown.len());
            assert_eq!(out["later_entries"], regs.len() - shown.len());
            let by_group: i64 = out["by_group"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["count"].as_i64().unwrap())
                .sum();
            assert_eq!(by_group, sum);
        }
    }
    let contests = store.contests(11914).await.unwrap();
    assert!(!contests.is_empty());
    assert!(value_of(&app, &doc, &officer).await > 0);

    // The province's officer reads them too; a team's people do not.
    let province = token(&app, "sokhcn").await;
    let (status, _) = get(
        &app,
        &doc,
        &province,
        "/api/v1/communes/{code}/teams",
        &format!("{C}/teams"),
    )
    .await;
    assert_eq!(status, 200);
    for login in ["totruong", "thanhvien"] {
        let t = token(&app, login).await;
        for route in [
            "teams",
            "documents",
            "training",
            "campaigns",
            "contests",
            "reports",
        ] {
            let path = format!("/api/v1/communes/{{code}}/{route}");
            let (status, body) = get(&app, &doc, &t, &path, &format!("{C}/{route}")).await;
            assert_eq!(status, 403, "{login} {route}: {body}");
            assert_eq!(body["type"], "/api/v1/docs#problem-forbidden");
        }
    }
    app.stop().await;
}

/// The commune's registrations today, through the API.
async fn value_of(app: &TestApp, doc: &Value, token: &str) -> i64 {
    let (_, body) = get(
        app,
        doc,
        token,
        "/api/v1/communes/{code}/contests",
        &format!("{C}/contests"),
    )
    .await;
    body["total"].as_i64().unwrap()
}

async fn a_team_is_read_by_its_people_only(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = &app.db.store;
    let doc = document();
    let path = "/api/v1/communes/{code}/teams/{id}";
    let today = toso_store::today();
    let team = demo_team(&app).await;
    let members = store.team_members(team, Some(today)).await.unwrap();
    assert!(members.len() >= 3);
    assert!(
        members.iter().all(|m| m.phone.is_some()),
        "the demo's members have phones"
    );

    // Everyone who sees the team's page reads it, with the phones the page
    // shows them.
    for login in ["canboxa", "sokhcn", "bokhcn", "totruong", "thanhvien"] {
        let t = token(&app, login).await;
        let (status, body) = get(&app, &doc, &t, path, &format!("{C}/teams/{team}")).await;
        assert_eq!(status, 200, "{login}: {body}");
        assert_eq!(body["team"]["id"], team);
        assert_eq!(body["team"]["members"], members.len());
        assert_eq!(
            body["phones_shown"], true,
            "{login}: the team page shows phones"
        );
        let listed = body["members"].as_array().unwrap();
        assert_eq!(listed.len(), members.len());
        for (m, out) in members.iter().zip(listed) {
            assert_eq!(out["membership_id"], m.membership.id);
            assert_eq!(out["person_id"], m.membership.person_id);
            assert_eq!(out["full_name"], m.full_name.as_str());
            assert_eq!(out["role"], m.membership.role.code());
            assert_eq!(out["affiliation"], m.membership.affiliation.code());
            assert_eq!(out["gender"].as_str(), m.gender.as_deref());
            assert_eq!(out["birth_year"].as_i64(), m.birth_year.map(i64::from));
            assert_eq!(out["phone"].as_str(), m.phone.as_deref());
            assert_eq!(out["started_on"], m.membership.started_on.to_string());
        }
        assert_eq!(listed[0]["role"], "to_truong", "the leader first");
    }

    // As of a day: those who were members that day.
    let officer = token(&app, "canboxa").await;
    let day = d(2025, 11, 30);
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/teams/{team}?as_of=30/11/2025"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["as_of"], "2025-11-30");
    let then = store.team_members(team, Some(day)).await.unwrap();
    assert_eq!(body["members"].as_array().unwrap().len(), then.len());
    let established = store.team(team).await.unwrap().established_on;
    let before = established.pred_opt().unwrap();
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/teams/{team}?as_of={before}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["members"], Value::Array(vec![]));
    assert_eq!(body["team"]["active"], false);

    // A member reads their own team only.
    let member = token(&app, "thanhvien").await;
    let other = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team)
        .unwrap();
    let (status, body) = get(
        &app,
        &doc,
        &member,
        path,
        &format!("{C}/teams/{}", other.id),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["type"], "/api/v1/docs#problem-forbidden");
    // Officers read that one.
    let (status, _) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("{C}/teams/{}", other.id),
    )
    .await;
    assert_eq!(status, 200);

    // Another commune's team is not found, for its officer's neighbours
    // and for the province alike.
    let elsewhere = store
        .communes_of(31)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code != 11914)
        .unwrap()
        .code;
    let foreign = TeamBuilder::new()
        .commune(elsewhere)
        .expect_build(store)
        .await;
    let province = token(&app, "sokhcn").await;
    for t in [&officer, &member, &province] {
        let (status, body) = get(&app, &doc, t, path, &format!("{C}/teams/{}", foreign.id)).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["type"], "/api/v1/docs#problem-not-found");
    }
    // Not a number, no such team.
    for id in ["abc", "999999999"] {
        let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/teams/{id}")).await;
        assert_eq!(status, 404, "{id}: {body}");
    }
    // The commune officer of another commune is refused at the commune.
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        path,
        &format!("/api/v1/communes/{elsewhere}/teams/{}", foreign.id),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    app.stop().await;
}

async fn report_versions_and_their_files(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let before = app.db.store.reports_of(11914).await.unwrap().len();
    // A version of the demo request's report, made and submitted as the
    // commune's officer does on the report's page.
    let (report, request) = {
        let store = &app.db.store;
        let request = store
            .request_by_number(11914, toso_demo::REQUEST_NUMBER)
            .await
            .unwrap();
        let settings = toso_reporting::report_defaults(store, 11914, &request)
            .await
            .unwrap();
        let snapshot = toso_reporting::compose_report(store, 11914, &request, &settings)
            .await
            .unwrap();
        let report = store
            .save_report(&actor(), &request, settings, snapshot)
            .await
            .unwrap();
        let seen = store.report_status(11914, request.id).await.unwrap().seq;
        store
            .submit_report(&actor(), report.id, seen)
            .await
            .unwrap();
        (report, request)
    };
    let officer = token(&app, "canboxa").await;
    let path = "/api/v1/communes/{code}/reports";
    let (status, body) = get(&app, &doc, &officer, path, &format!("{C}/reports")).await;
    assert_eq!(status, 200, "{body}");
    let listed = body.as_array().unwrap();
    assert_eq!(listed.len(), before + 1);
    let out = listed.iter().find(|r| r["id"] == report.id).unwrap();
    assert_eq!(out["version"], report.version);
    assert_eq!(out["request"]["id"], request.id);
    assert_eq!(out["request"]["number"], toso_demo::REQUEST_NUMBER);
    assert_eq!(out["as_of"], report.settings.as_of.to_string());
    assert_eq!(out["report_date"], report.settings.report_date.to_string());
    assert_eq!(out["state"], "submitted");
    assert_eq!(out["state_version"], report.version);
    assert_eq!(out["latest"], true);
    assert!(out["submitted_at"].is_string(), "{out}");
    assert!(out["created_at"].is_string(), "{out}");
    let files = out["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);

    // Each file: the same bytes as the page's download.
    app.login("canboxa").await;
    let file_path = "/api/v1/communes/{code}/reports/{id}/files/{file}";
    for (file, mime, magic) in [
        ("docx", "wordprocessingml", &b"PK"[..]),
        ("pdf", "application/pdf", &b"%PDF"[..]),
        ("xlsx", "spreadsheetml", &b"PK"[..]),
    ] {
        let listed = files.iter().find(|f| f["kind"] == file).unwrap();
        let url = format!("{C}/reports/{}/files/{file}", report.id);
        assert_eq!(listed["url"], url.as_str());
        let res = app
            .client
            .get(app.url(&url))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{file}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.contains(mime), "{file}: {ct}");
        let cd = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cd.contains(listed["name"].as_str().unwrap()), "{cd}");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(magic), "{file}");
        // The documented content types include this one.
        let documented = &doc["paths"][file_path]["get"]["responses"]["200"]["content"];
        assert!(documented.get(ct.as_str()).is_some(), "{ct} undocumented");
        let page = app
            .get(&format!("/communes/11914/reports/{}/{file}", report.id))
            .await;
        assert_eq!(page.status().as_u16(), 200);
        assert_eq!(
            page.bytes().await.unwrap(),
            bytes,
            "{file}: not the page's bytes"
        );
    }
    // No such kind, no such version; the team's people are refused.
    for url in [
        format!("{C}/reports/{}/files/odt", report.id),
        format!("{C}/reports/999999999/files/pdf"),
        format!("{C}/reports/abc/files/pdf"),
    ] {
        let (status, body) = get(&app, &doc, &officer, file_path, &url).await;
        assert_eq!(status, 404, "{url}: {body}");
    }
    // The reference page lists the route with its content types.
    let (status, page) = app.text("/api/v1/docs").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("GET {file_path}")),
        "the reference page lacks the files"
    );
    assert!(page.contains("application/pdf"));
    let leader = token(&app, "totruong").await;
    let (status, _) = get(
        &app,
        &doc,
        &leader,
        file_path,
        &format!("{C}/reports/{}/files/pdf", report.id),
    )
    .await;
    assert_eq!(status, 403);
    app.stop().await;
}

async fn bad_parameters_get_problems(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let doc = document();
    let officer = token(&app, "canboxa").await;
    let team = demo_team(&app).await;
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        ("teams", format!("{C}/teams?asof=2025-11-30"), Some("asof")),
        (
            "teams",
            format!("{C}/teams?as_of=31/02/2025"),
            Some("as_of"),
        ),
        (
            "teams/{id}",
            format!("{C}/teams/{team}?members=all"),
            Some("members"),
        ),
        (
            "teams/{id}",
            format!("{C}/teams/{team}?as_of=hôm-nay"),
            Some("as_of"),
        ),
        (
            "documents",
            format!("{C}/documents?kind=sac_lenh"),
            Some("kind"),
        ),
        (
            "documents",
            format!("{C}/documents?year=hai-nghin"),
            Some("year"),
        ),
        ("documents", format!("{C}/documents?nam=2025"), Some("nam")),
        (
            "training",
            format!("{C}/training?as_of=2025-11-30"),
            Some("as_of"),
        ),
        ("campaigns", format!("{C}/campaigns?page=2"), Some("page")),
        (
            "contests",
            format!("{C}/contests?as_of=2025-13-01"),
            Some("as_of"),
        ),
        (
            "contests",
            format!("{C}/contests?group=nguoi_dan"),
            Some("group"),
        ),
        ("reports", format!("{C}/reports?state=draft"), Some("state")),
    ];
    for (route, url, field) in &cases {
        let path = format!("/api/v1/communes/{{code}}/{route}");
        let (status, body) = get(&app, &doc, &officer, &path, url).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(body["type"], "/api/v1/docs#problem-invalid");
        assert_eq!(body["field"].as_str(), *field, "{url}: {body}");
        assert!(!body["detail"].as_str().unwrap().is_empty(), "{body}");
    }
    // Without a token: refused, never read.
    let (status, _, body) = call(
        &app.client,
        "GET",
        &app.url(&format!("{C}/teams")),
        "",
        None,
        &[],
    )
    .await;
    assert_eq!(status, 401, "{body}");
    check(&doc, "GET", "/api/v1/communes/{code}/teams", 401, &body);
    // A commune that does not exist.
    let (status, body) = get(
        &app,
        &doc,
        &officer,
        "/api/v1/communes/{code}/teams",
        "/api/v1/communes/99999999/teams",
    )
    .await;
    assert!(status == 404 || status == 422, "{body}");
    app.stop().await;
}

//! What a server team relies on (issue 24), against the real server:
//! liveness and readiness, the Prometheus metrics and who may read them,
//! and the client's real address behind a trusted reverse proxy (audit log,
//! connection cap) but never from a header a client sends itself.

use toso_domain::{ClientId, SupportCategory};
use toso_store::{Actor, NewActivity};
use toso_testkit::{both_backends, Backend, TeamBuilder, TestApp, TestDb, UserBuilder};
use toso_web::Settings;

both_backends!(
    liveness_and_readiness,
    metrics_count_requests_pools_commits_and_queues,
    the_client_behind_a_trusted_proxy_is_the_one_it_names,
);

async fn json(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.expect("JSON"))
}

async fn liveness_and_readiness(backend: Backend) {
    let app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let (status, body) = json(&app, "/livez").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = json(&app, "/readyz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("ok")),
        "{body}"
    );
    let schema = app.db.store.schema_state().await.unwrap();
    assert!(schema.is_current() && schema.known > 10, "{schema:?}");
    assert_eq!(body["migrations"], schema.applied);

    // A database one migration behind the binary (an upgrade whose
    // migrations have not run): alive, but not ready, and it says why.
    sqlx_exec(
        &app.db.url,
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await;
    let (status, _) = json(&app, "/livez").await;
    assert_eq!(status, 200);
    let (status, body) = json(&app, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("toso migrate"), "{message}");
    assert_eq!(
        app.db.store.schema_state().await.unwrap().applied,
        schema.applied - 1
    );
    app.stop().await;
}

async fn sqlx_exec(url: &str, sql: &str) {
    if url.starts_with("sqlite:") {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    } else {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
}

/// The value of the sample `line_start` (a metric name with its labels).
fn sample(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample {line_start} in:\n{text}"))
        .parse()
        .unwrap()
}

async fn metrics(app: &TestApp) -> String {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = res.text().await.unwrap();
    // The exposition format: every line a comment or `name{labels} value`.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, value) = line.rsplit_once(' ').expect(line);
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let bare = name.split('{').next().unwrap();
        assert!(
            bare.starts_with("toso_")
                && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        assert_eq!(name.contains('{'), name.ends_with('}'), "{line}");
    }
    text
}

async fn metrics_count_requests_pools_commits_and_queues(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("canboxa").await;
    for _ in 0..3 {
        assert_eq!(app.get("/communes/11914").await.status().as_u16(), 200);
    }
    assert_eq!(
        app.get("/communes/11914/no-such-page")
            .await
            .status()
            .as_u16(),
        404
    );
    // Invented methods are counted as one series, whatever their names.
    for name in ["BREW", "WHEN", "PROPFINDX"] {
        let method = reqwest::Method::from_bytes(name.as_bytes()).unwrap();
        let res = app
            .client
            .request(method, app.url("/livez"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 405);
    }
    let text = metrics(&app).await;
    // By the route's template, not the path (one series per route).
    assert_eq!(
        sample(
            &text,
            "toso_http_requests_total{method=\"GET\",route=\"/communes/{code}\",status=\"200\"}"
        ),
        3.0
    );
    assert!(!text.contains("route=\"/communes/11914\""), "{text}");
    assert!(
        !text.contains("BREW") && !text.contains("PROPFINDX"),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "toso_http_requests_total{method=\"OTHER\",route=\"/livez\",status=\"405\"}"
        ),
        3.0
    );
    assert_eq!(
        sample(
            &text,
            "toso_http_request_duration_seconds_count{route=\"/communes/{code}\"}"
        ),
        3.0
    );
    assert_eq!(
        sample(
            &text,
            "toso_http_request_duration_seconds_bucket{route=\"/communes/{code}\",le=\"+Inf\"}"
        ),
        3.0
    );
    let pool = if backend == Backend::Sqlite {
        "read"
    } else {
        "main"
    };
    let max = sample(
        &text,
        &format!("toso_db_pool_max_connections{{pool=\"{pool}\"}}"),
    );
    assert!(max >= 1.0, "{text}");
    assert_eq!(sample(&text, "toso_up"), 1.0);
    // The demo's citizens' requests, as the commune home counts them.
    let (open, overdue) = app
        .db
        .store
        .help_open_counts(11914, chrono::Utc::now())
        .await
        .unwrap();
    assert!(open > 0);
    let queued = sample(&text, "toso_help_requests_open{state=\"new\"}")
        + sample(&text, "toso_help_requests_open{state=\"in_progress\"}");
    assert_eq!(queued, open as f64);
    assert_eq!(sample(&text, "toso_help_requests_overdue"), overdue as f64);

    // A support entry logged with a client id, twice (a retry): one group
    // commit, one new write and one repeat.
    let store = &app.db.store;
    let team = TeamBuilder::new().expect_build(store).await;
    let user = UserBuilder::new().expect_build(store).await;
    let before = store.stats();
    let new = NewActivity {
        team_id: team.id,
        activity_date: team.established_on,
        category: SupportCategory::Vneid,
        citizens_helped: 2,
        dossiers: 1,
        note: None,
        co_members: Vec::new(),
    };
    let id = ClientId::parse("ops-metrics-0001").unwrap();
    let actor = Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: None,
    };
    let (_, repeated) = store
        .create_activity_once(&actor, new.clone(), &id)
        .await
        .unwrap();
    assert!(!repeated);
    let (_, repeated) = store.create_activity_once(&actor, new, &id).await.unwrap();
    assert!(repeated);
    let text = metrics(&app).await;
    assert_eq!(
        sample(&text, "toso_client_id_writes_total{outcome=\"new\"}"),
        (before.client_new + 1) as f64
    );
    assert_eq!(
        sample(&text, "toso_client_id_writes_total{outcome=\"repeat\"}"),
        (before.client_repeat + 1) as f64
    );
    assert_eq!(
        sample(&text, "toso_log_group_commit_size_count"),
        (before.batches + 1) as f64
    );
    assert!(sample(&text, "toso_log_group_commit_size_sum") >= 1.0);
    app.stop().await;
}

/// Rename a village as canboxa, the request carrying `forwarded` as its
/// `X-Forwarded-For`.
async fn edit(app: &TestApp, village: i64, name: &str, forwarded: &str) -> reqwest::Response {
    let session = app.session.clone().unwrap();
    let (token, cookie) = app.csrf().await;
    app.client
        .post(app.url(&format!("/communes/11914/villages/{village}/edit")))
        .header("cookie", format!("{cookie}; toso_session={session}"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("kind", "to_dan_pho"),
            ("name", name),
            ("active_from", "01/07/2025"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn the_client_behind_a_trusted_proxy_is_the_one_it_names(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let mut app = TestApp::spawn(db).await;
    app.login("canboxa").await;
    let village = app.db.store.villages(11914, None).await.unwrap()[0].clone();
    // The test's client is on this machine, a trusted proxy by default:
    // the audit log records the address the proxy names, read from the
    // right (what the client itself wrote, left of it, is not believed).
    let res = edit(
        &app,
        village.id,
        "Tổ dân phố Qua Proxy",
        "10.9.9.9, 198.51.100.7",
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    let log = app.db.store.audit_of("village", village.id).await.unwrap();
    assert_eq!(log.last().unwrap().address.as_deref(), Some("198.51.100.7"));
    // Through the proxy, the metrics are not this machine's to read.
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let text = res.text().await.unwrap();
    assert!(text.contains("Không được xem số đo"), "{text}");
    app.stop().await;

    // A server told to trust no proxy: the peer, whatever the header says;
    // the metrics only with their token.
    let settings = Settings {
        trusted_proxies: vec![],
        metrics_local: false,
        metrics_token: Some("metrics-secret-1".into()),
        ..Settings::default()
    };
    let mut app = TestApp::spawn_configured(TestDb::with_demo(backend).await, settings).await;
    app.login("canboxa").await;
    let village = app.db.store.villages(11914, None).await.unwrap()[0].clone();
    let res = edit(&app, village.id, "Tổ dân phố Không Proxy", "198.51.100.8").await;
    assert_eq!(res.status().as_u16(), 303);
    let log = app.db.store.audit_of("village", village.id).await.unwrap();
    assert_eq!(log.last().unwrap().address.as_deref(), Some("127.0.0.1"));
    assert_eq!(app.get("/metrics").await.status().as_u16(), 403);
    for wrong in [
        "Bearer metrics-secret-2",
        "Bearer ",
        "metrics-secret-1",
        "Basic bWV0cmljcw==",
    ] {
        let res = app
            .client
            .get(app.url("/metrics"))
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{wrong}");
    }
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", "Bearer metrics-secret-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // Hostile forwarding headers are ignored, never a 500.
    for hostile in ["<script>", "999.1.1.1", ",,,", "\u{1}"] {
        let res = app
            .client
            .get(app.url("/readyz"))
            .header("x-forwarded-for", hostile.replace('\u{1}', "%01"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{hostile}");
    }
    app.stop().await;
}

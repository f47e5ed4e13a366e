//! The database goes away under a running server (PostgreSQL: its
//! connections are terminated and new ones refused) and comes back: pages
//! answer a Vietnamese 503, `/healthz` and the API 503 as well, the server
//! keeps running, and it recovers by itself when the database returns.

use std::process::Command;
use std::time::{Duration, Instant};

use toso_testkit::{postgres_admin_url, Backend, TestApp, TestDb};

/// Run SQL on the server's admin database with `psql`.
fn admin(sql: &str) {
    let out = Command::new("psql")
        .args([
            &postgres_admin_url(),
            "-XAtqv",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql (Debian package postgresql-client) is needed");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn take_down(name: &str) {
    admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ));
}

fn bring_back(name: &str) {
    admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_gives_503_and_the_server_recovers() {
    let db = TestDb::with_demo(Backend::Postgres).await;
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let mut app = TestApp::spawn(db).await;
    app.login("canboxa").await;
    let (page, api) = ("/communes/11914", "/api/v1/communes/11914");
    assert_eq!(app.get(page).await.status().as_u16(), 200);
    assert_eq!(app.get(api).await.status().as_u16(), 200);
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);

    take_down(&name);
    // The same database, down: every request is a quick, clear 503.
    for round in 0..3 {
        let res = app.get(page).await;
        assert_eq!(res.status().as_u16(), 503, "page, round {round}");
        assert_eq!(res.headers()["retry-after"], "30");
        let html = res.text().await.unwrap();
        assert!(html.contains("Tạm thời gián đoạn"), "{html}");
        assert!(
            html.contains("Cơ sở dữ liệu tạm thời không phản hồi. Vui lòng thử lại sau ít phút."),
            "{html}"
        );

        // The API answers 503 too, as JSON, even though the session could
        // not be looked up.
        let res = app.get(api).await;
        assert_eq!(res.status().as_u16(), 503, "API, round {round}");
        assert_eq!(res.headers()["retry-after"], "30");
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["type"], "/api/v1/docs#problem-unavailable", "{json}");
        // The health check answers with or without a session cookie.
        let res = app.get("/healthz").await;
        assert_eq!(res.status().as_u16(), 503);
        assert_eq!(
            res.json::<serde_json::Value>().await.unwrap()["status"],
            "unavailable"
        );

        // A monitor asks without a session.
        let res = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 503, "healthz, round {round}");
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["status"], "unavailable", "{json}");
        // Not ready, but alive: a supervisor must not restart the process
        // for a database that is away.
        let res = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 503, "readyz, round {round}");
        let res = app.client.get(app.url("/livez")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "livez, round {round}");
    }
    // The static assets do not need the database: the server is up.
    let css = app
        .client
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status().as_u16(), 200);

    bring_back(&name);
    // Recovery needs no restart: the pool reconnects by itself.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = app.get(page).await.status().as_u16();
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "while recovering");
        assert!(Instant::now() < deadline, "the server did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.get(api).await.status().as_u16(), 200);
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    // The session survived the outage, and writes work again.
    let res = app
        .post_form(
            "/communes/11914/villages/new",
            &[
                ("kind", "thon"),
                ("name", "Thôn Sau Sự Cố"),
                ("active_from", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.stop().await;
}

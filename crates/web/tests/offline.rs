//! The team page as an offline logging app (issue 21), through the real
//! server on both databases: the log form carries a fresh client id and a
//! double click records once; the JSON answers the offline queue reads
//! (201, 200 for a repeat, 422 beside the field, 401 without a session, 403
//! for another team); the manifest behind the team page's access; the
//! script, service worker and icons served from the binary, with ETags, the
//! worker's cache named by a hash of what it keeps.

use sha2::{Digest, Sha256};
use toso_store::Store;
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    the_plain_form_records_a_double_click_once,
    the_queue_gets_json_answers,
    the_manifest_follows_the_team_page,
    the_static_files_are_served,
);

const C: &str = "/communes/11914";

/// The team of the demo member `thanhvien`, and another team of the commune.
async fn teams(store: &Store) -> (i64, i64) {
    let member = toso_testkit::account(store, "thanhvien").await;
    let own = member.team_id.unwrap();
    let other = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != own)
        .unwrap()
        .id;
    (own, other)
}

/// Every activity of the commune (all dates).
async fn activity_count(store: &Store) -> usize {
    let far = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    store
        .activities(11914, far, toso_store::today())
        .await
        .unwrap()
        .len()
}

/// The value of the page's hidden `client_id` field.
fn hidden_client_id(page: &str) -> Option<String> {
    let at = page.find("name=\"client_id\"")?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    let tag = &page[tag_start..tag_end];
    let value = tag.split("value=\"").nth(1)?;
    Some(value.split('"').next()?.to_string())
}

/// The log form's fields for today.
fn entry(client_id: &str, citizens: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "activity_date",
            toso_domain::format_date(toso_store::today()),
        ),
        ("category", "vneid".to_string()),
        ("citizens_helped", citizens.to_string()),
        ("dossiers", "1".to_string()),
        ("note", "Cài VNeID cho bà con".to_string()),
        ("client_id", client_id.to_string()),
    ]
}

/// POST the log form as the queue does (`Accept: application/json`), with
/// `session` (or none); the status, content type and JSON body.
async fn send(
    app: &TestApp,
    session: Option<&str>,
    team: i64,
    fields: &[(&'static str, String)],
) -> (u16, String, serde_json::Value) {
    let (token, mut cookie) = app.csrf().await;
    if let Some(s) = session {
        cookie.push_str(&format!("; toso_session={s}"));
    }
    let mut body = fields.to_vec();
    body.push(("csrf", token));
    let res = app
        .client
        .post(app.url(&format!("{C}/teams/{team}/activities")))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .form(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({status}, {kind}): {e}: {text}"));
    (status, kind, json)
}

async fn the_plain_form_records_a_double_click_once(backend: Backend) {
    let app = TestApp::demo_as(backend, "thanhvien").await;
    let store = &app.db.store;
    let (own, _) = teams(store).await;
    let page_path = format!("{C}/teams/{own}");
    let page = app.html(&page_path).await;
    let client_id = hidden_client_id(&page).expect("the log form has a hidden client_id");
    assert!(
        toso_domain::ClientId::parse(&client_id).is_ok(),
        "{client_id}"
    );
    // Each rendering has its own id.
    let again = hidden_client_id(&app.html(&page_path).await).unwrap();
    assert_ne!(again, client_id);

    let before = activity_count(store).await;
    let fields = entry(&client_id, "3");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = app
        .post_form(&format!("{C}/teams/{own}/activities"), &fields)
        .await;
    let second = app
        .post_form(&format!("{C}/teams/{own}/activities"), &fields)
        .await;
    let saved = format!("{page_path}?saved");
    assert_eq!(location(&first), saved);
    assert_eq!(location(&second), saved);
    assert_eq!(activity_count(store).await, before + 1);

    // Without a client id (a page cached before this version): as before,
    // each send is a new entry.
    let old: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "client_id")
        .collect();
    let res = app
        .post_form(&format!("{C}/teams/{own}/activities"), &old)
        .await;
    assert_eq!(location(&res), saved);
    assert_eq!(activity_count(store).await, before + 2);

    // A malformed id is refused beside the form, nothing written, and the
    // form comes back with a good id to send again.
    let mut bad = fields.clone();
    bad.retain(|(k, _)| *k != "client_id");
    bad.push(("client_id", "x y"));
    let res = app
        .post_form(&format!("{C}/teams/{own}/activities"), &bad)
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Mã lượt ghi"), "the refusal is shown");
    let fresh = hidden_client_id(&page).unwrap();
    assert!(toso_domain::ClientId::parse(&fresh).is_ok(), "{fresh}");
    assert_eq!(activity_count(store).await, before + 2);

    // Refused for another field: the same id is kept (nothing was written),
    // and the corrected send records it.
    let mut future = entry("keep-this-id-1", "2");
    future[0].1 = toso_domain::format_date(toso_store::today() + chrono::Days::new(2));
    let future: Vec<(&str, &str)> = future.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .post_form(&format!("{C}/teams/{own}/activities"), &future)
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert_eq!(hidden_client_id(&page).as_deref(), Some("keep-this-id-1"));
    let fixed = entry("keep-this-id-1", "2");
    let fixed: Vec<(&str, &str)> = fixed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .post_form(&format!("{C}/teams/{own}/activities"), &fixed)
        .await;
    assert_eq!(location(&res), saved);
    assert_eq!(activity_count(store).await, before + 3);
    app.stop().await;
}

async fn the_queue_gets_json_answers(backend: Backend) {
    let app = TestApp::demo_as(backend, "thanhvien").await;
    let store = &app.db.store;
    let session = app.session.clone();
    let session = session.as_deref();
    let (own, other) = teams(store).await;
    let before = activity_count(store).await;

    // Recorded now: 201; sent again (the answer was lost): 200, same id.
    let cid = "0b7e6a52-8f3c-4d7e-9a1b-2c3d4e5f6a7b";
    let (status, kind, first) = send(&app, session, own, &entry(cid, "4")).await;
    assert_eq!(status, 201, "{first}");
    assert!(kind.starts_with("application/json"), "{kind}");
    assert_eq!(first["repeat"], false);
    let id = first["id"].as_i64().expect("an id");
    assert_eq!(store.activity(id).await.unwrap().citizens_helped, 4);
    let (status, _, again) = send(&app, session, own, &entry(cid, "4")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"].as_i64(), Some(id));
    assert_eq!(again["repeat"], true);
    assert_eq!(activity_count(store).await, before + 1);

    // A refusal names the form field, in Vietnamese; nothing written.
    let mut future = entry("queued-future-1", "2");
    future[0].1 = toso_domain::format_date(toso_store::today() + chrono::Days::new(3));
    let (status, _, refused) = send(&app, session, own, &future).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"], "invalid");
    assert_eq!(refused["field"], "activity_date");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("Ngày hỗ trợ"), "{message}");
    let bad = entry("queued-bad-count", "nhiều");
    let (status, _, refused) = send(&app, session, own, &bad).await;
    assert_eq!(status, 422);
    assert_eq!(refused["field"], "citizens_helped");
    let (status, _, refused) = send(&app, session, own, &entry("bad id!", "1")).await;
    assert_eq!(status, 422);
    assert_eq!(refused["field"], "client_id");
    assert_eq!(activity_count(store).await, before + 1);

    // No session, or an expired one: 401 in JSON (a browser gets the login
    // page), and the entry waits.
    for stale in [None, Some("khong-con-hieu-luc")] {
        let (status, kind, answer) = send(&app, stale, own, &entry("queued-late-1", "1")).await;
        assert_eq!(status, 401, "{answer}");
        assert!(kind.starts_with("application/json"));
        assert_eq!(answer["error"], "unauthenticated");
        assert!(answer["message"]
            .as_str()
            .unwrap()
            .starts_with("Vui lòng đăng nhập lại"));
    }
    let res = app
        .client
        .post(app.url(&format!("{C}/teams/{own}/activities")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        403,
        "no CSRF token: refused before anything"
    );

    // Another team: 403 in JSON, nothing written.
    let (status, _, answer) = send(&app, session, other, &entry("queued-other-1", "1")).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"], "forbidden");
    assert!(!answer["message"].as_str().unwrap().is_empty());
    assert_eq!(activity_count(store).await, before + 1);

    // The same client id is the member's own: another user's entry with it
    // is another activity.
    let officer = app.session_for("canboxa").await;
    let (status, _, theirs) = send(&app, Some(&officer), own, &entry(cid, "1")).await;
    assert_eq!(status, 201, "{theirs}");
    assert_ne!(theirs["id"].as_i64(), Some(id));
    assert_eq!(activity_count(store).await, before + 2);
    app.stop().await;
}

async fn the_manifest_follows_the_team_page(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "thanhvien").await;
    let store = app.db.store.clone();
    let (own, other) = teams(&store).await;
    let team = store.team(own).await.unwrap();
    let path = format!("{C}/teams/{own}/manifest.webmanifest");
    let res = app.get(&path).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/manifest+json"
    );
    let manifest: serde_json::Value = res.json().await.unwrap();
    assert_eq!(manifest["name"], format!("Tổ Số — {}", team.name));
    assert_eq!(manifest["short_name"], "Tổ Số");
    assert_eq!(manifest["lang"], "vi");
    assert_eq!(manifest["start_url"], format!("{C}/teams/{own}"));
    assert_eq!(manifest["scope"], format!("{C}/teams/"));
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["background_color"], "#ffffff");
    let css = include_str!("../static/app.css");
    let theme = manifest["theme_color"].as_str().unwrap();
    assert!(css.contains(&format!("--accent: {theme};")), "{theme}");
    let icons = manifest["icons"].as_array().unwrap();
    let shapes: Vec<(&str, &str, &str)> = icons
        .iter()
        .map(|i| {
            (
                i["src"].as_str().unwrap(),
                i["sizes"].as_str().unwrap(),
                i["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("/static/icon-192.png", "192x192", "image/png"),
            ("/static/icon-512.png", "512x512", "image/png"),
            ("/static/icon.svg", "any", "image/svg+xml"),
        ]
    );
    for (src, _, kind) in shapes {
        let res = app.get(src).await;
        assert_eq!(res.status().as_u16(), 200, "{src}");
        assert_eq!(res.headers()["content-type"], kind, "{src}");
    }

    // Another team's manifest: refused like its page; without a session,
    // the login page.
    let elsewhere = format!("{C}/teams/{other}/manifest.webmanifest");
    assert_eq!(app.get(&elsewhere).await.status().as_u16(), 403);
    assert_eq!(app.text(&format!("{C}/teams/{other}")).await.0, 403);
    app.session = None;
    let res = app.get(&path).await;
    assert!(location(&res).starts_with("/login?next="));
    // The commune's officer reads it, as the team page.
    app.login("canboxa").await;
    assert_eq!(app.get(&elsewhere).await.status().as_u16(), 200);
    app.stop().await;
}

async fn the_static_files_are_served(backend: Backend) {
    let app = TestApp::spawn(toso_testkit::TestDb::new(backend).await).await;
    // No session needed; each with its type, caching and ETag. The files
    // the service worker keeps, in its order.
    let kept = [
        (
            "/static/app.css",
            "text/css; charset=utf-8",
            "public, max-age=86400",
            include_bytes!("../static/app.css").as_slice(),
        ),
        (
            "/static/app.js",
            "text/javascript; charset=utf-8",
            "no-cache",
            include_bytes!("../static/app.js").as_slice(),
        ),
        (
            "/static/icon.svg",
            "image/svg+xml",
            "public, max-age=86400",
            include_bytes!("../static/icon.svg").as_slice(),
        ),
        (
            "/static/icon-192.png",
            "image/png",
            "public, max-age=86400",
            include_bytes!("../static/icon-192.png").as_slice(),
        ),
        (
            "/static/icon-512.png",
            "image/png",
            "public, max-age=86400",
            include_bytes!("../static/icon-512.png").as_slice(),
        ),
    ];
    let worker = include_str!("../static/sw.js");
    let mut tags = Vec::new();
    let mut served_worker = String::new();
    for (path, kind, cache, body) in kept.iter().copied().chain([(
        "/static/sw.js",
        "text/javascript; charset=utf-8",
        "no-cache",
        worker.as_bytes(),
    )]) {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], kind, "{path}");
        assert_eq!(res.headers()["cache-control"], cache, "{path}");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{path} sets no cookie"
        );
        let allowed = res
            .headers()
            .get("service-worker-allowed")
            .map(|v| v.to_str().unwrap().to_string());
        let tag = res.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            tag.starts_with("W/\"") && tag.ends_with('"'),
            "{path}: {tag}"
        );
        let bytes = res.bytes().await.unwrap();
        if path == "/static/sw.js" {
            assert_eq!(allowed.as_deref(), Some("/communes/"));
            served_worker = String::from_utf8(bytes.to_vec()).unwrap();
        } else {
            assert_eq!(allowed, None, "{path}");
            assert_eq!(bytes.as_ref(), body, "{path}");
        }
        // Asked again with its tag: 304, no body, the same headers.
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(again.headers()["etag"], tag.as_str(), "{path}");
        assert_eq!(again.headers()["cache-control"], cache, "{path}");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}");
        // Another tag: the file again.
        let other = app
            .client
            .get(app.url(path))
            .header("if-none-match", "W/\"0000\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status().as_u16(), 200, "{path}");
        tags.push(tag);
    }
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), kept.len() + 1, "one tag per file");

    // The worker's cache is named by a hash of the kept files' bytes, so
    // a release that changes any of them installs a fresh cache; the rest
    // of the worker is the file as written.
    let mut hash = Sha256::new();
    for (_, _, _, body) in kept {
        hash.update((body.len() as u64).to_be_bytes());
        hash.update(body);
    }
    let name: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        served_worker.contains(&format!("const VERSION = 'toso-{name}';")),
        "{served_worker}"
    );
    assert_eq!(
        served_worker.replace(&format!("'toso-{name}'"), "'toso-assets'"),
        worker
    );
    let paths: Vec<String> = kept.iter().map(|(p, ..)| format!("'{p}'")).collect();
    assert!(served_worker.contains(&format!("const ASSETS = [{}];", paths.join(", "))));
    assert_eq!(app.get("/static/khong-co.js").await.status().as_u16(), 404);
    app.stop().await;
}

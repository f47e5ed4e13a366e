//! The province's search through the real HTTP server: the demo province
//! officer finds a person of Cát Hải by a name typed without diacritics
//! and follows the link to the person's page; teams, villages and
//! documents link to their pages in the commune; the Ministry searches
//! too; a commune officer and another province's officer are refused; a
//! short query shows the form alone, markup is escaped, a query over 100
//! characters is refused (422) with the form kept; a capped kind says so.

use toso_domain::{fold, UserRole};
use toso_testkit::{both_backends, location, Backend, PersonBuilder, TestApp, TestDb, UserBuilder};

both_backends!(
    the_province_officer_finds_a_person_of_cat_hai,
    teams_villages_and_documents_link_to_their_commune,
    the_ministry_searches_and_others_are_refused,
    short_long_and_hostile_queries,
);

const SEARCH: &str = "/provinces/31/search";

fn search_path(q: &str) -> String {
    format!(
        "{SEARCH}?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    )
}

/// Text as it was before the template escaped it.
fn unescape(html: &str) -> String {
    [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html.to_string(), |s, (from, to)| s.replace(from, to))
}

/// The hrefs of the hits of one kind (`people`, `teams`, `villages`,
/// `documents`), in order.
fn links(page: &str, kind: &str) -> Vec<String> {
    let Some(section) = page.split(&format!("data-kind=\"{kind}\"")).nth(1) else {
        return Vec::new();
    };
    let section = section.split("</section>").next().unwrap();
    section
        .split("<li><a href=\"")
        .skip(1)
        .map(|s| unescape(s.split('"').next().unwrap()))
        .collect()
}

async fn the_province_officer_finds_a_person_of_cat_hai(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let store = &app.db.store;
    let member = toso_testkit::account(store, "thanhvien").await;
    let person = store.person(member.person_id.unwrap()).await.unwrap();
    let folded = fold(&person.full_name);
    assert_ne!(folded, person.full_name, "the demo name has diacritics");

    let home = app.html("/provinces/31").await;
    assert!(
        home.contains("href=\"/provinces/31/search\""),
        "the menu leads to the search"
    );
    let page = app.html(&search_path(&folded.to_uppercase())).await;
    assert!(page.contains("aria-current=\"page\">Tìm kiếm</a>"));
    let href = format!("/communes/11914/people/{}", person.id);
    let people = links(&page, "people");
    assert!(
        people.contains(&href),
        "{href} among the people found: {people:?}"
    );
    let line = page
        .split(&format!("<li><a href=\"{href}\">"))
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(line.starts_with(&format!("{}</a>", person.full_name)));
    assert!(
        line.contains("<a href=\"/communes/11914\" class=\"muted\">Đặc khu Cát Hải</a>"),
        "the hit names its commune: {line}"
    );
    assert!(
        line.contains("Tổ công nghệ số cộng đồng Tổ dân phố 1"),
        "and the person's team: {line}"
    );

    // The link leads to the person's page, which the province officer reads.
    let person_page = app.html(&href).await;
    assert!(person_page.contains(&person.full_name));
}

async fn teams_villages_and_documents_link_to_their_commune(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let store = &app.db.store;
    let village = store
        .villages(11914, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 12")
        .unwrap();
    let team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id == Some(village.id))
        .unwrap();

    let page = app.html(&search_path("to dan pho 12")).await;
    let teams = links(&page, "teams");
    assert_eq!(teams, vec![format!("/communes/11914/teams/{}", team.id)]);
    let villages = links(&page, "villages");
    assert_eq!(
        villages,
        vec![format!("/communes/11914/villages/{}/dashboard", village.id)]
    );
    for href in teams.iter().chain(&villages) {
        let target = app.html(href).await;
        assert!(target.contains("Tổ dân phố 12"), "{href}");
    }

    let decision = store
        .documents(11914, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.doc_number == toso_demo::DECISION_NUMBER)
        .unwrap();
    let page = app.html(&search_path(toso_demo::DECISION_NUMBER)).await;
    let documents = links(&page, "documents");
    let href = format!(
        "/communes/11914/documents?kind=quyet_dinh&year={}",
        chrono::Datelike::year(&decision.issued_on)
    );
    assert!(documents.contains(&href), "{href} in {documents:?}");
    assert!(page.contains(&format!("Quyết định số {}</a>", toso_demo::DECISION_NUMBER)));
    let list = app.html(&href).await;
    assert!(list.contains(toso_demo::DECISION_NUMBER));

    // More than 50 people of one name: 50 shown, and the page says so.
    for _ in 0..51 {
        PersonBuilder::new()
            .commune(11914)
            .name("Phạm Thị Giới Hạn")
            .expect_build(store)
            .await;
    }
    let page = app.html(&search_path("pham thi gioi han")).await;
    assert_eq!(links(&page, "people").len(), 50);
    assert!(page.contains("Người (50+)"));
    assert!(page.contains("Chỉ hiện 50 kết quả đầu tiên"));
    let page = app.html(&search_path("to dan pho 12")).await;
    assert!(!page.contains("Chỉ hiện 50 kết quả đầu tiên"));
}

async fn the_ministry_searches_and_others_are_refused(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    UserBuilder::new()
        .username("so-quang-ninh")
        .role(UserRole::ProvinceOfficer)
        .province(22)
        .password(toso_demo::DEMO_PASSWORD)
        .expect_build(&app.db.store)
        .await;
    let path = search_path("tổ dân phố 1");

    for reader in ["bokhcn", "admin", "sokhcn"] {
        app.login(reader).await;
        let page = app.html(&path).await;
        assert!(
            !links(&page, "teams").is_empty(),
            "{reader} finds Cát Hải's teams"
        );
    }
    for outsider in ["canboxa", "so-quang-ninh", "totruong"] {
        app.login(outsider).await;
        let (status, body) = app.text(&path).await;
        assert_eq!(status, 403, "{outsider}");
        assert!(!body.contains("data-kind="), "{outsider} sees no hit");
    }
    // The other province's officer searches their own province, where
    // Hải Phòng's records are not.
    app.login("so-quang-ninh").await;
    let own = app.html("/provinces/22/search?q=to+dan+pho+1").await;
    assert!(own.contains("Không tìm thấy kết quả nào"));
    assert!(links(&own, "teams").is_empty());

    app.session = None;
    let res = app.get(&path).await;
    assert!(
        location(&res).starts_with("/login"),
        "anonymous goes to the login"
    );
    app.login("sokhcn").await;
    let (status, body) = app.text("/provinces/99/search?q=abc").await;
    assert_eq!(status, 404);
    assert!(body.contains("Không có tỉnh, thành phố mã"));
}

async fn short_long_and_hostile_queries(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;

    // Nothing typed, or one character: the form alone.
    for q in ["", "   ", "a", "Đ", " ấ "] {
        let page = app.html(&search_path(q)).await;
        assert!(page.contains("<input id=\"q\" name=\"q\""), "{q:?}");
        assert!(!page.contains("data-kind="), "{q:?}: no results");
        assert!(!page.contains("Không tìm thấy"), "{q:?}: no search");
        assert_eq!(
            page.contains("Gõ ít nhất 2 ký tự để tìm."),
            !q.trim().is_empty(),
            "{q:?}"
        );
    }
    let page = app.html(SEARCH).await;
    assert!(!page.contains("data-kind="));

    // Markup is shown as text, in the field and in the answer.
    let script = "<script>alert(1)</script>";
    let page = app.html(&search_path(script)).await;
    assert!(!page.contains(script));
    assert!(
        unescape(&page).contains(&format!("value=\"{script}\"")),
        "the query is kept in the field, escaped"
    );
    assert!(unescape(&page).contains(&format!("«{script}»")));
    assert!(page.contains("Không tìm thấy kết quả nào"));

    // 100 characters are searched for; 101 are refused with the form and
    // what was typed kept. Diacritics do not count.
    let at_limit = "Ấ".repeat(100);
    let page = app.html(&search_path(&at_limit)).await;
    assert!(page.contains("Không tìm thấy kết quả nào"));
    assert!(!page.contains("aria-invalid"));
    let over = "Ấ".repeat(101);
    let (status, page) = app.text(&search_path(&over)).await;
    assert_eq!(status, 422);
    assert!(page.contains("Từ khóa dài quá 100 ký tự (101 ký tự)"));
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(
        page.contains(&format!("value=\"{over}\"")),
        "the query kept"
    );
    assert!(!page.contains("data-kind="));
    let (status, _) = app.text(&search_path(&"x".repeat(5_000))).await;
    assert_eq!(status, 422);
    let marks = format!("ab{}", "\u{301}".repeat(300));
    let (status, _) = app.text(&search_path(&marks)).await;
    assert_eq!(
        status, 200,
        "combining marks are not characters searched for"
    );
}

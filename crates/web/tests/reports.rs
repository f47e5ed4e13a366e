//! An officer answers the Department's request over real HTTP: the form is
//! prefilled, the preview links every figure to its records, generating
//! freezes a version whose files download; bad templates are refused naming
//! the line; the province posts a request and sees who answered.

use toso_testkit::{both_backends, Backend, TestApp};

both_backends!(
    an_officer_answers_the_request_and_downloads_the_files,
    a_bad_template_is_refused_and_nothing_is_stored,
    the_province_posts_a_request_and_sees_who_answered,
);

/// The value of the form field `name` in an HTML page (input or textarea).
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &page[at..];
    let tag_end = rest.find('>').unwrap();
    let tag_start = page[..at].rfind('<').unwrap();
    let raw = if page[tag_start..].starts_with("<textarea") {
        let body = &rest[tag_end + 1..];
        body[..body.find("</textarea>").unwrap()].to_string()
    } else {
        let tag = &rest[..tag_end];
        let v = tag.find("value=\"").map(|i| &tag[i + 7..]).unwrap_or("\"");
        v[..v.find('"').unwrap()].to_string()
    };
    raw.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#123;", "{")
        .replace("&#125;", "}")
        .replace("&amp;", "&")
}

const FIELDS: [&str; 10] = [
    "as_of",
    "report_date",
    "number",
    "place",
    "parent_body",
    "subject",
    "body",
    "recipients",
    "signer_capacity",
    "signer_name",
];

async fn request_id(app: &TestApp) -> i64 {
    app.db
        .store
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap()
        .id
}

async fn an_officer_answers_the_request_and_downloads_the_files(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let list = app
        .get("/communes/11914/reports")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Công văn số 4675/SKHCN-CNTT ngày 19/12/2025"),
        "{list}"
    );
    let id = request_id(&app).await;
    let new = format!("/communes/11914/reports/new?request={id}");
    let form = app.get(&new).await.text().await.unwrap();
    let mut values: Vec<(String, String)> = FIELDS
        .iter()
        .map(|f| (f.to_string(), field(&form, f)))
        .collect();
    assert_eq!(values[0].1, "30/11/2025", "as-of from the request");
    assert!(values[6].1.contains("{members}"), "the default template");
    values[9].1 = "Vũ Hữu Vững".into();
    values[1].1 = "05/01/2026".into();

    // Preview: nothing stored, every figure links to its records.
    let mut fields: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("action", "preview"));
    let res = app.post_form(&new, &fields).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(
            "href=\"&#x2f;communes&#x2f;11914&#x2f;indicators&#x2f;contest_registrations?as_of=30&#x2f;11&#x2f;2025\""
        ) || page.contains(
            "href=\"/communes/11914/indicators/contest_registrations?as_of=30/11/2025\""
        ),
        "{page}"
    );
    assert!(page.contains(">1.440</a>"));
    assert!(page.contains(">386</a>"));
    assert!(app.db.store.reports_of(11914).await.unwrap().is_empty());

    // Generate: a frozen version 1.
    fields.pop();
    fields.push(("action", "generate"));
    let res = app.post_form(&new, &fields).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    // The saved page may carry a "saved" flag; the files hang off the path.
    let location = location.split('?').next().unwrap().to_string();
    assert!(
        location.starts_with("/communes/11914/reports/"),
        "{location}"
    );
    let page = app.get(&location).await.text().await.unwrap();
    assert!(page.contains("phiên bản 1"));
    assert!(page.contains("Vũ Hữu Vững"));
    assert!(page.contains("Cát Hải, ngày 05 tháng 01 năm 2026"));
    assert!(page.contains(">58</a>"));
    assert!(
        page.contains("https:&#x2f;&#x2f;zalo.me&#x2f;g&#x2f;xuubpv554")
            || page.contains("https://zalo.me/g/xuubpv554")
    );

    // The files, each from the same snapshot.
    for (ext, mime, magic) in [
        ("docx", "wordprocessingml", &b"PK"[..]),
        ("pdf", "application/pdf", &b"%PDF"[..]),
        ("xlsx", "spreadsheetml", &b"PK"[..]),
    ] {
        let res = app.get(&format!("{location}/{ext}")).await;
        assert_eq!(res.status(), 200, "{ext}");
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.contains(mime), "{ext}: {ct}");
        let cd = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cd.contains(&format!("bao-cao-4675-SKHCN-CNTT-11914-v1.{ext}")),
            "{cd}"
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(magic), "{ext}");
        // Downloading again gives the same bytes.
        let again = app
            .get(&format!("{location}/{ext}"))
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(bytes, again, "{ext} is deterministic");
    }
    assert_eq!(app.get(&format!("{location}/odt")).await.status(), 404);

    // A new version starts from this one's settings.
    let report_id = location.rsplit('/').next().unwrap();
    let form = app
        .get(&format!("{new}&from={report_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(field(&form, "signer_name"), "Vũ Hữu Vững");
    app.stop().await;
}

async fn a_bad_template_is_refused_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let id = request_id(&app).await;
    let new = format!("/communes/11914/reports/new?request={id}");
    let form = app.get(&new).await.text().await.unwrap();
    let mut values: Vec<(String, String)> = FIELDS
        .iter()
        .map(|f| (f.to_string(), field(&form, f)))
        .collect();
    values[6].1 = "# I. MỞ ĐẦU\n- Có {villages} thôn\n- Số liệu {khong_co_so_lieu_nay}".into();
    let mut fields: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("action", "generate"));
    let res = app.post_form(&new, &fields).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Dòng 3"), "{page}");
    assert!(page.contains("khong_co_so_lieu_nay"));
    assert!(page.contains("aria-invalid=\"true\""));
    // The typed text is kept.
    assert!(field(&page, "body").contains("{khong_co_so_lieu_nay}"));
    // An impossible date, beside its field.
    values[6].1 = field(&form, "body");
    values[0].1 = "31/02/2025".into();
    let fields: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.post_form(&new, &fields).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"e-as_of\""));
    // A character the PDF font cannot draw is refused before anything is stored.
    values[0].1 = "30/11/2025".into();
    values[6].1 = format!("{}\n- Chúc mừng 🎉", field(&form, "body"));
    let mut fields: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("action", "generate"));
    let res = app.post_form(&new, &fields).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("không in được trong tệp PDF"), "{page}");
    assert!(page.contains("🎉"));
    assert!(app.db.store.reports_of(11914).await.unwrap().is_empty());
    app.stop().await;
}

async fn the_province_posts_a_request_and_sees_who_answered(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "sokhcn").await;
    let page = app
        .get("/provinces/31/requests")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("4675/SKHCN-CNTT"));
    assert!(page.contains("<strong>0</strong>/114"), "{page}");
    let res = app
        .post_form(
            "/provinces/31/requests",
            &[
                ("doc_number", "812/SKHCN-CNTT"),
                ("issued_on", "02/03/2026"),
                ("issuer", "Sở Khoa học và Công nghệ"),
                ("subject", "Về việc báo cáo kết quả quý I năm 2026"),
                ("as_of", "31/03/2026"),
                ("period_from", "01/01/2026"),
                ("deadline", "05/04/2026"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // Refused input keeps the page, names the field.
    let res = app
        .post_form(
            "/provinces/31/requests",
            &[
                ("doc_number", "813/SKHCN-CNTT"),
                ("issued_on", "02/03/2026"),
                ("issuer", "Sở Khoa học và Công nghệ"),
                ("subject", "Về việc khác"),
                ("as_of", "31/03/2026"),
                ("deadline", "01/03/2026"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"e-deadline\""));
    // The province officer reads the commune's reports but cannot answer.
    assert_eq!(
        app.get("/communes/11914/reports/new?request=1")
            .await
            .status(),
        403
    );
    // The commune sees the new request and answers it.
    let store = &app.db.store;
    let request = store
        .request_by_number(11914, "812/SKHCN-CNTT")
        .await
        .unwrap();
    assert_eq!(
        request.period_from,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
    );
    let settings = toso_reporting::report_defaults(store, 11914, &request)
        .await
        .unwrap();
    let report = toso_reporting::create_report(
        store,
        &toso_store::Actor::system("test"),
        11914,
        request.id,
        settings,
    )
    .await
    .unwrap();
    // A version made is a draft, not an answer: the Department counts
    // the reports submitted to it.
    let page = app
        .get("/provinces/31/requests")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Đã gửi <strong>0</strong>/114"), "{page}");
    store
        .submit_report(&toso_store::Actor::system("canboxa"), report.id, 0)
        .await
        .unwrap();
    let page = app
        .get("/provinces/31/requests")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Đã gửi <strong>1</strong>/114"), "{page}");
    let board = app
        .get(&format!("/provinces/31/requests/{}", request.id))
        .await
        .text()
        .await
        .unwrap();
    let row = &board[board
        .find("<tr data-commune=\"11914\"")
        .expect("Cát Hải's row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Đặc khu Cát Hải"), "{row}");
    assert!(row.contains("Đã gửi, chờ Sở xem xét"), "{row}");
    // Another province's officer is refused.
    app.login("admin").await;
    assert_eq!(app.get("/provinces/99/requests").await.status(), 404);
    app.stop().await;
}

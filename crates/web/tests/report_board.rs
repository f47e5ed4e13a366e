//! The Department's side of a request over real HTTP (issue 19, items 2–5):
//! the completeness and timeliness board with its counts, filters and
//! downloads; marking a commune not expected; the notices of both sides;
//! a request carrying the body template communes start from; the
//! consolidated report frozen from the accepted versions, its files, and
//! that a later change of records changes neither.

use toso_domain::ReportState;
use toso_store::{Actor, Review};
use toso_testkit::{both_backends, location, Backend, TestApp, TestDb};

both_backends!(
    the_board_counts_and_lists_every_commune,
    a_commune_not_expected_leaves_the_count,
    notices_follow_the_cycle,
    a_request_template_is_where_communes_start,
    the_consolidated_report_sums_accepted_versions,
);

const PROVINCE: i32 = 31;

async fn request_id(app: &TestApp) -> i64 {
    app.db
        .store
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap()
        .id
}

/// Cát Hải's report made, submitted and (if `accept`) accepted.
async fn submit_cat_hai(app: &TestApp, accept: bool) -> i64 {
    let store = &app.db.store;
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
            .unwrap();
    store
        .submit_report(&Actor::system("canboxa"), report.id, 0)
        .await
        .unwrap();
    if accept {
        store
            .review_report(
                &Actor::system("sokhcn"),
                11914,
                request.id,
                Review::Accept,
                1,
            )
            .await
            .unwrap();
    }
    report.id
}

async fn the_board_counts_and_lists_every_commune(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let id = request_id(&app).await;
    let report = submit_cat_hai(&app, false).await;
    let board = format!("/provinces/{PROVINCE}/requests/{id}");
    let communes = app.db.store.communes_of(PROVINCE).await.unwrap().len();

    app.login("sokhcn").await;
    let html = app.html(&board).await;
    assert_eq!(
        html.matches("<tr data-commune=").count(),
        communes,
        "one row per commune of the province"
    );
    assert!(html.contains(&format!("1/{communes}")), "submitted 1/N");
    // Submitted after the deadline of 31/12/2025 (the test runs later).
    let row = row_of(&html, 11914);
    assert!(row.contains("Đã gửi, chờ Sở xem xét"), "{row}");
    assert!(row.contains("Trễ "), "{row}");
    assert!(
        row.contains(&format!("/communes/11914/reports/{report}/pdf")),
        "{row}"
    );
    // Filters.
    let awaiting = app.html(&format!("{board}?show=awaiting")).await;
    assert_eq!(awaiting.matches("<tr data-commune=").count(), 1);
    let overdue = app.html(&format!("{board}?show=overdue")).await;
    assert_eq!(
        overdue.matches("<tr data-commune=").count(),
        communes - 1,
        "every other commune is overdue"
    );
    let res = app.get(&format!("{board}?show=nonsense")).await;
    assert_eq!(res.status().as_u16(), 422);

    // Downloads: the board and the list to chase, CSV with BOM and XLSX.
    let res = app.get(&format!("{board}/download/board.csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "CSV with BOM");
    assert!(text.contains("Đặc khu Cát Hải"));
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with(char::is_numeric))
            .count(),
        communes
    );
    let res = app.get(&format!("{board}/download/overdue.csv")).await;
    let chase = res.text().await.unwrap();
    assert!(!chase.contains("Đặc khu Cát Hải"), "Cát Hải submitted");
    let res = app.get(&format!("{board}/download/board.xlsx")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(
        app.get(&format!("{board}/download/board.odt"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Another province's officer and a commune officer see nothing.
    assert_eq!(
        app.get(&format!("/provinces/22/requests/{id}"))
            .await
            .status()
            .as_u16(),
        403
    );
    app.login("canboxa").await;
    assert_eq!(app.get(&board).await.status().as_u16(), 403);
}

/// The `<tr>` of commune `code` in a board page.
fn row_of(html: &str, code: i32) -> String {
    let start = html
        .find(&format!("<tr data-commune=\"{code}\""))
        .expect("the commune's row");
    let end = html[start..].find("</tr>").unwrap() + start;
    html[start..end].to_string()
}

async fn a_commune_not_expected_leaves_the_count(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let id = request_id(&app).await;
    let board = format!("/provinces/{PROVINCE}/requests/{id}");
    let communes = app.db.store.communes_of(PROVINCE).await.unwrap();
    let other = communes.iter().find(|c| c.code != 11914).unwrap();
    app.login("sokhcn").await;

    // Without a reason: refused beside the field, nothing written.
    let res = app
        .post_form(
            &format!("{board}/expected"),
            &[
                ("commune", &other.code.to_string()),
                ("expected", "0"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("Lý do"));
    assert!(app
        .db
        .store
        .request_exclusions(id)
        .await
        .unwrap()
        .is_empty());

    let res = app
        .post_form(
            &format!("{board}/expected"),
            &[
                ("commune", &other.code.to_string()),
                ("expected", "0"),
                ("reason", "Chưa triển khai Tổ Số"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), format!("{board}?saved"));
    let b = app
        .db
        .store
        .request_board(id, toso_store::today())
        .await
        .unwrap();
    assert_eq!(b.expected, communes.len() - 1);
    let html = app.html(&format!("{board}?show=excluded")).await;
    assert!(row_of(&html, other.code).contains("Chưa triển khai Tổ Số"));

    // A commune that submitted cannot be left out.
    submit_cat_hai(&app, false).await;
    let res = app
        .post_form(
            &format!("{board}/expected"),
            &[("commune", "11914"), ("expected", "0"), ("reason", "Thử")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("đã gửi báo cáo"));
    // A commune of another province is refused.
    let res = app
        .post_form(
            &format!("{board}/expected"),
            &[("commune", "4"), ("expected", "0"), ("reason", "Thử")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);

    // Expected again.
    let res = app
        .post_form(
            &format!("{board}/expected"),
            &[("commune", &other.code.to_string()), ("expected", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(app
        .db
        .store
        .request_exclusions(id)
        .await
        .unwrap()
        .is_empty());
    // Each change is in the audit log.
    let entries = app
        .db
        .store
        .audit_search_province(
            PROVINCE,
            false,
            &toso_store::AuditFilter {
                entity: Some("request_exclusion".into()),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 2, "excluded then included");
}

async fn notices_follow_the_cycle(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let id = request_id(&app).await;
    app.login("canboxa").await;
    let html = app.html("/notices").await;
    assert!(
        html.contains("Công văn số 4675/SKHCN-CNTT"),
        "the open request"
    );
    assert!(html.contains("Quá hạn "), "its deadline passed");
    assert!(html.contains("chưa đọc"));

    // The province returns the report: the commune is told, with the comment.
    submit_cat_hai(&app, false).await;
    app.db
        .store
        .review_report(
            &Actor::system("sokhcn"),
            11914,
            id,
            Review::Return("Bổ sung số liệu tập huấn".into()),
            1,
        )
        .await
        .unwrap();
    let html = app.html("/notices").await;
    assert!(html.contains("Sở trả lại báo cáo"), "{html}");
    assert!(html.contains("Ý kiến của Sở: Bổ sung số liệu tập huấn"));

    // Marked read: no longer unread.
    let res = app.post_form("/notices/read", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app.html("/notices").await;
    assert!(!html.contains("chưa đọc"), "all read");
    assert!(html.contains("Sở trả lại báo cáo"), "still listed");

    // The province officer is told of the submission.
    app.login("sokhcn").await;
    let html = app.html("/notices").await;
    assert!(
        html.contains("Đặc khu Cát Hải gửi báo cáo theo Công văn số 4675/SKHCN-CNTT"),
        "{html}"
    );
    assert_eq!(
        app.db.store.report_status(11914, id).await.unwrap().state,
        ReportState::Returned
    );
}

async fn a_request_template_is_where_communes_start(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("sokhcn").await;
    let fields = |body: &'static str| {
        vec![
            ("doc_number", "99/SKHCN-CNTT"),
            ("issued_on", "01/06/2026"),
            ("issuer", "Sở Khoa học và Công nghệ"),
            ("subject", "Báo cáo nhanh"),
            ("as_of", "31/05/2026"),
            ("deadline", "15/06/2026"),
            ("grace_days", "3"),
            ("template_body", body),
        ]
    };
    // A template naming a figure that does not exist is refused.
    let res = app
        .post_form(
            &format!("/provinces/{PROVINCE}/requests"),
            &fields("Có {khong_co} thôn."),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("khong_co"));
    let res = app
        .post_form(
            &format!("/provinces/{PROVINCE}/requests"),
            &fields("Xã có {villages} thôn và {teams} tổ."),
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let request = app
        .db
        .store
        .request_by_number(11914, "99/SKHCN-CNTT")
        .await
        .unwrap();
    assert_eq!(request.grace_days, 3);
    assert_eq!(
        request.due(),
        chrono::NaiveDate::from_ymd_opt(2026, 6, 18),
        "deadline plus grace"
    );
    app.login("canboxa").await;
    let html = app
        .html(&format!(
            "/communes/11914/reports/new?request={}",
            request.id
        ))
        .await;
    assert!(
        html.contains("Xã có {villages} thôn và {teams} tổ."),
        "the commune starts from the Department's template"
    );
}

async fn the_consolidated_report_sums_accepted_versions(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let id = request_id(&app).await;
    submit_cat_hai(&app, true).await;
    let base = format!("/provinces/{PROVINCE}/requests/{id}/report");
    app.login("sokhcn").await;
    let html = app.html(&base).await;
    assert!(html.contains("SKHCN"), "the Department's number");
    let mut fields: Vec<(String, String)> = form_values(&html);
    fields.retain(|(k, _)| k != "action" && k != "csrf" && k != "signer_name");
    fields.push(("signer_name".into(), "Nguyễn Văn Giám".into()));
    let preview: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("action", "preview")])
        .collect();
    let res = app.post_form(&base, &preview).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Xem trước"));
    assert!(html.contains("386"), "Cát Hải's members are summed");
    assert!(app.db.store.province_reports(id).await.unwrap().is_empty());

    let create: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("action", "generate")])
        .collect();
    let res = app.post_form(&base, &create).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(location(&res), format!("{base}/1?saved"));
    let html = app.html(&format!("{base}/1")).await;
    assert!(html.contains("phiên bản 1"));
    assert!(
        html.contains("Đặc khu Cát Hải — phiên bản 1"),
        "the version summed"
    );
    for (ext, magic) in [("docx", &b"PK"[..]), ("pdf", b"%PDF"), ("xlsx", b"PK")] {
        let res = app.get(&format!("{base}/1/{ext}")).await;
        assert_eq!(res.status().as_u16(), 200, "{ext}");
        let name = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            name.contains("bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1"),
            "{name}"
        );
        assert!(res.bytes().await.unwrap().starts_with(magic), "{ext}");
    }
    let frozen = app
        .db
        .store
        .province_report(id, 1)
        .await
        .unwrap()
        .stored
        .snapshot;

    // A later change of records changes neither the accepted version nor
    // the consolidated report.
    let store = &app.db.store;
    let village = store.villages(11914, None).await.unwrap()[0].clone();
    store
        .create_village(
            &Actor::system("test"),
            toso_store::NewVillage {
                commune_code: 11914,
                kind: village.kind,
                name: toso_domain::Name::village("Thôn Mới Lập").unwrap(),
                active_from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.province_report(id, 1).await.unwrap().snapshot, frozen);
    let preview = app.post_form(&base, &preview).await.text().await.unwrap();
    assert!(preview.contains("386"), "still the accepted figures");

    // The Ministry reads it; it cannot make one.
    app.login("bokhcn").await;
    assert_eq!(app.get(&format!("{base}/1")).await.status().as_u16(), 200);
    assert_eq!(app.post_form(&base, &create).await.status().as_u16(), 403);
    // A version that does not exist.
    app.login("sokhcn").await;
    assert_eq!(app.get(&format!("{base}/7")).await.status().as_u16(), 404);
    assert_eq!(app.get(&format!("{base}/x")).await.status().as_u16(), 404);
}

/// The named inputs and textareas of the page's last form, with their
/// values (enough for the report form).
fn form_values(html: &str) -> Vec<(String, String)> {
    let form = &html[html.rfind("<form method=\"post\"").expect("a form")..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    let unescape = |s: &str| {
        s.replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    for (i, _) in form.match_indices("name=\"") {
        let rest = &form[i + 6..];
        let name = &rest[..rest.find('"').unwrap()];
        let tag_start = form[..i].rfind('<').unwrap();
        let tag = &form[tag_start..];
        if tag.starts_with("<textarea") {
            let open = tag.find('>').unwrap() + 1;
            let close = tag.find("</textarea>").unwrap();
            out.push((
                name.to_string(),
                unescape(tag[open..close].trim_start_matches('\n')),
            ));
        } else if tag.starts_with("<input") {
            let end = tag.find('>').unwrap();
            let value = tag[..end]
                .find("value=\"")
                .map(|v| {
                    let v = &tag[v + 7..end];
                    unescape(&v[..v.find('"').unwrap()])
                })
                .unwrap_or_default();
            out.push((name.to_string(), value));
        }
    }
    out
}

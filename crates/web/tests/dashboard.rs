//! Dashboards, training courses, campaigns and the activity edit window
//! through the real HTTP server: the figures agree between the page, the
//! API and the CSV; officers record courses and campaigns; members correct
//! their own entries.

mod api_support;

use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    figures_agree_between_page_api_and_csv,
    village_and_team_dashboards_draw_their_charts,
    an_officer_records_a_course_and_a_campaign,
    members_correct_their_own_entries,
);

/// The figure of the card `data-indicator="{key}"` of a dashboard.
fn card(page: &str, key: &str) -> String {
    let at = page
        .find(&format!("data-indicator=\"{key}\""))
        .unwrap_or_else(|| panic!("no card {key}"));
    let rest = &page[at..];
    let start = rest.find("class=\"figure\">").unwrap() + 15;
    rest[start..].split('<').next().unwrap().to_string()
}

/// The count value of indicator `key` in an API answer.
fn api_count(json: &str, key: &str) -> i64 {
    let table: serde_json::Value = serde_json::from_str(json).expect("JSON");
    // Both indicator routes answer the same documented table.
    api_support::check(
        &api_support::document(),
        "GET",
        "/api/v1/indicators",
        200,
        &table,
    );
    table["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {json}"))["value"]
        .as_i64()
        .expect("a count")
}

/// The value column of the line of `name` in a figures CSV.
fn csv_value(csv: &str, name: &str) -> String {
    let line = csv
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no line {name} in {csv}"));
    let rest = &line[name.len() + 1..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next().unwrap().to_string()
    } else {
        rest.split(',').next().unwrap().to_string()
    }
}

/// Sum of column `col` (1-based after the label) of a table CSV.
fn csv_sum(csv: &str, col: usize) -> i64 {
    csv.trim_start_matches('\u{feff}')
        .lines()
        .skip_while(|l| !l.starts_with("Tháng") && !l.starts_with("Lĩnh vực"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[col].replace(['.', '"'], "").parse::<i64>().unwrap()
        })
        .sum()
}

async fn figures_agree_between_page_api_and_csv(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let nov = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let helped = store
        .indicators(toso_domain::Node::Commune(11914), nov)
        .await
        .unwrap()
        .count(toso_domain::IndicatorCode::CitizensHelped);
    assert!(helped > 0);

    // As of 30/11/2025 (from the beginning).
    let (status, page) = app.text("/communes/11914/dashboard?until=30/11/2025").await;
    assert_eq!(status, 200);
    assert_eq!(card(&page, "contest_registrations"), "1.440");
    assert_eq!(
        card(&page, "citizens_helped"),
        toso_domain::format_int(helped)
    );
    let (status, json) = app
        .text("/api/v1/indicators?node=commune:11914&as_of=2025-11-30")
        .await;
    assert_eq!(status, 200);
    assert_eq!(api_count(&json, "contest_registrations"), 1440);
    assert_eq!(api_count(&json, "citizens_helped"), helped);
    let res = app
        .get("/communes/11914/dashboard/figures.csv?until=2025-11-30")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(csv.contains("Chỉ tiêu,Giá trị,Đơn vị,Mã chỉ tiêu"), "{csv}");
    assert_eq!(
        csv_value(&csv, "Số lượt đăng ký tham gia cuộc thi"),
        "1.440"
    );
    assert_eq!(
        csv_value(&csv, "Số người dân được hỗ trợ"),
        toso_domain::format_int(helped)
    );
    // The tables by month and by category add up to the same figure.
    let (_, months) = app
        .text("/communes/11914/dashboard/months.csv?until=2025-11-30")
        .await;
    assert_eq!(csv_sum(&months, 2), helped, "{months}");
    let (_, categories) = app
        .text("/communes/11914/dashboard/categories.csv?until=2025-11-30")
        .await;
    assert_eq!(csv_sum(&categories, 2), helped);
    // The API's table by month: the same rows as the page and the CSV.
    let (status, json) = app
        .text("/api/v1/communes/11914/activities?by=month&as_of=2025-11-30")
        .await;
    assert_eq!(status, 200, "{json}");
    let api_helped: i64 = json
        .split("\"citizens_helped\":")
        .skip(1)
        .map(|s| {
            s.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(api_helped, helped);
    let (status, _) = app.text("/api/v1/communes/11914/activities?by=team").await;
    assert_eq!(status, 422);
    assert!(categories.contains("DVC trực tuyến"));

    // Over November only: the period variant everywhere.
    let (_, page) = app
        .text("/communes/11914/dashboard?from=01/11/2025&until=30/11/2025")
        .await;
    assert!(page.contains("Từ ngày 01/11/2025 đến ngày 30/11/2025"));
    assert_eq!(card(&page, "contest_registrations"), "1.225");
    let (_, json) = app
        .text("/api/v1/indicators?node=commune:11914&from=2025-11-01&as_of=2025-11-30")
        .await;
    assert_eq!(api_count(&json, "contest_registrations"), 1225);
    assert!(json.contains("\"from\":\"2025-11-01\""));
    let (_, csv) = app
        .text("/communes/11914/dashboard/figures.csv?from=2025-11-01&until=2025-11-30")
        .await;
    assert_eq!(
        csv_value(&csv, "Số lượt đăng ký tham gia cuộc thi"),
        "1.225"
    );

    // The charts: server-drawn SVG with accessible names, no script.
    let (_, page) = app.text("/communes/11914/dashboard?until=30/11/2025").await;
    assert!(page.contains("<svg"));
    assert!(page.contains("role=\"img\""));
    assert!(page.contains("Số người dân được hỗ trợ theo tháng — Đặc khu Cát Hải"));
    assert!(page.contains("Số người dân được hỗ trợ theo lĩnh vực"));
    assert!(page.contains("Xếp hạng thôn, tổ dân phố"));
    assert!(!page.contains("<script"));
    // The ranking lists every village once; its CSV has the same lines.
    let (_, ranking) = app
        .text("/communes/11914/dashboard/villages.csv?until=2025-11-30")
        .await;
    let lines: Vec<&str> = ranking
        .trim_start_matches('\u{feff}')
        .lines()
        .skip_while(|l| !l.starts_with("Hạng"))
        .skip(1)
        .collect();
    assert_eq!(lines.len(), 58, "{ranking}");
    assert!(lines[0].starts_with("1,"));
    // November's days of activity by team: on the page, and as a CSV whose
    // lines are the teams' attendance sheets' totals.
    let (_, page) = app
        .text("/communes/11914/dashboard?from=01/11/2025&until=30/11/2025")
        .await;
    assert!(page.contains("Ngày công của thành viên theo tổ"));
    let (_, by_team) = app
        .text("/communes/11914/dashboard/teams.csv?from=2025-11-01&until=2025-11-30")
        .await;
    let days: std::collections::HashMap<String, i64> = by_team
        .trim_start_matches('\u{feff}')
        .lines()
        .skip_while(|l| !l.starts_with("Tổ,"))
        .skip(1)
        .map(|l| {
            let (team, n) = l.rsplit_once(',').expect("two columns");
            let n = n.trim_matches('"').replace('.', "");
            (
                team.trim_matches('"').to_string(),
                n.parse().expect("a number"),
            )
        })
        .collect();
    let sheets = app
        .db
        .store
        .month_sheets(
            11914,
            toso_domain::Month {
                year: 2025,
                month: 11,
            },
        )
        .await
        .unwrap();
    assert_eq!(days.len(), sheets.len(), "{by_team}");
    for sheet in &sheets {
        assert_eq!(
            days[&sheet.name],
            i64::from(sheet.person_days()),
            "{}",
            sheet.name
        );
    }
    assert!(days.values().sum::<i64>() > 0);
    // A team's dashboard has no such table (it is one team).
    let (status, _) = app
        .text(&format!(
            "/communes/11914/teams/{}/dashboard/teams.csv?until=2025-11-30",
            sheets[0].team_id
        ))
        .await;
    assert_eq!(status, 404);
    // A bad period gets a Vietnamese answer.
    let (status, page) = app
        .text("/communes/11914/dashboard?from=01/12/2025&until=30/11/2025")
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Từ ngày 01/12/2025 không được sau đến ngày 30/11/2025."));
    app.stop().await;
}

async fn village_and_team_dashboards_draw_their_charts(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = app.db.store.clone();
    let member = toso_testkit::account(&store, "thanhvien").await;
    let team = store.team(member.team_id.unwrap()).await.unwrap();
    let village = team.village_id.unwrap();
    app.login("canboxa").await;
    let (status, page) = app
        .text(&format!("/communes/11914/villages/{village}/dashboard"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Bảng số liệu: Tổ dân phố 1"));
    assert!(page.contains("<svg"));
    // The team's own dashboard, for its member; its table adds up to its card.
    app.login("thanhvien").await;
    let base = format!("/communes/11914/teams/{}/dashboard", team.id);
    let (status, page) = app.text(&base).await;
    assert_eq!(status, 200);
    let helped: i64 = card(&page, "citizens_helped")
        .replace('.', "")
        .parse()
        .unwrap();
    assert!(helped > 0);
    let (status, months) = app.text(&format!("{base}/months.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(csv_sum(&months, 2), helped);
    let (status, _) = app.text(&format!("{base}/villages.csv")).await;
    assert_eq!(status, 404, "a team has no ranking of villages");
    // The village team's figures equal the village's (one team per village).
    let village_helped = store
        .indicator(
            toso_domain::IndicatorCode::CitizensHelped,
            toso_domain::Node::Village(village),
            toso_store::today(),
        )
        .await
        .unwrap();
    assert_eq!(village_helped.total(), Some(helped));
    app.stop().await;
}

async fn an_officer_records_a_course_and_a_campaign(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = app.db.store.clone();
    let leader = toso_testkit::account(&store, "totruong").await;
    let person = leader.person_id.unwrap();
    app.login("canboxa").await;
    let (status, page) = app.text("/communes/11914/training").await;
    assert_eq!(status, 200);
    assert!(page.contains("Tập huấn sử dụng Hệ thống Chính quyền số thành phố"));
    assert!(page.contains("Ứng dụng trí tuệ nhân tạo (AI), tự động hóa trong cơ quan nhà nước"));
    assert!(page.contains("2086/UBND-VHXH"));

    // Refused: more citizens completed than registered, an end before the start.
    let p = format!("p_{person}");
    let c = format!("c_{person}");
    let base = [
        ("title", "Bảo đảm an toàn thông tin cho người dân"),
        ("organiser", "Công an đặc khu Cát Hải"),
        ("mode", "truc_tiep"),
        ("starts_on", "10/01/2026"),
        ("ends_on", "11/01/2026"),
        ("officials_registered", "4"),
        ("officials_completed", "4"),
        ("citizens_registered", "5"),
        (p.as_str(), "on"),
        (c.as_str(), "on"),
    ];
    let mut bad = base.to_vec();
    bad.push(("citizens_completed", "6"));
    let res = app.post_form("/communes/11914/training/new", &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Số người dân hoàn thành (6) không được lớn hơn số đăng ký (5)."),
        "{page}"
    );
    let mut bad = base.to_vec();
    bad.retain(|(k, _)| *k != "ends_on");
    bad.push(("ends_on", "09/01/2026"));
    let res = app.post_form("/communes/11914/training/new", &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ngày kết thúc 09/01/2026 không được trước ngày khai giảng 10/01/2026."));
    assert_eq!(
        store.courses(11914).await.unwrap().len(),
        3,
        "nothing stored"
    );

    let mut good = base.to_vec();
    good.push(("citizens_completed", "3"));
    let res = app.post_form("/communes/11914/training/new", &good).await;
    assert_eq!(res.status().as_u16(), 303);
    let course = store
        .courses(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.title == "Bảo đảm an toàn thông tin cho người dân")
        .expect("the new course");
    assert_eq!(course.participants.len(), 1);
    assert!(course.participants[0].completed);
    assert_eq!(course.registered(), 10);
    assert_eq!(course.completed(), 8);
    let (_, page) = app.text("/communes/11914/training").await;
    assert!(page.contains("Bảo đảm an toàn thông tin cho người dân"));
    assert!(page.contains("80%"), "the course's completion");
    let (status, csv) = app.text("/communes/11914/training.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("Tên lớp,Đơn vị tổ chức"));
    assert!(csv.contains("Bảo đảm an toàn thông tin cho người dân"));
    // The edit form shows the member ticked.
    let (status, page) = app
        .text(&format!("/communes/11914/training/{}/edit", course.id))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("name=\"p_{person}\" aria-label=")));
    assert!(page.contains("checked"));

    // Campaigns.
    let village = store.villages(11914, None).await.unwrap()[0].id;
    let v = format!("village_{village}");
    let res = app
        .post_form(
            "/communes/11914/campaigns/new",
            &[
                ("name", "Chủ nhật xanh"),
                ("held_on", "18/01/2026"),
                ("participants", "12"),
                ("citizens_reached", "80"),
                (v.as_str(), "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Chọn ít nhất một tổ chức phối hợp."));
    let res = app
        .post_form(
            "/communes/11914/campaigns/new",
            &[
                ("name", "Chủ nhật xanh"),
                ("held_on", "18/01/2026"),
                ("participants", "12"),
                ("citizens_reached", "80"),
                ("partner_doan_tn", "on"),
                ("partner_hoi_nd", "on"),
                (v.as_str(), "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, page) = app.text("/communes/11914/campaigns").await;
    assert!(page.contains("18/01/2026"));
    assert!(page.contains("Đoàn Thanh niên, Hội Nông dân"));
    let (_, csv) = app.text("/communes/11914/campaigns.csv").await;
    assert!(csv.contains("Tên đợt, phong trào"));
    assert!(csv.contains("Đoàn Thanh niên, Hội Nông dân"));
    // The province officer reads, but does not record.
    app.login("sokhcn").await;
    let (status, _) = app.text("/communes/11914/campaigns").await;
    assert_eq!(status, 200);
    let res = app
        .post_form(
            "/communes/11914/campaigns/new",
            &[("name", "x"), ("partner_doan_tn", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    app.stop().await;
}

async fn members_correct_their_own_entries(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = app.db.store.clone();
    let member = toso_testkit::account(&store, "thanhvien").await;
    let team = member.team_id.unwrap();
    let today = toso_domain::format_date(toso_store::today());
    app.login("thanhvien").await;
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team}/activities"),
            &[
                ("activity_date", today.as_str()),
                ("category", "vneid"),
                ("citizens_helped", "4"),
                ("dossiers", "0"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let mine = store
        .activities(11914, toso_store::today(), toso_store::today())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.team_id == team && a.citizens_helped == 4)
        .expect("the logged activity");
    let edit = format!("/communes/11914/activities/{}/edit", mine.id);
    let (_, page) = app.text(&format!("/communes/11914/teams/{team}")).await;
    assert!(page.contains(&format!("href=\"{edit}\"")), "a Sửa link");
    let (status, page) = app.text(&edit).await;
    assert_eq!(status, 200);
    assert!(page.contains("Sửa lượt hỗ trợ"));
    // A refused correction keeps the entry.
    let res = app
        .post_form(
            &edit,
            &[
                ("activity_date", today.as_str()),
                ("category", "vneid"),
                ("citizens_helped", "-1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Số người được hỗ trợ không được là số âm."));
    assert_eq!(store.activity(mine.id).await.unwrap().citizens_helped, 4);
    let res = app
        .post_form(
            &edit,
            &[
                ("activity_date", today.as_str()),
                ("category", "dvc_truc_tuyen"),
                ("citizens_helped", "5"),
                ("dossiers", "2"),
                ("note", "Sửa số liệu"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let after = store.activity(mine.id).await.unwrap();
    assert_eq!(
        (
            after.citizens_helped,
            after.dossiers,
            after.category.as_str()
        ),
        (5, 2, "dvc_truc_tuyen")
    );
    let audit = store.audit_of("activity", mine.id).await.unwrap();
    let update = audit.iter().find(|e| e.action == "update").unwrap();
    assert_eq!(update.actor, "thanhvien");
    assert_eq!(update.before.as_ref().unwrap().0["citizens_helped"], 4);
    assert_eq!(update.after.as_ref().unwrap().0["citizens_helped"], 5);

    // An entry of the team the member did not log: the member may not
    // edit it, the team's leader may (it was logged less than 7 days ago).
    let theirs = store
        .activities(
            11914,
            chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(),
            toso_store::today(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.team_id == team && a.id != mine.id)
        .expect("a demo activity of the team");
    let other = format!("/communes/11914/activities/{}/edit", theirs.id);
    let (status, page) = app.text(&other).await;
    assert_eq!(status, 403);
    assert!(
        page.contains("Chỉ sửa được lượt hỗ trợ do mình ghi"),
        "{page}"
    );
    app.login("totruong").await;
    let (status, _) = app.text(&other).await;
    assert_eq!(status, 200);
    app.stop().await;
}

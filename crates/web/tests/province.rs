//! The Department's and the Ministry's pages through the real HTTP server:
//! where they land, the table of communes (every commune listed, Cát Hải's
//! reference figures, totals equal to the province's own figures), its
//! order, filters and downloads, the records behind a figure, breadcrumbs,
//! and the whole country.

use toso_domain::{format_int, IndicatorCode, Node};
use toso_testkit::{both_backends, location, Backend, TestApp, TestDb};

both_backends!(
    the_province_officer_lands_on_the_province_table,
    the_table_sorts_filters_and_downloads,
    the_ministry_reads_the_whole_country,
    the_table_is_live,
);

/// The day of the reference report's figures.
const AS_OF: &str = "30/11/2025";

/// The rows of the units table, in order: (code, the row's HTML).
fn rows(page: &str) -> Vec<(i32, String)> {
    page.split("<tr data-code=\"")
        .skip(1)
        .map(|chunk| {
            let code: i32 = chunk.split('"').next().unwrap().parse().unwrap();
            let row = chunk.split("</tr>").next().unwrap().to_string();
            (code, row)
        })
        .collect()
}

/// The text of the cell `data-col="{key}"` in a row (or the totals).
fn cell(row: &str, key: &str) -> String {
    let at = row
        .find(&format!("data-col=\"{key}\""))
        .unwrap_or_else(|| panic!("no cell {key} in {row}"));
    let rest = &row[at..];
    let start = rest.find('>').unwrap() + 1;
    let inner = rest[start..].split("</td>").next().unwrap();
    // Unwrap a link.
    match inner.find('>') {
        Some(i) if inner.starts_with("<a") => inner[i + 1..].split('<').next().unwrap().to_string(),
        _ => inner.to_string(),
    }
}

fn totals(page: &str) -> String {
    page.split("<tr class=\"totals\">")
        .nth(1)
        .expect("a totals row")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string()
}

async fn the_province_officer_lands_on_the_province_table(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("sokhcn").await;
    assert_eq!(location(&app.get("/").await), "/provinces/31");

    let page = app.html(&format!("/provinces/31?as_of={AS_OF}")).await;
    assert!(page.contains("Thành phố Hải Phòng"), "the province's name");
    let store = &app.db.store;
    let communes = store.communes_of(31).await.unwrap();
    let listed = rows(&page);
    assert_eq!(listed.len(), communes.len(), "every commune has a row");
    assert_eq!(listed.len(), 114, "Hải Phòng has 114 communes");
    let (_, cat_hai) = listed.iter().find(|(c, _)| *c == 11914).expect("Cát Hải");
    assert!(cat_hai.contains("Đặc khu Cát Hải"));
    assert_eq!(cell(cat_hai, "villages"), "58");
    assert_eq!(cell(cat_hai, "teams"), "58");
    assert_eq!(cell(cat_hai, "coverage"), "100%");
    assert_eq!(cell(cat_hai, "members"), "386");
    assert!(
        cat_hai.contains("href=\"/communes/11914/indicators/members?as_of=30/11/2025\""),
        "each figure links to the commune's records"
    );
    let no_data = listed
        .iter()
        .filter(|(_, r)| r.contains("Chưa có dữ liệu"))
        .count();
    assert_eq!(
        no_data, 113,
        "the other communes are shown as having no data"
    );

    // The totals row and the cards are the province's own figures.
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let set = store.indicators(Node::Province(31), as_of).await.unwrap();
    let sum = totals(&page);
    for (key, code) in [
        ("villages", IndicatorCode::Villages),
        ("teams", IndicatorCode::Teams),
        ("members", IndicatorCode::Members),
        ("quick", IndicatorCode::QuickResponseMembers),
        ("citizens", IndicatorCode::CitizensHelped),
        ("dossiers", IndicatorCode::Dossiers),
        ("trainees", IndicatorCode::Trainees),
        ("registrations", IndicatorCode::ContestRegistrations),
        ("active", IndicatorCode::ActiveTeams),
    ] {
        assert_eq!(cell(&sum, key), format_int(set.count(code)), "{key}");
    }
    assert_eq!(
        cell(&sum, "coverage"),
        set.get(IndicatorCode::Coverage).unwrap().display
    );
    assert_eq!(cell(&sum, "registrations"), "1.440");

    // The records behind a province figure, and back.
    let records = app
        .html(&format!("/provinces/31/indicators/villages?as_of={AS_OF}"))
        .await;
    assert!(records.contains("58 hồ sơ làm căn cứ"), "{records}");
    assert!(records.contains("href=\"/provinces/31?as_of=30/11/2025\""));

    // Into Cát Hải and back: the breadcrumbs lead home.
    let commune = app.html("/communes/11914").await;
    assert!(commune.contains("class=\"crumbs\""));
    assert!(commune.contains("<a href=\"/provinces/31\">Thành phố Hải Phòng</a>"));
    // A commune's own officer has no province above them to go to.
    app.login("canboxa").await;
    assert!(!app
        .html("/communes/11914")
        .await
        .contains("class=\"crumbs\""));
    let (status, _) = app.text("/provinces/31").await;
    assert_eq!(status, 403, "a commune officer does not read the province");
    app.stop().await;
}

async fn the_table_sorts_filters_and_downloads(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let page = app
        .html(&format!(
            "/provinces/31?as_of={AS_OF}&sort=members&dir=desc"
        ))
        .await;
    assert_eq!(rows(&page)[0].0, 11914, "most members first");
    assert!(page.contains("aria-sort=\"descending\""));
    let page = app
        .html(&format!("/provinces/31?as_of={AS_OF}&sort=name"))
        .await;
    let names: Vec<String> = rows(&page)
        .iter()
        .map(|(_, r)| {
            let link = r.split("<th scope=\"row\"><a href=\"").nth(1).unwrap();
            let name = link.split("\">").nth(1).unwrap();
            toso_domain::fold(name.split('<').next().unwrap())
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");

    let nodata = app
        .html(&format!("/provinces/31?as_of={AS_OF}&show=nodata"))
        .await;
    assert_eq!(rows(&nodata).len(), 113);
    assert!(rows(&nodata).iter().all(|(c, _)| *c != 11914));
    // The totals stay the province's whatever is shown.
    assert_eq!(cell(&totals(&nodata), "members"), "386");
    let special = app
        .html(&format!("/provinces/31?as_of={AS_OF}&kind=dac_khu"))
        .await;
    let special_rows = rows(&special);
    assert!(special_rows.iter().any(|(c, _)| *c == 11914));
    assert!(special_rows.len() < 114 && !special_rows.is_empty());
    let covered = app
        .html(&format!("/provinces/31?as_of={AS_OF}&show=coverage"))
        .await;
    assert!(rows(&covered).is_empty(), "Cát Hải covers every village");

    let (status, refused) = app.text("/provinces/31?sort=khong_co").await;
    assert_eq!(status, 422);
    assert!(refused.contains("Không sắp xếp được theo «khong_co»"));
    let (status, _) = app.text("/provinces/99").await;
    assert_eq!(status, 404);
    let (status, _) = app.text("/provinces/1").await;
    assert_eq!(status, 403, "another province");

    // CSV (with BOM) and XLSX, in the order and filter shown.
    let res = app
        .get(&format!(
            "/provinces/31/download/communes.csv?as_of={AS_OF}&sort=members&dir=desc"
        ))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("communes-31-30-11-2025.csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("Đặc khu Cát Hải"))
        .expect("Cát Hải's line");
    assert!(lines[first].contains(",58,58,"), "{}", lines[first]);
    assert!(lines[first].contains("386"));
    assert!(lines
        .last()
        .unwrap()
        .starts_with(",Cộng Thành phố Hải Phòng"));
    assert_eq!(
        lines.iter().filter(|l| l.contains(",Chưa,")).count(),
        113,
        "the communes without data are in the file"
    );
    let res = app
        .get(&format!(
            "/provinces/31/download/communes.xlsx?as_of={AS_OF}"
        ))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let (status, _) = app.text("/provinces/31/download/communes.pdf").await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn the_ministry_reads_the_whole_country(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("bokhcn").await;
    assert_eq!(location(&app.get("/").await), "/nation");
    let page = app.html(&format!("/nation?as_of={AS_OF}")).await;
    let listed = rows(&page);
    assert_eq!(listed.len(), 34, "the 34 provinces");
    let (_, hai_phong) = listed.iter().find(|(c, _)| *c == 31).unwrap();
    assert_eq!(cell(hai_phong, "members"), "386");
    assert!(hai_phong.contains("href=\"/provinces/31\""));
    assert_eq!(cell(&totals(&page), "villages"), "58");
    // Down to a province and a commune, read only.
    let province = app.html("/provinces/31").await;
    assert!(province.contains("<a href=\"/nation\">Toàn quốc</a>"));
    assert!(
        !province.contains("/provinces/31/requests"),
        "no workspace links"
    );
    let (status, _) = app.text("/communes/11914").await;
    assert_eq!(status, 200);
    let (status, _) = app.text("/provinces/31/requests").await;
    assert_eq!(status, 403);
    let (status, _) = app.text("/communes/11914/villages/new").await;
    assert_eq!(status, 403, "the Ministry reads, it does not write");
    let res = app
        .get(&format!("/nation/download/provinces.csv?as_of={AS_OF}"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().filter(|l| l.contains(",Có,")).count(), 1);
    // A province officer does not read the nation.
    app.login("sokhcn").await;
    let (status, _) = app.text("/nation").await;
    assert_eq!(status, 403);
    app.stop().await;
}

async fn the_table_is_live(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let today = toso_store::today();
    let before = rows(&app.html("/provinces/31").await)
        .into_iter()
        .find(|(c, _)| *c == 11914)
        .unwrap()
        .1;
    let citizens: i64 = cell(&before, "citizens").replace('.', "").parse().unwrap();
    let store = &app.db.store;
    let team = store.teams(11914).await.unwrap()[0].id;
    store
        .create_activity(
            &toso_store::Actor::system("test"),
            toso_store::NewActivity {
                team_id: team,
                activity_date: today,
                category: toso_domain::SupportCategory::Vneid,
                citizens_helped: 4,
                dossiers: 1,
                note: None,
                co_members: Vec::new(),
            },
        )
        .await
        .unwrap();
    let after = rows(&app.html("/provinces/31").await)
        .into_iter()
        .find(|(c, _)| *c == 11914)
        .unwrap()
        .1;
    assert_eq!(
        cell(&after, "citizens"),
        format_int(citizens + 4),
        "a write shows on the next load"
    );
    assert!(after.contains(&toso_domain::format_date(today)));
    app.stop().await;
}

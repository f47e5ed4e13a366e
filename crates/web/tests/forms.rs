//! The commune officer's forms over real HTTP: villages, teams, members,
//! documents, search; validation kept beside the field; CSRF on every form.

use toso_domain::{IndicatorCode, Node};
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    forms_need_the_csrf_token,
    village_created_changes_the_overview,
    invalid_village_keeps_what_was_typed,
    team_and_members_through_forms,
    refused_member_writes_nothing,
    members_are_edited_moved_and_ended,
    documents_are_registered_and_filtered,
    search_ignores_diacritics_and_case,
    records_of_another_commune_are_not_found,
);

const C: &str = "/communes/11914";

fn figure(page: &str, label: &str) -> String {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("no card {label}"));
    let start = page[..at].rfind("class=\"figure\">").unwrap() + 15;
    page[start..].split('<').next().unwrap().to_string()
}

async fn forms_need_the_csrf_token(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let before = app.db.store.villages(11914, None).await.unwrap().len();
    let forged = app
        .client
        .post(app.url(&format!("{C}/villages/new")))
        .form(&[
            ("kind", "thon"),
            ("name", "Thôn Giả"),
            ("active_from", "01/07/2025"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert!(forged.text().await.unwrap().contains("Biểu mẫu đã hết hạn"));
    let (_, cookie) = app.csrf().await;
    let wrong = app
        .client
        .post(app.url(&format!("{C}/villages/new")))
        .header("cookie", cookie)
        .form(&[
            ("kind", "thon"),
            ("name", "Thôn Giả"),
            ("active_from", "01/07/2025"),
            ("csrf", "0".repeat(48).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    assert_eq!(
        app.db.store.villages(11914, None).await.unwrap().len(),
        before
    );
    // The cookie is HttpOnly and SameSite=Lax.
    let res = app.get("/").await;
    let set = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    app.stop().await;
}

async fn village_created_changes_the_overview(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let res = app
        .post_form(
            &format!("{C}/villages/new"),
            &[
                ("kind", "thon"),
                ("name", "Thôn Mới Lập"),
                ("active_from", "01/11/2025"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{C}/villages?saved"));
    let list = app.html(&format!("{C}/villages?saved")).await;
    assert!(list.contains("Đã lưu.") && list.contains("Thôn Mới Lập"));
    let page = app.html(C).await;
    assert_eq!(figure(&page, "Số thôn, tổ dân phố"), "59");
    assert_eq!(figure(&page, "Tỷ lệ Tổ CNSCĐ"), "98,3%");
    assert!(page.contains("Thôn, tổ dân phố chưa có tổ (1)"));
    assert!(
        page.contains("Thêm thôn, tổ dân phố «Thôn Mới Lập»"),
        "recent changes list it"
    );
    app.stop().await;
}

async fn invalid_village_keeps_what_was_typed(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let res = app
        .post_form(
            &format!("{C}/villages/new"),
            &[
                ("kind", "thon"),
                ("name", "  "),
                ("active_from", "31/02/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Chưa lưu được"));
    assert!(page.contains("Tên thôn, tổ dân phố không được để trống"));
    assert!(page.contains("Ngày bắt đầu hoạt động «31/02/2025» không hợp lệ"));
    assert!(
        page.contains("value=\"31/02/2025\""),
        "the typed date is kept"
    );
    assert!(page.contains("aria-invalid=\"true\""));
    // A duplicate name (diacritics ignored) is refused beside the name.
    let res = app
        .post_form(
            &format!("{C}/villages/new"),
            &[
                ("kind", "thon"),
                ("name", "thon ben"),
                ("active_from", "01/07/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("«thon ben» đã có trong xã này"));
    assert!(page.contains("value=\"thon ben\""));
    assert_eq!(app.db.store.villages(11914, None).await.unwrap().len(), 58);
    app.stop().await;
}

async fn team_and_members_through_forms(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = &app.db.store;
    let res = app
        .post_form(
            &format!("{C}/villages/new"),
            &[
                ("kind", "to_dan_pho"),
                ("name", "Tổ dân phố 99"),
                ("active_from", "01/07/2025"),
            ],
        )
        .await;
    location(&res);
    let village = store
        .villages(11914, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 99")
        .unwrap();
    let res = app
        .post_form(
            &format!("{C}/teams/new"),
            &[
                ("kind", "village"),
                ("village_id", &village.id.to_string()),
                ("name", ""),
                ("established_on", "15/11/2025"),
                ("decision_id", ""),
                ("zalo_link", "zalo.me/g/tdp99abc"),
            ],
        )
        .await;
    let team_url = location(&res);
    let team_path = team_url.trim_end_matches("?saved").to_string();
    let page = app.html(&team_url).await;
    assert!(
        page.contains("<h1>Tổ công nghệ số cộng đồng Tổ dân phố 99</h1>"),
        "default name"
    );
    assert!(
        page.contains("href=\"https://zalo.me/g/tdp99abc\""),
        "normalised, clickable link"
    );
    assert!(
        page.contains("<svg") && page.contains("Mã QR của nhóm Zalo"),
        "QR code drawn"
    );
    for (name, phone, role) in [
        ("Nguyễn Văn Đức", "0912345678", "to_truong"),
        ("Đặng Thị Mai", "", "thanh_vien"),
    ] {
        let res = app
            .post_form(
                &format!("{team_path}/members"),
                &[
                    ("full_name", name),
                    ("gender", ""),
                    ("birth_year", "1980"),
                    ("phone", phone),
                    ("role", role),
                    ("affiliation", "hoi_pn"),
                    ("started_on", "15/11/2025"),
                ],
            )
            .await;
        location(&res);
    }
    let page = app.html(&team_path).await;
    assert!(page.contains("Thành viên (2)"));
    assert!(page.contains("0912 345 678"), "phone shown grouped");
    let overview = app.html(&format!("{C}?as_of=30/11/2025")).await;
    assert_eq!(
        figure(&overview, "Số Tổ công nghệ số cộng đồng đã thành lập"),
        "59"
    );
    assert_eq!(
        figure(&overview, "Số thành viên Tổ công nghệ số cộng đồng"),
        "388"
    );
    assert!(overview.contains("Tổ có dưới 3 thành viên (1)"));
    let set = store
        .indicators(
            Node::Commune(11914),
            chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        set.count(IndicatorCode::Members),
        388,
        "the page and the store agree"
    );
    // A second team for the same village is refused beside the village.
    let res = app
        .post_form(
            &format!("{C}/teams/new"),
            &[
                ("kind", "village"),
                ("village_id", &village.id.to_string()),
                ("name", ""),
                ("established_on", "20/11/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("đã có tổ đang hoạt động"));
    app.stop().await;
}

async fn refused_member_writes_nothing(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let team = app.db.store.teams(11914).await.unwrap()[1].clone();
    let people_before = app
        .db
        .store
        .search(11914, "hoang thuy linh")
        .await
        .unwrap()
        .people
        .len();
    let res = app
        .post_form(
            &format!("{C}/teams/{}/members", team.id),
            &[
                ("full_name", "Hoàng Thùy Linh"),
                ("phone", "12345"),
                ("birth_year", "1990"),
                ("role", "thanh_vien"),
                ("affiliation", "doan_tn"),
                ("started_on", "01/11/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Số điện thoại «12345» không hợp lệ"));
    assert!(
        page.contains("value=\"Hoàng Thùy Linh\""),
        "the name is kept"
    );
    // A valid person with a date before the team existed: refused, and the
    // person is not left behind.
    let res = app
        .post_form(
            &format!("{C}/teams/{}/members", team.id),
            &[
                ("full_name", "Hoàng Thùy Linh"),
                ("role", "thanh_vien"),
                ("affiliation", "doan_tn"),
                ("started_on", "01/10/2025"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("nằm ngoài thời gian hoạt động"));
    assert_eq!(
        app.db
            .store
            .search(11914, "hoang thuy linh")
            .await
            .unwrap()
            .people
            .len(),
        people_before
    );
    app.stop().await;
}

async fn members_are_edited_moved_and_ended(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = &app.db.store;
    let today = toso_store::today();
    let teams = store.teams(11914).await.unwrap();
    let (from, to) = (teams[1].clone(), teams[2].clone());
    let member = store
        .team_members(from.id, Some(today))
        .await
        .unwrap()
        .pop()
        .unwrap();
    let mid = member.membership.id;
    let page = app.html(&format!("{C}/members/{mid}")).await;
    assert!(page.contains(&member.full_name));
    let res = app
        .post_form(
            &format!("{C}/members/{mid}"),
            &[
                ("full_name", "Lê Thị Hồng Nhung"),
                ("gender", "nu"),
                ("birth_year", "1991"),
                ("phone", "0987 654 321"),
                ("role", "to_pho"),
                ("affiliation", "hoi_pn"),
            ],
        )
        .await;
    location(&res);
    let updated = store.membership(mid).await.unwrap();
    assert_eq!(updated.role, toso_domain::Role::ToPho);
    assert_eq!(
        store
            .person(member.membership.person_id)
            .await
            .unwrap()
            .phone
            .as_deref(),
        Some("0987654321")
    );

    let date = toso_domain::format_date(today);
    let res = app
        .post_form(
            &format!("{C}/members/{mid}/move"),
            &[("team_id", &to.id.to_string()), ("moved_on", &date)],
        )
        .await;
    assert_eq!(location(&res), format!("{C}/teams/{}?saved", to.id));
    assert!(store
        .team_members(to.id, Some(today))
        .await
        .unwrap()
        .iter()
        .any(|m| m.full_name == "Lê Thị Hồng Nhung"));
    assert!(!store
        .team_members(from.id, Some(today))
        .await
        .unwrap()
        .iter()
        .any(|m| m.membership.id == mid));

    let other = store
        .team_members(from.id, Some(today))
        .await
        .unwrap()
        .pop()
        .unwrap();
    let res = app
        .post_form(
            &format!("{C}/members/{}/end", other.membership.id),
            &[("ended_on", "01/01/2020")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Ngày kết thúc không được trước ngày tham gia"));
    let res = app
        .post_form(
            &format!("{C}/members/{}/end", other.membership.id),
            &[("ended_on", &date)],
        )
        .await;
    location(&res);
    assert!(store
        .membership(other.membership.id)
        .await
        .unwrap()
        .ended_on
        .is_some());
    app.stop().await;
}

async fn documents_are_registered_and_filtered(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let res = app
        .post_form(
            &format!("{C}/documents/new"),
            &[
                ("kind", "ke_hoach"),
                ("doc_number", "số 25/kh-ubnd"),
                ("issued_on", "02/12/2025"),
                ("issuer", "Ủy ban nhân dân đặc khu Cát Hải"),
                ("subject", "Kế hoạch chuyển đổi số năm 2026"),
            ],
        )
        .await;
    location(&res);
    let all = app.html(&format!("{C}/documents")).await;
    assert!(all.contains("5 văn bản."));
    assert!(all.contains("25/KH-UBND"), "number normalised");
    assert!(
        all.contains("thành lập 59 tổ"),
        "the decision shows what it established"
    );
    let plans = app
        .html(&format!("{C}/documents?kind=ke_hoach&year=2025"))
        .await;
    assert!(plans.contains("1 văn bản."));
    let letters = app.html(&format!("{C}/documents?kind=cong_van")).await;
    assert!(
        letters.contains("3 văn bản.")
            && letters.contains("1643/UBND-VHXH")
            && !letters.contains("1907/QĐ-UBND")
    );
    let res = app
        .post_form(
            &format!("{C}/documents/new"),
            &[
                ("kind", "cong_van"),
                ("doc_number", "1643 UBND"),
                ("issued_on", "02/12/2025"),
                ("issuer", "UBND"),
                ("subject", "x"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Số, ký hiệu văn bản") && page.contains("value=\"1643 UBND\""));
    app.stop().await;
}

async fn search_ignores_diacritics_and_case(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let team = app.db.store.teams(11914).await.unwrap()[3].clone();
    let res = app
        .post_form(
            &format!("{C}/teams/{}/members", team.id),
            &[
                ("full_name", "Nguyễn Văn Đức"),
                ("role", "thanh_vien"),
                ("affiliation", "khac"),
                ("started_on", "01/11/2025"),
            ],
        )
        .await;
    location(&res);
    let page = app.html(&format!("{C}/search?q=nguyen+van+duc")).await;
    assert!(page.contains("Nguyễn Văn Đức"));
    assert!(page.contains(&team.name), "the person's team is shown");
    let page = app.html(&format!("{C}/search?q=DANG")).await;
    assert!(page.contains("Đặng "), "«dang» finds «Đặng»");
    let page = app.html(&format!("{C}/search?q=hai+son")).await;
    assert!(page.contains("Tổ dân phố Hải Sơn"));
    let page = app.html(&format!("{C}/search?q=quyet+dinh+1907")).await;
    assert!(page.contains("Quyết định số 1907/QĐ-UBND"));
    let page = app.html(&format!("{C}/search?q=%25%25")).await;
    assert!(
        page.contains("Không tìm thấy kết quả nào"),
        "LIKE wildcards are literal"
    );
    app.stop().await;
}

async fn records_of_another_commune_are_not_found(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let team = app.db.store.teams(11914).await.unwrap()[0].clone();
    let village = app.db.store.villages(11914, None).await.unwrap()[0].clone();
    // The commune officer has no access to another commune at all…
    let elsewhere = format!("/communes/11948/teams/{}", team.id);
    assert_eq!(app.get(&elsewhere).await.status().as_u16(), 403);
    // …and an admin reaching Cát Hải's records through another commune's
    // URL, or records that do not exist, gets 404.
    app.login("admin").await;
    for path in [
        elsewhere,
        format!("/communes/11948/villages/{}/edit", village.id),
        "/communes/11914/teams/999999".to_string(),
        "/communes/11914/members/abc".to_string(),
    ] {
        assert_eq!(app.get(&path).await.status().as_u16(), 404, "{path}");
    }
    let res = app
        .post_form(
            &format!("/communes/11948/villages/{}/deactivate", village.id),
            &[("active_until", "01/11/2025")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(app
        .db
        .store
        .village(village.id)
        .await
        .unwrap()
        .active_until
        .is_none());
    app.stop().await;
}

//! Correcting records through the real server: contests, registration
//! entries and campaigns edited and deleted (a delete needs its box ticked),
//! documents deleted only while nothing refers to them; refusals shown
//! beside the field with nothing stored; the contests page as of a chosen
//! date.

use toso_domain::{IndicatorCode, IndicatorValue, Node};
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    the_contests_page_follows_the_as_of_date,
    registration_entries_are_edited_and_deleted,
    contests_are_edited_and_deleted_with_their_registrations,
    campaigns_are_edited_and_deleted,
    documents_are_deleted_only_when_nothing_refers_to_them,
);

const C: &str = "/communes/11914";

/// The first figure of a page (the contests page's total), as a number.
fn first_figure(page: &str) -> i64 {
    let at = page.find("class=\"figure\">").expect("a figure") + 15;
    let rest = &page[at..];
    let rest = rest
        .strip_prefix("<a")
        .map_or(rest, |r| &r[r.find('>').unwrap() + 1..]);
    rest.split('<')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {}", &rest[..40]))
}

async fn indicator(app: &TestApp, code: IndicatorCode) -> i64 {
    match app
        .db
        .store
        .indicator(code, Node::Commune(11914), toso_store::today())
        .await
        .unwrap()
    {
        IndicatorValue::Count { value } => value,
        other => panic!("{other:?}"),
    }
}

async fn the_contests_page_follows_the_as_of_date(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    // Today: all 1.504; at the end of November: 1.440, the entry of
    // 05/12/2025 neither listed nor counted; at the end of October: 215.
    let today = app.html(&format!("{C}/contests")).await;
    assert_eq!(first_figure(&today), 1504);
    assert!(today.contains("05/12/2025"));
    let nov = app.html(&format!("{C}/contests?as_of=30/11/2025")).await;
    assert_eq!(first_figure(&nov), 1440);
    assert!(nov.contains("đến hết ngày 30/11/2025"));
    assert!(nov.contains("1.440 người đăng ký đến hết ngày 30/11/2025"));
    assert!(
        !nov.contains("<td>05/12/2025</td>"),
        "a later entry is listed"
    );
    assert!(nov.contains("1 lượt đăng ký ghi sau ngày 30/11/2025 không được tính."));
    assert!(nov.contains("contest_registrations?as_of=30/11/2025"));
    let oct = app.html(&format!("{C}/contests?as_of=2025-10-31")).await;
    assert_eq!(first_figure(&oct), 95 + 120);
    assert!(oct.contains("value=\"31/10/2025\""));
    // A bad date is refused, in Vietnamese.
    let res = app.get(&format!("{C}/contests?as_of=31/02/2025")).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(res.text().await.unwrap().contains("Ngày báo cáo"));
    app.stop().await;
}

async fn registration_entries_are_edited_and_deleted(backend: Backend) {
    let mut app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let contest = store.contests(11914).await.unwrap()[0].clone();
    let entry = store
        .registrations(contest.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.count == 210)
        .unwrap();
    let edit = format!("{C}/registrations/{}/edit", entry.id);
    let delete = format!("{C}/registrations/{}/delete", entry.id);
    let list = app.html(&format!("{C}/contests")).await;
    assert!(list.contains(&format!("href=\"{edit}\"")));
    let page = app.html(&edit).await;
    assert!(page.contains("value=\"210\"") && page.contains("value=\"05/11/2025\""));
    assert!(page.contains(&format!("action=\"{delete}\"")));

    // Corrected: 210 → 201, the page's total follows.
    let res = app
        .post_form(
            &edit,
            &[
                ("registered_on", "05/11/2025"),
                ("group", "thanh_vien_to"),
                ("count", "201"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("{C}/contests?saved"));
    let list = app.html(&format!("{C}/contests?saved")).await;
    assert!(list.contains("Đã lưu."));
    assert_eq!(first_figure(&list), 1495);

    // Refused beside the field, nothing stored.
    for (fields, field) in [
        (
            [
                ("registered_on", "05/11/2025"),
                ("group", "thanh_vien_to"),
                ("count", "0"),
            ],
            "count",
        ),
        (
            [
                ("registered_on", "01/01/2020"),
                ("group", "thanh_vien_to"),
                ("count", "5"),
            ],
            "registered_on",
        ),
        (
            [
                ("registered_on", "05/11/2025"),
                ("group", "khach"),
                ("count", "5"),
            ],
            "group",
        ),
    ] {
        let res = app.post_form(&edit, &fields).await;
        assert_eq!(res.status().as_u16(), 422, "{fields:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains(&format!("id=\"e-{field}\"")), "{fields:?}");
    }
    assert_eq!(
        indicator(&app, IndicatorCode::ContestRegistrations).await,
        1495
    );

    // A delete without its box ticked is refused beside the box.
    let res = app.post_form(&delete, &[]).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"e-confirm\"") && page.contains("đánh dấu ô xác nhận"));
    assert_eq!(
        indicator(&app, IndicatorCode::ContestRegistrations).await,
        1495
    );

    // Neither the team member nor another commune's URL reaches it.
    app.login("thanhvien").await;
    assert_eq!(
        app.post_form(&delete, &[("confirm", "on")])
            .await
            .status()
            .as_u16(),
        403
    );
    app.login("canboxa").await;
    let res = app
        .post_form(
            &format!("/communes/11948/registrations/{}/delete", entry.id),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403, "not the officer's commune");
    app.login("admin").await;
    let res = app
        .post_form(
            &format!("/communes/11948/registrations/{}/delete", entry.id),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404, "another commune's record");
    assert_eq!(
        indicator(&app, IndicatorCode::ContestRegistrations).await,
        1495
    );

    // Deleted: the figure drops by its 201 people, the audit keeps it.
    app.login("canboxa").await;
    let res = app.post_form(&delete, &[("confirm", "on")]).await;
    assert_eq!(location(&res), format!("{C}/contests?deleted"));
    let list = app.html(&format!("{C}/contests?deleted")).await;
    assert!(list.contains("Đã xóa."));
    assert_eq!(first_figure(&list), 1294);
    assert_eq!(app.get(&edit).await.status().as_u16(), 404);
    let audit = store
        .audit_of("contest_registration", entry.id)
        .await
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("delete", "canboxa")
    );
    app.stop().await;
}

async fn contests_are_edited_and_deleted_with_their_registrations(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let contest = store.contests(11914).await.unwrap()[0].clone();
    let edit = format!("{C}/contests/{}/edit", contest.id);
    let page = app.html(&edit).await;
    assert!(page.contains("Công dân số Hải Phòng"));
    assert!(page.contains("xóa luôn 12 lượt đăng ký (1.504 người)"));
    let fields = |name: &'static str, starts: &'static str, ends: &'static str| {
        vec![
            ("name", name),
            ("organiser", "Ủy ban nhân dân thành phố Hải Phòng"),
            ("document_id", ""),
            ("starts_on", starts),
            ("ends_on", ends),
        ]
    };
    // A period leaving registrations outside is refused beside the date.
    let res = app
        .post_form(&edit, &fields("Khác", "01/11/2025", "31/12/2025"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"e-starts_on\""));
    assert!(page.contains("Đã ghi 2 lượt đăng ký trước ngày bắt đầu 01/11/2025"));
    let res = app
        .post_form(&edit, &fields("Khác", "15/10/2025", "01/10/2025"))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"e-ends_on\""));
    assert_eq!(store.contest(contest.id).await.unwrap(), contest);

    // Renamed, its letter unlinked.
    let res = app
        .post_form(
            &edit,
            &fields("Công dân số – vòng 2", "15/10/2025", "31/12/2025"),
        )
        .await;
    assert_eq!(location(&res), format!("{C}/contests?saved"));
    let after = store.contest(contest.id).await.unwrap();
    assert_eq!(after.name, "Công dân số – vòng 2");
    assert_eq!(after.document_id, None);
    assert!(app
        .html(&format!("{C}/contests"))
        .await
        .contains("Công dân số – vòng 2"));

    // Deleted with its 12 registrations once the box is ticked.
    let delete = format!("{C}/contests/{}/delete", contest.id);
    assert_eq!(
        app.post_form(&delete, &[("confirm", "")])
            .await
            .status()
            .as_u16(),
        422
    );
    assert_eq!(
        indicator(&app, IndicatorCode::ContestRegistrations).await,
        1504
    );
    let res = app.post_form(&delete, &[("confirm", "on")]).await;
    assert_eq!(location(&res), format!("{C}/contests?deleted"));
    let list = app.html(&format!("{C}/contests?deleted")).await;
    assert!(list.contains("Chưa có cuộc thi nào."));
    assert!(app
        .html(C)
        .await
        .contains("Xóa cuộc thi «Công dân số – vòng 2»"));
    assert_eq!(first_figure(&list), 0);
    assert!(store.contests(11914).await.unwrap().is_empty());
    app.stop().await;
}

async fn campaigns_are_edited_and_deleted(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let campaigns = IndicatorCode::Campaigns;
    let reach = IndicatorCode::CampaignReach;
    let (count, reached) = (
        indicator(&app, campaigns).await,
        indicator(&app, reach).await,
    );
    let campaign = store.campaigns(11914).await.unwrap().pop().unwrap();
    let edit = format!("{C}/campaigns/{}/edit", campaign.id);
    assert!(app
        .html(&format!("{C}/campaigns"))
        .await
        .contains(&format!("href=\"{edit}\"")));
    let page = app.html(&edit).await;
    let partner = campaign.partners[0].code();
    assert!(page.contains(&format!("name=\"partner_{partner}\" checked")));
    let village = campaign.villages[0].0;
    assert!(page.contains(&format!("name=\"village_{village}\" checked")));

    let held_on = toso_domain::format_date(campaign.held_on);
    let village_field = format!("village_{village}");
    let partner_field = format!("partner_{partner}");
    let mut fields = vec![
        ("name", "Ngày thứ Bảy tình nguyện (sửa)"),
        ("held_on", held_on.as_str()),
        ("participants", "12"),
        ("citizens_reached", "345"),
        ("note", "Đã sửa"),
        (village_field.as_str(), "on"),
    ];
    // No partner ticked: refused beside the list, nothing stored.
    let res = app.post_form(&edit, &fields).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Chọn ít nhất một tổ chức phối hợp."));
    assert_eq!(store.campaign(campaign.id).await.unwrap(), campaign);

    fields.push((partner_field.as_str(), "on"));
    let res = app.post_form(&edit, &fields).await;
    assert_eq!(location(&res), format!("{C}/campaigns?saved"));
    let after = store.campaign(campaign.id).await.unwrap();
    assert_eq!(after.name, "Ngày thứ Bảy tình nguyện (sửa)");
    assert_eq!(after.villages.len(), 1);
    assert_eq!(indicator(&app, campaigns).await, count);
    assert_eq!(
        indicator(&app, reach).await,
        reached - campaign.citizens_reached as i64 + 345
    );

    let delete = format!("{C}/campaigns/{}/delete", campaign.id);
    let res = app.post_form(&delete, &[]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"e-confirm\""));
    let res = app.post_form(&delete, &[("confirm", "on")]).await;
    assert_eq!(location(&res), format!("{C}/campaigns?deleted"));
    let list = app.html(&format!("{C}/campaigns?deleted")).await;
    assert!(list.contains("Đã xóa.") && !list.contains("(sửa)"));
    assert_eq!(indicator(&app, campaigns).await, count - 1);
    assert_eq!(
        indicator(&app, reach).await,
        reached - campaign.citizens_reached as i64
    );
    assert_eq!(app.get(&edit).await.status().as_u16(), 404);
    app.stop().await;
}

async fn documents_are_deleted_only_when_nothing_refers_to_them(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let teams = store.teams(11914).await.unwrap();
    let decision = teams.iter().find_map(|t| t.decision_id).unwrap();
    let established = teams
        .iter()
        .filter(|t| t.decision_id == Some(decision))
        .count();
    let expected = format!(
        "Văn bản đang được dùng làm quyết định thành lập của {established} tổ; không thể xóa."
    );
    // Its page says why it cannot be deleted and offers no delete button.
    let page = app.html(&format!("{C}/documents/{decision}/edit")).await;
    assert!(page.contains(&expected));
    assert!(!page.contains(&format!("/documents/{decision}/delete")));
    // Posted anyway: refused beside the delete section, nothing deleted.
    let res = app
        .post_form(
            &format!("{C}/documents/{decision}/delete"),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains(&expected));
    store.document_of(11914, decision).await.unwrap();

    // A document entered by mistake: deleted from its page.
    let res = app
        .post_form(
            &format!("{C}/documents/new"),
            &[
                ("kind", "cong_van"),
                ("doc_number", "77/UBND-NHAM"),
                ("issued_on", &toso_domain::format_date(toso_store::today())),
                ("issuer", "Ủy ban nhân dân đặc khu Cát Hải"),
                ("subject", "Nhập nhầm"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let doc = store
        .documents(11914, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.doc_number == "77/UBND-NHAM")
        .unwrap();
    let delete = format!("{C}/documents/{}/delete", doc.id);
    let page = app.html(&format!("{C}/documents/{}/edit", doc.id)).await;
    assert!(page.contains(&format!("action=\"{delete}\"")));
    let res = app.post_form(&delete, &[]).await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("id=\"e-confirm\""));
    store.document_of(11914, doc.id).await.unwrap();
    let res = app.post_form(&delete, &[("confirm", "on")]).await;
    assert_eq!(location(&res), format!("{C}/documents?deleted"));
    let list = app.html(&format!("{C}/documents?deleted")).await;
    assert!(list.contains("Đã xóa.") && !list.contains("77/UBND-NHAM"));
    assert!(store.document_of(11914, doc.id).await.is_err());
    assert!(
        app.html(C)
            .await
            .contains("canboxa · Xóa văn bản «77/UBND-NHAM»"),
        "the recent changes list the delete"
    );
    let last = store
        .audit_of("document", doc.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.action, "delete");
    app.stop().await;
}

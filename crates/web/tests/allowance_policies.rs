//! The allowance policy pages, through the real server on both databases:
//! the province's officer adds, corrects and deletes Hải Phòng's policies
//! (the demo's example among them); an overlapping period, a negative or
//! absurd amount, letters, a comma and a cap of 40 days are refused beside
//! their field with what was typed kept (422) and nothing stored; the
//! Ministry reads but may not write; another province's officer and a team
//! member are refused; a policy of another province or commune is not
//! found; the commune's officer keeps the commune's own policies.

use toso_domain::{Month, UserRole};
use toso_store::{AllowancePolicy, PolicyOwner, Store};
use toso_testkit::{
    actor, both_backends, d, location, Backend, PolicyBuilder, TestApp, TestDb, UserBuilder,
};

both_backends!(
    the_province_officer_keeps_the_policies,
    bad_input_is_refused_beside_its_field,
    who_may_read_and_write,
    a_commune_officer_keeps_its_own_policies,
);

const HAI_PHONG: i32 = 31;
const CAT_HAI: i32 = 11914;
const PROVINCE_LIST: &str = "/provinces/31/allowance-policies";
const COMMUNE_LIST: &str = "/communes/11914/allowance-policies";
/// The demo's example policy of Hải Phòng (from 01/07/2025, no end).
const EXAMPLE: &str = "VD-01/2025/NQ-HĐND";

/// A valid policy of 2024 until the demo's example starts, with
/// `changes` applied.
fn fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = vec![
        ("resolution", "12/2024/NQ-HĐND"),
        ("resolution_on", "15/12/2023"),
        ("effective_from", "01/01/2024"),
        ("effective_until", "30/06/2025"),
        ("per_team_month", "300.000 đ"),
        ("per_member_month", ""),
        ("per_day", "50000"),
        ("day_cap", "10"),
        ("min_days", ""),
        ("note", "Theo Nghị quyết của HĐND thành phố"),
    ];
    for (k, v) in changes {
        match out.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

async fn policies(store: &Store, owner: PolicyOwner) -> Vec<AllowancePolicy> {
    store.policies(owner).await.unwrap()
}

fn find<'a>(list: &'a [AllowancePolicy], resolution: &str) -> &'a AllowancePolicy {
    list.iter()
        .find(|p| p.resolution == resolution)
        .unwrap_or_else(|| panic!("{resolution} stored"))
}

/// The error shown beside `field` in a refused form.
fn error_beside(body: &str, field: &str) -> String {
    let marker = format!("id=\"e-{field}\">");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("an error beside {field}"));
    let rest = &body[at + marker.len()..];
    rest[..rest.find("</p>").unwrap()].to_string()
}

async fn the_province_officer_keeps_the_policies(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let store = app.db.store.clone();
    let province = PolicyOwner::Province(HAI_PHONG);

    // The list: the demo's example, marked, with its rules in words, and
    // the form; the navigation links to it.
    let page = app.html(PROVINCE_LIST).await;
    assert!(page.contains(EXAMPLE));
    assert!(page.contains("<span class=\"tag\">ví dụ</span>"));
    assert!(page.contains("500.000 đ/tổ/tháng (khi có từ 2 ngày hoạt động trở lên)"));
    assert!(page.contains("50.000 đ/người/ngày hoạt động, tối đa 8 ngày/tháng"));
    assert!(page.contains("từ 01/07/2025"));
    assert!(page.contains("Thêm chính sách chi trả"));
    assert!(page.contains(&format!("action=\"{PROVINCE_LIST}\"")));
    assert!(page.contains("aria-current=\"page\">Chính sách chi trả</a>"));
    let home = app.html("/provinces/31").await;
    assert!(home.contains(&format!("href=\"{PROVINCE_LIST}\"")));

    // Create: amounts as typed ("300.000 đ", "50000", empty).
    let res = app.post_form(PROVINCE_LIST, &fields(&[])).await;
    assert_eq!(location(&res), format!("{PROVINCE_LIST}?saved"));
    let stored = policies(&store, province).await;
    assert_eq!(stored.len(), 2);
    let new = find(&stored, "12/2024/NQ-HĐND").clone();
    assert_eq!(new.owner, province);
    assert_eq!(new.resolution_on, d(2023, 12, 15));
    assert_eq!(new.effective_from, d(2024, 1, 1));
    assert_eq!(new.effective_until, Some(d(2025, 6, 30)));
    assert_eq!(new.rates.per_team_month, 300_000);
    assert_eq!(new.rates.per_member_month, 0);
    assert_eq!(new.rates.per_day, 50_000);
    assert_eq!(new.rates.day_cap, Some(10));
    assert_eq!(new.rates.min_days, 0);
    assert!(!new.example);
    assert_eq!(
        new.note.as_deref(),
        Some("Theo Nghị quyết của HĐND thành phố")
    );
    let page = app.html(&format!("{PROVINCE_LIST}?saved")).await;
    assert!(page.contains("Đã lưu."));
    assert!(page.contains("300.000 đ/tổ/tháng"));
    assert!(page.contains("từ 01/01/2024 đến 30/06/2025"));
    // Newest first: the example (2025) above the new one (2024).
    assert!(page.find(EXAMPLE).unwrap() < page.find("12/2024/NQ-HĐND").unwrap());

    // Correct it: the form shows the stored values as typed.
    let edit = format!("{PROVINCE_LIST}/{}", new.id);
    let form = app.html(&edit).await;
    assert!(form.contains("value=\"300.000\""));
    assert!(form.contains("value=\"15/12/2023\""));
    assert!(form.contains("Xóa chính sách"));
    let res = app
        .post_form(&edit, &fields(&[("per_day", "60.000"), ("min_days", "3")]))
        .await;
    assert_eq!(location(&res), format!("{PROVINCE_LIST}?saved"));
    let corrected = store.policy(new.id).await.unwrap();
    assert_eq!(corrected.rates.per_day, 60_000);
    assert_eq!(corrected.rates.min_days, 3);

    // An overlapping period: refused beside the start, typed values kept,
    // nothing stored.
    let res = app
        .post_form(
            PROVINCE_LIST,
            &fields(&[
                ("resolution", "13/2026/NQ-HĐND"),
                ("resolution_on", "01/12/2025"),
                ("effective_from", "01/01/2026"),
                ("effective_until", ""),
            ]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    let message = error_beside(&body, "effective_from");
    assert!(
        message.contains("trùng") && message.contains(EXAMPLE),
        "{message}"
    );
    assert!(body.contains("value=\"13/2026/NQ-HĐND\""));
    assert!(body.contains("value=\"01/01/2026\""));
    assert_eq!(policies(&store, province).await.len(), 2);
    // A correction that would overlap is refused as well.
    let res = app
        .post_form(&edit, &fields(&[("effective_until", "31/12/2025")]))
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(error_beside(&body, "effective_from").contains("trùng"));
    assert_eq!(
        store.policy(new.id).await.unwrap().effective_until,
        Some(d(2025, 6, 30))
    );

    // The demo's example stays an example while only its note changes; its
    // mark goes once the real figures are typed.
    let example = find(&policies(&store, province).await, EXAMPLE).clone();
    let example_path = format!("{PROVINCE_LIST}/{}", example.id);
    let form = app.html(&example_path).await;
    assert!(form.contains("nhãn «ví dụ» được bỏ"));
    let example_fields = |per_day: &'static str| {
        vec![
            ("resolution", EXAMPLE),
            ("resolution_on", "01/07/2025"),
            ("effective_from", "01/07/2025"),
            ("effective_until", ""),
            ("per_team_month", "500.000"),
            ("per_member_month", "100.000"),
            ("per_day", per_day),
            ("day_cap", "8"),
            ("min_days", "2"),
            ("note", "Ghi chú mới"),
        ]
    };
    let res = app
        .post_form(&example_path, &example_fields("50.000"))
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let kept = store.policy(example.id).await.unwrap();
    assert!(kept.example);
    assert_eq!(kept.note.as_deref(), Some("Ghi chú mới"));
    let res = app
        .post_form(&example_path, &example_fields("70.000"))
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let real = store.policy(example.id).await.unwrap();
    assert!(!real.example);
    assert_eq!(real.rates.per_day, 70_000);

    // Delete: not without the confirmation; then gone.
    let delete = format!("{edit}/delete");
    let res = app.post_form(&delete, &[]).await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(error_beside(&body, "confirm").contains("đánh dấu ô xác nhận"));
    assert!(store.policy(new.id).await.is_ok());
    let res = app.post_form(&delete, &[("confirm", "on")]).await;
    assert_eq!(location(&res), format!("{PROVINCE_LIST}?deleted"));
    assert!(store.policy(new.id).await.is_err());
    assert!(app
        .html(&format!("{PROVINCE_LIST}?deleted"))
        .await
        .contains("Đã xóa."));
    let (status, _) = app.text(&edit).await;
    assert_eq!(status, 404);

    // A policy an approved month used is kept, with the reason beside the
    // button.
    store
        .approve_month(&actor(), CAT_HAI, Month::new(2025, 11).unwrap())
        .await
        .unwrap();
    let res = app
        .post_form(&format!("{example_path}/delete"), &[("confirm", "on")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(error_beside(&body, "policy").contains("đã duyệt"));
    assert!(store.policy(example.id).await.is_ok());
}

async fn bad_input_is_refused_beside_its_field(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let store = app.db.store.clone();
    let before = policies(&store, PolicyOwner::Province(HAI_PHONG)).await;
    for (field, typed, expected) in [
        ("per_team_month", "-300.000", "không được là số âm"),
        ("per_day", "25.000.000", "quá lớn (tối đa 20.000.000 đ)"),
        ("per_day", "99999999999999999999", "quá lớn"),
        ("per_member_month", "abc", "«abc» không hợp lệ"),
        ("per_member_month", "100,000", "dấu phẩy"),
        ("day_cap", "40", "từ 0 đến 31"),
        ("day_cap", "-1", "số nguyên từ 0 đến 31"),
        ("min_days", "nhiều", "số nguyên từ 0 đến 31"),
        ("resolution_on", "31/02/2024", "ngày/tháng/năm"),
        ("effective_until", "01/01/2023", "không được trước"),
        ("resolution", "", "không được để trống"),
    ] {
        let res = app
            .post_form(PROVINCE_LIST, &fields(&[(field, typed)]))
            .await;
        assert_eq!(res.status().as_u16(), 422, "{field} = {typed}");
        let body = res.text().await.unwrap();
        let message = error_beside(&body, field);
        assert!(message.contains(expected), "{field} = {typed}: «{message}»");
        assert!(body.contains("Chưa lưu được"));
        // What was typed is shown again.
        assert!(body.contains(&format!("value=\"{typed}\"")), "{field} kept");
        assert!(body.contains("value=\"12/2024/NQ-HĐND\"") || field == "resolution");
    }
    // A policy that pays nothing.
    let res = app
        .post_form(
            PROVINCE_LIST,
            &fields(&[("per_team_month", "0"), ("per_day", "")]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(error_beside(&body, "per_team_month").contains("ít nhất một mức chi"));
    assert_eq!(
        policies(&store, PolicyOwner::Province(HAI_PHONG)).await,
        before
    );
}

async fn who_may_read_and_write(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    let store = app.db.store.clone();
    let province = PolicyOwner::Province(HAI_PHONG);
    let example = find(&policies(&store, province).await, EXAMPLE).clone();
    let example_path = format!("{PROVINCE_LIST}/{}", example.id);
    UserBuilder::new()
        .username("so-quang-ninh")
        .role(UserRole::ProvinceOfficer)
        .province(22)
        .password(toso_demo::DEMO_PASSWORD)
        .expect_build(&store)
        .await;
    let quang_ninh = PolicyBuilder::new()
        .owner(PolicyOwner::Province(22))
        .expect_build(&store)
        .await;

    // The Ministry reads the list and a policy, without a form.
    app.login("bokhcn").await;
    let page = app.html(PROVINCE_LIST).await;
    assert!(page.contains(EXAMPLE));
    assert!(page.contains(">Chính sách chi trả</a>"));
    assert!(!page.contains("Thêm chính sách chi trả"));
    assert!(!page.contains("method=\"post\" action=\"/provinces/31/allowance-policies"));
    let one = app.html(&example_path).await;
    assert!(one.contains(EXAMPLE));
    assert!(!one.contains("Lưu chính sách") && !one.contains("Xóa chính sách"));
    // … and may not write.
    for path in [
        PROVINCE_LIST.to_string(),
        example_path.clone(),
        format!("{example_path}/delete"),
    ] {
        let res = app
            .post_form(
                &path,
                &fields(&[("confirm", "on"), ("effective_from", "01/01/2020")]),
            )
            .await;
        assert_eq!(res.status().as_u16(), 403, "bokhcn POST {path}");
    }

    // Another province's officer: refused on Hải Phòng's pages, and finds
    // Quảng Ninh's policy on their own.
    app.login("so-quang-ninh").await;
    for path in [PROVINCE_LIST, example_path.as_str()] {
        assert_eq!(app.text(path).await.0, 403, "so-quang-ninh GET {path}");
    }
    let res = app.post_form(PROVINCE_LIST, &fields(&[])).await;
    assert_eq!(res.status().as_u16(), 403);
    let own = app.html("/provinces/22/allowance-policies").await;
    assert!(own.contains(&quang_ninh.resolution));
    assert!(!own.contains(EXAMPLE));

    // Hải Phòng's officer: another province's policy, or a commune's, is
    // not found under Hải Phòng.
    let commune_policy = PolicyBuilder::new()
        .owner(PolicyOwner::Commune(CAT_HAI))
        .expect_build(&store)
        .await;
    app.login("sokhcn").await;
    for id in [quang_ninh.id, commune_policy.id] {
        let path = format!("{PROVINCE_LIST}/{id}");
        assert_eq!(app.text(&path).await.0, 404, "GET {path}");
        let res = app.post_form(&path, &fields(&[])).await;
        assert_eq!(res.status().as_u16(), 404, "POST {path}");
        let res = app
            .post_form(&format!("{path}/delete"), &[("confirm", "on")])
            .await;
        assert_eq!(res.status().as_u16(), 404, "POST {path}/delete");
    }
    assert_eq!(app.text(&format!("{PROVINCE_LIST}/abc")).await.0, 404);
    // The province's officer reads the commune's page, without a form.
    let commune = app.html(COMMUNE_LIST).await;
    assert!(commune.contains(&commune_policy.resolution));
    assert!(!commune.contains("Thêm chính sách chi trả"));
    let res = app.post_form(COMMUNE_LIST, &fields(&[])).await;
    assert_eq!(res.status().as_u16(), 403);
    let res = app
        .post_form(
            &format!("{COMMUNE_LIST}/{}/delete", commune_policy.id),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);

    // A team member: neither page.
    app.login("thanhvien").await;
    assert_eq!(app.text(COMMUNE_LIST).await.0, 403);
    assert_eq!(
        app.text(&format!("{COMMUNE_LIST}/{}", commune_policy.id))
            .await
            .0,
        403
    );
    let res = app.post_form(COMMUNE_LIST, &fields(&[])).await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.text(PROVINCE_LIST).await.0, 403);
    // The commune's officer may not write the province's.
    app.login("canboxa").await;
    assert_eq!(app.text(PROVINCE_LIST).await.0, 403);
    let res = app.post_form(PROVINCE_LIST, &fields(&[])).await;
    assert_eq!(res.status().as_u16(), 403);

    // Nothing was written by those refused.
    assert_eq!(policies(&store, province).await, vec![example]);
    assert_eq!(
        policies(&store, PolicyOwner::Commune(CAT_HAI)).await,
        vec![commune_policy]
    );
}

async fn a_commune_officer_keeps_its_own_policies(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let own = PolicyOwner::Commune(CAT_HAI);

    // The province's policy above, with the rule of precedence; the form.
    let page = app.html(COMMUNE_LIST).await;
    assert!(page.contains(EXAMPLE));
    let province = store.province(HAI_PHONG).await.unwrap().name;
    assert!(page.contains(&format!("Chính sách của {province} (1)")));
    assert!(page.contains("chỉ áp dụng cho những tháng"));
    assert!(page.contains("Xã chưa có chính sách chi trả riêng."));
    assert!(page.contains("Thêm chính sách chi trả"));
    // The province's policy is not linked (its page is the province's).
    assert!(!page.contains("href=\"/provinces/31/allowance-policies"));

    let res = app
        .post_form(
            COMMUNE_LIST,
            &fields(&[("resolution", "05/2024/NQ-HĐND"), ("per_team_month", "")]),
        )
        .await;
    assert_eq!(location(&res), format!("{COMMUNE_LIST}?saved"));
    let stored = policies(&store, own).await;
    assert_eq!(stored.len(), 1);
    let mine = stored[0].clone();
    assert_eq!(mine.resolution, "05/2024/NQ-HĐND");
    assert_eq!(mine.rates.per_team_month, 0);
    assert_eq!(mine.rates.per_day, 50_000);
    // Only the commune's: the province still has its one.
    assert_eq!(
        policies(&store, PolicyOwner::Province(HAI_PHONG))
            .await
            .len(),
        1
    );
    let page = app.html(&format!("{COMMUNE_LIST}?saved")).await;
    assert!(page.contains("Đã lưu."));
    assert!(page.contains(&format!("href=\"{COMMUNE_LIST}/{}\"", mine.id)));
    assert!(page.contains("50.000 đ/người/ngày hoạt động, tối đa 10 ngày/tháng"));

    // Correct it; an overlapping second one is refused.
    let edit = format!("{COMMUNE_LIST}/{}", mine.id);
    assert!(app.html(&edit).await.contains("value=\"05/2024/NQ-HĐND\""));
    let res = app
        .post_form(
            &edit,
            &fields(&[
                ("resolution", "05/2024/NQ-HĐND"),
                ("per_member_month", "80.000"),
            ]),
        )
        .await;
    assert_eq!(location(&res), format!("{COMMUNE_LIST}?saved"));
    assert_eq!(
        store.policy(mine.id).await.unwrap().rates.per_member_month,
        80_000
    );
    let res = app
        .post_form(
            COMMUNE_LIST,
            &fields(&[
                ("resolution", "06/2024/NQ-HĐND"),
                ("effective_from", "01/06/2025"),
                ("effective_until", ""),
            ]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(error_beside(&body, "effective_from").contains("05/2024/NQ-HĐND"));
    assert_eq!(policies(&store, own).await.len(), 1);

    // Another commune's policy is not found here.
    let other = store
        .communes_of(HAI_PHONG)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code != CAT_HAI)
        .unwrap();
    let theirs = PolicyBuilder::new()
        .owner(PolicyOwner::Commune(other.code))
        .expect_build(&store)
        .await;
    let path = format!("{COMMUNE_LIST}/{}", theirs.id);
    assert_eq!(app.text(&path).await.0, 404);
    let res = app.post_form(&path, &fields(&[])).await;
    assert_eq!(res.status().as_u16(), 404);
    let res = app
        .post_form(&format!("{path}/delete"), &[("confirm", "on")])
        .await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(store.policy(theirs.id).await.is_ok());
    // Nor the province's, under the commune.
    let example = find(
        &policies(&store, PolicyOwner::Province(HAI_PHONG)).await,
        EXAMPLE,
    )
    .id;
    assert_eq!(app.text(&format!("{COMMUNE_LIST}/{example}")).await.0, 404);

    // Delete.
    let res = app
        .post_form(&format!("{edit}/delete"), &[("confirm", "on")])
        .await;
    assert_eq!(location(&res), format!("{COMMUNE_LIST}?deleted"));
    assert!(policies(&store, own).await.is_empty());
}

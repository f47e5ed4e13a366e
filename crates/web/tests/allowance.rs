//! Who worked which day, through the real server on both databases (issue
//! 22): the demo commune officer opens November 2025, sees each team's
//! sheet built from the support log and duty days, downloads the allowance
//! list as XLSX and PDF whose totals equal the sum of the rows, approves the
//! month, and a later correction of a support entry shows as a difference
//! against the approved month; the leader records a duty day from the team
//! page and bad duty days store nothing; a member reads their team's sheet
//! but not the commune's list.

use calamine::{Data, Reader, Xlsx};
use toso_domain::{Month, Payee};
use toso_testkit::{both_backends, location, Backend, TestApp};

both_backends!(
    the_officer_approves_november_and_sees_a_later_correction,
    the_leader_records_duty_days_and_bad_ones_store_nothing,
    a_member_reads_the_team_sheet_not_the_list,
    the_province_sees_every_commune_month,
);

const CAT_HAI: i32 = 11914;
const NOV: Month = Month {
    year: 2025,
    month: 11,
};

/// The numbers of column `col` (0-based) on the rows whose column B is
/// not a subtotal, in the "Danh sách chi trả" sheet, and the grand total.
fn xlsx_amounts(bytes: &[u8]) -> (Vec<f64>, f64) {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "Danh sách chi trả"), "{names:?}");
    assert!(names.iter().any(|n| n == "Bảng chấm công"), "{names:?}");
    let range = book.worksheet_range("Danh sách chi trả").unwrap();
    let mut rows = Vec::new();
    let mut grand = None;
    for row in range.rows() {
        let text = |i: usize| match row.get(i) {
            Some(Data::String(s)) => s.clone(),
            _ => String::new(),
        };
        let line = (0..row.len()).map(text).collect::<Vec<_>>().join(" ");
        let total = row.iter().rev().find_map(|c| match c {
            Data::Float(f) => Some(*f),
            Data::Int(i) => Some(*i as f64),
            _ => None,
        });
        let numbered = matches!(row.first(), Some(Data::Float(_) | Data::Int(_)));
        if line.contains("TỔNG CỘNG") {
            grand = total;
        } else if numbered {
            rows.push(total.expect("a row's total"));
        }
    }
    (rows, grand.expect("the grand total row"))
}

async fn the_officer_approves_november_and_sees_a_later_correction(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = app.db.store.clone();
    let page = app.html("/communes/11914/allowances?month=2025-11").await;
    assert!(page.contains("Ngày hoạt động và chi trả tháng 11/2025"));
    assert!(page.contains("ví dụ minh họa"), "the demo policy is marked");
    assert!(page.contains("Chưa duyệt"));
    assert!(page.contains("Tổ dân phố 1"));
    let view = store.month_view(CAT_HAI, NOV).await.unwrap();
    let list = view.list.clone().unwrap();
    assert!(page.contains(&toso_domain::format_money(list.total)));

    // A team's sheet: the support log ("H") and the duty days ("T").
    let team = &view.sheets[0];
    let sheet = app
        .html(&format!(
            "/communes/11914/teams/{}/days?month=2025-11",
            team.team_id
        ))
        .await;
    assert!(sheet.contains("Bảng chấm công tháng 11/2025"));
    assert!(sheet.contains(">T<") && sheet.contains("Bộ phận một cửa"));

    // The downloads: totals equal the sum of the rows and the page's.
    let res = app
        .get("/communes/11914/allowances.xlsx?month=2025-11")
        .await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("chi-tra-11914-2025-11.xlsx"));
    let (rows, grand) = xlsx_amounts(&res.bytes().await.unwrap());
    assert_eq!(rows.len(), list.rows().count());
    assert_eq!(rows.iter().sum::<f64>(), grand);
    assert_eq!(grand, list.total as f64);
    let res = app
        .get("/communes/11914/allowances.pdf?month=2025-11")
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));

    // Approve the month.
    let res = app
        .post_form(
            "/communes/11914/allowances/approve",
            &[("month", "2025-11")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(location(&res).contains("month=2025-11"));
    let page = app.html("/communes/11914/allowances?month=2025-11").await;
    assert!(page.contains("Đã duyệt"));
    assert!(!page.contains("Chênh lệch so với bảng đã duyệt"));

    // A later correction of a support entry: one of November was in fact
    // on 01/12/2025. The approved month does not move; the page shows the
    // difference for the people who helped on it.
    let activities = store
        .activities(CAT_HAI, NOV.first_day(), NOV.last_day())
        .await
        .unwrap();
    let moved = activities
        .iter()
        .find(|a| a.team_id == team.team_id)
        .expect("a November entry of the first team")
        .clone();
    let res = app
        .post_form(
            &format!("/communes/11914/activities/{}/edit", moved.id),
            &[
                ("activity_date", "01/12/2025"),
                ("category", &moved.category),
                ("citizens_helped", &moved.citizens_helped.to_string()),
                ("dossiers", &moved.dossiers.to_string()),
                ("note", "Sửa ngày: hỗ trợ ngày 01/12/2025"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let approved = store.month_approval(CAT_HAI, NOV).await.unwrap().unwrap();
    assert_eq!(approved.total, list.total, "the approved month is frozen");
    let view = store.month_view(CAT_HAI, NOV).await.unwrap();
    assert!(!view.changes.is_empty(), "the correction shows");
    let change = view
        .changes
        .iter()
        .find(|c| matches!(c.payee, Payee::Person(_)))
        .expect("a person's row moved");
    assert_eq!(change.days_now + 1, change.days_then);
    let page = app.html("/communes/11914/allowances?month=2025-11").await;
    assert!(page.contains("Chênh lệch so với bảng đã duyệt"));
    assert!(page.contains(&change.name));
    // The download stays the approved copy.
    let res = app
        .get("/communes/11914/allowances.xlsx?month=2025-11")
        .await;
    let (_, grand) = xlsx_amounts(&res.bytes().await.unwrap());
    assert_eq!(grand, list.total as f64);

    // Reopening needs a reason (422 beside it, nothing changed).
    let res = app
        .post_form(
            "/communes/11914/allowances/reopen",
            &[("month", "2025-11"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Ghi lý do"));
    assert!(
        store
            .month_approval(CAT_HAI, NOV)
            .await
            .unwrap()
            .unwrap()
            .approved
    );
    let res = app
        .post_form(
            "/communes/11914/allowances/reopen",
            &[("month", "2025-11"), ("reason", "Bổ sung người hỗ trợ")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = app.html("/communes/11914/allowances?month=2025-11").await;
    assert!(page.contains("Đã mở lại") && page.contains("Bổ sung người hỗ trợ"));

    // This month cannot be approved yet; a malformed month is refused.
    let this = Month::of(toso_store::today()).code();
    let res = app
        .post_form("/communes/11914/allowances/approve", &[("month", &this)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("chưa kết thúc"));
    let res = app
        .post_form(
            "/communes/11914/allowances/approve",
            &[("month", "13/2025")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app.get("/communes/11914/allowances?month=abc").await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tháng «abc» không hợp lệ"));
}

async fn the_leader_records_duty_days_and_bad_ones_store_nothing(backend: Backend) {
    let app = TestApp::demo_as(backend, "totruong").await;
    let store = app.db.store.clone();
    let leader = toso_testkit::account(&store, "totruong").await;
    let team_id = leader.team_id.unwrap();
    let members = store
        .team_members(team_id, Some(toso_store::today()))
        .await
        .unwrap();
    let m0 = format!("m_{}", members[0].membership.person_id);
    let path = format!("/communes/11914/teams/{team_id}/duty");
    let count = || async {
        store
            .duty_days(
                team_id,
                chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
                toso_store::today(),
            )
            .await
            .unwrap()
            .len()
    };
    let before = count().await;
    let tomorrow = toso_domain::format_date(toso_store::today().succ_opt().unwrap());
    for (fields, field) in [
        (
            vec![
                ("held_on", tomorrow.as_str()),
                ("place", "Nhà văn hóa"),
                (m0.as_str(), "on"),
            ],
            "held_on",
        ),
        (
            vec![
                ("held_on", "31/02/2026"),
                ("place", "Nhà văn hóa"),
                (m0.as_str(), "on"),
            ],
            "held_on",
        ),
        (
            vec![
                ("held_on", "02/12/2026"),
                ("place", ""),
                (m0.as_str(), "on"),
            ],
            "place",
        ),
        (
            vec![("held_on", "02/12/2026"), ("place", "Nhà văn hóa")],
            "members",
        ),
        (
            vec![
                ("held_on", "02/12/2026"),
                ("place", "Nhà văn hóa"),
                ("m_999999", "on"),
            ],
            "members",
        ),
    ] {
        let res = app.post_form(&path, &fields).await;
        assert_eq!(res.status(), 422, "{field}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"e-{field}\"")),
            "{field}: the error beside the field"
        );
    }
    assert_eq!(count().await, before, "nothing stored");
    let res = app
        .post_form(
            &path,
            &[
                ("held_on", "02/12/2026"),
                ("place", "Bộ phận một cửa"),
                (&m0, "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("month=2026-12"));
    assert_eq!(count().await, before + 1);
    let page = app
        .html(&format!(
            "/communes/11914/teams/{team_id}/days?month=2026-12"
        ))
        .await;
    assert!(page.contains("02/12/2026") && page.contains(&members[0].full_name));
    // Another team's duty route: refused.
    let other = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id != team_id)
        .unwrap();
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{}/duty", other.id),
            &[("held_on", "02/12/2026"), ("place", "X"), (&m0, "on")],
        )
        .await;
    assert_eq!(res.status(), 403);
    // Deleted again by the leader.
    let day = store
        .duty_days(
            team_id,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            toso_store::today(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.place == "Bộ phận một cửa" && d.held_on.to_string() == "2026-12-02")
        .unwrap();
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team_id}/duty/{}/delete", day.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(count().await, before);
}

async fn a_member_reads_the_team_sheet_not_the_list(backend: Backend) {
    let app = TestApp::demo_as(backend, "thanhvien").await;
    let store = app.db.store.clone();
    let me = toso_testkit::account(&store, "thanhvien").await;
    let team_id = me.team_id.unwrap();
    let (status, _) = app
        .text(&format!(
            "/communes/11914/teams/{team_id}/days?month=2025-11"
        ))
        .await;
    assert_eq!(status, 200);
    let page = app
        .html(&format!(
            "/communes/11914/teams/{team_id}/days?month=2025-11"
        ))
        .await;
    assert!(
        !page.contains("Ghi ngày trực"),
        "a member does not record duty days"
    );
    for path in [
        "/communes/11914/allowances",
        "/communes/11914/allowances.xlsx?month=2025-11",
    ] {
        let (status, _) = app.text(path).await;
        assert_eq!(status, 403, "{path}");
    }
    let res = app
        .post_form(
            &format!("/communes/11914/teams/{team_id}/duty"),
            &[("held_on", "02/12/2026")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

/// The province's month: one row per commune of Hải Phòng, each the
/// commune's own month page's figures (Cát Hải's total, the others' none
/// paid), the province's total their sum; the commune's approval shows
/// there, and so does a correction after it.
async fn the_province_sees_every_commune_month(backend: Backend) {
    let app = TestApp::demo_as(backend, "sokhcn").await;
    let store = app.db.store.clone();
    let communes = store.communes_of(31).await.unwrap();
    let view = store.month_view(CAT_HAI, NOV).await.unwrap();
    let list = view.list.clone().unwrap();
    assert!(list.total > 0);
    let page = app.html("/provinces/31/allowances?month=2025-11").await;
    assert!(page.contains("Chi trả cho Tổ công nghệ số cộng đồng tháng 11/2025"));
    assert_eq!(page.matches("<tr data-commune=").count(), communes.len());
    let row = |page: &str, code: i32| {
        let at = page.find(&format!("<tr data-commune=\"{code}\">")).unwrap();
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    let cat_hai = row(&page, CAT_HAI);
    let money = toso_domain::format_money(list.total);
    assert!(cat_hai.contains(&money), "{cat_hai}");
    assert!(cat_hai.contains(&toso_domain::format_int(list.people_paid() as i64)));
    assert!(cat_hai.contains("Chưa duyệt"));
    assert!(cat_hai.contains("/communes/11914/allowances?month=2025-11"));
    // The province's policy is said once above the table, with the communes
    // it pays; each row names it by its number only.
    let policy = view.policy.clone().unwrap();
    assert_eq!(page.matches(&policy.title()).count(), 1, "{page}");
    let paid_by_it = {
        let mut n = 0;
        for c in &communes {
            let v = store.month_view(c.code, NOV).await.unwrap();
            n += usize::from(v.policy.is_some_and(|p| p.id == policy.id));
        }
        n
    };
    assert!(page.contains(&format!(
        "{}, chính sách của tỉnh, {}: áp dụng cho {paid_by_it}/{} xã.",
        policy.title(),
        policy.period(),
        communes.len()
    )));
    assert!(
        cat_hai.contains(&format!("<td>{}</td>", policy.resolution)),
        "{cat_hai}"
    );
    // The province's total is the communes' sum: Cát Hải's, the others
    // having no records in the demo.
    assert!(page.contains(&format!("<strong data-total=\"amount\">{money}</strong>")));
    assert!(page.contains("<strong data-total=\"approved\">0 đ</strong>"));
    // The commune approves; then a November entry moves to December.
    let officer = toso_testkit::account(&store, "canboxa").await;
    let actor = toso_store::Actor {
        user_id: Some(officer.id),
        name: officer.username.clone(),
        address: None,
    };
    store.approve_month(&actor, CAT_HAI, NOV).await.unwrap();
    let page = app.html("/provinces/31/allowances?month=2025-11").await;
    assert!(row(&page, CAT_HAI).contains("Đã duyệt"));
    assert!(page.contains(&format!("<strong data-total=\"approved\">{money}</strong>")));
    assert!(page.contains(&format!("1/{} xã đã duyệt", communes.len())));
    let moved = store
        .activities(CAT_HAI, NOV.first_day(), NOV.last_day())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.team_id == view.sheets[0].team_id)
        .unwrap();
    store
        .update_activity(
            &actor,
            moved.id,
            toso_store::ActivityUpdate {
                activity_date: toso_testkit::d(2025, 12, 1),
                category: toso_domain::SupportCategory::parse(&moved.category, "category").unwrap(),
                citizens_helped: moved.citizens_helped,
                dossiers: moved.dossiers,
                note: moved.note.clone(),
            },
        )
        .await
        .unwrap();
    let page = app.html("/provinces/31/allowances?month=2025-11").await;
    let cat_hai = row(&page, CAT_HAI);
    assert!(
        cat_hai.contains("Đã duyệt") && cat_hai.contains("dòng khác"),
        "{cat_hai}"
    );
    assert!(cat_hai.contains(&money), "the approved copy's total stays");
    // Another province's page is refused.
    let res = app.get("/provinces/1/allowances").await;
    assert_eq!(res.status(), 403);
}

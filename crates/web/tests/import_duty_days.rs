//! Duty days from Excel in the browser (issue 22): the import page offers
//! the list and its template; an upload is previewed, written once, and the
//! same file again changes nothing; a row naming no member of the team is
//! refused by row and column and writes nothing; the list downloads.

use toso_testkit::{both_backends, d, Backend, TestApp};

both_backends!(
    a_duty_day_sheet_is_previewed_then_written_once,
    a_duty_day_sheet_with_a_stranger_writes_nothing,
);

async fn officer(backend: Backend) -> TestApp {
    TestApp::demo_as(backend, "canboxa").await
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let (token, mut cookie) = app.csrf().await;
    cookie.push_str(&format!(
        "; toso_session={}",
        app.session.as_deref().unwrap()
    ));
    let form = reqwest::multipart::Form::new()
        .text("kind", "duty_days")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    app.client
        .post(app.url(&format!("/communes/11914/import?csrf={token}")))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// The team of the demo's "Tổ dân phố 1" and two of its members' names.
async fn tdp1(app: &TestApp) -> (i64, String, String) {
    let store = &app.db.store;
    let village = store
        .villages(11914, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 1")
        .unwrap();
    let team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id == Some(village.id))
        .unwrap();
    let members = store
        .team_members(team.id, Some(d(2025, 11, 28)))
        .await
        .unwrap();
    (
        team.id,
        members[2].full_name.clone(),
        members[3].full_name.clone(),
    )
}

async fn a_duty_day_sheet_is_previewed_then_written_once(backend: Backend) {
    let app = officer(backend).await;
    let store = &app.db.store;
    let page = app.html("/communes/11914/import").await;
    assert!(
        page.contains("Ngày trực (một dòng một người trực"),
        "{page}"
    );
    assert!(page.contains("/communes/11914/import/template/duty_days.xlsx"));
    let res = app
        .get("/communes/11914/import/template/duty_days.xlsx")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("mau-duty_days.xlsx"));

    let (team, a, b) = tdp1(&app).await;
    let csv = format!(
        "\u{feff}STT,Ngày trực,Thôn/TDP,Họ và tên,Nơi trực,Ghi chú\n\
         1,28/11/2025,Tổ dân phố 1,{a},Chợ phiên Cát Hải,Hướng dẫn cài VNeID\n\
         2,28/11/2025,TDP 1,{b},Chợ phiên Cát Hải,\n"
    );
    let res = upload(&app, "ngay-truc.csv", csv.clone().into_bytes()).await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("2 dòng sẽ thêm mới, 0 dòng sẽ cập nhật, 0 dòng không đổi"),
        "{page}"
    );
    assert!(page.contains("thêm ngày trực 28/11/2025 tại «Chợ phiên Cát Hải»"));
    let day = || store.duty_days(team, d(2025, 11, 28), d(2025, 11, 28));
    assert!(day().await.unwrap().is_empty(), "a dry run writes nothing");

    let res = app
        .post_form(
            "/communes/11914/import/commit",
            &[("upload", &hidden(&page, "upload"))],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Đã ghi: 2 dòng thêm mới"));
    let days = day().await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].members.len(), 2);
    assert_eq!(days[0].note.as_deref(), Some("Hướng dẫn cài VNeID"));

    // The same file again: nothing to write, no button to write it.
    let res = upload(&app, "ngay-truc.csv", csv.into_bytes()).await;
    let page = res.text().await.unwrap();
    assert!(
        page.contains("0 dòng sẽ thêm mới, 0 dòng sẽ cập nhật, 2 dòng không đổi"),
        "{page}"
    );
    assert!(!page.contains("Ghi vào hệ thống"));

    // The list downloads with the new day.
    let res = app
        .get("/communes/11914/export/duty_days.csv?as_of=30/11/2025")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.starts_with("\u{feff}STT,Họ và tên,Số điện thoại,Thôn/TDP,Ngày trực,Nơi trực,Ghi chú")
    );
    assert!(text.contains("28/11/2025,Chợ phiên Cát Hải,Hướng dẫn cài VNeID"));
    app.stop().await;
}

async fn a_duty_day_sheet_with_a_stranger_writes_nothing(backend: Backend) {
    let app = officer(backend).await;
    let (team, a, _) = tdp1(&app).await;
    let csv = format!(
        "STT,Ngày trực,Thôn/TDP,Họ và tên,Nơi trực\n\
         1,27/11/2025,Tổ dân phố 1,{a},Nhà văn hóa\n\
         2,27/11/2025,Tổ dân phố 1,Người Lạ Mặt,Nhà văn hóa\n"
    );
    let res = upload(&app, "loi.csv", csv.into_bytes()).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("chưa ghi gì vào hệ thống"));
    assert!(page.contains("Dòng 3, cột «Họ và tên»"), "{page}");
    assert!(!page.contains("Ghi vào hệ thống"));
    assert!(app
        .db
        .store
        .duty_days(team, d(2025, 11, 27), d(2025, 11, 27))
        .await
        .unwrap()
        .is_empty());
    app.stop().await;
}

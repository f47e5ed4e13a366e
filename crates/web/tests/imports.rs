//! Excel and CSV in the browser: upload, dry run, commit all or nothing,
//! re-import changes nothing; downloads of templates and lists.

use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(
    a_roster_is_previewed_then_written_once,
    a_sheet_with_errors_writes_nothing,
    uploads_need_the_csrf_token,
    lists_download_as_xlsx_and_csv,
    streamed_downloads_are_the_lists,
);

const ROSTER: &str = "\u{feff}DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG\n\
STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong Tổ,SĐT,Thôn/TDP\n\
1,Khúc Văn Thử,1980,Nam,Trưởng thôn,Tổ trưởng,912345001,Thôn Nhập Mới\n\
2,Trần Thị Nhập,1990,Nữ,Hội Phụ nữ,Tổ phó,0912345002,Thôn Nhập Mới\n\
3,Lê Văn Excel,1985,Nam,Đoàn Thanh niên,Thành viên,,Thôn Nhập Mới\n";

async fn officer(backend: Backend) -> TestApp {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("canboxa").await;
    app
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>, with_token: bool) -> reqwest::Response {
    let (token, mut cookie) = app.csrf().await;
    cookie.push_str(&format!(
        "; toso_session={}",
        app.session.as_deref().unwrap()
    ));
    let form = reqwest::multipart::Form::new()
        .text("kind", "members")
        .text("established_on", "01/11/2025")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let url = if with_token {
        app.url(&format!("/communes/11914/import?csrf={token}"))
    } else {
        app.url("/communes/11914/import")
    };
    app.client
        .post(url)
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

async fn a_roster_is_previewed_then_written_once(backend: Backend) {
    let app = officer(backend).await;
    let store = &app.db.store;
    let res = upload(&app, "danh-sach.csv", ROSTER.as_bytes().to_vec(), true).await;
    let status = res.status().as_u16();
    let page = res.text().await.unwrap();
    assert_eq!(
        status,
        200,
        "{}",
        page.split("<main").nth(1).unwrap_or(&page)
    );
    assert!(page.contains("Xem trước «danh-sach.csv»"));
    assert!(page.contains("3 dòng sẽ thêm mới"), "{page}");
    assert!(page.contains("Chưa ghi gì."));
    assert!(
        store
            .search(11914, "khuc van thu")
            .await
            .unwrap()
            .people
            .is_empty(),
        "a dry run writes nothing"
    );
    let upload_token = hidden(&page, "upload");
    let res = app
        .post_form(
            "/communes/11914/import/commit",
            &[("upload", &upload_token)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Đã ghi: 3 dòng thêm mới"));
    let hits = store.search(11914, "khuc van thu").await.unwrap();
    assert_eq!(hits.people.len(), 1);
    assert_eq!(
        hits.people[0].phone.as_deref(),
        Some("0912345001"),
        "the lost leading zero is recovered"
    );
    assert_eq!(store.villages(11914, None).await.unwrap().len(), 59);
    // The same token cannot be used twice, and the same file changes nothing.
    let res = app
        .post_form(
            "/communes/11914/import/commit",
            &[("upload", &upload_token)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = upload(&app, "danh-sach.csv", ROSTER.as_bytes().to_vec(), true).await;
    let page = res.text().await.unwrap();
    assert!(
        page.contains("0 dòng sẽ thêm mới, 0 dòng sẽ cập nhật, 3 dòng không đổi"),
        "{page}"
    );
    assert!(!page.contains("Ghi vào hệ thống"));
    app.stop().await;
}

async fn a_sheet_with_errors_writes_nothing(backend: Backend) {
    let app = officer(backend).await;
    let bad = ROSTER
        .replace("0912345002", "12345")
        .replace("1985", "1785");
    let res = upload(&app, "loi.csv", bad.into_bytes(), true).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("chưa ghi gì vào hệ thống"));
    assert!(page.contains("Dòng 4, cột «Số điện thoại»"), "{page}");
    assert!(page.contains("Dòng 5, cột «Năm sinh»"));
    assert!(!page.contains("Ghi vào hệ thống"));
    let res = upload(
        &app,
        "anh.png",
        b"\x89PNG\r\n\x1a\nnot a sheet".to_vec(),
        true,
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("không phải là bảng tính"));
    assert_eq!(app.db.store.villages(11914, None).await.unwrap().len(), 58);
    app.stop().await;
}

async fn uploads_need_the_csrf_token(backend: Backend) {
    let app = officer(backend).await;
    let res = upload(&app, "danh-sach.csv", ROSTER.as_bytes().to_vec(), false).await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(app.db.store.villages(11914, None).await.unwrap().len(), 58);
    app.stop().await;
}

async fn lists_download_as_xlsx_and_csv(backend: Backend) {
    let app = officer(backend).await;
    let res = app
        .get("/communes/11914/export/members.xlsx?as_of=30/11/2025")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX (zip) file");
    let res = app
        .get("/communes/11914/export/indicators.csv?as_of=30/11/2025")
        .await;
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("386") && text.contains("58"));
    let res = app
        .get("/communes/11914/import/template/members.xlsx")
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("mau-members.xlsx"));
    assert_eq!(
        app.get("/communes/11914/export/nothing.xlsx")
            .await
            .status()
            .as_u16(),
        404
    );
    // An exported roster, uploaded again, changes nothing.
    let res = upload(&app, "members.xlsx", bytes.to_vec(), true).await;
    let page = res.text().await.unwrap();
    assert!(
        page.contains("0 dòng sẽ thêm mới, 0 dòng sẽ cập nhật, 386 dòng không đổi"),
        "{page}"
    );
    app.stop().await;
}

/// The downloads are streamed; each is the same file as the list written
/// whole: the CSV byte for byte, the XLSX read back to the same rows.
async fn streamed_downloads_are_the_lists(backend: Backend) {
    use toso_sheets::{read_bytes, write_csv, write_xlsx, ReadOptions, SheetKind};
    let app = officer(backend).await;
    let store = &app.db.store;
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let opts = ReadOptions::new(toso_store::today());
    for &kind in SheetKind::ALL {
        let table = store.export_table(kind, 11914, as_of).await.unwrap();
        assert!(!table.rows.is_empty(), "{kind:?}");
        let url = |ext: &str| {
            format!(
                "/communes/11914/export/{}.{ext}?as_of=30/11/2025",
                kind.key()
            )
        };

        let res = app.get(&url("csv")).await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let mut whole = Vec::new();
        write_csv(&table, &mut whole).unwrap();
        let got = res.bytes().await.unwrap();
        assert_eq!(got.len(), whole.len(), "{kind:?}");
        assert!(got[..] == whole[..], "{kind:?}: the CSV differs");

        let res = app.get(&url("xlsx")).await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("{}-11914-30-11-2025.xlsx", kind.key())));
        let got = res.bytes().await.unwrap();
        let whole = write_xlsx(std::slice::from_ref(&table)).unwrap();
        let a = read_bytes("a.xlsx", &whole, kind, &opts, &mut |_, _| {}).unwrap();
        let b = read_bytes("b.xlsx", &got, kind, &opts, &mut |_, _| {}).unwrap();
        assert_eq!(a.rows, b.rows, "{kind:?}");
        assert_eq!(a.header_line, b.header_line);
        assert_eq!(a.columns, b.columns);
        assert_eq!(a.data_rows as usize, table.rows.len());
    }
    // The members list: every member of the demo commune.
    let res = app
        .get("/communes/11914/export/members.csv?as_of=30/11/2025")
        .await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 386);
    // Another commune's list: refused before any byte is sent.
    assert_eq!(
        app.get("/communes/99999/export/members.csv")
            .await
            .status()
            .as_u16()
            / 100,
        4
    );
    app.stop().await;
}

//! Excel and CSV in the browser: upload, dry run, commit all or nothing,
//! re-import changes nothing; headers the local way ("Tên ấp",
//! "Thôn/Ấp/Bản"), the preview naming the column taken for each field, and
//! columns chosen by hand; downloads of templates and lists.

use toso_testkit::{both_backends, Backend, TestApp};

both_backends!(
    a_roster_is_previewed_then_written_once,
    a_sheet_with_errors_writes_nothing,
    uploads_need_the_csrf_token,
    lists_download_as_xlsx_and_csv,
    streamed_downloads_are_the_lists,
    village_lists_headed_the_local_way_import_in_one_go,
    columns_are_chosen_by_hand_in_the_preview,
);

const ROSTER: &str = "\u{feff}DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG\n\
STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong Tổ,SĐT,Thôn/TDP\n\
1,Khúc Văn Thử,1980,Nam,Trưởng thôn,Tổ trưởng,912345001,Thôn Nhập Mới\n\
2,Trần Thị Nhập,1990,Nữ,Hội Phụ nữ,Tổ phó,0912345002,Thôn Nhập Mới\n\
3,Lê Văn Excel,1985,Nam,Đoàn Thanh niên,Thành viên,,Thôn Nhập Mới\n";

async fn officer(backend: Backend) -> TestApp {
    let app = TestApp::demo_as(backend, "canboxa").await;
    app
}

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>, with_token: bool) -> reqwest::Response {
    upload_kind(app, "members", name, bytes, with_token).await
}

async fn upload_kind(
    app: &TestApp,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    with_token: bool,
) -> reqwest::Response {
    let (token, mut cookie) = app.csrf().await;
    cookie.push_str(&format!(
        "; toso_session={}",
        app.session.as_deref().unwrap()
    ));
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
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
        assert_eq!(res.headers()["cache-control"], "private, no-store");
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

async fn village_lists_headed_the_local_way_import_in_one_go(backend: Backend) {
    use toso_domain::VillageKind;
    let app = officer(backend).await;
    let store = &app.db.store;
    for (name, csv, village, kind) in [
        (
            "ap.csv",
            "STT,Tên ấp,Ghi chú\n1,Ấp Tân Lập,\n",
            "Ấp Tân Lập",
            VillageKind::Ap,
        ),
        (
            "thon-ap-ban.csv",
            "TT,Thôn/Ấp/Bản\n1,Bản Nà Hẩu\n2,Plei Ơi\n",
            "Plei Ơi",
            VillageKind::Plei,
        ),
    ] {
        let res = upload_kind(&app, "villages", name, csv.as_bytes().to_vec(), true).await;
        assert_eq!(res.status().as_u16(), 200);
        let page = res.text().await.unwrap();
        let header = csv.lines().next().unwrap().split(',').nth(1).unwrap();
        assert!(
            page.contains(&format!("Cột B «{header}» → Tên thôn, tổ dân phố")),
            "the preview names the column taken: {page}"
        );
        assert!(page.contains("Bỏ qua các cột") == name.starts_with("ap"));
        let res = app
            .post_form(
                "/communes/11914/import/commit",
                &[("upload", &hidden(&page, "upload"))],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("Đã ghi:"));
        let v = store
            .villages(11914, None)
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.name == village)
            .unwrap();
        assert_eq!(v.kind, kind, "{village}");
    }
    assert_eq!(store.villages(11914, None).await.unwrap().len(), 61);
    app.stop().await;
}

async fn columns_are_chosen_by_hand_in_the_preview(backend: Backend) {
    let app = officer(backend).await;
    let store = &app.db.store;
    // Neither "Người tham gia" nor "Nơi ở" is a header the reader knows.
    let csv = "STT,Người tham gia,Năm sinh,Chức danh trong tổ,Nơi ở,SĐT\n\
               1,Khúc Thị Chọn,1990,Tổ trưởng,Thôn Chọn Cột,0912345111\n\
               2,Khúc Văn Tay,1991,Thành viên,Thôn Chọn Cột,0912345112\n";
    let res = upload(&app, "tu-chon.csv", csv.as_bytes().to_vec(), true).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("thiếu cột bắt buộc «Họ và tên», «Thôn/TDP»"),
        "{page}"
    );
    assert!(page.contains("<details open>"), "the mapping form is open");
    assert!(page.contains("Cột B — «Người tham gia»"));
    assert!(page.contains("Cột E — «Nơi ở»"));
    assert!(!page.contains("Ghi vào hệ thống"));
    let token = hidden(&page, "upload");

    // Refused choices: a column that is not a number, one column twice, an
    // unknown upload. Each says why, and nothing is written.
    let choose = |token: String, pairs: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let mut fields: Vec<(&str, &str)> = vec![("upload", token.as_str())];
            fields.extend(pairs);
            let res = app
                .post_form("/communes/11914/import/columns", &fields)
                .await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, page) = choose(token, vec![("col_full_name", "B"), ("col_village", "4")]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Cột chọn cho «Họ và tên» không hợp lệ"),
        "{page}"
    );
    let (status, page) = choose(
        hidden(&page, "upload"),
        vec![("col_full_name", "1"), ("col_village", "1")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Cột B đã được chọn cho «Họ và tên»: mỗi cột chỉ dùng cho một mục."),
        "{page}"
    );
    let (status, page2) = choose("khong-co".into(), vec![("col_full_name", "1")]).await;
    assert_eq!(status, 422);
    assert!(page2.contains("hết hạn"));

    // The choice: a new preview that names it, then the write.
    let (status, page) = choose(
        hidden(&page, "upload"),
        vec![
            ("col_stt", "0"),
            ("col_full_name", "1"),
            ("col_birth_year", "2"),
            ("col_role", "3"),
            ("col_village", "4"),
            ("col_phone", "5"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 dòng sẽ thêm mới"), "{page}");
    assert!(page.contains("Cột B «Người tham gia» → Họ và tên (chọn tay)"));
    assert!(page.contains("Cột E «Nơi ở» → Thôn/TDP (chọn tay)"));
    assert!(
        page.contains("<option value=\"4\" selected>Cột E — «Nơi ở»</option>"),
        "the form shows the choice"
    );
    assert!(store
        .search(11914, "khuc thi chon")
        .await
        .unwrap()
        .people
        .is_empty());
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
    let hits = store.search(11914, "khuc thi chon").await.unwrap();
    assert_eq!(hits.people.len(), 1);
    assert_eq!(hits.people[0].phone.as_deref(), Some("0912345111"));
    assert!(store
        .villages(11914, None)
        .await
        .unwrap()
        .iter()
        .any(|v| v.name == "Thôn Chọn Cột"));
    app.stop().await;
}

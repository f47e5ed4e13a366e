//! Reporting requests and reports on both databases: the demo's answer to
//! 4675/SKHCN-CNTT carries the reference report's figures, the snapshot does
//! not move when the data does, versions are explicit, bad settings are
//! refused naming the field and store nothing.

use toso_domain::{DocumentNumber, Name, SupportCategory};
use toso_store::{NewActivity, NewRequest, StoreError};
use toso_testkit::{actor, both_backends, d, Backend, TestDb};

both_backends!(
    the_demo_report_carries_the_reference_figures,
    a_snapshot_does_not_move_and_versions_are_explicit,
    bad_settings_are_refused_and_store_nothing,
    requests_are_scoped_to_province_and_commune,
    a_commune_of_quang_ninh_gets_its_own_first_draft,
);

/// A change to good settings that makes them bad.
type Change = Box<dyn Fn(&mut toso_store::ReportSettings)>;

async fn the_demo_report_carries_the_reference_figures(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let request = store
        .request_by_number(11914, "4675/skhcn-cntt")
        .await
        .unwrap();
    assert_eq!(request.as_of, d(2025, 11, 30));
    let mut settings = toso_reporting::report_defaults(store, 11914, &request)
        .await
        .unwrap();
    assert_eq!(settings.as_of, d(2025, 11, 30));
    settings.report_date = d(2026, 1, 5);
    settings.signer_name = "Vũ Hữu Vững".into();
    let report = toso_reporting::create_report(store, &actor(), 11914, request.id, settings)
        .await
        .unwrap();
    assert_eq!(report.version, 1);
    let snap = report.snapshot().unwrap();
    let text = snap.printed.document.plain_text();
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "ĐẶC KHU CÁT HẢI",
        "Cát Hải, ngày 05 tháng 01 năm 2026",
        "Thực hiện Công văn số 4675/SKHCN-CNTT ngày 19/12/2025 của Sở Khoa học và Công nghệ về việc thúc đẩy, phát huy hiệu quả",
        "Ủy ban nhân dân đặc khu Cát Hải báo cáo kết quả thực hiện như sau:",
        "I. CÔNG TÁC CHỈ ĐẠO, HƯỚNG DẪN TRIỂN KHAI THỰC HIỆN",
        "Quyết định số 1907/QĐ-UBND ngày 31/10/2025 về việc thành lập Tổ công nghệ số cộng đồng",
        "Công văn số 1643/UBND-VHXH ngày 14/10/2025 về triển khai Cuộc thi",
        "Công văn số 1688/VHXH ngày 20/10/2025",
        "Công văn số 2086/UBND-VHXH ngày 12/11/2025",
        "Có 58 thôn.",
        "đã thành lập: 58 Tổ Công nghệ số.",
        "cộng đồng: 386 thành viên.",
        "tổ dân phố: 100%.",
        "đường liên kết là https://zalo.me/g/xuubpv554",
        "Đến hết tháng 11/2025",
        "đã đăng ký 1.440 người tham gia cuộc thi",
        // The contest, the partner organisations and the campaigns are the
        // commune's records (held by 30/11/2025), not text of the template.
        "người dân trên địa bàn tham gia Cuộc thi “Công dân số Hải Phòng - Sử dụng thông minh, sống an toàn” do Ủy ban nhân dân thành phố Hải Phòng phát động.",
        "Các tổ đã phối hợp với Đoàn Thanh niên, Hội Phụ nữ tổ chức 2 đợt ra quân",
        "giữa Tổ công nghệ số cộng đồng với Đoàn Thanh niên, Hội Phụ nữ trong tuyên truyền",
        "phong trào của đoàn thể như “Tuổi trẻ chuyển đổi số”, “Chủ nhật xanh”./.",
        "lớp “Tập huấn sử dụng Hệ thống Chính quyền số thành phố”",
        "Nơi nhận:",
        "- Sở Khoa học và Công nghệ;",
        "- Lưu: VT, VHXH.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Vũ Hữu Vững",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    // The decision is cited once in §I; the letter to the Department is
    // not a directive of the commune.
    let figure = |key: &str| snap.printed.figures.iter().find(|f| f.key == key).unwrap();
    assert_eq!(figure("villages").text, "58");
    assert_eq!(figure("members").text, "386");
    assert_eq!(figure("coverage").text, "100%");
    assert_eq!(figure("contest_registrations").text, "1.440");
    assert_eq!(
        toso_web::reports::source_href(
            snap.commune_code,
            snap.printed.as_of,
            &figure("members").key
        ),
        "/communes/11914/indicators/members?as_of=30/11/2025"
    );
    // The annex: one row per village, in natural order, with its team.
    let annex = &snap.printed.annexes[0];
    assert_eq!(annex.rows.len(), 58);
    let cell = |row: &[toso_reports::Cell], i: usize| match &row[i] {
        toso_reports::Cell::Text(t) => t.clone(),
        toso_reports::Cell::Number(n) => n.to_string(),
    };
    let at = |name: &str| annex.rows.iter().position(|r| cell(r, 1) == name).unwrap();
    assert_eq!(at("Tổ dân phố 1") + 1, at("Tổ dân phố 2"));
    assert!(at("Tổ dân phố 9") < at("Tổ dân phố 10"));
    assert_eq!(cell(annex.totals.as_ref().unwrap(), 5), "386");
    // The audit log keeps the figures the report froze.
    let audit = store.audit_of("report", report.id).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0]
        .after
        .as_ref()
        .unwrap()
        .0
        .to_string()
        .contains("1.440"));
}

async fn a_snapshot_does_not_move_and_versions_are_explicit(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let request = store
        .request_by_number(11914, "4675/SKHCN-CNTT")
        .await
        .unwrap();
    let settings = toso_reporting::report_defaults(store, 11914, &request)
        .await
        .unwrap();
    let v1 = toso_reporting::create_report(store, &actor(), 11914, request.id, settings.clone())
        .await
        .unwrap();
    let before = store.report(v1.id).await.unwrap();
    let helped = |r: &toso_store::Report| {
        r.snapshot()
            .unwrap()
            .printed
            .figures
            .into_iter()
            .find(|f| f.key == "citizens_helped")
            .unwrap()
            .text
    };
    // New records dated before the as-of date change the live figure...
    let team = store.teams(11914).await.unwrap()[0].clone();
    store
        .create_activity(
            &actor(),
            NewActivity {
                team_id: team.id,
                activity_date: d(2025, 11, 20),
                category: SupportCategory::DvcTrucTuyen,
                citizens_helped: 25,
                dossiers: 3,
                note: None,
                co_members: vec![],
            },
        )
        .await
        .unwrap();
    // ...but the generated report reads the same, byte for byte.
    let after = store.report(v1.id).await.unwrap();
    assert_eq!(before.snapshot, after.snapshot);
    // A new version is made explicitly and sees the new records.
    let v2 = toso_reporting::create_report(store, &actor(), 11914, request.id, settings)
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let n = |s: String| s.replace('.', "").parse::<i64>().unwrap();
    assert_eq!(n(helped(&v2)), n(helped(&v1)) + 25);
    assert_eq!(
        store
            .latest_report(11914, request.id, d(2025, 11, 30))
            .await
            .unwrap()
            .unwrap()
            .id,
        v2.id
    );
    assert_eq!(store.reports_of(11914).await.unwrap().len(), 2);
}

async fn bad_settings_are_refused_and_store_nothing(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let request = store
        .request_by_number(11914, "4675/SKHCN-CNTT")
        .await
        .unwrap();
    let good = toso_reporting::report_defaults(store, 11914, &request)
        .await
        .unwrap();
    let cases: Vec<(&str, Change)> = vec![
        (
            "body",
            Box::new(|s| s.body.push_str("\n- Số tổ: {khong_co}.")),
        ),
        ("body", Box::new(|s| s.body.push_str("\n- Số tổ: {teams."))),
        ("body", Box::new(|s| s.body = "  \n".into())),
        ("number", Box::new(|s| s.number = " ".into())),
        ("recipients", Box::new(|s| s.recipients = String::new())),
        (
            "as_of",
            Box::new(|s| s.as_of = toso_store::today() + chrono::Days::new(3)),
        ),
        (
            "report_date",
            Box::new(|s| s.report_date = s.as_of - chrono::Days::new(1)),
        ),
        (
            "signer_capacity",
            Box::new(|s| s.signer_capacity = "A\nB\nC\nD\nE".into()),
        ),
        ("subject", Box::new(|s| s.subject = "x".repeat(401))),
    ];
    for (field, change) in cases {
        let mut settings = good.clone();
        change(&mut settings);
        match toso_reporting::create_report(store, &actor(), 11914, request.id, settings).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.field, field, "{}", e.message);
                assert!(!e.message.is_empty());
            }
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
    let err = {
        let mut s = good.clone();
        s.body = "dòng một\n- Có {villages} thôn\n- {nope}".into();
        toso_reporting::create_report(store, &actor(), 11914, request.id, s)
            .await
            .unwrap_err()
    };
    assert!(
        err.to_string().contains("Dòng 3") && err.to_string().contains("{nope}"),
        "{err}"
    );
    assert!(store.reports_of(11914).await.unwrap().is_empty());
    // Another commune cannot answer a request registered by Cát Hải.
    let own = store
        .create_request(
            &actor(),
            NewRequest {
                commune_code: Some(11914),
                ..NewRequest::new(
                    31,
                    DocumentNumber::parse("12/UBND").unwrap(),
                    d(2026, 1, 2),
                    Name::issuer("Ủy ban nhân dân đặc khu Cát Hải").unwrap(),
                    Name::subject("Về báo cáo nhanh").unwrap(),
                    None,
                    d(2025, 12, 31),
                )
            },
        )
        .await
        .unwrap();
    let other_commune = store.communes_of(31).await.unwrap()[0].code;
    assert_ne!(other_commune, 11914);
    assert!(matches!(
        toso_reporting::create_report(store, &actor(), other_commune, own.id, good.clone()).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn requests_are_scoped_to_province_and_commune(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let new = |commune: Option<i32>, number: &str| NewRequest {
        commune_code: commune,
        period_from: Some(d(2026, 1, 1)),
        ..NewRequest::new(
            31,
            DocumentNumber::parse(number).unwrap(),
            d(2026, 2, 1),
            Name::issuer("Sở Khoa học và Công nghệ").unwrap(),
            Name::subject("Về báo cáo quý I").unwrap(),
            Some(d(2026, 3, 1)),
            d(2026, 1, 31),
        )
    };
    store
        .create_request(&actor(), new(None, "99/SKHCN"))
        .await
        .unwrap();
    // The same number again from the province is refused, naming the field.
    match store.create_request(&actor(), new(None, "99/SKHCN")).await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.field, "number"),
        other => panic!("{other:?}"),
    }
    store
        .create_request(&actor(), new(Some(11914), "7/UBND"))
        .await
        .unwrap();
    let mine = store.requests_for_commune(11914).await.unwrap();
    assert_eq!(mine.len(), 3, "{mine:?}");
    let other_commune = store
        .communes_of(31)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code != 11914)
        .unwrap();
    let theirs = store
        .requests_for_commune(other_commune.code)
        .await
        .unwrap();
    assert_eq!(
        theirs.len(),
        2,
        "a commune's own request is not shown to others"
    );
    assert!(store.requests_for_commune(4).await.unwrap().is_empty());
    // A deadline before the letter, a period starting after the as-of date.
    let mut bad = new(None, "100/SKHCN");
    bad.deadline = Some(d(2026, 1, 1));
    assert!(matches!(
        store.create_request(&actor(), bad).await,
        Err(StoreError::Invalid(e)) if e.field == "deadline"
    ));
    let mut bad = new(None, "101/SKHCN");
    bad.period_from = Some(d(2026, 2, 15));
    assert!(matches!(
        store.create_request(&actor(), bad).await,
        Err(StoreError::Invalid(e)) if e.field == "period_from"
    ));
    // A commune of another province cannot be named.
    let mut bad = new(Some(4), "102/SKHCN");
    bad.number = DocumentNumber::parse("102/SKHCN").unwrap();
    assert!(matches!(
        store.create_request(&actor(), bad).await,
        Err(StoreError::Invalid(e)) if e.field == "commune_code"
    ));
}

/// The built-in body filled from the records of Phường Hà Tu (Quảng Ninh):
/// its contest, organisations, campaign and course, and never a word of
/// Hải Phòng; with the records gone from the period, neutral phrases.
async fn a_commune_of_quang_ninh_gets_its_own_first_draft(backend: Backend) {
    use toso_testkit::quang_ninh as qn;
    let db = TestDb::new(backend).await;
    let store = &db.store;
    qn::seed(store).await.unwrap();
    let request = store
        .request_by_number(qn::COMMUNE_CODE, qn::REQUEST_NUMBER)
        .await
        .unwrap();
    let settings = toso_reporting::report_defaults(store, qn::COMMUNE_CODE, &request)
        .await
        .unwrap();
    assert_eq!(settings.place, "Hà Tu");
    let snap = toso_reporting::compose_report(store, qn::COMMUNE_CODE, &request, &settings)
        .await
        .unwrap();
    let text = snap.printed.document.plain_text();
    assert!(!text.contains("Hải Phòng"), "{text}");
    assert!(!text.contains("Cát Hải"), "{text}");
    for expected in [
        "PHƯỜNG HÀ TU",
        "Ủy ban nhân dân phường Hà Tu báo cáo kết quả thực hiện như sau:",
        "Quyết định số 245/QĐ-UBND ngày 15/09/2025 về việc thành lập Tổ công nghệ số cộng đồng các khu phố",
        "tham gia Cuộc thi “Tìm hiểu chuyển đổi số Quảng Ninh năm 2025” do Ủy ban nhân dân tỉnh Quảng Ninh phát động.",
        "đã đăng ký 215 người tham gia cuộc thi.",
        "Các tổ đã phối hợp với Hội Phụ nữ, Mặt trận Tổ quốc tổ chức 1 đợt ra quân, tuyên truyền, hướng dẫn 180 lượt",
        "với Hội Phụ nữ, Mặt trận Tổ quốc trong tuyên truyền",
        "phong trào của đoàn thể như “Phường Hà Tu chung tay chuyển đổi số”./.",
        "lớp “Bồi dưỡng kỹ năng số cho Tổ công nghệ số cộng đồng” (trực tiếp, 20/10/2025 – 21/10/2025; 12 người đăng ký, 12 hoàn thành)",
        "https://zalo.me/g/hatu2025qn",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    let figure = |snap: &toso_reporting::Snapshot, key: &str| {
        snap.printed
            .figures
            .iter()
            .find(|f| f.key == key)
            .unwrap()
            .clone()
    };
    let href = |snap: &toso_reporting::Snapshot, key: &str| {
        toso_web::reports::source_href(
            snap.commune_code,
            snap.printed.as_of,
            &figure(snap, key).key,
        )
    };
    assert_eq!(href(&snap, "contests"), "/communes/6652/contests");
    assert_eq!(href(&snap, "partners"), "/communes/6652/campaigns");

    // As of a day before any contest, campaign or course: neutral phrases,
    // still nothing of another province.
    let mut early = settings.clone();
    early.as_of = d(2025, 9, 30);
    let snap = toso_reporting::compose_report(store, qn::COMMUNE_CODE, &request, &early)
        .await
        .unwrap();
    let text = snap.printed.document.plain_text();
    assert!(
        !text.contains("Hải Phòng") && !text.contains("Quảng Ninh"),
        "{text}"
    );
    assert_eq!(
        figure(&snap, "contests").text,
        "các cuộc thi về chuyển đổi số do cấp trên phát động"
    );
    assert_eq!(figure(&snap, "partners").text, "các đoàn thể ở cơ sở");
    assert_eq!(
        figure(&snap, "campaign_names").text,
        "các đợt ra quân hỗ trợ người dân chuyển đổi số"
    );
    assert!(
        text.contains("đã đăng ký 0 người tham gia cuộc thi."),
        "{text}"
    );
}

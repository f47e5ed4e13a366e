//! The Department's consolidated report on both databases: three communes
//! of one province answer a province-wide request — two accepted, one
//! returned. The annex has one row per commune of the province; the
//! accepted rows carry their versions' frozen figures, the others their
//! state; the totals row is the sum of the rows and equals the body's
//! figures; a later change of records moves neither an accepted version
//! nor a new consolidation; the files render and the PDF prints the
//! totals. With the demo: Cát Hải's accepted answer to 4675/SKHCN-CNTT is
//! its row of the annex.

use std::process::Command;

use toso_domain::{format_int, format_percent, DocumentNumber, IndicatorCode, Name, Node};
use toso_reporting::{
    compose_province_report, create_province_report, province_report_defaults, render_file,
    FileKind,
};
use toso_reports::{Annex, Cell, ProvinceSnapshot, Snapshot};
use toso_store::{NewRequest, Report, ReportingRequest, Review, Store};
use toso_testkit::{
    actor, both_backends, d, indicator_count, ActivityBuilder, Backend, MembershipBuilder,
    TeamBuilder, TestDb, VillageBuilder,
};

both_backends!(
    the_accepted_versions_are_summed_commune_by_commune,
    the_demo_commune_is_its_row_of_the_annex,
);

/// The annex's figure columns and the frozen value each shows.
const COLUMNS: &[(&str, &str)] = &[
    ("Số thôn, tổ dân phố", "villages"),
    ("Số Tổ CNSCĐ", "teams"),
    ("Tỷ lệ thôn có Tổ", "coverage"),
    ("Số thành viên", "members"),
    ("Thành viên Đội PƯN", "quick_response_members"),
    ("Lượt người dân được hỗ trợ", "citizens_helped"),
    ("Hồ sơ DVC trực tuyến", "dossiers"),
    ("Lượt người tập huấn", "trainees"),
    ("Lượt đăng ký cuộc thi", "contest_registrations"),
];

fn column(annex: &Annex, header: &str) -> usize {
    annex
        .columns
        .iter()
        .position(|c| c == header)
        .unwrap_or_else(|| panic!("no column «{header}» in {:?}", annex.columns))
}

/// The annex row of the commune named `name`.
fn row<'a>(annex: &'a Annex, name: &str) -> &'a [Cell] {
    let col = column(annex, "Xã, phường, đặc khu");
    annex
        .rows
        .iter()
        .find(|r| r[col] == Cell::Text(name.into()))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(n) => n.to_string(),
    }
}

fn figure(snap: &ProvinceSnapshot, key: &str) -> String {
    snap.printed
        .figures
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
        .text
        .clone()
}

/// The cell a commune version's frozen value of `key` shows.
fn cell_of(snapshot: &Snapshot, key: &str) -> Cell {
    let v = snapshot.value(key).expect("the version froze the value");
    match v.denominator {
        Some(den) => Cell::Text(format_percent(v.value, den)),
        None => Cell::Number(v.value as f64),
    }
}

async fn province_request(store: &Store, province_code: i32) -> ReportingRequest {
    store
        .create_request(
            &actor(),
            NewRequest::new(
                province_code,
                DocumentNumber::parse("930/SKHCN-CĐS").unwrap(),
                d(2025, 12, 5),
                Name::issuer("Sở Khoa học và Công nghệ").unwrap(),
                Name::subject(
                    "Về việc báo cáo kết quả hoạt động của các Tổ công nghệ số cộng đồng",
                )
                .unwrap(),
                Some(d(2025, 12, 20)),
                d(2025, 11, 30),
            ),
        )
        .await
        .unwrap()
}

/// A commune with `villages` villages, a team in each of the first `teams`
/// with `members` members each, a quick-response team of one, and one
/// support activity (5 citizens, 2 dossiers). Returns a team of it.
async fn build_commune(
    store: &Store,
    code: i32,
    villages: usize,
    teams: usize,
    members: usize,
) -> i64 {
    let mut first_team = None;
    for i in 0..villages {
        let village = VillageBuilder::new()
            .commune(code)
            .expect_build(store)
            .await;
        if i < teams {
            let team = TeamBuilder::new()
                .village(village.id)
                .expect_build(store)
                .await;
            for _ in 0..members {
                MembershipBuilder::new()
                    .team(team.id)
                    .expect_build(store)
                    .await;
            }
            first_team.get_or_insert(team.id);
        }
    }
    let quick = TeamBuilder::new()
        .commune(code)
        .quick_response()
        .expect_build(store)
        .await;
    MembershipBuilder::new()
        .team(quick.id)
        .expect_build(store)
        .await;
    let team = first_team.expect("a team");
    ActivityBuilder::new()
        .team(team)
        .citizens_helped(5)
        .dossiers(2)
        .expect_build(store)
        .await;
    team
}

/// The commune's answer: a version made with its defaults, submitted.
async fn answer(store: &Store, code: i32, request: &ReportingRequest) -> Report {
    let settings = toso_reporting::report_defaults(store, code, request)
        .await
        .unwrap();
    let report = toso_reporting::create_report(store, &actor(), code, request.id, settings)
        .await
        .unwrap();
    let status = store.report_status(code, request.id).await.unwrap();
    store
        .submit_report(&actor(), report.id, status.seq)
        .await
        .unwrap();
    report
}

async fn review(store: &Store, code: i32, request: &ReportingRequest, review: Review) {
    let seen = store.report_status(code, request.id).await.unwrap().seq;
    store
        .review_report(&actor(), code, request.id, review, seen)
        .await
        .unwrap();
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tong-hop.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext is missing ({e}): install the Debian package poppler-utils")
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

async fn the_accepted_versions_are_summed_commune_by_commune(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let province = toso_testkit::quang_ninh::PROVINCE_CODE;
    let communes = store.communes_of(province).await.unwrap();
    let (a, b, c) = (&communes[0], &communes[1], &communes[2]);
    let request = province_request(store, province).await;

    // A: 3 villages, 2 with a team of 2; B: 2 villages, both with a team
    // of 3; C: 1 village with a team of 1.
    let a_team = build_commune(store, a.code, 3, 2, 2).await;
    build_commune(store, b.code, 2, 2, 3).await;
    build_commune(store, c.code, 1, 1, 1).await;
    let a_report = answer(store, a.code, &request).await;
    let b_report = answer(store, b.code, &request).await;
    answer(store, c.code, &request).await;
    review(store, a.code, &request, Review::Accept).await;
    review(store, b.code, &request, Review::Accept).await;
    review(
        store,
        c.code,
        &request,
        Review::Return("Bổ sung số liệu tập huấn.".into()),
    )
    .await;

    let settings = province_report_defaults(store, &request).await.unwrap();
    assert_eq!(
        settings.parent_body.as_deref(),
        Some("UBND TỈNH QUẢNG NINH")
    );
    assert_eq!(settings.place, "Quảng Ninh");
    let report = create_province_report(store, &actor(), request.id, settings.clone())
        .await
        .unwrap();
    assert_eq!(report.version, 1);
    let snap = report.snapshot().unwrap();
    assert_eq!(snap.printed.annexes.len(), 1);
    let annex = &snap.printed.annexes[0];

    // One row per commune of the province, every row as wide as the header.
    assert_eq!(annex.rows.len(), communes.len());
    assert!(annex.rows.iter().all(|r| r.len() == annex.columns.len()));
    let state = column(annex, "Tình trạng báo cáo");
    let version = column(annex, "Phiên bản");

    // The accepted rows carry their versions' frozen values.
    let a_snap = a_report.snapshot().unwrap();
    let b_snap = b_report.snapshot().unwrap();
    for (commune, version_snap, report) in [(a, &a_snap, &a_report), (b, &b_snap, &b_report)] {
        let r = row(annex, &commune.name);
        assert_eq!(r[state], Cell::Text("Sở đã chấp nhận".into()));
        assert_eq!(r[version], Cell::Number(report.version as f64));
        for (header, key) in COLUMNS {
            assert_eq!(
                r[column(annex, header)],
                cell_of(version_snap, key),
                "{} {key}",
                commune.name
            );
        }
    }
    // ... which are the records built: A 3 villages, 2 teams, 4 members.
    let a_row = row(annex, &a.name);
    assert_eq!(
        a_row[column(annex, "Số thôn, tổ dân phố")],
        Cell::Number(3.0)
    );
    assert_eq!(a_row[column(annex, "Số Tổ CNSCĐ")], Cell::Number(2.0));
    assert_eq!(a_row[column(annex, "Số thành viên")], Cell::Number(4.0));
    assert_eq!(
        a_row[column(annex, "Tỷ lệ thôn có Tổ")],
        Cell::Text(format_percent(2, 3))
    );

    // The others are marked, their figures empty.
    let c_row = row(annex, &c.name);
    assert_eq!(c_row[state], Cell::Text("Sở trả lại".into()));
    let other = communes
        .iter()
        .find(|x| ![a.code, b.code, c.code].contains(&x.code))
        .unwrap();
    assert_eq!(
        row(annex, &other.name)[state],
        Cell::Text("Chưa báo cáo".into())
    );
    for r in [c_row, row(annex, &other.name)] {
        for (header, _) in COLUMNS {
            assert_eq!(
                r[column(annex, header)],
                Cell::Text(String::new()),
                "{header}"
            );
        }
    }

    // The totals row is the sum of the rows, and the body's figures.
    let totals = annex.totals.as_ref().expect("a totals row");
    let mut villages_with_team = 0;
    let mut villages = 0;
    for (header, key) in COLUMNS {
        let col = column(annex, header);
        if *key == "coverage" {
            for s in [&a_snap, &b_snap] {
                let v = s.value("coverage").unwrap();
                villages_with_team += v.value;
                villages += v.denominator.unwrap();
            }
            let expected = format_percent(villages_with_team, villages);
            assert_eq!(totals[col], Cell::Text(expected.clone()));
            assert_eq!(figure(&snap, "coverage"), expected);
            continue;
        }
        let sum: f64 = annex
            .rows
            .iter()
            .filter_map(|r| match r[col] {
                Cell::Number(n) => Some(n),
                _ => None,
            })
            .sum();
        assert_eq!(totals[col], Cell::Number(sum), "{key}");
        assert_eq!(figure(&snap, key), format_int(sum as i64), "{key}");
        let frozen: i64 = [&a_snap, &b_snap]
            .iter()
            .map(|s| s.value(key).unwrap().value)
            .sum();
        assert_eq!(sum as i64, frozen, "{key}");
    }
    assert_eq!(figure(&snap, "members"), "10");
    assert_eq!(figure(&snap, "communes"), format_int(communes.len() as i64));
    assert_eq!(figure(&snap, "communes_submitted"), "3");
    assert_eq!(figure(&snap, "communes_reported"), "2");
    assert_eq!(
        figure(&snap, "accepted_rate"),
        format!(
            "2/{} xã, đạt {}",
            format_int(communes.len() as i64),
            format_percent(2, communes.len() as i64)
        )
    );
    assert!(figure(&snap, "not_reported").contains(&c.name));
    assert!(!figure(&snap, "not_reported").contains(&a.name));
    assert_eq!(
        figure(&snap, "below_full"),
        format!("{} ({})", a.name, format_percent(2, 3))
    );
    let body = snap.printed.document.plain_text();
    assert!(body.contains("UBND TỈNH QUẢNG NINH"), "{body}");
    assert!(body.contains("SỞ KHOA HỌC VÀ CÔNG NGHỆ"), "{body}");
    assert!(
        body.contains("Thực hiện Công văn số 930/SKHCN-CĐS ngày 05/12/2025"),
        "{body}"
    );
    assert!(body.contains("trên địa bàn tỉnh Quảng Ninh"), "{body}");

    // The sources are the two accepted versions, in the annex's order.
    let sources: Vec<(i32, i64, i32)> = snap
        .sources
        .iter()
        .map(|s| (s.commune_code, s.report_id, s.version))
        .collect();
    let mut expected = vec![
        (a.code, a_report.id, a_report.version),
        (b.code, b_report.id, b_report.version),
    ];
    let order = |code: i32| communes.iter().position(|x| x.code == code).unwrap();
    expected.sort_by_key(|(code, _, _)| order(*code));
    assert_eq!(sources, expected);

    // A member joins one of A's teams after the acceptance: the live figure
    // moves, the accepted version and a new consolidation do not.
    let as_of = request.as_of;
    let before = indicator_count(store, IndicatorCode::Members, Node::Commune(a.code), as_of).await;
    MembershipBuilder::new()
        .team(a_team)
        .started_on(d(2025, 11, 1))
        .expect_build(store)
        .await;
    let after = indicator_count(store, IndicatorCode::Members, Node::Commune(a.code), as_of).await;
    assert_eq!(after, before + 1, "the records changed");
    let frozen_again = store.report(a_report.id).await.unwrap().snapshot().unwrap();
    assert_eq!(frozen_again.values, a_snap.values);
    let again = compose_province_report(store, &request, &settings)
        .await
        .unwrap();
    assert_eq!(again.printed.figures, snap.printed.figures);
    assert_eq!(again.printed.annexes, snap.printed.annexes);
    assert_eq!(again.sources, snap.sources);

    // The files: DOCX and XLSX are zips, the PDF prints the totals.
    let docx = render_file(&snap.printed, FileKind::Docx).unwrap();
    let xlsx = render_file(&snap.printed, FileKind::Xlsx).unwrap();
    let pdf = render_file(&snap.printed, FileKind::Pdf).unwrap();
    assert!(docx.len() > 1000 && docx.starts_with(b"PK\x03\x04"));
    assert!(xlsx.len() > 1000 && xlsx.starts_with(b"PK\x03\x04"));
    assert!(pdf.len() > 1000 && pdf.starts_with(b"%PDF-"));
    let printed = squash(&pdf_text(&pdf));
    for key in [
        "villages",
        "teams",
        "members",
        "coverage",
        "citizens_helped",
    ] {
        let phrase = match key {
            "villages" => format!("{} thôn, tổ dân phố", figure(&snap, key)),
            "teams" => format!(
                "{} tổ, với {} thành viên",
                figure(&snap, key),
                figure(&snap, "members")
            ),
            "coverage" => format!("Tổ công nghệ số cộng đồng: {}", figure(&snap, key)),
            _ => format!("{} lượt người dân được hỗ trợ", figure(&snap, key)),
        };
        assert!(
            printed.contains(&squash(&phrase)),
            "the PDF lacks «{phrase}»"
        );
    }
    assert!(printed.contains(&squash("SỞ KHOA HỌC VÀ CÔNG NGHỆ")));
    assert!(printed.contains(&squash(&c.name)), "the not-reported list");
}

async fn the_demo_commune_is_its_row_of_the_annex(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let code = toso_demo::COMMUNE_CODE;
    let request = store
        .request_by_number(code, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap();
    let report = answer(store, code, &request).await;
    review(store, code, &request, Review::Accept).await;

    let settings = province_report_defaults(store, &request).await.unwrap();
    assert_eq!(
        settings.parent_body.as_deref(),
        Some("UBND THÀNH PHỐ HẢI PHÒNG")
    );
    assert_eq!(settings.place, "Hải Phòng");
    assert_eq!(settings.number, "        /BC-SKHCN");
    let province = create_province_report(store, &actor(), request.id, settings)
        .await
        .unwrap();
    let snap = province.snapshot().unwrap();
    assert_eq!(snap.province_code, toso_demo::PROVINCE_CODE);
    let annex = &snap.printed.annexes[0];
    let cat_hai = row(annex, "Đặc khu Cát Hải");
    let cells: Vec<String> = [
        "Số thôn, tổ dân phố",
        "Số Tổ CNSCĐ",
        "Tỷ lệ thôn có Tổ",
        "Số thành viên",
    ]
    .iter()
    .map(|h| text(&cat_hai[column(annex, h)]))
    .collect();
    assert_eq!(
        cells,
        ["58", "58", "100%", &toso_demo::VILLAGE_MEMBERS.to_string()]
    );
    assert_eq!(
        cat_hai[column(annex, "Lượt đăng ký cuộc thi")],
        Cell::Number(toso_demo::REGISTRATIONS_BY_END_OF_NOVEMBER as f64)
    );
    assert_eq!(
        cat_hai[column(annex, "Thành viên Đội PƯN")],
        Cell::Number(toso_demo::QUICK_RESPONSE_MEMBERS as f64)
    );
    // The only accepted answer: the body's figures are Cát Hải's.
    assert_eq!(
        figure(&snap, "members"),
        format_int(toso_demo::VILLAGE_MEMBERS as i64)
    );
    assert_eq!(figure(&snap, "coverage"), "100%");
    assert_eq!(figure(&snap, "reported_list"), "Đặc khu Cát Hải");
    assert_eq!(figure(&snap, "below_full"), "không có");
    assert_eq!(snap.sources.len(), 1);
    assert_eq!(snap.sources[0].report_id, report.id);
    let body = snap.printed.document.plain_text();
    assert!(
        body.contains("Công văn số 4675/SKHCN-CNTT ngày 19/12/2025"),
        "{body}"
    );
    assert!(body.contains("trên địa bàn thành phố Hải Phòng"), "{body}");
}

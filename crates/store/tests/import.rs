//! Importing spreadsheets into the store: real files written in the test,
//! read by toso-sheets, planned and committed on SQLite and PostgreSQL.

use rust_xlsxwriter::{Format, Workbook};
use sqlx::Connection;
use toso_domain::{IndicatorCode, Node, Role};
use toso_sheets::{read_bytes, write_xlsx, ParsedSheet, ReadOptions, SheetKind};
use toso_store::{Actor, ImportOptions, ImportReport, RowAction, Store};
use toso_testkit::{both_backends, d, Backend, TestDb};

both_backends!(
    a_roster_sets_up_villages_teams_and_members_in_one_go,
    any_error_writes_nothing,
    changed_rows_update_and_are_audited,
    exported_lists_reimport_with_no_changes,
    the_store_rules_hold_inside_an_import,
    documents_then_teams_with_their_decision,
    a_large_roster_is_written_in_bulk_and_matched_again,
);

const CAT_HAI: i32 = 11914;

fn actor() -> Actor {
    Actor::system("test import")
}

fn parse(name: &str, bytes: &[u8], kind: SheetKind) -> ParsedSheet {
    read_bytes(
        name,
        bytes,
        kind,
        &ReadOptions::new(toso_store::today()),
        &mut |_, _| {},
    )
    .unwrap()
}

fn opts(commit: bool) -> ImportOptions {
    ImportOptions {
        commune_code: CAT_HAI,
        as_of: d(2025, 11, 30),
        established_on: Some(d(2025, 10, 31)),
        commit,
        source: "ds.xlsx".into(),
    }
}

async fn import(store: &Store, sheet: &ParsedSheet, commit: bool) -> ImportReport {
    store.import(&actor(), sheet, &opts(commit)).await.unwrap()
}

async fn figure(store: &Store, code: IndicatorCode) -> i64 {
    store
        .indicators(Node::Commune(CAT_HAI), d(2025, 11, 30))
        .await
        .unwrap()
        .count(code)
}

/// A roster in the common layout, under a title, with the phones stored as
/// numbers.
fn roster(rows: &[(&str, i64, &str, &str, &str, i64, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.merge_range(
        0,
        0,
        0,
        7,
        "DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
        &Format::new().set_bold(),
    )
    .unwrap();
    let header = [
        "STT",
        "Họ và tên",
        "Năm sinh",
        "Giới tính",
        "Chức vụ / đơn vị",
        "Chức danh trong tổ",
        "Điện thoại",
        "Thôn/TDP",
    ];
    for (c, h) in header.iter().enumerate() {
        s.write(2, c as u16, *h).unwrap();
    }
    for (i, (name, year, gender, aff, role, phone, village)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        s.write(r, 0, i as u32 + 1).unwrap();
        s.write(r, 1, *name).unwrap();
        s.write(r, 2, *year as f64).unwrap();
        s.write(r, 3, *gender).unwrap();
        s.write(r, 4, *aff).unwrap();
        s.write(r, 5, *role).unwrap();
        if *phone != 0 {
            s.write(r, 6, *phone as f64).unwrap();
        }
        s.write(r, 7, *village).unwrap();
    }
    book.save_to_buffer().unwrap()
}

const ROSTER: &[(&str, i64, &str, &str, &str, i64, &str)] = &[
    (
        "Nguyễn Văn An",
        1975,
        "Nam",
        "Trưởng thôn",
        "Tổ trưởng",
        912345678,
        "Thôn Hải Sơn",
    ),
    (
        "Trần Thị Bình",
        1990,
        "Nữ",
        "Hội Phụ nữ",
        "Tổ phó",
        987654321,
        "Thôn Hải Sơn",
    ),
    (
        "Lê Văn Cường",
        1988,
        "Nam",
        "Công an",
        "Thành viên",
        0,
        "Thôn Hải Sơn",
    ),
    (
        "Phạm Thị Dung",
        2000,
        "Nữ",
        "Đoàn Thanh niên",
        "Tổ trưởng",
        356789012,
        "TDP 2",
    ),
    (
        "Hoàng Văn Em",
        1970,
        "Nam",
        "Hội Cựu chiến binh",
        "Thành viên",
        0,
        "Tổ dân phố 2",
    ),
];

async fn a_roster_sets_up_villages_teams_and_members_in_one_go(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let sheet = parse("ds.xlsx", &roster(ROSTER), SheetKind::Members);
    assert!(sheet.errors.is_empty(), "{:?}", sheet.errors);

    // The dry run previews and writes nothing.
    let preview = import(store, &sheet, false).await;
    assert!(!preview.committed);
    assert!(preview.is_ok(), "{:?}", preview.errors);
    assert_eq!(preview.count(RowAction::Create), 5);
    assert_eq!(
        preview.created.villages, 2,
        "«TDP 2» and «Tổ dân phố 2» are one village"
    );
    assert_eq!(preview.created.teams, 2);
    assert_eq!(preview.created.people, 5);
    assert!(preview.rows[0]
        .changes
        .iter()
        .any(|c| c == "thêm thôn, tổ dân phố «Thôn Hải Sơn»"));
    assert!(store.villages(CAT_HAI, None).await.unwrap().is_empty());

    let done = import(store, &sheet, true).await;
    assert!(done.committed);
    assert_eq!(figure(store, IndicatorCode::Villages).await, 2);
    assert_eq!(figure(store, IndicatorCode::Teams).await, 2);
    assert_eq!(figure(store, IndicatorCode::Members).await, 5);
    let villages = store.villages(CAT_HAI, None).await.unwrap();
    assert_eq!(
        villages.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["TDP 2", "Thôn Hải Sơn"]
    );
    assert_eq!(villages[1].kind, toso_domain::VillageKind::Thon);
    assert_eq!(villages[0].kind, toso_domain::VillageKind::ToDanPho);
    let teams = store.teams(CAT_HAI).await.unwrap();
    assert!(teams
        .iter()
        .any(|t| t.name == "Tổ công nghệ số cộng đồng Thôn Hải Sơn"
            && t.established_on == d(2025, 10, 31)));
    let team = teams
        .iter()
        .find(|t| t.name.ends_with("Thôn Hải Sơn"))
        .unwrap();
    let members = store.team_members(team.id, None).await.unwrap();
    assert_eq!(members.len(), 3);
    assert_eq!(members[0].full_name, "Nguyễn Văn An");
    assert_eq!(
        members[0].phone.as_deref(),
        Some("0912345678"),
        "leading zero restored"
    );
    assert_eq!(members[0].membership.role, Role::ToTruong);
    assert_eq!(members[0].membership.started_on, d(2025, 10, 31));

    // The records created are audited by one entry per kind, naming the
    // file, the number and the ids (as ranges); `audit_of` a record created
    // by the import finds it.
    let entries: Vec<_> = store
        .recent_changes(CAT_HAI, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(
        entries
            .iter()
            .map(|a| (a.entity.as_str(), a.entity_id, a.action.as_str()))
            .collect::<Vec<_>>(),
        [
            ("import", 0, "create"),
            ("import", 0, "create"),
            ("import", 0, "create"),
            ("import", 0, "create"),
        ],
        "one entry per kind, none per record"
    );
    let kinds: Vec<_> = entries
        .iter()
        .map(|a| {
            let after = &a.after.as_ref().unwrap().0;
            assert_eq!(after["file"], "ds.xlsx");
            assert_eq!(a.before, None);
            assert_eq!(a.actor, "test import");
            (
                after["entity"].as_str().unwrap().to_string(),
                after["created"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("village".to_string(), 2),
            ("team".to_string(), 2),
            ("person".to_string(), 5),
            ("membership".to_string(), 5),
        ]
    );
    let person_entry = &entries[2].after.as_ref().unwrap().0;
    let mut person_ids: Vec<i64> = Vec::new();
    for m in &members {
        person_ids.push(m.membership.person_id);
        let audit = store
            .audit_of("person", m.membership.person_id)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].id, entries[2].id);
        let audit = store.audit_of("membership", m.membership.id).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].id, entries[3].id);
    }
    person_ids.sort_unstable();
    let ranges = person_entry["ids"].as_array().unwrap();
    assert!(ranges.iter().all(|r| r[0].as_i64() <= r[1].as_i64()));
    let covered: i64 = ranges
        .iter()
        .map(|r| r[1].as_i64().unwrap() - r[0].as_i64().unwrap() + 1)
        .sum();
    assert_eq!(covered, 5);
    assert!(person_ids.iter().all(|id| ranges
        .iter()
        .any(|r| r[0].as_i64().unwrap() <= *id && *id <= r[1].as_i64().unwrap())));
    assert_eq!(store.audit_of("team", team.id).await.unwrap().len(), 1);
    assert_eq!(store.audit_of("import", 0).await.unwrap().len(), 4);

    // The same file again changes nothing.
    let again = import(store, &sheet, true).await;
    assert!(again.changes_nothing(), "{:?}", again.rows);
    assert_eq!(again.count(RowAction::Skip), 5);
    assert_eq!(figure(store, IndicatorCode::Members).await, 5);
    assert_eq!(
        store
            .audit_of("person", members[0].membership.person_id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn any_error_writes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let mut rows = ROSTER.to_vec();
    rows.push((
        "Vũ Thị Giang",
        1985,
        "Nữ",
        "Khác",
        "Thành viên",
        12345,
        "Thôn Mới",
    ));
    // The same phone twice in one team.
    rows.push((
        "Nguyễn Văn Anh",
        1976,
        "Nam",
        "Khác",
        "Thành viên",
        912345678,
        "Thôn Hải Sơn",
    ));
    let sheet = parse("ds.xlsx", &roster(&rows), SheetKind::Members);
    let report = import(store, &sheet, true).await;
    assert!(!report.committed);
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("Dòng 9, cột «Số điện thoại»: Số điện thoại «12345» không hợp lệ"),
        "{errors:#?}"
    );
    assert_eq!(
        errors[1],
        "Dòng 10, cột «Số điện thoại»: Nguyễn Văn Anh trùng với dòng 4 (cùng tổ, cùng số điện thoại)."
    );
    assert!(
        store.villages(CAT_HAI, None).await.unwrap().is_empty(),
        "nothing written"
    );
    assert!(store.teams(CAT_HAI).await.unwrap().is_empty());
}

async fn changed_rows_update_and_are_audited(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    import(
        store,
        &parse("a.xlsx", &roster(ROSTER), SheetKind::Members),
        true,
    )
    .await;
    let mut rows = ROSTER.to_vec();
    // A new phone for Cường (matched by name and birth year), a new role for Bình.
    rows[2].5 = 398765432;
    rows[1].4 = "Thành viên";
    rows.push(("Đỗ Văn Phúc", 1995, "Nam", "Khác", "", 0, "TDP 2"));
    let sheet = parse("b.xlsx", &roster(&rows), SheetKind::Members);
    let preview = import(store, &sheet, false).await;
    assert_eq!(preview.count(RowAction::Update), 2, "{:?}", preview.rows);
    assert_eq!(preview.count(RowAction::Create), 1);
    assert_eq!(preview.count(RowAction::Skip), 3);
    let update = preview.rows.iter().find(|r| r.line == 6).unwrap();
    assert_eq!(
        update.changes,
        vec!["Số điện thoại: (trống) → 0398765432".to_string()]
    );
    let update = preview.rows.iter().find(|r| r.line == 5).unwrap();
    assert_eq!(
        update.changes,
        vec!["Chức danh trong Tổ: Tổ phó → Thành viên".to_string()]
    );

    let done = import(store, &sheet, true).await;
    assert!(done.committed);
    assert_eq!(done.updated.people, 1);
    assert_eq!(done.updated.memberships, 1);
    let team = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name.ends_with("Hải Sơn"))
        .unwrap();
    let members = store.team_members(team.id, None).await.unwrap();
    let cuong = members
        .iter()
        .find(|m| m.full_name == "Lê Văn Cường")
        .unwrap();
    assert_eq!(cuong.phone.as_deref(), Some("0398765432"));
    let audit = store
        .audit_of("person", cuong.membership.person_id)
        .await
        .unwrap();
    assert_eq!(
        audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );
    assert_eq!(
        audit[1].before.as_ref().unwrap().0["phone"],
        serde_json::Value::Null
    );
    assert_eq!(figure(store, IndicatorCode::Members).await, 6);
    // The new member without a role is a «Thành viên».
    let tdp = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name.ends_with("TDP 2"))
        .unwrap();
    let phuc = store
        .team_members(tdp.id, None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.full_name == "Đỗ Văn Phúc")
        .unwrap();
    assert_eq!(phuc.membership.role, Role::ThanhVien);
}

async fn exported_lists_reimport_with_no_changes(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let as_of = d(2025, 11, 30);
    for kind in [
        SheetKind::Villages,
        SheetKind::Teams,
        SheetKind::Members,
        SheetKind::Documents,
    ] {
        let table = store.export_table(kind, CAT_HAI, as_of).await.unwrap();
        let xlsx = write_xlsx(std::slice::from_ref(&table)).unwrap();
        let sheet = parse("xuat.xlsx", &xlsx, kind);
        assert!(sheet.errors.is_empty(), "{kind:?}: {:?}", sheet.errors);
        let report = import(store, &sheet, true).await;
        assert!(report.is_ok(), "{kind:?}: {:?}", report.errors);
        assert!(
            report.changes_nothing(),
            "{kind:?}: {:?}",
            report
                .rows
                .iter()
                .filter(|r| r.action != RowAction::Skip)
                .collect::<Vec<_>>()
        );
        match kind {
            SheetKind::Members => {
                assert_eq!(report.count(RowAction::Skip), 386, "village teams' members")
            }
            SheetKind::Villages => assert_eq!(report.count(RowAction::Skip), 58),
            _ => {}
        }
        // And as CSV.
        let mut csv = Vec::new();
        toso_sheets::write_csv(&table, &mut csv).unwrap();
        let sheet = parse("xuat.csv", &csv, kind);
        let report = import(store, &sheet, false).await;
        assert!(
            report.is_ok() && report.changes_nothing(),
            "{kind:?} csv: {:?}",
            report.errors
        );
    }
    assert_eq!(figure(store, IndicatorCode::Members).await, 386);
    // The indicator table exports too.
    let t = store
        .indicators_table(Node::Commune(CAT_HAI), as_of)
        .await
        .unwrap();
    assert!(t
        .rows
        .iter()
        .any(|r| r[1] == toso_sheets::Value::text("Số thôn, tổ dân phố")
            && r[2] == toso_sheets::Value::Int(58)));
}

async fn the_store_rules_hold_inside_an_import(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    // A dissolved team blocks a new one until its dissolution date.
    let village = store
        .villages(CAT_HAI, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 1")
        .unwrap();
    let team = store.teams_of_village(village.id).await.unwrap().remove(0);
    store
        .dissolve_team(&actor(), team.id, d(2025, 11, 20))
        .await
        .unwrap();
    let rows = [(
        "Ngô Văn Hậu",
        1980,
        "Nam",
        "Khác",
        "Thành viên",
        0,
        "Tổ dân phố 1",
    )];
    let sheet = parse("a.xlsx", &roster(&rows), SheetKind::Members);
    let report = import(store, &sheet, true).await; // established 31/10/2025
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("Dòng 4, cột «Thôn/TDP»: Thôn, tổ dân phố này đã có tổ đang hoạt động"),
        "{errors:?}"
    );
    // From the dissolution on, a new team is created for the village.
    let mut o = opts(true);
    o.established_on = Some(d(2025, 11, 20));
    let report = store.import(&actor(), &sheet, &o).await.unwrap();
    assert!(report.committed, "{:?}", report.errors);
    assert_eq!(report.created.teams, 1);
    assert_eq!(report.created.villages, 0);
    // A date in the future is refused.
    let mut o = opts(true);
    o.established_on = Some(toso_store::today().succ_opt().unwrap());
    assert!(store.import(&actor(), &sheet, &o).await.is_err());
}

async fn documents_then_teams_with_their_decision(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let docs = "Loại văn bản,Số ký hiệu,Ngày ban hành,Cơ quan ban hành,Trích yếu\n\
                Quyết định,1907/QĐ-UBND,31/10/2025,UBND đặc khu Cát Hải,Thành lập các Tổ công nghệ số cộng đồng\n\
                Công văn,1643/UBND-VHXH,14/10/2025,UBND đặc khu Cát Hải,Cuộc thi Công dân số\n";
    let report = import(
        store,
        &parse("vb.csv", docs.as_bytes(), SheetKind::Documents),
        true,
    )
    .await;
    assert_eq!(report.created.documents, 2, "{:?}", report.errors);
    let teams = "Tên tổ,Thôn/TDP,Ngày thành lập,Quyết định thành lập,Nhóm Zalo\n\
                 ,Thôn Hải Sơn,31/10/2025,1907/QĐ-UBND,https://zalo.me/g/abcdef123\n\
                 Tổ CNSCĐ thôn Bắc,Thôn Bắc,30/10/2025,1907/QĐ-UBND,\n";
    let report = import(
        store,
        &parse("to.csv", teams.as_bytes(), SheetKind::Teams),
        true,
    )
    .await;
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["Dòng 3, cột «Ngày thành lập»: Ngày thành lập 30/10/2025 không được trước ngày ban hành quyết định (31/10/2025)."]
    );
    let teams = teams.replace("30/10/2025", "31/10/2025");
    let report = import(
        store,
        &parse("to.csv", teams.as_bytes(), SheetKind::Teams),
        true,
    )
    .await;
    assert!(report.committed, "{:?}", report.errors);
    let all = store.teams(CAT_HAI).await.unwrap();
    assert_eq!(all.len(), 2);
    let doc = store
        .documents(CAT_HAI, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.doc_number == "1907/QĐ-UBND")
        .unwrap();
    assert!(all.iter().all(|t| t.decision_id == Some(doc.id)));
    assert!(all
        .iter()
        .any(|t| t.name == "Tổ công nghệ số cộng đồng Thôn Hải Sơn"
            && t.zalo_link.as_deref() == Some("https://zalo.me/g/abcdef123")));
    // A document row that changed is an update.
    let changed = docs.replace("Cuộc thi Công dân số", "Cuộc thi Công dân số Hải Phòng");
    let report = import(
        store,
        &parse("vb.csv", changed.as_bytes(), SheetKind::Documents),
        true,
    )
    .await;
    assert_eq!(report.updated.documents, 1);
    assert_eq!(report.count(RowAction::Skip), 1);
}

/// More rows than one bulk statement holds, people with and without phones,
/// namesakes in different teams: written in bulk, then matched again by the
/// compact keys (a re-import changes nothing; an edited row updates only
/// its person).
async fn a_large_roster_is_written_in_bulk_and_matched_again(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let n = 12_500usize;
    const FAMILY: [&str; 10] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
    ];
    const MIDDLE: [&str; 8] = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Đức", "Ngọc", "Quang"];
    const GIVEN: [&str; 23] = [
        "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh",
        "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến",
    ];
    // Seven villages; within one, the j-th person has the j-th of 1,840
    // distinct names; the same names recur in every village (namesakes).
    let roster = |edited_phone: Option<&str>| {
        let mut csv = String::from("STT,Họ và tên,Năm sinh,Giới tính,Số điện thoại,Thôn/TDP\n");
        for i in 0..n {
            let j = i / 7;
            let name = format!(
                "{} {} {}",
                FAMILY[j % 10],
                MIDDLE[j / 10 % 8],
                GIVEN[j / 80 % 23]
            );
            // Every third person has no phone: matched by name and birth year.
            let phone = match (i, edited_phone) {
                (1, Some(p)) => p.to_string(),
                _ if i % 3 == 0 => String::new(),
                _ => format!("09{:08}", i),
            };
            csv.push_str(&format!(
                "{},{name},{},Nam,{phone},Thôn {}\n",
                i + 1,
                1960 + (i % 40),
                i % 7 + 1
            ));
        }
        csv
    };
    let csv = roster(None);
    let sheet = parse("ds.csv", csv.as_bytes(), SheetKind::Members);
    assert!(
        sheet.errors.is_empty(),
        "{:?}",
        &sheet.errors[..3.min(sheet.errors.len())]
    );
    let done = import(store, &sheet, true).await;
    assert!(
        done.is_ok(),
        "{:?}",
        &done.errors[..3.min(done.errors.len())]
    );
    assert_eq!(done.created.people, n as u64);
    assert_eq!(done.created.memberships, n as u64);
    assert_eq!(figure(store, IndicatorCode::Members).await, n as i64);
    // One audit entry per kind created (villages, teams, people,
    // memberships), the ids as one range each (assigned consecutively).
    let recent = store.recent_changes(CAT_HAI, 100_000).await.unwrap();
    assert_eq!(recent.len(), 4, "one audit entry per kind");
    for entry in &recent {
        let after = &entry.after.as_ref().unwrap().0;
        let ids = after["ids"].as_array().unwrap();
        assert_eq!(ids.len(), 1, "{after}");
        let created = after["created"].as_i64().unwrap();
        assert_eq!(
            ids[0][1].as_i64().unwrap() - ids[0][0].as_i64().unwrap() + 1,
            created
        );
        if matches!(after["entity"].as_str(), Some("person" | "membership")) {
            assert_eq!(created, n as i64);
        }
    }

    // Written in team order: memberships by team, the people numbered in
    // the order of their memberships (so every key is appended).
    const FIRST_OF_THON_1: &str = "SELECT p.birth_year FROM memberships m \
        JOIN people p ON p.id = m.person_id JOIN teams t ON t.id = m.team_id \
        JOIN villages v ON v.id = t.village_id WHERE v.name = 'Thôn 1' ORDER BY m.id LIMIT 5";
    let (order, years): (Vec<(i64, i64)>, Vec<(i64,)>) = match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let order = sqlx::query_as("SELECT team_id, person_id FROM memberships ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
            // The people's indexes, dropped for the load (12,500 new people
            // into an empty table), are back; the file is sound.
            let indexes: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people' ORDER BY name",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            assert_eq!(
                indexes,
                [
                    ("people_commune_name".into(),),
                    ("people_commune_phone".into(),)
                ]
            );
            let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(check, "ok");
            let broken: Vec<(String, i64)> =
                sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            assert!(broken.is_empty(), "{broken:?}");
            let years = sqlx::query_as(FIRST_OF_THON_1)
                .fetch_all(&mut c)
                .await
                .unwrap();
            (order, years)
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let order = sqlx::query_as("SELECT team_id, person_id FROM memberships ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
            let years: Vec<(i32,)> = sqlx::query_as(FIRST_OF_THON_1)
                .fetch_all(&mut c)
                .await
                .unwrap();
            (
                order,
                years.into_iter().map(|(y,)| (i64::from(y),)).collect(),
            )
        }
    };
    assert_eq!(order.len(), n);
    assert!(
        order.windows(2).all(|w| w[0].0 <= w[1].0),
        "memberships by team"
    );
    assert!(
        order.windows(2).all(|w| w[0].1 < w[1].1),
        "people in that order"
    );
    // Within a team, the sheet's order: «Thôn 1» holds the rows i = 0, 7,
    // 14… (born 1960 + i % 40).
    let years: Vec<i64> = years.into_iter().map(|(y,)| y).collect();
    assert_eq!(years, [1960, 1967, 1974, 1981, 1988]);

    let again = import(store, &sheet, false).await;
    assert!(again.changes_nothing(), "{:?}", &again.rows[..3]);
    assert_eq!(again.count(RowAction::Skip), n);

    // A new phone: not found by it, found by name and birth year in the
    // team, so the person's phone is updated.
    let edited = roster(Some("0911111111"));
    assert_ne!(edited, csv);
    let sheet = parse("ds.csv", edited.as_bytes(), SheetKind::Members);
    let preview = import(store, &sheet, false).await;
    assert!(preview.is_ok(), "{:?}", preview.errors);
    assert_eq!(preview.updated.people, 1);
    assert_eq!(preview.created, toso_store::Counts::default());
    let row = preview
        .rows
        .iter()
        .find(|r| r.action == RowAction::Update)
        .unwrap();
    assert_eq!(row.line, 3);
    assert_eq!(row.changes, ["Số điện thoại: 0900000001 → 0911111111"]);
}

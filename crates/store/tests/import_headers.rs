//! Lists headed the local way import in one go, on SQLite and PostgreSQL: a
//! village list headed "Tên ấp" or "Thôn/Ấp/Bản", a roster headed "Tên thôn,
//! xóm", with the kind of every unit guessed from its name (the kinds added
//! for plei, sóc, khu dân cư, tổ dân cư and khu stored and read back), and
//! the exported list re-importing with no change.

use toso_domain::VillageKind;
use toso_sheets::{read_bytes, write_xlsx, ParsedSheet, ReadOptions, SheetKind};
use toso_store::{Actor, ImportOptions, ImportReport, RowAction, Store};
use toso_testkit::{both_backends, d, Backend, TestDb};

both_backends!(
    a_village_list_headed_ten_ap_imports_in_one_go,
    a_village_list_headed_thon_ap_ban_imports_in_one_go,
    a_roster_headed_the_local_way_sets_up_its_villages,
);

const COMMUNE: i32 = 11914;

fn parse(name: &str, bytes: &[u8], kind: SheetKind) -> ParsedSheet {
    let sheet = read_bytes(
        name,
        bytes,
        kind,
        &ReadOptions::new(toso_store::today()),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(sheet.errors.is_empty(), "{:?}", sheet.errors);
    sheet
}

async fn import(store: &Store, sheet: &ParsedSheet, commit: bool) -> ImportReport {
    let report = store
        .import(
            &Actor::system("test import"),
            sheet,
            &ImportOptions {
                commune_code: COMMUNE,
                as_of: d(2025, 11, 30),
                established_on: Some(d(2025, 10, 31)),
                commit,
                source: "ds.csv".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.is_ok(), "{:?}", report.errors);
    report
}

async fn kinds(store: &Store) -> Vec<(String, VillageKind)> {
    store
        .villages(COMMUNE, None)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.name, v.kind))
        .collect()
}

/// The exported village list reads back and changes nothing (the new kinds'
/// labels parse).
async fn reimports_unchanged(store: &Store, villages: usize) {
    let table = store
        .export_table(SheetKind::Villages, COMMUNE, d(2025, 11, 30))
        .await
        .unwrap();
    let xlsx = write_xlsx(std::slice::from_ref(&table)).unwrap();
    let sheet = parse("xuat.xlsx", &xlsx, SheetKind::Villages);
    let report = import(store, &sheet, false).await;
    assert!(report.changes_nothing(), "{:?}", report.rows);
    assert_eq!(report.count(RowAction::Skip), villages);
}

async fn a_village_list_headed_ten_ap_imports_in_one_go(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let csv = "DANH SÁCH ẤP, KHÓM\n\
               STT,Tên ấp,Ngày thành lập,Ghi chú\n\
               1,Ấp Tân Lập,01/01/2010,\n\
               2,Ấp Phú Hòa,01/01/2010,\n\
               3,Khóm 2,01/01/2012,thị trấn cũ\n\
               4,Sóc Ruộng,01/01/2010,\n";
    let sheet = parse("ap.csv", csv.as_bytes(), SheetKind::Villages);
    assert_eq!(
        sheet.header.mapping[1].describe(),
        "Cột B «Tên ấp» → Tên thôn, tổ dân phố"
    );
    let preview = import(store, &sheet, false).await;
    assert_eq!(preview.count(RowAction::Create), 4);
    assert!(kinds(store).await.is_empty(), "a dry run writes nothing");
    let done = import(store, &sheet, true).await;
    assert!(done.committed);
    assert_eq!(
        kinds(store).await,
        [
            ("Ấp Phú Hòa".to_string(), VillageKind::Ap),
            ("Ấp Tân Lập".to_string(), VillageKind::Ap),
            ("Khóm 2".to_string(), VillageKind::Khom),
            ("Sóc Ruộng".to_string(), VillageKind::Soc),
        ]
    );
    reimports_unchanged(store, 4).await;
}

async fn a_village_list_headed_thon_ap_ban_imports_in_one_go(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let csv = "STT;Thôn/Ấp/Bản;Hoạt động từ ngày\n\
               1;Bản Nà Hẩu;01/01/2015\n\
               2;Thôn Tân Sơn;01/01/2015\n\
               3;Plei Ơi;01/01/2015\n\
               4;Khu dân cư số 2;01/01/2015\n\
               5;Tổ dân cư 7;01/01/2015\n\
               6;Khu 3;01/01/2015\n\
               7;TDP 4;01/01/2015\n";
    let sheet = parse("thon.csv", csv.as_bytes(), SheetKind::Villages);
    let done = import(store, &sheet, true).await;
    assert!(done.committed);
    assert_eq!(done.count(RowAction::Create), 7);
    let mut got = kinds(store).await;
    got.sort();
    let mut want = vec![
        ("Bản Nà Hẩu".to_string(), VillageKind::Ban),
        ("Thôn Tân Sơn".to_string(), VillageKind::Thon),
        ("Plei Ơi".to_string(), VillageKind::Plei),
        ("Khu dân cư số 2".to_string(), VillageKind::KhuDanCu),
        ("Tổ dân cư 7".to_string(), VillageKind::ToDanCu),
        ("Khu 3".to_string(), VillageKind::Khu),
        ("TDP 4".to_string(), VillageKind::ToDanPho),
    ];
    want.sort();
    assert_eq!(got, want);
    reimports_unchanged(store, 7).await;
}

async fn a_roster_headed_the_local_way_sets_up_its_villages(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let csv = "TT,Họ tên,Năm sinh,Nam/Nữ,\"Chức vụ, đơn vị công tác\",Vai trò,SĐT liên hệ,\"Tên thôn, xóm\"\n\
               1,Hoàng Văn Sơn,1979,Nam,Bí thư chi bộ,Tổ trưởng,0917000001,Xóm Đình\n\
               2,Hoàng Thị Mai,1990,Nữ,Hội Phụ nữ,Thành viên,0917000002,Xóm Đình\n\
               3,Y Bih Niê,1987,Nam,Trưởng buôn,Tổ trưởng,0916000001,Buôn Đôn\n";
    let sheet = parse("ds.csv", csv.as_bytes(), SheetKind::Members);
    let done = import(store, &sheet, true).await;
    assert!(done.committed);
    assert_eq!(done.created.villages, 2);
    assert_eq!(done.created.teams, 2);
    assert_eq!(done.created.people, 3);
    assert_eq!(
        kinds(store).await,
        [
            ("Buôn Đôn".to_string(), VillageKind::Buon),
            ("Xóm Đình".to_string(), VillageKind::Xom),
        ]
    );
    // The same file again changes nothing.
    let again = import(store, &sheet, false).await;
    assert!(again.changes_nothing());
}

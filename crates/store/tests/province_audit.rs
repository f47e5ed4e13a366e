//! The province's audit log: every entry carries its province — derived
//! from the commune when it has one, named by the writer for the
//! province's own changes (its reporting requests, its officers' accounts
//! and tokens), which name no commune — and `audit_search_province` reads
//! a province's entries, or only its own. The bulk writers (a log of
//! activities, an import) fill it too, and migration 0009's backfill
//! restores it on entries written before. On SQLite and PostgreSQL.

use sqlx::Connection;
use toso_domain::{DocumentNumber, Name, SupportCategory, UserRole, VillageKind};
use toso_sheets::{read_bytes, ReadOptions, SheetKind};
use toso_store::{AuditEntry, AuditFilter, ImportOptions, NewActivity, NewRequest, Store};
use toso_testkit::{
    actor, both_backends, d, Backend, TeamBuilder, TestDb, UserBuilder, VillageBuilder,
};

both_backends!(
    the_province_s_own_entries_name_the_province_and_no_commune,
    a_commune_s_writes_name_both,
    the_bulk_writers_name_the_province,
    the_migration_backfills_the_province,
);

const HAI_PHONG: i32 = 31;
const CAT_HAI: i32 = 11914;
/// Hà Nội, another province.
const HA_NOI: i32 = 1;

async fn search(store: &Store, province: i32, own_only: bool) -> Vec<AuditEntry> {
    store
        .audit_search_province(province, own_only, &AuditFilter::default(), 1000)
        .await
        .unwrap()
}

fn find<'a>(entries: &'a [AuditEntry], entity: &str, id: i64) -> Option<&'a AuditEntry> {
    entries
        .iter()
        .find(|e| e.entity == entity && e.entity_id == id)
}

async fn province_request(store: &Store, number: &str) -> i64 {
    store
        .create_request(
            &actor(),
            NewRequest::new(
                HAI_PHONG,
                DocumentNumber::parse(number).unwrap(),
                d(2025, 12, 1),
                Name::issuer("Sở Khoa học và Công nghệ").unwrap(),
                Name::subject("Về báo cáo kết quả Tổ công nghệ số").unwrap(),
                None,
                d(2025, 11, 30),
            ),
        )
        .await
        .unwrap()
        .id
}

async fn the_province_s_own_entries_name_the_province_and_no_commune(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let request = province_request(store, "101/SKHCN-CNTT").await;
    let officer = UserBuilder::new()
        .role(UserRole::ProvinceOfficer)
        .province(HAI_PHONG)
        .expect_build(store)
        .await;
    let (token, _) = store
        .create_api_token(
            &actor(),
            officer.id,
            Name::parse("Máy tính Sở").unwrap(),
            toso_store::TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    store
        .set_user_disabled(&actor(), officer.id, true)
        .await
        .unwrap();
    let admin = UserBuilder::new()
        .role(UserRole::Admin)
        .expect_build(store)
        .await;

    let own = search(store, HAI_PHONG, true).await;
    for (entity, id, action) in [
        ("reporting_request", request, "create"),
        ("user", officer.id, "create"),
        ("user", officer.id, "disable"),
        ("api_token", token.id, "create"),
    ] {
        let e = own
            .iter()
            .find(|e| e.entity == entity && e.entity_id == id && e.action == action)
            .unwrap_or_else(|| panic!("{entity} {id} {action} in the province's own log"));
        assert_eq!(
            (e.province_code, e.commune_code),
            (Some(HAI_PHONG), None),
            "{entity} {action}"
        );
    }
    // Newest first, and the same entries among all of the province's.
    assert!(own.windows(2).all(|w| w[0].id > w[1].id));
    let all = search(store, HAI_PHONG, false).await;
    assert!(find(&all, "reporting_request", request).is_some());
    // Not another province's, and an admin's account is no province's.
    assert!(search(store, HA_NOI, false).await.is_empty());
    let admin_entry = &store.audit_of("user", admin.id).await.unwrap()[0];
    assert_eq!(admin_entry.province_code, None);
    assert!(find(&all, "user", admin.id).is_none());
    // The filters of the commune's log apply.
    let filter = AuditFilter {
        entity: Some("user".into()),
        ..AuditFilter::default()
    };
    let users = store
        .audit_search_province(HAI_PHONG, true, &filter, 1000)
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|e| e.entity == "user"));
    // A NUL in a text filter matches nothing (PostgreSQL cannot compare
    // text with it), in the province's log and in a commune's.
    let nul = AuditFilter {
        actor: Some("te\0st".into()),
        ..AuditFilter::default()
    };
    let none = store
        .audit_search_province(HAI_PHONG, false, &nul, 1000)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(store
        .audit_search(CAT_HAI, &nul, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn a_commune_s_writes_name_both(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let village = VillageBuilder::new()
        .commune(CAT_HAI)
        .kind(VillageKind::Thon)
        .expect_build(store)
        .await;
    let officer = UserBuilder::new()
        .role(UserRole::CommuneOfficer)
        .commune(CAT_HAI)
        .expect_build(store)
        .await;
    // A request a commune registered for itself belongs to the commune.
    let own_request = store
        .create_request(
            &actor(),
            NewRequest {
                commune_code: Some(CAT_HAI),
                ..NewRequest::new(
                    HAI_PHONG,
                    DocumentNumber::parse("12/UBND").unwrap(),
                    d(2025, 12, 2),
                    Name::issuer("Ủy ban nhân dân đặc khu Cát Hải").unwrap(),
                    Name::subject("Về báo cáo nhanh").unwrap(),
                    None,
                    d(2025, 11, 30),
                )
            },
        )
        .await
        .unwrap()
        .id;

    let all = search(store, HAI_PHONG, false).await;
    for (entity, id) in [
        ("village", village.id),
        ("user", officer.id),
        ("reporting_request", own_request),
    ] {
        let e = find(&all, entity, id).unwrap_or_else(|| panic!("{entity} in the province's log"));
        assert_eq!(
            (e.province_code, e.commune_code),
            (Some(HAI_PHONG), Some(CAT_HAI)),
            "{entity}"
        );
    }
    // Not among the province's own, nor in the commune's log of another
    // province.
    let own = search(store, HAI_PHONG, true).await;
    assert!(find(&own, "village", village.id).is_none());
    assert!(find(&own, "user", officer.id).is_none());
    assert!(find(&search(store, HA_NOI, false).await, "village", village.id).is_none());
    // The commune's own log is unchanged by the new column.
    let commune_log = store
        .audit_search(CAT_HAI, &AuditFilter::default(), 100)
        .await
        .unwrap();
    assert!(commune_log
        .iter()
        .any(|e| e.entity == "village" && e.entity_id == village.id));
}

async fn the_bulk_writers_name_the_province(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let team = TeamBuilder::new()
        .established_on(d(2025, 8, 1))
        .expect_build(store)
        .await;
    let logged = store
        .create_activities(
            &actor(),
            (1..=3)
                .map(|day| NewActivity {
                    team_id: team.id,
                    activity_date: d(2025, 11, day),
                    category: SupportCategory::Vneid,
                    citizens_helped: 2,
                    dossiers: 0,
                    note: None,
                    co_members: Vec::new(),
                })
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(logged, 3);
    let roster = "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong Tổ,Số điện thoại,Thôn/TDP\n\
                  1,Nguyễn Văn Nhập,1980,Nam,Trưởng thôn,Tổ trưởng,0912345678,Thôn Nhập Thử\n";
    let sheet = read_bytes(
        "ds.csv",
        roster.as_bytes(),
        SheetKind::Members,
        &ReadOptions::new(toso_store::today()),
        &mut |_, _| {},
    )
    .unwrap();
    let report = store
        .import(
            &actor(),
            &sheet,
            &ImportOptions {
                commune_code: CAT_HAI,
                as_of: d(2025, 11, 1),
                established_on: None,
                commit: true,
                source: "ds.csv".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.committed, "{:?}", report.errors);

    let all = search(store, HAI_PHONG, false).await;
    let activities: Vec<_> = all.iter().filter(|e| e.entity == "activity").collect();
    assert_eq!(activities.len(), 3);
    let imports: Vec<_> = all.iter().filter(|e| e.entity == "import").collect();
    assert!(
        imports.len() >= 4,
        "village, team, person, membership: {imports:?}"
    );
    for e in activities.iter().chain(&imports) {
        assert_eq!(
            (e.province_code, e.commune_code),
            (Some(HAI_PHONG), Some(CAT_HAI)),
            "{} {}",
            e.entity,
            e.entity_id
        );
    }
}

/// The UPDATE statements of migration 0009's audit backfill (its third
/// part), as written in the migration of `backend`.
fn backfill(backend: Backend) -> Vec<String> {
    let text = match backend {
        Backend::Sqlite => include_str!("../migrations/sqlite/0009_province_workspace.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0009_province_workspace.sql"),
    };
    let part = text
        .split("ALTER TABLE audit_log ADD COLUMN province_code INTEGER;")
        .nth(1)
        .expect("the migration adds audit_log.province_code");
    let statements: Vec<String> = part
        .split(';')
        .map(str::trim)
        .filter(|s| s.starts_with("UPDATE audit_log"))
        .map(str::to_string)
        .collect();
    assert_eq!(statements.len(), 4, "{part}");
    statements
}

async fn the_migration_backfills_the_province(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let request = province_request(store, "102/SKHCN-CNTT").await;
    let officer = UserBuilder::new()
        .role(UserRole::ProvinceOfficer)
        .province(HAI_PHONG)
        .expect_build(store)
        .await;
    let (token, _) = store
        .create_api_token(
            &actor(),
            officer.id,
            Name::parse("Máy tính Sở").unwrap(),
            toso_store::TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    let village = VillageBuilder::new().expect_build(store).await;
    let admin = UserBuilder::new()
        .role(UserRole::Admin)
        .expect_build(store)
        .await;
    let expected = [
        ("reporting_request", request, Some(HAI_PHONG)),
        ("user", officer.id, Some(HAI_PHONG)),
        ("api_token", token.id, Some(HAI_PHONG)),
        ("village", village.id, Some(HAI_PHONG)),
        ("user", admin.id, None),
    ];

    // Entries as written before the column existed, then the backfill.
    let forget = "UPDATE audit_log SET province_code = NULL";
    let statements = backfill(backend);
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query(forget).execute(&mut conn).await.unwrap();
            for s in &statements {
                sqlx::query(s).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query(forget).execute(&mut conn).await.unwrap();
            for s in &statements {
                sqlx::query(s).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        }
    }
    for (entity, id, province) in expected {
        let entries = store.audit_of(entity, id).await.unwrap();
        assert!(!entries.is_empty(), "{entity} {id} has entries");
        for e in entries {
            assert_eq!(e.province_code, province, "{entity} {id} {}", e.action);
        }
    }
    let own = search(store, HAI_PHONG, true).await;
    assert!(find(&own, "reporting_request", request).is_some());
    assert!(find(&own, "api_token", token.id).is_some());
}

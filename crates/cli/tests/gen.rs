//! `toso gen` at commune scale on both databases: deterministic for a seed,
//! different for another seed, the store's indicators equal the counts gen
//! reports, one audit row per run, a second run refused, and the database
//! intact afterwards (indexes and foreign keys back, integrity check,
//! identity sequences past the generated ids).

mod common;
use common::toso;

use chrono::NaiveDate;
use serde_json::Value;
use sqlx::{Connection, Row};
use toso_domain::{IndicatorCode, Name, Node, VillageKind};
use toso_store::{Actor, IndicatorSet, NewVillage, Store};
use toso_testkit::{both_backends, Backend, TestDb};

both_backends!(gen_commune_scale);

const COMMUNE: i32 = 10606;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()
}

/// Run `toso gen --scale commune --seed SEED --json` on `db` (its store
/// closed first, as a bulk load wants the database to itself) and return
/// the counts it printed and a reopened store.
async fn gen(db: &TestDb, seed: u64) -> (Value, Store) {
    db.store.close().await;
    let out = toso(
        &db.url,
        &[
            "gen",
            "--scale",
            "commune",
            "--seed",
            &seed.to_string(),
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Value = serde_json::from_slice(&out.stdout).expect("JSON counts on stdout");
    (counts, Store::connect(&db.url).await.expect("reopen"))
}

/// The schema objects a load drops and must put back.
async fn schema(backend: Backend, url: &str) -> Vec<String> {
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            let v = sqlx::query_scalar(
                "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master \
                 WHERE type IN ('index', 'trigger') ORDER BY name",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            c.close().await.unwrap();
            v
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            let mut v: Vec<String> = sqlx::query_scalar(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            // The rollup trigger, disabled during the load, enabled again.
            v.extend(
                sqlx::query_scalar::<_, String>(
                    "SELECT tgname::text || ' ' || tgenabled::text FROM pg_trigger \
                     WHERE NOT tgisinternal ORDER BY tgname",
                )
                .fetch_all(&mut c)
                .await
                .unwrap(),
            );
            v.extend(
                sqlx::query_scalar::<_, String>(
                    "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
                     FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
                     ORDER BY conrelid::regclass::text, conname",
                )
                .fetch_all(&mut c)
                .await
                .unwrap(),
            );
            c.close().await.unwrap();
            v
        }
    }
}

fn check_figures(set: &IndicatorSet, counts: &Value) {
    for (code, key) in [
        (IndicatorCode::Villages, "villages"),
        (IndicatorCode::Teams, "teams"),
        (IndicatorCode::Members, "members"),
        (
            IndicatorCode::QuickResponseMembers,
            "quick_response_members",
        ),
        (IndicatorCode::SupportActivities, "support_activities"),
        (IndicatorCode::CitizensHelped, "citizens_helped"),
        (IndicatorCode::Dossiers, "dossiers"),
        (IndicatorCode::ContestRegistrations, "contest_registrations"),
        (IndicatorCode::TrainingCourses, "training_courses"),
        (IndicatorCode::Trainees, "trainees"),
        (IndicatorCode::Campaigns, "campaigns"),
        (IndicatorCode::CampaignReach, "campaign_reach"),
    ] {
        assert_eq!(
            set.count(code),
            counts[key].as_i64().unwrap(),
            "{key}: indicator vs gen"
        );
    }
}

async fn gen_commune_scale(backend: Backend) {
    let fresh = TestDb::new(backend).await;
    let schema_before = schema(backend, &fresh.url).await;

    // Seed 7, twice on fresh databases: the same figures.
    let (counts, store) = gen(&fresh, 7).await;
    assert_eq!(counts["communes"], 1);
    for (key, lo, hi) in [
        ("villages", 30, 45),
        ("members", 150, 405),
        ("support_activities", 3_000, 5_000),
    ] {
        let n = counts[key].as_i64().unwrap();
        assert!((lo..=hi).contains(&n), "{key} = {n}");
    }
    let set = store
        .indicators(Node::Commune(COMMUNE), as_of())
        .await
        .unwrap();
    check_figures(&set, &counts);
    assert_eq!(
        set.get(IndicatorCode::Coverage).unwrap().display,
        "100%",
        "every village has its team"
    );
    // The province's figures are the commune's (nothing else there).
    let province = store.indicators(Node::Province(31), as_of()).await.unwrap();
    check_figures(&province, &counts);
    // Including the figures the province reads from the rollups, which
    // the load rebuilt from the rows.
    for code in [
        IndicatorCode::CitizensHelpedByCategory,
        IndicatorCode::ActiveTeams,
        IndicatorCode::ActivitiesPerTeam,
    ] {
        assert_eq!(
            province.get(code).unwrap().value,
            set.get(code).unwrap().value,
            "{code:?}"
        );
    }
    assert!(province.count(IndicatorCode::ActiveTeams) > 0);
    // One audit row for the whole run, naming the scale, seed and counts.
    let audit = store.audit_of("gen", 0).await.unwrap();
    assert_eq!(audit.len(), 1);
    let after = &audit[0].after.as_ref().unwrap().0;
    assert_eq!(after["scale"], "commune");
    assert_eq!(after["seed"], 7);
    assert_eq!(after["counts"], counts);
    assert_eq!(audit[0].commune_code, Some(COMMUNE));

    // Indexes and foreign keys are back as the migrations made them.
    assert_eq!(schema(backend, &fresh.url).await, schema_before);
    if backend == Backend::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&fresh.url).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(check, "ok");
        let bad = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut c)
            .await
            .unwrap();
        assert!(bad.is_empty(), "{} foreign key violations", bad.len());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(mode, "wal", "the store's journal mode is restored");
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&fresh.url).await.unwrap();
        let invalid: i64 = sqlx::query(
            "SELECT COUNT(*) FROM pg_constraint WHERE NOT convalidated \
             AND connamespace = current_schema()::regnamespace",
        )
        .fetch_one(&mut c)
        .await
        .unwrap()
        .get(0);
        assert_eq!(invalid, 0);
        c.close().await.unwrap();
    }
    // The store keeps numbering after the generated rows.
    let village = store
        .create_village(
            &Actor::system("test"),
            NewVillage {
                commune_code: COMMUNE,
                kind: VillageKind::Thon,
                name: Name::village("Thôn Mới Lập").unwrap(),
                active_from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            },
        )
        .await
        .expect("a village after the generated ones");
    assert!(village.id > counts["villages"].as_i64().unwrap());

    // A second run into the same communes is refused, nothing written.
    store.close().await;
    let out = toso(
        &fresh.url,
        &["gen", "--scale", "commune", "--seed", "7", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("đã có dữ liệu"), "{stderr}");
    let store = Store::connect(&fresh.url).await.unwrap();
    assert_eq!(store.audit_of("gen", 0).await.unwrap().len(), 1);
    store.close().await;

    let again = TestDb::new(backend).await;
    let (counts_again, store_again) = gen(&again, 7).await;
    assert_eq!(counts_again, counts, "same seed, same counts");
    let set_again = store_again
        .indicators(Node::Commune(COMMUNE), as_of())
        .await
        .unwrap();
    assert_eq!(set_again, set, "same seed, same figures");
    store_again.close().await;

    // Another seed: other data.
    let other = TestDb::new(backend).await;
    let (counts_other, store_other) = gen(&other, 8).await;
    assert_ne!(counts_other, counts);
    let set_other = store_other
        .indicators(Node::Commune(COMMUNE), as_of())
        .await
        .unwrap();
    check_figures(&set_other, &counts_other);
    assert_ne!(set_other, set);
    store_other.close().await;
}

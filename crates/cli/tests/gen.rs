//! `toso gen` at commune scale on both databases: deterministic for a seed,
//! different for another seed, the store's indicators equal the counts gen
//! reports, one audit row per run, a second run refused, and the database
//! intact afterwards (indexes and foreign keys back, integrity check,
//! identity sequences past the generated ids; on PostgreSQL, a province's
//! days read from the rollup's covering key alone).
//!
//! And the demo's province, which the same generator makes
//! (`toso_tooling::demo_province`): twelve more Hải Phòng communes and the
//! cycle of 4675/SKHCN-CNTT in every state on the province's board.

mod common;
use common::toso;

use chrono::NaiveDate;
use serde_json::Value;
use sqlx::{Connection, Row};
use toso_domain::{IndicatorCode, Name, Node, VillageKind};
use toso_store::{Actor, IndicatorSet, NewVillage, Store};
use toso_testkit::{both_backends, Backend, TestDb};

both_backends!(gen_commune_scale, demo_province_in_every_state);

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

/// The node of a JSON plan that scans `table`.
fn scan_of<'a>(node: &'a Value, table: &str) -> Option<&'a Value> {
    if node["Relation Name"] == table {
        return Some(node);
    }
    node["Plans"]
        .as_array()?
        .iter()
        .find_map(|child| scan_of(child, table))
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
        // A province's days are read from the rollup's covering key alone,
        // its blocks all-visible after the load's vacuum: an index-only
        // scan that never visits the table (the plan PostgreSQL takes at
        // national scale; forced here, where the table is small enough to
        // scan).
        for set in ["SET enable_seqscan = off", "SET enable_bitmapscan = off"] {
            sqlx::query(set).execute(&mut c).await.unwrap();
        }
        let plan: Value = sqlx::query_scalar(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT d.commune_code, SUM(d.citizens_helped), \
             SUM(d.dossiers), MAX(CASE WHEN d.activities > 0 THEN d.activity_date END) \
             FROM activity_commune_days d JOIN communes cc ON cc.code = d.commune_code \
             WHERE d.activity_date <= '2026-10-31' AND cc.province_code = 31 GROUP BY d.commune_code",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        let scan =
            scan_of(&plan[0]["Plan"], "activity_commune_days").expect("a scan of the rollup");
        assert_eq!(scan["Node Type"], "Index Only Scan", "{plan}");
        assert_eq!(scan["Heap Fetches"], 0, "{plan}");
        assert!(scan["Actual Rows"].as_i64().unwrap() > 0, "{plan}");
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

/// After the demo commune and the demo's province: the board of
/// 4675/SKHCN-CNTT has a row per Hải Phòng commune, the thirteen demo
/// communes in the states the demo promises (Cát Hải accepted on time,
/// one late, one not expected with its reason, officers to call); a
/// second load changes nothing; Cát Hải's figures stay the reference
/// report's.
async fn demo_province_in_every_state(backend: Backend) {
    use toso_demo::{COMMUNE_CODE, REQUEST_NUMBER};
    use toso_domain::{ReportState, UserRole};
    use toso_store::board::vietnam_date;
    use toso_store::Timeliness;
    use toso_tooling::demo_province::{self, Case, Loaded};

    let db = TestDb::with_demo(backend).await;
    let as_of = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let cat_hai_before = db
        .store
        .indicators(Node::Commune(COMMUNE_CODE), as_of)
        .await
        .unwrap();
    db.store.close().await;

    let loaded = demo_province::load(&db.url)
        .await
        .expect("load the province");
    let Loaded::Created {
        communes,
        villages,
        teams,
        officers,
        versions,
        support_activities,
        ..
    } = loaded
    else {
        panic!("a fresh database: {loaded:?}");
    };
    assert_eq!((communes, officers), (12, 12));
    assert!(
        (12 * 8..=12 * 16).contains(&villages),
        "{villages} villages"
    );
    assert_eq!(
        teams,
        villages + 12,
        "a team per village and a quick-response team"
    );
    assert!(support_activities > 0);
    assert_eq!(
        versions,
        1 + 3 + 1 + 1 + 1 + 2 + 2,
        "Cát Hải's, three accepted, two awaiting, the returned one, both of the resubmitted one, two drafts"
    );

    let store = Store::connect(&db.url).await.unwrap();
    let request = store
        .request_by_number(COMMUNE_CODE, REQUEST_NUMBER)
        .await
        .unwrap();
    let deadline = request.deadline.expect("4675 has a deadline");
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let board = store.request_board(request.id, today).await.unwrap();
    let in_province = store.communes_of(31).await.unwrap().len();
    assert_eq!(board.rows.len(), in_province);
    assert_eq!(board.rows.len(), 114, "Hải Phòng's communes");
    assert_eq!(board.expected, 113, "all but the one not expected");

    // The twelve: six phường and six xã of Hải Phòng, never Cát Hải.
    let chosen = demo_province::communes(&store).await.unwrap();
    let kinds = |k: &str| chosen.iter().filter(|(c, _)| c.kind == k).count();
    assert_eq!((kinds("phường"), kinds("xã")), (6, 6));
    assert!(chosen
        .iter()
        .all(|(c, _)| c.province_code == 31 && c.code != COMMUNE_CODE));
    let mut codes: Vec<i32> = chosen.iter().map(|(c, _)| c.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 12);
    assert_eq!(store.communes_with_data(&codes).await.unwrap(), codes);

    let row = |code: i32| {
        board
            .rows
            .iter()
            .find(|r| r.commune.code == code)
            .unwrap_or_else(|| panic!("no row for {code}"))
    };
    // Cát Hải: version 1 submitted 29/12/2025 by its officer, accepted
    // 30/12/2025 by the province officer.
    let cat_hai = row(COMMUNE_CODE);
    assert_eq!(cat_hai.status.state, ReportState::Accepted);
    assert_eq!(cat_hai.timeliness, Timeliness::OnTime);
    assert_eq!(cat_hai.submitted_version.map(|v| v.1), Some(1));
    let steps: Vec<(&str, &str, NaiveDate)> = cat_hai
        .status
        .history
        .iter()
        .map(|t| (t.action.as_str(), t.actor.as_str(), vietnam_date(t.at)))
        .collect();
    assert_eq!(
        steps,
        [
            (
                "submit",
                "canboxa",
                NaiveDate::from_ymd_opt(2025, 12, 29).unwrap()
            ),
            (
                "accept",
                "sokhcn",
                NaiveDate::from_ymd_opt(2025, 12, 30).unwrap()
            ),
        ]
    );
    let version = store
        .report(cat_hai.status.latest.unwrap().0)
        .await
        .unwrap();
    assert_eq!(version.settings.signer_name, "Vũ Hữu Vững");
    assert_eq!(version.settings.as_of, as_of);

    // Each of the twelve in its case.
    let overdue_days = (today - deadline).num_days();
    for (commune, case) in &chosen {
        let r = row(commune.code);
        let (state, timeliness) = match case {
            Case::AcceptedOnTime => (ReportState::Accepted, Timeliness::OnTime),
            Case::AwaitingOnTime => (ReportState::Submitted, Timeliness::OnTime),
            Case::AwaitingLate => (ReportState::Submitted, Timeliness::Late { days: 5 }),
            Case::Returned => (ReportState::Returned, Timeliness::OnTime),
            Case::ResubmittedAccepted => (ReportState::Accepted, Timeliness::OnTime),
            Case::Draft => (
                ReportState::Draft,
                Timeliness::Overdue { days: overdue_days },
            ),
            Case::NotStarted | Case::NotExpected => (
                ReportState::NotStarted,
                Timeliness::Overdue { days: overdue_days },
            ),
        };
        assert_eq!(
            (r.status.state, r.timeliness),
            (state, timeliness),
            "{}: {case:?}",
            commune.name
        );
        assert_eq!(r.expected(), *case != Case::NotExpected, "{case:?}");
        // Names and phones to call.
        assert_eq!(r.officers.len(), 1, "{}", commune.name);
        let officer = store
            .user_by_login(&format!("canbo{}", commune.code))
            .await
            .unwrap()
            .expect("the commune's officer");
        assert_eq!(officer.role, UserRole::CommuneOfficer);
        assert_eq!(officer.commune_code, Some(commune.code));
        assert_eq!(r.officers[0].name, officer.full_name);
        assert!(r.officers[0].phone.is_some());
        let last = r.status.last();
        match case {
            Case::Returned => {
                assert_eq!(
                    last.and_then(|t| t.comment.as_deref()),
                    Some(demo_province::RETURN_COMMENT)
                );
                assert_eq!(last.unwrap().actor, "sokhcn");
            }
            Case::ResubmittedAccepted => {
                let actions: Vec<&str> =
                    r.status.history.iter().map(|t| t.action.as_str()).collect();
                assert_eq!(actions, ["submit", "return", "submit", "accept"]);
                assert_eq!(r.status.latest.map(|l| l.1), Some(2));
                assert_eq!(r.submitted_version.map(|v| v.1), Some(2));
                assert!(vietnam_date(last.unwrap().at) > deadline, "accepted late");
            }
            Case::NotExpected => {
                let exclusion = r.exclusion.as_ref().expect("not expected");
                assert_eq!(exclusion.reason, demo_province::NOT_EXPECTED_REASON);
                assert_eq!(exclusion.actor, "sokhcn");
            }
            Case::Draft => assert!(r.status.history.is_empty() && r.status.latest.is_some()),
            _ => {}
        }
    }
    // The counts per state over the thirteen demo communes.
    let demo_rows: Vec<_> = board
        .rows
        .iter()
        .filter(|r| r.commune.code == COMMUNE_CODE || codes.contains(&r.commune.code))
        .collect();
    assert_eq!(demo_rows.len(), 13);
    let in_state = |s: ReportState| demo_rows.iter().filter(|r| r.status.state == s).count();
    assert_eq!(
        [
            in_state(ReportState::Accepted),
            in_state(ReportState::Submitted),
            in_state(ReportState::Returned),
            in_state(ReportState::Draft),
            in_state(ReportState::NotStarted),
        ],
        [5, 2, 1, 2, 3]
    );
    let late: Vec<_> = board
        .rows
        .iter()
        .filter(|r| matches!(r.timeliness, Timeliness::Late { .. }))
        .collect();
    assert_eq!(late.len(), 1, "one late report");
    assert_eq!(
        (board.submitted, board.accepted, board.on_time),
        (8, 5, 7),
        "submitted, accepted, on time among the expected"
    );
    assert_eq!(board.awaiting_review().count(), 2);
    let excluded: Vec<i32> = board
        .rows
        .iter()
        .filter(|r| !r.expected())
        .map(|r| r.commune.code)
        .collect();
    assert_eq!(excluded.len(), 1);
    assert!(
        board.overdue().all(|r| r.expected()),
        "the excluded one is not overdue"
    );
    // One audit row for the generated records.
    let audit = store.audit_of("gen", 0).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "toso demo");
    assert_eq!(
        audit[0].after.as_ref().unwrap().0["communes"],
        serde_json::json!(codes)
    );

    // A second load changes nothing.
    let users = store.users_of_province(31).await.unwrap();
    store.close().await;
    assert_eq!(
        demo_province::load(&db.url).await.unwrap(),
        Loaded::AlreadyPresent
    );
    let store = Store::connect(&db.url).await.unwrap();
    assert_eq!(store.request_board(request.id, today).await.unwrap(), board);
    assert_eq!(store.users_of_province(31).await.unwrap(), users);
    assert_eq!(store.audit_of("gen", 0).await.unwrap().len(), 1);

    // Cát Hải's figures at 30/11/2025 are still the reference report's.
    let cat_hai_after = store
        .indicators(Node::Commune(COMMUNE_CODE), as_of)
        .await
        .unwrap();
    assert_eq!(cat_hai_after, cat_hai_before);
    let shown = |code| cat_hai_after.get(code).unwrap().display.clone();
    assert_eq!(
        [
            shown(IndicatorCode::Villages),
            shown(IndicatorCode::Teams),
            shown(IndicatorCode::Members),
            shown(IndicatorCode::Coverage),
            shown(IndicatorCode::ContestRegistrations),
        ],
        ["58", "58", "386", "100%", "1.440"]
    );
    assert_eq!(
        cat_hai_after.count(IndicatorCode::Members),
        toso_demo::VILLAGE_MEMBERS as i64
    );
    store.close().await;
}

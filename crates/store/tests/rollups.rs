//! The support log's rollups (migration 0007) on both databases: a
//! province's activity figures, read from the rollups, equal the same
//! figures computed from the rows (the demo's province has one commune with
//! data, whose figures read the rows; activities per team, which a commune
//! also reads from the rollup, is checked team by team against the team's
//! rows), for periods that start and end on any day; they follow new and changed activities at once; and a rebuild
//! from the rows changes nothing.

use chrono::{Days, NaiveDate};
use toso_domain::{IndicatorCode, IndicatorValue, Node, SupportCategory};
use toso_store::{ActivityGroup, ActivityScope, ActivityUpdate, Actor, NewActivity, Period, Store};
use toso_testkit::{both_backends, d, Backend, TestDb};

both_backends!(
    province_figures_from_rollups_equal_the_rows,
    rollups_follow_new_and_changed_activities_and_equal_a_rebuild,
);

const PROVINCE: Node = Node::Province(31);
const COMMUNE: Node = Node::Commune(11914);

/// Every indicator read from the rollups at province level.
const ROLLED_UP: [IndicatorCode; 6] = [
    IndicatorCode::SupportActivities,
    IndicatorCode::CitizensHelped,
    IndicatorCode::Dossiers,
    IndicatorCode::CitizensHelpedByCategory,
    IndicatorCode::ActiveTeams,
    IndicatorCode::ActivitiesPerTeam,
];

/// As-of days and periods whose ends fall on month ends, first days,
/// mid-month days, inside one month and across years.
fn periods() -> Vec<Period> {
    let days = [
        d(2025, 10, 31),
        d(2025, 11, 1),
        d(2025, 11, 15),
        d(2025, 11, 30),
        d(2025, 12, 31),
        d(2026, 1, 1),
        d(2026, 2, 28),
        d(2026, 3, 17),
        d(2026, 6, 30),
        d(2026, 10, 31),
        toso_store::today(),
    ];
    let mut out: Vec<Period> = days.iter().map(|&day| Period::as_of(day)).collect();
    for (from, until) in [
        (d(2025, 11, 1), d(2025, 11, 30)),
        (d(2025, 11, 2), d(2025, 11, 29)),
        (d(2025, 11, 10), d(2025, 11, 10)),
        (d(2025, 11, 20), d(2026, 1, 10)),
        (d(2025, 12, 1), d(2026, 2, 15)),
        (d(2025, 12, 31), d(2026, 1, 1)),
        (d(2026, 1, 15), d(2026, 3, 31)),
        (d(2025, 10, 1), toso_store::today()),
    ] {
        out.push(Period::between(from, until));
    }
    out
}

/// Each rolled-up indicator of the province equals the commune's, which
/// reads the rows.
async fn assert_province_equals_rows(store: &Store) {
    for period in periods() {
        for code in ROLLED_UP {
            let province = store.indicator_in(code, PROVINCE, period).await.unwrap();
            let commune = store.indicator_in(code, COMMUNE, period).await.unwrap();
            assert_eq!(province, commune, "{code:?}, {period:?}");
        }
        // Activities per team reads the team months at commune level too:
        // each team's count against its own rows.
        let IndicatorValue::Breakdown { items } = store
            .indicator_in(IndicatorCode::ActivitiesPerTeam, COMMUNE, period)
            .await
            .unwrap()
        else {
            panic!("breakdown")
        };
        for item in items {
            let team: i64 = item.key.parse().unwrap();
            let rows = store
                .activity_rows(ActivityScope::Team(team), period, ActivityGroup::Category)
                .await
                .unwrap();
            assert_eq!(
                item.value,
                rows.iter().map(|r| r.activities).sum::<i64>(),
                "team {team}, {period:?}"
            );
        }
        // The table (which reads the sums once) says the same.
        let table = store.indicators_in(PROVINCE, period).await.unwrap();
        for code in ROLLED_UP {
            assert_eq!(
                table.get(code).unwrap().value,
                store.indicator_in(code, COMMUNE, period).await.unwrap(),
                "{code:?} in the table, {period:?}"
            );
        }
    }
}

async fn province_figures_from_rollups_equal_the_rows(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    // Not vacuous: the demo has activities in the periods compared.
    let set = store.indicators(PROVINCE, d(2026, 6, 30)).await.unwrap();
    assert!(set.count(IndicatorCode::SupportActivities) > 100);
    assert!(set.count(IndicatorCode::ActiveTeams) > 10);
    assert_province_equals_rows(store).await;
}

async fn rollups_follow_new_and_changed_activities_and_equal_a_rebuild(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let actor = Actor::system("test");
    let teams: Vec<i64> = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.village_id.is_some())
        .map(|t| t.id)
        .take(3)
        .collect();
    let new =
        |team_id: i64, day: NaiveDate, category: SupportCategory, citizens: i32| NewActivity {
            team_id,
            activity_date: day,
            category,
            citizens_helped: citizens,
            dossiers: citizens / 2,
            note: None,
            co_members: Vec::new(),
        };
    let before = store
        .indicators(PROVINCE, toso_store::today())
        .await
        .unwrap();
    // Days at the edges of months (the 31st is bit 30 of the day set).
    let mut created = Vec::new();
    for (i, day) in [
        d(2025, 12, 31),
        d(2026, 1, 1),
        d(2026, 1, 31),
        d(2026, 3, 1),
        d(2026, 3, 31),
    ]
    .into_iter()
    .enumerate()
    {
        let a = store
            .create_activity(
                &actor,
                new(teams[i % teams.len()], day, SupportCategory::UngDungAi, 5),
            )
            .await
            .unwrap();
        created.push(a);
    }
    // The group-commit path of the support log.
    let logged = store
        .create_activities(
            &actor,
            (0..20)
                .map(|i| {
                    new(
                        teams[i % teams.len()],
                        d(2026, 2, 1) + Days::new(i as u64),
                        SupportCategory::Vneid,
                        2,
                    )
                })
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(logged, 20);
    let after = store
        .indicators(PROVINCE, toso_store::today())
        .await
        .unwrap();
    assert_eq!(
        after.count(IndicatorCode::SupportActivities),
        before.count(IndicatorCode::SupportActivities) + 25
    );
    assert_eq!(
        after.count(IndicatorCode::CitizensHelped),
        before.count(IndicatorCode::CitizensHelped) + 25 + 40
    );
    assert_province_equals_rows(store).await;

    // Changes move a row's contribution: to another day, month, category
    // and numbers; the day it left no longer counts for its team.
    for (a, day) in created.iter().zip([
        d(2026, 1, 15),
        d(2025, 12, 30),
        d(2026, 1, 30),
        d(2026, 3, 1),
        d(2026, 4, 1),
    ]) {
        store
            .update_activity(
                &actor,
                a.id,
                ActivityUpdate {
                    activity_date: day,
                    category: SupportCategory::AnToanMang,
                    citizens_helped: 9,
                    dossiers: 1,
                    note: None,
                },
            )
            .await
            .unwrap();
    }
    assert_province_equals_rows(store).await;
    let one_day = Period::between(d(2026, 3, 31), d(2026, 3, 31));
    assert_eq!(
        store
            .indicator_in(IndicatorCode::SupportActivities, PROVINCE, one_day)
            .await
            .unwrap(),
        store
            .indicator_in(IndicatorCode::SupportActivities, COMMUNE, one_day)
            .await
            .unwrap(),
    );

    // What the triggers kept equals what a rebuild from the rows computes.
    let mut kept = Vec::new();
    for period in periods() {
        kept.push(store.indicators_in(PROVINCE, period).await.unwrap());
    }
    store.rebuild_activity_rollups().await.unwrap();
    for (period, kept) in periods().into_iter().zip(kept) {
        assert_eq!(
            store.indicators_in(PROVINCE, period).await.unwrap(),
            kept,
            "{period:?}"
        );
    }
}

//! Who worked which day and what the resolution pays, on both databases
//! (issue 22): the month's sheets gather every record that names a member
//! (a support entry's author and helpers, duty days, courses, campaigns),
//! only while they belonged to the team; duty days refuse the future and
//! strangers; policies refuse overlapping periods and bad amounts, and a
//! month is paid by the one in force (the province's before the commune's);
//! an approved month is frozen against later corrections, which show as a
//! difference, can be reopened with a reason, and every step is audited.

use toso_domain::{
    compute, differences, DaySource, IndicatorCode, Month, Name, Node, PartnerOrganisation, Rates,
    Role, SheetTeam, TrainingMode, UserRole,
};
use toso_store::{
    Actor, NewCampaign, NewCourse, NewPolicy, Period, PolicyOwner, Store, StoreError, Team,
};
use toso_testkit::{
    actor, both_backends, d, refusal, ActivityBuilder, Backend, DutyDayBuilder, MembershipBuilder,
    PolicyBuilder, TeamBuilder, TestDb, UserBuilder, DEMO_COMMUNE,
};

both_backends!(
    the_sheet_gathers_every_record_that_names_a_member,
    days_count_only_while_a_member_belonged,
    duty_days_refuse_the_future_strangers_and_an_empty_place,
    policies_refuse_overlaps_and_bad_amounts,
    the_month_is_paid_by_the_policy_in_force,
    an_approved_month_is_frozen_and_a_correction_shows_as_a_difference,
    only_an_ended_month_with_a_policy_can_be_approved,
    the_demo_november_has_sheets_and_amounts,
);

const NOV: Month = Month {
    year: 2025,
    month: 11,
};

fn sheet<'a>(sheets: &'a [SheetTeam], team: &Team) -> &'a SheetTeam {
    sheets
        .iter()
        .find(|s| s.team_id == team.id)
        .expect("the team's sheet")
}

fn days_of(sheet: &SheetTeam, person: i64) -> Vec<(u32, Vec<DaySource>)> {
    sheet
        .members
        .iter()
        .find(|m| m.person_id == person)
        .expect("the member's row")
        .days
        .iter()
        .map(|(d, s)| (*d, s.iter().copied().collect()))
        .collect()
}

async fn the_sheet_gathers_every_record_that_names_a_member(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let team = TeamBuilder::new().expect_build(store).await;
    let leader = MembershipBuilder::new()
        .team(team.id)
        .role(Role::ToTruong)
        .expect_build(store)
        .await;
    let member = MembershipBuilder::new()
        .team(team.id)
        .expect_build(store)
        .await;
    // The leader logs an entry from their own account (the author's day)…
    let user = UserBuilder::new()
        .role(UserRole::TeamLeader)
        .commune(DEMO_COMMUNE)
        .team(team.id)
        .person(leader.person_id)
        .expect_build(store)
        .await;
    let as_leader = Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: None,
    };
    ActivityBuilder::new()
        .team(team.id)
        .on(d(2025, 11, 3))
        .by(as_leader)
        .expect_build(store)
        .await;
    // …with the member helping on another (a helper's day).
    ActivityBuilder::new()
        .team(team.id)
        .on(d(2025, 11, 4))
        .co_member(member.person_id)
        .expect_build(store)
        .await;
    DutyDayBuilder::new()
        .team(team.id)
        .on(d(2025, 11, 4))
        .member(leader.person_id)
        .expect_build(store)
        .await;
    // A two-day course from 30/11 to 01/12: only 30/11 is November's.
    store
        .create_course(
            &actor(),
            NewCourse {
                commune_code: DEMO_COMMUNE,
                title: Name::subject("Tập huấn kỹ năng số").unwrap(),
                organiser: Name::issuer("UBND đặc khu").unwrap(),
                document_id: None,
                starts_on: d(2025, 11, 30),
                ends_on: Some(d(2025, 12, 1)),
                mode: TrainingMode::TrucTiep,
                officials_registered: 0,
                officials_completed: 0,
                citizens_registered: 0,
                citizens_completed: 0,
                participants: vec![(member.person_id, true)],
            },
        )
        .await
        .unwrap();
    let campaign = store
        .create_campaign(
            &actor(),
            NewCampaign {
                commune_code: DEMO_COMMUNE,
                name: Name::subject("Ngày thứ Bảy tình nguyện").unwrap(),
                held_on: d(2025, 11, 15),
                partners: vec![PartnerOrganisation::DoanTn],
                village_ids: vec![team.village_id.unwrap()],
                participants: 10,
                citizens_reached: 50,
                note: None,
            },
        )
        .await
        .unwrap();
    store
        .set_campaign_members(&actor(), DEMO_COMMUNE, campaign.id, vec![member.person_id])
        .await
        .unwrap();

    let sheets = store.month_sheets(DEMO_COMMUNE, NOV).await.unwrap();
    let s = sheet(&sheets, &team);
    use DaySource::*;
    assert_eq!(
        days_of(s, leader.person_id),
        vec![(3, vec![Support]), (4, vec![Duty])]
    );
    assert_eq!(
        days_of(s, member.person_id),
        vec![
            (4, vec![Support]),
            (15, vec![Campaign]),
            (30, vec![Training])
        ]
    );
    // The leader is named, and comes first.
    assert_eq!(s.members[0].person_id, leader.person_id);
    assert!(s.leader.is_some());
    assert_eq!(
        (s.person_days(), s.active_days(), s.active_members()),
        (5, 4, 2)
    );
    // The indicators count the same days over November, for the commune
    // and the team's village (where the course, a commune's, is not), with
    // the people as their records.
    let nov = Period::between(NOV.first_day(), NOV.last_day());
    let commune = Node::Commune(DEMO_COMMUNE);
    let village = Node::Village(team.village_id.unwrap());
    let value = |code, node| async move {
        store
            .indicator_in(code, node, nov)
            .await
            .unwrap()
            .total()
            .unwrap()
    };
    assert_eq!(value(IndicatorCode::ActivityDays, commune).await, 5);
    assert_eq!(value(IndicatorCode::ActiveMembers, commune).await, 2);
    assert_eq!(value(IndicatorCode::ActivityDays, village).await, 4);
    let people = store
        .indicator_records_in(IndicatorCode::ActiveMembers, commune, nov)
        .await
        .unwrap();
    let mut ids: Vec<i64> = people.iter().map(|e| e.id).collect();
    ids.sort_unstable();
    let mut expected = vec![leader.person_id, member.person_id];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // Each person's record says how many days they had.
    let days_of_record = |id: i64, records: &[toso_store::Evidence]| {
        records
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.detail.clone())
            .expect("the record")
    };
    let people = store
        .indicator_records_in(IndicatorCode::ActivityDays, commune, nov)
        .await
        .unwrap();
    assert_eq!(days_of_record(leader.person_id, &people), "2 ngày công");
    assert_eq!(days_of_record(member.person_id, &people), "3 ngày công");
    // By team: the team's five days in the commune, four in its village;
    // its memberships are the records, each with its days.
    assert_eq!(per_team(store, commune, nov).await.get(&team.id), Some(&5));
    assert_eq!(per_team(store, village, nov).await, [(team.id, 4)].into());
    let memberships = store
        .indicator_records_in(IndicatorCode::ActivityDaysPerTeam, commune, nov)
        .await
        .unwrap();
    let team_key = team.id.to_string();
    let of_team: Vec<_> = memberships
        .iter()
        .filter(|e| e.grp.as_deref() == Some(team_key.as_str()))
        .collect();
    assert_eq!(of_team.len(), 2);
    assert!(
        days_of_record(leader.id, &memberships).ends_with(" — 2 ngày công"),
        "{memberships:?}"
    );
    assert!(days_of_record(member.id, &memberships).ends_with(" — 3 ngày công"));
    // As of a date (from the beginning), the same records: nothing else
    // happened before November.
    let as_of = store
        .indicator_records(IndicatorCode::ActivityDaysPerTeam, commune, NOV.last_day())
        .await
        .unwrap();
    assert_eq!(
        as_of
            .iter()
            .filter(|e| e.grp.as_deref() == Some(team_key.as_str()))
            .count(),
        2
    );
    // December has the course's second day.
    let dec = store.month_sheets(DEMO_COMMUNE, NOV.next()).await.unwrap();
    assert_eq!(
        days_of(sheet(&dec, &team), member.person_id),
        vec![(1, vec![Training])]
    );
}

async fn days_count_only_while_a_member_belonged(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let team = TeamBuilder::new().expect_build(store).await;
    let other = TeamBuilder::new().expect_build(store).await;
    // Joins on 10/11; a campaign on 05/11 names them through another team.
    let late = MembershipBuilder::new()
        .team(team.id)
        .started_on(d(2025, 11, 10))
        .expect_build(store)
        .await;
    MembershipBuilder::new()
        .team(other.id)
        .person(late.person_id)
        .expect_build(store)
        .await;
    DutyDayBuilder::new()
        .team(other.id)
        .on(d(2025, 11, 5))
        .member(late.person_id)
        .expect_build(store)
        .await;
    DutyDayBuilder::new()
        .team(team.id)
        .on(d(2025, 11, 12))
        .member(late.person_id)
        .expect_build(store)
        .await;
    let sheets = store.month_sheets(DEMO_COMMUNE, NOV).await.unwrap();
    use DaySource::*;
    // In the team they joined on 10/11: only the 12th.
    assert_eq!(
        days_of(sheet(&sheets, &team), late.person_id),
        vec![(12, vec![Duty])]
    );
    // In the other team all month: both days (days belong to the person).
    assert_eq!(
        days_of(sheet(&sheets, &other), late.person_id),
        vec![(5, vec![Duty]), (12, vec![Duty])]
    );
    // The indicator by team counts the same: the person's days in each.
    let nov = Period::between(NOV.first_day(), NOV.last_day());
    let by_team = per_team(store, Node::Commune(DEMO_COMMUNE), nov).await;
    assert_eq!((by_team[&team.id], by_team[&other.id]), (1, 2));
    let memberships = store
        .indicator_records_in(
            IndicatorCode::ActivityDaysPerTeam,
            Node::Commune(DEMO_COMMUNE),
            nov,
        )
        .await
        .unwrap();
    let in_team: Vec<_> = memberships
        .iter()
        .filter(|e| e.grp == Some(team.id.to_string()))
        .collect();
    assert_eq!(in_team.len(), 1);
    assert_eq!(in_team[0].id, late.id);
    assert!(in_team[0].detail.ends_with(" — 1 ngày công"), "{in_team:?}");
    // Paid once, under the team with most days, for two days.
    let rates = Rates {
        per_day: 10_000,
        ..Rates::default()
    };
    let list = compute(NOV, &rates, &sheets);
    let rows: Vec<_> = list
        .rows()
        .filter(|r| r.payee == toso_domain::Payee::Person(late.person_id))
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].team_id, rows[0].days, rows[0].total),
        (other.id, 2, 20_000)
    );
}

async fn duty_days_refuse_the_future_strangers_and_an_empty_place(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let team = TeamBuilder::new().expect_build(store).await;
    let member = MembershipBuilder::new()
        .team(team.id)
        .expect_build(store)
        .await;
    let stranger = MembershipBuilder::new().expect_build(store).await;
    let tomorrow = toso_store::today().succ_opt().unwrap();
    let cases = [
        (
            DutyDayBuilder::new()
                .team(team.id)
                .on(tomorrow)
                .member(member.person_id),
            "held_on",
        ),
        (
            DutyDayBuilder::new()
                .team(team.id)
                .on(d(2025, 10, 1))
                .member(member.person_id),
            "held_on",
        ),
        (
            DutyDayBuilder::new()
                .team(team.id)
                .member(stranger.person_id),
            "members",
        ),
        (
            DutyDayBuilder::new()
                .team(team.id)
                .place("   ")
                .member(member.person_id),
            "place",
        ),
    ];
    for (builder, field) in cases {
        let (f, message) = refusal(builder.build(store).await.unwrap_err());
        assert_eq!(f, field, "{message}");
    }
    assert!(store
        .duty_days(team.id, d(2025, 1, 1), toso_store::today())
        .await
        .unwrap()
        .is_empty());
    // Recorded, then deleted: gone, both steps audited.
    let day = DutyDayBuilder::new()
        .team(team.id)
        .member(member.person_id)
        .expect_build(store)
        .await;
    store
        .delete_duty_day(&actor(), team.id, day.id)
        .await
        .unwrap();
    assert!(matches!(
        store.duty_day(team.id, day.id).await,
        Err(StoreError::NotFound(_))
    ));
    let actions: Vec<_> = store
        .audit_of("duty_day", day.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
}

async fn policies_refuse_overlaps_and_bad_amounts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let first = PolicyBuilder::new()
        .period(d(2025, 1, 1), Some(d(2025, 12, 31)))
        .expect_build(store)
        .await;
    // Overlapping the first by one day.
    let (field, message) = refusal(
        PolicyBuilder::new()
            .period(d(2025, 12, 31), None)
            .build(store)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "effective_from");
    assert!(message.contains(&first.resolution), "{message}");
    // Right after it: fine. Another province's may overlap.
    PolicyBuilder::new()
        .period(d(2026, 1, 1), None)
        .expect_build(store)
        .await;
    PolicyBuilder::new()
        .owner(PolicyOwner::Province(1))
        .period(d(2025, 1, 1), None)
        .expect_build(store)
        .await;
    let bad = [
        (
            Rates {
                per_day: -1,
                ..Rates::default()
            },
            "per_day",
        ),
        (
            Rates {
                per_member_month: 1_000_000_000,
                ..Rates::default()
            },
            "per_member_month",
        ),
        (
            Rates {
                per_day: 1,
                day_cap: Some(40),
                ..Rates::default()
            },
            "day_cap",
        ),
        (Rates::default(), "per_team_month"),
    ];
    for (rates, field) in bad {
        let (f, _) = refusal(
            PolicyBuilder::new()
                .owner(PolicyOwner::Commune(DEMO_COMMUNE))
                .rates(rates)
                .build(store)
                .await
                .unwrap_err(),
        );
        assert_eq!(f, field);
    }
    let (f, _) = refusal(
        PolicyBuilder::new()
            .owner(PolicyOwner::Commune(DEMO_COMMUNE))
            .period(d(2025, 6, 1), Some(d(2025, 5, 1)))
            .build(store)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "effective_until");
    assert!(store
        .policies(PolicyOwner::Commune(DEMO_COMMUNE))
        .await
        .unwrap()
        .is_empty());
    // Editing a policy may keep its own period.
    let mut again = NewPolicy {
        resolution: first.resolution.clone(),
        resolution_on: first.resolution_on,
        effective_from: first.effective_from,
        effective_until: first.effective_until,
        rates: first.rates,
        example: false,
        note: None,
    };
    again.rates.per_day = 70_000;
    let edited = store
        .save_policy(&actor(), first.owner, Some(first.id), again)
        .await
        .unwrap();
    assert_eq!(store.policy(first.id).await.unwrap(), edited);
}

async fn the_month_is_paid_by_the_policy_in_force(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    // The commune's own applies only where the province has none.
    let own = PolicyBuilder::new()
        .owner(PolicyOwner::Commune(DEMO_COMMUNE))
        .period(d(2025, 1, 1), None)
        .expect_build(store)
        .await;
    assert_eq!(
        store.policy_for(DEMO_COMMUNE, NOV).await.unwrap(),
        Some(own.clone())
    );
    let old = PolicyBuilder::new()
        .period(d(2025, 1, 1), Some(d(2025, 11, 30)))
        .expect_build(store)
        .await;
    let new = PolicyBuilder::new()
        .period(d(2025, 12, 1), None)
        .expect_build(store)
        .await;
    assert_eq!(
        store.policy_for(DEMO_COMMUNE, NOV).await.unwrap(),
        Some(old)
    );
    assert_eq!(
        store.policy_for(DEMO_COMMUNE, NOV.next()).await.unwrap(),
        Some(new)
    );
    // Before every policy: the commune's own from 01/2025, none before.
    let june_2024 = Month::new(2024, 6).unwrap();
    assert_eq!(
        store.policy_for(DEMO_COMMUNE, june_2024).await.unwrap(),
        None
    );
}

async fn setup_month(store: &Store) -> (Team, i64) {
    let team = TeamBuilder::new().expect_build(store).await;
    let member = MembershipBuilder::new()
        .team(team.id)
        .expect_build(store)
        .await;
    for day in [3, 4] {
        DutyDayBuilder::new()
            .team(team.id)
            .on(d(2025, 11, day))
            .member(member.person_id)
            .expect_build(store)
            .await;
    }
    PolicyBuilder::new()
        .rates(Rates {
            per_team_month: 300_000,
            per_day: 50_000,
            ..Rates::default()
        })
        .expect_build(store)
        .await;
    (team, member.person_id)
}

async fn an_approved_month_is_frozen_and_a_correction_shows_as_a_difference(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let (team, person) = setup_month(store).await;
    let approved = store
        .approve_month(&actor(), DEMO_COMMUNE, NOV)
        .await
        .unwrap();
    assert!(approved.approved);
    assert_eq!(approved.total, 300_000 + 2 * 50_000);
    assert_eq!(approved.total, approved.frozen.list.total);
    // Approved twice: refused beside the month.
    let (f, _) = refusal(
        store
            .approve_month(&actor(), DEMO_COMMUNE, NOV)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "month");
    // A later entry in November: the frozen month does not move, the
    // records' month does, and the difference names the person.
    ActivityBuilder::new()
        .team(team.id)
        .on(d(2025, 11, 20))
        .co_member(person)
        .expect_build(store)
        .await;
    let frozen = store
        .month_approval(DEMO_COMMUNE, NOV)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frozen.total, 400_000);
    assert_eq!(frozen.frozen, approved.frozen);
    let now = store.month_figures(DEMO_COMMUNE, NOV).await.unwrap();
    let list = now.list.unwrap();
    assert_eq!(list.total, 450_000);
    let changes = differences(&frozen.frozen.list, &list);
    assert_eq!(changes.len(), 2, "{changes:?}");
    let row = changes
        .iter()
        .find(|c| c.payee == toso_domain::Payee::Person(person))
        .unwrap();
    assert_eq!((row.days_then, row.days_now), (2, 3));
    assert_eq!((row.total_then, row.total_now), (100_000, 150_000));
    // Reopened needs a reason; then approved again at the new figures.
    let (f, _) = refusal(
        store
            .reopen_month(&actor(), DEMO_COMMUNE, NOV, "  ")
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "reason");
    store
        .reopen_month(
            &actor(),
            DEMO_COMMUNE,
            NOV,
            "Bổ sung lượt hỗ trợ ngày 20/11",
        )
        .await
        .unwrap();
    let reopened = store
        .month_approval(DEMO_COMMUNE, NOV)
        .await
        .unwrap()
        .unwrap();
    assert!(!reopened.approved);
    assert_eq!(
        reopened.reopen_reason.as_deref(),
        Some("Bổ sung lượt hỗ trợ ngày 20/11")
    );
    let again = store
        .approve_month(&actor(), DEMO_COMMUNE, NOV)
        .await
        .unwrap();
    assert_eq!(again.total, 450_000);
    assert!(again.reopen_reason.is_none());
    // The policy an approved month was paid by cannot be deleted.
    let policy = again.frozen.policy.clone();
    let (f, _) = refusal(
        store
            .delete_policy(&actor(), policy.owner, policy.id)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "policy");
    // Each step audited: approve, reopen, approve.
    let mut steps: Vec<_> = store
        .audit_of("allowance_month", i64::from(DEMO_COMMUNE))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    steps.sort();
    assert_eq!(steps, vec!["approve", "approve", "reopen"]);
    // The approved total is an indicator, with the month as its record.
    let commune = Node::Commune(DEMO_COMMUNE);
    let approved_total = store
        .indicator(
            IndicatorCode::AllowanceApproved,
            commune,
            toso_store::today(),
        )
        .await
        .unwrap()
        .total();
    assert_eq!(approved_total, Some(450_000));
    let months = store
        .indicator_records(
            IndicatorCode::AllowanceApproved,
            commune,
            toso_store::today(),
        )
        .await
        .unwrap();
    assert_eq!(months.len(), 1);
    assert!(months[0].detail.contains("11/2025"), "{}", months[0].detail);
    assert!(
        months[0].detail.contains("450.000 đ"),
        "{}",
        months[0].detail
    );
    // Before November began, nothing was approved for it.
    let before = store
        .indicator(IndicatorCode::AllowanceApproved, commune, d(2025, 10, 31))
        .await
        .unwrap()
        .total();
    assert_eq!(before, Some(0));
}

async fn only_an_ended_month_with_a_policy_can_be_approved(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    // No policy at all.
    let (f, message) = refusal(
        store
            .approve_month(&actor(), DEMO_COMMUNE, NOV)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "month");
    assert!(message.contains("chính sách"), "{message}");
    PolicyBuilder::new().expect_build(store).await;
    // This month has not ended.
    let this_month = Month::of(toso_store::today());
    let (f, message) = refusal(
        store
            .approve_month(&actor(), DEMO_COMMUNE, this_month)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "month");
    assert!(message.contains("chưa kết thúc"), "{message}");
    assert!(store
        .month_approval(DEMO_COMMUNE, this_month)
        .await
        .unwrap()
        .is_none());
    // Reopening a month never approved is refused too.
    let (f, _) = refusal(
        store
            .reopen_month(&actor(), DEMO_COMMUNE, NOV, "Lý do")
            .await
            .unwrap_err(),
    );
    assert_eq!(f, "month");
}

async fn the_demo_november_has_sheets_and_amounts(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let figures = store
        .month_figures(toso_demo::COMMUNE_CODE, NOV)
        .await
        .unwrap();
    // 58 village teams and the quick-response team, village teams first.
    assert_eq!(figures.sheets.len(), 59);
    let policy = figures.policy.expect("the demo's example policy");
    assert!(policy.example);
    assert!(policy.title().contains("ví dụ"));
    let list = figures.list.unwrap();
    assert!(list.total > 0);
    assert_eq!(list.total, list.rows().map(|r| r.total).sum::<i64>());
    // Duty days and support entries both appear.
    let sources: std::collections::BTreeSet<DaySource> = figures
        .sheets
        .iter()
        .flat_map(|s| s.members.iter())
        .flat_map(|m| m.days.values().flatten().copied())
        .collect();
    assert!(sources.contains(&DaySource::Duty));
    assert!(sources.contains(&DaySource::Support));
    // The indicator by team over November equals each team's sheet.
    let nov = Period::between(NOV.first_day(), NOV.last_day());
    let by_team = per_team(store, Node::Commune(toso_demo::COMMUNE_CODE), nov).await;
    assert_eq!(by_team.len(), 59);
    for sheet in &figures.sheets {
        assert_eq!(
            by_team[&sheet.team_id],
            i64::from(sheet.person_days()),
            "{}",
            sheet.name
        );
    }
    assert!(by_team.values().sum::<i64>() > 0);
}

/// The indicator "days of activity by team" of `node` over `period`, by
/// team id.
async fn per_team(
    store: &Store,
    node: Node,
    period: Period,
) -> std::collections::HashMap<i64, i64> {
    match store
        .indicator_in(IndicatorCode::ActivityDaysPerTeam, node, period)
        .await
        .unwrap()
    {
        toso_domain::IndicatorValue::Breakdown { items } => items
            .into_iter()
            .map(|i| (i.key.parse().unwrap(), i.value))
            .collect(),
        other => panic!("a breakdown, not {other:?}"),
    }
}

//! Every record can be corrected, on both databases: contests, their
//! registration entries and campaigns are edited and deleted, each with its
//! audit row (values before and after) and the figures following at once; a
//! record of another commune is never touched; a document is deleted only
//! while nothing refers to it, and a refusal says what does.

use chrono::NaiveDate;
use toso_domain::{
    ContestGroup, DocumentKind, DocumentNumber, IndicatorCode, IndicatorValue, Name, Node,
    PartnerOrganisation,
};
use toso_store::{
    Actor, AuditEntry, DocumentUses, NewCampaign, NewContest, NewDocument, RegistrationUpdate,
    Store, StoreError,
};
use toso_testkit::{both_backends, d, refusal, Backend, TestDb};

both_backends!(
    registrations_are_edited_and_deleted_and_the_figure_follows,
    a_contest_is_edited_and_deleted_with_its_registrations,
    campaigns_are_edited_and_deleted_and_the_figures_follow,
    a_document_is_deleted_only_when_nothing_refers_to_it,
);

const CAT_HAI: i32 = 11914;
/// Another commune of Hải Phòng.
const ELSEWHERE: i32 = 11948;

fn officer() -> Actor {
    Actor::system("canboxa")
}

async fn figure(store: &Store, code: IndicatorCode, node: Node, day: NaiveDate) -> i64 {
    match store.indicator(code, node, day).await.unwrap() {
        IndicatorValue::Count { value } => value,
        other => panic!("{code:?} is not a count: {other:?}"),
    }
}

async fn registrations(store: &Store, day: NaiveDate) -> i64 {
    figure(
        store,
        IndicatorCode::ContestRegistrations,
        Node::Commune(CAT_HAI),
        day,
    )
    .await
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    match r {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("expected not found, got {other:?}"),
    }
}

async fn last_audit(store: &Store, entity: &str, id: i64) -> AuditEntry {
    store
        .audit_of(entity, id)
        .await
        .unwrap()
        .pop()
        .unwrap_or_else(|| panic!("no audit row for {entity} {id}"))
}

async fn audit_count(store: &Store) -> Option<i64> {
    store
        .recent_changes(CAT_HAI, 1)
        .await
        .unwrap()
        .first()
        .map(|e| e.id)
}

async fn registrations_are_edited_and_deleted_and_the_figure_follows(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let contest = store.contests(CAT_HAI).await.unwrap()[0].clone();
    let nov = d(2025, 11, 30);
    assert_eq!(registrations(store, nov).await, 1440);
    // The entry of 05/11/2025: 210 team members.
    let entry = store
        .registrations(contest.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.registered_on == d(2025, 11, 5))
        .unwrap();
    assert_eq!((entry.count, entry.grp), (210, ContestGroup::ThanhVienTo));

    // 210 → 201: the figure follows, the audit keeps before and after.
    let upd = |day, count| RegistrationUpdate {
        registered_on: day,
        group: ContestGroup::ThanhVienTo,
        count,
    };
    let after = store
        .update_registration(&officer(), CAT_HAI, entry.id, upd(d(2025, 11, 5), 201))
        .await
        .unwrap();
    assert_eq!(after.count, 201);
    assert_eq!(registrations(store, nov).await, 1431);
    let audit = last_audit(store, "contest_registration", entry.id).await;
    assert_eq!(audit.action, "update");
    assert_eq!(audit.commune_code, Some(CAT_HAI));
    assert_eq!(audit.before.as_ref().unwrap().0["count"], 210);
    assert_eq!(audit.after.as_ref().unwrap().0["count"], 201);

    // Moved to December: out of the November figure, in December's.
    store
        .update_registration(&officer(), CAT_HAI, entry.id, upd(d(2025, 12, 2), 201))
        .await
        .unwrap();
    assert_eq!(registrations(store, nov).await, 1230);
    assert_eq!(registrations(store, d(2025, 12, 2)).await, 1431);

    // Refused: outside the contest, a future day, a count of 0; nothing changes.
    let marker = audit_count(store).await;
    for (bad, field) in [
        (upd(d(2026, 1, 5), 5), "registered_on"),
        (
            upd(toso_store::today().succ_opt().unwrap(), 5),
            "registered_on",
        ),
        (upd(d(2025, 11, 5), 0), "count"),
    ] {
        let (f, message) = refusal(
            store
                .update_registration(&officer(), CAT_HAI, entry.id, bad)
                .await
                .unwrap_err(),
        );
        assert_eq!(f, field, "{message}");
    }
    let (_, message) = refusal(
        store
            .update_registration(&officer(), CAT_HAI, entry.id, upd(d(2026, 1, 5), 5))
            .await
            .unwrap_err(),
    );
    assert!(
        message.contains("nằm ngoài thời gian của cuộc thi"),
        "{message}"
    );
    // Another commune's officer reaches nothing.
    not_found(
        store
            .update_registration(&officer(), ELSEWHERE, entry.id, upd(d(2025, 11, 5), 1))
            .await,
    );
    not_found(
        store
            .delete_registration(&officer(), ELSEWHERE, entry.id)
            .await,
    );
    not_found(store.registration_of(ELSEWHERE, entry.id).await);
    assert_eq!(audit_count(store).await, marker);
    assert_eq!(registrations(store, d(2025, 12, 2)).await, 1431);

    // Deleted: the figure drops by its 201 people, the audit keeps it.
    let gone = store
        .delete_registration(&officer(), CAT_HAI, entry.id)
        .await
        .unwrap();
    assert_eq!(gone.count, 201);
    assert_eq!(registrations(store, d(2025, 12, 2)).await, 1230);
    not_found(store.registration_of(CAT_HAI, entry.id).await);
    let audit = last_audit(store, "contest_registration", entry.id).await;
    assert_eq!(audit.action, "delete");
    assert_eq!(audit.before.as_ref().unwrap().0["count"], 201);
    assert!(audit.after.is_none());
    // The records behind the figure list the other entries, not it.
    let records = store
        .indicator_records(
            IndicatorCode::ContestRegistrations,
            Node::Commune(CAT_HAI),
            d(2025, 12, 31),
        )
        .await
        .unwrap();
    assert_eq!(records.len(), 11);
    assert!(records
        .iter()
        .all(|r| r.entity == "contest_registration" && r.id != entry.id));
    not_found(
        store
            .delete_registration(&officer(), CAT_HAI, entry.id)
            .await,
    );
}

async fn a_contest_is_edited_and_deleted_with_its_registrations(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let contest = store.contests(CAT_HAI).await.unwrap()[0].clone();
    let entries = store.registrations(contest.id).await.unwrap();
    assert_eq!(entries.len(), 12);
    let end = d(2025, 12, 31);
    let all = registrations(store, end).await;
    assert_eq!(all, 1504);
    let edit = |name: &str, starts_on, ends_on| NewContest {
        commune_code: CAT_HAI,
        name: Name::subject(name).unwrap(),
        organiser: Name::issuer(&contest.organiser).unwrap(),
        document_id: contest.document_id,
        starts_on,
        ends_on,
    };

    // Renamed and extended: stored, audited before and after.
    let after = store
        .update_contest(
            &officer(),
            contest.id,
            edit(
                "Công dân số Hải Phòng 2025",
                contest.starts_on,
                Some(d(2026, 1, 15)),
            ),
        )
        .await
        .unwrap();
    assert_eq!(after.name, "Công dân số Hải Phòng 2025");
    assert_eq!(store.contest(contest.id).await.unwrap(), after);
    let audit = last_audit(store, "contest", contest.id).await;
    assert_eq!(audit.action, "update");
    assert_eq!(audit.before.as_ref().unwrap().0["name"], contest.name);
    assert_eq!(
        audit.after.as_ref().unwrap().0["ends_on"],
        "2026-01-15",
        "{:?}",
        audit.after
    );

    // A period that would leave registrations outside it is refused, and
    // says how many and where; an end before the start too.
    let marker = audit_count(store).await;
    let (field, message) = refusal(
        store
            .update_contest(
                &officer(),
                contest.id,
                edit("Khác", d(2025, 11, 1), Some(d(2025, 12, 31))),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "starts_on");
    assert!(
        message.contains("Đã ghi 2 lượt đăng ký trước ngày bắt đầu 01/11/2025")
            && message.contains("20/10/2025"),
        "{message}"
    );
    let (field, message) = refusal(
        store
            .update_contest(
                &officer(),
                contest.id,
                edit("Khác", contest.starts_on, Some(d(2025, 11, 30))),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "ends_on");
    assert!(
        message.contains("Đã ghi 1 lượt đăng ký sau ngày kết thúc 30/11/2025")
            && message.contains("05/12/2025"),
        "{message}"
    );
    let (field, _) = refusal(
        store
            .update_contest(
                &officer(),
                contest.id,
                edit("Khác", d(2025, 10, 15), Some(d(2025, 10, 1))),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "ends_on");
    // A document of another commune's register is refused.
    let foreign = store
        .create_document(
            &officer(),
            NewDocument {
                commune_code: ELSEWHERE,
                kind: DocumentKind::CongVan,
                number: DocumentNumber::parse("12/UBND").unwrap(),
                issued_on: d(2025, 10, 1),
                issuer: Name::issuer("Ủy ban nhân dân xã khác").unwrap(),
                subject: Name::subject("Văn bản xã khác").unwrap(),
            },
        )
        .await
        .unwrap();
    let (field, _) = refusal(
        store
            .update_contest(
                &officer(),
                contest.id,
                NewContest {
                    document_id: Some(foreign.id),
                    ..edit("Khác", contest.starts_on, contest.ends_on)
                },
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "document_id");
    // Through another commune: not found.
    not_found(
        store
            .update_contest(
                &officer(),
                contest.id,
                NewContest {
                    commune_code: ELSEWHERE,
                    ..edit("Khác", contest.starts_on, contest.ends_on)
                },
            )
            .await,
    );
    not_found(
        store
            .delete_contest(&officer(), ELSEWHERE, contest.id)
            .await,
    );
    assert_eq!(audit_count(store).await, marker);
    assert_eq!(store.contest(contest.id).await.unwrap(), after);
    assert_eq!(registrations(store, end).await, all);

    // Deleted with its 12 registrations, in one go: the figure is 0, and
    // the audit has a row for each.
    let (gone, with) = store
        .delete_contest(&officer(), CAT_HAI, contest.id)
        .await
        .unwrap();
    assert_eq!(gone.id, contest.id);
    assert_eq!(with.len(), 12);
    assert_eq!(with.iter().map(|r| r.count as i64).sum::<i64>(), 1504);
    assert_eq!(registrations(store, end).await, 0);
    assert!(store.contests(CAT_HAI).await.unwrap().is_empty());
    assert!(store.registrations(contest.id).await.unwrap().is_empty());
    let audit = last_audit(store, "contest", contest.id).await;
    assert_eq!(audit.action, "delete");
    assert_eq!(audit.before.as_ref().unwrap().0["name"], after.name);
    assert!(audit.after.is_none());
    for r in &entries {
        let audit = last_audit(store, "contest_registration", r.id).await;
        assert_eq!(audit.action, "delete");
        assert_eq!(audit.before.as_ref().unwrap().0["count"], r.count);
    }
    not_found(store.contest_of(CAT_HAI, contest.id).await);
    // The letter that launched it is no longer referred to by a contest.
    let letter = contest.document_id.unwrap();
    assert_eq!(
        store.document_uses(CAT_HAI, letter).await.unwrap().contests,
        0
    );
}

async fn campaigns_are_edited_and_deleted_and_the_figures_follow(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let today = toso_store::today();
    let commune = Node::Commune(CAT_HAI);
    let count = figure(store, IndicatorCode::Campaigns, commune, today).await;
    let reach = figure(store, IndicatorCode::CampaignReach, commune, today).await;
    let campaign = store.campaigns(CAT_HAI).await.unwrap().pop().unwrap();
    let villages = store
        .villages(CAT_HAI, Some(campaign.held_on))
        .await
        .unwrap();
    let old_village = campaign.villages[0].0;
    let new_village = villages
        .iter()
        .find(|v| campaign.villages.iter().all(|(id, _)| *id != v.id))
        .unwrap()
        .id;
    let at_village = |id: i64| figure(store, IndicatorCode::Campaigns, Node::Village(id), today);
    let (old_before, new_before) = (at_village(old_village).await, at_village(new_village).await);
    let edit = |reached: i32, villages: Vec<i64>, partners: Vec<PartnerOrganisation>| NewCampaign {
        commune_code: CAT_HAI,
        name: Name::parse_field("Chủ nhật xanh (sửa)", "name", "Tên", 200).unwrap(),
        held_on: campaign.held_on,
        partners,
        village_ids: villages,
        participants: campaign.participants,
        citizens_reached: reached,
        note: Some("Đã sửa".into()),
    };

    // Reach +100 and the villages swapped: every figure follows.
    let mut swapped: Vec<i64> = campaign
        .villages
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != old_village)
        .collect();
    swapped.push(new_village);
    let after = store
        .update_campaign(
            &officer(),
            campaign.id,
            edit(
                campaign.citizens_reached + 100,
                swapped,
                vec![PartnerOrganisation::HoiPn],
            ),
        )
        .await
        .unwrap();
    assert_eq!(after.name, "Chủ nhật xanh (sửa)");
    assert_eq!(after.partners, vec![PartnerOrganisation::HoiPn]);
    assert_eq!(after.note.as_deref(), Some("Đã sửa"));
    assert_eq!(
        figure(store, IndicatorCode::Campaigns, commune, today).await,
        count
    );
    assert_eq!(
        figure(store, IndicatorCode::CampaignReach, commune, today).await,
        reach + 100
    );
    assert_eq!(at_village(old_village).await, old_before - 1);
    assert_eq!(at_village(new_village).await, new_before + 1);
    let audit = last_audit(store, "campaign", campaign.id).await;
    assert_eq!(audit.action, "update");
    assert_eq!(
        audit.before.as_ref().unwrap().0["citizens_reached"],
        campaign.citizens_reached
    );
    assert_eq!(
        audit.after.as_ref().unwrap().0["citizens_reached"],
        campaign.citizens_reached + 100
    );
    assert_eq!(audit.after.as_ref().unwrap().0["partners"][0], "hoi_pn");

    // Refused: no partner, no village, a village of another commune, a
    // negative count; another commune's officer reaches nothing.
    let foreign_village = store
        .create_village(
            &officer(),
            toso_store::NewVillage {
                commune_code: ELSEWHERE,
                kind: toso_domain::VillageKind::Thon,
                name: Name::village("Thôn Nơi Khác").unwrap(),
                active_from: d(2024, 1, 1),
            },
        )
        .await
        .unwrap()
        .id;
    let marker = audit_count(store).await;
    for (bad, field) in [
        (edit(5, vec![new_village], vec![]), "partners"),
        (
            edit(5, vec![], vec![PartnerOrganisation::DoanTn]),
            "villages",
        ),
        (
            edit(5, vec![foreign_village], vec![PartnerOrganisation::DoanTn]),
            "villages",
        ),
        (
            edit(-5, vec![new_village], vec![PartnerOrganisation::DoanTn]),
            "citizens_reached",
        ),
    ] {
        let (f, message) = refusal(
            store
                .update_campaign(&officer(), campaign.id, bad)
                .await
                .unwrap_err(),
        );
        assert_eq!(f, field, "{message}");
    }
    not_found(
        store
            .update_campaign(
                &officer(),
                campaign.id,
                NewCampaign {
                    commune_code: ELSEWHERE,
                    ..edit(5, vec![foreign_village], vec![PartnerOrganisation::DoanTn])
                },
            )
            .await,
    );
    not_found(
        store
            .delete_campaign(&officer(), ELSEWHERE, campaign.id)
            .await,
    );
    assert_eq!(audit_count(store).await, marker);
    assert_eq!(store.campaign(campaign.id).await.unwrap(), after);

    // Deleted: one campaign fewer, its reach gone, the villages' counts too.
    let gone = store
        .delete_campaign(&officer(), CAT_HAI, campaign.id)
        .await
        .unwrap();
    assert_eq!(gone, after);
    assert_eq!(
        figure(store, IndicatorCode::Campaigns, commune, today).await,
        count - 1
    );
    assert_eq!(
        figure(store, IndicatorCode::CampaignReach, commune, today).await,
        reach - campaign.citizens_reached as i64
    );
    assert_eq!(at_village(new_village).await, new_before);
    not_found(store.campaign_of(CAT_HAI, campaign.id).await);
    let audit = last_audit(store, "campaign", campaign.id).await;
    assert_eq!(audit.action, "delete");
    assert_eq!(
        audit.before.as_ref().unwrap().0["name"],
        "Chủ nhật xanh (sửa)"
    );
    assert!(audit.after.is_none());
}

async fn a_document_is_deleted_only_when_nothing_refers_to_it(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let docs = store.documents(CAT_HAI, &Default::default()).await.unwrap();
    let by_number = |n: &str| docs.iter().find(|d| d.doc_number == n).unwrap().clone();

    // The decision that established the 58 village teams (and the
    // quick-response team, if it cites it), the letter that launched the
    // contest, and a course's letter: each refused, saying what refers to it.
    let teams = store.teams(CAT_HAI).await.unwrap();
    let decision = teams.iter().find_map(|t| t.decision_id).unwrap();
    let established = teams
        .iter()
        .filter(|t| t.decision_id == Some(decision))
        .count();
    assert!(established >= 58, "{established}");
    let contest_letter = by_number("1643/UBND-VHXH");
    let course_letter = by_number("1688/VHXH");
    let marker = audit_count(store).await;
    let count = docs.len();
    for (id, expected) in [
        (
            decision,
            format!(
                "Văn bản đang được dùng làm quyết định thành lập của {established} tổ; không thể xóa."
            ),
        ),
        (
            contest_letter.id,
            "Văn bản đang được dùng làm văn bản triển khai của 1 cuộc thi; không thể xóa.".into(),
        ),
        (
            course_letter.id,
            "Văn bản đang được dùng làm văn bản chỉ đạo của 1 lớp tập huấn; không thể xóa.".into(),
        ),
    ] {
        let (field, message) = refusal(
            store
                .delete_document(&officer(), CAT_HAI, id)
                .await
                .unwrap_err(),
        );
        assert_eq!((field, message.as_str()), ("delete", expected.as_str()));
        assert_eq!(
            store.document_uses(CAT_HAI, id).await.unwrap().refusal(),
            Some(expected)
        );
        store.document_of(CAT_HAI, id).await.unwrap();
    }
    assert_eq!(audit_count(store).await, marker);
    assert_eq!(
        store
            .documents(CAT_HAI, &Default::default())
            .await
            .unwrap()
            .len(),
        count
    );

    // A document cited by a generated report stays too.
    let new_doc = |number: &str, issued_on| NewDocument {
        commune_code: CAT_HAI,
        kind: DocumentKind::CongVan,
        number: DocumentNumber::parse(number).unwrap(),
        issued_on,
        issuer: Name::issuer("Ủy ban nhân dân đặc khu Cát Hải").unwrap(),
        subject: Name::subject("Về việc nhập nhầm").unwrap(),
    };
    let cited = store
        .create_document(&officer(), new_doc("999/UBND-VHXH", d(2025, 11, 20)))
        .await
        .unwrap();
    let request = store
        .request_by_number(CAT_HAI, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap();
    let mut settings = toso_reporting::report_defaults(store, CAT_HAI, &request)
        .await
        .unwrap();
    settings.body = "Văn bản chỉ đạo: {directives}".into();
    toso_reporting::create_report(store, &officer(), CAT_HAI, request.id, settings)
        .await
        .unwrap();
    let (_, message) = refusal(
        store
            .delete_document(&officer(), CAT_HAI, cited.id)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        message,
        "Văn bản được trích dẫn trong 1 báo cáo đã lập; không thể xóa."
    );
    store.document_of(CAT_HAI, cited.id).await.unwrap();

    // One entered by mistake (issued after the report's date): deleted,
    // audited; another commune's officer cannot reach it.
    let mistake = store
        .create_document(&officer(), new_doc("1000/UBND-VHXH", toso_store::today()))
        .await
        .unwrap();
    assert!(store
        .document_uses(CAT_HAI, mistake.id)
        .await
        .unwrap()
        .is_empty());
    not_found(
        store
            .delete_document(&officer(), ELSEWHERE, mistake.id)
            .await,
    );
    store.document_of(CAT_HAI, mistake.id).await.unwrap();
    let gone = store
        .delete_document(&officer(), CAT_HAI, mistake.id)
        .await
        .unwrap();
    assert_eq!(gone, mistake);
    not_found(store.document_of(CAT_HAI, mistake.id).await);
    let audit = last_audit(store, "document", mistake.id).await;
    assert_eq!(audit.action, "delete");
    assert_eq!(
        audit.before.as_ref().unwrap().0["doc_number"],
        "1000/UBND-VHXH"
    );
    assert!(audit.after.is_none());
    // Its number is free again.
    store
        .create_document(&officer(), new_doc("1000/UBND-VHXH", toso_store::today()))
        .await
        .unwrap();

    // Once the contest is gone, its letter is referred to only by the
    // report generated above (which cites every letter up to 30/11/2025).
    let contest = store.contests(CAT_HAI).await.unwrap()[0].id;
    store
        .delete_contest(&officer(), CAT_HAI, contest)
        .await
        .unwrap();
    assert_eq!(
        store
            .document_uses(CAT_HAI, contest_letter.id)
            .await
            .unwrap(),
        DocumentUses {
            reports: 1,
            ..Default::default()
        }
    );
}

//! The province's search on SQLite and PostgreSQL: people, teams, villages
//! and documents of every commune of the province are found by their
//! folded words ("nguyen van duc" finds "Nguyễn Văn Đức"), each with its
//! commune; nothing of another province is; `%` and `_` are no wildcards;
//! each kind is capped at [`MAX_HITS`] and says so.

use chrono::NaiveDate;
use toso_domain::{DocumentKind, DocumentNumber, Name};
use toso_store::search::{ProvinceResults, MAX_HITS};
use toso_store::{NewDocument, Store};
use toso_testkit::{
    actor, both_backends, d, Backend, MembershipBuilder, PersonBuilder, TeamBuilder, TestDb,
    VillageBuilder,
};

both_backends!(
    finds_every_kind_across_the_communes_of_the_province,
    each_kind_is_capped_and_says_so,
);

/// Hải Phòng, with Đặc khu Cát Hải and Phường Thành Đông.
const HAI_PHONG: i32 = 31;
const CAT_HAI: i32 = 11914;
const THANH_DONG: i32 = 10510;
/// Quảng Ninh, with Phường Hà Tu.
const QUANG_NINH: i32 = 22;
const HA_TU: i32 = 6652;

async fn document(store: &Store, commune: i32, number: &str, subject: &str, on: NaiveDate) -> i64 {
    store
        .create_document(
            &actor(),
            NewDocument {
                commune_code: commune,
                kind: DocumentKind::KeHoach,
                number: DocumentNumber::parse(number).unwrap(),
                issued_on: on,
                issuer: Name::issuer("Ủy ban nhân dân").unwrap(),
                subject: Name::subject(subject).unwrap(),
            },
        )
        .await
        .unwrap()
        .id
}

/// The (commune, id) of each hit of a kind.
fn people(r: &ProvinceResults) -> Vec<(i32, i64)> {
    r.people
        .items
        .iter()
        .map(|h| (h.commune_code, h.id))
        .collect()
}

async fn finds_every_kind_across_the_communes_of_the_province(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;

    // Villages "Thôn Đức Hậu" in two communes of Hải Phòng and one of
    // Quảng Ninh, each with its team; the team of Cát Hải is named after
    // the village, Thành Đông's is not (found by its village's name).
    let mut villages = Vec::new();
    let mut teams = Vec::new();
    for (commune, team_name) in [
        (CAT_HAI, "Tổ CNSCĐ Thôn Đức Hậu"),
        (THANH_DONG, "Tổ công nghệ số số một"),
        (HA_TU, "Tổ CNSCĐ Thôn Đức Hậu"),
    ] {
        let village = VillageBuilder::new()
            .commune(commune)
            .name("Thôn Đức Hậu")
            .expect_build(store)
            .await;
        let team = TeamBuilder::new()
            .village(village.id)
            .name(team_name)
            .expect_build(store)
            .await;
        villages.push(village);
        teams.push(team);
    }
    // "Nguyễn Văn Đức" in each: a member of the team in Cát Hải, without a
    // team in Thành Đông, and in Quảng Ninh.
    let mut persons = Vec::new();
    for commune in [CAT_HAI, THANH_DONG, HA_TU] {
        let person = PersonBuilder::new()
            .commune(commune)
            .name("Nguyễn Văn Đức")
            .birth_year(1980)
            .expect_build(store)
            .await;
        persons.push(person);
    }
    MembershipBuilder::new()
        .team(teams[0].id)
        .person(persons[0].id)
        .expect_build(store)
        .await;
    // Someone whose name only looks alike.
    PersonBuilder::new()
        .commune(CAT_HAI)
        .name("Nguyễn Văn Được")
        .expect_build(store)
        .await;
    let plan_cat_hai = document(
        store,
        CAT_HAI,
        "12/KH-UBND",
        "Triển khai Tổ công nghệ số tại thôn Đức Hậu",
        d(2025, 9, 1),
    )
    .await;
    let plan_thanh_dong = document(
        store,
        THANH_DONG,
        "30/KH-UBND",
        "Chuyển đổi số ở thôn Đức Hậu năm 2025",
        d(2025, 10, 1),
    )
    .await;
    document(
        store,
        HA_TU,
        "40/KH-UBND",
        "Chuyển đổi số ở thôn Đức Hậu",
        d(2025, 10, 2),
    )
    .await;

    // People, diacritic-free and in any case: both Hải Phòng's, with their
    // commune and current team; Quảng Ninh's not; "Được" is not "Đức".
    let found = store
        .search_province(HAI_PHONG, "nguyen VAN duc")
        .await
        .unwrap();
    let mut hits = people(&found);
    hits.sort();
    let mut expected = vec![(CAT_HAI, persons[0].id), (THANH_DONG, persons[1].id)];
    expected.sort();
    assert_eq!(hits, expected, "one person per commune of Hải Phòng");
    assert!(!found.people.capped);
    let cat_hai = found
        .people
        .items
        .iter()
        .find(|h| h.commune_code == CAT_HAI)
        .unwrap();
    assert_eq!(cat_hai.full_name, "Nguyễn Văn Đức");
    assert_eq!(cat_hai.commune_name, "Đặc khu Cát Hải");
    assert_eq!(cat_hai.birth_year, Some(1980));
    assert_eq!(cat_hai.team_id, Some(teams[0].id));
    assert_eq!(cat_hai.team_name.as_deref(), Some("Tổ CNSCĐ Thôn Đức Hậu"));
    let thanh_dong = found
        .people
        .items
        .iter()
        .find(|h| h.commune_code == THANH_DONG)
        .unwrap();
    assert_eq!(thanh_dong.commune_name, "Phường Thành Đông");
    assert_eq!(thanh_dong.team_id, None, "no team in Thành Đông");
    assert!(found.teams.is_empty() && found.villages.is_empty());
    assert!(found.documents.is_empty());

    // The same words with their diacritics find the same people.
    let accented = store
        .search_province(HAI_PHONG, "Nguyễn Văn Đức")
        .await
        .unwrap();
    assert_eq!(accented.people, found.people);

    // Villages, teams and documents by "duc hau".
    let found = store.search_province(HAI_PHONG, "duc hau").await.unwrap();
    assert!(found.people.is_empty());
    let mut v: Vec<(i32, i64)> = found
        .villages
        .items
        .iter()
        .map(|h| (h.commune_code, h.id))
        .collect();
    v.sort();
    assert_eq!(
        v,
        vec![(THANH_DONG, villages[1].id), (CAT_HAI, villages[0].id)],
        "the village of each commune of Hải Phòng, not Quảng Ninh's"
    );
    assert!(found
        .villages
        .items
        .iter()
        .all(|h| h.name == "Thôn Đức Hậu"));
    let mut t: Vec<(i32, i64)> = found
        .teams
        .items
        .iter()
        .map(|h| (h.commune_code, h.id))
        .collect();
    t.sort();
    assert_eq!(
        t,
        vec![(THANH_DONG, teams[1].id), (CAT_HAI, teams[0].id)],
        "a team by its name or its village's"
    );
    let by_village = found
        .teams
        .items
        .iter()
        .find(|h| h.id == teams[1].id)
        .unwrap();
    assert_eq!(by_village.village_name.as_deref(), Some("Thôn Đức Hậu"));
    assert_eq!(by_village.commune_name, "Phường Thành Đông");
    let docs: Vec<(i32, i64)> = found
        .documents
        .items
        .iter()
        .map(|h| (h.commune_code, h.id))
        .collect();
    assert_eq!(
        docs,
        vec![(THANH_DONG, plan_thanh_dong), (CAT_HAI, plan_cat_hai)],
        "documents, the latest first"
    );
    assert_eq!(found.documents.items[0].doc_number, "30/KH-UBND");
    assert_eq!(found.documents.items[0].kind, DocumentKind::KeHoach);

    // Every word must match: a team of Thành Đông is found by "so mot"
    // and its village's words together, not with a word found nowhere.
    let found = store
        .search_province(HAI_PHONG, "so mot duc")
        .await
        .unwrap();
    assert_eq!(found.teams.len(), 1);
    assert_eq!(found.teams.items[0].id, teams[1].id);
    let none = store
        .search_province(HAI_PHONG, "duc hau khong-co-dau")
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");

    // Quảng Ninh's search finds Quảng Ninh's records only.
    let found = store
        .search_province(QUANG_NINH, "nguyen van duc")
        .await
        .unwrap();
    assert_eq!(people(&found), vec![(HA_TU, persons[2].id)]);
    let found = store.search_province(QUANG_NINH, "Đức Hậu").await.unwrap();
    assert_eq!(found.villages.len(), 1);
    assert_eq!(found.villages.items[0].id, villages[2].id);
    assert_eq!(found.teams.len(), 1);
    assert_eq!(found.teams.items[0].id, teams[2].id);
    assert_eq!(found.documents.len(), 1);
    assert_eq!(found.documents.items[0].commune_code, HA_TU);

    // `%` and `_` match themselves only; an empty query finds nothing; a
    // province without records finds nothing.
    for query in ["%", "_", "ng_yen", "duc%hau", "", "   "] {
        let found = store.search_province(HAI_PHONG, query).await.unwrap();
        assert!(found.is_empty(), "{query:?}: {found:?}");
    }
    let found = store.search_province(1, "nguyen van duc").await.unwrap();
    assert!(found.is_empty(), "Hà Nội has no such person");
}

async fn each_kind_is_capped_and_says_so(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    // MAX_HITS people across two communes ("Nguyễn Thị Thử …", the
    // builder's names), then one more.
    for i in 0..MAX_HITS {
        let commune = if i % 2 == 0 { CAT_HAI } else { THANH_DONG };
        PersonBuilder::new()
            .commune(commune)
            .expect_build(store)
            .await;
    }
    let found = store
        .search_province(HAI_PHONG, "nguyen thi thu")
        .await
        .unwrap();
    assert_eq!(found.people.len(), MAX_HITS as usize);
    assert!(!found.people.capped, "exactly the cap: nothing left out");
    assert!(found.people.items.iter().any(|h| h.commune_code == CAT_HAI));
    assert!(found
        .people
        .items
        .iter()
        .any(|h| h.commune_code == THANH_DONG));

    PersonBuilder::new()
        .commune(THANH_DONG)
        .expect_build(store)
        .await;
    let found = store
        .search_province(HAI_PHONG, "Nguyễn Thị Thử")
        .await
        .unwrap();
    assert_eq!(found.people.len(), MAX_HITS as usize);
    assert!(found.people.capped, "one more than the cap");
    let mut names: Vec<&str> = found
        .people
        .items
        .iter()
        .map(|h| h.full_name.as_str())
        .collect();
    names.dedup();
    assert_eq!(names.len(), MAX_HITS as usize, "no hit twice");
}

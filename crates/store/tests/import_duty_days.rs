//! Importing duty days from a spreadsheet into the demo commune, on SQLite
//! and PostgreSQL (issue 22): one row per member on duty, the rows of one
//! village, day and place making one duty day, each audited as the team
//! page records it; the same file again changes nothing; one bad row writes
//! nothing; the exported list reads back unchanged; the quick-response
//! team's duty days name the team instead of a village, both ways.

use rust_xlsxwriter::{Format, Workbook};
use toso_domain::{fold, TeamKind};
use toso_sheets::{read_bytes, write_xlsx, ParsedSheet, ReadOptions, SheetKind};
use toso_store::{
    Actor, DutyMember, ImportOptions, ImportReport, MemberView, RowAction, Store, Team,
};
use toso_testkit::{both_backends, d, Backend, TestDb};

both_backends!(
    a_duty_day_sheet_creates_its_days_once,
    one_bad_row_writes_no_duty_day,
    exported_duty_days_reimport_unchanged,
    the_quick_response_team_is_named_instead_of_a_village,
);

const CAT_HAI: i32 = 11914;

fn parse(name: &str, bytes: &[u8]) -> ParsedSheet {
    read_bytes(
        name,
        bytes,
        SheetKind::DutyDays,
        &ReadOptions::new(toso_store::today()),
        &mut |_, _| {},
    )
    .unwrap()
}

async fn import(store: &Store, sheet: &ParsedSheet, commit: bool) -> ImportReport {
    let opts = ImportOptions {
        commune_code: CAT_HAI,
        as_of: d(2025, 11, 30),
        established_on: None,
        commit,
        source: "ngay-truc.xlsx".into(),
    };
    store
        .import(&Actor::system("test import"), sheet, &opts)
        .await
        .unwrap()
}

/// The team of the demo's "Tổ dân phố 1" and three of its members whose
/// names no one else in the team shares.
async fn tdp1(store: &Store) -> (Team, Vec<MemberView>) {
    let village = store
        .villages(CAT_HAI, None)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == "Tổ dân phố 1")
        .expect("the demo's Tổ dân phố 1");
    let team = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id == Some(village.id))
        .expect("its team");
    let all = store
        .team_members(team.id, Some(d(2025, 11, 28)))
        .await
        .unwrap();
    let unique: Vec<MemberView> = all
        .iter()
        .filter(|m| {
            all.iter()
                .filter(|o| fold(&o.full_name) == fold(&m.full_name))
                .count()
                == 1
        })
        .take(3)
        .cloned()
        .collect();
    assert_eq!(unique.len(), 3);
    (team, unique)
}

/// A sheet headed the local way, columns in another order than the
/// template's, under a title: (day, village, name, place, note) per row.
fn sheet(rows: &[(&str, &str, &str, &str, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.merge_range(
        0,
        0,
        0,
        5,
        "DANH SÁCH NGÀY TRỰC THÁNG 11/2025",
        &Format::new().set_bold(),
    )
    .unwrap();
    for (c, h) in [
        "STT",
        "Ngày trực",
        "Tên thôn, xóm",
        "Họ và tên",
        "Địa điểm trực",
        "Ghi chú",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(2, c as u16, *h).unwrap();
    }
    for (i, (day, village, name, place, note)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        s.write_number(r, 0, (i + 1) as f64).unwrap();
        for (c, v) in [day, village, name, place, note].iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r, 1 + c as u16, **v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn a_duty_day_sheet_creates_its_days_once(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let (team, m) = tdp1(store).await;
    // The demo's first duty day of the team, listed as it is.
    let demo_day = store
        .duty_days(team.id, d(2025, 11, 1), d(2025, 11, 30))
        .await
        .unwrap()
        .pop()
        .expect("a demo duty day");
    let demo_date = toso_domain::format_date(demo_day.held_on);
    let mut rows: Vec<(&str, &str, &str, &str, &str)> = vec![
        (
            "28/11/2025",
            "TDP 1",
            &m[0].full_name,
            "Chợ phiên Cát Hải",
            "Hướng dẫn cài VNeID",
        ),
        (
            "28/11/2025",
            "Tổ dân phố 1",
            &m[1].full_name,
            "chợ phiên Cát Hải",
            "",
        ),
        (
            "29/11/2025",
            "Tổ dân phố 1",
            &m[2].full_name,
            "Bộ phận một cửa",
            "",
        ),
    ];
    for name in demo_day.members.iter().map(|m| &m.full_name) {
        rows.push((
            &demo_date,
            "Tổ dân phố 1",
            name,
            "Bộ phận một cửa đặc khu Cát Hải",
            "",
        ));
    }
    let parsed = parse("ngay-truc.xlsx", &sheet(&rows));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.rows.len(), rows.len());

    // The dry run writes nothing.
    let preview = import(store, &parsed, false).await;
    assert!(preview.is_ok(), "{:?}", preview.errors);
    assert!(!preview.committed);
    assert_eq!(preview.created.duty_days, 2);
    assert_eq!(preview.count(RowAction::Create), 3);
    assert_eq!(preview.count(RowAction::Skip), demo_day.members.len());
    let new_days = || store.duty_days(team.id, d(2025, 11, 28), d(2025, 11, 29));
    assert!(new_days().await.unwrap().is_empty());

    let done = import(store, &parsed, true).await;
    assert!(done.committed, "{:?}", done.errors);
    let days = new_days().await.unwrap();
    assert_eq!(days.len(), 2);
    // Newest first: the 29th, then the market day of two members.
    let market = &days[1];
    assert_eq!(market.held_on, d(2025, 11, 28));
    assert_eq!(market.place, "Chợ phiên Cát Hải");
    assert_eq!(market.note.as_deref(), Some("Hướng dẫn cài VNeID"));
    let mut ids: Vec<i64> = market.members.iter().map(|m| m.person_id).collect();
    ids.sort_unstable();
    let mut want = vec![m[0].membership.person_id, m[1].membership.person_id];
    want.sort_unstable();
    assert_eq!(ids, want);
    assert_eq!(
        days[0].members,
        [DutyMember {
            person_id: m[2].membership.person_id,
            full_name: m[2].full_name.clone()
        }]
    );
    // Each audited as the team page records it.
    for day in &days {
        let audit = store.audit_of("duty_day", day.id).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].entity.as_str(), audit[0].action.as_str()),
            ("duty_day", "create")
        );
        assert_eq!(
            audit[0].after.as_ref().unwrap().0["place"],
            serde_json::json!(day.place)
        );
    }

    // The same file again: nothing to write.
    let again = import(store, &parsed, true).await;
    assert!(again.is_ok(), "{:?}", again.errors);
    assert!(again.changes_nothing());
    assert_eq!(again.count(RowAction::Skip), rows.len());
    assert_eq!(new_days().await.unwrap().len(), 2);
}

async fn one_bad_row_writes_no_duty_day(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let (team, m) = tdp1(store).await;
    let rows = [
        (
            "27/11/2025",
            "Tổ dân phố 1",
            m[0].full_name.as_str(),
            "Nhà văn hóa",
            "",
        ),
        (
            "27/11/2025",
            "Tổ dân phố 1",
            "Người Lạ Mặt",
            "Nhà văn hóa",
            "",
        ),
        (
            "28/11/2025",
            "Tổ dân phố 1",
            m[1].full_name.as_str(),
            "Bộ phận một cửa",
            "",
        ),
        (
            "31/11/2025",
            "Tổ dân phố 1",
            m[2].full_name.as_str(),
            "Chợ",
            "",
        ),
        (
            "29/11/2025",
            "Thôn Không Có",
            m[2].full_name.as_str(),
            "Chợ",
            "",
        ),
    ];
    let parsed = parse("loi.xlsx", &sheet(&rows));
    // The impossible date is the reader's error, the rest the plan's.
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert_eq!(
        (parsed.errors[0].line, parsed.errors[0].column),
        (7, Some("Ngày trực"))
    );
    let report = import(store, &parsed, true).await;
    assert!(!report.committed);
    let errors: Vec<(u32, Option<&str>)> =
        report.errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        errors,
        [
            (5, Some("Họ và tên")),
            (7, Some("Ngày trực")),
            (8, Some("Thôn/TDP"))
        ],
        "{:?}",
        report.errors
    );
    assert!(report.errors[0].message.contains("Người Lạ Mặt"));
    assert!(store
        .duty_days(team.id, d(2025, 11, 27), d(2025, 11, 30))
        .await
        .unwrap()
        .is_empty());
}

async fn exported_duty_days_reimport_unchanged(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let table = store
        .export_table(SheetKind::DutyDays, CAT_HAI, d(2025, 11, 30))
        .await
        .unwrap();
    // The demo: two days of each village team's leader and deputy.
    assert_eq!(table.rows.len(), 58 * 2 * 2);
    let xlsx = write_xlsx(std::slice::from_ref(&table)).unwrap();
    let parsed = parse("xuat.xlsx", &xlsx);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let report = import(store, &parsed, true).await;
    assert!(report.is_ok(), "{:?}", report.errors);
    assert!(report.changes_nothing());
    assert_eq!(report.count(RowAction::Skip), table.rows.len());
}

async fn the_quick_response_team_is_named_instead_of_a_village(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let team = store
        .teams(CAT_HAI)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.kind == TeamKind::QuickResponse)
        .expect("the demo's quick-response team");
    let members = store
        .team_members(team.id, Some(d(2025, 11, 27)))
        .await
        .unwrap();
    let unique: Vec<&MemberView> = members
        .iter()
        .filter(|m| {
            members
                .iter()
                .filter(|o| fold(&o.full_name) == fold(&m.full_name))
                .count()
                == 1
        })
        .take(2)
        .collect();
    assert_eq!(unique.len(), 2);
    // Two spellings of the team, one day, one place: one duty day.
    let rows = [
        (
            "27/11/2025",
            "Đội phản ứng nhanh",
            unique[0].full_name.as_str(),
            "Bộ phận một cửa",
            "",
        ),
        (
            "27/11/2025",
            team.name.as_str(),
            unique[1].full_name.as_str(),
            "Bộ phận một cửa",
            "",
        ),
    ];
    let parsed = parse("doi-phan-ung-nhanh.xlsx", &sheet(&rows));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let done = import(store, &parsed, true).await;
    assert!(done.committed, "{:?}", done.errors);
    assert_eq!(done.created.duty_days, 1);
    let days = store
        .duty_days(team.id, d(2025, 11, 27), d(2025, 11, 27))
        .await
        .unwrap();
    assert_eq!(days.len(), 1);
    let mut ids: Vec<i64> = days[0].members.iter().map(|m| m.person_id).collect();
    ids.sort_unstable();
    let mut want = vec![
        unique[0].membership.person_id,
        unique[1].membership.person_id,
    ];
    want.sort_unstable();
    assert_eq!(ids, want);
    // The export names the team where a village goes, and reads back
    // unchanged.
    let table = store
        .export_table(SheetKind::DutyDays, CAT_HAI, d(2025, 11, 30))
        .await
        .unwrap();
    let named: Vec<_> = table
        .rows
        .iter()
        .filter(|r| r[3] == toso_sheets::Value::text(&team.name))
        .collect();
    assert_eq!(named.len(), 2);
    let xlsx = write_xlsx(std::slice::from_ref(&table)).unwrap();
    let report = import(store, &parse("xuat.xlsx", &xlsx), true).await;
    assert!(report.is_ok(), "{:?}", report.errors);
    assert!(report.changes_nothing());
    // Someone not in the team is refused beside the name.
    let stranger = [(
        "26/11/2025",
        "Đội phản ứng nhanh",
        "Người Lạ Mặt",
        "Bộ phận một cửa",
        "",
    )];
    let report = import(store, &parse("loi.xlsx", &sheet(&stranger)), true).await;
    assert!(!report.committed);
    assert_eq!(report.errors[0].column, Some("Họ và tên"));
    assert!(report.errors[0].message.contains(&team.name));
}

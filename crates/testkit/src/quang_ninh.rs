//! A commune of another province for the tests that must not see Hải
//! Phòng's demo: Phường Hà Tu (6652) of Quảng Ninh (22), with two villages
//! and their teams set up by a decision, a contest of the province with
//! registrations, a campaign with two mass organisations, a training course
//! and the Department's request for a report. Everything goes through the
//! store's validated API, like a user's input.

use chrono::NaiveDate;
use toso_domain::{
    ContestGroup, DocumentKind, DocumentNumber, Name, PartnerOrganisation, TeamKind, TrainingMode,
    VillageKind,
};
use toso_store::{Actor, NewCampaign, NewContest, NewCourse, NewDocument, NewRequest, Store};

use crate::{TeamBuilder, VillageBuilder};

/// Phường Hà Tu.
pub const COMMUNE_CODE: i32 = 6652;
/// Tỉnh Quảng Ninh.
pub const PROVINCE_CODE: i32 = 22;
/// The Department's request the commune answers.
pub const REQUEST_NUMBER: &str = "812/SKHCN-CĐS";
/// The decision establishing the teams.
pub const DECISION_NUMBER: &str = "245/QĐ-UBND";
/// The contest the province launched.
pub const CONTEST_NAME: &str = "Tìm hiểu chuyển đổi số Quảng Ninh năm 2025";
pub const CONTEST_ORGANISER: &str = "Ủy ban nhân dân tỉnh Quảng Ninh";
/// People registered for the contest by 30/11/2025.
pub const REGISTERED: i32 = 215;
pub const CAMPAIGN_NAME: &str = "Phường Hà Tu chung tay chuyển đổi số";
pub const COURSE_TITLE: &str = "Bồi dưỡng kỹ năng số cho Tổ công nghệ số cộng đồng";
pub const ZALO_LINK: &str = "https://zalo.me/g/hatu2025qn";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Create the commune's records (once: call it on a fresh database).
pub async fn seed(store: &Store) -> toso_store::Result<()> {
    let actor = Actor::system("test");
    let decision = store
        .create_document(
            &actor,
            NewDocument {
                commune_code: COMMUNE_CODE,
                kind: DocumentKind::QuyetDinh,
                number: DocumentNumber::parse(DECISION_NUMBER)?,
                issued_on: date(2025, 9, 15),
                issuer: Name::issuer("Ủy ban nhân dân phường Hà Tu")?,
                subject: Name::subject("Về việc thành lập Tổ công nghệ số cộng đồng các khu phố")?,
            },
        )
        .await?;
    let mut villages = Vec::new();
    for name in ["Khu phố 1", "Khu phố 2"] {
        let village = VillageBuilder::new()
            .commune(COMMUNE_CODE)
            .kind(VillageKind::KhuPho)
            .name(name)
            .active_from(date(2025, 7, 1))
            .build(store)
            .await?;
        TeamBuilder::new()
            .village(village.id)
            .name(&TeamKind::Village.usual_name(name))
            .established_on(date(2025, 9, 20))
            .decision(decision.id)
            .zalo(ZALO_LINK)
            .build(store)
            .await?;
        villages.push(village.id);
    }
    let contest = store
        .create_contest(
            &actor,
            NewContest {
                commune_code: COMMUNE_CODE,
                name: Name::subject(CONTEST_NAME)?,
                organiser: Name::issuer(CONTEST_ORGANISER)?,
                document_id: None,
                starts_on: date(2025, 10, 1),
                ends_on: Some(date(2025, 12, 31)),
            },
        )
        .await?;
    for (day, group, count) in [
        (date(2025, 10, 10), ContestGroup::CanBo, 40),
        (date(2025, 11, 5), ContestGroup::NguoiDan, REGISTERED - 40),
    ] {
        store
            .add_registrations(&actor, contest.id, day, group, count)
            .await?;
    }
    store
        .create_campaign(
            &actor,
            NewCampaign {
                commune_code: COMMUNE_CODE,
                name: Name::subject(CAMPAIGN_NAME)?,
                held_on: date(2025, 11, 16),
                partners: vec![PartnerOrganisation::HoiPn, PartnerOrganisation::Mttq],
                village_ids: villages,
                participants: 25,
                citizens_reached: 180,
                note: None,
            },
        )
        .await?;
    store
        .create_course(
            &actor,
            NewCourse {
                commune_code: COMMUNE_CODE,
                title: Name::subject(COURSE_TITLE)?,
                organiser: Name::issuer("Sở Khoa học và Công nghệ tỉnh Quảng Ninh")?,
                document_id: None,
                starts_on: date(2025, 10, 20),
                ends_on: Some(date(2025, 10, 21)),
                mode: TrainingMode::TrucTiep,
                officials_registered: 12,
                officials_completed: 12,
                citizens_registered: 0,
                citizens_completed: 0,
                participants: vec![],
            },
        )
        .await?;
    store
        .create_request(
            &actor,
            NewRequest::new(
                PROVINCE_CODE,
                DocumentNumber::parse(REQUEST_NUMBER)?,
                date(2025, 12, 2),
                Name::issuer("Sở Khoa học và Công nghệ")?,
                Name::subject("Về việc báo cáo kết quả hoạt động của Tổ công nghệ số cộng đồng")?,
                Some(date(2025, 12, 20)),
                date(2025, 11, 30),
            ),
        )
        .await?;
    Ok(())
}

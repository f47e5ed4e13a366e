//! The teams' work beyond the support log, as the demo records it: the
//! training courses (members by name), the campaigns with the mass
//! organisations (their villages' leaders by name), the duty days at the
//! commune's public-service desk, and the example allowance policy.

use toso_domain::{DocumentNumber, Name, PartnerOrganisation, Rates, Role, TeamKind, TrainingMode};
use toso_store::{
    Actor, NewCampaign, NewCourse, NewDutyDay, NewPolicy, PolicyOwner, Result, Store,
};

use crate::{date, COMMUNE_CODE, PROVINCE_CODE, VILLAGES};

/// A training course of the demo: (title, organiser, letter, start, end,
/// mode, who takes part by name, officials registered/completed, citizens
/// registered/completed, members by name who did not complete).
pub struct DemoCourse {
    pub title: &'static str,
    pub organiser: &'static str,
    pub letter: Option<&'static str>,
    pub starts_on: (i32, u32, u32),
    pub ends_on: (i32, u32, u32),
    pub mode: TrainingMode,
    pub members: DemoTrainees,
    pub officials: (i32, i32),
    pub citizens: (i32, i32),
    /// Every n-th member by name did not complete (0: all completed).
    pub missed_every: usize,
}

/// Which team members a demo course lists by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoTrainees {
    /// The members of the quick-response team.
    QuickResponse,
    /// Every village team's leader.
    Leaders,
    /// Every village team's deputy.
    Deputies,
}

/// The two courses of the reference report, then one of 2026.
pub const COURSES: &[DemoCourse] = &[
    DemoCourse {
        title: "Ứng dụng trí tuệ nhân tạo (AI), tự động hóa trong cơ quan nhà nước",
        organiser: "Sở Khoa học và Công nghệ thành phố Hải Phòng",
        letter: Some("1688/VHXH"),
        starts_on: (2025, 10, 28),
        ends_on: (2025, 11, 14),
        mode: TrainingMode::TrucTuyen,
        members: DemoTrainees::QuickResponse,
        officials: (35, 33),
        citizens: (0, 0),
        missed_every: 9,
    },
    DemoCourse {
        title: "Tập huấn sử dụng Hệ thống Chính quyền số thành phố",
        organiser: "Ủy ban nhân dân thành phố Hải Phòng",
        letter: Some("2086/UBND-VHXH"),
        starts_on: (2025, 11, 18),
        ends_on: (2025, 11, 20),
        mode: TrainingMode::TrucTiep,
        members: DemoTrainees::Leaders,
        officials: (42, 40),
        citizens: (120, 96),
        missed_every: 15,
    },
    DemoCourse {
        title: "Kỹ năng hướng dẫn người dân sử dụng VNeID và dịch vụ công trực tuyến",
        organiser: "Ủy ban nhân dân đặc khu Cát Hải",
        letter: None,
        starts_on: (2026, 3, 17),
        ends_on: (2026, 3, 19),
        mode: TrainingMode::TrucTiep,
        members: DemoTrainees::Deputies,
        officials: (10, 10),
        citizens: (0, 0),
        missed_every: 10,
    },
];

/// A campaign of the demo: name, partners, date, villages (indexes into
/// the village list), participants, citizens reached.
pub struct DemoCampaign {
    pub name: &'static str,
    pub partners: &'static [PartnerOrganisation],
    pub held_on: (i32, u32, u32),
    pub villages: &'static [usize],
    pub participants: i32,
    pub citizens_reached: i32,
}

/// A year of campaigns with the four mass organisations (and the Front).
pub const CAMPAIGNS: &[DemoCampaign] = &[
    DemoCampaign {
        name: "Tuổi trẻ chuyển đổi số",
        partners: &[PartnerOrganisation::DoanTn],
        held_on: (2025, 11, 9),
        villages: &[0, 1, 2, 3, 4, 5],
        participants: 45,
        citizens_reached: 320,
    },
    DemoCampaign {
        name: "Chủ nhật xanh",
        partners: &[PartnerOrganisation::DoanTn, PartnerOrganisation::HoiPn],
        held_on: (2025, 11, 23),
        villages: &[18, 19, 20],
        participants: 60,
        citizens_reached: 410,
    },
    DemoCampaign {
        name: "Ngày thứ Bảy tình nguyện",
        partners: &[PartnerOrganisation::DoanTn, PartnerOrganisation::HoiCcb],
        held_on: (2025, 12, 13),
        villages: &[6, 7, 8, 9, 10, 11],
        participants: 52,
        citizens_reached: 365,
    },
    DemoCampaign {
        name: "Phụ nữ Cát Hải với chuyển đổi số",
        partners: &[PartnerOrganisation::HoiPn, PartnerOrganisation::Mttq],
        held_on: (2026, 3, 8),
        villages: &[12, 13, 14, 15, 16, 17],
        participants: 70,
        citizens_reached: 540,
    },
    DemoCampaign {
        name: "Nông dân số: bán hàng trên sàn thương mại điện tử",
        partners: &[PartnerOrganisation::HoiNd],
        held_on: (2026, 5, 16),
        villages: &[21, 22, 23, 24, 25, 26, 27],
        participants: 38,
        citizens_reached: 260,
    },
    DemoCampaign {
        name: "Cựu chiến binh gương mẫu dùng VNeID",
        partners: &[PartnerOrganisation::HoiCcb, PartnerOrganisation::Mttq],
        held_on: (2026, 7, 25),
        villages: &[28, 29, 30, 31, 32],
        participants: 30,
        citizens_reached: 215,
    },
    DemoCampaign {
        name: "Ngày thứ Bảy tình nguyện",
        partners: &[
            PartnerOrganisation::DoanTn,
            PartnerOrganisation::HoiPn,
            PartnerOrganisation::HoiNd,
            PartnerOrganisation::HoiCcb,
        ],
        held_on: (2026, 9, 19),
        villages: &[33, 34, 35, 36, 37, 38, 39, 40],
        participants: 96,
        citizens_reached: 720,
    },
];

/// The training courses, with members by name from the teams.
pub(crate) async fn create_courses(store: &Store, actor: &Actor) -> Result<()> {
    let teams = store.teams(COMMUNE_CODE).await?;
    let mut quick = Vec::new();
    let mut leaders = Vec::new();
    let mut deputies = Vec::new();
    for team in &teams {
        for m in store.team_members(team.id, None).await? {
            let person = m.membership.person_id;
            match (team.kind, m.membership.role) {
                (TeamKind::QuickResponse, _) => quick.push(person),
                (TeamKind::Village, Role::ToTruong) => leaders.push(person),
                (TeamKind::Village, Role::ToPho) => deputies.push(person),
                _ => {}
            }
        }
    }
    for course in COURSES {
        let document_id = match course.letter {
            Some(n) => store
                .document_by_number(COMMUNE_CODE, &DocumentNumber::parse(n)?)
                .await?
                .map(|d| d.id),
            None => None,
        };
        let people = match course.members {
            DemoTrainees::QuickResponse => &quick,
            DemoTrainees::Leaders => &leaders,
            DemoTrainees::Deputies => &deputies,
        };
        let participants = people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let missed =
                    course.missed_every != 0 && (i + 1).is_multiple_of(course.missed_every);
                (*p, !missed)
            })
            .collect();
        let (y, m, d) = course.starts_on;
        let (ey, em, ed) = course.ends_on;
        store
            .create_course(
                actor,
                NewCourse {
                    commune_code: COMMUNE_CODE,
                    title: Name::subject(course.title)?,
                    organiser: Name::issuer(course.organiser)?,
                    document_id,
                    starts_on: date(y, m, d),
                    ends_on: Some(date(ey, em, ed)),
                    mode: course.mode,
                    officials_registered: course.officials.0,
                    officials_completed: course.officials.1,
                    citizens_registered: course.citizens.0,
                    citizens_completed: course.citizens.1,
                    participants,
                },
            )
            .await?;
    }
    Ok(())
}

/// Duty days: in November 2025 each village team's leader and deputies kept
/// the commune's public-service desk on two days (the attendance sheets then
/// show "T" beside the support entries' "H").
pub(crate) async fn create_duty_days(store: &Store, actor: &Actor) -> Result<()> {
    for (i, team) in store.teams(COMMUNE_CODE).await?.into_iter().enumerate() {
        if team.kind != TeamKind::Village {
            continue;
        }
        let on_duty: Vec<i64> = store
            .team_members(team.id, None)
            .await?
            .iter()
            .filter(|m| matches!(m.membership.role, Role::ToTruong | Role::ToPho))
            .map(|m| m.membership.person_id)
            .collect();
        if on_duty.is_empty() {
            continue;
        }
        for day in [3 + (i % 10) as u32, 17 + (i % 10) as u32] {
            store
                .create_duty_day(
                    actor,
                    NewDutyDay {
                        team_id: team.id,
                        held_on: date(2025, 11, day),
                        place: "Bộ phận một cửa đặc khu Cát Hải".into(),
                        note: None,
                        members: on_duty.clone(),
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// The campaigns name the leaders of the village teams whose villages they
/// were held in.
pub(crate) async fn create_campaign_members(store: &Store, actor: &Actor) -> Result<()> {
    let teams = store.teams(COMMUNE_CODE).await?;
    for campaign in store.campaigns(COMMUNE_CODE).await? {
        let mut persons = Vec::new();
        for (village_id, _) in &campaign.villages {
            let Some(team) = teams.iter().find(|t| t.village_id == Some(*village_id)) else {
                continue;
            };
            for m in store.team_members(team.id, Some(campaign.held_on)).await? {
                if m.membership.role == Role::ToTruong {
                    persons.push(m.membership.person_id);
                }
            }
        }
        store
            .set_campaign_members(actor, COMMUNE_CODE, campaign.id, persons)
            .await?;
    }
    Ok(())
}

/// An example allowance policy for Hải Phòng, clearly marked as such: the
/// amounts are not a real resolution's (the demo's sheets need amounts).
pub(crate) async fn create_allowance_policy(store: &Store, actor: &Actor) -> Result<()> {
    store
        .save_policy(
            actor,
            PolicyOwner::Province(PROVINCE_CODE),
            None,
            NewPolicy {
                resolution: "VD-01/2025/NQ-HĐND".into(),
                resolution_on: date(2025, 7, 1),
                effective_from: date(2025, 7, 1),
                effective_until: None,
                rates: Rates {
                    per_team_month: 500_000,
                    per_member_month: 100_000,
                    per_day: 50_000,
                    day_cap: Some(8),
                    min_days: 2,
                },
                example: true,
                note: Some(
                    "Ví dụ minh họa của bản demo, không phải mức chi của nghị quyết thật.".into(),
                ),
            },
        )
        .await?;
    Ok(())
}

/// The campaigns with the mass organisations.
pub(crate) async fn create_campaigns(store: &Store, actor: &Actor) -> Result<()> {
    let villages = store.villages(COMMUNE_CODE, None).await?;
    let id_of = |i: usize| {
        villages
            .iter()
            .find(|v| v.name == VILLAGES[i].1)
            .map(|v| v.id)
            .expect("a demo village")
    };
    for c in CAMPAIGNS {
        let (y, m, d) = c.held_on;
        store
            .create_campaign(
                actor,
                NewCampaign {
                    commune_code: COMMUNE_CODE,
                    name: Name::subject(c.name)?,
                    held_on: date(y, m, d),
                    partners: c.partners.to_vec(),
                    village_ids: c.villages.iter().map(|&i| id_of(i)).collect(),
                    participants: c.participants,
                    citizens_reached: c.citizens_reached,
                    note: None,
                },
            )
            .await?;
    }
    Ok(())
}

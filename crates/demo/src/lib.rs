//! The demo commune: Đặc khu Cát Hải (commune 11914 of Thành phố Hải Phòng)
//! as in the reference report — 58 villages, 58 teams established by Quyết
//! định 1907 of 31/10/2025 (which also set up the quick-response team), 386
//! members, the teams' Zalo group and the commune's letters.
//!
//! Deterministic: the same records on every run. Names and phone numbers are
//! synthetic (drawn from common Vietnamese name parts); no real person.
//! Everything goes through the store's validated API, like a user's input.

use chrono::NaiveDate;
use toso_domain::{
    Affiliation, BirthYear, ContestGroup, DocumentKind, DocumentNumber, Gender, Name, Password,
    PersonName, PhoneNumber, Role, SupportCategory, TeamKind, UserRole, Username, VillageKind,
    ZaloGroupLink,
};
use toso_store::{
    Actor, NewActivity, NewContest, NewDocument, NewMembership, NewPerson, NewRequest, NewTeam,
    NewUser, NewVillage, Result, Store,
};

pub mod synthetic;
mod work;
use synthetic::{mobile_phone, Rng};
pub use work::{DemoCampaign, DemoCourse, DemoTrainees, CAMPAIGNS, COURSES};

pub const COMMUNE_CODE: i32 = 11914;
/// Thành phố Hải Phòng.
pub const PROVINCE_CODE: i32 = 31;
pub const ZALO_LINK: &str = "https://zalo.me/g/xuubpv554";
pub const DECISION_NUMBER: &str = "1907/QĐ-UBND";
/// Members of the 58 village teams: 38 teams of 7 and 20 teams of 6.
pub const VILLAGE_MEMBERS: usize = 386;
pub const QUICK_RESPONSE_MEMBERS: usize = 9;

/// The demo accounts, one per role, all with [`DEMO_PASSWORD`]. Demo mode
/// only: a real installation starts with `toso user add --role admin`.
pub const DEMO_USERS: &[(&str, UserRole, &str)] = &[
    ("admin", UserRole::Admin, "Quản trị hệ thống (demo)"),
    (
        "bokhcn",
        UserRole::MinistryOfficer,
        "Cán bộ Bộ KH&CN (demo)",
    ),
    (
        "sokhcn",
        UserRole::ProvinceOfficer,
        "Cán bộ Sở KH&CN Hải Phòng (demo)",
    ),
    (
        "canboxa",
        UserRole::CommuneOfficer,
        "Cán bộ Văn hóa - Xã hội Cát Hải (demo)",
    ),
    (
        "totruong",
        UserRole::TeamLeader,
        "Tổ trưởng Tổ dân phố 1 (demo)",
    ),
    (
        "thanhvien",
        UserRole::TeamMember,
        "Thành viên Tổ dân phố 1 (demo)",
    ),
];
pub const DEMO_PASSWORD: &str = "toso-demo";

pub const CONTEST_NAME: &str = "Công dân số Hải Phòng - Sử dụng thông minh, sống an toàn";
/// Registrations of the contest: (date, group, count). They add up to
/// 1.440 by 30/11/2025, as in the reference report; one more entry in
/// December shows that the figure follows the as-of date.
pub const REGISTRATIONS: &[((i32, u32, u32), ContestGroup, i32)] = &[
    ((2025, 10, 20), ContestGroup::CanBo, 95),
    ((2025, 10, 25), ContestGroup::NguoiDan, 120),
    ((2025, 11, 1), ContestGroup::NguoiDan, 140),
    ((2025, 11, 3), ContestGroup::CanBo, 60),
    ((2025, 11, 5), ContestGroup::ThanhVienTo, 210),
    ((2025, 11, 10), ContestGroup::NguoiDan, 180),
    ((2025, 11, 15), ContestGroup::NguoiDan, 150),
    ((2025, 11, 17), ContestGroup::CanBo, 57),
    ((2025, 11, 20), ContestGroup::ThanhVienTo, 176),
    ((2025, 11, 25), ContestGroup::NguoiDan, 130),
    ((2025, 11, 30), ContestGroup::NguoiDan, 122),
    ((2025, 12, 5), ContestGroup::NguoiDan, 64),
];
pub const REGISTRATIONS_BY_END_OF_NOVEMBER: i64 = 1440;

/// Support activities are generated for the twelve months from 11/2025.
pub const ACTIVITY_MONTHS: u32 = 12;

const ISSUER_UBND: &str = "Ủy ban nhân dân đặc khu Cát Hải";
const ISSUER_VHXH: &str = "Phòng Văn hóa - Xã hội đặc khu Cát Hải";

/// A directive document of the demo commune.
pub struct DemoDocument {
    pub kind: DocumentKind,
    pub number: &'static str,
    pub issued_on: (i32, u32, u32),
    pub issuer: &'static str,
    pub subject: &'static str,
}

/// The commune's directive documents of the reporting period.
pub const DOCUMENTS: &[DemoDocument] = &[
    DemoDocument {
        kind: DocumentKind::CongVan,
        number: "1643/UBND-VHXH",
        issued_on: (2025, 10, 14),
        issuer: ISSUER_UBND,
        subject: "Về triển khai Cuộc thi “Công dân số Hải Phòng - sử dụng thông minh, sống an toàn”",
    },
    DemoDocument {
        kind: DocumentKind::CongVan,
        number: "1688/VHXH",
        issued_on: (2025, 10, 20),
        issuer: ISSUER_VHXH,
        subject: "Về tham gia lớp tập huấn “Ứng dụng trí tuệ nhân tạo (AI), tự động hóa trong cơ quan nhà nước”",
    },
    DemoDocument {
        kind: DocumentKind::QuyetDinh,
        number: DECISION_NUMBER,
        issued_on: (2025, 10, 31),
        issuer: ISSUER_UBND,
        subject: "Về việc thành lập Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản ứng nhanh Ủy ban nhân dân đặc khu Cát Hải",
    },
    DemoDocument {
        kind: DocumentKind::CongVan,
        number: "2086/UBND-VHXH",
        issued_on: (2025, 11, 12),
        issuer: ISSUER_UBND,
        subject: "Về tuyên truyền, vận động người dân và doanh nghiệp tham gia lớp Tập huấn sử dụng Hệ thống Chính quyền số thành phố",
    },
];

/// Residential groups of the two former towns, then villages of the former
/// communes of Cát Bà and Cát Hải islands (synthetic but plausible names).
const VILLAGES: &[(VillageKind, &str)] = &[
    (VillageKind::ToDanPho, "Tổ dân phố 1"),
    (VillageKind::ToDanPho, "Tổ dân phố 2"),
    (VillageKind::ToDanPho, "Tổ dân phố 3"),
    (VillageKind::ToDanPho, "Tổ dân phố 4"),
    (VillageKind::ToDanPho, "Tổ dân phố 5"),
    (VillageKind::ToDanPho, "Tổ dân phố 6"),
    (VillageKind::ToDanPho, "Tổ dân phố 7"),
    (VillageKind::ToDanPho, "Tổ dân phố 8"),
    (VillageKind::ToDanPho, "Tổ dân phố 9"),
    (VillageKind::ToDanPho, "Tổ dân phố 10"),
    (VillageKind::ToDanPho, "Tổ dân phố 11"),
    (VillageKind::ToDanPho, "Tổ dân phố 12"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Phong"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Bình"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Thành"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Tiến"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Hưng"),
    (VillageKind::ToDanPho, "Tổ dân phố Hải Sơn"),
    (VillageKind::Thon, "Thôn Bến"),
    (VillageKind::Thon, "Thôn Liên Minh"),
    (VillageKind::Thon, "Thôn Phù Lưu"),
    (VillageKind::Thon, "Thôn Hòa Hỷ"),
    (VillageKind::Thon, "Thôn Tiến Quang"),
    (VillageKind::Thon, "Thôn Đông Thịnh"),
    (VillageKind::Thon, "Thôn Xuân Đám"),
    (VillageKind::Thon, "Thôn Liên Hòa"),
    (VillageKind::Thon, "Thôn Hiền Hào"),
    (VillageKind::Thon, "Thôn Áng Sỏi"),
    (VillageKind::Thon, "Thôn Gia Lộc"),
    (VillageKind::Thon, "Thôn Gia Luận"),
    (VillageKind::Thon, "Thôn Phù Long"),
    (VillageKind::Thon, "Thôn Cái Viềng"),
    (VillageKind::Thon, "Thôn Việt Hải"),
    (VillageKind::Thon, "Thôn Bắc Hà"),
    (VillageKind::Thon, "Thôn Đông Tiến"),
    (VillageKind::Thon, "Thôn Nam Hải"),
    (VillageKind::Thon, "Thôn Văn Phong"),
    (VillageKind::Thon, "Thôn Chấn Hưng"),
    (VillageKind::Thon, "Thôn Nghĩa Lộ"),
    (VillageKind::Thon, "Thôn Hoàng Châu"),
    (VillageKind::Thon, "Thôn Đồng Bài"),
    (VillageKind::Thon, "Thôn Tân Lập"),
    (VillageKind::Thon, "Thôn Hòa Bình"),
    (VillageKind::Thon, "Thôn Thống Nhất"),
    (VillageKind::Thon, "Thôn Quyết Thắng"),
    (VillageKind::Thon, "Thôn Đoàn Kết"),
    (VillageKind::Thon, "Thôn Bình Minh"),
    (VillageKind::Thon, "Thôn An Lạc"),
    (VillageKind::Thon, "Thôn Phú Cường"),
    (VillageKind::Thon, "Thôn Trung Hải"),
    (VillageKind::Thon, "Thôn Tây Hải"),
    (VillageKind::Thon, "Thôn Đông Hải"),
    (VillageKind::Thon, "Thôn Minh Tân"),
    (VillageKind::Thon, "Thôn Thanh Hải"),
    (VillageKind::Thon, "Thôn Hợp Thành"),
    (VillageKind::Thon, "Thôn Quang Trung"),
    (VillageKind::Thon, "Thôn Ninh Tiếp"),
    (VillageKind::Thon, "Thôn Lục Độ"),
];

/// The affiliations of a village team's seats after the leader (trưởng
/// thôn) and deputy (Đoàn Thanh niên), in order.
const SEATS: &[Affiliation] = &[
    Affiliation::CongAn,
    Affiliation::HoiPn,
    Affiliation::HoiNd,
    Affiliation::HoiCcb,
    Affiliation::BiThuChiBo,
];
const SEATS_ALT: &[Affiliation] = &[
    Affiliation::CongAn,
    Affiliation::HoiPn,
    Affiliation::HoiCcb,
    Affiliation::NguoiCoUyTin,
    Affiliation::DoanhNghiepVienThong,
];

/// One synthetic person; `seq` numbers people so phone numbers are unique.
fn person(rng: &mut Rng, seq: u64, gender: Gender) -> (String, Gender, i32, String) {
    let name = rng.person_name(gender);
    let birth_year = 1962 + rng.below(42) as i32;
    let phone = mobile_phone(rng, seq);
    (name, gender, birth_year, phone)
}

/// Enrols the demo's members one by one: a synthetic person (numbered, so
/// that phone numbers are unique) and their membership from the founding
/// day.
struct Enrol<'a> {
    store: &'a Store,
    actor: &'a Actor,
    rng: Rng,
    /// People enrolled so far.
    people: u64,
    founded: NaiveDate,
    today: NaiveDate,
}

impl Enrol<'_> {
    async fn member(
        &mut self,
        team_id: i64,
        role: Role,
        affiliation: Affiliation,
        gender: Gender,
    ) -> Result<()> {
        self.people += 1;
        let (full_name, gender, birth_year, phone) = person(&mut self.rng, self.people, gender);
        let person = self
            .store
            .create_person(
                self.actor,
                NewPerson {
                    commune_code: COMMUNE_CODE,
                    full_name: PersonName::parse(&full_name)?,
                    gender: Some(gender),
                    birth_year: Some(BirthYear::new(birth_year, self.today)?),
                    phone: Some(PhoneNumber::parse(&phone)?),
                },
            )
            .await?;
        self.store
            .add_membership(
                self.actor,
                NewMembership {
                    team_id,
                    person_id: person.id,
                    role,
                    affiliation,
                    started_on: self.founded,
                },
            )
            .await?;
        Ok(())
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date")
}

/// What `load` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Created {
        villages: usize,
        teams: usize,
        people: usize,
    },
    AlreadyPresent,
}

/// Load the demo commune unless the commune already has villages.
pub async fn load(store: &Store) -> Result<Loaded> {
    if !store.villages(COMMUNE_CODE, None).await?.is_empty() {
        return Ok(Loaded::AlreadyPresent);
    }
    let actor = Actor::system("demo");
    let today = toso_store::today();
    let villages_from = date(2025, 7, 1);
    let founded = date(2025, 10, 31);

    let mut decision_id = None;
    for doc in DOCUMENTS {
        let (y, m, d) = doc.issued_on;
        let created = store
            .create_document(
                &actor,
                NewDocument {
                    commune_code: COMMUNE_CODE,
                    kind: doc.kind,
                    number: DocumentNumber::parse(doc.number)?,
                    issued_on: date(y, m, d),
                    issuer: Name::issuer(doc.issuer)?,
                    subject: Name::subject(doc.subject)?,
                },
            )
            .await?;
        if doc.number == DECISION_NUMBER {
            decision_id = Some(created.id);
        }
    }

    let zalo = ZaloGroupLink::parse(ZALO_LINK)?;
    let mut enrol = Enrol {
        store,
        actor: &actor,
        rng: Rng::from_state(11914),
        people: 0,
        founded,
        today,
    };

    for (i, (kind, name)) in VILLAGES.iter().enumerate() {
        let village = store
            .create_village(
                &actor,
                NewVillage {
                    commune_code: COMMUNE_CODE,
                    kind: *kind,
                    name: Name::village(name)?,
                    active_from: villages_from,
                },
            )
            .await?;
        let team = store
            .create_team(
                &actor,
                NewTeam {
                    commune_code: COMMUNE_CODE,
                    kind: TeamKind::Village,
                    village_id: Some(village.id),
                    name: Name::team(&TeamKind::Village.usual_name(name))?,
                    established_on: founded,
                    decision_id,
                    zalo_link: Some(zalo.clone()),
                },
            )
            .await?;
        let size = if i < 38 { 7 } else { 6 };
        let seats = if i % 3 == 2 { SEATS_ALT } else { SEATS };
        for seat in 0..size {
            let (role, affiliation, gender) = match seat {
                0 => (Role::ToTruong, Affiliation::TruongThon, Gender::Nam),
                1 => (
                    Role::ToPho,
                    Affiliation::DoanTn,
                    *enrol.rng.pick(&[Gender::Nam, Gender::Nu]),
                ),
                n => {
                    let aff = seats[n - 2];
                    let gender = if aff == Affiliation::HoiPn || enrol.rng.below(3) == 0 {
                        Gender::Nu
                    } else {
                        Gender::Nam
                    };
                    (Role::ThanhVien, aff, gender)
                }
            };
            enrol.member(team.id, role, affiliation, gender).await?;
        }
    }

    let quick = store
        .create_team(
            &actor,
            NewTeam {
                commune_code: COMMUNE_CODE,
                kind: TeamKind::QuickResponse,
                village_id: None,
                name: Name::team("Đội hỗ trợ chuyển đổi số phản ứng nhanh đặc khu Cát Hải")?,
                established_on: founded,
                decision_id,
                zalo_link: Some(zalo),
            },
        )
        .await?;
    for seat in 0..QUICK_RESPONSE_MEMBERS {
        let (role, affiliation) = match seat {
            0 => (Role::ToTruong, Affiliation::Khac),
            1 => (Role::ToPho, Affiliation::CongAn),
            2 | 3 => (Role::ThanhVien, Affiliation::DoanTn),
            4 => (Role::ThanhVien, Affiliation::DoanhNghiepVienThong),
            _ => (Role::ThanhVien, Affiliation::Khac),
        };
        let gender = *enrol.rng.pick(&[Gender::Nam, Gender::Nu]);
        enrol.member(quick.id, role, affiliation, gender).await?;
    }
    let people = enrol.people as usize;

    create_contest(store, &actor).await?;
    work::create_courses(store, &actor).await?;
    work::create_campaigns(store, &actor).await?;
    create_activities(store, &actor).await?;
    work::create_duty_days(store, &actor).await?;
    work::create_campaign_members(store, &actor).await?;
    work::create_allowance_policy(store, &actor).await?;
    create_users(store, &actor).await?;
    create_request(store, &actor).await?;
    create_help_requests(store, &actor).await?;
    tracing::info!(villages = VILLAGES.len(), people, "demo commune loaded");
    Ok(Loaded::Created {
        villages: VILLAGES.len(),
        teams: VILLAGES.len() + 1,
        people,
    })
}

/// The Department's letter the reference report answers.
pub const REQUEST_NUMBER: &str = "4675/SKHCN-CNTT";

/// Letter 4675/SKHCN-CNTT of 19/12/2025 from the city's Department of
/// Science and Technology asking every commune to report on its teams, with
/// figures to the end of 11/2025 (the reference report cites it).
async fn create_request(store: &Store, actor: &Actor) -> Result<()> {
    store
        .create_request(
            actor,
            NewRequest::new(
                PROVINCE_CODE,
                DocumentNumber::parse(REQUEST_NUMBER)?,
                date(2025, 12, 19),
                Name::issuer("Sở Khoa học và Công nghệ")?,
                Name::subject(
                    "Về việc thúc đẩy, phát huy hiệu quả của các Tổ công nghệ số cộng đồng trong hỗ trợ người dân",
                )?,
                Some(date(2025, 12, 31)),
                date(2025, 11, 30),
            ),
        )
        .await?;
    Ok(())
}

/// The city's contest, launched in the commune by letter 1643/UBND-VHXH.
async fn create_contest(store: &Store, actor: &Actor) -> Result<()> {
    let letter = store
        .document_by_number(COMMUNE_CODE, &DocumentNumber::parse("1643/UBND-VHXH")?)
        .await?;
    let contest = store
        .create_contest(
            actor,
            NewContest {
                commune_code: COMMUNE_CODE,
                name: Name::subject(CONTEST_NAME)?,
                organiser: Name::issuer("Ủy ban nhân dân thành phố Hải Phòng")?,
                document_id: letter.map(|d| d.id),
                starts_on: date(2025, 10, 15),
                ends_on: Some(date(2025, 12, 31)),
            },
        )
        .await?;
    for ((y, m, d), group, count) in REGISTRATIONS {
        store
            .add_registrations(actor, contest.id, date(*y, *m, *d), *group, *count)
            .await?;
    }
    Ok(())
}

/// A year of plausible support activities: each team helps people one to
/// four times a month, mostly with online public services and VNeID.
async fn create_activities(store: &Store, actor: &Actor) -> Result<()> {
    const WEIGHTED: &[SupportCategory] = &[
        SupportCategory::DvcTrucTuyen,
        SupportCategory::DvcTrucTuyen,
        SupportCategory::DvcTrucTuyen,
        SupportCategory::Vneid,
        SupportCategory::Vneid,
        SupportCategory::ThanhToanKhongTienMat,
        SupportCategory::ThanhToanKhongTienMat,
        SupportCategory::UngDungSo,
        SupportCategory::AnToanMang,
        SupportCategory::UngDungAi,
        SupportCategory::BinhDanHocVuSo,
        SupportCategory::Khac,
    ];
    let mut rng = Rng::from_state(20_251_101);
    // Who helped: drawn from their own generator, so the activities above
    // stay the ones every earlier demo had.
    let mut helpers_rng = Rng::from_state(20_251_130);
    let mut news = Vec::new();
    for team in store.teams(COMMUNE_CODE).await? {
        let members: Vec<i64> = store
            .team_members(team.id, None)
            .await?
            .iter()
            .map(|m| m.membership.person_id)
            .collect();
        for month in 0..ACTIVITY_MONTHS {
            let (y, m) = if month < 2 {
                (2025, 11 + month)
            } else {
                (2026, month - 1)
            };
            for _ in 0..1 + rng.below(4) {
                let category = *rng.pick(WEIGHTED);
                let citizens = 1 + rng.below(12) as i32;
                let dossiers = match category {
                    SupportCategory::DvcTrucTuyen => rng.below(citizens as u64 + 1) as i32,
                    _ => 0,
                };
                // One or two of the team's members went (every demo
                // member has been in the team since its founding).
                let mut co_members = Vec::new();
                if !members.is_empty() {
                    for _ in 0..1 + helpers_rng.below(2) {
                        let p = *helpers_rng.pick(&members);
                        if !co_members.contains(&p) {
                            co_members.push(p);
                        }
                    }
                }
                news.push(NewActivity {
                    team_id: team.id,
                    activity_date: date(y, m, 1 + rng.below(28) as u32),
                    category,
                    citizens_helped: citizens,
                    dossiers,
                    note: None,
                    co_members,
                });
            }
        }
    }
    store.create_activities(actor, news).await?;
    Ok(())
}

/// Citizens reach the team of Tổ dân phố 1: its leader, its member with
/// an account and the quick-response team's leader agree to be listed on
/// the public page; two requests wait — one sent today, one sent ten days
/// ago that nobody took, escalated to the quick-response team (the sweep
/// the server runs every minute is run here once). Synthetic citizens.
async fn create_help_requests(store: &Store, actor: &Actor) -> Result<()> {
    let today = toso_store::today();
    let village = store
        .villages(COMMUNE_CODE, None)
        .await?
        .into_iter()
        .find(|v| v.name == VILLAGES[0].1)
        .expect("the demo's first village");
    let team = store
        .village_team(COMMUNE_CODE, village.id, today)
        .await?
        .expect("the demo village has its team");
    let mut listed = Vec::new();
    for m in store.team_members(team.id, Some(today)).await? {
        if matches!(m.membership.role, Role::ToTruong | Role::ThanhVien)
            && !listed.iter().any(|(_, r)| *r == m.membership.role)
        {
            listed.push((m.membership.person_id, m.membership.role));
        }
    }
    if let Some(qr) = store.quick_response_team(COMMUNE_CODE, today).await? {
        if let Some(m) = store
            .team_members(qr.id, Some(today))
            .await?
            .into_iter()
            .find(|m| m.membership.role == Role::ToTruong)
        {
            listed.push((m.membership.person_id, Role::ToTruong));
        }
    }
    for (person, _) in listed {
        store.set_listed_publicly(actor, person, true).await?;
    }
    let code = store.village_code(village.id).await?;
    let now = chrono::Utc::now();
    for (days_ago, category, description, name, phone) in [
        (
            10,
            SupportCategory::DvcTrucTuyen,
            "Nộp hồ sơ đăng ký khai sinh trực tuyến cho cháu",
            "Phạm Văn Mẫu",
            "0912000101",
        ),
        (
            0,
            SupportCategory::Vneid,
            "Kích hoạt tài khoản định danh điện tử mức 2",
            "Trần Thị Mẫu",
            "0912000102",
        ),
    ] {
        store
            .create_help_request(
                toso_store::NewHelpRequest {
                    village_code: code.clone(),
                    category,
                    description: description.into(),
                    citizen_name: PersonName::parse(name)?,
                    citizen_phone: PhoneNumber::parse(phone)?,
                    preferred_time: "Buổi sáng".into(),
                },
                now - chrono::Duration::days(days_ago),
            )
            .await?;
    }
    store.sweep_help_requests(now).await?;
    Ok(())
}

/// One account per role: the province officer of Hải Phòng, the commune
/// officer of Cát Hải, the leader and a member of the team of Tổ dân phố 1.
async fn create_users(store: &Store, actor: &Actor) -> Result<()> {
    let villages = store.villages(COMMUNE_CODE, None).await?;
    let first_village = villages
        .iter()
        .find(|v| v.name == VILLAGES[0].1)
        .expect("the demo's first village");
    let team = store
        .teams_of_village(first_village.id)
        .await?
        .into_iter()
        .next()
        .expect("the demo village has its team");
    let members = store.team_members(team.id, None).await?;
    let leader = members.iter().find(|m| m.membership.role == Role::ToTruong);
    let member = members
        .iter()
        .find(|m| m.membership.role == Role::ThanhVien);
    for (username, role, full_name) in DEMO_USERS {
        let person = match role {
            UserRole::TeamLeader => leader,
            UserRole::TeamMember => member,
            _ => None,
        };
        store
            .create_user(
                actor,
                NewUser {
                    username: Username::parse(username)?,
                    full_name: Name::parse_field(full_name, "full_name", "Họ và tên", 80)?,
                    phone: None,
                    password: Password::parse(DEMO_PASSWORD)?,
                    role: *role,
                    province_code: Some(31),
                    commune_code: Some(COMMUNE_CODE),
                    team_id: Some(team.id),
                    person_id: person.map(|m| m.membership.person_id),
                },
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_has_the_reports_shape() {
        assert_eq!(VILLAGES.len(), 58);
        let members: usize = (0..VILLAGES.len())
            .map(|i| if i < 38 { 7 } else { 6 })
            .sum();
        assert_eq!(members, VILLAGE_MEMBERS);
        let mut names: Vec<_> = VILLAGES.iter().map(|(_, n)| toso_domain::fold(n)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 58, "village names are unique");
    }

    #[test]
    fn synthetic_people_are_deterministic_with_unique_valid_phones() {
        let mut a = Rng::from_state(11914);
        let mut b = Rng::from_state(11914);
        let mut phones = std::collections::HashSet::new();
        for seq in 1..=400 {
            let pa = person(&mut a, seq, Gender::Nam);
            assert_eq!(pa, person(&mut b, seq, Gender::Nam));
            PersonName::parse(&pa.0).unwrap();
            PhoneNumber::parse(&pa.3).unwrap();
            assert!(phones.insert(pa.3[3..].to_string()), "suffix repeats");
        }
    }
}

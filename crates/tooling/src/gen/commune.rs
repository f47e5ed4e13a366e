//! One commune of `toso gen`: its documents (the plan, the founding
//! decision, the contest letter), villages and their teams, the
//! quick-response team, the people holding the seats, a contest with its
//! registrations, training courses and campaigns.

use chrono::{Datelike, NaiveDate};
use toso_demo::synthetic::{mobile_phone, Rng};
use toso_domain::{
    fold, Affiliation, ContestGroup, DocumentKind, Gender, PartnerOrganisation, Role, TeamKind,
    TrainingMode, VillageKind,
};
use toso_store::Commune;

use super::scale::{day, GenCounts, Shape};
use super::tables::{day_text, Bufs, DayText, Ids, TeamPace};
use crate::bulk::{BulkLoad, Val};

/// Two-syllable village names are drawn from these (400 combinations).
const PLACE_A: &[&str] = &[
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Thượng",
    "Hạ",
    "Tân",
    "An",
    "Phú",
    "Hòa",
    "Vĩnh",
    "Minh",
    "Quang",
    "Thanh",
    "Hưng",
    "Phúc",
    "Đại",
    "Văn",
    "Kim",
];
const PLACE_B: &[&str] = &[
    "Hòa", "Lợi", "Thịnh", "Hưng", "Lộc", "Phong", "Thành", "Bình", "Xuân", "Hải", "Sơn", "Lâm",
    "Yên", "Khê", "Tiến", "Lạc", "Mỹ", "Điền", "Trang", "Vượng",
];
/// Affiliations of the ordinary seats of a village team, with weights.
const SEATS: &[(Affiliation, u32)] = &[
    (Affiliation::CongAn, 18),
    (Affiliation::HoiPn, 18),
    (Affiliation::HoiNd, 12),
    (Affiliation::HoiCcb, 10),
    (Affiliation::BiThuChiBo, 8),
    (Affiliation::Mttq, 8),
    (Affiliation::NguoiCoUyTin, 10),
    (Affiliation::DoanhNghiepVienThong, 6),
    (Affiliation::Khac, 10),
];
const COURSES: &[&str] = &[
    "Kỹ năng số cơ bản cho thành viên Tổ công nghệ số cộng đồng",
    "Hướng dẫn sử dụng dịch vụ công trực tuyến và VNeID",
    "An toàn thông tin và phòng chống lừa đảo trên không gian mạng",
    "Ứng dụng trí tuệ nhân tạo (AI) trong công việc hằng ngày",
];
const CAMPAIGNS: &[&str] = &[
    "Ngày hội chuyển đổi số",
    "Tuần lễ thanh toán không dùng tiền mặt",
    "Chiến dịch kích hoạt tài khoản định danh điện tử",
    "Bình dân học vụ số tại nhà văn hóa",
    "Tháng cao điểm dịch vụ công trực tuyến",
];

/// What the generator carries from one commune to the next.
pub(super) struct Pass {
    pub(super) bufs: Bufs,
    pub(super) ids: Ids,
    pub(super) counts: GenCounts,
    pub(super) teams: Vec<TeamPace>,
    pub(super) phone_seq: u64,
}

/// Generate the records of `commune` into the buffers of `pass` (the
/// caller flushes them). `first` and `last` bound the generated period.
pub(super) fn generate(
    pass: &mut Pass,
    load: &BulkLoad,
    commune: &Commune,
    seed: u64,
    shape: &Shape,
    (first, last): (NaiveDate, NaiveDate),
) {
    let Pass {
        bufs,
        ids,
        counts,
        teams,
        phone_seq,
    } = pass;
    let days = (last - first).num_days() as u64 + 1;
    let mut g = CommuneGen {
        code: commune.code,
        rng: Rng::new(seed, u64::from(commune.code as u32)),
        load,
        bufs,
        ids,
        counts,
        phone_seq,
    };
    let place = lower_first(&commune.name);
    let issuer = format!("Ủy ban nhân dân {place}");

    // Documents: the plan, the founding decision, the contest letter.
    let decided = day((2024, 10, 1)) + chrono::Days::new(g.rng.below(21));
    let planned = decided - chrono::Days::new(10 + g.rng.below(30));
    let contest_letter = day((2025, 10, 1)) + chrono::Days::new(g.rng.below(10));
    let mut decision_id = 0;
    for (kind, symbol, issued, subject) in [
        (
            DocumentKind::KeHoach,
            "KH-UBND",
            planned,
            format!(
                "Kế hoạch triển khai Tổ công nghệ số cộng đồng trên địa bàn {place}"
            ),
        ),
        (
            DocumentKind::QuyetDinh,
            "QĐ-UBND",
            decided,
            format!(
                "Về việc thành lập Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản ứng nhanh {place}"
            ),
        ),
        (
            DocumentKind::CongVan,
            "UBND-VHXH",
            contest_letter,
            "Về triển khai Cuộc thi “Công dân số - Sử dụng thông minh, sống an toàn”".to_string(),
        ),
    ] {
        let id = Ids::take(&mut g.ids.document);
        if kind == DocumentKind::QuyetDinh {
            decision_id = id;
        }
        let number = format!("{}/{symbol}", 100 + g.rng.below(2400));
        let at = day_text(load, issued);
        g.bufs.documents.row([
            Val::Int(id),
            Val::Int(commune.code.into()),
            Val::Str(kind.code()),
            Val::Text(number.clone()),
            Val::Shared(at.date),
            Val::Int(issued.year().into()),
            Val::Text(issuer.clone()),
            Val::Text(subject.clone()),
            Val::Text(fold(&format!(
                "{} {number} {issuer} {subject}",
                kind.label()
            ))),
            Val::Shared(at.at.clone()),
            Val::Shared(at.at),
        ]);
        g.counts.documents += 1;
    }

    // Villages and their teams.
    let n_villages = g.rng.range(shape.villages) as usize;
    let names = village_names(&mut g.rng, &commune.kind, n_villages);
    let village_day = day_text(load, day((2024, 7, 1)));
    let mut village_ids = Vec::with_capacity(n_villages);
    let mut leaders = Vec::new();
    let founding = Founding {
        place: &place,
        decision_id,
        decided,
    };
    for (kind, name) in &names {
        let village_id = Ids::take(&mut g.ids.village);
        village_ids.push(village_id);
        g.bufs.villages.row([
            Val::Int(village_id),
            Val::Int(commune.code.into()),
            Val::Str(kind.code()),
            Val::Text(name.clone()),
            Val::Text(fold(name)),
            Val::Shared(village_day.date.clone()),
            Val::Shared(village_day.at.clone()),
            Val::Shared(village_day.at.clone()),
        ]);
        g.counts.villages += 1;
        let (team_id, at) = g.add_team(&founding, Some((village_id, name)));
        teams.push(TeamPace {
            id: team_id,
            commune_code: commune.code,
            village_id: Some(village_id),
            rate: 0.25 + 1.5 * g.rng.unit(),
        });
        let seats = g.rng.range(shape.members) as usize;
        for seat in 0..seats {
            let (role, affiliation) = match seat {
                0 => (Role::ToTruong, Affiliation::TruongThon),
                1 => (Role::ToPho, Affiliation::DoanTn),
                _ => {
                    let weights: Vec<u32> = SEATS.iter().map(|s| s.1).collect();
                    let role = if seat == 2 && g.rng.below(10) < 3 {
                        Role::ToPho
                    } else {
                        Role::ThanhVien
                    };
                    (role, SEATS[g.rng.weighted(&weights)].0)
                }
            };
            let person = g.seat_holders(team_id, &at, (role, affiliation), (first, last));
            g.counts.members += 1;
            if seat == 0 {
                leaders.push(person);
            }
        }
    }
    // The commune's quick-response team (members counted apart).
    let (quick_id, at) = g.add_team(&founding, None);
    teams.push(TeamPace {
        id: quick_id,
        commune_code: commune.code,
        village_id: None,
        rate: 0.5 + 1.0 * g.rng.unit(),
    });
    for seat in 0..g.rng.range((7, 11)) {
        let (role, affiliation) = match seat {
            0 => (Role::ToTruong, Affiliation::Khac),
            1 => (Role::ToPho, Affiliation::CongAn),
            _ => (
                Role::ThanhVien,
                *g.rng.pick(&[
                    Affiliation::DoanTn,
                    Affiliation::DoanhNghiepVienThong,
                    Affiliation::CongAn,
                    Affiliation::Khac,
                ]),
            ),
        };
        g.seat_holders(quick_id, &at, (role, affiliation), (last, last));
        g.counts.quick_response_members += 1;
    }

    // The contest and its registrations.
    let contest_id = Ids::take(&mut g.ids.contest);
    let (c_start, c_end) = (day((2025, 10, 15)), day((2026, 6, 30)));
    let at = day_text(load, c_start);
    g.bufs.contests.row([
        Val::Int(contest_id),
        Val::Int(commune.code.into()),
        Val::Str("Công dân số - Sử dụng thông minh, sống an toàn"),
        Val::Text(issuer.clone()),
        Val::Int(g.ids.document),
        Val::Shared(at.date.clone()),
        Val::Date(c_end),
        Val::Shared(at.at.clone()),
        Val::Shared(at.at),
    ]);
    g.counts.contests += 1;
    let span = (c_end - c_start).num_days() as u64 + 1;
    for _ in 0..g.rng.range((8, 24)) {
        let on = c_start + chrono::Days::new(g.rng.below(span));
        let at = day_text(load, on);
        let n = g.rng.range((5, 150)) as i64;
        g.bufs.registrations.row([
            Val::Int(contest_id),
            Val::Shared(at.date),
            Val::Str(g.rng.pick(ContestGroup::ALL).code()),
            Val::Int(n),
            Val::Shared(at.at),
        ]);
        g.counts.contest_registrations += n;
    }

    // Training courses, some leaders by name.
    let n_courses = g.rng.range((2, 4)) as usize;
    for title in g
        .rng
        .sample(COURSES.len(), n_courses)
        .into_iter()
        .map(|i| COURSES[i])
    {
        let id = Ids::take(&mut g.ids.course);
        let starts = first + chrono::Days::new(g.rng.below(days - 5));
        let at = day_text(load, starts);
        let officials = g.rng.range((10, 60)) as i64;
        let officials_done = officials * g.rng.range((80, 100)) as i64 / 100;
        let citizens = if g.rng.below(2) == 0 {
            0
        } else {
            g.rng.range((20, 150)) as i64
        };
        let citizens_done = citizens * g.rng.range((60, 100)) as i64 / 100;
        g.bufs.courses.row([
            Val::Int(id),
            Val::Int(commune.code.into()),
            Val::Str(title),
            Val::Text(issuer.clone()),
            Val::Shared(at.date),
            Val::Date(starts + chrono::Days::new(g.rng.below(3))),
            Val::Str(g.rng.pick(TrainingMode::ALL).code()),
            Val::Int(officials),
            Val::Int(officials_done),
            Val::Int(citizens),
            Val::Int(citizens_done),
            Val::Shared(at.at.clone()),
            Val::Shared(at.at),
        ]);
        let named = g.rng.sample(leaders.len(), leaders.len().min(10));
        for &l in &named {
            g.bufs.participants.row([
                Val::Int(id),
                Val::Int(leaders[l]),
                Val::Int(i64::from(g.rng.below(10) < 9)),
            ]);
        }
        g.counts.training_courses += 1;
        g.counts.trainees += officials + citizens + named.len() as i64;
    }

    // Campaigns with mass organisations in a few villages.
    for _ in 0..g.rng.range((2, 5)) {
        let id = Ids::take(&mut g.ids.campaign);
        let held = first + chrono::Days::new(g.rng.below(days));
        let at = day_text(load, held);
        let reached = g.rng.range((50, 800)) as i64;
        g.bufs.campaigns.row([
            Val::Int(id),
            Val::Int(commune.code.into()),
            Val::Str(CAMPAIGNS[g.rng.below(CAMPAIGNS.len() as u64) as usize]),
            Val::Shared(at.date),
            Val::Int(g.rng.range((10, 80)) as i64),
            Val::Int(reached),
            Val::Shared(at.at.clone()),
            Val::Shared(at.at),
        ]);
        let k = g.rng.range((1, 3)) as usize;
        for p in g.rng.sample(PartnerOrganisation::ALL.len(), k) {
            g.bufs
                .partners
                .row([Val::Int(id), Val::Str(PartnerOrganisation::ALL[p].code())]);
        }
        let k = g.rng.range((1, 4)) as usize;
        for v in g.rng.sample(village_ids.len(), k) {
            g.bufs
                .campaign_villages
                .row([Val::Int(id), Val::Int(village_ids[v])]);
        }
        g.counts.campaigns += 1;
        g.counts.campaign_reach += reached;
    }
}

/// "Xã Nam Sách" → "xã Nam Sách" (inside a sentence).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `n` distinct village names fitting the commune's kind: tổ dân phố in a
/// phường, thôn in a xã, both in a đặc khu.
fn village_names(rng: &mut Rng, commune_kind: &str, n: usize) -> Vec<(VillageKind, String)> {
    let numbered = match commune_kind {
        "phường" => n,
        "đặc khu" => n / 3,
        _ => 0,
    };
    let mut names: Vec<(VillageKind, String)> = (1..=numbered)
        .map(|i| (VillageKind::ToDanPho, format!("Tổ dân phố {i}")))
        .collect();
    let pool = rng.sample(PLACE_A.len() * PLACE_B.len(), n - numbered);
    for i in pool {
        let name = format!(
            "Thôn {} {}",
            PLACE_A[i / PLACE_B.len()],
            PLACE_B[i % PLACE_B.len()]
        );
        names.push((VillageKind::Thon, name));
    }
    names
}

/// What the teams of one commune share: the founding decision.
struct Founding<'a> {
    place: &'a str,
    decision_id: i64,
    decided: NaiveDate,
}

/// One commune being generated: its random stream, and the buffers, ids
/// and counts of the pass it writes into.
struct CommuneGen<'a> {
    code: i32,
    rng: Rng,
    load: &'a BulkLoad,
    bufs: &'a mut Bufs,
    ids: &'a mut Ids,
    counts: &'a mut GenCounts,
    phone_seq: &'a mut u64,
}

impl CommuneGen<'_> {
    /// One team (of a village, or the quick-response team when `village`
    /// is `None`), established within a week of the decision. Returns its
    /// id, and the text of its establishment day.
    fn add_team(
        &mut self,
        founding: &Founding<'_>,
        village: Option<(i64, &str)>,
    ) -> (i64, DayText) {
        let id = Ids::take(&mut self.ids.team);
        let established = founding.decided + chrono::Days::new(self.rng.below(8));
        let at = day_text(self.load, established);
        let name = match village {
            Some((_, v)) => TeamKind::Village.usual_name(v),
            None => TeamKind::QuickResponse.usual_name(founding.place),
        };
        let zalo: String = (0..9)
            .map(|_| {
                let c = self.rng.below(36) as u8;
                (if c < 26 { b'a' + c } else { b'0' + c - 26 }) as char
            })
            .collect();
        self.bufs.teams.row([
            Val::Int(id),
            Val::Int(self.code.into()),
            village.map_or(Val::Null, |(v, _)| Val::Int(v)),
            Val::Str(if village.is_some() {
                "village"
            } else {
                "quick_response"
            }),
            Val::Text(name),
            Val::Shared(at.date.clone()),
            Val::Int(founding.decision_id),
            Val::Text(format!("https://zalo.me/g/{zalo}")),
            Val::Shared(at.at.clone()),
            Val::Shared(at.at.clone()),
        ]);
        if village.is_some() {
            self.counts.teams += 1;
        } else {
            self.counts.quick_response_teams += 1;
        }
        (id, at)
    }

    /// The people who held one seat of a team: usually one person from
    /// the team's establishment; sometimes (1 in 12) a first holder who
    /// left on a day between `changes.0` and `changes.1` and the one who
    /// took over that day. Returns the current holder's person id.
    fn seat_holders(
        &mut self,
        team_id: i64,
        at: &DayText,
        seat: (Role, Affiliation),
        changes: (NaiveDate, NaiveDate),
    ) -> i64 {
        let change = if changes.0 < changes.1 && self.rng.below(12) == 0 {
            let span = (changes.1 - changes.0).num_days() as u64 - 60;
            Some(changes.0 + chrono::Days::new(30 + self.rng.below(span)))
        } else {
            None
        };
        match change {
            None => self.holder(team_id, seat, at, None),
            Some(on) => {
                self.holder(team_id, seat, at, Some(on));
                let on_at = day_text(self.load, on);
                self.holder(team_id, seat, &on_at, None)
            }
        }
    }

    /// One person holding `seat` of team `team_id` from `from_at`, until
    /// the day `until` if they left. Returns their person id.
    fn holder(
        &mut self,
        team_id: i64,
        (role, affiliation): (Role, Affiliation),
        from_at: &DayText,
        until: Option<NaiveDate>,
    ) -> i64 {
        let person = Ids::take(&mut self.ids.person);
        *self.phone_seq += 1;
        let rng = &mut self.rng;
        let gender = if rng.below(100) < 55 {
            Gender::Nam
        } else {
            Gender::Nu
        };
        let name = rng.person_name(gender);
        let phone = mobile_phone(rng, *self.phone_seq);
        self.bufs.people.row([
            Val::Int(person),
            Val::Int(self.code.into()),
            Val::Text(name.clone()),
            Val::Text(fold(&name)),
            Val::Str(gender.code()),
            Val::Int(1962 + rng.below(42) as i64),
            Val::Text(phone),
            Val::Shared(from_at.at.clone()),
            Val::Shared(from_at.at.clone()),
        ]);
        self.bufs.memberships.row([
            Val::Int(Ids::take(&mut self.ids.membership)),
            Val::Int(team_id),
            Val::Int(person),
            Val::Str(role.code()),
            Val::Str(affiliation.code()),
            Val::Shared(from_at.date.clone()),
            until.map_or(Val::Null, Val::Date),
            Val::Shared(from_at.at.clone()),
            Val::Shared(from_at.at.clone()),
        ]);
        self.counts.people += 1;
        self.counts.memberships += 1;
        person
    }
}

//! `toso gen`: synthetic data at the scale of one commune, a city (Hải
//! Phòng's 114 communes) or the whole country (all 3,321 communes), for the
//! benchmarks of the indicator tables and pages (BENCHMARKS.md).
//!
//! Deterministic: the same seed gives the same records and figures (a
//! hand-written SplitMix64, so no crate's algorithm can change them).
//! Shape: per commune a plan and the founding decision, 12 to 48 villages
//! (thôn in a xã, tổ dân phố in a phường), one team per village and the
//! quick-response team, people with roles and affiliations (some seats
//! changed hands during the period), a contest with its registrations,
//! training courses, campaigns; support activities every day of two years,
//! chronologically, each team at its own pace, growing over the period and
//! quieter at weekends. People are synthetic (no real person).
//!
//! The rows go in through [`BulkLoad`] (one transaction, indexes rebuilt
//! at the end) with one audit row for the whole run.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use toso_demo::{FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, MOBILE_PREFIXES};
use toso_domain::{
    fold, format_int, Affiliation, ContestGroup, DocumentKind, Gender, PartnerOrganisation, Role,
    SupportCategory, TrainingMode, VillageKind,
};
use toso_store::{BulkLoad, Commune, Store, Val};

use crate::CliError;

/// Hải Phòng, the city of the `city` scale.
pub const CITY_PROVINCE: i32 = 31;
/// The commune of the `commune` scale unless `--commune` says otherwise:
/// Xã Nam Sách (Hải Phòng).
pub const DEFAULT_COMMUNE: i32 = 10606;
/// The two years of support activities: 01/11/2024 to 31/10/2026.
pub const FIRST_DAY: (i32, u32, u32) = (2024, 11, 1);
pub const LAST_DAY: (i32, u32, u32) = (2026, 10, 31);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// One commune: a few dozen villages, a few hundred members, a few
    /// thousand support activities.
    Commune,
    /// Hải Phòng's 114 communes: about 3,000 villages, 20,000 members and
    /// 2 million support activities.
    City,
    /// All 3,321 communes: about 100,000 villages and teams, 500,000
    /// members and 50 million support activities.
    National,
}

struct Shape {
    villages: (u64, u64),
    members: (u64, u64),
    activities: f64,
}

impl Scale {
    fn shape(self) -> Shape {
        match self {
            Scale::Commune => Shape {
                villages: (30, 45),
                members: (5, 9),
                activities: 4_000.0,
            },
            Scale::City => Shape {
                villages: (12, 40),
                members: (4, 9),
                activities: 2_000_000.0,
            },
            Scale::National => Shape {
                villages: (12, 48),
                members: (3, 7),
                activities: 50_000_000.0,
            },
        }
    }
}

#[derive(Args)]
pub struct GenArgs {
    /// commune, city (Hải Phòng) or national.
    #[arg(long, value_enum)]
    pub scale: Scale,
    /// The same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The commune of `--scale commune` (GSO code). Default: 10606, Xã Nam Sách.
    #[arg(long)]
    pub commune: Option<i32>,
    /// Print the counts as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What a run wrote, as of [`LAST_DAY`]: the figures the indicators of the
/// generated communes must show on that day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenCounts {
    pub communes: i64,
    pub documents: i64,
    pub villages: i64,
    pub teams: i64,
    pub quick_response_teams: i64,
    pub people: i64,
    pub memberships: i64,
    /// Distinct people in a village team on the last day.
    pub members: i64,
    pub quick_response_members: i64,
    pub support_activities: i64,
    pub citizens_helped: i64,
    pub dossiers: i64,
    pub contests: i64,
    pub contest_registrations: i64,
    pub training_courses: i64,
    pub trainees: i64,
    pub campaigns: i64,
    pub campaign_reach: i64,
}

impl GenCounts {
    /// Every count with its name, in declaration order.
    pub fn fields(&self) -> [(&'static str, i64); 18] {
        [
            ("communes", self.communes),
            ("documents", self.documents),
            ("villages", self.villages),
            ("teams", self.teams),
            ("quick_response_teams", self.quick_response_teams),
            ("people", self.people),
            ("memberships", self.memberships),
            ("members", self.members),
            ("quick_response_members", self.quick_response_members),
            ("support_activities", self.support_activities),
            ("citizens_helped", self.citizens_helped),
            ("dossiers", self.dossiers),
            ("contests", self.contests),
            ("contest_registrations", self.contest_registrations),
            ("training_courses", self.training_courses),
            ("trainees", self.trainees),
            ("campaigns", self.campaigns),
            ("campaign_reach", self.campaign_reach),
        ]
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.fields()
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect(),
        )
    }
}

impl Scale {
    pub fn code(self) -> &'static str {
        match self {
            Scale::Commune => "commune",
            Scale::City => "city",
            Scale::National => "national",
        }
    }
}

/// SplitMix64: tiny and deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in [lo, hi].
    fn range(&mut self, (lo, hi): (u64, u64)) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    /// Poisson with mean `lambda` (Knuth; the means here are small).
    fn poisson(&mut self, lambda: f64) -> u32 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }
    /// `k` distinct indexes below `n` (k ≤ n), in drawing order.
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below((n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all
    }
}

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
/// Support categories with their weights (in `SupportCategory::ALL` order).
const CATEGORY_WEIGHTS: &[u32] = &[30, 14, 20, 14, 8, 4, 7, 3];
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

/// Rows waiting to be written to one table.
struct Buf {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
}

impl Buf {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Buf {
        Buf {
            table,
            columns,
            values: Vec::new(),
        }
    }
    fn row<const N: usize>(&mut self, row: [Val; N]) {
        debug_assert_eq!(N, self.columns.len(), "{}", self.table);
        self.values.extend(row);
    }
    fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }
    async fn flush(&mut self, load: &mut BulkLoad) -> Result<(), CliError> {
        load.write(self.table, self.columns, &self.values).await?;
        self.values.clear();
        Ok(())
    }
}

/// Every table gen writes to, parents first.
const TABLES: &[&str] = &[
    "documents",
    "villages",
    "teams",
    "people",
    "memberships",
    "contests",
    "contest_registrations",
    "training_courses",
    "training_participants",
    "campaigns",
    "campaign_partners",
    "campaign_villages",
    "support_activities",
];

struct Bufs {
    documents: Buf,
    villages: Buf,
    teams: Buf,
    people: Buf,
    memberships: Buf,
    contests: Buf,
    registrations: Buf,
    courses: Buf,
    participants: Buf,
    campaigns: Buf,
    partners: Buf,
    campaign_villages: Buf,
}

impl Bufs {
    fn new() -> Bufs {
        Bufs {
            documents: Buf::new(
                "documents",
                &[
                    "id",
                    "commune_code",
                    "kind",
                    "doc_number",
                    "issued_on",
                    "issued_year",
                    "issuer",
                    "subject",
                    "search_fold",
                    "created_at",
                    "updated_at",
                ],
            ),
            villages: Buf::new(
                "villages",
                &[
                    "id",
                    "commune_code",
                    "kind",
                    "name",
                    "name_fold",
                    "active_from",
                    "created_at",
                    "updated_at",
                ],
            ),
            teams: Buf::new(
                "teams",
                &[
                    "id",
                    "commune_code",
                    "village_id",
                    "kind",
                    "name",
                    "established_on",
                    "decision_id",
                    "zalo_link",
                    "created_at",
                    "updated_at",
                ],
            ),
            people: Buf::new(
                "people",
                &[
                    "id",
                    "commune_code",
                    "full_name",
                    "name_fold",
                    "gender",
                    "birth_year",
                    "phone",
                    "created_at",
                    "updated_at",
                ],
            ),
            memberships: Buf::new(
                "memberships",
                &[
                    "id",
                    "team_id",
                    "person_id",
                    "role",
                    "affiliation",
                    "started_on",
                    "ended_on",
                    "created_at",
                    "updated_at",
                ],
            ),
            contests: Buf::new(
                "contests",
                &[
                    "id",
                    "commune_code",
                    "name",
                    "organiser",
                    "document_id",
                    "starts_on",
                    "ends_on",
                    "created_at",
                    "updated_at",
                ],
            ),
            registrations: Buf::new(
                "contest_registrations",
                &["contest_id", "registered_on", "grp", "count", "created_at"],
            ),
            courses: Buf::new(
                "training_courses",
                &[
                    "id",
                    "commune_code",
                    "title",
                    "organiser",
                    "starts_on",
                    "ends_on",
                    "mode",
                    "officials_registered",
                    "officials_completed",
                    "citizens_registered",
                    "citizens_completed",
                    "created_at",
                    "updated_at",
                ],
            ),
            participants: Buf::new(
                "training_participants",
                &["course_id", "person_id", "completed"],
            ),
            campaigns: Buf::new(
                "campaigns",
                &[
                    "id",
                    "commune_code",
                    "name",
                    "held_on",
                    "participants",
                    "citizens_reached",
                    "created_at",
                    "updated_at",
                ],
            ),
            partners: Buf::new("campaign_partners", &["campaign_id", "partner"]),
            campaign_villages: Buf::new("campaign_villages", &["campaign_id", "village_id"]),
        }
    }

    fn all(&mut self) -> [&mut Buf; 12] {
        [
            &mut self.documents,
            &mut self.villages,
            &mut self.teams,
            &mut self.people,
            &mut self.memberships,
            &mut self.contests,
            &mut self.registrations,
            &mut self.courses,
            &mut self.participants,
            &mut self.campaigns,
            &mut self.partners,
            &mut self.campaign_villages,
        ]
    }

    /// Write the buffers holding at least `min_rows` rows.
    async fn flush(&mut self, load: &mut BulkLoad, min_rows: usize) -> Result<(), CliError> {
        for buf in self.all() {
            if buf.rows() >= min_rows.max(1) {
                buf.flush(load).await?;
            }
        }
        Ok(())
    }
}

/// Next ids of the tables whose rows others point at.
struct Ids {
    document: i64,
    village: i64,
    team: i64,
    person: i64,
    membership: i64,
    contest: i64,
    course: i64,
    campaign: i64,
}

impl Ids {
    fn take(n: &mut i64) -> i64 {
        *n += 1;
        *n
    }
}

/// A team as the activity generator needs it.
struct TeamPace {
    id: i64,
    commune_code: i32,
    village_id: Option<i64>,
    /// Expected activities per day before the trend and weekday factors.
    rate: f64,
}

fn day(d: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.0, d.1, d.2).expect("valid date")
}

/// "Xã Nam Sách" → "xã Nam Sách" (inside a sentence).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Day-dependent text of one day (date, and the timestamp of 10:00 in
/// Vietnam), in the backend's format.
struct DayText {
    date: Arc<str>,
    at: Arc<str>,
}

fn day_text(load: &BulkLoad, d: NaiveDate) -> DayText {
    let at = Utc.from_utc_datetime(&d.and_hms_opt(3, 0, 0).expect("valid time"));
    DayText {
        date: load.date_text(d),
        at: load.time_text(at),
    }
}

/// `toso gen`: generate, then print what was written.
pub async fn command(database_url: &str, args: GenArgs) -> Result<(), CliError> {
    let json = args.json;
    let counts = run(database_url, args).await?;
    if json {
        let text =
            serde_json::to_string_pretty(&counts.to_json()).map_err(std::io::Error::other)?;
        println!("{text}");
    } else {
        println!(
            "Đã ghi (số liệu tính đến ngày {}):",
            toso_domain::format_date(day(LAST_DAY))
        );
        for (key, n) in counts.fields() {
            println!("  {key:<24} {:>14}", format_int(n));
        }
    }
    Ok(())
}

pub async fn run(database_url: &str, args: GenArgs) -> Result<GenCounts, CliError> {
    let started = Instant::now();
    let store = Store::connect(database_url).await?;
    let communes: Vec<Commune> = match args.scale {
        Scale::Commune => vec![
            store
                .commune(args.commune.unwrap_or(DEFAULT_COMMUNE))
                .await?,
        ],
        Scale::City => {
            let mut c = store.communes_of(CITY_PROVINCE).await?;
            c.sort_by_key(|c| c.code);
            c
        }
        Scale::National => {
            let mut all = Vec::new();
            for p in store.provinces().await? {
                all.extend(store.communes_of(p.code).await?);
            }
            all.sort_by_key(|c| c.code);
            all
        }
    };
    if args.commune.is_some() && args.scale != Scale::Commune {
        return Err(CliError::Usage(
            "--commune chỉ dùng với --scale commune.".into(),
        ));
    }
    let codes: Vec<i32> = communes.iter().map(|c| c.code).collect();
    let taken = store.communes_with_data(&codes).await?;
    store.close().await;
    if !taken.is_empty() {
        let list: Vec<String> = taken.iter().take(5).map(|c| c.to_string()).collect();
        return Err(CliError::Refused(format!(
            "cơ sở dữ liệu đã có dữ liệu của {} xã, phường, đặc khu trong phạm vi sinh (mã {}{}): \
             không sinh dữ liệu chồng lên. Hãy dùng một cơ sở dữ liệu mới.",
            format_int(taken.len() as i64),
            list.join(", "),
            if taken.len() > 5 { ", …" } else { "" }
        )));
    }

    let mut load = BulkLoad::open(database_url, TABLES).await?;
    let mut ids = Ids {
        document: load.max_id("documents").await?,
        village: load.max_id("villages").await?,
        team: load.max_id("teams").await?,
        person: load.max_id("people").await?,
        membership: load.max_id("memberships").await?,
        contest: load.max_id("contests").await?,
        course: load.max_id("training_courses").await?,
        campaign: load.max_id("campaigns").await?,
    };
    let first = day(FIRST_DAY);
    let last = day(LAST_DAY);
    let days = (last - first).num_days() as u64 + 1;
    let shape = args.scale.shape();
    let mut counts = GenCounts {
        communes: communes.len() as i64,
        ..GenCounts::default()
    };
    let mut bufs = Bufs::new();
    let mut teams: Vec<TeamPace> = Vec::new();
    let mut phone_seq: u64 = 0;

    let bar = ProgressBar::new(communes.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:<34} [{bar:30}] {pos}/{len} {elapsed_precise}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("Thôn, tổ, thành viên, văn bản");
    for commune in &communes {
        let mut rng = Rng::new(args.seed, u64::from(commune.code as u32));
        let place = lower_first(&commune.name);
        let issuer = format!("Ủy ban nhân dân {place}");

        // Documents: the plan, the founding decision, the contest letter.
        let decided = day((2024, 10, 1)) + chrono::Days::new(rng.below(21));
        let planned = decided - chrono::Days::new(10 + rng.below(30));
        let contest_letter = day((2025, 10, 1)) + chrono::Days::new(rng.below(10));
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
            let id = Ids::take(&mut ids.document);
            if kind == DocumentKind::QuyetDinh {
                decision_id = id;
            }
            let number = format!("{}/{symbol}", 100 + rng.below(2400));
            let at = day_text(&load, issued);
            bufs.documents.row([
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
            counts.documents += 1;
        }

        // Villages and their teams.
        let n_villages = rng.range(shape.villages) as usize;
        let names = village_names(&mut rng, &commune.kind, n_villages);
        let village_day = day_text(&load, day((2024, 7, 1)));
        let mut village_ids = Vec::with_capacity(n_villages);
        let mut leaders = Vec::new();
        let founding = Founding {
            commune_code: commune.code,
            place: &place,
            decision_id,
            decided,
        };
        for (kind, name) in &names {
            let village_id = Ids::take(&mut ids.village);
            village_ids.push(village_id);
            bufs.villages.row([
                Val::Int(village_id),
                Val::Int(commune.code.into()),
                Val::Str(kind.code()),
                Val::Text(name.clone()),
                Val::Text(fold(name)),
                Val::Shared(village_day.date.clone()),
                Val::Shared(village_day.at.clone()),
                Val::Shared(village_day.at.clone()),
            ]);
            counts.villages += 1;
            let (team_id, at) = add_team(
                &mut rng,
                &load,
                &mut bufs,
                &mut ids,
                &mut counts,
                &founding,
                Some((village_id, name)),
            );
            teams.push(TeamPace {
                id: team_id,
                commune_code: commune.code,
                village_id: Some(village_id),
                rate: 0.25 + 1.5 * rng.unit(),
            });
            let seats = rng.range(shape.members) as usize;
            for seat in 0..seats {
                let (role, affiliation) = match seat {
                    0 => (Role::ToTruong, Affiliation::TruongThon),
                    1 => (Role::ToPho, Affiliation::DoanTn),
                    _ => {
                        let weights: Vec<u32> = SEATS.iter().map(|s| s.1).collect();
                        let role = if seat == 2 && rng.below(10) < 3 {
                            Role::ToPho
                        } else {
                            Role::ThanhVien
                        };
                        (role, SEATS[rng.weighted(&weights)].0)
                    }
                };
                let person = seat_holders(
                    &mut rng,
                    &load,
                    &mut bufs,
                    &mut ids,
                    &mut phone_seq,
                    commune.code,
                    team_id,
                    &at,
                    (role, affiliation),
                    (first, last),
                    &mut counts,
                );
                counts.members += 1;
                if seat == 0 {
                    leaders.push(person);
                }
            }
        }
        // The commune's quick-response team (members counted apart).
        let (quick_id, at) = add_team(
            &mut rng,
            &load,
            &mut bufs,
            &mut ids,
            &mut counts,
            &founding,
            None,
        );
        teams.push(TeamPace {
            id: quick_id,
            commune_code: commune.code,
            village_id: None,
            rate: 0.5 + 1.0 * rng.unit(),
        });
        for seat in 0..rng.range((7, 11)) {
            let (role, affiliation) = match seat {
                0 => (Role::ToTruong, Affiliation::Khac),
                1 => (Role::ToPho, Affiliation::CongAn),
                _ => (
                    Role::ThanhVien,
                    *rng.pick(&[
                        Affiliation::DoanTn,
                        Affiliation::DoanhNghiepVienThong,
                        Affiliation::CongAn,
                        Affiliation::Khac,
                    ]),
                ),
            };
            seat_holders(
                &mut rng,
                &load,
                &mut bufs,
                &mut ids,
                &mut phone_seq,
                commune.code,
                quick_id,
                &at,
                (role, affiliation),
                (last, last),
                &mut counts,
            );
            counts.quick_response_members += 1;
        }

        // The contest and its registrations.
        let contest_id = Ids::take(&mut ids.contest);
        let (c_start, c_end) = (day((2025, 10, 15)), day((2026, 6, 30)));
        let at = day_text(&load, c_start);
        bufs.contests.row([
            Val::Int(contest_id),
            Val::Int(commune.code.into()),
            Val::Str("Công dân số - Sử dụng thông minh, sống an toàn"),
            Val::Text(issuer.clone()),
            Val::Int(ids.document),
            Val::Shared(at.date.clone()),
            Val::Date(c_end),
            Val::Shared(at.at.clone()),
            Val::Shared(at.at),
        ]);
        counts.contests += 1;
        let span = (c_end - c_start).num_days() as u64 + 1;
        for _ in 0..rng.range((8, 24)) {
            let on = c_start + chrono::Days::new(rng.below(span));
            let at = day_text(&load, on);
            let n = rng.range((5, 150)) as i64;
            bufs.registrations.row([
                Val::Int(contest_id),
                Val::Shared(at.date),
                Val::Str(rng.pick(ContestGroup::ALL).code()),
                Val::Int(n),
                Val::Shared(at.at),
            ]);
            counts.contest_registrations += n;
        }

        // Training courses, some leaders by name.
        let n_courses = rng.range((2, 4)) as usize;
        for title in rng
            .sample(COURSES.len(), n_courses)
            .into_iter()
            .map(|i| COURSES[i])
        {
            let id = Ids::take(&mut ids.course);
            let starts = first + chrono::Days::new(rng.below(days - 5));
            let at = day_text(&load, starts);
            let officials = rng.range((10, 60)) as i64;
            let officials_done = officials * rng.range((80, 100)) as i64 / 100;
            let citizens = if rng.below(2) == 0 {
                0
            } else {
                rng.range((20, 150)) as i64
            };
            let citizens_done = citizens * rng.range((60, 100)) as i64 / 100;
            bufs.courses.row([
                Val::Int(id),
                Val::Int(commune.code.into()),
                Val::Str(title),
                Val::Text(issuer.clone()),
                Val::Shared(at.date),
                Val::Date(starts + chrono::Days::new(rng.below(3))),
                Val::Str(rng.pick(TrainingMode::ALL).code()),
                Val::Int(officials),
                Val::Int(officials_done),
                Val::Int(citizens),
                Val::Int(citizens_done),
                Val::Shared(at.at.clone()),
                Val::Shared(at.at),
            ]);
            let named = rng.sample(leaders.len(), leaders.len().min(10));
            for &l in &named {
                bufs.participants.row([
                    Val::Int(id),
                    Val::Int(leaders[l]),
                    Val::Int(i64::from(rng.below(10) < 9)),
                ]);
            }
            counts.training_courses += 1;
            counts.trainees += officials + citizens + named.len() as i64;
        }

        // Campaigns with mass organisations in a few villages.
        for _ in 0..rng.range((2, 5)) {
            let id = Ids::take(&mut ids.campaign);
            let held = first + chrono::Days::new(rng.below(days));
            let at = day_text(&load, held);
            let reached = rng.range((50, 800)) as i64;
            bufs.campaigns.row([
                Val::Int(id),
                Val::Int(commune.code.into()),
                Val::Str(CAMPAIGNS[rng.below(CAMPAIGNS.len() as u64) as usize]),
                Val::Shared(at.date),
                Val::Int(rng.range((10, 80)) as i64),
                Val::Int(reached),
                Val::Shared(at.at.clone()),
                Val::Shared(at.at),
            ]);
            let k = rng.range((1, 3)) as usize;
            for p in rng.sample(PartnerOrganisation::ALL.len(), k) {
                bufs.partners
                    .row([Val::Int(id), Val::Str(PartnerOrganisation::ALL[p].code())]);
            }
            let k = rng.range((1, 4)) as usize;
            for v in rng.sample(village_ids.len(), k) {
                bufs.campaign_villages
                    .row([Val::Int(id), Val::Int(village_ids[v])]);
            }
            counts.campaigns += 1;
            counts.campaign_reach += reached;
        }
        bufs.flush(&mut load, 50_000).await?;
        bar.inc(1);
    }
    bufs.flush(&mut load, 1).await?;
    bar.finish();

    // Support activities, day by day over two years, every team at its pace.
    let team_days = teams.len() as f64 * days as f64;
    let base = shape.activities / team_days;
    let mut rng = Rng::new(args.seed, 0xAC71_u64);
    let mut acts = Buf::new(
        "support_activities",
        &[
            "commune_code",
            "team_id",
            "village_id",
            "activity_date",
            "category",
            "citizens_helped",
            "dossiers",
            "created_at",
            "updated_at",
        ],
    );
    let categories = SupportCategory::ALL;
    let bar = ProgressBar::new(days);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:<34} [{bar:30}] {pos}/{len} ngày {elapsed_precise} (còn {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("Lượt hỗ trợ");
    for d in 0..days {
        let date = first + chrono::Days::new(d);
        let text = day_text(&load, date);
        // Growing over the period (0.6 → 1.4), quieter at weekends.
        let trend = 0.6 + 0.8 * d as f64 / (days - 1) as f64;
        let weekday = match date.weekday() {
            Weekday::Sat => 0.8,
            Weekday::Sun => 0.6,
            _ => 1.12,
        };
        for team in &teams {
            let n = rng.poisson(base * team.rate * trend * weekday);
            for _ in 0..n {
                let category = categories[rng.weighted(CATEGORY_WEIGHTS)];
                // 1 + geometric: mostly a few people, sometimes a crowd.
                let mut helped: i64 = 1;
                while helped < 40 && rng.below(4) != 0 {
                    helped += 1;
                }
                let dossiers = match category {
                    SupportCategory::DvcTrucTuyen => helped * rng.range((50, 100)) as i64 / 100,
                    SupportCategory::Vneid => helped * rng.range((0, 40)) as i64 / 100,
                    _ => 0,
                };
                acts.row([
                    Val::Int(team.commune_code.into()),
                    Val::Int(team.id),
                    team.village_id.map_or(Val::Null, Val::Int),
                    Val::Shared(text.date.clone()),
                    Val::Str(category.code()),
                    Val::Int(helped),
                    Val::Int(dossiers),
                    Val::Shared(text.at.clone()),
                    Val::Shared(text.at.clone()),
                ]);
                counts.support_activities += 1;
                counts.citizens_helped += helped;
                counts.dossiers += dossiers;
            }
        }
        if acts.rows() >= 100_000 {
            acts.flush(&mut load).await?;
        }
        bar.inc(1);
    }
    acts.flush(&mut load).await?;
    bar.finish();

    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let summary = serde_json::json!({
        "scale": args.scale.code(),
        "seed": args.seed,
        "communes": if args.scale == Scale::Commune { serde_json::json!(codes) } else { serde_json::json!(codes.len()) },
        "as_of": last,
        "counts": counts.to_json(),
        "rows": load.rows,
    });
    let commune_code = (args.scale == Scale::Commune).then(|| codes[0]);
    let written = Instant::now();
    load.finish(
        &format!(
            "toso gen --scale {} --seed {}",
            args.scale.code(),
            args.seed
        ),
        commune_code,
        &summary,
        |step| {
            let short: String = step.chars().take(70).collect();
            spinner.set_message(format!("Dựng lại chỉ mục, kiểm tra khóa ngoại: {short}"));
        },
    )
    .await?;
    spinner.finish_and_clear();
    eprintln!(
        "Đã sinh dữ liệu (quy mô {}, hạt giống {}) trong {:.1} s (dựng lại chỉ mục và kiểm tra: {:.1} s).",
        args.scale.code(),
        args.seed,
        started.elapsed().as_secs_f64(),
        written.elapsed().as_secs_f64()
    );
    Ok(counts)
}

/// What the teams of one commune share: the founding decision.
struct Founding<'a> {
    commune_code: i32,
    place: &'a str,
    decision_id: i64,
    decided: NaiveDate,
}

/// One team (of a village, or the quick-response team when `village` is
/// `None`), established within a week of the decision. Returns its id,
/// and the text of its establishment day.
fn add_team(
    rng: &mut Rng,
    load: &BulkLoad,
    bufs: &mut Bufs,
    ids: &mut Ids,
    counts: &mut GenCounts,
    founding: &Founding<'_>,
    village: Option<(i64, &str)>,
) -> (i64, DayText) {
    let id = Ids::take(&mut ids.team);
    let established = founding.decided + chrono::Days::new(rng.below(8));
    let at = day_text(load, established);
    let name = match village {
        Some((_, v)) => format!("Tổ công nghệ số cộng đồng {v}"),
        None => format!("Đội hỗ trợ chuyển đổi số phản ứng nhanh {}", founding.place),
    };
    let zalo: String = (0..9)
        .map(|_| {
            let c = rng.below(36) as u8;
            (if c < 26 { b'a' + c } else { b'0' + c - 26 }) as char
        })
        .collect();
    bufs.teams.row([
        Val::Int(id),
        Val::Int(founding.commune_code.into()),
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
        counts.teams += 1;
    } else {
        counts.quick_response_teams += 1;
    }
    (id, at)
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

/// The people who held one seat of a team: usually one person from the
/// team's establishment; sometimes (1 in 12) a first holder who left on a
/// day between `changes.0` and `changes.1` and the one who took over that
/// day. Returns the current holder's person id.
#[allow(clippy::too_many_arguments)]
fn seat_holders(
    rng: &mut Rng,
    load: &BulkLoad,
    bufs: &mut Bufs,
    ids: &mut Ids,
    phone_seq: &mut u64,
    commune_code: i32,
    team_id: i64,
    at: &DayText,
    (role, affiliation): (Role, Affiliation),
    changes: (NaiveDate, NaiveDate),
    counts: &mut GenCounts,
) -> i64 {
    let change = if changes.0 < changes.1 && rng.below(12) == 0 {
        let span = (changes.1 - changes.0).num_days() as u64 - 60;
        Some(changes.0 + chrono::Days::new(30 + rng.below(span)))
    } else {
        None
    };
    let mut holder =
        |rng: &mut Rng, bufs: &mut Bufs, from_at: &DayText, until: Option<NaiveDate>| {
            let person = Ids::take(&mut ids.person);
            *phone_seq += 1;
            let gender = if rng.below(100) < 55 {
                Gender::Nam
            } else {
                Gender::Nu
            };
            let (middle, given) = match gender {
                Gender::Nu => (MIDDLE_F, GIVEN_F),
                _ => (MIDDLE_M, GIVEN_M),
            };
            let name = format!(
                "{} {} {}",
                rng.pick(FAMILY),
                rng.pick(middle),
                rng.pick(given)
            );
            // 104729 is prime, so seq -> suffix is one-to-one modulo 10^7.
            let phone = format!(
                "{}{:07}",
                rng.pick(MOBILE_PREFIXES),
                (*phone_seq * 104_729 + 2_025_311) % 10_000_000
            );
            bufs.people.row([
                Val::Int(person),
                Val::Int(commune_code.into()),
                Val::Text(name.clone()),
                Val::Text(fold(&name)),
                Val::Str(gender.code()),
                Val::Int(1962 + rng.below(42) as i64),
                Val::Text(phone),
                Val::Shared(from_at.at.clone()),
                Val::Shared(from_at.at.clone()),
            ]);
            bufs.memberships.row([
                Val::Int(Ids::take(&mut ids.membership)),
                Val::Int(team_id),
                Val::Int(person),
                Val::Str(role.code()),
                Val::Str(affiliation.code()),
                Val::Shared(from_at.date.clone()),
                until.map_or(Val::Null, Val::Date),
                Val::Shared(from_at.at.clone()),
                Val::Shared(from_at.at.clone()),
            ]);
            counts.people += 1;
            counts.memberships += 1;
            person
        };
    match change {
        None => holder(rng, bufs, at, None),
        Some(on) => {
            holder(rng, bufs, at, Some(on));
            let on_at = day_text(load, on);
            holder(rng, bufs, &on_at, None)
        }
    }
}

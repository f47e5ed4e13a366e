//! The demo's province (issue 19): beside the demo commune (Đặc khu Cát
//! Hải, [`toso_demo`]), twelve other communes of Thành phố Hải Phòng —
//! six phường and six xã, real names and codes from the communes table —
//! with synthetic villages, teams, people and records made by the
//! generator of `toso gen` ([`crate::gen::generate_communes`], a small
//! shape), a commune officer account each, and the reporting cycle of the
//! Department's request 4675/SKHCN-CNTT (deadline 31/12/2025) played out in
//! December 2025 – January 2026 so that the province's board shows every
//! case: accepted on time, awaiting review (on time and late), returned,
//! returned then resubmitted and accepted, drafts never submitted, not
//! started, and one commune the Department does not expect to answer.
//!
//! Cát Hải's own report (version 1, submitted 29/12/2025, accepted
//! 30/12/2025 by the province officer `sokhcn`) is part of the cycle;
//! nothing is added to Cát Hải's records, so its figures stay those of the
//! reference report.
//!
//! Deterministic: the same communes, records, names and history on every
//! database (only the accounts' ids may come in another order: they are
//! made in parallel, the password hash being the slow part). Idempotent: when the twelve communes already have records,
//! nothing is done. The cycle goes through the store's API (the `_at`
//! variants record the past times); only the exclusion is stamped with the
//! time of the load, as the store records it.

use chrono::{DateTime, TimeZone, Utc};
use toso_demo::synthetic::{mobile_phone, Rng};
use toso_demo::{COMMUNE_CODE, DEMO_PASSWORD, PROVINCE_CODE, REQUEST_NUMBER};
use toso_domain::{Gender, Name, Password, PhoneNumber, UserRole, Username};
use toso_reporting::compose::{compose_report, report_defaults};
use toso_store::board::vietnam_date;
use toso_store::{Actor, Commune, NewUser, ReportingRequest, Review, Store, StoreError, User};

use crate::gen::{self, Shape, DEFAULT_COMMUNE};
use crate::Error;

/// The seed of the twelve communes' records and names.
pub const SEED: u64 = 31;
/// Phường, then xã, taken from Hải Phòng's communes.
pub const WARDS: usize = 6;
pub const RURAL: usize = 6;
/// A small commune: 8 to 16 villages, 4 to 7 seats per village team.
pub const SHAPE: Shape = Shape {
    villages: (8, 16),
    members: (4, 7),
    // Per commune over the two years, in proportion to `toso gen`'s
    // commune scale (4.000 activities for 30 to 45 villages).
    activities: 1_300.0,
};
/// Who signs Cát Hải's report (the reference report's signer).
pub const CAT_HAI_SIGNER: &str = "Vũ Hữu Vững";
/// The province officer demo account who reviews the reports.
pub const PROVINCE_OFFICER: &str = "sokhcn";
/// The commune officer demo account of Cát Hải.
pub const CAT_HAI_OFFICER: &str = "canboxa";
/// Why the Department does not expect one commune to answer.
pub const NOT_EXPECTED_REASON: &str = "Chưa triển khai Tổ Số trên địa bàn";
/// What the Department asks a commune to correct (the report returned and
/// not yet resubmitted).
pub const RETURN_COMMENT: &str = "Bổ sung số liệu tập huấn và danh sách thôn chưa có tổ";
/// What it asked of the commune that resubmitted.
pub const RESUBMIT_COMMENT: &str =
    "Ghi rõ số quyết định kiện toàn Tổ công nghệ số cộng đồng và đường liên kết nhóm Zalo của các tổ";

/// Where one commune's report for 4675/SKHCN-CNTT stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Case {
    /// Submitted before the deadline and accepted.
    AcceptedOnTime,
    /// Submitted on the deadline's day, waiting for the Department.
    AwaitingOnTime,
    /// Submitted after the deadline, waiting for the Department.
    AwaitingLate,
    /// Submitted on time, returned with a comment, not yet resubmitted.
    Returned,
    /// Returned, then resubmitted as version 2 and accepted in January.
    ResubmittedAccepted,
    /// A version made, never submitted.
    Draft,
    /// Nothing made.
    NotStarted,
    /// The Department does not expect this commune to answer.
    NotExpected,
}

/// The cases of the twelve communes, in the order they are given out.
pub const CASES: [Case; WARDS + RURAL] = [
    Case::AcceptedOnTime,
    Case::AcceptedOnTime,
    Case::AcceptedOnTime,
    Case::AwaitingOnTime,
    Case::AwaitingLate,
    Case::Returned,
    Case::ResubmittedAccepted,
    Case::Draft,
    Case::Draft,
    Case::NotStarted,
    Case::NotStarted,
    Case::NotExpected,
];

/// What [`load`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Created {
        communes: usize,
        villages: i64,
        /// Village teams and quick-response teams.
        teams: i64,
        people: i64,
        support_activities: i64,
        /// Commune officer accounts made.
        officers: usize,
        /// Report versions made (Cát Hải's included).
        versions: usize,
    },
    /// The twelve communes already had records: nothing done.
    AlreadyPresent,
}

/// The twelve communes and their cases: phường and xã of Hải Phòng spread
/// over the code order (never Cát Hải, nor `toso gen`'s default commune),
/// alternating xã and phường through [`CASES`].
pub async fn communes(store: &Store) -> Result<Vec<(Commune, Case)>, Error> {
    let mut all = store.communes_of(PROVINCE_CODE).await?;
    all.retain(|c| c.code != COMMUNE_CODE && c.code != DEFAULT_COMMUNE);
    all.sort_by_key(|c| c.code);
    let spread = |kind: &str, n: usize| -> Result<Vec<Commune>, Error> {
        let of_kind: Vec<&Commune> = all.iter().filter(|c| c.kind == kind).collect();
        if of_kind.len() < n {
            return Err(Error::Usage(format!(
                "Thành phố Hải Phòng chỉ có {} {kind} trong bảng đơn vị hành chính, cần {n}.",
                of_kind.len()
            )));
        }
        Ok((0..n)
            .map(|i| of_kind[(2 * i + 1) * of_kind.len() / (2 * n)].clone())
            .collect())
    };
    let wards = spread("phường", WARDS)?;
    let rural = spread("xã", RURAL)?;
    let alternating = rural
        .into_iter()
        .zip(wards)
        .flat_map(|(x, p)| [x, p])
        .zip(CASES)
        .collect();
    Ok(alternating)
}

/// Add the twelve communes and the cycle of 4675/SKHCN-CNTT to a database
/// where [`toso_demo::load`] has run. Another store may be open on the
/// database, idle (on SQLite the bulk load is faster without).
pub async fn load(database_url: &str) -> Result<Loaded, Error> {
    let store = Store::connect(database_url).await?;
    let prepared = prepare(&store).await;
    store.close().await;
    let Some((request, chosen)) = prepared? else {
        return Ok(Loaded::AlreadyPresent);
    };
    let mut codes: Vec<i32> = chosen.iter().map(|(c, _)| c.code).collect();
    codes.sort_unstable();
    let counts =
        gen::generate_communes(database_url, &codes, SEED, &shape(codes.len()), "toso demo")
            .await?;

    let store = Store::connect(database_url).await?;
    let cycle = play_cycle(&store, &request, &chosen).await;
    store.close().await;
    let (officers, versions) = cycle?;
    tracing::info!(communes = chosen.len(), versions, "demo province loaded");
    Ok(Loaded::Created {
        communes: chosen.len(),
        villages: counts.villages,
        teams: counts.teams + counts.quick_response_teams,
        people: counts.people,
        support_activities: counts.support_activities,
        officers,
        versions,
    })
}

/// The generator's shape for `n` communes: [`SHAPE`] with the activities
/// of all of them.
fn shape(n: usize) -> Shape {
    Shape {
        activities: SHAPE.activities * n as f64,
        ..SHAPE
    }
}

/// The request and the communes to load, or `None` when they are there.
async fn prepare(store: &Store) -> Result<Option<(ReportingRequest, Vec<(Commune, Case)>)>, Error> {
    let request = match store.request_by_number(COMMUNE_CODE, REQUEST_NUMBER).await {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => {
            return Err(Error::Refused(format!(
                "chưa có dữ liệu mẫu đặc khu Cát Hải (yêu cầu báo cáo {REQUEST_NUMBER}): \
                 nạp dữ liệu mẫu đặc khu Cát Hải trước (toso demo)."
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let chosen = communes(store).await?;
    let codes: Vec<i32> = chosen.iter().map(|(c, _)| c.code).collect();
    if !store.communes_with_data(&codes).await?.is_empty() {
        return Ok(None);
    }
    Ok(Some((request, chosen)))
}

/// `d/m/y h:min` in Vietnam (UTC+7).
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    toso_domain::vietnam()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid demo time")
        .with_timezone(&Utc)
}

/// One step of a report's history.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The commune's officer makes a new version.
    Version,
    /// … and submits the newest one.
    Submit,
    /// The Department accepts it.
    Accept,
    /// The Department returns it with a comment.
    Return(&'static str),
}

/// The history of `case` for the `k`-th commune of that case (0 for the
/// first), staggered so that no two communes act at the same minute.
fn history(case: Case, k: u32) -> Vec<(Step, DateTime<Utc>)> {
    use Step::*;
    match case {
        Case::AcceptedOnTime => vec![
            (Version, vn(2025, 12, 22 + k, 9, 0)),
            (Submit, vn(2025, 12, 22 + k, 15, 30)),
            (Accept, vn(2025, 12, 26 + 2 * k, 10, 0)),
        ],
        Case::AwaitingOnTime => vec![
            (Version, vn(2025, 12, 30, 8, 15 + k)),
            (Submit, vn(2025, 12, 31, 16, 40 + k)),
        ],
        Case::AwaitingLate => vec![
            (Version, vn(2026, 1, 5 + k, 8, 30)),
            (Submit, vn(2026, 1, 5 + k, 14, 20)),
        ],
        Case::Returned => vec![
            (Version, vn(2025, 12, 24, 9, 10 + k)),
            (Submit, vn(2025, 12, 24, 16, k)),
            (Return(RETURN_COMMENT), vn(2025, 12, 30, 10, 45 + k)),
        ],
        Case::ResubmittedAccepted => vec![
            (Version, vn(2025, 12, 23, 8, 40 + k)),
            (Submit, vn(2025, 12, 23, 10, k)),
            (Return(RESUBMIT_COMMENT), vn(2025, 12, 29, 14, 30 + k)),
            (Version, vn(2026, 1, 6, 9, k)),
            (Submit, vn(2026, 1, 6, 9, 45 + k)),
            (Accept, vn(2026, 1, 8, 15, k)),
        ],
        Case::Draft if k == 0 => vec![(Version, vn(2025, 12, 29, 9, 30))],
        Case::Draft => vec![(Version, vn(2026, 1, 7 + k, 9, 30))],
        Case::NotStarted | Case::NotExpected => Vec::new(),
    }
}

/// The audit identity of an account.
fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: None,
    }
}

/// The account `username`, which the demo made.
async fn demo_account(store: &Store, username: &str) -> Result<User, Error> {
    store.user_by_login(username).await?.ok_or_else(|| {
        Error::Refused(format!(
            "không có tài khoản mẫu «{username}»: nạp dữ liệu mẫu đặc khu Cát Hải trước (toso demo)."
        ))
    })
}

/// A synthetic full name from `rng`.
fn synthetic_name(rng: &mut Rng) -> String {
    let gender = if rng.below(2) == 0 {
        Gender::Nam
    } else {
        Gender::Nu
    };
    rng.person_name(gender)
}

/// The officer accounts, then every commune's history (Cát Hải's first).
/// Returns (accounts made, versions made).
async fn play_cycle(
    store: &Store,
    request: &ReportingRequest,
    chosen: &[(Commune, Case)],
) -> Result<(usize, usize), Error> {
    let province = actor_of(&demo_account(store, PROVINCE_OFFICER).await?);
    let cat_hai = actor_of(&demo_account(store, CAT_HAI_OFFICER).await?);

    // One commune officer each, hashed in parallel (the password hash is
    // the slow part of an account).
    let mut accounts = tokio::task::JoinSet::new();
    let mut signers = std::collections::BTreeMap::new();
    for (i, (commune, _)) in chosen.iter().enumerate() {
        let mut rng = Rng::new(SEED, u64::from(commune.code as u32));
        let full_name = synthetic_name(&mut rng);
        // Far from the people's numbers of the generator and the demo.
        let phone = mobile_phone(&mut rng, 5_000_000 + i as u64);
        signers.insert(commune.code, synthetic_name(&mut rng));
        let new = NewUser {
            username: Username::parse(&format!("canbo{}", commune.code))?,
            full_name: Name::parse_field(&full_name, "full_name", "Họ và tên", 80)?,
            phone: Some(PhoneNumber::parse(&phone)?),
            password: Password::parse(DEMO_PASSWORD)?,
            role: UserRole::CommuneOfficer,
            province_code: Some(PROVINCE_CODE),
            commune_code: Some(commune.code),
            team_id: None,
            person_id: None,
        };
        let (store, actor) = (store.clone(), Actor::system("demo"));
        accounts.spawn(async move { store.create_user(&actor, new).await });
    }
    let mut officers = std::collections::BTreeMap::new();
    while let Some(made) = accounts.join_next().await {
        let user = made.map_err(|e| Error::Usage(format!("Không tạo được tài khoản: {e}")))??;
        officers.insert(user.commune_code.unwrap_or_default(), actor_of(&user));
    }

    let mut versions = play(
        store,
        request,
        COMMUNE_CODE,
        (&cat_hai, &province),
        CAT_HAI_SIGNER,
        &[
            (Step::Version, vn(2025, 12, 29, 8, 30)),
            (Step::Submit, vn(2025, 12, 29, 15, 0)),
            (Step::Accept, vn(2025, 12, 30, 9, 30)),
        ],
    )
    .await?;
    let mut seen: std::collections::BTreeMap<Case, u32> = Default::default();
    for (commune, case) in chosen {
        let k = seen.entry(*case).or_default();
        let steps = history(*case, *k);
        *k += 1;
        let officer = &officers[&commune.code];
        versions += play(
            store,
            request,
            commune.code,
            (officer, &province),
            &signers[&commune.code],
            &steps,
        )
        .await?;
        if *case == Case::NotExpected {
            store
                .set_expected(
                    &province,
                    request.id,
                    commune.code,
                    Some(NOT_EXPECTED_REASON),
                )
                .await?;
        }
    }
    Ok((officers.len(), versions))
}

/// Play `steps` for one commune: versions made and submitted by the
/// commune's officer, reviews by the province's. Returns the versions made.
async fn play(
    store: &Store,
    request: &ReportingRequest,
    commune_code: i32,
    (officer, province): (&Actor, &Actor),
    signer: &str,
    steps: &[(Step, DateTime<Utc>)],
) -> Result<usize, Error> {
    let mut versions = 0;
    let mut latest = None;
    let mut seen = 0;
    for &(step, at) in steps {
        let status = match step {
            Step::Version => {
                let mut settings = report_defaults(store, commune_code, request).await?;
                settings.report_date = vietnam_date(at).max(settings.as_of);
                settings.signer_name = signer.to_string();
                let snapshot = compose_report(store, commune_code, request, &settings).await?;
                let report = store
                    .save_report_at(officer, request, settings, snapshot, at)
                    .await?;
                latest = Some(report.id);
                versions += 1;
                continue;
            }
            Step::Submit => {
                let report = latest.ok_or_else(|| {
                    Error::Usage("Lịch sử mẫu: gửi khi chưa có phiên bản.".into())
                })?;
                store.submit_report_at(officer, report, seen, at).await?
            }
            Step::Accept => {
                store
                    .review_report_at(province, commune_code, request.id, Review::Accept, seen, at)
                    .await?
            }
            Step::Return(comment) => {
                store
                    .review_report_at(
                        province,
                        commune_code,
                        request.id,
                        Review::Return(comment.to_string()),
                        seen,
                        at,
                    )
                    .await?
            }
        };
        seen = status.seq;
    }
    Ok(versions)
}

//! `toso gen`: synthetic data at the scale of one commune, a city (Hải
//! Phòng's 114 communes) or the whole country (all 3,321 communes), for the
//! benchmarks of the indicator tables and pages (BENCHMARKS.md).
//!
//! Deterministic: the same seed gives the same records and figures (the
//! hand-written SplitMix64 of `toso_demo::synthetic`, so no crate's
//! algorithm can change them; the names come from the same place).
//! Shape: per commune a plan and the founding decision, 12 to 48 villages
//! (thôn in a xã, tổ dân phố in a phường), one team per village and the
//! quick-response team, people with roles and affiliations (some seats
//! changed hands during the period), a contest with its registrations,
//! training courses, campaigns ([`commune`]); support activities every day
//! of two years, chronologically, each team at its own pace, growing over
//! the period and quieter at weekends ([`activities`]). People are
//! synthetic (no real person).
//!
//! The rows go in through [`BulkLoad`] (one transaction, indexes rebuilt
//! at the end) with one audit row for the whole run.
//!
//! [`generate_communes`] is the same generator for a given list of
//! communes and a given [`Shape`], for callers beside `toso gen` (the
//! demo's province, [`crate::demo_province`]).

use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use toso_domain::format_int;
use toso_store::{Commune, Store};

use crate::bulk::BulkLoad;
use crate::Error;

mod activities;
mod commune;
mod scale;
mod tables;

use commune::Pass;
use scale::day;
pub use scale::{GenCounts, Scale, Shape, CITY_PROVINCE, DEFAULT_COMMUNE, FIRST_DAY, LAST_DAY};
use tables::{Bufs, Ids, TABLES};

/// The flags of `toso gen`.
#[derive(Args)]
pub struct GenArgs {
    #[arg(
        long,
        value_enum,
        value_name = "QUY_MÔ",
        help = "Quy mô: commune là một xã (vài chục thôn, vài trăm thành viên, vài \
                nghìn lượt hỗ trợ), city là 114 xã của Hải Phòng (khoảng 3.000 thôn, \
                20.000 thành viên, 2 triệu lượt hỗ trợ), national là cả 3.321 xã \
                (khoảng 100.000 thôn và tổ, 500.000 thành viên, 50 triệu lượt hỗ trợ)."
    )]
    pub scale: Scale,
    #[arg(
        long,
        default_value_t = 1,
        value_name = "SỐ",
        help = "Cùng một số cho cùng dữ liệu."
    )]
    pub seed: u64,
    #[arg(
        long,
        value_name = "MÃ_XÃ",
        help = "Xã của `--scale commune` (mã thống kê). Mặc định: 10606, Xã Nam Sách."
    )]
    pub commune: Option<i32>,
    #[arg(long, help = "In các số đếm dạng JSON thay cho bảng.")]
    pub json: bool,
}

/// `toso gen`: generate, then print what was written.
pub async fn command(database_url: &str, args: GenArgs) -> Result<(), Error> {
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

pub async fn run(database_url: &str, args: GenArgs) -> Result<GenCounts, Error> {
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
        return Err(Error::Usage(
            "--commune chỉ dùng với --scale commune.".into(),
        ));
    }
    let codes: Vec<i32> = communes.iter().map(|c| c.code).collect();
    let taken = refuse_taken(&store, &codes).await;
    store.close().await;
    taken?;

    let describe = serde_json::json!({
        "scale": args.scale.code(),
        "seed": args.seed,
        "communes": if args.scale == Scale::Commune { serde_json::json!(codes) } else { serde_json::json!(codes.len()) },
    });
    let written = write(
        database_url,
        &communes,
        args.seed,
        &args.scale.shape(),
        Audit {
            actor: format!(
                "toso gen --scale {} --seed {}",
                args.scale.code(),
                args.seed
            ),
            commune_code: (args.scale == Scale::Commune).then(|| codes[0]),
            describe,
        },
        true,
    )
    .await?;
    eprintln!(
        "Đã sinh dữ liệu (quy mô {}, hạt giống {}) trong {:.1} s (dựng lại chỉ mục và kiểm tra: {:.1} s).",
        args.scale.code(),
        args.seed,
        started.elapsed().as_secs_f64(),
        written.finishing.as_secs_f64()
    );
    Ok(written.counts)
}

/// Generate the communes `codes` as `toso gen` does (same generator, same
/// determinism for a seed), with `shape` and without progress bars: for a
/// caller that wants a few synthetic communes beside other data (the
/// demo's province). Like `toso gen`, refuses when one of them already has
/// records, and writes one audit row for the run, by `actor`. The store
/// must not be open elsewhere on SQLite for the fast path (see
/// [`BulkLoad::open`]).
pub async fn generate_communes(
    database_url: &str,
    codes: &[i32],
    seed: u64,
    shape: &Shape,
    actor: &str,
) -> Result<GenCounts, Error> {
    let store = Store::connect(database_url).await?;
    let mut communes = Vec::with_capacity(codes.len());
    for &code in codes {
        communes.push(store.commune(code).await?);
    }
    let taken = refuse_taken(&store, codes).await;
    store.close().await;
    taken?;
    let describe = serde_json::json!({
        "seed": seed,
        "communes": codes,
        "shape": {
            "villages": [shape.villages.0, shape.villages.1],
            "members": [shape.members.0, shape.members.1],
            "activities": shape.activities,
        },
    });
    let written = write(
        database_url,
        &communes,
        seed,
        shape,
        Audit {
            actor: actor.to_string(),
            commune_code: None,
            describe,
        },
        false,
    )
    .await?;
    Ok(written.counts)
}

/// Refuse to generate over communes that already have records.
async fn refuse_taken(store: &Store, codes: &[i32]) -> Result<(), Error> {
    let taken = store.communes_with_data(codes).await?;
    if taken.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = taken.iter().take(5).map(|c| c.to_string()).collect();
    Err(Error::Refused(format!(
        "cơ sở dữ liệu đã có dữ liệu của {} xã, phường, đặc khu trong phạm vi sinh (mã {}{}): \
         không sinh dữ liệu chồng lên. Hãy dùng một cơ sở dữ liệu mới.",
        format_int(taken.len() as i64),
        list.join(", "),
        if taken.len() > 5 { ", …" } else { "" }
    )))
}

/// The one audit row of a run: who, the commune when there is one, and
/// what was asked (the counts and rows written are added to it).
struct Audit {
    actor: String,
    commune_code: Option<i32>,
    describe: serde_json::Value,
}

/// What [`write`] did.
struct Written {
    counts: GenCounts,
    /// The time spent rebuilding the indexes and checking the keys.
    finishing: std::time::Duration,
}

/// A progress bar, or a hidden one.
fn bar(visible: bool, len: u64, template: &str) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// Generate `communes` into the database through one bulk load.
async fn write(
    database_url: &str,
    communes: &[Commune],
    seed: u64,
    shape: &Shape,
    audit: Audit,
    progress: bool,
) -> Result<Written, Error> {
    let mut load = BulkLoad::open(database_url, TABLES).await?;
    let ids = Ids {
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
    let mut pass = Pass {
        bufs: Bufs::new(),
        ids,
        counts: GenCounts {
            communes: communes.len() as i64,
            ..GenCounts::default()
        },
        teams: Vec::new(),
        phone_seq: 0,
    };

    let bar = bar(
        progress,
        communes.len() as u64,
        "{msg:<34} [{bar:30}] {pos}/{len} {elapsed_precise}",
    );
    bar.set_message("Thôn, tổ, thành viên, văn bản");

    for commune in communes {
        commune::generate(&mut pass, &load, commune, seed, shape, (first, last));
        pass.bufs.flush(&mut load, 50_000).await?;
        bar.inc(1);
    }
    pass.bufs.flush(&mut load, 1).await?;
    bar.finish();
    let mut counts = pass.counts;
    activities::generate(
        &mut load,
        seed,
        shape,
        &pass.teams,
        (first, last),
        &mut counts,
        progress,
    )
    .await?;

    let spinner = if progress {
        let s = ProgressBar::new_spinner();
        s.enable_steady_tick(std::time::Duration::from_millis(200));
        s
    } else {
        ProgressBar::hidden()
    };
    let mut summary = audit.describe;
    if let Some(fields) = summary.as_object_mut() {
        fields.insert("as_of".into(), serde_json::json!(last));
        fields.insert("counts".into(), counts.to_json());
        fields.insert("rows".into(), serde_json::json!(load.rows));
    }
    let finishing = Instant::now();
    load.finish(&audit.actor, audit.commune_code, &summary, |step| {
        let short: String = step.chars().take(70).collect();
        spinner.set_message(format!("Dựng lại chỉ mục, kiểm tra khóa ngoại: {short}"));
    })
    .await?;
    spinner.finish_and_clear();
    Ok(Written {
        counts,
        finishing: finishing.elapsed(),
    })
}

//! The support log of `toso gen`: activities every day of the period,
//! chronologically, each team at its own pace, growing over the period and
//! quieter at weekends.

use chrono::{Datelike, NaiveDate, Weekday};
use toso_domain::SupportCategory;

use super::scale::{GenCounts, Shape};
use super::tables::{day_text, Buf, TeamPace};
use crate::bulk::{BulkLoad, Val};
use crate::Error;
use toso_demo::synthetic::Rng;

/// Support categories with their weights (in `SupportCategory::ALL` order).
const CATEGORY_WEIGHTS: &[u32] = &[30, 14, 20, 14, 8, 4, 7, 3];

/// Write the support activities of `teams` from `first` to `last`
/// (`progress`: with a progress bar).
pub(super) async fn generate(
    load: &mut BulkLoad,
    seed: u64,
    shape: &Shape,
    teams: &[TeamPace],
    (first, last): (NaiveDate, NaiveDate),
    counts: &mut GenCounts,
    progress: bool,
) -> Result<(), Error> {
    let days = (last - first).num_days() as u64 + 1;
    // Support activities, day by day over two years, every team at its pace.
    let team_days = teams.len() as f64 * days as f64;
    let base = shape.activities / team_days;
    let mut rng = Rng::new(seed, 0xAC71_u64);
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
    let bar = super::bar(
        progress,
        days,
        "{msg:<34} [{bar:30}] {pos}/{len} ngày {elapsed_precise} (còn {eta})",
    );
    bar.set_message("Lượt hỗ trợ");
    for d in 0..days {
        let date = first + chrono::Days::new(d);
        let text = day_text(load, date);
        // Growing over the period (0.6 → 1.4), quieter at weekends.
        let trend = 0.6 + 0.8 * d as f64 / (days - 1) as f64;
        let weekday = match date.weekday() {
            Weekday::Sat => 0.8,
            Weekday::Sun => 0.6,
            _ => 1.12,
        };
        for team in teams {
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
            acts.flush(load).await?;
        }
        bar.inc(1);
    }
    acts.flush(load).await?;
    bar.finish();
    Ok(())
}

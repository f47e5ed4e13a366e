//! The one place every figure is computed. Each indicator defined in
//! `toso_domain::indicators` is computed here for any node of the tree as of
//! any date, from the records themselves (active periods, membership
//! periods), and can list the records behind it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use toso_domain::{
    Affiliation, BreakdownItem, IndicatorCode, IndicatorValue, Node, Role, SupportCategory,
    VillageKind, INDICATORS,
};

use crate::people::{affiliation_on, role_on};
use crate::rollups::{month_span, month_split};
use crate::{active_on, Result, Store};

/// One computed figure with its definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorEntry {
    pub code: IndicatorCode,
    pub name: &'static str,
    pub unit: &'static str,
    pub definition: &'static str,
    pub value: IndicatorValue,
    /// The value in Vietnamese format ("1.440", "100%").
    pub display: String,
}

/// Every indicator for one node on one day (or over one period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSet {
    pub node: Node,
    pub node_name: String,
    /// The last day counted (the end of the period).
    pub as_of: NaiveDate,
    /// The first day counted by the flow indicators (activities, trainees,
    /// registrations…) when the set covers a period; absent for an as-of
    /// set, which counts from the beginning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    pub indicators: Vec<IndicatorEntry>,
}

/// The days a figure covers. Stock indicators (villages, teams, members…)
/// are counted on `until`; flow indicators (activities, citizens helped,
/// dossiers, registrations, trainees, campaigns…) count the records dated
/// from `from` (or from the beginning when `None`) to `until`, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub until: NaiveDate,
}

impl Period {
    /// Everything up to and including `day`.
    pub fn as_of(day: NaiveDate) -> Period {
        Period {
            from: None,
            until: day,
        }
    }

    /// From `from` to `until`, both included.
    pub fn between(from: NaiveDate, until: NaiveDate) -> Period {
        Period {
            from: Some(from),
            until,
        }
    }

    /// The condition `AND {col} >= $3` when the period has a start: the
    /// one way a flow query is restricted to a period (`$1` is `until`).
    fn lower(self, col: &str) -> String {
        match self.from {
            Some(_) => format!(" AND {col} >= $3"),
            None => String::new(),
        }
    }

    /// The period "active teams" looks at: the given period, or the
    /// [`ACTIVE_TEAM_DAYS`] days up to `until` for an as-of figure.
    fn active_teams(self) -> Period {
        match self.from {
            Some(_) => self,
            None => Period::between(
                self.until - chrono::Days::new(ACTIVE_TEAM_DAYS - 1),
                self.until,
            ),
        }
    }

    /// The value bound to `$3` when `sql` uses it.
    fn third(self, sql: &str) -> Option<NaiveDate> {
        self.from.filter(|_| sql.contains("$3"))
    }
}

impl IndicatorSet {
    pub fn get(&self, code: IndicatorCode) -> Option<&IndicatorEntry> {
        self.indicators.iter().find(|e| e.code == code)
    }

    /// The value of a count indicator (0 when absent).
    pub fn count(&self, code: IndicatorCode) -> i64 {
        match self.get(code).map(|e| &e.value) {
            Some(IndicatorValue::Count { value }) => *value,
            _ => 0,
        }
    }
}

/// One record behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    /// `village`, `team` or `membership`.
    pub entity: String,
    pub id: i64,
    pub label: String,
    pub detail: String,
    /// The breakdown key the record falls in (role, affiliation, or
    /// `with_team` / `without_team` for coverage).
    pub grp: Option<String>,
}

mod activity;
mod records;
mod sql;
mod table;

pub use activity::{ActivityGroup, ActivityRow, ActivityScope, VillageRank};
pub use records::{RecordsPage, MAX_RECORDS_PAGE};
use sql::*;
pub use table::{UnitRow, UnitTable};

/// What the indicators of one table share: the activity sums by category
/// (four indicators read them) and the member groups (three).
#[derive(Default)]
struct Memo {
    activity: Option<Vec<(String, i64, i64, i64)>>,
    members: Option<Vec<(i64, String, i64)>>,
    help: Option<Vec<crate::help::HelpFigures>>,
    days: Option<std::collections::HashSet<(i64, NaiveDate)>>,
    /// The teams in scope active on the period's last day, by id.
    teams: Option<Vec<(i64, String)>>,
}

/// The days of a course (from `starts` to `ends`, one day without an
/// end) that fall in `period`.
fn course_days(
    period: Period,
    starts: NaiveDate,
    ends: Option<NaiveDate>,
) -> impl Iterator<Item = NaiveDate> {
    let first = period.from.map_or(starts, |f| starts.max(f));
    let last = ends.unwrap_or(starts).min(period.until);
    first.iter_days().take_while(move |day| *day <= last)
}

/// A membership's term: from `started`, until the day before `ended`.
type Term = (NaiveDate, Option<NaiveDate>);

/// How many of `days` fall within one of a membership's terms.
fn days_within(days: &[NaiveDate], terms: &[Term]) -> usize {
    days.iter()
        .filter(|day| {
            terms
                .iter()
                .any(|(started, ended)| *started <= **day && ended.is_none_or(|e| **day < e))
        })
        .count()
}

/// Days counted back from the as-of date for "active teams".
pub const ACTIVE_TEAM_DAYS: u64 = 30;

/// Breakdown over every value of an enum (zeros kept, enum order).
fn breakdown<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    counts: &[(String, i64)],
) -> IndicatorValue {
    IndicatorValue::Breakdown {
        items: all
            .iter()
            .map(|&v| BreakdownItem {
                key: code(v).to_string(),
                label: label(v).to_string(),
                value: counts
                    .iter()
                    .find(|(k, _)| k == code(v))
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            })
            .collect(),
    }
}

impl Store {
    /// Run a one-number query: `$1` the period's end, `$2` the node, `$3`
    /// the period's start when the query uses it.
    async fn scalar(&self, sql: &str, period: Period, node: Node) -> Result<i64> {
        Ok(on_read!(self, pool => {
            let q = sqlx::query_scalar::<_, i64>(sql)
                .bind(period.until)
                .bind(node_key(node));
            let q = match period.third(sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_one(pool).await?
        }))
    }

    /// Run a query of rows `T` with the binds of [`Store::scalar`].
    async fn period_rows<T>(&self, sql: &str, period: Period, node: Node) -> Result<Vec<T>>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, T>(sql)
                .bind(period.until)
                .bind(node_key(node));
            let q = match period.third(sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    async fn grouped(&self, sql: &str, period: Period, node: Node) -> Result<Vec<(String, i64)>> {
        self.period_rows(sql, period, node).await
    }

    /// Compute one indicator for `node` as of `as_of` (flow indicators
    /// count from the beginning).
    pub async fn indicator(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
    ) -> Result<IndicatorValue> {
        self.indicator_in(code, node, Period::as_of(as_of)).await
    }

    /// Compute one indicator for `node` over `period`: stock indicators on
    /// its last day, flow indicators over its days.
    pub async fn indicator_in(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
    ) -> Result<IndicatorValue> {
        self.indicator_memo(code, node, period, &mut Memo::default())
            .await
    }

    /// [`Store::indicator_in`], sharing what several indicators read
    /// (the activity sums) through `memo`.
    async fn indicator_memo(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
        memo: &mut Memo,
    ) -> Result<IndicatorValue> {
        let count = |value| IndicatorValue::Count { value };
        Ok(match code {
            IndicatorCode::Villages => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", villages_from(node)),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Teams => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", teams_from(node)),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Members => count(
                self.member_groups(node, period, memo)
                    .await?
                    .iter()
                    .map(|g| g.2)
                    .sum(),
            ),
            IndicatorCode::Coverage => {
                let numerator = self
                    .scalar(
                        &format!("SELECT COUNT(DISTINCT v.id) {}", teams_from(node)),
                        period,
                        node,
                    )
                    .await?;
                let denominator = self
                    .scalar(
                        &format!("SELECT COUNT(*) {}", villages_from(node)),
                        period,
                        node,
                    )
                    .await?;
                IndicatorValue::Ratio {
                    numerator,
                    denominator,
                }
            }
            IndicatorCode::MembersByRole => {
                // Each person once, under the highest role held (the
                // groups add up to Members).
                let groups = self.member_groups(node, period, memo).await?;
                let by_role: Vec<(String, i64)> = ["to_truong", "to_pho", "thanh_vien"]
                    .iter()
                    .enumerate()
                    .map(|(rank, code)| {
                        let n = groups
                            .iter()
                            .filter(|g| g.0 == rank as i64)
                            .map(|g| g.2)
                            .sum();
                        (code.to_string(), n)
                    })
                    .collect();
                breakdown(Role::ALL, Role::code, Role::label, &by_role)
            }
            IndicatorCode::MembersByAffiliation => {
                // Each person once (the first affiliation by code when a
                // person sits in several teams).
                let mut by_affiliation: Vec<(String, i64)> = Vec::new();
                for (_, affiliation, n) in self.member_groups(node, period, memo).await? {
                    match by_affiliation.iter_mut().find(|(a, _)| a == affiliation) {
                        Some((_, total)) => *total += n,
                        None => by_affiliation.push((affiliation.clone(), *n)),
                    }
                }
                breakdown(
                    Affiliation::ALL,
                    Affiliation::code,
                    Affiliation::label,
                    &by_affiliation,
                )
            }
            IndicatorCode::QuickResponseMembers => count(
                self.scalar(
                    &format!(
                        "SELECT COUNT(DISTINCT m.person_id) {}",
                        quick_response_members_from(node, Members::Counted)
                    ),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::SupportActivities => count(
                self.activity_sums(node, period, memo)
                    .await?
                    .iter()
                    .map(|r| r.1)
                    .sum(),
            ),
            IndicatorCode::CitizensHelped => count(
                self.activity_sums(node, period, memo)
                    .await?
                    .iter()
                    .map(|r| r.2)
                    .sum(),
            ),
            IndicatorCode::Dossiers => count(
                self.activity_sums(node, period, memo)
                    .await?
                    .iter()
                    .map(|r| r.3)
                    .sum(),
            ),
            IndicatorCode::CitizensHelpedByCategory => {
                let by_category: Vec<(String, i64)> = self
                    .activity_sums(node, period, memo)
                    .await?
                    .iter()
                    .map(|r| (r.0.clone(), r.2))
                    .collect();
                breakdown(
                    SupportCategory::ALL,
                    SupportCategory::code,
                    SupportCategory::label,
                    &by_category,
                )
            }
            IndicatorCode::ActiveTeams if matches!(node, Node::Province(_) | Node::Nation) => {
                count(
                    self.active_teams_rolled_up(node, period.active_teams())
                        .await?,
                )
            }
            IndicatorCode::ActiveTeams => {
                let days = period.active_teams();
                let sql = format!(
                    "SELECT COUNT(DISTINCT a.team_id) FROM support_activities a JOIN teams t ON t.id = a.team_id \
                     JOIN villages v ON v.id = t.village_id \
                     WHERE t.kind = 'village' AND a.activity_date <= $1{} AND {} AND {} AND {}",
                    days.lower("a.activity_date"),
                    active_on("t.established_on", "t.dissolved_on"),
                    active_on("v.active_from", "v.active_until"),
                    scope(node, "a.commune_code", Some("a.village_id")),
                );
                count(self.scalar(&sql, days, node).await?)
            }
            IndicatorCode::ContestRegistrations => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(r.count), 0) AS BIGINT) {}",
                        registrations_from(node, period)
                    ),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::ActivitiesPerTeam => IndicatorValue::Breakdown {
                items: self
                    .activities_per_team(node, period, memo)
                    .await?
                    .into_iter()
                    .map(|(key, label, value)| BreakdownItem { key, label, value })
                    .collect(),
            },
            IndicatorCode::TrainingCourses => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", courses_from(node, period)),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Trainees | IndicatorCode::TraineesCompleted => {
                let completed = code == IndicatorCode::TraineesCompleted;
                count(self.trainees(node, period, completed).await?)
            }
            IndicatorCode::TrainingCompletion => IndicatorValue::Ratio {
                numerator: self.trainees(node, period, true).await?,
                denominator: self.trainees(node, period, false).await?,
            },
            IndicatorCode::MembersTrained => count(
                self.scalar(
                    &format!(
                        "SELECT COUNT(DISTINCT tp.person_id) {}",
                        members_trained_from(node, period)
                    ),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::ActivityDays => {
                count(self.activity_days(node, period, memo).await?.len() as i64)
            }
            IndicatorCode::ActivityDaysPerTeam => IndicatorValue::Breakdown {
                items: self.activity_days_per_team(node, period, memo).await?,
            },
            IndicatorCode::ActiveMembers => count(
                self.activity_days(node, period, memo)
                    .await?
                    .iter()
                    .map(|(p, _)| *p)
                    .collect::<std::collections::HashSet<_>>()
                    .len() as i64,
            ),
            IndicatorCode::AllowanceApproved => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(am.total), 0) AS BIGINT) {}",
                        approved_months_from(node, period)
                    ),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Campaigns => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", campaigns_from(node, period)),
                    period,
                    node,
                )
                .await?,
            ),
            IndicatorCode::HelpRequests => {
                count(self.help_rows(node, period, memo).await?.len() as i64)
            }
            IndicatorCode::HelpRequestsDone => count(
                self.help_rows(node, period, memo)
                    .await?
                    .iter()
                    .filter(|r| r.0 == "done")
                    .count() as i64,
            ),
            IndicatorCode::HelpRequestsOnTime => {
                let rows = self.help_rows(node, period, memo).await?;
                let done = rows.iter().filter(|r| r.0 == "done");
                IndicatorValue::Ratio {
                    numerator: done.clone().filter(|r| r.1 == 1).count() as i64,
                    denominator: done.count() as i64,
                }
            }
            IndicatorCode::HelpFirstResponse => IndicatorValue::Duration {
                minutes: toso_domain::median(
                    self.help_rows(node, period, memo)
                        .await?
                        .iter()
                        .filter_map(|r| r.2.map(i64::from))
                        .collect(),
                ),
            },
            IndicatorCode::HelpResolution => IndicatorValue::Duration {
                minutes: toso_domain::median(
                    self.help_rows(node, period, memo)
                        .await?
                        .iter()
                        .filter(|r| r.0 == "done")
                        .filter_map(|r| r.3.map(i64::from))
                        .collect(),
                ),
            },
            IndicatorCode::CampaignReach => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(k.citizens_reached), 0) AS BIGINT) {}",
                        campaigns_from(node, period)
                    ),
                    period,
                    node,
                )
                .await?,
            ),
        })
    }

    /// The distinct (person, day) pairs of activity in `node`'s scope during
    /// `period` (see [`toso_domain::allowance`]), read once per table.
    async fn activity_days<'m>(
        &self,
        node: Node,
        period: Period,
        memo: &'m mut Memo,
    ) -> Result<&'m std::collections::HashSet<(i64, NaiveDate)>> {
        if memo.days.is_none() {
            let pairs: Vec<(i64, NaiveDate)> = self
                .period_rows(&activity_day_pairs_sql(node, period), period, node)
                .await?;
            let mut days: std::collections::HashSet<(i64, NaiveDate)> = pairs.into_iter().collect();
            let courses: Vec<(i64, NaiveDate, Option<NaiveDate>)> = self
                .period_rows(&course_days_sql(node, period), period, node)
                .await?;
            for (person, starts, ends) in courses {
                days.extend(course_days(period, starts, ends).map(|day| (person, day)));
            }
            memo.days = Some(days);
        }
        Ok(memo.days.as_ref().expect("just filled"))
    }

    /// The days of activity of each team in scope active on the period's
    /// last day: each member's days ([`Store::activity_days`]) while they
    /// belonged to the team, as the attendance sheet counts them (a person
    /// in two teams counts in both), by team id; a team without any, 0.
    async fn activity_days_per_team(
        &self,
        node: Node,
        period: Period,
        memo: &mut Memo,
    ) -> Result<Vec<BreakdownItem>> {
        let on_last_day = Period::as_of(period.until);
        let teams = self.active_team_list(node, period, memo).await?.to_vec();
        let mut by_person: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (person, day) in self.activity_days(node, period, memo).await? {
            by_person.entry(*person).or_default().push(*day);
        }
        // Only the memberships of people with days, a few thousand at a
        // time.
        let people: Vec<i64> = by_person.keys().copied().collect();
        let mut terms: HashMap<(i64, i64), Vec<Term>> = HashMap::new();
        for chunk in people.chunks(5_000) {
            let ids = id_list(chunk);
            let sql = format!(
                "SELECT m.team_id, m.person_id, m.started_on, m.ended_on FROM memberships m \
                 JOIN teams t ON t.id = m.team_id WHERE m.person_id IN ({ids}) \
                 AND m.started_on <= $1 AND {} AND {}",
                active_on("t.established_on", "t.dissolved_on"),
                scope(node, "t.commune_code", Some("t.village_id")),
            );
            let rows: Vec<(i64, i64, NaiveDate, Option<NaiveDate>)> =
                self.period_rows(&sql, on_last_day, node).await?;
            for (team, person, started, ended) in rows {
                terms
                    .entry((team, person))
                    .or_default()
                    .push((started, ended));
            }
        }
        let mut totals: HashMap<i64, i64> = HashMap::new();
        for ((team, person), spans) in &terms {
            let days = by_person.get(person).map_or(&[][..], Vec::as_slice);
            *totals.entry(*team).or_default() += days_within(days, spans) as i64;
        }
        Ok(teams
            .into_iter()
            .map(|(id, name)| BreakdownItem {
                key: id.to_string(),
                label: name,
                value: totals.get(&id).copied().unwrap_or(0),
            })
            .collect())
    }

    /// The citizens' requests received in `node`'s scope during `period`,
    /// read once per indicator table (five indicators read them).
    async fn help_rows<'m>(
        &self,
        node: Node,
        period: Period,
        memo: &'m mut Memo,
    ) -> Result<&'m [crate::help::HelpFigures]> {
        if memo.help.is_none() {
            let rows = self
                .help_figures(
                    &scope(node, "h.commune_code", Some("h.village_id")),
                    period.until,
                    node_key(node),
                    period.from,
                )
                .await?;
            memo.help = Some(rows);
        }
        Ok(memo.help.as_deref().unwrap_or_default())
    }

    /// People registered for (or who completed) the courses of the period.
    async fn trainees(&self, node: Node, period: Period, completed: bool) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) {}",
            course_people(completed),
            courses_from(node, period)
        );
        self.scalar(&sql, period, node).await
    }

    /// Activities, citizens helped and dossiers of `node` in `period`, by
    /// category (categories without activities absent), read once per
    /// indicator table. A province reads its rollup
    /// (`activity_province_days`: a row per day and category); a commune
    /// or a village, its own rows.
    async fn activity_sums<'m>(
        &self,
        node: Node,
        period: Period,
        memo: &'m mut Memo,
    ) -> Result<&'m [(String, i64, i64, i64)]> {
        if memo.activity.is_none() {
            let sql = match node {
                Node::Province(_) | Node::Nation => format!(
                    "SELECT d.category, CAST(SUM(d.activities) AS BIGINT), \
                     CAST(SUM(d.citizens_helped) AS BIGINT), CAST(SUM(d.dossiers) AS BIGINT) \
                     FROM activity_province_days d WHERE d.activity_date <= $1{} AND {} \
                     GROUP BY d.category",
                    period.lower("d.activity_date"),
                    province_scope(node, "d.province_code"),
                ),
                _ => format!(
                    "SELECT a.category, COUNT(*), CAST(SUM(a.citizens_helped) AS BIGINT), \
                     CAST(SUM(a.dossiers) AS BIGINT) {} GROUP BY a.category",
                    activities_from(node, period)
                ),
            };
            memo.activity = Some(self.period_rows(&sql, period, node).await?);
        }
        Ok(memo.activity.as_deref().unwrap_or_default())
    }

    /// The members of `node`'s active village teams on the period's last
    /// day, each person once, counted by (highest role held as a rank: 0
    /// leader, 1 deputy, 2 member; first affiliation by code): Members,
    /// Members by role and Members by affiliation all read this one pass
    /// over the memberships (they were three).
    async fn member_groups<'m>(
        &self,
        node: Node,
        period: Period,
        memo: &'m mut Memo,
    ) -> Result<&'m [(i64, String, i64)]> {
        if memo.members.is_none() {
            // Roles and affiliations as they were on that day.
            let sql = format!(
                "SELECT CAST(r AS BIGINT), a, COUNT(*) FROM (SELECT m.person_id, \
                 MIN(CASE {} WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END) AS r, \
                 MIN({}) AS a {} GROUP BY m.person_id) x GROUP BY r, a",
                role_on("$1"),
                affiliation_on("$1"),
                village_members_from(node, Members::Counted)
            );
            let rows = on_read!(self, pool => {
                sqlx::query_as::<_, (i64, String, i64)>(&sql)
                    .bind(period.until)
                    .bind(node_key(node))
                    .fetch_all(pool)
                    .await?
            });
            memo.members = Some(rows);
        }
        Ok(memo.members.as_deref().unwrap_or_default())
    }

    /// Active village teams of a province (or the nation) with an activity
    /// in `days` (bounded): the sum of its units' counts from the per-team
    /// months' day sets (a team belongs to one commune).
    async fn active_teams_rolled_up(&self, node: Node, days: Period) -> Result<i64> {
        Ok(self
            .unit_active_teams(node, days)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum())
    }

    /// The teams in scope (a village's: its own) active on the period's
    /// last day, by id: read once per indicator table (two breakdowns by
    /// team list them).
    async fn active_team_list<'m>(
        &self,
        node: Node,
        period: Period,
        memo: &'m mut Memo,
    ) -> Result<&'m [(i64, String)]> {
        if memo.teams.is_none() {
            let sql = format!(
                "SELECT t.id, t.name FROM teams t WHERE {} AND {} ORDER BY t.id",
                active_on("t.established_on", "t.dissolved_on"),
                scope(node, "t.commune_code", Some("t.village_id")),
            );
            memo.teams = Some(
                self.period_rows(&sql, Period::as_of(period.until), node)
                    .await?,
            );
        }
        Ok(memo.teams.as_deref().unwrap_or_default())
    }

    /// (team id, team name, activities in the period) of every team in
    /// scope active on the period's last day, by team id.
    async fn activities_per_team(
        &self,
        node: Node,
        period: Period,
        memo: &mut Memo,
    ) -> Result<Vec<(String, String, i64)>> {
        if let Node::Nation | Node::Province(_) | Node::Commune(_) = node {
            let teams = self.active_team_list(node, period, memo).await?.to_vec();
            return self
                .activities_per_team_rolled_up(node, period, teams)
                .await;
        }
        let sql = format!(
            "SELECT CAST(t.id AS TEXT), t.name, COUNT(a.id) FROM teams t \
             LEFT JOIN support_activities a ON a.team_id = t.id AND a.activity_date <= $1{} \
             WHERE {} AND {} GROUP BY t.id, t.name ORDER BY t.id",
            period.lower("a.activity_date"),
            active_on("t.established_on", "t.dissolved_on"),
            scope(node, "t.commune_code", Some("t.village_id")),
        );
        self.period_rows(&sql, period, node).await
    }

    /// [`Store::activities_per_team`] of a province or a commune, for
    /// `teams` ([`Store::active_team_list`]): whole months from
    /// `team_activity_months`, the days of partial months (a period
    /// starting or ending mid-month) from the rows.
    async fn activities_per_team_rolled_up(
        &self,
        node: Node,
        period: Period,
        teams: Vec<(i64, String)>,
    ) -> Result<Vec<(String, String, i64)>> {
        let split = month_split(period.from, period.until);
        let (first, last) = split
            .whole
            .unwrap_or_else(|| ("9999-99".to_string(), "0000-00".to_string()));
        // Up to two ranges of days from the rows; an unused one is empty.
        let none = (period.until + chrono::Days::new(1), period.until);
        let edge = |i: usize| split.edges.get(i).copied().unwrap_or(none);
        // A province's months through their index; a commune's through its
        // teams (the rollup's key).
        let (months_of, communes) = match node {
            Node::Nation => ("$1 = 0", "$1 = 0"),
            Node::Province(_) => (
                "m.province_code = $1",
                "a.commune_code IN (SELECT code FROM communes WHERE province_code = $1)",
            ),
            _ => (
                "m.team_id IN (SELECT id FROM teams WHERE commune_code = $1)",
                "a.commune_code = $1",
            ),
        };
        let rows = |lo: &str, hi: &str| {
            format!(
                "SELECT a.team_id, 1 AS n FROM support_activities a \
                 WHERE {communes} AND a.activity_date >= {lo} AND a.activity_date <= {hi}"
            )
        };
        // The counts and the teams are read apart and merged here: joined
        // in one statement, SQLite ran the grouped counts once per team.
        let sums_sql = format!(
            "SELECT y.team_id, CAST(SUM(y.n) AS BIGINT) FROM ( \
               SELECT m.team_id, m.activities AS n FROM team_activity_months m \
               WHERE {months_of} AND m.month >= $2 AND m.month <= $3 \
               UNION ALL {} UNION ALL {}) y GROUP BY y.team_id",
            rows("$4", "$5"),
            rows("$6", "$7"),
        );
        let sums: Vec<(i64, i64)> = on_read!(self, pool => {
            sqlx::query_as(&sums_sql)
                .bind(node_key(node))
                .bind(&first)
                .bind(&last)
                .bind(edge(0).0)
                .bind(edge(0).1)
                .bind(edge(1).0)
                .bind(edge(1).1)
                .fetch_all(pool)
                .await?
        });
        let sums: std::collections::HashMap<i64, i64> = sums.into_iter().collect();
        Ok(teams
            .into_iter()
            .map(|(id, name)| (id.to_string(), name, sums.get(&id).copied().unwrap_or(0)))
            .collect())
    }

    /// Every indicator for `node` as of `as_of`, in definition order.
    pub async fn indicators(&self, node: Node, as_of: NaiveDate) -> Result<IndicatorSet> {
        self.indicators_in(node, Period::as_of(as_of)).await
    }

    /// Every indicator for `node` over `period`, in definition order.
    pub async fn indicators_in(&self, node: Node, period: Period) -> Result<IndicatorSet> {
        let node_name = self.node_name(node).await?;
        let mut indicators = Vec::with_capacity(INDICATORS.len());
        let mut memo = Memo::default();
        for def in INDICATORS {
            let value = self
                .indicator_memo(def.code, node, period, &mut memo)
                .await?;
            indicators.push(IndicatorEntry {
                code: def.code,
                name: def.name,
                unit: def.unit,
                definition: def.definition,
                display: value.display(),
                value,
            });
        }
        Ok(IndicatorSet {
            node,
            node_name,
            as_of: period.until,
            from: period.from,
            indicators,
        })
    }
}

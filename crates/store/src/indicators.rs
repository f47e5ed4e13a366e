//! The one place every figure is computed. Each indicator defined in
//! `toso_domain::indicators` is computed here for any node of the tree as of
//! any date, from the records themselves (active periods, membership
//! periods), and can list the records behind it.

use chrono::NaiveDate;
use serde::Serialize;
use toso_domain::{
    Affiliation, BreakdownItem, IndicatorCode, IndicatorValue, Node, Role, SupportCategory,
    VillageKind, INDICATORS,
};

use crate::people::{affiliation_on, role_on};
use crate::rollups::{month_span, month_split, ALL_DAYS};
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

/// The SQL condition restricting rows to `node`, given the columns holding
/// the commune code and (where there is one) the village id. `$2` is the
/// node's code or id.
fn scope(node: Node, commune_col: &str, village_col: Option<&str>) -> String {
    match (node, village_col) {
        (Node::Province(_), _) => {
            format!("{commune_col} IN (SELECT code FROM communes WHERE province_code = $2)")
        }
        (Node::Commune(_), _) => format!("{commune_col} = $2"),
        (Node::Village(_), Some(col)) => format!("{col} = $2"),
        // Nothing without a village lies below a village.
        (Node::Village(_), None) => "1 = 0".to_string(),
    }
}

fn node_key(node: Node) -> i64 {
    match node {
        Node::Province(code) | Node::Commune(code) => code as i64,
        Node::Village(id) => id,
    }
}

/// `FROM … WHERE …` of the active village teams' memberships in scope.
fn village_members_from(node: Node) -> String {
    format!(
        "FROM memberships m JOIN teams t ON t.id = m.team_id JOIN villages v ON v.id = t.village_id \
         JOIN people p ON p.id = m.person_id \
         WHERE t.kind = 'village' AND {} AND {} AND {} AND {}",
        active_on("m.started_on", "m.ended_on"),
        active_on("t.established_on", "t.dissolved_on"),
        active_on("v.active_from", "v.active_until"),
        // Scoped on the team (its commune is its village's): the planner
        // can then start from the commune's teams (index teams_commune)
        // instead of scanning every team in the country.
        scope(node, "t.commune_code", Some("t.village_id")),
    )
}

fn quick_response_members_from(node: Node) -> String {
    format!(
        "FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
         WHERE t.kind = 'quick_response' AND {} AND {} AND {}",
        active_on("m.started_on", "m.ended_on"),
        active_on("t.established_on", "t.dissolved_on"),
        scope(node, "t.commune_code", None),
    )
}

fn villages_from(node: Node) -> String {
    format!(
        "FROM villages v WHERE {} AND {}",
        active_on("v.active_from", "v.active_until"),
        scope(node, "v.commune_code", Some("v.id")),
    )
}

fn teams_from(node: Node) -> String {
    format!(
        "FROM teams t JOIN villages v ON v.id = t.village_id WHERE t.kind = 'village' AND {} AND {} AND {}",
        active_on("t.established_on", "t.dissolved_on"),
        active_on("v.active_from", "v.active_until"),
        scope(node, "t.commune_code", Some("t.village_id")),
    )
}

/// `FROM … WHERE …` of the support activities in scope in the period
/// (up to `$1`, from `$3` when the period has a start).
fn activities_from(node: Node, period: Period) -> String {
    format!(
        "FROM support_activities a WHERE a.activity_date <= $1{} AND {}",
        period.lower("a.activity_date"),
        scope(node, "a.commune_code", Some("a.village_id")),
    )
}

/// `FROM … WHERE …` of the contest registrations in scope in the period.
fn registrations_from(node: Node, period: Period) -> String {
    format!(
        "FROM contest_registrations r JOIN contests c ON c.id = r.contest_id \
         WHERE r.registered_on <= $1{} AND {}",
        period.lower("r.registered_on"),
        scope(node, "c.commune_code", None),
    )
}

/// `FROM … WHERE …` of the training courses in scope started in the
/// period. Courses belong to the commune: none lies below a village.
fn courses_from(node: Node, period: Period) -> String {
    format!(
        "FROM training_courses c WHERE c.starts_on <= $1{} AND {}",
        period.lower("c.starts_on"),
        scope(node, "c.commune_code", None),
    )
}

/// Registered (or, with `completed`, completed) people of course `c`:
/// members by name plus the counts of officials and citizens.
fn course_people(completed: bool) -> String {
    if completed {
        "(c.officials_completed + c.citizens_completed + (SELECT COUNT(*) FROM training_participants tp \
         WHERE tp.course_id = c.id AND tp.completed = 1))"
            .to_string()
    } else {
        "(c.officials_registered + c.citizens_registered + (SELECT COUNT(*) FROM training_participants tp \
         WHERE tp.course_id = c.id))"
            .to_string()
    }
}

/// `FROM … WHERE …` of the completions by team members of courses in the
/// period; for a village, the members of its teams.
fn members_trained_from(node: Node, period: Period) -> String {
    let scope = match node {
        Node::Village(_) => "tp.person_id IN (SELECT m.person_id FROM memberships m \
             JOIN teams t ON t.id = m.team_id WHERE t.village_id = $2)"
            .to_string(),
        _ => scope(node, "c.commune_code", None),
    };
    format!(
        "FROM training_participants tp JOIN training_courses c ON c.id = tp.course_id \
         JOIN people p ON p.id = tp.person_id \
         WHERE tp.completed = 1 AND c.starts_on <= $1{} AND {scope}",
        period.lower("c.starts_on"),
    )
}

/// `FROM … WHERE …` of the campaigns in scope held in the period; for a
/// village, the campaigns it took part in.
fn campaigns_from(node: Node, period: Period) -> String {
    let scope = match node {
        Node::Village(_) => "EXISTS (SELECT 1 FROM campaign_villages cv \
             WHERE cv.campaign_id = k.id AND cv.village_id = $2)"
            .to_string(),
        _ => scope(node, "k.commune_code", None),
    };
    format!(
        "FROM campaigns k WHERE k.held_on <= $1{} AND {scope}",
        period.lower("k.held_on"),
    )
}

/// What the indicators of one table share: the activity sums by category
/// (four indicators read them) and the member groups (three).
#[derive(Default)]
struct Memo {
    activity: Option<Vec<(String, i64, i64, i64)>>,
    members: Option<Vec<(i64, String, i64)>>,
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
                        quick_response_members_from(node)
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
            IndicatorCode::ActiveTeams if matches!(node, Node::Province(_)) => count(
                self.active_teams_rolled_up(node, period.active_teams())
                    .await?,
            ),
            IndicatorCode::ActiveTeams => {
                let days = period.active_teams();
                let sql = format!(
                    "SELECT COUNT(DISTINCT a.team_id) FROM support_activities a JOIN teams t ON t.id = a.team_id \
                     WHERE t.kind = 'village' AND a.activity_date <= $1{} AND {} AND {}",
                    days.lower("a.activity_date"),
                    active_on("t.established_on", "t.dissolved_on"),
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
                    .activities_per_team(node, period)
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
            IndicatorCode::Campaigns => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", campaigns_from(node, period)),
                    period,
                    node,
                )
                .await?,
            ),
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
                Node::Province(_) => format!(
                    "SELECT d.category, CAST(SUM(d.activities) AS BIGINT), \
                     CAST(SUM(d.citizens_helped) AS BIGINT), CAST(SUM(d.dossiers) AS BIGINT) \
                     FROM activity_province_days d WHERE d.activity_date <= $1{} AND d.province_code = $2 \
                     GROUP BY d.category",
                    period.lower("d.activity_date")
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
                village_members_from(node)
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

    /// Active village teams of a province with an activity in `days`
    /// (bounded), from the per-team months' day sets: the first and last
    /// month masked to the days inside the range.
    async fn active_teams_rolled_up(&self, node: Node, days: Period) -> Result<i64> {
        let span = month_span(days.from, days.until);
        let sql = format!(
            "SELECT COUNT(DISTINCT m.team_id) FROM team_activity_months m JOIN teams t ON t.id = m.team_id \
             WHERE m.province_code = $2 AND m.month >= $3 AND m.month <= $4 \
             AND (m.days & (CASE WHEN m.month = $3 THEN $5 WHEN m.month = $4 THEN $6 ELSE {ALL_DAYS} END)) <> 0 \
             AND t.kind = 'village' AND {}",
            active_on("t.established_on", "t.dissolved_on"),
        );
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(days.until)
                .bind(node_key(node))
                .bind(&span.first_month)
                .bind(&span.last_month)
                .bind(span.first_mask)
                .bind(span.last_mask)
                .fetch_one(pool)
                .await?
        }))
    }

    /// (team id, team name, activities in the period) of every team in
    /// scope active on the period's last day, by team id.
    async fn activities_per_team(
        &self,
        node: Node,
        period: Period,
    ) -> Result<Vec<(String, String, i64)>> {
        if let Node::Province(_) | Node::Commune(_) = node {
            return self.activities_per_team_rolled_up(node, period).await;
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

    /// [`Store::activities_per_team`] of a province or a commune: whole months from
    /// `team_activity_months`, the days of partial months (a period
    /// starting or ending mid-month) from the rows.
    async fn activities_per_team_rolled_up(
        &self,
        node: Node,
        period: Period,
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
        let teams_sql = format!(
            "SELECT t.id, t.name FROM teams t WHERE {} AND {} ORDER BY t.id",
            active_on("t.established_on", "t.dissolved_on"),
            scope(node, "t.commune_code", None),
        );
        let (sums, teams) = on_read!(self, pool => {
            let sums: Vec<(i64, i64)> = sqlx::query_as(&sums_sql)
                .bind(node_key(node))
                .bind(&first)
                .bind(&last)
                .bind(edge(0).0)
                .bind(edge(0).1)
                .bind(edge(1).0)
                .bind(edge(1).1)
                .fetch_all(pool)
                .await?;
            let teams: Vec<(i64, String)> = sqlx::query_as(&teams_sql)
                .bind(period.until)
                .bind(node_key(node))
                .fetch_all(pool)
                .await?;
            (sums, teams)
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

    /// The records behind one indicator for `node` as of `as_of`.
    pub async fn indicator_records(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
    ) -> Result<Vec<Evidence>> {
        self.indicator_records_in(code, node, Period::as_of(as_of))
            .await
    }

    /// The records behind one indicator for `node` over `period`.
    pub async fn indicator_records_in(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
    ) -> Result<Vec<Evidence>> {
        self.records_window(code, node, period, None).await
    }

    /// One page of the records behind one indicator for `node` as of
    /// `as_of`: at most `per_page` (capped at [`MAX_RECORDS_PAGE`]) from
    /// page `page` (from 1), in the order of [`Store::indicator_records`],
    /// and how many records there are in all. A province or the nation can
    /// have millions; pages and the API read them this way.
    pub async fn indicator_records_page(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<RecordsPage> {
        let per_page = per_page.clamp(1, MAX_RECORDS_PAGE);
        let page = page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let period = Period::as_of(as_of);
        let records = self
            .records_window(code, node, period, Some((offset, i64::from(per_page))))
            .await?;
        let total = self.records_total(code, node, period).await?;
        Ok(RecordsPage {
            records,
            total,
            page,
            per_page,
        })
    }

    /// How many records [`Store::indicator_records_in`] would list.
    async fn records_total(&self, code: IndicatorCode, node: Node, period: Period) -> Result<i64> {
        let (sql, period) = records_sql(code, node, period);
        let sql = format!("SELECT COUNT(*) FROM ({sql}) counted");
        Ok(on_read!(self, pool => {
            let q = sqlx::query_scalar::<_, i64>(&sql).bind(period.until).bind(node_key(node));
            let q = match period.third(&sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_one(pool).await?
        }))
    }

    /// The records, all of them or the window (offset, limit).
    async fn records_window(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
        window: Option<(i64, i64)>,
    ) -> Result<Vec<Evidence>> {
        let (mut sql, period) = records_sql(code, node, period);
        if let Some((offset, limit)) = window {
            // Numbers computed here, not text from the request.
            sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
        }
        let mut rows: Vec<Evidence> = on_read!(self, pool => {
            let q = sqlx::query_as::<_, Evidence>(&sql).bind(period.until).bind(node_key(node));
            let q = match period.third(&sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_all(pool).await?
        });
        for row in &mut rows {
            row.detail = readable_detail(&row.entity, &row.detail);
        }
        Ok(rows)
    }
}

/// The most records one page of [`Store::indicator_records_page`] holds.
pub const MAX_RECORDS_PAGE: u32 = 500;

/// One page of the records behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct RecordsPage {
    pub records: Vec<Evidence>,
    /// Records in all (on every page).
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    pub per_page: u32,
}

/// The query listing the records behind `code` (and the period it binds).
fn records_sql(code: IndicatorCode, node: Node, period: Period) -> (String, Period) {
    // Active teams look at their own days (30 for an as-of figure).
    let period = if code == IndicatorCode::ActiveTeams {
        period.active_teams()
    } else {
        period
    };
    // Roles and affiliations as they were on the period's last day ($1).
    let (role, affiliation) = (role_on("$1"), affiliation_on("$1"));
    let member_cols = |from: String, grp: &str| {
        format!(
            "SELECT 'membership' AS entity, m.id, p.full_name AS label, \
                 t.name || '|' || {role} || '|' || {affiliation} AS detail, {grp} AS grp \
                 {from} ORDER BY t.name, p.name_fold, m.id"
        )
    };
    let sql = match code {
            IndicatorCode::Villages => format!(
                "SELECT 'village' AS entity, v.id, v.name AS label, v.kind AS detail, NULL AS grp {} \
                 ORDER BY v.name_fold, v.id",
                villages_from(node)
            ),
            IndicatorCode::Teams => format!(
                "SELECT 'team' AS entity, t.id, t.name AS label, v.name AS detail, NULL AS grp {} \
                 ORDER BY v.name_fold, t.id",
                teams_from(node)
            ),
            // The team's commune is its village's: joined on it too, the
            // teams are found through teams_commune instead of a scan of
            // every team (560 ms per commune page at national scale).
            IndicatorCode::Coverage => format!(
                "SELECT 'village' AS entity, v.id, v.name AS label, COALESCE(t.name, '') AS detail, \
                 CASE WHEN t.id IS NULL THEN 'without_team' ELSE 'with_team' END AS grp \
                 FROM villages v LEFT JOIN teams t ON t.village_id = v.id AND t.kind = 'village' AND {} \
                 AND t.commune_code = v.commune_code \
                 WHERE {} AND {} ORDER BY v.name_fold, v.id",
                active_on("t.established_on", "t.dissolved_on"),
                active_on("v.active_from", "v.active_until"),
                scope(node, "v.commune_code", Some("v.id")),
            ),
            IndicatorCode::Members => member_cols(village_members_from(node), "NULL"),
            IndicatorCode::MembersByRole => member_cols(village_members_from(node), &role),
            IndicatorCode::MembersByAffiliation => member_cols(village_members_from(node), &affiliation),
            IndicatorCode::QuickResponseMembers => member_cols(quick_response_members_from(node), &role),
            IndicatorCode::SupportActivities
            | IndicatorCode::CitizensHelped
            | IndicatorCode::CitizensHelpedByCategory
            | IndicatorCode::Dossiers
            | IndicatorCode::ActivitiesPerTeam => format!(
                "SELECT 'activity' AS entity, a.id, t.name AS label, \
                 a.activity_date || '|' || a.category || '|' || a.citizens_helped || '|' || a.dossiers AS detail, \
                 {} AS grp FROM support_activities a JOIN teams t ON t.id = a.team_id \
                 WHERE a.activity_date <= $1{} AND {} ORDER BY a.activity_date DESC, a.id DESC",
                if code == IndicatorCode::ActivitiesPerTeam {
                    "CAST(a.team_id AS TEXT)"
                } else {
                    "a.category"
                },
                period.lower("a.activity_date"),
                scope(node, "a.commune_code", Some("a.village_id")),
            ),
            IndicatorCode::ActiveTeams => format!(
                "SELECT 'team' AS entity, t.id, t.name AS label, COALESCE(v.name, '') AS detail, NULL AS grp \
                 FROM teams t LEFT JOIN villages v ON v.id = t.village_id \
                 WHERE t.kind = 'village' AND {} AND EXISTS (SELECT 1 FROM support_activities a \
                 WHERE a.team_id = t.id AND a.activity_date <= $1{}) AND {} ORDER BY t.name, t.id",
                active_on("t.established_on", "t.dissolved_on"),
                period.lower("a.activity_date"),
                scope(node, "t.commune_code", Some("t.village_id")),
            ),
            IndicatorCode::ContestRegistrations => format!(
                "SELECT 'contest_registration' AS entity, r.id, c.name AS label, \
                 r.registered_on || '|' || r.grp || '|' || r.count AS detail, r.grp AS grp {} \
                 ORDER BY r.registered_on, r.id",
                registrations_from(node, period)
            ),
            IndicatorCode::TrainingCourses
            | IndicatorCode::Trainees
            | IndicatorCode::TraineesCompleted
            | IndicatorCode::TrainingCompletion => format!(
                "SELECT 'training_course' AS entity, c.id, c.title AS label, \
                 c.starts_on || '|' || c.mode || '|' || {} || '|' || {} AS detail, c.mode AS grp {} \
                 ORDER BY c.starts_on, c.id",
                course_people(false),
                course_people(true),
                courses_from(node, period)
            ),
            IndicatorCode::MembersTrained => format!(
                "SELECT 'person' AS entity, p.id, p.full_name AS label, CAST(COUNT(*) AS TEXT) AS detail, \
                 NULL AS grp {} GROUP BY p.id, p.full_name, p.name_fold ORDER BY p.name_fold, p.id",
                members_trained_from(node, period)
            ),
            IndicatorCode::Campaigns | IndicatorCode::CampaignReach => format!(
                "SELECT 'campaign' AS entity, k.id, k.name AS label, \
                 k.held_on || '|' || k.participants || '|' || k.citizens_reached AS detail, NULL AS grp {} \
                 ORDER BY k.held_on, k.id",
                campaigns_from(node, period)
            ),
        };
    (sql, period)
}

impl Store {
    /// Members of each of the commune's teams on `as_of` (teams with none
    /// included), by team id: the team list and the "fewer than 3 members"
    /// warning read this.
    pub async fn team_member_counts(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let sql = format!(
            "SELECT t.id, COUNT(DISTINCT m.person_id) FROM teams t \
             LEFT JOIN memberships m ON m.team_id = t.id AND {} \
             WHERE t.commune_code = $2 GROUP BY t.id",
            active_on("m.started_on", "m.ended_on")
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(&sql)
                .bind(as_of)
                .bind(commune_code)
                .fetch_all(pool)
                .await?
        }))
    }
}

/// Replace the stored codes in an evidence detail by their Vietnamese labels.
fn readable_detail(entity: &str, detail: &str) -> String {
    match entity {
        "village" => VillageKind::from_code(detail)
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| detail.to_string()),
        "membership" => {
            let mut parts = detail.splitn(3, '|');
            let team = parts.next().unwrap_or_default();
            let role = parts
                .next()
                .and_then(Role::from_code)
                .map_or("", Role::label);
            let affiliation = parts
                .next()
                .and_then(Affiliation::from_code)
                .map_or("", Affiliation::label);
            format!("{team} — {role} — {affiliation}")
        }
        "activity" => {
            let parts: Vec<&str> = detail.splitn(4, '|').collect();
            match parts.as_slice() {
                [date, category, citizens, dossiers] => format!(
                    "{} — {} — {} người, {} hồ sơ",
                    readable_date(date),
                    SupportCategory::from_code(category)
                        .map(|c| c.label())
                        .unwrap_or(category),
                    citizens,
                    dossiers
                ),
                _ => detail.to_string(),
            }
        }
        "training_course" => {
            let parts: Vec<&str> = detail.splitn(4, '|').collect();
            match parts.as_slice() {
                [date, mode, registered, completed] => format!(
                    "{} — {} — {} người đăng ký, {} người hoàn thành",
                    readable_date(date),
                    toso_domain::TrainingMode::from_code(mode)
                        .map(|m| m.label())
                        .unwrap_or(mode),
                    registered,
                    completed
                ),
                _ => detail.to_string(),
            }
        }
        "person" => format!("Hoàn thành {detail} lớp"),
        "campaign" => {
            let parts: Vec<&str> = detail.splitn(3, '|').collect();
            match parts.as_slice() {
                [date, participants, reached] => format!(
                    "{} — {} người tham gia, {} người dân được tiếp cận",
                    readable_date(date),
                    participants,
                    reached
                ),
                _ => detail.to_string(),
            }
        }
        "contest_registration" => {
            let parts: Vec<&str> = detail.splitn(3, '|').collect();
            match parts.as_slice() {
                [date, group, count] => format!(
                    "{} — {} — {} người",
                    readable_date(date),
                    toso_domain::ContestGroup::from_code(group)
                        .map(|g| g.label())
                        .unwrap_or(group),
                    count
                ),
                _ => detail.to_string(),
            }
        }
        _ => detail.to_string(),
    }
}

/// An ISO date as dd/mm/yyyy (text from SQL concatenation).
fn readable_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(toso_domain::format_date)
        .unwrap_or_else(|_| iso.to_string())
}

/// Where the activities of a dashboard come from: a node of the tree, or
/// one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityScope {
    Node(Node),
    Team(i64),
}

/// How a dashboard groups the activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityGroup {
    /// `2025-11`, oldest first.
    Month,
    /// The support categories, in list order (zeros kept).
    Category,
    /// The villages of the node (quick-response team: `commune`).
    Village,
}

/// One group of support activities: how many, and how many people and
/// dossiers they helped with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityRow {
    pub key: String,
    pub label: String,
    pub activities: i64,
    pub citizens_helped: i64,
    pub dossiers: i64,
}

/// One line of the ranking of villages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageRank {
    pub village_id: i64,
    pub name: String,
    pub citizens_helped: i64,
    pub activities: i64,
    pub dossiers: i64,
    pub members: i64,
}

impl Store {
    /// The support activities of `scope` in `period`, grouped by `by`.
    /// The totals equal the indicators `support_activities`,
    /// `citizens_helped` and `dossiers` of the same node and period: the
    /// same conditions ([`activities_from`]) select the rows.
    pub async fn activity_rows(
        &self,
        scope: ActivityScope,
        period: Period,
        by: ActivityGroup,
    ) -> Result<Vec<ActivityRow>> {
        let (node, from) = match scope {
            ActivityScope::Node(node) => (node, activities_from(node, period)),
            ActivityScope::Team(id) => (
                Node::Village(id),
                format!(
                    "FROM support_activities a WHERE a.activity_date <= $1{} AND a.team_id = $2",
                    period.lower("a.activity_date")
                ),
            ),
        };
        let key = match by {
            ActivityGroup::Month => "SUBSTR(CAST(a.activity_date AS TEXT), 1, 7)",
            ActivityGroup::Category => "a.category",
            ActivityGroup::Village => "COALESCE(CAST(a.village_id AS TEXT), 'commune')",
        };
        let sql = format!(
            "SELECT {key}, COUNT(*), CAST(COALESCE(SUM(a.citizens_helped), 0) AS BIGINT), \
             CAST(COALESCE(SUM(a.dossiers), 0) AS BIGINT) {from} GROUP BY {key} ORDER BY {key}"
        );
        let rows: Vec<(String, i64, i64, i64)> = self.period_rows(&sql, period, node).await?;
        let row = |key: String, label: String| {
            let found = rows.iter().find(|r| r.0 == key);
            ActivityRow {
                activities: found.map_or(0, |r| r.1),
                citizens_helped: found.map_or(0, |r| r.2),
                dossiers: found.map_or(0, |r| r.3),
                key,
                label,
            }
        };
        Ok(match by {
            ActivityGroup::Month => rows
                .iter()
                .map(|r| {
                    let label = match r.0.split_once('-') {
                        Some((y, m)) => format!("{m}/{y}"),
                        None => r.0.clone(),
                    };
                    row(r.0.clone(), label)
                })
                .collect(),
            ActivityGroup::Category => SupportCategory::ALL
                .iter()
                .map(|c| row(c.code().to_string(), c.label().to_string()))
                .collect(),
            ActivityGroup::Village => {
                let mut names: Vec<(String, String)> = Vec::new();
                for r in &rows {
                    let label = match r.0.parse::<i64>() {
                        Ok(id) => self.village(id).await?.name,
                        Err(_) => "Cấp xã (Đội hỗ trợ phản ứng nhanh)".to_string(),
                    };
                    names.push((r.0.clone(), label));
                }
                names.into_iter().map(|(k, l)| row(k, l)).collect()
            }
        })
    }

    /// The villages of a commune active on the period's last day, ranked by
    /// citizens helped in the period, then activities, then members (as of
    /// the last day), then name.
    pub async fn village_ranking(
        &self,
        commune_code: i32,
        period: Period,
    ) -> Result<Vec<VillageRank>> {
        let node = Node::Commune(commune_code);
        let helped = self
            .activity_rows(ActivityScope::Node(node), period, ActivityGroup::Village)
            .await?;
        let members_sql = format!(
            "SELECT CAST(v.id AS TEXT), COUNT(DISTINCT m.person_id) {} GROUP BY v.id",
            village_members_from(node)
        );
        let members = self
            .grouped(&members_sql, Period::as_of(period.until), node)
            .await?;
        let villages_sql = format!(
            "SELECT CAST(v.id AS TEXT), v.name {} ORDER BY v.name_fold, v.id",
            villages_from(node)
        );
        let villages: Vec<(String, String)> = on_read!(self, pool => {
            sqlx::query_as(&villages_sql)
                .bind(period.until)
                .bind(node_key(node))
                .fetch_all(pool)
                .await?
        });
        let mut ranks: Vec<VillageRank> = villages
            .into_iter()
            .map(|(id, name)| {
                let h = helped.iter().find(|r| r.key == id);
                VillageRank {
                    village_id: id.parse().unwrap_or_default(),
                    citizens_helped: h.map_or(0, |r| r.citizens_helped),
                    activities: h.map_or(0, |r| r.activities),
                    dossiers: h.map_or(0, |r| r.dossiers),
                    members: members
                        .iter()
                        .find(|(k, _)| *k == id)
                        .map_or(0, |(_, n)| *n),
                    name,
                }
            })
            .collect();
        // Stable sort: equal figures keep the villages' name order.
        ranks.sort_by(|a, b| {
            (b.citizens_helped, b.activities, b.members).cmp(&(
                a.citizens_helped,
                a.activities,
                a.members,
            ))
        });
        Ok(ranks)
    }
}

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

/// Every indicator for one node on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSet {
    pub node: Node,
    pub node_name: String,
    pub as_of: NaiveDate,
    pub indicators: Vec<IndicatorEntry>,
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
        scope(node, "v.commune_code", Some("v.id")),
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
        scope(node, "v.commune_code", Some("v.id")),
    )
}

/// `FROM … WHERE …` of the support activities in scope up to `$1`.
fn activities_from(node: Node) -> String {
    format!(
        "FROM support_activities a WHERE a.activity_date <= $1 AND {}",
        scope(node, "a.commune_code", Some("a.village_id")),
    )
}

/// `FROM … WHERE …` of the contest registrations in scope up to `$1`.
fn registrations_from(node: Node) -> String {
    format!(
        "FROM contest_registrations r JOIN contests c ON c.id = r.contest_id \
         WHERE r.registered_on <= $1 AND {}",
        scope(node, "c.commune_code", None),
    )
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
    async fn scalar(&self, sql: &str, as_of: NaiveDate, node: Node) -> Result<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(as_of)
                .bind(node_key(node))
                .fetch_one(pool)
                .await?
        }))
    }

    async fn grouped(&self, sql: &str, as_of: NaiveDate, node: Node) -> Result<Vec<(String, i64)>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (String, i64)>(sql)
                .bind(as_of)
                .bind(node_key(node))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Compute one indicator for `node` as of `as_of`.
    pub async fn indicator(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
    ) -> Result<IndicatorValue> {
        let count = |value| IndicatorValue::Count { value };
        Ok(match code {
            IndicatorCode::Villages => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", villages_from(node)),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Teams => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", teams_from(node)),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Members => count(
                self.scalar(
                    &format!(
                        "SELECT COUNT(DISTINCT m.person_id) {}",
                        village_members_from(node)
                    ),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Coverage => {
                let numerator = self
                    .scalar(
                        &format!("SELECT COUNT(DISTINCT v.id) {}", teams_from(node)),
                        as_of,
                        node,
                    )
                    .await?;
                let denominator = self
                    .scalar(
                        &format!("SELECT COUNT(*) {}", villages_from(node)),
                        as_of,
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
                let sql = format!(
                    "SELECT CASE r WHEN 0 THEN 'to_truong' WHEN 1 THEN 'to_pho' ELSE 'thanh_vien' END, COUNT(*) \
                     FROM (SELECT m.person_id, MIN(CASE m.role WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END) AS r \
                     {} GROUP BY m.person_id) x GROUP BY r",
                    village_members_from(node)
                );
                breakdown(
                    Role::ALL,
                    Role::code,
                    Role::label,
                    &self.grouped(&sql, as_of, node).await?,
                )
            }
            IndicatorCode::MembersByAffiliation => {
                // Each person once (the first affiliation by code when a
                // person sits in several teams).
                let sql = format!(
                    "SELECT a, COUNT(*) FROM (SELECT m.person_id, MIN(m.affiliation) AS a \
                     {} GROUP BY m.person_id) x GROUP BY a",
                    village_members_from(node)
                );
                breakdown(
                    Affiliation::ALL,
                    Affiliation::code,
                    Affiliation::label,
                    &self.grouped(&sql, as_of, node).await?,
                )
            }
            IndicatorCode::QuickResponseMembers => count(
                self.scalar(
                    &format!(
                        "SELECT COUNT(DISTINCT m.person_id) {}",
                        quick_response_members_from(node)
                    ),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::SupportActivities => count(
                self.scalar(
                    &format!("SELECT COUNT(*) {}", activities_from(node)),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::CitizensHelped => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(a.citizens_helped), 0) AS BIGINT) {}",
                        activities_from(node)
                    ),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::Dossiers => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(a.dossiers), 0) AS BIGINT) {}",
                        activities_from(node)
                    ),
                    as_of,
                    node,
                )
                .await?,
            ),
            IndicatorCode::CitizensHelpedByCategory => {
                let sql = format!(
                    "SELECT a.category, CAST(SUM(a.citizens_helped) AS BIGINT) {} GROUP BY a.category",
                    activities_from(node)
                );
                breakdown(
                    SupportCategory::ALL,
                    SupportCategory::code,
                    SupportCategory::label,
                    &self.grouped(&sql, as_of, node).await?,
                )
            }
            IndicatorCode::ActiveTeams => {
                let since = as_of - chrono::Days::new(ACTIVE_TEAM_DAYS);
                let sql = format!(
                    "SELECT COUNT(DISTINCT a.team_id) FROM support_activities a JOIN teams t ON t.id = a.team_id \
                     WHERE t.kind = 'village' AND a.activity_date <= $1 AND a.activity_date > $3 AND {} AND {}",
                    active_on("t.established_on", "t.dissolved_on"),
                    scope(node, "a.commune_code", Some("a.village_id")),
                );
                count(on_read!(self, pool => {
                    sqlx::query_scalar::<_, i64>(&sql)
                        .bind(as_of)
                        .bind(node_key(node))
                        .bind(since)
                        .fetch_one(pool)
                        .await?
                }))
            }
            IndicatorCode::ContestRegistrations => count(
                self.scalar(
                    &format!(
                        "SELECT CAST(COALESCE(SUM(r.count), 0) AS BIGINT) {}",
                        registrations_from(node)
                    ),
                    as_of,
                    node,
                )
                .await?,
            ),
        })
    }

    /// Every indicator for `node` as of `as_of`, in definition order.
    pub async fn indicators(&self, node: Node, as_of: NaiveDate) -> Result<IndicatorSet> {
        let node_name = self.node_name(node).await?;
        let mut indicators = Vec::with_capacity(INDICATORS.len());
        for def in INDICATORS {
            let value = self.indicator(def.code, node, as_of).await?;
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
            as_of,
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
        let member_cols = |from: String, grp: &str| {
            format!(
                "SELECT 'membership' AS entity, m.id, p.full_name AS label, \
                 t.name || '|' || m.role || '|' || m.affiliation AS detail, {grp} AS grp \
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
            IndicatorCode::Coverage => format!(
                "SELECT 'village' AS entity, v.id, v.name AS label, COALESCE(t.name, '') AS detail, \
                 CASE WHEN t.id IS NULL THEN 'without_team' ELSE 'with_team' END AS grp \
                 FROM villages v LEFT JOIN teams t ON t.village_id = v.id AND t.kind = 'village' AND {} \
                 WHERE {} AND {} ORDER BY v.name_fold, v.id",
                active_on("t.established_on", "t.dissolved_on"),
                active_on("v.active_from", "v.active_until"),
                scope(node, "v.commune_code", Some("v.id")),
            ),
            IndicatorCode::Members => member_cols(village_members_from(node), "NULL"),
            IndicatorCode::MembersByRole => member_cols(village_members_from(node), "m.role"),
            IndicatorCode::MembersByAffiliation => member_cols(village_members_from(node), "m.affiliation"),
            IndicatorCode::QuickResponseMembers => member_cols(quick_response_members_from(node), "m.role"),
            IndicatorCode::SupportActivities
            | IndicatorCode::CitizensHelped
            | IndicatorCode::CitizensHelpedByCategory
            | IndicatorCode::Dossiers => format!(
                "SELECT 'activity' AS entity, a.id, t.name AS label, \
                 a.activity_date || '|' || a.category || '|' || a.citizens_helped || '|' || a.dossiers AS detail, \
                 a.category AS grp FROM support_activities a JOIN teams t ON t.id = a.team_id \
                 WHERE a.activity_date <= $1 AND {} ORDER BY a.activity_date DESC, a.id DESC",
                scope(node, "a.commune_code", Some("a.village_id")),
            ),
            IndicatorCode::ActiveTeams => format!(
                "SELECT 'team' AS entity, t.id, t.name AS label, COALESCE(v.name, '') AS detail, NULL AS grp \
                 FROM teams t LEFT JOIN villages v ON v.id = t.village_id \
                 WHERE t.kind = 'village' AND {} AND EXISTS (SELECT 1 FROM support_activities a \
                 WHERE a.team_id = t.id AND a.activity_date <= $1 AND a.activity_date > $3) AND {} ORDER BY t.name, t.id",
                active_on("t.established_on", "t.dissolved_on"),
                scope(node, "t.commune_code", Some("t.village_id")),
            ),
            IndicatorCode::ContestRegistrations => format!(
                "SELECT 'contest_registration' AS entity, r.id, c.name AS label, \
                 r.registered_on || '|' || r.grp || '|' || r.count AS detail, r.grp AS grp {} \
                 ORDER BY r.registered_on, r.id",
                registrations_from(node)
            ),
        };
        let since = as_of - chrono::Days::new(ACTIVE_TEAM_DAYS);
        let needs_since = code == IndicatorCode::ActiveTeams;
        let mut rows: Vec<Evidence> = on_read!(self, pool => {
            let q = sqlx::query_as::<_, Evidence>(&sql).bind(as_of).bind(node_key(node));
            let q = if needs_since { q.bind(since) } else { q };
            q.fetch_all(pool).await?
        });
        for row in &mut rows {
            row.detail = readable_detail(&row.entity, &row.detail);
        }
        Ok(rows)
    }
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

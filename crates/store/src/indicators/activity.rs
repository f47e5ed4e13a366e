//! The support log grouped for dashboards (by month, category, village or
//! team) and the village ranking, from the same conditions as the indicators.

use super::*;

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
        let sql = match (node, by) {
            // A province or the nation by month or category: the province
            // rollup (a row per province, day and category) has the sums.
            (Node::Province(_) | Node::Nation, ActivityGroup::Month | ActivityGroup::Category)
                if matches!(scope, ActivityScope::Node(_)) =>
            {
                format!(
                    "SELECT {key}, CAST(SUM(a.activities) AS BIGINT), \
                     CAST(COALESCE(SUM(a.citizens_helped), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(a.dossiers), 0) AS BIGINT) FROM activity_province_days a \
                     WHERE a.activity_date <= $1{} AND {} GROUP BY {key} ORDER BY {key}",
                    period.lower("a.activity_date"),
                    province_scope(node, "a.province_code"),
                )
            }
            _ => format!(
                "SELECT {key}, COUNT(*), CAST(COALESCE(SUM(a.citizens_helped), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(a.dossiers), 0) AS BIGINT) {from} GROUP BY {key} ORDER BY {key}"
            ),
        };
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
            village_members_from(node, Members::Counted)
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

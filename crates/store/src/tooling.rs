//! Queries the tooling needs and no page does: whether communes already
//! have records (`toso gen` refuses to load over them), the benchmarks'
//! raw baseline over the support log (which the hostile-input corpus also
//! reads, to see that a refused write left the activities as they were),
//! and the database's size.

use chrono::NaiveDate;
use toso_domain::Node;

use crate::{Result, Store};

impl Store {
    /// The communes among `codes` that already have records (villages,
    /// teams, people, documents or support activities).
    pub async fn communes_with_data(&self, codes: &[i32]) -> Result<Vec<i32>> {
        let mut found: Vec<i32> = Vec::new();
        for table in [
            "villages",
            "teams",
            "people",
            "documents",
            "support_activities",
        ] {
            let sql = format!("SELECT DISTINCT commune_code FROM {table}");
            let have: Vec<i32> = on_read!(self, pool => {
                sqlx::query_scalar(&sql).fetch_all(pool).await?
            });
            found.extend(have.into_iter().filter(|c| codes.contains(c)));
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// The benchmarks' baseline: one raw `SELECT … GROUP BY commune_code`
    /// counting the support activities up to `until` (from `from` when
    /// given) and summing the people helped, over the rows of `node`
    /// (`None`: the whole country). Returns (groups, activities, citizens
    /// helped) summed over the groups.
    pub async fn raw_activity_totals(
        &self,
        node: Option<Node>,
        from: Option<NaiveDate>,
        until: NaiveDate,
    ) -> Result<(i64, i64, i64)> {
        let scope = match node {
            None | Some(Node::Nation) => "",
            Some(Node::Province(_)) => {
                " AND commune_code IN (SELECT code FROM communes WHERE province_code = $3)"
            }
            Some(Node::Commune(_)) => " AND commune_code = $3",
            Some(Node::Village(_)) => " AND village_id = $3",
        };
        let sql = format!(
            "SELECT commune_code, COUNT(*), CAST(COALESCE(SUM(citizens_helped), 0) AS BIGINT) \
             FROM support_activities WHERE activity_date <= $1 AND activity_date >= $2{scope} \
             GROUP BY commune_code"
        );
        let from = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date"));
        let rows: Vec<(i32, i64, i64)> = on_read!(self, pool => {
            let q = sqlx::query_as(&sql).bind(until).bind(from);
            let q = match node {
                Some(Node::Nation) | None => q,
                Some(n) => q.bind(n.id()),
            };
            q.fetch_all(pool).await?
        });
        Ok(rows
            .iter()
            .fold((0, 0, 0), |acc, r| (acc.0 + 1, acc.1 + r.1, acc.2 + r.2)))
    }

    /// Size of the database in bytes (SQLite: the main file's pages;
    /// PostgreSQL: `pg_database_size`).
    pub async fn database_size(&self) -> Result<i64> {
        Ok(match &*self.backend {
            crate::Backend::Sqlite { read, .. } => {
                sqlx::query_scalar(
                    "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(read)
                .await?
            }
            crate::Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(pool)
                    .await?
            }
        })
    }
}

//! Tables of units: one row per commune of a province, or per province of
//! the nation, with the figures the Department reads at a glance. Each
//! column is one grouped query over the same `FROM … WHERE …` as the
//! indicator it mirrors (or the rollups the indicator reads), grouped by
//! the unit: a province's table is about ten queries whatever the number of
//! its communes, and stays live (no cache: a write shows on the next read).
//! Every unit of the parent is listed, those without any record included.

use std::collections::HashMap;

use crate::rollups::ALL_DAYS;

use super::*;

/// One unit's figures: a commune of a province, or a province of the
/// nation (then the sums over its communes). The API answers it as it is
/// (`UnitRowOut`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = UnitRowOut))]
pub struct UnitRow {
    /// Mã xã (communes) or mã tỉnh (provinces); 0 on the totals row.
    pub code: i32,
    pub name: String,
    /// "xã", "phường", "đặc khu" (communes); "tỉnh", "thành phố" (provinces).
    pub kind: String,
    /// Thôn, tổ dân phố active on the last day.
    pub villages: i64,
    /// Villages with an active village team on the last day (coverage's
    /// numerator; `villages` is its denominator).
    pub villages_with_team: i64,
    /// Tổ công nghệ số cộng đồng (village teams) active on the last day.
    pub teams: i64,
    /// Distinct people in an active village team (a person belongs to one
    /// commune, so the communes' counts add up to the province's).
    pub members: i64,
    /// Members of the quick-response teams.
    pub quick_response_members: i64,
    /// Lượt người dân được hỗ trợ in the period (from the beginning for an
    /// as-of table).
    pub citizens_helped: i64,
    /// Online dossiers in the period.
    pub dossiers: i64,
    /// People registered for the training courses of the period.
    pub trainees: i64,
    /// Lượt đăng ký dự thi.
    pub contest_registrations: i64,
    /// Village teams with an activity in the active-team days (the 30 days
    /// up to the last day, or the period).
    pub active_teams: i64,
    /// The last day with a support activity, up to the last day.
    pub last_activity: Option<NaiveDate>,
    /// Communes of the unit (1 for a commune).
    pub communes: i64,
    /// Communes of the unit that have entered anything (a village, a team,
    /// a course, a contest or a campaign, at any date); 0 means "no data
    /// yet".
    pub communes_with_data: i64,
}

impl UnitRow {
    /// Nothing entered yet: shown as "no data", not as zeros.
    pub fn has_data(&self) -> bool {
        self.communes_with_data > 0
    }

    /// Villages with a team over villages.
    pub fn coverage(&self) -> IndicatorValue {
        IndicatorValue::Ratio {
            numerator: self.villages_with_team,
            denominator: self.villages,
        }
    }

    /// Coverage below 100% (a unit with villages not all covered).
    pub fn coverage_incomplete(&self) -> bool {
        self.villages > 0 && self.villages_with_team < self.villages
    }

    /// Add `other`'s counts to this row's (the totals of a table); the
    /// later of the two last activities.
    pub fn add(&mut self, other: &UnitRow) {
        self.villages += other.villages;
        self.villages_with_team += other.villages_with_team;
        self.teams += other.teams;
        self.members += other.members;
        self.quick_response_members += other.quick_response_members;
        self.citizens_helped += other.citizens_helped;
        self.dossiers += other.dossiers;
        self.trainees += other.trainees;
        self.contest_registrations += other.contest_registrations;
        self.active_teams += other.active_teams;
        self.last_activity = self.last_activity.max(other.last_activity);
        self.communes += other.communes;
        self.communes_with_data += other.communes_with_data;
    }
}

/// The units of a node (the communes of a province, or the provinces of the
/// nation) and their totals, for a day or a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitTable {
    /// The parent: `Node::Province` or `Node::Nation`.
    pub node: Node,
    pub node_name: String,
    pub as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Every unit, in code order.
    pub rows: Vec<UnitRow>,
    /// The sums of the rows: the node's own figures.
    pub totals: UnitRow,
}

/// How a table groups: the unit's key as an expression over the communes
/// table (alias `cc`), and the condition on `cc` scoping it to the parent.
fn grouping(node: Node) -> (&'static str, &'static str) {
    match node {
        Node::Nation => ("cc.province_code", "$2 = 0"),
        _ => ("cc.code", "cc.province_code = $2"),
    }
}

/// `from_where` (a `FROM … WHERE …` of the indicators) with the commune of
/// each row joined as `cc` through `commune_col`, grouped by the unit.
fn grouped(select: &str, from_where: &str, commune_col: &str, node: Node) -> String {
    let (key, _) = grouping(node);
    let joined = from_where.replacen(
        " WHERE ",
        &format!(" JOIN communes cc ON cc.code = {commune_col} WHERE "),
        1,
    );
    format!("SELECT {key}, {select} {joined} GROUP BY {key}")
}

impl Store {
    /// The table of the communes of `province_code` over `period`.
    pub async fn commune_table(&self, province_code: i32, period: Period) -> Result<UnitTable> {
        self.unit_table(Node::Province(province_code), period).await
    }

    /// The table of the 34 provinces over `period`.
    pub async fn province_table(&self, period: Period) -> Result<UnitTable> {
        self.unit_table(Node::Nation, period).await
    }

    /// The table of the units of `node`: the communes of a province, or
    /// the provinces of the nation (any other node is refused).
    pub async fn unit_table(&self, node: Node, period: Period) -> Result<UnitTable> {
        let node_name = self.node_name(node).await?;
        let units: Vec<(i32, String, String)> =
            match node {
                Node::Nation => self
                    .provinces()
                    .await?
                    .into_iter()
                    .map(|p| (p.code, p.name, p.kind))
                    .collect(),
                Node::Province(code) => {
                    let mut communes: Vec<(i32, String, String)> = self
                        .communes_of(code)
                        .await?
                        .into_iter()
                        .map(|c| (c.code, c.name, c.kind))
                        .collect();
                    communes.sort_by_key(|c| c.0);
                    communes
                }
                _ => return Err(crate::StoreError::invalid(
                    "node",
                    "Bảng theo đơn vị chỉ có cho một tỉnh (theo xã) hoặc toàn quốc (theo tỉnh).",
                )),
            };
        let mut rows: Vec<UnitRow> = units
            .into_iter()
            .map(|(code, name, kind)| UnitRow {
                code,
                name,
                kind,
                ..UnitRow::default()
            })
            .collect();
        let at: HashMap<i32, usize> = rows.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
        macro_rules! fill {
            ($rows:expr, |$row:ident, $v:pat_param| $body:expr) => {
                for (code, $v) in $rows {
                    if let Some(&i) = at.get(&code) {
                        let $row = &mut rows[i];
                        $body;
                    }
                }
            };
        }

        let (key, cc_scope) = grouping(node);
        // Anything entered, at any date: a village, a team, a course, a
        // contest, a campaign (each can exist without the others).
        let entered = [
            "villages",
            "teams",
            "training_courses",
            "contests",
            "campaigns",
        ]
        .iter()
        .map(|t| format!("EXISTS (SELECT 1 FROM {t} x WHERE x.commune_code = cc.code)"))
        .collect::<Vec<_>>()
        .join(" OR ");
        let data: Vec<(i32, i64, i64)> = self
            .period_rows(
                &format!(
                    "SELECT {key}, COUNT(*), CAST(SUM(CASE WHEN {entered} THEN 1 ELSE 0 END) AS BIGINT) \
                     FROM communes cc WHERE {cc_scope} AND $1 = $1 GROUP BY {key}"
                ),
                period,
                node,
            )
            .await?;
        for (code, n, d) in data {
            if let Some(&i) = at.get(&code) {
                rows[i].communes = n;
                rows[i].communes_with_data = d;
            }
        }

        let villages: Vec<(i32, i64)> = self
            .period_rows(
                &grouped("COUNT(*)", &villages_from(node), "v.commune_code", node),
                period,
                node,
            )
            .await?;
        fill!(villages, |row, n| row.villages = n);

        let teams: Vec<(i32, (i64, i64))> = self
            .period_rows::<(i32, i64, i64)>(
                &grouped(
                    "COUNT(*), COUNT(DISTINCT v.id)",
                    &teams_from(node),
                    "t.commune_code",
                    node,
                ),
                period,
                node,
            )
            .await?
            .into_iter()
            .map(|(k, a, b)| (k, (a, b)))
            .collect();
        fill!(teams, |row, (n, covered)| {
            row.teams = n;
            row.villages_with_team = covered;
        });

        let members: Vec<(i32, i64)> = self
            .period_rows(
                &grouped(
                    "COUNT(DISTINCT m.person_id)",
                    &village_members_from(node, Members::Counted),
                    "t.commune_code",
                    node,
                ),
                period,
                node,
            )
            .await?;
        fill!(members, |row, n| row.members = n);

        let quick: Vec<(i32, i64)> = self
            .period_rows(
                &grouped(
                    "COUNT(DISTINCT m.person_id)",
                    &quick_response_members_from(node, Members::Counted),
                    "t.commune_code",
                    node,
                ),
                period,
                node,
            )
            .await?;
        fill!(quick, |row, n| row.quick_response_members = n);

        let trainees: Vec<(i32, i64)> = self
            .period_rows(
                &grouped(
                    &format!("CAST(COALESCE(SUM({}), 0) AS BIGINT)", course_people(false)),
                    &courses_from(node, period),
                    "c.commune_code",
                    node,
                ),
                period,
                node,
            )
            .await?;
        fill!(trainees, |row, n| row.trainees = n);

        let registrations: Vec<(i32, i64)> = self
            .period_rows(
                &grouped(
                    "CAST(COALESCE(SUM(r.count), 0) AS BIGINT)",
                    &registrations_from(node, period),
                    "c.commune_code",
                    node,
                ),
                period,
                node,
            )
            .await?;
        fill!(registrations, |row, n| row.contest_registrations = n);

        for (code, sums) in self.unit_activity(node, period).await? {
            if let Some(&i) = at.get(&code) {
                let row = &mut rows[i];
                (row.citizens_helped, row.dossiers, row.last_activity) = sums;
            }
        }
        let active: Vec<(i32, i64)> = self.unit_active_teams(node, period.active_teams()).await?;
        fill!(active, |row, n| row.active_teams = n);

        let mut totals = UnitRow {
            code: node.id() as i32,
            name: node_name.clone(),
            kind: String::new(),
            ..UnitRow::default()
        };
        for row in &rows {
            totals.add(row);
        }
        Ok(UnitTable {
            node,
            node_name,
            as_of: period.until,
            from: period.from,
            rows,
            totals,
        })
    }

    /// Citizens helped and dossiers in the period, and the last day with an
    /// activity, by unit: a province's communes from the commune rollup,
    /// the nation's provinces from the province rollup.
    async fn unit_activity(
        &self,
        node: Node,
        period: Period,
    ) -> Result<Vec<(i32, (i64, i64, Option<NaiveDate>))>> {
        let in_period = match period.from {
            Some(_) => "d.activity_date >= $3",
            None => "1 = 1",
        };
        let sums = format!(
            "CAST(SUM(CASE WHEN {in_period} THEN d.citizens_helped ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN {in_period} THEN d.dossiers ELSE 0 END) AS BIGINT), \
             MAX(CASE WHEN d.activities > 0 THEN d.activity_date END)"
        );
        let sql = match node {
            Node::Nation => format!(
                "SELECT d.province_code, {sums} FROM activity_province_days d \
                 WHERE d.activity_date <= $1 AND $2 = 0 GROUP BY d.province_code"
            ),
            _ => format!(
                "SELECT d.commune_code, {sums} FROM activity_commune_days d \
                 JOIN communes cc ON cc.code = d.commune_code \
                 WHERE d.activity_date <= $1 AND cc.province_code = $2 GROUP BY d.commune_code"
            ),
        };
        let rows: Vec<(i32, i64, i64, Option<NaiveDate>)> =
            self.period_rows(&sql, period, node).await?;
        Ok(rows
            .into_iter()
            .map(|(k, citizens, dossiers, last)| (k, (citizens, dossiers, last)))
            .collect())
    }

    /// Active village teams by unit, from the per-team months' day sets
    /// (the first and last month masked to the days inside the range); the
    /// province's (or the nation's) figure is their sum.
    pub(super) async fn unit_active_teams(
        &self,
        node: Node,
        days: Period,
    ) -> Result<Vec<(i32, i64)>> {
        let (key, _) = grouping(node);
        let span = month_span(days.from, days.until);
        let sql = format!(
            "SELECT {key}, COUNT(DISTINCT m.team_id) FROM team_activity_months m \
             JOIN teams t ON t.id = m.team_id JOIN villages v ON v.id = t.village_id \
             JOIN communes cc ON cc.code = t.commune_code \
             WHERE {} AND m.month >= $3 AND m.month <= $4 \
             AND (m.days & (CASE WHEN m.month = $3 THEN $5 WHEN m.month = $4 THEN $6 ELSE {ALL_DAYS} END)) <> 0 \
             AND t.kind = 'village' AND {} AND {} GROUP BY {key}",
            province_scope(node, "m.province_code"),
            active_on("t.established_on", "t.dissolved_on"),
            active_on("v.active_from", "v.active_until"),
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i32, i64)>(&sql)
                .bind(days.until)
                .bind(node_key(node))
                .bind(&span.first_month)
                .bind(&span.last_month)
                .bind(span.first_mask)
                .bind(span.last_mask)
                .fetch_all(pool)
                .await?
        }))
    }
}

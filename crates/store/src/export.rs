//! Export tables: a commune's lists (villages, teams, members, documents,
//! duty days) in the layout the importer reads back, the members list streamed one
//! village at a time, and the indicator table of a node.

use std::collections::HashMap;

use chrono::NaiveDate;
use toso_domain::{format_date, Affiliation, Gender, Role};
use toso_sheets::{Column, SheetKind, Table, Value};

use crate::{Result, Store, StoreError};

fn columns_of(kind: SheetKind) -> Vec<Column> {
    kind.columns()
        .iter()
        .filter(|c| c.in_template)
        .map(|c| Column::new(c.label, c.width))
        .collect()
}

impl Store {
    /// A commune's list of `kind` as a table (members: the village teams'
    /// members on `as_of`), in the layout the importer reads back.
    pub async fn export_table(
        &self,
        kind: SheetKind,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Table> {
        let mut table = self.export_header(kind, commune_code, as_of).await?;
        if kind == SheetKind::Members {
            let mut rows = Vec::new();
            self.export_members_each(commune_code, as_of, |row| {
                rows.push(row);
                Ok::<(), StoreError>(())
            })
            .await?;
            table.rows = rows;
            return Ok(table);
        }
        let villages = self.villages(commune_code, None).await?;
        let village_name: HashMap<i64, &str> =
            villages.iter().map(|v| (v.id, v.name.as_str())).collect();
        match kind {
            SheetKind::Villages => {
                for (i, v) in villages.iter().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(&v.name),
                        Value::text(v.kind.label()),
                        Value::Date(v.active_from),
                        Value::opt_date(v.active_until),
                    ]);
                }
            }
            SheetKind::Teams => {
                let docs: HashMap<i64, String> = self
                    .documents(commune_code, &Default::default())
                    .await?
                    .into_iter()
                    .map(|d| (d.id, d.doc_number))
                    .collect();
                for (i, t) in self.teams(commune_code).await?.iter().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(&t.name),
                        Value::text(t.kind.label()),
                        Value::opt_text(t.village_id.and_then(|v| village_name.get(&v).copied())),
                        Value::Date(t.established_on),
                        Value::opt_date(t.dissolved_on),
                        Value::opt_text(t.decision_id.and_then(|d| docs.get(&d).cloned())),
                        Value::opt_text(t.zalo_link.clone()),
                    ]);
                }
            }
            // Written row by row above.
            SheetKind::Members => {}
            SheetKind::Documents => {
                let docs = self.documents(commune_code, &Default::default()).await?;
                for (i, d) in docs.iter().rev().enumerate() {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(d.kind.label()),
                        Value::text(&d.doc_number),
                        Value::Date(d.issued_on),
                        Value::text(&d.issuer),
                        Value::text(&d.subject),
                    ]);
                }
            }
            SheetKind::DutyDays => {
                // The duty days up to `as_of`, one row per member on duty,
                // as the duty-day import reads them: a village team's under
                // its village, the quick-response team's under its name.
                // Ordered alike on both databases (a village before it).
                type Row = (
                    String,
                    Option<String>,
                    String,
                    NaiveDate,
                    String,
                    Option<String>,
                );
                let rows: Vec<Row> = on_read!(self, pool => {
                    sqlx::query_as(
                        "SELECT p.full_name, p.phone, COALESCE(v.name, t.name), d.held_on, d.place, d.note \
                         FROM duty_days d JOIN teams t ON t.id = d.team_id \
                         LEFT JOIN villages v ON v.id = t.village_id \
                         JOIN duty_day_members m ON m.duty_day_id = d.id \
                         JOIN people p ON p.id = m.person_id \
                         WHERE d.commune_code = $1 AND d.held_on <= $2 \
                         ORDER BY d.held_on, CASE WHEN v.id IS NULL THEN 1 ELSE 0 END, v.name_fold, \
                         d.id, p.name_fold, p.id",
                    )
                    .bind(commune_code)
                    .bind(as_of)
                    .fetch_all(pool)
                    .await?
                });
                for (i, (name, phone, village, held_on, place, note)) in
                    rows.into_iter().enumerate()
                {
                    table.rows.push(vec![
                        Value::Plain(i as i64 + 1),
                        Value::text(&name),
                        Value::opt_text(phone),
                        Value::text(&village),
                        Value::Date(held_on),
                        Value::text(&place),
                        Value::opt_text(note),
                    ]);
                }
            }
        }
        Ok(table)
    }

    /// The title, subtitle and columns of a commune's list of `kind`,
    /// without rows.
    pub async fn export_header(
        &self,
        kind: SheetKind,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Table> {
        let commune = self.commune(commune_code).await?;
        let mut table = Table::new("Danh sách", kind.title(), columns_of(kind));
        table.subtitle = Some(format!(
            "{} — số liệu đến ngày {}",
            commune.name,
            format_date(as_of)
        ));
        Ok(table)
    }

    /// The members list of [`Store::export_table`] row by row, in the same
    /// order (village, role, name): `row` receives each row as it is read,
    /// one village at a time, so memory is bounded by the largest village
    /// whatever the commune's size. Returns the number of rows.
    pub async fn export_members_each<E: From<StoreError>>(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
        mut row: impl FnMut(Vec<Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        self.export_members_by_village(commune_code, as_of, |rows| {
            std::future::ready(rows.into_iter().try_for_each(&mut row))
        })
        .await
    }

    /// [`Store::export_members_each`] a village at a time: `village`
    /// receives the rows of each village (possibly none) and is awaited
    /// before the next is read, so a slow consumer (a download) holds back
    /// the reading instead of letting rows pile up.
    pub async fn export_members_by_village<E, F, Fut>(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
        mut village_rows: F,
    ) -> std::result::Result<u64, E>
    where
        E: From<StoreError>,
        F: FnMut(Vec<Vec<Value>>) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<(), E>>,
    {
        self.commune(commune_code).await?;
        // Village names are unique per commune (by their fold), so village
        // by village in name order is the list's order.
        let villages: Vec<(i64, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT id, name FROM villages WHERE commune_code = $1 ORDER BY name_fold, id",
            )
            .bind(commune_code)
            .fetch_all(pool)
            .await
            .map_err(StoreError::from)?
        });
        let mut n = 0u64;
        // One connection for the whole list; on SQLite with a 64 MB page
        // cache while it reads (a village's members are scattered over the
        // tables' pages: with the default 2 MB most pages would be read
        // again for every village).
        let sqlite = self.dialect() == crate::Dialect::Sqlite;
        let cache = |on: bool| {
            if on {
                "PRAGMA cache_size = -65536"
            } else {
                "PRAGMA cache_size = -2000"
            }
        };
        on_read!(self, pool => {
            let mut conn = pool.acquire().await.map_err(StoreError::from)?;
            if sqlite {
                sqlx::query(cache(true)).execute(&mut *conn).await.map_err(StoreError::from)?;
            }
            let result = async {
        // Roles and affiliations as they were on `as_of` ($2).
        let (role, affiliation) = (crate::people::role_on("$2"), crate::people::affiliation_on("$2"));
        let sql = format!(
            "SELECT p.full_name, p.birth_year, p.gender, p.phone, {role} AS role, {affiliation} AS affiliation, \
             m.started_on FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
             WHERE t.village_id = $1 AND t.commune_code = $3 AND t.kind = 'village' AND m.started_on <= $2 \
             AND (m.ended_on IS NULL OR m.ended_on > $2) \
             AND t.established_on <= $2 AND (t.dissolved_on IS NULL OR t.dissolved_on > $2) \
             ORDER BY CASE {role} WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END, p.name_fold, m.id"
        );
        for (village_id, village) in villages {
            let rows: Vec<MemberExport> = {
                sqlx::query_as::<_, MemberExport>(&sql)
                .bind(village_id)
                .bind(as_of)
                .bind(commune_code)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::from)?
            };
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                n += 1;
                let role = Role::try_from(r.role).map_err(StoreError::Invalid)?;
                let aff = Affiliation::try_from(r.affiliation).map_err(StoreError::Invalid)?;
                out.push(vec![
                    Value::Plain(n as i64),
                    Value::Text(r.full_name),
                    r.birth_year
                        .map_or(Value::Empty, |y| Value::Plain(y.into())),
                    Value::opt_text(
                        r.gender
                            .as_deref()
                            .and_then(Gender::from_code)
                            .map(|g| g.label()),
                    ),
                    Value::text(aff.label()),
                    Value::text(role.label()),
                    Value::opt_text(r.phone),
                    Value::text(&village),
                    Value::Date(r.started_on),
                ]);
            }
            village_rows(out).await?;
        }
        Ok::<(), E>(())
            }
            .await;
            if sqlite {
                sqlx::query(cache(false)).execute(&mut *conn).await.map_err(StoreError::from)?;
            }
            result?;
        });
        Ok(n)
    }

    /// Every indicator of a node on a date as a table: one row per figure,
    /// breakdowns one row per item.
    pub async fn indicators_table(
        &self,
        node: toso_domain::Node,
        as_of: NaiveDate,
    ) -> Result<Table> {
        let set = self.indicators(node, as_of).await?;
        let mut table = Table::new(
            "Chỉ tiêu",
            "BẢNG CHỈ TIÊU TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
            vec![
                Column::new("STT", 6.0),
                Column::new("Chỉ tiêu", 60.0),
                Column::new("Giá trị", 14.0),
                Column::new("Đơn vị tính", 12.0),
                Column::new("Mã", 24.0),
                Column::new("Cách tính", 90.0),
            ],
        );
        table.subtitle = Some(format!(
            "{} — số liệu đến ngày {}",
            set.node_name,
            format_date(as_of)
        ));
        for (i, e) in set.indicators.iter().enumerate() {
            let value = match &e.value {
                toso_domain::IndicatorValue::Count { value } => Value::Int(*value),
                toso_domain::IndicatorValue::Ratio { .. } => e
                    .value
                    .percent()
                    .map_or(Value::text("—"), |p| Value::Percent(p / 100.0)),
                toso_domain::IndicatorValue::Breakdown { items } => {
                    Value::Int(items.iter().map(|i| i.value).sum())
                }
                toso_domain::IndicatorValue::Duration { .. } => Value::text(e.value.display()),
            };
            table.rows.push(vec![
                Value::Plain(i as i64 + 1),
                Value::text(e.name),
                value,
                Value::text(e.unit),
                Value::text(e.code.key()),
                Value::text(e.definition),
            ]);
            if let toso_domain::IndicatorValue::Breakdown { items } = &e.value {
                for item in items {
                    table.rows.push(vec![
                        Value::Empty,
                        Value::text(format!("— {}", item.label)),
                        Value::Int(item.value),
                        Value::text(e.unit),
                        Value::text(format!("{}.{}", e.code.key(), item.key)),
                        Value::Empty,
                    ]);
                }
            }
        }
        Ok(table)
    }
}

#[derive(sqlx::FromRow)]
struct MemberExport {
    full_name: String,
    birth_year: Option<i32>,
    gender: Option<String>,
    phone: Option<String>,
    role: String,
    affiliation: String,
    started_on: NaiveDate,
}

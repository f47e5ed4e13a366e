//! The bulk writers of an import, one per backend ([`Bulk`]): people and
//! memberships 10,000 rows at a time — multi-row prepared statements on
//! SQLite's raw handle, `COPY … FROM STDIN` on PostgreSQL — with ids
//! assigned inside the transaction, and the settings and index handling of
//! a large load; also the two bulk reads of a roster's current members.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::people::{
    membership_columns, new_membership_columns, new_person_columns, person_columns,
};
use crate::Result;

/// Rows per batch of the bulk writes of people and memberships.
pub(super) const BULK: usize = 10_000;

/// New rows of a table from which an import on SQLite drops the table's
/// secondary indexes and rebuilds them afterwards ([`Bulk::suspend_indexes`];
/// only when the table holds no more rows than are added, so the rebuild
/// costs at most twice the load).
pub(super) const LARGE_LOAD: usize = BULK;

/// A new person as the bulk write sends it: id, name, folded name, gender,
/// birth year, phone.
pub(super) struct NewPersonRow<'a>(
    pub(super) i64,
    pub(super) &'a str,
    pub(super) String,
    pub(super) Option<&'static str>,
    pub(super) Option<i32>,
    pub(super) Option<&'a str>,
);

/// A new membership as the bulk write sends it: id, team, person, role,
/// affiliation, start.
pub(super) struct NewMembershipRow(
    pub(super) i64,
    pub(super) i64,
    pub(super) i64,
    pub(super) &'static str,
    pub(super) &'static str,
    pub(super) NaiveDate,
);

/// Append `text` as a field of PostgreSQL's `COPY … FROM STDIN` text format
/// (backslash, tab, newline and carriage return escaped).
pub(super) fn copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Append an optional field (`\N` for NULL) and its separator.
pub(super) fn copy_opt(out: &mut String, value: Option<&dyn std::fmt::Display>, last: bool) {
    use std::fmt::Write;
    match value {
        Some(v) => {
            let text = v.to_string();
            copy_text(out, &text);
        }
        None => out.push_str("\\N"),
    }
    let _ = write!(out, "{}", if last { '\n' } else { '\t' });
}

/// What every bulk-written row shares.
pub(super) struct BulkCtx {
    pub(super) commune: i32,
    pub(super) now: DateTime<Utc>,
}

/// The bulk writes of an import, per backend: people and memberships go
/// 10,000 rows at a time — SQLite: multi-row prepared statements stepped on
/// the connection's raw handle ([`crate::sqlite_raw::insert_rows`]);
/// PostgreSQL: one `COPY … FROM STDIN` — with ids assigned inside the
/// transaction. The records created are audited by one entry per kind
/// ([`import_audit_row`]), not one per record.
pub(super) trait Bulk {
    /// Settings for a large write (`on`) and back, after it (committed or
    /// not).
    async fn large_write(&mut self, on: bool) -> Result<()>;
    /// The memberships of `team` as one JSON array of [`MembershipJson`].
    async fn memberships_json(&mut self, team: i64) -> Result<String>;
    /// The people with ids in `lo..=hi` as one JSON array of [`PersonJson`].
    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String>;
    /// Before `adding` rows are loaded into `table`: drop its secondary
    /// indexes when the load is large and at least doubles the table, and
    /// return the statements that rebuild them ([`Bulk::rebuild_indexes`]
    /// after the load, in the same transaction). Empty when nothing was
    /// dropped.
    async fn suspend_indexes(&mut self, table: &'static str, adding: usize) -> Result<Vec<String>>;
    /// Run the statements [`Bulk::suspend_indexes`] returned.
    async fn rebuild_indexes(&mut self, statements: Vec<String>) -> Result<()>;
    /// `n` ids for new rows of `table` (ascending).
    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>>;
    /// Insert new people (multi-row statements, or one `COPY`).
    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()>;
    /// Insert new memberships (multi-row statements, or one `COPY`).
    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()>;
}

impl Bulk for sqlx::SqliteConnection {
    async fn memberships_json(&mut self, team: i64) -> Result<String> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT json_group_array(json_array(",
            membership_columns!(),
            ")) FROM memberships WHERE team_id = $1"
        ))
        .bind(team)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT json_group_array(json_array(",
            person_columns!(),
            ")) FROM people WHERE id BETWEEN $1 AND $2"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn large_write(&mut self, on: bool) -> Result<()> {
        // A 32 MB page cache while the import writes (the default is 2 MB):
        // the last pages of the tables and indexes written stay in memory.
        // (64 MB until the writes came in key order: 500,000 members now
        // take 249 MB with 32 MB, 277–294 MB with 64, in the same time.)
        let sql = if on {
            "PRAGMA cache_size = -32768"
        } else {
            "PRAGMA cache_size = -2000"
        };
        sqlx::query(sql).execute(&mut *self).await?;
        Ok(())
    }

    async fn suspend_indexes(&mut self, table: &'static str, adding: usize) -> Result<Vec<String>> {
        // Keys in random order (names, phones) cost a search from the root
        // and a page spilled to the log per row; CREATE INDEX sorts them and
        // writes each page once. Worth it only when the table's existing
        // rows are fewer than those added (the rebuild reads them all).
        if adding < LARGE_LOAD {
            return Ok(Vec::new());
        }
        let (existing,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *self)
            .await?;
        if existing as usize > adding {
            return Ok(Vec::new());
        }
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
             AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        )
        .bind(table)
        .fetch_all(&mut *self)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .execute(&mut *self)
                .await?;
        }
        tracing::debug!(
            table,
            indexes = indexes.len(),
            "import: indexes dropped for the load"
        );
        Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
    }

    async fn rebuild_indexes(&mut self, statements: Vec<String>) -> Result<()> {
        if statements.is_empty() {
            return Ok(());
        }
        // SQLite's sort for CREATE INDEX keeps as much in memory as the page
        // cache may hold before it spills to a temporary file: the sort gets
        // 16 MB, half the large write's cache, to keep the import's peak
        // memory down.
        let (cache,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&mut *self)
            .await?;
        sqlx::query("PRAGMA cache_size = -16384")
            .execute(&mut *self)
            .await?;
        for sql in statements {
            sqlx::query(&sql).execute(&mut *self).await?;
        }
        sqlx::query(&format!("PRAGMA cache_size = {cache}"))
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        // The writing transaction holds SQLite's only write lock: the ids
        // after the largest are free until it ends.
        let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
        let (max,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut *self).await?;
        Ok((max + 1..=max + n as i64).collect())
    }

    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()> {
        use crate::sqlite_raw::{insert_all, Param};
        let now = sqlite_timestamp(ctx.now);
        let commune = i64::from(ctx.commune);
        let mut values: Vec<Param> = Vec::with_capacity(rows.len() * 9);
        for NewPersonRow(id, name, name_fold, gender, birth_year, phone) in rows {
            values.extend([
                Param::Int(*id),
                Param::Int(commune),
                Param::Text(name),
                Param::Text(name_fold),
                (*gender).into(),
                birth_year.map(i64::from).into(),
                (*phone).into(),
                Param::Text(&now),
                Param::Text(&now),
            ]);
        }
        insert_all(
            self,
            concat!("people (id, ", new_person_columns!(), ")"),
            9,
            &values,
        )
        .await?;
        Ok(())
    }

    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()> {
        use crate::sqlite_raw::{insert_all, Param};
        let now = sqlite_timestamp(ctx.now);
        // Each distinct start date formatted once (an import's memberships
        // mostly start on one day).
        let mut dates: HashMap<NaiveDate, String> = HashMap::new();
        for row in rows {
            dates
                .entry(row.5)
                .or_insert_with(|| row.5.format("%F").to_string());
        }
        let mut values: Vec<Param> = Vec::with_capacity(rows.len() * 8);
        for NewMembershipRow(id, team, person, role, affiliation, started_on) in rows {
            values.extend([
                Param::Int(*id),
                Param::Int(*team),
                Param::Int(*person),
                Param::Text(role),
                Param::Text(affiliation),
                Param::Text(&dates[started_on]),
                Param::Text(&now),
                Param::Text(&now),
            ]);
        }
        insert_all(
            self,
            concat!("memberships (id, ", new_membership_columns!(), ")"),
            8,
            &values,
        )
        .await?;
        Ok(())
    }
}

/// A timestamp as sqlx stores `DateTime<Utc>` in SQLite (RFC 3339, `+00:00`),
/// so rows written on the raw handle read back like every other row.
pub(super) fn sqlite_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

impl Bulk for sqlx::PgConnection {
    async fn memberships_json(&mut self, team: i64) -> Result<String> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT COALESCE(json_agg(json_build_array(",
            membership_columns!(),
            "))::text, '[]') FROM memberships WHERE team_id = $1"
        ))
        .bind(team)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn people_json(&mut self, lo: i64, hi: i64) -> Result<String> {
        Ok(sqlx::query_scalar(concat!(
            "SELECT COALESCE(json_agg(json_build_array(",
            person_columns!(),
            "))::text, '[]') FROM people WHERE id BETWEEN $1 AND $2"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *self)
        .await?)
    }

    async fn large_write(&mut self, on: bool) -> Result<()> {
        if !on {
            // Fresh statistics after a large import (autovacuum may take a
            // while): without them the planner scans whole tables for the
            // next import's per-team reads.
            sqlx::query("ANALYZE people, memberships")
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    async fn suspend_indexes(
        &mut self,
        _table: &'static str,
        _adding: usize,
    ) -> Result<Vec<String>> {
        // COPY maintains PostgreSQL's indexes well enough; dropping them
        // would take an exclusive lock on the table.
        Ok(Vec::new())
    }

    async fn rebuild_indexes(&mut self, _statements: Vec<String>) -> Result<()> {
        Ok(())
    }

    async fn fresh_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        // Taken from the identity sequence, so concurrent writers never
        // get the same ids.
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1) ORDER BY 1"
        );
        let ids: Vec<(i64,)> = sqlx::query_as(&sql)
            .bind(n as i64)
            .fetch_all(&mut *self)
            .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    async fn people(&mut self, ctx: &BulkCtx, rows: &[NewPersonRow<'_>]) -> Result<()> {
        // COPY (text format): no statement to parse, no JSON to build.
        let now = ctx.now.to_rfc3339();
        let mut data = String::with_capacity(rows.len() * 100);
        for NewPersonRow(id, name, fold, gender, birth_year, phone) in rows {
            copy_opt(&mut data, Some(id), false);
            copy_opt(&mut data, Some(&ctx.commune), false);
            copy_opt(&mut data, Some(name), false);
            copy_opt(&mut data, Some(fold), false);
            copy_opt(
                &mut data,
                gender.as_ref().map(|g| g as &dyn std::fmt::Display),
                false,
            );
            copy_opt(
                &mut data,
                birth_year.as_ref().map(|y| y as &dyn std::fmt::Display),
                false,
            );
            copy_opt(
                &mut data,
                phone.as_ref().map(|p| p as &dyn std::fmt::Display),
                false,
            );
            copy_opt(&mut data, Some(&now), false);
            copy_opt(&mut data, Some(&now), true);
        }
        let mut copy = self
            .copy_in_raw(concat!(
                "COPY people (id, ",
                new_person_columns!(),
                ") FROM STDIN"
            ))
            .await?;
        copy.send(data.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    async fn memberships(&mut self, ctx: &BulkCtx, rows: &[NewMembershipRow]) -> Result<()> {
        let now = ctx.now.to_rfc3339();
        let mut data = String::with_capacity(rows.len() * 100);
        for NewMembershipRow(id, team, person, role, affiliation, started_on) in rows {
            copy_opt(&mut data, Some(id), false);
            copy_opt(&mut data, Some(team), false);
            copy_opt(&mut data, Some(person), false);
            copy_opt(&mut data, Some(role), false);
            copy_opt(&mut data, Some(affiliation), false);
            copy_opt(&mut data, Some(started_on), false);
            copy_opt(&mut data, Some(&now), false);
            copy_opt(&mut data, Some(&now), true);
        }
        let mut copy = self
            .copy_in_raw(concat!(
                "COPY memberships (id, ",
                new_membership_columns!(),
                ") FROM STDIN"
            ))
            .await?;
        copy.send(data.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }
}

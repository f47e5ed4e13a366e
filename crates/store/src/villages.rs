//! Villages: the units below the commune (thôn, tổ dân phố, …) that each
//! commune enters or imports itself, with an active period.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{fold, format_date, not_in_future, Name, VillageKind};

use crate::{Actor, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Village {
    pub id: i64,
    pub commune_code: i32,
    #[sqlx(try_from = "String")]
    pub kind: VillageKind,
    pub name: String,
    pub active_from: NaiveDate,
    pub active_until: Option<NaiveDate>,
}

impl Village {
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.active_from <= day && self.active_until.is_none_or(|u| u > day)
    }
}

#[derive(Debug, Clone)]
pub struct NewVillage {
    pub commune_code: i32,
    pub kind: VillageKind,
    pub name: Name,
    pub active_from: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct VillageUpdate {
    pub kind: VillageKind,
    pub name: Name,
    pub active_from: NaiveDate,
}

/// The columns of a [`Village`], for every read of the table.
pub(crate) const SELECT: &str =
    "SELECT id, commune_code, kind, name, active_from, active_until FROM villages";

/// The columns a new village is written with, by [`Store::create_village`]
/// and by the importer's [`insert_villages!`].
pub(crate) const INSERT: &str =
    "INSERT INTO villages (commune_code, kind, name, name_fold, active_from, created_at, updated_at) ";

/// Insert new villages of commune `$commune` inside `$tx`, in multi-row
/// statements (the importer's fast path); each item has `name`, `kind` and
/// `active_from`. Evaluates to their ids, in order. The caller audits them.
macro_rules! insert_villages {
    ($tx:expr, $commune:expr, $now:expr, $villages:expr) => {
        $crate::multirow::insert_chunks!(
            $tx,
            $crate::villages::INSERT,
            $villages,
            |b, v| {
                b.push_bind($commune)
                    .push_bind(v.kind.code())
                    .push_bind(&v.name)
                    .push_bind(toso_domain::fold(&v.name))
                    .push_bind(v.active_from)
                    .push_bind($now)
                    .push_bind($now);
            },
            "name",
            |v| v.name
        )
    };
}
pub(crate) use insert_villages;

/// Write a village's new values (`$after`) inside `$tx`, with the folded
/// name and the audit row: the one UPDATE of a village's details, for the
/// form and the importer.
macro_rules! write_village_update {
    ($tx:expr, $actor:expr, $before:expr, $after:expr, $now:expr) => {{
        let before: &$crate::Village = $before;
        let after: &$crate::Village = $after;
        sqlx::query(
            "UPDATE villages SET kind = $1, name = $2, name_fold = $3, active_from = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(after.kind.code())
        .bind(&after.name)
        .bind(toso_domain::fold(&after.name))
        .bind(after.active_from)
        .bind($now)
        .bind(after.id)
        .execute(&mut *$tx)
        .await
        .map_err(|e| $crate::villages::on_duplicate_name(e, &after.name))?;
        audit!($tx, $actor, Some(after.commune_code), "village", after.id, "update", Some(before), Some(after));
    }};
}
pub(crate) use write_village_update;

/// A village's write refused by the one name per commune
/// (`villages_commune_name`, names compared folded).
pub(crate) fn on_duplicate_name(err: sqlx::Error, name: &str) -> StoreError {
    crate::error::on_constraint(err, "villages_commune_name", "villages.name_fold", || {
        StoreError::invalid(
            "name",
            format!("Tên thôn, tổ dân phố «{name}» đã có trong xã này."),
        )
    })
}

impl Store {
    pub async fn village(&self, id: i64) -> Result<Village> {
        let sql = format!("{SELECT} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Village>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy thôn, tổ dân phố số {id}.")))
    }

    /// The commune's villages by name; with `active_on`, only those active
    /// on that day.
    pub async fn villages(
        &self,
        commune_code: i32,
        active_on: Option<NaiveDate>,
    ) -> Result<Vec<Village>> {
        let sql = format!("{SELECT} WHERE commune_code = $1 ORDER BY name_fold");
        let all: Vec<Village> = on_read!(self, pool => {
            sqlx::query_as::<_, Village>(&sql).bind(commune_code).fetch_all(pool).await?
        });
        Ok(match active_on {
            Some(day) => all.into_iter().filter(|v| v.is_active_on(day)).collect(),
            None => all,
        })
    }

    pub async fn create_village(&self, actor: &Actor, new: NewVillage) -> Result<Village> {
        self.commune(new.commune_code).await?;
        let name = new.name.as_str().to_string();
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(&format!(
                "{INSERT}VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
            ))
            .bind(new.commune_code)
            .bind(new.kind.code())
            .bind(&name)
            .bind(fold(&name))
            .bind(new.active_from)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| on_duplicate_name(e, &name))?;
            let after = Village {
                id,
                commune_code: new.commune_code,
                kind: new.kind,
                name: name.clone(),
                active_from: new.active_from,
                active_until: None,
            };
            audit!(tx, actor, Some(after.commune_code), "village", id, "create", None::<&Village>, Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    pub async fn update_village(
        &self,
        actor: &Actor,
        id: i64,
        upd: VillageUpdate,
    ) -> Result<Village> {
        let before = self.village(id).await?;
        if let Some(until) = before.active_until {
            if upd.active_from > until {
                return Err(StoreError::invalid(
                    "active_from",
                    format!(
                        "Ngày bắt đầu hoạt động không được sau ngày ngừng hoạt động ({}).",
                        format_date(until)
                    ),
                ));
            }
        }
        let after = Village {
            kind: upd.kind,
            name: upd.name.as_str().to_string(),
            active_from: upd.active_from,
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_village_update!(tx, actor, &before, &after, Utc::now());
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Stop a village being active from `on` (the first day it no longer
    /// exists, e.g. after a merger). Its team stops counting from that day too.
    pub async fn deactivate_village(
        &self,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
    ) -> Result<Village> {
        let before = self.village(id).await?;
        not_in_future(on, crate::today(), "active_until", "Ngày ngừng hoạt động")?;
        if before.active_until.is_some() {
            return Err(StoreError::invalid(
                "active_until",
                format!("Thôn, tổ dân phố «{}» đã ngừng hoạt động.", before.name),
            ));
        }
        if on < before.active_from {
            return Err(StoreError::invalid(
                "active_until",
                format!(
                    "Ngày ngừng hoạt động không được trước ngày bắt đầu hoạt động ({}).",
                    format_date(before.active_from)
                ),
            ));
        }
        let after = Village {
            active_until: Some(on),
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE villages SET active_until = $1, updated_at = $2 WHERE id = $3")
                .bind(on)
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit!(tx, actor, Some(after.commune_code), "village", id, "deactivate", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }
}

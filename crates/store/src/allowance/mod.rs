//! Who worked which day, and the allowance a province's resolution pays:
//! the duty days a leader records, the members named on a campaign, the
//! allowance policies of a province (or of a commune where its province has
//! none), the month's attendance sheets gathered from every record that
//! names a member, and the approval of a month, which freezes the sheets
//! and the list as they stood. The rules that turn days into amounts are in
//! [`toso_domain::allowance`].

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{format_date, Month, Rates};

use crate::{Actor, Result, Store, StoreError};

mod duty;
mod month;

pub(crate) use duty::insert_duty_day;
pub use duty::{DutyDay, DutyMember, NewDutyDay, MAX_DUTY_TEXT};
pub use month::{Frozen, MonthApproval, MonthFigures, MonthView};

/// Who owns a policy: a province, or a commune where its province has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyOwner {
    Province(i32),
    Commune(i32),
}

/// An allowance policy: a resolution's amounts and the period it is in
/// force (both ends inclusive; open-ended without an end).
/// Its terms are read through it (`policy.resolution`); its JSON (frozen
/// with an approved month) is the terms' fields after `id` and `owner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowancePolicy {
    pub id: i64,
    pub owner: PolicyOwner,
    #[serde(flatten)]
    pub terms: NewPolicy,
}

reads_through!(AllowancePolicy => terms: NewPolicy);

impl AllowancePolicy {
    /// "Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025", with "(ví dụ, không
    /// phải số liệu của nghị quyết thật)" for the demo's.
    pub fn title(&self) -> String {
        let mut t = format!(
            "Nghị quyết số {} ngày {}",
            self.resolution,
            format_date(self.resolution_on)
        );
        if self.example {
            t.push_str(" (ví dụ minh họa, không phải mức chi của nghị quyết thật)");
        }
        t
    }

    /// "từ 01/07/2025" or "từ 01/07/2025 đến 31/12/2026".
    pub fn period(&self) -> String {
        match self.effective_until {
            Some(u) => format!(
                "từ {} đến {}",
                format_date(self.effective_from),
                format_date(u)
            ),
            None => format!("từ {}", format_date(self.effective_from)),
        }
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_until.is_none_or(|u| day <= u)
    }
}

/// A policy's terms: as typed (owner given separately), and as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPolicy {
    /// "26/2025/NQ-HĐND".
    pub resolution: String,
    pub resolution_on: NaiveDate,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub rates: Rates,
    /// The demo's example, not a real resolution's figures.
    pub example: bool,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: i64,
    province_code: Option<i32>,
    commune_code: Option<i32>,
    resolution: String,
    resolution_on: NaiveDate,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    per_team_month: i64,
    per_member_month: i64,
    per_day: i64,
    day_cap: Option<i32>,
    min_days: i32,
    example: i32,
    note: Option<String>,
}

impl From<PolicyRow> for AllowancePolicy {
    fn from(r: PolicyRow) -> Self {
        AllowancePolicy {
            id: r.id,
            owner: match (r.province_code, r.commune_code) {
                (Some(p), _) => PolicyOwner::Province(p),
                (None, Some(c)) => PolicyOwner::Commune(c),
                (None, None) => PolicyOwner::Province(0),
            },
            terms: NewPolicy {
                resolution: r.resolution,
                resolution_on: r.resolution_on,
                effective_from: r.effective_from,
                effective_until: r.effective_until,
                rates: Rates {
                    per_team_month: r.per_team_month,
                    per_member_month: r.per_member_month,
                    per_day: r.per_day,
                    day_cap: r.day_cap.map(|c| c.max(0) as u32),
                    min_days: r.min_days.max(0) as u32,
                },
                example: r.example != 0,
                note: r.note,
            },
        }
    }
}

const SELECT_POLICY: &str = "SELECT id, province_code, commune_code, resolution, resolution_on, \
     effective_from, effective_until, per_team_month, per_member_month, per_day, day_cap, \
     min_days, example, note FROM allowance_policies";

/// Typed text in canonical form (NFC, spaces collapsed, control and
/// zero-width characters dropped).
fn trimmed(s: &str) -> String {
    toso_domain::clean_text(s)
}

fn check_policy(new: &NewPolicy) -> Result<()> {
    new.rates.check()?;
    let resolution = trimmed(&new.resolution);
    if resolution.is_empty() {
        return Err(StoreError::invalid(
            "resolution",
            "Số nghị quyết không được để trống, ví dụ 26/2025/NQ-HĐND.",
        ));
    }
    if resolution.chars().count() > 100 {
        return Err(StoreError::invalid(
            "resolution",
            "Số nghị quyết dài quá 100 ký tự.",
        ));
    }
    toso_domain::check_period(
        new.effective_from,
        new.effective_until,
        "Ngày có hiệu lực",
        "Ngày hết hiệu lực",
    )
    .map_err(|e| StoreError::invalid("effective_until", e.message))?;
    if new.resolution_on > new.effective_until.unwrap_or(NaiveDate::MAX) {
        return Err(StoreError::invalid(
            "resolution_on",
            "Ngày ban hành không được sau ngày hết hiệu lực.",
        ));
    }
    Ok(())
}

/// Whether two inclusive periods (open-ended when `None`) share a day.
fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.0 <= b.1.unwrap_or(NaiveDate::MAX) && b.0 <= a.1.unwrap_or(NaiveDate::MAX)
}

impl Store {
    // ---------------------------------------------------------------------
    // Policies
    // ---------------------------------------------------------------------

    /// The policies of a province or a commune, newest period first.
    pub async fn policies(&self, owner: PolicyOwner) -> Result<Vec<AllowancePolicy>> {
        let (column, code) = match owner {
            PolicyOwner::Province(p) => ("province_code", p),
            PolicyOwner::Commune(c) => ("commune_code", c),
        };
        let sql =
            format!("{SELECT_POLICY} WHERE {column} = $1 ORDER BY effective_from DESC, id DESC");
        let rows: Vec<PolicyRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(code).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn policy(&self, id: i64) -> Result<AllowancePolicy> {
        let sql = format!("{SELECT_POLICY} WHERE id = $1");
        let row: Option<PolicyRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(Into::into)
            .ok_or_else(|| StoreError::not_found(format!("Không có chính sách chi trả số {id}.")))
    }

    /// The policy that pays the commune's `month`: its province's in force
    /// on the month's first day (else on its last), or, where the province
    /// has none for the month, the commune's own.
    pub async fn policy_for(
        &self,
        commune_code: i32,
        month: Month,
    ) -> Result<Option<AllowancePolicy>> {
        let commune = self.commune(commune_code).await?;
        for owner in [
            PolicyOwner::Province(commune.province_code),
            PolicyOwner::Commune(commune_code),
        ] {
            let policies = self.policies(owner).await?;
            for day in [month.first_day(), month.last_day()] {
                if let Some(p) = policies.iter().find(|p| p.covers(day)) {
                    return Ok(Some(p.clone()));
                }
            }
        }
        Ok(None)
    }

    /// Record a policy for `owner`, or replace policy `id`'s values.
    /// Refuses bad amounts, an end before the start, and a period that
    /// overlaps another of the owner's policies (checked under a lock of
    /// the owner's row, so two officers cannot both pass the check).
    pub async fn save_policy(
        &self,
        actor: &Actor,
        owner: PolicyOwner,
        id: Option<i64>,
        new: NewPolicy,
    ) -> Result<AllowancePolicy> {
        check_policy(&new)?;
        let before = match id {
            Some(id) => {
                let p = self.policy(id).await?;
                if p.owner != owner {
                    return Err(StoreError::not_found(format!(
                        "Không có chính sách chi trả số {id} của đơn vị này."
                    )));
                }
                Some(p)
            }
            None => None,
        };
        let (province, commune) = match owner {
            PolicyOwner::Province(p) => (Some(p), None),
            PolicyOwner::Commune(c) => (None, Some(c)),
        };
        let resolution = trimmed(&new.resolution);
        let note = toso_domain::non_blank(new.note.as_deref()).map(str::to_string);
        let now = Utc::now();
        let r = new.rates;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // The owner's row, locked (PostgreSQL; SQLite has one writer).
            match owner {
                PolicyOwner::Province(p) => sqlx::query("UPDATE provinces SET code = code WHERE code = $1").bind(p).execute(&mut *tx).await?,
                PolicyOwner::Commune(c) => sqlx::query("UPDATE communes SET code = code WHERE code = $1").bind(c).execute(&mut *tx).await?,
            };
            let others: Vec<(i64, NaiveDate, Option<NaiveDate>, String)> = sqlx::query_as(
                "SELECT id, effective_from, effective_until, resolution FROM allowance_policies \
                 WHERE (province_code = $1 OR commune_code = $2)",
            )
            .bind(province)
            .bind(commune)
            .fetch_all(&mut *tx)
            .await?;
            if let Some(o) = others.iter().find(|o| Some(o.0) != id && overlaps((o.1, o.2), (new.effective_from, new.effective_until))) {
                return Err(StoreError::invalid(
                    "effective_from",
                    format!(
                        "Thời gian hiệu lực trùng với chính sách theo Nghị quyết số {} ({}{}).",
                        o.3,
                        format_date(o.1),
                        o.2.map(|u| format!(" – {}", format_date(u))).unwrap_or_else(|| " – nay".into())
                    ),
                ));
            }
            let id = match id {
                Some(id) => {
                    sqlx::query(
                        "UPDATE allowance_policies SET resolution = $1, resolution_on = $2, effective_from = $3, \
                         effective_until = $4, per_team_month = $5, per_member_month = $6, per_day = $7, day_cap = $8, \
                         min_days = $9, example = $10, note = $11, updated_at = $12 WHERE id = $13",
                    )
                    .bind(&resolution).bind(new.resolution_on).bind(new.effective_from).bind(new.effective_until)
                    .bind(r.per_team_month).bind(r.per_member_month).bind(r.per_day)
                    .bind(r.day_cap.map(|c| c as i32)).bind(r.min_days as i32).bind(i32::from(new.example))
                    .bind(note.as_deref()).bind(now).bind(id)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO allowance_policies (province_code, commune_code, resolution, resolution_on, effective_from, \
                     effective_until, per_team_month, per_member_month, per_day, day_cap, min_days, example, note, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
                )
                .bind(province).bind(commune).bind(&resolution).bind(new.resolution_on).bind(new.effective_from)
                .bind(new.effective_until).bind(r.per_team_month).bind(r.per_member_month).bind(r.per_day)
                .bind(r.day_cap.map(|c| c as i32)).bind(r.min_days as i32).bind(i32::from(new.example))
                .bind(note.as_deref()).bind(now)
                .fetch_one(&mut *tx)
                .await?,
            };
            let after = AllowancePolicy {
                id,
                owner,
                terms: NewPolicy {
                    resolution,
                    note,
                    ..new
                },
            };
            let action = if before.is_some() { "update" } else { "create" };
            audit!(tx, actor, province: province, commune, "allowance_policy", id, action, before.as_ref(), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Delete a policy no approved month was paid by.
    pub async fn delete_policy(&self, actor: &Actor, owner: PolicyOwner, id: i64) -> Result<()> {
        let policy = self.policy(id).await?;
        if policy.owner != owner {
            return Err(StoreError::not_found(format!(
                "Không có chính sách chi trả số {id} của đơn vị này."
            )));
        }
        let (province, commune) = match owner {
            PolicyOwner::Province(p) => (Some(p), None),
            PolicyOwner::Commune(c) => (None, Some(c)),
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM allowance_months WHERE policy_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if used > 0 {
                return Err(StoreError::invalid(
                    "policy",
                    format!("Không xóa được: {used} tháng đã duyệt chi trả theo chính sách này."),
                ));
            }
            sqlx::query("DELETE FROM allowance_policies WHERE id = $1").bind(id).execute(&mut *tx).await?;
            audit!(tx, actor, province: province, commune, "allowance_policy", id, "delete", Some(&policy), None::<&AllowancePolicy>);
            tx.commit().await?;
            Ok(())
        })
    }
}

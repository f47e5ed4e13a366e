//! Contests (a commune's push for people to take part, e.g. "Công dân số
//! Hải Phòng") and their registration entries: created, listed, corrected
//! and deleted with their audit rows. The figures on them are computed in
//! [`crate::indicators`].

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{format_date, not_in_future, ContestGroup, Name};

use crate::{Actor, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Contest {
    pub id: i64,
    pub commune_code: i32,
    pub name: String,
    pub organiser: String,
    pub document_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl Contest {
    /// The contest `id` as `new` describes it.
    fn of(id: i64, new: &NewContest) -> Contest {
        Contest {
            id,
            commune_code: new.commune_code,
            name: new.name.as_str().to_string(),
            organiser: new.organiser.as_str().to_string(),
            document_id: new.document_id,
            starts_on: new.starts_on,
            ends_on: new.ends_on,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewContest {
    pub commune_code: i32,
    pub name: Name,
    pub organiser: Name,
    pub document_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Registration {
    pub id: i64,
    pub contest_id: i64,
    pub registered_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub grp: ContestGroup,
    pub count: i32,
    pub note: Option<String>,
}

/// A contest's end not before its start (the refusal beside "Ngày kết thúc").
fn check_contest_period(new: &NewContest) -> Result<()> {
    toso_domain::check_period(new.starts_on, new.ends_on, "Ngày bắt đầu", "Ngày kết thúc")
        .map_err(|e| StoreError::invalid("ends_on", e.message))
}

/// The rules of a registration entry: a count from 1, not a future day, a
/// day within the contest.
fn check_registration(
    contest: &Contest,
    registered_on: NaiveDate,
    count: i32,
    today: NaiveDate,
) -> Result<()> {
    not_in_future(registered_on, today, "registered_on", "Ngày đăng ký")?;
    if count < 1 {
        return Err(StoreError::invalid(
            "count",
            "Số người đăng ký phải từ 1 trở lên.",
        ));
    }
    if !contest.covers(registered_on) {
        return Err(StoreError::invalid(
            "registered_on",
            format!(
                "Ngày đăng ký {} nằm ngoài thời gian của cuộc thi «{}».",
                format_date(registered_on),
                contest.name
            ),
        ));
    }
    Ok(())
}

impl Contest {
    /// Whether `day` falls within the contest (from its start, to its end
    /// inclusive when it has one).
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|e| day <= e)
    }
}

impl Store {
    pub async fn create_contest(&self, actor: &Actor, new: NewContest) -> Result<Contest> {
        self.commune(new.commune_code).await?;
        self.check_contest_document(&new).await?;
        check_contest_period(&new)?;
        let contest = Contest::of(0, &new);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contests (commune_code, name, organiser, document_id, starts_on, ends_on, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(contest.commune_code)
            .bind(&contest.name)
            .bind(&contest.organiser)
            .bind(contest.document_id)
            .bind(contest.starts_on)
            .bind(contest.ends_on)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let contest = Contest { id, ..contest };
            audit!(tx, actor, Some(contest.commune_code), "contest", id, "create", None::<&Contest>, Some(&contest));
            tx.commit().await?;
            Ok(contest)
        })
    }

    pub async fn contests(&self, commune_code: i32) -> Result<Vec<Contest>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Contest>(
                "SELECT id, commune_code, name, organiser, document_id, starts_on, ends_on FROM contests \
                 WHERE commune_code = $1 ORDER BY starts_on DESC, id DESC",
            )
            .bind(commune_code)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn contest(&self, id: i64) -> Result<Contest> {
        on_read!(self, pool => {
            sqlx::query_as::<_, Contest>(
                "SELECT id, commune_code, name, organiser, document_id, starts_on, ends_on FROM contests WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy cuộc thi số {id}.")))
    }

    /// The registrations recorded for a contest, oldest first (the records
    /// behind the indicator `contest_registrations`).
    pub async fn registrations(&self, contest_id: i64) -> Result<Vec<Registration>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Registration>(
                "SELECT id, contest_id, registered_on, grp, count, note FROM contest_registrations \
                 WHERE contest_id = $1 ORDER BY registered_on, id",
            )
            .bind(contest_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Record `count` registrations of `group` on a day. Refuses a count
    /// under 1, a future day, and a day outside the contest.
    pub async fn add_registrations(
        &self,
        actor: &Actor,
        contest_id: i64,
        registered_on: NaiveDate,
        group: ContestGroup,
        count: i32,
    ) -> Result<Registration> {
        let contest = self.contest(contest_id).await?;
        check_registration(&contest, registered_on, count, crate::today())?;
        let reg = Registration {
            id: 0,
            contest_id,
            registered_on,
            grp: group,
            count,
            note: None,
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contest_registrations (contest_id, registered_on, grp, count, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(contest_id)
            .bind(registered_on)
            .bind(group.code())
            .bind(count)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let reg = Registration { id, ..reg };
            audit!(tx, actor, Some(contest.commune_code), "contest_registration", id, "create", None::<&Registration>, Some(&reg));
            tx.commit().await?;
            Ok(reg)
        })
    }
}

/// New values of one registration entry (its contest stays).
#[derive(Debug, Clone)]
pub struct RegistrationUpdate {
    pub registered_on: NaiveDate,
    pub group: ContestGroup,
    pub count: i32,
}

const SELECT_CONTEST: &str =
    "SELECT id, commune_code, name, organiser, document_id, starts_on, ends_on FROM contests";

/// A registration entry of the commune `$1` with id `$2`.
const SELECT_REGISTRATION_OF: &str =
    "SELECT r.id, r.contest_id, r.registered_on, r.grp, r.count, r.note \
     FROM contest_registrations r JOIN contests c ON c.id = r.contest_id \
     WHERE c.commune_code = $1 AND r.id = $2";

fn contest_not_found(id: i64) -> StoreError {
    StoreError::not_found(format!("Không tìm thấy cuộc thi số {id}."))
}

fn registration_not_found(id: i64) -> StoreError {
    StoreError::not_found(format!("Không tìm thấy lượt đăng ký số {id}."))
}

/// Corrections: contests and registration entries edited and deleted. Every
/// statement names the commune, so a record of another commune is never
/// touched (it is "not found"); every write has its audit row in the same
/// transaction, and the figures read the rows, so they follow at once.
impl Store {
    /// The document a contest cites must be in the commune's register.
    async fn check_contest_document(&self, new: &NewContest) -> Result<()> {
        let Some(doc) = new.document_id else {
            return Ok(());
        };
        match self.document(doc).await {
            Ok(d) if d.commune_code == new.commune_code => Ok(()),
            Ok(_) | Err(StoreError::NotFound(_)) => Err(StoreError::invalid(
                "document_id",
                "Văn bản không có trong sổ văn bản của xã.",
            )),
            Err(e) => Err(e),
        }
    }

    /// The commune's contest `id`; not found when it is another commune's.
    pub async fn contest_of(&self, commune_code: i32, id: i64) -> Result<Contest> {
        let sql = format!("{SELECT_CONTEST} WHERE commune_code = $1 AND id = $2");
        on_read!(self, pool => {
            sqlx::query_as::<_, Contest>(&sql)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| contest_not_found(id))
    }

    /// Correct a contest (of `new.commune_code`): the rules of a new one,
    /// and the registrations already recorded must stay within its new
    /// period (the refusal says how many fall outside and where).
    pub async fn update_contest(&self, actor: &Actor, id: i64, new: NewContest) -> Result<Contest> {
        let before = self.contest_of(new.commune_code, id).await?;
        self.check_contest_document(&new).await?;
        check_contest_period(&new)?;
        let after = Contest::of(id, &new);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let days: Vec<NaiveDate> = sqlx::query_scalar(
                "SELECT registered_on FROM contest_registrations WHERE contest_id = $1 ORDER BY registered_on",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let early: Vec<&NaiveDate> = days.iter().filter(|d| **d < after.starts_on).collect();
            if let Some(first) = early.first() {
                return Err(StoreError::invalid(
                    "starts_on",
                    format!(
                        "Đã ghi {} lượt đăng ký trước ngày bắt đầu {} (sớm nhất ngày {}); sửa hoặc xóa các lượt đó trước.",
                        early.len(),
                        format_date(after.starts_on),
                        format_date(**first)
                    ),
                ));
            }
            if let Some(end) = after.ends_on {
                let late: Vec<&NaiveDate> = days.iter().filter(|d| **d > end).collect();
                if let Some(last) = late.last() {
                    return Err(StoreError::invalid(
                        "ends_on",
                        format!(
                            "Đã ghi {} lượt đăng ký sau ngày kết thúc {} (muộn nhất ngày {}); sửa hoặc xóa các lượt đó trước.",
                            late.len(),
                            format_date(end),
                            format_date(**last)
                        ),
                    ));
                }
            }
            let done = sqlx::query(
                "UPDATE contests SET name = $3, organiser = $4, document_id = $5, starts_on = $6, ends_on = $7, \
                 updated_at = $8 WHERE commune_code = $1 AND id = $2",
            )
            .bind(after.commune_code)
            .bind(id)
            .bind(&after.name)
            .bind(&after.organiser)
            .bind(after.document_id)
            .bind(after.starts_on)
            .bind(after.ends_on)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(contest_not_found(id));
            }
            audit!(tx, actor, Some(after.commune_code), "contest", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Delete the commune's contest `id` together with its registrations, in
    /// one transaction, with an audit row for each (values before). Returns
    /// what was deleted.
    pub async fn delete_contest(
        &self,
        actor: &Actor,
        commune_code: i32,
        id: i64,
    ) -> Result<(Contest, Vec<Registration>)> {
        let sql = format!("{SELECT_CONTEST} WHERE commune_code = $1 AND id = $2");
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let contest = sqlx::query_as::<_, Contest>(&sql)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| contest_not_found(id))?;
            let registrations = sqlx::query_as::<_, Registration>(
                "SELECT id, contest_id, registered_on, grp, count, note FROM contest_registrations \
                 WHERE contest_id = $1 ORDER BY registered_on, id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM contest_registrations WHERE contest_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM contests WHERE commune_code = $1 AND id = $2")
                .bind(commune_code)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(contest_not_found(id));
            }
            for reg in &registrations {
                audit!(tx, actor, Some(commune_code), "contest_registration", reg.id, "delete", Some(reg), None::<&Registration>);
            }
            audit!(tx, actor, Some(commune_code), "contest", id, "delete", Some(&contest), None::<&Contest>);
            tx.commit().await?;
            Ok((contest, registrations))
        })
    }

    /// The commune's registration entry `id`; not found when it is another
    /// commune's.
    pub async fn registration_of(&self, commune_code: i32, id: i64) -> Result<Registration> {
        on_read!(self, pool => {
            sqlx::query_as::<_, Registration>(SELECT_REGISTRATION_OF)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| registration_not_found(id))
    }

    /// Correct a registration entry: the rules of a new one (a count from 1,
    /// not a future day, within its contest).
    pub async fn update_registration(
        &self,
        actor: &Actor,
        commune_code: i32,
        id: i64,
        upd: RegistrationUpdate,
    ) -> Result<Registration> {
        let before = self.registration_of(commune_code, id).await?;
        let contest = self.contest_of(commune_code, before.contest_id).await?;
        check_registration(&contest, upd.registered_on, upd.count, crate::today())?;
        let after = Registration {
            registered_on: upd.registered_on,
            grp: upd.group,
            count: upd.count,
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE contest_registrations SET registered_on = $3, grp = $4, count = $5 \
                 WHERE id = $2 AND contest_id IN (SELECT id FROM contests WHERE commune_code = $1)",
            )
            .bind(commune_code)
            .bind(id)
            .bind(after.registered_on)
            .bind(after.grp.code())
            .bind(after.count)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(registration_not_found(id));
            }
            audit!(tx, actor, Some(commune_code), "contest_registration", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Delete the commune's registration entry `id`, with its audit row.
    pub async fn delete_registration(
        &self,
        actor: &Actor,
        commune_code: i32,
        id: i64,
    ) -> Result<Registration> {
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let before = sqlx::query_as::<_, Registration>(SELECT_REGISTRATION_OF)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| registration_not_found(id))?;
            sqlx::query(
                "DELETE FROM contest_registrations \
                 WHERE id = $2 AND contest_id IN (SELECT id FROM contests WHERE commune_code = $1)",
            )
            .bind(commune_code)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            audit!(tx, actor, Some(commune_code), "contest_registration", id, "delete", Some(&before), None::<&Registration>);
            tx.commit().await?;
            Ok(before)
        })
    }
}

//! Support activities (the help the teams give people): logged one by one
//! (once per client id) or in bulk, corrected within the edit window, and
//! written through the group-committing log writer. The figures built on
//! them are computed in [`crate::indicators`]; contests live in
//! [`crate::contests`].

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use sqlx::QueryBuilder;
use toso_domain::{format_date, not_in_future, ClientId, SupportCategory};

use crate::{Actor, Result, Store, StoreError, Team};

/// A support activity as recorded (the API's `ActivityOut`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ActivityOut))]
pub struct Activity {
    /// Số hiệu of the activity.
    pub id: i64,
    /// Mã xã.
    pub commune_code: i32,
    /// The team that logged it.
    pub team_id: i64,
    /// The team's village (none for the quick-response team).
    pub village_id: Option<i64>,
    /// Ngày hỗ trợ.
    pub activity_date: NaiveDate,
    /// Lĩnh vực: the support category's code (`dvc_truc_tuyen`, `vneid`…).
    pub category: String,
    /// Số người được hỗ trợ.
    pub citizens_helped: i32,
    /// Số hồ sơ trực tuyến.
    pub dossiers: i32,
    /// Ghi chú.
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewActivity {
    pub team_id: i64,
    pub activity_date: NaiveDate,
    pub category: SupportCategory,
    pub citizens_helped: i32,
    pub dossiers: i32,
    pub note: Option<String>,
    /// Team members who helped besides the one logging (person ids).
    pub co_members: Vec<i64>,
}

const SELECT_ACTIVITY: &str =
    "SELECT id, commune_code, team_id, village_id, activity_date, category, \
                               citizens_helped, dossiers, note FROM support_activities";

/// Largest counts one activity may carry (a typo guard: an evening at the
/// village hall helps dozens, not tens of thousands).
pub const MAX_CITIZENS_PER_ACTIVITY: i32 = 10_000;

/// The checks of a new activity that need no database beyond its team.
pub(crate) fn check_activity(team: &Team, new: &NewActivity, today: NaiveDate) -> Result<()> {
    not_in_future(new.activity_date, today, "activity_date", "Ngày hỗ trợ")?;
    if !team.is_active_on(new.activity_date) {
        return Err(StoreError::invalid(
            "activity_date",
            format!(
                "Ngày hỗ trợ {} nằm ngoài thời gian hoạt động của tổ «{}» (thành lập ngày {}).",
                format_date(new.activity_date),
                team.name,
                format_date(team.established_on)
            ),
        ));
    }
    for (field, label, value) in [
        (
            "citizens_helped",
            "Số người được hỗ trợ",
            new.citizens_helped,
        ),
        ("dossiers", "Số hồ sơ trực tuyến", new.dossiers),
    ] {
        if value < 0 {
            return Err(StoreError::invalid(
                field,
                format!("{label} không được là số âm."),
            ));
        }
        if value > MAX_CITIZENS_PER_ACTIVITY {
            return Err(StoreError::invalid(
                field,
                format!("{label} {value} quá lớn cho một lượt hỗ trợ (tối đa {MAX_CITIZENS_PER_ACTIVITY})."),
            ));
        }
    }
    Ok(())
}

/// The columns an activity is inserted with, in the order
/// [`push_activity!`] binds them (a literal, for `concat!`).
macro_rules! activity_columns {
    () => {
        "commune_code, team_id, village_id, activity_date, category, citizens_helped, dossiers, \
         note, created_by, created_at, updated_at"
    };
}

/// Push activity `$a`'s values onto the `QueryBuilder` row `$b`, in the
/// order of [`activity_columns!`] (`created_at` and `updated_at` both
/// `$now`): the one list of an activity's values, for the bulk log and
/// the single writes alike.
macro_rules! push_activity {
    ($b:expr, $a:expr, $created_by:expr, $now:expr) => {
        $b.push_bind($a.commune_code)
            .push_bind($a.team_id)
            .push_bind($a.village_id)
            .push_bind($a.activity_date)
            .push_bind(&$a.category)
            .push_bind($a.citizens_helped)
            .push_bind($a.dossiers)
            .push_bind($a.note.as_deref())
            .push_bind($created_by)
            .push_bind($now)
            .push_bind($now)
    };
}

/// Insert the one activity `$a` in `$tx`, with the client's id `$client`
/// (an `Option<&str>`) where it gave one: the column is named only then,
/// so a write without one works on every schema since 0004. Evaluates to
/// the new id, or sqlx's error (the caller maps its constraints).
macro_rules! insert_activity {
    ($tx:expr, $a:expr, $created_by:expr, $now:expr, $client:expr) => {{
        let client: Option<&str> = $client;
        let mut q = sqlx::QueryBuilder::new(concat!(
            "INSERT INTO support_activities (",
            $crate::activities::activity_columns!()
        ));
        q.push(if client.is_some() {
            ", client_id) "
        } else {
            ") "
        });
        q.push_values([()], |mut b, ()| {
            $crate::activities::push_activity!(b, $a, $created_by, $now);
            if let Some(c) = client {
                b.push_bind(c);
            }
        });
        q.push(" RETURNING id");
        q.build_query_scalar::<i64>().fetch_one(&mut *$tx).await
    }};
}
pub(crate) use {activity_columns, insert_activity, push_activity};

/// The row of a checked new activity of `team` (id 0 until written; an
/// empty note is none).
fn activity_row(team: &Team, new: &NewActivity) -> Activity {
    Activity {
        id: 0,
        commune_code: team.commune_code,
        team_id: team.id,
        village_id: team.village_id,
        activity_date: new.activity_date,
        category: new.category.code().to_string(),
        citizens_helped: new.citizens_helped,
        dossiers: new.dossiers,
        note: new.note.clone().filter(|n| !n.trim().is_empty()),
    }
}

/// The refusal of a helper who was not a member of `team` on `day`.
fn not_a_member(person: i64, team: &Team, day: NaiveDate) -> StoreError {
    StoreError::invalid(
        "co_members",
        format!(
            "Người số {person} không phải thành viên của tổ «{}» vào ngày {}.",
            team.name,
            format_date(day)
        ),
    )
}

impl Store {
    /// Log a support activity. Refuses a future date, a date outside the
    /// team's period, negative or absurd counts, an inactive category, and
    /// co-members who are not members of the team that day.
    pub async fn create_activity(&self, actor: &Actor, new: NewActivity) -> Result<Activity> {
        let (activity, co_members) = self.checked_activity(new).await?;
        self.log(actor, activity, co_members, None).await
    }

    /// Log a support activity the client named `client_id`, once: when this
    /// user already logged an activity under that id (a retry after a lost
    /// answer, two tabs, a double click), the original is returned
    /// unchanged, even if this call's content differs, with `true` (a
    /// repeat); otherwise the activity is checked and written as
    /// [`Store::create_activity`] does, with `false`. Two calls racing with
    /// the same id write one activity: the loser gets the winner's. An
    /// actor without a user (a command) cannot use client ids.
    pub async fn create_activity_once(
        &self,
        actor: &Actor,
        new: NewActivity,
        client_id: &ClientId,
    ) -> Result<(Activity, bool)> {
        let Some(user_id) = actor.user_id else {
            return Err(StoreError::invalid(
                "client_id",
                "Mã lượt ghi chỉ dùng được khi ghi bằng tài khoản người dùng.",
            ));
        };
        let written = self.log_once(actor, user_id, new, client_id).await;
        if let Ok((_, repeated)) = &written {
            self.stats.record_client_write(*repeated);
        }
        written
    }

    /// [`Store::create_activity_once`] for a signed-in `user_id`.
    async fn log_once(
        &self,
        actor: &Actor,
        user_id: i64,
        new: NewActivity,
        client_id: &ClientId,
    ) -> Result<(Activity, bool)> {
        // Written first, looked up only when that fails: a first send (the
        // usual case) costs the write alone; a repeat is refused by the
        // unique index `support_activities_client` and answered with the
        // original. A repeat whose entry no longer passes the checks (its
        // day has left the edit window since, say) is answered with the
        // original too.
        let (activity, co_members) = match self.checked_activity(new).await {
            Ok(checked) => checked,
            Err(refused) => {
                return match self.activity_by_client_id(user_id, client_id).await {
                    Ok(Some(original)) => Ok((original, true)),
                    _ => Err(refused),
                };
            }
        };
        match self
            .log(actor, activity, co_members, Some(client_id.clone()))
            .await
        {
            Ok(written) => Ok((written, false)),
            Err(e) if is_client_id_taken(&e) => self
                .activity_by_client_id(user_id, client_id)
                .await?
                .map(|original| (original, true))
                .ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// The activity `user_id` logged under `client_id`, if any.
    pub async fn activity_by_client_id(
        &self,
        user_id: i64,
        client_id: &ClientId,
    ) -> Result<Option<Activity>> {
        let sql = format!("{SELECT_ACTIVITY} WHERE created_by = $1 AND client_id = $2");
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Activity>(&sql)
                .bind(user_id)
                .bind(client_id.as_str())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Whether `category` is still active in the list of support
    /// categories (a retired one stays on old entries, refused on new).
    async fn category_active(&self, category: SupportCategory) -> Result<bool> {
        let found: Option<String> = on_read!(self, pool => {
            sqlx::query_scalar("SELECT code FROM support_categories WHERE code = $1 AND active = 1")
                .bind(category.code())
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// The checks of a new activity (see [`Store::create_activity`]); the
    /// row to write and the co-members to link.
    async fn checked_activity(&self, new: NewActivity) -> Result<(Activity, Vec<i64>)> {
        let team = self.team(new.team_id).await?;
        check_activity(&team, &new, crate::today())?;
        if !self.category_active(new.category).await? {
            return Err(StoreError::invalid(
                "category",
                format!(
                    "Lĩnh vực «{}» không còn trong danh mục.",
                    new.category.label()
                ),
            ));
        }
        let members = if new.co_members.is_empty() {
            Vec::new()
        } else {
            self.team_members(team.id, Some(new.activity_date)).await?
        };
        for person in &new.co_members {
            if !members.iter().any(|m| m.membership.person_id == *person) {
                return Err(not_a_member(*person, &team, new.activity_date));
            }
        }
        Ok((activity_row(&team, &new), new.co_members))
    }

    /// Hand a checked activity to the log writer and wait for its answer.
    async fn log(
        &self,
        actor: &Actor,
        activity: Activity,
        co_members: Vec<i64>,
        client_id: Option<ClientId>,
    ) -> Result<Activity> {
        // Written by the log writer, together with whatever other
        // activities arrive meanwhile, in one transaction (group commit);
        // answered once that transaction has committed.
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = LogJob {
            activity,
            co_members,
            client_id,
            actor: actor.clone(),
            reply,
        };
        let sender = self
            .activity_log
            .get_or_init(|| LogWriter::start(self.backend.clone(), self.stats.clone()));
        sender
            .send(job)
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        answer
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?
    }

    /// Many activities at once (the demo, a log import): every one checked
    /// as [`Store::create_activity`] does, then all written in one
    /// transaction with multi-row inserts, each with its audit row.
    pub async fn create_activities(&self, actor: &Actor, news: Vec<NewActivity>) -> Result<u64> {
        let today = crate::today();
        let mut teams: std::collections::HashMap<i64, Team> = std::collections::HashMap::new();
        let mut rows = Vec::with_capacity(news.len());
        let mut helpers: Vec<Vec<i64>> = Vec::with_capacity(news.len());
        // The members of a team on a day, read once per (team, day).
        let mut rosters: std::collections::HashMap<(i64, NaiveDate), Vec<i64>> =
            std::collections::HashMap::new();
        for new in news {
            let team = match teams.get(&new.team_id) {
                Some(t) => t.clone(),
                None => {
                    let t = self.team(new.team_id).await?;
                    teams.insert(t.id, t.clone());
                    t
                }
            };
            check_activity(&team, &new, today)?;
            if !new.co_members.is_empty() {
                let roster = match rosters.entry((team.id, new.activity_date)) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        let members = self.team_members(team.id, Some(new.activity_date)).await?;
                        e.insert(members.iter().map(|m| m.membership.person_id).collect())
                    }
                };
                if let Some(p) = new.co_members.iter().find(|p| !roster.contains(p)) {
                    return Err(not_a_member(*p, &team, new.activity_date));
                }
            }
            let mut co = new.co_members.clone();
            co.sort_unstable();
            co.dedup();
            helpers.push(co);
            rows.push(activity_row(&team, &new));
        }
        let now = Utc::now();
        let written = rows.len() as u64;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for (chunk, chunk_helpers) in rows.chunks(500).zip(helpers.chunks(500)) {
                let mut q = QueryBuilder::new(concat!(
                    "INSERT INTO support_activities (",
                    activity_columns!(),
                    ") "
                ));
                q.push_values(chunk, |mut b, a| {
                    push_activity!(b, a, actor.user_id, now);
                });
                q.push(" RETURNING id");
                let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
                let links: Vec<(i64, i64)> = ids
                    .iter()
                    .zip(chunk_helpers)
                    .flat_map(|(id, persons)| persons.iter().map(move |p| (*id, *p)))
                    .collect();
                for part in links.chunks(500) {
                    let mut q = QueryBuilder::new("INSERT INTO activity_members (activity_id, person_id) ");
                    q.push_values(part, |mut b, (a, p)| {
                        b.push_bind(*a).push_bind(*p);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                let mut audit = QueryBuilder::new(
                    "INSERT INTO audit_log (at, actor, address, commune_code, entity, entity_id, action, before, after, \
                     province_code) ",
                );
                audit.push_values(ids.iter().zip(chunk), |mut b, (id, a)| {
                    let after = Activity { id: *id, ..a.clone() };
                    b.push_bind(now)
                        .push_bind(&actor.name)
                        .push_bind(actor.address.as_deref())
                        .push_bind(Some(a.commune_code))
                        .push_bind("activity")
                        .push_bind(*id)
                        .push_bind("create")
                        .push_bind(crate::audit::json(None::<&Activity>))
                        .push_bind(crate::audit::json(Some(&after)))
                        // The province, derived from the commune.
                        .push("(SELECT province_code FROM communes WHERE code = ")
                        .push_bind_unseparated(a.commune_code)
                        .push_unseparated(")");
                });
                audit.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(written)
        })
    }

    /// The commune's activities between two dates (inclusive), newest first.
    pub async fn activities(
        &self,
        commune_code: i32,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<Activity>> {
        let sql = format!(
            "{SELECT_ACTIVITY} WHERE commune_code = $1 AND activity_date >= $2 AND activity_date <= $3 \
             ORDER BY activity_date DESC, id DESC"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Activity>(&sql)
                .bind(commune_code)
                .bind(from)
                .bind(until)
                .fetch_all(pool)
                .await?
        }))
    }
}
/// New values of a logged activity (its team and helpers stay).
#[derive(Debug, Clone)]
pub struct ActivityUpdate {
    pub activity_date: NaiveDate,
    pub category: SupportCategory,
    pub citizens_helped: i32,
    pub dossiers: i32,
    pub note: Option<String>,
}

impl ActivityUpdate {
    /// A new activity of `team_id` with these values, `co_members` helping.
    pub fn for_team(self, team_id: i64, co_members: Vec<i64>) -> NewActivity {
        NewActivity {
            team_id,
            activity_date: self.activity_date,
            category: self.category,
            citizens_helped: self.citizens_helped,
            dossiers: self.dossiers,
            note: self.note,
            co_members,
        }
    }
}

/// Days during which the member who logged an activity (and their team's
/// leader) may still correct it; officers may correct it at any time.
pub const ACTIVITY_EDIT_DAYS: i64 = 7;

/// Who logged an activity, and when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityAuthor {
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<Utc>,
}

impl ActivityAuthor {
    /// Whether the team's own people may still edit the entry at `now`.
    pub fn within_edit_window(&self, now: chrono::DateTime<Utc>) -> bool {
        now - self.created_at <= chrono::Duration::days(ACTIVITY_EDIT_DAYS)
    }
}

impl Store {
    pub async fn activity(&self, id: i64) -> Result<Activity> {
        let sql = format!("{SELECT_ACTIVITY} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Activity>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy lượt hỗ trợ số {id}.")))
    }

    pub async fn activity_author(&self, id: i64) -> Result<ActivityAuthor> {
        on_read!(self, pool => {
            sqlx::query_as::<_, ActivityAuthor>(
                "SELECT created_by, created_at FROM support_activities WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy lượt hỗ trợ số {id}.")))
    }

    /// Correct a logged activity: the same rules as a new one (no future
    /// date, within the team's period, counts from 0, an active category),
    /// written with its audit row (values before and after). Who may edit
    /// is the web layer's decision (see [`ActivityAuthor`]).
    pub async fn update_activity(
        &self,
        actor: &Actor,
        id: i64,
        upd: ActivityUpdate,
    ) -> Result<Activity> {
        let before = self.activity(id).await?;
        let team = self.team(before.team_id).await?;
        let as_new = NewActivity {
            team_id: team.id,
            activity_date: upd.activity_date,
            category: upd.category,
            citizens_helped: upd.citizens_helped,
            dossiers: upd.dossiers,
            note: upd.note.clone(),
            co_members: Vec::new(),
        };
        check_activity(&team, &as_new, crate::today())?;
        if !self.category_active(upd.category).await? && before.category != upd.category.code() {
            return Err(StoreError::invalid(
                "category",
                format!(
                    "Lĩnh vực «{}» không còn trong danh mục.",
                    upd.category.label()
                ),
            ));
        }
        let after = Activity {
            activity_date: upd.activity_date,
            category: upd.category.code().to_string(),
            citizens_helped: upd.citizens_helped,
            dossiers: upd.dossiers,
            note: upd.note.filter(|n| !n.trim().is_empty()),
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE support_activities SET activity_date = $2, category = $3, citizens_helped = $4, \
                 dossiers = $5, note = $6, updated_at = $7 WHERE id = $1",
            )
            .bind(id)
            .bind(after.activity_date)
            .bind(&after.category)
            .bind(after.citizens_helped)
            .bind(after.dossiers)
            .bind(after.note.as_deref())
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(tx, actor, Some(after.commune_code), "activity", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
        });
        Ok(after)
    }

    /// The notes of the commune's activities that match the SQL LIKE
    /// `pattern` (a benchmark finds its own writes by a tag in the note).
    pub async fn activity_notes_like(
        &self,
        commune_code: i32,
        pattern: &str,
    ) -> Result<Vec<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT note FROM support_activities WHERE commune_code = $1 AND note LIKE $2",
            )
            .bind(commune_code)
            .bind(pattern)
            .fetch_all(pool)
            .await?
        }))
    }
}

/// The most activities one group commit writes.
const LOG_BATCH: usize = 256;

/// One activity waiting for the log writer.
pub(crate) struct LogJob {
    activity: Activity,
    co_members: Vec<i64>,
    /// The id the client gave it, unique per user (`None`: no such id).
    client_id: Option<ClientId>,
    actor: Actor,
    reply: tokio::sync::oneshot::Sender<Result<Activity>>,
}

/// The refusal of an activity whose client id its user already used (the
/// unique index `support_activities_client`); [`Store::create_activity_once`]
/// answers it with the original.
const CLIENT_ID_TAKEN: &str = "Lượt hỗ trợ này đã được ghi trước đó.";

fn is_client_id_taken(err: &StoreError) -> bool {
    matches!(err, StoreError::Invalid(e) if e.field == "client_id" && e.message == CLIENT_ID_TAKEN)
}

pub(crate) type LogSender = tokio::sync::mpsc::Sender<LogJob>;

/// The support log's writer: one task that takes every activity waiting
/// and writes them in one transaction, so that many phones logging at once
/// share one commit (one fsync) instead of queueing for one each. Each
/// write is acknowledged only after its transaction has committed; if a
/// batch fails, its activities are written one by one so that each gets
/// its own answer. The task holds the pools, not the store: it ends when
/// the last clone of the store (and so the sender) is dropped.
pub(crate) struct LogWriter {
    backend: std::sync::Arc<crate::Backend>,
    stats: std::sync::Arc<crate::ops::StoreStats>,
}

impl LogWriter {
    fn start(
        backend: std::sync::Arc<crate::Backend>,
        stats: std::sync::Arc<crate::ops::StoreStats>,
    ) -> LogSender {
        let (sender, mut jobs) = tokio::sync::mpsc::channel::<LogJob>(4 * LOG_BATCH);
        let writer = LogWriter { backend, stats };
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(LOG_BATCH);
            while jobs.recv_many(&mut batch, LOG_BATCH).await > 0 {
                writer.commit(std::mem::take(&mut batch)).await;
            }
        });
        sender
    }

    /// Write `batch`; the stats count the transactions that committed
    /// (a write refused, e.g. a repeated client id, is no group commit).
    async fn commit(&self, batch: Vec<LogJob>) {
        match self.write(&batch).await {
            Ok(ids) => {
                self.stats.record_batch(ids.len());
                for (job, id) in batch.into_iter().zip(ids) {
                    let _ = job.reply.send(Ok(Activity { id, ..job.activity }));
                }
            }
            Err(e) if batch.len() == 1 => {
                let job = batch.into_iter().next().expect("one job");
                let _ = job.reply.send(Err(e));
            }
            Err(_) => {
                for job in batch {
                    let result = self
                        .write(std::slice::from_ref(&job))
                        .await
                        .map(|ids| Activity {
                            id: ids[0],
                            ..job.activity.clone()
                        });
                    if result.is_ok() {
                        self.stats.record_batch(1);
                    }
                    let _ = job.reply.send(result);
                }
            }
        }
    }

    /// Write `jobs` in one transaction; their new ids, in order.
    async fn write(&self, jobs: &[LogJob]) -> Result<Vec<i64>> {
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(jobs.len());
            for job in jobs {
                let activity = &job.activity;
                let client = job.client_id.as_ref().map(|c| c.as_str());
                let id: i64 = insert_activity!(tx, activity, job.actor.user_id, now, client)
                .map_err(|e| {
                    crate::error::on_constraint(
                        e,
                        "support_activities_client",
                        "support_activities.created_by, support_activities.client_id",
                        || StoreError::invalid("client_id", CLIENT_ID_TAKEN),
                    )
                })?;
                for person in &job.co_members {
                    sqlx::query("INSERT INTO activity_members (activity_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(id)
                        .bind(person)
                        .execute(&mut *tx)
                        .await?;
                }
                let written = Activity { id, ..activity.clone() };
                let actor = &job.actor;
                audit!(tx, actor, Some(written.commune_code), "activity", id, "create", None::<&Activity>, Some(&written));
                ids.push(id);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }
}

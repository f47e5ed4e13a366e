//! What a server team watches and asks of the database: the counters the
//! store keeps while it runs (the support log's group commits, the writes
//! that carry a client id), the pools' occupancy, the schema's migration
//! state (for `toso migrate` and the readiness check) and the citizens'
//! help-request queue. Read by `/metrics` and `/readyz` (crate `web`).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use crate::{Backend, Result, Store};

/// Upper bounds of the group-commit size histogram (activities per commit).
pub const BATCH_BUCKETS: [u64; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// Counters the store keeps while it runs (since the process started).
#[derive(Default)]
pub struct StoreStats {
    /// Group commits of the support log, by size bucket (`BATCH_BUCKETS`;
    /// not cumulative here, summed when read).
    batches: [AtomicU64; BATCH_BUCKETS.len()],
    /// Activities written by those commits.
    batch_activities: AtomicU64,
    /// Writes under a client id that wrote a new activity.
    client_new: AtomicU64,
    /// Writes under a client id already used: answered with the original.
    client_repeat: AtomicU64,
}

impl StoreStats {
    pub(crate) fn record_batch(&self, size: usize) {
        let size = size as u64;
        let bucket = BATCH_BUCKETS
            .iter()
            .position(|b| size <= *b)
            .unwrap_or(BATCH_BUCKETS.len() - 1);
        self.batches[bucket].fetch_add(1, Ordering::Relaxed);
        self.batch_activities.fetch_add(size, Ordering::Relaxed);
    }

    pub(crate) fn record_client_write(&self, repeated: bool) {
        let counter = if repeated {
            &self.client_repeat
        } else {
            &self.client_new
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A reading of [`StoreStats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Commits of at most `BATCH_BUCKETS[i]` activities, cumulative (the
    /// Prometheus histogram's buckets).
    pub batch_buckets: Vec<(u64, u64)>,
    /// Group commits in all.
    pub batches: u64,
    /// Activities they wrote.
    pub batch_activities: u64,
    /// Client-id writes that recorded a new activity.
    pub client_new: u64,
    /// Client-id writes answered with the activity recorded before.
    pub client_repeat: u64,
}

/// One connection pool's occupancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStat {
    /// `"read"` and `"write"` (SQLite), `"main"` (PostgreSQL).
    pub name: &'static str,
    /// Connections open.
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Where the database's schema stands against the binary's migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaState {
    /// Migrations the binary carries.
    pub known: usize,
    /// Of those, applied to the database.
    pub applied: usize,
}

impl SchemaState {
    /// Every migration of the binary is applied.
    pub fn is_current(&self) -> bool {
        self.applied >= self.known
    }
}

fn migrator(backend: &Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite { .. } => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres(_) => sqlx::migrate!("migrations/postgres"),
    }
}

impl Store {
    /// The counters kept since the store was opened.
    pub fn stats(&self) -> StatsSnapshot {
        let s = &self.stats;
        let mut total = 0;
        let batch_buckets = BATCH_BUCKETS
            .iter()
            .zip(&s.batches)
            .map(|(le, n)| {
                total += n.load(Ordering::Relaxed);
                (*le, total)
            })
            .collect();
        StatsSnapshot {
            batch_buckets,
            batches: total,
            batch_activities: s.batch_activities.load(Ordering::Relaxed),
            client_new: s.client_new.load(Ordering::Relaxed),
            client_repeat: s.client_repeat.load(Ordering::Relaxed),
        }
    }

    /// The connection pools' occupancy now.
    pub fn pool_stats(&self) -> Vec<PoolStat> {
        fn stat<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> PoolStat {
            PoolStat {
                name,
                open: pool.size(),
                idle: pool.num_idle() as u32,
                max: pool.options().get_max_connections(),
            }
        }
        match &*self.backend {
            Backend::Sqlite { read, write } => vec![stat("read", read), stat("write", write)],
            Backend::Postgres(pool) => vec![stat("main", pool)],
        }
    }

    /// How many of the binary's migrations the database has (an empty
    /// database: none).
    pub async fn schema_state(&self) -> Result<SchemaState> {
        let known = migrator(&self.backend).iter().count();
        let exists_sql = match self.dialect() {
            crate::Dialect::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            crate::Dialect::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let applied: i64 = on_read!(self, pool => {
            let exists: i64 = sqlx::query_scalar(exists_sql).fetch_one(pool).await?;
            if exists == 0 {
                0
            } else {
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(pool)
                    .await?
            }
        });
        Ok(SchemaState {
            known,
            applied: applied as usize,
        })
    }

    /// Apply the pending migrations ([`Store::migrate`]); how many were
    /// pending, and the state after.
    pub async fn migrate_counting(&self) -> Result<(usize, SchemaState)> {
        let before = self.schema_state().await?;
        self.migrate().await?;
        self.load_admin_units().await?;
        let after = self.schema_state().await?;
        Ok((after.applied.saturating_sub(before.applied), after))
    }

    /// Open help requests across the database by state (`new`,
    /// `in_progress`), and how many of them are overdue at `now`.
    pub async fn help_queue_lengths(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        Ok(on_read!(self, pool => {
            let by_state = sqlx::query_as::<_, (String, i64)>(
                "SELECT state, COUNT(*) FROM help_requests \
                 WHERE state IN ('new', 'in_progress') GROUP BY state ORDER BY state",
            )
            .fetch_all(pool)
            .await?;
            let overdue: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM help_requests WHERE state IN ('new', 'in_progress') \
                 AND (resolve_by < $1 OR (first_response_at IS NULL AND respond_by < $1))",
            )
            .bind(now)
            .fetch_one(pool)
            .await?;
            (by_state, overdue)
        }))
    }
}

//! Idempotency keys of the API's writes: the first request under a key is
//! remembered with its answer, a repeat gets that answer back, a request
//! that reuses the key for something else is told so. The web layer decides
//! what a request's fingerprint is and what an answer looks like; this
//! module only keeps them (table `api_idempotency`, migration 0016).

use chrono::{DateTime, Duration, Utc};

use crate::{Result, Store};

/// How long a remembered answer is kept; a key can be reused after that.
pub const IDEMPOTENCY_KEEP_HOURS: i64 = 24;

/// A request under a key whose answer never came (the server stopped
/// while handling it) is run again after this many seconds.
pub const IDEMPOTENCY_STALE_SECONDS: i64 = 300;

/// What became of claiming a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`Store::idempotency_finish`]
    /// (or [`Store::idempotency_release`] when it was refused).
    New,
    /// The same request was answered before: its status and body.
    Done { status: u16, body: String },
    /// The same request is being handled right now.
    InFlight,
    /// The key was used for another request.
    Mismatch,
}

impl Store {
    /// Claim `key` of `user_id` for the request `fingerprint`.
    pub async fn idempotency_claim(
        &self,
        user_id: i64,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let stale = now - Duration::seconds(IDEMPOTENCY_STALE_SECONDS);
        let expired = now - Duration::hours(IDEMPOTENCY_KEEP_HOURS);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // An answer past its keeping time, or a claim whose request
            // never finished, no longer holds the key.
            sqlx::query(
                "DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 \
                 AND (created_at < $3 OR (status IS NULL AND created_at < $4))",
            )
            .bind(user_id)
            .bind(key)
            .bind(expired)
            .bind(stale)
            .execute(&mut *tx)
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO api_idempotency (user_id, key, fingerprint, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING",
            )
            .bind(user_id)
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let claim = if inserted == 1 {
                Claim::New
            } else {
                let (held, status, body): (String, Option<i32>, Option<String>) = sqlx::query_as(
                    "SELECT fingerprint, status, body FROM api_idempotency \
                     WHERE user_id = $1 AND key = $2",
                )
                .bind(user_id)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                match (held == fingerprint, status, body) {
                    (false, _, _) => Claim::Mismatch,
                    (true, Some(status), Some(body)) => Claim::Done {
                        status: u16::try_from(status).unwrap_or(200),
                        body,
                    },
                    (true, _, _) => Claim::InFlight,
                }
            };
            tx.commit().await?;
            Ok(claim)
        })
    }

    /// Remember the answer of the request claimed under `key`.
    pub async fn idempotency_finish(
        &self,
        user_id: i64,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE api_idempotency SET status = $3, body = $4 WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .bind(i32::from(status))
            .bind(body)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Forget the claim of `key`: the request was refused and wrote
    /// nothing, so the same key may carry the corrected request.
    pub async fn idempotency_release(&self, user_id: i64, key: &str) -> Result<()> {
        on_write!(self, pool => {
            sqlx::query(
                "DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 AND status IS NULL",
            )
            .bind(user_id)
            .bind(key)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Forget every answer older than the keeping time; how many.
    pub async fn idempotency_sweep(&self, now: DateTime<Utc>) -> Result<u64> {
        let expired = now - Duration::hours(IDEMPOTENCY_KEEP_HOURS);
        Ok(on_write!(self, pool => {
            sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
                .bind(expired)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

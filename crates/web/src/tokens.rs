//! API tokens at request time: what a bearer token grants ([`Grant`], put
//! in the request's extensions by [`crate::auth::identify`]), each token's
//! last use kept in memory and written in batches ([`TokenState::flush`],
//! every minute and at shutdown, so a request through the API writes
//! nothing for its token), and a per-token rate limit (a fixed window of
//! one minute; over it, 429 with `Retry-After`). Also the token form the
//! account page and the service-token pages share (name, scope, expiry)
//! and the lines their lists show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Months, Utc};
use toso_domain::{format_date, parse_date, Name};
use toso_store::accounts::token_expiry;
use toso_store::{ApiToken, Store, TokenScope};

use crate::forms::{choices, Choices, Form};

/// What the bearer token of a request grants: which token, and whether it
/// may write. Absent when the request came with a session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub token_id: i64,
    pub scope: TokenScope,
}

/// The length of a rate-limit window.
const WINDOW: Duration = Duration::from_secs(60);

/// How often the last uses are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

/// The tokens' shared state: the last uses not yet written, and the
/// requests each token made in its current window. Cheap to clone.
#[derive(Clone)]
pub struct TokenState(Arc<Inner>);

struct Inner {
    /// Token id → the latest use not yet written.
    used: Mutex<HashMap<i64, DateTime<Utc>>>,
    /// Token id → its current window.
    windows: Mutex<HashMap<i64, Window>>,
    /// Requests a token may make in a window; 0: no limit.
    per_minute: u32,
}

struct Window {
    started: Instant,
    requests: u32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenState {
    /// A token may make `per_minute` requests a minute (0: no limit).
    pub fn new(per_minute: u32) -> TokenState {
        TokenState(Arc::new(Inner {
            used: Mutex::new(HashMap::new()),
            windows: Mutex::new(HashMap::new()),
            per_minute,
        }))
    }

    /// Count a request of `token_id`: `Err(seconds)` when the token has
    /// made its requests of this minute already, with the seconds until
    /// its window ends (at least 1).
    pub fn admit(&self, token_id: i64) -> Result<(), u64> {
        self.admit_at(token_id, Instant::now())
    }

    fn admit_at(&self, token_id: i64, now: Instant) -> Result<(), u64> {
        let limit = self.0.per_minute;
        if limit == 0 {
            return Ok(());
        }
        let mut windows = lock(&self.0.windows);
        let window = windows.entry(token_id).or_insert(Window {
            started: now,
            requests: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                requests: 0,
            };
        }
        if window.requests >= limit {
            let left = WINDOW.saturating_sub(now.duration_since(window.started));
            let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(seconds.max(1));
        }
        window.requests += 1;
        Ok(())
    }

    /// Note that `token_id` was used at `at` (written at the next flush).
    pub fn used(&self, token_id: i64, at: DateTime<Utc>) {
        let mut used = lock(&self.0.used);
        let latest = used.entry(token_id).or_insert(at);
        if *latest < at {
            *latest = at;
        }
    }

    /// The uses not yet written, emptied.
    fn take(&self) -> Vec<(i64, DateTime<Utc>)> {
        let mut used = lock(&self.0.used);
        let mut out: Vec<(i64, DateTime<Utc>)> = used.drain().collect();
        out.sort_unstable();
        out
    }

    /// Write the last uses noted since the previous flush (one
    /// transaction); when the database refuses, they are kept for the next
    /// flush. Also forgets the windows that have ended.
    pub async fn flush(&self, store: &Store) {
        let used = self.take();
        if !used.is_empty() {
            if let Err(e) = store.touch_api_tokens(&used).await {
                tracing::warn!(error = %e, tokens = used.len(), "writing API tokens' last use failed");
                for (id, at) in used {
                    self.used(id, at);
                }
            }
        }
        let now = Instant::now();
        lock(&self.0.windows).retain(|_, w| now.duration_since(w.started) < WINDOW);
    }
}

/// Every [`FLUSH_EVERY`], [`TokenState::flush`]; when `stop` fires (or
/// its sender is dropped), a last flush, and return. A flush under way is
/// finished before `stop` is looked at, so no use noted is lost.
pub async fn flush_every_minute(
    store: Store,
    tokens: TokenState,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => tokens.flush(&store).await,
            _ = &mut stop => break,
        }
    }
    tokens.flush(&store).await;
}

// ----------------------------------------------------------- token form

/// The scopes offered by the token forms.
pub(crate) fn scope_options() -> Choices {
    choices(&TokenScope::ALL)
}

/// An empty token form: read only, expiring a year from today.
pub(crate) fn new_token_form() -> Form {
    let today = toso_store::today();
    let in_a_year = today.checked_add_months(Months::new(12)).unwrap_or(today);
    Form::filled([
        ("scope", TokenScope::Read.code().to_string()),
        ("expires_on", format_date(in_a_year)),
    ])
}

/// The name, scope and expiry of a submitted token form (the expiry: the
/// end of the day typed, Vietnam time; empty: never), or `None` with the
/// errors beside their fields. How far ahead the day may be is the store's
/// rule.
pub(crate) fn parse_token_form(
    form: &mut Form,
) -> Option<(Name, TokenScope, Option<DateTime<Utc>>)> {
    let name = form.field("name", |s| {
        Name::parse_field(s, "name", "Tên mã truy cập", 80)
    });
    // The form always sends a scope; without one, the token reads.
    let scope = form.field("scope", |s| match s {
        "" => Ok(TokenScope::Read),
        s => TokenScope::parse(s),
    });
    let expires = form.optional("expires_on", |s| {
        parse_date(s, "expires_on", "Ngày hết hạn").map(token_expiry)
    });
    match (name, scope, expires) {
        (Some(n), Some(s), Some(e)) if !form.has_errors() => Some((n, s, e)),
        _ => None,
    }
}

/// A token as the lists show it.
pub(crate) struct TokenLine {
    pub id: i64,
    pub name: String,
    pub scope: &'static str,
    pub created: String,
    /// "Đến hết dd/mm/yyyy" (its last day), "Không hết hạn", or "Hết hạn
    /// (ngày cuối dd/mm/yyyy)".
    pub expires: String,
    pub expired: bool,
    pub last_used: String,
    pub revoked: Option<String>,
}

impl TokenLine {
    pub fn new(t: &ApiToken, now: DateTime<Utc>) -> TokenLine {
        let expired = t.is_expired(now);
        let expires = match t.last_day() {
            None => "Không hết hạn".to_string(),
            Some(d) if expired => {
                format!("Hết hạn (ngày cuối {})", format_date(d))
            }
            Some(d) => format!("Đến hết {}", format_date(d)),
        };
        let vn = toso_domain::vietnam();
        TokenLine {
            id: t.id,
            name: t.name.clone(),
            scope: t.scope.label(),
            created: format_date(t.created_at.with_timezone(&vn).date_naive()),
            expires,
            expired,
            last_used: t.last_used_at.map_or_else(
                || "Chưa dùng".to_string(),
                |at| at.with_timezone(&vn).format("%d/%m/%Y %H:%M").to_string(),
            ),
            revoked: t
                .revoked_at
                .map(|r| format_date(r.with_timezone(&vn).date_naive())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_requests_of_a_minute_then_waits_for_the_window() {
        let tokens = TokenState::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(tokens.admit_at(7, start), Ok(()));
        }
        assert_eq!(tokens.admit_at(7, start), Err(60));
        assert_eq!(
            tokens.admit_at(7, start + Duration::from_millis(20_500)),
            Err(40)
        );
        assert_eq!(tokens.admit_at(7, start + Duration::from_secs(59)), Err(1));
        // Another token has its own window.
        assert_eq!(tokens.admit_at(8, start), Ok(()));
        // A new window.
        assert_eq!(tokens.admit_at(7, start + WINDOW), Ok(()));
        assert!(TokenState::new(0).admit_at(7, start).is_ok(), "0: no limit");
    }

    #[test]
    fn the_latest_use_of_each_token_waits_for_the_flush() {
        let tokens = TokenState::new(10);
        let t0 = Utc::now();
        let t1 = t0 + chrono::Duration::seconds(5);
        tokens.used(1, t1);
        tokens.used(1, t0);
        tokens.used(2, t0);
        assert_eq!(tokens.take(), vec![(1, t1), (2, t0)]);
        assert!(tokens.take().is_empty());
    }

    #[test]
    fn the_form_reads_name_scope_and_last_day() {
        let mut form = new_token_form();
        assert_eq!(form.value("scope"), "read");
        assert!(parse_token_form(&mut form).is_none(), "a name is needed");
        assert!(form.error("name").is_some());

        let mut form = Form::filled([
            ("name", "Bảng điều khiển".to_string()),
            ("scope", "write".to_string()),
            ("expires_on", "31/12/2026".to_string()),
        ]);
        let (name, scope, expires) = parse_token_form(&mut form).unwrap();
        assert_eq!(name.as_str(), "Bảng điều khiển");
        assert_eq!(scope, TokenScope::Write);
        assert_eq!(
            expires.unwrap().to_rfc3339(),
            "2026-12-31T17:00:00+00:00",
            "the end of the day in Vietnam"
        );

        let mut form = Form::filled([
            ("name", "X".to_string()),
            ("scope", "root".to_string()),
            ("expires_on", "31/02/2026".to_string()),
        ]);
        assert!(parse_token_form(&mut form).is_none());
        assert!(form.error("scope").is_some());
        assert!(form.error("expires_on").is_some());

        let mut form = Form::filled([
            ("name", "X".to_string()),
            ("scope", "read".to_string()),
            ("expires_on", " ".to_string()),
        ]);
        assert_eq!(parse_token_form(&mut form).unwrap().2, None);
    }
}

//! Citizens reach their village team (issue 20).
//!
//! Public pages, no account: the village page a poster's QR code opens
//! (`/v/{code}`: the team, the members who agreed to be listed, the Zalo
//! group, the quick-response team, and the help-request form), and the
//! status page a tracking code opens (`/tra-cuu/{code}`: state and dates,
//! never the name or phone). Both are small (no script, the app's one
//! stylesheet) and work at 320 px.
//!
//! Inside the commune: the queue of requests (`/communes/{code}/requests`:
//! a team's own, the quick-response team's escalated ones, every request
//! for the officers), a request's page with take / done / could-not-help,
//! the commune's deadlines and holidays, members' consent to be listed,
//! new village codes, and the posters (one village, or the whole commune).
//!
//! Who sees the citizen's name and phone: the team the request is routed
//! to, the quick-response team once it is escalated, and the commune's
//! managers ([`may_act`]); the province and the Ministry see the request
//! without them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use toso_domain::{
    display_code, format_date, normalize_code, parse_date, plain_text, HelpState, PersonName,
    PhoneNumber, SupportCategory, DESCRIPTION_MAX, PREFERRED_TIME_MAX, REASON_MAX,
};
use toso_store::help::format_moment;
use toso_store::{
    HelpDone, HelpRequest, HelpSettings, Holiday, NewHelpRequest, PublicLookup, PublicTeam,
    PublicVillage, QueueScope,
};

use crate::access::{forbidden, Access};
use crate::forms::{choices, Choices, Csrf, Form};
use crate::layout::{CommuneCtx, InCommune, Layout, Manager, Officer};
use crate::respond::{refused, render, saved};
use crate::{AppState, WebError};

mod public;
mod queue;
mod settings;

use public::{lookup, status_page, submit_request, village_page};
pub(crate) use queue::{
    acting, acting_team, load_request, queue_scope, quick_response_id, NO_TEAM,
};
use queue::{done, queue, request_page, take, unable};
use settings::{commune_posters, listing, renew_code, save_settings, settings_form, team_poster};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v/{code}", get(village_page).post(submit_request))
        .route("/tra-cuu", get(lookup))
        .route("/tra-cuu/{code}", get(status_page))
        .route("/communes/{code}/requests", get(queue))
        .route(
            "/communes/{code}/requests/settings",
            get(settings_form).post(save_settings),
        )
        .route("/communes/{code}/requests/{id}", get(request_page))
        .route("/communes/{code}/requests/{id}/take", post(take))
        .route("/communes/{code}/requests/{id}/done", post(done))
        .route("/communes/{code}/requests/{id}/unable", post(unable))
        .route("/communes/{code}/members/{id}/listing", post(listing))
        .route(
            "/communes/{code}/villages/{id}/public-code",
            post(renew_code),
        )
        .route("/communes/{code}/teams/{id}/poster.pdf", get(team_poster))
        .route("/communes/{code}/posters.pdf", get(commune_posters))
}

// ---------------------------------------------------------------------------
// Limits of the public intake
// ---------------------------------------------------------------------------

/// Requests one address may send in [`INTAKE_WINDOW`].
const PER_ADDRESS: usize = 5;
const INTAKE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most (a flood from many addresses cannot grow
/// the table without bound; the oldest are forgotten first).
const ADDRESSES_KEPT: usize = 10_000;

/// The recent submissions of each address, in memory: a citizen sends one
/// or two requests; a script sending hundreds is refused before the
/// database is touched. The village's hourly and the commune's daily
/// limits ([`toso_store::help`]) hold across restarts and addresses.
#[derive(Clone, Default)]
pub struct Intake(Arc<Mutex<HashMap<String, VecDeque<Instant>>>>);

impl Intake {
    /// Count a submission from `address` at `now`; false when over the
    /// limit (then nothing is counted).
    pub fn allow(&self, address: &str, now: Instant) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= ADDRESSES_KEPT && !map.contains_key(address) {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < INTAKE_WINDOW)
            });
            if map.len() >= ADDRESSES_KEPT {
                return false;
            }
        }
        let times = map.entry(address.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= INTAKE_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= PER_ADDRESS {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// Whom the intake limit counts: the client's address; behind a trusted
/// reverse proxy, the one its `X-Forwarded-For` names (see [`crate::ops::client_ip`]).
pub struct ClientKey(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientKey {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientKey(
            crate::ops::client_of(parts).map_or_else(String::new, |c| c.0.to_string()),
        ))
    }
}

/// The address the public pages print in QR codes: the configured
/// `public_url` when there is one, else the request's own host (and
/// scheme, `https` behind a TLS-terminating proxy).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.ops.settings.public_url.as_deref() {
        if !url.trim().is_empty() {
            return url.trim().trim_end_matches('/').to_string();
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost:8080");
    let scheme = if crate::forms::behind_https(headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

// ---------------------------------------------------------------------------
// Who may do what with a request
// ---------------------------------------------------------------------------

/// May act on `r` (take, close, hand over) and see the citizen's name and
/// phone: the team it is routed to, the quick-response team once it is
/// escalated, the commune's managers.
pub fn may_act(access: Access, r: &HelpRequest, quick_response: Option<i64>) -> bool {
    match access {
        Access::Manage => true,
        Access::Read => false,
        Access::Team { team_id, .. } => {
            r.team_id == Some(team_id)
                || (Some(team_id) == quick_response && r.escalated_at.is_some())
        }
    }
}

/// May see `r` at all: its actors, and the officers who read the commune.
fn may_see(access: Access, r: &HelpRequest, quick_response: Option<i64>) -> bool {
    matches!(access, Access::Read) || may_act(access, r, quick_response)
}

impl InCommune for HelpRequest {
    fn commune_code(&self) -> Option<i32> {
        Some(self.commune_code)
    }
    fn elsewhere(commune_name: &str) -> String {
        format!("Không tìm thấy yêu cầu hỗ trợ này trong {commune_name}.")
    }
}

fn categories() -> Choices {
    choices(SupportCategory::ALL)
}

fn phone_text(phone: Option<&str>) -> String {
    phone
        .and_then(|p| PhoneNumber::parse(p).ok())
        .map(|p| p.display())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_allows_five_per_address_per_window() {
        let intake = Intake::default();
        let t0 = Instant::now();
        for _ in 0..PER_ADDRESS {
            assert!(intake.allow("10.0.0.1", t0));
        }
        assert!(!intake.allow("10.0.0.1", t0));
        assert!(
            intake.allow("10.0.0.2", t0),
            "another address is not held back"
        );
        assert!(intake.allow("10.0.0.1", t0 + INTAKE_WINDOW));
    }
}

//! What every commune page shares: the commune from the path, the CSRF
//! token for its forms, the user's access to it, and the navigation.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::request::Parts;

use toso_store::{Actor, Commune, User};

use crate::access::{self, Access};
use crate::auth::{self, CurrentUser};
use crate::forms::Csrf;
use crate::{params, AppState, WebError};

pub type Params = Query<HashMap<String, String>>;

/// The commune named by the `{code}` path segment, checked to exist, and
/// the signed-in user's access to it (refused when they have none).
#[derive(Debug, Clone)]
pub struct CommuneCtx {
    pub code: i32,
    pub name: String,
    pub commune: Commune,
    pub csrf: String,
    pub user: User,
    pub access: Access,
    pub address: Option<String>,
}

/// What `commune_base.html` needs.
pub struct Layout {
    pub code: i32,
    pub name: String,
    pub csrf: String,
    pub section: &'static str,
    pub user_name: String,
    pub officer: bool,
    pub manager: bool,
    pub users: bool,
    pub home: String,
}

impl CommuneCtx {
    pub fn layout(&self, section: &'static str) -> Layout {
        let home = match self.access {
            Access::Team { team_id, .. } => format!("/communes/{}/teams/{team_id}", self.code),
            _ => format!("/communes/{}", self.code),
        };
        Layout {
            code: self.code,
            name: self.name.clone(),
            csrf: self.csrf.clone(),
            section,
            user_name: self.user.full_name.clone(),
            officer: self.access.officer().is_ok(),
            manager: self.access.manager().is_ok(),
            users: access::manages_users(&self.user, &self.commune),
            home,
        }
    }

    /// Who writes, for the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            name: self.user.username.clone(),
            address: self.address.clone(),
        }
    }

    /// A record reached through this commune's URL must belong to it.
    pub fn owns(&self, commune_code: i32, what: &str) -> Result<(), WebError> {
        if commune_code == self.code {
            Ok(())
        } else {
            Err(WebError::NotFound(format!(
                "Không tìm thấy {what} này trong {}.",
                self.name
            )))
        }
    }
}

impl FromRequestParts<AppState> for CommuneCtx {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound("Không có trang này.".into()))?;
        let code = raw
            .iter()
            .find(|(k, _)| *k == "code")
            .map(|(_, v)| v.to_string())
            .ok_or_else(|| WebError::NotFound("Không có trang này.".into()))?;
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let code = params::commune_code(&code)?;
        let commune = state.store.commune(code).await?;
        let access = access::commune_access(&user, &commune).ok_or_else(access::forbidden)?;
        let csrf = Csrf::from_request_parts(parts, state).await?.0;
        Ok(CommuneCtx {
            code,
            name: commune.name.clone(),
            commune,
            csrf,
            address: auth::address(parts),
            user,
            access,
        })
    }
}

/// A [`CommuneCtx`] for the commune's officers (those who read everything
/// of it: admin, the commune's and the province's officers); team users are
/// refused (403) before the handler runs.
#[derive(Debug, Clone)]
pub struct Officer(pub CommuneCtx);

/// A [`CommuneCtx`] for those who manage the commune (admin, the commune's
/// officer); everyone else is refused (403) before the handler runs.
#[derive(Debug, Clone)]
pub struct Manager(pub CommuneCtx);

impl FromRequestParts<AppState> for Officer {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = CommuneCtx::from_request_parts(parts, state).await?;
        ctx.access.officer()?;
        Ok(Officer(ctx))
    }
}

impl FromRequestParts<AppState> for Manager {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = CommuneCtx::from_request_parts(parts, state).await?;
        ctx.access.manager()?;
        Ok(Manager(ctx))
    }
}

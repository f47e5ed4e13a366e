//! The Department's workspace and the Ministry's: a province's home with
//! every commune at a glance (`/provinces/{province}`), the whole country
//! with every province (`/nation`), the records behind their figures, and
//! the tables as downloads. Every handler takes [`ProvinceCtx`] or
//! [`NationCtx`], which parse the path, load the province and refuse users
//! without access before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::Router;

use toso_store::{Actor, Province, StoreError, User};

use crate::access::{self, ProvinceAccess};
use crate::auth::{self, CurrentUser};
use crate::forms::Csrf;
use crate::layout::{crumbs, Crumb};
use crate::{AppState, WebError};

mod accounts;
mod allowances;
pub(crate) mod cycle;
mod home;
mod requests;
mod search;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(search::router())
        .merge(accounts::router())
        .merge(allowances::router())
        .merge(cycle::router())
        .merge(requests::router())
}

/// The province named by the `{province}` path segment, checked to exist,
/// and the signed-in user's access to it (refused when they have none).
#[derive(Debug, Clone)]
pub struct ProvinceCtx {
    pub province: Province,
    pub user: User,
    pub access: ProvinceAccess,
    pub csrf: String,
    pub address: Option<String>,
}

/// What `province_base.html` needs.
pub struct ProvinceLayout {
    pub csrf: String,
    pub user_name: String,
    pub section: &'static str,
    /// `Some(code)` on a province's pages, `None` on the nation's.
    pub province: Option<i32>,
    pub crumbs: Vec<Crumb>,
    /// The province's workspace (requests, accounts), not only reading.
    pub manage: bool,
}

impl ProvinceCtx {
    pub fn code(&self) -> i32 {
        self.province.code
    }

    pub fn layout(&self, section: &'static str) -> ProvinceLayout {
        ProvinceLayout {
            csrf: self.csrf.clone(),
            user_name: self.user.full_name.clone(),
            section,
            province: Some(self.province.code),
            crumbs: crumbs(
                &self.user,
                Some((self.province.code, &self.province.name)),
                None,
            ),
            manage: self.access == ProvinceAccess::Manage,
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
}

/// A province code from the path: unknown or malformed is not found (404).
pub fn province_code(input: &str) -> Result<i32, WebError> {
    input
        .trim()
        .parse::<i32>()
        .map_err(|_| WebError::NotFound(format!("Không có tỉnh, thành phố mã «{input}».")))
}

impl FromRequestParts<AppState> for ProvinceCtx {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let code = crate::params::path_segment(parts, state, "province").await?;
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let code = province_code(&code)?;
        let province = state.store.province(code).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                WebError::NotFound(format!("Không có tỉnh, thành phố mã «{code}»."))
            }
            other => other.into(),
        })?;
        let access = access::province_access(&user, code).ok_or_else(access::forbidden)?;
        let csrf = Csrf::from_request_parts(parts, state).await?.0;
        Ok(ProvinceCtx {
            province,
            csrf,
            address: auth::address(parts),
            user,
            access,
        })
    }
}

/// The whole country's pages: admin and the Ministry only.
#[derive(Debug, Clone)]
pub struct NationCtx {
    pub user: User,
    pub csrf: String,
}

impl NationCtx {
    pub fn layout(&self, section: &'static str) -> ProvinceLayout {
        ProvinceLayout {
            csrf: self.csrf.clone(),
            user_name: self.user.full_name.clone(),
            section,
            province: None,
            crumbs: crumbs(&self.user, None, None),
            manage: false,
        }
    }
}

impl FromRequestParts<AppState> for NationCtx {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if !access::reads_nation(&user) {
            return Err(access::forbidden());
        }
        let csrf = Csrf::from_request_parts(parts, state).await?.0;
        Ok(NationCtx { user, csrf })
    }
}

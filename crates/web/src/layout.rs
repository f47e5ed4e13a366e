//! What every commune page shares: the commune from the path, the CSRF
//! token for its forms, the user's access to it, and the navigation.

use std::collections::HashMap;
use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use toso_store::{
    Activity, Actor, Commune, Course, Person, Report, StoreError, Team, User, Village,
};

use crate::access::{self, Access};
use crate::auth::{self, CurrentUser};
use crate::forms::Csrf;
use crate::{params, AppState, WebError};

/// The query string as a map, for pages that read it as a whole (filters).
pub type Params = crate::params::Query<HashMap<String, String>>;

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
    /// The province's name, for the breadcrumbs of those who read the
    /// province (its officers, the Ministry, admin); `None` for others.
    pub province_name: Option<String>,
}

/// One step of the breadcrumbs: the whole country, a province, a commune.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub href: String,
    pub label: String,
}

/// The breadcrumbs above a page of `province` (and of `commune` in it) for
/// `user`: the whole country for those who read it, the province for those
/// who read it. Empty for a commune's own users.
pub fn crumbs(user: &User, province: Option<(i32, &str)>, commune: Option<&Commune>) -> Vec<Crumb> {
    let mut out = Vec::new();
    if access::reads_nation(user) {
        out.push(Crumb {
            href: "/nation".into(),
            label: "Toàn quốc".into(),
        });
    }
    if let Some((code, name)) = province {
        if access::province_access(user, code).is_some() {
            out.push(Crumb {
                href: format!("/provinces/{code}"),
                label: name.to_string(),
            });
        }
    }
    if let (false, Some(c)) = (out.is_empty(), commune) {
        out.push(Crumb {
            href: format!("/communes/{}", c.code),
            label: c.name.clone(),
        });
    }
    out
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
    /// Where the page sits, from the whole country or the province down
    /// (empty for a commune's own users).
    pub crumbs: Vec<Crumb>,
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
            crumbs: crumbs(
                &self.user,
                self.province_name
                    .as_deref()
                    .map(|n| (self.commune.province_code, n)),
                Some(&self.commune),
            ),
        }
    }

    /// The address of `page` of this commune: `/communes/{code}/{page}`.
    pub fn path(&self, page: &str) -> String {
        format!("/communes/{}/{page}", self.code)
    }

    /// Who writes, for the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            name: self.user.username.clone(),
            address: self.address.clone(),
        }
    }

    /// The record `load` fetches by id, which must belong to this commune:
    /// one of another commune is not found (404), as if it did not exist.
    /// Every record reached through a commune's URL is loaded through here.
    pub async fn load<T: InCommune>(
        &self,
        load: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, WebError> {
        let record = load.await?;
        if record.commune_code() == Some(self.code) {
            Ok(record)
        } else {
            Err(WebError::NotFound(T::elsewhere(&self.name)))
        }
    }
}

/// A record that belongs to one commune.
pub trait InCommune {
    fn commune_code(&self) -> Option<i32>;
    /// The refusal when it belongs to another commune than `commune_name`.
    fn elsewhere(commune_name: &str) -> String;
}

macro_rules! in_commune {
    ($($record:ty => $what:literal),* $(,)?) => {$(
        impl InCommune for $record {
            fn commune_code(&self) -> Option<i32> {
                Some(self.commune_code)
            }
            fn elsewhere(commune_name: &str) -> String {
                format!("Không tìm thấy {} này trong {commune_name}.", $what)
            }
        }
    )*};
}

in_commune! {
    Village => "thôn, tổ dân phố",
    Team => "tổ",
    Activity => "lượt hỗ trợ",
    Report => "báo cáo",
    Course => "lớp tập huấn",
}

impl InCommune for Person {
    fn commune_code(&self) -> Option<i32> {
        Some(self.commune_code)
    }
    fn elsewhere(_: &str) -> String {
        "Không tìm thấy người này.".into()
    }
}

/// An account belongs to the commune it is scoped to (none for admins and
/// province officers).
impl InCommune for User {
    fn commune_code(&self) -> Option<i32> {
        self.commune_code
    }
    fn elsewhere(_: &str) -> String {
        "Không tìm thấy tài khoản này trong xã.".into()
    }
}

impl FromRequestParts<AppState> for CommuneCtx {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let code = params::path_segment(parts, state, "code").await?;
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let code = params::commune_code(&code)?;
        let commune = state.store.commune(code).await?;
        let access = access::commune_access(&user, &commune).ok_or_else(access::forbidden)?;
        // The API's routes (bearer tokens, no forms) are outside the CSRF
        // middleware: no token to put in a form there. (Nested under the
        // API's prefix, they see the path without it: the original has it.)
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path());
        let csrf = if path.starts_with(crate::API_PREFIX) {
            String::new()
        } else {
            Csrf::from_request_parts(parts, state).await?.0
        };
        let province_name = match access::province_access(&user, commune.province_code) {
            Some(_) => Some(state.store.province(commune.province_code).await?.name),
            None => None,
        };
        Ok(CommuneCtx {
            province_name,
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

/// An extractor that is a [`CommuneCtx`] whose user passes `rule`; anyone
/// else is refused (403) before the handler runs, so a handler cannot forget
/// the check.
macro_rules! commune_rule {
    ($(#[$doc:meta])* $name:ident, $rule:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub CommuneCtx);

        impl FromRequestParts<AppState> for $name {
            type Rejection = WebError;
            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                let ctx = CommuneCtx::from_request_parts(parts, state).await?;
                let rule: fn(&CommuneCtx) -> Result<(), WebError> = $rule;
                rule(&ctx)?;
                Ok($name(ctx))
            }
        }

        impl std::ops::Deref for $name {
            type Target = CommuneCtx;
            fn deref(&self) -> &CommuneCtx {
                &self.0
            }
        }
    };
}

commune_rule!(
    /// The commune's officers, who read everything of it (admin, the
    /// commune's and the province's officers).
    Officer,
    |ctx| ctx.access.officer()
);

commune_rule!(
    /// Those who manage the commune (admin, the commune's officer).
    Manager,
    |ctx| ctx.access.manager()
);

commune_rule!(
    /// Those who manage the commune's accounts (admin, the province's
    /// officer, the commune's officer).
    UsersManager,
    |ctx| {
        if access::manages_users(&ctx.user, &ctx.commune) {
            Ok(())
        } else {
            Err(access::forbidden())
        }
    }
);

commune_rule!(
    /// Those who review the commune's reports for the province: its
    /// province's officer and admin (not the Ministry, which reads).
    ProvinceReviewer,
    |ctx| {
        if access::province_access(&ctx.user, ctx.commune.province_code)
            == Some(access::ProvinceAccess::Manage)
        {
            Ok(())
        } else {
            Err(access::forbidden())
        }
    }
);

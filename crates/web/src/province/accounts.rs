//! The province's accounts and its audit log, in the Department's workspace
//! (admin and the province's officer; the Ministry reads figures, not
//! these):
//!
//! - `/provinces/{province}/users`: the province's officers and the commune
//!   officers of its communes; a form to create a commune officer for one
//!   of its communes (and, for admin only, a province officer of this
//!   province); reset a password, lock and unlock. A province officer's
//!   account is managed by admin only; an account outside the province
//!   (another province's, an admin's, the Ministry's) is not found here.
//! - `/provinces/{province}/audit` (`.csv`): the entries of the province —
//!   its communes' and its own (requests, officers' accounts), or its own
//!   only — newest first, filtered as the commune's audit log.

use std::collections::HashMap;

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use toso_domain::{DomainError, UserRole};
use toso_store::{AuditEntry, AuditFilter, NewUser, Province, User};

use super::{ProvinceCtx, ProvinceLayout};
use crate::access::{self, ProvinceAccess};
use crate::forms::{choices_from, Choices, Fields, Form};
use crate::layout::Params;
use crate::params::{Id, PageQuery, Query};
use crate::respond::{refused, render, saved};
use crate::users::{at_text, audit_csv_file, commune_of, json_text};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/provinces/{province}/users", get(list).post(create))
        .route(
            "/provinces/{province}/users/{id}/password",
            post(reset_password),
        )
        .route("/provinces/{province}/users/{id}/disable", post(disable))
        .route("/provinces/{province}/users/{id}/enable", post(enable))
        .route("/provinces/{province}/audit", get(audit))
        .route("/provinces/{province}/audit.csv", get(audit_csv))
}

/// The province's workspace only: admin and the province's officer.
fn workspace(ctx: &ProvinceCtx) -> Result<(), WebError> {
    if ctx.access == ProvinceAccess::Manage {
        Ok(())
    } else {
        Err(access::forbidden())
    }
}

/// The roles given on the province's page: commune officers by the
/// province's officer; province officers too by admin.
fn grantable_roles(user: &User) -> &'static [UserRole] {
    match user.role {
        UserRole::Admin => &[UserRole::CommuneOfficer, UserRole::ProvinceOfficer],
        UserRole::ProvinceOfficer => &[UserRole::CommuneOfficer],
        _ => &[],
    }
}

/// Whether `actor` may reset, lock or unlock `target`, an account of the
/// province: a province officer's account only by admin, and nobody their
/// own here (their password is changed at `/account`).
fn may_manage(actor: &User, target: &User) -> bool {
    target.id != actor.id
        && (target.role != UserRole::ProvinceOfficer || actor.role == UserRole::Admin)
}

// ------------------------------------------------------------- accounts

struct UserLine {
    user: User,
    role: &'static str,
    /// The commune of a commune officer (code, name).
    commune: Option<(i32, String)>,
    manage: bool,
}

#[derive(Template)]
#[template(path = "province_users.html")]
struct UsersPage {
    layout: ProvinceLayout,
    province: Province,
    lines: Vec<UserLine>,
    form: Form,
    roles: Choices,
    communes: Choices,
    saved: bool,
}

async fn users_page(
    state: &AppState,
    ctx: &ProvinceCtx,
    form: Form,
    saved: bool,
) -> Result<UsersPage, WebError> {
    workspace(ctx)?;
    let store = &state.store;
    let communes = store.communes_of(ctx.code()).await?;
    let names: HashMap<i32, &str> = communes.iter().map(|c| (c.code, c.name.as_str())).collect();
    let mut lines: Vec<UserLine> = store
        .users_of_province(ctx.code())
        .await?
        .into_iter()
        .map(|u| UserLine {
            role: u.role.label(),
            commune: u
                .commune_code
                .map(|c| (c, names.get(&c).copied().unwrap_or_default().to_string())),
            manage: may_manage(&ctx.user, &u),
            user: u,
        })
        .collect();
    // Province officers first, then the communes by name (as the commune
    // list is ordered), each by user name.
    let order: HashMap<i32, usize> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code, i))
        .collect();
    lines.sort_by_key(|l| {
        (
            l.commune
                .as_ref()
                .map_or(0, |(c, _)| order.get(c).map_or(usize::MAX, |i| i + 1)),
            toso_domain::fold(&l.user.username),
        )
    });
    Ok(UsersPage {
        layout: ctx.layout("users"),
        province: ctx.province.clone(),
        lines,
        form,
        roles: crate::users::role_options(grantable_roles(&ctx.user)),
        communes: std::iter::once((String::new(), "— chọn xã, phường, đặc khu —".to_string()))
            .chain(
                communes
                    .iter()
                    .map(|c| (c.code.to_string(), c.name.clone())),
            )
            .collect(),
        saved,
    })
}

async fn list(state: AppState, ctx: ProvinceCtx, Query(q): Query<PageQuery>) -> Reply {
    let form = Form::filled([("role", UserRole::CommuneOfficer.code().to_string())]);
    render(users_page(&state, &ctx, form, q.saved()).await?)
}

async fn create(state: AppState, ctx: ProvinceCtx, mut form: Form) -> Reply {
    workspace(&ctx)?;
    let (role, account) = crate::users::parse_account(&mut form, grantable_roles(&ctx.user));
    // A commune officer's commune: one of the province's.
    let commune_code = match role {
        Some(UserRole::CommuneOfficer) => {
            let communes = state.store.communes_of(ctx.code()).await?;
            let name = ctx.province.name.clone();
            form.field("commune_code", |s| {
                if s.is_empty() {
                    return Err(DomainError::new(
                        "commune_code",
                        "Chọn xã, phường, đặc khu của cán bộ xã.",
                    ));
                }
                match s.parse::<i32>() {
                    Ok(c) if communes.iter().any(|x| x.code == c) => Ok(Some(c)),
                    _ => Err(DomainError::new(
                        "commune_code",
                        format!("Xã, phường, đặc khu mã «{s}» không thuộc {name}."),
                    )),
                }
            })
        }
        _ => Some(None),
    };
    if let (Some(account), Some(commune_code), false) = (account, commune_code, form.has_errors()) {
        let new = NewUser {
            province_code: Some(ctx.code()),
            commune_code,
            ..account
        };
        match state.store.create_user(&ctx.actor(), new).await {
            Ok(_) => return Ok(saved(format!("/provinces/{}/users", ctx.code()))),
            Err(e) => form.refused(e)?,
        }
    }
    form.clear("password");
    refused(users_page(&state, &ctx, form, false).await?)
}

/// The account `id`, when it is of the province and `ctx`'s user may
/// manage it: not found outside the province (another province's, an
/// admin's, the Ministry's); refused when it is a province officer's and
/// the user is not admin.
async fn target(state: &AppState, ctx: &ProvinceCtx, id: i64) -> Result<User, WebError> {
    workspace(ctx)?;
    let user = state.store.user(id).await?;
    let in_province = match (user.role, user.commune_code) {
        (UserRole::Admin | UserRole::MinistryOfficer, _) => false,
        (_, Some(c)) => state.store.commune(c).await?.province_code == ctx.code(),
        (role, None) => role == UserRole::ProvinceOfficer && user.province_code == Some(ctx.code()),
    };
    if !in_province {
        return Err(WebError::NotFound(format!(
            "Không tìm thấy tài khoản này trong {}.",
            ctx.province.name
        )));
    }
    if user.role == UserRole::ProvinceOfficer && ctx.user.role != UserRole::Admin {
        return Err(WebError::Forbidden(
            "Chỉ quản trị hệ thống quản lý tài khoản cán bộ Sở KH&CN.".into(),
        ));
    }
    Ok(user)
}

async fn reset_password(
    state: AppState,
    ctx: ProvinceCtx,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let user = target(&state, &ctx, id).await?;
    let back = format!("/provinces/{}/users", ctx.code());
    crate::users::reset(&state, &ctx.actor(), &user, fields, back, async |form| {
        users_page(&state, &ctx, form, false).await
    })
    .await
}

async fn set_disabled(state: &AppState, ctx: &ProvinceCtx, id: i64, disabled: bool) -> Reply {
    let user = target(state, ctx, id).await?;
    let back = format!("/provinces/{}/users", ctx.code());
    crate::users::lock(state, &ctx.user, &ctx.actor(), &user, disabled, back).await
}

async fn disable(state: AppState, ctx: ProvinceCtx, Id(id): Id) -> Reply {
    set_disabled(&state, &ctx, id, true).await
}

async fn enable(state: AppState, ctx: ProvinceCtx, Id(id): Id) -> Reply {
    set_disabled(&state, &ctx, id, false).await
}

// ---------------------------------------------------------------- audit

/// Entries shown on the page; the CSV holds up to [`CSV_LIMIT`].
const AUDIT_LIMIT: i64 = 500;
const CSV_LIMIT: i64 = 100_000;

struct AuditLine {
    at: String,
    entry: AuditEntry,
    what: String,
    /// The commune of the entry; empty for the province's own.
    commune: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "province_audit.html")]
struct AuditPage {
    layout: ProvinceLayout,
    province: Province,
    filter: Form,
    entities: Choices,
    scopes: Choices,
    lines: Vec<AuditLine>,
    query: String,
    limit: i64,
}

/// The filter from the query, as the commune's audit log reads it (dates
/// as dd/mm/yyyy, whole days in Vietnam time), and whether only the
/// province's own entries are asked for (`scope=province`). A refused
/// value is marked beside its field and left out of the filter.
fn audit_filter(form: &mut Form) -> (AuditFilter, bool) {
    let filter = crate::users::audit_filter(form);
    let own_only = form
        .field("scope", |s| match s {
            "" => Ok(false),
            "province" => Ok(true),
            _ => Err(DomainError::new(
                "scope",
                "Chọn «Tất cả» hoặc «Chỉ của tỉnh, thành phố».",
            )),
        })
        .unwrap_or(false);
    (filter, own_only)
}

/// The names of the province's communes, by code.
async fn commune_names(
    state: &AppState,
    ctx: &ProvinceCtx,
) -> Result<HashMap<i32, String>, WebError> {
    Ok(state
        .store
        .communes_of(ctx.code())
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect())
}

async fn audit(state: AppState, ctx: ProvinceCtx, Query(q): Params) -> Reply {
    workspace(&ctx)?;
    let mut filter = Form::new(q.clone());
    let (f, own_only) = audit_filter(&mut filter);
    let entries = state
        .store
        .audit_search_province(ctx.code(), own_only, &f, AUDIT_LIMIT)
        .await?;
    let names = commune_names(&state, &ctx).await?;
    let lines = entries
        .into_iter()
        .map(|e| AuditLine {
            at: at_text(&e),
            what: crate::users::what_text(&e),
            commune: commune_of(&names, &e),
            before: json_text(&e.before),
            after: json_text(&e.after),
            entry: e,
        })
        .collect();
    let entities = crate::users::entity_choices();
    let scopes = choices_from(&[
        ("", "Tất cả (của tỉnh và các xã)"),
        ("province", "Chỉ của tỉnh, thành phố"),
    ]);
    let query = serde_urlencoded::to_string(&q).unwrap_or_default();
    render(AuditPage {
        layout: ctx.layout("audit"),
        province: ctx.province.clone(),
        filter,
        entities,
        scopes,
        lines,
        query,
        limit: AUDIT_LIMIT,
    })
}

/// The filtered audit log as CSV (UTF-8 with BOM, so Excel shows
/// diacritics).
async fn audit_csv(state: AppState, ctx: ProvinceCtx, Query(q): Params) -> Reply {
    workspace(&ctx)?;
    let mut filter = Form::new(q);
    let (f, own_only) = audit_filter(&mut filter);
    let entries = state
        .store
        .audit_search_province(ctx.code(), own_only, &f, CSV_LIMIT)
        .await?;
    let names = commune_names(&state, &ctx).await?;
    Ok(audit_csv_file(
        &entries,
        Some(&names),
        "nhat-ky-tinh",
        ctx.code(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: UserRole) -> User {
        User {
            id,
            username: format!("u{id}"),
            full_name: "Người thử".into(),
            phone: None,
            role,
            province_code: Some(31),
            commune_code: None,
            team_id: None,
            person_id: None,
            disabled_at: None,
        }
    }

    #[test]
    fn only_admin_manages_province_officers_and_nobody_themself() {
        let admin = user(1, UserRole::Admin);
        let so = user(2, UserRole::ProvinceOfficer);
        let other_so = user(3, UserRole::ProvinceOfficer);
        let xa = user(4, UserRole::CommuneOfficer);
        assert!(may_manage(&admin, &so));
        assert!(may_manage(&so, &xa));
        assert!(!may_manage(&so, &other_so));
        assert!(!may_manage(&so, &so));
        assert!(!may_manage(&admin, &admin));
        assert_eq!(grantable_roles(&so), &[UserRole::CommuneOfficer]);
        assert!(grantable_roles(&admin).contains(&UserRole::ProvinceOfficer));
        assert!(grantable_roles(&xa).is_empty());
    }

    #[test]
    fn the_scope_filter_is_all_or_the_province_s_own() {
        let mut form = Form::filled([("scope", "province".to_string())]);
        assert!(audit_filter(&mut form).1);
        let mut form = Form::filled([("scope", "<b>".to_string())]);
        assert!(!audit_filter(&mut form).1);
        assert!(form.error("scope").is_some());
        assert_eq!(crate::users::csv_cell("=1+1"), "'=1+1");
    }
}

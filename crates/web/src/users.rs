//! Accounts of a commune, managed by its officers (and the province's):
//! create users within their scope, reset passwords, lock and unlock. And
//! the audit log of the commune: browse, filter, export (nobody edits it).

use std::collections::HashMap;

use askama::Template;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use toso_domain::{format_date, vietnam, Name, Password, PhoneNumber, UserRole, Username};
use toso_store::audit::{entity_label, ENTITIES};
use toso_store::{AuditEntry, AuditFilter, NewUser, User};

use crate::access;
use crate::forms::{choices, choices_from, Choices, Fields, Form};
use crate::layout::{CommuneCtx, Layout, Officer, Params, UsersManager};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{attachment, refused, render, saved, CSV};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/users", get(list).post(create))
        .route("/communes/{code}/users/{id}/password", post(reset_password))
        .route("/communes/{code}/users/{id}/disable", post(disable))
        .route("/communes/{code}/users/{id}/enable", post(enable))
        .route("/communes/{code}/audit", get(audit))
        .route("/communes/{code}/audit.csv", get(audit_csv))
}

struct UserLine {
    user: User,
    role: &'static str,
    team: String,
    /// The member the account acts for has left its team: the account no
    /// longer signs in (the store refuses it).
    left: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    lines: Vec<UserLine>,
    form: Form,
    roles: Choices,
    teams: Choices,
    people: Choices,
    saved: bool,
}

async fn users_page(
    state: &AppState,
    ctx: &CommuneCtx,
    form: Form,
    saved: bool,
) -> Result<UsersPage, WebError> {
    let store = &state.store;
    let today = toso_store::today();
    let teams = store.teams(ctx.code).await?;
    let team_name = |id: Option<i64>| {
        id.and_then(|id| teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let mut people = vec![(String::new(), "— không gắn —".to_string())];
    let mut in_team = std::collections::HashSet::new();
    for team in teams.iter().filter(|t| t.is_active_on(today)) {
        for m in store.team_members(team.id, Some(today)).await? {
            in_team.insert((team.id, m.membership.person_id));
            people.push((
                m.membership.person_id.to_string(),
                format!("{} — {}", m.full_name, team.name),
            ));
        }
    }
    let lines = store
        .users_of_commune(ctx.code)
        .await?
        .into_iter()
        .map(|u| UserLine {
            role: u.role.label(),
            team: team_name(u.team_id),
            left: matches!((u.team_id, u.person_id), (Some(t), Some(p)) if !in_team.contains(&(t, p))),
            user: u,
        })
        .collect();
    Ok(UsersPage {
        layout: ctx.layout("users"),
        lines,
        form,
        roles: role_options(access::grantable_roles(&ctx.user)),
        teams: std::iter::once((String::new(), "— chọn tổ —".to_string()))
            .chain(
                teams
                    .iter()
                    .filter(|t| t.is_active_on(today))
                    .map(|t| (t.id.to_string(), t.name.clone())),
            )
            .collect(),
        people,
        saved,
    })
}

async fn list(state: AppState, ctx: UsersManager, Query(q): Query<PageQuery>) -> Reply {
    let form = Form::filled([("role", UserRole::TeamLeader.code().to_string())]);
    render(users_page(&state, &ctx, form, q.saved()).await?)
}

fn id_field(
    name: &'static str,
    message: &'static str,
) -> impl Fn(&str) -> Result<i64, toso_domain::DomainError> {
    move |s| {
        s.parse::<i64>()
            .map_err(|_| toso_domain::DomainError::new(name, message))
    }
}

async fn create(state: AppState, ctx: UsersManager, mut form: Form) -> Reply {
    let (role, account) = parse_account(&mut form, access::grantable_roles(&ctx.user));
    let team_role = matches!(role, Some(UserRole::TeamLeader | UserRole::TeamMember));
    let team_id = if team_role {
        form.field("team_id", id_field("team_id", "Chọn tổ của tài khoản."))
            .map(Some)
    } else {
        Some(None)
    };
    let person_id = if team_role {
        form.optional(
            "person_id",
            id_field("person_id", "Chọn người của tài khoản."),
        )
    } else {
        Some(None)
    };
    if let (Some(account), Some(team_id), Some(person_id), false) =
        (account, team_id, person_id, form.has_errors())
    {
        let new = NewUser {
            province_code: Some(ctx.commune.province_code),
            commune_code: Some(ctx.code),
            team_id,
            person_id,
            ..account
        };
        match state.store.create_user(&ctx.actor(), new).await {
            Ok(_) => return Ok(saved(format!("/communes/{}/users", ctx.code))),
            Err(e) => form.refused(e)?,
        }
    }
    form.clear("password");
    refused(users_page(&state, &ctx, form, false).await?)
}

/// The choices of the role field: (code, label) of each role in `grantable`.
pub(crate) fn role_options(grantable: &[UserRole]) -> Choices {
    choices(grantable)
}

/// The fields every new account has, as typed in `form`: user name, full
/// name, phone, password and a role among `grantable`. The role as parsed
/// (the scope's fields depend on it), and the account when all of them
/// are right (scoped to nothing yet: the caller sets its province,
/// commune, team and person); the refusals are beside their fields.
pub(crate) fn parse_account(
    form: &mut Form,
    grantable: &[UserRole],
) -> (Option<UserRole>, Option<NewUser>) {
    let username = form.field("username", Username::parse);
    let full_name = form.field("full_name", |s| {
        Name::parse_field(s, "full_name", "Họ và tên", 80)
    });
    let phone = form.optional("phone", PhoneNumber::parse);
    let password = form.field("password", Password::parse);
    let role = form.field("role", |s| UserRole::parse(s, "role"));
    if let Some(r) = role {
        if !grantable.contains(&r) {
            form.add_error(
                "role",
                format!("Bạn không thể cấp vai trò «{}».", r.label()),
            );
            return (role, None);
        }
    }
    let account = match (username, full_name, phone, password, role) {
        (Some(username), Some(full_name), Some(phone), Some(password), Some(role)) => {
            Some(NewUser {
                username,
                full_name,
                phone,
                password,
                role,
                province_code: None,
                commune_code: None,
                team_id: None,
                person_id: None,
            })
        }
        _ => None,
    };
    (role, account)
}

async fn target(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<User, WebError> {
    ctx.load(state.store.user(id)).await
}

async fn reset_password(
    state: AppState,
    ctx: UsersManager,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let user = target(&state, &ctx, id).await?;
    let back = format!("/communes/{}/users", ctx.code);
    reset(&state, &ctx.actor(), &user, fields, back, async |form| {
        users_page(&state, &ctx, form, false).await
    })
    .await
}

/// Set `user`'s new password from the form, then back to the list at
/// `back`; a refused password is shown on the list (`page`), naming the
/// account. Shared by the commune's and the province's account pages.
pub(crate) async fn reset<P: askama::Template>(
    state: &AppState,
    actor: &toso_store::Actor,
    user: &User,
    fields: std::collections::HashMap<String, String>,
    back: String,
    page: impl AsyncFnOnce(Form) -> Result<P, WebError>,
) -> Reply {
    let mut form = Form::new(fields);
    match form.field("new_password", Password::parse) {
        Some(p) => {
            state.store.set_password(actor, user.id, p).await?;
            Ok(saved(back))
        }
        None => {
            let message = form.error("new_password").unwrap_or_default().to_string();
            let mut shown = Form::default();
            shown.add_error("general", format!("{}: {message}", user.username));
            refused(page(shown).await?)
        }
    }
}

async fn set_disabled(state: &AppState, ctx: &CommuneCtx, id: i64, disabled: bool) -> Reply {
    let user = target(state, ctx, id).await?;
    let back = format!("/communes/{}/users", ctx.code);
    lock(state, &ctx.user, &ctx.actor(), &user, disabled, back).await
}

/// Lock (or unlock) `user` for `me`, never one's own account, then back to
/// the list at `back`. Shared by the commune's and the province's pages.
pub(crate) async fn lock(
    state: &AppState,
    me: &User,
    actor: &toso_store::Actor,
    user: &User,
    disabled: bool,
    back: String,
) -> Reply {
    if user.id == me.id {
        return Err(WebError::Invalid(toso_domain::DomainError::new(
            "user",
            "Bạn không thể tự khóa tài khoản của mình.",
        )));
    }
    state
        .store
        .set_user_disabled(actor, user.id, disabled)
        .await?;
    Ok(saved(back))
}

async fn disable(state: AppState, ctx: UsersManager, Id(id): Id) -> Reply {
    set_disabled(&state, &ctx, id, true).await
}

async fn enable(state: AppState, ctx: UsersManager, Id(id): Id) -> Reply {
    set_disabled(&state, &ctx, id, false).await
}

// ---------------------------------------------------------------- audit

const AUDIT_LIMIT: i64 = 500;

struct AuditLine {
    at: String,
    entry: AuditEntry,
    /// "update Thôn, tổ dân phố #12": the action and the record.
    what: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    filter: Form,
    entities: Choices,
    lines: Vec<AuditLine>,
    query: String,
    limit: i64,
}

/// The filter of the audit browser from the query (dates as dd/mm/yyyy,
/// whole days in Vietnam time).
pub(crate) fn audit_filter(form: &mut Form) -> AuditFilter {
    let day_start = |d: NaiveDate| {
        vietnam()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    let text =
        |form: &Form, k: &str| Some(form.value(k).trim().to_string()).filter(|s| !s.is_empty());
    let from = form
        .optional_date("from", "Từ ngày")
        .flatten()
        .and_then(day_start);
    let until = form
        .optional_date("until", "Đến ngày")
        .flatten()
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(day_start);
    AuditFilter {
        entity: text(form, "entity"),
        actor: text(form, "actor"),
        from,
        until,
    }
}

/// The audit filter's kinds of record: all, then each the log names.
pub(crate) fn entity_choices() -> Choices {
    [choices_from(&[("", "Tất cả")]), choices_from(ENTITIES)].concat()
}

pub(crate) fn json_text(v: &Option<toso_store::audit::JsonValue>) -> String {
    v.as_ref().map(|j| j.0.to_string()).unwrap_or_default()
}

async fn audit(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    let mut filter = Form::new(q.clone());
    let f = audit_filter(&mut filter);
    let entries = state.store.audit_search(ctx.code, &f, AUDIT_LIMIT).await?;
    let lines = entries
        .into_iter()
        .map(|e| AuditLine {
            at: at_text(&e),
            what: what_text(&e),
            before: json_text(&e.before),
            after: json_text(&e.after),
            entry: e,
        })
        .collect();
    let entities = entity_choices();
    let query = serde_urlencoded::to_string(&q).unwrap_or_default();
    let page = AuditPage {
        layout: ctx.layout("audit"),
        filter,
        entities,
        lines,
        query,
        limit: AUDIT_LIMIT,
    };
    render(page)
}

/// The filtered audit log as CSV (UTF-8 with BOM, so Excel shows diacritics).
async fn audit_csv(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    let mut filter = Form::new(q);
    let f = audit_filter(&mut filter);
    let entries = state.store.audit_search(ctx.code, &f, 100_000).await?;
    Ok(audit_csv_file(&entries, None, "nhat-ky", ctx.code))
}

/// What an audit entry did to which record: "update Thôn, tổ dân phố #12".
pub(crate) fn what_text(e: &AuditEntry) -> String {
    format!("{} {} #{}", e.action, entity_label(&e.entity), e.entity_id)
}

/// When an audit entry was written, Vietnam time ("31/10/2025 08:30:00").
pub(crate) fn at_text(e: &AuditEntry) -> String {
    e.at.with_timezone(&vietnam())
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// Audit `entries` as a CSV download (UTF-8 with BOM, so Excel shows
/// diacritics) named `{stem}-{code}-{today}.csv`; with `communes` (a
/// province's log, by commune code) a column names each entry's commune.
pub(crate) fn audit_csv_file(
    entries: &[AuditEntry],
    communes: Option<&HashMap<i32, String>>,
    stem: &str,
    code: i32,
) -> Response {
    let mut out = String::from("\u{feff}Thời điểm,Người thực hiện,Địa chỉ,");
    if communes.is_some() {
        out.push_str("Xã/phường/đặc khu,");
    }
    out.push_str("Đối tượng,Mã,Thao tác,Trước,Sau\r\n");
    for e in entries {
        let mut cells = vec![
            at_text(e),
            e.actor.clone(),
            e.address.clone().unwrap_or_default(),
        ];
        if let Some(names) = communes {
            cells.push(commune_of(names, e));
        }
        cells.extend([
            e.entity.clone(),
            e.entity_id.to_string(),
            e.action.clone(),
            json_text(&e.before),
            json_text(&e.after),
        ]);
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    let name = format!(
        "{stem}-{code}-{}.csv",
        format_date(toso_store::today()).replace('/', "-")
    );
    attachment(&name, CSV, out)
}

/// The name of an entry's commune (its code where the name is unknown;
/// empty for an entry of no commune).
pub(crate) fn commune_of(names: &HashMap<i32, String>, e: &AuditEntry) -> String {
    e.commune_code
        .map(|c| names.get(&c).cloned().unwrap_or_else(|| c.to_string()))
        .unwrap_or_default()
}

/// A CSV cell: quoted when needed, and formula-leading characters defused
/// so a spreadsheet never evaluates logged text.
pub(crate) fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("Thôn Bến"), "Thôn Bến");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}

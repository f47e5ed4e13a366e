//! The allowance policies of a province and of a commune: the People's
//! Council resolutions that pay the community digital technology teams.
//!
//! - `/provinces/{province}/allowance-policies`: the province's policies,
//!   newest first, read by its officer, admin and the Ministry; the
//!   province's officer and admin add, correct and delete them.
//! - `/communes/{code}/allowance-policies`: the province's policies (which
//!   come first) and the commune's own, used only for the months the
//!   province's do not cover; read by the commune's officers, written by
//!   its managers (admin, the commune's officer).
//!
//! A policy is reached through its owner's address only: one of another
//! province or commune is not found (404). The store refuses bad amounts
//! and overlapping periods, naming the field; the form shows the refusal
//! beside it with what was typed (422).

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{format_date, plain_text, DomainError, Rates, MAX_AMOUNT};
use toso_store::{AllowancePolicy, NewPolicy, PolicyOwner};

use crate::access::{self, ProvinceAccess};
use crate::forms::Form;
use crate::layout::{Layout, Manager, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::province::{ProvinceCtx, ProvinceLayout};
use crate::respond::{remove, render, submit};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/provinces/{province}/allowance-policies",
            get(province_list).post(province_create),
        )
        .route(
            "/provinces/{province}/allowance-policies/{id}",
            get(province_edit).post(province_update),
        )
        .route(
            "/provinces/{province}/allowance-policies/{id}/delete",
            post(province_delete),
        )
        .route(
            "/communes/{code}/allowance-policies",
            get(commune_list).post(commune_create),
        )
        .route(
            "/communes/{code}/allowance-policies/{id}",
            get(commune_edit).post(commune_update),
        )
        .route(
            "/communes/{code}/allowance-policies/{id}/delete",
            post(commune_delete),
        )
}

/// The longest note of a policy.
const NOTE_MAX: usize = 500;
/// The longest resolution number.
const RESOLUTION_MAX: usize = 100;

// ---------------------------------------------------------------------------
// What the pages show
// ---------------------------------------------------------------------------

/// A policy as the lists show it.
pub struct PolicyLine {
    id: i64,
    resolution: String,
    resolution_on: String,
    period: String,
    /// The rules in words (`Rates::describe`).
    rules: Vec<String>,
    example: bool,
    /// In force today.
    current: bool,
    note: Option<String>,
}

impl PolicyLine {
    fn of(p: &AllowancePolicy, today: NaiveDate) -> PolicyLine {
        PolicyLine {
            id: p.id,
            resolution: p.resolution.clone(),
            resolution_on: format_date(p.resolution_on),
            period: p.period(),
            rules: p.rates.describe(),
            example: p.example,
            current: p.covers(today),
            note: p.note.clone(),
        }
    }
}

fn lines(policies: &[AllowancePolicy]) -> Vec<PolicyLine> {
    let today = toso_store::today();
    policies.iter().map(|p| PolicyLine::of(p, today)).collect()
}

/// The form of a new policy or of one being corrected, with the delete
/// form of the latter.
pub struct Editor {
    /// Where the form is posted.
    action: String,
    form: Form,
    /// The list the "Hủy" link goes back to.
    back: String,
    /// (address, form) of the delete form, when correcting.
    delete: Option<(String, Form)>,
    /// The policy is the demo's example.
    example: bool,
}

impl Editor {
    fn new_policy(list: &str, form: Form) -> Editor {
        Editor {
            action: list.to_string(),
            form,
            back: list.to_string(),
            delete: None,
            example: false,
        }
    }

    fn correcting(list: &str, policy: &AllowancePolicy, form: Form, delete: Form) -> Editor {
        let action = format!("{list}/{}", policy.id);
        Editor {
            delete: Some((format!("{action}/delete"), delete)),
            action,
            form,
            back: list.to_string(),
            example: policy.example,
        }
    }
}

/// The form of a new policy: nothing typed, no minimum of days.
fn blank() -> Form {
    Form::filled([("min_days", "0".to_string())])
}

/// A stored policy as its form shows it.
fn values(p: &AllowancePolicy) -> Form {
    let r = &p.rates;
    Form::filled([
        ("resolution", p.resolution.clone()),
        ("resolution_on", format_date(p.resolution_on)),
        ("effective_from", format_date(p.effective_from)),
        (
            "effective_until",
            p.effective_until.map(format_date).unwrap_or_default(),
        ),
        ("per_team_month", toso_domain::format_int(r.per_team_month)),
        (
            "per_member_month",
            toso_domain::format_int(r.per_member_month),
        ),
        ("per_day", toso_domain::format_int(r.per_day)),
        (
            "day_cap",
            r.day_cap.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("min_days", r.min_days.to_string()),
        ("note", p.note.clone().unwrap_or_default()),
    ])
}

// ---------------------------------------------------------------------------
// Parsing the form
// ---------------------------------------------------------------------------

/// An amount in đồng as typed: "300000", "300.000", "300 000" and
/// "300.000 đ" (or "đồng") are 300.000; empty is 0. A comma, letters or a
/// sign other than a leading minus are refused, naming the field. A
/// negative or absurd amount parses: [`Rates::check`] refuses it with the
/// limits in words.
pub fn parse_amount(input: &str, field: &'static str, label: &str) -> Result<i64, DomainError> {
    let text = input.trim();
    let lower = text.to_lowercase();
    let without_unit = ["đồng", "vnđ", "vnd", "đ"]
        .iter()
        .find_map(|u| lower.strip_suffix(u))
        .unwrap_or(&lower);
    let (negative, body) = match without_unit.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, without_unit),
    };
    let digits: String = body
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() && !negative {
        return Ok(0);
    }
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        let why = if body.contains(',') {
            "không dùng dấu phẩy; ngăn cách hàng nghìn bằng dấu chấm"
        } else {
            "chỉ gõ chữ số (số đồng)"
        };
        return Err(DomainError::new(
            field,
            format!("{label} «{text}» không hợp lệ: {why}, ví dụ 300.000."),
        ));
    }
    let too_large = || {
        DomainError::new(
            field,
            format!(
                "{label} «{text}» quá lớn (tối đa {}).",
                toso_domain::format_money(MAX_AMOUNT)
            ),
        )
    };
    let significant = digits.trim_start_matches('0');
    let value: i64 = if significant.is_empty() {
        0
    } else if significant.len() > 15 {
        return Err(too_large());
    } else {
        significant.parse().map_err(|_| too_large())?
    };
    Ok(if negative { -value } else { value })
}

/// A number of days in a month (0–31) as typed; the range is checked by
/// [`Rates::check`] too, this refuses what is not a whole number.
fn parse_days(input: &str, field: &'static str, label: &str) -> Result<u32, DomainError> {
    let text = input.trim();
    text.parse::<u32>().map_err(|_| {
        DomainError::new(
            field,
            format!("{label} «{text}» phải là một số nguyên từ 0 đến 31."),
        )
    })
}

/// The policy typed in `form`, or `None` with the refusals beside their
/// fields. `example` is kept from the stored policy (the form cannot set
/// it).
fn parse_policy(form: &mut Form, example: bool) -> Option<NewPolicy> {
    let resolution = form.field("resolution", |s| {
        plain_text(s, "resolution", "Số nghị quyết", RESOLUTION_MAX, true)
    });
    let resolution_on = form.date("resolution_on", "Ngày ban hành");
    let effective_from = form.date("effective_from", "Ngày có hiệu lực");
    let effective_until = form.optional_date("effective_until", "Ngày hết hiệu lực");
    let per_team_month = form.field("per_team_month", |s| {
        parse_amount(s, "per_team_month", "Mức theo tổ mỗi tháng")
    });
    let per_member_month = form.field("per_member_month", |s| {
        parse_amount(s, "per_member_month", "Mức theo thành viên mỗi tháng")
    });
    let per_day = form.field("per_day", |s| {
        parse_amount(s, "per_day", "Mức theo ngày hoạt động")
    });
    let day_cap = form.optional("day_cap", |s| {
        parse_days(s, "day_cap", "Số ngày tối đa được chi mỗi tháng")
    });
    let min_days = if form.value("min_days").trim().is_empty() {
        Some(0)
    } else {
        form.field("min_days", |s| {
            parse_days(s, "min_days", "Số ngày hoạt động tối thiểu")
        })
    };
    let note = form.field("note", |s| {
        plain_text(s, "note", "Ghi chú", NOTE_MAX, false)
    });
    let rates = Rates {
        per_team_month: per_team_month?,
        per_member_month: per_member_month?,
        per_day: per_day?,
        day_cap: day_cap?,
        min_days: min_days?,
    };
    // The amounts' refusals now, beside the dates' (the store checks again).
    if let Err(e) = rates.check() {
        form.add_error(e.field, e.message);
        return None;
    }
    Some(NewPolicy {
        resolution: resolution?,
        resolution_on: resolution_on?,
        effective_from: effective_from?,
        effective_until: effective_until?,
        rates,
        example,
        note: Some(note?).filter(|n| !n.is_empty()),
    })
}

/// Whether a corrected policy is still the demo's example: only while its
/// resolution and amounts are the example's (an officer who types the
/// real resolution's figures makes it a real policy).
fn still_example(before: &AllowancePolicy, new: &NewPolicy) -> bool {
    before.example
        && before.rates == new.rates
        && before.resolution
            == new
                .resolution
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
}

/// The policy of the path, which must be `owner`'s: another's is not found.
async fn load(state: &AppState, owner: PolicyOwner, id: i64) -> Result<AllowancePolicy, WebError> {
    let policy = state.store.policy(id).await?;
    if policy.owner == owner {
        Ok(policy)
    } else {
        Err(WebError::NotFound(format!(
            "Không có chính sách chi trả số {id} của đơn vị này."
        )))
    }
}

// ---------------------------------------------------------------------------
// The province's policies
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "province_policies.html")]
struct ProvincePage {
    layout: ProvinceLayout,
    province: String,
    list: String,
    lines: Vec<PolicyLine>,
    /// The policy of the correction page.
    policy: Option<PolicyLine>,
    /// The form, for managers.
    editor: Option<Editor>,
    saved: bool,
    deleted: bool,
}

fn province_list_path(ctx: &ProvinceCtx) -> String {
    format!("/provinces/{}/allowance-policies", ctx.code())
}

fn manages(ctx: &ProvinceCtx) -> bool {
    ctx.access == ProvinceAccess::Manage
}

/// The province's policies and, for its managers, `form` to add one.
async fn province_page(
    state: &AppState,
    ctx: &ProvinceCtx,
    form: Form,
    q: &PageQuery,
) -> Result<ProvincePage, WebError> {
    let list = province_list_path(ctx);
    let policies = state
        .store
        .policies(PolicyOwner::Province(ctx.code()))
        .await?;
    Ok(ProvincePage {
        layout: ctx.layout("policies"),
        province: ctx.province.name.clone(),
        lines: lines(&policies),
        policy: None,
        editor: manages(ctx).then(|| Editor::new_policy(&list, form)),
        list,
        saved: q.saved(),
        deleted: q.deleted(),
    })
}

/// The correction page of `policy`: its form for managers, the policy
/// alone for readers.
fn province_policy_page(
    ctx: &ProvinceCtx,
    policy: &AllowancePolicy,
    form: Form,
    delete: Form,
) -> ProvincePage {
    let list = province_list_path(ctx);
    ProvincePage {
        layout: ctx.layout("policies"),
        province: ctx.province.name.clone(),
        lines: Vec::new(),
        policy: Some(PolicyLine::of(policy, toso_store::today())),
        editor: manages(ctx).then(|| Editor::correcting(&list, policy, form, delete)),
        list,
        saved: false,
        deleted: false,
    }
}

fn must_manage(ctx: &ProvinceCtx) -> Result<(), WebError> {
    if manages(ctx) {
        Ok(())
    } else {
        Err(access::forbidden())
    }
}

async fn province_list(state: AppState, ctx: ProvinceCtx, Query(q): Query<PageQuery>) -> Reply {
    render(province_page(&state, &ctx, blank(), &q).await?)
}

async fn province_create(state: AppState, ctx: ProvinceCtx, mut form: Form) -> Reply {
    must_manage(&ctx)?;
    let actor = ctx.actor();
    let owner = PolicyOwner::Province(ctx.code());
    let write =
        parse_policy(&mut form, false).map(|new| state.store.save_policy(&actor, owner, None, new));
    let again = async |form| province_page(&state, &ctx, form, &PageQuery::default()).await;
    submit(form, write, province_list_path(&ctx), again).await
}

async fn province_edit(state: AppState, ctx: ProvinceCtx, Id(id): Id) -> Reply {
    let policy = load(&state, PolicyOwner::Province(ctx.code()), id).await?;
    render(province_policy_page(
        &ctx,
        &policy,
        values(&policy),
        Form::default(),
    ))
}

async fn province_update(state: AppState, ctx: ProvinceCtx, Id(id): Id, mut form: Form) -> Reply {
    must_manage(&ctx)?;
    let owner = PolicyOwner::Province(ctx.code());
    let policy = load(&state, owner, id).await?;
    let actor = ctx.actor();
    let write = parse_policy(&mut form, false).map(|mut new| {
        new.example = still_example(&policy, &new);
        state.store.save_policy(&actor, owner, Some(policy.id), new)
    });
    let again = async |form| Ok(province_policy_page(&ctx, &policy, form, Form::default()));
    submit(form, write, province_list_path(&ctx), again).await
}

async fn province_delete(state: AppState, ctx: ProvinceCtx, Id(id): Id, form: Form) -> Reply {
    must_manage(&ctx)?;
    let owner = PolicyOwner::Province(ctx.code());
    let policy = load(&state, owner, id).await?;
    let id = policy.id;
    let write = async || state.store.delete_policy(&ctx.actor(), owner, id).await;
    let again = async |delete| Ok(province_policy_page(&ctx, &policy, values(&policy), delete));
    remove(form, write, province_list_path(&ctx), again).await
}

// ---------------------------------------------------------------------------
// A commune's policies
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "allowance_policies.html")]
struct CommunePage {
    layout: Layout,
    province: String,
    list: String,
    /// The province's policies, which come first.
    province_lines: Vec<PolicyLine>,
    lines: Vec<PolicyLine>,
    policy: Option<PolicyLine>,
    editor: Option<Editor>,
    saved: bool,
    deleted: bool,
}

fn commune_list_path(ctx: &crate::layout::CommuneCtx) -> String {
    ctx.path("allowance-policies")
}

/// The province's policies, the commune's, and for its managers `form` to
/// add one.
async fn commune_page(
    state: &AppState,
    ctx: &crate::layout::CommuneCtx,
    form: Form,
    q: &PageQuery,
) -> Result<CommunePage, WebError> {
    let list = commune_list_path(ctx);
    let province_code = ctx.commune.province_code;
    let province = state.store.province(province_code).await?.name;
    let province_policies = state
        .store
        .policies(PolicyOwner::Province(province_code))
        .await?;
    let own = state.store.policies(PolicyOwner::Commune(ctx.code)).await?;
    let province_lines = lines(&province_policies);
    let mut own_lines = lines(&own);
    // The commune's own policy applies only where the province's does not.
    if province_lines.iter().any(|l| l.current) {
        own_lines.iter_mut().for_each(|l| l.current = false);
    }
    Ok(CommunePage {
        layout: ctx.layout("allowances"),
        province,
        province_lines,
        lines: own_lines,
        policy: None,
        editor: ctx
            .access
            .manager()
            .is_ok()
            .then(|| Editor::new_policy(&list, form)),
        list,
        saved: q.saved(),
        deleted: q.deleted(),
    })
}

async fn commune_policy_page(
    state: &AppState,
    ctx: &crate::layout::CommuneCtx,
    policy: &AllowancePolicy,
    form: Form,
    delete: Form,
) -> Result<CommunePage, WebError> {
    let list = commune_list_path(ctx);
    let province_code = ctx.commune.province_code;
    let province = state.store.province(province_code).await?.name;
    let today = toso_store::today();
    let mut line = PolicyLine::of(policy, today);
    // The commune's own policy applies only where the province's does not.
    let province_policies = state
        .store
        .policies(PolicyOwner::Province(province_code))
        .await?;
    if province_policies.iter().any(|p| p.covers(today)) {
        line.current = false;
    }
    Ok(CommunePage {
        layout: ctx.layout("allowances"),
        province,
        province_lines: Vec::new(),
        lines: Vec::new(),
        policy: Some(line),
        editor: ctx
            .access
            .manager()
            .is_ok()
            .then(|| Editor::correcting(&list, policy, form, delete)),
        list,
        saved: false,
        deleted: false,
    })
}

async fn commune_list(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    render(commune_page(&state, &ctx, blank(), &q).await?)
}

async fn commune_create(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let actor = ctx.actor();
    let owner = PolicyOwner::Commune(ctx.code);
    let write =
        parse_policy(&mut form, false).map(|new| state.store.save_policy(&actor, owner, None, new));
    let again = async |form| commune_page(&state, &ctx, form, &PageQuery::default()).await;
    submit(form, write, commune_list_path(&ctx), again).await
}

async fn commune_edit(state: AppState, ctx: Officer, Id(id): Id) -> Reply {
    let policy = load(&state, PolicyOwner::Commune(ctx.code), id).await?;
    let form = values(&policy);
    render(commune_policy_page(&state, &ctx, &policy, form, Form::default()).await?)
}

async fn commune_update(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let owner = PolicyOwner::Commune(ctx.code);
    let policy = load(&state, owner, id).await?;
    let actor = ctx.actor();
    let write = parse_policy(&mut form, false).map(|mut new| {
        new.example = still_example(&policy, &new);
        state.store.save_policy(&actor, owner, Some(policy.id), new)
    });
    let again =
        async |form| commune_policy_page(&state, &ctx, &policy, form, Form::default()).await;
    submit(form, write, commune_list_path(&ctx), again).await
}

async fn commune_delete(state: AppState, ctx: Manager, Id(id): Id, form: Form) -> Reply {
    let owner = PolicyOwner::Commune(ctx.code);
    let policy = load(&state, owner, id).await?;
    let id = policy.id;
    let write = async || state.store.delete_policy(&ctx.actor(), owner, id).await;
    let again =
        async |delete| commune_policy_page(&state, &ctx, &policy, values(&policy), delete).await;
    remove(form, write, commune_list_path(&ctx), again).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(s: &str) -> Result<i64, DomainError> {
        parse_amount(s, "per_day", "Mức theo ngày hoạt động")
    }

    #[test]
    fn amounts_parse_as_people_type_them() {
        for typed in [
            "300000",
            "300.000",
            "300.000 đ",
            "300 000",
            "300.000đ",
            "300000 đồng",
        ] {
            assert_eq!(amount(typed).unwrap(), 300_000, "{typed}");
        }
        assert_eq!(amount("").unwrap(), 0);
        assert_eq!(amount("0").unwrap(), 0);
        assert_eq!(amount("-50.000").unwrap(), -50_000);
        let comma = amount("300,000").unwrap_err();
        assert_eq!(comma.field, "per_day");
        assert!(comma.message.contains("dấu phẩy"), "{}", comma.message);
        let letters = amount("abc").unwrap_err();
        assert!(letters.message.contains("«abc»"), "{}", letters.message);
        assert!(amount("3e5").is_err());
        let huge = amount("99999999999999999999999").unwrap_err();
        assert!(huge.message.contains("quá lớn"), "{}", huge.message);
    }

    #[test]
    fn a_policy_parses_with_its_refusals_beside_the_fields() {
        let mut form = Form::filled([
            ("resolution", "26/2025/NQ-HĐND".to_string()),
            ("resolution_on", "10/07/2025".to_string()),
            ("effective_from", "01/08/2025".to_string()),
            ("effective_until", String::new()),
            ("per_team_month", "300.000 đ".to_string()),
            ("per_member_month", String::new()),
            ("per_day", "50000".to_string()),
            ("day_cap", "10".to_string()),
            ("min_days", String::new()),
            ("note", "  ".to_string()),
        ]);
        let p = parse_policy(&mut form, false).expect("parses");
        assert_eq!(p.rates.per_team_month, 300_000);
        assert_eq!(p.rates.per_member_month, 0);
        assert_eq!(p.rates.day_cap, Some(10));
        assert_eq!(p.rates.min_days, 0);
        assert_eq!(p.effective_until, None);
        assert_eq!(p.note, None);

        let mut bad = Form::filled([
            ("resolution", "26/2025/NQ-HĐND".to_string()),
            ("resolution_on", "32/07/2025".to_string()),
            ("effective_from", "01/08/2025".to_string()),
            ("per_team_month", "300.000".to_string()),
            ("day_cap", "40".to_string()),
        ]);
        assert!(parse_policy(&mut bad, false).is_none());
        assert!(bad.error("resolution_on").is_some());
        assert!(bad.error("day_cap").is_some(), "the cap refused at once");
    }
}

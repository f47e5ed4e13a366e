//! The province's allowance month (issue 22): one row per commune of the
//! province — the policy in force, the people paid, their days of activity,
//! the month's total and whether the commune approved it (and whether its
//! records changed since) — with the province's totals, so the Department
//! and the finance office see what the resolution pays across the province
//! before the communes' lists reach them. Each figure is the commune's own
//! month page's (the approved copy while approved, otherwise the records
//! now), linked to it. The province's officers and the Ministry read it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use toso_domain::{format_date, format_int, format_money, Month};

use super::{ProvinceCtx, ProvinceLayout};
use crate::allowance::{last_month, month_param};
use crate::layout::Params;
use crate::respond::render;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/provinces/{province}/allowances", get(page))
}

/// One commune's line.
struct Line {
    code: i32,
    name: String,
    href: String,
    policy: String,
    teams: usize,
    people: String,
    days: String,
    total: String,
    /// "Đã duyệt 02/12/2025", "Đã mở lại", "Chưa duyệt".
    state: String,
    approved: bool,
    /// Rows of the approved list the records now give otherwise.
    changed: usize,
}

#[derive(Template)]
#[template(path = "province_allowances.html")]
struct Page {
    layout: ProvinceLayout,
    province_name: String,
    month: Month,
    previous: String,
    next: Option<String>,
    lines: Vec<Line>,
    communes: usize,
    with_policy: usize,
    approved: usize,
    people: String,
    days: String,
    total: String,
    approved_total: String,
}

async fn page(
    State(state): State<AppState>,
    ctx: ProvinceCtx,
    params: Params,
) -> Result<Response, WebError> {
    let crate::params::Query(q) = params;
    let month = month_param(&q, last_month())?;
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("valid offset");
    let mut lines = Vec::new();
    let (mut people, mut days, mut total, mut approved_total) = (0i64, 0i64, 0i64, 0i64);
    let (mut with_policy, mut approved) = (0, 0);
    for commune in state.store.communes_of(ctx.code()).await? {
        let view = state.store.month_view(commune.code, month).await?;
        let paid = view.list.as_ref().map_or(0, |l| l.people_paid()) as i64;
        let person_days: i64 = view.sheets.iter().map(|s| s.person_days() as i64).sum();
        let amount = view.list.as_ref().map_or(0, |l| l.total);
        people += paid;
        days += person_days;
        total += amount;
        if view.policy.is_some() {
            with_policy += 1;
        }
        let (state_text, is_approved) = match &view.approval {
            Some(a) if a.approved => (
                format!(
                    "Đã duyệt {}",
                    format_date(a.approved_at.with_timezone(&vn).date_naive())
                ),
                true,
            ),
            Some(_) => ("Đã mở lại để sửa".to_string(), false),
            None => ("Chưa duyệt".to_string(), false),
        };
        if is_approved {
            approved += 1;
            approved_total += amount;
        }
        lines.push(Line {
            code: commune.code,
            href: format!(
                "/communes/{}/allowances?month={}",
                commune.code,
                month.code()
            ),
            name: commune.name,
            policy: view
                .policy
                .as_ref()
                .map_or_else(|| "Chưa có chính sách".to_string(), |p| p.title()),
            teams: view.sheets.len(),
            people: format_int(paid),
            days: format_int(person_days),
            total: if view.list.is_some() {
                format_money(amount)
            } else {
                "—".into()
            },
            state: state_text,
            approved: is_approved,
            changed: if is_approved { view.changes.len() } else { 0 },
        });
    }
    let base = format!("/provinces/{}/allowances", ctx.code());
    let next = month.next();
    render(Page {
        layout: ctx.layout("allowances"),
        province_name: ctx.province.name.clone(),
        previous: format!("{base}?month={}", month.previous().code()),
        next: (next.first_day() <= toso_store::today())
            .then(|| format!("{base}?month={}", next.code())),
        month,
        communes: lines.len(),
        lines,
        with_policy,
        approved,
        people: format_int(people),
        days: format_int(days),
        total: format_money(total),
        approved_total: format_money(approved_total),
    })
}

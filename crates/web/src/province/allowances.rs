//! The province's allowance month (issue 22): one row per commune of the
//! province — the policy in force, the people paid, their days of activity,
//! the month's total and whether the commune approved it (and whether its
//! records changed since) — with the province's totals, so the Department
//! and the finance office see what the resolution pays across the province
//! before the communes' lists reach them. Each figure is the commune's own
//! month page's (the approved copy while approved, otherwise the records
//! now), linked to it. The province's officers and the Ministry read it.

use askama::Template;
use axum::routing::get;
use axum::Router;
use toso_domain::{format_date, format_int, format_money, Month};

use super::{ProvinceCtx, ProvinceLayout};
use crate::allowance::{last_month, month_param};
use crate::layout::Params;
use crate::respond::render;
use crate::AppState;
use crate::Reply;

pub fn router() -> Router<AppState> {
    Router::new().route("/provinces/{province}/allowances", get(page))
}

/// One commune's line.
struct Line {
    code: i32,
    name: String,
    href: String,
    /// The resolution's number ("26/2025/NQ-HĐND"), its full title being
    /// in the list of policies above the table, said once.
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

/// A policy in force this month, with the communes it pays.
struct PolicyUse {
    /// "Nghị quyết số 26/2025/NQ-HĐND ngày 10/07/2025 (ví dụ minh họa…)".
    title: String,
    /// "chính sách của tỉnh" or "chính sách riêng của Xã Cát Hải".
    owner: String,
    /// "từ 01/07/2025".
    period: String,
    communes: usize,
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
    policies: Vec<PolicyUse>,
    communes: usize,
    with_policy: usize,
    approved: usize,
    people: String,
    days: String,
    total: String,
    approved_total: String,
}

async fn page(state: AppState, ctx: ProvinceCtx, params: Params) -> Reply {
    let crate::params::Query(q) = params;
    let month = month_param(&q, last_month())?;
    let vn = toso_domain::vietnam();
    let mut lines = Vec::new();
    // Each policy once, however many communes it pays, by its id.
    let mut policies: Vec<(i64, PolicyUse)> = Vec::new();
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
        if let Some(p) = &view.policy {
            with_policy += 1;
            match policies.iter_mut().find(|(id, _)| *id == p.id) {
                Some((_, used)) => used.communes += 1,
                None => policies.push((
                    p.id,
                    PolicyUse {
                        title: p.title(),
                        owner: match p.owner {
                            toso_store::PolicyOwner::Province(_) => "chính sách của tỉnh".into(),
                            toso_store::PolicyOwner::Commune(_) => {
                                format!("chính sách riêng của {}", commune.name)
                            }
                        },
                        period: p.period(),
                        communes: 1,
                    },
                )),
            }
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
            policy: match &view.policy {
                Some(p) if matches!(p.owner, toso_store::PolicyOwner::Commune(_)) => {
                    format!("{} (riêng của xã)", p.resolution)
                }
                Some(p) => p.resolution.clone(),
                None => "Chưa có chính sách".to_string(),
            },
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
    // The policy paying the most communes first.
    let mut policies: Vec<PolicyUse> = policies.into_iter().map(|(_, p)| p).collect();
    policies.sort_by(|a, b| b.communes.cmp(&a.communes).then(a.title.cmp(&b.title)));
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
        policies,
        with_policy,
        approved,
        people: format_int(people),
        days: format_int(days),
        total: format_money(total),
        approved_total: format_money(approved_total),
    })
}

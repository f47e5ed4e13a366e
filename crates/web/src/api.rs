//! The JSON API under `/api/v1`. Every figure comes from the same
//! indicators module as the pages.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use toso_domain::Node;
use toso_store::{Commune, Evidence, IndicatorSet};

use crate::access::{self, forbidden};
use crate::auth::CurrentUser;
use crate::{params, AppState, WebError};

/// The API answers only what the token's (or session's) user may read.
async fn check_node(state: &AppState, user: &toso_store::User, node: Node) -> Result<(), WebError> {
    let commune = match node {
        Node::Nation => None,
        Node::Province(code) => {
            state.store.province(code).await?;
            None
        }
        Node::Commune(code) => Some(state.store.commune(code).await?),
        Node::Village(id) => Some(
            state
                .store
                .commune(state.store.village(id).await?.commune_code)
                .await?,
        ),
    };
    if access::reads_node(user, node, commune.as_ref()) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(indicators))
        .route("/indicators/{key}/records", get(records))
        .route("/communes/{code}", get(commune))
        .route("/communes/{code}/indicators", get(commune_indicators))
        .route("/communes/{code}/activities", get(commune_activities))
}

type Params = Query<HashMap<String, String>>;

fn param<'a>(q: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    q.get(key).map(String::as_str)
}

/// `GET /api/v1/indicators?node=commune:11914&as_of=2025-11-30`; with
/// `from=2025-11-01` the flow indicators count that period only.
async fn indicators(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Params,
) -> Result<Json<IndicatorSet>, WebError> {
    let node = params::node(param(&q, "node"))?;
    check_node(&state, &user, node).await?;
    let period = period(&q)?;
    Ok(Json(state.store.indicators_in(node, period).await?))
}

#[derive(Serialize)]
struct ActivityRows {
    node: Node,
    from: Option<chrono::NaiveDate>,
    as_of: chrono::NaiveDate,
    by: toso_store::ActivityGroup,
    rows: Vec<toso_store::ActivityRow>,
}

/// `GET /api/v1/communes/11914/activities?by=month|category|village&from=…&as_of=…`:
/// the support activities of the commune grouped as on its dashboard.
async fn commune_activities(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    Query(q): Params,
) -> Result<Json<ActivityRows>, WebError> {
    use toso_store::ActivityGroup;
    let code = params::commune_code(&code)?;
    let node = Node::Commune(code);
    check_node(&state, &user, node).await?;
    let period = period(&q)?;
    let by = match param(&q, "by").unwrap_or("month") {
        "month" => ActivityGroup::Month,
        "category" => ActivityGroup::Category,
        "village" => ActivityGroup::Village,
        other => {
            return Err(toso_domain::DomainError::new(
                "by",
                format!("Tham số by «{other}» không hợp lệ: chọn month, category hoặc village."),
            )
            .into())
        }
    };
    let rows = state
        .store
        .activity_rows(toso_store::ActivityScope::Node(node), period, by)
        .await?;
    Ok(Json(ActivityRows {
        node,
        from: period.from,
        as_of: period.until,
        by,
        rows,
    }))
}

/// `as_of` (default today) and the optional `from` of a period.
fn period(q: &HashMap<String, String>) -> Result<toso_store::Period, WebError> {
    let until = params::as_of(param(q, "as_of"))?;
    let from = match param(q, "from").map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(toso_domain::parse_date(s, "from", "Từ ngày")?),
        None => None,
    };
    if from.is_some_and(|f| f > until) {
        return Err(toso_domain::DomainError::new(
            "from",
            "Từ ngày không được sau ngày báo cáo (as_of).",
        )
        .into());
    }
    Ok(toso_store::Period { from, until })
}

/// `GET /api/v1/communes/11914/indicators?as_of=2025-11-30`
async fn commune_indicators(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    Query(q): Params,
) -> Result<Json<IndicatorSet>, WebError> {
    let code = params::commune_code(&code)?;
    check_node(&state, &user, Node::Commune(code)).await?;
    let as_of = params::as_of(param(&q, "as_of"))?;
    Ok(Json(
        state.store.indicators(Node::Commune(code), as_of).await?,
    ))
}

#[derive(Serialize)]
struct Records {
    indicator: &'static str,
    name: &'static str,
    node: Node,
    as_of: chrono::NaiveDate,
    /// Records in all; this answer holds page `page` of `per_page`.
    total: i64,
    page: u32,
    per_page: u32,
    records: Vec<Evidence>,
}

/// `GET /api/v1/indicators/members/records?node=commune:11914&as_of=…`
async fn records(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(key): Path<String>,
    Query(q): Params,
) -> Result<Json<Records>, WebError> {
    let code = params::indicator(&key)?;
    let node = params::node(param(&q, "node"))?;
    check_node(&state, &user, node).await?;
    let as_of = params::as_of(param(&q, "as_of"))?;
    let page = params::page(param(&q, "page"))?;
    let per_page = params::per_page(param(&q, "per_page"), 200, toso_store::MAX_RECORDS_PAGE)?;
    let listed = state
        .store
        .indicator_records_page(code, node, as_of, page, per_page)
        .await?;
    Ok(Json(Records {
        indicator: code.key(),
        name: code.def().name,
        node,
        as_of,
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        records: listed.records,
    }))
}

async fn commune(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<Commune>, WebError> {
    let code = params::commune_code(&code)?;
    check_node(&state, &user, Node::Commune(code)).await?;
    Ok(Json(state.store.commune(code).await?))
}

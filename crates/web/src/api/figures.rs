//! The figures and the administrative tree: indicator tables for any node
//! (as of a day or over a period), the records behind each figure, the
//! support activities grouped as on a dashboard, the table of a province's
//! communes and of the nation's provinces, and the provinces, communes and
//! villages themselves. Every figure comes from the same indicators module
//! as the pages; every route answers only what the caller's account may
//! read there.

use axum::extract::Path;
use axum::Json;
use toso_domain::Node;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::paths::{CommunePath, ProvincePath};
use super::types::*;
use super::{check_node, ApiUser, ReadCommune, ReadProvince};
use crate::problem::{ApiQuery, Refusals};
use crate::{params, AppState, WebError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(provinces))
        .routes(routes!(province_communes))
        .routes(routes!(province_table))
        .routes(routes!(nation_table))
        .routes(routes!(commune))
        .routes(routes!(commune_villages))
        .routes(routes!(commune_indicators))
        .routes(routes!(commune_activities))
        .routes(routes!(indicators))
        .routes(routes!(records))
}

/// The provinces the caller reads: every province for the Ministry and
/// admin, their own for a province's or commune's account.
#[utoipa::path(get, path = "/provinces", tag = "Địa bàn",
    params(NoQuery),
    responses((status = 200, description = "Các tỉnh, thành phố", body = Vec<ProvinceOut>), Refusals))]
async fn provinces(
    state: AppState,
    ApiUser(user, _): ApiUser,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<ProvinceOut>>, WebError> {
    let all = state.store.provinces().await?;
    let mut out = Vec::new();
    for p in all {
        if crate::access::province_access(&user, p.code).is_some()
            || user.province_code == Some(p.code)
        {
            out.push(ProvinceOut::from(p));
        }
    }
    Ok(Json(out))
}

/// The communes of a province (every one, with or without data).
#[utoipa::path(get, path = "/provinces/{code}/communes", tag = "Địa bàn",
    params(ProvincePath, NoQuery),
    responses((status = 200, description = "Các xã, phường, đặc khu của tỉnh", body = Vec<CommuneOut>), Refusals))]
async fn province_communes(
    state: AppState,
    ReadProvince(code): ReadProvince,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<CommuneOut>>, WebError> {
    let communes = state.store.communes_of(code).await?;
    Ok(Json(communes.into_iter().map(CommuneOut::from).collect()))
}

/// The province's table: one row per commune (those without data
/// included) and the totals, as of a day or over a period.
#[utoipa::path(get, path = "/provinces/{code}/table", tag = "Số liệu",
    params(ProvincePath, PeriodQuery),
    responses((status = 200, description = "Số liệu theo xã", body = UnitTableOut), Refusals))]
async fn province_table(
    state: AppState,
    ReadProvince(code): ReadProvince,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<UnitTableOut>, WebError> {
    let period = q.period()?;
    let table = state.store.unit_table(Node::Province(code), period).await?;
    Ok(Json(table.into()))
}

/// The nation's table: one row per province and the totals (the Ministry
/// and admin).
#[utoipa::path(get, path = "/nation/table", tag = "Số liệu",
    params(PeriodQuery),
    responses((status = 200, description = "Số liệu theo tỉnh", body = UnitTableOut), Refusals))]
async fn nation_table(
    state: AppState,
    ApiUser(user, _): ApiUser,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<UnitTableOut>, WebError> {
    check_node(&state, &user, Node::Nation).await?;
    let period = q.period()?;
    Ok(Json(
        state.store.unit_table(Node::Nation, period).await?.into(),
    ))
}

/// A commune.
#[utoipa::path(get, path = "/communes/{code}", tag = "Địa bàn",
    params(CommunePath, NoQuery),
    responses((status = 200, description = "Xã, phường, đặc khu", body = CommuneOut), Refusals))]
async fn commune(
    state: AppState,
    ReadCommune(code): ReadCommune,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<CommuneOut>, WebError> {
    Ok(Json(state.store.commune(code).await?.into()))
}

/// The villages of a commune, past ones included (see `active_until`).
#[utoipa::path(get, path = "/communes/{code}/villages", tag = "Địa bàn",
    params(CommunePath, NoQuery),
    responses((status = 200, description = "Các thôn, tổ dân phố", body = Vec<VillageOut>), Refusals))]
async fn commune_villages(
    state: AppState,
    ReadCommune(code): ReadCommune,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Json<Vec<VillageOut>>, WebError> {
    let villages = state.store.villages(code, None).await?;
    Ok(Json(villages.into_iter().map(VillageOut::from).collect()))
}

/// Every indicator of a commune, as of a day or over a period.
#[utoipa::path(get, path = "/communes/{code}/indicators", tag = "Số liệu",
    params(CommunePath, PeriodQuery),
    responses((status = 200, description = "Bảng chỉ tiêu của xã", body = IndicatorTable), Refusals))]
async fn commune_indicators(
    state: AppState,
    ReadCommune(code): ReadCommune,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<IndicatorTable>, WebError> {
    let period = q.period()?;
    let table = state
        .store
        .indicators_in(Node::Commune(code), period)
        .await?;
    Ok(Json(table.into()))
}

/// The support activities of a commune grouped by month, category or
/// village, as on its dashboard.
#[utoipa::path(get, path = "/communes/{code}/activities", tag = "Số liệu",
    params(CommunePath, ActivityQuery),
    responses((status = 200, description = "Hoạt động hỗ trợ theo nhóm", body = ActivityTable), Refusals))]
async fn commune_activities(
    state: AppState,
    ReadCommune(code): ReadCommune,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> Result<Json<ActivityTable>, WebError> {
    use toso_store::ActivityGroup;
    let node = Node::Commune(code);
    let period = q.period()?;
    let (by, name) = match q.by.as_deref().unwrap_or("month") {
        "month" => (ActivityGroup::Month, "month"),
        "category" => (ActivityGroup::Category, "category"),
        "village" => (ActivityGroup::Village, "village"),
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
    Ok(Json(ActivityTable {
        node: node.to_string(),
        from: period.from,
        as_of: period.until,
        by: name.to_string(),
        rows: rows
            .into_iter()
            .map(|r| ActivityGroupRow {
                key: r.key,
                label: r.label,
                activities: r.activities,
                citizens_helped: r.citizens_helped,
                dossiers: r.dossiers,
            })
            .collect(),
    }))
}

/// Every indicator of any node (`nation`, `province:31`, `commune:11914`,
/// `village:5`), as of a day or over a period.
#[utoipa::path(get, path = "/indicators", tag = "Số liệu",
    params(NodeQuery),
    responses((status = 200, description = "Bảng chỉ tiêu", body = IndicatorTable), Refusals))]
async fn indicators(
    state: AppState,
    ApiUser(user, _): ApiUser,
    ApiQuery(q): ApiQuery<NodeQuery>,
) -> Result<Json<IndicatorTable>, WebError> {
    let node = params::node(Some(&q.node))?;
    check_node(&state, &user, node).await?;
    let period = q.period()?;
    Ok(Json(state.store.indicators_in(node, period).await?.into()))
}

/// The records behind one indicator of a node, a page at a time.
#[utoipa::path(get, path = "/indicators/{key}/records", tag = "Số liệu",
    params(("key" = String, Path, description = "The indicator's key (`members`, `coverage`…)"), RecordsQuery),
    responses((status = 200, description = "Các bản ghi của chỉ tiêu", body = RecordsPage), Refusals))]
async fn records(
    state: AppState,
    ApiUser(user, _): ApiUser,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<RecordsQuery>,
) -> Result<Json<RecordsPage>, WebError> {
    let code = params::indicator(&key)?;
    let node = params::node(Some(&q.node))?;
    check_node(&state, &user, node).await?;
    let as_of = params::as_of(q.as_of.as_deref())?;
    let page = params::page(q.page.as_deref())?;
    let per_page = params::per_page(q.per_page.as_deref(), 200, toso_store::MAX_RECORDS_PAGE)?;
    let listed = state
        .store
        .indicator_records_page(code, node, as_of, page, per_page)
        .await?;
    Ok(Json(RecordsPage {
        indicator: code.key().to_string(),
        name: code.def().name.to_string(),
        node: node.to_string(),
        as_of,
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        records: listed
            .records
            .into_iter()
            .map(|r| RecordOut {
                entity: r.entity,
                id: r.id,
                label: r.label,
                detail: r.detail,
                group: r.grp,
            })
            .collect(),
    }))
}

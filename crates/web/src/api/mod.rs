//! The JSON API under `/api/v1`: its own types ([`types`]), described by an
//! OpenAPI 3.1 document generated from the handlers (utoipa), served at
//! `/api/v1/openapi.json` with a reference page at `/api/v1/docs`;
//! problem-details errors ([`problem`]); reads of the figures and the
//! administrative tree ([`figures`]) and of a commune's records
//! ([`records`]); writes with idempotency keys ([`writes`],
//! [`idempotency`]); citizens' requests for help ([`help`]). Callers
//! authenticate with a bearer token (or, for reads, a browser session);
//! every route answers only what the account may read or write in the app.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Router;
use toso_domain::Node;
use toso_store::{TokenScope, User};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::access::{self, forbidden};
use crate::auth::CurrentUser;
use crate::tokens::Grant;
use crate::{params, AppState, WebError};

mod figures;
mod help;
pub mod idempotency;
mod paths;
mod record_types;
mod records;
mod reference;
pub mod types;
mod writes;

pub use crate::problem::{Problem, ProblemKind};

/// Where the API lives.
pub const PREFIX: &str = crate::API_PREFIX;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tổ Số API",
        version = "1",
        description = "The JSON API of Tổ Số, the platform of the Community Digital Technology Teams (Tổ công nghệ số cộng đồng): figures computed from the records, the records behind them, and the teams' support log. Authenticate with `Authorization: Bearer toso_…` (a personal token from /account, or a service token of a province or commune). Dates are ISO 8601. Errors are problem details (RFC 9457) with a Vietnamese `title` and `detail`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem)),
    modifiers(&Security),
    security(("token" = [])),
    tags(
        (name = "Địa bàn", description = "The administrative tree: provinces, communes, villages."),
        (name = "Số liệu", description = "Figures: indicator tables as of a day or over a period, and the records behind them."),
        (name = "Hồ sơ", description = "A commune's records: teams and members, documents, training, campaigns, contests, reports."),
        (name = "Ghi nhận", description = "Writes: the support log and duty days (a token with the write scope)."),
        (name = "Yêu cầu hỗ trợ", description = "Citizens' requests for help from the village pages: the queue, and taking and closing a request (writes need the write scope)."),
        (name = "Tài liệu", description = "This description of the API."),
    ),
)]
struct ApiDoc;

/// The bearer token scheme.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A Tổ Số API token (`toso_` and 64 hex characters), with the read or write scope.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every route of the API with its description: the router and the
/// document come from the same list, so a route cannot be served without
/// being described.
fn parts() -> (Router<AppState>, Document) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            PREFIX,
            OpenApiRouter::new()
                .merge(figures::router())
                .merge(records::router())
                .merge(writes::router())
                .merge(help::router())
                .merge(reference::router()),
        )
        .split_for_parts()
}

/// The API's router (paths under [`PREFIX`]), its errors as problems.
pub fn router() -> Router<AppState> {
    let (router, _) = parts();
    router.layer(axum::middleware::from_fn(crate::problem::problems))
}

/// The OpenAPI document of the API.
pub fn document() -> &'static Document {
    static DOC: LazyLock<Document> = LazyLock::new(|| parts().1);
    &DOC
}

/// The answer to a path under `/api` that is no route of the API.
pub async fn not_found() -> Response {
    Problem::new(
        ProblemKind::NotFound,
        "Không có đường dẫn API này. Xem danh sách tại /api/v1/docs.",
    )
    .into_response()
}

/// The caller: a signed-in account (token or session), and the token's
/// grant when it came with a token.
pub struct ApiUser(pub User, pub Option<Grant>);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let grant = parts.extensions.get::<Grant>().cloned();
        Ok(ApiUser(user, grant))
    }
}

/// A caller who may write through the API: a token with the write scope.
/// A read token, or a browser session (whose cookie a form on another
/// site could send), is refused.
pub struct ApiWriter(pub User);

impl<S: Send + Sync> FromRequestParts<S> for ApiWriter {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user, grant) = ApiUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match grant {
            Some(g) if g.scope == TokenScope::Write => Ok(ApiWriter(user)),
            Some(_) => Err(Problem::new(
                ProblemKind::ReadOnlyToken,
                "Mã truy cập này chỉ có quyền đọc: hãy tạo mã có quyền «Đọc và ghi» để ghi dữ liệu.",
            )
            .into_response()),
            None => Err(Problem::new(
                ProblemKind::ReadOnlyToken,
                "Ghi dữ liệu qua API cần mã truy cập có quyền ghi (Authorization: Bearer …), không dùng phiên đăng nhập của trình duyệt.",
            )
            .into_response()),
        }
    }
}

/// A node of the path (`/communes/{code}…`, `/provinces/{code}…`) that the
/// caller may read, as its code: parsed, found (404) and the caller's
/// reach checked (403) before the handler runs.
macro_rules! path_node {
    ($(#[$doc:meta])* $name:ident, $parse:path, $node:path) => {
        $(#[$doc])*
        pub struct $name(pub i32);

        impl FromRequestParts<AppState> for $name {
            type Rejection = Response;
            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Response> {
                path_node(parts, state, $parse, $node).await.map($name)
            }
        }
    };
}

path_node!(
    /// The commune of the path that the caller may read.
    ReadCommune,
    params::commune_code,
    Node::Commune
);
path_node!(
    /// The province of the path that the caller may read.
    ReadProvince,
    params::province_code,
    Node::Province
);

/// The caller, then the path's `{code}` read by `parse`, its node (`node`)
/// checked by [`check_node`]: the code.
async fn path_node(
    parts: &mut Parts,
    state: &AppState,
    parse: fn(&str) -> Result<i32, WebError>,
    node: fn(i32) -> Node,
) -> Result<i32, Response> {
    let ApiUser(user, _) = ApiUser::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let axum::extract::Path(path) =
        axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
    let checked = async {
        let code = parse(path.get("code").map(String::as_str).unwrap_or_default())?;
        check_node(state, &user, node(code)).await?;
        Ok::<_, WebError>(code)
    };
    checked.await.map_err(IntoResponse::into_response)
}

/// Refuse a node the caller may not read (403), or that does not exist
/// (404).
async fn check_node(state: &AppState, user: &User, node: Node) -> Result<(), WebError> {
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

/// The routes of the document as `(METHOD, path)`, for the tests and the
/// reference page.
pub fn documented_routes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in &document().paths.paths {
        let item = serde_json::to_value(item).unwrap_or_default();
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

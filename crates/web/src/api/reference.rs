//! The API's description as served by the binary itself: the OpenAPI 3.1
//! document (`/api/v1/openapi.json`) and a reference page drawn from it
//! (`/api/v1/docs`): every route with its parameters, body and answers,
//! every schema field by field, and every kind of problem. Nothing is
//! loaded from outside (no CDN, no script).

use askama::Template;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::NoQuery;
use crate::problem::{ApiQuery, ProblemKind};
use crate::respond::render;
use crate::AppState;
use crate::Reply;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs))
}

/// This document: the OpenAPI 3.1 description of every route.
#[utoipa::path(get, path = "/openapi.json", tag = "Tài liệu", security(()),
    params(NoQuery),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json(ApiQuery(NoQuery {}): ApiQuery<NoQuery>) -> Response {
    Json(super::document()).into_response()
}

/// The reference page: this document for people.
#[utoipa::path(get, path = "/docs", tag = "Tài liệu", security(()),
    params(NoQuery),
    responses((status = 200, description = "The reference page (HTML)", content_type = "text/html")))]
async fn docs(ApiQuery(NoQuery {}): ApiQuery<NoQuery>) -> Reply {
    render(reference_page())
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ReferencePage {
    title: String,
    version: String,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<SchemaDoc>,
    problems: Vec<ProblemDoc>,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    tag: String,
    summary: String,
    description: String,
    public: bool,
    params: Vec<ParamDoc>,
    body: Option<TypeRef>,
    responses: Vec<ResponseDoc>,
}

struct ParamDoc {
    name: String,
    location: String,
    required: bool,
    kind: TypeRef,
    description: String,
}

struct ResponseDoc {
    status: String,
    description: String,
    media: String,
    kind: Option<TypeRef>,
}

/// A type as written on the page; `link` names the schema it refers to.
struct TypeRef {
    text: String,
    link: Option<String>,
}

struct SchemaDoc {
    name: String,
    description: String,
    fields: Vec<FieldDoc>,
}

struct FieldDoc {
    name: String,
    kind: TypeRef,
    required: bool,
    description: String,
}

struct ProblemDoc {
    slug: &'static str,
    type_uri: String,
    status: u16,
    title: &'static str,
    description: &'static str,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// How a schema reads: `IndicatorTable`, `array of VillageOut`, `string
/// (date)`, `integer or null`.
fn type_of(schema: &Value) -> TypeRef {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r).to_string();
        return TypeRef {
            text: name.clone(),
            link: Some(name),
        };
    }
    for combo in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(combo).and_then(Value::as_array) {
            let kinds: Vec<TypeRef> = parts.iter().map(type_of).collect();
            let link = kinds.iter().find_map(|k| k.link.clone());
            let text = kinds
                .iter()
                .map(|k| k.text.as_str())
                .collect::<Vec<_>>()
                .join(" or ");
            return TypeRef { text, link };
        }
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_string(),
    };
    if let Some(items) = schema.get("items") {
        let inner = type_of(items);
        return TypeRef {
            text: format!("{base}: array of {}", inner.text).replace("array: array", "array"),
            link: inner.link,
        };
    }
    let text = match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{base} ({f})"),
        None => base,
    };
    TypeRef { text, link: None }
}

fn reference_page() -> ReferencePage {
    let doc = serde_json::to_value(super::document()).unwrap_or_default();
    let info = &doc["info"];
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| ParamDoc {
                                name: text(p, "name"),
                                location: text(p, "in"),
                                required: p["required"].as_bool().unwrap_or(false),
                                kind: type_of(&p["schema"]),
                                description: text(p, "description"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|m| type_of(&m["schema"]));
                let mut responses = Vec::new();
                if let Some(rs) = op["responses"].as_object() {
                    for (status, r) in rs {
                        let (media, kind) = match r["content"].as_object() {
                            Some(c) => match c.iter().next() {
                                Some((media, m)) => (media.clone(), m.get("schema").map(type_of)),
                                None => (String::new(), None),
                            },
                            None => (String::new(), None),
                        };
                        responses.push(ResponseDoc {
                            status: status.clone(),
                            description: text(r, "description"),
                            media,
                            kind,
                        });
                    }
                }
                let public = op["security"].as_array().is_some_and(|s| {
                    s.iter()
                        .all(|x| x.as_object().is_some_and(|o| o.is_empty()))
                });
                operations.push(Operation {
                    anchor: format!(
                        "{method}-{}",
                        path.trim_start_matches('/')
                            .replace(['/', '{', '}'], "-")
                            .trim_matches('-')
                    ),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tag: op["tags"][0].as_str().unwrap_or_default().to_string(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    public,
                    params,
                    body,
                    responses,
                });
            }
        }
    }
    let mut schemas = Vec::new();
    if let Some(all) = doc["components"]["schemas"].as_object() {
        for (name, schema) in all {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields = schema["properties"]
                .as_object()
                .map(|props| {
                    props
                        .iter()
                        .map(|(field, s)| FieldDoc {
                            name: field.clone(),
                            kind: type_of(s),
                            required: required.contains(&field.as_str()),
                            description: text(s, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(SchemaDoc {
                name: name.clone(),
                description: text(schema, "description"),
                fields,
            });
        }
    }
    ReferencePage {
        title: text(info, "title"),
        version: text(info, "version"),
        description: text(info, "description"),
        operations,
        schemas,
        problems: ProblemKind::ALL
            .iter()
            .map(|k| ProblemDoc {
                slug: k.slug(),
                type_uri: k.type_uri(),
                status: k.status().as_u16(),
                title: k.title(),
                description: k.description(),
            })
            .collect(),
    }
}

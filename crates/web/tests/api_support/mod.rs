//! What every API test shares: the OpenAPI document, an answer checked
//! against the schema the document gives for its route and status (JSON
//! Schema 2020-12, the dialect of OpenAPI 3.1), and requests with a bearer
//! token. Included by the API tests with `mod api_support;`.

#![allow(dead_code)]

use serde_json::{json, Value};

/// The API's OpenAPI document, as the server serves it.
pub fn document() -> Value {
    serde_json::to_value(toso_web::api::document()).expect("the document serialises")
}

/// Assert that `body`, answered with `status` to `method path` (the path
/// as documented, e.g. `/api/v1/communes/{code}`), matches the document's
/// schema for it: the route and the status must be documented, and the
/// body valid.
pub fn check(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(
        !op.is_null(),
        "{method} {path} is not in the OpenAPI document"
    );
    let responses = &op["responses"];
    let response = [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".into(),
    ]
    .iter()
    .find_map(|k| responses.get(k))
    .unwrap_or_else(|| panic!("{method} {path}: status {status} is not documented"));
    let Some(content) = response["content"].as_object() else {
        assert!(
            body.is_null(),
            "{method} {path} {status}: a body where none is documented"
        );
        return;
    };
    let schema = content
        .values()
        .next()
        .and_then(|m| m.get("schema"))
        .unwrap_or_else(|| panic!("{method} {path} {status}: no schema"));
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    });
    let validator = jsonschema::validator_for(&root).expect("the document's schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: the answer does not match the document:\n{}\n{body:#}",
        errors.join("\n")
    );
}

/// Send `method url` with a bearer `token` (and a JSON body for writes);
/// the status, the headers and the body as JSON (`Value::Null` when empty
/// or not JSON).
pub async fn call(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    token: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, headers, json)
}

/// A new token of the demo user `login` with `scope`.
pub async fn token(
    app: &toso_testkit::TestApp,
    login: &str,
    scope: toso_store::TokenScope,
) -> String {
    let store = &app.db.store;
    let user = store.user_by_login(login).await.unwrap().unwrap();
    let (_, secret) = store
        .create_api_token(
            &toso_testkit::actor(),
            user.id,
            toso_domain::Name::parse("kiểm thử").unwrap(),
            scope,
            None,
        )
        .await
        .unwrap();
    secret
}

/// [`check`] for a concrete path (`/api/v1/communes/11914?as_of=…`): the
/// documented route it matches is found by its segments (`{…}` matching
/// any one segment).
pub fn check_path(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let route = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .find(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
        })
        .unwrap_or_else(|| panic!("{method} {path} matches no documented route"))
        .clone();
    check(doc, method, &route, status, body);
}

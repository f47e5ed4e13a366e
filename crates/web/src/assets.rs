//! The static files served from the binary (`/static/…`): the stylesheet,
//! the script, the service worker and the icons. Each carries an ETag (a
//! hash of its bytes), so a browser that revalidates gets a 304 and no
//! body; the service worker's cache is named after a hash of the files it
//! keeps, so a release that changes one of them installs a fresh cache by
//! itself (no version to bump by hand in `sw.js`).

use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use crate::{AppState, Reply, WebError};

/// Revalidated on every use, so a new release is picked up at once.
const REVALIDATE: &str = "no-cache";
/// Kept a day (the stylesheet on every page, the icons).
const A_DAY: &str = "public, max-age=86400";
const SCRIPT: &str = "text/javascript; charset=utf-8";

/// What the service worker's source names its cache with; replaced when
/// the worker is served.
const VERSION_MARK: &str = "toso-assets";

/// One static file.
#[derive(Clone, Copy)]
struct Asset {
    path: &'static str,
    content_type: &'static str,
    cache: &'static str,
    bytes: &'static [u8],
}

/// The file `$file` of `static/`, served at `/static/$file`: its name
/// written once, for the address and for the bytes.
macro_rules! asset {
    ($file:literal, $content_type:expr, $cache:expr) => {
        Asset {
            path: concat!("/static/", $file),
            content_type: $content_type,
            cache: $cache,
            bytes: include_bytes!(concat!("../static/", $file)),
        }
    };
}

/// The files the service worker keeps (its `ASSETS`), in that order.
const KEPT: [Asset; 5] = [
    asset!("app.css", "text/css; charset=utf-8", A_DAY),
    asset!("app.js", SCRIPT, REVALIDATE),
    asset!("icon.svg", "image/svg+xml", A_DAY),
    asset!("icon-192.png", "image/png", A_DAY),
    asset!("icon-512.png", "image/png", A_DAY),
];

/// The hex of the first 8 bytes of the SHA-256 of `parts`, each length
/// first (so no two different lists hash alike).
fn short_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The name of the service worker's cache: `toso-` and the hash of every
/// kept file.
fn cache_name() -> &'static str {
    static NAME: LazyLock<String> =
        LazyLock::new(|| format!("toso-{}", short_hash(KEPT.iter().map(|a| a.bytes))));
    &NAME
}

/// The stylesheet's address in the pages: `?v=` its hash, so a page of a
/// new release never styles itself with the stylesheet a browser kept for
/// a day from the previous one (the route ignores the query).
pub(crate) fn stylesheet_href() -> &'static str {
    static HREF: LazyLock<String> =
        LazyLock::new(|| format!("{}?v={}", KEPT[0].path, short_hash([KEPT[0].bytes])));
    &HREF
}

/// The service worker as served: its cache named by [`cache_name`].
fn service_worker_source() -> &'static str {
    static SOURCE: LazyLock<String> = LazyLock::new(|| {
        let source = include_str!("../static/sw.js");
        debug_assert!(source.contains(&format!("'{VERSION_MARK}'")));
        source.replacen(
            &format!("'{VERSION_MARK}'"),
            &format!("'{}'", cache_name()),
            1,
        )
    });
    &SOURCE
}

/// `W/"…"`: weak, since the compression layer may change the bytes sent
/// but not what they mean.
fn etag(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{}\"", short_hash([bytes])))
        .expect("hex is a valid header value")
}

/// Whether the browser's `If-None-Match` names `tag` (or `*`).
fn unchanged(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let tag = tag.to_str().unwrap_or_default();
    let bare = tag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == bare)
}

/// Every static file (the kept ones and the service worker) with its ETag.
fn files() -> &'static [(Asset, HeaderValue)] {
    static FILES: LazyLock<Vec<(Asset, HeaderValue)>> = LazyLock::new(|| {
        let worker = Asset {
            path: "/static/sw.js",
            content_type: SCRIPT,
            cache: REVALIDATE,
            bytes: service_worker_source().as_bytes(),
        };
        KEPT.iter()
            .copied()
            .chain([worker])
            .map(|a| (a, etag(a.bytes)))
            .collect()
    });
    &FILES
}

/// Every static file, public (no session is looked up for `/static/`).
pub fn router() -> Router<AppState> {
    Router::new().route("/static/{file}", get(static_file))
}

/// The file with its type, caching and ETag; 304 and no body when the
/// browser already holds it. The service worker may control every team
/// page under `/communes/` although it is served from `/static/`.
async fn static_file(file: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Reply {
    let (file, tag) = file
        .ok()
        .and_then(|Path(name)| {
            files()
                .iter()
                .find(|(a, _)| a.path.strip_prefix("/static/") == Some(name.as_str()))
        })
        .ok_or_else(|| WebError::NotFound("Không có trang này.".into()))?;
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(file.cache)),
        (header::ETAG, tag.clone()),
    ];
    let mut response = if unchanged(&headers, tag) {
        (StatusCode::NOT_MODIFIED, common).into_response()
    } else {
        (
            common,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            )],
            file.bytes,
        )
            .into_response()
    };
    if file.path == "/static/sw.js" {
        response.headers_mut().insert(
            header::HeaderName::from_static("service-worker-allowed"),
            HeaderValue::from_static("/communes/"),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_keeps_the_files_listed_here_under_their_hash() {
        let source = service_worker_source();
        assert!(!source.contains(VERSION_MARK));
        assert!(source.contains(&format!("const VERSION = '{}';", cache_name())));
        let paths: Vec<String> = KEPT.iter().map(|a| format!("'{}'", a.path)).collect();
        assert!(
            source.contains(&format!("const ASSETS = [{}];", paths.join(", "))),
            "sw.js's ASSETS must list the files of assets::KEPT, in order"
        );
        assert_eq!(cache_name().len(), "toso-".len() + 16);
    }

    #[test]
    fn the_pages_name_the_stylesheet_by_its_hash() {
        assert_eq!(KEPT[0].path, "/static/app.css");
        let href = stylesheet_href();
        assert!(href.starts_with("/static/app.css?v="), "{href}");
        assert_eq!(href.len(), "/static/app.css?v=".len() + 16);
        for page in [
            include_str!("../templates/base.html"),
            include_str!("../templates/public_base.html"),
        ] {
            assert!(page.contains(
                r#"<link rel="stylesheet" href="{{ crate::assets::stylesheet_href() }}">"#
            ));
        }
    }

    #[test]
    fn the_hash_follows_every_byte_and_the_split() {
        let a = short_hash([b"ab".as_slice(), b"c".as_slice()]);
        assert_ne!(a, short_hash([b"a".as_slice(), b"bc".as_slice()]));
        assert_ne!(a, short_hash([b"ab".as_slice(), b"d".as_slice()]));
        assert_eq!(a, short_hash([b"ab".as_slice(), b"c".as_slice()]));
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_in_lists() {
        let tag = etag(b"x");
        let mut h = HeaderMap::new();
        assert!(!unchanged(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!unchanged(&h, &tag));
        let bare = tag.to_str().unwrap().trim_start_matches("W/").to_string();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", {bare}")).unwrap(),
        );
        assert!(unchanged(&h, &tag));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(unchanged(&h, &tag));
    }
}

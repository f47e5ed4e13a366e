//! What a server team needs of the running app: its [`Settings`] (the
//! public address, the proxies whose forwarding headers are believed, who
//! may read the metrics), the client's real address behind a reverse proxy
//! ([`ClientIp`]), liveness (`/livez`), readiness (`/readyz`) and the
//! Prometheus metrics (`/metrics`): requests by route and status, their
//! latencies, the database pools, the support log's group commits, the
//! writes under a client id (the offline queue's sends) and the citizens'
//! help-request queue.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::{AppState, Limits};

/// How the server is run: its limits and what it is told about its place
/// in the network.
#[derive(Clone, Debug)]
pub struct Settings {
    pub limits: Limits,
    /// The address citizens reach the app at (`https://toso.example.vn`),
    /// printed in the villages' QR codes; `None`: the request's own host
    /// and scheme.
    pub public_url: Option<String>,
    /// Peers whose `X-Forwarded-For` names the real client (a reverse
    /// proxy on this machine by default). They are not held to the
    /// connection cap per address (`Limits::max_connections_per_address`):
    /// a proxy holds one connection per request in flight, whoever sent
    /// it, and caps each client itself; the cap in all still holds.
    pub trusted_proxies: Vec<IpAddr>,
    /// `/metrics` answers a request from this machine that did not come
    /// through a proxy.
    pub metrics_local: bool,
    /// `/metrics` answers `Authorization: Bearer <token>` from anywhere.
    pub metrics_token: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::default(),
            public_url: None,
            trusted_proxies: default_proxies(),
            metrics_local: true,
            metrics_token: None,
        }
    }
}

/// The loopback addresses: a reverse proxy on the same machine.
pub fn default_proxies() -> Vec<IpAddr> {
    vec![
        IpAddr::from([127, 0, 0, 1]),
        IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
    ]
}

/// The running app's operational state, shared by every handler.
pub struct Ops {
    pub settings: Settings,
    metrics: Mutex<Registry>,
    /// Set when the server has been asked to stop: `/readyz` answers 503
    /// so a load balancer stops sending new requests.
    pub draining: AtomicBool,
    started: std::time::SystemTime,
}

impl Ops {
    pub fn new(settings: Settings) -> Arc<Ops> {
        Arc::new(Ops {
            settings,
            metrics: Mutex::new(Registry::default()),
            draining: AtomicBool::new(false),
            started: std::time::SystemTime::now(),
        })
    }

    /// Whether `peer` is a trusted proxy.
    pub fn is_proxy(&self, peer: IpAddr) -> bool {
        is_trusted(&self.settings.trusted_proxies, peer)
    }
}

pub(crate) fn is_trusted(proxies: &[IpAddr], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    proxies.iter().any(|p| canonical(*p) == ip)
}

/// An IPv4 address seen as IPv6 (`::ffff:127.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The client of a request coming from `peer`: the peer itself, unless it
/// is a trusted proxy, in which case the nearest address of
/// `X-Forwarded-For` (read from the right) that is not itself a trusted
/// proxy. A malformed entry ends the walk: what lies left of it was written
/// by the client and cannot be believed.
pub fn client_ip(proxies: &[IpAddr], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !is_trusted(proxies, peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(proxies, ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// The request's client address (see [`client_ip`]), set by [`track`].
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(client_of(parts).unwrap_or(ClientIp(IpAddr::from([0, 0, 0, 0]))))
    }
}

/// The client address of a request, when the server loop gave its peer.
pub fn client_of(parts: &Parts) -> Option<ClientIp> {
    parts.extensions.get::<ClientIp>().copied().or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| ClientIp(c.0.ip()))
    })
}

/// Middleware (outermost of the app's own): resolve the client address,
/// then count the request and time it under its route's template.
pub async fn track(state: AppState, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = client_ip(
            &state.ops.settings.trusted_proxies,
            peer.ip(),
            request.headers(),
        );
        request.extensions_mut().insert(ClientIp(ip));
    }
    // The standard methods by name, any other as one series: a client
    // inventing methods must not grow the registry.
    let method = match *request.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::OPTIONS => request.method().as_str(),
        _ => "OTHER",
    }
    .to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(không có)".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    if let Ok(mut registry) = state.ops.metrics.lock() {
        registry.record(method, route, response.status().as_u16(), seconds);
    }
    response
}

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    /// Observations at most `LATENCY_BUCKETS[i]` (not cumulative here).
    buckets: [u64; LATENCY_BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Registry {
    requests: HashMap<(String, String, u16), u64>,
    latency: HashMap<String, Histogram>,
}

impl Registry {
    fn record(&mut self, method: String, route: String, status: u16, seconds: f64) {
        let h = self.latency.entry(route.clone()).or_default();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
        *self.requests.entry((method, route, status)).or_default() += 1;
    }
}

/// `/livez`, `/readyz` and `/metrics`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Liveness: the process answers (nothing else is asked, so a slow
/// database does not get the process restarted).
async fn livez() -> Response {
    Json(serde_json::json!({ "status": "ok" })).into_response()
}

/// Readiness: not stopping, the database answers, and its schema has every
/// migration of this binary.
async fn readyz(state: AppState) -> Response {
    let unavailable = |message: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "message": message })),
        )
            .into_response()
    };
    if state.ops.draining.load(Ordering::Relaxed) {
        return unavailable("Máy chủ đang dừng.");
    }
    match state.store.schema_state().await {
        Ok(schema) if schema.is_current() => Json(serde_json::json!({
            "status": "ok",
            "database": state.store.backend_name(),
            "migrations": schema.applied,
        }))
        .into_response(),
        Ok(schema) => unavailable(&format!(
            "Cơ sở dữ liệu mới có {}/{} bước cấu trúc: chạy «toso migrate».",
            schema.applied, schema.known
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            unavailable("Cơ sở dữ liệu không phản hồi.")
        }
    }
}

/// Whether this request may read the metrics (see [`Settings`]).
fn may_read_metrics(ops: &Ops, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
    if let Some(token) = ops.settings.metrics_token.as_deref() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return true;
        }
    }
    let proxied =
        headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    ops.settings.metrics_local && !proxied && peer.is_some_and(|p| canonical(p).is_loopback())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn metrics(state: AppState, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if !may_read_metrics(&state.ops, peer, request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Không được xem số đo của máy chủ: chỉ từ chính máy chủ, hoặc với mã metrics_token.\n",
        )
            .into_response();
    }
    let mut out = String::with_capacity(8192);
    write_metrics(&state, &mut out).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// A label value in the exposition format (backslash, quote, newline).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

async fn write_metrics(state: &AppState, out: &mut String) {
    let ops = &state.ops;
    help(
        out,
        "toso_build_info",
        "gauge",
        "The running binary's version.",
    );
    let _ = writeln!(
        out,
        "toso_build_info{{version=\"{}\",database=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        state.store.backend_name()
    );
    let started = ops
        .started
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    help(
        out,
        "toso_process_start_time_seconds",
        "gauge",
        "When the server started, in seconds since the Unix epoch.",
    );
    let _ = writeln!(out, "toso_process_start_time_seconds {started:.3}");

    {
        let registry = ops.metrics.lock().unwrap_or_else(|e| e.into_inner());
        help(
            out,
            "toso_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route template and status.",
        );
        let mut requests: Vec<_> = registry.requests.iter().collect();
        requests.sort();
        for ((method, route, status), n) in requests {
            let _ = writeln!(
                out,
                "toso_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(method),
                label(route)
            );
        }
        help(
            out,
            "toso_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by route template.",
        );
        let mut routes: Vec<_> = registry.latency.iter().collect();
        routes.sort_by(|a, b| a.0.cmp(b.0));
        for (route, h) in routes {
            let route = label(route);
            let mut cumulative = 0;
            for (le, n) in LATENCY_BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "toso_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "toso_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 toso_http_request_duration_seconds_sum{{route=\"{route}\"}} {:.6}\n\
                 toso_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
    }

    help(
        out,
        "toso_db_pool_connections",
        "gauge",
        "Database connections open, by pool and state (idle, in_use).",
    );
    let pools = state.store.pool_stats();
    for p in &pools {
        let _ = writeln!(
            out,
            "toso_db_pool_connections{{pool=\"{0}\",state=\"idle\"}} {1}\n\
             toso_db_pool_connections{{pool=\"{0}\",state=\"in_use\"}} {2}",
            p.name,
            p.idle,
            p.open.saturating_sub(p.idle)
        );
    }
    help(
        out,
        "toso_db_pool_max_connections",
        "gauge",
        "The most connections a pool opens.",
    );
    for p in &pools {
        let _ = writeln!(
            out,
            "toso_db_pool_max_connections{{pool=\"{}\"}} {}",
            p.name, p.max
        );
    }

    let stats = state.store.stats();
    help(
        out,
        "toso_log_group_commit_size",
        "histogram",
        "Support activities written per group commit of the support log.",
    );
    for (le, n) in &stats.batch_buckets {
        let _ = writeln!(out, "toso_log_group_commit_size_bucket{{le=\"{le}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "toso_log_group_commit_size_bucket{{le=\"+Inf\"}} {0}\n\
         toso_log_group_commit_size_sum {1}\n\
         toso_log_group_commit_size_count {0}",
        stats.batches, stats.batch_activities
    );
    help(
        out,
        "toso_client_id_writes_total",
        "counter",
        "Support entries sent with a client id (the offline queue, the form, the API), \
         by outcome: new, or a repeat answered with the entry recorded before.",
    );
    let _ = writeln!(
        out,
        "toso_client_id_writes_total{{outcome=\"new\"}} {}\n\
         toso_client_id_writes_total{{outcome=\"repeat\"}} {}",
        stats.client_new, stats.client_repeat
    );

    match state.store.help_queue_lengths(chrono::Utc::now()).await {
        Ok((by_state, overdue)) => {
            help(
                out,
                "toso_help_requests_open",
                "gauge",
                "Citizens' help requests not closed yet, by state.",
            );
            for state in ["new", "in_progress"] {
                let n = by_state
                    .iter()
                    .find(|(s, _)| s == state)
                    .map_or(0, |(_, n)| *n);
                let _ = writeln!(out, "toso_help_requests_open{{state=\"{state}\"}} {n}");
            }
            help(
                out,
                "toso_help_requests_overdue",
                "gauge",
                "Open help requests past their deadline to answer or to resolve.",
            );
            let _ = writeln!(out, "toso_help_requests_overdue {overdue}");
        }
        Err(e) => tracing::warn!(error = %e, "metrics: help queue unreadable"),
    }
    help(
        out,
        "toso_up",
        "gauge",
        "1 when the database answered this scrape, 0 when it did not.",
    );
    let up = u8::from(state.store.ping().await.is_ok());
    let _ = writeln!(out, "toso_up {up}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxies = default_proxies();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        // A client cannot name another address by sending the header itself.
        assert_eq!(
            client_ip(&proxies, stranger, &xff("198.51.100.1")),
            stranger
        );
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            client_ip(&proxies, proxy, &xff("198.51.100.1")),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        // Read from the right: what the client wrote left of the proxy's
        // own entry is not believed.
        assert_eq!(
            client_ip(&proxies, proxy, &xff("10.0.0.1, 198.51.100.7")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A chain of trusted proxies is walked through.
        assert_eq!(
            client_ip(&proxies, proxy, &xff("198.51.100.7, 127.0.0.1")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Garbage stops the walk at the last good address.
        assert_eq!(client_ip(&proxies, proxy, &xff("x<y")), proxy);
        assert_eq!(client_ip(&proxies, proxy, &HeaderMap::new()), proxy);
        // An IPv4 peer seen through an IPv6 socket is still trusted.
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(
            client_ip(&proxies, mapped, &xff("198.51.100.1")),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        // No proxy trusted: the peer, always.
        assert_eq!(client_ip(&[], proxy, &xff("198.51.100.1")), proxy);
    }

    #[test]
    fn metrics_need_this_machine_or_the_token() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let far: IpAddr = "203.0.113.9".parse().unwrap();
        let ops = Ops::new(Settings::default());
        assert!(may_read_metrics(&ops, Some(local), &HeaderMap::new()));
        assert!(!may_read_metrics(&ops, Some(far), &HeaderMap::new()));
        // Through the proxy on this machine: not local.
        assert!(!may_read_metrics(&ops, Some(local), &xff("203.0.113.9")));
        let ops = Ops::new(Settings {
            metrics_local: false,
            metrics_token: Some("s3cret".into()),
            ..Settings::default()
        });
        assert!(!may_read_metrics(&ops, Some(local), &HeaderMap::new()));
        let mut bearer = HeaderMap::new();
        bearer.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(may_read_metrics(&ops, Some(far), &bearer));
        bearer.insert(header::AUTHORIZATION, "Bearer s3cres".parse().unwrap());
        assert!(!may_read_metrics(&ops, Some(far), &bearer));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

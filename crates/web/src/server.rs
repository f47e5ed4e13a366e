//! The HTTP server loop: hyper's HTTP/1.1 connection driver over the
//! router, with the limits that keep a slow or stuck client from exhausting
//! the server — a deadline for the request head, a cap on open connections
//! in all and from one address (a trusted reverse proxy, which carries
//! every client's requests and caps each client itself, is held to the
//! cap in all only), a deadline for the whole request (in the router) —
//! and a graceful shutdown that finishes the requests in flight.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How much of the server one client, or all of them, may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A connection that has not sent a whole request head within this time
    /// is closed (a client that trickles its headers byte by byte).
    pub header_read_timeout: Duration,
    /// A request (reading its body, handling it) that takes longer than
    /// this is answered 408 and dropped (a client that trickles its body).
    pub request_timeout: Duration,
    /// Connections open at once; further clients wait in the kernel's
    /// accept queue until one closes.
    pub max_connections: usize,
    /// Connections open at once from one IP address; more are closed at
    /// once, so one client cannot take every slot. A trusted proxy
    /// (`Settings::trusted_proxies`) is not counted: its connections are
    /// many clients' (nginx holds one per request in flight), and it caps
    /// each client itself (`packaging/nginx/toso.conf`).
    pub max_connections_per_address: usize,
    /// After shutdown is asked for, how long requests in flight may take.
    pub shutdown_grace: Duration,
    /// Requests one API token may make in a minute (a fixed window per
    /// token, kept in memory); more are answered 429 with `Retry-After`
    /// until the window ends. 0: no limit.
    pub api_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_address: 128,
            shutdown_grace: Duration::from_secs(30),
            api_requests_per_minute: 600,
        }
    }
}

/// Open connections by peer address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    fn enter(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<AddressSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            table: self.clone(),
            ip,
        })
    }
}

/// One connection's place in [`PerAddress`], given back when dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Accept connections on `listener` and serve `app` on each until
/// `shutdown` resolves; then stop accepting, let the requests in flight
/// finish (at most `limits.shutdown_grace`) and return. Connections from
/// `proxies` are held to the cap in all, not to one address's.
pub(crate) async fn run(
    app: Router,
    listener: TcpListener,
    limits: Limits,
    proxies: Vec<IpAddr>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trimmer = tokio::spawn(give_back_memory_when_idle(served.clone()));
    let per_address = Arc::new(PerAddress::default());
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little
                    // rather than spin; the server keeps running.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = if crate::ops::is_trusted(&proxies, peer.ip()) {
            None
        } else {
            let Some(slot) = per_address.enter(peer.ip(), limits.max_connections_per_address)
            else {
                tracing::warn!(%peer, "too many connections from one address: closed");
                drop(stream);
                continue;
            };
            Some(slot)
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let served = served.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            served.store(true, std::sync::atomic::Ordering::Relaxed);
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    trimmer.abort();
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the shutdown grace period were dropped");
    }
    Ok(())
}

/// Once the server has been quiet for a second after serving requests,
/// hand the memory the allocator keeps for reuse back to the system
/// (glibc keeps what a burst of page renders freed: 51 MB resident after
/// 200 pages instead of 18 MB). A trim takes a few milliseconds.
async fn give_back_memory_when_idle(served: Arc<std::sync::atomic::AtomicBool>) {
    let mut dirty = false;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if served.swap(false, std::sync::atomic::Ordering::Relaxed) {
            dirty = true;
        } else if dirty {
            dirty = false;
            trim_heap();
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    // SAFETY: malloc_trim only releases free memory of glibc's arenas; it
    // is thread-safe and has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}

//! A slow or stuck client cannot exhaust the server: a connection that
//! trickles its request head is closed at the head deadline, one that
//! trickles its body is answered 408 at the request deadline, one address
//! cannot hold more than its share of connections (a trusted reverse proxy,
//! whose connections are many clients', is not held to it), and other
//! clients are served all the while.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use toso_testkit::{Backend, TestApp, TestDb};
use toso_web::Limits;

const PER_ADDRESS: usize = 6;
/// The reverse proxy these tests trust (not 127.0.0.1, a client here).
const PROXY: [u8; 4] = [127, 0, 0, 9];

fn limits() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_connections: 64,
        max_connections_per_address: PER_ADDRESS,
        shutdown_grace: Duration::from_secs(5),
        ..Limits::default()
    }
}

fn server_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("the test server's address")
}

/// A connection to the server from the loopback address `from`.
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind a loopback address");
    socket.connect(to).await.expect("connect")
}

/// Read until the server closes the connection (or `limit` passes):
/// what it sent, and whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into(), true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into(), false),
        }
    }
}

/// `n` connections from `from`, each stuck in the middle of its request head.
async fn trickling(from: [u8; 4], to: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut streams = Vec::new();
    for _ in 0..n {
        let mut stream = connect_from(from, to).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: toso\r\n")
            .await
            .unwrap();
        streams.push(stream);
    }
    streams
}

/// A plain GET of /healthz from `from`: the status line.
async fn healthz_from(from: [u8; 4], to: SocketAddr) -> String {
    let mut stream = connect_from(from, to).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: toso\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(closed, "the server did not finish answering: {answer}");
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_others_are_served() {
    let db = TestDb::new(Backend::Sqlite).await;
    let settings = toso_web::Settings {
        limits: limits(),
        trusted_proxies: vec![PROXY.into()],
        ..toso_web::Settings::default()
    };
    let app = TestApp::spawn_configured(db, settings).await;
    let server = server_addr(&app);

    // One client (127.0.0.1) opens its whole share of connections and
    // trickles a request head on each, never finishing it.
    let mut slow = trickling([127, 0, 0, 1], server, PER_ADDRESS).await;
    // Its next connection is closed at once, unanswered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = connect_from([127, 0, 0, 1], server).await;
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: toso\r\n\r\n")
        .await;
    let (answer, closed) = read_until_closed(&mut extra, Duration::from_secs(5)).await;
    assert!(
        closed && answer.is_empty(),
        "over the per-address cap: {answer:?}"
    );

    // Another client is served meanwhile.
    assert_eq!(
        healthz_from([127, 0, 0, 2], server).await,
        "HTTP/1.1 200 OK"
    );

    // The trusted proxy carries many clients: past one address's share of
    // connections, stuck ones included, it is still served.
    let proxied = trickling(PROXY, server, PER_ADDRESS + 2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        healthz_from(PROXY, server).await,
        "HTTP/1.1 200 OK",
        "the proxy's connection past the per-address cap"
    );
    drop(proxied);

    // The trickling connections are closed at the head deadline (1 s).
    for (i, stream) in slow.iter_mut().enumerate() {
        let _ = stream.write_all(b"X-Slow: 1\r\n").await;
        let (answer, closed) = read_until_closed(stream, Duration::from_secs(10)).await;
        assert!(closed, "slow connection {i} still open");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "slow connection {i} got {answer:?}"
        );
    }
    // Their slots are given back: the same client is served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status =
            tokio::time::timeout(Duration::from_secs(3), healthz_from([127, 0, 0, 1], server))
                .await;
        if matches!(&status, Ok(line) if line == "HTTP/1.1 200 OK") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "127.0.0.1 was not served again: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A body that never finishes arriving: 408 at the request deadline,
    // and the connection is closed.
    let mut stream = connect_from([127, 0, 0, 3], server).await;
    stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: toso\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 1000\r\n\r\nlogin=a",
        )
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "a trickled body: {answer:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_do_not_block_shutdown() {
    let db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn_with(db, limits()).await;
    let server = server_addr(&app);
    // A kept-alive connection after one request, and one that sent nothing.
    let mut kept = connect_from([127, 0, 0, 1], server).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: toso\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = kept.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let _silent = connect_from([127, 0, 0, 1], server).await;
    tokio::time::timeout(Duration::from_secs(10), app.stop())
        .await
        .expect("the server stops with idle connections open");
}

//! `toso bench writes` and `toso bench idle`: the server over HTTP on a
//! loopback port, measured from clients in the same process.
//!
//! * writes: N clients log support activities (the team page's form, as a
//!   team member's phone posts it) for S seconds; accepted writes per
//!   second and the latency of each, beside a baseline of the same clients
//!   asking the trivial endpoint (`/healthz`) of the same server the same
//!   way. The form's writes (with the page's client id) and the JSON API's
//!   (with a key) run in rounds whose order swaps each round, so that over
//!   an even number of rounds neither kind always meets the larger
//!   database; the form without a client id runs last, for reference.
//!   Afterwards every acknowledged write is looked up in the database.
//! * idle: the resident memory of a `toso serve` process, idle after start
//!   and after serving pages, beside the same binary doing nothing else
//!   (`toso --version`'s peak).

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use toso_domain::TeamKind;
use toso_store::Store;

use crate::Error;

/// What one phase measured.
struct Phase {
    label: String,
    /// Latency of every answered request.
    latencies: Vec<Duration>,
    /// Requests answered as expected (200, or 303 after a write).
    ok: u64,
    /// Answered otherwise, or not answered.
    failed: u64,
    elapsed: Duration,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The phases of one kind over all rounds as one: their answers and
    /// their time added up.
    fn total(label: &str, phases: &[Phase]) -> Phase {
        Phase {
            label: label.to_string(),
            latencies: phases.iter().flat_map(|p| p.latencies.clone()).collect(),
            ok: phases.iter().map(|p| p.ok).sum(),
            failed: phases.iter().map(|p| p.failed).sum(),
            elapsed: phases.iter().map(|p| p.elapsed).sum(),
        }
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut v = self.latencies.clone();
        v.sort_unstable();
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i]
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A signed-in session: the cookie header and the CSRF token.
struct Session {
    cookies: String,
    csrf: String,
}

fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<Session, Error> {
    let fail = |e: reqwest::Error| Error::Usage(format!("Không đăng nhập được: {e}"));
    let res = client
        .get(format!("{base}/login"))
        .send()
        .await
        .map_err(fail)?;
    let csrf = cookie(&res, "toso_csrf")
        .ok_or_else(|| Error::Usage("Máy chủ không đặt cookie CSRF.".into()))?;
    let res = client
        .post(format!("{base}/login"))
        .header("cookie", format!("toso_csrf={csrf}"))
        .form(&[("login", user), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .map_err(fail)?;
    let session = cookie(&res, "toso_session").ok_or_else(|| {
        Error::Usage(format!(
            "Đăng nhập «{user}» bị từ chối: cơ sở dữ liệu cần có dữ liệu mẫu (chạy `toso demo` trước)."
        ))
    })?;
    Ok(Session {
        cookies: format!("toso_csrf={csrf}; toso_session={session}"),
        csrf,
    })
}

/// Run `clients` tasks for `seconds`, each calling `request(client, i)`
/// in a loop; `request` answers whether the server accepted the request
/// (`Some(true)`), refused it (`Some(false)`) or did not answer (`None`).
async fn phase<F, Fut>(
    label: &str,
    clients: usize,
    seconds: f64,
    request: F,
) -> (Phase, Vec<Vec<u64>>)
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<bool>> + Send,
{
    let request = Arc::new(request);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut accepted = Vec::new();
            let mut failed = 0u64;
            let mut i = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match request(c, i).await {
                    Some(true) => {
                        latencies.push(sent.elapsed());
                        accepted.push(i);
                    }
                    Some(false) => {
                        latencies.push(sent.elapsed());
                        failed += 1;
                    }
                    None => failed += 1,
                }
                i += 1;
            }
            (latencies, accepted, failed)
        }));
    }
    let mut result = Phase {
        label: label.to_string(),
        latencies: Vec::new(),
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
    };
    let mut accepted_by_client = Vec::new();
    for task in tasks {
        let (latencies, accepted, failed) = task.await.expect("a client task");
        result.latencies.extend(latencies);
        result.ok += accepted.len() as u64;
        result.failed += failed;
        accepted_by_client.push(accepted);
    }
    result.elapsed = started.elapsed();
    (result, accepted_by_client)
}

fn print_phases(phases: &[&Phase]) {
    let baseline = phases[0];
    println!(
        "| {:<42} | {:>9} | {:>8} | {:>9} | {:>9} | {:>9} | {:>10} |",
        "phase", "answered", "failed", "per s", "p50 ms", "p99 ms", "÷ baseline"
    );
    for p in phases {
        println!(
            "| {:<42} | {:>9} | {:>8} | {:>9.0} | {:>9.2} | {:>9.2} | {:>9.2}× |",
            p.label,
            p.ok,
            p.failed,
            p.rate(),
            ms(p.percentile(0.50)),
            ms(p.percentile(0.99)),
            p.rate() / baseline.rate(),
        );
    }
}

/// `toso bench writes`.
pub async fn writes(
    database_url: &str,
    commune: i32,
    clients: usize,
    seconds: f64,
    api_first: bool,
    rounds: u32,
) -> Result<(), Error> {
    let clients = clients.max(1);
    let rounds = rounds.max(1);
    let store = Store::connect(database_url).await?;
    let teams: Vec<i64> = store
        .teams(commune)
        .await?
        .into_iter()
        .filter(|t| t.kind == TeamKind::Village && t.dissolved_on.is_none())
        .map(|t| t.id)
        .collect();
    if teams.is_empty() {
        return Err(Error::Usage(format!(
            "Xã {commune} chưa có tổ nào: chạy `toso demo` (hoặc `toso gen`) trước."
        )));
    }
    let (base, stop, server) = start_server(&store).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let session = Arc::new(login(&client, &base, "canboxa", toso_demo::DEMO_PASSWORD).await?);
    // The same officer's API token with the write scope (issue 23).
    let api_token = officer_token(&store, toso_store::TokenScope::Write).await?;
    let api_token = Arc::new(api_token);
    // A tag that tells this run's activities from any other's.
    let run = format!("bench-{}", chrono::Utc::now().timestamp_millis());
    println!(
        "{clients} clients, {seconds} s each phase, database {}, {} teams of commune {commune}; \
         {rounds} round(s) of the form's and the API's writes, {} first, the order swapped each round",
        store.backend_name(),
        teams.len(),
        if api_first { "the API's" } else { "the form's" }
    );

    // Warm the connections and the server's caches.
    let _ = phase("warm-up", clients, 1.0, {
        let (client, base) = (client.clone(), base.clone());
        move |_, _| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let res = client.get(format!("{base}/healthz")).send().await.ok()?;
                Some(res.status().is_success())
            }
        }
    })
    .await;

    let (baseline, _) = phase("baseline: GET /healthz", clients, seconds, {
        let (client, base) = (client.clone(), base.clone());
        move |_, _| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let res = client.get(format!("{base}/healthz")).send().await.ok()?;
                let ok = res.status().is_success();
                res.bytes().await.ok()?;
                Some(ok)
            }
        }
    })
    .await;

    let teams = Arc::new(teams);
    let writes = Writes {
        client: client.clone(),
        base: base.clone(),
        session: session.clone(),
        token: api_token.clone(),
        run: run.clone(),
        teams: teams.clone(),
        commune,
    };
    // The form as the team page sends it (with the hidden client id the
    // page puts in every log form, so that a double click records once, as
    // the phone's offline queue does too) and the API, in rounds: the
    // order swaps each round (form, API; API, form; …), so that over an
    // even number of rounds each kind meets the database as often early as
    // late (a later phase meets a database and WAL the earlier one grew).
    let (mut form_phases, mut api_phases) = (Vec::new(), Vec::new());
    let mut checked: Vec<(String, Vec<Vec<u64>>)> = Vec::new();
    for round in 0..rounds {
        let tag = if rounds > 1 {
            format!("r{} ", round + 1)
        } else {
            String::new()
        };
        let suffix = if rounds > 1 {
            format!(", round {}", round + 1)
        } else {
            String::new()
        };
        let form_label = format!("POST support activity (form, with its client id){suffix}");
        let api_label = format!("POST support activity (JSON API, with key){suffix}");
        let form_phase = writes.phase(
            &form_label,
            clients,
            seconds,
            tag.clone(),
            Via::Form { client_id: true },
        );
        let api_phase = writes.phase(&api_label, clients, seconds, format!("api {tag}"), Via::Api);
        let ((written, accepted), (api_written, api_accepted)) = if api_first == (round % 2 == 0) {
            let api = api_phase.await;
            (form_phase.await, api)
        } else {
            let form = form_phase.await;
            (form, api_phase.await)
        };
        form_phases.push(written);
        api_phases.push(api_written);
        checked.push((tag.clone(), accepted));
        checked.push((format!("api {tag}"), api_accepted));
    }
    // For reference, last: the form posted without a client id (by hand or
    // by a script), which skips the client id's lookup and unique index.
    let (bare_written, bare_accepted) = writes
        .phase(
            "POST support activity (form without a client id)",
            clients,
            seconds,
            "bare ".to_string(),
            Via::Form { client_id: false },
        )
        .await;
    checked.push(("bare ".to_string(), bare_accepted));

    let _ = stop.send(());
    let _ = server.await;

    // Every acknowledged write is in the database.
    let store = Store::connect(database_url).await?;
    let stored: HashSet<String> = store
        .activity_notes_like(commune, &format!("{run} %"))
        .await?
        .into_iter()
        .collect();
    let mut missing = 0u64;
    for (tag, accepted) in &checked {
        for (c, accepted) in accepted.iter().enumerate() {
            for i in accepted {
                if !stored.contains(&format!("{run} {tag}{c} {i}")) {
                    missing += 1;
                }
            }
        }
    }
    store.close().await;

    let written = Phase::total("the form, with its client id: all rounds", &form_phases);
    let api_written = Phase::total("the JSON API, with key: all rounds", &api_phases);
    let mut shown = vec![&baseline];
    if rounds > 1 {
        for (f, a) in form_phases.iter().zip(&api_phases) {
            shown.extend([f, a]);
        }
    }
    shown.extend([&written, &api_written, &bare_written]);
    print_phases(&shown);
    if rounds > 1 {
        let ratios: Vec<String> = form_phases
            .iter()
            .zip(&api_phases)
            .map(|(f, a)| format!("{:.2}×", a.rate() / f.rate().max(1e-9)))
            .collect();
        println!("API ÷ form, round by round: {}", ratios.join(", "));
    }
    let acknowledged = written.ok + api_written.ok + bare_written.ok;
    println!(
        "acknowledged writes: {acknowledged}, found in the database: {}, missing: {missing}",
        acknowledged - missing
    );
    println!(
        "API writes ÷ form writes, both under a client id (per second, all rounds): {:.2}×",
        api_written.rate() / written.rate().max(1e-9)
    );
    println!(
        "API writes ÷ form writes without a client id (per second): {:.2}×",
        api_written.rate() / bare_written.rate().max(1e-9)
    );
    println!(
        "p99 of a write ÷ p99 of the baseline: {:.2}×",
        ms(written.percentile(0.99)) / ms(baseline.percentile(0.99)).max(1e-9)
    );
    if missing > 0 {
        return Err(Error::Usage(format!(
            "{missing} bản ghi đã được xác nhận nhưng không có trong cơ sở dữ liệu."
        )));
    }
    Ok(())
}

/// How a phase's clients log an activity.
#[derive(Clone, Copy)]
enum Via {
    /// The team page's form with the session and its CSRF token, with or
    /// without the page's hidden client id.
    Form { client_id: bool },
    /// The JSON API with the write token and an `Idempotency-Key`.
    Api,
}

/// What the phases of writes need to log activities as the demo officer.
struct Writes {
    client: reqwest::Client,
    base: String,
    session: Arc<Session>,
    token: Arc<String>,
    run: String,
    teams: Arc<Vec<i64>>,
    commune: i32,
}

impl Writes {
    /// A phase of writes `via` the form or the API, each with the note
    /// "`run` `tag``c` `i`" (client `c`, its `i`th write) and a client id
    /// or key made from the same.
    async fn phase(
        &self,
        label: &str,
        clients: usize,
        seconds: f64,
        tag: String,
        via: Via,
    ) -> (Phase, Vec<Vec<u64>>) {
        let (client, base, session, token, run, teams, commune) = (
            self.client.clone(),
            self.base.clone(),
            self.session.clone(),
            self.token.clone(),
            self.run.clone(),
            self.teams.clone(),
            self.commune,
        );
        phase(label, clients, seconds, move |c, i| {
            let (client, session, token) = (client.clone(), session.clone(), token.clone());
            let team = teams[c % teams.len()];
            let note = format!("{run} {tag}{c} {i}");
            let id = format!("{run}-{tag}{c}-{i}").replace(' ', "-");
            let citizens = 1 + (i % 5);
            let url = format!("{base}/communes/{commune}/teams/{team}/activities");
            let api_url = format!("{base}/api/v1/communes/{commune}/teams/{team}/activities");
            async move {
                match via {
                    Via::Form { client_id } => {
                        let citizens = citizens.to_string();
                        let mut fields = vec![
                            ("activity_date", "15/11/2025"),
                            ("category", "dvc_truc_tuyen"),
                            ("citizens_helped", citizens.as_str()),
                            ("dossiers", "1"),
                            ("note", note.as_str()),
                            ("csrf", session.csrf.as_str()),
                        ];
                        // The id as the page makes it: random, so each
                        // write lands at its own place in the unique index,
                        // as the API's key (hashed) does.
                        let page_id = client_id.then(toso_web::new_client_id);
                        if let Some(page_id) = &page_id {
                            fields.push(("client_id", page_id.as_str()));
                        }
                        let res = client
                            .post(url)
                            .header("cookie", &session.cookies)
                            .form(&fields)
                            .send()
                            .await
                            .ok()?;
                        Some(res.status().as_u16() == 303)
                    }
                    Via::Api => {
                        let res = client
                            .post(api_url)
                            .bearer_auth(token.as_str())
                            .header("idempotency-key", id)
                            .json(&serde_json::json!({
                                "activity_date": "2025-11-15",
                                "category": "dvc_truc_tuyen",
                                "citizens_helped": citizens,
                                "dossiers": 1,
                                "note": note,
                            }))
                            .send()
                            .await
                            .ok()?;
                        let ok = res.status().as_u16() == 201;
                        res.bytes().await.ok()?;
                        Some(ok)
                    }
                }
            }
        })
        .await
    }
}

/// Resident memory of process `pid` in kB: (current, peak, of which
/// anonymous, of which file-backed: the binary's pages, shared and
/// evictable).
fn rss_kb(pid: u32) -> Option<(u64, u64, u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((
        field("VmRSS:")?,
        field("VmHWM:")?,
        field("RssAnon:")?,
        field("RssFile:")?,
    ))
}

/// `toso bench idle`.
pub async fn idle(database_url: &str, pages: u32) -> Result<(), Error> {
    let exe = std::env::current_exe()?;
    // The baseline: the same binary started and doing nothing else.
    let version = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(&exe)
        .arg("--version")
        .stdout(Stdio::null())
        .output();
    let floor_kb: Option<u64> = version.ok().and_then(|o| {
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
    });

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(&exe)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                break;
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(Error::Usage("toso serve không khởi động được.".into()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let started = rss_kb(child.id());

    let session = login(&client, &base, "canboxa", toso_demo::DEMO_PASSWORD).await;
    let paths = [
        "/communes/11914",
        "/communes/11914/villages",
        "/communes/11914/teams",
        "/communes/11914/dashboard",
        "/communes/11914/reports",
    ];
    for n in 0..pages {
        let mut request = client.get(format!("{base}{}", paths[n as usize % paths.len()]));
        if let Ok(s) = &session {
            request = request.header("cookie", &s.cookies);
        }
        if let Ok(res) = request.send().await {
            let _ = res.bytes().await;
        }
    }
    // Idle: the server gives freed memory back after a quiet second.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after = rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();

    let mb = |kb: u64| kb as f64 / 1024.0;
    println!("| measure | resident memory |");
    println!("|---|---:|");
    if let Some(kb) = floor_kb {
        println!("| baseline: `toso --version` (peak) | {:.1} MB |", mb(kb));
    }
    if let Some((rss, _, anon, file)) = started {
        println!(
            "| `toso serve`, idle after start (anonymous + file-backed) | {:.1} MB ({:.1} + {:.1}) |",
            mb(rss),
            mb(anon),
            mb(file)
        );
    }
    if let Some((rss, peak, anon, file)) = after {
        println!(
            "| `toso serve`, idle after {pages} page loads (anonymous + file-backed; peak while serving) | {:.1} MB ({:.1} + {:.1}; {:.1} MB) |",
            mb(rss),
            mb(anon),
            mb(file),
            mb(peak)
        );
    }
    Ok(())
}

/// `toso bench api`: a commune's indicator table read through the API
/// (`GET /api/v1/communes/{code}/indicators`, a token, one client, the
/// server in this process on a loopback port) beside the same table
/// computed in process by the store (the baseline), `runs` times each,
/// alternating; the medians and their ratio.
pub async fn api_reads(
    database_url: &str,
    commune: i32,
    as_of: chrono::NaiveDate,
    runs: u32,
) -> Result<(), Error> {
    let store = Store::connect(database_url).await?;
    let token = officer_token(&store, toso_store::TokenScope::Read).await?;
    let (base, stop, server) = start_server(&store).await?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let url = format!("{base}/api/v1/communes/{commune}/indicators?as_of={as_of}");
    let node = toso_domain::Node::Commune(commune);
    let period = toso_store::Period::as_of(as_of);
    let (mut in_process, mut through_api) = (Vec::new(), Vec::new());
    for run in 0..=runs {
        let started = Instant::now();
        let table = store.indicators_in(node, period).await?;
        let computed = started.elapsed();
        let started = Instant::now();
        let res = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| Error::Usage(e.to_string()))?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| Error::Usage(e.to_string()))?;
        let served = started.elapsed();
        if !status.is_success() {
            return Err(Error::Usage(format!(
                "API trả lời {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        if run == 0 {
            // The warm-up run; and the answer carries the same figures.
            let answer: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| Error::Usage(e.to_string()))?;
            let n = answer["indicators"].as_array().map_or(0, Vec::len);
            if n != table.indicators.len() {
                return Err(Error::Usage(format!(
                    "API trả {n} chỉ tiêu, tính trực tiếp được {}.",
                    table.indicators.len()
                )));
            }
            continue;
        }
        in_process.push(computed);
        through_api.push(served);
    }
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
    let median = |v: &mut Vec<Duration>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut in_process), median(&mut through_api));
    println!(
        "commune {commune}, as of {as_of}, {runs} runs each, database {}",
        store.backend_name()
    );
    println!("| measure | median ms |");
    println!("| baseline: the table computed in process | {:.2} |", ms(a));
    println!(
        "| GET /api/v1/communes/{commune}/indicators | {:.2} |",
        ms(b)
    );
    println!("API ÷ in process: {:.2}×", ms(b) / ms(a).max(1e-9));
    Ok(())
}

/// The server of `store` on a loopback port in this process, without the
/// per-token rate limit (the benchmark measures the server, not the
/// limit): its base URL, the sender that stops it, and its task.
async fn start_server(store: &Store) -> Result<(String, Stop, Served), Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = toso_web::Limits {
        api_requests_per_minute: 0,
        ..Default::default()
    };
    let server = tokio::spawn(toso_web::serve_with(
        store.clone(),
        listener,
        limits,
        async {
            let _ = stopped.await;
        },
    ));
    Ok((base, stop, server))
}

type Stop = tokio::sync::oneshot::Sender<()>;
type Served = tokio::task::JoinHandle<std::io::Result<()>>;

/// A new API token of the demo commune officer with `scope`.
async fn officer_token(store: &Store, scope: toso_store::TokenScope) -> Result<String, Error> {
    let officer = store.user_by_login("canboxa").await?.ok_or_else(|| {
        Error::Usage("Không có tài khoản canboxa: chạy `toso demo` trước.".into())
    })?;
    let (_, secret) = store
        .create_api_token(
            &toso_store::Actor::system("bench"),
            officer.id,
            toso_domain::Name::parse("bench").map_err(|e| Error::Usage(e.message))?,
            scope,
            None,
        )
        .await?;
    Ok(secret)
}

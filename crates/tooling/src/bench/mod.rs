//! `toso bench`: benchmarks that report each measurement beside a baseline
//! run in the same process, as a ratio (BENCHMARKS.md keeps the results).
//! The report, indicator and page benchmarks are here, the HTTP ones
//! (writes, idle memory) in [`http`]; the `toso` binary owns the flags.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use toso_domain::parse_date;
use toso_reporting::{render_file, FileKind};
use toso_store::Store;

use crate::Error;

mod cycle;
mod http;

pub use cycle::cycle;
pub use http::{api_reads, idle, writes};

struct Timing {
    label: String,
    runs: Vec<Duration>,
}

impl Timing {
    fn median(&self) -> Duration {
        let mut v = self.runs.clone();
        v.sort();
        v[v.len() / 2]
    }
    fn min(&self) -> Duration {
        *self.runs.iter().min().expect("at least one run")
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `toso bench report`: the commune report composed and rendered as DOCX,
/// PDF and XLSX, beside LibreOffice converting the same DOCX to PDF.
pub async fn report(
    url: &str,
    commune: i32,
    request: &str,
    as_of: Option<String>,
    (runs, baseline_runs): (u32, u32),
    work: Option<PathBuf>,
) -> Result<(), Error> {
    let runs = runs.max(1);
    let store = Store::connect(url).await?;
    let request = store.request_by_number(commune, request).await?;
    let mut settings = toso_reporting::report_defaults(&store, commune, &request).await?;
    if let Some(s) = as_of {
        settings.as_of = parse_date(&s, "as_of", "Ngày số liệu (--as-of)")?;
    }
    let mut timings = Vec::new();

    // Composing: every figure from the records (no write).
    let mut snapshot = toso_reporting::compose_report(&store, commune, &request, &settings).await?;
    let mut t = Timing {
        label: "compose (figures from the records, annex)".into(),
        runs: Vec::new(),
    };
    for _ in 0..runs {
        let start = Instant::now();
        snapshot = toso_reporting::compose_report(&store, commune, &request, &settings).await?;
        t.runs.push(start.elapsed());
    }
    timings.push(t);
    store.close().await;

    let dir = match work {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("toso-bench-report-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let mut docx_path = dir.join("report.docx");
    for kind in FileKind::ALL {
        let first = render_file(&snapshot.printed, kind).map_err(Error::Usage)?;
        let path = dir.join(format!("report.{}", kind.extension()));
        std::fs::write(&path, &first)?;
        if kind == FileKind::Docx {
            docx_path = path;
        }
        let mut t = Timing {
            label: format!(
                "render {} ({} bytes)",
                kind.extension().to_uppercase(),
                first.len()
            ),
            runs: Vec::new(),
        };
        for _ in 0..runs {
            let start = Instant::now();
            let bytes = render_file(&snapshot.printed, kind).map_err(Error::Usage)?;
            t.runs.push(start.elapsed());
            assert_eq!(bytes.len(), first.len(), "deterministic output");
        }
        timings.push(t);
    }

    // The baseline: LibreOffice headless, DOCX → PDF, same file.
    let baseline = libreoffice(&dir, &docx_path, baseline_runs)?;
    against_libreoffice(&timings, &baseline);
    eprintln!("Tệp đã tạo: {}", dir.display());
    Ok(())
}

/// Print the steps' `timings` and the LibreOffice `baseline` as a Markdown
/// table, each with the baseline's median over its own (how many times
/// faster than LibreOffice the step is).
fn against_libreoffice(timings: &[Timing], baseline: &Timing) {
    let base = ms(baseline.median());
    println!("| step | runs | median | min | LibreOffice ÷ step |\n|---|---:|---:|---:|---:|");
    for t in timings.iter().chain(std::iter::once(baseline)) {
        let ratio = base / ms(t.median());
        // Whole above 10 (LibreOffice ÷ a render is in the hundreds), two
        // decimals below, without trailing zeros (the baseline's is 1).
        let ratio = if ratio >= 10.0 {
            format!("{ratio:.0}")
        } else {
            let r = format!("{ratio:.2}");
            r.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        println!(
            "| {} | {} | {:.2} ms | {:.2} ms | {ratio}× |",
            t.label,
            t.runs.len(),
            ms(t.median()),
            ms(t.min()),
        );
    }
}

/// The baseline of the report benchmarks: LibreOffice headless converting
/// `docx` to PDF, each run starting soffice afresh (as a converter run from
/// a script does); the first run, which creates LibreOffice's profile in
/// `dir`, is not timed.
fn libreoffice(dir: &std::path::Path, docx: &std::path::Path, runs: u32) -> Result<Timing, Error> {
    let profile = dir.join("lo-profile");
    let mut baseline = Timing {
        label: "baseline: LibreOffice headless DOCX → PDF".into(),
        runs: Vec::new(),
    };
    for i in 0..=runs.max(1) {
        let start = Instant::now();
        let out = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(dir.join("lo"))
            .arg(docx)
            .output()
            .map_err(|e| {
                Error::Usage(format!(
                    "không chạy được soffice (cài gói libreoffice-writer-nogui): {e}"
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "soffice báo lỗi: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        if i > 0 {
            baseline.runs.push(start.elapsed());
        }
    }
    Ok(baseline)
}

/// Time `runs` calls of `f` after one warm-up call; returns the timings and
/// the last result.
async fn timed<T, F, Fut>(runs: u32, mut f: F) -> Result<(Timing, T), Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut last = f().await?;
    let mut t = Timing {
        label: String::new(),
        runs: Vec::new(),
    };
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = f().await?;
        t.runs.push(start.elapsed());
    }
    Ok((t, last))
}

fn bench_date(s: Option<String>) -> Result<chrono::NaiveDate, Error> {
    Ok(match s {
        Some(s) => parse_date(&s, "as_of", "Ngày số liệu (--as-of)")?,
        None => chrono::NaiveDate::from_ymd_opt(
            crate::gen::LAST_DAY.0,
            crate::gen::LAST_DAY.1,
            crate::gen::LAST_DAY.2,
        )
        .expect("valid date"),
    })
}

/// `toso bench indicators`.
pub async fn indicators(
    url: &str,
    (commune, province, nation): (i32, i32, bool),
    (as_of, from): (Option<String>, Option<String>),
    (runs, by_indicator): (u32, bool),
) -> Result<(), Error> {
    use chrono::Datelike;
    use toso_domain::{format_date, format_int, IndicatorCode, Node};
    use toso_store::Period;

    let store = Store::connect(url).await?;
    let as_of = bench_date(as_of)?;
    let from = match from {
        Some(s) => parse_date(&s, "from", "Từ ngày (--from)")?,
        None => as_of.with_day(1).expect("day 1"),
    };
    let provinces = store.provinces().await?;
    let size = store.database_size().await?;
    println!(
        "{} database, {:.1} GB; {} runs each after a warm-up\n",
        store.backend_name(),
        size as f64 / 1e9,
        runs.max(1)
    );
    println!(
        "| indicator table | activities in scope | median (min) | baseline median (min) | table ÷ baseline |\n|---|---:|---:|---:|---:|"
    );
    let store = &store;
    let provinces = &provinces;
    for period in [Period::as_of(as_of), Period::between(from, as_of)] {
        let when = match period.from {
            None => format!("as of {}", format_date(as_of)),
            Some(f) => format!("{} – {}", format_date(f), format_date(as_of)),
        };
        let mut scopes: Vec<(String, Option<Node>)> = Vec::new();
        if nation {
            scopes.push(("whole country (34 provinces in turn)".into(), None));
        }
        scopes.push((
            format!(
                "{} ({province})",
                store.node_name(Node::Province(province)).await?
            ),
            Some(Node::Province(province)),
        ));
        scopes.push((
            format!(
                "{} ({commune})",
                store.node_name(Node::Commune(commune)).await?
            ),
            Some(Node::Commune(commune)),
        ));
        for (label, node) in scopes {
            let (step, counted) = timed(runs, || async move {
                Ok(match node {
                    Some(n) => store
                        .indicators_in(n, period)
                        .await?
                        .count(IndicatorCode::SupportActivities),
                    None => {
                        let mut total = 0;
                        for p in provinces {
                            total += store
                                .indicators_in(Node::Province(p.code), period)
                                .await?
                                .count(IndicatorCode::SupportActivities);
                        }
                        total
                    }
                })
            })
            .await?;
            let (base, (_, raw, _)) = timed(runs, || async move {
                Ok(store
                    .raw_activity_totals(node, period.from, period.until)
                    .await?)
            })
            .await?;
            if raw != counted {
                eprintln!(
                    "Cảnh báo: {label}, {when}: chỉ tiêu đếm {counted} lượt hỗ trợ, truy vấn gốc đếm {raw}."
                );
            }
            println!(
                "| {label}, {when} | {} | {} | {} | {:.1}× |",
                format_int(counted),
                ms_cell(&step),
                ms_cell(&base),
                ms(step.median()) / ms(base.median()).max(1e-6)
            );
        }
    }
    if by_indicator {
        println!(
            "\nEach indicator alone, as of {} (ms, one run):\n\n| indicator | {} | province {province} | commune {commune} |\n|---|---:|---:|---:|",
            format_date(as_of),
            if nation { "whole country" } else { "—" },
        );
        let period = Period::as_of(as_of);
        for def in toso_domain::INDICATORS {
            let mut cells = Vec::new();
            let mut scopes: Vec<Vec<Node>> = Vec::new();
            if nation {
                scopes.push(provinces.iter().map(|p| Node::Province(p.code)).collect());
            } else {
                scopes.push(Vec::new());
            }
            scopes.push(vec![Node::Province(province)]);
            scopes.push(vec![Node::Commune(commune)]);
            for nodes in scopes {
                if nodes.is_empty() {
                    cells.push("—".to_string());
                    continue;
                }
                let start = Instant::now();
                for node in nodes {
                    store.indicator_in(def.code, node, period).await?;
                }
                cells.push(format!("{:.1}", ms(start.elapsed())));
            }
            println!("| {} | {} |", def.key, cells.join(" | "));
        }
    }
    store.close().await;
    Ok(())
}

/// "12.3 ms (11.9)": median, then min.
fn ms_cell(t: &Timing) -> String {
    let (med, min) = (ms(t.median()), ms(t.min()));
    if med >= 100.0 {
        format!("{med:.0} ms ({min:.0})")
    } else {
        format!("{med:.2} ms ({min:.2})")
    }
}

/// `toso bench pages`: the commune overview and the commune report, the
/// province home (`/provinces/{code}`, every commune of the province) and
/// the national home (`/nation`, every province), each beside `/healthz`;
/// the two homes also beside a raw `GROUP BY` over the same activities and
/// the store's table alone (in process, no HTTP or HTML).
pub async fn pages(
    url: &str,
    (commune, province, nation): (i32, Option<i32>, bool),
    as_of: Option<String>,
    user: &str,
    runs: u32,
) -> Result<(), Error> {
    use toso_domain::{format_date, format_int, Node};
    use toso_store::{Period, ReportingRequest};

    let store = Store::connect(url).await?;
    let as_of = bench_date(as_of)?;
    let account = store.user_by_login(user).await?.ok_or_else(|| {
        Error::Usage(format!(
            "không có tài khoản «{user}»: tạo bằng `toso user add --role admin --username {user}` \
             (hoặc chọn tài khoản bằng --user) rồi chạy lại."
        ))
    })?;
    // Default province: the one with the most communes (Hồ Chí Minh, 168).
    let province = match province {
        Some(code) => store.province(code).await?,
        None => {
            let mut largest = None;
            for p in store.provinces().await? {
                let n = store.communes_of(p.code).await?.len();
                if largest.as_ref().is_none_or(|(m, _)| n > *m) {
                    largest = Some((n, p));
                }
            }
            largest
                .map(|(_, p)| p)
                .ok_or_else(|| Error::Usage("cơ sở dữ liệu chưa có tỉnh nào.".into()))?
        }
    };
    let token = store.create_session(account.id, Some("127.0.0.1")).await?;

    // The real server on a loopback port, over its own pools.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(toso_web::serve(
        Store::connect_only(url).await?,
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::new();
    let cookie = format!("toso_session={token}");
    let get = |path: String| {
        let client = client.clone();
        let cookie = cookie.clone();
        let url = format!("{base}{path}");
        async move {
            let res = client
                .get(&url)
                .header("Cookie", cookie)
                .send()
                .await
                .map_err(|e| Error::Usage(format!("{url}: {e}")))?;
            let status = res.status();
            let body = res
                .bytes()
                .await
                .map_err(|e| Error::Usage(format!("{url}: {e}")))?;
            if !status.is_success() {
                return Err(Error::Usage(format!("{url}: HTTP {status}")));
            }
            Ok(body.len())
        }
    };
    let overview_path = format!("/communes/{commune}?as_of={}", format_date(as_of));
    let results = async {
        let (mut overview, bytes) = timed(runs, || get(overview_path.clone())).await?;
        overview.label = format!("GET {overview_path} ({bytes} bytes)");
        let (mut health, _) = timed(runs, || get("/healthz".to_string())).await?;
        health.label = "baseline: GET /healthz".into();

        // The report, for an in-memory request (nothing is stored).
        let c = store.commune(commune).await?;
        let request = ReportingRequest {
            id: 0,
            province_code: c.province_code,
            commune_code: Some(commune),
            doc_number: "1/SKHCN-CNTT".into(),
            issued_on: as_of,
            issuer: "Sở Khoa học và Công nghệ".into(),
            subject: "Báo cáo kết quả hoạt động của Tổ công nghệ số cộng đồng".into(),
            deadline: None,
            as_of,
            period_from: None,
            grace_days: 0,
            template_body: None,
        };
        let settings = toso_reporting::report_defaults(&store, commune, &request).await?;
        let store = &store;
        let (request, settings) = (&request, &settings);
        let (mut compose, _) = timed(runs, || async move {
            Ok(toso_reporting::compose_report(store, commune, request, settings).await?)
        })
        .await?;
        compose.label = "commune report: compose (figures, annex)".into();
        let (mut whole, pdf) = timed(runs, || async move {
            let snapshot =
                toso_reporting::compose_report(store, commune, request, settings).await?;
            render_file(&snapshot.printed, FileKind::Pdf).map_err(Error::Usage)
        })
        .await?;
        whole.label = format!("commune report: compose + PDF ({} bytes)", pdf.len());

        // The homes of the province and of the nation: each page, the
        // store's table alone, and the raw GROUP BY over the same scope.
        let period = Period::as_of(as_of);
        let mut scopes = vec![(
            format!("/provinces/{}?as_of={}", province.code, format_date(as_of)),
            format!("{} ({})", province.name, province.code),
            Node::Province(province.code),
            Some(Node::Province(province.code)),
        )];
        if nation {
            scopes.push((
                format!("/nation?as_of={}", format_date(as_of)),
                "whole country".into(),
                Node::Nation,
                None,
            ));
        }
        let mut homes = Vec::new();
        for (path, name, node, raw_node) in scopes {
            let (mut page, bytes) = timed(runs, || get(path.clone())).await?;
            page.label = format!("GET {path} ({bytes} bytes)");
            let (mut table, rows) = timed(runs, || async move {
                Ok(store.unit_table(node, period).await?.rows.len())
            })
            .await?;
            table.label = format!("store: unit_table alone, {name} ({rows} rows)");
            let (mut raw, (groups, activities, _)) = timed(runs, || async move {
                Ok(store.raw_activity_totals(raw_node, None, as_of).await?)
            })
            .await?;
            raw.label = format!(
                "baseline: raw GROUP BY commune_code ({} activities, {} groups)",
                format_int(activities),
                format_int(groups)
            );
            homes.push((page, table, raw));
        }
        Ok::<_, Error>((vec![overview, compose, whole, health], homes))
    }
    .await;
    let _ = stop.send(());
    let _ = server.await;
    store.delete_session(&token).await?;
    store.close().await;
    let (timings, homes) = results?;
    let base_ms = ms(timings.last().expect("baseline").median());
    println!("| step | runs | median (min) | ÷ /healthz |\n|---|---:|---:|---:|");
    for t in &timings {
        println!(
            "| {} | {} | {} | {:.1}× |",
            t.label,
            t.runs.len(),
            ms_cell(t),
            ms(t.median()) / base_ms.max(1e-6)
        );
    }
    println!(
        "\nThe province and national homes, as of {} (the ratios are medians):\n\n\
         | step | runs | median (min) | ÷ raw GROUP BY | ÷ /healthz |\n|---|---:|---:|---:|---:|",
        format_date(as_of)
    );
    for (page, table, raw) in &homes {
        let raw_ms = ms(raw.median()).max(1e-6);
        for t in [page, table, raw] {
            println!(
                "| {} | {} | {} | {} | {} |",
                t.label,
                t.runs.len(),
                ms_cell(t),
                ratio(ms(t.median()) / raw_ms),
                ratio(ms(t.median()) / base_ms.max(1e-6))
            );
        }
    }
    Ok(())
}

/// "0.11×", "2.5×", "3300×": two decimals below 1, one below 100.
fn ratio(r: f64) -> String {
    if r < 1.0 {
        format!("{r:.2}×")
    } else if r < 100.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.0}×")
    }
}

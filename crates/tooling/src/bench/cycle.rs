//! `toso bench cycle`: the Department's side of a request at the scale of a
//! whole province (issue 19's targets): the board of the request and the
//! consolidated report (composed from every commune's accepted version,
//! rendered as DOCX, PDF and XLSX), beside LibreOffice converting the same
//! DOCX to PDF in the same run.
//!
//! On the current database, for one province: with `--generate`, the
//! province's communes are first made by `toso gen`'s generator at the
//! national shape (12–48 villages a commune, its share of the country's 50
//! million support activities); then, unless done by an earlier run, a
//! request `9999/SKHCN-BENCH` is posted and every commune's report is composed,
//! stored, submitted and accepted (the setup, timed once); then the timed
//! runs.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use toso_domain::{format_int, DocumentNumber, Name, ReportState};
use toso_reporting::province::{compose_province_report, province_report_defaults};
use toso_reporting::render::render_file;
use toso_reporting::FileKind;
use toso_store::{Actor, NewRequest, Review, Store};

use super::{against_libreoffice, libreoffice, timed, Timing};
use crate::gen::{Shape, LAST_DAY};
use crate::Error;

/// The number of the request the benchmark posts.
const NUMBER: &str = "9999/SKHCN-BENCH";
/// Communes and support activities of the national data of `toso gen`.
const NATIONAL_COMMUNES: f64 = 3_321.0;
const NATIONAL_ACTIVITIES: f64 = 50_000_000.0;

/// `toso bench cycle`.
pub async fn cycle(
    url: &str,
    province: i32,
    generate: bool,
    (runs, baseline_runs): (u32, u32),
    work: Option<PathBuf>,
) -> Result<(), Error> {
    let store = Store::connect(url).await?;
    let communes = store.communes_of(province).await?;
    if communes.is_empty() {
        return Err(Error::Usage(format!(
            "không có tỉnh, thành phố mã {province}."
        )));
    }
    let codes: Vec<i32> = communes.iter().map(|c| c.code).collect();
    if generate {
        store.close().await;
        let shape = Shape {
            villages: (12, 48),
            members: (3, 7),
            activities: NATIONAL_ACTIVITIES * codes.len() as f64 / NATIONAL_COMMUNES,
        };
        let started = Instant::now();
        let counts = crate::gen::generate_communes(url, &codes, 1, &shape, "bench-cycle").await?;
        eprintln!(
            "Sinh dữ liệu {} xã: {} hoạt động hỗ trợ trong {:.1} s.",
            codes.len(),
            format_int(counts.support_activities),
            started.elapsed().as_secs_f64()
        );
        return Box::pin(cycle(url, province, false, (runs, baseline_runs), work)).await;
    }
    let actor = Actor::system("bench-cycle");
    let last = NaiveDate::from_ymd_opt(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2).expect("valid date");

    // The request and every commune's accepted report (once per database).
    let request = match store
        .requests_of_province(province)
        .await?
        .into_iter()
        .find(|r| r.doc_number == NUMBER)
    {
        Some(r) => r,
        None => {
            store
                .create_request(
                    &actor,
                    NewRequest::new(
                        province,
                        DocumentNumber::parse(NUMBER)?,
                        last,
                        Name::issuer("Sở Khoa học và Công nghệ")?,
                        Name::subject("Báo cáo kết quả Tổ công nghệ số cộng đồng")?,
                        Some(last + Days::new(10)),
                        last,
                    ),
                )
                .await?
        }
    };
    let states = store.request_states(request.id).await?;
    let started = Instant::now();
    let mut made = 0;
    for code in &codes {
        let seen = match states.get(code) {
            Some(s) if s.state == ReportState::Accepted => continue,
            Some(s) if s.state == ReportState::Submitted => s.seq,
            _ => {
                let mut settings = toso_reporting::report_defaults(&store, *code, &request).await?;
                settings.report_date = last + Days::new(5);
                let report =
                    toso_reporting::create_report(&store, &actor, *code, request.id, settings)
                        .await?;
                let seq = store.report_status(*code, request.id).await?.seq;
                store.submit_report(&actor, report.id, seq).await?.seq
            }
        };
        store
            .review_report(&actor, *code, request.id, Review::Accept, seen)
            .await?;
        made += 1;
    }
    if made > 0 {
        eprintln!(
            "Chuẩn bị: {made} báo cáo xã được lập, gửi và chấp nhận trong {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }

    let today = toso_store::today();
    let mut timings = Vec::new();
    let settings = province_report_defaults(&store, &request).await?;
    let (db, request, settings) = (&store, &request, &settings);
    let (mut t, board) = timed(runs, || async move {
        Ok(db.request_board(request.id, today).await?)
    })
    .await?;
    t.label = format!("board ({} communes)", board.rows.len());
    timings.push(t);

    let (mut t, snapshot) = timed(runs, || async move {
        Ok(compose_province_report(db, request, settings).await?)
    })
    .await?;
    t.label = format!(
        "compose (sums {} accepted versions)",
        snapshot.sources.len()
    );
    timings.push(t);
    let (mut t, _) = timed(runs, || async move {
        let snapshot = compose_province_report(db, request, settings).await?;
        for kind in FileKind::ALL {
            render_file(&snapshot.printed, kind).map_err(Error::Usage)?;
        }
        Ok(())
    })
    .await?;
    t.label = "compose + DOCX + PDF + XLSX".into();
    timings.push(t);
    store.close().await;

    let dir = match work {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("toso-bench-cycle-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let mut docx = dir.join("consolidated.docx");
    for kind in FileKind::ALL {
        let render = || render_file(&snapshot.printed, kind);
        let bytes = render().map_err(Error::Usage)?;
        let path = dir.join(format!("consolidated.{}", kind.extension()));
        std::fs::write(&path, &bytes)?;
        if kind == FileKind::Docx {
            docx = path;
        }
        let mut t = Timing {
            label: format!(
                "render {} ({} bytes)",
                kind.extension().to_uppercase(),
                bytes.len()
            ),
            runs: Vec::new(),
        };
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            render().map_err(Error::Usage)?;
            t.runs.push(start.elapsed());
        }
        timings.push(t);
    }
    let baseline = libreoffice(&dir, &docx, baseline_runs)?;
    against_libreoffice(&timings, &baseline);
    eprintln!("Tệp đã tạo: {}", dir.display());
    Ok(())
}

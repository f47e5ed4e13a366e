//! `toso bench`: the flags of the benchmarks; the measuring is in
//! toso-tooling (`toso_tooling::bench`).

use std::path::PathBuf;

use clap::Subcommand;

use crate::Database;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Time the commune report: composing the figures from the records,
    /// then rendering the frozen snapshot as DOCX, PDF and XLSX; beside
    /// LibreOffice headless converting the same DOCX to PDF (the baseline).
    Report {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = 11914)]
        commune: i32,
        #[arg(long, default_value = "4675/SKHCN-CNTT")]
        request: String,
        /// As-of date; default: the request's.
        #[arg(long)]
        as_of: Option<String>,
        /// Timed runs of each in-process step (after one warm-up run).
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// Timed LibreOffice conversions (each starts soffice afresh, as a
        /// converter run from a script does).
        #[arg(long, default_value_t = 3)]
        baseline_runs: u32,
        /// Folder for the files (a temporary one by default).
        #[arg(long)]
        work: Option<PathBuf>,
    },
    /// The Department's side of a request at a province's scale: the board
    /// and the consolidated report (composed from every commune's accepted
    /// version, rendered as DOCX, PDF and XLSX), beside LibreOffice
    /// converting the same DOCX. Sets up (once) a request `9999/SKHCN-BENCH`
    /// answered and accepted by every commune of the province.
    Cycle {
        #[command(flatten)]
        db: Database,
        /// The province; default: the one with the most communes (Thành phố
        /// Hồ Chí Minh, 79).
        #[arg(long, default_value_t = 79)]
        province: i32,
        /// First generate the province's communes with `toso gen`'s
        /// generator at the national shape (on a database without them).
        #[arg(long)]
        generate: bool,
        /// Timed runs of each step (after one warm-up run).
        #[arg(long, default_value_t = 10)]
        runs: u32,
        /// Timed LibreOffice conversions.
        #[arg(long, default_value_t = 3)]
        baseline_runs: u32,
        /// Folder for the files (a temporary one by default).
        #[arg(long)]
        work: Option<PathBuf>,
    },
    /// Support-log writes over HTTP from concurrent clients: accepted
    /// writes per second and latency, beside the same clients asking the
    /// trivial endpoint (/healthz) of the same server: the team page's form
    /// with its client id, the JSON API with a key, then (for reference) the
    /// form without a client id; afterwards every acknowledged write is
    /// looked up in the database.
    Writes {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = 11914)]
        commune: i32,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds of each phase (the baseline, then each kind of write).
        #[arg(long, default_value_t = 30.0)]
        seconds: f64,
        /// Run the JSON API's phase before the form's (by default the
        /// form's runs first): the later phase meets a database and WAL
        /// the earlier one grew.
        #[arg(long)]
        api_first: bool,
        /// Rounds of the form's and the API's phases, the order swapped
        /// each round (an even number gives each kind as many early turns
        /// as late ones); the ratio is over all rounds.
        #[arg(long, default_value_t = 1)]
        rounds: u32,
    },
    /// A commune's indicator table through the JSON API (a token, over
    /// loopback) beside the same table computed in process (the baseline).
    Api {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = 11914)]
        commune: i32,
        /// As-of date (ISO or dd/mm/yyyy).
        #[arg(long, default_value = "2025-11-30")]
        as_of: String,
        /// Timed runs of each (after one warm-up run).
        #[arg(long, default_value_t = 50)]
        runs: u32,
    },
    /// Resident memory of `toso serve`, idle after start and after serving
    /// pages, beside the binary doing nothing else.
    Idle {
        #[command(flatten)]
        db: Database,
        /// Page loads between the two readings.
        #[arg(long, default_value_t = 200)]
        pages: u32,
    },
    /// The indicator table (every indicator) of the whole country (the 34
    /// provinces in turn), a province and a commune, as of a date and over a
    /// period, on the current database; beside a raw `SELECT … GROUP BY
    /// commune_code` counting the same support activities and summing the
    /// people helped (the baseline). Generate data first with `toso gen`.
    Indicators {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = toso_tooling::gen::DEFAULT_COMMUNE)]
        commune: i32,
        #[arg(long, default_value_t = toso_tooling::gen::CITY_PROVINCE)]
        province: i32,
        /// As-of date; default: the last day of `toso gen`'s data (31/10/2026).
        #[arg(long)]
        as_of: Option<String>,
        /// Start of the period; default: the first day of the as-of month.
        #[arg(long)]
        from: Option<String>,
        /// Timed runs of each step (after one warm-up run).
        #[arg(long, default_value_t = 5)]
        runs: u32,
        /// Leave out the whole country (the 34 provinces in turn).
        #[arg(long)]
        no_nation: bool,
        /// Then time each indicator alone (as of the date, one run after
        /// the tables above), to show where a table's time goes.
        #[arg(long)]
        by_indicator: bool,
    },
    /// The commune overview page (GET through the real server on a loopback
    /// port, signed in), the commune report (composed; composed and
    /// rendered as PDF), the province home (every commune of a province)
    /// and the national home (every province), beside the trivial endpoint
    /// /healthz fetched the same way; the two homes also beside the store's
    /// table alone and a raw `SELECT … GROUP BY commune_code` over the same
    /// support activities.
    Pages {
        #[command(flatten)]
        db: Database,
        #[arg(long, default_value_t = toso_tooling::gen::DEFAULT_COMMUNE)]
        commune: i32,
        /// The province whose home is timed; default: the one with the most
        /// communes (Thành phố Hồ Chí Minh, 79).
        #[arg(long)]
        province: Option<i32>,
        /// Leave out the national home (`/nation`) and its baseline.
        #[arg(long)]
        no_nation: bool,
        /// As-of date; default: the last day of `toso gen`'s data (31/10/2026).
        #[arg(long)]
        as_of: Option<String>,
        /// The account the pages are read as (an admin, or an officer of the
        /// commune); a session is opened for it and closed afterwards.
        #[arg(long, default_value = "admin")]
        user: String,
        /// Timed runs of each step (after one warm-up run).
        #[arg(long, default_value_t = 20)]
        runs: u32,
    },
}

/// Run the benchmark `command` (toso-tooling does the measuring).
pub async fn run(command: BenchCommand) -> Result<(), toso_tooling::Error> {
    use toso_tooling::bench;
    match command {
        BenchCommand::Indicators {
            db,
            commune,
            province,
            as_of,
            from,
            runs,
            no_nation,
            by_indicator,
        } => {
            bench::indicators(
                &db.url(),
                (commune, province, !no_nation),
                (as_of, from),
                (runs, by_indicator),
            )
            .await
        }
        BenchCommand::Pages {
            db,
            commune,
            province,
            no_nation,
            as_of,
            user,
            runs,
        } => {
            bench::pages(
                &db.url(),
                (commune, province, !no_nation),
                as_of,
                &user,
                runs,
            )
            .await
        }
        BenchCommand::Writes {
            db,
            commune,
            clients,
            seconds,
            api_first,
            rounds,
        } => bench::writes(&db.url(), commune, clients, seconds, api_first, rounds).await,
        BenchCommand::Idle { db, pages } => bench::idle(&db.url(), pages).await,
        BenchCommand::Api {
            db,
            commune,
            as_of,
            runs,
        } => {
            let as_of = toso_domain::parse_date(&as_of, "as_of", "Ngày báo cáo")
                .map_err(|e| toso_tooling::Error::Usage(e.message))?;
            bench::api_reads(&db.url(), commune, as_of, runs.max(1)).await
        }
        BenchCommand::Cycle {
            db,
            province,
            generate,
            runs,
            baseline_runs,
            work,
        } => bench::cycle(&db.url(), province, generate, (runs, baseline_runs), work).await,
        BenchCommand::Report {
            db,
            commune,
            request,
            as_of,
            runs,
            baseline_runs,
            work,
        } => {
            bench::report(
                &db.url(),
                commune,
                &request,
                as_of,
                (runs, baseline_runs),
                work,
            )
            .await
        }
    }
}

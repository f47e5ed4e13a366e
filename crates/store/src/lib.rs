//! Storage for Tổ Số: one API, two backends (SQLite for a commune's laptop,
//! PostgreSQL for a province), chosen by the database URL.
//!
//! SQL is written once with `$1` placeholders, which both databases accept;
//! each query's text is compiled for both backends by the [`on_read!`] and
//! [`on_write!`] macros, so the two can never drift apart.
//!
//! The storage contract, in one place — what differs per backend, and where:
//! - migrations: `migrations/sqlite` and `migrations/postgres`, one file per
//!   step in each, applied at start ([`Store::migrate`]);
//! - connections: SQLite has a pool of readers and a single writer (WAL,
//!   foreign keys on, `synchronous=FULL`), so writes queue in-process; a
//!   PostgreSQL pool serves both ([`Store::connect`]);
//! - bulk paths: the importer writes people and memberships through
//!   multi-row statements on SQLite's raw handle (`sqlite_raw`) and through
//!   `COPY` on PostgreSQL; `toso gen`'s loader (crate toso-tooling) likewise;
//! - a few statements whose dialects disagree (rollup rebuilds, page-cache
//!   pragmas) branch on [`Store::dialect`] — a [`Dialect`], never the
//!   backend's name compared as a string.
//!
//! Everything else (every record's SQL, the indicator queries) is one text
//! for both, and the whole store test suite runs on both (`both_backends!`).
//!
//! Feature `openapi` (the web crate turns it on): the few records the JSON
//! API answers as they are (a support activity, a duty day, a unit's row
//! of figures) derive their OpenAPI schema here, under the API's names.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

mod error;
pub use error::StoreError;

/// Run `$body` with `$pool` bound to the backend's pool for reads.
macro_rules! on_read {
    ($store:expr, $pool:ident => $body:expr) => {
        match &*$store.backend {
            $crate::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Run `$body` with `$pool` bound to the backend's pool for writes. SQLite
/// has a single writer connection, so writes queue in-process instead of
/// failing with `SQLITE_BUSY`.
macro_rules! on_write {
    ($store:expr, $pool:ident => $body:expr) => {
        match &*$store.backend {
            $crate::Backend::Sqlite { write: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Append one row to the audit log inside the transaction `$tx`. The
/// 8-argument form records the commune the change belongs to, and its
/// province is derived from it in SQL; the `province:` form names the
/// province too, for the changes of a province that belong to no commune
/// (its reporting requests, its officers' accounts and tokens).
macro_rules! audit {
    ($tx:expr, $actor:expr, province: $province:expr, $commune:expr, $entity:expr, $id:expr, $action:expr, $before:expr, $after:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, address, commune_code, entity, entity_id, action, before, after, province_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             COALESCE($10, (SELECT province_code FROM communes WHERE code = $4)))",
        )
        .bind(chrono::Utc::now())
        .bind(&$actor.name)
        .bind($actor.address.as_deref())
        .bind($commune)
        .bind($entity)
        .bind($id)
        .bind($action)
        .bind($crate::audit::json($before))
        .bind($crate::audit::json($after))
        .bind($province)
        .execute(&mut *$tx)
        .await?
    };
    ($tx:expr, $actor:expr, $entity:expr, $id:expr, $action:expr, $before:expr, $after:expr) => {
        audit!($tx, $actor, None::<i32>, $entity, $id, $action, $before, $after)
    };
    ($tx:expr, $actor:expr, $commune:expr, $entity:expr, $id:expr, $action:expr, $before:expr, $after:expr) => {
        audit!($tx, $actor, province: None::<i32>, $commune, $entity, $id, $action, $before, $after)
    };
}

/// `$outer` reads the fields of its `$field: $inner` through it (a record
/// joined with more, or one of two owners of the same columns:
/// `report.version` is `report.stored.version`).
macro_rules! reads_through {
    ($outer:ty => $field:ident: $inner:ty) => {
        impl std::ops::Deref for $outer {
            type Target = $inner;

            fn deref(&self) -> &$inner {
                &self.$field
            }
        }
    };
}

pub mod accounts;
pub mod activities;
pub mod admin;
pub mod allowance;
pub mod audit;
pub mod backup;
pub mod board;
pub mod campaigns;
pub mod contests;
pub mod cycle;
pub mod documents;
pub mod export;
pub mod help;
pub mod idempotency;
pub mod import;
pub mod indicators;
pub(crate) mod multirow;
pub mod notices;
pub mod ops;
pub mod people;
pub mod province_reports;
pub mod reports;
pub(crate) mod rollups;
mod rules;
pub mod search;
pub(crate) mod sqlite_raw;
pub mod teams;
mod tooling;
pub mod training;
pub mod villages;

pub use accounts::{
    ApiToken, LoginError, NewUser, ServiceScope, ServiceToken, TokenGrant, TokenKind, TokenScope,
    User,
};
pub use activities::{Activity, ActivityAuthor, ActivityUpdate, NewActivity};
pub use admin::{Commune, Province};
pub use allowance::{
    AllowancePolicy, DutyDay, DutyMember, Frozen, MonthApproval, MonthFigures, MonthView,
    NewDutyDay, NewPolicy, PolicyOwner,
};
pub use audit::{Actor, AuditEntry, AuditFilter};
pub use board::{Board, BoardRow, Exclusion, Officer, Timeliness};
pub use campaigns::{Campaign, NewCampaign};
pub use contests::{Contest, NewContest, Registration, RegistrationUpdate};
pub use cycle::{CycleStatus, Review, Transition};
pub use documents::{Document, DocumentFilter, DocumentUses, NewDocument};
pub use help::{
    HelpDone, HelpRequest, HelpSettings, Holiday, NewHelpRequest, PublicLookup, PublicMember,
    PublicTeam, PublicVillage, QueueScope, Sweep,
};
pub use idempotency::Claim;
pub use import::{Counts, ImportOptions, ImportReport, RowAction, RowOutcome};
pub use indicators::{
    ActivityGroup, ActivityRow, ActivityScope, Evidence, IndicatorEntry, IndicatorSet, Period,
    RecordsPage, UnitRow, UnitTable, VillageRank, MAX_RECORDS_PAGE,
};
pub use notices::{Notice, NoticeKind};
pub use people::{
    MemberView, Membership, MembershipTerm, NewMembership, NewPerson, Person, PersonMembership,
    PersonUpdate,
};
pub use province_reports::ProvinceReport;
pub use reports::{
    NewRequest, Report, ReportSettings, ReportTemplate, ReportVersion, ReportingRequest,
    VillageSummary,
};
pub use rollups::{rebuild_statements as rollup_rebuild_statements, TABLES as ROLLUP_TABLES};
pub use search::{PersonHit, SearchResults};
pub use teams::{ListedTeam, NewTeam, Team, TeamUpdate};
pub use training::{Course, NewCourse, Participant};
pub use villages::{NewVillage, Village, VillageUpdate};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The default database: a SQLite file beside the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://toso.db";

/// The SQL dialect of a backend, for the few statements written per
/// dialect (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `"sqlite"` or `"postgres"`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

enum Backend {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// The one storage API. Cheap to clone (pools are reference counted).
#[derive(Clone)]
pub struct Store {
    backend: std::sync::Arc<Backend>,
    /// The support log's group-commit writer, started at the first write
    /// (see `activities::LogWriter`).
    activity_log: std::sync::Arc<std::sync::OnceLock<activities::LogSender>>,
    /// Counters for `/metrics` (see [`ops`]).
    stats: std::sync::Arc<ops::StoreStats>,
}

impl Store {
    /// Connect to `url` (`sqlite://FILE` or `postgres://…`), apply the
    /// backend's migrations and load the administrative units if missing.
    pub async fn connect(url: &str) -> Result<Store> {
        let store = Self::connect_only(url).await?;
        store.migrate().await?;
        store.load_admin_units().await?;
        Ok(store)
    }

    /// Connect without migrating (for tools that inspect a database).
    pub async fn connect_only(url: &str) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            // Durability over speed: WAL with synchronous=FULL fsyncs the
            // log at every commit, so an acknowledged write survives a power cut.
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts.read_only(true))
                .await?;
            Backend::Sqlite { read, write }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::Url(format!(
                "«{url}»: chỉ hỗ trợ sqlite://TỆP hoặc postgres://…"
            )));
        };
        Ok(Store {
            backend: std::sync::Arc::new(backend),
            activity_log: Default::default(),
            stats: Default::default(),
        })
    }

    /// Which SQL dialect the backend speaks.
    pub fn dialect(&self) -> Dialect {
        match &*self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// `"sqlite"` or `"postgres"` (for logs and `/healthz`).
    pub fn backend_name(&self) -> &'static str {
        self.dialect().name()
    }

    /// Apply the backend's migrations (idempotent).
    pub async fn migrate(&self) -> Result<()> {
        match &*self.backend {
            Backend::Sqlite { write, .. } => sqlx::migrate!("migrations/sqlite").run(write).await?,
            Backend::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        self.ensure_activity_rollups().await
    }

    /// A cheap query that proves the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_read!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Close every pool (the SQLite WAL is checkpointed on close).
    pub async fn close(&self) {
        match &*self.backend {
            Backend::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Today's date in Vietnam (UTC+7), used for "not in the future" checks.
pub fn today() -> chrono::NaiveDate {
    let vn = toso_domain::vietnam();
    chrono::Utc::now().with_timezone(&vn).date_naive()
}

/// The SQL test of a half-open period `[start, end)` containing `$1`.
pub(crate) fn active_on(start: &str, end: &str) -> String {
    format!("({start} <= $1 AND ({end} IS NULL OR {end} > $1))")
}

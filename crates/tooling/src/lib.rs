//! Tooling of Tổ Số, out of the product path: what the benchmarks need and
//! no officer does.
//!
//! * [`gen`]: `toso gen`, synthetic communes at the scale of one commune, a
//!   city or the whole country, written through [`bulk`].
//! * [`roster`]: `toso sample-roster`, a synthetic roster sheet for the
//!   import benchmark.
//! * [`bench`]: `toso bench`, each measurement beside a baseline run in the
//!   same process.
//! * [`bulk`]: the bulk loader (one transaction, indexes and triggers off
//!   while it writes, one audit row for the whole load).
//! * [`demo_province`]: twelve more Hải Phòng communes for the demo, made
//!   by [`gen`], with the reporting cycle of the demo's request in every
//!   state.
//!
//! The `toso` binary (toso-cli) keeps the subcommands by calling in here;
//! the synthetic names come from the demo commune's lists (toso-demo).

pub mod bench;
pub mod bulk;
pub mod demo_province;
pub mod gen;
pub mod roster;

use toso_domain::DomainError;
use toso_store::StoreError;

/// What the tooling can fail with. The messages are Vietnamese, as the
/// rest of the binary's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("Lỗi vào/ra: {}", toso_domain::io_reason(.0))]
    Io(#[from] std::io::Error),
    /// Wrong flags, or a tool the benchmark needs is missing.
    #[error("{0}")]
    Usage(String),
    /// The database already has data where `toso gen` would write.
    #[error("{0}")]
    Refused(String),
}

//! The reporting room: composing a commune's report and rendering it.
//!
//! * [`compose`] — the settings of a new report (the commune's saved
//!   template or the built-in one) and the [`Snapshot`] a version freezes:
//!   the body template resolved with the store's indicators and the texts of
//!   the commune's records ([`phrases`]), the document model, the village
//!   annex ([`annex`]).
//! * [`render`] — a frozen snapshot to DOCX, PDF or the XLSX annex, and the
//!   files' names.
//!
//! The store keeps requests, reports (with their snapshots) and the
//! indicator queries; the document model and the DOCX/XLSX writers are in
//! `toso-reports`, the typst PDF in `toso-pdf`. This crate sits above all
//! three (it cannot live in `toso-reports`: the store and the PDF renderer
//! both depend on the model), and the web and the CLI both call it.

pub mod annex;
pub mod compose;
pub mod phrases;
pub mod render;

pub use compose::{
    compose_report, create_report, report_defaults, DEFAULT_BODY, DEFAULT_SIGNER_CAPACITY,
    DEFAULT_SUBJECT, UNNUMBERED,
};
pub use render::{file_name, render_file, FileKind};
pub use toso_reports::Snapshot;

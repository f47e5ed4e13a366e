//! The reporting room: composing a commune's report and rendering it.
//!
//! * [`compose`] — the settings of a new report (the commune's saved
//!   template or the built-in one) and the [`Snapshot`] a version freezes:
//!   the body template resolved with the store's indicators and the texts of
//!   the commune's records ([`phrases`]), the document model, the village
//!   annex ([`annex`]).
//! * [`province`] — the Department's consolidated report for a request:
//!   the accepted commune versions summed from their frozen values, the
//!   annex with one row per commune of the province.
//! * [`render`] — a frozen snapshot (a commune's or a province's) to DOCX,
//!   PDF or the XLSX annex, and the files' names.
//! * [`poster`] — the village posters of a commune (one A4 page per
//!   village, with the QR code of its public page) as one PDF.
//! * [`allowance`] — a commune's month: the allowance list and every
//!   team's attendance sheet as XLSX and PDF; [`allowance_month`] makes
//!   that document from the store's month (frozen when approved).
//!
//! The store keeps requests, reports (with their snapshots) and the
//! indicator queries; the document model and the DOCX/XLSX writers are in
//! `toso-reports`, the typst PDF in `toso-pdf`. This crate sits above all
//! three (it cannot live in `toso-reports`: the store and the PDF renderer
//! both depend on the model), and the web and the CLI both call it.

pub mod allowance;
pub mod allowance_month;
pub mod annex;
pub mod compose;
pub mod phrases;
pub mod poster;
pub mod province;
pub mod render;

pub use compose::{
    compose_report, create_report, report_defaults, DEFAULT_BODY, DEFAULT_SIGNER_CAPACITY,
    DEFAULT_SUBJECT, UNNUMBERED,
};
pub use province::{
    compose_province_report, create_province_report, province_report_defaults, PROVINCE_BODY,
    PROVINCE_PLACEHOLDERS, PROVINCE_SIGNER_CAPACITY, PROVINCE_UNNUMBERED,
};
pub use render::{file_name, province_file_name, render_file, FileKind};
pub use toso_reports::Snapshot;

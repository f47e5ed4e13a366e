//! The report model: one administrative document (Nghị định 30/2020/NĐ-CP,
//! Phụ lục I) as plain data, and the renderers that turn it into files.
//!
//! The model is what a report snapshot freezes: every figure in it is already
//! text ("1.440", "100%"), so rendering the same snapshot gives the same
//! bytes whatever the database says later. Figures keep a [`Source`] (the
//! placeholder they came from) so the HTML preview can link each one to the
//! records behind it; DOCX and PDF render them as plain text.

pub mod docx;
pub mod model;
pub mod placeholders;
pub mod template;
pub mod text;
pub mod xlsx;

pub use docx::{render_docx, render_docx_with_annexes, xml_escape};
pub use model::{
    Annex, Block, Cell, Document, FrozenFigure, FrozenValue, Inline, Printed, ProvinceSnapshot,
    Signature, Snapshot, Source, SourceVersion,
};
pub use placeholders::{placeholders, PlaceholderInfo};
pub use template::TemplateError;
pub use xlsx::render_annex;

/// Errors of the renderers in this crate.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file could not be written, e.g. the format cannot hold the date
    /// (a malformed date never gets here: the model's dates are dates,
    /// checked when a snapshot is read).
    #[error("không tạo được tệp báo cáo: {0}")]
    Render(String),
}

//! Spreadsheets in and out for Tổ Số.
//!
//! * Reading ([`read_path`], [`read_bytes`]): XLSX (streamed cell by cell
//!   with calamine), legacy XLS and CSV (UTF-8, `,` `;` or tab). The header
//!   row is found below any title rows by matching headers that ignore
//!   diacritics, case, punctuation and the usual variants; merged cells count
//!   in every cell they cover; every data row becomes a typed row parsed by
//!   the domain types, or an [`Issue`] naming the row and the column.
//! * Writing ([`write_xlsx`], [`write_csv`], [`template_xlsx`]): a [`Table`]
//!   built by the store becomes a styled XLSX or a UTF-8 CSV with BOM;
//!   [`XlsxStream`] and [`CsvStream`] write the same files row by row, for
//!   lists too long to hold.
//!
//! Without the default `files` feature only the row types, the column specs
//! and the table model are built — all the store needs.

pub mod cell;
pub mod columns;
#[cfg(feature = "files")]
pub mod error;
#[cfg(feature = "files")]
pub mod read;
pub mod rows;
pub mod table;
#[cfg(feature = "files")]
pub mod write;
#[cfg(feature = "files")]
mod xlsx_merges;

pub use cell::Cell;
pub use columns::{
    column_letter, header_key, match_header, match_header_scored, ColumnSpec, Field, ManualColumns,
    MappedColumn, Pick, SheetHeader, SheetKind,
};
#[cfg(feature = "files")]
pub use error::SheetError;
#[cfg(feature = "files")]
pub use read::{read_bytes, read_path, ReadOptions, DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS};
pub use rows::{
    guess_village_kind, map_affiliation, map_role, village_key, ColumnMap, DocumentRow, Issue,
    MemberRow, ParsedSheet, RowParser, Rows, TeamRow, VillageRow,
};
pub use table::{Column, Table, Value};
#[cfg(feature = "files")]
pub use write::{
    template, template_xlsx, write_csv, write_xlsx, CsvStream, XlsxStream, XLSX_HEADER_ROW,
};

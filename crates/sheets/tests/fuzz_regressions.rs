//! Inputs found by `cargo fuzz run sheet_xlsx` / `sheet_csv` (see
//! TESTING.md). A fuzz input is one selector byte (the sheet kind, index in
//! `SheetKind::ALL`) followed by the file.

use chrono::NaiveDate;
use toso_sheets::{read_bytes, ReadOptions, SheetError, SheetKind};

fn read_fuzz_input(data: &[u8]) -> Result<toso_sheets::ParsedSheet, SheetError> {
    let (&selector, body) = data.split_first().unwrap();
    let kind = SheetKind::ALL[selector as usize % SheetKind::ALL.len()];
    let opts = ReadOptions::new(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
    read_bytes("fuzz.xlsx", body, kind, &opts, &mut |_, _| {})
}

/// A merged range written bottom-up (`<mergeCell ref="B6:C4"/>`) made
/// calamine's dimension parser subtract with overflow: a panic in debug
/// builds (the import task failed with a 500). Now a Vietnamese error or a
/// read, never a panic.
#[test]
fn merged_range_with_end_above_start() {
    let data = include_bytes!("fuzz/merge-range-reversed.bin");
    match read_fuzz_input(data) {
        Ok(_) => {}
        Err(e) => assert!(e.to_string().contains("Tệp «fuzz.xlsx»"), "{e}"),
    }
}

//! The XLSX/XLS importer on arbitrary bytes: Ok or Err, never a panic.
//! The first byte picks the sheet kind; the rest is the file.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use toso_sheets::{read_bytes, ReadOptions, SheetKind};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    // Arbitrary text goes down the CSV path (the sheet_csv target): keep
    // this target on the zip (XLSX) and OLE (XLS) readers.
    if !(body.starts_with(b"PK\x03\x04") || body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])) {
        return;
    }
    let kind = SheetKind::ALL[selector as usize % SheetKind::ALL.len()];
    let mut opts = ReadOptions::new(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
    opts.max_rows = 10_000;
    let _ = read_bytes("fuzz.xlsx", body, kind, &opts, &mut |_, _| {});
});

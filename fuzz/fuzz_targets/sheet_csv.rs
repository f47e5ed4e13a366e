//! The CSV importer on arbitrary bytes: Ok or Err, never a panic.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use toso_sheets::{read_bytes, ReadOptions, SheetKind};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let kind = SheetKind::ALL[selector as usize % SheetKind::ALL.len()];
    let mut opts = ReadOptions::new(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
    opts.max_rows = 10_000;
    let _ = read_bytes("fuzz.csv", body, kind, &opts, &mut |_, _| {});
});

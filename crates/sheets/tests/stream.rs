//! The streaming writers make the same files as the whole-table writers.

use chrono::NaiveDate;
use toso_sheets::{
    read_bytes, write_csv, write_xlsx, Column, CsvStream, ReadOptions, SheetKind, Table, Value,
    XlsxStream,
};

fn table() -> Table {
    let mut t = Table::new(
        "Danh sách",
        "DANH SÁCH THÀNH VIÊN",
        ["STT", "Họ và tên", "Năm sinh", "Thôn/TDP", "Ngày tham gia"]
            .iter()
            .map(|h| Column::new(*h, 12.0))
            .collect(),
    );
    t.subtitle = Some("Đặc khu Cát Hải".into());
    for i in 0..2_500i64 {
        t.rows.push(vec![
            Value::Plain(i + 1),
            Value::text(format!(
                "{} Văn {}",
                ["Nguyễn", "Trần", "Lê", "Phạm"][(i % 4) as usize],
                ["An", "Bình", "Cường", "Dũng", "Giang"][(i / 4 % 5) as usize]
            )),
            Value::Plain(1970 + i % 30),
            Value::text(format!("Thôn {}", i % 9 + 1)),
            if i % 2 == 0 {
                Value::Date(NaiveDate::from_ymd_opt(2025, 10, 31).unwrap())
            } else {
                Value::Empty
            },
        ]);
    }
    t
}

#[test]
fn csv_stream_is_write_csv() {
    let t = table();
    let mut whole = Vec::new();
    write_csv(&t, &mut whole).unwrap();
    let mut head = t.clone();
    head.rows.clear();
    let mut w = CsvStream::new(&head, Vec::new()).unwrap();
    for row in &t.rows {
        w.push(row).unwrap();
    }
    assert_eq!(w.rows(), 2_500);
    assert_eq!(w.finish().unwrap(), whole);
}

#[test]
fn xlsx_stream_reads_back_as_write_xlsx() {
    let t = table();
    let whole = write_xlsx(std::slice::from_ref(&t)).unwrap();
    let mut head = t.clone();
    head.rows.clear();
    let mut w = XlsxStream::new(&head).unwrap();
    for row in &t.rows {
        w.push(row).unwrap();
    }
    assert_eq!(w.rows(), 2_500);
    let streamed = w.into_bytes().unwrap();
    let opts = ReadOptions::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let a = read_bytes("a.xlsx", &whole, SheetKind::Members, &opts, &mut |_, _| {}).unwrap();
    let b = read_bytes(
        "b.xlsx",
        &streamed,
        SheetKind::Members,
        &opts,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.rows.len(), 2_500);
    assert_eq!(a.header_line, b.header_line);
    assert_eq!(a.errors, b.errors);
}

#[test]
fn xlsx_stream_to_a_writer_is_into_bytes() {
    let t = table();
    let mut head = t.clone();
    head.rows.clear();
    let stream = || {
        let mut w = XlsxStream::new(&head).unwrap();
        for row in &t.rows {
            w.push(row).unwrap();
        }
        w
    };
    let bytes = stream().into_bytes().unwrap();
    // A writer that cannot seek, written in small pieces.
    struct Pieces(Vec<u8>, usize);
    impl std::io::Write for Pieces {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.1 += 1;
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Pieces(Vec::new(), 0);
    stream().save_to_writer(&mut out).unwrap();
    assert!(out.1 > 1);
    let opts = ReadOptions::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    let a = read_bytes("a.xlsx", &bytes, SheetKind::Members, &opts, &mut |_, _| {}).unwrap();
    let b = read_bytes("b.xlsx", &out.0, SheetKind::Members, &opts, &mut |_, _| {}).unwrap();
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.rows.len(), 2_500);
}

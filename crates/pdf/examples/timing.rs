//! Times `render_pdf` on the sample report.
//!
//! `cargo run --release -p toso-pdf --example timing [N]` renders the sample
//! once to warm up (fonts, library and template are set up then), then N
//! times (default 20), and prints the mean; then N distinct variants.

use std::time::Instant;

use toso_reports::Document;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let doc = Document::sample();

    let start = Instant::now();
    let first = toso_pdf::render_pdf(&doc).expect("render the sample");
    println!(
        "first render (with setup): {:.1} ms, {} bytes",
        ms(start),
        first.len()
    );

    let start = Instant::now();
    for _ in 0..n {
        let pdf = toso_pdf::render_pdf(&doc).expect("render the sample");
        assert_eq!(pdf, first, "renders differ");
    }
    let mean = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!("mean of {n} renders of the same document: {mean:.1} ms");

    // Distinct documents: typst's memoisation helps less.
    let start = Instant::now();
    for i in 0..n {
        let mut doc = doc.clone();
        doc.number = format!("{:02}/BC-UBND", i + 1);
        toso_pdf::render_pdf(&doc).expect("render a variant");
    }
    let mean = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!("mean of {n} renders of distinct documents: {mean:.1} ms");
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

//! Writes the sample report (and a variant with a parent body, and a long
//! variant) as PDFs:
//! `cargo run -p toso-pdf --example render_sample -- OUT_DIR`.

use toso_reports::{Block, Document, Inline};

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let doc = Document::sample();
    std::fs::write(
        format!("{out}/sample.pdf"),
        toso_pdf::render_pdf(&doc).unwrap(),
    )
    .unwrap();

    let mut parent = doc.clone();
    parent.parent_body = Some("UBND THÀNH PHỐ HỒ CHÍ MINH".into());
    std::fs::write(
        format!("{out}/parent.pdf"),
        toso_pdf::render_pdf(&parent).unwrap(),
    )
    .unwrap();

    let mut long = doc.clone();
    let last = long.blocks.pop().unwrap();
    for i in 1..=40 {
        long.blocks.push(Block::Paragraph {
            content: vec![Inline::plain(format!(
                "- Đoạn bổ sung số {i}: Tổ công nghệ số cộng đồng tiếp tục hướng dẫn người dân \
                 sử dụng dịch vụ công trực tuyến, thanh toán không dùng tiền mặt."
            ))],
        });
    }
    long.blocks.push(last);
    std::fs::write(
        format!("{out}/long.pdf"),
        toso_pdf::render_pdf(&long).unwrap(),
    )
    .unwrap();
}

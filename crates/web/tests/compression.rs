//! Answers are gzipped where it pays: text (pages, the stylesheet, CSV) for a
//! client that accepts gzip, never for one that does not, and never the files
//! that are compressed already (XLSX). The gzipped body is the same page.

use std::io::Read;

use toso_testkit::{both_backends, Backend, TestApp, TestDb};

both_backends!(text_is_gzipped_files_are_not);

/// GET `path` as the signed-in user, with or without `Accept-Encoding: gzip`:
/// (status, Content-Encoding, body as sent, body decoded).
async fn fetch(app: &TestApp, path: &str, gzip: bool) -> (u16, Option<String>, Vec<u8>, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    if let Some(s) = &app.session {
        req = req.header("cookie", format!("toso_session={s}"));
    }
    if gzip {
        req = req.header("accept-encoding", "gzip");
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let encoding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    let sent = res.bytes().await.unwrap().to_vec();
    let decoded = if encoding.as_deref() == Some("gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&sent[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        sent.clone()
    };
    (status, encoding, sent, decoded)
}

async fn text_is_gzipped_files_are_not(backend: Backend) {
    let mut app = TestApp::spawn(TestDb::with_demo(backend).await).await;
    app.login("canboxa").await;
    for path in [
        "/communes/11914",
        "/static/app.css",
        "/communes/11914/export/members.csv",
    ] {
        let (status, plain_encoding, plain, _) = fetch(&app, path, false).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(plain_encoding, None, "{path}: not gzipped unless asked");
        let (status, encoding, sent, decoded) = fetch(&app, path, true).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(encoding.as_deref(), Some("gzip"), "{path}");
        assert!(
            sent.len() * 2 < plain.len(),
            "{path}: {} bytes gzipped, {} plain",
            sent.len(),
            plain.len()
        );
        if path.ends_with(".csv") {
            assert_eq!(decoded, plain, "{path}: the same file");
        } else {
            // Pages carry a fresh CSRF token per answer: compare the text
            // around it.
            let text = String::from_utf8(decoded).unwrap();
            assert!(text.contains("Cát Hải") || path.ends_with(".css"), "{path}");
            assert_eq!(text.len(), plain.len(), "{path}: the same page");
        }
    }
    // An XLSX is a zip archive already: sent as it is.
    let (status, encoding, _, _) = fetch(&app, "/communes/11914/export/members.xlsx", true).await;
    assert_eq!(status, 200);
    assert_eq!(encoding, None);
    app.stop().await;
}

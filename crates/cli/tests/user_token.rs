//! `toso user token`: a personal API token of an account for a script,
//! its secret alone on standard output, with the scope and last day asked
//! for; refusals name the field and create nothing.

mod common;
use common::toso;

use toso_store::accounts::token_last_day;
use toso_store::TokenScope;
use toso_testkit::{both_backends, Backend, TestDb};

both_backends!(a_token_for_a_script);

async fn a_token_for_a_script(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let officer = toso_testkit::account(store, "canboxa").await;
    let last_day = toso_store::today() + chrono::Duration::days(30);
    let last_day_text = toso_domain::format_date(last_day);
    let out = toso(
        &db.url,
        &[
            "user",
            "token",
            "--username",
            "canboxa",
            "--name",
            "Kịch bản báo cáo",
            "--scope",
            "write",
            "--expires",
            &last_day_text,
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let secret = String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string();
    assert!(
        secret.starts_with("toso_") && secret.len() == 69,
        "{secret}"
    );
    assert!(
        stderr.contains(&format!("dùng đến hết {last_day_text}")),
        "{stderr}"
    );
    let (user, grant) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!(user.id, officer.id);
    assert_eq!(grant.scope, TokenScope::Write);
    let token = &store.api_tokens(officer.id).await.unwrap()[0];
    assert_eq!(token.name, "Kịch bản báo cáo");
    assert_eq!(token.expires_at.map(token_last_day), Some(last_day));

    // Read by default, without expiry.
    let out = toso(
        &db.url,
        &["user", "token", "--username", "canboxa", "--name", "Đọc"],
    );
    assert!(out.status.success());
    let secret = String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string();
    let (_, grant) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!(grant.scope, TokenScope::Read);
    assert_eq!(
        store.api_tokens(officer.id).await.unwrap()[0].expires_at,
        None
    );

    // Refusals: exit 2, the reason in Vietnamese, nothing created.
    for (args, reason) in [
        (
            vec!["--username", "canboxa", "--name", "X", "--scope", "admin"],
            "Quyền của mã truy cập «admin» không hợp lệ",
        ),
        (
            vec![
                "--username",
                "canboxa",
                "--name",
                "X",
                "--expires",
                "01/01/2020",
            ],
            "đã qua",
        ),
        (
            vec![
                "--username",
                "canboxa",
                "--name",
                "X",
                "--expires",
                "31/02/2026",
            ],
            "Ngày hết hạn",
        ),
        (
            vec!["--username", "khong-co-ai", "--name", "X"],
            "Không có tài khoản «khong-co-ai»",
        ),
    ] {
        let mut all = vec!["user", "token"];
        all.extend(args);
        let out = toso(&db.url, &all);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{stderr}");
    }
    assert_eq!(store.api_tokens(officer.id).await.unwrap().len(), 2);
}

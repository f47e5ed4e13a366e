//! API tokens (issue 23, part 5): a token reads or writes, may expire
//! (never in the past, at most two years ahead), stops working when it
//! expires, is revoked or its account is locked; looking one up writes
//! nothing, and its last use is written in batches that never move it
//! back. Service tokens come with a service account of the officer's
//! province or commune that never signs in, is not listed with the
//! people's accounts, and is locked when its token is revoked; every write
//! is audited without the secret.

use chrono::{DateTime, Duration, Months, Utc};
use sqlx::Connection;
use toso_domain::{Name, UserRole};
use toso_store::accounts::{token_expiry, token_last_day};
use toso_store::{
    LoginError, ServiceScope, Store, StoreError, TokenGrant, TokenKind, TokenScope, User,
};
use toso_testkit::{actor, both_backends, refusal, Backend, TestDb, UserBuilder, DEMO_COMMUNE};

both_backends!(
    tokens_read_or_write_and_expire_within_two_years,
    expired_and_revoked_tokens_and_locked_accounts_do_not_work,
    last_use_is_written_in_batches_only,
    a_province_service_token_has_an_account_that_never_signs_in,
    a_commune_service_token_and_who_may_make_one,
    revoking_a_service_token_locks_its_account
);

const HAI_PHONG: i32 = toso_demo::PROVINCE_CODE;
const QUANG_NINH: i32 = 22;

fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}

/// Today in Vietnam.
fn today() -> chrono::NaiveDate {
    toso_store::today()
}

async fn officer(store: &Store, role: UserRole) -> User {
    UserBuilder::new()
        .role(role)
        .full_name("Nguyễn Văn Cán")
        .expect_build(store)
        .await
}

/// Run one statement with `at` bound as `$1` on a connection of its own
/// (what no store API does: put a token's expiry in the past).
async fn raw_with_time(url: &str, sql: &str, at: DateTime<Utc>) {
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).bind(at).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).bind(at).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    }
}

async fn tokens_read_or_write_and_expire_within_two_years(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = officer(store, UserRole::CommuneOfficer).await;

    // Scope: what the token grants, as stored.
    let in_a_year = token_expiry(today().checked_add_months(Months::new(12)).unwrap());
    let (read, read_secret) = store
        .create_api_token(
            &actor(),
            user.id,
            name("Bảng điều khiển"),
            TokenScope::Read,
            Some(in_a_year),
        )
        .await
        .unwrap();
    assert_eq!(
        (read.scope, read.kind),
        (TokenScope::Read, TokenKind::Personal)
    );
    assert_eq!(read.expires_at, Some(in_a_year));
    assert_eq!(read.last_day(), today().checked_add_months(Months::new(12)));
    let (write, write_secret) = store
        .create_api_token(
            &actor(),
            user.id,
            name("Zalo mini-app"),
            TokenScope::Write,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user(&read_secret).await.unwrap(),
        Some((
            user.clone(),
            TokenGrant {
                token_id: read.id,
                scope: TokenScope::Read
            }
        ))
    );
    assert_eq!(
        store.api_token_user(&write_secret).await.unwrap(),
        Some((
            user.clone(),
            TokenGrant {
                token_id: write.id,
                scope: TokenScope::Write
            }
        ))
    );
    let listed = store.api_tokens(user.id).await.unwrap();
    assert_eq!(
        listed,
        vec![write.clone(), read.clone()],
        "newest first, as created"
    );

    // The scope's words.
    assert_eq!(TokenScope::parse("write").unwrap(), TokenScope::Write);
    assert_eq!(TokenScope::parse(" Chỉ đọc ").unwrap(), TokenScope::Read);
    assert_eq!(TokenScope::parse("doc va ghi").unwrap(), TokenScope::Write);
    let err = TokenScope::parse("admin").unwrap_err();
    assert_eq!(err.field, "scope");
    assert!(err.message.contains("«admin»"), "{}", err.message);

    // Expiry: today is the earliest last day, two years ahead the latest.
    let (today_token, _) = store
        .create_api_token(
            &actor(),
            user.id,
            name("Hôm nay"),
            TokenScope::Read,
            Some(token_expiry(today())),
        )
        .await
        .unwrap();
    assert_eq!(today_token.last_day(), Some(today()));
    let latest = today().checked_add_months(Months::new(24)).unwrap();
    store
        .create_api_token(
            &actor(),
            user.id,
            name("Hai năm"),
            TokenScope::Read,
            Some(token_expiry(latest)),
        )
        .await
        .unwrap();
    let before = store.api_tokens(user.id).await.unwrap().len();
    for (at, words) in [
        (token_expiry(today() - Duration::days(1)), "đã qua"),
        (Utc::now() - Duration::seconds(1), "đã qua"),
        (token_expiry(latest + Duration::days(1)), "tối đa 2 năm"),
    ] {
        let err = store
            .create_api_token(
                &actor(),
                user.id,
                name("Sai hạn"),
                TokenScope::Read,
                Some(at),
            )
            .await
            .unwrap_err();
        let (field, message) = refusal(err);
        assert_eq!(field, "expires_on");
        assert!(message.contains(words), "{message}");
        assert!(
            message.contains(&toso_domain::format_date(token_last_day(at))),
            "{message}"
        );
    }
    assert_eq!(
        store.api_tokens(user.id).await.unwrap().len(),
        before,
        "nothing written"
    );

    // Audited, without the secret.
    let audit = store.audit_of("api_token", write.id).await.unwrap();
    assert_eq!(audit.len(), 1);
    let after = audit[0].after.as_ref().unwrap().0.to_string();
    assert!(after.contains("\"scope\":\"write\""), "{after}");
    assert!(
        !after.contains(&write_secret[5..]),
        "the secret is not logged"
    );
}

async fn expired_and_revoked_tokens_and_locked_accounts_do_not_work(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = officer(store, UserRole::CommuneOfficer).await;
    let (token, secret) = store
        .create_api_token(
            &actor(),
            user.id,
            name("Sắp hết hạn"),
            TokenScope::Write,
            Some(token_expiry(today())),
        )
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_some());
    assert!(!token.is_expired(Utc::now()));
    // A second ago it stopped working.
    raw_with_time(
        &db.url,
        &format!(
            "UPDATE api_tokens SET expires_at = $1 WHERE id = {}",
            token.id
        ),
        Utc::now() - Duration::seconds(1),
    )
    .await;
    assert_eq!(
        store.api_token_user(&secret).await.unwrap(),
        None,
        "expired"
    );
    let listed = store.api_tokens(user.id).await.unwrap();
    assert!(listed[0].is_expired(Utc::now()));

    let (other, other_secret) = store
        .create_api_token(&actor(), user.id, name("Thu hồi"), TokenScope::Read, None)
        .await
        .unwrap();
    store
        .set_user_disabled(&actor(), user.id, true)
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user(&other_secret).await.unwrap(),
        None,
        "locked account"
    );
    store
        .set_user_disabled(&actor(), user.id, false)
        .await
        .unwrap();
    assert!(store.api_token_user(&other_secret).await.unwrap().is_some());
    store
        .revoke_api_token(&actor(), user.id, other.id)
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user(&other_secret).await.unwrap(),
        None,
        "revoked"
    );
    assert_eq!(store.api_token_user("toso_khong-co").await.unwrap(), None);
}

async fn last_use_is_written_in_batches_only(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = officer(store, UserRole::CommuneOfficer).await;
    let (a, a_secret) = store
        .create_api_token(&actor(), user.id, name("A"), TokenScope::Read, None)
        .await
        .unwrap();
    let (b, _) = store
        .create_api_token(&actor(), user.id, name("B"), TokenScope::Read, None)
        .await
        .unwrap();
    for _ in 0..3 {
        assert!(store.api_token_user(&a_secret).await.unwrap().is_some());
    }
    let last_used = |tokens: Vec<toso_store::ApiToken>, id: i64| {
        tokens
            .into_iter()
            .find(|t| t.id == id)
            .unwrap()
            .last_used_at
    };
    assert_eq!(
        last_used(store.api_tokens(user.id).await.unwrap(), a.id),
        None,
        "using a token writes nothing"
    );
    store.touch_api_tokens(&[]).await.unwrap();

    // One batch sets both, and ignores a token that does not exist.
    let t1 = Utc::now() - Duration::minutes(5);
    let t2 = Utc::now() - Duration::minutes(2);
    store
        .touch_api_tokens(&[(a.id, t1), (b.id, t2), (999_999, t2)])
        .await
        .unwrap();
    let tokens = store.api_tokens(user.id).await.unwrap();
    let close = |got: Option<DateTime<Utc>>, want: DateTime<Utc>| {
        let got = got.expect("a last use");
        assert!((got - want).num_milliseconds().abs() < 2, "{got} ≠ {want}");
    };
    close(last_used(tokens.clone(), a.id), t1);
    close(last_used(tokens, b.id), t2);

    // A later time moves it on; an earlier one (a late batch) does not
    // move it back.
    store.touch_api_tokens(&[(a.id, t2)]).await.unwrap();
    close(
        last_used(store.api_tokens(user.id).await.unwrap(), a.id),
        t2,
    );
    store
        .touch_api_tokens(&[(a.id, t1), (b.id, t1)])
        .await
        .unwrap();
    let tokens = store.api_tokens(user.id).await.unwrap();
    close(last_used(tokens.clone(), a.id), t2);
    close(last_used(tokens, b.id), t2);
}

async fn a_province_service_token_has_an_account_that_never_signs_in(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let department = officer(store, UserRole::ProvinceOfficer).await;
    let people_before = store.users_of_province(HAI_PHONG).await.unwrap();
    let until = token_expiry(today() + Duration::days(90));
    let (token, secret) = store
        .create_service_token(
            &actor(),
            &department,
            name("Trung tâm điều hành Hải Phòng"),
            TokenScope::Read,
            Some(until),
        )
        .await
        .unwrap();
    assert_eq!(
        (token.kind, token.scope),
        (TokenKind::Service, TokenScope::Read)
    );
    assert_eq!(token.created_by, Some(department.id));
    assert_ne!(token.user_id, department.id);

    // Its account: a province officer of the province, named after the
    // token, `dichvu-<n>`.
    let (account, grant) = store.api_token_user(&secret).await.unwrap().expect("works");
    assert_eq!(
        grant,
        TokenGrant {
            token_id: token.id,
            scope: TokenScope::Read
        }
    );
    assert_eq!(account.id, token.user_id);
    assert_eq!(account.role, UserRole::ProvinceOfficer);
    assert_eq!(
        (account.province_code, account.commune_code),
        (Some(HAI_PHONG), None)
    );
    assert_eq!(account.full_name, "Trung tâm điều hành Hải Phòng");
    assert_eq!(account.username, format!("dichvu-{}", account.id));

    // Not among the people's accounts.
    assert_eq!(
        store.users_of_province(HAI_PHONG).await.unwrap(),
        people_before
    );

    // It never signs in: any password is the usual "wrong", never an error.
    for password in ["", "toso-demo", "!service-account", "mat-khau-dai-1"] {
        assert_eq!(
            store
                .verify_login(&account.username, password, "10.0.0.9")
                .await
                .unwrap(),
            Err(LoginError::Wrong)
        );
    }

    // Listed with the province's service tokens, with its creator.
    let listed = store
        .service_tokens_of(ServiceScope::Province(HAI_PHONG))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].token, token);
    assert_eq!(listed[0].account, account.username);
    assert_eq!(listed[0].creator.as_deref(), Some("Nguyễn Văn Cán"));
    assert!(store
        .service_tokens_of(ServiceScope::Province(QUANG_NINH))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .service_tokens_of(ServiceScope::Commune(DEMO_COMMUNE))
        .await
        .unwrap()
        .is_empty());
    // Not among the officer's own tokens.
    assert!(store.api_tokens(department.id).await.unwrap().is_empty());

    // Audited: the account and the token, in the province, no secret.
    for (entity, id) in [("user", account.id), ("api_token", token.id)] {
        let audit = store.audit_of(entity, id).await.unwrap();
        assert_eq!(audit.len(), 1, "{entity}");
        assert_eq!(audit[0].action, "create");
        assert_eq!(audit[0].province_code, Some(HAI_PHONG));
        let after = audit[0].after.as_ref().unwrap().0.to_string();
        assert!(!after.contains(&secret[5..]));
        assert!(
            !after.contains("service-account"),
            "no password hash: {after}"
        );
    }

    // An expiry out of range is refused before anything is written.
    let err = store
        .create_service_token(
            &actor(),
            &department,
            name("Quá hạn"),
            TokenScope::Read,
            Some(Utc::now() - Duration::days(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(err).0, "expires_on");
    assert_eq!(
        store
            .service_tokens_of(ServiceScope::Province(HAI_PHONG))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_commune_service_token_and_who_may_make_one(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let commune_officer = officer(store, UserRole::CommuneOfficer).await;
    let people_before = store.users_of_commune(DEMO_COMMUNE).await.unwrap();
    let (token, secret) = store
        .create_service_token(
            &actor(),
            &commune_officer,
            name("Phần mềm một cửa"),
            TokenScope::Write,
            None,
        )
        .await
        .unwrap();
    let (account, grant) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!(grant.scope, TokenScope::Write);
    assert_eq!(account.role, UserRole::CommuneOfficer);
    assert_eq!(
        (account.province_code, account.commune_code),
        (Some(HAI_PHONG), Some(DEMO_COMMUNE))
    );
    assert_eq!(
        store.users_of_commune(DEMO_COMMUNE).await.unwrap(),
        people_before
    );
    assert!(store
        .users_of_province(HAI_PHONG)
        .await
        .unwrap()
        .iter()
        .all(|u| u.id != account.id));
    let listed = store
        .service_tokens_of(ServiceScope::Commune(DEMO_COMMUNE))
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|s| s.token.id).collect::<Vec<_>>(),
        vec![token.id]
    );
    assert!(store
        .service_tokens_of(ServiceScope::Province(HAI_PHONG))
        .await
        .unwrap()
        .is_empty());

    // Two service accounts get two names.
    let (second, _) = store
        .create_service_token(
            &actor(),
            &commune_officer,
            name("Phần mềm một cửa"),
            TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    let second_account = store.user(second.user_id).await.unwrap();
    assert_ne!(second_account.username, account.username);
    assert!(second_account.username.starts_with("dichvu-"));

    // Other roles are refused, with the reason; nothing is written.
    let admin = UserBuilder::new()
        .role(UserRole::Admin)
        .expect_build(store)
        .await;
    let leader_team = toso_testkit::TeamBuilder::new().expect_build(store).await;
    let leader = UserBuilder::new()
        .role(UserRole::TeamLeader)
        .team(leader_team.id)
        .expect_build(store)
        .await;
    for who in [&admin, &leader, &account] {
        let err = store
            .create_service_token(&actor(), who, name("Không được"), TokenScope::Read, None)
            .await
            .unwrap_err();
        let (field, message) = refusal(err);
        assert_eq!(field, "general");
        assert!(message.contains("cán bộ xã"), "{message}");
    }
    assert_eq!(
        store
            .service_tokens_of(ServiceScope::Commune(DEMO_COMMUNE))
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn revoking_a_service_token_locks_its_account(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let department = officer(store, UserRole::ProvinceOfficer).await;
    let (token, secret) = store
        .create_service_token(
            &actor(),
            &department,
            name("Hệ thống báo cáo"),
            TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    // Another scope does not find it.
    for scope in [
        ServiceScope::Province(QUANG_NINH),
        ServiceScope::Commune(DEMO_COMMUNE),
    ] {
        assert!(matches!(
            store.revoke_service_token(&actor(), scope, token.id).await,
            Err(StoreError::NotFound(_))
        ));
    }
    // A personal token is not a service token.
    let (personal, _) = store
        .create_api_token(
            &actor(),
            department.id,
            name("Của tôi"),
            TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .revoke_service_token(&actor(), ServiceScope::Province(HAI_PHONG), personal.id)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.api_token_user(&secret).await.unwrap().is_some());

    store
        .revoke_service_token(&actor(), ServiceScope::Province(HAI_PHONG), token.id)
        .await
        .unwrap();
    assert_eq!(store.api_token_user(&secret).await.unwrap(), None);
    let account = store.user(token.user_id).await.unwrap();
    assert!(account.is_disabled(), "the service account is locked");
    let listed = store
        .service_tokens_of(ServiceScope::Province(HAI_PHONG))
        .await
        .unwrap();
    assert!(listed[0].token.revoked_at.is_some());
    // Again: nothing more to do, nothing more audited.
    store
        .revoke_service_token(&actor(), ServiceScope::Province(HAI_PHONG), token.id)
        .await
        .unwrap();
    let token_audit = store.audit_of("api_token", token.id).await.unwrap();
    assert_eq!(
        token_audit
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["create", "revoke"]
    );
    let user_audit = store.audit_of("user", account.id).await.unwrap();
    assert_eq!(
        user_audit
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["create", "disable"]
    );
    assert!(user_audit
        .iter()
        .all(|e| e.province_code == Some(HAI_PHONG)));
}

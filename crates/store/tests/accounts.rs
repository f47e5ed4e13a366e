//! Accounts on both databases: scopes by role, argon2id logins by user name
//! or phone, throttling, locked accounts, sessions across restarts, API tokens.

use toso_domain::{Name, Password, PhoneNumber, UserRole, Username};
use toso_store::{Actor, LoginError, NewUser, Store, TokenScope};
use toso_testkit::{both_backends, refusal, refused_field, Backend, TestDb};

both_backends!(
    roles_need_a_scope_that_fits,
    login_by_name_or_phone,
    a_login_names_one_account,
    wrong_passwords_are_throttled,
    locked_accounts_cannot_log_in_or_use_tokens,
    a_members_account_stops_when_the_member_leaves,
    a_members_account_follows_a_move,
    sessions_survive_a_restart,
    api_tokens_are_hashed_and_revocable,
);

fn admin() -> Actor {
    Actor::system("test")
}

fn new_user(name: &str, role: UserRole) -> NewUser {
    NewUser {
        username: Username::parse(name).unwrap(),
        full_name: Name::parse_field("Cán bộ thử", "full_name", "Họ và tên", 80).unwrap(),
        phone: None,
        password: Password::parse("mat-khau-thu-1").unwrap(),
        role,
        province_code: None,
        commune_code: None,
        team_id: None,
        person_id: None,
    }
}

async fn roles_need_a_scope_that_fits(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    assert_eq!(
        refused_field(
            store
                .create_user(&admin(), new_user("so-khcn", UserRole::ProvinceOfficer))
                .await
                .unwrap_err()
        ),
        "province_code"
    );
    assert_eq!(
        refused_field(
            store
                .create_user(&admin(), new_user("can-bo", UserRole::CommuneOfficer))
                .await
                .unwrap_err()
        ),
        "commune_code"
    );
    assert_eq!(
        refused_field(
            store
                .create_user(&admin(), new_user("to-truong", UserRole::TeamLeader))
                .await
                .unwrap_err()
        ),
        "team_id"
    );
    let so = store
        .create_user(
            &admin(),
            NewUser {
                province_code: Some(31),
                ..new_user("so-khcn", UserRole::ProvinceOfficer)
            },
        )
        .await
        .unwrap();
    assert_eq!((so.province_code, so.commune_code), (Some(31), None));
    let team = store.teams(11914).await.unwrap()[1].clone();
    let leader = store
        .create_user(
            &admin(),
            NewUser {
                team_id: Some(team.id),
                ..new_user("to-truong", UserRole::TeamLeader)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (leader.province_code, leader.commune_code, leader.team_id),
        (Some(31), Some(11914), Some(team.id))
    );
    // A team of another commune than the one given is refused.
    let wrong = NewUser {
        team_id: Some(team.id),
        commune_code: Some(11948),
        ..new_user("khac", UserRole::TeamMember)
    };
    assert_eq!(
        refused_field(store.create_user(&admin(), wrong).await.unwrap_err()),
        "team_id"
    );
    // A team account acts for a member of that team: a person of another
    // team is refused beside the person, one of the team is taken.
    let teams = store.teams(11914).await.unwrap();
    let other = teams.iter().find(|t| t.id != team.id).unwrap();
    let outsider = store.team_members(other.id, None).await.unwrap()[0].clone();
    let err = store
        .create_user(
            &admin(),
            NewUser {
                team_id: Some(team.id),
                person_id: Some(outsider.membership.person_id),
                ..new_user("thanh-vien-khac", UserRole::TeamMember)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused_field(err), "person_id");
    let insider = store.team_members(team.id, None).await.unwrap()[0].clone();
    let member = store
        .create_user(
            &admin(),
            NewUser {
                team_id: Some(team.id),
                person_id: Some(insider.membership.person_id),
                ..new_user("thanh-vien-to", UserRole::TeamMember)
            },
        )
        .await
        .unwrap();
    assert_eq!(member.person_id, Some(insider.membership.person_id));
    // User names are unique without case or diacritics.
    let dup = NewUser {
        province_code: Some(31),
        ..new_user("SO-KHCN", UserRole::ProvinceOfficer)
    };
    assert_eq!(
        refused_field(store.create_user(&admin(), dup).await.unwrap_err()),
        "username"
    );
    // The audit keeps the account, never the password hash.
    let log = store.audit_of("user", so.id).await.unwrap();
    assert_eq!(log.len(), 1);
    let after = log[0].after.as_ref().unwrap().0.to_string();
    assert!(after.contains("so-khcn") && !after.contains("argon2") && !after.contains("password"));
}

async fn login_by_name_or_phone(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                phone: Some(PhoneNumber::parse("0912 345 678").unwrap()),
                ..new_user("Cán.Bộ", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    for login in ["Cán.Bộ", "can.bo", "0912345678", "+84 912 345 678"] {
        let ok = store
            .verify_login(login, "mat-khau-thu-1", "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(ok.map(|u| u.id), Ok(user.id), "{login}");
    }
    assert_eq!(
        store
            .verify_login("can.bo", "sai-mat-khau", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Wrong)
    );
    assert_eq!(
        store
            .verify_login("khong-co", "mat-khau-thu-1", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Wrong)
    );
    assert_eq!(
        LoginError::Wrong.to_string(),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    // Changing the password: the old one stops working.
    store
        .set_password(
            &admin(),
            user.id,
            Password::parse("mat-khau-moi-2").unwrap(),
        )
        .await
        .unwrap();
    assert!(store
        .verify_login("can.bo", "mat-khau-thu-1", "10.0.0.1")
        .await
        .unwrap()
        .is_err());
    assert!(store
        .verify_login("can.bo", "mat-khau-moi-2", "10.0.0.1")
        .await
        .unwrap()
        .is_ok());
}

/// A user name or a phone is one account's: taken names and phones are
/// refused with the field that clashed, and a user name that is a phone
/// number cannot be another account's phone (nor the reverse), so that a
/// sign-in by either always finds the one account.
async fn a_login_names_one_account(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let officer = |name: &str, phone: Option<&str>| NewUser {
        commune_code: Some(11914),
        phone: phone.map(|p| PhoneNumber::parse(p).unwrap()),
        ..new_user(name, UserRole::CommuneOfficer)
    };
    let first = store
        .create_user(&admin(), officer("Cán.Bộ", Some("0912 345 678")))
        .await
        .unwrap();
    let accounts = || async { store.users_of_commune(11914).await.unwrap().len() };
    let before = accounts().await;
    // The same user name, without its diacritics and case.
    let (field, message) = refusal(
        store
            .create_user(&admin(), officer("can.bo", None))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "username");
    assert_eq!(message, "Tên đăng nhập «can.bo» đã có tài khoản.");
    // The same phone, typed another way.
    let (field, message) = refusal(
        store
            .create_user(&admin(), officer("can-bo-2", Some("+84 912 345 678")))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "phone");
    assert!(message.contains("0912345678"), "{message}");
    assert!(message.contains("đã có ở một tài khoản khác"), "{message}");
    // A user name that is the first account's phone.
    let (field, message) = refusal(
        store
            .create_user(&admin(), officer("0912345678", None))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "username");
    assert!(
        message.contains("là số điện thoại của một tài khoản khác"),
        "{message}"
    );
    // A phone that is an account's user name.
    let digits = store
        .create_user(&admin(), officer("0987654321", None))
        .await
        .unwrap();
    let (field, message) = refusal(
        store
            .create_user(&admin(), officer("can-bo-3", Some("0987 654 321")))
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "phone");
    assert!(
        message.contains("là tên đăng nhập của một tài khoản khác"),
        "{message}"
    );
    assert_eq!(
        accounts().await,
        before + 1,
        "only the account with digits was made"
    );

    // Each login finds its own account.
    for (login, id) in [
        ("can.bo", first.id),
        ("0912345678", first.id),
        ("0987654321", digits.id),
    ] {
        let user = store.user_by_login(login).await.unwrap().map(|u| u.id);
        assert_eq!(user, Some(id), "{login}");
    }
}

async fn wrong_passwords_are_throttled(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                ..new_user("can-bo", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            store
                .verify_login("can-bo", "sai", "10.0.0.2")
                .await
                .unwrap(),
            Err(LoginError::Throttled).or(Err(LoginError::Wrong))
        );
    }
    // Now even the right password is refused for a while, from any address.
    let throttled = store
        .verify_login("can-bo", "mat-khau-thu-1", "10.0.0.3")
        .await
        .unwrap();
    assert_eq!(throttled, Err(LoginError::Throttled));
    assert!(LoginError::Throttled
        .to_string()
        .contains("thử lại sau 15 phút"));
    // Per address: 20 failures over several names block that address only.
    for i in 0..20 {
        store
            .verify_login(&format!("ai-do-{i}"), "sai", "10.0.0.9")
            .await
            .unwrap()
            .unwrap_err();
    }
    store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                ..new_user("can-bo-2", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .verify_login("can-bo-2", "mat-khau-thu-1", "10.0.0.9")
            .await
            .unwrap(),
        Err(LoginError::Throttled)
    );
    assert!(store
        .verify_login("can-bo-2", "mat-khau-thu-1", "10.0.0.10")
        .await
        .unwrap()
        .is_ok());
}

async fn locked_accounts_cannot_log_in_or_use_tokens(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                ..new_user("can-bo", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    let session = store
        .create_session(user.id, Some("10.0.0.1"))
        .await
        .unwrap();
    let (_, secret) = store
        .create_api_token(
            &admin(),
            user.id,
            Name::parse("tích hợp").unwrap(),
            TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    assert!(store.session_user(&session).await.unwrap().is_some());
    assert!(store.api_token_user(&secret).await.unwrap().is_some());
    store
        .set_user_disabled(&admin(), user.id, true)
        .await
        .unwrap();
    assert_eq!(
        store
            .verify_login("can-bo", "mat-khau-thu-1", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Disabled)
    );
    assert!(store.session_user(&session).await.unwrap().is_none());
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    store
        .set_user_disabled(&admin(), user.id, false)
        .await
        .unwrap();
    assert!(store
        .verify_login("can-bo", "mat-khau-thu-1", "10.0.0.1")
        .await
        .unwrap()
        .is_ok());
    assert!(
        store.api_token_user(&secret).await.unwrap().is_some(),
        "unlocking restores the token"
    );
}

/// A team account acting for a member reaches the team only while that
/// member is in it: once the membership ends, its session and token stop
/// and signing in is refused with the reason; the team's leader account
/// (acting for nobody) is not concerned.
async fn a_members_account_stops_when_the_member_leaves(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let team = store.teams(11914).await.unwrap()[1].clone();
    let member = store.team_members(team.id, None).await.unwrap()[0].clone();
    let account = |name: &str, person: Option<i64>| NewUser {
        team_id: Some(team.id),
        person_id: person,
        ..new_user(name, UserRole::TeamMember)
    };
    let user = store
        .create_user(
            &admin(),
            account("thanh-vien-roi", Some(member.membership.person_id)),
        )
        .await
        .unwrap();
    let plain = store
        .create_user(&admin(), account("tai-khoan-to", None))
        .await
        .unwrap();
    let session = store.create_session(user.id, None).await.unwrap();
    let plain_session = store.create_session(plain.id, None).await.unwrap();
    let (_, secret) = store
        .create_api_token(
            &admin(),
            user.id,
            Name::parse("điện thoại").unwrap(),
            TokenScope::Write,
            None,
        )
        .await
        .unwrap();
    assert!(store.session_user(&session).await.unwrap().is_some());
    assert!(store.api_token_user(&secret).await.unwrap().is_some());
    assert!(store
        .verify_login("thanh-vien-roi", "mat-khau-thu-1", "10.0.0.2")
        .await
        .unwrap()
        .is_ok());

    store
        .end_membership(&admin(), member.membership.id, toso_store::today())
        .await
        .unwrap();
    assert!(store.session_user(&session).await.unwrap().is_none());
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    let refused = store
        .verify_login("thanh-vien-roi", "mat-khau-thu-1", "10.0.0.2")
        .await
        .unwrap();
    assert_eq!(refused.map(|u| u.id), Err(LoginError::LeftTeam));
    assert!(LoginError::LeftTeam
        .to_string()
        .contains("đã thôi tham gia tổ"));
    // The wrong password is still only "wrong": nothing said of the member.
    assert_eq!(
        store
            .verify_login("thanh-vien-roi", "sai-mat-khau", "10.0.0.2")
            .await
            .unwrap()
            .map(|u| u.id),
        Err(LoginError::Wrong)
    );
    assert!(store.session_user(&plain_session).await.unwrap().is_some());
}

async fn a_members_account_follows_a_move(backend: Backend) {
    let db = TestDb::with_demo(backend).await;
    let store = &db.store;
    let teams = store.teams(11914).await.unwrap();
    let (from, to) = (teams[1].clone(), teams[2].clone());
    let member = store.team_members(from.id, None).await.unwrap()[0].clone();
    let account = |name: &str, role, person: Option<i64>| NewUser {
        team_id: Some(from.id),
        person_id: person,
        ..new_user(name, role)
    };
    let person = Some(member.membership.person_id);
    let user = store
        .create_user(&admin(), account("di-cung", UserRole::TeamLeader, person))
        .await
        .unwrap();
    let plain = store
        .create_user(&admin(), account("o-lai", UserRole::TeamMember, None))
        .await
        .unwrap();
    let session = store.create_session(user.id, None).await.unwrap();

    store
        .move_membership(&admin(), member.membership.id, to.id, toso_store::today())
        .await
        .unwrap();
    let moved = store
        .session_user(&session)
        .await
        .unwrap()
        .expect("still signed in");
    assert_eq!(
        (moved.id, moved.team_id, moved.role, moved.commune_code),
        (user.id, Some(to.id), UserRole::TeamLeader, Some(11914))
    );
    assert!(store
        .verify_login("di-cung", "mat-khau-thu-1", "10.0.0.2")
        .await
        .unwrap()
        .is_ok());
    // An account acting for nobody stays with its team.
    assert_eq!(store.user(plain.id).await.unwrap().team_id, Some(from.id));
    let trail = store.audit_of("user", user.id).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.action, "update");
    let team_of =
        |v: &Option<sqlx::types::Json<serde_json::Value>>| v.as_ref().unwrap()["team_id"].clone();
    assert_eq!(
        (team_of(&last.before), team_of(&last.after)),
        (serde_json::json!(from.id), serde_json::json!(to.id))
    );
}

async fn sessions_survive_a_restart(backend: Backend) {
    let db = TestDb::new(backend).await;
    let user = db
        .store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                ..new_user("can-bo", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    let token = db.store.create_session(user.id, None).await.unwrap();
    db.store.close().await;
    let again = Store::connect(&db.url).await.unwrap();
    assert_eq!(
        again.session_user(&token).await.unwrap().map(|u| u.id),
        Some(user.id)
    );
    assert!(again.session_user("not-a-token").await.unwrap().is_none());
    again.delete_session(&token).await.unwrap();
    assert!(again.session_user(&token).await.unwrap().is_none());
    again.close().await;
}

async fn api_tokens_are_hashed_and_revocable(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = &db.store;
    let user = store
        .create_user(
            &admin(),
            NewUser {
                commune_code: Some(11914),
                ..new_user("can-bo", UserRole::CommuneOfficer)
            },
        )
        .await
        .unwrap();
    let (token, secret) = store
        .create_api_token(
            &admin(),
            user.id,
            Name::parse("báo cáo tự động").unwrap(),
            TokenScope::Read,
            None,
        )
        .await
        .unwrap();
    assert!(secret.starts_with("toso_"));
    assert_eq!(
        store
            .api_token_user(&secret)
            .await
            .unwrap()
            .map(|(u, _)| u.id),
        Some(user.id)
    );
    let listed = store.api_tokens(user.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    // Using a token writes nothing: its last use is written in batches.
    assert!(listed[0].last_used_at.is_none());
    let audit = store.audit_of("api_token", token.id).await.unwrap();
    assert!(
        !audit[0]
            .after
            .as_ref()
            .unwrap()
            .0
            .to_string()
            .contains(&secret[5..]),
        "the secret is not logged"
    );
    store
        .revoke_api_token(&admin(), user.id, token.id)
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    assert!(store
        .revoke_api_token(&admin(), user.id, token.id)
        .await
        .is_err());
}

//! Accounts: users with a role and a scope, argon2id passwords, sessions
//! kept in the database (they survive a restart), login throttling per
//! account and per address, and API tokens (hashed at rest): personal
//! tokens of a user, and service tokens of a province's or a commune's
//! system, each held by a service account (`users.kind = 'service'`) that
//! never signs in and is not listed with the people's accounts. A token
//! reads, or reads and writes ([`TokenScope`]), and may expire; its last
//! use is written in batches ([`Store::touch_api_tokens`]), never by the
//! request that uses it.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use toso_domain::{fold, Name, Password, PhoneNumber, UserRole, Username};

use crate::error::violated;
use crate::{Actor, Result, Store, StoreError};

mod tokens;

pub use tokens::{
    token_expiry, token_last_day, ApiToken, ServiceScope, ServiceToken, TokenGrant, TokenKind,
    TokenScope, MAX_TOKEN_MONTHS,
};

/// How long a session lasts after login.
pub const SESSION_DAYS: i64 = 7;
/// Failed logins counted for throttling within this window…
pub const THROTTLE_MINUTES: i64 = 15;
/// …at most this many for one account…
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// …and this many from one address.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// A user account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: UserRole,
    pub province_code: Option<i32>,
    pub commune_code: Option<i32>,
    pub team_id: Option<i64>,
    pub person_id: Option<i64>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub full_name: Name,
    pub phone: Option<PhoneNumber>,
    pub password: Password,
    pub role: UserRole,
    /// Scope: the province of a province officer; the commune of a commune
    /// officer; the team of a team leader or member (commune and province
    /// are derived from it).
    pub province_code: Option<i32>,
    pub commune_code: Option<i32>,
    pub team_id: Option<i64>,
    /// The team member's own person record, if any.
    pub person_id: Option<i64>,
}

/// Why a login was refused. The message never says which of login and
/// password was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("Tên đăng nhập hoặc mật khẩu không đúng.")]
    Wrong,
    #[error("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {THROTTLE_MINUTES} phút.")]
    Throttled,
    #[error("Tài khoản này đã bị khóa. Vui lòng liên hệ cán bộ quản lý.")]
    Disabled,
    /// A team account whose member has left the team (membership ended,
    /// moved to another team, team dissolved).
    #[error(
        "Thành viên của tài khoản này đã thôi tham gia tổ nên tài khoản không còn dùng được. \
         Vui lòng liên hệ cán bộ xã."
    )]
    LeftTeam,
}

const SELECT_USER: &str =
    "SELECT id, username, full_name, phone, role, province_code, commune_code, team_id, \
                           person_id, disabled_at FROM users";

/// The columns of [`User`] read from `users u`.
pub(crate) const USER_COLUMNS: &str =
    "u.id, u.username, u.full_name, u.phone, u.role, u.province_code, \
                            u.commune_code, u.team_id, u.person_id, u.disabled_at";

/// Inside the transaction `$tx` that moves the person `$person` from team
/// `$from` to team `$to` of the same commune: the accounts acting for that
/// member in `$from` (a team leader's or member's account linked to the
/// person) move with them, role kept, each with its audit row, so that the
/// member's sign-in, sessions and API tokens keep working in the new team
/// ([`member_still_in_team`]). Evaluates to the accounts as moved.
macro_rules! accounts_follow_member {
    ($tx:expr, $actor:expr, $person:expr, $from:expr, $to:expr, $now:expr) => {{
        let followed: Vec<$crate::User> = sqlx::query_as(&format!(
            "SELECT {} FROM users u WHERE u.person_id = $1 AND u.team_id = $2 ORDER BY u.id",
            $crate::accounts::USER_COLUMNS
        ))
        .bind($person)
        .bind($from)
        .fetch_all(&mut *$tx)
        .await?;
        let mut moved = Vec::with_capacity(followed.len());
        for before in followed {
            sqlx::query("UPDATE users SET team_id = $1, updated_at = $2 WHERE id = $3")
                .bind($to)
                .bind($now)
                .bind(before.id)
                .execute(&mut *$tx)
                .await?;
            let after = $crate::User {
                team_id: Some($to),
                ..before.clone()
            };
            audit!(
                $tx,
                $actor,
                province: before.province_code,
                before.commune_code,
                "user",
                before.id,
                "update",
                Some(&before),
                Some(&after)
            );
            moved.push(after);
        }
        moved
    }};
}
pub(crate) use accounts_follow_member;

/// The SQL test that the account `u` still reaches its team on the day
/// bound at `day`: an account acting for a member counts only while that
/// person's membership of its team is open (once the member has left —
/// ended, moved, the team dissolved — its sessions and tokens stop, and it
/// cannot sign in). Accounts acting for nobody are not concerned.
pub(crate) fn member_still_in_team(u: &str, day: &str) -> String {
    format!(
        "({u}.person_id IS NULL OR {u}.team_id IS NULL OR EXISTS (SELECT 1 FROM memberships m \
         WHERE m.team_id = {u}.team_id AND m.person_id = {u}.person_id \
         AND (m.ended_on IS NULL OR m.ended_on > {day})))"
    )
}

/// SHA-256 of a token, hex: what is stored for sessions and API tokens.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

async fn hash_password(password: Password) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::invalid("password", format!("Không tạo được mật khẩu: {e}")))
    })
    .await
    .map_err(|e| StoreError::invalid("password", format!("Không tạo được mật khẩu: {e}")))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash no password matches, verified when the login is unknown so that
/// unknown and known accounts take the same time.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Qv1m8i6o1h1kRk9bF1pZb9VtZq7xw0wRk8eXjZ0QhE";

/// A new account refused because its user name or phone is another
/// account's, as the other account has it (`name_is_a_phone`: the user
/// name is the other's phone; else the phone is the other's user name).
fn login_clash(user: &User, name_is_a_phone: bool) -> StoreError {
    if name_is_a_phone {
        StoreError::invalid(
            "username",
            format!(
                "Tên đăng nhập «{}» là số điện thoại của một tài khoản khác: chọn tên khác.",
                user.username
            ),
        )
    } else {
        StoreError::invalid(
            "phone",
            format!(
                "Số điện thoại {} là tên đăng nhập của một tài khoản khác.",
                user.phone.as_deref().unwrap_or_default()
            ),
        )
    }
}

/// A new account refused by the unique user name (`users_username_fold_key`,
/// compared folded) or the unique phone (`users_phone_key`).
fn on_taken(err: sqlx::Error, user: &User) -> StoreError {
    if violated(&err, "users_username_fold_key", "users.username_fold") {
        StoreError::invalid(
            "username",
            format!("Tên đăng nhập «{}» đã có tài khoản.", user.username),
        )
    } else if violated(&err, "users_phone_key", "users.phone") {
        StoreError::invalid(
            "phone",
            format!(
                "Số điện thoại {} đã có ở một tài khoản khác.",
                user.phone.as_deref().unwrap_or_default()
            ),
        )
    } else {
        StoreError::Database(err)
    }
}

impl Store {
    /// Whether any person has an account (a new installation has none).
    pub async fn has_accounts(&self) -> Result<bool> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM users WHERE kind = 'person')",
            )
            .fetch_one(pool)
            .await?
        }))
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let sql = format!("{SELECT_USER} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy tài khoản số {id}.")))
    }

    /// Users whose scope lies in the commune (commune officers, team roles);
    /// not its service accounts (listed with their tokens).
    pub async fn users_of_commune(&self, commune_code: i32) -> Result<Vec<User>> {
        let sql = format!(
            "{SELECT_USER} WHERE commune_code = $1 AND kind = 'person' ORDER BY username_fold"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, User>(&sql).bind(commune_code).fetch_all(pool).await?
        }))
    }

    /// The officers of a province: its province officers, then the commune
    /// officers of its communes (by commune code, then user name). Team
    /// accounts are listed by their commune ([`Store::users_of_commune`]);
    /// service accounts with their tokens.
    pub async fn users_of_province(&self, province_code: i32) -> Result<Vec<User>> {
        let sql = format!(
            "{SELECT_USER} WHERE kind = 'person' AND ((role = 'province_officer' AND province_code = $1) \
             OR (role = 'commune_officer' AND commune_code IN \
                 (SELECT code FROM communes WHERE province_code = $1))) \
             ORDER BY CASE WHEN role = 'province_officer' THEN 0 ELSE 1 END, commune_code, username_fold"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, User>(&sql).bind(province_code).fetch_all(pool).await?
        }))
    }

    /// An account by user name or phone number (the user name first,
    /// should an older account's name be another's phone).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let phone = PhoneNumber::parse(login)
            .ok()
            .map(|p| p.as_str().to_string());
        let sql = format!(
            "{SELECT_USER} WHERE username_fold = $1 OR ($2 IS NOT NULL AND phone = $2) \
             ORDER BY CASE WHEN username_fold = $1 THEN 0 ELSE 1 END LIMIT 1"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, User>(&sql)
                .bind(fold(login.trim()))
                .bind(phone)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Create an account. The scope must fit the role: nothing for an
    /// admin or a Ministry officer (the whole country), a province for a province officer, a commune for a commune
    /// officer, a team for team roles (the member's person in that team).
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User> {
        let (province_code, commune_code, team_id, person_id) = match new.role {
            UserRole::Admin | UserRole::MinistryOfficer => (None, None, None, None),
            UserRole::ProvinceOfficer => {
                let p = new.province_code.ok_or_else(|| {
                    StoreError::invalid("province_code", "Chọn tỉnh, thành phố của cán bộ Sở.")
                })?;
                self.province(p).await?;
                (Some(p), None, None, None)
            }
            UserRole::CommuneOfficer => {
                let c = new.commune_code.ok_or_else(|| {
                    StoreError::invalid("commune_code", "Chọn xã, phường, đặc khu của cán bộ xã.")
                })?;
                let commune = self.commune(c).await?;
                (Some(commune.province_code), Some(c), None, None)
            }
            UserRole::TeamLeader | UserRole::TeamMember => {
                let t = new
                    .team_id
                    .ok_or_else(|| StoreError::invalid("team_id", "Chọn tổ của tài khoản."))?;
                let team = self.team(t).await?;
                if new.commune_code.is_some_and(|c| c != team.commune_code) {
                    return Err(StoreError::invalid(
                        "team_id",
                        "Tổ đã chọn không thuộc xã này.",
                    ));
                }
                let commune = self.commune(team.commune_code).await?;
                if let Some(p) = new.person_id {
                    let person = self.person(p).await?;
                    if person.commune_code != team.commune_code {
                        return Err(StoreError::invalid(
                            "person_id",
                            "Người này không thuộc xã của tổ.",
                        ));
                    }
                    // The account acts for a member of its team: the
                    // person's membership there is open today.
                    if !self.member_of_today(t, p).await? {
                        return Err(StoreError::invalid(
                            "person_id",
                            format!(
                                "{} không phải thành viên đang hoạt động của {}: chọn người trong tổ.",
                                person.full_name, team.name
                            ),
                        ));
                    }
                }
                (
                    Some(commune.province_code),
                    Some(team.commune_code),
                    Some(t),
                    new.person_id,
                )
            }
        };
        let hash = hash_password(new.password).await?;
        let user = User {
            id: 0,
            username: new.username.as_str().to_string(),
            full_name: new.full_name.as_str().to_string(),
            phone: new.phone.map(|p| p.as_str().to_string()),
            role: new.role,
            province_code,
            commune_code,
            team_id,
            person_id,
            disabled_at: None,
        };
        let now = Utc::now();
        // A login names one account: a user name that is a phone number
        // may not be another account's phone, nor a phone another
        // account's user name (the sign-in takes either).
        let name_as_phone = PhoneNumber::parse(&user.username)
            .ok()
            .map(|p| p.as_str().to_string());
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let clash: Option<bool> = sqlx::query_scalar(
                "SELECT COALESCE($1 IS NOT NULL AND phone = $1, FALSE) FROM users \
                 WHERE ($1 IS NOT NULL AND phone = $1) OR ($2 IS NOT NULL AND username_fold = $2) LIMIT 1",
            )
            .bind(name_as_phone.as_deref())
            .bind(user.phone.as_deref())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(name_is_a_phone) = clash {
                return Err(login_clash(&user, name_is_a_phone));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, username_fold, full_name, phone, password_hash, role, province_code, \
                 commune_code, team_id, person_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(&user.username)
            .bind(new.username.folded())
            .bind(&user.full_name)
            .bind(user.phone.as_deref())
            .bind(&hash)
            .bind(user.role.code())
            .bind(user.province_code)
            .bind(user.commune_code)
            .bind(user.team_id)
            .bind(user.person_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| on_taken(e, &user))?;
            let user = User { id, ..user };
            audit!(tx, actor, province: user.province_code, user.commune_code, "user", id, "create", None::<&User>, Some(&user));
            tx.commit().await?;
            Ok(user)
        })
    }

    /// Set a user's password (change or reset). Ends the user's sessions
    /// other than none: every session is signed out.
    pub async fn set_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password: Password,
    ) -> Result<()> {
        let user = self.user(user_id).await?;
        let hash = hash_password(password).await?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(&hash)
                .bind(Utc::now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            let note = serde_json::json!({"password": "đã đổi"});
            audit!(tx, actor, province: user.province_code, user.commune_code, "user", user_id, "password", None::<&()>, Some(&note));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Lock or unlock an account. A locked account cannot log in, and its
    /// sessions and API tokens stop working at once.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: i64,
        disabled: bool,
    ) -> Result<User> {
        let before = self.user(user_id).await?;
        let after = User {
            disabled_at: disabled.then(Utc::now),
            ..before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3")
                .bind(after.disabled_at)
                .bind(Utc::now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            }
            let action = if disabled { "disable" } else { "enable" };
            audit!(tx, actor, province: before.province_code, before.commune_code, "user", user_id, action, Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// Check a login (user name or phone) and password from `address`.
    /// Throttled per account and per address; failures are recorded.
    pub async fn verify_login(
        &self,
        login: &str,
        password: &str,
        address: &str,
    ) -> Result<Result<User, LoginError>> {
        let key = fold(login.trim());
        let since = Utc::now() - Duration::minutes(THROTTLE_MINUTES);
        let (by_account, by_address): (i64, i64) = on_read!(self, pool => {
            let a: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE username_fold = $1 AND at > $2")
                .bind(&key)
                .bind(since)
                .fetch_one(pool)
                .await?;
            let b: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at > $2")
                .bind(address)
                .bind(since)
                .fetch_one(pool)
                .await?;
            (a, b)
        });
        if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
            return Ok(Err(LoginError::Throttled));
        }
        let user = self.user_by_login(login).await?;
        // A service account never signs in: it is answered as a wrong
        // password, after the same work as any other login.
        let (hash, service): (String, bool) = match &user {
            Some(u) => on_read!(self, pool => {
                let (hash, kind): (String, String) =
                    sqlx::query_as("SELECT password_hash, kind FROM users WHERE id = $1")
                        .bind(u.id)
                        .fetch_one(pool)
                        .await?;
                if kind == "service" { (DUMMY_HASH.to_string(), true) } else { (hash, false) }
            }),
            None => (DUMMY_HASH.to_string(), false),
        };
        let ok = verify_password(password.to_string(), hash).await && user.is_some() && !service;
        match user {
            Some(u) if ok => {
                if u.is_disabled() {
                    return Ok(Err(LoginError::Disabled));
                }
                if let (Some(team), Some(person)) = (u.team_id, u.person_id) {
                    if !self.member_of_today(team, person).await? {
                        return Ok(Err(LoginError::LeftTeam));
                    }
                }
                on_write!(self, pool => {
                    sqlx::query("DELETE FROM login_failures WHERE username_fold = $1")
                        .bind(&key)
                        .execute(pool)
                        .await?;
                });
                Ok(Ok(u))
            }
            _ => {
                on_write!(self, pool => {
                    sqlx::query("INSERT INTO login_failures (username_fold, address, at) VALUES ($1, $2, $3)")
                        .bind(&key)
                        .bind(address)
                        .bind(Utc::now())
                        .execute(pool)
                        .await?;
                });
                Ok(Err(LoginError::Wrong))
            }
        }
    }

    /// Open a session; returns the secret token for the cookie.
    pub async fn create_session(&self, user_id: i64, address: Option<&str>) -> Result<String> {
        let token = new_token("");
        let now = Utc::now();
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, address, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(address)
            .bind(now)
            .bind(now + Duration::days(SESSION_DAYS))
            .execute(pool)
            .await?;
        });
        Ok(token)
    }

    /// The user of a live session (not expired, account not locked, its
    /// member still in its team).
    pub async fn session_user(&self, token: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.disabled_at IS NULL AND {} \
             AND u.id = (SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2)",
            member_still_in_team("u", "$3")
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, User>(&sql)
                .bind(token_hash(token))
                .bind(Utc::now())
                .bind(crate::today())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Whether `person_id`'s membership of `team_id` is open today: what
    /// an account acting for that member needs (see
    /// [`LoginError::LeftTeam`]).
    async fn member_of_today(&self, team_id: i64, person_id: i64) -> Result<bool> {
        let open: i64 = on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM memberships WHERE team_id = $1 AND person_id = $2 \
                 AND (ended_on IS NULL OR ended_on > $3)",
            )
            .bind(team_id)
            .bind(person_id)
            .bind(crate::today())
            .fetch_one(pool)
            .await?
        });
        Ok(open > 0)
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        on_write!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (a, b) = (new_token("toso_"), new_token("toso_"));
        assert!(a.starts_with("toso_") && a.len() == 69 && a != b);
    }

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash() {
        let parsed = PasswordHash::new(DUMMY_HASH).expect("parses");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(Argon2::default()
            .verify_password(b"anything", &parsed)
            .is_err());
    }
}

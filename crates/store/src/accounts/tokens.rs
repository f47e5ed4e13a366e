//! API tokens: personal tokens of a user, and service tokens of a
//! province's or a commune's system, each held by a service account
//! (`users.kind = 'service'`) made with it, that never signs in. A token
//! reads, or reads and writes ([`TokenScope`]), and may expire at the end
//! of a day in Vietnam; only its hash is kept, and its last use is written
//! in batches ([`Store::touch_api_tokens`]).

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, SubsecRound, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{fold, format_date, vietnam, DomainError, Name, UserRole};

use super::{new_token, token_hash, User, USER_COLUMNS};
use crate::{Actor, Result, Store, StoreError};

/// What an API token may do: read what its account reads, or also write
/// what its account writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    Write,
}

impl toso_domain::Vocabulary for TokenScope {
    fn code(self) -> &'static str {
        TokenScope::code(self)
    }
    fn label(self) -> &'static str {
        TokenScope::label(self)
    }
}

impl TokenScope {
    pub const ALL: [TokenScope; 2] = [TokenScope::Read, TokenScope::Write];

    /// The stored code: `read` or `write`.
    pub fn code(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// The Vietnamese name shown beside a token.
    pub fn label(self) -> &'static str {
        match self {
            TokenScope::Read => "Chỉ đọc",
            TokenScope::Write => "Đọc và ghi",
        }
    }

    /// The code or the label (any case, with or without diacritics);
    /// anything else is refused naming the field `scope`.
    pub fn parse(input: &str) -> Result<TokenScope, DomainError> {
        let key = fold(input.trim());
        TokenScope::ALL
            .into_iter()
            .find(|s| key == s.code() || key == fold(s.label()))
            .ok_or_else(|| {
                DomainError::new(
                    "scope",
                    format!(
                        "Quyền của mã truy cập «{}» không hợp lệ: chọn «Chỉ đọc» (read) hoặc «Đọc và ghi» (write).",
                        input.trim()
                    ),
                )
            })
    }
}

impl TryFrom<String> for TokenScope {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TokenScope::parse(&s)
    }
}

/// Whose a token is: a person's own, or a service account's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Personal,
    Service,
}

impl TokenKind {
    pub fn code(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Service => "service",
        }
    }
}

impl TryFrom<String> for TokenKind {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "personal" => Ok(TokenKind::Personal),
            "service" => Ok(TokenKind::Service),
            _ => Err(DomainError::new(
                "kind",
                format!("Loại mã truy cập «{s}» không hợp lệ."),
            )),
        }
    }
}

/// An API token (the secret itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub scope: TokenScope,
    #[sqlx(try_from = "String")]
    pub kind: TokenKind,
    pub created_at: DateTime<Utc>,
    /// The first moment the token no longer works; `None`: never expires.
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who made it (unknown for the tokens made before scopes existed, and
    /// for those made from the command line).
    pub created_by: Option<i64>,
}

impl ApiToken {
    /// Whether the token has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }

    /// The last day (Vietnam time) the token works, if it expires.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.expires_at.map(token_last_day)
    }
}

/// What a token used for a request grants: which token (for its last use
/// and its rate limit) and its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenGrant {
    pub token_id: i64,
    pub scope: TokenScope,
}

/// Where a service account works: a province (its account is a province
/// officer's) or a commune (a commune officer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceScope {
    Province(i32),
    Commune(i32),
}

/// A service token as its province's or commune's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServiceToken {
    #[sqlx(flatten)]
    pub token: ApiToken,
    /// The service account's user name (`dichvu-…`).
    pub account: String,
    /// The full name of the officer who made it.
    pub creator: Option<String>,
}

/// The moment a token whose last day is `last_day` stops working: the end
/// of that day in Vietnam.
pub fn token_expiry(last_day: NaiveDate) -> DateTime<Utc> {
    let next = last_day.succ_opt().unwrap_or(last_day);
    vietnam()
        .from_local_datetime(&next.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

/// The last day (Vietnam time) of a token that stops working at
/// `expires_at`.
pub fn token_last_day(expires_at: DateTime<Utc>) -> NaiveDate {
    (expires_at - Duration::seconds(1))
        .with_timezone(&vietnam())
        .date_naive()
}

/// How far ahead a token may expire.
pub const MAX_TOKEN_MONTHS: u32 = 24;

/// Refuse an expiry that has passed, or that lies more than
/// [`MAX_TOKEN_MONTHS`] ahead (the whole last day allowed), naming the
/// field `expires_on`.
pub(super) fn check_expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<()> {
    let Some(at) = expires_at else {
        return Ok(());
    };
    if at <= now {
        return Err(StoreError::invalid(
            "expires_on",
            format!(
                "Ngày hết hạn {} đã qua: chọn một ngày từ hôm nay trở đi.",
                format_date(token_last_day(at))
            ),
        ));
    }
    let today = now.with_timezone(&vietnam()).date_naive();
    let latest = today
        .checked_add_months(Months::new(MAX_TOKEN_MONTHS))
        .unwrap_or(today);
    if at > token_expiry(latest) {
        return Err(StoreError::invalid(
            "expires_on",
            format!(
                "Ngày hết hạn {} quá xa: mã truy cập dùng được tối đa 2 năm, đến {}.",
                format_date(token_last_day(at)),
                format_date(latest)
            ),
        ));
    }
    Ok(())
}

/// What a service account's password hash holds: not a PHC string, so no
/// password ever matches it (and the login refuses service accounts
/// before looking at it).
pub(super) const NO_PASSWORD: &str = "!service-account";

pub(super) const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, t.name, t.scope, t.kind, t.created_at, t.expires_at, \
                             t.last_used_at, t.revoked_at, t.created_by";

/// Insert the [`ApiToken`] `$token` (its id given by the database) with
/// the hash of `$secret` inside the transaction `$tx`; evaluates to the
/// token with its id.
macro_rules! insert_token {
    ($tx:expr, $token:expr, $secret:expr) => {{
        let token: ApiToken = $token;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, scope, kind, expires_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(token.user_id)
        .bind(&token.name)
        .bind(token_hash($secret))
        .bind(token.scope.code())
        .bind(token.kind.code())
        .bind(token.expires_at)
        .bind(token.created_by)
        .bind(token.created_at)
        .fetch_one(&mut *$tx)
        .await?;
        ApiToken { id, ..token }
    }};
}

impl Store {
    /// Create a personal API token for `user_id` with `scope`, expiring at
    /// `expires_at` (refused when it has passed or lies more than two years
    /// ahead; `None`: never). The secret is returned once and only its
    /// hash is kept.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: Name,
        scope: TokenScope,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiToken, String)> {
        let now = Utc::now().trunc_subsecs(6);
        check_expiry(expires_at, now)?;
        let user = self.user(user_id).await?;
        let secret = new_token("toso_");
        let token = ApiToken {
            id: 0,
            user_id,
            name: name.as_str().to_string(),
            scope,
            kind: TokenKind::Personal,
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
            created_by: actor.user_id,
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let token = insert_token!(tx, token, &secret);
            audit!(tx, actor, province: user.province_code, user.commune_code, "api_token", token.id, "create", None::<&ApiToken>, Some(&token));
            tx.commit().await?;
            Ok((token, secret))
        })
    }

    /// Every token of `user_id`, newest first.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ApiToken>(&sql)
                .bind(user_id)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn revoke_api_token(&self, actor: &Actor, user_id: i64, token_id: i64) -> Result<()> {
        let user = self.user(user_id).await?;
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::not_found("Không tìm thấy mã truy cập này."));
            }
            audit!(tx, actor, province: user.province_code, user.commune_code, "api_token", token_id, "revoke", None::<&()>, Some(&serde_json::json!({"revoked_at": now})));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The account of an API token and what the token grants: `None` for
    /// an unknown, revoked or expired token, or a locked account. Reads
    /// only: the token's last use is written later, in a batch
    /// ([`Store::touch_api_tokens`]).
    pub async fn api_token_user(&self, secret: &str) -> Result<Option<(User, TokenGrant)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            token_id: i64,
            #[sqlx(try_from = "String")]
            scope: TokenScope,
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.id AS token_id, t.scope FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
             AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL AND {}",
            super::member_still_in_team("u", "$3")
        );
        let row = on_read!(self, pool => {
            sqlx::query_as::<_, Row>(&sql)
                .bind(token_hash(secret))
                .bind(Utc::now())
                .bind(crate::today())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| {
            (
                r.user,
                TokenGrant {
                    token_id: r.token_id,
                    scope: r.scope,
                },
            )
        }))
    }

    /// Record when tokens were last used, in one transaction: each token's
    /// `last_used_at` becomes the later of the stored time and the given
    /// one (a batch that arrives late never moves it back). Unknown ids are
    /// ignored. Not audited: it is the server's bookkeeping, not a change
    /// anybody made.
    pub async fn touch_api_tokens(&self, used: &[(i64, DateTime<Utc>)]) -> Result<()> {
        if used.is_empty() {
            return Ok(());
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for (id, at) in used {
                sqlx::query(
                    "UPDATE api_tokens SET last_used_at = $1 \
                     WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
                )
                .bind(*at)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Create a service token for the system of `creator`'s province (a
    /// province officer) or commune (a commune officer), with a new service
    /// account in the same transaction: the creator's role and scope, the
    /// token's name as its full name, a user name `dichvu-<n>` and no
    /// password (it never signs in). Other roles are refused. The secret is
    /// returned once.
    pub async fn create_service_token(
        &self,
        actor: &Actor,
        creator: &User,
        name: Name,
        scope: TokenScope,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiToken, String)> {
        let now = Utc::now().trunc_subsecs(6);
        let refused = || {
            StoreError::invalid(
                "general",
                "Chỉ cán bộ Sở KH&CN (cho tỉnh, thành phố của mình) và cán bộ xã (cho xã của mình) \
                 tạo được mã truy cập dịch vụ.",
            )
        };
        let (province_code, commune_code) = match creator.role {
            UserRole::ProvinceOfficer => (Some(creator.province_code.ok_or_else(refused)?), None),
            UserRole::CommuneOfficer => {
                let c = creator.commune_code.ok_or_else(refused)?;
                (Some(self.commune(c).await?.province_code), Some(c))
            }
            _ => return Err(refused()),
        };
        if creator.is_disabled() || self.user_kind(creator.id).await? != "person" {
            return Err(refused());
        }
        check_expiry(expires_at, now)?;
        let secret = new_token("toso_");
        let placeholder = new_token("dichvu-")[..23].to_string();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, username_fold, full_name, password_hash, role, province_code, \
                 commune_code, kind, created_at, updated_at) \
                 VALUES ($1, $1, $2, $3, $4, $5, $6, 'service', $7, $7) RETURNING id",
            )
            .bind(&placeholder)
            .bind(name.as_str())
            .bind(NO_PASSWORD)
            .bind(creator.role.code())
            .bind(province_code)
            .bind(commune_code)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // `dichvu-<id>`, unless a person already has that name.
            let wanted = format!("dichvu-{id}");
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username_fold = $1")
                .bind(&wanted)
                .fetch_one(&mut *tx)
                .await?;
            let username = if taken == 0 { wanted } else { placeholder.clone() };
            sqlx::query("UPDATE users SET username = $1, username_fold = $1 WHERE id = $2")
                .bind(&username)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let account = User {
                id,
                username,
                full_name: name.as_str().to_string(),
                phone: None,
                role: creator.role,
                province_code,
                commune_code,
                team_id: None,
                person_id: None,
                disabled_at: None,
            };
            audit!(tx, actor, province: province_code, commune_code, "user", id, "create", None::<&User>, Some(&serde_json::json!({"user": &account, "kind": "service"})));
            let token = ApiToken {
                id: 0,
                user_id: id,
                name: name.as_str().to_string(),
                scope,
                kind: TokenKind::Service,
                created_at: now,
                expires_at,
                last_used_at: None,
                revoked_at: None,
                created_by: Some(creator.id),
            };
            let token = insert_token!(tx, token, &secret);
            audit!(tx, actor, province: province_code, commune_code, "api_token", token.id, "create", None::<&ApiToken>, Some(&token));
            tx.commit().await?;
            Ok((token, secret))
        })
    }

    /// The service tokens of a province's or a commune's system, newest
    /// first, revoked ones included.
    pub async fn service_tokens_of(&self, scope: ServiceScope) -> Result<Vec<ServiceToken>> {
        let (condition, code) = service_condition(scope);
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, u.username AS account, c.full_name AS creator \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN users c ON c.id = t.created_by \
             WHERE t.kind = 'service' AND u.kind = 'service' AND {condition} \
             ORDER BY t.id DESC"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ServiceToken>(&sql).bind(code).fetch_all(pool).await?
        }))
    }

    /// Revoke service token `token_id` of `scope` and lock its service
    /// account. A token of another scope is not found; one revoked already
    /// is left as it is.
    pub async fn revoke_service_token(
        &self,
        actor: &Actor,
        scope: ServiceScope,
        token_id: i64,
    ) -> Result<()> {
        let (condition, code) = service_condition(scope);
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.id = $2 AND t.kind = 'service' AND u.kind = 'service' AND {condition}"
        );
        let token = on_read!(self, pool => {
            sqlx::query_as::<_, ApiToken>(&sql).bind(code).bind(token_id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found("Không tìm thấy mã truy cập dịch vụ này."))?;
        if token.revoked_at.is_some() {
            return Ok(());
        }
        let account = self.user(token.user_id).await?;
        let now = Utc::now().trunc_subsecs(6);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(token_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                // Revoked meanwhile by another officer.
                return Ok(());
            }
            audit!(tx, actor, province: account.province_code, account.commune_code, "api_token", token_id, "revoke", Some(&token), Some(&serde_json::json!({"revoked_at": now})));
            if account.disabled_at.is_none() {
                sqlx::query("UPDATE users SET disabled_at = $1, updated_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(account.id)
                    .execute(&mut *tx)
                    .await?;
                let after = User { disabled_at: Some(now), ..account.clone() };
                audit!(tx, actor, province: account.province_code, account.commune_code, "user", account.id, "disable", Some(&account), Some(&after));
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// `person` or `service`.
    pub(super) async fn user_kind(&self, id: i64) -> Result<String> {
        on_read!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT kind FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy tài khoản số {id}.")))
    }
}

/// The accounts of a service scope (`u`), with the code to bind as `$1`.
pub(super) fn service_condition(scope: ServiceScope) -> (&'static str, i32) {
    match scope {
        ServiceScope::Province(p) => ("u.role = 'province_officer' AND u.province_code = $1", p),
        ServiceScope::Commune(c) => ("u.role = 'commune_officer' AND u.commune_code = $1", c),
    }
}

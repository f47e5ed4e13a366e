//! `toso user …`: accounts from the command line — above all the first
//! admin of a new installation (there is no built-in account outside demo
//! mode) — and API tokens for scripts (`toso user token`).

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use toso_domain::{format_date, parse_date, Name, Password, PhoneNumber, UserRole, Username};
use toso_store::accounts::token_expiry;
use toso_store::{Actor, NewUser, Store, TokenScope};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (one
    /// line), or asked twice at the terminal without echo.
    Add(AddUser),
    /// Create a personal API token of an account and print its secret (on
    /// standard output, alone on its line: shown once, only its hash is
    /// kept).
    Token(NewToken),
}

#[derive(Args)]
pub struct NewToken {
    /// The account's login name (or phone number).
    #[arg(long)]
    username: String,
    /// What the token is for (shown in the account's list of tokens).
    #[arg(long)]
    name: String,
    /// read (the default) or write.
    #[arg(long, default_value = "read")]
    scope: String,
    /// The last day the token works, dd/mm/yyyy (at most two years ahead);
    /// without it the token does not expire.
    #[arg(long)]
    expires: Option<String>,
}

#[derive(Args)]
pub struct AddUser {
    /// admin, province_officer, commune_officer, team_leader or team_member.
    #[arg(long)]
    role: String,
    /// The login name (3–40 letters, digits, . _ -).
    #[arg(long)]
    username: String,
    /// The person's full name (default: the login name).
    #[arg(long)]
    full_name: Option<String>,
    /// A phone number that can also be used to sign in.
    #[arg(long)]
    phone: Option<String>,
    /// Province code (GSO) of a province officer.
    #[arg(long)]
    province: Option<i32>,
    /// Commune code (GSO) of a commune officer.
    #[arg(long)]
    commune: Option<i32>,
    /// Team number of a team leader or member.
    #[arg(long)]
    team: Option<i64>,
}

/// What can go wrong, in Vietnamese.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Invalid(#[from] toso_domain::DomainError),
    #[error(transparent)]
    Store(#[from] toso_store::StoreError),
    #[error("Không đọc được mật khẩu: {}", toso_domain::io_reason(.0))]
    Io(#[from] std::io::Error),
    #[error("Hai lần nhập mật khẩu không khớp.")]
    Mismatch,
    #[error("Không có tài khoản «{0}».")]
    NoSuchUser(String),
}

fn read_password() -> Result<String, UserError> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Mật khẩu: ")?;
        let second = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
        if first != second {
            return Err(UserError::Mismatch);
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn run(store: &Store, command: UserCommand) -> Result<(), UserError> {
    match command {
        UserCommand::Add(a) => {
            let role = UserRole::parse(&a.role, "role")?;
            let username = Username::parse(&a.username)?;
            let full_name = Name::parse_field(
                a.full_name.as_deref().unwrap_or(&a.username),
                "full_name",
                "Họ và tên",
                80,
            )?;
            let phone = a.phone.as_deref().map(PhoneNumber::parse).transpose()?;
            let password = Password::parse(&read_password()?)?;
            let user = store
                .create_user(
                    &Actor::system("cli"),
                    NewUser {
                        username,
                        full_name,
                        phone,
                        password,
                        role,
                        province_code: a.province,
                        commune_code: a.commune,
                        team_id: a.team,
                        person_id: None,
                    },
                )
                .await?;
            eprintln!(
                "Đã tạo tài khoản «{}» ({}), số {}.",
                user.username,
                user.role.label(),
                user.id
            );
            Ok(())
        }
        UserCommand::Token(t) => {
            let name = Name::parse_field(&t.name, "name", "Tên mã truy cập", 80)?;
            let scope = TokenScope::parse(&t.scope)?;
            let expires_at = t
                .expires
                .as_deref()
                .map(|s| parse_date(s, "expires_on", "Ngày hết hạn").map(token_expiry))
                .transpose()?;
            let user = store
                .user_by_login(&t.username)
                .await?
                .ok_or_else(|| UserError::NoSuchUser(t.username.trim().to_string()))?;
            let (token, secret) = store
                .create_api_token(&Actor::system("cli"), user.id, name, scope, expires_at)
                .await?;
            let until = token.last_day().map_or_else(
                || "không hết hạn".to_string(),
                |d| format!("dùng đến hết {}", format_date(d)),
            );
            eprintln!(
                "Đã tạo mã truy cập số {} của «{}» ({}, {until}). Mã chỉ hiện một lần:",
                token.id,
                user.username,
                scope.label().to_lowercase(),
            );
            println!("{secret}");
            Ok(())
        }
    }
}

//! `toso user …`: accounts from the command line — above all the first
//! admin of a new installation (there is no built-in account outside demo
//! mode).

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use toso_domain::{Name, Password, PhoneNumber, UserRole, Username};
use toso_store::{Actor, NewUser, Store};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (one
    /// line), or asked twice at the terminal without echo.
    Add(AddUser),
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
    #[error("Không đọc được mật khẩu: {0}")]
    Io(#[from] std::io::Error),
    #[error("Hai lần nhập mật khẩu không khớp.")]
    Mismatch,
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
    }
}

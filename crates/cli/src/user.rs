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
    #[command(
        about = "Tạo một tài khoản. Mật khẩu đọc từ đầu vào chuẩn (một dòng), \
                       hoặc hỏi hai lần tại cửa sổ lệnh mà không hiện chữ."
    )]
    Add(AddUser),
    #[command(
        about = "Tạo một mã API cá nhân của một tài khoản và in mã bí mật (ra đầu \
                       ra chuẩn, một mình một dòng: chỉ hiện một lần, chỉ giữ lại bản \
                       băm của nó)."
    )]
    Token(NewToken),
}

#[derive(Args)]
pub struct NewToken {
    #[arg(
        long,
        value_name = "TÊN",
        help = "Tên đăng nhập (hoặc số điện thoại) của tài khoản."
    )]
    username: String,
    #[arg(
        long,
        value_name = "TÊN",
        help = "Mã dùng vào việc gì (hiện trong danh sách mã của tài khoản)."
    )]
    name: String,
    #[arg(
        long,
        default_value = "read",
        value_name = "QUYỀN",
        help = "read (chỉ đọc) hoặc write (đọc và ghi)."
    )]
    scope: String,
    #[arg(
        long,
        value_name = "NGÀY",
        help = "Ngày cuối cùng mã còn dùng được, dd/mm/yyyy (nhiều nhất hai năm tới); \
                không có thì mã không hết hạn."
    )]
    expires: Option<String>,
}

#[derive(Args)]
pub struct AddUser {
    #[arg(
        long,
        value_name = "VAI_TRÒ",
        help = "admin (quản trị), province_officer (cán bộ Sở), commune_officer (cán \
                bộ xã), team_leader (tổ trưởng) hoặc team_member (thành viên tổ)."
    )]
    role: String,
    #[arg(
        long,
        value_name = "TÊN",
        help = "Tên đăng nhập (3–40 chữ cái, chữ số, . _ -)."
    )]
    username: String,
    #[arg(
        long,
        value_name = "HỌ_TÊN",
        help = "Họ và tên người dùng (mặc định: tên đăng nhập)."
    )]
    full_name: Option<String>,
    #[arg(
        long,
        value_name = "SỐ",
        help = "Số điện thoại, cũng dùng được để đăng nhập."
    )]
    phone: Option<String>,
    #[arg(
        long,
        value_name = "MÃ_TỈNH",
        help = "Mã tỉnh (mã thống kê) của cán bộ Sở."
    )]
    province: Option<i32>,
    #[arg(
        long,
        value_name = "MÃ_XÃ",
        help = "Mã xã (mã thống kê) của cán bộ xã."
    )]
    commune: Option<i32>,
    #[arg(
        long,
        value_name = "SỐ",
        help = "Số của tổ, với tổ trưởng hoặc thành viên tổ."
    )]
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

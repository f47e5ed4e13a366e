//! Account values: user names and passwords, parsed with Vietnamese errors.

use crate::error::DomainError;
use crate::text::fold;

/// A login name: 3–40 characters of letters, digits, `.`, `_` or `-`,
/// compared without case or diacritics (`Cán.bộ` and `can.bo` are the same
/// account).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let n = trimmed.chars().count();
        if !(3..=40).contains(&n) {
            return Err(DomainError::new(
                "username",
                format!("Tên đăng nhập «{trimmed}» cần từ 3 đến 40 ký tự."),
            ));
        }
        if let Some(bad) = trimmed
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(DomainError::new(
                "username",
                format!(
                    "Tên đăng nhập «{trimmed}» chỉ gồm chữ, số và các dấu . _ - (không có «{bad}»)."
                ),
            ));
        }
        Ok(Username(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key accounts are unique and looked up by.
    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// A new password: 8–128 characters, not only digits. Never displayed,
/// never stored (only its argon2id hash is).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let n = input.chars().count();
        if n < 8 {
            return Err(DomainError::new(
                "password",
                "Mật khẩu cần ít nhất 8 ký tự.",
            ));
        }
        if n > 128 {
            return Err(DomainError::new("password", "Mật khẩu dài quá 128 ký tự."));
        }
        if input.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::new(
                "password",
                "Mật khẩu không được chỉ gồm chữ số: thêm chữ cái hoặc ký hiệu.",
            ));
        }
        Ok(Password(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_and_refuse_spaces() {
        let u = Username::parse("  Cán.Bộ-Xã ").unwrap();
        assert_eq!(u.as_str(), "Cán.Bộ-Xã");
        assert_eq!(u.folded(), "can.bo-xa");
        let e = Username::parse("ab").unwrap_err();
        assert_eq!(e.field, "username");
        assert!(e.message.contains("Tên đăng nhập"));
        assert!(Username::parse("can bo")
            .unwrap_err()
            .message
            .contains("« »"));
    }

    #[test]
    fn passwords_need_length_and_not_only_digits() {
        assert!(Password::parse("mat-khau-2025").is_ok());
        assert!(Password::parse("short")
            .unwrap_err()
            .message
            .contains("8 ký tự"));
        assert!(Password::parse("12345678")
            .unwrap_err()
            .message
            .contains("chữ số"));
        assert_eq!(
            format!("{:?}", Password::parse("bí-mật-123").unwrap()),
            "Password(***)"
        );
    }
}

//! The single error type of the domain layer.

/// A rejected input. `field` is a stable machine key (used by forms and
/// importers to attach the message to the right input), `message` is a full
/// Vietnamese sentence that names the field and quotes the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub field: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_message() {
        let e = DomainError::new("phone", "Số điện thoại «1» không hợp lệ.");
        assert_eq!(e.to_string(), "Số điện thoại «1» không hợp lệ.");
        assert_eq!(e.field, "phone");
    }
}

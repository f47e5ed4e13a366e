use toso_domain::DomainError;

/// Everything the storage layer can refuse or fail with. Messages are
/// Vietnamese: they reach the user through the web and CLI layers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value or a business rule refused the input; names the field.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The record asked for does not exist (or is outside the commune).
    #[error("{0}")]
    NotFound(String),
    #[error("Địa chỉ cơ sở dữ liệu không hợp lệ: {0}")]
    Url(String),
    #[error("Dữ liệu đơn vị hành chính bị lỗi: {0}")]
    AdminData(String),
    #[error("Không cập nhật được cấu trúc cơ sở dữ liệu: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(DomainError::new(field, message))
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        StoreError::NotFound(message.into())
    }

    /// True when the database itself is unreachable or failing (not the
    /// user's fault): the web layer answers 503 for these.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
            )
        )
    }

    /// Map a unique-constraint violation to a user-facing message.
    pub(crate) fn on_unique(err: sqlx::Error, field: &'static str, message: String) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::invalid(field, message)
            }
            _ => StoreError::Database(err),
        }
    }
}

//! The store's error: a refusal with its code (see [`skjold_core::Problem`]), or a failure
//! the caller cannot mend.

use skjold_core::Problem;

use crate::crypto::CryptoError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Refused, for a reason the caller is told.
    #[error("refused: {0}")]
    Refused(Problem),
    #[error("the access log could not be written: {0}")]
    LogWrite(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<Problem> for StoreError {
    fn from(p: Problem) -> StoreError {
        StoreError::Refused(p)
    }
}

impl StoreError {
    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

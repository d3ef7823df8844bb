//! The application's error: a refusal with its code and parameters (the web layer words
//! it), a caller who is not signed in, or an internal failure (logged, never shown).

use skjold_core::Problem;
use skjold_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("refused: {0}")]
    Refused(Problem),
    #[error("not signed in")]
    Unauthenticated,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable code of the API's error answer.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Refused(p) => p.code(),
            AppError::Unauthenticated => "unauthenticated",
            AppError::Internal(_) => "internal",
        }
    }

    /// The refusal, when this is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            AppError::Refused(p) => Some(p),
            _ => None,
        }
    }
}

impl From<Problem> for AppError {
    fn from(p: Problem) -> AppError {
        AppError::Refused(p)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Refused(p) => AppError::Refused(p),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<skjold_core::IdError> for AppError {
    fn from(e: skjold_core::IdError) -> AppError {
        AppError::Refused(e.into())
    }
}

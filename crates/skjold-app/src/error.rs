use skjold_store::StoreError;

/// The application's error: a stable code for the API, a Danish message for people.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("du er ikke logget ind")]
    Unauthenticated,
    #[error("der skete en intern fejl")]
    Internal(String),
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Invalid { code, message } => AppError::Invalid { code, message },
            StoreError::NotFound { code, message } => AppError::NotFound { code, message },
            StoreError::Forbidden { code, message } => AppError::Forbidden { code, message },
            StoreError::Conflict { code, message } => AppError::Conflict { code, message },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<skjold_core::IdError> for AppError {
    fn from(e: skjold_core::IdError) -> AppError {
        AppError::invalid(e.code(), e.to_string())
    }
}

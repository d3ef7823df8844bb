//! Skjold's storage: one schema on SQLite and PostgreSQL, encryption at rest, the access
//! log, and **the gate** — the only code that reads or writes citizens' personal data.
//!
//! The crate has two halves:
//! - [`admin`]: organisations, users, sessions, tokens, purposes, service types and DPAs.
//!   None of it is citizens' personal data.
//! - [`gate`]: citizens, their data, orders, the disclosure ledger and the access log. Every
//!   function there authorises the [`Actor`], and writes its access-log entry in the same
//!   transaction as the read or write it logs; data is decrypted only after that
//!   transaction has committed (DESIGN.md walls 1–4).

pub mod admin;
pub mod audit;
pub mod crypto;
pub mod db;
pub mod gate;
mod log;
pub mod model;
pub mod security;
pub mod testdb;

pub use crypto::{CryptoError, KeyRing};
pub use db::{Backend, Db};
pub use model::*;

use skjold_core::Timestamp;

/// The store: a database and the keys to its personal data.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    keys: KeyRing,
    log: log::LogWriter,
}

impl Store {
    /// A store over `db`. Starts the access log's writer task, so it must be called
    /// inside a Tokio runtime.
    pub fn new(db: Db, keys: KeyRing) -> Store {
        let log = log::LogWriter::spawn(db.clone());
        Store { db, keys, log }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }
}

/// Errors at the store's boundary. `Forbidden`, `NotFound` and `Invalid` carry a Danish
/// message for the user and a stable code for the API.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
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

impl StoreError {
    pub fn not_found(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::NotFound {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Forbidden {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            code,
            message: message.into(),
        }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// "Now", passed into every call that records or checks time (wall 6).
pub type Now = Timestamp;

//! Skjold's storage: one schema on SQLite and PostgreSQL, encryption at rest, the access
//! log, and **the gate** — the only code that reads or writes citizens' personal data.
//!
//! The store hands out narrow handles, one per kind of record:
//! - [`Gate`]: citizens, their data, orders, disclosures, threads, data requests, consents
//!   and the oversight views. It alone holds the keys to personal data; every call
//!   authorises the actor and writes its access-log entry before anything is opened
//!   (DESIGN.md walls 1–4; the rule is written at the top of [`gate`]).
//! - [`Directory`]: organisations, users and the access review.
//! - [`Catalogue`]: purposes, service types and data processing agreements.
//! - [`SignInRecords`]: sessions, tokens, attempts, blocks, second factors.
//! - [`AuditLog`]: the tamper-evident log's checkpoints, verification, pruning and export.
//!
//! The database (`db`), the key ring (`crypto`) and the log's writer are private: nothing
//! above the store can run SQL or hold a key.

pub mod audit;
pub mod catalogue;
mod crypto;
mod db;
pub mod directory;
mod error;
pub mod gate;
mod log;
pub mod sign_in;
pub mod testdb;

pub use audit::AuditLog;
pub use catalogue::Catalogue;
pub use crypto::CryptoError;
pub use db::Backend;
/// The database, for tests that inspect or tamper with it as an insider would.
#[cfg(feature = "testing")]
pub use db::Db;
pub use directory::Directory;
pub use error::StoreError;
pub use gate::Gate;
pub use sign_in::SignInRecords;

use std::path::PathBuf;

use skjold_core::Timestamp;

use crate::crypto::KeyRing;

/// "Now", passed into every call that records or checks time (wall 6).
pub type Now = Timestamp;

/// Where the data lives.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// The data directory: the SQLite file and the master key file live here.
    pub data_dir: PathBuf,
    /// A `postgres://` URL to use PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// The master key, base64 (overrides the key file in the data directory).
    pub master_key: Option<String>,
}

/// The store: its handles over one database.
#[derive(Clone, Debug)]
pub struct Store {
    db: db::Db,
    gate: Gate,
    directory: Directory,
    catalogue: Catalogue,
    sign_in: SignInRecords,
    audit: AuditLog,
}

impl Store {
    /// Opens the data directory (creating it, its key file and its SQLite database on
    /// first use), connects, brings the schema up to date, and seals any clear text older
    /// versions left (see [`Gate::seal_legacy_justifications`]). Must run inside a Tokio
    /// runtime.
    pub async fn open(location: &Location) -> Result<Store, StoreError> {
        let dir = &location.data_dir;
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let keys = match location.master_key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => KeyRing::from_base64(k)?,
            _ => KeyRing::load_or_create(&dir.join("master.key"))?,
        };
        let db = match &location.database_url {
            Some(url) => db::Db::connect(url).await?,
            None => db::Db::open_sqlite(&dir.join("skjold.sqlite")).await?,
        };
        db.migrate().await?;
        let store = Store::new(db, keys);
        store.gate.seal_legacy_justifications().await?;
        Ok(store)
    }

    /// A store over `db`. Starts the access log's writer task, so it must be called
    /// inside a Tokio runtime.
    pub(crate) fn new(db: db::Db, keys: KeyRing) -> Store {
        let log = log::LogWriter::spawn(db.clone());
        let (gate_keys, user_secrets, signer) = keys.split();
        Store {
            gate: Gate::new(db.clone(), gate_keys, log.clone()),
            directory: Directory { db: db.clone() },
            catalogue: Catalogue { db: db.clone() },
            sign_in: SignInRecords {
                db: db.clone(),
                secrets: user_secrets,
            },
            audit: AuditLog {
                db: db.clone(),
                signer,
                log,
            },
            db,
        }
    }

    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn sign_in(&self) -> &SignInRecords {
        &self.sign_in
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        self.db.ping().await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

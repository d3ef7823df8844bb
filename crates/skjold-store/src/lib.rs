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
//! - [`Backups`]: backups of the data (which hold no key) and of the key store, and
//!   restoring the data ([`backup::restore_data`]).
//!
//! The database (`db`), the key ring (`crypto`), the key store (`keystore`, where the
//! citizens' wrapped keys live apart from the data) and the log's writer are private:
//! nothing above the store can run SQL or hold a key.

pub mod audit;
pub mod backup;
pub mod catalogue;
mod crypto;
mod db;
pub mod directory;
mod error;
pub mod gate;
pub mod invoice_fill;
mod keystore;
mod log;
pub mod sign_in;
pub mod testdb;
#[cfg(test)]
mod upgrade_tests;
mod versions;

pub use audit::AuditLog;
pub use backup::Backups;
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
use std::sync::Arc;

use skjold_core::Timestamp;

use crate::crypto::KeyRing;
use crate::keystore::{KeyStore, KeyStorePlace};

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
    /// Where the key store is, as a `postgres://` or `sqlite:` URL (`SKJOLD_KEY_STORE_URL`).
    /// Without it: `keys.sqlite` in the data directory, or, beside a PostgreSQL database,
    /// a database of its own on the same server named `<database>_keys` (created if
    /// missing).
    pub key_store_url: Option<String>,
}

/// The data file in the data directory (SQLite).
pub(crate) const DATA_FILE: &str = "skjold.sqlite";

/// The store: its handles over one database and its key store.
#[derive(Clone, Debug)]
pub struct Store {
    db: db::Db,
    key_store: KeyStore,
    gate: Gate,
    directory: Directory,
    catalogue: Catalogue,
    sign_in: SignInRecords,
    audit: AuditLog,
    backups: Backups,
    /// Held (shared) while the store is open, so that a restore can tell that it is.
    _lock: Option<Arc<std::fs::File>>,
}

impl Store {
    /// Opens the data directory (creating it, its key file, its SQLite database and its key
    /// store on first use), connects, moves the keys an older version kept in the data
    /// database into the key store, brings the schema up to date, and seals any clear text
    /// older versions left (see [`Gate::seal_legacy_justifications`]). The caller then
    /// finishes any erasure left unfinished ([`Gate::finish_erasures`], which needs the
    /// time). Must run inside a Tokio runtime.
    pub async fn open(location: &Location) -> Result<Store, StoreError> {
        let dir = &location.data_dir;
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let lock = backup::lock_shared(dir)?;
        let keys = match location.master_key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => KeyRing::from_base64(k)?,
            _ => KeyRing::load_or_create(&dir.join("master.key"))?,
        };
        let db = match &location.database_url {
            Some(url) => db::Db::connect(url).await?,
            None => db::Db::open_sqlite(&dir.join(DATA_FILE)).await?,
        };
        let key_store = KeyStore::open(KeyStorePlace::of(location)?, &db).await?;
        // Keys first, into the key store; the data migrations then drop the old tables.
        let moved = key_store.copy_legacy(&db).await?;
        db.migrate().await?;
        if moved > 0 {
            tracing::info!(keys = moved, "moved the data keys into the key store");
            db.compact().await?;
        }
        key_store.check_serves(&db).await?;
        let mut store = Store::new(db, location.database_url.clone(), key_store, keys);
        store._lock = Some(Arc::new(lock));
        store.gate.seal_legacy_justifications().await?;
        let opened_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        store
            .audit
            .ensure_identity(Now::from_micros(opened_at))
            .await?;
        Ok(store)
    }

    /// A store over `db` (at `url`, for PostgreSQL) and its key store. Starts the access
    /// log's writer task, so it must be called inside a Tokio runtime.
    pub(crate) fn new(
        db: db::Db,
        url: Option<String>,
        key_store: KeyStore,
        keys: KeyRing,
    ) -> Store {
        let log = log::LogWriter::spawn(db.clone());
        let (gate_keys, user_secrets, log_keys) = keys.split();
        Store {
            gate: Gate::new(db.clone(), gate_keys, key_store.clone(), log.clone()),
            directory: Directory { db: db.clone() },
            catalogue: Catalogue { db: db.clone() },
            sign_in: SignInRecords {
                db: db.clone(),
                secrets: user_secrets,
            },
            audit: AuditLog {
                db: db.clone(),
                keys: log_keys,
                key_store: key_store.clone(),
                log,
            },
            backups: Backups::new(db.clone(), url, key_store.clone()),
            key_store,
            db,
            _lock: None,
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

    pub fn backups(&self) -> &Backups {
        &self.backups
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
        self.key_store.close().await;
    }
}

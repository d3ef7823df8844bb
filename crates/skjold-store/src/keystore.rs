//! The key store (wall 4): the citizens' and the organisations' data keys, wrapped under a
//! key derived from the master key, in a database of their own.
//!
//! **Why apart.** A backup of the data then holds no key, so erasing a citizen — destroying
//! their key here — makes every copy of their data unreadable, old data backups included.
//! The key store has its own short-lived backups (see [`crate::backup`]); the last copy of a
//! destroyed key leaves with the last of them.
//!
//! **Where.** SQLite: `keys.sqlite` in the data directory, opened with `secure_delete`, so a
//! destroyed key is overwritten in the file rather than left in a free page, and the
//! write-ahead log is truncated after each destruction. PostgreSQL: a database of its own on
//! the same server, `<data database>_keys` by default (created if missing). Either can be
//! named with `SKJOLD_KEY_STORE_URL` ([`crate::Location::key_store_url`]).
//!
//! **Who.** Only the gate reads and writes keys (the handle is a private field of
//! [`crate::Gate`]); the store copies keys here from older installations when it opens, and
//! backs the key store up as a whole.
//!
//! **Two databases, one order.** A key is written (and committed) before the data that uses
//! it; when the data's transaction fails, the key is removed again, so what can be left
//! behind is at most a key for nothing. Erasure destroys the key first (durably), then
//! deletes the data; an erasure interrupted in between is finished when the store opens,
//! from the list of erased citizens kept here ([`KeyStore::erased_subjects`]).

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::db::{self, Db, Tx, execute, fetch, fetch_single, scalar, scalar_single};
use crate::{Location, Now, StoreError};

/// The key store's file in the data directory (SQLite).
pub(crate) const KEY_STORE_FILE: &str = "keys.sqlite";

/// Where a key store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeyStorePlace {
    File(PathBuf),
    Postgres(String),
}

impl KeyStorePlace {
    /// The key store that goes with `location`: `SKJOLD_KEY_STORE_URL` when given, else
    /// `<database>_keys` beside a PostgreSQL database, else `keys.sqlite` in the data
    /// directory.
    pub(crate) fn of(location: &Location) -> Result<KeyStorePlace, StoreError> {
        if let Some(url) = location
            .key_store_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            return match db::Backend::of_url(url)? {
                db::Backend::Postgres => Ok(KeyStorePlace::Postgres(url.to_owned())),
                db::Backend::Sqlite => Ok(KeyStorePlace::File(PathBuf::from(
                    url.trim_start_matches("sqlite://")
                        .trim_start_matches("sqlite:"),
                ))),
            };
        }
        match &location.database_url {
            Some(url) => {
                let name = format!("{}_keys", db::database_of(url)?);
                Ok(KeyStorePlace::Postgres(db::with_database(url, &name)))
            }
            None => Ok(KeyStorePlace::File(location.data_dir.join(KEY_STORE_FILE))),
        }
    }
}

/// The handle on the key store. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct KeyStore {
    db: Db,
    place: KeyStorePlace,
}

impl KeyStore {
    /// Opens the key store at `place` (creating its file, or its database on the server of
    /// `data`), brings its schema up to date, and checks that it is not the data database.
    pub(crate) async fn open(place: KeyStorePlace, data: &Db) -> Result<KeyStore, StoreError> {
        let db = match &place {
            KeyStorePlace::File(path) => {
                create_private(path)?;
                Db::open_sqlite_with(path, true).await?
            }
            KeyStorePlace::Postgres(url) => Db::connect_creating(url, data).await?,
        };
        KeyStore::over(db, place).await
    }

    /// The key store in `db`, its schema brought up to date.
    pub(crate) async fn over(db: Db, place: KeyStorePlace) -> Result<KeyStore, StoreError> {
        if db.has_table("data_subject").await? {
            return Err(StoreError::Config(
                "the key store must be a database of its own, not the data's".into(),
            ));
        }
        db.migrate_key_store().await?;
        Ok(KeyStore { db, place })
    }

    pub(crate) fn place(&self) -> &KeyStorePlace {
        &self.place
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) async fn close(&self) {
        self.db.close().await;
    }

    // ---- the access log's signing state -------------------------------------------------

    /// The last checkpoint signed under the log identity `origin`: its size and root.
    pub(crate) async fn log_signed(
        &self,
        origin: &str,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        Ok(fetch_single!(
            &self.db,
            fetch_optional,
            (i64, Vec<u8>),
            "SELECT size, root_hash FROM log_signed WHERE origin = $1",
            origin
        )?)
    }

    /// Records, durably, the last checkpoint signed under `origin`.
    pub(crate) async fn put_log_signed(
        &self,
        origin: &str,
        size: i64,
        root: &[u8],
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO log_signed (origin, size, root_hash, signed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, signed_at = excluded.signed_at",
            origin,
            size,
            root,
            now.micros()
        )?;
        tx.commit().await
    }

    // ---- citizens' keys ----------------------------------------------------------------

    /// A citizen's wrapped key, if it exists (it does not once the citizen is erased).
    pub(crate) async fn subject_key(&self, subject: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(scalar_single!(
            &self.db,
            fetch_optional,
            Vec<u8>,
            WRAPPED_SUBJECT_KEY,
            subject
        )?)
    }

    /// The wrapped keys of several citizens; those without a key are left out.
    pub(crate) async fn subject_keys(
        &self,
        subjects: &[Uuid],
    ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        let mut wanted = subjects.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut tx = self.db.read().await?;
        let mut keys = Vec::with_capacity(wanted.len());
        for subject in wanted {
            if let Some(wrapped) = wrapped_subject_key(&mut tx, subject).await? {
                keys.push((subject, wrapped));
            }
        }
        tx.commit().await?;
        Ok(keys)
    }

    /// Stores a new citizen's wrapped key, durably, before their data is written.
    pub(crate) async fn put_subject_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
        master_key_id: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4)",
            subject,
            wrapped,
            master_key_id,
            now.micros()
        )?;
        tx.commit().await
    }

    /// Stores new citizens' wrapped keys in one durable transaction, before their data is
    /// written (a bulk import's batch).
    pub(crate) async fn put_subject_keys(
        &self,
        keys: &[(Uuid, Vec<u8>)],
        master_key_id: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        for chunk in keys.chunks(1000) {
            macro_rules! insert_keys {
                ($db:ty, $conn:expr) => {{
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) ",
                    );
                    qb.push_values(chunk.iter(), |mut b, (subject, wrapped)| {
                        b.push_bind(*subject)
                            .push_bind(wrapped.as_slice())
                            .push_bind(master_key_id)
                            .push_bind(now.micros());
                    });
                    qb.build().execute(&mut **$conn).await?;
                }};
            }
            match &mut tx {
                Tx::Sqlite(c) => insert_keys!(sqlx::Sqlite, c),
                Tx::Postgres(c) => insert_keys!(sqlx::Postgres, c),
            }
        }
        tx.commit().await
    }

    /// Removes keys whose data was never written (a batch's transaction failed, or the
    /// citizens were registered already), in one transaction.
    pub(crate) async fn remove_orphans(&self, subjects: &[Uuid]) -> Result<(), StoreError> {
        if subjects.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.write().await?;
        for subject in subjects {
            execute!(
                &mut tx,
                "DELETE FROM subject_key WHERE subject_id = $1",
                *subject
            )?;
        }
        tx.commit().await?;
        self.scrub().await;
        Ok(())
    }

    /// Removes a key whose data was never written (the data's transaction failed).
    pub(crate) async fn remove_orphan(&self, subject: Uuid) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM subject_key WHERE subject_id = $1",
            subject
        )?;
        tx.commit().await?;
        self.scrub().await;
        Ok(())
    }

    /// Destroys a citizen's key and records the citizen as erased, in one durable
    /// transaction. Returns whether there was a key to destroy.
    pub(crate) async fn destroy_subject_key(
        &self,
        subject: Uuid,
        erased_at: Now,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let deleted = execute!(
            &mut tx,
            "DELETE FROM subject_key WHERE subject_id = $1",
            subject
        )?;
        execute!(
            &mut tx,
            "INSERT INTO erased_subject (subject_id, erased_at) VALUES ($1, $2) ON CONFLICT (subject_id) DO NOTHING",
            subject,
            erased_at.micros()
        )?;
        tx.commit().await?;
        self.scrub().await;
        Ok(deleted > 0)
    }

    /// The citizens whose key was destroyed, with when.
    pub(crate) async fn erased_subjects(&self) -> Result<Vec<(Uuid, Now)>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, i64),
            "SELECT subject_id, erased_at FROM erased_subject ORDER BY erased_at, subject_id"
        )?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(s, at)| (s, Now::from_micros(at)))
            .collect())
    }

    /// On SQLite, moves everything from the write-ahead log into the file and truncates the
    /// log, so a destroyed key's old page leaves the log too (`secure_delete` has already
    /// zeroed it in the file). Best effort: a reader holding the log open only delays it.
    async fn scrub(&self) {
        if let Db::Sqlite(pool) = &self.db
            && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
        {
            tracing::warn!(error.detail = %e, "could not truncate the key store's log");
        }
    }

    // ---- organisations' keys -----------------------------------------------------------

    pub(crate) async fn organisation_key(
        &self,
        organisation: Uuid,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut tx = self.db.read().await?;
        let key = scalar!(
            &mut tx,
            fetch_optional,
            Vec<u8>,
            "SELECT wrapped_key FROM organisation_key WHERE organisation_id = $1",
            organisation
        )?;
        tx.commit().await?;
        Ok(key)
    }

    /// Stores an organisation's new wrapped key unless one is there already (two first
    /// uses at once); the caller reads back the one that stayed.
    pub(crate) async fn put_organisation_key(
        &self,
        organisation: Uuid,
        wrapped: &[u8],
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO organisation_key (organisation_id, wrapped_key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id) DO NOTHING",
            organisation,
            wrapped,
            now.micros()
        )?;
        tx.commit().await
    }

    /// Refuses a key store that holds no key at all for data that has citizens: the wrong
    /// key store (a `SKJOLD_KEY_STORE_URL` forgotten or mistyped), which would make every
    /// citizen look erased and split new keys from old.
    pub(crate) async fn check_serves(&self, data: &Db) -> Result<(), StoreError> {
        let mut tx = data.read().await?;
        let citizen: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE erased_at IS NULL LIMIT 1"
        )?;
        tx.commit().await?;
        if citizen.is_none() {
            return Ok(());
        }
        let mut tx = self.db.read().await?;
        let keys: i64 = scalar!(&mut tx, fetch_one, i64, "SELECT COUNT(*) FROM subject_key")?;
        tx.commit().await?;
        if keys == 0 {
            let place = match &self.place {
                KeyStorePlace::File(path) => path.display().to_string(),
                KeyStorePlace::Postgres(url) => db::database_of(url).unwrap_or_default(),
            };
            return Err(StoreError::Config(format!(
                "the key store {place} holds no key, but the data has citizens: \
                 is SKJOLD_KEY_STORE_URL the key store that goes with this data?"
            )));
        }
        Ok(())
    }

    // ---- older installations -------------------------------------------------------------

    /// Copies the keys an older installation kept in the data database (tables
    /// `subject_key` and `organisation_key`) into the key store. Idempotent: a key already
    /// here is left as it is. Runs before the data migrations, the last of which drops those
    /// tables. Returns how many keys were copied.
    pub(crate) async fn copy_legacy(&self, data: &Db) -> Result<u64, StoreError> {
        let mut copied = 0;
        if data.has_table("subject_key").await? {
            let mut tx = data.read().await?;
            let rows = fetch!(
                &mut tx,
                fetch_all,
                (Uuid, Vec<u8>, String, i64),
                "SELECT subject_id, wrapped_key, master_key_id, created_at FROM subject_key"
            )?;
            tx.commit().await?;
            let mut tx = self.db.write().await?;
            for (subject, wrapped, master_key_id, created_at) in rows {
                copied += execute!(
                    &mut tx,
                    "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (subject_id) DO NOTHING",
                    subject,
                    wrapped.as_slice(),
                    master_key_id.as_str(),
                    created_at
                )?;
            }
            tx.commit().await?;
        }
        if data.has_table("organisation_key").await? {
            let mut tx = data.read().await?;
            let rows = fetch!(
                &mut tx,
                fetch_all,
                (Uuid, Vec<u8>, i64),
                "SELECT organisation_id, wrapped_key, created_at FROM organisation_key"
            )?;
            tx.commit().await?;
            let mut tx = self.db.write().await?;
            for (organisation, wrapped, created_at) in rows {
                copied += execute!(
                    &mut tx,
                    "INSERT INTO organisation_key (organisation_id, wrapped_key, created_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (organisation_id) DO NOTHING",
                    organisation,
                    wrapped.as_slice(),
                    created_at
                )?;
            }
            tx.commit().await?;
        }
        Ok(copied)
    }
}

const WRAPPED_SUBJECT_KEY: &str = "SELECT wrapped_key FROM subject_key WHERE subject_id = $1";

async fn wrapped_subject_key(tx: &mut Tx, subject: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        Vec<u8>,
        WRAPPED_SUBJECT_KEY,
        subject
    )?)
}

/// Creates an empty file readable by its owner only, if none is there (SQLite takes an
/// empty file as a new database, and gives its log files the same mode).
fn create_private(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Config(format!("cannot create directory {}: {e}", dir.display()))
        })?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Config(format!(
            "cannot create the key store {}: {e}",
            path.display()
        ))),
    }
}

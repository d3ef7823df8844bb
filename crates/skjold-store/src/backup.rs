//! Backups (wall 4): the data and the key store, apart.
//!
//! - **The data** ([`Backups::back_up_data`]) goes into a folder the operator names: a copy
//!   of the SQLite database made with `VACUUM INTO` (consistent, compact, without free
//!   pages), or a `pg_dump -Fc` of the PostgreSQL database, with `manifest.json` beside it.
//!   It holds no key: the keys live in the key store, which is not in it. Such a backup can
//!   be kept as long as the data's own rules allow; an erased citizen's values in it can
//!   never be read again, since their key is gone.
//! - **The key store** ([`Backups::back_up_key_store`]) goes into a folder of its own
//!   (`SKJOLD_KEY_BACKUP_DIR`), one sub-folder per backup named for its time, and is kept
//!   only a short while ([`prune_key_backups`], `SKJOLD_KEY_BACKUP_DAYS`): the last copy of
//!   a destroyed key leaves with the last backup taken before the erasure.
//! - **Restoring** ([`restore_data`]) puts a data backup back in place of the current data
//!   and keeps the current key store, so that citizens erased since the backup stay
//!   unreadable (and their erasure is finished again when the store opens). The data
//!   directory must not be in use: a restore refuses while a store holds it open (the
//!   server, or any other command), which it can tell by a lock file.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use skjold_core::{Date, Problem};

use crate::db::{Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::keystore::{KeyStore, KeyStorePlace};
use crate::{Backend, DATA_FILE, Location, Now, StoreError};

/// The manifest beside every backup.
pub const MANIFEST: &str = "manifest.json";
const DATA_SQLITE: &str = "skjold.sqlite";
const DATA_POSTGRES: &str = "skjold.pgdump";
const KEYS_SQLITE: &str = "keys.sqlite";
const KEYS_POSTGRES: &str = "keys.pgdump";
/// Held shared by every open store, exclusively by a restore.
const LOCK_FILE: &str = "skjold.lock";
/// The name of a key-store backup's folder: its time, UTC.
const FOLDER_TIME: &str = "%Y%m%dT%H%M%SZ";

/// What a backup folder holds, written as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// When the backup was made (RFC 3339, UTC).
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The latest migration of the database backed up.
    pub schema_version: i64,
    /// `data` or `key_store`.
    pub contents: String,
    /// The file in the folder that holds it.
    pub file: String,
}

/// A backup just written.
#[derive(Debug, Clone)]
pub struct Written {
    pub dir: PathBuf,
    pub file: PathBuf,
    pub manifest: Manifest,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what} {}: {e}", path.display()))
}

/// The handle that backs up the data and the key store. It copies them whole and holds no
/// key that opens anything.
#[derive(Clone, Debug)]
pub struct Backups {
    data: Db,
    /// The data database's URL, for `pg_dump` (PostgreSQL only).
    data_url: Option<String>,
    keys: KeyStore,
}

impl Backups {
    pub(crate) fn new(data: Db, data_url: Option<String>, keys: KeyStore) -> Backups {
        Backups {
            data,
            data_url,
            keys,
        }
    }

    /// Writes a backup of the data, and its manifest, into `dir` (created if missing;
    /// refused if it holds a backup already). The key store is not in it.
    pub async fn back_up_data(&self, dir: &Path, now: Now) -> Result<Written, StoreError> {
        let backend = self.data.backend();
        let name = match backend {
            Backend::Sqlite => DATA_SQLITE,
            Backend::Postgres => DATA_POSTGRES,
        };
        let file = dir.join(name);
        if file.exists() || dir.join(MANIFEST).exists() {
            return Err(Problem::BackupExists(dir.display().to_string()).into());
        }
        create_private_dir(dir)?;
        create_private_file(&file)?;
        match (&self.data, &self.data_url) {
            (Db::Sqlite(_), _) => vacuum_into(&self.data, &file).await?,
            (Db::Postgres(_), Some(url)) => pg_dump(url, &file).await?,
            (Db::Postgres(_), None) => {
                return Err(StoreError::Config(
                    "this store does not know its database's URL".into(),
                ));
            }
        }
        let manifest = Manifest {
            created_at: now.rfc3339(),
            backend: backend_name(backend).into(),
            schema_version: self.data.schema_version().await?.unwrap_or(0),
            contents: "data".into(),
            file: name.into(),
        };
        write_manifest(dir, &manifest)?;
        Ok(Written {
            dir: dir.to_owned(),
            file,
            manifest,
        })
    }

    /// Writes a backup of the key store into a new folder under `base`, named for `now`
    /// (`20261123T120000Z`), readable by its owner only.
    pub async fn back_up_key_store(&self, base: &Path, now: Now) -> Result<Written, StoreError> {
        let stamp = jiff::Timestamp::from_microsecond(now.micros())
            .map_err(|e| StoreError::Config(format!("time out of range: {e}")))?
            .strftime(FOLDER_TIME)
            .to_string();
        create_private_dir(base)?;
        let mut dir = base.join(&stamp);
        let mut n = 1;
        while dir.exists() {
            dir = base.join(format!("{stamp}-{n}"));
            n += 1;
        }
        create_private_dir(&dir)?;
        let (name, backend) = match self.keys.place() {
            KeyStorePlace::File(_) => (KEYS_SQLITE, Backend::Sqlite),
            KeyStorePlace::Postgres(_) => (KEYS_POSTGRES, Backend::Postgres),
        };
        let file = dir.join(name);
        create_private_file(&file)?;
        match self.keys.place() {
            KeyStorePlace::File(_) => vacuum_into(self.keys.db(), &file).await?,
            KeyStorePlace::Postgres(url) => pg_dump(url, &file).await?,
        }
        let manifest = Manifest {
            created_at: now.rfc3339(),
            backend: backend_name(backend).into(),
            schema_version: self.keys.db().schema_version().await?.unwrap_or(0),
            contents: "key_store".into(),
            file: name.into(),
        };
        write_manifest(&dir, &manifest)?;
        Ok(Written {
            dir,
            file,
            manifest,
        })
    }
}

/// Deletes the key-store backups under `base` that are past their retention on `today`
/// (older than `days` days, see [`skjold_core::citizens::key_backup_expired`]), and returns
/// their folders. Only folders named as [`Backups::back_up_key_store`] names them are
/// considered; anything else under `base` is left alone.
pub fn prune_key_backups(base: &Path, today: Date, days: u32) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match std::fs::read_dir(base) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io("cannot read", base, e)),
    };
    let mut pruned = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io("cannot read", base, e))?.path();
        let Some(taken) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(folder_date)
        else {
            continue;
        };
        if path.is_dir() && skjold_core::citizens::key_backup_expired(taken, today, days) {
            std::fs::remove_dir_all(&path).map_err(|e| io("cannot delete", &path, e))?;
            pruned.push(path);
        }
    }
    pruned.sort();
    Ok(pruned)
}

/// The local date of a key-store backup folder's name (`20261123T120000Z`, maybe `-1`).
fn folder_date(name: &str) -> Option<Date> {
    let stamp = name.get(..16)?;
    let rest = &name[16..];
    if !(rest.is_empty() || rest.strip_prefix('-')?.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let at = jiff::civil::DateTime::strptime(FOLDER_TIME, stamp)
        .ok()?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some(Now::from_micros(at.as_microsecond()).local_date())
}

/// Reads a backup folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, StoreError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|_| StoreError::Refused(Problem::BackupNotFound(dir.display().to_string())))?;
    serde_json::from_str(&text)
        .map_err(|_| StoreError::Refused(Problem::BackupNotFound(dir.display().to_string())))
}

/// Puts the data backup in `from` back in place of the data at `location`, keeping the
/// current key store. Refused while the data directory is in use (a store is open on it),
/// for a backup of the other backend, or for one made by a newer version. The caller then
/// opens the store, which brings the schema up to date and finishes the erasures made since
/// the backup ([`crate::Gate::finish_erasures`]).
pub async fn restore_data(location: &Location, from: &Path) -> Result<Manifest, StoreError> {
    let manifest = read_manifest(from)?;
    let file = from.join(&manifest.file);
    if manifest.contents != "data" || !file.is_file() || manifest.file.contains(['/', '\\']) {
        return Err(Problem::BackupNotFound(from.display().to_string()).into());
    }
    let configured = match location.database_url {
        Some(_) => Backend::Postgres,
        None => Backend::Sqlite,
    };
    if manifest.backend != backend_name(configured) {
        return Err(Problem::BackupMismatch {
            backup: manifest.backend.clone(),
            configured: backend_name(configured).into(),
        }
        .into());
    }
    let known = match configured {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
    .iter()
    .map(|m| m.version)
    .max()
    .unwrap_or(0);
    if manifest.schema_version > known {
        return Err(Problem::BackupTooNew {
            version: manifest.schema_version,
            known,
        }
        .into());
    }
    std::fs::create_dir_all(&location.data_dir)
        .map_err(|e| io("cannot create", &location.data_dir, e))?;
    let _lock = lock_exclusive(&location.data_dir)?;
    match &location.database_url {
        None => restore_sqlite(&location.data_dir, &file)?,
        Some(url) => restore_postgres(url, &file).await?,
    }
    Ok(manifest)
}

fn restore_sqlite(data_dir: &Path, backup: &Path) -> Result<(), StoreError> {
    let mut header = [0u8; 16];
    let readable = File::open(backup)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok();
    if !readable || &header != b"SQLite format 3\0" {
        return Err(Problem::BackupNotFound(backup.display().to_string()).into());
    }
    let target = data_dir.join(DATA_FILE);
    let staged = data_dir.join(format!("{DATA_FILE}.restoring"));
    let _ = std::fs::remove_file(&staged);
    create_private_file(&staged)?;
    std::fs::copy(backup, &staged).map_err(|e| io("cannot copy", backup, e))?;
    File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot write", &staged, e))?;
    // The current data's log belongs to the current data: it must not be replayed onto the
    // restored file.
    for suffix in ["-wal", "-shm"] {
        let log = data_dir.join(format!("{DATA_FILE}{suffix}"));
        match std::fs::remove_file(&log) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("cannot delete", &log, e)),
        }
    }
    std::fs::rename(&staged, &target).map_err(|e| io("cannot replace", &target, e))?;
    if let Ok(dir) = File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

async fn restore_postgres(url: &str, backup: &Path) -> Result<(), StoreError> {
    let db = Db::connect(url).await?;
    if let Db::Postgres(pool) = &db {
        if db.has_table("erased_subject").await? && !db.has_table("data_subject").await? {
            db.close().await;
            return Err(StoreError::Config(
                "the database URL names a key store, not the data".into(),
            ));
        }
        // An empty schema to restore into: whatever the current data holds goes.
        sqlx::query("DROP SCHEMA IF EXISTS public CASCADE")
            .execute(pool)
            .await?;
        sqlx::query("CREATE SCHEMA public").execute(pool).await?;
    }
    db.close().await;
    run(
        "pg_restore",
        &[
            "--no-owner".as_ref(),
            "--exit-on-error".as_ref(),
            "--single-transaction".as_ref(),
            "--dbname".as_ref(),
            url.as_ref(),
            backup.as_os_str(),
        ],
    )
    .await
}

async fn vacuum_into(db: &Db, file: &Path) -> Result<(), StoreError> {
    let Db::Sqlite(pool) = db else {
        return Err(StoreError::Config("VACUUM INTO needs SQLite".into()));
    };
    let path = file
        .to_str()
        .ok_or_else(|| StoreError::Config(format!("not a UTF-8 path: {}", file.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

async fn pg_dump(url: &str, file: &Path) -> Result<(), StoreError> {
    run(
        "pg_dump",
        &[
            "--format=custom".as_ref(),
            "--file".as_ref(),
            file.as_os_str(),
            "--dbname".as_ref(),
            url.as_ref(),
        ],
    )
    .await
}

/// Runs a PostgreSQL client program; its error output becomes the error.
async fn run(program: &str, args: &[&std::ffi::OsStr]) -> Result<(), StoreError> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .output()
        .await
        .map_err(|e| StoreError::Config(format!("cannot run {program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| StoreError::Config(format!("manifest: {e}")))?;
    std::fs::write(&path, text + "\n").map_err(|e| io("cannot write", &path, e))
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| io("cannot create", dir, e))
}

/// An empty file readable by its owner only (`VACUUM INTO` and `pg_dump` then fill it).
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .map(|_| ())
        .map_err(|e| io("cannot create", path, e))
}

fn lock_file(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK_FILE);
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io("cannot open", &path, e))
}

/// The lock every open store holds on its data directory (shared: any number at once).
pub(crate) fn lock_shared(dir: &Path) -> Result<File, StoreError> {
    let file = lock_file(dir)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Problem::DataInUse.into()),
        Err(std::fs::TryLockError::Error(e)) => Err(io("cannot lock", dir, e)),
    }
}

/// The lock a restore holds: refused while any store has the directory open.
fn lock_exclusive(dir: &Path) -> Result<File, StoreError> {
    let file = lock_file(dir)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Problem::DataInUse.into()),
        Err(std::fs::TryLockError::Error(e)) => Err(io("cannot lock", dir, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_backup_folders_are_named_and_read_back_by_their_time() {
        let d = |y, m, day| Date::from_ymd(y, m, day).expect("date");
        assert_eq!(folder_date("20261123T120000Z"), Some(d(2026, 11, 23)));
        assert_eq!(folder_date("20261123T120000Z-2"), Some(d(2026, 11, 23)));
        // 23:30 UTC is the next day in Copenhagen.
        assert_eq!(folder_date("20261231T233000Z"), Some(d(2027, 1, 1)));
        for other in [
            "",
            "notes",
            "20261123T120000Z.bak",
            "2026-11-23",
            "20261123T120000Zx",
        ] {
            assert_eq!(folder_date(other), None, "{other}");
        }
    }

    #[test]
    fn pruning_takes_only_expired_backup_folders() {
        let base = std::env::temp_dir().join(format!("skjold-prune-{}", uuid::Uuid::new_v4()));
        for name in [
            "20261001T020000Z",
            "20261110T020000Z",
            "20261123T020000Z",
            "notes",
        ] {
            std::fs::create_dir_all(base.join(name)).expect("dir");
        }
        std::fs::write(base.join("20260101T020000Z"), "a file, not a backup").expect("file");
        let today = Date::from_ymd(2026, 11, 23).expect("date");
        let pruned = prune_key_backups(&base, today, 35).expect("prune");
        assert_eq!(pruned, vec![base.join("20261001T020000Z")]);
        assert!(base.join("20261110T020000Z").is_dir());
        assert!(base.join("notes").is_dir());
        assert!(base.join("20260101T020000Z").is_file());
        assert!(
            prune_key_backups(&base.join("missing"), today, 35)
                .expect("none")
                .is_empty()
        );
        let _ = std::fs::remove_dir_all(base);
    }
}

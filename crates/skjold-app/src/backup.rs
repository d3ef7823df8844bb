//! Backups and restore (wall 4): the data and the key store, apart.
//!
//! `skjold backup --out DIR` ([`App::backup`]) writes the data into `DIR` with a manifest —
//! no key is in it — and, separately, a backup of the key store into the key-store backup
//! folder (`SKJOLD_KEY_BACKUP_DIR`, default `key-backups` in the data directory), one
//! sub-folder per backup; then it deletes the key-store backups past their retention
//! (`SKJOLD_KEY_BACKUP_DAYS`, default 35). So a destroyed key is gone from every backup by
//! [`App::key_backups_gone_by`] of its erasure, while the data backups, which can never be
//! read without the keys, can be kept as long as the data's own rules say.
//!
//! `skjold restore --from DIR` ([`App::restore`]) puts the data back and keeps the current
//! key store: a citizen erased after the backup was taken stays unreadable, and their
//! erasure is finished again when the data is next opened. The server must be stopped
//! first; the restore refuses while the data directory is open.

use std::path::{Path, PathBuf};

use skjold_core::citizens::{DEFAULT_KEY_BACKUP_DAYS, key_backups_gone_by};
use skjold_core::{Date, Timestamp};
use skjold_store::backup::{Manifest, prune_key_backups, restore_data};

use crate::{App, AppError, Location};

/// Where the key store's backups go, and how many days they are kept.
#[derive(Debug, Clone)]
pub struct KeyBackups {
    /// None: this application makes no key-store backups (a test over a throw-away store).
    pub dir: Option<PathBuf>,
    pub days: u32,
}

impl Default for KeyBackups {
    fn default() -> KeyBackups {
        KeyBackups {
            dir: None,
            days: DEFAULT_KEY_BACKUP_DAYS,
        }
    }
}

impl KeyBackups {
    /// The settings of `location`: its key-backup folder (`key-backups` in the data
    /// directory unless named) and days (35 unless given).
    pub fn of(location: &Location) -> KeyBackups {
        KeyBackups {
            dir: Some(
                location
                    .key_backup_dir
                    .clone()
                    .unwrap_or_else(|| location.data_dir.join("key-backups")),
            ),
            days: location.key_backup_days.unwrap_or(DEFAULT_KEY_BACKUP_DAYS),
        }
    }
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// The data's backup: its file, in the folder asked for, beside `manifest.json`.
    pub data_file: PathBuf,
    pub manifest: Manifest,
    /// The key store's backup, in a folder of its own.
    pub key_backup: PathBuf,
    /// Key-store backups deleted because they were past their retention.
    pub pruned: Vec<PathBuf>,
    pub key_backup_days: u32,
}

impl App {
    /// Makes key-store backups into `settings.dir`, kept `settings.days` days.
    pub fn with_key_backups(mut self, settings: KeyBackups) -> App {
        self.key_backups = settings;
        self
    }

    /// How many days the key store's backups are kept.
    pub fn key_backup_days(&self) -> u32 {
        self.key_backups.days
    }

    /// The date by which the key of a citizen erased at `erased_at` is gone from every
    /// key-store backup too (so an erasure case can state when the last copy expires).
    pub fn key_backups_gone_by(&self, erased_at: Timestamp) -> Date {
        key_backups_gone_by(erased_at, self.key_backups.days)
    }

    /// Backs up the data into `out` (no key in it), the key store into a new folder of the
    /// key-backup folder, and deletes the key-store backups past their retention.
    pub async fn backup(&self, out: &Path) -> Result<BackupReport, AppError> {
        let now = self.now();
        let data = self.store().backups().back_up_data(out, now).await?;
        let (key_backup, pruned) = self.back_up_key_store().await?;
        Ok(BackupReport {
            data_file: data.file,
            manifest: data.manifest,
            key_backup,
            pruned,
            key_backup_days: self.key_backups.days,
        })
    }

    /// Backs up the key store into a new folder of the key-backup folder and deletes the
    /// backups past their retention; returns the new folder and those deleted.
    pub async fn back_up_key_store(&self) -> Result<(PathBuf, Vec<PathBuf>), AppError> {
        let dir = self.key_backups.dir.clone().ok_or_else(|| {
            AppError::Internal("no folder for the key store's backups is set".into())
        })?;
        let now = self.now();
        let written = self.store().backups().back_up_key_store(&dir, now).await?;
        let pruned = prune_key_backups(&dir, now.local_date(), self.key_backups.days)?;
        Ok((written.dir, pruned))
    }

    /// Deletes the key-store backups past their retention (as a backup does after writing
    /// its own), and returns their folders.
    pub fn prune_key_backups(&self) -> Result<Vec<PathBuf>, AppError> {
        match &self.key_backups.dir {
            Some(dir) => Ok(prune_key_backups(
                dir,
                self.now().local_date(),
                self.key_backups.days,
            )?),
            None => Ok(Vec::new()),
        }
    }

    /// Puts the data backed up in `from` back in place of the data at `location`, keeping
    /// the current key store. Refused while the data directory is open (stop the server
    /// first), for a backup of the other database, or of a newer version. Open the data
    /// afterwards ([`App::open`]): that brings the schema up to date and finishes the
    /// erasures made since the backup.
    pub async fn restore(location: &Location, from: &Path) -> Result<Manifest, AppError> {
        Ok(restore_data(&location.store(), from).await?)
    }

    /// Finishes the erasures the key store lists whose data is here again (after a
    /// restore) or still (after an interruption); [`App::open`] does so itself. Returns
    /// how many citizens it erased.
    pub async fn finish_erasures(&self) -> Result<u64, AppError> {
        Ok(self.store().gate().finish_erasures(self.now()).await?)
    }
}

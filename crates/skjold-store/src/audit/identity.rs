//! The log's identity: the origin its checkpoints are signed under, and the key named after
//! it (tlog-checkpoint: the key name is the origin).
//!
//! An identity is made once, at random, when the log is created, and stored with the log.
//! Its key is derived from the master key and the origin, so two installations never sign
//! under each other's identity by sharing a master key alone. Two checks keep a *copy* of
//! the database (a restored backup, a copy in a test system) from signing a second history
//! under the same identity, each run before every signing:
//!
//! - the identity is bound to the database it was made in ([`crate::db::Db::physical_id`]:
//!   the SQLite file's device and inode; the PostgreSQL cluster and database), and a copy
//!   is another file or database;
//! - the key store ([`crate::keystore`]), which a backup of the data does not restore,
//!   records the last checkpoint signed; it must be in this database, and the tree now must
//!   extend it.
//!
//! If either fails, this database's history is not the one signed, and a new identity
//! begins, bound to this database (recorded in the log itself, with the reason); the old
//! identity never signs again here. A copy of everything (database, key store and file
//! system alike) cannot be told from the original by the installation itself: witnesses
//! are what catch that.

use crate::db::{Tx, execute, fetch, scalar};
use crate::{Now, StoreError};

/// What every origin starts with.
pub const ORIGIN_PREFIX: &str = "skjold.invalid/access-log/";

/// A new, random origin.
fn new_origin() -> String {
    format!("{ORIGIN_PREFIX}{}", hex::encode(rand::random::<[u8; 16]>()))
}

/// The identity that signs, the last made: its origin and the database it is bound to.
pub(crate) async fn current(tx: &mut Tx) -> Result<Option<(String, String)>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_optional,
        (String, String),
        "SELECT origin, bound_to FROM log_identity ORDER BY number DESC LIMIT 1"
    )?)
}

/// Every identity of this log, the newest first.
pub(crate) async fn all(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_all,
        String,
        "SELECT origin FROM log_identity ORDER BY number DESC"
    )?)
}

/// Makes a new identity bound to the database `bound_to`, the one that signs from now on.
pub(crate) async fn create(
    tx: &mut Tx,
    bound_to: &str,
    now: Now,
    reason: &str,
) -> Result<String, StoreError> {
    let origin = new_origin();
    execute!(
        tx,
        "INSERT INTO log_identity (origin, number, bound_to, created_at, reason) \
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4 FROM log_identity",
        origin.as_str(),
        bound_to,
        now.micros(),
        reason
    )?;
    Ok(origin)
}

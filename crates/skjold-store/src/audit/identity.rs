//! The log's identity: the origin its checkpoints are signed under, and the key named after
//! it (tlog-checkpoint: the key name is the origin).
//!
//! An identity is made once, at random, when the log is created, and stored with the log.
//! Its key is derived from the master key and the origin, so two installations never sign
//! under each other's identity by sharing a master key alone. What keeps a *copy* of the
//! database (a restored backup, a copy in a test system) from signing a second history under
//! the same identity is the signing state in the key store ([`crate::keystore`]), which a
//! backup of the data does not restore: before signing, the signer checks that the last
//! checkpoint the key store says it signed is in this database and that the tree now
//! extends it. If not, this database's history is not the one signed, and a new identity
//! begins (recorded in the log itself); the old identity never signs again here.

use crate::db::{Tx, execute, scalar};
use crate::{Now, StoreError};

/// What every origin starts with.
pub const ORIGIN_PREFIX: &str = "skjold.invalid/access-log/";

/// A new, random origin.
fn new_origin() -> String {
    format!("{ORIGIN_PREFIX}{}", hex::encode(rand::random::<[u8; 16]>()))
}

/// The identity that signs: the last made.
pub(crate) async fn current(tx: &mut Tx) -> Result<Option<String>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        String,
        "SELECT origin FROM log_identity ORDER BY number DESC LIMIT 1"
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

/// Makes a new identity, the one that signs from now on.
pub(crate) async fn create(tx: &mut Tx, now: Now, reason: &str) -> Result<String, StoreError> {
    let origin = new_origin();
    execute!(
        tx,
        "INSERT INTO log_identity (origin, number, created_at, reason) \
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3 FROM log_identity",
        origin.as_str(),
        now.micros(),
        reason
    )?;
    Ok(origin)
}

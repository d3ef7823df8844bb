//! The administrator's history: every change to an organisation, a user, a purpose, a
//! service type or a DPA appends a version (the state after it, who, when) in the same
//! transaction as the change (migration 0022). Rows are never updated or deleted.

use uuid::Uuid;

use skjold_core::directory::{Entity, Snapshot, Version};

use crate::db::{Tx, execute, fetch, scalar};
use crate::{Now, StoreError};

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    snapshot: String,
    changed_by: Option<String>,
    changed_at: i64,
}

fn encode(s: &Snapshot) -> Result<String, StoreError> {
    serde_json::to_string(s).map_err(|e| StoreError::Config(format!("snapshot: {e}")))
}

/// The entity's versions, oldest first.
pub(crate) async fn versions_in(
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
) -> Result<Vec<Version>, StoreError> {
    let rows = fetch!(
        tx,
        fetch_all,
        VersionRow,
        "SELECT v.version, v.snapshot, u.display_name AS changed_by, v.changed_at FROM admin_version v \
         LEFT JOIN app_user u ON u.id = v.changed_by WHERE v.entity = $1 AND v.entity_id = $2 ORDER BY v.version",
        entity.key(),
        id
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(Version {
                version: r.version,
                snapshot: serde_json::from_str(&r.snapshot)
                    .map_err(|e| StoreError::Config(format!("snapshot: {e}")))?,
                changed_by: r.changed_by,
                changed_at: Now::from_micros(r.changed_at),
            })
        })
        .collect()
}

/// Writes version 1 of an entity made before versions were kept — its state `before` the
/// first change, with no author, at its creation time — unless it has versions already.
pub(crate) async fn ensure_first(
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
    before: &Snapshot,
    created_at: i64,
) -> Result<(), StoreError> {
    let n: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM admin_version WHERE entity = $1 AND entity_id = $2",
        entity.key(),
        id
    )?;
    if n == 0 {
        insert(tx, entity, id, 1, before, None, created_at).await?;
    }
    Ok(())
}

/// Appends the next version: the state `after` a change by `by` at `now`.
pub(crate) async fn append(
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
    after: &Snapshot,
    by: Option<Uuid>,
    now: Now,
) -> Result<i64, StoreError> {
    let last: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COALESCE(MAX(version), 0) FROM admin_version WHERE entity = $1 AND entity_id = $2",
        entity.key(),
        id
    )?;
    insert(tx, entity, id, last + 1, after, by, now.micros()).await?;
    Ok(last + 1)
}

async fn insert(
    tx: &mut Tx,
    entity: Entity,
    id: Uuid,
    version: i64,
    snapshot: &Snapshot,
    by: Option<Uuid>,
    at: i64,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO admin_version (id, entity, entity_id, version, snapshot, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::new_v4(),
        entity.key(),
        id,
        version,
        encode(snapshot)?,
        by,
        at
    )?;
    Ok(())
}

/// A snapshot from field keys and values.
pub(crate) fn snapshot<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Snapshot {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

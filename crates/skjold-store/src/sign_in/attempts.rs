//! Attempts and refusals, blocks, known devices and the security settings (SA-4).

use uuid::Uuid;

use skjold_core::sign_in::{Block, BlockScope, SignInEvent, Workstation};
use skjold_core::{Problem, Timestamp};

use super::SignInRecords;
use crate::db::{execute, fetch, scalar};
use crate::{Now, StoreError};

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    at: i64,
    kind: String,
    username: String,
    user_id: Option<Uuid>,
    address: String,
    device: String,
    workstation: String,
    detail: String,
}

#[derive(sqlx::FromRow)]
struct BlockRow {
    id: Uuid,
    scope: String,
    subject: String,
    blocked_at: i64,
    until_at: i64,
    failures: i64,
    lifted_at: Option<i64>,
    lifted_by: Option<String>,
    lift_reason: Option<String>,
}

impl BlockRow {
    fn into_model(self) -> Block {
        Block {
            id: self.id,
            scope: if self.scope == "workstation" {
                BlockScope::Workstation
            } else {
                BlockScope::Username
            },
            subject: self.subject,
            blocked_at: Timestamp::from_micros(self.blocked_at),
            until: Timestamp::from_micros(self.until_at),
            failures: self.failures,
            lifted_at: self.lifted_at.map(Timestamp::from_micros),
            lifted_by: self.lifted_by,
            lift_reason: self.lift_reason,
        }
    }
}

const BLOCK_SELECT: &str = "SELECT b.id, b.scope, b.subject, b.blocked_at, b.until_at, b.failures, \
     b.lifted_at, u.username AS lifted_by, b.lift_reason \
     FROM sign_in_block b LEFT JOIN app_user u ON u.id = b.lifted_by";

/// Event kinds that count as a failed sign-in.
pub const FAILURE_KINDS: [&str; 2] = ["failed", "second_factor_failed"];
/// Event kinds after which failures count from zero again.
const RESET_KINDS: [&str; 2] = ["signed_in", "unblocked"];

impl SignInRecords {
    // ---- attempts and blocks ----------------------------------------------------------

    /// Records an attempt or refusal.
    pub async fn record_sign_in_event(
        &self,
        now: Now,
        kind: &str,
        username: &str,
        user_id: Option<Uuid>,
        ws: &Workstation,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        insert_event(&mut tx, now, kind, username, user_id, ws, detail).await?;
        tx.commit().await
    }

    /// Failed sign-ins for `subject` in `scope` since `since`, counted from the last
    /// success or unblocking.
    pub async fn failures_since(
        &self,
        scope: BlockScope,
        subject: &str,
        since: Now,
    ) -> Result<i64, StoreError> {
        let mut tx = self.db.read().await?;
        let col = scope.column();
        let sql = format!(
            "SELECT COUNT(*) FROM sign_in_event WHERE {col} = $1 AND kind IN ($2, $3) AND at > $4 \
             AND at > COALESCE((SELECT MAX(at) FROM sign_in_event WHERE {col} = $1 AND kind IN ($5, $6)), 0)"
        );
        Ok(scalar!(
            &mut tx,
            fetch_one,
            i64,
            &sql,
            subject,
            FAILURE_KINDS[0],
            FAILURE_KINDS[1],
            since.micros(),
            RESET_KINDS[0],
            RESET_KINDS[1]
        )?)
    }

    /// The block in force on `subject`, if any.
    pub async fn active_block(
        &self,
        scope: BlockScope,
        subject: &str,
        now: Now,
    ) -> Result<Option<Block>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{BLOCK_SELECT} WHERE b.scope = $1 AND b.subject = $2 AND b.until_at > $3 \
             AND b.lifted_at IS NULL ORDER BY b.until_at DESC LIMIT 1"
        );
        let row = fetch!(
            &mut tx,
            fetch_optional,
            BlockRow,
            &sql,
            scope.key(),
            subject,
            now.micros()
        )?;
        Ok(row.map(BlockRow::into_model))
    }

    pub async fn create_block(
        &self,
        scope: BlockScope,
        subject: &str,
        now: Now,
        until: Now,
        failures: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO sign_in_block (id, scope, subject, blocked_at, until_at, failures) VALUES ($1, $2, $3, $4, $5, $6)",
            Uuid::new_v4(),
            scope.key(),
            subject,
            now.micros(),
            until.micros(),
            failures
        )?;
        tx.commit().await
    }

    /// Lifts a block in force, with the administrator's reason, and records it as an event
    /// from which the subject's failures count anew.
    pub async fn lift_block(
        &self,
        id: Uuid,
        by: Uuid,
        reason: &str,
        ws: &Workstation,
        now: Now,
    ) -> Result<Block, StoreError> {
        let mut tx = self.db.write().await?;
        let sql = format!("{BLOCK_SELECT} WHERE b.id = $1");
        let block = fetch!(&mut tx, fetch_optional, BlockRow, &sql, id)?
            .map(BlockRow::into_model)
            .ok_or_else(|| StoreError::Refused(Problem::BlockNotFound))?;
        if !block.active(now) {
            return Err(StoreError::Refused(Problem::BlockNotActive));
        }
        execute!(
            &mut tx,
            "UPDATE sign_in_block SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4",
            now.micros(),
            by,
            reason,
            id
        )?;
        let (username, key) = match block.scope {
            BlockScope::Username => (block.subject.as_str(), ws.key.as_str()),
            BlockScope::Workstation => ("", block.subject.as_str()),
        };
        let event_ws = Workstation {
            key: key.to_owned(),
            ..ws.clone()
        };
        insert_event(
            &mut tx,
            now,
            "unblocked",
            username,
            Some(by),
            &event_ws,
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(block)
    }

    /// Blocks made since `since`, newest first.
    pub async fn blocks_since(&self, since: Now) -> Result<Vec<Block>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql =
            format!("{BLOCK_SELECT} WHERE b.until_at > $1 ORDER BY b.blocked_at DESC LIMIT 500");
        let rows = fetch!(&mut tx, fetch_all, BlockRow, &sql, since.micros())?;
        Ok(rows.into_iter().map(BlockRow::into_model).collect())
    }

    /// Events since `since`, newest first, at most `limit`.
    pub async fn sign_in_events(
        &self,
        since: Now,
        limit: i64,
    ) -> Result<Vec<SignInEvent>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            EventRow,
            "SELECT id, at, kind, username, user_id, address, device, workstation, detail \
             FROM sign_in_event WHERE at > $1 ORDER BY at DESC LIMIT $2",
            since.micros(),
            limit
        )?;
        Ok(rows
            .into_iter()
            .map(|r| SignInEvent {
                id: r.id,
                at: Timestamp::from_micros(r.at),
                kind: r.kind,
                username: r.username,
                user_id: r.user_id,
                address: r.address,
                device: r.device,
                workstation: r.workstation,
                detail: r.detail,
            })
            .collect())
    }

    /// Whether the device (by its cookie's hash) has completed a sign-in before.
    pub async fn device_known(&self, device_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.db.read().await?;
        Ok(scalar!(
            &mut tx,
            fetch_optional,
            String,
            "SELECT device_hash FROM known_device WHERE device_hash = $1",
            device_hash
        )?
        .is_some())
    }

    /// Records a completed sign-in: the event, and the device as known.
    pub async fn record_sign_in(
        &self,
        now: Now,
        username: &str,
        user_id: Uuid,
        ws: &Workstation,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let known = scalar!(
            &mut tx,
            fetch_optional,
            String,
            "SELECT device_hash FROM known_device WHERE device_hash = $1",
            &ws.device
        )?;
        if known.is_none() && !ws.device.is_empty() {
            execute!(
                &mut tx,
                "INSERT INTO known_device (device_hash, first_seen) VALUES ($1, $2)",
                &ws.device,
                now.micros()
            )?;
        }
        insert_event(
            &mut tx,
            now,
            "signed_in",
            username,
            Some(user_id),
            ws,
            detail,
        )
        .await?;
        tx.commit().await
    }

    // ---- settings ---------------------------------------------------------------------

    /// Every stored setting (a missing one means its default).
    pub async fn security_settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut tx = self.db.read().await?;
        Ok(fetch!(
            &mut tx,
            fetch_all,
            (String, String),
            "SELECT name, value FROM security_setting ORDER BY name"
        )?)
    }

    /// Stores settings in one transaction.
    pub async fn set_security_settings(
        &self,
        values: &[(&str, String)],
        by: Option<Uuid>,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        for (name, value) in values {
            execute!(
                &mut tx,
                "DELETE FROM security_setting WHERE name = $1",
                *name
            )?;
            execute!(
                &mut tx,
                "INSERT INTO security_setting (name, value, changed_at, changed_by) VALUES ($1, $2, $3, $4)",
                *name,
                value,
                now.micros(),
                by
            )?;
        }
        tx.commit().await
    }

    // ---- second factor ----------------------------------------------------------------

    // ---- single sign-on ---------------------------------------------------------------

    // ---- access review ----------------------------------------------------------------
}

async fn insert_event(
    tx: &mut crate::db::Tx,
    now: Now,
    kind: &str,
    username: &str,
    user_id: Option<Uuid>,
    ws: &Workstation,
    detail: &str,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO sign_in_event (id, at, kind, username, user_id, address, device, workstation, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::new_v4(),
        now.micros(),
        kind,
        username,
        user_id,
        &ws.address,
        &ws.device,
        &ws.key,
        detail
    )?;
    Ok(())
}

//! Sign-in records: attempts and refusals, blocks, known devices, security settings, second
//! factors and the access review. None of it is a citizen's personal data, so these calls
//! do not pass the gate; `skjold-app` decides who may make them.

use uuid::Uuid;

use skjold_core::{Role, Timestamp};

use crate::db::{execute, fetch, scalar};
use crate::{Now, Store, StoreError};

/// Where an attempt came from: the client address, the hash of the device cookie, and the
/// key its failures count under (the device when it has signed in before, else the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workstation {
    pub address: String,
    pub device: String,
    pub key: String,
}

impl Workstation {
    /// `device` is the hash of the device cookie (empty without one); `known` says whether
    /// that device has completed a sign-in before.
    pub fn new(address: &str, device: &str, known: bool) -> Workstation {
        let address = address.to_owned();
        let key = if known && !device.is_empty() {
            format!("enhed:{device}")
        } else {
            format!("adresse:{address}")
        };
        Workstation {
            address,
            device: device.to_owned(),
            key,
        }
    }
}

/// One recorded attempt or refusal.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SignInEvent {
    pub id: Uuid,
    #[sqlx(try_from = "i64")]
    pub at: Timestamp,
    pub kind: String,
    pub username: String,
    pub user_id: Option<Uuid>,
    pub address: String,
    pub device: String,
    pub workstation: String,
    pub detail: String,
}

/// What a block is about: a user ID as typed, or a workstation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockScope {
    Username,
    Workstation,
}

impl BlockScope {
    pub fn key(self) -> &'static str {
        match self {
            BlockScope::Username => "username",
            BlockScope::Workstation => "workstation",
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            BlockScope::Username => "Bruger-ID",
            BlockScope::Workstation => "Arbejdsstation",
        }
    }

    /// The event column that holds this scope's subject (a fixed name, safe to splice).
    fn column(self) -> &'static str {
        self.key()
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Block {
    pub id: Uuid,
    pub scope: BlockScope,
    pub subject: String,
    pub blocked_at: Timestamp,
    pub until: Timestamp,
    pub failures: i64,
    pub lifted_at: Option<Timestamp>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

impl Block {
    pub fn active(&self, now: Timestamp) -> bool {
        self.lifted_at.is_none() && self.until > now
    }
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

/// A user's second-factor state, for sign-in.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub sealed_secret: Option<Vec<u8>>,
    pub last_step: Option<i64>,
}

/// A user whose role confirmation is due, for the access review.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ReviewRow {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub roles_confirmed_at: Option<i64>,
    pub suspended_at: Option<i64>,
}

const REVIEW_SELECT: &str = "SELECT id AS user_id, organisation_id, username, display_name, \
     role, active, roles_confirmed_at, suspended_at FROM app_user";

/// One recorded access-review decision.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ReviewDecision {
    pub username: String,
    pub role: String,
    pub decision: String,
    pub reviewer: Option<String>,
    pub note: String,
    #[sqlx(try_from = "i64")]
    pub at: Timestamp,
}

impl Store {
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
            .ok_or_else(|| StoreError::not_found("block_not_found", "spærringen findes ikke"))?;
        if !block.active(now) {
            return Err(StoreError::conflict(
                "block_not_active",
                "spærringen er allerede ophørt eller ophævet",
            ));
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
        Ok(fetch!(
            &mut tx,
            fetch_all,
            SignInEvent,
            "SELECT id, at, kind, username, user_id, address, device, workstation, detail \
             FROM sign_in_event WHERE at > $1 ORDER BY at DESC LIMIT $2",
            since.micros(),
            limit
        )?)
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

    pub async fn second_factor(&self, user_id: Uuid) -> Result<SecondFactor, StoreError> {
        let mut tx = self.db.read().await?;
        let (sealed_secret, last_step) = fetch!(
            &mut tx,
            fetch_optional,
            (Option<Vec<u8>>, Option<i64>),
            "SELECT totp_secret, totp_last_step FROM app_user WHERE id = $1",
            user_id
        )?
        .ok_or_else(|| StoreError::not_found("user_not_found", "brugeren findes ikke"))?;
        Ok(SecondFactor {
            sealed_secret,
            last_step,
        })
    }

    /// Sets up a user's second factor: the sealed secret and the step its first code used.
    pub async fn enrol_second_factor(
        &self,
        user_id: Uuid,
        sealed_secret: &[u8],
        step: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "UPDATE app_user SET totp_secret = $1, totp_last_step = $2 WHERE id = $3",
            sealed_secret,
            step,
            user_id
        )?;
        tx.commit().await
    }

    /// Marks `step` as used, and says whether it was unused (later than every step used
    /// before). The check and the mark are one statement, so a code is accepted once even
    /// when two requests race.
    pub async fn use_totp_step(&self, user_id: Uuid, step: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE app_user SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            step,
            user_id
        )?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Removes a user's second factor (an administrator's reset; the user sets it up anew).
    pub async fn reset_second_factor(&self, user_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "UPDATE app_user SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1",
            user_id
        )?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE user_id = $1",
            user_id
        )?;
        tx.commit().await
    }

    // ---- single sign-on ---------------------------------------------------------------

    /// Records a sign-in started at the identity provider.
    pub async fn create_oidc_request(
        &self,
        state: &str,
        nonce: &str,
        pkce_verifier: &str,
        now: Now,
        expires_at: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM oidc_request WHERE expires_at < $1",
            now.micros()
        )?;
        execute!(
            &mut tx,
            "INSERT INTO oidc_request (state, nonce, pkce_verifier, expires_at) VALUES ($1, $2, $3, $4)",
            state,
            nonce,
            pkce_verifier,
            expires_at.micros()
        )?;
        tx.commit().await
    }

    /// Takes (reads and deletes) a live sign-in by its state: the nonce and PKCE verifier.
    pub async fn take_oidc_request(
        &self,
        state: &str,
        now: Now,
    ) -> Result<Option<(String, String)>, StoreError> {
        let mut tx = self.db.write().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (String, String, i64),
            "SELECT nonce, pkce_verifier, expires_at FROM oidc_request WHERE state = $1",
            state
        )?;
        execute!(&mut tx, "DELETE FROM oidc_request WHERE state = $1", state)?;
        tx.commit().await?;
        Ok(row
            .filter(|(_, _, expires)| *expires > now.micros())
            .map(|(nonce, verifier, _)| (nonce, verifier)))
    }

    // ---- access review ----------------------------------------------------------------

    /// Every user of the given organisations with their last confirmation.
    pub async fn review_rows(
        &self,
        organisation_ids: &[Uuid],
    ) -> Result<Vec<ReviewRow>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{REVIEW_SELECT} ORDER BY roles_confirmed_at, username");
        let rows = fetch!(&mut tx, fetch_all, ReviewRow, &sql)?;
        Ok(rows
            .into_iter()
            .filter(|r| organisation_ids.contains(&r.organisation_id))
            .collect())
    }

    /// Records a review decision on `user_id`. A confirmation also lifts a suspension; a
    /// revocation or suspension deactivates the user and ends their sessions.
    pub async fn decide_review(
        &self,
        user_id: Uuid,
        role: Role,
        decision: &str,
        reviewer: Option<Uuid>,
        note: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let n = match decision {
            "confirmed" => execute!(
                &mut tx,
                "UPDATE app_user SET roles_confirmed_at = $1, suspended_at = NULL, active = $2 WHERE id = $3",
                now.micros(),
                true,
                user_id
            )?,
            "suspended" => execute!(
                &mut tx,
                "UPDATE app_user SET suspended_at = $1, active = $2 WHERE id = $3",
                now.micros(),
                false,
                user_id
            )?,
            _ => execute!(
                &mut tx,
                "UPDATE app_user SET active = $1 WHERE id = $2",
                false,
                user_id
            )?,
        };
        if n == 0 {
            return Err(StoreError::not_found(
                "user_not_found",
                "brugeren findes ikke",
            ));
        }
        if decision != "confirmed" {
            execute!(
                &mut tx,
                "DELETE FROM web_session WHERE user_id = $1",
                user_id
            )?;
        }
        execute!(
            &mut tx,
            "INSERT INTO role_review (id, user_id, role, decision, reviewer_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Uuid::new_v4(),
            user_id,
            role.key(),
            decision,
            reviewer,
            note,
            now.micros()
        )?;
        tx.commit().await
    }

    /// Active users whose last confirmation is older than `cutoff`.
    pub async fn overdue_reviews(&self, cutoff: Now) -> Result<Vec<ReviewRow>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{REVIEW_SELECT} WHERE active = $1 AND COALESCE(roles_confirmed_at, created_at) < $2"
        );
        Ok(fetch!(
            &mut tx,
            fetch_all,
            ReviewRow,
            &sql,
            true,
            cutoff.micros()
        )?)
    }

    /// Review decisions on users of the given organisations, newest first.
    pub async fn review_decisions(
        &self,
        organisation_ids: &[Uuid],
    ) -> Result<Vec<ReviewDecision>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String, String, String, Option<String>, String, i64),
            "SELECT u.organisation_id, u.username, r.role, r.decision, rv.username, r.note, r.at \
             FROM role_review r JOIN app_user u ON u.id = r.user_id \
             LEFT JOIN app_user rv ON rv.id = r.reviewer_id ORDER BY r.at DESC LIMIT 500"
        )?;
        Ok(rows
            .into_iter()
            .filter(|r| organisation_ids.contains(&r.0))
            .map(
                |(_, username, role, decision, reviewer, note, at)| ReviewDecision {
                    username,
                    role,
                    decision,
                    reviewer,
                    note,
                    at: Timestamp::from_micros(at),
                },
            )
            .collect())
    }
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

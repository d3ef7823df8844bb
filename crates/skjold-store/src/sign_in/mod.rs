//! Sign-in records: sessions and API tokens, attempts and blocks, second factors, single
//! sign-on state. None of it is a citizen's personal data, so it does not pass the gate;
//! `skjold-app` decides who may do what with it.

mod attempts;
mod second_factor;

pub use attempts::FAILURE_KINDS;
pub use second_factor::SecondFactor;

use uuid::Uuid;

use skjold_core::citizen_view::Citizen;
use skjold_core::{Actor, Problem};

use crate::db::{Db, execute, fetch, fetch_single, scalar};
use crate::directory::{ACTOR_SELECT, ActorRow};
use crate::{Now, StoreError};

/// A session to record.
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub token_hash: &'a [u8],
    pub csrf_token: &'a str,
    pub expires_at: Now,
    pub stage: &'a str,
    pub pending_secret: Option<&'a [u8]>,
}

/// A session between password and second factor, or between them and a new password.
#[derive(Debug)]
pub struct PendingSession {
    pub actor: Actor,
    pub csrf: String,
    /// The user sets up a second factor (the sealed secret is `pending_secret`), rather
    /// than entering one.
    pub enrol: bool,
    /// The user has signed in but must choose a new password first (stage `password`).
    pub new_password: bool,
    pub pending_secret: Option<Vec<u8>>,
}

/// Sessions, tokens, attempts, blocks, second factors and single sign-on state.
#[derive(Clone, Debug)]
pub struct SignInRecords {
    pub(crate) db: Db,
    pub(crate) secrets: crate::crypto::UserSecrets,
}

/// A new 256-bit random secret (a session cookie or an API token), URL-safe base64.
pub fn new_secret() -> String {
    crate::crypto::random_token()
}

/// The hash under which a secret is kept: the database never holds the secret itself.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    crate::crypto::token_hash(secret)
}

impl SignInRecords {
    /// Seals a user's second-factor secret, bound to the user.
    pub fn seal_second_factor(&self, user: Uuid, secret: &[u8]) -> Result<Vec<u8>, StoreError> {
        Ok(self.secrets.seal(user, secret)?)
    }

    /// Opens a user's sealed second-factor secret.
    pub fn open_second_factor(&self, user: Uuid, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        Ok(self.secrets.open(user, sealed)?)
    }

    /// Records a session. `stage` is `done` for a signed-in session, `totp`/`enrol` for one
    /// that waits for its second factor, or `password` for one that waits for a new password
    /// (see [`PendingSession`]).
    pub async fn create_session(&self, s: NewSession<'_>, now: Now) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE expires_at < $1",
            now.micros()
        )?;
        execute!(
            &mut tx,
            "INSERT INTO web_session (token_hash, user_id, csrf_token, created_at, expires_at, stage, pending_secret) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            s.token_hash,
            s.user_id,
            s.csrf_token,
            now.micros(),
            s.expires_at.micros(),
            s.stage,
            s.pending_secret
        )?;
        tx.commit().await
    }

    /// The actor and CSRF token of a live, signed-in session.
    pub async fn session(
        &self,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Option<(Actor, String)>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String),
            "SELECT user_id, csrf_token FROM web_session WHERE token_hash = $1 AND expires_at > $2 AND stage = $3",
            token_hash,
            now.micros(),
            "done"
        )?;
        drop(tx);
        match row {
            Some((user_id, csrf)) => Ok(crate::directory::active_actor(&self.db, user_id)
                .await?
                .map(|a| (a, csrf))),
            None => Ok(None),
        }
    }

    /// A live session that waits for its second factor.
    pub async fn pending_session(
        &self,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Option<PendingSession>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String, String, Option<Vec<u8>>),
            "SELECT user_id, csrf_token, stage, pending_secret FROM web_session \
             WHERE token_hash = $1 AND expires_at > $2 AND stage <> $3",
            token_hash,
            now.micros(),
            "done"
        )?;
        drop(tx);
        let Some((user_id, csrf, stage, pending_secret)) = row else {
            return Ok(None);
        };
        Ok(crate::directory::active_actor(&self.db, user_id)
            .await?
            .map(|actor| PendingSession {
                actor,
                csrf,
                enrol: stage == "enrol",
                new_password: stage == "password",
                pending_secret,
            }))
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE token_hash = $1",
            token_hash
        )?;
        tx.commit().await
    }

    /// Records an API token for `user_id`, scoped to the user's organisation.
    pub async fn create_api_token(
        &self,
        user_id: Uuid,
        name: &str,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let org: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT organisation_id FROM app_user WHERE id = $1",
            user_id
        )?;
        let org = org.ok_or_else(|| StoreError::Refused(Problem::UserNotFound(None)))?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO api_token (id, token_hash, user_id, organisation_id, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            token_hash,
            user_id,
            org,
            name,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actor behind an API token. A token stops working if its user moves to another
    /// organisation, is deactivated, or the token is revoked.
    pub async fn actor_by_api_token(&self, token_hash: &[u8]) -> Result<Option<Actor>, StoreError> {
        let sql = format!(
            "{ACTOR_SELECT} JOIN api_token t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.organisation_id = u.organisation_id AND u.active = $2"
        );
        let row = fetch_single!(&self.db, fetch_optional, ActorRow, &sql, token_hash, true)?;
        row.map(ActorRow::into_actor).transpose()
    }

    /// Records a sign-in started at the identity provider, for `audience` (`staff` or
    /// `citizen`: a state started for one never finishes the other).
    pub async fn create_oidc_request(
        &self,
        audience: &str,
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
            "INSERT INTO oidc_request (state, nonce, pkce_verifier, expires_at, audience) VALUES ($1, $2, $3, $4, $5)",
            state,
            nonce,
            pkce_verifier,
            expires_at.micros(),
            audience
        )?;
        tx.commit().await
    }

    /// Takes (reads and deletes) a live sign-in of `audience` by its state: the nonce and
    /// PKCE verifier.
    pub async fn take_oidc_request(
        &self,
        audience: &str,
        state: &str,
        now: Now,
    ) -> Result<Option<(String, String)>, StoreError> {
        let mut tx = self.db.write().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (String, String, i64, String),
            "SELECT nonce, pkce_verifier, expires_at, audience FROM oidc_request WHERE state = $1",
            state
        )?;
        execute!(&mut tx, "DELETE FROM oidc_request WHERE state = $1", state)?;
        tx.commit().await?;
        Ok(row
            .filter(|(_, _, expires, a)| *expires > now.micros() && a == audience)
            .map(|(nonce, verifier, _, _)| (nonce, verifier)))
    }

    /// Records a citizen's session (DSR: the citizen's own view), apart from staff sessions.
    pub async fn create_citizen_session(
        &self,
        subject_id: Uuid,
        token_hash: &[u8],
        csrf_token: &str,
        now: Now,
        expires_at: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM citizen_session WHERE expires_at < $1",
            now.micros()
        )?;
        execute!(
            &mut tx,
            "INSERT INTO citizen_session (token_hash, subject_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            token_hash,
            subject_id,
            csrf_token,
            now.micros(),
            expires_at.micros()
        )?;
        tx.commit().await
    }

    /// The citizen and CSRF token of a live citizen's session.
    pub async fn citizen_session(
        &self,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Option<(Citizen, String)>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Uuid, String, String),
            "SELECT s.subject_id, d.controller_id, o.name, s.csrf_token FROM citizen_session s \
             JOIN data_subject d ON d.id = s.subject_id JOIN organisation o ON o.id = d.controller_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
            token_hash,
            now.micros()
        )?;
        Ok(
            row.map(|(subject_id, controller_id, controller_name, csrf)| {
                (
                    Citizen {
                        subject_id,
                        controller_id,
                        controller_name,
                    },
                    csrf,
                )
            }),
        )
    }

    pub async fn delete_citizen_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM citizen_session WHERE token_hash = $1",
            token_hash
        )?;
        tx.commit().await
    }
}

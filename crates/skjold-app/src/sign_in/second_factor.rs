//! The second factor (TOTP, RFC 6238): setting up an authenticator at the first sign-in,
//! entering its code (each accepted once), an administrator's reset of a lost one, and the
//! demo's codes (shown only when serving the demo).

use uuid::Uuid;

use skjold_core::sign_in::Workstation;
use skjold_core::{Action, Actor, Problem};
use skjold_store::sign_in::secret_hash;

use super::{SignIn, pending_expired};
use crate::{App, AppError, require};

fn second_factor_refused() -> AppError {
    AppError::Refused(Problem::BadSecondFactor)
}

/// A second-factor secret with the parameters every authenticator app understands
/// (RFC 6238: HMAC-SHA1, six digits, 30-second steps, one step of clock skew).
fn totp(secret: Vec<u8>, account: &str) -> Result<totp_rs::Totp, AppError> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some("Skjold"))
        .with_account_name(account.replace(':', "_"))
        .build()
        .map_err(|e| AppError::Internal(format!("second factor: {e}")))
}

/// A fresh second-factor secret (160 bits, as RFC 4226 recommends).
pub(crate) fn new_totp_secret() -> [u8; 20] {
    let mut secret = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    secret
}

/// The secret in base32, as an authenticator app takes it.
pub(crate) fn totp_secret_base32(secret: &[u8], account: &str) -> Result<String, AppError> {
    Ok(totp(secret.to_vec(), account)?.secret().to_base32())
}

/// The code that signs in now: the current step's, or the next step's (within the one step
/// of skew) when the current one has been used.
pub(crate) fn usable_code(
    secret: Vec<u8>,
    account: &str,
    last_step: Option<i64>,
    now: skjold_core::Timestamp,
) -> Result<String, AppError> {
    let t = totp(secret, account)?;
    let seconds = now.micros() / skjold_core::Timestamp::MICROS_PER_SECOND;
    let step = (seconds / 30).max(last_step.map_or(0, |s| s + 1));
    let at = u64::try_from(step * 30)
        .map_err(|_| AppError::Internal("second factor: time before 1970".into()))?;
    Ok(t.generate(at).to_string())
}

/// The step a code matches at `now`, if it matches one.
fn totp_step(t: &totp_rs::Totp, code: &str, now: skjold_core::Timestamp) -> Option<i64> {
    let seconds = u64::try_from(now.micros() / skjold_core::Timestamp::MICROS_PER_SECOND).ok()?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    t.check(&code, seconds).and_then(|s| i64::try_from(s).ok())
}

/// What a user needs to set up an authenticator app.
pub struct Enrolment {
    /// The secret in base32, for typing in.
    pub secret: String,
    /// The `otpauth://` address, for a QR code.
    pub url: String,
}

impl App {
    /// The secret a waiting sign-in is to set up.
    pub async fn enrolment(&self, token: &str) -> Result<Enrolment, AppError> {
        let pending = self.pending(token).await?;
        let sealed = pending
            .pending_secret
            .filter(|_| pending.enrol)
            .ok_or_else(pending_expired)?;
        let secret = self.open_secret(pending.actor.user_id, &sealed)?;
        let t = totp(secret, &pending.actor.username)?;
        Ok(Enrolment {
            secret: t.secret().to_base32(),
            url: t
                .to_url()
                .map_err(|e| AppError::Internal(format!("second factor: {e}")))?,
        })
    }

    /// Finishes a waiting sign-in with a code from the authenticator. When setting up, the
    /// code proves the app holds the secret, which is then kept. A code is accepted once:
    /// a replayed code is refused and recorded, and a wrong code counts as a failed sign-in.
    /// Signed in then, or on to a new password when an administrator requires one.
    pub async fn second_factor(
        &self,
        token: &str,
        code: &str,
        ws: &Workstation,
    ) -> Result<SignIn, AppError> {
        let pending = self.pending(token).await?;
        if pending.new_password {
            return Err(pending_expired());
        }
        let actor = &pending.actor;
        let hash = secret_hash(token);
        if self.blocked(&actor.username, ws).await? {
            self.store().sign_in().delete_session(&hash).await?;
            return Err(self
                .refuse_blocked(&actor.username, Some(actor.user_id), ws)
                .await);
        }
        let sealed = if pending.enrol {
            pending.pending_secret.clone()
        } else {
            self.store()
                .sign_in()
                .second_factor(actor.user_id)
                .await?
                .sealed_secret
        }
        .ok_or_else(pending_expired)?;
        let t = totp(self.open_secret(actor.user_id, &sealed)?, &actor.username)?;
        let refusal = match totp_step(&t, code, self.now()) {
            None => Some("forkert engangskode"),
            Some(step) if pending.enrol => {
                self.store()
                    .sign_in()
                    .enrol_second_factor(actor.user_id, &sealed, step)
                    .await?;
                None
            }
            Some(step) => {
                if self
                    .store()
                    .sign_in()
                    .use_totp_step(actor.user_id, step)
                    .await?
                {
                    None
                } else {
                    Some("engangskoden er allerede brugt")
                }
            }
        };
        if let Some(detail) = refusal {
            self.record_failure(
                "second_factor_failed",
                &actor.username,
                Some(actor.user_id),
                ws,
                detail,
            )
            .await?;
            return Err(second_factor_refused());
        }
        self.store().sign_in().delete_session(&hash).await?;
        let how = if pending.enrol {
            "adgangskode og ny engangskode"
        } else {
            "adgangskode og engangskode"
        };
        self.factors_done(actor, ws, how).await
    }

    pub(crate) fn open_secret(&self, user: Uuid, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
        Ok(self.store().sign_in().open_second_factor(user, sealed)?)
    }

    /// Removes a user's second factor (a lost phone); the user sets up a new one at the
    /// next sign-in, and their sessions end.
    pub async fn reset_second_factor(
        &self,
        by: &Actor,
        user_id: Uuid,
        ws: &Workstation,
    ) -> Result<(), AppError> {
        require(by, Action::ManageSignIn)?;
        let users = self.users(by).await?;
        let user = users
            .iter()
            .find(|u| u.id == user_id)
            .ok_or(AppError::Refused(Problem::UserNotFound(None)))?;
        self.store().sign_in().reset_second_factor(user_id).await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "second_factor_reset",
                &super::security::username_key(&user.username),
                Some(by.user_id),
                ws,
                &format!("nulstillet af {}", by.username),
            )
            .await?;
        Ok(())
    }
}

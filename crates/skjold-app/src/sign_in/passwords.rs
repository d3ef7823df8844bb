//! Passwords: argon2id hashes (with a decoy for unknown users, so a wrong user name costs
//! the same as a wrong password), the rules for a new one, and changing, choosing and
//! requiring one.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use uuid::Uuid;

use skjold_core::sign_in::Workstation;
use skjold_core::{Action, Actor, Input, Problem};
use skjold_store::sign_in::{new_secret, secret_hash};

use super::{Session, pending_expired};
use crate::{App, AppError, require};

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;
/// The longest password taken (hashing is deliberately slow; the length must be bounded).
pub const MAX_PASSWORD: usize = 1024;

/// A new password: long enough, typed the same twice, and not the old one (`old_hash`).
fn check_new_password(new: &str, repeat: &str, old_hash: Option<&str>) -> Result<(), AppError> {
    validate_new_password(new)?;
    if new != repeat {
        return Err(AppError::Refused(Problem::PasswordMismatch));
    }
    if old_hash.is_some_and(|h| verify_password(new, h)) {
        return Err(AppError::Refused(Problem::PasswordUnchanged));
    }
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, checked when the user name is unknown so that a wrong
/// user name costs the same time as a wrong password.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_secret()).unwrap_or_default())
}

pub fn validate_new_password(password: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(Problem::PasswordTooShort { min: MIN_PASSWORD }.into());
    }
    if length > MAX_PASSWORD {
        return Err(Problem::TooLong {
            input: Input::Password,
            max: MAX_PASSWORD,
        }
        .into());
    }
    Ok(())
}

pub(crate) fn validate_username(username: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::Refused(Problem::UsernameFormat))
    }
}

impl App {
    /// Finishes a waiting sign-in whose user must choose a new password (an administrator
    /// required it). The new password is set, the requirement cleared, every other session
    /// of the user ended, and the user signed in.
    pub async fn choose_new_password(
        &self,
        token: &str,
        new: &str,
        repeat: &str,
        ws: &Workstation,
    ) -> Result<Session, AppError> {
        let pending = self.pending(token).await?;
        if !pending.new_password {
            return Err(pending_expired());
        }
        let actor = &pending.actor;
        if self.blocked(&actor.username, ws).await? {
            self.store()
                .sign_in()
                .delete_session(&secret_hash(token))
                .await?;
            return Err(self
                .refuse_blocked(&actor.username, Some(actor.user_id), ws)
                .await);
        }
        let old = self
            .store()
            .directory()
            .credentials(&actor.username)
            .await?
            .and_then(|(_, hash, _)| hash);
        check_new_password(new, repeat, old.as_deref())?;
        let hash = hash_password(new)?;
        self.store()
            .directory()
            .set_password(actor.user_id, &hash, None)
            .await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &super::security::username_key(&actor.username),
                Some(actor.user_id),
                ws,
                "ny adgangskode valgt ved log-ind, som administratoren krævede",
            )
            .await?;
        self.complete_sign_in(actor, ws, "adgangskode og ny adgangskode")
            .await
    }

    /// Changes the password of the user signed in with `session_token`. The current password
    /// must be right: a wrong one is refused and counts as a failed sign-in toward the
    /// block. The user's other sessions end; this one goes on.
    pub async fn change_password(
        &self,
        session_token: &str,
        current: &str,
        new: &str,
        repeat: &str,
        ws: &Workstation,
    ) -> Result<(), AppError> {
        let (actor, _) = self
            .session(session_token)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if self.blocked(&actor.username, ws).await? {
            self.store()
                .sign_in()
                .record_sign_in_event(
                    self.now(),
                    "blocked",
                    &super::security::username_key(&actor.username),
                    Some(actor.user_id),
                    ws,
                    "skift af adgangskode, mens bruger-ID eller arbejdsstation er spærret",
                )
                .await?;
            return Err(AppError::Refused(Problem::SignInBlocked));
        }
        let old = self
            .store()
            .directory()
            .credentials(&actor.username)
            .await?
            .and_then(|(_, hash, _)| hash);
        let right = verify_password(current, old.as_deref().unwrap_or(decoy_hash()));
        if !(right && old.is_some()) {
            self.record_failure(
                "failed",
                &actor.username,
                Some(actor.user_id),
                ws,
                "forkert nuværende adgangskode ved skift af adgangskode",
            )
            .await?;
            return Err(AppError::Refused(Problem::WrongCurrentPassword));
        }
        check_new_password(new, repeat, old.as_deref())?;
        let hash = hash_password(new)?;
        self.store()
            .directory()
            .set_password(actor.user_id, &hash, Some(&secret_hash(session_token)))
            .await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &super::security::username_key(&actor.username),
                Some(actor.user_id),
                ws,
                "skiftet af brugeren selv; brugerens andre sessioner er afsluttet",
            )
            .await?;
        Ok(())
    }

    /// Requires a user of the administrator's authority to choose a new password at the next
    /// sign-in; the user's sessions end at once.
    pub async fn require_password_reset(
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
        if user.id == by.user_id {
            return Err(AppError::Refused(Problem::OwnPasswordReset));
        }
        self.store()
            .directory()
            .require_password_reset(user_id)
            .await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "password_reset_required",
                &super::security::username_key(&user.username),
                Some(by.user_id),
                ws,
                &format!("krævet af {}", by.username),
            )
            .await?;
        Ok(())
    }

    /// Sets a password as the operator (the CLI): clears a required reset and ends the
    /// user's sessions.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<(), AppError> {
        validate_new_password(password)?;
        let actor = self
            .store()
            .directory()
            .actor_by_username(username)
            .await?
            .ok_or(AppError::Refused(Problem::UserNotFound(None)))?;
        let hash = hash_password(password)?;
        self.store()
            .directory()
            .set_password(actor.user_id, &hash, None)
            .await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &super::security::username_key(&actor.username),
                Some(actor.user_id),
                &Workstation::new("kommandolinje", "", false),
                "sat af driften (skjold user password)",
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("korrekt hest batteri").expect("hash");
        let b = hash_password("korrekt hest batteri").expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("korrekt hest batteri", &a));
        assert!(!verify_password("forkert", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(validate_username("anne.sagsbehandler").is_ok());
        assert!(validate_username("a b").is_err());
        assert!(validate_username("æble").is_err());
        assert!(validate_new_password("kort").is_err());
        assert!(validate_new_password("lang nok adgangskode").is_ok());
    }
}

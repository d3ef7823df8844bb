//! Passwords, sessions and API tokens.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use uuid::Uuid;

use skjold_core::Role;
use skjold_store::admin::NewUser;
use skjold_store::crypto::{random_token, token_hash};
use skjold_store::{Actor, User};

use crate::{App, AppError};

/// How long a web session lasts without signing in again.
pub const SESSION_SECONDS: i64 = 8 * 3600;
pub const MIN_PASSWORD: usize = 12;

/// A signed-in browser session: the cookie secret, the form token, and who it is.
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
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
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

fn bad_credentials() -> AppError {
    AppError::Forbidden {
        code: "bad_credentials",
        message: "forkert brugernavn eller adgangskode".into(),
    }
}

pub fn validate_new_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::invalid(
            "password_too_short",
            format!("adgangskoden skal have mindst {MIN_PASSWORD} tegn"),
        ));
    }
    Ok(())
}

fn validate_username(username: &str) -> Result<(), AppError> {
    let ok = (2..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "username_format",
            "brugernavnet skal være 2–64 tegn: bogstaver a–z, tal, punktum, bindestreg, understregning eller @",
        ))
    }
}

impl App {
    /// Signs in with user name and password. Unknown user and wrong password get the same
    /// answer after the same work.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, AppError> {
        let creds = self.store.credentials(username.trim()).await?;
        let (user_id, hash, active) = match creds {
            Some((id, Some(hash), active)) => (Some(id), hash, active),
            _ => (None, decoy_hash().to_owned(), false),
        };
        let ok = verify_password(password, &hash);
        let Some(user_id) = user_id.filter(|_| ok && active) else {
            return Err(bad_credentials());
        };
        let actor = self
            .store
            .actor(user_id)
            .await?
            .ok_or_else(bad_credentials)?;
        let token = random_token();
        let csrf = random_token();
        let now = self.now();
        self.store
            .create_session(
                user_id,
                &token_hash(&token),
                &csrf,
                now,
                now.plus_seconds(SESSION_SECONDS),
            )
            .await?;
        Ok(Session { token, csrf, actor })
    }

    /// The actor and CSRF token behind a session cookie.
    pub async fn session(&self, token: &str) -> Result<Option<(Actor, String)>, AppError> {
        Ok(self.store.session(&token_hash(token), self.now()).await?)
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// The actor behind a bearer token of the JSON API.
    pub async fn api_actor(&self, token: &str) -> Result<Option<Actor>, AppError> {
        Ok(self.store.actor_by_api_token(&token_hash(token)).await?)
    }

    /// Creates an API token for `username`, scoped to that user's organisation, and
    /// returns the secret (shown once; only its hash is kept).
    pub async fn create_api_token(&self, username: &str, name: &str) -> Result<String, AppError> {
        let actor = self
            .store
            .actor_by_username(username)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "user_not_found",
                    format!("brugeren «{username}» findes ikke"),
                )
            })?;
        let secret = format!("skj_{}", random_token());
        self.store
            .create_api_token(actor.user_id, name, &token_hash(&secret), self.now())
            .await?;
        Ok(secret)
    }

    /// Creates a user. `by` is the administrator doing it, or `None` from the CLI (which
    /// runs with the operator's rights on the data directory).
    pub async fn add_user(
        &self,
        by: Option<&Actor>,
        organisation_id: Uuid,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, AppError> {
        if let Some(a) = by {
            crate::ops::require_admin(a)?;
            let org = self.store.organisation(organisation_id).await?;
            let own = org.id == a.controller_id || org.parent_id == Some(a.controller_id);
            if !own && org.kind != skjold_store::OrgKind::Supplier {
                return Err(AppError::forbidden(
                    "other_controller",
                    "organisationen hører til en anden myndighed",
                ));
            }
        }
        validate_username(username.trim())?;
        if display_name.trim().is_empty() {
            return Err(AppError::invalid(
                "display_name_required",
                "navnet skal udfyldes",
            ));
        }
        validate_new_password(password)?;
        let hash = hash_password(password)?;
        Ok(self
            .store
            .create_user(
                NewUser {
                    organisation_id,
                    username: username.trim(),
                    display_name: display_name.trim(),
                    role,
                    password_hash: &hash,
                },
                self.now(),
            )
            .await?)
    }

    /// Sets or clears the work address for `username`'s new-message notices.
    pub async fn set_notify_email(
        &self,
        username: &str,
        email: Option<&str>,
    ) -> Result<(), AppError> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email
            && !(e.contains('@') && !e.contains(char::is_whitespace) && e.len() <= 254)
        {
            return Err(AppError::invalid(
                "email_format",
                format!("«{e}» er ikke en e-mailadresse"),
            ));
        }
        let actor = self
            .store
            .actor_by_username(username)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "user_not_found",
                    format!("brugeren «{username}» findes ikke"),
                )
            })?;
        Ok(self.store.set_notify_email(actor.user_id, email).await?)
    }

    pub async fn set_password(&self, username: &str, password: &str) -> Result<(), AppError> {
        validate_new_password(password)?;
        let actor = self
            .store
            .actor_by_username(username)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "user_not_found",
                    format!("brugeren «{username}» findes ikke"),
                )
            })?;
        let hash = hash_password(password)?;
        Ok(self.store.set_password(actor.user_id, &hash).await?)
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

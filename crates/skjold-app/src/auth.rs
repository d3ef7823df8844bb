//! Passwords, sessions and API tokens.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use uuid::Uuid;

use skjold_core::Role;
use skjold_store::admin::{NewSession, NewUser, PendingSession};
use skjold_store::crypto::{random_token, token_hash};
use skjold_store::security::Workstation;
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

/// Shows who the session is for, never its secrets.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.actor.username)
            .finish_non_exhaustive()
    }
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

/// A new password: long enough, typed the same twice, and not the old one (`old_hash`).
fn check_new_password(new: &str, repeat: &str, old_hash: Option<&str>) -> Result<(), AppError> {
    validate_new_password(new)?;
    if new != repeat {
        return Err(AppError::invalid(
            "password_mismatch",
            "de to nye adgangskoder er ikke ens",
        ));
    }
    if old_hash.is_some_and(|h| verify_password(new, h)) {
        return Err(AppError::invalid(
            "password_unchanged",
            "den nye adgangskode skal være forskellig fra den nuværende",
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

/// How long a sign-in may wait between password and second factor.
pub const PENDING_SECONDS: i64 = 10 * 60;

/// What a correct password leads to.
pub enum SignIn {
    /// Signed in.
    Done(Session),
    /// The role needs a second factor: the user enters a code, or (`enrol`) first sets up
    /// an authenticator. `token` identifies the waiting sign-in; `csrf` guards its form.
    SecondFactor {
        token: String,
        csrf: String,
        enrol: bool,
    },
    /// An administrator requires a new password: the user chooses one before any session
    /// starts. `token` identifies the waiting sign-in; `csrf` guards its form.
    NewPassword { token: String, csrf: String },
}

/// Shows how far the sign-in got, never its secrets.
impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignIn::Done(session) => f.debug_tuple("Done").field(session).finish(),
            SignIn::SecondFactor { enrol, .. } => f
                .debug_struct("SecondFactor")
                .field("enrol", enrol)
                .finish_non_exhaustive(),
            SignIn::NewPassword { .. } => f.debug_struct("NewPassword").finish_non_exhaustive(),
        }
    }
}

impl SignIn {
    /// The session, when the sign-in is complete.
    pub fn session(self) -> Option<Session> {
        match self {
            SignIn::Done(session) => Some(session),
            _ => None,
        }
    }
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

fn second_factor_refused() -> AppError {
    AppError::Forbidden {
        code: "bad_second_factor",
        message: "engangskoden er forkert eller allerede brugt".into(),
    }
}

fn new_password_required() -> AppError {
    AppError::forbidden(
        "new_password_required",
        "administratoren kræver, at du vælger en ny adgangskode",
    )
}

fn pending_expired() -> AppError {
    AppError::Forbidden {
        code: "sign_in_expired",
        message: "log-ind er udløbet; start forfra".into(),
    }
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
    /// Signs in with user name and password. Unknown user, wrong password, inactive user
    /// and a blocked user ID or workstation all get the same answer after the same work,
    /// and each is recorded with the workstation.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ws: &Workstation,
    ) -> Result<SignIn, AppError> {
        let username = username.trim();
        let creds = self.store.credentials(username).await?;
        let (user_id, hash, active) = match creds {
            Some((id, Some(hash), active)) => (Some(id), hash, active),
            Some((id, None, active)) => (Some(id), decoy_hash().to_owned(), active),
            None => (None, decoy_hash().to_owned(), false),
        };
        let ok = verify_password(password, &hash);
        if self.blocked(username, ws).await? {
            return Err(self.refuse_blocked(username, user_id, ws).await);
        }
        let detail = match (user_id, ok, active) {
            (None, _, _) => Some("ukendt bruger-ID"),
            (Some(_), false, _) => Some("forkert adgangskode"),
            (Some(_), true, false) => Some("brugeren er deaktiveret"),
            (Some(_), true, true) => None,
        };
        if let Some(detail) = detail {
            self.record_failure("failed", username, user_id, ws, detail)
                .await?;
            return Err(bad_credentials());
        }
        let actor = match user_id {
            Some(id) => self.store.actor(id).await?,
            None => None,
        }
        .ok_or_else(bad_credentials)?;
        self.after_first_factor(&actor, ws, false, "adgangskode")
            .await
    }

    /// After the first factor (a password, or single sign-on; `second_done` when that
    /// already included a second factor): signed in, or on to the second factor when the
    /// role needs one or the user has set one up.
    pub(crate) async fn after_first_factor(
        &self,
        actor: &Actor,
        ws: &Workstation,
        second_done: bool,
        how: &str,
    ) -> Result<SignIn, AppError> {
        let enrolled = self
            .store
            .second_factor(actor.user_id)
            .await?
            .sealed_secret
            .is_some();
        let required = self
            .security_settings()
            .await?
            .requires_second_factor(actor.role);
        if second_done || !(enrolled || required) {
            return self.factors_done(actor, ws, how).await;
        }
        let sealed = if enrolled {
            None
        } else {
            Some(
                self.store
                    .keys()
                    .seal_user_secret(actor.user_id, &new_totp_secret())
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            )
        };
        let stage = if enrolled { "totp" } else { "enrol" };
        let (token, csrf) = self
            .new_session(actor, stage, PENDING_SECONDS, sealed.as_deref())
            .await?;
        Ok(SignIn::SecondFactor {
            token,
            csrf,
            enrol: !enrolled,
        })
    }

    /// Every factor is given: signed in, unless an administrator requires a new password
    /// first; then the sign-in waits (stage `password`) and counts as no session.
    async fn factors_done(
        &self,
        actor: &Actor,
        ws: &Workstation,
        how: &str,
    ) -> Result<SignIn, AppError> {
        if !self.store.password_reset_required(actor.user_id).await? {
            return Ok(SignIn::Done(self.complete_sign_in(actor, ws, how).await?));
        }
        let (token, csrf) = self
            .new_session(actor, "password", PENDING_SECONDS, None)
            .await?;
        Ok(SignIn::NewPassword { token, csrf })
    }

    /// Records an attempt made while the user ID or workstation is blocked, and the answer
    /// it gets: the same as any failed sign-in.
    async fn refuse_blocked(
        &self,
        username: &str,
        user_id: Option<Uuid>,
        ws: &Workstation,
    ) -> AppError {
        let recorded = self
            .store
            .record_sign_in_event(
                self.now(),
                "blocked",
                &crate::security::username_key(username),
                user_id,
                ws,
                "bruger-ID eller arbejdsstation er spærret",
            )
            .await;
        match recorded {
            Ok(()) => bad_credentials(),
            Err(e) => e.into(),
        }
    }

    /// Signs in with the password alone: `sign_in` that must end at once. Only users whose
    /// role the administrator has freed from the second factor, and who have none set up,
    /// get a session; everyone else is refused.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, AppError> {
        let ws = Workstation::new("lokal", "", false);
        match self.sign_in(username, password, &ws).await? {
            SignIn::Done(session) => Ok(session),
            SignIn::SecondFactor { .. } => Err(AppError::forbidden(
                "second_factor_required",
                "rollen kræver en engangskode ved log-ind",
            )),
            SignIn::NewPassword { .. } => Err(new_password_required()),
        }
    }

    /// The waiting sign-in behind `token`.
    pub async fn pending_sign_in(&self, token: &str) -> Result<PendingSession, AppError> {
        self.store
            .pending_session(&token_hash(token), self.now())
            .await?
            .ok_or_else(pending_expired)
    }

    /// The secret a waiting sign-in is to set up.
    pub async fn enrolment(&self, token: &str) -> Result<Enrolment, AppError> {
        let pending = self.pending_sign_in(token).await?;
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
        let pending = self.pending_sign_in(token).await?;
        if pending.new_password {
            return Err(pending_expired());
        }
        let actor = &pending.actor;
        let hash = token_hash(token);
        if self.blocked(&actor.username, ws).await? {
            self.store.delete_session(&hash).await?;
            return Err(self
                .refuse_blocked(&actor.username, Some(actor.user_id), ws)
                .await);
        }
        let sealed = if pending.enrol {
            pending.pending_secret.clone()
        } else {
            self.store.second_factor(actor.user_id).await?.sealed_secret
        }
        .ok_or_else(pending_expired)?;
        let t = totp(self.open_secret(actor.user_id, &sealed)?, &actor.username)?;
        let refusal = match totp_step(&t, code, self.now()) {
            None => Some("forkert engangskode"),
            Some(step) if pending.enrol => {
                self.store
                    .enrol_second_factor(actor.user_id, &sealed, step)
                    .await?;
                None
            }
            Some(step) => {
                if self.store.use_totp_step(actor.user_id, step).await? {
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
        self.store.delete_session(&hash).await?;
        let how = if pending.enrol {
            "adgangskode og ny engangskode"
        } else {
            "adgangskode og engangskode"
        };
        self.factors_done(actor, ws, how).await
    }

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
        let pending = self.pending_sign_in(token).await?;
        if !pending.new_password {
            return Err(pending_expired());
        }
        let actor = &pending.actor;
        if self.blocked(&actor.username, ws).await? {
            self.store.delete_session(&token_hash(token)).await?;
            return Err(self
                .refuse_blocked(&actor.username, Some(actor.user_id), ws)
                .await);
        }
        let old = self
            .store
            .credentials(&actor.username)
            .await?
            .and_then(|(_, hash, _)| hash);
        check_new_password(new, repeat, old.as_deref())?;
        let hash = hash_password(new)?;
        self.store.set_password(actor.user_id, &hash, None).await?;
        self.store
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &crate::security::username_key(&actor.username),
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
            self.store
                .record_sign_in_event(
                    self.now(),
                    "blocked",
                    &crate::security::username_key(&actor.username),
                    Some(actor.user_id),
                    ws,
                    "skift af adgangskode, mens bruger-ID eller arbejdsstation er spærret",
                )
                .await?;
            return Err(AppError::forbidden(
                "sign_in_blocked",
                "for mange forkerte forsøg: bruger-ID eller arbejdsstation er spærret et stykke tid. Prøv igen senere",
            ));
        }
        let old = self
            .store
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
            return Err(AppError::invalid(
                "wrong_current_password",
                "den nuværende adgangskode er forkert",
            ));
        }
        check_new_password(new, repeat, old.as_deref())?;
        let hash = hash_password(new)?;
        self.store
            .set_password(actor.user_id, &hash, Some(&token_hash(session_token)))
            .await?;
        self.store
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &crate::security::username_key(&actor.username),
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
        crate::ops::require_admin(by)?;
        let users = self.users(by).await?;
        let user = users.iter().find(|u| u.id == user_id).ok_or_else(|| {
            AppError::not_found("user_not_found", "brugeren findes ikke hos jeres myndighed")
        })?;
        if user.id == by.user_id {
            return Err(AppError::invalid(
                "own_password_reset",
                "din egen adgangskode skifter du under «Skift adgangskode»",
            ));
        }
        self.store.require_password_reset(user_id).await?;
        self.store
            .record_sign_in_event(
                self.now(),
                "password_reset_required",
                &crate::security::username_key(&user.username),
                Some(by.user_id),
                ws,
                &format!("krævet af {}", by.username),
            )
            .await?;
        Ok(())
    }

    /// In a demo server only, the code that signs a demo user in now, to show beside the
    /// form; `None` anywhere else, and for users who have no second factor.
    pub async fn demo_totp_code(&self, username: &str) -> Result<Option<String>, AppError> {
        if !self.demo || !crate::demo::DEMO_USERS.iter().any(|u| u.0 == username) {
            return Ok(None);
        }
        let Some(actor) = self.store.actor_by_username(username).await? else {
            return Ok(None);
        };
        let factor = self.store.second_factor(actor.user_id).await?;
        let Some(sealed) = factor.sealed_secret else {
            return Ok(None);
        };
        let secret = self.open_secret(actor.user_id, &sealed)?;
        usable_code(secret, &actor.username, factor.last_step, self.now()).map(Some)
    }

    /// Starts a signed-in session (a fresh secret, never the waiting sign-in's) and records
    /// the sign-in.
    async fn complete_sign_in(
        &self,
        actor: &Actor,
        ws: &Workstation,
        how: &str,
    ) -> Result<Session, AppError> {
        let (token, csrf) = self
            .new_session(actor, "done", SESSION_SECONDS, None)
            .await?;
        self.store
            .record_sign_in(
                self.now(),
                &crate::security::username_key(&actor.username),
                actor.user_id,
                ws,
                how,
            )
            .await?;
        Ok(Session {
            token,
            csrf,
            actor: actor.clone(),
        })
    }

    /// Records a session at `stage` lasting `seconds`, and returns its cookie secret and
    /// form token (only the secret's hash is kept).
    async fn new_session(
        &self,
        actor: &Actor,
        stage: &str,
        seconds: i64,
        pending_secret: Option<&[u8]>,
    ) -> Result<(String, String), AppError> {
        let token = random_token();
        let csrf = random_token();
        let now = self.now();
        self.store
            .create_session(
                NewSession {
                    user_id: actor.user_id,
                    token_hash: &token_hash(&token),
                    csrf_token: &csrf,
                    expires_at: now.plus_seconds(seconds),
                    stage,
                    pending_secret,
                },
                now,
            )
            .await?;
        Ok((token, csrf))
    }

    fn open_secret(&self, user: Uuid, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
        self.store
            .keys()
            .open_user_secret(user, sealed)
            .map_err(|e| AppError::Internal(format!("second factor: {e}")))
    }

    /// Removes a user's second factor (a lost phone); the user sets up a new one at the
    /// next sign-in, and their sessions end.
    pub async fn reset_second_factor(
        &self,
        by: &Actor,
        user_id: Uuid,
        ws: &Workstation,
    ) -> Result<(), AppError> {
        crate::ops::require_admin(by)?;
        let users = self.users(by).await?;
        let user = users.iter().find(|u| u.id == user_id).ok_or_else(|| {
            AppError::not_found("user_not_found", "brugeren findes ikke hos jeres myndighed")
        })?;
        self.store.reset_second_factor(user_id).await?;
        self.store
            .record_sign_in_event(
                self.now(),
                "second_factor_reset",
                &crate::security::username_key(&user.username),
                Some(by.user_id),
                ws,
                &format!("nulstillet af {}", by.username),
            )
            .await?;
        Ok(())
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

    /// Sets a password as the operator (the CLI): clears a required reset and ends the
    /// user's sessions.
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
        self.store.set_password(actor.user_id, &hash, None).await?;
        self.store
            .record_sign_in_event(
                self.now(),
                "password_changed",
                &crate::security::username_key(&actor.username),
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

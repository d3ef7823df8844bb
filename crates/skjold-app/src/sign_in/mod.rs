//! Signing in: with a password (and a second factor, or a required new password) or by
//! single sign-on, into a browser session or with an API token. The rooms:
//! [`passwords`] (hashing, changing, requiring), [`second_factor`] (TOTP), [`oidc`]
//! (single sign-on) and [`security`] (lockout, settings, the report).

pub mod oidc;
pub mod passwords;
pub mod second_factor;
pub mod security;

use uuid::Uuid;

use skjold_core::sign_in::Workstation;
use skjold_core::{Actor, Problem};
use skjold_store::sign_in::{NewSession, PendingSession, new_secret, secret_hash};

use crate::{App, AppError};
use passwords::{decoy_hash, verify_password};
use second_factor::new_totp_secret;
use security::username_key;

/// How long a web session lasts without signing in again.
pub const SESSION_SECONDS: i64 = 8 * 3600;

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

/// A fresh random secret for a cookie or a form token (the web layer's device cookie and
/// the sign-in form's double-submit token).
pub fn new_token() -> String {
    new_secret()
}

fn bad_credentials() -> AppError {
    AppError::Refused(Problem::BadCredentials)
}

/// A sign-in waiting for its second factor or a new password.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub username: String,
    /// Guards the waiting sign-in's form.
    pub csrf: String,
    /// The user sets up an authenticator, rather than entering a code.
    pub enrol: bool,
    /// The user must choose a new password before any session starts.
    pub new_password: bool,
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

fn new_password_required() -> AppError {
    AppError::Refused(Problem::NewPasswordRequired)
}

pub(crate) fn pending_expired() -> AppError {
    AppError::Refused(Problem::SignInExpired)
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
        // What was typed is counted and recorded, so it is bounded first: no user name is
        // longer than a line or holds control characters.
        let username: String = username
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(skjold_core::text::MAX_LINE)
            .collect();
        let username = username.as_str();
        let creds = self.store().directory().credentials(username).await?;
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
            Some(id) => self.store().directory().actor(id).await?,
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
            .store()
            .sign_in()
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
                self.store()
                    .sign_in()
                    .seal_second_factor(actor.user_id, &new_totp_secret())?,
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
        if !self
            .store()
            .directory()
            .password_reset_required(actor.user_id)
            .await?
        {
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
            .store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "blocked",
                &username_key(username),
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
            SignIn::SecondFactor { .. } => Err(AppError::Refused(Problem::SecondFactorRequired)),
            SignIn::NewPassword { .. } => Err(new_password_required()),
        }
    }

    /// The waiting sign-in behind `token`, as its pages show it.
    pub async fn pending_sign_in(&self, token: &str) -> Result<PendingSignIn, AppError> {
        let p = self.pending(token).await?;
        Ok(PendingSignIn {
            username: p.actor.username,
            csrf: p.csrf,
            enrol: p.enrol,
            new_password: p.new_password,
        })
    }

    /// The waiting sign-in behind `token`.
    pub(crate) async fn pending(&self, token: &str) -> Result<PendingSession, AppError> {
        self.store()
            .sign_in()
            .pending_session(&secret_hash(token), self.now())
            .await?
            .ok_or_else(pending_expired)
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
        self.store()
            .sign_in()
            .record_sign_in(
                self.now(),
                &username_key(&actor.username),
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
    pub(crate) async fn new_session(
        &self,
        actor: &Actor,
        stage: &str,
        seconds: i64,
        pending_secret: Option<&[u8]>,
    ) -> Result<(String, String), AppError> {
        let token = new_secret();
        let csrf = new_secret();
        let now = self.now();
        self.store()
            .sign_in()
            .create_session(
                NewSession {
                    user_id: actor.user_id,
                    token_hash: &secret_hash(&token),
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

    /// The actor and CSRF token behind a session cookie.
    pub async fn session(&self, token: &str) -> Result<Option<(Actor, String)>, AppError> {
        Ok(self
            .store()
            .sign_in()
            .session(&secret_hash(token), self.now())
            .await?)
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        Ok(self
            .store()
            .sign_in()
            .delete_session(&secret_hash(token))
            .await?)
    }

    /// The actor behind a bearer token of the JSON API.
    pub async fn api_actor(&self, token: &str) -> Result<Option<Actor>, AppError> {
        Ok(self
            .store()
            .sign_in()
            .actor_by_api_token(&secret_hash(token))
            .await?)
    }

    /// Creates an API token for `username`, scoped to that user's organisation, and
    /// returns the secret (shown once; only its hash is kept).
    pub async fn create_api_token(&self, username: &str, name: &str) -> Result<String, AppError> {
        let actor = self
            .store()
            .directory()
            .actor_by_username(username)
            .await?
            .ok_or(AppError::Refused(Problem::UserNotFound(None)))?;
        let secret = format!("skj_{}", new_secret());
        self.store()
            .sign_in()
            .create_api_token(actor.user_id, name, &secret_hash(&secret), self.now())
            .await?;
        Ok(secret)
    }
}

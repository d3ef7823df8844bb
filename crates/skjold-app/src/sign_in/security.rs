//! Security settings, blocking after repeated failures, and the sign-in report (SA-4).
//!
//! Every rejected sign-in is recorded with the user ID tried and the workstation. After
//! `lockout_threshold` failures in a row within `lockout_window_hours`, from one user ID or
//! one workstation, further attempts from it are refused for `block_minutes`, with the same
//! message and the same password-hashing work as any other failure. The counts are read
//! from the recorded attempts, so they survive a restart.

use std::collections::HashSet;

use serde::Serialize;
use uuid::Uuid;

use skjold_core::sign_in::{
    Block, BlockScope, SecuritySettings, SettingsInput, SignInEvent, Workstation,
};
use skjold_core::text::{self, MIN_NOTE};
use skjold_core::{Action, Actor, Input, Timestamp};
use skjold_store::sign_in::secret_hash;

use crate::{App, AppError, require};

/// The controller's report of sign-in attempts, refusals and blocks.
#[derive(Debug, Serialize)]
pub struct SignInReport {
    pub since: Timestamp,
    pub events: Vec<SignInEvent>,
    pub blocks: Vec<Block>,
    pub settings: SecuritySettings,
}

/// How far back the report reaches.
pub const REPORT_DAYS: i64 = 30;

impl App {
    pub async fn security_settings(&self) -> Result<SecuritySettings, AppError> {
        Ok(SecuritySettings::from_stored(
            &self.store().sign_in().security_settings().await?,
        ))
    }

    /// Changes the settings. Values out of range are refused whole (nothing is changed) and
    /// the refusal is recorded. `by` is `None` from the CLI.
    pub async fn set_security_settings(
        &self,
        by: Option<&Actor>,
        input: &SettingsInput,
        ws: &Workstation,
    ) -> Result<SecuritySettings, AppError> {
        if let Some(a) = by {
            require(a, Action::ManageSignIn)?;
        }
        let who = by.map_or("(drift)", |a| a.username.as_str());
        let settings = match input.parse() {
            Ok(s) => s,
            Err(e) => {
                self.store()
                    .sign_in()
                    .record_sign_in_event(
                        self.now(),
                        "setting_refused",
                        who,
                        by.map(|a| a.user_id),
                        ws,
                        e.code(),
                    )
                    .await?;
                return Err(e.into());
            }
        };
        self.store()
            .sign_in()
            .set_security_settings(&settings.to_stored(), by.map(|a| a.user_id), self.now())
            .await?;
        self.store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                "settings_changed",
                who,
                by.map(|a| a.user_id),
                ws,
                &serde_json::to_string(&settings).unwrap_or_default(),
            )
            .await?;
        Ok(settings)
    }

    /// The workstation of a request: its client address and device cookie.
    pub async fn workstation(
        &self,
        address: &str,
        device_cookie: Option<&str>,
    ) -> Result<Workstation, AppError> {
        let device = device_cookie
            .filter(|c| !c.is_empty())
            .map(|c| hex::encode(&secret_hash(c)[..16]))
            .unwrap_or_default();
        let known = !device.is_empty() && self.store().sign_in().device_known(&device).await?;
        Ok(Workstation::new(address, &device, known))
    }

    /// Whether `username` (as typed) or the workstation is blocked now.
    pub(crate) async fn blocked(&self, username: &str, ws: &Workstation) -> Result<bool, AppError> {
        let now = self.now();
        Ok(self
            .store()
            .sign_in()
            .active_block(BlockScope::Username, &username_key(username), now)
            .await?
            .is_some()
            || self
                .store()
                .sign_in()
                .active_block(BlockScope::Workstation, &ws.key, now)
                .await?
                .is_some())
    }

    /// Records a failed sign-in and blocks the user ID or workstation that has now failed
    /// too often.
    pub(crate) async fn record_failure(
        &self,
        kind: &str,
        username: &str,
        user_id: Option<Uuid>,
        ws: &Workstation,
        detail: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        let key = username_key(username);
        self.store()
            .sign_in()
            .record_sign_in_event(now, kind, &key, user_id, ws, detail)
            .await?;
        let s = self.security_settings().await?;
        let since = now.plus_seconds(-i64::from(s.lockout_window_hours) * 3600);
        let until = now.plus_seconds(i64::from(s.block_minutes) * 60);
        for (scope, subject) in [
            (BlockScope::Username, key.as_str()),
            (BlockScope::Workstation, ws.key.as_str()),
        ] {
            let failures = self
                .store()
                .sign_in()
                .failures_since(scope, subject, since)
                .await?;
            if failures >= i64::from(s.lockout_threshold)
                && self
                    .store()
                    .sign_in()
                    .active_block(scope, subject, now)
                    .await?
                    .is_none()
            {
                self.store()
                    .sign_in()
                    .create_block(scope, subject, now, until, failures)
                    .await?;
                tracing::warn!(scope = scope.key(), failures, "sign-in blocked");
            }
        }
        Ok(())
    }

    /// Records a refused authorisation (a signed-in user asked for something their role or
    /// organisation may not have), or a rejected session cookie or API token.
    pub async fn record_refusal(
        &self,
        kind: &str,
        actor: Option<&Actor>,
        ws: &Workstation,
        detail: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .sign_in()
            .record_sign_in_event(
                self.now(),
                kind,
                actor.map_or("", |a| a.username.as_str()),
                actor.map(|a| a.user_id),
                ws,
                detail,
            )
            .await?)
    }

    /// Lifts a block, with the administrator's reason.
    pub async fn unblock(
        &self,
        actor: &Actor,
        block_id: Uuid,
        reason: &str,
        ws: &Workstation,
    ) -> Result<Block, AppError> {
        require(actor, Action::ManageSignIn)?;
        let reason = text::at_least(Input::Reason, reason, MIN_NOTE)?;
        Ok(self
            .store()
            .sign_in()
            .lift_block(block_id, actor.user_id, reason, ws, self.now())
            .await?)
    }

    /// Attempts, refusals and blocks of the last [`REPORT_DAYS`] days, for the controller's
    /// administrators, privacy officers and auditors. Events of users that belong to
    /// another authority are left out.
    pub async fn sign_in_report(&self, actor: &Actor) -> Result<SignInReport, AppError> {
        require(actor, Action::ReadSignInReport)?;
        let since = self.now().plus_seconds(-REPORT_DAYS * 86_400);
        let own = self.own_organisations(actor).await?;
        let everyone = self.store().directory().users_everywhere().await?;
        let own_ids: HashSet<Uuid> = everyone
            .iter()
            .filter(|u| own.contains(&u.organisation_id))
            .map(|u| u.id)
            .collect();
        let foreign_names: HashSet<String> = everyone
            .iter()
            .filter(|u| !own_ids.contains(&u.id))
            .map(|u| username_key(&u.username))
            .collect();
        let ours = |user_id: Option<Uuid>, name: &str| match user_id {
            Some(id) => own_ids.contains(&id),
            None => !foreign_names.contains(name),
        };
        let events = self
            .store()
            .sign_in()
            .sign_in_events(since, 1000)
            .await?
            .into_iter()
            .filter(|e| ours(e.user_id, &e.username))
            .collect();
        let blocks = self
            .store()
            .sign_in()
            .blocks_since(since)
            .await?
            .into_iter()
            .filter(|b| b.scope == BlockScope::Workstation || ours(None, &b.subject))
            .collect();
        Ok(SignInReport {
            since,
            events,
            blocks,
            settings: self.security_settings().await?,
        })
    }
}

/// The form a user ID is counted and blocked under.
pub(crate) fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

//! Security settings, blocking after repeated failures, and the sign-in report (SA-4).
//!
//! Every rejected sign-in is recorded with the user ID tried and the workstation. After
//! `lockout_threshold` failures in a row within `lockout_window_hours`, from one user ID or
//! one workstation, further attempts from it are refused for `block_minutes`, with the same
//! message and the same password-hashing work as any other failure. The counts are read
//! from the recorded attempts, so they survive a restart.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use skjold_core::{Role, Timestamp};
use skjold_store::security::{Block, BlockScope, SignInEvent, Workstation};

use crate::ops::require_admin;
use crate::{Actor, App, AppError};

/// The installation's security settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecuritySettings {
    pub lockout_threshold: u32,
    pub lockout_window_hours: u32,
    pub block_minutes: u32,
    /// Roles that must sign in with a second factor.
    pub totp_roles: Vec<Role>,
}

pub const THRESHOLD_RANGE: std::ops::RangeInclusive<u32> = 3..=10;
pub const WINDOW_RANGE: std::ops::RangeInclusive<u32> = 1..=168;
pub const BLOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=1440;

impl Default for SecuritySettings {
    fn default() -> SecuritySettings {
        SecuritySettings {
            lockout_threshold: 5,
            lockout_window_hours: 24,
            block_minutes: 30,
            // Every staff role can see special-category or criminal data, or administers
            // who can: all of them sign in with a second factor unless the administrator
            // decides otherwise.
            totp_roles: Role::ALL.to_vec(),
        }
    }
}

impl SecuritySettings {
    fn from_stored(values: &[(String, String)]) -> SecuritySettings {
        let mut s = SecuritySettings::default();
        for (name, value) in values {
            match name.as_str() {
                "lockout_threshold" => s.lockout_threshold = value.parse().unwrap_or(5),
                "lockout_window_hours" => s.lockout_window_hours = value.parse().unwrap_or(24),
                "block_minutes" => s.block_minutes = value.parse().unwrap_or(30),
                "totp_roles" => {
                    s.totp_roles = value.split(',').filter_map(Role::parse).collect();
                }
                _ => {}
            }
        }
        s
    }

    fn to_stored(&self) -> Vec<(&'static str, String)> {
        vec![
            ("lockout_threshold", self.lockout_threshold.to_string()),
            (
                "lockout_window_hours",
                self.lockout_window_hours.to_string(),
            ),
            ("block_minutes", self.block_minutes.to_string()),
            (
                "totp_roles",
                self.totp_roles
                    .iter()
                    .map(|r| r.key())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ]
    }

    pub fn requires_second_factor(&self, role: Role) -> bool {
        self.totp_roles.contains(&role)
    }
}

/// Settings as entered, checked by [`App::set_security_settings`].
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SettingsInput {
    pub lockout_threshold: String,
    pub lockout_window_hours: String,
    pub block_minutes: String,
    /// Role keys, e.g. `privacy_officer`.
    pub totp_roles: Vec<String>,
}

impl SettingsInput {
    fn parse(&self) -> Result<SecuritySettings, AppError> {
        let number =
            |value: &str, range: std::ops::RangeInclusive<u32>, code: &'static str, what: &str| {
                value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        AppError::invalid(
                            code,
                            format!(
                                "{what} skal være et helt tal fra {} til {} (ikke «{}»)",
                                range.start(),
                                range.end(),
                                value.trim()
                            ),
                        )
                    })
            };
        let mut totp_roles = Vec::new();
        for key in &self.totp_roles {
            let role = Role::parse(key).ok_or_else(|| {
                AppError::invalid("bad_role", format!("«{key}» er ikke en rolle"))
            })?;
            if !totp_roles.contains(&role) {
                totp_roles.push(role);
            }
        }
        Ok(SecuritySettings {
            lockout_threshold: number(
                &self.lockout_threshold,
                THRESHOLD_RANGE,
                "lockout_threshold_range",
                "Antal fejlforsøg før spærring",
            )?,
            lockout_window_hours: number(
                &self.lockout_window_hours,
                WINDOW_RANGE,
                "lockout_window_range",
                "Tidsvinduet i timer",
            )?,
            block_minutes: number(
                &self.block_minutes,
                BLOCK_RANGE,
                "block_minutes_range",
                "Spærretiden i minutter",
            )?,
            totp_roles,
        })
    }
}

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
            &self.store.security_settings().await?,
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
            require_admin(a)?;
        }
        let who = by.map_or("(drift)", |a| a.username.as_str());
        let settings = match input.parse() {
            Ok(s) => s,
            Err(e) => {
                self.store
                    .record_sign_in_event(
                        self.now(),
                        "setting_refused",
                        who,
                        by.map(|a| a.user_id),
                        ws,
                        &e.to_string(),
                    )
                    .await?;
                return Err(e);
            }
        };
        self.store
            .set_security_settings(&settings.to_stored(), by.map(|a| a.user_id), self.now())
            .await?;
        self.store
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
            .map(|c| hex::encode(&skjold_store::crypto::token_hash(c)[..16]))
            .unwrap_or_default();
        let known = !device.is_empty() && self.store.device_known(&device).await?;
        Ok(Workstation::new(address, &device, known))
    }

    /// Whether `username` (as typed) or the workstation is blocked now.
    pub(crate) async fn blocked(&self, username: &str, ws: &Workstation) -> Result<bool, AppError> {
        let now = self.now();
        Ok(self
            .store
            .active_block(BlockScope::Username, &username_key(username), now)
            .await?
            .is_some()
            || self
                .store
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
        self.store
            .record_sign_in_event(now, kind, &key, user_id, ws, detail)
            .await?;
        let s = self.security_settings().await?;
        let since = now.plus_seconds(-i64::from(s.lockout_window_hours) * 3600);
        let until = now.plus_seconds(i64::from(s.block_minutes) * 60);
        for (scope, subject) in [
            (BlockScope::Username, key.as_str()),
            (BlockScope::Workstation, ws.key.as_str()),
        ] {
            let failures = self.store.failures_since(scope, subject, since).await?;
            if failures >= i64::from(s.lockout_threshold)
                && self
                    .store
                    .active_block(scope, subject, now)
                    .await?
                    .is_none()
            {
                self.store
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
            .store
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
        require_admin(actor)?;
        let reason = reason.trim();
        if reason.chars().count() < 5 {
            return Err(AppError::invalid(
                "reason_required",
                "skriv en begrundelse (mindst 5 tegn) for at ophæve spærringen",
            ));
        }
        Ok(self
            .store
            .lift_block(block_id, actor.user_id, reason, ws, self.now())
            .await?)
    }

    /// Attempts, refusals and blocks of the last [`REPORT_DAYS`] days, for the controller's
    /// administrators, privacy officers and auditors. Events of users that belong to
    /// another authority are left out.
    pub async fn sign_in_report(&self, actor: &Actor) -> Result<SignInReport, AppError> {
        if !(actor.role == Role::Administrator || actor.role.may_oversee()) {
            return Err(AppError::forbidden(
                "oversight_only",
                "kun administratorer, databeskyttelsesrådgivere og revisorer kan se log-ind-rapporten",
            ));
        }
        let since = self.now().plus_seconds(-REPORT_DAYS * 86_400);
        let own = self.own_organisations(actor).await?;
        let everyone = self.store.users_everywhere().await?;
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
            .store
            .sign_in_events(since, 1000)
            .await?
            .into_iter()
            .filter(|e| ours(e.user_id, &e.username))
            .collect();
        let blocks = self
            .store
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

/// Danish names of the recorded kinds, for the report.
pub fn event_kind_danish(kind: &str) -> &'static str {
    match kind {
        "signed_in" => "Logget ind",
        "failed" => "Afvist log-ind",
        "second_factor_failed" => "Afvist engangskode",
        "blocked" => "Forsøg under spærring",
        "unblocked" => "Spærring ophævet",
        "authorisation_refused" => "Adgang nægtet",
        "session_rejected" => "Ugyldig sessionscookie",
        "token_rejected" => "Ugyldig API-nøgle",
        "oidc_rejected" => "Afvist single sign-on",
        "setting_refused" => "Ugyldig indstilling afvist",
        "settings_changed" => "Indstillinger ændret",
        "second_factor_reset" => "Engangskode nulstillet",
        "password_changed" => "Adgangskode skiftet",
        "password_reset_required" => "Ny adgangskode krævet",
        _ => "Andet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(threshold: &str, window: &str, block: &str) -> SettingsInput {
        SettingsInput {
            lockout_threshold: threshold.into(),
            lockout_window_hours: window.into(),
            block_minutes: block.into(),
            totp_roles: vec!["administrator".into()],
        }
    }

    #[test]
    fn settings_are_checked_at_every_bound() {
        for t in 0..=12u32 {
            let r = input(&t.to_string(), "24", "30").parse();
            assert_eq!(r.is_ok(), (3..=10).contains(&t), "threshold {t}");
        }
        assert!(input("5", "0", "30").parse().is_err());
        assert!(input("5", "169", "30").parse().is_err());
        assert!(input("5", "24", "0").parse().is_err());
        assert!(input("5", "24", "1441").parse().is_err());
        assert!(input("fem", "24", "30").parse().is_err());
        assert!(input("-4", "24", "30").parse().is_err());
        let ok = input(" 10 ", "168", "1440").parse().expect("in range");
        assert_eq!(ok.lockout_threshold, 10);
        assert_eq!(ok.totp_roles, vec![Role::Administrator]);
        let mut bad_role = input("5", "24", "30");
        bad_role.totp_roles.push("superbruger".into());
        assert!(bad_role.parse().is_err());
    }

    #[test]
    fn stored_settings_round_trip() {
        let s = SecuritySettings {
            lockout_threshold: 7,
            lockout_window_hours: 2,
            block_minutes: 90,
            totp_roles: vec![Role::Auditor, Role::Caseworker],
        };
        let stored: Vec<(String, String)> = s
            .to_stored()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(SecuritySettings::from_stored(&stored), s);
        assert_eq!(
            SecuritySettings::from_stored(&[]),
            SecuritySettings::default()
        );
    }
}

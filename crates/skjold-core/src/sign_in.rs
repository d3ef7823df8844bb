//! Sign-in that resists attack (SA-4): where an attempt came from, what was recorded, and
//! the blocks that follow repeated failures.

use serde::Serialize;
use uuid::Uuid;

use crate::actor::Role;
use crate::error::{Problem, Setting};
use crate::time::Timestamp;

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
#[derive(Debug, Clone, Serialize)]
pub struct SignInEvent {
    pub id: Uuid,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    pub fn column(self) -> &'static str {
        self.key()
    }
}

#[derive(Debug, Clone, Serialize)]
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

impl SecuritySettings {
    pub fn from_stored(values: &[(String, String)]) -> SecuritySettings {
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

    pub fn to_stored(&self) -> Vec<(&'static str, String)> {
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
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub lockout_threshold: String,
    pub lockout_window_hours: String,
    pub block_minutes: String,
    /// Role keys, e.g. `privacy_officer`.
    pub totp_roles: Vec<String>,
}

impl SettingsInput {
    /// The settings, or the first value out of range (nothing half-set).
    pub fn parse(&self) -> Result<SecuritySettings, Problem> {
        let number = |value: &str, range: std::ops::RangeInclusive<u32>, setting: Setting| {
            value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| Problem::SettingOutOfRange {
                    setting,
                    min: *range.start(),
                    max: *range.end(),
                    given: value.trim().chars().take(20).collect(),
                })
        };
        let mut totp_roles = Vec::new();
        for key in &self.totp_roles {
            let role =
                Role::parse(key).ok_or_else(|| Problem::BadRole(key.chars().take(40).collect()))?;
            if !totp_roles.contains(&role) {
                totp_roles.push(role);
            }
        }
        Ok(SecuritySettings {
            lockout_threshold: number(
                &self.lockout_threshold,
                THRESHOLD_RANGE,
                Setting::LockoutThreshold,
            )?,
            lockout_window_hours: number(
                &self.lockout_window_hours,
                WINDOW_RANGE,
                Setting::LockoutWindowHours,
            )?,
            block_minutes: number(&self.block_minutes, BLOCK_RANGE, Setting::BlockMinutes)?,
            totp_roles,
        })
    }
}

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

//! `skjold security`: show or change the sign-in security settings.

use anyhow::Result;
use clap::Subcommand;

use skjold_core::sign_in::{SettingsInput, Workstation};

use crate::setup::Location;

#[derive(Subcommand, Debug)]
pub enum SecurityCommand {
    /// Print the settings.
    Show(Location),
    /// Change the settings; what is not given keeps its value.
    Set {
        #[command(flatten)]
        location: Location,
        /// Failures in a row before blocking (3–10).
        #[arg(long)]
        lockout_threshold: Option<String>,
        /// The window the failures must fall in, in hours (1–168).
        #[arg(long)]
        lockout_window_hours: Option<String>,
        /// How long a block lasts, in minutes (1–1440).
        #[arg(long)]
        block_minutes: Option<String>,
        /// Roles that must use a second factor, comma-separated role keys.
        #[arg(long)]
        totp_roles: Option<String>,
    },
}

pub async fn run(command: SecurityCommand) -> Result<()> {
    let (location, change) = match command {
        SecurityCommand::Show(location) => (location, None),
        SecurityCommand::Set {
            location,
            lockout_threshold,
            lockout_window_hours,
            block_minutes,
            totp_roles,
        } => (
            location,
            Some((
                lockout_threshold,
                lockout_window_hours,
                block_minutes,
                totp_roles,
            )),
        ),
    };
    let app = location.open().await?;
    let mut settings = app.security_settings().await?;
    if let Some((threshold, window, block, roles)) = change {
        let input = SettingsInput {
            lockout_threshold: threshold.unwrap_or(settings.lockout_threshold.to_string()),
            lockout_window_hours: window.unwrap_or(settings.lockout_window_hours.to_string()),
            block_minutes: block.unwrap_or(settings.block_minutes.to_string()),
            totp_roles: match roles {
                Some(r) => r
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect(),
                None => settings
                    .totp_roles
                    .iter()
                    .map(|r| r.key().to_owned())
                    .collect(),
            },
        };
        let ws = Workstation::new("kommandolinje", "", false);
        settings = app.set_security_settings(None, &input, &ws).await?;
        println!("Indstillingerne er gemt.");
    }
    println!(
        "Spærring efter {} fejlforsøg inden for {} timer, i {} minutter.",
        settings.lockout_threshold, settings.lockout_window_hours, settings.block_minutes
    );
    let roles: Vec<&str> = settings.totp_roles.iter().map(|r| r.danish()).collect();
    println!("Engangskode kræves for: {}", roles.join(", "));
    Ok(())
}

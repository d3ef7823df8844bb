//! Where the data lives (the data directory, the database URL, the master key, the key
//! store and its backups) and the services around it (single sign-on, e-mail notices),
//! from arguments and environment.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use skjold_app::App;
use skjold_app::notify::{Notifier, SmtpNotifier};
use skjold_app::sign_in::oidc::{ClientAuth, Oidc, OidcConfig};

#[derive(Args, Debug, Clone)]
pub struct Location {
    /// The data directory: the SQLite database and the master key file live here.
    #[arg(long, env = "SKJOLD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// A postgres:// URL to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "SKJOLD_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the key store is (postgres:// or sqlite: URL); by default keys.sqlite in the
    /// data directory, or the database <name>_keys beside a PostgreSQL database.
    #[arg(long, env = "SKJOLD_KEY_STORE_URL")]
    pub key_store_url: Option<String>,
    /// Where `skjold backup` puts the key store's backups (default: key-backups in the data
    /// directory).
    #[arg(long, env = "SKJOLD_KEY_BACKUP_DIR")]
    pub key_backup_dir: Option<PathBuf>,
    /// Days the key store's backups are kept (default 35).
    #[arg(long, env = "SKJOLD_KEY_BACKUP_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub key_backup_days: Option<u32>,
}

const DEFAULT_DATA_DIR: &str = "skjold-data";
const DEMO_DATA_DIR: &str = "skjold-demo";
/// Base64 of a 32-byte master key; overrides the key file.
const MASTER_KEY_ENV: &str = "SKJOLD_MASTER_KEY";

impl Location {
    /// The demo's own default directory, so it never mixes with real data.
    pub fn or_demo_dir(mut self) -> Location {
        if self.data_dir.is_none() {
            self.data_dir = Some(PathBuf::from(DEMO_DATA_DIR));
        }
        self
    }

    fn dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(_) => format!("PostgreSQL (nøgle i {})", self.dir().display()),
            None => self.dir().join("skjold.sqlite").display().to_string(),
        }
    }

    /// The application's view of this location.
    pub fn app_location(&self) -> skjold_app::Location {
        skjold_app::Location {
            data_dir: self.dir(),
            database_url: self.database_url.clone(),
            master_key: std::env::var(MASTER_KEY_ENV)
                .ok()
                .filter(|k| !k.trim().is_empty()),
            key_store_url: self.key_store_url.clone(),
            key_backup_dir: self.key_backup_dir.clone(),
            key_backup_days: self.key_backup_days,
        }
    }

    /// Opens (creating on first run) the data directory, the key, the database and the key
    /// store, brings the schema up to date, and sets up single sign-on and e-mail notices
    /// when the environment configures them.
    pub async fn open(&self) -> Result<App> {
        let location = self.app_location();
        let app = App::open(&location)
            .await
            .with_context(|| format!("cannot open {}", self.describe()))?;
        let app = match oidc_from_env()? {
            Some(config) => app.with_oidc(Oidc::new(config)?),
            None => app,
        };
        let app = match citizen_oidc_from_env()? {
            Some(config) => app.with_citizen_oidc(Oidc::new(config)?),
            None => app,
        };
        Ok(match notifier_from_env()? {
            Some(notifier) => app.with_notifier(notifier),
            None => app,
        })
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// E-mail notices of new messages, when `SKJOLD_SMTP_URL` is set (see the README).
fn notifier_from_env() -> Result<Option<Notifier>> {
    let Some(url) = var("SKJOLD_SMTP_URL") else {
        return Ok(None);
    };
    let from =
        var("SKJOLD_SMTP_FROM").context("SKJOLD_SMTP_FROM must be set with SKJOLD_SMTP_URL")?;
    let link =
        var("SKJOLD_PUBLIC_URL").context("SKJOLD_PUBLIC_URL must be set with SKJOLD_SMTP_URL")?;
    let root = match std::env::var_os("SKJOLD_SMTP_CA") {
        Some(path) => Some(
            std::fs::read(&path)
                .with_context(|| format!("reading SKJOLD_SMTP_CA {}", path.to_string_lossy()))?,
        ),
        None => None,
    };
    let smtp = SmtpNotifier::new(&url, &from, &link, root.as_deref())?;
    Ok(Some(Notifier::Smtp(Box::new(smtp))))
}

/// Single sign-on, when `SKJOLD_OIDC_ISSUER` is set (see the README).
fn oidc_from_env() -> Result<Option<OidcConfig>> {
    let Some(issuer) = var("SKJOLD_OIDC_ISSUER") else {
        return Ok(None);
    };
    let required = |name: &str| {
        var(name).with_context(|| format!("{name} must be set with SKJOLD_OIDC_ISSUER"))
    };
    let role_map = OidcConfig::parse_role_map(&required("SKJOLD_OIDC_ROLE_MAP")?)
        .map_err(|e| anyhow::anyhow!("SKJOLD_OIDC_ROLE_MAP: {e}"))?;
    Ok(Some(OidcConfig {
        issuer,
        client_id: required("SKJOLD_OIDC_CLIENT_ID")?,
        client_secret: var("SKJOLD_OIDC_CLIENT_SECRET"),
        redirect_url: required("SKJOLD_OIDC_REDIRECT_URL")?,
        username_claim: var("SKJOLD_OIDC_USERNAME_CLAIM").unwrap_or("preferred_username".into()),
        role_claim: var("SKJOLD_OIDC_ROLE_CLAIM").unwrap_or("roles".into()),
        role_map,
        display_name: var("SKJOLD_OIDC_NAME").unwrap_or("virksomhedens login".into()),
        scopes: var("SKJOLD_OIDC_SCOPES")
            .map(|s| OidcConfig::parse_scopes(&s))
            .unwrap_or_default(),
        client_auth: var("SKJOLD_OIDC_CLIENT_AUTH")
            .map(|a| ClientAuth::parse(&a))
            .transpose()
            .map_err(|e| anyhow::anyhow!("SKJOLD_OIDC_CLIENT_AUTH: {e}"))?,
    }))
}

/// The citizens' sign-in with MitID through an OpenID Connect broker, when
/// `SKJOLD_CITIZEN_OIDC_ISSUER` is set (see the README). The CPR number comes from the claim
/// `SKJOLD_CITIZEN_OIDC_CPR_CLAIM` (default `dk.cpr`).
fn citizen_oidc_from_env() -> Result<Option<OidcConfig>> {
    let Some(issuer) = var("SKJOLD_CITIZEN_OIDC_ISSUER") else {
        return Ok(None);
    };
    let required = |name: &str| {
        var(name).with_context(|| format!("{name} must be set with SKJOLD_CITIZEN_OIDC_ISSUER"))
    };
    Ok(Some(OidcConfig {
        issuer,
        client_id: required("SKJOLD_CITIZEN_OIDC_CLIENT_ID")?,
        client_secret: var("SKJOLD_CITIZEN_OIDC_CLIENT_SECRET"),
        redirect_url: required("SKJOLD_CITIZEN_OIDC_REDIRECT_URL")?,
        username_claim: var("SKJOLD_CITIZEN_OIDC_CPR_CLAIM").unwrap_or("dk.cpr".into()),
        role_claim: String::new(),
        role_map: Vec::new(),
        display_name: var("SKJOLD_CITIZEN_OIDC_NAME").unwrap_or("MitID".into()),
        scopes: var("SKJOLD_CITIZEN_OIDC_SCOPES")
            .map(|s| OidcConfig::parse_scopes(&s))
            .unwrap_or_default(),
        client_auth: var("SKJOLD_CITIZEN_OIDC_CLIENT_AUTH")
            .map(|a| ClientAuth::parse(&a))
            .transpose()
            .map_err(|e| anyhow::anyhow!("SKJOLD_CITIZEN_OIDC_CLIENT_AUTH: {e}"))?,
    }))
}

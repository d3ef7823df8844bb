//! Where the data lives: the data directory, the database URL and the master key.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

use skjold_app::{App, SystemClock};
use skjold_store::{Db, KeyRing, Store};

#[derive(Args, Debug, Clone)]
pub struct Location {
    /// The data directory: the SQLite database and the master key file live here.
    #[arg(long, env = "SKJOLD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// A postgres:// URL to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "SKJOLD_DATABASE_URL")]
    pub database_url: Option<String>,
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

    /// Opens (creating on first run) the data directory, the key and the database, and
    /// brings the schema up to date.
    pub async fn open(&self) -> Result<App> {
        let dir = self.dir();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
        let keys = match std::env::var(MASTER_KEY_ENV) {
            Ok(k) if !k.trim().is_empty() => KeyRing::from_base64(&k)
                .with_context(|| format!("{MASTER_KEY_ENV} is not a valid key"))?,
            _ => KeyRing::load_or_create(&dir.join("master.key"))?,
        };
        let db = match &self.database_url {
            Some(url) => Db::connect(url)
                .await
                .context("cannot connect to the database")?,
            None => Db::open_sqlite(&dir.join("skjold.sqlite"))
                .await
                .context("cannot open the SQLite database")?,
        };
        db.migrate().await.context("cannot migrate the database")?;
        // Reminders go to an outbox file in the data directory; an SMS gateway plugs in
        // behind the same `ReminderProvider` trait.
        let outbox = Arc::new(skjold_app::reminders::FileProvider::new(
            dir.join("outbox.jsonl"),
        ));
        let app =
            App::new(Store::new(db, keys), Arc::new(SystemClock)).with_reminder_provider(outbox);
        let app = match oidc_from_env()? {
            Some(config) => app.with_oidc(skjold_app::oidc::Oidc::new(config)?),
            None => app,
        };
        Ok(
            match std::env::var("SKJOLD_SMTP_URL")
                .ok()
                .filter(|u| !u.trim().is_empty())
            {
                Some(url) => {
                    let from = std::env::var("SKJOLD_SMTP_FROM")
                        .context("SKJOLD_SMTP_FROM must be set with SKJOLD_SMTP_URL")?;
                    let link = std::env::var("SKJOLD_PUBLIC_URL")
                        .context("SKJOLD_PUBLIC_URL must be set with SKJOLD_SMTP_URL")?;
                    let root = match std::env::var_os("SKJOLD_SMTP_CA") {
                        Some(path) => Some(std::fs::read(&path).with_context(|| {
                            format!("reading SKJOLD_SMTP_CA {}", path.to_string_lossy())
                        })?),
                        None => None,
                    };
                    let smtp =
                        skjold_app::notify::SmtpNotifier::new(&url, &from, &link, root.as_deref())?;
                    app.with_notifier(skjold_app::notify::Notifier::Smtp(Box::new(smtp)))
                }
                None => app,
            },
        )
    }
}

/// Single sign-on, when `SKJOLD_OIDC_ISSUER` is set (see the README).
fn oidc_from_env() -> Result<Option<skjold_app::oidc::OidcConfig>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(issuer) = var("SKJOLD_OIDC_ISSUER") else {
        return Ok(None);
    };
    let required = |name: &str| {
        var(name).with_context(|| format!("{name} must be set with SKJOLD_OIDC_ISSUER"))
    };
    let role_map = skjold_app::oidc::OidcConfig::parse_role_map(&required("SKJOLD_OIDC_ROLE_MAP")?)
        .map_err(|e| anyhow::anyhow!("SKJOLD_OIDC_ROLE_MAP: {e}"))?;
    Ok(Some(skjold_app::oidc::OidcConfig {
        issuer,
        client_id: required("SKJOLD_OIDC_CLIENT_ID")?,
        client_secret: var("SKJOLD_OIDC_CLIENT_SECRET"),
        redirect_url: required("SKJOLD_OIDC_REDIRECT_URL")?,
        username_claim: var("SKJOLD_OIDC_USERNAME_CLAIM").unwrap_or("preferred_username".into()),
        role_claim: var("SKJOLD_OIDC_ROLE_CLAIM").unwrap_or("roles".into()),
        role_map,
        display_name: var("SKJOLD_OIDC_NAME").unwrap_or("virksomhedens login".into()),
        scopes: var("SKJOLD_OIDC_SCOPES")
            .map(|s| skjold_app::oidc::OidcConfig::parse_scopes(&s))
            .unwrap_or_default(),
        client_auth: var("SKJOLD_OIDC_CLIENT_AUTH")
            .map(|a| skjold_app::oidc::ClientAuth::parse(&a))
            .transpose()
            .map_err(|e| anyhow::anyhow!("SKJOLD_OIDC_CLIENT_AUTH: {e}"))?,
    }))
}

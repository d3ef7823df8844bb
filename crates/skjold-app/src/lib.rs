//! Skjold's use cases, one room per feature (the same names as in core, the store and the
//! web). The web UI, the JSON API and the CLI each turn a request into one call here and
//! render the answer; none of them holds a business rule, and none of them can reach the
//! store: this crate is their only way in.
//!
//! Input is parsed at this edge into core's checked types (CPR numbers, field keys, dates,
//! bounded text, written reasons), so a rejected request reaches neither the store nor the
//! access log half-done. Who may do what is the role × action table in core
//! (`skjold_core::may`), asked here for what concerns no citizen and by the gate for what
//! does. Background work ([`jobs`]) lives here too.
//!
//! Rooms: [`citizens`], [`orders`], [`disclosures`], [`threads`], [`data_requests`],
//! [`reminders`], [`rights`], [`oversight`], [`records`], [`processors`], [`breaches`],
//! [`retention`],
//! [`directory`], [`catalogue`], [`sign_in`],
//! [`access_review`], [`audit`], [`backup`], [`jobs`], [`demo`], [`bench`].

pub mod access_review;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod breaches;
pub mod catalogue;
pub mod citizen_view;
pub mod citizens;
pub mod clock;
pub mod data_requests;
pub mod demo;
pub mod directory;
pub mod disclosures;
mod error;
pub mod intake;
pub mod invoices;
pub mod jobs;
pub mod notify;
pub mod orders;
pub mod oversight;
pub mod processors;
pub mod records;
pub mod reminders;
pub mod retention;
pub mod rights;
pub mod sign_in;
mod synthetic;
pub mod threads;
pub mod witnesses;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::AppError;
/// The personal-data scrubber, for the command line's `skjold scrub`.
pub use skjold_scrub as scrub;
pub use skjold_store::Backend;

use std::path::PathBuf;
use std::sync::Arc;

use skjold_core::{Action, Actor, Problem, Timestamp};
use skjold_store::Store;

/// Where the data lives.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// The data directory: the SQLite file, the master key file and the reminder outbox.
    pub data_dir: PathBuf,
    /// A `postgres://` URL to use PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// The master key, base64 (overrides the key file in the data directory).
    pub master_key: Option<String>,
    /// Where the key store is (`SKJOLD_KEY_STORE_URL`): a `postgres://` or `sqlite:` URL.
    /// Without it, `keys.sqlite` in the data directory, or `<database>_keys` on the
    /// PostgreSQL server.
    pub key_store_url: Option<String>,
    /// Where `skjold backup` puts the key store's backups (`SKJOLD_KEY_BACKUP_DIR`); without
    /// it, `key-backups` in the data directory.
    pub key_backup_dir: Option<PathBuf>,
    /// How many days the key store's backups are kept (`SKJOLD_KEY_BACKUP_DAYS`); without
    /// it, [`skjold_core::citizens::DEFAULT_KEY_BACKUP_DAYS`].
    pub key_backup_days: Option<u32>,
}

impl Location {
    pub(crate) fn store(&self) -> skjold_store::Location {
        skjold_store::Location {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            master_key: self.master_key.clone(),
            key_store_url: self.key_store_url.clone(),
        }
    }

    /// Which backend this location names.
    pub fn backend(&self) -> Backend {
        match &self.database_url {
            Some(_) => Backend::Postgres,
            None => Backend::Sqlite,
        }
    }
}

/// The application: the store, a clock, and the services around them.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    guard: threads::Guard,
    notifier: notify::Notifier,
    reminders: Option<Arc<dyn reminders::ReminderProvider>>,
    letters: Option<Arc<dyn rights::letters::LetterProvider>>,
    oidc: Option<Arc<sign_in::oidc::Oidc>>,
    /// The citizens' MitID broker, for the citizen's own view.
    citizen_oidc: Option<Arc<sign_in::oidc::Oidc>>,
    /// Serving the demo (`skjold demo`): the second-factor page shows the demo users' codes.
    demo: bool,
    /// Where the key store's backups go, and for how long they are kept.
    key_backups: backup::KeyBackups,
    /// Erasures [`App::open`] found unfinished and finished.
    erasures_finished_at_open: u64,
    /// The connected systems told of every deletion (retention).
    connectors: Vec<retention::Connector>,
    /// The access log's witnesses, shown every checkpoint (and asked before an export).
    witnesses: Vec<witnesses::WitnessConfig>,
}

impl App {
    /// The application over `store`, reading time from `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            clock,
            guard: threads::Guard::default(),
            notifier: notify::Notifier::Off,
            reminders: None,
            letters: None,
            oidc: None,
            citizen_oidc: None,
            demo: false,
            key_backups: backup::KeyBackups::default(),
            erasures_finished_at_open: 0,
            connectors: Vec::new(),
            witnesses: Vec::new(),
        }
    }

    /// Opens the data at `location` (creating it and its key store on first use, migrating
    /// its schema, finishing any erasure left unfinished) with the system clock, reminders
    /// written to `outbox.jsonl` in the data directory (an SMS gateway plugs in behind the
    /// same [`reminders::ReminderProvider`]), letters to citizens to its `letters` folder
    /// (Digital Post plugs in behind [`rights::letters::LetterProvider`]), and the key
    /// store's backups where the location says.
    pub async fn open(location: &Location) -> Result<App, AppError> {
        let store = Store::open(&location.store()).await?;
        let outbox = Arc::new(reminders::FileProvider::new(
            location.data_dir.join("outbox.jsonl"),
        ));
        let letters = Arc::new(rights::letters::FolderProvider::new(
            location.data_dir.join("letters"),
        ));
        let mut app = App::new(store, Arc::new(SystemClock))
            .with_reminder_provider(outbox)
            .with_letter_provider(letters)
            .with_key_backups(backup::KeyBackups::of(location))
            .with_connectors(vec![retention::Connector::File {
                name: "fil".to_owned(),
                path: location.data_dir.join("deletion-receipts.jsonl"),
            }]);
        app.erasures_finished_at_open = app.finish_erasures().await?;
        if app.erasures_finished_at_open > 0 {
            tracing::info!(
                citizens = app.erasures_finished_at_open,
                "finished erasures left unfinished"
            );
        }
        Ok(app)
    }

    /// How many erasures [`App::open`] found unfinished (an interruption, or data restored
    /// from before them) and finished.
    pub fn erasures_finished_at_open(&self) -> u64 {
        self.erasures_finished_at_open
    }

    /// Marks the application as serving the demo, so that the second-factor page may show
    /// a demo user's current code. Only `skjold demo` does this; never a real installation.
    pub fn serving_demo(mut self) -> App {
        self.demo = true;
        self
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// Sends new-message notices with `notifier`.
    pub fn with_notifier(mut self, notifier: notify::Notifier) -> App {
        self.notifier = notifier;
        self
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn healthy(&self) -> bool {
        self.store.healthy().await
    }

    /// Closes the database connections.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// The role × action table's answer for `actor`, as a refusal when it says no.
pub(crate) fn require(actor: &Actor, action: Action) -> Result<(), AppError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(Problem::RoleNotAllowed(actor.role).into())
    }
}

//! Skjold's use cases. The web UI, the JSON API and the CLI each turn a request into one
//! call here and render the answer; none of them holds a business rule.
//!
//! Input is validated at this edge (CPR numbers, field keys, dates, justifications) so a
//! rejected request reaches neither the store nor the access log half-done. Who may do what
//! with personal data is decided by the gate in `skjold-store`; who may administer the
//! platform is decided here.

pub mod auth;
pub mod clock;
pub mod demo;
mod error;
pub mod extract;
pub mod messages;
pub mod notify;
pub mod oidc;
pub mod ops;
pub mod reminders;
pub mod review;
pub mod security;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::AppError;
pub use skjold_store::{Actor, Store};

use std::sync::Arc;

use skjold_core::Timestamp;

/// The application: the store and a clock.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    guard: messages::Guard,
    notifier: notify::Notifier,
    reminders: Option<Arc<dyn reminders::ReminderProvider>>,
    oidc: Option<Arc<oidc::Oidc>>,
    /// Serving the demo (`skjold demo`): the second-factor page shows the demo users' codes.
    demo: bool,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            clock,
            guard: messages::Guard::default(),
            notifier: notify::Notifier::Off,
            reminders: None,
            oidc: None,
            demo: false,
        }
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

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

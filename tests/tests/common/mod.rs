//! Shared set-up for the scenario tests: a demo on a throw-away database, on each backend.

#![allow(dead_code)]

use std::sync::Arc;

use skjold_app::demo::DemoSummary;
use skjold_app::{Actor, App, FixedClock};
use skjold_core::Timestamp;
use skjold_store::Backend;
use skjold_store::testdb::TestDb;

/// 2026-11-23 12:00:00 UTC.
pub const NOW: Timestamp = Timestamp(1_795_435_200_000_000);

pub struct World {
    pub db: TestDb,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub demo: DemoSummary,
}

impl World {
    pub async fn new(backend: Backend, citizens: usize) -> World {
        World::new_at(backend, citizens, NOW).await
    }

    /// A world whose demo was built at `at` (the clock stays there until set).
    pub async fn new_at(backend: Backend, citizens: usize, at: Timestamp) -> World {
        let db = TestDb::new(backend).await;
        let clock = Arc::new(FixedClock::new(at));
        let app = App::new(db.store.clone(), clock.clone());
        let demo = app.build_demo(citizens).await.expect("demo builds");
        World {
            db,
            app,
            clock,
            demo,
        }
    }

    pub async fn actor(&self, username: &str) -> Actor {
        self.app
            .store()
            .actor_by_username(username)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no demo user {username}"))
    }

    pub fn org(&self, name: &str) -> uuid::Uuid {
        self.demo.organisations[name]
    }

    pub fn service(&self, code: &str) -> uuid::Uuid {
        self.demo.service_types[code]
    }

    pub async fn log_count(&self) -> usize {
        let dpo = self.actor("revisor").await;
        let q = skjold_app::ops::OversightQuery::default();
        // Reading the log adds one entry itself; count what was there before.
        self.app.access_log(&dpo, &q).await.expect("log").len()
    }

    pub async fn done(self) {
        self.db.cleanup().await;
    }
}

/// Runs a scenario on SQLite, and on PostgreSQL when `SKJOLD_TEST_POSTGRES_URL` is set. In
/// CI (`CI=true`) a missing PostgreSQL URL is a failure.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(skjold_store::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if skjold_store::testdb::postgres_url().is_none() {
                    assert!(
                        std::env::var("CI").is_err(),
                        "CI must run the PostgreSQL suite: set SKJOLD_TEST_POSTGRES_URL"
                    );
                    eprintln!("PostgreSQL not configured (SKJOLD_TEST_POSTGRES_URL); SQLite only");
                    return;
                }
                super::$name(skjold_store::Backend::Postgres).await;
            }
        })*
    };
}

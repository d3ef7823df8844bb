//! Throw-away databases for tests and benchmarks, on both backends, each with its own key
//! store.
//!
//! SQLite: a file in a fresh temporary directory, with `keys.sqlite` beside it. PostgreSQL: a
//! fresh database on the server named by `SKJOLD_TEST_POSTGRES_URL`, and a second one for
//! its key store (`<name>_keys`, the name a store opened on that database would give it),
//! both dropped again by [`TestDb::cleanup`]. When that variable is set and the server
//! cannot be reached, the test fails: a missing server is an error, never a silent skip.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::crypto::KeyRing;
use crate::db::{Db, with_database};
use crate::keystore::{KEY_STORE_FILE, KeyStore, KeyStorePlace};
use crate::{Backend, DATA_FILE, Store};

pub const POSTGRES_ENV: &str = "SKJOLD_TEST_POSTGRES_URL";

/// The master key of every throw-away database (their data is synthetic).
const TEST_MASTER_KEY: [u8; 32] = [0x5a; 32];

pub struct TestDb {
    pub store: Store,
    pub backend: Backend,
    db: Db,
    key_store: KeyStore,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL URL to test against, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The key store's database beside a test database.
fn keys_name(name: &str) -> String {
    format!("{name}_keys")
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let keys = KeyRing::from_master(&TEST_MASTER_KEY);
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!(
                    "skjold-test-{}-{n}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                ));
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let db = Db::open_sqlite(&dir.join(DATA_FILE))
                    .await
                    .expect("open sqlite");
                db.migrate().await.expect("migrate sqlite");
                let key_store = KeyStore::open(KeyStorePlace::File(dir.join(KEY_STORE_FILE)), &db)
                    .await
                    .expect("open the key store");
                TestDb {
                    store: Store::new(db.clone(), None, key_store.clone(), keys),
                    db,
                    key_store,
                    backend,
                    dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let url = postgres_url().unwrap_or_else(|| panic!("{POSTGRES_ENV} is not set"));
                TestDb::postgres_at(&url).await
            }
        }
    }

    /// A fresh database on the PostgreSQL server at `url`.
    pub async fn postgres_at(url: &str) -> TestDb {
        let keys = KeyRing::from_master(&TEST_MASTER_KEY);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let admin = Db::connect(url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}"));
        let name = format!(
            "skjold_test_{}_{n}_{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        if let Db::Postgres(pool) = &admin {
            drop_stale(pool).await;
            for db in [name.clone(), keys_name(&name)] {
                sqlx::query(&format!("CREATE DATABASE {db}"))
                    .execute(pool)
                    .await
                    .expect("create test database");
            }
        }
        admin.close().await;
        let data_url = with_database(url, &name);
        let db = Db::connect(&data_url).await.expect("connect test database");
        db.migrate().await.expect("migrate postgres");
        let key_store = KeyStore::open(
            KeyStorePlace::Postgres(with_database(url, &keys_name(&name))),
            &db,
        )
        .await
        .expect("open the key store");
        TestDb {
            store: Store::new(db.clone(), Some(data_url), key_store.clone(), keys),
            db,
            key_store,
            backend: Backend::Postgres,
            dir: None,
            pg: Some((url.to_owned(), name)),
        }
    }

    /// The master key of every throw-away database, base64: to open one as an installation
    /// would (`Location::master_key`).
    pub fn master_key() -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(TEST_MASTER_KEY)
    }

    /// Both backends when PostgreSQL is configured, else SQLite alone.
    pub fn backends() -> Vec<Backend> {
        if postgres_url().is_some() {
            vec![Backend::Sqlite, Backend::Postgres]
        } else {
            vec![Backend::Sqlite]
        }
    }

    /// The database itself, for tests that inspect or tamper with it as an insider would.
    /// Only with the `testing` feature: nothing else above the store touches SQL.
    #[cfg(feature = "testing")]
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The key store's database, for tests that inspect it as an insider would.
    #[cfg(feature = "testing")]
    pub fn key_store_db(&self) -> &Db {
        self.key_store.db()
    }

    /// The SQLite file, for tests that inspect it.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(DATA_FILE))
    }

    /// The key store's SQLite file (beside the data's), for tests that inspect it.
    pub fn key_store_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(KEY_STORE_FILE))
    }

    /// The data directory of a SQLite test database (the data file, the key store).
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.dir.clone()
    }

    /// The PostgreSQL URL of this test database.
    pub fn postgres_url(&self) -> Option<String> {
        self.pg.as_ref().map(|(url, name)| with_database(url, name))
    }

    /// The PostgreSQL URL of this test database's key store.
    pub fn key_store_url(&self) -> Option<String> {
        self.pg
            .as_ref()
            .map(|(url, name)| with_database(url, &keys_name(name)))
    }

    pub async fn cleanup(self) {
        self.db.close().await;
        self.key_store.close().await;
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((url, name)) = self.pg
            && let Ok(Db::Postgres(pool)) = Db::connect(&url).await
        {
            for db in [keys_name(&name), name] {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .execute(&pool)
                    .await;
            }
            pool.close().await;
        }
    }
}

/// Drops test databases left behind by test processes that no longer run.
async fn drop_stale(pool: &sqlx::PgPool) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'skjold_test_%'")
            .fetch_all(pool)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(pool)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::db::with_database;

    #[test]
    fn database_name_replaces_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1:5432", "x"),
            "postgres://127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}

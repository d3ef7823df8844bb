//! One data layer over two databases.
//!
//! [`Db`] is an enum of a SQLite and a PostgreSQL pool; [`Tx`] the matching transaction. The
//! same SQL text runs on both (`$1` placeholders work on each), through the `sql!` macros
//! below, which only pick the right pool. Column types are native per backend (UUID and
//! BYTEA on PostgreSQL, BLOB on SQLite); instants are integer microseconds everywhere so
//! they sort the same on both.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

use crate::StoreError;

pub(crate) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/postgres");
/// The key store's own schema (see `crate::keystore`).
static KEYSTORE_SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/keystore/sqlite");
static KEYSTORE_POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/keystore/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Which backend a database URL names. Anything else is refused rather than silently
/// becoming an empty SQLite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Config(
                "database URL must start with postgres://, postgresql:// or sqlite:".into(),
            ))
        }
    }
}

/// `url` with its database name replaced by `name` (a PostgreSQL URL).
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The database a PostgreSQL URL names (the user's name when it names none, as libpq does).
pub(crate) fn database_of(url: &str) -> Result<String, StoreError> {
    let opts = PgConnectOptions::from_str(url)?;
    Ok(opts
        .get_database()
        .unwrap_or(opts.get_username())
        .to_owned())
}

async fn database_exists(pool: &PgPool, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar::<_, i32>("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(pool)
        .await
        .map(|found| found.is_some())
}

impl Db {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Db, StoreError> {
        Db::open_sqlite_with(path, false).await
    }

    /// Opens a SQLite file; with `secure_delete`, deleted content is overwritten with zeros
    /// in the file, not just unlinked from its tree (the key store, where a destroyed key
    /// must not linger in a free page).
    pub(crate) async fn open_sqlite_with(
        path: &Path,
        secure_delete: bool,
    ) -> Result<Db, StoreError> {
        let mut opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if secure_delete {
            opts = opts.pragma("secure_delete", "ON");
        }
        // No ping before each use: on SQLite it is one more hand-off to the connection's
        // thread and back on every statement a request borrows a connection for (a logged
        // read borrows three), and a broken file shows as the statement's own error.
        let pool = SqlitePoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Connects to a `postgres://` URL, creating its database first when the server has
    /// none of that name (the key store's own database).
    pub(crate) async fn connect_creating(url: &str, via: &Db) -> Result<Db, StoreError> {
        let Db::Postgres(pool) = via else {
            return Db::connect(url).await;
        };
        let name = database_of(url)?;
        if !database_exists(pool, &name).await? {
            let create = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
            if let Err(e) = sqlx::query(&create).execute(pool).await {
                // Another process may have created it at the same moment.
                if !database_exists(pool, &name).await? {
                    return Err(e.into());
                }
            }
        }
        Db::connect(url).await
    }

    /// Connects to a `postgres://` or `sqlite:` URL.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        match Backend::of_url(url)? {
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)?;
                // No round trip to ping a connection before each use; a connection the
                // server dropped fails its statement and is closed by the pool.
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                Db::open_sqlite(Path::new(path)).await
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Brings the key store's schema up to date (a database of its own).
    pub(crate) async fn migrate_key_store(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => KEYSTORE_SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => KEYSTORE_POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// The latest migration applied, if any (the schema version a backup records).
    pub(crate) async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        })
    }

    /// Whether a table of that name exists (in the current schema).
    pub(crate) async fn has_table(&self, name: &str) -> Result<bool, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(name)
                .fetch_one(p)
                .await?
                    > 0
            }
            Db::Postgres(p) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(name)
                .fetch_one(p)
                .await?
                    > 0
            }
        })
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers never deadlock upgrading a read lock.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that only reads.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Rewrites a SQLite file without its free pages (and empties its write-ahead log), so
    /// that what was dropped or deleted is no longer in it. PostgreSQL gives a dropped
    /// table's files back at once.
    pub(crate) async fn compact(&self) -> Result<(), StoreError> {
        if let Db::Sqlite(p) = self {
            sqlx::query("VACUUM").execute(p).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// What tells this database apart from a copy of it: the SQLite file's device and inode
    /// (a copied or restored file is a new one), or the PostgreSQL cluster's system
    /// identifier and the database's oid (a restore into a new database, or a dump loaded
    /// on another server, differs). The log binds its identity to it.
    pub(crate) async fn physical_id(&self) -> Result<String, StoreError> {
        match self {
            Db::Sqlite(p) => {
                let rows: Vec<(i64, String, String)> =
                    sqlx::query_as("PRAGMA database_list").fetch_all(p).await?;
                let file = rows
                    .into_iter()
                    .find(|(_, name, _)| name == "main")
                    .map(|(_, _, file)| file)
                    .unwrap_or_default();
                if file.is_empty() {
                    return Ok("sqlite:memory".into());
                }
                let meta = std::fs::metadata(&file)
                    .map_err(|e| StoreError::Config(format!("cannot read {file}: {e}")))?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    Ok(format!("sqlite:{}:{}", meta.dev(), meta.ino()))
                }
                #[cfg(not(unix))]
                {
                    let _ = meta;
                    Ok(format!("sqlite:{file}"))
                }
            }
            Db::Postgres(p) => {
                let oid: String = sqlx::query_scalar(
                    "SELECT oid::text FROM pg_database WHERE datname = current_database()",
                )
                .fetch_one(p)
                .await?;
                // The cluster's identifier needs pg_monitor rights; without them, the oid.
                let system: Option<String> =
                    sqlx::query_scalar("SELECT system_identifier::text FROM pg_control_system()")
                        .fetch_one(p)
                        .await
                        .ok();
                Ok(format!(
                    "postgres:{}:{oid}",
                    system.as_deref().unwrap_or("?")
                ))
            }
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        match self {
            Db::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.is_ok(),
            Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.is_ok(),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Runs a statement; evaluates to `Result<u64 rows affected, sqlx::Error>`.
macro_rules! execute {
    ($tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await.map(|r| r.rows_affected()),
            $crate::db::Tx::Postgres(c) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **c).await.map(|r| r.rows_affected()),
        }
    };
}

/// Runs a query into a `FromRow` type with `fetch_one`, `fetch_optional` or `fetch_all`.
macro_rules! fetch {
    ($tx:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(c) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **c).await,
            $crate::db::Tx::Postgres(c) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **c).await,
        }
    };
}

/// Runs a query into a single column with `fetch_one`, `fetch_optional` or `fetch_all`.
macro_rules! scalar {
    ($tx:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(c) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **c).await,
            $crate::db::Tx::Postgres(c) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **c).await,
        }
    };
}

/// `fetch!` and `scalar!` on the pool itself, outside a transaction: for a read that is one
/// statement (its own snapshot), without the round trips of BEGIN and its end, each a
/// hand-off to SQLite's connection thread or a PostgreSQL round trip.
macro_rules! fetch_single {
    ($db:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $db {
            $crate::db::Db::Sqlite(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(p).await,
            $crate::db::Db::Postgres(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(p).await,
        }
    };
}

macro_rules! scalar_single {
    ($db:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $db {
            $crate::db::Db::Sqlite(p) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.$method(p).await,
            $crate::db::Db::Postgres(p) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.$method(p).await,
        }
    };
}

pub(crate) use {execute, fetch, fetch_single, scalar, scalar_single};

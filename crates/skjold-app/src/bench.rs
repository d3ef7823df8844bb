//! Measurements for `skjold bench`: a throw-away installation ([`Scratch`]) to measure on,
//! and the access log's own figures. The command prints; nothing here asserts a time.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use skjold_store::audit::bench_fill::{FillParty, FillPlan};
use skjold_store::audit::merkle::verify_inclusion;
pub use skjold_store::invoice_fill::InvoiceFillPlan;
use skjold_store::testdb::TestDb;
use skjold_store::{Backend, StoreError};

use crate::{App, AppError, SystemClock};

/// A throw-away installation: a fresh SQLite file in a temporary directory, or a fresh
/// database on a PostgreSQL server, with letters to citizens written to a temporary
/// folder; all dropped by [`Scratch::cleanup`]. Its data is synthetic.
pub struct Scratch {
    db: TestDb,
    letters: std::path::PathBuf,
    pub app: App,
}

impl Scratch {
    /// A fresh, empty installation; on the PostgreSQL server at `database_url` if given.
    pub async fn new(database_url: Option<&str>) -> Scratch {
        let db = match database_url {
            Some(url) => TestDb::postgres_at(url).await,
            None => TestDb::new(Backend::Sqlite).await,
        };
        let letters =
            std::env::temp_dir().join(format!("skjold-bench-letters-{}", uuid::Uuid::new_v4()));
        let app = App::new(db.store.clone(), Arc::new(SystemClock)).with_letter_provider(Arc::new(
            crate::rights::letters::FolderProvider::new(letters.clone()),
        ));
        Scratch { db, letters, app }
    }

    /// The URL of the scratch database on PostgreSQL; none on SQLite.
    pub fn postgres_url(&self) -> Option<String> {
        self.db.postgres_url()
    }

    /// The environment under which `skjold serve` opens this installation in a process
    /// of its own (data directory, database, key store and master key).
    pub fn serve_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("SKJOLD_MASTER_KEY", TestDb::master_key())];
        let dir = self.db.data_dir().unwrap_or_else(|| self.letters.clone());
        env.push(("SKJOLD_DATA_DIR", dir.display().to_string()));
        if let Some(url) = self.db.postgres_url() {
            env.push(("SKJOLD_DATABASE_URL", url));
        }
        if let Some(url) = self.db.key_store_url() {
            env.push(("SKJOLD_KEY_STORE_URL", url));
        }
        env
    }

    /// The backend's name, for the figures.
    pub fn backend(&self) -> &'static str {
        match self.db.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// Inserts the entries numbered `range` of `plan` into this scratch database's access
    /// log with set-based SQL, outside the Merkle tree (synthetic, for benchmarks only);
    /// returns how many.
    pub async fn fill_access_log(
        &self,
        plan: &FillPlan,
        range: std::ops::Range<u64>,
    ) -> Result<u64, AppError> {
        Ok(self.db.bench_fill_access_log(plan, range).await?)
    }

    /// Fills synthetic anonymised invoice lines and the aggregate built from them
    /// (PostgreSQL; for benchmarks only); returns how many lines.
    pub async fn fill_invoices(&self, plan: &InvoiceFillPlan) -> Result<u64, AppError> {
        Ok(self.db.bench_fill_invoices(plan).await?)
    }

    /// Appends `entries` synthetic entries stamped `at` to this scratch database's Merkle
    /// log, through the log's own sequencing, in large transactions (for benchmarks only);
    /// returns how many.
    pub async fn fill_tree_log(
        &self,
        entries: u64,
        at: skjold_store::Now,
    ) -> Result<u64, AppError> {
        Ok(self.db.bench_fill_tree_log(entries, at).await?)
    }

    /// Brings the planner's statistics up to date after a fill (ANALYZE; on PostgreSQL
    /// with a VACUUM of the access log, as autovacuum would).
    pub async fn analyze(&self) -> Result<(), AppError> {
        Ok(self.db.bench_analyze().await?)
    }

    pub async fn cleanup(self) {
        // The folder exists only once a letter was written.
        let _ = std::fs::remove_dir_all(&self.letters);
        self.db.cleanup().await;
    }
}

impl App {
    /// A citizen's session without the MitID sign-in, for `skjold bench citizen` on its
    /// throw-away installation: the cookie secret.
    pub async fn bench_citizen_session(&self, subject_id: uuid::Uuid) -> Result<String, AppError> {
        let token = skjold_store::sign_in::new_secret();
        let now = self.now();
        self.store()
            .sign_in()
            .create_citizen_session(
                subject_id,
                &skjold_store::sign_in::secret_hash(&token),
                &skjold_store::sign_in::new_secret(),
                now,
                now.plus_seconds(skjold_core::citizen_view::SESSION_SECONDS),
            )
            .await?;
        Ok(token)
    }

    /// How many entries the access log holds (no content).
    pub async fn access_log_len(&self) -> Result<u64, AppError> {
        Ok(self.store().gate().access_log_len().await?)
    }
}

/// What [`log_figures`] measured.
#[derive(Debug, Clone)]
pub struct LogFigures {
    /// Entries appended and acknowledged as durable.
    pub appended: u64,
    pub append_time: Duration,
    /// Entries and checkpoints the verification recomputed and checked.
    pub verified_entries: u64,
    pub verified_checkpoints: usize,
    pub verify_time: Duration,
    /// The process's resident memory just before verifying, and its peak while verifying
    /// (kB, from `/proc/self/status`; `None` where there is none).
    pub rss_before_verify_kb: Option<u64>,
    pub peak_during_verify_kb: Option<u64>,
    /// Inclusion proofs checked against signed checkpoints, and how long they took.
    pub proofs: usize,
    pub proof_time: Duration,
    /// A consistency proof from the last checkpoint to one 1,000 entries later, as a
    /// witness round asks for (only the leaves since are read), and one from a size the
    /// log keeps no frontier at (the whole kept log is read).
    pub witness_proof_time: Duration,
    pub unkept_proof_time: Duration,
}

/// How [`log_figures`] loads the log.
#[derive(Debug, Clone, Copy)]
pub struct LogLoad {
    /// Concurrent appenders, each waiting until its entries are durable.
    pub appenders: usize,
    /// Entries each appender hands over at a time (`append_all`; 1 is a logged read).
    pub batch: usize,
    pub seconds: u64,
    /// Before verifying, the log is filled up to this many entries in its tree (synthetic
    /// entries, appended with the log's own sequencing), so verification runs over a log
    /// of a known size.
    pub verify_entries: u64,
}

/// A field of `/proc/self/status` in kB (Linux).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(field)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

/// Appends to the access log from `load.appenders` concurrent writers for `load.seconds`
/// (each waiting until its entries are durable), fills the log up to
/// `load.verify_entries`, signs checkpoints, verifies the whole log (measuring the
/// process's memory while it does), and checks up to 10 000 inclusion proofs of the
/// appended entries from an export.
pub async fn log_figures(scratch: &Scratch, load: LogLoad) -> Result<LogFigures, AppError> {
    let app = &scratch.app;
    let audit = app.store().audit();
    let running = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(load.appenders);
    let batch = load.batch.max(1);
    for _ in 0..load.appenders {
        let (audit, running, app) = (audit.clone(), running.clone(), app.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = 0u64;
            while running.load(Ordering::Relaxed) {
                if batch == 1 {
                    audit.log_system_event(app.now(), "Benchmark-post").await?;
                } else {
                    audit
                        .log_system_events(app.now(), "Benchmark-post", batch)
                        .await?;
                }
                acked += batch as u64;
            }
            Ok::<u64, StoreError>(acked)
        }));
    }
    tokio::time::sleep(Duration::from_secs(load.seconds)).await;
    running.store(false, Ordering::Relaxed);
    let mut appended = 0;
    for t in tasks {
        appended += t
            .await
            .map_err(|e| AppError::Internal(format!("appender: {e}")))??;
    }
    let append_time = started.elapsed();
    let appended_until = app.now();

    let in_tree = app.access_log_len().await?;
    if in_tree < load.verify_entries {
        scratch
            .fill_tree_log(load.verify_entries - in_tree, app.now())
            .await?;
    }
    audit.checkpoint_log(app.now()).await?;
    // Verified before the export below loads the whole log into memory; the peak is reset
    // (Linux: clear_refs 5), so it is the verification's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before_verify_kb = status_kb("VmRSS");
    let started = Instant::now();
    let report = audit.verify_log().await?;
    let verify_time = started.elapsed();
    let peak_during_verify_kb = status_kb("VmHWM");
    if let Some(problem) = report.problems.first() {
        return Err(AppError::Internal(format!(
            "the log does not verify: {problem}"
        )));
    }
    // The proofs are sampled from the appended entries only, not the fill, each checked
    // against the checkpoint its export leads to.
    let export = audit
        .export_log(
            &skjold_core::oversight::LogFilter {
                until: Some(appended_until),
                ..Default::default()
            },
            None,
            app.now(),
        )
        .await?;
    let verifier = audit.log_verifier().await?;
    let roots: HashMap<&str, [u8; 32]> = export
        .checkpoints
        .iter()
        .filter_map(|c| {
            verifier
                .open(&c.note)
                .ok()
                .map(|h| (c.shard.as_str(), h.root))
        })
        .collect();
    let sample: Vec<_> = export
        .entries
        .iter()
        .step_by((export.entries.len() / 10_000).max(1))
        .filter(|e| roots.contains_key(e.entry.shard.as_str()))
        .collect();
    let started = Instant::now();
    let good = sample
        .iter()
        .filter(|e| {
            verify_inclusion(
                e.entry.index,
                e.tree_size,
                &e.entry.leaf_hash(),
                &e.proof,
                &roots[e.entry.shard.as_str()],
            )
        })
        .count();
    let proof_time = started.elapsed();
    if good != sample.len() {
        return Err(AppError::Internal(format!(
            "{} of {} inclusion proofs failed",
            sample.len() - good,
            sample.len()
        )));
    }
    let proofs = sample.len();
    // A witness round: the proof from the last checkpoint to the next, 1,000 entries on.
    let last = audit.consistency_proof(0, None).await?.new_size;
    audit.log_system_events(app.now(), "bench", 1000).await?;
    audit.checkpoint_log(app.now()).await?;
    let started = Instant::now();
    audit.consistency_proof(last, None).await?;
    let witness_proof_time = started.elapsed();
    let started = Instant::now();
    audit.consistency_proof(last - 1, None).await?;
    let unkept_proof_time = started.elapsed();
    Ok(LogFigures {
        witness_proof_time,
        unkept_proof_time,
        appended,
        append_time,
        verified_entries: report.entries,
        verified_checkpoints: report.checkpoints,
        verify_time,
        rss_before_verify_kb,
        peak_during_verify_kb,
        proofs,
        proof_time,
    })
}

impl App {
    /// A signed-in staff session for `skjold bench` on its throw-away installation,
    /// without password and second factor: the cookie secret.
    pub async fn bench_staff_session(
        &self,
        actor: &skjold_core::Actor,
    ) -> Result<String, AppError> {
        let (token, _csrf) = self
            .new_session(actor, "done", crate::sign_in::SESSION_SECONDS, None)
            .await?;
        Ok(token)
    }
}

//! The access log's writer, with group commit.
//!
//! A gate call that only *reads* has nothing to commit except its log entry. Committing
//! each entry on its own costs one fsync (about 0.75 ms on our machines), which caps
//! logged reads near 1,300 per second however fast the rest is. Instead, reads hand their
//! entry to one writer task, which takes everything queued at that moment, writes it in a
//! single transaction with a single fsync, and then acknowledges every entry. The caller
//! waits for that acknowledgement before it opens any personal data, so wall 1 holds
//! exactly: no data leaves before its entry is durable, and a failed log write fails the
//! request. Calls that *change* data still write their entry in their own transaction.

use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::StoreError;
use crate::db::{Db, Tx};

/// One access-log row, ready to insert.
#[derive(Debug, Clone)]
pub(crate) struct LogRow {
    pub id: Uuid,
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub use_kind: &'static str,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub outcome: &'static str,
    pub detail: String,
    /// The stand-in access the entry was made under, if any.
    pub stand_in: Option<Uuid>,
    /// Set when the entry is appended to the Merkle log (see [`crate::audit`]).
    pub shard: String,
    pub idx: i64,
    pub leaf_hash: Vec<u8>,
}

impl LogRow {
    /// An entry for a privacy officer's or auditor's use of the logs.
    pub fn oversight(
        actor: &skjold_core::Actor,
        now: crate::Now,
        subject_id: Option<Uuid>,
        criterion: String,
        detail: &str,
    ) -> LogRow {
        LogRow {
            user_id: Some(actor.user_id),
            organisation_id: Some(actor.organisation_id),
            subject_id,
            criterion: Some(criterion),
            purpose: crate::gate::PURPOSE_OVERSIGHT.into(),
            ..LogRow::system(now, detail)
        }
    }

    /// An entry for something the system itself did: no user, no citizen.
    pub fn system(now: crate::Now, detail: &str) -> LogRow {
        LogRow {
            id: Uuid::new_v4(),
            at: now.micros(),
            user_id: None,
            organisation_id: None,
            use_kind: skjold_core::oversight::UseKind::Oversight.key(),
            subject_id: None,
            criterion: None,
            purpose: "Vedligehold af adgangsloggen".into(),
            outcome: "allowed",
            detail: detail.to_owned(),
            stand_in: None,
            shard: String::new(),
            idx: 0,
            leaf_hash: Vec::new(),
        }
    }
}

type Ack = oneshot::Sender<Result<(), String>>;

/// The most entries one transaction takes (inserted in chunks of `CHUNK`, well under
/// SQLite's 32,766 bound parameters per statement with 14 columns a row).
const MAX_BATCH: usize = 2048;
const CHUNK: usize = 500;

#[derive(Clone, Debug)]
pub(crate) struct LogWriter {
    queue: mpsc::Sender<(LogRow, Ack)>,
}

impl LogWriter {
    /// Starts the writer task; it ends when the last `LogWriter` is dropped.
    pub fn spawn(db: Db) -> LogWriter {
        let (queue, mut rx) = mpsc::channel::<(LogRow, Ack)>(8 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let mut rows: Vec<LogRow> = batch.iter().map(|(r, _)| r.clone()).collect();
                let result = write_batch(&db, &mut rows).await.map_err(|e| e.to_string());
                if let Err(e) = &result {
                    tracing::error!(error.detail = %e, entries = rows.len(), "access log write failed");
                }
                for (_, ack) in batch.drain(..) {
                    let _ = ack.send(result.clone());
                }
            }
        });
        LogWriter { queue }
    }

    /// Appends one entry and returns once it is durable.
    pub async fn append(&self, row: LogRow) -> Result<(), StoreError> {
        self.append_all(vec![row]).await
    }

    /// Appends entries (they share a group commit) and returns once all are durable.
    pub async fn append_all(&self, rows: Vec<LogRow>) -> Result<(), StoreError> {
        let stopped = || StoreError::LogWrite("the access log writer has stopped".into());
        let mut pending = Vec::with_capacity(rows.len());
        for row in rows {
            let (ack, done) = oneshot::channel();
            self.queue.send((row, ack)).await.map_err(|_| stopped())?;
            pending.push(done);
        }
        for done in pending {
            match done.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(StoreError::LogWrite(e)),
                Err(_) => return Err(stopped()),
            }
        }
        Ok(())
    }
}

const INSERT: &str = "INSERT INTO access_log (id, at, user_id, organisation_id, use_kind, subject_id, criterion, purpose, outcome, detail, stand_in_id, shard, idx, leaf_hash) ";

macro_rules! insert_chunk {
    ($db:ty, $conn:expr, $chunk:expr) => {{
        let mut qb = sqlx::QueryBuilder::<$db>::new(INSERT);
        qb.push_values($chunk, |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.at)
                .push_bind(r.user_id)
                .push_bind(r.organisation_id)
                .push_bind(r.use_kind)
                .push_bind(r.subject_id)
                .push_bind(r.criterion.clone())
                .push_bind(r.purpose.clone())
                .push_bind(r.outcome)
                .push_bind(r.detail.clone())
                .push_bind(r.stand_in)
                .push_bind(r.shard.clone())
                .push_bind(r.idx)
                .push_bind(r.leaf_hash.clone());
        });
        qb.build().execute(&mut **$conn).await?;
    }};
}

async fn write_batch(db: &Db, rows: &mut [LogRow]) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    insert_all(&mut tx, rows).await?;
    tx.commit().await
}

/// Appends entries to the Merkle log and inserts them, inside `tx`.
pub(crate) async fn insert_all(tx: &mut Tx, rows: &mut [LogRow]) -> Result<(), StoreError> {
    crate::audit::sequence(tx, rows).await?;
    for chunk in rows.chunks(CHUNK) {
        match &mut *tx {
            Tx::Sqlite(c) => insert_chunk!(sqlx::Sqlite, c, chunk.iter()),
            Tx::Postgres(c) => insert_chunk!(sqlx::Postgres, c, chunk.iter()),
        }
    }
    Ok(())
}

/// Inserts one entry inside a caller's transaction (for calls that change data).
pub(crate) async fn insert_in(tx: &mut Tx, r: &LogRow) -> Result<(), StoreError> {
    insert_all(tx, &mut [r.clone()]).await
}

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
//!
//! What makes it fast:
//! - A call hands over all its entries as one message with one acknowledgement (a list of
//!   many citizens is one call), and a transaction takes up to `MAX_BATCH` entries: the
//!   entries that queued while the previous transaction was committing.
//! - Each entry's id is a UUIDv7 of its own time (`entry_id`), so the primary key's
//!   index grows at its end: a batch dirties a few pages there instead of one random page
//!   per entry, which in a large log was most of the write-ahead log's traffic.
//! - Rows are inserted many to a statement, in a few fixed sizes (`chunk_len`), so every
//!   statement text stays prepared; values are bound by reference, not copied.
//! - Sequencing hashes each leaf through a borrowed view of the row into one reused
//!   buffer (`LeafRef`), and works out the month of an entry once per second of time.
//!
//! The head of the open shard is still read inside every transaction, under the append
//! lock, because calls that change data append inside their own transactions
//! (`insert_in`); the read is one small row.
//!
//! Measured with `skjold bench log` (256 appenders, one entry per call, release build,
//! 2 cores, medians of 3, old and new binaries back to back): SQLite 29,100 → 58,600
//! durable appends/s, PostgreSQL 31,800 → 32,500 (its round trips per batch are the cost).

use tokio::sync::{mpsc, oneshot};

use skjold_core::Timestamp;

use crate::StoreError;
use crate::audit::entry::{LEAF_FORMAT, LeafRef, LogRow, MAX_LEAF_INTEGER, shard_of};
use crate::audit::merkle::Frontier;
use crate::db::{Db, Tx, execute, fetch};

type Ack = oneshot::Sender<Result<(), String>>;

/// One call's entries, acknowledged together.
type Call = (Vec<LogRow>, Ack);

/// The most entries one transaction takes (a call is never split, so one call may bring
/// more). Larger batches spread one fsync over more entries.
const MAX_BATCH: usize = 16_384;
/// Calls waiting for the writer, at most; further callers wait to hand theirs over.
const QUEUED_CALLS: usize = 16_384;
/// Rows a statement inserts at most: 14 columns a row, well under SQLite's 32,766 bound
/// parameters per statement (PostgreSQL allows 65,535).
const CHUNK: usize = 1024;

#[derive(Clone, Debug)]
pub(crate) struct LogWriter {
    queue: mpsc::Sender<Call>,
}

impl LogWriter {
    /// Starts the writer task; it ends when the last `LogWriter` is dropped.
    pub fn spawn(db: Db) -> LogWriter {
        let (queue, mut rx) = mpsc::channel::<Call>(QUEUED_CALLS);
        tokio::spawn(async move {
            let mut rows: Vec<LogRow> = Vec::with_capacity(MAX_BATCH);
            let mut acks: Vec<Ack> = Vec::new();
            while let Some((first, ack)) = rx.recv().await {
                rows.extend(first);
                acks.push(ack);
                while rows.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok((more, ack)) => {
                            rows.extend(more);
                            acks.push(ack);
                        }
                        Err(_) => break,
                    }
                }
                let result = write_batch(&db, &mut rows).await.map_err(|e| e.to_string());
                if let Err(e) = &result {
                    tracing::error!(error.detail = %e, entries = rows.len(), "access log write failed");
                }
                // Only now, after the commit, does any caller learn its entries are in.
                for ack in acks.drain(..) {
                    let _ = ack.send(result.clone());
                }
                rows.clear();
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
        if rows.is_empty() {
            return Ok(());
        }
        let stopped = || StoreError::LogWrite("the access log writer has stopped".into());
        let (ack, done) = oneshot::channel();
        self.queue.send((rows, ack)).await.map_err(|_| stopped())?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::LogWrite(e)),
            Err(_) => Err(stopped()),
        }
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
                .push_bind(r.criterion.as_deref())
                .push_bind(r.purpose.as_str())
                .push_bind(r.outcome)
                .push_bind(r.detail.as_str())
                .push_bind(r.stand_in)
                .push_bind(r.shard.as_str())
                .push_bind(r.idx)
                .push_bind(r.leaf_hash.as_slice());
        });
        qb.build().execute(&mut **$conn).await?;
    }};
}

async fn write_batch(db: &Db, rows: &mut [LogRow]) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    insert_all(&mut tx, rows).await?;
    tx.commit().await
}

/// The next statement's share of `left` rows: `CHUNK`, else the largest power of two that
/// fits, so only a few statement texts ever exist and each stays prepared in the cache.
fn chunk_len(left: usize) -> usize {
    if left >= CHUNK {
        CHUNK
    } else {
        1 << left.ilog2()
    }
}

/// Appends entries to the Merkle log and inserts them, inside `tx`.
pub(crate) async fn insert_all(tx: &mut Tx, rows: &mut [LogRow]) -> Result<(), StoreError> {
    sequence(tx, rows).await?;
    let mut rest: &[LogRow] = rows;
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(chunk_len(rest.len()));
        match &mut *tx {
            Tx::Sqlite(c) => insert_chunk!(sqlx::Sqlite, c, chunk.iter()),
            Tx::Postgres(c) => insert_chunk!(sqlx::Postgres, c, chunk.iter()),
        }
        rest = after;
    }
    Ok(())
}

/// Inserts one entry inside a caller's transaction (for calls that change data).
pub(crate) async fn insert_in(tx: &mut Tx, r: &LogRow) -> Result<(), StoreError> {
    insert_all(tx, &mut [r.clone()]).await
}

// ---- the Merkle tree ------------------------------------------------------------------------

/// Serialises appenders on PostgreSQL (SQLite's writer is single already).
const APPEND_LOCK: i64 = 0x736b_6a6f_6c64;

struct Head {
    id: String,
    opened_at: i64,
    /// Of format 2: the tree's frontier (the log's one tree); of format 1: the shard's own.
    frontier: Frontier,
    closed_at: Option<i64>,
    stored: bool,
    format: u8,
    start: u64,
}

pub(crate) async fn lock_appends(tx: &mut Tx) -> Result<(), StoreError> {
    if let Tx::Postgres(c) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

pub(crate) fn frontier_of(id: &str, size: i64, bytes: &[u8]) -> Result<Frontier, StoreError> {
    u64::try_from(size)
        .ok()
        .and_then(|size| Frontier::from_bytes(size, bytes))
        .ok_or_else(|| StoreError::LogWrite(format!("the head of shard {id} is damaged")))
}

/// Gives each row its place in the tree (shard, index, leaf hash) and advances the heads,
/// inside the transaction that inserts the rows.
///
/// New entries always go to a shard of format 2. The open shard of format 1 that an
/// upgraded log may have is closed by the first new entry, and the new shard of the same
/// month is named after it with `.1`. A new shard of format 2 continues the tree of the one
/// before it: its first index is the size of the tree so far.
pub(crate) async fn sequence(tx: &mut Tx, rows: &mut [LogRow]) -> Result<(), StoreError> {
    lock_appends(tx).await?;
    let open: Option<(String, i64, i64, Vec<u8>, i64, i64)> = fetch!(
        &mut *tx,
        fetch_optional,
        (String, i64, i64, Vec<u8>, i64, i64),
        "SELECT id, opened_at, size, frontier, leaf_format, start FROM log_shard WHERE closed_at IS NULL"
    )?;
    let mut heads: Vec<Head> = Vec::with_capacity(1);
    let mut tree = Frontier::default();
    match open {
        Some((id, opened_at, size, frontier, format, start)) => {
            let frontier = frontier_of(&id, size, &frontier)?;
            let format = u8::try_from(format).unwrap_or(0);
            if format == LEAF_FORMAT {
                tree = frontier.clone();
            }
            heads.push(Head {
                id,
                opened_at,
                frontier,
                closed_at: None,
                stored: true,
                format,
                start: u64::try_from(start).unwrap_or(0),
            });
        }
        // Every shard closed (the log is new, or was all pruned while closed): the tree
        // goes on from the last shard of format 2, if there is one.
        None => {
            let last: Option<(i64, Vec<u8>)> = fetch!(
                &mut *tx,
                fetch_optional,
                (i64, Vec<u8>),
                "SELECT size, frontier FROM log_shard WHERE leaf_format = 2 ORDER BY id DESC LIMIT 1"
            )?;
            if let Some((size, frontier)) = last {
                tree = frontier_of("(last)", size, &frontier)?;
            }
        }
    }
    let mut buf = Vec::with_capacity(1024);
    // The month of the last second seen: a batch's entries mostly share it.
    let mut month_at: Option<(i64, String)> = None;
    for row in rows.iter_mut() {
        if !(-MAX_LEAF_INTEGER..MAX_LEAF_INTEGER).contains(&row.at) {
            return Err(StoreError::LogWrite(format!(
                "an entry's time ({}) is outside the leaf format's range",
                row.at
            )));
        }
        let second = row.at.div_euclid(1_000_000);
        if !matches!(&month_at, Some((s, _)) if *s == second) {
            month_at = Some((second, shard_of(Timestamp::from_micros(row.at))));
        }
        let month = month_at.as_ref().map_or("", |(_, m)| m.as_str());
        let new_id = match heads.last_mut() {
            None => Some(month.to_owned()),
            // A later month closes the open shard. An entry stamped with an earlier month
            // (a clock set back) joins the open shard: shards follow the order of appends.
            Some(h) if month > h.id.as_str() => {
                h.closed_at = Some(row.at);
                Some(month.to_owned())
            }
            Some(h) if h.format != LEAF_FORMAT => {
                h.closed_at = Some(row.at);
                Some(format!("{}.1", h.id))
            }
            Some(_) => None,
        };
        if let Some(id) = new_id {
            heads.push(Head {
                id,
                opened_at: row.at,
                frontier: tree.clone(),
                closed_at: None,
                stored: false,
                format: LEAF_FORMAT,
                start: tree.size(),
            });
        }
        let Some(head) = heads.last_mut() else {
            continue;
        };
        let index = head.frontier.size();
        let leaf = LeafRef::of(row, &head.id, index).leaf_hash(head.format, &mut buf);
        head.frontier.push(leaf);
        if head.format == LEAF_FORMAT {
            tree.push(leaf);
        }
        row.shard.clone_from(&head.id);
        row.idx = i64::try_from(index).unwrap_or(i64::MAX);
        row.leaf_hash = leaf.to_vec();
    }
    for h in &heads {
        let size = i64::try_from(h.frontier.size()).unwrap_or(i64::MAX);
        let frontier = h.frontier.to_bytes();
        if h.stored {
            execute!(
                &mut *tx,
                "UPDATE log_shard SET size = $2, frontier = $3, closed_at = $4 WHERE id = $1",
                h.id.as_str(),
                size,
                frontier.as_slice(),
                h.closed_at
            )?;
        } else {
            execute!(
                &mut *tx,
                "INSERT INTO log_shard (id, opened_at, size, frontier, closed_at, leaf_format, start) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                h.id.as_str(),
                h.opened_at,
                size,
                frontier.as_slice(),
                h.closed_at,
                i64::from(h.format),
                i64::try_from(h.start).unwrap_or(i64::MAX)
            )?;
        }
    }
    Ok(())
}

//! The tamper-evident access log (SA-4, SA-7).
//!
//! Every access-log entry is a leaf of a Merkle tree with RFC 6962 hashing ([`merkle`]),
//! one tree per monthly shard. The leaf is the entry's canonical JSON ([`LeafEntry`]),
//! which names its shard and index, so an entry that is changed, deleted, inserted or moved
//! no longer fits. Signed checkpoints ([`note`]) fix the tree's size and root at least
//! every minute (the server's checkpointer) and at every shard's end; verification
//! recomputes every shard from its entries and checks every checkpoint.
//!
//! Appending happens inside the transaction that writes the entries ([`sequence`]), with
//! the head of the open shard locked, so the order of leaves is the order of commits. The
//! head keeps the tree's frontier, which makes appending and signing O(log n).
//!
//! Retention: a shard whose month ended more than the retention period ago (at least six
//! months) is pruned whole — its entries deleted, its final checkpoint kept — so
//! verification still passes afterwards.

pub mod export;
pub mod merkle;
pub mod note;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use skjold_core::Timestamp;

use crate::db::Db;
use crate::db::{Tx, execute, fetch, scalar};
use crate::log::LogRow;
use crate::{Now, StoreError};
use merkle::{Frontier, Hash, Tree};
pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier};
use skjold_core::oversight::LogFilter;

/// The shortest retention the processor terms allow, in months.
pub const MIN_RETENTION_MONTHS: u32 = 6;

/// Serialises appenders on PostgreSQL (SQLite's writer is single already).
const APPEND_LOCK: i64 = 0x736b_6a6f_6c64;

/// An entry as it is hashed into the tree: its canonical JSON, fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafEntry {
    pub shard: String,
    pub index: u64,
    pub id: Uuid,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub use_kind: String,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    /// The stand-in access the entry was made under. Left out of the leaf when absent, so
    /// entries from before stand-in accesses keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_in: Option<Uuid>,
}

impl LeafEntry {
    pub fn leaf_hash(&self) -> Hash {
        // Serialising a struct of strings, numbers and UUIDs cannot fail.
        merkle::leaf_hash(&serde_json::to_vec(self).unwrap_or_default())
    }

    fn of(row: &LogRow, shard: &str, index: u64) -> LeafEntry {
        LeafEntry {
            shard: shard.to_owned(),
            index,
            id: row.id,
            at: row.at,
            user_id: row.user_id,
            organisation_id: row.organisation_id,
            use_kind: row.use_kind.to_owned(),
            subject_id: row.subject_id,
            criterion: row.criterion.clone(),
            purpose: row.purpose.clone(),
            outcome: row.outcome.to_owned(),
            detail: row.detail.clone(),
            stand_in: row.stand_in,
        }
    }
}

/// The shard an instant falls in: its month in Copenhagen, `YYYY-MM`.
pub fn shard_of(at: Timestamp) -> String {
    let d = at.local_date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The origin line of a shard's checkpoints.
pub fn origin(signer_name: &str, shard: &str) -> String {
    format!("{signer_name}/access-log/{shard}")
}

struct Head {
    id: String,
    opened_at: i64,
    frontier: Frontier,
    closed_at: Option<i64>,
    stored: bool,
}

async fn lock_appends(tx: &mut Tx) -> Result<(), StoreError> {
    if let Tx::Postgres(c) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK)
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

fn frontier_of(id: &str, size: i64, bytes: &[u8]) -> Result<Frontier, StoreError> {
    u64::try_from(size)
        .ok()
        .and_then(|size| Frontier::from_bytes(size, bytes))
        .ok_or_else(|| StoreError::LogWrite(format!("the head of shard {id} is damaged")))
}

/// Gives each row its place in the tree (shard, index, leaf hash) and advances the heads,
/// inside the transaction that inserts the rows.
pub(crate) async fn sequence(tx: &mut Tx, rows: &mut [LogRow]) -> Result<(), StoreError> {
    lock_appends(tx).await?;
    let open: Option<(String, i64, i64, Vec<u8>)> = fetch!(
        &mut *tx,
        fetch_optional,
        (String, i64, i64, Vec<u8>),
        "SELECT id, opened_at, size, frontier FROM log_shard WHERE closed_at IS NULL"
    )?;
    let mut heads: Vec<Head> = Vec::with_capacity(1);
    if let Some((id, opened_at, size, frontier)) = open {
        let frontier = frontier_of(&id, size, &frontier)?;
        heads.push(Head {
            id,
            opened_at,
            frontier,
            closed_at: None,
            stored: true,
        });
    }
    for row in rows.iter_mut() {
        let month = shard_of(Timestamp::from_micros(row.at));
        let need_new = match heads.last_mut() {
            None => true,
            // A later month closes the open shard. An entry stamped with an earlier month
            // (a clock set back) joins the open shard: shards follow the order of appends.
            Some(h) if month > h.id => {
                h.closed_at = Some(row.at);
                true
            }
            Some(_) => false,
        };
        if need_new {
            heads.push(Head {
                id: month,
                opened_at: row.at,
                frontier: Frontier::default(),
                closed_at: None,
                stored: false,
            });
        }
        let Some(head) = heads.last_mut() else {
            continue;
        };
        let index = head.frontier.size();
        let leaf = LeafEntry::of(row, &head.id, index).leaf_hash();
        head.frontier.push(leaf);
        row.shard = head.id.clone();
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
                "INSERT INTO log_shard (id, opened_at, size, frontier, closed_at) VALUES ($1, $2, $3, $4, $5)",
                h.id.as_str(),
                h.opened_at,
                size,
                frontier.as_slice(),
                h.closed_at
            )?;
        }
    }
    Ok(())
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCheckpoint {
    pub shard: String,
    pub size: u64,
    pub note: String,
}

#[derive(sqlx::FromRow)]
struct ShardRow {
    id: String,
    size: i64,
    frontier: Vec<u8>,
    closed_at: Option<i64>,
    pruned_at: Option<i64>,
}

const SHARD_SELECT: &str = "SELECT id, size, frontier, closed_at, pruned_at FROM log_shard";

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    at: i64,
    user_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
    use_kind: String,
    subject_id: Option<Uuid>,
    criterion: Option<String>,
    purpose: String,
    outcome: String,
    detail: String,
    stand_in_id: Option<Uuid>,
    shard: String,
    idx: i64,
    leaf_hash: Vec<u8>,
}

const ENTRY_SELECT: &str = "SELECT id, at, user_id, organisation_id, use_kind, subject_id, criterion, purpose, outcome, \
     detail, stand_in_id, shard, idx, leaf_hash FROM access_log";

impl EntryRow {
    fn leaf(&self) -> LeafEntry {
        LeafEntry {
            shard: self.shard.clone(),
            index: u64::try_from(self.idx).unwrap_or(u64::MAX),
            id: self.id,
            at: self.at,
            user_id: self.user_id,
            organisation_id: self.organisation_id,
            use_kind: self.use_kind.clone(),
            subject_id: self.subject_id,
            criterion: self.criterion.clone(),
            purpose: self.purpose.clone(),
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
            stand_in: self.stand_in_id,
        }
    }
}

/// What verification found wrong, at the first place it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub shard: String,
    /// The first entry that does not fit, when one can be named.
    pub index: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "shard {} entry {}: {}", self.shard, i, self.what),
            None => write!(f, "shard {}: {}", self.shard, self.what),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ShardReport {
    pub shard: String,
    pub entries: u64,
    pub checkpoints: usize,
    pub closed: bool,
    pub pruned: bool,
}

/// The outcome of verifying the whole log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub shards: Vec<ShardReport>,
    pub entries: u64,
    pub checkpoints: usize,
    /// Entries from before the log was a Merkle tree, not covered by it.
    pub legacy_entries: u64,
    /// Empty when the log verifies.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How many entries verification reads at a time.
const PAGE: i64 = 20_000;

/// The tamper-evident access log: checkpoints, verification, pruning, exports. Entries are
/// appended by the gate; this handle holds the checkpoint signing key, not a key to
/// anyone's data.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pub(crate) db: Db,
    pub(crate) signer: NoteSigner,
    pub(crate) log: crate::log::LogWriter,
}

impl AuditLog {
    /// An export of the access log with inclusion proofs, for the privacy officer or the
    /// auditor to hand to the controller or the supervisory authority. The export itself is
    /// logged first.
    pub async fn export_access_log(
        &self,
        actor: &skjold_core::Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<export::Export, StoreError> {
        if !actor.may(skjold_core::Action::ReadLogs) {
            return Err(skjold_core::Problem::RoleNotAllowed(actor.role).into());
        }
        let entry = crate::log::LogRow::oversight(
            actor,
            now,
            filter.subject_id,
            crate::gate::describe_filter(filter),
            "Adgangsloggen eksporteret med beviser",
        );
        self.log.append(entry).await?;
        self.export_log(filter, Some(actor.controller_id), now)
            .await
    }

    /// Records something the system itself did (no user, no citizen) in the access log,
    /// and returns once the entry is durable: the log's own upkeep, such as pruning.
    pub async fn log_system_event(&self, now: Now, detail: &str) -> Result<(), StoreError> {
        self.log
            .append(crate::log::LogRow::system(now, detail))
            .await
    }

    /// The key that checks this installation's checkpoints.
    pub fn log_verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// Signs a checkpoint for every shard that has grown since its last one, and the final
    /// checkpoint of every closed shard. Returns what it signed.
    pub async fn checkpoint_log(&self, now: Now) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let signer = self.signer.clone();
        let mut tx = self.db.write().await?;
        lock_appends(&mut tx).await?;
        let shards = fetch!(
            &mut tx,
            fetch_all,
            ShardRow,
            &format!("{SHARD_SELECT} WHERE pruned_at IS NULL AND size > 0 ORDER BY id")
        )?;
        let mut signed = Vec::new();
        for s in shards {
            let last: Option<i64> = scalar!(
                &mut tx,
                fetch_one,
                Option<i64>,
                "SELECT MAX(size) FROM log_checkpoint WHERE shard = $1",
                s.id.as_str()
            )?;
            if last.is_some_and(|l| l >= s.size) {
                continue;
            }
            let frontier = frontier_of(&s.id, s.size, &s.frontier)?;
            let c = Checkpoint {
                origin: origin(signer.name(), &s.id),
                size: frontier.size(),
                root: frontier.root(),
            };
            let note = signer.sign(&c);
            execute!(
                &mut tx,
                "INSERT INTO log_checkpoint (shard, size, root_hash, note, created_at) VALUES ($1, $2, $3, $4, $5)",
                s.id.as_str(),
                s.size,
                c.root.as_slice(),
                note.as_str(),
                now.micros()
            )?;
            signed.push(StoredCheckpoint {
                shard: s.id,
                size: c.size,
                note,
            });
        }
        tx.commit().await?;
        Ok(signed)
    }

    /// Recomputes every shard from its entries and checks every checkpoint against the
    /// tree and its signature. Reads the log in pages; memory stays O(log n) per shard.
    pub async fn verify_log(&self) -> Result<VerifyReport, StoreError> {
        let verifier = self.log_verifier();
        let mut report = VerifyReport::default();
        let mut tx = self.db.read().await?;
        report.legacy_entries = u64::try_from(scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM access_log WHERE shard IS NULL"
        )?)
        .unwrap_or(0);
        let shards = fetch!(
            &mut tx,
            fetch_all,
            ShardRow,
            &format!("{SHARD_SELECT} ORDER BY id")
        )?;
        drop(tx);
        for s in shards {
            let (shard, problem) = self.verify_shard(&verifier, &s).await?;
            report.entries += shard.entries;
            report.checkpoints += shard.checkpoints;
            report.shards.push(shard);
            report.problems.extend(problem);
        }
        Ok(report)
    }

    async fn verify_shard(
        &self,
        verifier: &NoteVerifier,
        s: &ShardRow,
    ) -> Result<(ShardReport, Option<Problem>), StoreError> {
        let mut tx = self.db.read().await?;
        let problem = |index: Option<u64>, what: String| Problem {
            shard: s.id.clone(),
            index,
            what,
        };
        let checkpoints: Vec<(i64, Vec<u8>, String)> = fetch!(
            &mut tx,
            fetch_all,
            (i64, Vec<u8>, String),
            "SELECT size, root_hash, note FROM log_checkpoint WHERE shard = $1 ORDER BY size",
            s.id.as_str()
        )?;
        let mut report = ShardReport {
            shard: s.id.clone(),
            entries: 0,
            checkpoints: checkpoints.len(),
            closed: s.closed_at.is_some(),
            pruned: s.pruned_at.is_some(),
        };
        let head_size = u64::try_from(s.size).unwrap_or(0);
        // Every checkpoint must carry a valid signature for this shard.
        let mut heads: Vec<Checkpoint> = Vec::with_capacity(checkpoints.len());
        for (size, root, note) in &checkpoints {
            let opened = match verifier.open(note) {
                Ok(c) => c,
                Err(e) => {
                    return Ok((
                        report,
                        Some(problem(None, format!("checkpoint at size {size}: {e}"))),
                    ));
                }
            };
            let expected_origin = origin(verifier.name(), &s.id);
            if opened.origin != expected_origin
                || i64::try_from(opened.size).ok() != Some(*size)
                || opened.root.as_slice() != root.as_slice()
            {
                return Ok((
                    report,
                    Some(problem(
                        None,
                        format!("checkpoint at size {size} does not say what its note signs"),
                    )),
                ));
            }
            heads.push(opened);
        }
        if let Some(last) = heads.last()
            && last.size > head_size
        {
            return Ok((
                report,
                Some(problem(
                    Some(head_size),
                    format!(
                        "the log head says {head_size} entries but a checkpoint covers {}: entries were removed",
                        last.size
                    ),
                )),
            ));
        }
        if s.pruned_at.is_some() {
            let left: i64 = scalar!(
                &mut tx,
                fetch_one,
                i64,
                "SELECT COUNT(*) FROM access_log WHERE shard = $1",
                s.id.as_str()
            )?;
            let last = heads.last().map_or(0, |c| c.size);
            let found = if left > 0 {
                Some(problem(None, format!("pruned, yet {left} entries remain")))
            } else if last != head_size {
                Some(problem(None, "pruned without a final checkpoint".into()))
            } else {
                None
            };
            return Ok((report, found));
        }
        let mut frontier = Frontier::default();
        let mut next_checkpoint = heads.iter().peekable();
        let mut last_good: Option<u64> = None;
        let mut from = 0i64;
        loop {
            let rows = fetch!(
                &mut tx,
                fetch_all,
                EntryRow,
                &format!("{ENTRY_SELECT} WHERE shard = $1 AND idx >= $2 ORDER BY idx LIMIT $3"),
                s.id.as_str(),
                from,
                PAGE
            )?;
            let Some(last) = rows.last() else { break };
            from = last.idx + 1;
            for row in &rows {
                let expected = frontier.size();
                let index = u64::try_from(row.idx).unwrap_or(u64::MAX);
                if index != expected {
                    return Ok((
                        report,
                        Some(problem(
                            Some(expected),
                            "missing: the next entry has a later index".into(),
                        )),
                    ));
                }
                let leaf = row.leaf().leaf_hash();
                if leaf.as_slice() != row.leaf_hash.as_slice() {
                    return Ok((
                        report,
                        Some(problem(
                            Some(index),
                            "changed: its content does not match its leaf hash".into(),
                        )),
                    ));
                }
                frontier.push(leaf);
                report.entries += 1;
                while let Some(c) = next_checkpoint.next_if(|c| c.size == frontier.size()) {
                    if c.root != frontier.root() {
                        let after = last_good
                            .map_or("the start".to_owned(), |g| format!("entry {}", g - 1));
                        return Ok((
                            report,
                            Some(problem(
                                None,
                                format!(
                                    "the tree at size {} does not match its signed checkpoint: an entry after {after} was changed, inserted, deleted or moved",
                                    c.size
                                ),
                            )),
                        ));
                    }
                    last_good = Some(c.size);
                }
            }
        }
        let found = if frontier.size() < head_size {
            Some(problem(
                Some(frontier.size()),
                format!(
                    "missing: the log head says {head_size} entries, {} remain",
                    frontier.size()
                ),
            ))
        } else if frontier.size() > head_size {
            Some(problem(
                Some(head_size),
                format!("not in the log head ({head_size} entries): inserted"),
            ))
        } else if frontier_of(&s.id, s.size, &s.frontier).ok().as_ref() != Some(&frontier) {
            Some(problem(
                None,
                "the log head's frontier does not match the entries".into(),
            ))
        } else {
            None
        };
        Ok((report, found))
    }

    /// Deletes the shards whose month ended more than `retention_months` ago (never less
    /// than six), after making sure each has its final checkpoint, which stays.
    pub async fn prune_log(
        &self,
        now: Now,
        retention_months: u32,
    ) -> Result<Vec<String>, StoreError> {
        if retention_months < MIN_RETENTION_MONTHS {
            return Err(StoreError::Refused(
                skjold_core::Problem::RetentionTooShort {
                    min: MIN_RETENTION_MONTHS,
                },
            ));
        }
        self.checkpoint_log(now).await?;
        let months = i32::try_from(retention_months).unwrap_or(i32::MAX);
        let cutoff = shard_of(now.local_date().plus_months(-months).start_local());
        let mut tx = self.db.write().await?;
        lock_appends(&mut tx).await?;
        let due: Vec<String> = scalar!(
            &mut tx,
            fetch_all,
            String,
            "SELECT s.id FROM log_shard s WHERE s.pruned_at IS NULL AND s.closed_at IS NOT NULL AND s.id < $1 \
             AND EXISTS (SELECT 1 FROM log_checkpoint c WHERE c.shard = s.id AND c.size = s.size) ORDER BY s.id",
            cutoff.as_str()
        )?;
        for id in &due {
            execute!(
                &mut tx,
                "UPDATE log_shard SET pruned_at = $2 WHERE id = $1",
                id.as_str(),
                now.micros()
            )?;
            execute!(
                &mut tx,
                "DELETE FROM access_log WHERE shard = $1",
                id.as_str()
            )?;
        }
        // Sign-in attempts are kept as long as the log, and no longer.
        execute!(
            &mut tx,
            "DELETE FROM sign_in_event WHERE at < $1",
            now.local_date().plus_months(-months).start_local().micros()
        )?;
        tx.commit().await?;
        if !due.is_empty() {
            let detail = format!(
                "Shards slettet efter opbevaringsperioden ({retention_months} måneder): {}",
                due.join(", ")
            );
            self.log_system_event(now, &detail).await?;
        }
        Ok(due)
    }

    /// The entries matching `filter`, each with its inclusion proof against the latest
    /// checkpoint of its shard (signed first if the shard has grown). For the controller
    /// or the supervisory authority; the caller authorises and logs the export.
    ///
    /// With `controller`, only entries by that municipality's own users and by suppliers
    /// (and system entries), as the privacy officer's log view shows.
    pub async fn export_log(
        &self,
        filter: &LogFilter,
        controller: Option<Uuid>,
        now: Now,
    ) -> Result<export::Export, StoreError> {
        self.checkpoint_log(now).await?;
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            EntryRow,
            &format!(
                "{ENTRY_SELECT} WHERE shard IS NOT NULL AND ($1 IS NULL OR subject_id = $1) AND ($2 IS NULL OR user_id = $2) \
                 AND ($3 IS NULL OR organisation_id = $3) AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
                 AND ($6 IS NULL OR organisation_id IS NULL OR organisation_id IN \
                   (SELECT id FROM organisation WHERE id = $6 OR parent_id = $6 OR kind = 'supplier')) \
                 ORDER BY shard, idx"
            ),
            filter.subject_id,
            filter.user_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            controller
        )?;
        let mut out = export::Export {
            verifier: self.log_verifier().to_string(),
            created_at: now,
            checkpoints: Vec::new(),
            entries: Vec::with_capacity(rows.len()),
        };
        let mut i = 0;
        while i < rows.len() {
            let shard = rows[i].shard.clone();
            let end = rows[i..]
                .iter()
                .position(|r| r.shard != shard)
                .map_or(rows.len(), |p| i + p);
            let (size, note): (i64, String) = fetch!(
                &mut tx,
                fetch_one,
                (i64, String),
                "SELECT size, note FROM log_checkpoint WHERE shard = $1 ORDER BY size DESC LIMIT 1",
                shard.as_str()
            )?;
            let leaves: Vec<Vec<u8>> = scalar!(
                &mut tx,
                fetch_all,
                Vec<u8>,
                "SELECT leaf_hash FROM access_log WHERE shard = $1 AND idx < $2 ORDER BY idx",
                shard.as_str(),
                size
            )?;
            let leaves = leaves
                .into_iter()
                .map(|l| <Hash>::try_from(l.as_slice()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    StoreError::LogWrite(format!("a leaf hash in shard {shard} is damaged"))
                })?;
            let tree = Tree::new(leaves);
            let size = u64::try_from(size).unwrap_or(0);
            for row in &rows[i..end] {
                let entry = row.leaf();
                let proof = tree.inclusion_proof(entry.index, size).unwrap_or_default();
                out.entries.push(export::ExportedEntry {
                    tree_size: size,
                    proof,
                    entry,
                });
            }
            out.checkpoints.push(StoredCheckpoint { shard, size, note });
            i = end;
        }
        Ok(out)
    }

    /// The log entries about one citizen, for the citizen's own view: when, which
    /// organisation, which type of use, and why. Newest first.
    pub async fn citizen_log(&self, subject_id: Uuid) -> Result<Vec<CitizenLogEntry>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows: Vec<(i64, Option<String>, String, String, String)> = fetch!(
            &mut tx,
            fetch_all,
            (i64, Option<String>, String, String, String),
            "SELECT l.at, o.name, l.use_kind, l.purpose, l.outcome FROM access_log l \
             LEFT JOIN organisation o ON o.id = l.organisation_id WHERE l.subject_id = $1 ORDER BY l.at DESC, l.id",
            subject_id
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(at, organisation, use_kind, purpose, outcome)| CitizenLogEntry {
                    at: Now::from_micros(at),
                    organisation: organisation.unwrap_or_else(|| "Skjold (system)".to_owned()),
                    use_kind: skjold_core::oversight::UseKind::parse(&use_kind)
                        .unwrap_or(skjold_core::oversight::UseKind::View),
                    purpose,
                    allowed: outcome == "allowed",
                },
            )
            .collect())
    }
}

/// One entry of a citizen's own log: no staff names, no search criteria.
#[derive(Debug, Clone, Serialize)]
pub struct CitizenLogEntry {
    pub at: Now,
    pub organisation: String,
    pub use_kind: skjold_core::oversight::UseKind,
    pub purpose: String,
    pub allowed: bool,
}

//! The tamper-evident access log (SA-4, SA-7), a transparency log in the C2SP sense.
//!
//! Every entry is a leaf of one Merkle tree with RFC 6962 hashing ([`merkle`]); the leaf is
//! the entry as RFC 8785 JSON with its index in the tree ([`entry`]), so an entry that is
//! changed, deleted, inserted or moved no longer fits. The tree is stored in monthly shards
//! (`YYYY-MM`, so retention deletes whole months): a shard holds a run of the tree's leaves,
//! and a pruned shard keeps the tree's frontier where it ends, which is all the later
//! leaves' proofs need of it. Signed checkpoints ([`note`]) fix the tree's size and root at
//! least every minute (the server's keeper) and at every shard's end, under the log's
//! identity ([`identity`]); each carries a `skjold-shard` extension line naming its shard,
//! the leaf it starts at and the root there, which chains the months. Verification
//! ([`verify`]) recomputes every shard from its entries and checks every checkpoint;
//! [`proofs`] gives consistency and inclusion proofs to outsiders, and [`witness`] is the
//! protocol by which other parties cosign the checkpoints.
//!
//! Appending happens inside the transaction that writes the entries (`crate::log`), with
//! the head of the open shard locked, so the order of leaves is the order of commits. The
//! head keeps the tree's frontier, which makes appending and signing O(log n).
//!
//! Shards written before the log was one tree (format 1) keep their own trees, leaves and
//! key, and are verified and exported as they were; the first new entry after an upgrade
//! closes the open one.
//!
//! Retention: a shard whose month ended more than the retention period ago (at least six
//! months) is pruned whole — its entries deleted, its final checkpoint and frontier kept —
//! so verification still passes afterwards.

/// Synthetic entries in bulk, for benchmarks on throw-away databases only.
pub mod bench_fill;
pub mod entry;
pub mod export;
pub mod identity;
pub mod merkle;
pub mod note;
pub mod proofs;
pub mod verify;
pub mod witness;

pub use entry::{LEAF_FORMAT, LEGACY_LEAF_FORMAT, LeafEntry, shard_of};
pub use identity::ORIGIN_PREFIX;

use serde::Serialize;
use uuid::Uuid;

use crate::audit::entry::LogRow;
use crate::crypto::LogKeys;
use crate::db::Db;
use crate::db::{Tx, execute, fetch, scalar};
use crate::keystore::KeyStore;
use crate::log::{frontier_of, lock_appends};
use crate::{Now, StoreError};
use merkle::{Frontier, Hash, Tree};
pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier};
use skjold_core::oversight::LogFilter;

/// The shortest retention the processor terms allow, in months.
pub const MIN_RETENTION_MONTHS: u32 = 6;

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
    leaf_format: i64,
    start: i64,
}

impl ShardRow {
    fn format(&self) -> u8 {
        u8::try_from(self.leaf_format).unwrap_or(0)
    }

    fn start(&self) -> u64 {
        u64::try_from(self.start).unwrap_or(0)
    }
}

const SHARD_SELECT: &str =
    "SELECT id, size, frontier, closed_at, pruned_at, leaf_format, start FROM log_shard";

/// The `skjold-shard` extension line of a checkpoint in shard `id`, which starts at leaf
/// `start` where the tree's root was `root`: it chains each month to the one before.
fn shard_extension(id: &str, start: u64, root: &Hash) -> String {
    use base64::Engine;
    format!(
        "skjold-shard {id} {start} {}",
        base64::engine::general_purpose::STANDARD.encode(root)
    )
}

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
    leaf_format: i64,
    /// Where the entry's shard starts in the tree.
    start: i64,
}

const ENTRY_SELECT: &str = "SELECT l.id, l.at, l.user_id, l.organisation_id, l.use_kind, l.subject_id, l.criterion, l.purpose, \
     l.outcome, l.detail, l.stand_in_id, l.shard, l.idx, s.leaf_format, s.start FROM access_log l JOIN log_shard s ON s.id = l.shard";

impl EntryRow {
    fn leaf(&self) -> LeafEntry {
        LeafEntry {
            format: u8::try_from(self.leaf_format).unwrap_or(0),
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

/// The tamper-evident access log: checkpoints, verification, pruning, exports. Entries are
/// appended by the gate; this handle holds the checkpoint signing key, not a key to
/// anyone's data.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pub(crate) db: Db,
    pub(crate) keys: LogKeys,
    pub(crate) key_store: KeyStore,
    pub(crate) log: crate::log::LogWriter,
}

impl AuditLog {
    /// Records, before an export of the access log, that it is made (by a privacy officer
    /// or an auditor, who alone may), and signs the checkpoint that covers the record.
    /// Then [`AuditLog::export_log`] reads it.
    pub async fn log_export(
        &self,
        actor: &skjold_core::Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<(), StoreError> {
        if !actor.may(skjold_core::Action::ReadLogs) {
            return Err(skjold_core::Problem::RoleNotAllowed(actor.role).into());
        }
        let entry = LogRow::oversight(
            actor,
            now,
            filter.subject_id,
            entry::describe_filter(filter),
            "Adgangsloggen eksporteret med beviser",
        );
        self.log.append(entry).await?;
        self.checkpoint_log(now).await?;
        Ok(())
    }

    /// Records something the system itself did (no user, no citizen) in the access log,
    /// and returns once the entry is durable: the log's own upkeep, such as pruning.
    pub async fn log_system_event(&self, now: Now, detail: &str) -> Result<(), StoreError> {
        self.log.append(LogRow::system(now, detail)).await
    }

    /// Records `n` such entries at once, as a list of `n` citizens writes its entries
    /// (they share a group commit), and returns once all are durable. For `skjold bench`.
    pub async fn log_system_events(
        &self,
        now: Now,
        detail: &str,
        n: usize,
    ) -> Result<(), StoreError> {
        let rows = (0..n).map(|_| LogRow::system(now, detail)).collect();
        self.log.append_all(rows).await
    }

    /// Gives the log its identity if it has none (a new log, or one from before
    /// identities). Run when the store opens.
    pub(crate) async fn ensure_identity(&self, now: Now) -> Result<(), StoreError> {
        let here = self.db.physical_id().await?;
        let mut tx = self.db.write().await?;
        lock_appends(&mut tx).await?;
        if identity::current(&mut tx).await?.is_none() {
            identity::create(&mut tx, &here, now, "Loggen oprettet").await?;
        }
        tx.commit().await
    }

    /// The keys that check this log's checkpoints: the identity that signs now first, then
    /// the older ones, then the key of shards of format 1 if any are left.
    pub async fn log_verifiers(&self) -> Result<Vec<NoteVerifier>, StoreError> {
        let mut tx = self.db.read().await?;
        let origins = identity::all(&mut tx).await?;
        let legacy: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM log_shard WHERE leaf_format = 1"
        )?;
        drop(tx);
        let mut keys: Vec<NoteVerifier> = origins
            .iter()
            .map(|o| self.keys.signer(o).verifier())
            .collect();
        if legacy > 0 {
            keys.push(self.keys.legacy().verifier());
        }
        Ok(keys)
    }

    /// The key that checks the checkpoints the log signs now.
    pub async fn log_verifier(&self) -> Result<NoteVerifier, StoreError> {
        let mut tx = self.db.read().await?;
        let (origin, _) = identity::current(&mut tx)
            .await?
            .ok_or_else(|| StoreError::LogWrite("the log has no identity".into()))?;
        Ok(self.keys.signer(&origin).verifier())
    }

    /// Signs a checkpoint for every shard that has grown since its last one, and the final
    /// checkpoint of every closed shard. Returns what it signed.
    ///
    /// Before signing under the log's identity, checks that the last checkpoint the key
    /// store says was signed under it is in this database and that the tree now extends
    /// it; if not (a restored or copied database), starts a new identity first.
    pub async fn checkpoint_log(&self, now: Now) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let here = self.db.physical_id().await?;
        let mut tx = self.db.write().await?;
        lock_appends(&mut tx).await?;
        let mut signed = self.checkpoint_legacy(&mut tx, now).await?;
        let (mut origin, bound_to) = match identity::current(&mut tx).await? {
            Some(o) => o,
            None => (
                identity::create(&mut tx, &here, now, "Loggen oprettet").await?,
                here.clone(),
            ),
        };
        let history = if bound_to == here {
            self.signed_history(&mut tx, &origin).await?
        } else {
            Err(format!(
                "databasen er ikke den, identiteten blev skabt i ({bound_to}), men {here}: en kopi eller en gendannelse"
            ))
        };
        let mut signed_to = match history {
            Ok(size) => size,
            Err(why) => {
                let old = origin;
                origin = identity::create(&mut tx, &here, now, &why).await?;
                let detail =
                    format!("Ny identitet for adgangsloggen: {origin} afløser {old}. Årsag: {why}");
                crate::log::insert_in(&mut tx, &LogRow::system(now, &detail)).await?;
                tracing::warn!(old = %old, new = %origin, reason = %why, "the access log starts a new identity");
                0
            }
        };
        // The newest checkpoint signed by this call, for the key store.
        let mut newest: Option<(u64, Hash)> = None;
        let signer = self.keys.signer(&origin);
        let shards = fetch!(
            &mut tx,
            fetch_all,
            ShardRow,
            &format!("{SHARD_SELECT} WHERE leaf_format = 2 ORDER BY id")
        )?;
        let mut before = Frontier::default();
        for s in shards {
            let frontier = frontier_of(&s.id, s.size, &s.frontier)?;
            let start_root = before.root();
            before = frontier.clone();
            if s.pruned_at.is_some() || frontier.size() <= signed_to {
                continue;
            }
            // A closed shard whose end an earlier identity signed needs no second checkpoint.
            let signed_before: i64 = scalar!(
                &mut tx,
                fetch_one,
                i64,
                "SELECT COUNT(*) FROM tree_checkpoint WHERE shard = $1 AND size = $2",
                s.id.as_str(),
                s.size
            )?;
            if signed_before > 0 {
                continue;
            }
            let c = Checkpoint {
                origin: origin.clone(),
                size: frontier.size(),
                root: frontier.root(),
                extensions: vec![shard_extension(&s.id, s.start(), &start_root)],
            };
            let note = signer.sign(&c);
            execute!(
                &mut tx,
                "INSERT INTO tree_checkpoint (origin, size, root_hash, frontier, shard, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                origin.as_str(),
                s.size,
                c.root.as_slice(),
                frontier.to_bytes(),
                s.id.as_str(),
                note.as_str(),
                now.micros()
            )?;
            signed_to = c.size;
            newest = Some((c.size, c.root));
            signed.push(StoredCheckpoint {
                shard: s.id,
                size: c.size,
                note,
            });
        }
        tx.commit().await?;
        if let Some((size, root)) = newest {
            let size = i64::try_from(size).unwrap_or(i64::MAX);
            self.key_store
                .put_log_signed(&origin, size, &root, now)
                .await?;
        }
        Ok(signed)
    }

    /// Whether this database holds the history signed under `origin`: `Ok` with the size
    /// signed up to (0 for none) when the key store's record of the last signature is here
    /// and the tree now extends it; `Err` with the reason when not.
    async fn signed_history(
        &self,
        tx: &mut Tx,
        origin: &str,
    ) -> Result<Result<u64, String>, StoreError> {
        let latest: Option<(i64, Vec<u8>)> = fetch!(
            &mut *tx,
            fetch_optional,
            (i64, Vec<u8>),
            "SELECT size, root_hash FROM tree_checkpoint WHERE origin = $1 ORDER BY size DESC LIMIT 1",
            origin
        )?;
        let Some((kept_size, kept_root)) = self.key_store.log_signed(origin).await? else {
            return Ok(match latest {
                None => Ok(0),
                Some(_) => Err(
                    "databasen har checkpoints, som nøglelageret ikke har signeret (en kopi af databasen)"
                        .into(),
                ),
            });
        };
        let here: Option<(Vec<u8>, Vec<u8>, String)> = fetch!(
            &mut *tx,
            fetch_optional,
            (Vec<u8>, Vec<u8>, String),
            "SELECT root_hash, frontier, shard FROM tree_checkpoint WHERE origin = $1 AND size = $2",
            origin,
            kept_size
        )?;
        let Some((_, frontier, shard)) = here.filter(|(root, _, _)| *root == kept_root) else {
            return Ok(Err(format!(
                "det senest signerede checkpoint (størrelse {kept_size}) findes ikke i databasen (en gendannet eller kopieret database)"
            )));
        };
        // The tree now must extend the one signed: the leaves since, added to its
        // frontier, give every later shard's stored frontier.
        let mut tree = frontier_of(&shard, kept_size, &frontier)?;
        let later = fetch!(
            &mut *tx,
            fetch_all,
            ShardRow,
            &format!("{SHARD_SELECT} WHERE leaf_format = 2 AND id >= $1 ORDER BY id"),
            shard.as_str()
        )?;
        for s in later {
            let size = u64::try_from(s.size).unwrap_or(0);
            for leaf in proofs::shard_leaves(tx, &s.id, tree.size(), size).await? {
                tree.push(leaf);
            }
            if frontier_of(&s.id, s.size, &s.frontier)? != tree {
                return Ok(Err(format!(
                    "træet i shard {} er ikke en forlængelse af det senest signerede",
                    s.id
                )));
            }
        }
        let latest_size = latest.map_or(0, |(size, _)| size);
        Ok(Ok(u64::try_from(latest_size.max(kept_size)).unwrap_or(0)))
    }

    /// The checkpoints of shards of format 1 (from before the log was one tree): every
    /// such shard that grew since its last, under the installation's one old key.
    async fn checkpoint_legacy(
        &self,
        tx: &mut Tx,
        now: Now,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let signer = self.keys.legacy();
        let shards = fetch!(
            &mut *tx,
            fetch_all,
            ShardRow,
            &format!(
                "{SHARD_SELECT} WHERE pruned_at IS NULL AND size > 0 AND leaf_format = 1 ORDER BY id"
            )
        )?;
        let mut signed = Vec::new();
        for s in shards {
            let last: Option<i64> = scalar!(
                &mut *tx,
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
                origin: format!("{}/access-log/{}", signer.name(), s.id),
                size: frontier.size(),
                root: frontier.root(),
                extensions: Vec::new(),
            };
            let note = signer.sign(&c);
            execute!(
                &mut *tx,
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
        Ok(signed)
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
             AND (EXISTS (SELECT 1 FROM log_checkpoint c WHERE c.shard = s.id AND c.size = s.size) \
               OR EXISTS (SELECT 1 FROM tree_checkpoint t WHERE t.shard = s.id AND t.size = s.size)) ORDER BY s.id",
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
                "{ENTRY_SELECT} WHERE ($1 IS NULL OR l.subject_id = $1) AND ($2 IS NULL OR l.user_id = $2) \
                 AND ($3 IS NULL OR l.organisation_id = $3) AND ($4 IS NULL OR l.at >= $4) AND ($5 IS NULL OR l.at < $5) \
                 AND ($6 IS NULL OR l.organisation_id IS NULL OR l.organisation_id IN \
                   (SELECT id FROM organisation WHERE id = $6 OR parent_id = $6 OR kind = 'supplier')) \
                 ORDER BY l.shard, l.idx"
            ),
            filter.subject_id,
            filter.user_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            controller
        )?;
        let verifiers = self.log_verifiers().await?;
        let mut out = export::Export {
            verifiers: verifiers.iter().map(ToString::to_string).collect(),
            created_at: now,
            checkpoints: Vec::new(),
            entries: Vec::with_capacity(rows.len()),
            consistency: Vec::new(),
            names: fetch!(
                &mut tx,
                fetch_all,
                (Uuid, String),
                "SELECT id, display_name FROM app_user UNION ALL SELECT id, name FROM organisation"
            )?
            .into_iter()
            .collect(),
        };
        // The sizes of the tree's checkpoints the export leads to.
        let mut tree_sizes: Vec<u64> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let shard = rows[i].shard.clone();
            let end = rows[i..]
                .iter()
                .position(|r| r.shard != shard)
                .map_or(rows.len(), |p| i + p);
            let legacy = rows[i].leaf_format == i64::from(LEGACY_LEAF_FORMAT);
            let (size, note): (i64, String) = if legacy {
                fetch!(
                    &mut tx,
                    fetch_one,
                    (i64, String),
                    "SELECT size, note FROM log_checkpoint WHERE shard = $1 ORDER BY size DESC LIMIT 1",
                    shard.as_str()
                )?
            } else {
                // Of the checkpoints that cover the entries, the one most witnesses
                // cosigned, then the largest; its note with their cosignatures.
                let covers = rows[i..end].iter().map(|r| r.idx).max().unwrap_or(0) + 1;
                let (origin, size, note): (String, i64, String) = fetch!(
                    &mut tx,
                    fetch_one,
                    (String, i64, String),
                    "SELECT t.origin, t.size, t.note FROM tree_checkpoint t \
                     LEFT JOIN witness_cosignature w ON w.origin = t.origin AND w.size = t.size \
                     WHERE t.shard = $1 AND t.size >= $2 \
                     GROUP BY t.origin, t.size, t.note, t.created_at \
                     ORDER BY COUNT(w.witness) DESC, t.size DESC, t.created_at DESC LIMIT 1",
                    shard.as_str(),
                    covers
                )?;
                let cosigned =
                    proofs::cosigned_note(&mut tx, &origin, u64::try_from(size).unwrap_or(0), note)
                        .await?;
                (size, cosigned)
            };
            let size = u64::try_from(size).unwrap_or(0);
            let tree = if legacy {
                Tree::new(proofs::shard_leaves(&mut tx, &shard, 0, size).await?)
            } else {
                let start = u64::try_from(rows[i].start).unwrap_or(0);
                proofs::tree_between(&mut tx, start, size).await?
            };
            for row in &rows[i..end] {
                let entry = row.leaf();
                let proof = tree.inclusion_proof(entry.index, size).unwrap_or_default();
                out.entries.push(export::ExportedEntry {
                    tree_size: size,
                    proof,
                    entry,
                });
            }
            if !legacy {
                tree_sizes.push(size);
            }
            out.checkpoints.push(StoredCheckpoint { shard, size, note });
            i = end;
        }
        // Consistency proofs between the tree's checkpoints in the export, in size order.
        tree_sizes.sort_unstable();
        tree_sizes.dedup();
        for pair in tree_sizes.windows(2) {
            let tree = proofs::tree_between(&mut tx, pair[0], pair[1]).await?;
            if let Some(proof) = tree.consistency_proof(pair[0], pair[1]) {
                out.consistency.push(export::Consistency {
                    from: pair[0],
                    to: pair[1],
                    proof,
                });
            }
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

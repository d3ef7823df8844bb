//! Proofs about the log's one tree for parties outside the installation: consistency
//! proofs between checkpoints (RFC 6962 §2.1.2, sent as C2SP tlog-witness requests),
//! inclusion proofs in the C2SP tlog-proof format, and the bookkeeping of the witnesses'
//! cosignatures.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::merkle::{Frontier, Hash, Tree};
use super::witness::{CosignatureVerifier, add_checkpoint_request, cosigners};
use super::{AuditLog, SHARD_SELECT, ShardRow, identity};
use crate::db::{Tx, execute, fetch, scalar};
use crate::log::frontier_of;
use crate::{Now, StoreError};

/// A consistency proof from the tree of `old_size` leaves to a signed checkpoint.
#[derive(Debug, Clone)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint at `new_size`, with the witnesses' cosignatures.
    pub checkpoint: String,
}

impl ConsistencyProof {
    /// As a C2SP tlog-witness `add-checkpoint` request body: `old <size>`, the proof's
    /// hashes one per line, an empty line, and the checkpoint.
    pub fn to_text(&self) -> String {
        add_checkpoint_request(self.old_size, &self.proof, &self.checkpoint)
    }
}

/// A checkpoint still to show a witness: its size and its signed note.
#[derive(Debug, Clone)]
pub struct PendingCheckpoint {
    pub origin: String,
    pub size: u64,
    pub note: String,
}

/// A refusal: the log holds no proof of what was asked.
fn unavailable(why: String) -> StoreError {
    StoreError::Refused(skjold_core::Problem::LogProofUnavailable(why))
}

fn size_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The leaf hashes of shard `shard` with an index in `from..to`, in order.
pub(super) async fn shard_leaves(
    tx: &mut Tx,
    shard: &str,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>, StoreError> {
    let rows: Vec<Vec<u8>> = scalar!(
        &mut *tx,
        fetch_all,
        Vec<u8>,
        "SELECT leaf_hash FROM access_log WHERE shard = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
        shard,
        size_i64(from),
        size_i64(to)
    )?;
    rows.into_iter()
        .map(|r| {
            <Hash>::try_from(r.as_slice()).map_err(|_| {
                StoreError::LogWrite(format!("a leaf hash in shard {shard} is damaged"))
            })
        })
        .collect()
}

/// The tree's frontier at `size`, where the log keeps one: at a signed checkpoint, or where
/// a shard of format 2 ends (a pruned one too). The empty tree at 0.
pub(super) async fn frontier_at(tx: &mut Tx, size: u64) -> Result<Option<Frontier>, StoreError> {
    if size == 0 {
        return Ok(Some(Frontier::default()));
    }
    let kept: Option<Vec<u8>> = scalar!(
        &mut *tx,
        fetch_optional,
        Vec<u8>,
        "SELECT frontier FROM tree_checkpoint WHERE size = $1 \
         UNION ALL SELECT frontier FROM log_shard WHERE leaf_format = 2 AND size = $1 LIMIT 1",
        size_i64(size)
    )?;
    kept.map(|bytes| frontier_of("(checkpoint)", size_i64(size), &bytes))
        .transpose()
}

/// The tree of `to` leaves, with the leaves from `from` on (or from the first shard not
/// pruned, when the log keeps no frontier at `from`): it proves anything about those
/// leaves, and consistency from any size at or after its base. Only the leaves after the
/// base are read, so a proof from a recent checkpoint reads only what came since.
pub(super) async fn tree_between(tx: &mut Tx, from: u64, to: u64) -> Result<Tree, StoreError> {
    let first_kept: Option<i64> = scalar!(
        &mut *tx,
        fetch_one,
        Option<i64>,
        "SELECT MIN(start) FROM log_shard WHERE leaf_format = 2 AND pruned_at IS NULL"
    )?;
    let first_kept = first_kept.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
    let base = match frontier_at(tx, from).await? {
        Some(f) if from >= first_kept => f,
        _ => frontier_at(tx, first_kept).await?.ok_or_else(|| {
            StoreError::LogWrite(format!("the tree's frontier at {first_kept} is missing"))
        })?,
    };
    let shards = fetch!(
        &mut *tx,
        fetch_all,
        ShardRow,
        &format!(
            "{SHARD_SELECT} WHERE leaf_format = 2 AND pruned_at IS NULL AND start < $2 AND size > $1 ORDER BY id"
        ),
        size_i64(base.size()),
        size_i64(to)
    )?;
    let mut leaves = Vec::new();
    for s in shards {
        leaves.extend(shard_leaves(tx, &s.id, base.size(), to).await?);
    }
    Ok(Tree::with_base(&base, leaves))
}

/// A checkpoint's note followed by its cosignatures.
pub(super) async fn cosigned_note(
    tx: &mut Tx,
    origin: &str,
    size: u64,
    note: String,
) -> Result<String, StoreError> {
    let lines: Vec<String> = scalar!(
        &mut *tx,
        fetch_all,
        String,
        "SELECT line FROM witness_cosignature WHERE origin = $1 AND size = $2 ORDER BY witness",
        origin,
        size_i64(size)
    )?;
    Ok(lines.iter().fold(note, |mut n, l| {
        n.push_str(l);
        n
    }))
}

impl AuditLog {
    /// The identity that signs now.
    async fn signing_origin(&self, tx: &mut Tx) -> Result<String, StoreError> {
        identity::current(tx)
            .await?
            .map(|(origin, _)| origin)
            .ok_or_else(|| unavailable("loggen har endnu ingen identitet".into()))
    }

    /// A consistency proof from the tree of `from` leaves to the checkpoint signed at `to`
    /// under the log's identity (its latest when `to` is `None`).
    pub async fn consistency_proof(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> Result<ConsistencyProof, StoreError> {
        let mut tx = self.db.read().await?;
        let origin = self.signing_origin(&mut tx).await?;
        let signed: Option<(i64, String)> = match to {
            Some(to) => fetch!(
                &mut tx,
                fetch_optional,
                (i64, String),
                "SELECT size, note FROM tree_checkpoint WHERE origin = $1 AND size = $2",
                origin.as_str(),
                size_i64(to)
            )?,
            None => fetch!(
                &mut tx,
                fetch_optional,
                (i64, String),
                "SELECT size, note FROM tree_checkpoint WHERE origin = $1 ORDER BY size DESC LIMIT 1",
                origin.as_str()
            )?,
        };
        let (new_size, note) = signed.ok_or_else(|| {
            unavailable(match to {
                Some(to) => {
                    format!("intet checkpoint er signeret ved størrelse {to} under {origin}")
                }
                None => format!("intet checkpoint er signeret under {origin}"),
            })
        })?;
        let new_size = u64::try_from(new_size).unwrap_or(0);
        if from > new_size {
            return Err(unavailable(format!(
                "den gamle størrelse {from} er større end checkpointets {new_size}"
            )));
        }
        let proof = if from == 0 || from == new_size {
            Vec::new()
        } else {
            let tree = tree_between(&mut tx, from, new_size).await?;
            tree.consistency_proof(from, new_size).ok_or_else(|| {
                unavailable(format!(
                    "træet ved størrelse {from} er slettet efter opbevaringsperioden; beviser begynder ved størrelse {}",
                    tree.base()
                ))
            })?
        };
        let checkpoint = cosigned_note(&mut tx, &origin, new_size, note).await?;
        Ok(ConsistencyProof {
            old_size: from,
            new_size,
            proof,
            checkpoint,
        })
    }

    /// The inclusion proof of the entry at `index` against the log's latest checkpoint, in
    /// the C2SP tlog-proof format; its `extra` line is the leaf itself (base64), so the
    /// proof carries the entry it proves.
    pub async fn tlog_proof(&self, index: u64) -> Result<String, StoreError> {
        let mut tx = self.db.read().await?;
        let origin = self.signing_origin(&mut tx).await?;
        let (size, note): (i64, String) = fetch!(
            &mut tx,
            fetch_optional,
            (i64, String),
            "SELECT size, note FROM tree_checkpoint WHERE origin = $1 ORDER BY size DESC LIMIT 1",
            origin.as_str()
        )?
        .ok_or_else(|| unavailable(format!("intet checkpoint er signeret under {origin}")))?;
        let size = u64::try_from(size).unwrap_or(0);
        let entry = fetch!(
            &mut tx,
            fetch_optional,
            super::EntryRow,
            &format!(
                "{} WHERE s.leaf_format = 2 AND l.idx = $1",
                super::ENTRY_SELECT
            ),
            size_i64(index)
        )?
        .ok_or_else(|| {
            unavailable(format!(
                "ingen post har indeks {index} (eller den er slettet)"
            ))
        })?;
        let start: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT start FROM log_shard WHERE id = $1",
            entry.shard.as_str()
        )?;
        let tree = tree_between(&mut tx, u64::try_from(start).unwrap_or(0), size).await?;
        let proof = tree.inclusion_proof(index, size).ok_or_else(|| {
            unavailable(format!(
                "post {index} er endnu ikke med i det seneste checkpoint (størrelse {size})"
            ))
        })?;
        let checkpoint = cosigned_note(&mut tx, &origin, size, note).await?;
        let mut out = format!(
            "c2sp.org/tlog-proof@v1\nextra {}\nindex {index}\n",
            B64.encode(entry.leaf().leaf())
        );
        for h in &proof {
            out.push_str(&B64.encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&checkpoint);
        Ok(out)
    }

    /// The checkpoints of the log's identity a witness has not cosigned yet, oldest first:
    /// the final one of every shard and the latest (not every minute's), and the size the
    /// witness cosigned last (0 for none).
    pub async fn witness_backlog(
        &self,
        witness: &str,
    ) -> Result<(u64, Vec<PendingCheckpoint>), StoreError> {
        let mut tx = self.db.read().await?;
        let origin = self.signing_origin(&mut tx).await?;
        let last: Option<i64> = scalar!(
            &mut tx,
            fetch_one,
            Option<i64>,
            "SELECT MAX(size) FROM witness_cosignature WHERE origin = $1 AND witness = $2",
            origin.as_str(),
            witness
        )?;
        let last = last.unwrap_or(0);
        let rows: Vec<(i64, String)> = fetch!(
            &mut tx,
            fetch_all,
            (i64, String),
            "SELECT t.size, t.note FROM tree_checkpoint t WHERE t.origin = $1 AND t.size > $2 \
             AND (t.size = (SELECT MAX(size) FROM tree_checkpoint WHERE origin = $1) \
               OR EXISTS (SELECT 1 FROM log_shard s WHERE s.id = t.shard AND s.size = t.size AND s.closed_at IS NOT NULL)) \
             ORDER BY t.size",
            origin.as_str(),
            last
        )?;
        Ok((
            u64::try_from(last).unwrap_or(0),
            rows.into_iter()
                .map(|(size, note)| PendingCheckpoint {
                    origin: origin.clone(),
                    size: u64::try_from(size).unwrap_or(0),
                    note,
                })
                .collect(),
        ))
    }

    /// Keeps a witness's cosignature of a checkpoint, after checking it with the witness's
    /// key. Returns whether it was valid (an invalid one is not kept).
    pub async fn keep_cosignature(
        &self,
        witness: &CosignatureVerifier,
        checkpoint: &PendingCheckpoint,
        line: &str,
        now: Now,
    ) -> Result<bool, StoreError> {
        let line = format!("{}\n", line.trim_end_matches('\n'));
        if !witness.cosigned(&format!("{}{line}", checkpoint.note)) {
            return Ok(false);
        }
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO witness_cosignature (origin, size, witness, line, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (origin, size, witness) DO NOTHING",
            checkpoint.origin.as_str(),
            size_i64(checkpoint.size),
            witness.name(),
            line.as_str(),
            now.micros()
        )?;
        tx.commit().await?;
        Ok(true)
    }

    /// The latest checkpoint of the log's identity, its size and the witnesses among
    /// `witnesses` whose valid cosignature it carries.
    pub async fn latest_cosigners(
        &self,
        witnesses: &[CosignatureVerifier],
    ) -> Result<(u64, Vec<String>), StoreError> {
        let mut tx = self.db.read().await?;
        let origin = self.signing_origin(&mut tx).await?;
        let Some((size, note)): Option<(i64, String)> = fetch!(
            &mut tx,
            fetch_optional,
            (i64, String),
            "SELECT size, note FROM tree_checkpoint WHERE origin = $1 ORDER BY size DESC LIMIT 1",
            origin.as_str()
        )?
        else {
            return Ok((0, Vec::new()));
        };
        let size = u64::try_from(size).unwrap_or(0);
        let note = cosigned_note(&mut tx, &origin, size, note).await?;
        Ok((
            size,
            cosigners(&note, witnesses)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ))
    }
}

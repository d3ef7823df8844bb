//! Exports of the access log for the controller or the supervisory authority, as JSON Lines
//! or CSV, each entry with its inclusion proof against a signed checkpoint; and the offline
//! check of such an export, which needs nothing but the file and the verifier key.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::merkle::{Hash, verify_inclusion};
use super::note::{Checkpoint, NoteVerifier};
use super::witness::{CosignatureVerifier, cosigners};
use super::{LeafEntry, StoredCheckpoint};
use crate::Now;
use skjold_core::oversight::UseKind;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ExportedEntry {
    pub entry: LeafEntry,
    /// The size of the checkpoint the proof leads to.
    pub tree_size: u64,
    pub proof: Vec<Hash>,
}

#[derive(Debug, Clone)]
pub struct Export {
    /// The keys of the log's identities (the one signing now first), and of format 1.
    pub verifiers: Vec<String>,
    pub created_at: Now,
    pub checkpoints: Vec<StoredCheckpoint>,
    pub entries: Vec<ExportedEntry>,
    /// Consistency proofs between the export's checkpoints of the one tree, each from one
    /// checkpoint's size to the next larger's: they show the months are one history.
    pub consistency: Vec<Consistency>,
    /// Users' and organisations' names, for the readable columns beside the ids.
    pub names: HashMap<Uuid, String>,
}

/// A consistency proof (RFC 6962 §2.1.2) from the tree of `from` leaves to that of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistency {
    pub from: u64,
    pub to: u64,
    pub proof: Vec<Hash>,
}

/// What a reader needs beside an entry's ids: names, Copenhagen time and Danish labels.
/// Not part of the signed leaf; the checks ignore it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Labels {
    pub tidspunkt: String,
    pub bruger: String,
    pub organisation: String,
    pub handling: String,
    pub udfald: String,
}

impl Export {
    /// The readable labels of an entry.
    pub fn labels(&self, e: &LeafEntry) -> Labels {
        let name = |id: &Option<Uuid>| {
            id.and_then(|id| self.names.get(&id).cloned())
                .unwrap_or_default()
        };
        Labels {
            tidspunkt: Now::from_micros(e.at).danish(),
            bruger: match e.user_id {
                Some(_) => name(&e.user_id),
                None => "(system)".to_owned(),
            },
            organisation: name(&e.organisation_id),
            handling: UseKind::parse(&e.use_kind)
                .map_or_else(|| e.use_kind.clone(), |k| k.danish().to_owned()),
            udfald: if e.outcome == "allowed" {
                "Tilladt"
            } else {
                "Afvist"
            }
            .to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            other => Err(format!("unknown format «{other}»: jsonl or csv")),
        }
    }
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/jsonl; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    Export {
        #[serde(default)]
        verifiers: Vec<String>,
        created_at: String,
        entries: usize,
    },
    Checkpoint {
        shard: String,
        size: u64,
        note: String,
    },
    Consistency {
        from: u64,
        to: u64,
        proof: Vec<String>,
    },
    Entry {
        entry: Box<LeafEntry>,
        tree_size: u64,
        proof: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<Box<Labels>>,
    },
}

/// The columns of the signed entry, its proof and checkpoint; then the readable ones
/// ([`READABLE`]), which the check ignores.
const CSV_HEADER: [&str; 16] = [
    "shard",
    "index",
    "id",
    "at",
    "user_id",
    "organisation_id",
    "use_kind",
    "subject_id",
    "criterion",
    "purpose",
    "outcome",
    "detail",
    "stand_in_id",
    "tree_size",
    "proof",
    "checkpoint",
];

/// After [`CSV_HEADER`] in exports since leaf formats: the shard's leaf format and the leaf
/// itself, byte for byte, which tells an absent value from an empty one.
const CSV_LEAF: [&str; 2] = ["leaf_format", "leaf"];

const READABLE: [&str; 5] = ["tidspunkt", "bruger", "organisation", "handling", "udfald"];

/// The signed columns of an entry, as the CSV writes them: an absent value is empty.
fn signed_cells(e: &LeafEntry) -> [String; 13] {
    [
        e.shard.clone(),
        e.index.to_string(),
        e.id.to_string(),
        e.at.to_string(),
        opt(&e.user_id),
        opt(&e.organisation_id),
        e.use_kind.clone(),
        opt(&e.subject_id),
        opt(&e.criterion),
        e.purpose.clone(),
        e.outcome.clone(),
        e.detail.clone(),
        opt(&e.stand_in),
    ]
}

/// The columns of exports made before entries could name a stand-in access; still checked.
const CSV_HEADER_V1: [&str; 15] = [
    "shard",
    "index",
    "id",
    "at",
    "user_id",
    "organisation_id",
    "use_kind",
    "subject_id",
    "criterion",
    "purpose",
    "outcome",
    "detail",
    "tree_size",
    "proof",
    "checkpoint",
];

fn proof_text(proof: &[Hash]) -> Vec<String> {
    proof.iter().map(|h| B64.encode(h)).collect()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Export {
    pub fn write(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Jsonl => self.jsonl(),
            Format::Csv => self.csv(),
        }
    }

    fn jsonl(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut line = |l: &Line| {
            // Serialising these plain structures cannot fail.
            out.extend(serde_json::to_vec(l).unwrap_or_default());
            out.push(b'\n');
        };
        line(&Line::Export {
            verifiers: self.verifiers.clone(),
            created_at: self.created_at.rfc3339(),
            entries: self.entries.len(),
        });
        for c in &self.checkpoints {
            line(&Line::Checkpoint {
                shard: c.shard.clone(),
                size: c.size,
                note: c.note.clone(),
            });
        }
        for c in &self.consistency {
            line(&Line::Consistency {
                from: c.from,
                to: c.to,
                proof: proof_text(&c.proof),
            });
        }
        for e in &self.entries {
            line(&Line::Entry {
                entry: Box::new(e.entry.clone()),
                tree_size: e.tree_size,
                proof: proof_text(&e.proof),
                labels: Some(Box::new(self.labels(&e.entry))),
            });
        }
        out
    }

    /// One row per entry; `proof` holds base64 hashes separated by spaces and `checkpoint`
    /// the signed note it leads to. Empty optional fields are absent values.
    fn csv(&self) -> Vec<u8> {
        let notes: HashMap<&str, &str> = self
            .checkpoints
            .iter()
            .map(|c| (c.shard.as_str(), c.note.as_str()))
            .collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut write = || -> Result<(), csv::Error> {
            w.write_record(CSV_HEADER.iter().chain(&CSV_LEAF).chain(&READABLE))?;
            for x in &self.entries {
                let e = &x.entry;
                let l = self.labels(e);
                let cells = signed_cells(e).into_iter().chain([
                    x.tree_size.to_string(),
                    proof_text(&x.proof).join(" "),
                    notes
                        .get(e.shard.as_str())
                        .copied()
                        .unwrap_or("")
                        .to_owned(),
                    e.format.to_string(),
                    String::from_utf8_lossy(&e.leaf()).into_owned(),
                    l.tidspunkt,
                    l.bruger,
                    l.organisation,
                    l.handling,
                    l.udfald,
                ]);
                w.write_record(cells)?;
            }
            w.flush()?;
            Ok(())
        };
        // Writing to memory cannot fail.
        let _ = write();
        w.into_inner().unwrap_or_default()
    }
}

/// What an offline check of an export found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCheck {
    pub entries: usize,
    pub checkpoints: usize,
}

fn decode_proof<'a>(parts: impl Iterator<Item = &'a str>) -> Option<Vec<Hash>> {
    parts
        .map(|p| {
            B64.decode(p)
                .ok()
                .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
        })
        .collect()
}

struct Parsed {
    checkpoints: Vec<(String, u64, String)>,
    entries: Vec<(usize, LeafEntry, u64, Option<Vec<Hash>>)>,
    consistency: Vec<(u64, u64, Option<Vec<Hash>>)>,
}

fn parse_jsonl(text: &str) -> Result<Parsed, String> {
    let mut p = Parsed {
        checkpoints: Vec::new(),
        entries: Vec::new(),
        consistency: Vec::new(),
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line: Line = serde_json::from_str(line)
            .map_err(|e| format!("linje {}: ikke en gyldig post: {e}", n + 1))?;
        match line {
            Line::Export { .. } => {}
            Line::Checkpoint { shard, size, note } => p.checkpoints.push((shard, size, note)),
            Line::Consistency { from, to, proof } => {
                p.consistency
                    .push((from, to, decode_proof(proof.iter().map(String::as_str))))
            }
            Line::Entry {
                entry,
                tree_size,
                proof,
                ..
            } => {
                let proof = decode_proof(proof.iter().map(String::as_str));
                p.entries.push((n + 1, *entry, tree_size, proof));
            }
        }
    }
    Ok(p)
}

fn parse_csv(text: &str) -> Result<Parsed, String> {
    let mut p = Parsed {
        checkpoints: Vec::new(),
        entries: Vec::new(),
        consistency: Vec::new(),
    };
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().map_err(|e| e.to_string())?.clone();
    // Exports of the first format have no stand-in column: every later column sits one
    // place earlier.
    let shift = if header.iter().take(CSV_HEADER.len()).eq(CSV_HEADER) {
        0
    } else if header.iter().eq(CSV_HEADER_V1) {
        1
    } else {
        return Err("CSV-filen har ikke eksportens kolonner".into());
    };
    let with_leaf = shift == 0
        && header
            .iter()
            .skip(CSV_HEADER.len())
            .take(CSV_LEAF.len())
            .eq(CSV_LEAF);
    for (n, rec) in r.records().enumerate() {
        let line = n + 2;
        let rec = rec.map_err(|e| format!("linje {line}: {e}"))?;
        let field = |i: usize| rec.get(i).unwrap_or("");
        let some = |i: usize| Some(field(i).to_owned()).filter(|s| !s.is_empty());
        let bad = |what: &str| format!("linje {line}: ugyldig {what}");
        let uuid = |i: usize, what: &str| -> Result<Option<uuid::Uuid>, String> {
            some(i)
                .map(|s| s.parse().map_err(|_| bad(what)))
                .transpose()
        };
        let entry = if with_leaf {
            let format = field(16).parse::<u8>().map_err(|_| bad("leaf_format"))?;
            let e = LeafEntry::from_leaf(format, field(0), field(17)).ok_or_else(|| bad("leaf"))?;
            // The columns must say what the leaf says.
            if !signed_cells(&e)
                .iter()
                .enumerate()
                .all(|(i, c)| c == field(i))
            {
                return Err(format!(
                    "linje {line}: kolonnerne siger ikke det samme som leaf"
                ));
            }
            e
        } else {
            LeafEntry {
                format: super::LEGACY_LEAF_FORMAT,
                shard: field(0).to_owned(),
                index: field(1).parse().map_err(|_| bad("index"))?,
                id: field(2).parse().map_err(|_| bad("id"))?,
                at: field(3).parse().map_err(|_| bad("at"))?,
                user_id: uuid(4, "user_id")?,
                organisation_id: uuid(5, "organisation_id")?,
                use_kind: field(6).to_owned(),
                subject_id: uuid(7, "subject_id")?,
                criterion: some(8),
                purpose: field(9).to_owned(),
                outcome: field(10).to_owned(),
                detail: field(11).to_owned(),
                stand_in: if shift == 0 {
                    uuid(12, "stand_in_id")?
                } else {
                    None
                },
            }
        };
        let tree_size = field(13 - shift).parse().map_err(|_| bad("tree_size"))?;
        let proof = decode_proof(field(14 - shift).split_whitespace());
        if !p.checkpoints.iter().any(|(s, _, _)| *s == entry.shard) {
            p.checkpoints
                .push((entry.shard.clone(), tree_size, field(15 - shift).to_owned()));
        }
        p.entries.push((line, entry, tree_size, proof));
    }
    Ok(p)
}

/// Checks an export (JSON Lines or CSV) with nothing but the verifier keys: every
/// checkpoint's signature by the key its origin names, and every entry's inclusion proof
/// against its checkpoint. The first problem is the error, with its line.
///
/// With `witnesses`, every checkpoint must also carry valid cosignatures by at least
/// `min_cosignatures` of them.
pub fn verify_export(
    text: &str,
    verifiers: &[NoteVerifier],
    witnesses: &[CosignatureVerifier],
    min_cosignatures: usize,
) -> Result<ExportCheck, String> {
    let parsed = if text.starts_with("shard,") {
        parse_csv(text)?
    } else {
        parse_jsonl(text)?
    };
    let checked = check(&parsed, verifiers)?;
    for (shard, _, note) in &parsed.checkpoints {
        let by = cosigners(note, witnesses);
        if by.len() < min_cosignatures {
            return Err(format!(
                "checkpoint for shard {shard}: cosigned by {} of the witnesses given, at least {min_cosignatures} are required",
                by.len()
            ));
        }
    }
    Ok(checked)
}

impl Export {
    /// Checks the export as [`verify_export`] checks its text: every checkpoint's signature,
    /// and every entry's inclusion proof against its checkpoint (the citizen's own view
    /// checks the list it shows this way).
    pub fn verify(&self, verifiers: &[NoteVerifier]) -> Result<ExportCheck, String> {
        let parsed = Parsed {
            checkpoints: self
                .checkpoints
                .iter()
                .map(|c| (c.shard.clone(), c.size, c.note.clone()))
                .collect(),
            entries: self
                .entries
                .iter()
                .enumerate()
                .map(|(n, e)| (n + 1, e.entry.clone(), e.tree_size, Some(e.proof.clone())))
                .collect(),
            consistency: self
                .consistency
                .iter()
                .map(|c| (c.from, c.to, Some(c.proof.clone())))
                .collect(),
        };
        check(&parsed, verifiers)
    }
}

/// Opens a shard's checkpoint with the key its origin names: a log identity's key for a
/// shard of format 2 (origin = key name, and its `skjold-shard` line names the shard), the
/// old key for one of format 1 (origin = key name + `/access-log/` + shard).
fn open_checkpoint(
    verifiers: &[NoteVerifier],
    shard: &str,
    note: &str,
) -> Result<(Checkpoint, u8), String> {
    let origin = note.split('\n').next().unwrap_or("");
    if let Some(key) = verifiers.iter().find(|k| k.name() == origin) {
        let c = key.open(note).map_err(|e| e.to_string())?;
        if c.shard_extension().map(|(s, _, _)| s) != Some(shard) {
            return Err(format!(
                "the checkpoint's skjold-shard line does not name {shard}"
            ));
        }
        return Ok((c, super::LEAF_FORMAT));
    }
    if let Some(key) = verifiers
        .iter()
        .find(|k| origin == format!("{}/access-log/{shard}", k.name()))
    {
        let c = key.open_legacy(note, shard).map_err(|e| e.to_string())?;
        return Ok((c, super::LEGACY_LEAF_FORMAT));
    }
    Err(format!("signed under {origin}, for which no key was given"))
}

fn check(parsed: &Parsed, verifiers: &[NoteVerifier]) -> Result<ExportCheck, String> {
    let mut heads: HashMap<String, (Checkpoint, u8)> = HashMap::new();
    for (shard, size, note) in &parsed.checkpoints {
        let (c, format) = open_checkpoint(verifiers, shard, note)
            .map_err(|e| format!("checkpoint for shard {shard}: {e}"))?;
        if c.size != *size {
            return Err(format!(
                "checkpoint for shard {shard}: the note is for {} at size {}",
                c.origin, c.size
            ));
        }
        heads.insert(shard.clone(), (c, format));
    }
    for (line, entry, tree_size, proof) in &parsed.entries {
        let fail =
            |why: &str| format!("linje {line}: posten {}#{} {why}", entry.shard, entry.index);
        let (head, format) = heads
            .get(&entry.shard)
            .ok_or_else(|| fail("har intet signeret checkpoint"))?;
        let proof = proof
            .as_ref()
            .ok_or_else(|| fail("har et ugyldigt bevis"))?;
        if entry.format != *format {
            return Err(fail("har et andet leaf-format end sit checkpoint"));
        }
        if head.size != *tree_size
            || !verify_inclusion(
                entry.index,
                head.size,
                &entry.leaf_hash(),
                proof,
                &head.root,
            )
        {
            return Err(fail(
                "passer ikke med det signerede checkpoint: den er ændret",
            ));
        }
    }
    // The consistency proofs between the tree's checkpoints, each between two of them.
    let root_at = |size: u64| {
        heads
            .values()
            .find(|(c, f)| *f == super::LEAF_FORMAT && c.size == size)
            .map(|(c, _)| c.root)
    };
    for (from, to, proof) in &parsed.consistency {
        let fail = || format!("the consistency proof from size {from} to {to} does not hold");
        let (Some(old), Some(new), Some(proof)) = (root_at(*from), root_at(*to), proof) else {
            return Err(fail());
        };
        if !super::merkle::verify_consistency(*from, *to, &old, &new, proof) {
            return Err(fail());
        }
    }
    Ok(ExportCheck {
        entries: parsed.entries.len(),
        checkpoints: heads.len(),
    })
}

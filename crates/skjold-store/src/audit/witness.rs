//! Witnesses: another party (the supervisory authority, a neighbouring municipality's
//! Skjold) that keeps the latest checkpoint it has seen of each log it follows, checks that
//! every new one is consistent with it, and cosigns it. With witnesses, not even the
//! installation's own operators can show different histories to different people: a fork
//! would need a witness to cosign two inconsistent checkpoints of one origin.
//!
//! The protocol is C2SP tlog-witness (`POST <prefix>/add-checkpoint` with an old size, a
//! consistency proof and the checkpoint; 200 with cosignature lines, or 400, 403, 404, 409
//! with the witness's size, 422) and the cosignatures are C2SP tlog-cosignature, Ed25519:
//! a note signature line by the witness's key over `cosignature/v1`, `time <seconds>` and
//! the checkpoint's body, its blob the key ID, the time (8 bytes, big-endian) and the
//! signature. [`Witness::add_checkpoint`] is the witness's whole decision, without HTTP or
//! storage; `skjold witness serve` puts it behind HTTP with its state in a file.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::merkle::{Hash, verify_consistency};
use super::note::{Checkpoint, NoteVerifier, parse_decimal, parse_hash};

/// The signature type of Ed25519 cosignatures (tlog-cosignature).
const COSIGNATURE_V1: u8 = 0x04;
/// The most consistency proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([COSIGNATURE_V1]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The message a cosignature signs: header, time, and the checkpoint's body.
fn cosigned_message(body: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{body}")
}

/// A witness's signing key and name.
#[derive(Clone)]
pub struct WitnessKey {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for WitnessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WitnessKey({})", self.name)
    }
}

impl WitnessKey {
    pub fn new(name: impl Into<String>, seed: &[u8; 32]) -> WitnessKey {
        WitnessKey {
            name: name.into(),
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The witness key kept in the file at `path` (made, mode 0600, if there is none),
    /// named `name`.
    pub fn load_or_create(
        path: &std::path::Path,
        name: &str,
    ) -> Result<WitnessKey, crate::CryptoError> {
        let seed = crate::crypto::load_or_create_secret(path)?;
        Ok(WitnessKey::new(name, &seed))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key that checks this witness's cosignatures.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// A cosignature line (ending in a newline) on the checkpoint with this body, at `time`
    /// (seconds since the Unix epoch).
    pub fn cosign(&self, body: &str, time: u64) -> String {
        let sig = self.key.sign(cosigned_message(body, time).as_bytes());
        let mut blob = key_id(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&time.to_be_bytes());
        blob.extend_from_slice(&sig.to_bytes());
        format!("\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// A witness's public key, in the signed-note text form `name+keyid+base64(0x04 ‖ key)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn parse(text: &str) -> Option<CosignatureVerifier> {
        let mut parts = text.trim().splitn(3, '+');
        let (name, id, key) = (parts.next()?, parts.next()?, parts.next()?);
        let raw = B64.decode(key).ok()?;
        let (&kind, key) = raw.split_first()?;
        let key = VerifyingKey::from_bytes(&<[u8; 32]>::try_from(key).ok()?).ok()?;
        let ok = kind == COSIGNATURE_V1
            && !name.is_empty()
            && !name.contains(char::is_whitespace)
            && hex::encode(key_id(name, &key)) == id;
        ok.then(|| CosignatureVerifier {
            name: name.to_owned(),
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The time of a valid cosignature by this key on the checkpoint with this body, if
    /// `line` is one (a note signature line, with or without its newline).
    pub fn check(&self, body: &str, line: &str) -> Option<u64> {
        let rest = line.trim_end_matches('\n').strip_prefix("\u{2014} ")?;
        let (name, blob) = rest.split_once(' ')?;
        let blob = B64.decode(blob).ok()?;
        if name != self.name || blob.len() != 4 + 8 + 64 || blob[..4] != key_id(name, &self.key) {
            return None;
        }
        let time = u64::from_be_bytes(blob[4..12].try_into().ok()?);
        let sig = Signature::from_slice(&blob[12..]).ok()?;
        self.key
            .verify(cosigned_message(body, time).as_bytes(), &sig)
            .ok()
            .map(|()| time)
    }

    /// Whether a signed note carries a valid cosignature by this key.
    pub fn cosigned(&self, note: &str) -> bool {
        note.split_once("\n\n").is_some_and(|(body, sigs)| {
            let body = format!("{body}\n");
            sigs.lines().any(|l| self.check(&body, l).is_some())
        })
    }
}

impl std::fmt::Display for CosignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut key = vec![COSIGNATURE_V1];
        key.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &self.key)),
            B64.encode(key)
        )
    }
}

/// The distinct witnesses among `witnesses` that cosigned `note`.
pub fn cosigners<'w>(note: &str, witnesses: &'w [CosignatureVerifier]) -> Vec<&'w str> {
    let mut names: Vec<&str> = witnesses
        .iter()
        .filter(|w| w.cosigned(note))
        .map(CosignatureVerifier::name)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// What a witness keeps: for each log it follows, the size and root of the latest
/// checkpoint it cosigned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessState {
    pub logs: BTreeMap<String, Seen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub size: u64,
    /// Base64.
    pub root: String,
}

/// A refusal, as the protocol answers it: the HTTP status and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub body: String,
}

impl Refusal {
    fn new(status: u16, body: impl Into<String>) -> Refusal {
        Refusal {
            status,
            body: body.into(),
        }
    }
}

/// An `add-checkpoint` request as it is sent: the old size, the consistency proof from it,
/// and the signed checkpoint.
pub fn add_checkpoint_request(old: u64, proof: &[Hash], note: &str) -> String {
    let mut out = format!("old {old}\n");
    for h in proof {
        out.push_str(&B64.encode(h));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(note);
    out
}

/// A witness: its key and the logs it follows (their keys, whose names are their origins).
pub struct Witness {
    pub key: WitnessKey,
    pub logs: Vec<NoteVerifier>,
}

impl Witness {
    /// Decides an `add-checkpoint` request against `state` and, when it is consistent,
    /// advances `state` and returns the cosignature line. The caller persists the state
    /// before answering, under the same lock as the check.
    pub fn add_checkpoint(
        &self,
        state: &mut WitnessState,
        request: &str,
        now: u64,
    ) -> Result<String, Refusal> {
        let bad = |why: &str| Refusal::new(400, format!("{why}\n"));
        let (old, rest) = request
            .strip_prefix("old ")
            .and_then(|r| r.split_once('\n'))
            .ok_or_else(|| bad("the request must begin with an old size line"))?;
        let old =
            parse_decimal(old).ok_or_else(|| bad("the old size is not a canonical decimal"))?;
        // No proof: the empty line comes at once. Else the proof lines end at the first
        // empty line (the checkpoint's own empty line comes later).
        let (proof_text, note) = match rest.strip_prefix('\n') {
            Some(note) => ("", note),
            None => rest
                .split_once("\n\n")
                .ok_or_else(|| bad("no empty line before the checkpoint"))?,
        };
        let proof = if proof_text.is_empty() {
            Vec::new()
        } else {
            proof_text
                .split('\n')
                .map(parse_hash)
                .collect::<Option<Vec<Hash>>>()
                .ok_or_else(|| bad("a proof line is not a base64 hash"))?
        };
        if proof.len() > MAX_PROOF_LINES {
            return Err(bad("more than 63 proof lines"));
        }
        let origin = note.split('\n').next().unwrap_or("");
        let log = self
            .logs
            .iter()
            .find(|k| k.name() == origin)
            .ok_or_else(|| Refusal::new(404, "unknown log\n"))?;
        let checkpoint: Checkpoint = match log.open(note) {
            Ok(c) => c,
            Err(super::NoteError::Malformed) => return Err(bad("the checkpoint is malformed")),
            Err(_) => return Err(Refusal::new(403, "no valid signature by the log\n")),
        };
        if old > checkpoint.size {
            return Err(bad("the old size is larger than the checkpoint"));
        }
        let seen = state.logs.get(origin);
        let (seen_size, seen_root) = match seen {
            Some(s) => (
                s.size,
                parse_hash(&s.root)
                    .ok_or_else(|| Refusal::new(500, "the witness's state is damaged\n"))?,
            ),
            None => (0, [0; 32]),
        };
        if old != seen_size {
            return Err(Refusal::new(409, format!("{seen_size}\n")));
        }
        let consistent = if old == 0 {
            proof.is_empty()
        } else if old == checkpoint.size {
            if seen_root != checkpoint.root {
                return Err(Refusal::new(409, format!("{seen_size}\n")));
            }
            proof.is_empty()
        } else {
            verify_consistency(old, checkpoint.size, &seen_root, &checkpoint.root, &proof)
        };
        if !consistent {
            return Err(Refusal::new(422, "the consistency proof does not verify\n"));
        }
        state.logs.insert(
            origin.to_owned(),
            Seen {
                size: checkpoint.size,
                root: B64.encode(checkpoint.root),
            },
        );
        Ok(self.key.cosign(&checkpoint.body(), now))
    }
}

#[cfg(test)]
mod tests {
    use super::super::merkle::{Tree, leaf_hash};
    use super::super::note::NoteSigner;
    use super::*;

    fn tree(prefix: &str, n: u32) -> Tree {
        Tree::new(
            (0..n)
                .map(|i| leaf_hash(format!("{prefix}{i}").as_bytes()))
                .collect(),
        )
    }

    fn note(log: &NoteSigner, t: &Tree, size: u64) -> String {
        log.sign(&Checkpoint {
            origin: log.name().into(),
            size,
            root: t.root_at(size).expect("root"),
            extensions: Vec::new(),
        })
    }

    /// The witness cosigns a log's checkpoints while they are consistent, and refuses a
    /// fork, a rollback, an unknown log and a forged checkpoint with the protocol's codes.
    #[test]
    fn cosigns_the_consistent_and_refuses_a_fork() {
        let log = NoteSigner::new("skjold.invalid/access-log/a1", &[1; 32]);
        let witness = Witness {
            key: WitnessKey::new("tilsynet.invalid/witness", &[2; 32]),
            logs: vec![log.verifier()],
        };
        let check = CosignatureVerifier::parse(&witness.key.verifier().to_string()).expect("key");
        let mut state = WitnessState::default();
        let main = tree("entry ", 40);

        // First contact: old size 0, no proof.
        let n10 = note(&log, &main, 10);
        let line = witness
            .add_checkpoint(
                &mut state,
                &add_checkpoint_request(0, &[], &n10),
                1_764_547_200,
            )
            .expect("cosigned");
        assert!(check.cosigned(&format!("{n10}{line}")));
        assert_eq!(
            cosigners(&format!("{n10}{line}"), std::slice::from_ref(&check)),
            ["tilsynet.invalid/witness"]
        );
        assert!(!check.cosigned(&n10));

        // Consistent growth: cosigned.
        let n25 = note(&log, &main, 25);
        let proof = main.consistency_proof(10, 25).expect("proof");
        witness
            .add_checkpoint(
                &mut state,
                &add_checkpoint_request(10, &proof, &n25),
                1_764_547_260,
            )
            .expect("cosigned");
        assert_eq!(state.logs[log.name()].size, 25);

        // A stale old size: 409 with the witness's size.
        let n30 = note(&log, &main, 30);
        let stale = witness.add_checkpoint(
            &mut state,
            &add_checkpoint_request(10, &main.consistency_proof(10, 30).expect("proof"), &n30),
            1,
        );
        assert_eq!(stale, Err(Refusal::new(409, "25\n")));

        // A fork: the same log signs another history, consistent with nothing seen.
        let fork = tree("forged ", 40);
        let f30 = note(&log, &fork, 30);
        let forged_proof = fork.consistency_proof(25, 30).expect("proof");
        let refused = witness
            .add_checkpoint(
                &mut state,
                &add_checkpoint_request(25, &forged_proof, &f30),
                2,
            )
            .expect_err("a fork");
        assert_eq!(refused.status, 422);
        // The same size with another root: 409.
        let f25 = note(&log, &fork, 25);
        assert_eq!(
            witness
                .add_checkpoint(&mut state, &add_checkpoint_request(25, &[], &f25), 2)
                .expect_err("a fork")
                .status,
            409
        );
        assert_eq!(state.logs[log.name()].size, 25, "a refusal changes nothing");

        // A rollback (old size above the checkpoint), an unknown log, a forged signature.
        let n5 = note(&log, &main, 5);
        assert_eq!(
            witness
                .add_checkpoint(&mut state, &add_checkpoint_request(25, &[], &n5), 3)
                .expect_err("rollback")
                .status,
            400
        );
        let other = NoteSigner::new("skjold.invalid/access-log/b2", &[3; 32]);
        assert_eq!(
            witness
                .add_checkpoint(
                    &mut state,
                    &add_checkpoint_request(0, &[], &note(&other, &main, 5)),
                    3
                )
                .expect_err("unknown")
                .status,
            404
        );
        let impostor = NoteSigner::new(log.name(), &[4; 32]);
        assert_eq!(
            witness
                .add_checkpoint(
                    &mut state,
                    &add_checkpoint_request(25, &[], &note(&impostor, &main, 30)),
                    3
                )
                .expect_err("forged")
                .status,
            403
        );
        // The consistent next step is still cosigned.
        let proof = main.consistency_proof(25, 30).expect("proof");
        witness
            .add_checkpoint(&mut state, &add_checkpoint_request(25, &proof, &n30), 4)
            .expect("cosigned");
    }

    #[test]
    fn cosignature_keys_round_trip_and_bind_the_name() {
        let w = WitnessKey::new("w.invalid/one", &[5; 32]);
        let text = w.verifier().to_string();
        assert_eq!(CosignatureVerifier::parse(&text), Some(w.verifier()));
        assert!(
            CosignatureVerifier::parse(&text.replacen("w.invalid/one", "w.invalid/two", 1))
                .is_none()
        );
        let body = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let line = w.cosign(body, 77);
        assert_eq!(w.verifier().check(body, &line), Some(77));
        assert_eq!(w.verifier().check(&body.replace('1', "2"), &line), None);
    }
}

//! Signed checkpoints in the format transparency logs use: a checkpoint body (C2SP
//! tlog-checkpoint: origin, tree size, base64 root hash) in a signed note (C2SP
//! signed-note) with an Ed25519 signature line. Anyone with the verifier key can check a
//! checkpoint without Skjold.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signature-type byte for Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// A tree head: the log it belongs to, its size and its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note body: three lines, each ending in a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    fn parse_body(body: &str) -> Option<Checkpoint> {
        let mut lines = body.strip_suffix('\n')?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty())?.to_owned();
        let size = lines.next()?.parse().ok()?;
        let root = B64.decode(lines.next()?).ok()?.try_into().ok()?;
        // Extension lines may follow; this log writes none.
        Some(Checkpoint { origin, size, root })
    }
}

/// The checkpoint signer, derived from the master key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteSigner({})", self.name)
    }
}

fn key_hash(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

impl NoteSigner {
    pub fn new(name: impl Into<String>, seed: &[u8; 32]) -> NoteSigner {
        NoteSigner {
            name: name.into(),
            key: SigningKey::from_bytes(seed),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key in the signed-note text form: `name+hash+base64(type ‖ key)`.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// The signed note for a checkpoint.
    pub fn sign(&self, c: &Checkpoint) -> String {
        let body = c.body();
        let sig = self.key.sign(body.as_bytes());
        let mut blob = key_hash(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// A public key that checks checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the verifier key is malformed")]
    BadKey,
    #[error("the note is malformed")]
    Malformed,
    #[error("the note has no valid signature by {0}")]
    NotSigned(String),
}

impl NoteVerifier {
    pub fn parse(text: &str) -> Result<NoteVerifier, NoteError> {
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadKey);
        };
        let raw = B64.decode(key).map_err(|_| NoteError::BadKey)?;
        let (&kind, key) = raw.split_first().ok_or(NoteError::BadKey)?;
        let key = <[u8; 32]>::try_from(key).map_err(|_| NoteError::BadKey)?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| NoteError::BadKey)?;
        if kind != ED25519 || name.is_empty() || hex::encode(key_hash(name, &key)) != hash {
            return Err(NoteError::BadKey);
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the note's signature by this key and returns its checkpoint.
    pub fn open(&self, note: &str) -> Result<Checkpoint, NoteError> {
        let (body, sigs) = note.split_once("\n\n").ok_or(NoteError::Malformed)?;
        let body = format!("{body}\n");
        let checkpoint = Checkpoint::parse_body(&body).ok_or(NoteError::Malformed)?;
        let want = key_hash(&self.name, &self.key);
        for line in sigs.lines() {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                return Err(NoteError::Malformed);
            };
            let Some((name, blob)) = rest.split_once(' ') else {
                return Err(NoteError::Malformed);
            };
            let Ok(blob) = B64.decode(blob) else {
                return Err(NoteError::Malformed);
            };
            if name != self.name || blob.len() != 68 || blob[..4] != want {
                continue;
            }
            let sig = Signature::from_slice(&blob[4..]).map_err(|_| NoteError::Malformed)?;
            if self.key.verify(body.as_bytes(), &sig).is_ok() {
                return Ok(checkpoint);
            }
        }
        Err(NoteError::NotSigned(self.name.clone()))
    }
}

impl std::fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut key = vec![ED25519];
        key.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(key_hash(&self.name, &self.key)),
            B64.encode(key)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_checkpoints_round_trip_and_resist_forgery() {
        let signer = NoteSigner::new("skjold-test", &[7; 32]);
        let c = Checkpoint {
            origin: "skjold-test/access-log/2026-11".into(),
            size: 42,
            root: [9; 32],
        };
        let note = signer.sign(&c);
        assert!(note.starts_with("skjold-test/access-log/2026-11\n42\n"));
        let verifier = NoteVerifier::parse(&signer.verifier().to_string()).expect("key");
        assert_eq!(verifier.open(&note), Ok(c.clone()));

        let forged = note.replace("\n42\n", "\n43\n");
        assert_eq!(
            verifier.open(&forged),
            Err(NoteError::NotSigned("skjold-test".into()))
        );
        let other = NoteSigner::new("skjold-test", &[8; 32]);
        assert!(verifier.open(&other.sign(&c)).is_err());
        assert_eq!(verifier.open("nonsense"), Err(NoteError::Malformed));
        let mut bad = signer.verifier().to_string();
        bad.replace_range(12..14, "00");
        assert_eq!(NoteVerifier::parse(&bad), Err(NoteError::BadKey));
    }
}

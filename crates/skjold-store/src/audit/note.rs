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

/// A tree head: the log it belongs to, its size and its root, and extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Lines after the root, each non-empty. This log writes one per checkpoint of format
    /// 2: `skjold-shard <shard> <start> <root at start>`, which chains the months.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note body: origin, size, root and extension lines, each ending in a newline.
    pub fn body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            body.push_str(e);
            body.push('\n');
        }
        body
    }

    /// Parses a checkpoint body exactly as C2SP tlog-checkpoint allows: a non-empty origin,
    /// the size in canonical decimal (no sign, no leading zero), the root as standard
    /// base64 of exactly 32 bytes, then non-empty extension lines; every line ends in a
    /// newline. Anything else is `None`.
    pub fn parse_body(body: &str) -> Option<Checkpoint> {
        let mut lines = body.strip_suffix('\n')?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty())?.to_owned();
        let size = parse_decimal(lines.next()?)?;
        let root = parse_hash(lines.next()?)?;
        let extensions = lines
            .map(|l| Some(l.to_owned()).filter(|l| !l.is_empty()))
            .collect::<Option<Vec<_>>>()?;
        Some(Checkpoint {
            origin,
            size,
            root,
            extensions,
        })
    }

    /// The `skjold-shard` extension: the shard, the leaf it starts at and the tree's root
    /// there (the final size and root of the shard before).
    pub fn shard_extension(&self) -> Option<(&str, u64, Hash)> {
        self.extensions.iter().find_map(|e| {
            let mut parts = e.strip_prefix("skjold-shard ")?.split(' ');
            let shard = parts.next()?;
            let start = parse_decimal(parts.next()?)?;
            let root = parse_hash(parts.next()?)?;
            parts.next().is_none().then_some((shard, start, root))
        })
    }
}

/// An unsigned decimal in canonical form: ASCII digits, no leading zero but in `0`.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

/// A hash as standard, padded, canonical base64 of exactly 32 bytes.
pub fn parse_hash(s: &str) -> Option<Hash> {
    B64.decode(s).ok()?.try_into().ok()
}

/// Whether a text is a note's text as signed-note allows: non-empty, ending in a newline,
/// no control characters but newlines.
fn plain_text(text: &str) -> bool {
    text.ends_with('\n') && !text.chars().any(|c| c.is_control() && c != '\n')
}

/// A checkpoint signer: a key name (the log's origin) and its Ed25519 key.
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
    #[error("the checkpoint is of another log: {0}")]
    OtherLog(String),
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

    /// Checks the note's signature by this key and returns its checkpoint, whose origin
    /// must be this key's name (tlog-checkpoint: the key name is the origin).
    pub fn open(&self, note: &str) -> Result<Checkpoint, NoteError> {
        let (checkpoint, body, sigs) = split_note(note)?;
        if checkpoint.origin != self.name {
            return Err(NoteError::OtherLog(checkpoint.origin));
        }
        self.check_signature(&body, &sigs)?;
        Ok(checkpoint)
    }

    /// As [`NoteVerifier::open`], for a checkpoint of a shard of format 1, whose origin is
    /// the key's name, `/access-log/` and the shard.
    pub fn open_legacy(&self, note: &str, shard: &str) -> Result<Checkpoint, NoteError> {
        let (checkpoint, body, sigs) = split_note(note)?;
        if checkpoint.origin != format!("{}/access-log/{shard}", self.name) {
            return Err(NoteError::OtherLog(checkpoint.origin));
        }
        self.check_signature(&body, &sigs)?;
        Ok(checkpoint)
    }

    fn check_signature(&self, body: &str, sigs: &[SignatureLine<'_>]) -> Result<(), NoteError> {
        let want = key_hash(&self.name, &self.key);
        for (name, blob) in sigs {
            if *name != self.name || blob.len() != 68 || blob[..4] != want {
                continue;
            }
            let sig = Signature::from_slice(&blob[4..]).map_err(|_| NoteError::Malformed)?;
            if self.key.verify(body.as_bytes(), &sig).is_ok() {
                return Ok(());
            }
        }
        Err(NoteError::NotSigned(self.name.clone()))
    }
}

/// A signature line taken apart: the key name and the decoded blob.
type SignatureLine<'a> = (&'a str, Vec<u8>);

/// A signed note taken apart strictly (C2SP signed-note): its checkpoint, the body's text,
/// and each signature line.
fn split_note(note: &str) -> Result<(Checkpoint, String, Vec<SignatureLine<'_>>), NoteError> {
    if !plain_text(note) {
        return Err(NoteError::Malformed);
    }
    let (body, sigs) = note.split_once("\n\n").ok_or(NoteError::Malformed)?;
    let body = format!("{body}\n");
    let checkpoint = Checkpoint::parse_body(&body).ok_or(NoteError::Malformed)?;
    let lines = sigs.strip_suffix('\n').ok_or(NoteError::Malformed)?;
    let mut out = Vec::new();
    for line in lines.split('\n') {
        let rest = line.strip_prefix("\u{2014} ").ok_or(NoteError::Malformed)?;
        let (name, blob) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
        let blob = B64.decode(blob).map_err(|_| NoteError::Malformed)?;
        if name.is_empty() || name.contains('+') || blob.len() < 4 {
            return Err(NoteError::Malformed);
        }
        out.push((name, blob));
    }
    Ok((checkpoint, body, out))
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
            origin: "skjold-test".into(),
            size: 42,
            root: [9; 32],
            extensions: vec![
                "skjold-shard 2026-11 40 CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=".into(),
            ],
        };
        let note = signer.sign(&c);
        assert!(note.starts_with("skjold-test\n42\n"));
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
        assert_eq!(c.shard_extension(), Some(("2026-11", 40, [9; 32])));
    }

    /// Each way a note can be what the specifications do not allow, refused: signed
    /// correctly in every case, so only the strict parsing can catch it.
    #[test]
    fn strict_parsing_refuses_each_deviation() {
        let signer = NoteSigner::new("skjold.invalid/access-log/a1", &[7; 32]);
        let verifier = signer.verifier();
        let root = B64.encode([9u8; 32]);
        let sign_body = |body: &str| {
            let sig = signer.key.sign(body.as_bytes());
            let mut blob = key_hash(signer.name(), &signer.key.verifying_key()).to_vec();
            blob.extend_from_slice(&sig.to_bytes());
            format!("{body}\n\u{2014} {} {}\n", signer.name(), B64.encode(blob))
        };
        let good = sign_body(&format!("skjold.invalid/access-log/a1\n42\n{root}\n"));
        assert!(verifier.open(&good).is_ok());
        let cases: Vec<(&str, String)> = vec![
            (
                "leading zero in size",
                sign_body(&format!("skjold.invalid/access-log/a1\n042\n{root}\n")),
            ),
            (
                "sign in size",
                sign_body(&format!("skjold.invalid/access-log/a1\n+42\n{root}\n")),
            ),
            (
                "size too large",
                sign_body(&format!(
                    "skjold.invalid/access-log/a1\n18446744073709551616\n{root}\n"
                )),
            ),
            (
                "empty size",
                sign_body(&format!("skjold.invalid/access-log/a1\n\n{root}\n")),
            ),
            (
                "root of 31 bytes",
                sign_body(&format!(
                    "skjold.invalid/access-log/a1\n42\n{}\n",
                    B64.encode([9u8; 31])
                )),
            ),
            (
                "root of 33 bytes",
                sign_body(&format!(
                    "skjold.invalid/access-log/a1\n42\n{}\n",
                    B64.encode([9u8; 33])
                )),
            ),
            (
                "root without padding",
                sign_body(&format!(
                    "skjold.invalid/access-log/a1\n42\n{}\n",
                    root.trim_end_matches('=')
                )),
            ),
            (
                "root in URL-safe base64",
                sign_body(&format!(
                    "skjold.invalid/access-log/a1\n42\n{}\n",
                    B64.encode([0xfbu8; 32]).replace('+', "-").replace('/', "_")
                )),
            ),
            (
                "root with non-canonical trailing bits",
                sign_body(&format!("skjold.invalid/access-log/a1\n42\n{}\n", {
                    let mut r = root.clone();
                    r.replace_range(42..43, "R");
                    r
                })),
            ),
            (
                "empty extension line",
                sign_body(&format!("skjold.invalid/access-log/a1\n42\n{root}\n\nx\n")),
            ),
            (
                "another installation's origin",
                sign_body(&format!("skjold.invalid/access-log/b2\n42\n{root}\n")),
            ),
            ("empty origin", sign_body(&format!("\n42\n{root}\n"))),
            (
                "carriage return",
                sign_body(&format!("skjold.invalid/access-log/a1\r\n42\n{root}\n")),
            ),
            ("no final newline", good.trim_end_matches('\n').to_owned()),
            (
                "signature line without the dash",
                good.replace('\u{2014}', "-"),
            ),
            ("garbage after the signatures", format!("{good}x\n")),
        ];
        for (what, note) in cases {
            assert!(verifier.open(&note).is_err(), "{what} was accepted");
        }
        // Extension lines are allowed, and signed.
        let with_ext = sign_body(&format!(
            "skjold.invalid/access-log/a1\n42\n{root}\nskjold-shard 2026-12 0 {root}\n"
        ));
        assert!(verifier.open(&with_ext).is_ok());
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("00"), None);
    }
}

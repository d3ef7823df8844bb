//! Encryption at rest (wall 4).
//!
//! A 32-byte master key (from a key file or the environment) never encrypts data itself.
//! HKDF-SHA256 derives from it a *wrapping key*, which seals each citizen's own random data
//! key, and a *lookup key*, which turns a CPR number into the keyed hash the database
//! indexes. Personal-data values are sealed with AES-256-GCM under the citizen's key, with
//! the citizen id and field as associated data, so a ciphertext moved to another row or
//! citizen fails to open. Destroying a citizen's wrapped key makes every copy of their
//! data, backups included, unreadable.

use std::fs;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

use skjold_core::Cpr;

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key must be 32 bytes, base64-encoded")]
    BadMasterKey,
    #[error("could not read or create the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a ciphertext did not authenticate: wrong key, or the data was altered")]
    Open,
    #[error("encryption failed")]
    Seal,
}

/// The keys derived from the master key. Cheap to clone; zeroised on drop. The store
/// splits it at once ([`KeyRing::split`]): the gate gets the keys to citizens' data, the
/// sign-in records the key to users' second-factor secrets, the audit log its signing key.
#[derive(Clone)]
pub(crate) struct KeyRing {
    wrap: Zeroizing<[u8; 32]>,
    lookup: Zeroizing<[u8; 32]>,
    checkpoint: Zeroizing<[u8; 32]>,
    user_secrets: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing({})", self.id)
    }
}

impl KeyRing {
    pub fn from_master(master: &[u8; 32]) -> KeyRing {
        let hk = Hkdf::<Sha256>::new(Some(b"skjold master key v1"), master);
        let mut wrap = Zeroizing::new([0u8; 32]);
        let mut lookup = Zeroizing::new([0u8; 32]);
        let mut checkpoint = Zeroizing::new([0u8; 32]);
        let mut user_secrets = Zeroizing::new([0u8; 32]);
        let mut id = [0u8; 8];
        // HKDF-SHA256 can expand up to 8160 bytes; 32 and 8 always fit.
        let _ = hk.expand(b"wrap subject keys", wrap.as_mut());
        let _ = hk.expand(b"cpr lookup hash", lookup.as_mut());
        let _ = hk.expand(b"access log checkpoint signing key", checkpoint.as_mut());
        let _ = hk.expand(b"user second-factor secrets", user_secrets.as_mut());
        let _ = hk.expand(b"key id", &mut id);
        KeyRing {
            wrap,
            lookup,
            checkpoint,
            user_secrets,
            id: hex::encode(id),
        }
    }

    /// Parses a base64 master key (as in `SKJOLD_MASTER_KEY` or the key file).
    pub fn from_base64(text: &str) -> Result<KeyRing, CryptoError> {
        let mut bytes = B64
            .decode(text.trim())
            .map_err(|_| CryptoError::BadMasterKey)?;
        let result = <[u8; 32]>::try_from(bytes.as_slice())
            .map(|k| KeyRing::from_master(&k))
            .map_err(|_| CryptoError::BadMasterKey);
        bytes.zeroize();
        result
    }

    /// Reads the key file, or creates it with a fresh random key and mode 0600.
    pub fn load_or_create(path: &Path) -> Result<KeyRing, CryptoError> {
        Ok(KeyRing::from_master(&*load_or_create_secret(path)?))
    }

    /// The ring in the parts that go to the gate, the sign-in records and the audit log.
    pub fn split(self) -> (GateKeys, UserSecrets, LogKeys) {
        let signer = LogKeys {
            seed: self.checkpoint.clone(),
            legacy_name: format!("skjold-{}", self.id),
        };
        (
            GateKeys {
                wrap: self.wrap,
                lookup: self.lookup,
                id: self.id,
            },
            UserSecrets {
                key: self.user_secrets,
            },
            signer,
        )
    }
}

/// Reads a 32-byte secret kept base64 in the file at `path`, or creates the file with a fresh
/// random one, mode 0600, written durably: the master key, or a witness's signing key.
pub fn load_or_create_secret(path: &Path) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let io = |source| CryptoError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    if path.exists() {
        let text = Zeroizing::new(fs::read_to_string(path).map_err(io)?);
        let mut bytes = B64
            .decode(text.trim())
            .map_err(|_| CryptoError::BadMasterKey)?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| CryptoError::BadMasterKey);
        bytes.zeroize();
        return key.map(Zeroizing::new);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(key.as_mut());
    let encoded = Zeroizing::new(B64.encode(key.as_ref()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(io)?;
    file.write_all(encoded.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(key)
}

/// The access log's signing keys: one per log identity, derived from the master key and the
/// identity's origin (the key's name), and the one key of format-1 shards.
#[derive(Clone)]
pub struct LogKeys {
    seed: Zeroizing<[u8; 32]>,
    legacy_name: String,
}

impl std::fmt::Debug for LogKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKeys({})", self.legacy_name)
    }
}

impl LogKeys {
    /// The signer of the log identity `origin`, named `origin`.
    pub fn signer(&self, origin: &str) -> crate::audit::note::NoteSigner {
        let hk = Hkdf::<Sha256>::new(Some(b"skjold log identity v1"), self.seed.as_ref());
        let mut seed = Zeroizing::new([0u8; 32]);
        // 32 bytes always fit HKDF-SHA256's output.
        let _ = hk.expand(origin.as_bytes(), seed.as_mut());
        crate::audit::note::NoteSigner::new(origin, &seed)
    }

    /// The signer of the checkpoints of format-1 shards (one key per installation, named
    /// after the master key).
    pub fn legacy(&self) -> crate::audit::note::NoteSigner {
        crate::audit::note::NoteSigner::new(self.legacy_name.clone(), &self.seed)
    }
}

/// The keys to citizens' personal data: the key that wraps each citizen's data key, and
/// the key of the CPR look-up hash. Only the gate holds them.
#[derive(Clone)]
pub(crate) struct GateKeys {
    wrap: Zeroizing<[u8; 32]>,
    lookup: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for GateKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GateKeys({})", self.id)
    }
}

/// The key that seals users' second-factor secrets.
#[derive(Clone)]
pub(crate) struct UserSecrets {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for UserSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserSecrets")
    }
}

impl UserSecrets {
    /// Seals a user's second-factor secret, bound to the user.
    pub fn seal(&self, user: Uuid, secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal(&self.key, &aad(user, "totp"), secret)
    }

    pub fn open(&self, user: Uuid, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open(&self.key, &aad(user, "totp"), sealed)
    }
}

impl GateKeys {
    /// A short identifier of the master key, stored beside wrapped keys (for rotation).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The keyed hash under which a CPR number is looked up.
    pub fn cpr_hash(&self, cpr: &Cpr) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.as_ref())
            .expect("HMAC accepts keys of any length");
        mac.update(cpr.digits().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A keyed hash of a request's parts (each length-prefixed, under a domain), to tell
    /// whether a repeated request is the same without keeping its text.
    pub fn request_hash(&self, domain: &str, parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.as_ref())
            .expect("HMAC accepts keys of any length");
        mac.update(domain.as_bytes());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// A new random data key for a citizen, and its wrapped form for storage.
    pub fn new_subject_key(&self, subject: Uuid) -> Result<(SubjectKey, Vec<u8>), CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        let wrapped = seal(&self.wrap, subject.as_bytes(), key.as_ref())?;
        Ok((SubjectKey(key), wrapped))
    }

    pub fn unwrap_subject_key(
        &self,
        subject: Uuid,
        wrapped: &[u8],
    ) -> Result<SubjectKey, CryptoError> {
        let plain = Zeroizing::new(open(&self.wrap, subject.as_bytes(), wrapped)?);
        let key = <[u8; 32]>::try_from(plain.as_slice()).map_err(|_| CryptoError::Open)?;
        Ok(SubjectKey(Zeroizing::new(key)))
    }
}

/// One citizen's data key, unwrapped. Lives only as long as a gate call needs it.
pub struct SubjectKey(Zeroizing<[u8; 32]>);

impl SubjectKey {
    pub fn seal(&self, subject: Uuid, field: &str, value: &str) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, &aad(subject, field), value.as_bytes())
    }

    pub fn open(&self, subject: Uuid, field: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        let plain = open(&self.0, &aad(subject, field), sealed)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }

    /// Seals bytes that are not text (attachments).
    pub fn seal_bytes(
        &self,
        subject: Uuid,
        field: &str,
        value: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0, &aad(subject, field), value)
    }

    pub fn open_bytes(
        &self,
        subject: Uuid,
        field: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(&self.0, &aad(subject, field), sealed)
    }
}

fn aad(subject: Uuid, field: &str) -> Vec<u8> {
    let mut a = subject.as_bytes().to_vec();
    a.extend_from_slice(field.as_bytes());
    a
}

/// `nonce || ciphertext+tag`, AES-256-GCM with a random 96-bit nonce.
fn seal(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ct = cipher
        .encrypt(&nonce, Payload { msg: plain, aad })
        .map_err(|_| CryptoError::Seal)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_LEN {
        return Err(CryptoError::Open);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| CryptoError::Open)
}

/// SHA-256 of a bearer secret (session cookie or API token). The secrets are 256-bit random
/// values, so a plain hash is enough to make a database leak useless for signing in.
pub(crate) fn token_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new 256-bit random secret, URL-safe base64.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> GateKeys {
        KeyRing::from_master(&[7u8; 32]).split().0
    }

    #[test]
    fn values_round_trip_and_are_bound_to_subject_and_field() {
        let ring = ring();
        let s = Uuid::new_v4();
        let (key, wrapped) = ring.new_subject_key(s).expect("key");
        let sealed = key.seal(s, "name", "Mette Hansen").expect("seal");
        assert!(!sealed.windows(5).any(|w| w == b"Mette"));
        let again = ring.unwrap_subject_key(s, &wrapped).expect("unwrap");
        assert_eq!(
            again.open(s, "name", &sealed).expect("open"),
            "Mette Hansen"
        );
        assert!(again.open(s, "email", &sealed).is_err());
        assert!(again.open(Uuid::new_v4(), "name", &sealed).is_err());
        assert!(ring.unwrap_subject_key(Uuid::new_v4(), &wrapped).is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(again.open(s, "name", &tampered).is_err());
    }

    #[test]
    fn another_master_key_cannot_unwrap() {
        let s = Uuid::new_v4();
        let (_, wrapped) = ring().new_subject_key(s).expect("key");
        assert!(
            KeyRing::from_master(&[8u8; 32])
                .split()
                .0
                .unwrap_subject_key(s, &wrapped)
                .is_err()
        );
    }

    #[test]
    fn cpr_hash_is_keyed_and_stable() {
        let cpr = Cpr::parse("070761-4285").expect("cpr");
        assert_eq!(ring().cpr_hash(&cpr), ring().cpr_hash(&cpr));
        assert_ne!(
            ring().cpr_hash(&cpr),
            KeyRing::from_master(&[8u8; 32]).split().0.cpr_hash(&cpr)
        );
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = std::env::temp_dir().join(format!("skjold-key-{}", Uuid::new_v4()));
        fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("master.key");
        let a = KeyRing::load_or_create(&path).expect("create");
        let b = KeyRing::load_or_create(&path).expect("load");
        assert_eq!(a.split().0.id(), b.split().0.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(&path, "not base64!").expect("write");
        assert!(matches!(
            KeyRing::load_or_create(&path),
            Err(CryptoError::BadMasterKey)
        ));
        let _ = fs::remove_dir_all(dir);
    }
}

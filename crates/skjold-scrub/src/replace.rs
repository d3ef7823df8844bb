//! Replacement codes.
//!
//! Without a key, each distinct value of a kind gets the next number within one
//! document: the first name found becomes `[NAVN-1]`, the same name again is
//! `[NAVN-1]`, the next distinct name `[NAVN-2]`. With a key, the code carries a keyed
//! pseudonym instead, HMAC-SHA256(key, type ‖ normalised value) cut to 48 bits and
//! written in hex (`[NAVN-3fa9c2d1e0b4]`): stable across documents and runs for the same
//! key, and not reversible without it. Values are normalised before numbering or
//! hashing so "+45 56 78 28 28" and "56782828" get the same code, as do "Mette
//! Jensen" and "METTE  JENSEN".

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorKind};
use crate::kind::Kind;
use crate::lexicon::FxBuild;

/// Hands out replacement codes for one document.
///
/// Values seen are kept in one text arena with a hash index, so a finding costs no
/// allocation once the buffers have grown; [`Replacer::clear`] starts the next document
/// with the same buffers.
#[derive(Clone)]
pub struct Replacer {
    key: Option<Vec<u8>>,
    /// Normalised values, back to back.
    arena: String,
    entries: Vec<Entry>,
    /// Hash of (kind, normalised value) to the first entry with that hash.
    index: HashMap<u64, u32, FxBuild>,
    next: [u32; 8],
    norm: String,
}

#[derive(Clone, Copy)]
struct Entry {
    kind: Kind,
    start: u32,
    end: u32,
    /// Next entry with the same hash, or `u32::MAX`.
    chain: u32,
    /// The number (numbered codes) or the first 6 bytes of the tag (keyed codes).
    n: u32,
    tag: [u8; 6],
}

impl std::fmt::Debug for Replacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key or the values seen.
        f.debug_struct("Replacer")
            .field("keyed", &self.key.is_some())
            .field("distinct_values", &self.entries.len())
            .finish()
    }
}

/// The normalised form of a value: what makes two mentions "the same value".
pub fn normalise(kind: Kind, value: &str) -> String {
    let mut out = String::new();
    normalise_into(kind, value, &mut out);
    out
}

/// [`normalise`] into a buffer (cleared first).
pub(crate) fn normalise_into(kind: Kind, value: &str, out: &mut String) {
    out.clear();
    match kind {
        Kind::Cpr | Kind::NoId | Kind::Account => out.extend(
            value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase()),
        ),
        Kind::Phone => {
            out.extend(value.chars().filter(char::is_ascii_digit));
            if out.starts_with("00") {
                out.replace_range(..2, "");
            }
            if out.len() == 10 && (out.starts_with("45") || out.starts_with("47")) {
                out.replace_range(..2, "");
            }
        }
        Kind::Email => {
            let v = value.trim();
            if v.is_ascii() {
                out.push_str(v);
                out.make_ascii_lowercase();
            } else {
                out.extend(v.chars().flat_map(char::to_lowercase));
            }
        }
        Kind::Person | Kind::Address | Kind::Sensitive => {
            for w in value
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| c == ',' || c == '.'))
                .filter(|w| !w.is_empty())
            {
                if !out.is_empty() {
                    out.push(' ');
                }
                if w.is_ascii() {
                    let at = out.len();
                    out.push_str(w);
                    out[at..].make_ascii_lowercase();
                } else {
                    out.extend(w.chars().flat_map(char::to_lowercase));
                }
            }
        }
    }
}

impl Replacer {
    fn with_key(key: Option<Vec<u8>>) -> Replacer {
        Replacer {
            key,
            arena: String::new(),
            entries: Vec::new(),
            index: HashMap::default(),
            next: [0; 8],
            norm: String::new(),
        }
    }

    /// Numbered codes (`[NAVN-1]`).
    pub fn numbered() -> Replacer {
        Replacer::with_key(None)
    }

    /// Keyed pseudonyms. Fails on an empty key.
    pub fn keyed(key: &[u8]) -> Result<Replacer, Error> {
        if key.is_empty() {
            return Err(Error::new(ErrorKind::EmptyKey, ""));
        }
        Ok(Replacer::with_key(Some(key.to_vec())))
    }

    /// Forgets the values seen (the next document starts numbering at 1 again), keeping
    /// the key and the buffers.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.entries.clear();
        self.index.clear();
        self.next = [0; 8];
    }

    /// The code for `value` of `kind`, with brackets.
    pub fn code(&mut self, kind: Kind, value: &str) -> String {
        let mut out = String::new();
        self.write_code(kind, value, &mut out);
        out
    }

    /// Appends the code for `value` of `kind`, with brackets, to `out`.
    pub fn write_code(&mut self, kind: Kind, value: &str, out: &mut String) {
        let mut norm = std::mem::take(&mut self.norm);
        normalise_into(kind, value, &mut norm);
        let e = self.entry(kind, &norm);
        self.norm = norm;
        out.push('[');
        out.push_str(kind.code());
        out.push('-');
        if self.key.is_some() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for b in e.tag {
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        } else {
            push_decimal(out, e.n as usize);
        }
        out.push(']');
    }

    fn entry(&mut self, kind: Kind, norm: &str) -> Entry {
        let mut h = FxBuild::default().build_hasher();
        kind.hash(&mut h);
        norm.hash(&mut h);
        let h = h.finish();
        let first = self.index.get(&h).copied();
        let mut i = first.unwrap_or(u32::MAX);
        while i != u32::MAX {
            let e = self.entries[i as usize];
            if e.kind == kind && &self.arena[e.start as usize..e.end as usize] == norm {
                return e;
            }
            i = e.chain;
        }
        let (n, tag) = match &self.key {
            Some(key) => (0, pseudonym(key, kind, norm)),
            None => {
                let n = &mut self.next[kind.index()];
                *n += 1;
                (*n, [0; 6])
            }
        };
        let start = self.arena.len() as u32;
        self.arena.push_str(norm);
        let e = Entry {
            kind,
            start,
            end: self.arena.len() as u32,
            chain: first.unwrap_or(u32::MAX),
            n,
            tag,
        };
        self.index.insert(h, self.entries.len() as u32);
        self.entries.push(e);
        e
    }
}

/// Appends `n` in decimal, without the formatting machinery.
pub(crate) fn push_decimal(out: &mut String, n: usize) {
    let mut bytes = Vec::with_capacity(20);
    push_decimal_bytes(&mut bytes, n);
    out.extend(bytes.into_iter().map(char::from));
}

/// [`push_decimal`] for a byte buffer.
pub(crate) fn push_decimal_bytes(out: &mut Vec<u8>, mut n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn pseudonym(key: &[u8], kind: Kind, norm: &str) -> [u8; 6] {
    // `new_from_slice` accepts keys of any length for HMAC; the error arm is unreachable
    // but handled without panicking.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 6];
    };
    mac.update(kind.label().as_bytes());
    mac.update(&[0x1f]);
    mac.update(norm.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 6];
    out.copy_from_slice(&tag[..6]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_per_distinct_value() {
        let mut r = Replacer::numbered();
        assert_eq!(r.code(Kind::Person, "Mette Jensen"), "[NAVN-1]");
        assert_eq!(r.code(Kind::Person, "Ole Hansen"), "[NAVN-2]");
        assert_eq!(r.code(Kind::Person, "METTE  JENSEN"), "[NAVN-1]");
        assert_eq!(r.code(Kind::Phone, "+45 56 78 28 28"), "[TELEFON-1]");
        assert_eq!(r.code(Kind::Phone, "56782828"), "[TELEFON-1]");
        assert_eq!(r.code(Kind::Cpr, "010189-1234"), "[CPR-1]");
        assert_eq!(r.code(Kind::Cpr, "0101891234"), "[CPR-1]");
        assert_eq!(r.code(Kind::Sensitive, "angst"), "[FØLSOMT-1]");
    }

    #[test]
    fn keyed_pseudonyms_are_stable_and_key_dependent() {
        let mut a = Replacer::keyed(b"key one").expect("key");
        let mut b = Replacer::keyed(b"key one").expect("key");
        let mut c = Replacer::keyed(b"key two").expect("key");
        let x = a.code(Kind::Person, "Mette Jensen");
        assert_eq!(x, b.code(Kind::Person, "mette jensen"));
        assert_ne!(x, c.code(Kind::Person, "Mette Jensen"));
        assert!(x.starts_with("[NAVN-") && x.len() == "[NAVN-".len() + 12 + 1);
        assert_ne!(x, a.code(Kind::Person, "Ole Hansen"));
        assert!(Replacer::keyed(b"").is_err());
    }
}

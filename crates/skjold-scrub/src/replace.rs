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

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorKind};
use crate::kind::Kind;

/// Hands out replacement codes for one document.
#[derive(Clone)]
pub struct Replacer {
    key: Option<Vec<u8>>,
    seen: HashMap<(Kind, String), String>,
    next: [u32; 8],
}

impl std::fmt::Debug for Replacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key or the values seen.
        f.debug_struct("Replacer")
            .field("keyed", &self.key.is_some())
            .field("distinct_values", &self.seen.len())
            .finish()
    }
}

/// The normalised form of a value: what makes two mentions "the same value".
pub fn normalise(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Cpr | Kind::NoId | Kind::Account => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        Kind::Phone => {
            let d: String = value.chars().filter(char::is_ascii_digit).collect();
            let d = d.strip_prefix("00").unwrap_or(&d);
            if d.len() == 10 && (d.starts_with("45") || d.starts_with("47")) {
                d[2..].to_string()
            } else {
                d.to_string()
            }
        }
        Kind::Email => value.trim().to_lowercase(),
        Kind::Person | Kind::Address | Kind::Sensitive => value
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| c == ',' || c == '.'))
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

impl Replacer {
    /// Numbered codes (`[NAVN-1]`).
    pub fn numbered() -> Replacer {
        Replacer {
            key: None,
            seen: HashMap::new(),
            next: [0; 8],
        }
    }

    /// Keyed pseudonyms. Fails on an empty key.
    pub fn keyed(key: &[u8]) -> Result<Replacer, Error> {
        if key.is_empty() {
            return Err(Error::new(ErrorKind::EmptyKey, ""));
        }
        Ok(Replacer {
            key: Some(key.to_vec()),
            seen: HashMap::new(),
            next: [0; 8],
        })
    }

    /// The code for `value` of `kind`, with brackets.
    pub fn code(&mut self, kind: Kind, value: &str) -> String {
        let norm = normalise(kind, value);
        if let Some(c) = self.seen.get(&(kind, norm.clone())) {
            return c.clone();
        }
        let suffix = match &self.key {
            Some(key) => pseudonym(key, kind, &norm),
            None => {
                let n = &mut self.next[kind.index()];
                *n += 1;
                n.to_string()
            }
        };
        let code = format!("[{}-{}]", kind.code(), suffix);
        self.seen.insert((kind, norm), code.clone());
        code
    }
}

fn pseudonym(key: &[u8], kind: Kind, norm: &str) -> String {
    // `new_from_slice` accepts keys of any length for HMAC; the error arm is unreachable
    // but handled without panicking.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return "0".repeat(12);
    };
    mac.update(kind.label().as_bytes());
    mac.update(&[0x1f]);
    mac.update(norm.as_bytes());
    let tag = mac.finalize().into_bytes();
    tag.iter().take(6).map(|b| format!("{b:02x}")).collect()
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

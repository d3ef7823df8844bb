//! Context words around a number: what the few words right before it say, and whether
//! the word right after it is a unit. Context is only ever read next to the number it
//! concerns, never for the whole document.

use crate::lexicon;

/// What the words right before a number say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Before {
    /// Nothing known.
    None,
    /// "CPR-nr.", "personnummer", "født", …
    Cpr,
    /// "fødselsnummer", "D-nummer", …
    NoId,
    /// "konto", "reg.nr.", …
    Account,
    /// "tlf.", "telefon", "ring", …
    Phone,
    /// "Fakturanr.", "CVR", "EAN", "Ordrenr.", … — business numbers.
    Negative,
}

/// How many words before a number are read.
const WINDOW_WORDS: usize = 3;

fn classify_word(w: &str) -> Before {
    use lexicon::context_flags as F;
    let w = w.trim_end_matches([':', ',', ';', ')', '(']);
    let bare = w.trim_end_matches('.');
    let sets = lexicon::sets();
    // One look-up per form gives every list the word is in.
    let flag = |x: &str| sets.context.get(x).copied().unwrap_or(0);
    let f = flag(bare) | if w.len() == bare.len() { 0 } else { flag(w) };
    let is = |bit: u8| f & bit != 0;
    // Specific before generic: "personnummer" is both Danish and Norwegian.
    if is(F::NO_ID) && !is(F::CPR) {
        return Before::NoId;
    }
    if is(F::CPR) {
        return Before::Cpr;
    }
    if is(F::ACCOUNT) {
        return Before::Account;
    }
    if is(F::PHONE) || bare.starts_with("tlf") || bare.starts_with("telefon") {
        return Before::Phone;
    }
    if bare.starts_with("kontonr") || bare.starts_with("kontonummer") {
        return Before::Account;
    }
    if bare.starts_with("cpr") {
        return Before::Cpr;
    }
    let by_first = bare
        .as_bytes()
        .first()
        .map_or(&[][..], |&b| &sets.negative_prefixes[usize::from(b)][..]);
    if is(F::NEGATIVE) || by_first.iter().any(|p| bare.starts_with(p)) {
        return Before::Negative;
    }
    Before::None
}

/// Reads up to three words before byte `pos` and returns the nearest one that says
/// something. Stops at a previous number and at the end of the previous sentence.
pub fn before(text: &str, pos: usize) -> Before {
    let bytes = text.as_bytes();
    let mut i = pos.min(bytes.len());
    let mut buf = [0u8; 64];
    for _ in 0..WINDOW_WORDS {
        // Skip spaces and opening punctuation.
        while i > 0
            && matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'(' | b'"' | b'\'' | b':' | b'='
            )
        {
            i -= 1;
        }
        if i == 0 || bytes[i - 1] == b'\n' {
            return Before::None;
        }
        let end = i;
        while i > 0 && !matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'(' | b'"') {
            i -= 1;
        }
        let Some(word) = text.get(i..end) else {
            return Before::None;
        };
        if word.bytes().any(|b| b.is_ascii_digit()) {
            return Before::None;
        }
        // A word too long for the buffer is in no list.
        if let Some(lower) = lexicon::lower_in(word, &mut buf) {
            let c = classify_word(lower);
            if c != Before::None {
                return c;
            }
        }
        if word.ends_with(['.', '!', '?']) {
            return Before::None;
        }
    }
    Before::None
}

/// Stems of payment words ("indbetales", "overføres", "betaling", "bankoverførsel",
/// "reg.nr."): one of them a few words before a registration and account number marks it
/// as an account even without the word "konto".
const PAYMENT_STEMS: &[&str] = &[
    "indbetal",
    "udbetal",
    "utbetal",
    "betal",
    "overfør",
    "overfor",
    "bank",
    "reg.",
    "regnr",
    "reg-nr",
    "registreringsn",
    "indsæt",
    "indsat",
    "kt.",
];

/// How many words before a number [`payment_before`] reads.
const PAYMENT_WINDOW_WORDS: usize = 4;

/// Whether a payment word stands among the few words before byte `pos`, in the same
/// sentence and with no other number between.
pub fn payment_before(text: &str, pos: usize) -> bool {
    let bytes = text.as_bytes();
    let mut i = pos.min(bytes.len());
    let mut buf = [0u8; 64];
    for _ in 0..PAYMENT_WINDOW_WORDS {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'(' | b'"' | b':' | b'=') {
            i -= 1;
        }
        if i == 0 || bytes[i - 1] == b'\n' {
            return false;
        }
        let end = i;
        while i > 0 && !matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'(' | b'"') {
            i -= 1;
        }
        let Some(word) = text.get(i..end) else {
            return false;
        };
        if word.bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        if let Some(lower) = lexicon::lower_in(word, &mut buf) {
            let bare = lower.trim_end_matches([':', ',', ';']);
            if bare == "reg" || PAYMENT_STEMS.iter().any(|p| bare.starts_with(p)) {
                return true;
            }
        }
        // "reg." ends with a full stop but ends no sentence.
        if word.ends_with(['!', '?']) || (word.ends_with('.') && word.len() > 4) {
            return false;
        }
    }
    false
}

/// Whether the word right after byte `pos` is a currency or a unit ("kr.", "stk.", "%").
pub fn unit_after(text: &str, pos: usize) -> bool {
    let rest = text.get(pos..).unwrap_or("");
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    if rest.starts_with('%') || rest.starts_with(",-") {
        return true;
    }
    let wlen: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .take(12)
        .map(char::len_utf8)
        .sum();
    let mut buf = [0u8; 64];
    let Some(word) = lexicon::lower_in(&rest[..wlen], &mut buf) else {
        return false;
    };
    let word = word.trim_end_matches('.');
    !word.is_empty() && lexicon::sets().amount_after.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_context_word_decides() {
        let t = "Faktura 7945343898 er sendt";
        assert_eq!(before(t, 8), Before::Negative);
        let t = "med CPR-nr. 0101894009";
        assert_eq!(before(t, 12), Before::Cpr);
        let t = "overføres til reg.nr. og kontonr. 1234 1234567890";
        assert_eq!(before(t, 34), Before::Account);
        let t = "tlf. 40984975";
        assert_eq!(before(t, 5), Before::Phone);
        let t = "Sagsbehandler: Ingrid Andersen, tlf. 27873885";
        assert_eq!(before(t, 37), Before::Phone);
        // A previous number ends the window: context does not leak across numbers.
        let t = "Fakturanr. 123 og 27873885";
        assert_eq!(before(t, 18), Before::None);
        // The end of the previous sentence ends the window.
        let t = "Faktura betalt. 27873885";
        assert_eq!(before(t, 16), Before::None);
        assert!(unit_after("12.000 kr. i alt", 6));
        assert!(!unit_after("12345678 er", 8));
    }
}

//! Special-category and criminal terms, found with one Aho–Corasick automaton
//! (leftmost-longest, ASCII case-insensitive) over the term list in
//! [`crate::lexicon::SENSITIVE_TERMS`].
//!
//! A match must start at a word boundary or inside a compound ("lungekræft",
//! "alkoholmisbrug"), and is widened to the whole word (inflections: "depressionen",
//! "misbruget") as long as the word is at most [`MAX_WIDEN`] bytes longer than the term.
//! Terms that take an object ("dømt for", "misbrug af") also take the next word.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::kind::{Finding, Kind};
use crate::lexicon::SENSITIVE_TERMS;

/// How far a match may grow to cover the word it sits in.
const MAX_WIDEN: usize = 14;

/// The compiled term automaton.
pub struct Sensitive {
    ac: AhoCorasick,
}

fn is_word_byte(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|r| r.chars().next())
        .is_some_and(char::is_alphanumeric)
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|r| r.chars().next_back())
}

impl Sensitive {
    /// Builds the automaton.
    pub fn new() -> Result<Sensitive, aho_corasick::BuildError> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            // A full DFA: one table look-up per byte, several times the speed of the
            // default (contiguous NFA) on text with many near-misses; about 1 MB.
            .kind(Some(AhoCorasickKind::DFA))
            .build(SENSITIVE_TERMS.iter().map(|t| t.text))?;
        Ok(Sensitive { ac })
    }

    /// Pushes sensitive-term findings in `text`.
    pub fn scan(&self, text: &str, out: &mut Vec<Finding>) {
        for m in self.ac.find_iter(text) {
            let Some(term) = SENSITIVE_TERMS.get(m.pattern().as_usize()) else {
                continue;
            };
            let (mut s, mut e) = (m.start(), m.end());
            if !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            // Non-ASCII letters are matched exactly; upper-case initials of non-ASCII
            // terms are rare enough to ignore.
            if term.lower_only && text[s..].starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            // Widen to the word.
            let mut ws = s;
            while let Some(c) = char_before(text, ws) {
                if !c.is_alphabetic() || s - ws > MAX_WIDEN {
                    break;
                }
                ws -= c.len_utf8();
            }
            let mut we = e;
            while is_word_byte(text, we) && we - e <= MAX_WIDEN {
                we += text[we..].chars().next().map_or(1, char::len_utf8);
            }
            if is_word_byte(text, we) || char_before(text, ws).is_some_and(char::is_alphabetic) {
                continue; // inside a long word: not this term
            }
            // A compound must carry the term at its end ("lungekræft"), an inflection
            // at its start ("depressionen"), not both.
            if ws < s && we > e {
                continue;
            }
            s = ws;
            e = we;
            if term.takes_object {
                let rest = &text[e..];
                // Membership takes a proper name ("medlem af 3F", "medlem av
                // Fagforbundet"); the other phrases take a lower-case offence or drug.
                let membership = term.text.starts_with("medlem");
                if let Some(r) = rest.strip_prefix(' ') {
                    let wlen = r.find(|c: char| !c.is_alphanumeric()).unwrap_or(r.len());
                    let ok = if membership {
                        r.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                    } else {
                        r.starts_with(|c: char| c.is_lowercase())
                    };
                    if wlen > 0 && ok {
                        e += 1 + wlen;
                    } else {
                        continue;
                    }
                } else {
                    continue;
                }
            }
            out.push(Finding {
                start: s,
                end: e,
                kind: Kind::Sensitive,
                confidence: 0.8,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        Sensitive::new().expect("automaton").scan(text, &mut out);
        out.iter()
            .map(|f| text[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn finds_terms_phrases_and_compounds() {
        assert_eq!(
            terms("Klienten er dømt for vold og skal"),
            ["dømt for vold"]
        );
        assert_eq!(
            terms("registreret med bipolar lidelse."),
            ["bipolar lidelse"]
        );
        assert_eq!(
            terms("har lungekræft og Depressionen er"),
            ["lungekræft", "Depressionen"]
        );
        assert_eq!(
            terms("straffeattest med anmærkninger"),
            ["straffeattest med anmærkninger"]
        );
        assert_eq!(terms("Mødet med Kristen Hansen"), Vec::<String>::new());
        assert_eq!(terms("han er kristen"), ["kristen"]);
        assert_eq!(
            terms("er medlem af 3F og medlem af bestyrelsen"),
            ["medlem af 3F"]
        );
        // A term in the middle of a long word is not a finding.
        assert!(terms("hjerteangstklinikken").is_empty());
    }
}

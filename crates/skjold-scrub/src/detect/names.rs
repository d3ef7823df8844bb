//! Person names.
//!
//! Danish and Norwegian capitalise proper nouns only, so a name is a run of capitalised
//! words. The detector looks for runs that *start* with evidence of a person:
//!
//! 1. a first name from the lists (common names are strong evidence; names in the long
//!    tail of Danmarks Statistik's list, which also holds words like "Kan" and "Der",
//!    count only away from the start of a sentence or before a known surname);
//! 2. a title right before ("hr.", "fru", "Dr.") — then one word is enough;
//! 3. a role word right before ("Borgeren", "Sagsbehandler:", "att.", "v/", "hilsen");
//! 4. a known surname as the second word, away from the start of a sentence;
//! 5. what follows: a CPR in brackets, ", født", "med CPR-nr.", "kontaktes".
//!
//! The name then takes up to three more capitalised words (double first names,
//! middle names, hyphenated and non-Nordic surnames; particles such as "van der" are
//! kept inside). A run followed by a company form ("ApS", "A/S", "AS", "& Søn",
//! "Gruppen") is a company and is skipped. Street names that begin with a first name
//! ("Thomas Koppelsgade 166") lose to the address detector when findings overlap.

use crate::gazetteer::{Gazetteer, STRONG_RANK, WordInfo};
use crate::kind::{Finding, Kind};
use crate::lexicon;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Strength {
    Strong,
    Weak,
    None,
}

/// A capitalised word.
#[derive(Clone, Debug)]
struct Word {
    start: usize,
    end: usize,
    stop: bool,
    acronym: bool,
    company: bool,
    strength: Strength,
    surname: bool,
}

fn strength(g: &Gazetteer, word: &str, info: WordInfo, stop: bool, acronym: bool) -> Strength {
    if stop || acronym {
        return Strength::None;
    }
    let rank = match word.split_once('-') {
        Some((first, _)) => g.first_name_rank(first).or(info.first_rank()),
        None => info.first_rank(),
    };
    match rank {
        Some(r) if r <= STRONG_RANK => Strength::Strong,
        Some(_) => Strength::Weak,
        None => Strength::None,
    }
}

fn is_surname(g: &Gazetteer, word: &str, info: WordInfo, stop: bool) -> bool {
    !stop
        && if word.contains('-') {
            word.split('-').any(|p| g.is_surname(p))
        } else {
            info.surname()
        }
}

fn is_name_part(w: &Word) -> bool {
    !w.stop && !w.acronym && !w.company
}

/// A street type on its own ("Plads", "Allé") or a street name by its ending
/// ("Koppelsgade"), unless it is a listed surname.
fn is_street_word(text: &str, w: &Word) -> bool {
    if w.surname {
        return false;
    }
    let mut buf = [0u8; 64];
    let Some(lower) = lexicon::lower_in(&text[w.start..w.end], &mut buf) else {
        return false;
    };
    lexicon::sets().street_words.contains(lower) || lexicon::street_ending(lower).is_some()
}

/// The word before byte `pos`, lower case (empty at the start of the text or a line, or
/// when too long to be in any list).
fn prev_word<'a>(text: &str, pos: usize, buf: &'a mut [u8; 64]) -> &'a str {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i > 0 && bytes[i - 1] == b' ' {
        i -= 1;
    }
    let end = i;
    while i > 0 && !matches!(bytes[i - 1], b' ' | b'\n' | b'\t' | b'(' | b'"') {
        i -= 1;
    }
    lexicon::lower_in(text.get(i..end).unwrap_or(""), buf).unwrap_or("")
}

/// Whether the line before byte `pos` is a sign-off ("Med venlig hilsen", "Mvh").
fn after_sign_off(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let Some(line_end) = before.trim_end_matches([' ', '\t']).strip_suffix('\n') else {
        return false;
    };
    let line_end = line_end.trim_end_matches('\r');
    let last_line = line_end
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let last_line = last_line.trim_end_matches([',', '.', '!']);
    last_line.ends_with("hilsen")
        || last_line == "mvh"
        || last_line == "vh"
        || last_line == "kh"
        || last_line.ends_with("regards")
}

/// Whether byte `pos` starts a sentence (or the text, or a line).
fn sentence_start(text: &str, pos: usize) -> bool {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'') {
        i -= 1;
    }
    i == 0
        || matches!(
            bytes[i - 1],
            b'.' | b'!' | b'?' | b'\n' | b'\r' | b'-' | b'*'
        )
}

/// Whether the text after byte `pos` starts with a company form or a joiner that makes
/// the preceding words a company name ("Hansen & Søn ApS", "Lie ASA").
fn company_follows(text: &str, pos: usize) -> bool {
    let rest = text.get(pos..).unwrap_or("");
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let word = rest
        .split(|c: char| c.is_whitespace() || c == ',' || c == ')' || c == ';')
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    let mut buf = [0u8; 64];
    let Some(word) = lexicon::lower_in(word, &mut buf) else {
        return false;
    };
    if word == "og" {
        // "Thorsen og Sønner", but not "Mette Jensen og hendes mor".
        return rest
            .get(3..)
            .is_some_and(|r| r.starts_with("Søn") || r.starts_with("Sønner"));
    }
    lexicon::sets().company.contains(word)
}

/// Whether the text after a two-word run says it is a person.
fn person_follows(text: &str, pos: usize) -> bool {
    let rest = text.get(pos..).unwrap_or("");
    let rest_lower: String = rest.chars().take(24).flat_map(char::to_lowercase).collect();
    let after_paren = rest
        .strip_prefix(" (")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    after_paren
        || rest_lower.starts_with(", født")
        || rest_lower.starts_with(" født")
        || rest_lower.starts_with(" med cpr")
        || rest_lower.starts_with(" med fødselsnummer")
        || rest_lower.starts_with(" med personnummer")
        || rest_lower.starts_with(" kontaktes")
}

/// Splits the capitalised words into runs: words separated by exactly one space, or by
/// a lower-case particle ("van", "de", "al").
fn runs(text: &str, words: &[Word]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        while j < words.len() {
            let gap = text.get(words[j - 1].end..words[j].start).unwrap_or("x");
            let joined = gap == " "
                || (gap.len() > 2
                    && gap.starts_with(' ')
                    && gap.ends_with(' ')
                    && gap[1..gap.len() - 1]
                        .split(' ')
                        .all(|p| lexicon::sets().particles.contains(&p)));
            if !joined {
                break;
            }
            j += 1;
        }
        out.push(i..j);
        i = j;
    }
    out
}

/// Finds person names among the capitalised words `spans` of `text`.
pub fn scan(text: &str, spans: &[(usize, usize)], out: &mut Vec<Finding>) {
    let g = Gazetteer::get();
    let words: Vec<Word> = spans
        .iter()
        .filter_map(|&(s, e)| {
            let w = text.get(s..e)?.trim_end_matches(['-', '\'', '’']);
            if w.is_empty() {
                return None;
            }
            // One look-up: first-name rank, surname, stop word, company form.
            let info = g.info(lexicon::word_hash(w));
            // "A" in "A/S", "I" in "I/S": part of a company form.
            let slash_after = text.as_bytes().get(s + w.len()) == Some(&b'/');
            let stop = slash_after || info.stop();
            // All capitals and at least two letters ("CPR", "EAN", "HANS").
            let acronym = w.len() >= 2
                && w.chars().nth(1).is_some_and(|c| !c.is_lowercase())
                && w.chars().all(|c| !c.is_lowercase());
            Some(Word {
                start: s,
                end: s + w.len(),
                strength: strength(g, w, info, stop, acronym),
                surname: is_surname(g, w, info, stop),
                company: info.company(),
                stop,
                acronym,
            })
        })
        .collect();
    for run in runs(text, &words) {
        let run = &words[run];
        let mut i = 0;
        while i < run.len() {
            let w = &run[i];
            if !is_name_part(w) {
                i += 1;
                continue;
            }
            // The word before: outside the run, or a stop word inside it ("Borgeren
            // Daniel Schmidt", "Hej Peter").
            let mut buf = [0u8; 64];
            let prev = if i == 0 || run[i - 1].stop {
                prev_word(text, w.start, &mut buf)
            } else {
                ""
            };
            let title = lexicon::sets().titles.contains(prev);
            let trigger = lexicon::sets().triggers.contains(prev);
            let greeting = lexicon::sets().greetings.contains(prev)
                || (i == 0 && after_sign_off(text, w.start));
            let at_start = i == 0 && sentence_start(text, w.start);
            let st = w.strength;
            let next_surname = run.get(i + 1).is_some_and(|n| n.surname);
            let next_strong = run
                .get(i + 1)
                .is_some_and(|n| n.strength == Strength::Strong);
            // A rare "first name" at the start of a sentence before a common one is the
            // sentence's first word ("Kan Sandra Kjeldsen …").
            if st == Strength::Weak && at_start && next_strong {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < run.len()
                && j - i < 4
                && is_name_part(&run[j])
                && !is_street_word(text, &run[j])
            {
                j += 1;
            }
            // "Karen Blixens Plads", "Thomas Koppels Allé": a genitive before a street type
            // is a street name, not a person.
            if j < run.len()
                && is_street_word(text, &run[j])
                && text[run[j - 1].start..run[j - 1].end].ends_with('s')
            {
                i = j + 1;
                continue;
            }
            let len = j - i;
            let confidence = match st {
                Strength::Strong if len >= 2 => Some(if next_surname { 0.95 } else { 0.85 }),
                Strength::Weak if len >= 2 && (!at_start || next_surname || trigger || title) => {
                    Some(if next_surname { 0.85 } else { 0.7 })
                }
                Strength::Strong if greeting => Some(0.75),
                Strength::Weak if greeting && !at_start => Some(0.6),
                _ if title => Some(0.8),
                _ if len >= 2 && trigger => Some(0.75),
                _ if len >= 2 && !at_start && next_surname => Some(0.65),
                _ if len == 2 && person_follows(text, run[j - 1].end) => Some(0.7),
                _ => None,
            };
            let Some(confidence) = confidence else {
                i += 1;
                continue;
            };
            let last = &run[j - 1];
            if company_follows(text, last.end) {
                // The whole run is a company name.
                break;
            }
            out.push(Finding {
                start: w.start,
                end: last.end,
                kind: Kind::Person,
                confidence,
            });
            i = j;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match start {
                None if c.is_uppercase() => start = Some(i),
                Some(s) if !(c.is_alphabetic() || c == '-' || c == '\'') => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, text.len()));
        }
        let mut out = Vec::new();
        scan(text, &spans, &mut out);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn finds_names_and_skips_companies() {
        assert_eq!(names("Kan Sandra Kjeldsen kontaktes?"), ["Sandra Kjeldsen"]);
        assert_eq!(
            names("Mødet med Anne-Marie Østergaard-Nielsen er flyttet."),
            ["Anne-Marie Østergaard-Nielsen"]
        );
        assert_eq!(
            names("Søker Hans Peter Ødegård har fått svar."),
            ["Hans Peter Ødegård"]
        );
        assert_eq!(names("att. Ingrid van der Berg"), ["Ingrid van der Berg"]);
        assert_eq!(names("Vi har talt med hr. Mikkelsen i dag."), ["Mikkelsen"]);
        assert_eq!(names("Hej Peter, tak for sidst."), ["Peter"]);
        assert_eq!(names("Med venlig hilsen\nLise\nJobcenter Syd"), ["Lise"]);
        assert!(names("Peter kommer i morgen.").is_empty());
        assert!(names("Vi mødes på Karen Blixens Plads i morgen.").is_empty());
        assert_eq!(
            names("Vi mødes med Karen Hansen Strandvejen i morgen."),
            ["Karen Hansen"]
        );
        assert_eq!(names("Sagen vedrører hendes søn Amir."), ["Amir"]);
        assert_eq!(
            names("Borgeren Odalys Fuentes har ringet."),
            ["Odalys Fuentes"]
        );
        assert!(names("Leverandøren Christensen & Søn ApS har leveret.").is_empty());
        assert!(names("hos Thomas Nielsen ApS for praktik").is_empty());
        assert!(names("Saksnummer 12 gjelder Bakken-Sørensen.").is_empty());
        assert!(names("Der henvises til Danmarks Statistik.").is_empty());
    }
}

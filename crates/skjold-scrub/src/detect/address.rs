//! Street addresses: street name, house number, floor and side, postcode and town.
//!
//! Driven by numbers: for each number that follows a word with a single space, the word
//! is checked for a street ending ("-vej", "-gade", "-veien", "-gata", "-stien",
//! "-tunet", …), for a street-type word on its own ("Brønshøj Allé", "Karl Johans gate"),
//! or against the Danish street list. The street is extended backwards over capitalised
//! words when the longer name is listed ("Thomas Koppels Allé"). After the house number
//! (with a letter: "9C"), the detector takes floor and side ("st. th.", "2. tv.",
//! "3. mf.") and "postcode town" when they follow with a comma, a newline or a space.

use crate::gazetteer::Gazetteer;
use crate::kind::{Finding, Kind};
use crate::lexicon;

fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// The word ending right before byte `end` (which must be preceded by a space).
fn word_before(text: &str, end: usize) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    if end < 2 || bytes[end - 1] != b' ' {
        return None;
    }
    let we = end - 1;
    let mut i = we;
    while i > 0
        && !matches!(
            bytes[i - 1],
            b' ' | b'\n' | b'\t' | b',' | b'(' | b'"' | b':' | b';'
        )
    {
        i -= 1;
    }
    if i == we {
        return None;
    }
    Some((i, text.get(i..we)?))
}

use lexicon::street_ending;

/// Finds the start of a street name ending right before the number at `num_start`.
fn street_start(text: &str, num_start: usize) -> Option<(usize, f32)> {
    let g = Gazetteer::get();
    let (ws, word) = word_before(text, num_start)?;
    let mut buf = [0u8; 64];
    let lower = lexicon::lower_in(word, &mut buf)?;
    // Only a capitalised word or a street type can end a street name.
    if !is_cap(word) && !lexicon::sets().street_words.contains(lower) {
        return None;
    }
    let lower = lower.to_string();
    let mut start;
    let mut base: String;
    let confidence;
    if is_cap(word) && street_ending(&lower).is_some() {
        start = ws;
        base = lower.clone();
        confidence = 0.9;
    } else if lexicon::sets().street_words.contains(&lower.as_str()) {
        // "Brønshøj Allé", "Karl Johans gate": the street type needs a name before it.
        let (ps, prev) = word_before(text, ws)?;
        if !is_cap(prev) {
            return None;
        }
        start = ps;
        base = format!("{} {}", prev.to_lowercase(), lower);
        confidence = 0.85;
        // A genitive before the street type belongs to a longer name: "Karl Johans
        // gate", "Christian Winthers Vej", "H.C. Andersens Boulevard".
        if prev.ends_with('s') {
            // Up to two more given names: "Hans Christian Andersens Boulevard".
            for _ in 0..2 {
                let Some((qs, q)) = word_before(text, start) else {
                    break;
                };
                if !is_cap(q) || lexicon::sets().stop.contains(&q.to_lowercase().as_str()) {
                    break;
                }
                start = qs;
                base = format!("{} {}", q.to_lowercase(), base);
            }
        }
    } else if let Some((ps, prev)) = word_before(text, ws).filter(|(_, p)| is_cap(p))
        && is_cap(word)
        && g.is_street(&format!("{} {}", prev.to_lowercase(), lower))
    {
        // A listed two-word street whose last word is no street type: "Bispebjerg Bakke".
        start = ps;
        base = format!("{} {}", prev.to_lowercase(), lower);
        confidence = 0.85;
    } else if is_cap(word)
        && g.is_street(&lower)
        && !lexicon::sets().stop.contains(&lower.as_str())
        && !g.is_surname(&lower)
        && g.first_name_rank(&lower).is_none()
    {
        start = ws;
        base = lower.clone();
        confidence = 0.75;
    } else {
        return None;
    }
    // Extend backwards while the longer name is a listed street ("Thomas Koppels Allé",
    // "Thomas Koppelsgade" whose base "thomas koppels" is listed).
    for _ in 0..2 {
        let Some((ps, prev)) = word_before(text, start) else {
            break;
        };
        if !is_cap(prev) {
            break;
        }
        let longer = format!("{} {}", prev.to_lowercase(), base);
        let stem = street_ending(&base)
            .map(|e| format!("{} {}", prev.to_lowercase(), &base[..base.len() - e.len()]));
        let stem_listed = stem.as_deref().is_some_and(|s| g.is_street(s.trim_end()));
        if g.is_street(&longer) || stem_listed {
            start = ps;
            base = longer;
        } else {
            break;
        }
    }
    Some((start, confidence))
}

fn take_digits(b: &[u8], i: usize, max: usize) -> usize {
    let mut j = i;
    while j < b.len() && j - i < max && b[j].is_ascii_digit() {
        j += 1;
    }
    if j < b.len() && b[j].is_ascii_digit() {
        return i; // too many digits
    }
    j
}

fn starts_with_ci(b: &[u8], i: usize, s: &str) -> bool {
    b.get(i..i + s.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(s.as_bytes()))
}

/// Floor and side after the house number: "st. th.", "1. tv.", "3. mf.", "4.", "kl.".
fn floor_side(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if ["st", "kl"].iter().any(|p| starts_with_ci(b, j, p)) {
        j += 2;
    } else {
        let k = take_digits(b, j, 2);
        if k == j {
            return None;
        }
        j = k;
    }
    if b.get(j) != Some(&b'.') {
        return None;
    }
    j += 1;
    // Optional side.
    if b.get(j) == Some(&b' ') {
        let k = j + 1;
        let side = ["th", "tv", "mf"].iter().find(|p| starts_with_ci(b, k, p));
        let end = match side {
            Some(_) => k + 2,
            None => take_digits(b, k, 3),
        };
        if end > k && !b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            j = if b.get(end) == Some(&b'.') {
                end + 1
            } else {
                end
            };
        }
    }
    Some(j)
}

/// "2100 København Ø", "DK-8000 Aarhus C", "1302 Emmaodden": postcode and up to three
/// capitalised town words.
fn postcode_town(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    for prefix in ["DK-", "NO-", "N-", "DK "] {
        if text.get(j..).is_some_and(|r| r.starts_with(prefix)) {
            j += prefix.len();
            break;
        }
    }
    let k = take_digits(b, j, 4);
    if k - j != 4 || b.get(k) != Some(&b' ') {
        return None;
    }
    let mut end = None;
    let mut pos = k + 1;
    for _ in 0..3 {
        let rest = text.get(pos..)?;
        if !rest.starts_with(|c: char| c.is_uppercase()) {
            break;
        }
        let wlen = rest
            .find(|c: char| !(c.is_alphabetic() || c == '-'))
            .unwrap_or(rest.len());
        let word = &rest[..wlen];
        if word.is_empty() {
            break;
        }
        end = Some(pos + word.len());
        pos += wlen;
        if b.get(pos) != Some(&b' ')
            || !text
                .get(pos + 1..)
                .is_some_and(|r| r.starts_with(|c: char| c.is_uppercase()))
        {
            break;
        }
        pos += 1;
    }
    end
}

/// Finds addresses; `numbers` are the starts of number runs in text order (a leading
/// `+` is skipped).
pub fn scan(text: &str, numbers: impl IntoIterator<Item = usize>, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for n in numbers {
        let n = if b.get(n) == Some(&b'+') { n + 1 } else { n };
        let Some((start, confidence)) = street_start(text, n) else {
            continue;
        };
        let mut end = take_digits(b, n, 4);
        if end == n {
            continue;
        }
        // House letter: "9C", "05G".
        if b.get(end).is_some_and(u8::is_ascii_alphabetic)
            && !b.get(end + 1).is_some_and(u8::is_ascii_alphabetic)
        {
            end += 1;
        }
        // Floor and side.
        for sep in [", ", " "] {
            if text.get(end..).is_some_and(|r| r.starts_with(sep))
                && let Some(e) = floor_side(b, end + sep.len())
            {
                end = e;
                break;
            }
        }
        // Postcode and town.
        let after = text.get(end..).unwrap_or("");
        let after = after.strip_prefix(',').unwrap_or(after);
        let skip = after.len() - after.trim_start_matches([' ', '\n', '\r']).len();
        if skip <= 3 {
            let at = text.len() - after.len() + skip;
            if let Some(e) = postcode_town(text, at) {
                end = e;
            }
        }
        out.push(Finding {
            start,
            end,
            kind: Kind::Address,
            confidence,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses(text: &str) -> Vec<&str> {
        let mut nums = Vec::new();
        let b = text.as_bytes();
        for i in 0..b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
                nums.push(i);
            }
        }
        let mut out = Vec::new();
        scan(text, nums, &mut out);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn finds_addresses() {
        assert_eq!(
            addresses("bor på Fuglager Allé 185, st. th., 8382 Padborg og"),
            ["Fuglager Allé 185, st. th., 8382 Padborg"]
        );
        assert_eq!(
            addresses("Levering til Hannovervej 47, 4. Tak"),
            ["Hannovervej 47, 4."]
        );
        assert_eq!(
            addresses("bosatt i Birkelandsvingen 05G, 6089 Reidunhavn, er"),
            ["Birkelandsvingen 05G, 6089 Reidunhavn"]
        );
        assert_eq!(
            addresses("Levering til Thomas Koppelsgade 166"),
            ["Thomas Koppelsgade 166"]
        );
        assert_eq!(
            addresses("Karl Johans gate 22\n0159 Oslo"),
            ["Karl Johans gate 22\n0159 Oslo"]
        );
        assert_eq!(
            addresses("Levering til Værksted Allé 53, 3. mf., 7573 Rask Mølle"),
            ["Værksted Allé 53, 3. mf., 7573 Rask Mølle"]
        );
        assert_eq!(
            addresses("H.C. Andersens Boulevard 27, 1553 København V. Tak"),
            ["H.C. Andersens Boulevard 27, 1553 København V"]
        );
        assert_eq!(
            addresses("Adressen er Hans Christian Andersens Boulevard 27."),
            ["Hans Christian Andersens Boulevard 27"]
        );
        assert!(addresses("Mødet med Mette Lund 5 gange").is_empty());
        assert!(addresses("leveret 291 stk.").is_empty());
    }
}

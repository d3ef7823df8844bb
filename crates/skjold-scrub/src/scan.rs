//! The candidate pass: one hand-written walk over the bytes of a text that finds every
//! position any detector needs, with no allocation per token (the token lists are
//! reused buffers).
//!
//! A 256-entry table says which bytes can start something: digits and `+` (number
//! runs), ASCII capitals (capitalised words and IBANs), `@` (e-mail addresses) and the
//! lead bytes of non-ASCII characters (decoded only there, to test for a capital). Every
//! other byte (lower-case letters, spaces, punctuation: most of a text) costs one table
//! look-up. The token shapes are those of the former multi-pattern regex, which this
//! replaces:
//!
//! | token | shape |
//! |---|---|
//! | e-mail | `[\w.%+-]+@[\w-]+(\.[\w-]+)*\.\p{L}{2,}`, found from the `@` outwards |
//! | IBAN candidate | `[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,4})?` |
//! | number run | `\+?[0-9]+([ .,/-][0-9]+)*` |
//! | capitalised word | `\p{Lu}[\p{L}\p{M}'’-]*` |
//!
//! An e-mail address wins over the tokens inside it: when the `@` is reached, tokens
//! already taken from its local part are dropped.

/// Token positions (byte ranges) of one text, in text order within each list.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub emails: Vec<(usize, usize)>,
    pub ibans: Vec<(usize, usize)>,
    pub numbers: Vec<(usize, usize)>,
    pub caps: Vec<(usize, usize)>,
}

const SKIP: u8 = 0;
const DIGIT: u8 = 1;
const PLUS: u8 = 2;
const UPPER: u8 = 3;
const AT: u8 = 4;
const HIGH: u8 = 5;

static CLASS: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            DIGIT
        } else if b == b'+' {
            PLUS
        } else if b.is_ascii_uppercase() {
            UPPER
        } else if b == b'@' {
            AT
        } else if b >= 0xC0 {
            HIGH
        } else {
            SKIP
        };
        i += 1;
    }
    t
};

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|r| r.chars().next())
}

/// End of a number run starting at `i` (a digit, or `+` before a digit).
fn number_end(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'+' {
        i += 1;
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    while i + 1 < b.len()
        && matches!(b[i], b' ' | b'.' | b',' | b'/' | b'-')
        && b[i + 1].is_ascii_digit()
    {
        i += 2;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

fn is_upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// End of an IBAN candidate starting at `i`, if the shape matches.
fn iban_end(b: &[u8], i: usize) -> Option<usize> {
    let head = b.get(i..i + 4)?;
    if !(head[0].is_ascii_uppercase()
        && head[1].is_ascii_uppercase()
        && head[2].is_ascii_digit()
        && head[3].is_ascii_digit())
    {
        return None;
    }
    let mut j = i + 4;
    let group = |j: usize, n: usize| -> Option<usize> {
        let k = if b.get(j) == Some(&b' ') { j + 1 } else { j };
        let g = b.get(k..k + n)?;
        g.iter().all(|&x| is_upper_alnum(x)).then_some(k + n)
    };
    let mut reps = 0;
    while reps < 7 {
        match group(j, 4) {
            Some(k) => {
                j = k;
                reps += 1;
            }
            None => break,
        }
    }
    if reps < 2 {
        return None;
    }
    // Optional tail of 1-4 characters (greedy).
    let k = if b.get(j) == Some(&b' ') { j + 1 } else { j };
    let mut t = k;
    while t < b.len() && t - k < 4 && is_upper_alnum(b[t]) {
        t += 1;
    }
    Some(if t > k { t } else { j })
}

/// End of a capitalised word whose first character ends at `i`.
fn cap_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        let x = b[i];
        if x.is_ascii_alphabetic() || x == b'\'' || x == b'-' {
            i += 1;
        } else if x < 0x80 {
            break;
        } else {
            match char_at(text, i) {
                Some(c) if c.is_alphabetic() || c == '’' || is_mark(c) => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

fn is_mark(c: char) -> bool {
    // Combining diacritical marks, the common block.
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The e-mail address around the `@` at `at`, if there is one.
fn email_at(text: &str, at: usize) -> Option<(usize, usize)> {
    // Local part: back over [\w.%+-].
    let mut s = at;
    for c in text[..at].chars().rev() {
        if is_word_char(c) || matches!(c, '.' | '%' | '+' | '-') {
            s -= c.len_utf8();
        } else {
            break;
        }
    }
    if s == at {
        return None;
    }
    // Domain: [\w-]+ (\.[\w-]+)* \.\p{L}{2,}, the most labels that still end well.
    let label_end = |mut j: usize| {
        while let Some(c) = char_at(text, j) {
            if is_word_char(c) || c == '-' {
                j += c.len_utf8();
            } else {
                break;
            }
        }
        j
    };
    let mut j = label_end(at + 1);
    if j == at + 1 {
        return None;
    }
    let mut best = None;
    while text.as_bytes().get(j) == Some(&b'.') {
        let k = j + 1;
        let mut letters = 0;
        let mut le = k;
        while let Some(c) = char_at(text, le) {
            if c.is_alphabetic() {
                letters += 1;
                le += c.len_utf8();
            } else {
                break;
            }
        }
        if letters >= 2 {
            best = Some(le);
        }
        let e = label_end(k);
        if e == k {
            break;
        }
        j = e;
    }
    best.map(|e| (s, e))
}

fn drop_from(v: &mut Vec<(usize, usize)>, s: usize) {
    while v.last().is_some_and(|&(_, e)| e > s) {
        v.pop();
    }
}

/// Fills `t` (cleared first) with the tokens of `text`.
pub(crate) fn tokenize(text: &str, t: &mut Tokens) {
    t.emails.clear();
    t.ibans.clear();
    t.numbers.clear();
    t.caps.clear();
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        match CLASS[b[i] as usize] {
            SKIP => i += 1,
            DIGIT => {
                let e = number_end(b, i);
                t.numbers.push((i, e));
                i = e;
            }
            PLUS => {
                if b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    let e = number_end(b, i);
                    t.numbers.push((i, e));
                    i = e;
                } else {
                    i += 1;
                }
            }
            UPPER => {
                if let Some(e) = iban_end(b, i) {
                    t.ibans.push((i, e));
                    i = e;
                } else {
                    let e = cap_end(text, i + 1);
                    t.caps.push((i, e));
                    i = e;
                }
            }
            AT => match email_at(text, i) {
                Some((s, e)) => {
                    drop_from(&mut t.numbers, s);
                    drop_from(&mut t.caps, s);
                    drop_from(&mut t.ibans, s);
                    t.emails.push((s, e));
                    i = e;
                }
                None => i += 1,
            },
            _ => match char_at(text, i) {
                Some(c) if c.is_uppercase() => {
                    let e = cap_end(text, i + c.len_utf8());
                    t.caps.push((i, e));
                    i = e;
                }
                Some(c) => i += c.len_utf8(),
                None => i += 1,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Tokens {
        let mut t = Tokens::default();
        tokenize(text, &mut t);
        t
    }

    fn texts<'a>(text: &'a str, v: &[(usize, usize)]) -> Vec<&'a str> {
        v.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn finds_each_token_shape() {
        let t = "Søren Ågård (+45 27 87 38 85) skrev til mette.hansen@post.kommune.dk. \
                 IBAN DK50 0040 0440 1162 43, beløb 1.250,00 kr. O'Neil og Anne-Marie.";
        let k = toks(t);
        assert_eq!(texts(t, &k.emails), ["mette.hansen@post.kommune.dk"]);
        assert_eq!(texts(t, &k.ibans), ["DK50 0040 0440 1162 43"]);
        assert_eq!(texts(t, &k.numbers), ["+45 27 87 38 85", "1.250,00"]);
        assert_eq!(
            texts(t, &k.caps),
            ["Søren", "Ågård", "IBAN", "O'Neil", "Anne-Marie"]
        );
    }

    #[test]
    fn email_takes_its_local_part_and_the_longest_good_domain() {
        let t = "Skriv til Mette.Hansen2@x.dk-y eller a@b.c ellers q@mail.example.no.";
        let k = toks(t);
        assert_eq!(
            texts(t, &k.emails),
            ["Mette.Hansen2@x.dk", "q@mail.example.no"]
        );
        assert_eq!(texts(t, &k.caps), ["Skriv"]);
    }
}

//! Numbers: CPR, Norwegian identity numbers, accounts and phone numbers.
//!
//! The tokenizer hands over a *run*: digit groups joined by single separators
//! (`+45 56 78 28 28`, `010175-1234`, `4387.54.10149`, `25/09/2023`, `99.999,99`). The
//! run is split into the longest prefixes that form a known shape, checked by the
//! validators and weighed by the words right before it (see [`super::context`]).
//!
//! | shape | kind | validated by |
//! |---|---|---|
//! | `DDMMYY-SSSS`, `DDMMYY SSSS`, 10 digits | CPR | real date, century from the 7th digit, not in the future; mod 11 raises confidence |
//! | `DDMMYYIIIKK`, `DDMMYY IIIKK` | NO_ID | both check digits, date with D/H offsets and century from the individual number |
//! | `NNNN.NN.NNNNN`, 11 digits after "konto" | ACCOUNT | Norwegian mod 11 |
//! | `RRRR AAAAAAAAAA`, `RRRR-AAAAAAAAAA` | ACCOUNT | shape; context for shorter account parts |
//! | `+45`/`+47` + 8 digits, `XX XX XX XX`, `XXXX XXXX`, `XXX XX XXX`, 8 digits | PHONE | first digit 2–9; dates, amounts, CVR/EAN/order numbers excluded |

use super::context::{self, Before};
use crate::kind::{Finding, Kind};
use crate::validate::{self, Date};

/// One digit group of a run.
#[derive(Clone, Copy, Debug)]
struct Group {
    start: usize,
    end: usize,
    /// Separator before this group (0 for the first).
    sep: u8,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// What a slice of groups turned out to be.
enum Class {
    /// Personal data.
    Pii(Kind, f32),
    /// A date, time, amount or quantity: consumed, not personal data.
    NotPii,
    /// No known shape.
    Unknown,
}

/// Maximum groups considered in one run (longer runs are tables of numbers).
const MAX_GROUPS: usize = 12;

/// Classifies the number run `text[start..end]` and pushes findings.
pub fn scan_run(text: &str, start: usize, end: usize, today: Date, out: &mut Vec<Finding>) {
    let bytes = text.as_bytes();
    // Skip numbers glued to letters ("ref123", "H2O"): they are codes.
    if start > 0 && bytes[start - 1].is_ascii_alphabetic() {
        return;
    }
    if end < bytes.len() && bytes[end].is_ascii_alphabetic() && !ends_house_letter(bytes, end) {
        return;
    }
    let plus = bytes.get(start) == Some(&b'+');
    let mut group_buf = [Group {
        start: 0,
        end: 0,
        sep: 0,
    }; MAX_GROUPS];
    let mut count = 0;
    let mut i = if plus { start + 1 } else { start };
    let mut sep = 0u8;
    while i < end {
        let g_start = i;
        while i < end && bytes[i].is_ascii_digit() {
            i += 1;
        }
        group_buf[count] = Group {
            start: g_start,
            end: i,
            sep,
        };
        count += 1;
        if i < end {
            sep = bytes[i];
            i += 1;
        }
        if count >= MAX_GROUPS {
            break;
        }
    }
    let groups = &group_buf[..count];
    // A run longer than any known shape is at most MAX_GROUPS groups of digits; longer
    // digit strings are cut (and match no shape).
    let mut digit_buf = [0u8; 64];
    let mut g = 0;
    while g < groups.len() {
        let mut advanced = false;
        // The words before a slice depend only on where it starts.
        let ctx = context::before(
            text,
            if g == 0 && plus {
                start
            } else {
                groups[g].start
            },
        );
        for h in (g + 1..=groups.len()).rev() {
            let slice = &groups[g..h];
            let s = if g == 0 && plus {
                start
            } else {
                slice[0].start
            };
            let e = slice[slice.len() - 1].end;
            let mut n = 0;
            for gr in slice {
                let d = &bytes[gr.start..gr.end];
                let take = d.len().min(digit_buf.len() - n);
                digit_buf[n..n + take].copy_from_slice(&d[..take]);
                n += take;
            }
            match classify(
                text,
                ctx,
                s,
                e,
                slice,
                g == 0 && plus,
                &digit_buf[..n],
                today,
            ) {
                Class::Pii(kind, confidence) => {
                    out.push(Finding {
                        start: s,
                        end: e,
                        kind,
                        confidence,
                    });
                }
                Class::NotPii => {}
                Class::Unknown => continue,
            }
            g = h;
            advanced = true;
            break;
        }
        if !advanced {
            g += 1;
        }
    }
}

/// Words that join a registration number to an account number: "1234 kt. 12345678".
const REG_ACCOUNT_JOINERS: &[&str] = &[
    " kt. ",
    " kt ",
    " kt.",
    " kto. ",
    " kto ",
    " konto ",
    " kontonr. ",
    " kontonr ",
    " konto nr. ",
    " / ",
    "/",
];

/// A registration number and an account number written as two runs with a joining word
/// between them ("reg. 1234 kt. 12345678"): one account finding over both. `runs` are
/// the number runs of the text in order.
pub fn scan_reg_account(text: &str, runs: &[(usize, usize)], out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    for w in runs.windows(2) {
        let ((s1, e1), (s2, e2)) = (w[0], w[1]);
        let digits = |s: usize, e: usize| b[s..e].iter().all(u8::is_ascii_digit);
        if e1 - s1 != 4 || !(6..=10).contains(&(e2 - s2)) || !digits(s1, e1) || !digits(s2, e2) {
            continue;
        }
        if (s1 > 0 && b[s1 - 1].is_ascii_alphanumeric())
            || b.get(e2).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        let gap = &text[e1..s2];
        if !REG_ACCOUNT_JOINERS
            .iter()
            .any(|j| gap.eq_ignore_ascii_case(j))
        {
            continue;
        }
        let confidence = if gap.contains('/') { 0.7 } else { 0.9 };
        if gap.contains('/') && !context::payment_before(text, s1) {
            continue;
        }
        out.push(Finding {
            start: s1,
            end: e2,
            kind: Kind::Account,
            confidence,
        });
    }
}

/// "12B" in an address: a single letter after the digits, then a non-letter.
fn ends_house_letter(bytes: &[u8], end: usize) -> bool {
    bytes[end].is_ascii_alphabetic() && bytes.get(end + 1).is_none_or(|b| !b.is_ascii_alphabetic())
}

/// The group lengths (at most [`MAX_GROUPS`]).
struct Shape {
    lens: [usize; MAX_GROUPS],
    n: usize,
}

impl std::ops::Deref for Shape {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        &self.lens[..self.n]
    }
}

fn shape(groups: &[Group]) -> Shape {
    let mut lens = [0; MAX_GROUPS];
    for (l, g) in lens.iter_mut().zip(groups) {
        *l = g.len();
    }
    Shape {
        lens,
        n: groups.len().min(MAX_GROUPS),
    }
}

/// All separators after the first group are in `allowed`.
fn seps_in(groups: &[Group], allowed: &[u8]) -> bool {
    groups.iter().skip(1).all(|g| allowed.contains(&g.sep))
}

fn is_date_like(groups: &[Group]) -> bool {
    if groups.len() == 3 {
        let same = groups[1].sep == groups[2].sep && matches!(groups[1].sep, b'.' | b'/' | b'-');
        let l = shape(groups);
        return same
            && ((l[0] <= 2 && l[1] <= 2 && (l[2] == 4 || l[2] == 2))
                || (l[0] == 4 && l[1] <= 2 && l[2] <= 2));
    }
    if groups.len() == 2 && matches!(groups[1].sep, b'.' | b':' | b'/') {
        // 10.30 (time), 12/5 (date), 1.500 (thousands)
        let l = shape(groups);
        return l[0] <= 3 && l[1] <= 3;
    }
    false
}

#[allow(clippy::too_many_arguments)]
fn classify(
    text: &str,
    ctx: Before,
    s: usize,
    e: usize,
    groups: &[Group],
    plus: bool,
    d: &[u8],
    today: Date,
) -> Class {
    if groups.iter().skip(1).any(|g| g.sep == b',') || context::unit_after(text, e) {
        return Class::NotPii;
    }
    if !plus && is_date_like(groups) {
        return Class::NotPii;
    }
    let n = d.len();
    let l = shape(groups);

    // International phone numbers: +45 / +47 / 0045 / 0047 followed by 8 digits.
    let intl = if plus {
        Some(d)
    } else if d.starts_with(b"00") && groups[0].len() >= 4 && n >= 12 {
        Some(&d[2..])
    } else {
        None
    };
    if let Some(rest) = intl {
        if (rest.starts_with(b"45") || rest.starts_with(b"47"))
            && rest.len() == 10
            && seps_in(groups, b" -")
        {
            return Class::Pii(
                Kind::Phone,
                if ctx == Before::Negative { 0.3 } else { 0.95 },
            );
        }
        if plus && (9..=15).contains(&rest.len()) && seps_in(groups, b" -") {
            return Class::Pii(Kind::Phone, 0.8);
        }
        if plus {
            return Class::Unknown;
        }
    }

    // CPR: 10 digits, DDMMYY-SSSS.
    if n == 10 && (*l == [10] || (*l == [6, 4] && seps_in(groups, b"- "))) {
        if ctx == Before::Account {
            return Class::Pii(Kind::Account, 0.6);
        }
        if validate::cpr_birth_date(d, today).is_some() {
            let mut c: f32 = if validate::cpr_mod11(d) { 0.85 } else { 0.75 };
            if *l == [6, 4] {
                c += 0.05;
            }
            c = match ctx {
                Before::Cpr | Before::NoId => 0.98,
                Before::Negative => 0.3,
                Before::Phone => 0.4,
                _ => c,
            };
            return Class::Pii(Kind::Cpr, c);
        }
        if ctx == Before::Cpr {
            return Class::Pii(Kind::Cpr, 0.6);
        }
        return Class::Unknown;
    }

    // Norwegian identity numbers and account numbers: 11 digits, or 6 + 5.
    if n == 11 && (*l == [11] || (*l == [6, 5] && seps_in(groups, b" -"))) {
        let noid = validate::no_id(d, today).is_some();
        // Both check digits hold: one random number in about 120 passes, so with no word
        // before it this is an identity number too, if a less certain one.
        let checks = noid || validate::no_id_check_digits(d, today);
        let acct = validate::no_account(d);
        return match ctx {
            Before::Account if acct => Class::Pii(Kind::Account, 0.9),
            Before::Account if !noid => Class::Pii(Kind::Account, 0.6),
            Before::Negative if noid => Class::Pii(Kind::NoId, 0.3),
            _ if noid => Class::Pii(Kind::NoId, if ctx == Before::NoId { 0.99 } else { 0.9 }),
            Before::Negative => Class::Unknown,
            Before::NoId | Before::Cpr if checks => Class::Pii(Kind::NoId, 0.9),
            _ if checks => Class::Pii(Kind::NoId, 0.7),
            Before::NoId | Before::Cpr => Class::Pii(Kind::NoId, 0.6),
            _ => Class::Unknown,
        };
    }
    if *l == [4, 2, 5] && seps_in(groups, b". ") && groups[1].sep == groups[2].sep {
        let c = if validate::no_account(d) {
            0.9
        } else if ctx == Before::Account {
            0.7
        } else {
            0.55
        };
        return Class::Pii(Kind::Account, if ctx == Before::Negative { 0.3 } else { c });
    }

    // Danish registration number + account number.
    if l.len() == 2 && l[0] == 4 && (6..=10).contains(&l[1]) && seps_in(groups, b" -") {
        return match ctx {
            Before::Account => Class::Pii(Kind::Account, 0.9),
            Before::Negative => Class::Unknown,
            // "indbetales på 1234 0012345678", "overføres til 1234-1234567": a payment
            // word a few words before says what the number is, as "konto" would.
            _ if context::payment_before(text, s) => Class::Pii(Kind::Account, 0.85),
            _ if l[1] == 10 => Class::Pii(Kind::Account, 0.7),
            _ => Class::Unknown,
        };
    }
    if *l == [14] && ctx == Before::Account {
        return Class::Pii(Kind::Account, 0.8);
    }

    // National phone numbers: 8 digits, first digit 2-9.
    if n == 8 && (b'2'..=b'9').contains(&d[0]) {
        let grouped_ok = matches!(
            &*l,
            [2, 2, 2, 2] | [4, 4] | [3, 2, 3] | [2, 3, 3] | [3, 3, 2] | [3, 5]
        );
        if *l == [8] {
            let c = match ctx {
                Before::Phone => 0.9,
                Before::Negative | Before::Account => 0.1,
                Before::Cpr | Before::NoId => 0.3,
                Before::None if looks_like_ddmmyyyy(d) || looks_like_yyyymmdd(d) => 0.3,
                Before::None => 0.6,
            };
            return Class::Pii(Kind::Phone, c);
        }
        if grouped_ok && (seps_in(groups, b" -") || (*l == [2, 2, 2, 2] && seps_in(groups, b"."))) {
            let c = match ctx {
                Before::Phone => 0.95,
                Before::Negative | Before::Account => 0.2,
                _ => 0.8,
            };
            return Class::Pii(Kind::Phone, c);
        }
    }

    if ctx == Before::Account && (7..=18).contains(&n) && groups.len() <= 3 {
        return Class::Pii(Kind::Account, 0.6);
    }
    Class::Unknown
}

/// `20171221`: a compact ISO date, common in documents and XML comments.
fn looks_like_yyyymmdd(d: &[u8]) -> bool {
    let num = |a: usize, b: usize| {
        d[a..b]
            .iter()
            .fold(0u32, |acc, x| acc * 10 + u32::from(x - b'0'))
    };
    let year = num(0, 4);
    (1900..=2100).contains(&year)
        && Date::new(year as i32, num(4, 6) as u8, num(6, 8) as u8).is_some()
}

fn looks_like_ddmmyyyy(d: &[u8]) -> bool {
    let num = |a: usize, b: usize| {
        d[a..b]
            .iter()
            .fold(0u32, |acc, x| acc * 10 + u32::from(x - b'0'))
    };
    let year = num(4, 8);
    (1900..=2100).contains(&year)
        && Date::new(year as i32, num(2, 4) as u8, num(0, 2) as u8).is_some()
}

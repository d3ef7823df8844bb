//! Check-digit and date validators for the identifiers the scrubber recognises.
//!
//! Every function takes ASCII digits only (callers strip separators first) and returns
//! `false`/`None` for anything else, so they are safe on arbitrary input. Each is
//! tested against its published definition with property tests below.

use skjold_core::Cpr;

/// A calendar date (proleptic Gregorian). Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl Date {
    /// A date if `year-month-day` exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Today in UTC from the system clock. The scrubber takes "today" as a setting so
    /// tests can fix it; this is only the default.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` of `year` (0 for an invalid month).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != N || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(s) {
        *o = b - b'0';
    }
    Some(out)
}

/// Birth date of a Danish CPR number (`DDMMYYSSSS`, digits only), by the CPR office's
/// rules as Skjold's core keeps them (the century from the 7th digit and the year), or
/// `None` if there is no such date or it lies after `today`.
///
/// The modulus-11 check is deliberately not part of validity: CPR numbers issued since
/// 2007 need not satisfy it. See [`cpr_mod11`].
pub fn cpr_birth_date(s: &[u8], today: Date) -> Option<Date> {
    let born = Cpr::from_ascii_digits(s)?.birth_date()?;
    let date = Date::new(born.year(), born.month(), born.day())?;
    (date <= today).then_some(date)
}

/// The CPR modulus-11 check (weights 4,3,2,7,6,5,4,3,2,1) of a CPR number with a real
/// birth date.
pub fn cpr_mod11(s: &[u8]) -> bool {
    Cpr::from_ascii_digits(s).is_some_and(|c| c.passes_modulus11())
}

/// Mod-11 check digit with the given weights: `11 - sum % 11`, where 11 becomes 0 and
/// 10 means no valid check digit exists.
fn mod11_digit(d: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = d.iter().zip(weights).map(|(&x, &w)| u32::from(x) * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

/// Which kind of Norwegian identity number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoIdKind {
    /// Fødselsnummer.
    Fodselsnummer,
    /// D-nummer: 4 added to the first digit of the day.
    DNummer,
    /// H-nummer: 4 added to the first digit of the month.
    HNummer,
}

/// Validates a Norwegian fødselsnummer / D-nummer / H-nummer (11 digits).
///
/// Both check digits must hold (weights 3,7,6,1,8,9,4,5,2 and 5,4,3,2,7,6,5,4,3,2), the
/// birth date must exist with the century given by the individual number, and must not
/// be after `today`. The 2032 rule: from 1 July 2032 new numbers no longer carry the
/// first check digit, so when `today` is on or after that date a number whose second
/// check digit holds is accepted even if the first does not.
pub fn no_id(s: &[u8], today: Date) -> Option<NoIdKind> {
    if !no_id_check_digits(s, today) {
        return None;
    }
    let d: [u8; 11] = digits(s)?;
    let mut day = d[0] * 10 + d[1];
    let mut month = d[2] * 10 + d[3];
    let kind = if day > 40 {
        day -= 40;
        NoIdKind::DNummer
    } else if month > 40 {
        month -= 40;
        NoIdKind::HNummer
    } else {
        NoIdKind::Fodselsnummer
    };
    let yy = i32::from(d[4] * 10 + d[5]);
    let individual = u32::from(d[6]) * 100 + u32::from(d[7]) * 10 + u32::from(d[8]);
    let century = match (individual, yy) {
        (0..=499, _) => 1900,
        (500..=749, 54..=99) => 1800,
        (500..=999, 0..=39) => 2000,
        (900..=999, 40..=99) => 1900,
        _ => return None,
    };
    let date = Date::new(century + yy, month, day)?;
    (date <= today).then_some(kind)
}

/// Whether the two check digits of an 11-digit Norwegian identity number hold (with the
/// 2032 rule, only the second from 1 July 2032), whatever the date part says. Numbers
/// whose date is no date (test persons with 80 added to the month, numbers written
/// wrongly) are still identity numbers to hide.
pub fn no_id_check_digits(s: &[u8], today: Date) -> bool {
    let Some(d) = digits::<11>(s) else {
        return false;
    };
    const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let k2_ok = mod11_digit(&d[..10], &W2) == Some(d[10]);
    let k1_ok = mod11_digit(&d[..9], &W1) == Some(d[9]);
    let rule_2032 = today
        >= Date {
            year: 2032,
            month: 7,
            day: 1,
        };
    k2_ok && (k1_ok || rule_2032)
}

/// Norwegian bank account number (11 digits): modulus 11 with weights
/// 5,4,3,2,7,6,5,4,3,2 over the first ten digits.
pub fn no_account(s: &[u8]) -> bool {
    const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    digits::<11>(s)
        .map(|d| mod11_digit(&d[..10], &W) == Some(d[10]))
        .unwrap_or(false)
}

/// IBAN (ISO 13616) without spaces: two letters, two check digits, up to 30
/// alphanumerics, and the whole number modulo 97 equal to 1 after moving the first four
/// characters to the end.
pub fn iban(s: &[u8]) -> bool {
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s[4..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in s[4..].iter().chain(&s[..4]) {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(b - b'A') + 10) % 97;
        }
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 6,
        day: 1,
    };

    #[test]
    fn known_numbers() {
        // Examples from the invoice corpus and the CPR office's documentation.
        assert!(cpr_birth_date(b"1807670000", TODAY).is_some());
        assert!(cpr_birth_date(b"0101894009", TODAY).is_some());
        assert!(cpr_birth_date(b"3102894009", TODAY).is_none());
        assert!(cpr_birth_date(b"0101304009", TODAY).is_none()); // 2030 is in the future
        assert!(cpr_mod11(b"0707614285"));
        assert!(no_id(b"30069439078", TODAY).is_some());
        assert_eq!(no_id(b"52057746939", TODAY), Some(NoIdKind::DNummer));
        assert!(no_id(b"30069439079", TODAY).is_none());
        assert!(iban(b"DK5000400440116243"));
        assert!(iban(b"NO9386011117947"));
        assert!(!iban(b"DK5000400440116244"));
        assert!(no_account(b"86011117947"));
        assert_eq!(
            Date::from_days_since_epoch(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_days_since_epoch(20_454),
            Date {
                year: 2026,
                month: 1,
                day: 1
            }
        );
    }

    fn cpr_century(d7: u32, yy: u32) -> i32 {
        // Straight transcription of the CPR office's table.
        match d7 {
            0..=3 => 1900,
            4 | 9 if yy <= 36 => 2000,
            4 | 9 => 1900,
            _ if yy <= 57 => 2000,
            _ => 1800,
        }
    }

    proptest! {
        #[test]
        fn cpr_matches_definition(day in 0u32..40, month in 0u32..14, yy in 0u32..100, serial in 0u32..10_000) {
            let s = format!("{day:02}{month:02}{yy:02}{serial:04}");
            let year = cpr_century(serial / 1000, yy) + yy as i32;
            let expected = Date::new(year, month as u8, day as u8).filter(|d| *d <= TODAY);
            prop_assert_eq!(cpr_birth_date(s.as_bytes(), TODAY), expected);
            let w = [4u32, 3, 2, 7, 6, 5, 4, 3, 2, 1];
            let sum: u32 = s.bytes().zip(w).map(|(b, w)| u32::from(b - b'0') * w).sum();
            let real = Date::new(year, month as u8, day as u8).is_some();
            prop_assert_eq!(cpr_mod11(s.as_bytes()), real && sum.is_multiple_of(11));
        }

        #[test]
        fn no_id_check_digits_match_definition(s in "[0-9]{11}") {
            let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
            let k1 = 11 - (3*d[0] + 7*d[1] + 6*d[2] + d[3] + 8*d[4] + 9*d[5] + 4*d[6] + 5*d[7] + 2*d[8]) % 11;
            let k1 = if k1 == 11 { 0 } else { k1 };
            let k2 = 11 - (5*d[0] + 4*d[1] + 3*d[2] + 2*d[3] + 7*d[4] + 6*d[5] + 5*d[6] + 4*d[7] + 3*d[8] + 2*d[9]) % 11;
            let k2 = if k2 == 11 { 0 } else { k2 };
            let checks = k1 == d[9] && k2 == d[10];
            if no_id(s.as_bytes(), TODAY).is_some() {
                prop_assert!(checks);
            }
        }

        #[test]
        fn generated_no_ids_validate(day in 1u8..=28, month in 1u8..=12, yy in 0u32..100, ind in 0u32..500, dnr in any::<bool>()) {
            // Build a 20th-century number by the definition, then check the validator accepts it.
            let dd = if dnr { day + 40 } else { day };
            let base = format!("{dd:02}{month:02}{yy:02}{ind:03}");
            let d: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
            let k1 = 11 - (3*d[0] + 7*d[1] + 6*d[2] + d[3] + 8*d[4] + 9*d[5] + 4*d[6] + 5*d[7] + 2*d[8]) % 11;
            prop_assume!(k1 != 10);
            let k1 = if k1 == 11 { 0 } else { k1 };
            let k2 = 11 - (5*d[0] + 4*d[1] + 3*d[2] + 2*d[3] + 7*d[4] + 6*d[5] + 5*d[6] + 4*d[7] + 3*d[8] + 2*k1) % 11;
            prop_assume!(k2 != 10);
            let k2 = if k2 == 11 { 0 } else { k2 };
            let s = format!("{base}{k1}{k2}");
            let expected = if dnr { NoIdKind::DNummer } else { NoIdKind::Fodselsnummer };
            prop_assert_eq!(no_id(s.as_bytes(), TODAY), Some(expected));
        }

        #[test]
        fn iban_matches_mod97_definition(country in "[A-Z]{2}", bban in "[0-9A-Z]{11,30}") {
            // Compute the check digits by the definition and verify acceptance; change one
            // digit and verify rejection.
            let rearranged = format!("{bban}{country}00");
            let mut rem: u64 = 0;
            for c in rearranged.chars() {
                let v = c.to_digit(36).map(u64::from).unwrap_or(0);
                rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
            }
            let check = 98 - rem;
            let s = format!("{country}{check:02}{bban}");
            prop_assert!(iban(s.as_bytes()));
            let mut wrong = s.clone().into_bytes();
            wrong[2] = if wrong[2] == b'9' { b'0' } else { wrong[2] + 1 };
            prop_assert!(!iban(&wrong));
        }

        #[test]
        fn no_account_matches_definition(s in "[0-9]{11}") {
            let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
            let w = [5u32, 4, 3, 2, 7, 6, 5, 4, 3, 2];
            let sum: u32 = d[..10].iter().zip(w).map(|(x, w)| x * w).sum();
            let k = match 11 - sum % 11 { 11 => Some(0), 10 => None, k => Some(k) };
            prop_assert_eq!(no_account(s.as_bytes()), k == Some(d[10]));
        }

        #[test]
        fn validators_never_panic(s in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = cpr_birth_date(&s, TODAY);
            let _ = cpr_mod11(&s);
            let _ = no_id(&s, TODAY);
            let _ = no_account(&s);
            let _ = iban(&s);
        }
    }
}

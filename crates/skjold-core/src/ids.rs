//! National identifiers: the Danish CPR number and the Danish CVR number.
//!
//! A value of these types is valid by construction: `Deserialize` goes through the same
//! parser as [`Cpr::parse`], so JSON cannot smuggle an invalid number in.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::time::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a CPR number has 10 digits, optionally with a hyphen after the first 6")]
    CprFormat,
    #[error("the CPR number holds no real birth date")]
    CprDate,
    #[error("the CPR number's birth date lies in the future")]
    CprFuture,
    #[error("a CVR number has 8 digits and does not begin with 0")]
    CvrFormat,
    #[error("the CVR number's check digit is wrong")]
    CvrChecksum,
}

impl IdError {
    /// A stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::CprFormat => "cpr_format",
            IdError::CprDate => "cpr_impossible_date",
            IdError::CprFuture => "cpr_future_date",
            IdError::CvrFormat => "cvr_format",
            IdError::CvrChecksum => "cvr_checksum",
        }
    }
}

/// A Danish CPR number (`DDMMYY-SSSS`), stored as its ten digits.
///
/// Validation follows the CPR office's rules: the first six digits are a real date and the
/// seventh digit together with the two-digit year gives the century. The modulus-11 check is
/// *not* required: numbers issued since 2007 may fail it ([`Cpr::passes_modulus11`] tells).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr([u8; 10]);

impl Cpr {
    /// Parses `DDMMYYSSSS` or `DDMMYY-SSSS` (surrounding white space is ignored).
    pub fn parse(input: &str) -> Result<Cpr, IdError> {
        let s = input.trim();
        let bytes = s.as_bytes();
        let digits: Vec<u8> = match bytes.len() {
            10 => bytes.to_vec(),
            11 if bytes[6] == b'-' || bytes[6] == b' ' => {
                bytes[..6].iter().chain(&bytes[7..]).copied().collect()
            }
            _ => return Err(IdError::CprFormat),
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(IdError::CprFormat);
        }
        let mut d = [0u8; 10];
        for (slot, b) in d.iter_mut().zip(&digits) {
            *slot = b - b'0';
        }
        let cpr = Cpr(d);
        cpr.birth_date().ok_or(IdError::CprDate)?;
        Ok(cpr)
    }

    /// The CPR number in exactly ten ASCII digits (`DDMMYYSSSS`), if they hold a real birth
    /// date: the form a scanner has after stripping separators.
    pub fn from_ascii_digits(s: &[u8]) -> Option<Cpr> {
        let d: [u8; 10] = s.try_into().ok()?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let cpr = Cpr(d.map(|b| b - b'0'));
        cpr.birth_date().map(|_| cpr)
    }

    /// Parses and also rejects a birth date after `today`.
    pub fn parse_at(input: &str, today: Date) -> Result<Cpr, IdError> {
        let cpr = Cpr::parse(input)?;
        match cpr.birth_date() {
            Some(born) if born > today => Err(IdError::CprFuture),
            _ => Ok(cpr),
        }
    }

    /// The birth date, with the century from the seventh digit (the CPR office's table).
    pub fn birth_date(&self) -> Option<Date> {
        let d = &self.0;
        let day = d[0] * 10 + d[1];
        let month = d[2] * 10 + d[3];
        let yy = i32::from(d[4] * 10 + d[5]);
        let century = match (d[6], yy) {
            (0..=3, _) => 1900,
            (4 | 9, 0..=36) => 2000,
            (4 | 9, _) => 1900,
            (5..=8, 0..=57) => 2000,
            (5..=8, _) => 1800,
            _ => return None,
        };
        Date::from_ymd(century + yy, month, day)
    }

    /// The traditional modulus-11 check (weights 4 3 2 7 6 5 4 3 2 1).
    pub fn passes_modulus11(&self) -> bool {
        const W: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = self.0.iter().zip(W).map(|(&d, w)| u32::from(d) * w).sum();
        sum.is_multiple_of(11)
    }

    /// `DDMMYYSSSS`.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// `DDMMYY-SSSS`, the common display form.
    pub fn formatted(&self) -> String {
        let s = self.digits();
        format!("{}-{}", &s[..6], &s[6..])
    }

    /// `DDMMYY-XXXX`: enough to recognise the person on screen without showing the number.
    pub fn masked(&self) -> String {
        let s = self.digits();
        format!("{}-XXXX", &s[..6])
    }
}

impl fmt::Debug for Cpr {
    // Never print a CPR number into logs by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

impl Serialize for Cpr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.formatted())
    }
}

impl<'de> Deserialize<'de> for Cpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cpr::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The value of a decimal digit as people type it: ASCII, full-width (as East Asian
/// keyboards and some PDFs give them), Arabic-Indic or Devanagari.
fn decimal_digit(c: char) -> Option<u8> {
    const ZEROS: [u32; 5] = ['0' as u32, 0xFF10, 0x0660, 0x06F0, 0x0966];
    let cp = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&cp))
        .and_then(|zero| u8::try_from(cp - zero).ok())
}

/// Characters people put between the parts of a CPR number: hyphens and dashes, spaces of
/// every width, dots and slashes (full-width forms included).
fn cpr_separator(c: char) -> bool {
    matches!(
        c,
        '-' | ' ' | '.' | '/' | '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\u{3000}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '\u{FF0E}' | '\u{FF0F}'
    )
}

/// Every CPR number written in `text`, in any of the forms people use: `DDMMYY-SSSS`,
/// `DDMMYYSSSS`, `DD.MM.YY-SSSS`, `DD MM YY SS SS` and the like, with any of the
/// separators of [`cpr_separator`] (up to three in a row) and digits of any width. The
/// parts may only be cut after the day, month, year or the first two serial digits, and
/// a number cut anywhere is cut after the year, so dates and times ("01.01.2026 12.30")
/// are not taken for one. Each candidate must hold a real birth date.
pub fn find_cpr_numbers(text: &str) -> Vec<Cpr> {
    // Digit groups, each with whether it follows the previous one closely enough.
    let mut groups: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut gap: Option<usize> = None;
    for c in text.chars() {
        if let Some(d) = decimal_digit(c) {
            match (gap, groups.last_mut()) {
                (Some(0), Some((g, _))) => g.push(d),
                (Some(n), _) if n <= 3 => groups.push((vec![d], true)),
                _ => groups.push((vec![d], false)),
            }
            gap = Some(0);
        } else if cpr_separator(c) {
            gap = gap.map(|n| n + 1);
        } else {
            gap = None;
        }
    }
    let mut found: Vec<Cpr> = Vec::new();
    for start in 0..groups.len() {
        let mut digits: Vec<u8> = Vec::with_capacity(10);
        let mut cuts: Vec<usize> = Vec::new();
        for (i, (g, joined)) in groups.iter().enumerate().skip(start) {
            if i > start {
                if !joined {
                    break;
                }
                cuts.push(digits.len());
            }
            digits.extend_from_slice(g);
            if digits.len() >= 10 {
                break;
            }
        }
        let shaped = cuts.iter().all(|c| matches!(c, 2 | 4 | 6 | 8))
            && (cuts.is_empty() || cuts.contains(&6));
        // A whole group, not the tail of a longer number.
        let whole = start == 0 || !groups[start].1 || groups[start - 1].0.len() > 10;
        if digits.len() != 10 || !shaped || !whole {
            continue;
        }
        let mut d = [0u8; 10];
        d.copy_from_slice(&digits);
        let cpr = Cpr(d);
        if cpr.birth_date().is_some() && !found.contains(&cpr) {
            found.push(cpr);
        }
    }
    found
}

/// A Danish business registration number (CVR), eight digits with a modulus-11 check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Cvr(String);

impl Cvr {
    pub fn parse(input: &str) -> Result<Cvr, IdError> {
        let s: String = input.trim().chars().filter(|c| *c != ' ').collect();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
            return Err(IdError::CvrFormat);
        }
        const W: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = s.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
        if !sum.is_multiple_of(11) {
            return Err(IdError::CvrChecksum);
        }
        Ok(Cvr(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Cvr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cvr::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_ymd(y, m, day).expect("valid test date")
    }

    #[test]
    fn accepts_both_forms() {
        let a = Cpr::parse("070761-4285").expect("valid");
        let b = Cpr::parse("0707614285").expect("valid");
        assert_eq!(a, b);
        assert_eq!(a.formatted(), "070761-4285");
        assert_eq!(a.birth_date(), Some(d(1961, 7, 7)));
    }

    #[test]
    fn rejects_malformed_and_impossible() {
        for bad in [
            "",
            "12345",
            "07076142851",
            "0707a14285",
            "07-07614285",
            "320161-4285",
        ] {
            assert!(Cpr::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(Cpr::parse("300261-1234"), Err(IdError::CprDate));
        assert_eq!(
            Cpr::parse("290200-4000").map(|c| c.birth_date()),
            Ok(Some(d(2000, 2, 29)))
        );
        assert_eq!(Cpr::parse("290201-4000"), Err(IdError::CprDate));
    }

    #[test]
    fn century_table() {
        let cases = [
            ("0101370000", 1937),
            ("0101374000", 1937),
            ("0101364000", 2036),
            ("0101579000", 1957),
            ("0101305000", 2030),
            ("0101585000", 1858),
            ("0101998000", 1899),
        ];
        for (s, year) in cases {
            let born = Cpr::parse(s).expect("valid").birth_date().expect("date");
            assert_eq!(born.year(), year, "{s}");
        }
    }

    #[test]
    fn future_birth_dates_are_rejected_at_a_given_day() {
        let today = d(2026, 11, 23);
        assert_eq!(Cpr::parse_at("0101305000", today), Err(IdError::CprFuture));
        assert!(Cpr::parse_at("2311264000", today).is_ok());
    }

    #[test]
    fn debug_masks_the_number() {
        let c = Cpr::parse("070761-4285").expect("valid");
        assert_eq!(format!("{c:?}"), "Cpr(070761-XXXX)");
    }

    #[test]
    fn cpr_numbers_are_found_in_every_written_form() {
        let forms = [
            "CPR 070761-4285.",
            "cpr 0707614285",
            "cpr: 070761 4285",
            "født 07.07.61-4285",
            "07 07 61 42 85",
            "07-07-61-4285",
            "070761.4285",
            "０７０７６１－４２８５",
            "070761\u{2013}4285",
            "070761\u{00A0}4285",
            "٠٧٠٧٦١-٤٢٨٥",
        ];
        for f in forms {
            assert_eq!(
                find_cpr_numbers(f),
                vec![Cpr::parse("070761-4285").expect("valid")],
                "{f}"
            );
        }
        for not in [
            "Mødet er 01.01.2026 12.30",
            "Tlf. 20 30 40 50",
            "kontonr. 1234 5678901234",
            "070761-42851",
            "99.99.99-9999",
            "sag 12345 og 67890",
        ] {
            assert!(find_cpr_numbers(not).is_empty(), "{not}");
        }
        assert_eq!(
            find_cpr_numbers("+45 20 30 40 50 og 070761-4285").len(),
            1,
            "a CPR number after a phone number"
        );
    }

    #[test]
    fn cvr_checksum() {
        assert!(Cvr::parse("29189900").is_ok());
        assert_eq!(Cvr::parse("29189901"), Err(IdError::CvrChecksum));
        assert_eq!(Cvr::parse("0918990"), Err(IdError::CvrFormat));
        assert_eq!(Cvr::parse("09189900"), Err(IdError::CvrFormat));
    }

    proptest! {
        /// Every accepted CPR number has a real date and round-trips through its display form.
        #[test]
        fn cpr_accepts_exactly_real_dates(day in 0u8..40, month in 0u8..15, yy in 0u8..100, serial in 0u16..10000) {
            let s = format!("{day:02}{month:02}{yy:02}{serial:04}");
            let seventh = (serial / 1000) as u8;
            let century = match (seventh, yy) {
                (0..=3, _) => 1900,
                (4 | 9, 0..=36) => 2000,
                (4 | 9, _) => 1900,
                (5..=8, 0..=57) => 2000,
                _ => 1800,
            };
            let real = Date::from_ymd(century + i32::from(yy), month, day).is_some();
            match Cpr::parse(&s) {
                Ok(c) => {
                    prop_assert!(real);
                    prop_assert_eq!(Cpr::parse(&c.formatted()), Ok(c.clone()));
                    prop_assert_eq!(c.digits(), s);
                }
                Err(e) => {
                    prop_assert!(!real);
                    prop_assert_eq!(e, IdError::CprDate);
                }
            }
        }

        /// Every valid CPR number is found again in each written form, amid other text.
        #[test]
        fn written_cpr_numbers_are_found(day in 1u8..29, month in 1u8..13, yy in 0u8..100, serial in 0u16..4000, form in 0usize..6, wide in proptest::bool::ANY) {
            let d = format!("{day:02}{month:02}{yy:02}{serial:04}");
            let written = match form {
                0 => d.clone(),
                1 => format!("{}-{}", &d[..6], &d[6..]),
                2 => format!("{} {}", &d[..6], &d[6..]),
                3 => format!("{}.{}.{}-{}", &d[..2], &d[2..4], &d[4..6], &d[6..]),
                4 => format!("{} {} {} {} {}", &d[..2], &d[2..4], &d[4..6], &d[6..8], &d[8..]),
                _ => format!("{}\u{2013}{}", &d[..6], &d[6..]),
            };
            let written: String = if wide {
                written.chars().map(|c| c.to_digit(10).and_then(|v| char::from_u32(0xFF10 + v)).unwrap_or(c)).collect()
            } else {
                written
            };
            let text = format!("Borgeren (tlf. 20 30 40 50) har nr. {written}, se sagen.");
            let cpr = Cpr::parse(&d).expect("a real date");
            prop_assert!(find_cpr_numbers(&text).contains(&cpr), "{}", text);
        }

        /// The CVR validator accepts exactly the numbers whose weighted sum is divisible by 11.
        #[test]
        fn cvr_matches_definition(n in 10_000_000u32..100_000_000) {
            let s = n.to_string();
            let w = [2u32, 7, 6, 5, 4, 3, 2, 1];
            let sum: u32 = s.bytes().zip(w).map(|(b, w)| u32::from(b - b'0') * w).sum();
            prop_assert_eq!(Cvr::parse(&s).is_ok(), sum.is_multiple_of(11));
        }
    }
}

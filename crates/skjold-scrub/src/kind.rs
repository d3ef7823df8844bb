//! The kinds of personal data the scrubber finds, and a single finding.

use std::fmt;

/// A kind of personal data.
///
/// [`Kind::label`] is the type name used in the JSONL contract and the gold corpus
/// (`CPR`, `NO_ID`, …); [`Kind::code`] is the Danish replacement code written into
/// scrubbed text (`[CPR]`, `[FNR]`, `[NAVN]`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Danish CPR number.
    Cpr,
    /// Norwegian fødselsnummer, D-nummer or H-nummer.
    NoId,
    /// Name of a person.
    Person,
    /// E-mail address.
    Email,
    /// Danish or Norwegian phone number.
    Phone,
    /// Street address.
    Address,
    /// Bank account: IBAN, Danish reg. + account number, Norwegian account number.
    Account,
    /// Special-category (GDPR art. 9) or criminal (art. 10) information.
    Sensitive,
}

impl Kind {
    /// Every kind, in a fixed order (used for reports).
    pub const ALL: [Kind; 8] = [
        Kind::Cpr,
        Kind::NoId,
        Kind::Person,
        Kind::Email,
        Kind::Phone,
        Kind::Address,
        Kind::Account,
        Kind::Sensitive,
    ];

    /// Type name in the JSONL output contract and the gold corpus.
    pub const fn label(self) -> &'static str {
        match self {
            Kind::Cpr => "CPR",
            Kind::NoId => "NO_ID",
            Kind::Person => "PERSON",
            Kind::Email => "EMAIL",
            Kind::Phone => "PHONE",
            Kind::Address => "ADDRESS",
            Kind::Account => "ACCOUNT",
            Kind::Sensitive => "SENSITIVE",
        }
    }

    /// Replacement code, without brackets.
    pub const fn code(self) -> &'static str {
        match self {
            Kind::Cpr => "CPR",
            Kind::NoId => "FNR",
            Kind::Person => "NAVN",
            Kind::Email => "EMAIL",
            Kind::Phone => "TELEFON",
            Kind::Address => "ADRESSE",
            Kind::Account => "KONTO",
            Kind::Sensitive => "FØLSOMT",
        }
    }

    /// Parses a [`Kind::label`].
    pub fn from_label(label: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.label() == label)
    }

    /// Position in [`Kind::ALL`].
    pub(crate) const fn index(self) -> usize {
        match self {
            Kind::Cpr => 0,
            Kind::NoId => 1,
            Kind::Person => 2,
            Kind::Email => 3,
            Kind::Phone => 4,
            Kind::Address => 5,
            Kind::Account => 6,
            Kind::Sensitive => 7,
        }
    }

    /// Which finding wins when two overlap: higher wins. Validated identifiers beat
    /// everything; an address beats the person-name detector (street names such as
    /// "Thomas Koppelsgade" start with a first name).
    pub(crate) const fn priority(self) -> u8 {
        match self {
            Kind::Email => 9,
            Kind::Cpr | Kind::NoId => 8,
            Kind::Account => 7,
            Kind::Address => 6,
            Kind::Phone => 5,
            Kind::Person => 4,
            Kind::Sensitive => 3,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One piece of personal data found in a text.
///
/// `start` and `end` are UTF-8 byte offsets into the scanned text (end exclusive) and
/// always fall on `char` boundaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What was found.
    pub kind: Kind,
    /// How sure the detector is, in `0.0..=1.0`.
    pub confidence: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_indexes_match_order() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(Kind::from_label(k.label()), Some(k));
            assert_eq!(k.index(), i);
        }
        assert_eq!(Kind::from_label("NOPE"), None);
        assert_eq!(Kind::NoId.code(), "FNR");
        assert_eq!(Kind::Sensitive.code(), "FØLSOMT");
    }
}

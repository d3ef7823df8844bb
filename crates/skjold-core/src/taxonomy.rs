//! The data taxonomy: every kind of personal data Skjold holds about a citizen, its
//! category, and how sensitive the law says it is.
//!
//! The taxonomy is static. Each field belongs to exactly one category, and each category has
//! one sensitivity, so a disclosure policy or a screen can reason about "contact data" or
//! "special categories" without a table to keep in sync.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How the law classifies a kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Ordinary personal data (GDPR art. 6).
    Ordinary,
    /// The CPR number (Danish Data Protection Act § 11).
    CprNumber,
    /// Special categories (GDPR art. 9), e.g. health.
    Special,
    /// Criminal convictions and offences (GDPR art. 10, Data Protection Act § 8).
    Criminal,
}

impl Sensitivity {
    pub fn danish(self) -> &'static str {
        match self {
            Sensitivity::Ordinary => "Almindelig",
            Sensitivity::CprNumber => "CPR-nummer (databeskyttelseslovens § 11)",
            Sensitivity::Special => "Særlig kategori (art. 9)",
            Sensitivity::Criminal => "Strafbare forhold (art. 10)",
        }
    }

    /// A short tag for badges and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Sensitivity::Ordinary => "ordinary",
            Sensitivity::CprNumber => "cpr_number",
            Sensitivity::Special => "special",
            Sensitivity::Criminal => "criminal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Identity,
    Contact,
    Employment,
    Education,
    Social,
    Health,
    Criminal,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Identity,
        Category::Contact,
        Category::Employment,
        Category::Education,
        Category::Social,
        Category::Health,
        Category::Criminal,
    ];

    /// The category's stable key, as the API writes it.
    pub fn key(self) -> &'static str {
        match self {
            Category::Identity => "identity",
            Category::Contact => "contact",
            Category::Employment => "employment",
            Category::Education => "education",
            Category::Social => "social",
            Category::Health => "health",
            Category::Criminal => "criminal",
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            Category::Identity => "Identitet",
            Category::Contact => "Adresse og kontakt",
            Category::Employment => "Beskæftigelse",
            Category::Education => "Uddannelse og kompetencer",
            Category::Social => "Sociale forhold",
            Category::Health => "Helbred",
            Category::Criminal => "Strafbare forhold",
        }
    }

    /// LP-3: address and contact details are never disclosed automatically.
    pub fn never_automatic(self) -> bool {
        matches!(self, Category::Contact)
    }
}

macro_rules! fields {
    ($($variant:ident => $key:literal, $category:ident, $sensitivity:ident, $danish:literal;)*) => {
        /// One kind of personal data about a citizen.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum FieldKey { $($variant),* }

        impl FieldKey {
            pub const ALL: &'static [FieldKey] = &[$(FieldKey::$variant),*];

            /// The stable key used in the database and the API.
            pub fn key(self) -> &'static str {
                match self { $(FieldKey::$variant => $key),* }
            }

            pub fn category(self) -> Category {
                match self { $(FieldKey::$variant => Category::$category),* }
            }

            /// The sensitivity of the data in this field. The CPR number has its own class;
            /// otherwise the category decides.
            pub fn sensitivity(self) -> Sensitivity {
                match self { $(FieldKey::$variant => Sensitivity::$sensitivity),* }
            }

            pub fn danish(self) -> &'static str {
                match self { $(FieldKey::$variant => $danish),* }
            }
        }

        impl FromStr for FieldKey {
            type Err = UnknownField;
            fn from_str(s: &str) -> Result<FieldKey, UnknownField> {
                match s { $($key => Ok(FieldKey::$variant),)* _ => Err(UnknownField(s.to_owned())) }
            }
        }
    };
}

fields! {
    Name => "name", Identity, Ordinary, "Navn";
    Cpr => "cpr", Identity, CprNumber, "CPR-nummer";
    Address => "address", Contact, Ordinary, "Adresse";
    Phone => "phone", Contact, Ordinary, "Telefon";
    Email => "email", Contact, Ordinary, "E-mail";
    TargetGroup => "target_group", Employment, Ordinary, "Målgruppe";
    Benefit => "benefit", Employment, Ordinary, "Ydelse";
    JobGoal => "job_goal", Employment, Ordinary, "Jobmål";
    WorkExperience => "work_experience", Employment, Ordinary, "Erhvervserfaring";
    Education => "education", Education, Ordinary, "Uddannelse";
    LanguageSkills => "language_skills", Education, Ordinary, "Sprogkundskaber";
    FamilySituation => "family_situation", Social, Ordinary, "Familieforhold";
    Health => "health", Health, Special, "Helbredsmæssige forhold";
    Substance => "substance_abuse", Health, Special, "Misbrug";
    CriminalRecord => "criminal_record", Criminal, Criminal, "Straffeattest og domme";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field: {0}")]
pub struct UnknownField(pub String);

impl TryFrom<String> for FieldKey {
    type Error = UnknownField;
    fn try_from(s: String) -> Result<FieldKey, UnknownField> {
        s.parse()
    }
}

impl From<FieldKey> for &'static str {
    fn from(f: FieldKey) -> &'static str {
        f.key()
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &f in FieldKey::ALL {
            assert_eq!(f.key().parse::<FieldKey>(), Ok(f));
            assert!(seen.insert(f.key()), "duplicate key {}", f.key());
        }
        assert!("nope".parse::<FieldKey>().is_err());
    }

    #[test]
    fn every_category_has_a_field_and_sensitivity_follows_the_law() {
        for c in Category::ALL {
            assert!(FieldKey::ALL.iter().any(|f| f.category() == c), "{c:?}");
        }
        for &f in FieldKey::ALL {
            let expected = match f.category() {
                Category::Health => Sensitivity::Special,
                Category::Criminal => Sensitivity::Criminal,
                _ if f == FieldKey::Cpr => Sensitivity::CprNumber,
                _ => Sensitivity::Ordinary,
            };
            assert_eq!(f.sensitivity(), expected, "{f}");
        }
    }
}

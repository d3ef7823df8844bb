//! Legal bases for processing: GDPR art. 6(1), art. 9(2) and the national law reference.

use serde::{Deserialize, Serialize};

macro_rules! basis {
    ($name:ident, $doc:literal, $($variant:ident => $key:literal, $danish:literal;)*) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $key)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn key(self) -> &'static str { match self { $($name::$variant => $key),* } }
            pub fn danish(self) -> &'static str { match self { $($name::$variant => $danish),* } }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($key => Some($name::$variant),)* _ => None }
            }
        }
    };
}

basis! {
    Art6Basis, "GDPR art. 6(1): why the processing is lawful at all.",
    Consent => "6.1.a", "Art. 6, stk. 1, litra a (samtykke)";
    Contract => "6.1.b", "Art. 6, stk. 1, litra b (kontrakt)";
    LegalObligation => "6.1.c", "Art. 6, stk. 1, litra c (retlig forpligtelse)";
    VitalInterests => "6.1.d", "Art. 6, stk. 1, litra d (vitale interesser)";
    PublicTask => "6.1.e", "Art. 6, stk. 1, litra e (myndighedsudøvelse)";
    LegitimateInterests => "6.1.f", "Art. 6, stk. 1, litra f (legitime interesser)";
}

basis! {
    Art9Basis, "GDPR art. 9(2): the exception that allows special categories.",
    ExplicitConsent => "9.2.a", "Art. 9, stk. 2, litra a (udtrykkeligt samtykke)";
    EmploymentSocialSecurity => "9.2.b", "Art. 9, stk. 2, litra b (arbejds- og socialret)";
    VitalInterests => "9.2.c", "Art. 9, stk. 2, litra c (vitale interesser)";
    LegalClaims => "9.2.f", "Art. 9, stk. 2, litra f (retskrav)";
    SubstantialPublicInterest => "9.2.g", "Art. 9, stk. 2, litra g (væsentlig samfundsinteresse)";
    HealthSocialCare => "9.2.h", "Art. 9, stk. 2, litra h (sundheds- og socialområdet)";
}

/// The legal basis of a purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub art6: Art6Basis,
    /// Required before a purpose may touch special categories (art. 9).
    pub art9: Option<Art9Basis>,
    /// The national provision, e.g. "LAB § 22" or "Databeskyttelseslovens § 8".
    pub national_law: String,
}

impl LegalBasis {
    /// One line for the ledger and screens.
    pub fn summary(&self) -> String {
        let mut s = self.art6.danish().to_owned();
        if let Some(a9) = self.art9 {
            s.push_str("; ");
            s.push_str(a9.danish());
        }
        if !self.national_law.trim().is_empty() {
            s.push_str("; ");
            s.push_str(self.national_law.trim());
        }
        s
    }
}

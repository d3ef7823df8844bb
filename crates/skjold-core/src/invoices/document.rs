//! An invoice or a credit note as the analyses read it (INV-1): who sent it to whom, its
//! lines with amounts, units, classifications and item identifiers, and any emissions the
//! supplier reported. Personal data is not part of it: the reader takes the anonymised
//! document, and the fields here are the business fields the analyses need.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    /// +1 for an invoice, −1 for a credit note: what a line's amount counts as in spend.
    pub fn sign(self) -> i64 {
        match self {
            DocumentKind::Invoice => 1,
            DocumentKind::CreditNote => -1,
        }
    }
}

/// A party as the document names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: Option<String>,
    /// Its registration (CVR, organisation number) or, failing that, its electronic
    /// address, as written, with the scheme when the document gives one.
    pub id: Option<String>,
}

/// A classification code and the list it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub scheme: Scheme,
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    Unspsc,
    Cpv,
    Other,
}

impl Scheme {
    /// From an `ItemClassificationCode`'s `listID` (`UNSPSC`, `MP` for UNSPSC in EN 16931's
    /// code list UNTDID 7143, `STI` for CPV).
    pub fn from_list_id(id: &str) -> Scheme {
        match id.trim().to_ascii_uppercase().as_str() {
            "UNSPSC" | "MP" => Scheme::Unspsc,
            "CPV" | "STI" => Scheme::Cpv,
            _ => Scheme::Other,
        }
    }
}

/// Emissions a supplier reported on a line (OIOUBL's and EHF's item properties
/// `EmissionFactor`, kg CO2e per invoiced unit, and `NetEmissionQuantity`, kg CO2e).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportedEmission {
    pub factor: Option<Decimal>,
    pub net_quantity: Option<Decimal>,
}

impl ReportedEmission {
    /// The line's emission in kg CO2e when the report is usable: the net quantity, which
    /// must equal factor × quantity where both are given (to the cent of a kilo).
    pub fn valid_kg(&self, quantity: Decimal) -> Option<Decimal> {
        let net = self.net_quantity?;
        if net.is_sign_negative() {
            return None;
        }
        match self.factor {
            Some(f) if (f * quantity - net).abs() > Decimal::new(1, 2) => None,
            _ => Some(net),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub id: String,
    pub quantity: Decimal,
    /// UN/ECE recommendation 20 code (`EA`, `KGM`, `HUR`…).
    pub unit_code: Option<String>,
    /// The line's net amount as written (before the document's sign).
    pub amount: Decimal,
    pub item_name: Option<String>,
    /// GTIN (`StandardItemIdentification`).
    pub gtin: Option<String>,
    pub seller_item_id: Option<String>,
    pub classification: Option<Classification>,
    pub emission: Option<ReportedEmission>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub id: String,
    pub issue_date: Date,
    pub currency: String,
    pub supplier: Party,
    pub buyer: Party,
    /// `ContractDocumentReference`: the framework agreement it was bought under, if said.
    pub contract_reference: Option<String>,
    /// `LegalMonetaryTotal/LineExtensionAmount`: what the lines add up to, by the sender.
    pub declared_line_total: Option<Decimal>,
    pub lines: Vec<Line>,
}

impl Document {
    /// The sum of the lines' amounts.
    pub fn line_total(&self) -> Decimal {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

/// Øre (hundredths) of an amount, rounded half away from zero; none beyond ±2^63 øre.
pub fn to_minor_units(amount: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    (amount * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    #[test]
    fn minor_units_round_half_away_from_zero() {
        assert_eq!(to_minor_units(d("1234.50")), Some(123_450));
        assert_eq!(to_minor_units(d("0.005")), Some(1));
        assert_eq!(to_minor_units(d("-0.005")), Some(-1));
        assert_eq!(to_minor_units(d("0.0049")), Some(0));
    }

    #[test]
    fn a_reported_emission_counts_only_when_it_adds_up() {
        let e = |f: Option<&str>, n: Option<&str>| ReportedEmission {
            factor: f.map(d),
            net_quantity: n.map(d),
        };
        assert_eq!(e(Some("2.5"), Some("10")).valid_kg(d("4")), Some(d("10")));
        assert_eq!(e(Some("2.5"), Some("11")).valid_kg(d("4")), None);
        assert_eq!(e(None, Some("3")).valid_kg(d("4")), Some(d("3")));
        assert_eq!(e(Some("2.5"), None).valid_kg(d("4")), None);
        assert_eq!(e(None, Some("-3")).valid_kg(d("4")), None);
    }

    #[test]
    fn list_ids_name_their_schemes() {
        assert_eq!(Scheme::from_list_id("UNSPSC"), Scheme::Unspsc);
        assert_eq!(Scheme::from_list_id("MP"), Scheme::Unspsc);
        assert_eq!(Scheme::from_list_id("STI"), Scheme::Cpv);
        assert_eq!(Scheme::from_list_id(" cpv "), Scheme::Cpv);
        assert_eq!(Scheme::from_list_id("SRV"), Scheme::Other);
    }
}

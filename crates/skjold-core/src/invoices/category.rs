//! Spend categories from the classification codes invoices carry (INV-1): UNSPSC (segment
//! → family, the first 2 and 4 of its 8 digits) and CPV (division → group, the first 2 and
//! 3 of its 8 digits before the check digit). A category is a path for a
//! [`Table`](super::sharing::Table) of two levels.

use serde::Serialize;

use super::document::{Classification, Line, Scheme};

/// A line's spend category: its scheme and the codes of its two levels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Category {
    pub scheme: &'static str,
    /// UNSPSC segment or CPV division (two digits).
    pub top: String,
    /// UNSPSC family (four digits) or CPV group (three digits).
    pub sub: String,
}

impl Category {
    /// The category of a classification code, when the code is one of a known scheme and
    /// well formed.
    pub fn of(c: &Classification) -> Option<Category> {
        let digits: String = c.code.chars().take_while(char::is_ascii_digit).collect();
        let (scheme, sub_len) = match c.scheme {
            Scheme::Unspsc => ("UNSPSC", 4),
            Scheme::Cpv => ("CPV", 3),
            Scheme::Other => return None,
        };
        if digits.len() != 8 || digits.starts_with("00") {
            return None;
        }
        Some(Category {
            scheme,
            top: digits[..2].to_owned(),
            sub: digits[..sub_len].to_owned(),
        })
    }

    /// The path of this category in a two-level table: scheme and top level, then the
    /// sub-level (schemes apart, so a UNSPSC segment never adds to a CPV division).
    pub fn path(&self) -> [String; 2] {
        [
            format!("{} {}", self.scheme, self.top),
            format!("{} {}", self.scheme, self.sub),
        ]
    }
}

/// The share of spend (by absolute amount) on lines with a usable classification, in
/// per mille; none when there is no spend.
pub fn classified_per_mille<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Option<u32> {
    let (mut classified, mut total) = (rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
    for line in lines {
        let amount = line.amount.abs();
        total += amount;
        if line
            .classification
            .as_ref()
            .and_then(Category::of)
            .is_some()
        {
            classified += amount;
        }
    }
    if total.is_zero() {
        return None;
    }
    use rust_decimal::prelude::ToPrimitive;
    (classified * rust_decimal::Decimal::ONE_THOUSAND / total)
        .round()
        .to_u32()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn class(scheme: Scheme, code: &str) -> Classification {
        Classification {
            scheme,
            code: code.to_owned(),
        }
    }

    fn line(amount: i64, c: Option<Classification>) -> Line {
        Line {
            id: "1".into(),
            quantity: Decimal::ONE,
            unit_code: None,
            amount: Decimal::from(amount),
            item_name: None,
            gtin: None,
            seller_item_id: None,
            classification: c,
            emission: None,
        }
    }

    #[test]
    fn codes_give_their_levels() {
        let apples = Category::of(&class(Scheme::Unspsc, "50301500")).expect("a category");
        assert_eq!((apples.top.as_str(), apples.sub.as_str()), ("50", "5030"));
        assert_eq!(apples.path(), ["UNSPSC 50", "UNSPSC 5030"]);
        let pcs = Category::of(&class(Scheme::Cpv, "30213000-5")).expect("a category");
        assert_eq!((pcs.top.as_str(), pcs.sub.as_str()), ("30", "302"));
        assert_eq!(Category::of(&class(Scheme::Unspsc, "503015")), None);
        assert_eq!(Category::of(&class(Scheme::Unspsc, "00000000")), None);
        assert_eq!(Category::of(&class(Scheme::Other, "50301500")), None);
    }

    #[test]
    fn the_classified_share_counts_amounts_by_size() {
        let unspsc = || Some(class(Scheme::Unspsc, "50301500"));
        let lines = [line(300, unspsc()), line(-100, unspsc()), line(600, None)];
        assert_eq!(classified_per_mille(&lines), Some(400));
        assert_eq!(classified_per_mille(&[]), None);
    }
}

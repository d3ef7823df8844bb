//! One organisation's spend analysis (INV-1), composed from the kept aggregate: spend by
//! category, supplier and month, the share of spend classified, the share of small
//! purchases, and its own spend beside the collaboration's average, per category, as the
//! sharing rules ([`super::sharing`]) let it be released.
//!
//! The comparison is taken from one table of every participant (the viewer included), so
//! that two viewers' tables never differ by their own figures; its averages are the
//! released cell's amount over the organisations in it, and per citizen over the citizens
//! of every participant.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use super::category::Category;
use super::document::{Document, Line, to_minor_units};
use super::sharing::{Figures, Suppressed, Table, Thresholds};

/// An invoice whose total is below this (øre, excl. VAT) is a small purchase: 5.000 kr.
pub const SMALL_PURCHASE: i64 = 500_000;

/// Suppliers shown by name; the rest are summed as one row.
pub const TOP_SUPPLIERS: usize = 15;

/// One organisation's spend in one cell of the kept aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendCell {
    pub organisation: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    /// The category's path (`UNSPSC 44`, `UNSPSC 4412`); empty when unclassified.
    pub category: [String; 2],
    pub supplier: String,
    pub invoices: u64,
    pub lines: u64,
    /// Øre, excl. VAT; credit notes negative.
    pub amount: i64,
}

impl SpendCell {
    fn classified(&self) -> bool {
        !self.category[0].is_empty()
    }
}

/// A document's part of one category: what it adds to the aggregate's cell for its
/// organisation, month, category and supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentCell {
    /// Empty strings when unclassified.
    pub category: [String; 2],
    pub lines: u64,
    /// Øre, signed (credit notes negative).
    pub amount: i64,
}

/// A document's month (`YYYY-MM`), the aggregate's time key.
pub fn month_of(doc: &Document) -> String {
    format!("{:04}-{:02}", doc.issue_date.year(), doc.issue_date.month())
}

/// A line's category path in the aggregate: empty strings when unclassified.
pub fn line_category(line: &Line) -> [String; 2] {
    line.classification
        .as_ref()
        .and_then(Category::of)
        .map_or_else(|| [String::new(), String::new()], |c| c.path())
}

/// A line's spend in øre, signed by its document's kind; none when it does not fit.
pub fn line_amount(doc: &Document, line: &Line) -> Option<i64> {
    to_minor_units(line.amount)?.checked_mul(doc.kind.sign())
}

/// The cells a document adds to, by category in path order, and its signed total in øre;
/// none when an amount does not fit.
pub fn document_cells(doc: &Document) -> Option<(Vec<DocumentCell>, i64)> {
    let mut by: BTreeMap<[String; 2], (u64, i64)> = BTreeMap::new();
    let mut total = 0i64;
    for line in &doc.lines {
        let amount = line_amount(doc, line)?;
        total = total.checked_add(amount)?;
        let e = by.entry(line_category(line)).or_default();
        e.0 += 1;
        e.1 = e.1.checked_add(amount)?;
    }
    let cells = by
        .into_iter()
        .map(|(category, (lines, amount))| DocumentCell {
            category,
            lines,
            amount,
        })
        .collect();
    Some((cells, total))
}

/// A row of a breakdown: a key (a category path, a supplier, a month) and its sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// Empty for unclassified spend in the category breakdown.
    pub key: String,
    pub invoices: u64,
    pub amount: i64,
}

/// The average of all participants in one top-level category, as released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Average {
    pub organisations: usize,
    /// Øre per participating organisation in the cell.
    pub per_organisation: i64,
    /// Øre per citizen of the participants, when their citizens are known.
    pub per_citizen: Option<i64>,
}

/// The organisation's spend in a top-level category beside the collaboration's average.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub category: String,
    pub own: i64,
    pub own_per_citizen: Option<i64>,
    pub average: Result<Average, Suppressed>,
}

/// Invoices of the organisation below [`SMALL_PURCHASE`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SmallPurchases {
    pub invoices: u64,
    pub amount: i64,
}

/// What the store counts for the report besides the aggregate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Documents in the analyses.
    pub invoices: u64,
    pub small: SmallPurchases,
    /// The organisation's citizens, when recorded with its participation.
    pub citizens: Option<u64>,
    /// The citizens of every participant, when each has them recorded.
    pub all_citizens: Option<u64>,
    /// Documents kept out of the figures for being in another currency than the
    /// participation's.
    pub other_currency: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub invoices: u64,
    pub lines: u64,
    pub amount: i64,
    pub citizens: Option<u64>,
    /// The share of spend (without sign) on classified lines, in per mille.
    pub classified_per_mille: Option<u32>,
    pub small: SmallPurchases,
    pub other_currency: u64,
    /// Largest first; unclassified spend under the empty key.
    pub by_category: Vec<Slice>,
    /// Largest first, at most [`TOP_SUPPLIERS`].
    pub by_supplier: Vec<Slice>,
    /// The suppliers beyond the first [`TOP_SUPPLIERS`], summed.
    pub other_suppliers: Option<Slice>,
    /// In month order.
    pub by_month: Vec<Slice>,
    /// Per top-level category the organisation has spend in, largest first.
    pub comparison: Vec<Comparison>,
}

/// Sums cells into slices by `key`, largest amount (without sign) first.
fn slices<'a>(
    cells: impl Iterator<Item = &'a SpendCell>,
    key: impl Fn(&SpendCell) -> &str,
) -> Vec<Slice> {
    let mut by: BTreeMap<&str, (u64, i64)> = BTreeMap::new();
    for c in cells {
        let e = by.entry(key(c)).or_default();
        e.0 += c.invoices;
        e.1 += c.amount;
    }
    by.into_iter()
        .map(|(k, (invoices, amount))| Slice {
            key: k.to_owned(),
            invoices,
            amount,
        })
        .collect()
}

fn largest_first(mut s: Vec<Slice>) -> Vec<Slice> {
    s.sort_by(|a, b| b.amount.abs().cmp(&a.amount.abs()).then(a.key.cmp(&b.key)));
    s
}

fn per(amount: i64, by: Option<u64>) -> Option<i64> {
    let by = i64::try_from(by?).ok().filter(|n| *n > 0)?;
    Some(amount / by)
}

/// The organisation's report: `own` are its cells, `all` every participant's (its own
/// included) for the comparison.
pub fn report(
    organisation: Uuid,
    own: &[SpendCell],
    all: &[SpendCell],
    counts: Counts,
    thresholds: &Thresholds,
) -> Report {
    let amount: i64 = own.iter().map(|c| c.amount).sum();
    let unsigned: i128 = own.iter().map(|c| i128::from(c.amount).abs()).sum();
    let classified: i128 = own
        .iter()
        .filter(|c| c.classified())
        .map(|c| i128::from(c.amount).abs())
        .sum();
    let classified_per_mille = (unsigned > 0)
        .then(|| u32::try_from((classified * 1000 + unsigned / 2) / unsigned).unwrap_or(1000));

    let mut suppliers = largest_first(slices(own.iter(), |c| &c.supplier));
    let rest = suppliers.split_off(suppliers.len().min(TOP_SUPPLIERS));
    let other_suppliers = (!rest.is_empty()).then(|| Slice {
        key: String::new(),
        invoices: rest.iter().map(|s| s.invoices).sum(),
        amount: rest.iter().map(|s| s.amount).sum(),
    });

    let mut table = Table::<2>::new();
    for c in all.iter().filter(|c| c.classified()) {
        table.add(
            [&c.category[0], &c.category[1]],
            c.organisation,
            c.invoices,
            c.amount,
        );
    }
    let released: BTreeMap<Vec<String>, Result<Figures, Suppressed>> = table
        .release(thresholds)
        .into_iter()
        .map(|r| (r.path, r.figures))
        .collect();
    let comparison = largest_first(slices(own.iter().filter(|c| c.classified()), |c| {
        &c.category[0]
    }))
    .into_iter()
    .map(|s| {
        let figures = released
            .get(std::slice::from_ref(&s.key))
            .copied()
            .unwrap_or(Err(Suppressed::TooFewOrganisations));
        Comparison {
            own_per_citizen: per(s.amount, counts.citizens),
            average: figures.map(|f| Average {
                organisations: f.organisations,
                per_organisation: per(f.amount, u64::try_from(f.organisations).ok()).unwrap_or(0),
                per_citizen: per(f.amount, counts.all_citizens),
            }),
            own: s.amount,
            category: s.key,
        }
    })
    .collect();
    debug_assert!(own.iter().all(|c| c.organisation == organisation));

    Report {
        invoices: counts.invoices,
        lines: own.iter().map(|c| c.lines).sum(),
        amount,
        citizens: counts.citizens,
        classified_per_mille,
        small: counts.small,
        other_currency: counts.other_currency,
        by_category: largest_first(slices(own.iter(), |c| &c.category[0])),
        by_supplier: suppliers,
        other_suppliers,
        by_month: slices(own.iter(), |c| &c.month),
        comparison,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(
        org: Uuid,
        month: &str,
        cat: &str,
        supplier: &str,
        invoices: u64,
        amount: i64,
    ) -> SpendCell {
        let category = if cat.is_empty() {
            [String::new(), String::new()]
        } else {
            [cat[..9].to_owned(), cat.to_owned()]
        };
        SpendCell {
            organisation: org,
            month: month.into(),
            category,
            supplier: supplier.into(),
            invoices,
            lines: invoices * 2,
            amount,
        }
    }

    #[test]
    fn breakdowns_add_up_to_the_total() {
        let me = Uuid::from_u128(1);
        let own = vec![
            cell(me, "2026-01", "UNSPSC 4412", "Lyreco", 3, 30_000),
            cell(me, "2026-02", "UNSPSC 4412", "Lyreco", 1, -5_000),
            cell(me, "2026-02", "UNSPSC 5010", "Arla", 4, 80_000),
            cell(me, "2026-02", "", "Frisøren", 1, 15_000),
        ];
        let r = report(me, &own, &own, Counts::default(), &Thresholds::default());
        assert_eq!(r.amount, 120_000);
        for breakdown in [&r.by_category, &r.by_supplier, &r.by_month] {
            assert_eq!(breakdown.iter().map(|s| s.amount).sum::<i64>(), r.amount);
        }
        assert_eq!(
            r.by_month
                .iter()
                .map(|s| s.key.as_str())
                .collect::<Vec<_>>(),
            ["2026-01", "2026-02"]
        );
        assert_eq!(r.by_category[0].key, "UNSPSC 50");
        // Unsigned: 30+5+80 of 130 classified.
        assert_eq!(r.classified_per_mille, Some(885));
        assert_eq!(r.lines, 18);
    }

    #[test]
    fn the_average_is_released_only_when_the_cell_hides_every_organisation() {
        let orgs: Vec<Uuid> = (1..=4).map(Uuid::from_u128).collect();
        let mut all = Vec::new();
        for (i, org) in orgs.iter().enumerate() {
            // Everyone buys office supplies and cleaning; only two buy food.
            all.push(cell(
                *org,
                "2026-01",
                "UNSPSC 4412",
                "Lyreco",
                2,
                10_000 * (i as i64 + 1),
            ));
            all.push(cell(
                *org,
                "2026-01",
                "UNSPSC 4713",
                "Abena",
                2,
                1_000 * (i as i64 + 1),
            ));
            if i < 2 {
                all.push(cell(*org, "2026-01", "UNSPSC 5010", "Arla", 5, 50_000));
            }
        }
        let me = orgs[0];
        let own: Vec<SpendCell> = all
            .iter()
            .filter(|c| c.organisation == me)
            .cloned()
            .collect();
        let counts = Counts {
            citizens: Some(10),
            all_citizens: Some(100),
            ..Counts::default()
        };
        let r = report(me, &own, &all, counts, &Thresholds::default());
        let office = r
            .comparison
            .iter()
            .find(|c| c.category == "UNSPSC 44")
            .expect("office");
        assert_eq!(office.own, 10_000);
        assert_eq!(office.own_per_citizen, Some(1_000));
        assert_eq!(
            office.average,
            Ok(Average {
                organisations: 4,
                per_organisation: 25_000,
                per_citizen: Some(1_000),
            })
        );
        let food = r
            .comparison
            .iter()
            .find(|c| c.category == "UNSPSC 50")
            .expect("food");
        assert_eq!(food.average, Err(Suppressed::TooFewOrganisations));
        // Released, cleaning would give food back as total − office − cleaning.
        let cleaning = r
            .comparison
            .iter()
            .find(|c| c.category == "UNSPSC 47")
            .expect("cleaning");
        assert_eq!(cleaning.average, Err(Suppressed::Complementary));
    }

    #[test]
    fn suppliers_beyond_the_first_are_summed() {
        let me = Uuid::from_u128(1);
        let own: Vec<SpendCell> = (0..20)
            .map(|i| {
                cell(
                    me,
                    "2026-01",
                    "",
                    &format!("Leverandør {i:02}"),
                    1,
                    1_000 + i,
                )
            })
            .collect();
        let r = report(me, &own, &own, Counts::default(), &Thresholds::default());
        assert_eq!(r.by_supplier.len(), TOP_SUPPLIERS);
        assert_eq!(r.by_supplier[0].key, "Leverandør 19");
        let rest = r.other_suppliers.expect("the rest");
        assert_eq!(rest.invoices, 5);
        assert_eq!(rest.amount, 1_000 * 5 + 10);
    }
}

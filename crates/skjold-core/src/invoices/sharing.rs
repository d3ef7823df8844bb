//! What figures may leave an organisation (INV-3, INV-13).
//!
//! Identifiable data never leaves the organisation that owns it. Figures across
//! organisations are released only as cells that hide every single organisation:
//!
//! - **Minimum cells.** A cell needs at least [`Thresholds::min_invoices`] invoices (5)
//!   from at least [`Thresholds::min_organisations`] organisations (3).
//! - **No dominance.** No organisation may account for more than
//!   [`Thresholds::dominance_percent`] (50 %) of the cell's amount (counted without sign,
//!   per organisation net of its credit notes), or the cell would mostly show that one
//!   organisation.
//! - **No differencing.** A released table is a hierarchy whose every cell is the sum of
//!   its children (category segment → family, year → month), and its levels are released
//!   together. Subtracting the released children from a released parent gives the sum of
//!   the suppressed ones, so that sum must itself pass the rules, and it must never be a
//!   single cell: the smallest released sibling is suppressed beside it (*complementary
//!   suppression*), or the parent when there is none. A suppressed cell with children keeps
//!   at least one of them suppressed, or adding them up would give it back.
//!
//! The property the tests check (as a property over random tables) is the one that
//! matters: from everything a table releases, no suppressed cell's figure can be worked
//! out, and every sum of suppressed cells that can be worked out passes the rules.
//!
//! Comparisons with the others ("own versus the average") are taken from one released
//! table for all participants, never from a table of "everyone but the viewer": two such
//! tables for two viewers would differ by exactly the two viewers' own figures.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

/// The rules' settings; [`Thresholds::default`] is the collaboration's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub min_invoices: u64,
    pub min_organisations: usize,
    /// A cell is dominated when one organisation has more than this share of its amount.
    pub dominance_percent: u8,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            min_invoices: 5,
            min_organisations: 3,
            dominance_percent: 50,
        }
    }
}

/// Why a cell is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppressed {
    TooFewInvoices,
    TooFewOrganisations,
    Dominated,
    /// The cell passes on its own, but showing it would let a suppressed cell be worked
    /// out by subtraction.
    Complementary,
}

/// One organisation's part of a cell: invoices counted, amount in øre (credit notes
/// negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub invoices: u64,
    pub amount: i64,
}

/// A cell of a table, kept per organisation so that the rules can be applied to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    shares: BTreeMap<Uuid, Share>,
}

impl Cell {
    pub fn add(&mut self, organisation: Uuid, invoices: u64, amount: i64) {
        let share = self.shares.entry(organisation).or_default();
        share.invoices += invoices;
        share.amount += amount;
    }

    pub fn merge(&mut self, other: &Cell) {
        for (org, share) in &other.shares {
            self.add(*org, share.invoices, share.amount);
        }
    }

    pub fn invoices(&self) -> u64 {
        self.shares.values().map(|s| s.invoices).sum()
    }

    pub fn organisations(&self) -> usize {
        self.shares.values().filter(|s| s.invoices > 0).count()
    }

    pub fn amount(&self) -> i64 {
        self.shares.values().map(|s| s.amount).sum()
    }

    /// The primary rules: minimum cell and dominance.
    pub fn check(&self, t: &Thresholds) -> Option<Suppressed> {
        if self.invoices() < t.min_invoices {
            return Some(Suppressed::TooFewInvoices);
        }
        if self.organisations() < t.min_organisations {
            return Some(Suppressed::TooFewOrganisations);
        }
        let sizes = self.shares.values().map(|s| i128::from(s.amount).abs());
        let (total, largest) = sizes.fold((0, 0), |(sum, max), a| (sum + a, a.max(max)));
        if largest * 100 > total * i128::from(t.dominance_percent) {
            return Some(Suppressed::Dominated);
        }
        None
    }
}

/// What a released table shows of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub invoices: u64,
    pub organisations: usize,
    /// Øre.
    pub amount: i64,
}

/// A cell of a released table: its place in the hierarchy and its figures, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Released {
    /// From the top: empty for the table's total, then one key per level.
    pub path: Vec<String>,
    pub figures: Result<Figures, Suppressed>,
}

#[derive(Debug, Clone)]
struct Node {
    path: Vec<String>,
    children: Vec<usize>,
    cell: Cell,
}

/// A table of `LEVELS` levels below its total, every cell the sum of its children. Data
/// enter at the bottom level only, so that the sums hold by construction.
#[derive(Debug, Clone)]
pub struct Table<const LEVELS: usize> {
    nodes: Vec<Node>,
    index: BTreeMap<Vec<String>, usize>,
}

impl<const LEVELS: usize> Default for Table<LEVELS> {
    fn default() -> Self {
        Table {
            nodes: vec![Node {
                path: Vec::new(),
                children: Vec::new(),
                cell: Cell::default(),
            }],
            index: BTreeMap::from([(Vec::new(), 0)]),
        }
    }
}

impl<const LEVELS: usize> Table<LEVELS> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an organisation's invoices and amount to the bottom cell at `path` and to
    /// every cell above it.
    pub fn add(&mut self, path: [&str; LEVELS], organisation: Uuid, invoices: u64, amount: i64) {
        let mut parent = 0;
        self.nodes[0].cell.add(organisation, invoices, amount);
        for depth in 1..=LEVELS {
            let key: Vec<String> = path[..depth].iter().map(|s| (*s).to_owned()).collect();
            let at = match self.index.get(&key) {
                Some(&i) => i,
                None => {
                    let i = self.nodes.len();
                    self.nodes.push(Node {
                        path: key.clone(),
                        children: Vec::new(),
                        cell: Cell::default(),
                    });
                    self.nodes[parent].children.push(i);
                    self.index.insert(key, i);
                    i
                }
            };
            self.nodes[at].cell.add(organisation, invoices, amount);
            parent = at;
        }
    }

    /// The table as it may be released: every cell in path order, with its figures or the
    /// reason it is suppressed.
    pub fn release(&self, t: &Thresholds) -> Vec<Released> {
        let mut state: Vec<Option<Suppressed>> =
            self.nodes.iter().map(|n| n.cell.check(t)).collect();
        // Each pass suppresses at least one more cell or ends; there are finitely many.
        while let Some((cell, parent)) = self.next_complement(&state, t) {
            state[cell.unwrap_or(parent)] = Some(Suppressed::Complementary);
        }
        self.index
            .values()
            .map(|&i| {
                let node = &self.nodes[i];
                Released {
                    path: node.path.clone(),
                    figures: match state[i] {
                        Some(why) => Err(why),
                        None => Ok(Figures {
                            invoices: node.cell.invoices(),
                            organisations: node.cell.organisations(),
                            amount: node.cell.amount(),
                        }),
                    },
                }
            })
            .collect()
    }

    /// The next cell to suppress so that no suppressed cell can be subtracted out: a
    /// released child of `parent` (the smallest), or `parent` itself when it has none.
    fn next_complement(
        &self,
        state: &[Option<Suppressed>],
        t: &Thresholds,
    ) -> Option<(Option<usize>, usize)> {
        for (p, node) in self.nodes.iter().enumerate() {
            if node.children.is_empty() {
                continue;
            }
            let (hidden, shown): (Vec<usize>, Vec<usize>) =
                node.children.iter().partition(|&&c| state[c].is_some());
            let needs_more = if state[p].is_some() {
                hidden.is_empty()
            } else if hidden.is_empty() {
                false
            } else {
                let mut group = Cell::default();
                for &c in &hidden {
                    group.merge(&self.nodes[c].cell);
                }
                // One hidden child fails on its own (a passing cell is only hidden
                // beside a failing one), so this also keeps a lone hidden child company.
                group.check(t).is_some()
            };
            if needs_more {
                let smallest = shown.into_iter().min_by_key(|&c| {
                    let cell = &self.nodes[c].cell;
                    (
                        cell.amount().unsigned_abs(),
                        cell.invoices(),
                        &self.nodes[c].path,
                    )
                });
                return Some((smallest, p));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn org(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    fn cell(shares: &[(u8, u64, i64)]) -> Cell {
        let mut c = Cell::default();
        for &(o, n, a) in shares {
            c.add(org(o), n, a);
        }
        c
    }

    #[test]
    fn the_primary_rules_hold_on_their_boundaries() {
        let t = Thresholds::default();
        let even = cell(&[(1, 2, 100), (2, 2, 100), (3, 1, 100)]);
        assert_eq!(even.check(&t), None);
        let four = cell(&[(1, 2, 100), (2, 1, 100), (3, 1, 100)]);
        assert_eq!(four.check(&t), Some(Suppressed::TooFewInvoices));
        let two = cell(&[(1, 3, 100), (2, 3, 100)]);
        assert_eq!(two.check(&t), Some(Suppressed::TooFewOrganisations));
        // Exactly half is not more than half; a little more is.
        let half = cell(&[(1, 2, 200), (2, 2, 100), (3, 1, 100)]);
        assert_eq!(half.check(&t), None);
        let more = cell(&[(1, 2, 201), (2, 2, 100), (3, 1, 100)]);
        assert_eq!(more.check(&t), Some(Suppressed::Dominated));
        // A credit note counts by its size: it cannot hide a dominating organisation.
        let credited = cell(&[(1, 2, -500), (2, 2, 100), (3, 1, 100)]);
        assert_eq!(credited.check(&t), Some(Suppressed::Dominated));
    }

    #[test]
    fn a_single_small_cell_takes_its_smallest_sibling_with_it() {
        let mut table = Table::<1>::new();
        for o in 1..=3 {
            table.add(["big"], org(o), 5, 10_000);
            table.add(["middle"], org(o), 5, 5_000);
            table.add(["small"], org(o), 5, 1_000);
        }
        table.add(["tiny"], org(1), 1, 50);
        let released = table.release(&Thresholds::default());
        let by_path = |p: &str| {
            released
                .iter()
                .find(|r| r.path.first().map(String::as_str) == Some(p))
                .map(|r| r.figures)
        };
        assert_eq!(by_path("tiny"), Some(Err(Suppressed::TooFewInvoices)));
        assert_eq!(by_path("small"), Some(Err(Suppressed::Complementary)));
        assert!(by_path("middle").is_some_and(|f| f.is_ok()));
        assert!(by_path("big").is_some_and(|f| f.is_ok()));
        assert_eq!(released[0].path, Vec::<String>::new());
        assert_eq!(
            released[0].figures,
            Ok(Figures {
                invoices: 46,
                organisations: 3,
                amount: 48_050
            })
        );
    }

    #[test]
    fn a_parent_with_one_child_hides_with_it() {
        let mut table = Table::<2>::new();
        for o in 1..=3 {
            table.add(["a", "a1"], org(o), 5, 1_000);
        }
        table.add(["b", "b1"], org(1), 1, 10);
        let released = table.release(&Thresholds::default());
        let hidden: Vec<_> = released
            .iter()
            .filter(|r| r.figures.is_err())
            .map(|r| r.path.join("/"))
            .collect();
        // b and b/b1 are one figure; a (and a/a1) must go too or total − a gives b.
        assert_eq!(hidden, ["a", "a/a1", "b", "b/b1"]);
    }

    /// Rank of a matrix over the integers modulo a large prime (equal to its rank over the
    /// rationals for matrices of small integers like these).
    fn rank(mut rows: Vec<Vec<i64>>) -> usize {
        const P: i128 = (1 << 61) - 1;
        let modp = |x: i128| ((x % P) + P) % P;
        let inverse = |a: i128| {
            let (mut result, mut base, mut exp) = (1i128, a, P - 2);
            while exp > 0 {
                if exp & 1 == 1 {
                    result = result * base % P;
                }
                base = base * base % P;
                exp >>= 1;
            }
            result
        };
        let mut m: Vec<Vec<i128>> = rows
            .drain(..)
            .map(|r| r.into_iter().map(|x| modp(x.into())).collect())
            .collect();
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for col in 0..cols {
            let Some(pivot) = (rank..m.len()).find(|&r| m[r][col] != 0) else {
                continue;
            };
            m.swap(rank, pivot);
            let inv = inverse(m[rank][col]);
            let pivot_row = m[rank].clone();
            for (r, row) in m.iter_mut().enumerate() {
                if r != rank && row[col] != 0 {
                    let factor = row[col] * inv % P;
                    for (x, p) in row.iter_mut().zip(&pivot_row) {
                        *x = modp(*x - factor * p % P);
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    fn contributions() -> impl Strategy<Value = Vec<(u8, u8, u8, u64, i64)>> {
        // (segment, family, organisation, invoices, amount in kroner)
        prop::collection::vec((0u8..4, 0u8..3, 1u8..6, 1u64..4, -200i64..5_000), 1..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Everything the table releases, taken together with the sums that hold between
        /// its cells, determines no suppressed cell; a released cell passes the rules; every
        /// sum of suppressed siblings that subtraction reveals passes them too.
        #[test]
        fn no_suppressed_cell_can_be_worked_out(data in contributions()) {
            let t = Thresholds::default();
            let mut table = Table::<2>::new();
            for &(s, f, o, n, a) in &data {
                let (s, f) = (format!("s{s}"), format!("f{f}"));
                table.add([s.as_str(), f.as_str()], org(o), n, a * 100);
            }
            let released = table.release(&t);
            let state: BTreeMap<Vec<String>, Result<Figures, Suppressed>> =
                released.iter().map(|r| (r.path.clone(), r.figures)).collect();
            // Every cell that fails the rules is suppressed; every released one passes.
            for node in &table.nodes {
                let shown = state[&node.path].is_ok();
                let passes = node.cell.check(&t).is_none();
                prop_assert!(passes || !shown, "{:?} fails the rules but is shown", node.path);
            }
            // The unknowns are the suppressed cells; the equations are parent = Σ children.
            let unknowns: Vec<usize> = (0..table.nodes.len())
                .filter(|&i| state[&table.nodes[i].path].is_err())
                .collect();
            let column = |i: usize| unknowns.iter().position(|&u| u == i);
            let mut equations = Vec::new();
            for (p, node) in table.nodes.iter().enumerate() {
                if node.children.is_empty() {
                    continue;
                }
                let mut row = vec![0i64; unknowns.len()];
                if let Some(c) = column(p) {
                    row[c] = 1;
                }
                for &child in &node.children {
                    if let Some(c) = column(child) {
                        row[c] -= 1;
                    }
                }
                if row.iter().any(|&x| x != 0) {
                    equations.push(row);
                }
            }
            let base = rank(equations.clone());
            for (k, &u) in unknowns.iter().enumerate() {
                let mut with = equations.clone();
                let mut e = vec![0i64; unknowns.len()];
                e[k] = 1;
                with.push(e);
                prop_assert!(
                    rank(with) > base,
                    "the suppressed cell {:?} can be worked out", table.nodes[u].path
                );
            }
            // A released parent gives away the sum of its suppressed children.
            for node in &table.nodes {
                if state[&node.path].is_err() {
                    continue;
                }
                let hidden: Vec<usize> = node.children.iter().copied()
                    .filter(|&c| state[&table.nodes[c].path].is_err()).collect();
                let mut group = Cell::default();
                for &c in &hidden {
                    group.merge(&table.nodes[c].cell);
                }
                prop_assert!(hidden.is_empty() || (hidden.len() >= 2 && group.check(&t).is_none()));
            }
        }
    }
}

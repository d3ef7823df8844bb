//! Name and street lists shipped in `data/` (see `data/SOURCES.md`).
//!
//! The lists are embedded with `include_str!` as plain newline-separated lower-case
//! text (1.7 MB) and parsed into hash sets on first use, once per process (about 15 ms).
//! `dk_first_names.txt` is in order of frequency (the line number is the rank), which
//! lets the name detector trust common names more than the long tail: Danmarks
//! Statistik's list also holds rare "names" such as "Kan", "Til" and "Der".

use std::collections::{HashMap, HashSet};

use crate::lexicon::{FxBuild, word_hash};
use std::sync::OnceLock;

/// First names at or below this frequency rank count as strong evidence on their own.
pub const STRONG_RANK: u32 = 6000;

/// What the lists say about one word (by its [`word_hash`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordInfo {
    /// Frequency rank as a first name, or `u32::MAX` when it is none.
    rank: u32,
    flags: u8,
}

const SURNAME: u8 = 1;
const STOP: u8 = 2;
const COMPANY: u8 = 4;

impl WordInfo {
    const NONE: WordInfo = WordInfo {
        rank: u32::MAX,
        flags: 0,
    };

    /// Frequency rank as a first name.
    pub fn first_rank(self) -> Option<u32> {
        (self.rank != u32::MAX).then_some(self.rank)
    }

    /// A listed surname.
    pub fn surname(self) -> bool {
        self.flags & SURNAME != 0
    }

    /// A stop word ([`crate::lexicon::STOP_WORDS`]).
    pub fn stop(self) -> bool {
        self.flags & STOP != 0
    }

    /// A company form ([`crate::lexicon::COMPANY_SUFFIXES`]).
    pub fn company(self) -> bool {
        self.flags & COMPANY != 0
    }
}

/// The parsed lists.
///
/// First names, surnames, stop words and company forms share one table keyed by the
/// word's lower-case hash, so the name detector learns all it needs about a capitalised
/// word with one look-up.
pub struct Gazetteer {
    words: HashMap<u64, WordInfo, FxBuild>,
    streets: HashSet<&'static str, FxBuild>,
    street_bases: HashSet<&'static str, FxBuild>,
}

static DK_FIRST: &str = include_str!("../data/dk_first_names.txt");
static FAKER_FIRST: &str = include_str!("../data/faker_first_names.txt");
static DK_SURNAMES: &str = include_str!("../data/dk_surnames.txt");
static FAKER_SURNAMES: &str = include_str!("../data/faker_surnames.txt");
static DK_STREETS: &str = include_str!("../data/dk_streets.txt");
static FAKER_STREET_BASES: &str = include_str!("../data/faker_dk_street_names.txt");

fn lines(s: &'static str) -> impl Iterator<Item = &'static str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty())
}

impl Gazetteer {
    /// The process-wide instance.
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            let mut words: HashMap<u64, WordInfo, FxBuild> =
                HashMap::with_capacity_and_hasher(160_000, FxBuild::default());
            for (i, n) in lines(DK_FIRST).enumerate() {
                let w = words.entry(word_hash(n)).or_insert(WordInfo::NONE);
                w.rank = w.rank.min(i as u32);
            }
            // Faker's lists are the commonest names of each country: treat as strong.
            for n in lines(FAKER_FIRST) {
                words.entry(word_hash(n)).or_insert(WordInfo::NONE).rank = 0;
            }
            for (list, flag) in [
                (
                    &mut lines(DK_SURNAMES).chain(lines(FAKER_SURNAMES))
                        as &mut dyn Iterator<Item = &str>,
                    SURNAME,
                ),
                (&mut crate::lexicon::STOP_WORDS.iter().copied(), STOP),
                (
                    &mut crate::lexicon::COMPANY_SUFFIXES.iter().copied(),
                    COMPANY,
                ),
            ] {
                for n in list {
                    words.entry(word_hash(n)).or_insert(WordInfo::NONE).flags |= flag;
                }
            }
            Gazetteer {
                words,
                streets: lines(DK_STREETS).collect(),
                street_bases: lines(FAKER_STREET_BASES).collect(),
            }
        })
    }

    /// Frequency rank of a first name (any case), if it is one.
    pub fn first_name_rank(&self, word: &str) -> Option<u32> {
        self.first_rank_of_hash(word_hash(word))
    }

    /// What the lists say about the word with this [`word_hash`].
    pub fn info(&self, h: u64) -> WordInfo {
        self.words.get(&h).copied().unwrap_or(WordInfo::NONE)
    }

    /// Frequency rank of a first name given its [`word_hash`].
    pub fn first_rank_of_hash(&self, h: u64) -> Option<u32> {
        self.info(h).first_rank()
    }

    /// Whether a word (any case) is a listed surname.
    pub fn is_surname(&self, word: &str) -> bool {
        self.info(word_hash(word)).surname()
    }

    /// Whether a lower-case street name (possibly several words) is listed.
    pub fn is_street(&self, lower: &str) -> bool {
        self.streets.contains(lower) || self.street_bases.contains(lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load() {
        let g = Gazetteer::get();
        assert_eq!(g.first_name_rank("anne"), Some(0));
        assert!(g.first_name_rank("mette").is_some_and(|r| r < STRONG_RANK));
        assert!(g.first_name_rank("kan").is_some_and(|r| r > STRONG_RANK));
        assert!(g.is_surname("jensen"));
        assert!(g.is_surname("ødegård"));
        assert!(g.is_street("thomas koppels allé"));
        assert!(g.is_street("thomas koppels"));
        assert!(!g.is_street("jensen"));
    }
}

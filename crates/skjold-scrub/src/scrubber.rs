//! The text engine: one candidate pass, the detectors at the candidates, overlap
//! resolution and replacement.
//!
//! # How a text is scanned
//!
//! 1. **Candidates, one pass.** [`crate::scan`] walks the bytes once with a 256-entry
//!    class table and records where something can start: number runs (digits and `+`),
//!    capitalised words and IBAN shapes (capitals, ASCII or decoded only at non-ASCII
//!    lead bytes), and e-mail addresses (from each `@` outwards). Lower-case letters,
//!    spaces and punctuation, most of any text, cost one table look-up each. Token
//!    positions go into per-thread buffers that are reused, so no token allocates.
//! 2. **Cheap checks at the candidates only.** E-mails become findings at once; IBAN
//!    shapes after the mod-97 check; number runs go to [`crate::detect::numbers`]
//!    (shape, then check digits and dates, then the words right before the run, read
//!    once per run start into a stack buffer and looked up in one table of context
//!    words); capitalised words to [`crate::detect::names`] (one lower-case hash per word,
//!    looked up in the gazetteer tables); number starts also drive
//!    [`crate::detect::address`], which reads the word before a number and looks up
//!    street endings by suffix in a hash set rather than trying each ending.
//! 3. **Sensitive terms** are a second pass with one Aho–Corasick automaton built as a
//!    full DFA (one table step per byte; no prefilter applies to a few hundred
//!    case-insensitive terms).
//! 4. **Overlaps.** Findings below [`Config::min_confidence`] are dropped, the rest put in
//!    text order; only clusters of findings that overlap are ranked, by kind priority
//!    (e-mail > validated identifiers > account > address > phone > person > sensitive),
//!    then confidence, then length.
//! 5. **Replacement** writes straight into one output buffer; the [`Replacer`] keeps the
//!    values seen in a text arena with a hash index, so a repeated value costs a hash
//!    look-up and a new one an append.
//!
//! [`Scrubber::find_into`] takes the caller's findings buffer, and the JSONL path
//! ([`crate::jsonl`]) keeps one set of buffers per thread, so a document costs no
//! allocation once the buffers have grown. Documents are spread over cores there (rayon,
//! output in input order).
//!
//! # Costs
//!
//! Measured with callgrind on the dense synthetic corpus ([`crate::synth`], one finding
//! per 47 bytes), whole JSONL path on one core: about 190 instructions per input byte,
//! of which the candidate pass is about 20, the name detector 50, numbers 25,
//! sensitive terms 18, replacement and normalisation 25, JSON parsing and writing 30.
//! No stage dominates: what is left is spread over the detectors' own rules. Memory is
//! the gazetteers (a few MB of hash tables, built once per process, about 20 ms), the
//! term DFA (about 1 MB), and per thread the token, findings and output buffers (the
//! size of the largest document seen).
//!
//! The former design (one `regex_automata` multi-pattern regex for the tokens, a
//! B-tree for overlaps, a `String` per code and per normalised value) spent its time in
//! forward and reverse regex searches and allocation; see the crate docs for the
//! figures before and after.

use std::cell::RefCell;

use crate::detect::{address, names, numbers, sensitive::Sensitive};
use crate::error::{Error, ErrorKind};
use crate::kind::{Finding, Kind};
use crate::replace::Replacer;
use crate::scan::{self, Tokens};
use crate::validate::{self, Date};

/// Settings. A plain value: build it with struct-update syntax from
/// `Config::default()`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Findings below this confidence are dropped. Default 0.5.
    pub min_confidence: f32,
    /// Key for keyed pseudonyms; `None` numbers codes per document.
    pub key: Option<Vec<u8>>,
    /// "Today" for the not-in-the-future checks of CPR and Norwegian numbers, and for
    /// the Norwegian 2032 rule. `None` reads the system clock once, when the
    /// [`Scrubber`] is built.
    pub today: Option<Date>,
    /// Largest XML document accepted, in bytes. Default 64 MiB.
    pub max_xml_bytes: usize,
    /// Deepest element nesting accepted. Default 128.
    pub max_xml_depth: usize,
    /// Keep an embedded attachment when it is text (text/*, XML, JSON, CSV) and
    /// scanning it finds nothing. Binary attachments (PDF, images) cannot be scanned and
    /// are always removed. Default `false`: every attachment is removed.
    pub keep_clean_attachments: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_confidence: 0.5,
            key: None,
            today: None,
            max_xml_bytes: 64 * 1024 * 1024,
            max_xml_depth: 128,
            keep_clean_attachments: false,
        }
    }
}

/// The result of scrubbing one text.
#[derive(Clone, Debug)]
pub struct Scrubbed {
    /// The text with every finding replaced by its code.
    pub text: String,
    /// What was found, in order, with byte offsets into the *input* text.
    pub findings: Vec<Finding>,
}

/// The scrubber. Build once and share: it is `Send + Sync` and cheap to call from
/// several threads.
pub struct Scrubber {
    sensitive: Sensitive,
    config: Config,
    today: Date,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scrubber")
            .field("min_confidence", &self.config.min_confidence)
            .field("keyed", &self.config.key.is_some())
            .field("today", &self.today)
            .finish()
    }
}

thread_local! {
    /// The token buffers of the candidate pass, one set per thread.
    static TOKENS: RefCell<Tokens> = RefCell::new(Tokens::default());
}

fn alnum_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|r| r.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

impl Scrubber {
    /// Builds a scrubber. Fails only on an empty key.
    pub fn new(config: Config) -> Result<Scrubber, Error> {
        if config.key.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::new(ErrorKind::EmptyKey, ""));
        }
        let sensitive = Sensitive::new()
            .map_err(|e| Error::with_source(ErrorKind::Build, "sensitive terms", e))?;
        let today = config.today.unwrap_or_else(Date::today_utc);
        // Build the gazetteers now rather than inside the first call.
        let _ = crate::gazetteer::Gazetteer::get();
        Ok(Scrubber {
            sensitive,
            config,
            today,
        })
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A fresh replacer for one document, keyed if the config has a key.
    pub fn replacer(&self) -> Replacer {
        match &self.config.key {
            Some(k) => Replacer::keyed(k).unwrap_or_else(|_| Replacer::numbered()),
            None => Replacer::numbered(),
        }
    }

    /// Finds personal data in `text`: non-overlapping findings in text order.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        self.find_into(text, &mut out);
        out
    }

    /// [`Scrubber::find`] into a buffer (cleared first), so a caller scanning many
    /// texts reuses one.
    pub fn find_into(&self, text: &str, out: &mut Vec<Finding>) {
        out.clear();
        TOKENS.with_borrow_mut(|t| {
            scan::tokenize(text, t);
            for &(s, e) in &t.emails {
                if !alnum_before(text, s) {
                    out.push(Finding {
                        start: s,
                        end: e,
                        kind: Kind::Email,
                        confidence: 0.99,
                    });
                }
            }
            for &(s, e) in &t.ibans {
                self.iban(text, s, e, out);
            }
            for &(s, e) in &t.numbers {
                numbers::scan_run(text, s, e, self.today, out);
            }
            numbers::scan_reg_account(text, &t.numbers, out);
            names::scan(text, &t.caps, out);
            address::scan(text, t.numbers.iter().map(|&(s, _)| s), out);
        });
        self.sensitive.scan(text, out);
        let min = self.config.min_confidence;
        out.retain(|f| f.confidence >= min);
        resolve(out);
    }

    /// An IBAN candidate: valid as a whole, or after dropping trailing groups that the
    /// pattern took from the following text.
    fn iban(&self, text: &str, s: usize, e: usize, out: &mut Vec<Finding>) {
        if alnum_before(text, s) {
            return;
        }
        let mut end = e;
        loop {
            let compact: Vec<u8> = text.as_bytes()[s..end]
                .iter()
                .copied()
                .filter(|b| *b != b' ')
                .collect();
            if validate::iban(&compact) {
                out.push(Finding {
                    start: s,
                    end,
                    kind: Kind::Account,
                    confidence: 0.99,
                });
                return;
            }
            match text[s..end].rfind(' ') {
                Some(i) if i > 4 => end = s + i,
                _ => return,
            }
        }
    }

    /// Finds and replaces personal data in `text` with codes numbered within this text.
    pub fn scrub(&self, text: &str) -> Scrubbed {
        let mut r = self.replacer();
        self.scrub_with(text, &mut r)
    }

    /// Like [`Scrubber::scrub`], sharing numbering with other texts of the same document.
    pub fn scrub_with(&self, text: &str, replacer: &mut Replacer) -> Scrubbed {
        let findings = self.find(text);
        let text = apply(text, &findings, replacer);
        Scrubbed { text, findings }
    }
}

/// Replaces each finding (non-overlapping, in order) by its code.
pub(crate) fn apply(text: &str, findings: &[Finding], replacer: &mut Replacer) -> String {
    let mut out = String::with_capacity(text.len());
    apply_into(text, findings, replacer, &mut out);
    out
}

/// [`apply`] appending to `out`.
pub(crate) fn apply_into(
    text: &str,
    findings: &[Finding],
    replacer: &mut Replacer,
    out: &mut String,
) {
    let mut pos = 0;
    for f in findings {
        if f.start < pos || f.end > text.len() {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        replacer.write_code(f.kind, &text[f.start..f.end], out);
        pos = f.end;
    }
    out.push_str(&text[pos..]);
}

/// Keeps the best of overlapping findings, in text order.
///
/// Findings are put in text order; most touch no other and are kept as they are. Each
/// cluster of findings that overlap (directly or through others) is settled on its own:
/// ranked by kind priority, then confidence, then length, and taken greedily. Clusters
/// are independent, so this is the same as ranking all findings at once, without the
/// cost growing with the size of the text.
fn resolve(found: &mut Vec<Finding>) {
    found.retain(|f| f.start < f.end);
    found.sort_unstable_by_key(|f| (f.start, f.end, f.kind.priority()));
    if found.windows(2).all(|w| w[0].end <= w[1].start) {
        return;
    }
    let mut out = Vec::with_capacity(found.len());
    let mut i = 0;
    while i < found.len() {
        let mut j = i + 1;
        let mut end = found[i].end;
        while j < found.len() && found[j].start < end {
            end = end.max(found[j].end);
            j += 1;
        }
        if j == i + 1 {
            out.push(found[i]);
        } else {
            let cluster = &mut found[i..j];
            cluster.sort_by(|a, b| {
                b.kind
                    .priority()
                    .cmp(&a.kind.priority())
                    .then(b.confidence.total_cmp(&a.confidence))
                    .then((b.end - b.start).cmp(&(a.end - a.start)))
                    .then(a.start.cmp(&b.start))
            });
            let from = out.len();
            for f in cluster.iter() {
                if out[from..]
                    .iter()
                    .all(|k: &Finding| k.end <= f.start || f.end <= k.start)
                {
                    out.push(*f);
                }
            }
            out[from..].sort_unstable_by_key(|f| f.start);
        }
        i = j;
    }
    *found = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn scrubber() -> Scrubber {
        Scrubber::new(Config {
            today: Some(Date {
                year: 2026,
                month: 6,
                day: 1,
            }),
            ..Config::default()
        })
        .expect("scrubber")
    }

    fn kinds(text: &str) -> Vec<(String, &'static str)> {
        scrubber()
            .find(text)
            .iter()
            .map(|f| (text[f.start..f.end].to_string(), f.kind.label()))
            .collect()
    }

    fn pairs(v: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(
            kinds("Borgeren Daniel Schmidt med CPR-nr. 0101894009 har henvendt sig."),
            pairs(&[("Daniel Schmidt", "PERSON"), ("0101894009", "CPR")])
        );
        assert_eq!(
            kinds(
                "Kan Sandra Kjeldsen kontaktes på +45 56 78 28 28? Vi har forsøgt sandra.kjeldsen@jubii.dk uden svar."
            ),
            pairs(&[
                ("Sandra Kjeldsen", "PERSON"),
                ("+45 56 78 28 28", "PHONE"),
                ("sandra.kjeldsen@jubii.dk", "EMAIL")
            ])
        );
        assert_eq!(
            kinds("Søker med fødselsnummer 30069439078 og konto 4387.54.10149."),
            pairs(&[("30069439078", "NO_ID"), ("4387.54.10149", "ACCOUNT")])
        );
        assert_eq!(
            kinds("overføres til reg.nr. og kontonr. DK74 8607 5242 0580 67."),
            pairs(&[("DK74 8607 5242 0580 67", "ACCOUNT")])
        );
        assert_eq!(
            kinds("Klienten er dømt for vold og bor på Strandgade 230, 1. tv., 5879 Havdrup."),
            pairs(&[
                ("dømt for vold", "SENSITIVE"),
                ("Strandgade 230, 1. tv., 5879 Havdrup", "ADDRESS")
            ])
        );
    }

    #[test]
    fn business_numbers_are_not_personal() {
        let t = "EAN-nummer 5798384826103 skal anvendes ved fakturering, ordrenr. 0429497919. \
                 Faktura 7945343898 på 12.345,67 kr. forfalder 31.05.2027. CVR 12345678. \
                 Dit sagsnummer er 2024-9377905. Mødet er kl. 10.30 i lokale 2, 2100 stk.";
        assert_eq!(kinds(t), vec![]);
    }

    /// Phrasings written apart from the development corpus, to keep rules general.
    #[test]
    fn sensitive_phrasings_beyond_the_corpus() {
        let s = scrubber();
        for (text, gone) in [
            ("Borgeren tager antipsykotika.", "antipsykotika"),
            ("Han fik en dom for vold i 2019.", "vold"),
            (
                "Han er tidligere straffet for narkotikabesiddelse.",
                "narkotikabesiddelse",
            ),
            ("Hun går i moskeen hver fredag.", "moskeen"),
            (
                "Lægen vurderer, at han lider af PTSD og alkoholafhængighed.",
                "alkoholafhængighed",
            ),
        ] {
            let out = s.scrub(text).text;
            assert!(!out.contains(gone), "{text} -> {out}");
            assert!(out.contains("[FØLSOMT-1]"), "{text} -> {out}");
        }
        assert_eq!(
            kinds("Vi sender en rykker for manglende betaling af faktura 123."),
            vec![]
        );
    }

    #[test]
    fn listed_two_word_streets_are_addresses_not_names() {
        assert_eq!(
            kinds("Mødet er i Jobcentret, Bispebjerg Bakke 23."),
            pairs(&[("Bispebjerg Bakke 23", "ADDRESS")])
        );
        assert_eq!(
            kinds("Ole Bakke ringede i går."),
            pairs(&[("Ole Bakke", "PERSON")])
        );
    }

    /// Norwegian identity numbers with both check digits valid are findings with no
    /// keyword near them, written as 11 digits or as 6 + 5.
    #[test]
    fn norwegian_ids_need_no_keyword() {
        let mut r = crate::synth::Rng::new(11);
        for i in 0..300 {
            let mut id = String::new();
            crate::synth::no_id(&mut r, i % 3 == 1, i % 3 == 2, &mut id);
            let grouped = format!("{} {}", &id[..6], &id[6..]);
            for (written, frame) in [
                (&id, "Saken gjelder {} og er sendt videre."),
                (&grouped, "Vedlagt kopi for {}, mottatt i går."),
                (&id, "{}"),
            ] {
                let text = frame.replace("{}", written);
                let k = kinds(&text);
                assert!(k.contains(&(written.to_string(), "NO_ID")), "{text}: {k:?}");
            }
        }
        // Check digits that do not hold: not an identity number.
        assert_eq!(
            kinds("Saken gjelder 30069439079 og er sendt videre."),
            vec![]
        );
        // Valid check digits but no real date (a test person's month + 80).
        assert_eq!(
            kinds("Testperson 01889610057 i Tenor."),
            pairs(&[("01889610057", "NO_ID")])
        )
    }

    /// A registration and account number in a payment phrase is an account without the
    /// word "konto".
    #[test]
    fn danish_accounts_in_payment_phrases() {
        for (text, acct) in [
            ("Beløbet indbetales på 1234 0012345678.", "1234 0012345678"),
            (
                "Det overføres til reg. 1234 kt 12345678 i morgen.",
                "1234 kt 12345678",
            ),
            (
                "Udbetales til 1234-1234567890 hurtigst muligt.",
                "1234-1234567890",
            ),
            ("Honoraret udbetales til 9243 8667420.", "9243 8667420"),
            (
                "Betal venligst til 5301 0245871 senest fredag.",
                "5301 0245871",
            ),
            (
                "Pengene overføres til bankkonto 3409 11223344.",
                "3409 11223344",
            ),
            ("Indbetal på reg.nr. 6610 kt. 5552019.", "6610 kt. 5552019"),
        ] {
            assert_eq!(kinds(text), pairs(&[(acct, "ACCOUNT")]), "{text}");
        }
        // Without a payment word a short account part stays unknown, and business
        // numbers stay business numbers.
        assert_eq!(kinds("Der er 2024 1234567 registreringer."), vec![]);
        assert_eq!(kinds("Betal faktura 1234 567890 i dag."), vec![]);
    }

    #[test]
    fn compact_dates_are_not_phone_numbers() {
        assert_eq!(
            kinds("Created: 20171221. Changed: 20180309: updated."),
            vec![]
        );
        // With a phone word next to it, the same digits are a number to call.
        assert_eq!(
            kinds("Ring på tlf. 20171221."),
            pairs(&[("20171221", "PHONE")])
        );
    }

    #[test]
    fn context_is_local_to_the_number() {
        // "Fakturanr." lowers the number next to it, not the CPR later in the text.
        let t = "Fakturanr. 0101894009. Borgerens CPR-nr. er 010189-4009.";
        let k = kinds(t);
        assert_eq!(k, pairs(&[("010189-4009", "CPR")]));
    }

    #[test]
    fn scrub_numbers_codes_per_value() {
        let s = scrubber().scrub("Mette Jensen ringede. Mette Jensen og Ole Hansen kom.");
        assert_eq!(s.text, "[NAVN-1] ringede. [NAVN-1] og [NAVN-2] kom.");
        assert_eq!(s.findings.len(), 3);
    }

    #[test]
    fn resolve_prefers_priority_then_confidence() {
        let f = |s, e, kind, c| Finding {
            start: s,
            end: e,
            kind,
            confidence: c,
        };
        let mut r = vec![
            f(0, 10, Kind::Person, 0.9),
            f(5, 20, Kind::Address, 0.8),
            f(20, 25, Kind::Phone, 0.6),
            f(22, 24, Kind::Sensitive, 0.9),
        ];
        resolve(&mut r);
        assert_eq!(
            r,
            vec![f(5, 20, Kind::Address, 0.8), f(20, 25, Kind::Phone, 0.6)]
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::tests_support::scrubber;
    use crate::Kind;

    const PIECES: &[&str] = &[
        "Mette ",
        "Hansen",
        "+45 ",
        "27 87 38 85",
        "010189-4009",
        "DK50 0040 0440 1162 43",
        "vej 12, ",
        "2100 ",
        "København",
        "Ø",
        "@",
        "x.dk",
        "dømt for ",
        "vold",
        " ",
        "\n",
        "-",
        ".",
        ",",
        "ÆØÅ",
        "kontonr. ",
        "Fakturanr. ",
        "hr. ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Scrubbing never panics, findings are in order, non-overlapping, on char
        /// boundaries, and the output never contains a finding's text where it was.
        #[test]
        fn scrub_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            let s = scrubber();
            let out = s.scrub(&text);
            let mut last = 0;
            for f in &out.findings {
                prop_assert!(f.start >= last && f.start < f.end && f.end <= text.len());
                prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
                prop_assert!((0.0..=1.0).contains(&f.confidence));
                last = f.end;
            }
        }

        /// Text made of the pieces the detectors look at, glued at random.
        #[test]
        fn scrub_never_panics_on_lookalike_text(parts in proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(PIECES).prop_map(String::from),
                "[0-9]{1,12}",
                "[A-ZÆØÅ][a-zæøå]{0,10}",
            ], 0..40)) {
            let text: String = parts.concat();
            let out = scrubber().scrub(&text);
            for f in &out.findings {
                prop_assert!(text.get(f.start..f.end).is_some());
            }
            prop_assert!(out.findings.iter().all(|f| Kind::ALL.contains(&f.kind)));
        }

        /// The UBL path never panics, and whatever it accepts it writes out well-formed.
        #[test]
        fn ubl_never_panics(body in "\\PC{0,200}", junk in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = scrubber();
            let doc = format!("<Invoice xmlns:cbc=\"c\"><cbc:Note>{body}</cbc:Note></Invoice>");
            if let Ok(out) = s.scrub_ubl(doc.as_bytes()) {
                prop_assert!(crate::ubl::well_formed::check_well_formed(&out.xml).is_ok());
            }
            let _ = s.scrub_ubl(&junk);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::{Config, Scrubber};
    use crate::validate::Date;
    use std::sync::OnceLock;

    /// A shared scrubber with a fixed "today".
    pub(crate) fn scrubber() -> &'static Scrubber {
        static S: OnceLock<Scrubber> = OnceLock::new();
        S.get_or_init(|| {
            Scrubber::new(Config {
                today: Some(Date {
                    year: 2026,
                    month: 6,
                    day: 1,
                }),
                ..Config::default()
            })
            .expect("scrubber")
        })
    }
}

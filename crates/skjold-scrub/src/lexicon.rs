//! Hand-written word lists: context words, stop words, street suffixes, company
//! suffixes and sensitive terms. All lower case.
//!
//! These are rules, not data from a source: they were written for this crate from
//! general knowledge of Danish and Norwegian administrative language.

/// Words before a number that make it a CPR number.
#[rustfmt::skip]
pub const CPR_CONTEXT: &[&str] = &[
    "cpr", "cpr-nr", "cpr.nr", "cprnr", "cpr-nummer", "cprnummer", "personnummer", "personnr",
    "pers.nr", "født", "fødselsdato",
];

/// Words before a number that make it a Norwegian identity number.
#[rustfmt::skip]
pub const NO_ID_CONTEXT: &[&str] = &[
    "fødselsnummer", "fødselsnr", "fnr", "d-nummer", "d-nr", "h-nummer", "personnummer",
    "personnr", "født",
];

/// Words before a number that make it a bank account.
#[rustfmt::skip]
pub const ACCOUNT_CONTEXT: &[&str] = &[
    "konto", "kontonr", "kontonummer", "kontoen", "kontonr.", "reg.nr", "regnr", "reg",
    "registreringsnummer", "reg.nr.", "bankkonto", "bankkontonr", "nemkonto", "iban", "bank",
    "kontoopplysninger", "kontooplysninger",
];

/// Words before a number that make it a phone number.
#[rustfmt::skip]
pub const PHONE_CONTEXT: &[&str] = &[
    "tlf", "tlf.nr", "tlfnr", "telefon", "telefonnr", "telefonnummer", "mobil", "mobilnr",
    "mobilnummer", "mob", "ring", "ringe", "ringes", "sms", "kontaktes", "fax", "telefax",
    "tel", "phone", "tlf:", "telefon:", "på",
];

/// Stems of words before a number that make it business data, not personal data.
/// Matched as prefixes ("fakturanr", "fakturanummer", …), so each is long enough not to
/// start a name.
#[rustfmt::skip]
pub const NEGATIVE_CONTEXT_PREFIXES: &[&str] = &[
    "faktura", "ordre", "cvr", "ean-", "kunde", "bilag", "journal", "kontrakt", "udbud",
    "anbud", "bestilling", "dokument", "invoice", "order", "sagsnr", "sagsnum", "saksnr",
    "saksnum", "sagnr", "varenr", "varenum", "løbenr", "løbenum", "postnr", "postnum",
    "projekt", "prosjekt", "lager", "serienr", "serienum", "batch", "tilbud", "version",
    "versjon", "leverings", "organisasjonsn", "foretaksn", "referencen", "referansen",
    "kundenr", "medlemsnr", "medlemsnum", "aftalen", "avtalen", "licens", "lisens",
];

/// Whole words before a number that make it business data.
#[rustfmt::skip]
pub const NEGATIVE_CONTEXT_WORDS: &[&str] = &[
    "cvr", "se", "se-nr", "ean", "gln", "gln-nr", "j.nr", "jnr", "ref", "ref.nr", "refnr",
    "mva", "moms", "kid", "kid-nr", "po", "po-nr", "pkt", "pin", "kode", "lot", "side", "sag",
    "sak", "org.nr", "orgnr", "org", "stk", "antal", "antall", "lov", "afd", "avd", "nr",
    "løbenr", "bilagsnr", "sagsnr", "saksnr", "ordrenr", "fakturanr", "kl",
];

/// Words right after a number that make it an amount or a quantity.
#[rustfmt::skip]
pub const AMOUNT_AFTER: &[&str] = &[
    "kr", "kr.", "dkk", "nok", "eur", "euro", "sek", "usd", "stk", "stk.", "%", "timer", "dage",
    "dager", "uger", "uker", "måneder", "år", "km", "kg", "procent", "prosent", ",-",
];

/// Capitalised words that are never the first token of a name: function words,
/// role nouns and other words that start sentences in case notes. Several are also
/// rare given names in Danmarks Statistik's list ("Kan", "Vi", "Der", "Til").
#[rustfmt::skip]
pub const STOP_WORDS: &[&str] = &[
    "kan", "vi", "der", "den", "det", "de", "dem", "han", "hun", "jeg", "du", "dig", "din",
    "dit", "dine", "har", "havde", "hadde", "med", "til", "fra", "for", "på", "af", "av", "og",
    "i", "om", "ved", "hos", "men", "eller", "som", "når", "hvis", "så", "efter", "etter",
    "før", "inden", "under", "over", "mellem", "mellom", "kontakt", "kontaktperson", "borgeren",
    "borger", "klienten", "klient", "søker", "søkeren", "ansøger", "ansøgeren", "vikaren",
    "vikar", "sagsbehandler", "saksbehandler", "leverandøren", "leverandør", "levering",
    "leveres", "mødet", "møtet", "møde", "møte", "vedr", "vedrørende", "angående", "cv", "att",
    "attn", "hilsen", "venlig", "vennlig", "mvh", "kære", "kjære", "hej", "hei", "tak", "takk",
    "faktura", "ordre", "sag", "sak", "dato", "beløb", "beløp", "beløbet", "beløpet",
    "refusion", "refusjon", "lønn", "løn", "middagsmat", "personnummer", "fødselsnummer",
    "jobcentret", "jobcenter", "jobcenteret", "nav", "kommune", "kommunen", "region",
    "regionen", "rådhuset", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag",
    "søndag", "januar", "februar", "marts", "mars", "juni", "juli", "september", "oktober",
    "november", "december", "desember", "danmark", "norge", "sverige", "oslo", "bergen",
    "trondheim", "stavanger", "københavn", "aarhus", "århus", "odense", "aalborg", "esbjerg",
    "vejle", "herning", "roskilde", "horsens", "randers", "kolding", "silkeborg", "næstved",
    "fredericia", "viborg", "holstebro", "slagelse", "hillerød", "svendborg", "hjørring",
    "helsingør", "frederiksberg", "tromsø", "drammen", "kristiansand", "fredrikstad", "sandnes",
    "sarpsborg", "skien", "bodø", "ålesund", "hamar", "moss", "ring", "send", "se", "husk",
    "bemærk", "merk", "note", "notat", "emne", "sagsnr", "saksnr", "ydelse", "ydelsen",
    "tilbud", "tilbudet", "kontrakt", "kontrakten", "afdeling", "avdeling", "skole", "skolen",
    "børnehave", "barnehage", "hjemmehjælp", "hjemmehjelp", "dit", "ditt", "deres", "vores",
    "vår", "vårt", "hendes", "hennes", "jo", "nej", "nei", "ja", "ok", "også", "både", "alle",
    "ingen", "ikke", "nu", "nå", "her", "der", "denne", "dette", "disse", "hvor", "hvem", "hva",
    "hvad", "hvordan", "hvorfor", "mens", "fordi", "selv", "pr", "ca", "kl", "nr", "tlf",
    "telefon", "mobil", "email", "e-mail", "e-post", "adresse", "postnr", "by", "land", "navn",
    "fornavn", "efternavn", "etternavn", "dr", "prof", "hr", "fru", "frk", "herr", "frøken",
    "skat", "skatteetaten", "udbetaling", "danmark", "aps", "as", "asa", "a/s", "ba", "gruppen",
    "holding", "søn", "sønner", "lønmodtager", "arbejdsgiver", "arbeidsgiver", "rådgiver",
    "mentor", "pædagog", "lærer", "læge", "lege", "sygeplejerske", "sykepleier", "revisor",
    "advokat", "psykolog", "terapeut", "vejleder", "veileder", "konsulent", "chef", "leder",
    "direktør",
];

/// Words that, as the previous word, mark the next capitalised tokens as a person's name
/// even when the first name is not in a list. Titles allow a single token ("hr. Jensen").
#[rustfmt::skip]
pub const NAME_TITLES: &[&str] = &[
    "hr", "hr.", "fru", "fru.", "frk", "frk.", "herr", "dr", "dr.", "prof", "prof.", "fr.",
];

/// Greetings and sign-offs: the next word, if a common first name, is a person even on
/// its own ("Kære Mette", "Hej Peter", "Mvh Lise").
#[rustfmt::skip]
pub const NAME_GREETINGS: &[&str] = &[
    "kære", "kjære", "hej", "hei", "hejsa", "hallo", "mvh", "mvh.", "hilsen", "hilsen,", "dear",
    "vh", "vh.", "kh", "kh.", "venlig hilsen", "hilsen:",
    // Family words: "hendes søn Amir", "datteren Ida".
    "søn", "sønnen", "sønn", "datter", "datteren", "dattera", "barnet", "mor", "moren", "far",
    "faren", "bror", "broren", "søster", "søsteren", "hustru", "ægtefælle", "ektefelle", "kone",
    "samlever", "kæreste", "kjæreste", "barnebarn",
];

/// Role words and phrases that introduce a person's full name.
#[rustfmt::skip]
pub const NAME_TRIGGERS: &[&str] = &[
    "borgeren", "borger", "klienten", "klient", "søker", "søkeren", "ansøger", "ansøgeren",
    "vikaren", "vikar", "sagsbehandler", "saksbehandler", "sagsbehandler:", "saksbehandler:",
    "kontaktperson", "kontaktperson:", "att", "att.", "att:", "attn", "attn.", "v/", "c/o",
    "hilsen", "hilsen,", "mvh", "mvh.", "mvh,", "pårørende", "patienten", "pasienten",
    "patient", "pasient", "beboeren", "beboer", "deltageren", "deltakeren", "eleven", "barnet",
    "medarbejder", "medarbeider", "ansatte", "medarbejderen", "medarbeideren", "navn", "navn:",
    "kontakt", "kontakt:", "ref.", "ref:", "underskrevet", "signeret", "signert", "cv",
    "anvist", "henvist",
];

/// Tokens that, right after a capitalised run, make it a company name.
#[rustfmt::skip]
pub const COMPANY_SUFFIXES: &[&str] = &[
    "aps", "a/s", "as", "asa", "ba", "i/s", "k/s", "p/s", "ivs", "amba", "a.m.b.a.", "smba",
    "sa", "da", "ans", "gruppen", "group", "holding", "rfh", "ltd", "gmbh", "ab", "oy", "inc",
    "llc", "plc", "bv", "nv", "&", "og", "consult", "consulting", "revision", "advokatfirma",
    "tandlæger", "tannlege", "regnskab", "service", "services", "transport", "byg", "bygg",
    "el", "vvs", "entreprise", "invest",
];

/// Lower-case particles allowed inside a name ("Ingrid van der Berg", "Ali bin Omar").
#[rustfmt::skip]
pub const NAME_PARTICLES: &[&str] = &[
    "van", "von", "der", "de", "den", "di", "da", "du", "la", "le", "al", "el", "bin", "ibn",
    "ben", "af", "zu", "dos", "das", "del",
];

/// Endings of single-word street names (Danish and Norwegian), for words longer than the
/// ending itself ("Aggervej", "Karlsenhavna").
#[rustfmt::skip]
pub const STREET_ENDINGS: &[&str] = &[
    "vej", "vejen", "gade", "gaden", "allé", "alle", "alléen", "stræde", "strædet", "plads",
    "pladsen", "torv", "torvet", "vænge", "vænget", "boulevard", "parken", "park", "bakke",
    "bakken", "høj", "højen", "toft", "toften", "vang", "vangen", "stien", "sti", "kaj",
    "kajen", "brygge", "bryggen", "dige", "diget", "løkke", "løkken", "marken", "engen",
    "lunden", "have", "haven", "kvarter", "kvarteret", "skrænten", "hegnet", "gyde", "gyden",
    "vei", "veien", "vegen", "gate", "gata", "gaten", "plass", "plassen", "torg", "torget",
    "bråten", "eggen", "ekra", "faret", "flata", "gjerdet", "grenda", "gropa", "hagen",
    "haugen", "havna", "holtet", "høgda", "jordet", "kollen", "kroken", "lia", "lyngen",
    "løkka", "marka", "moen", "myra", "ringen", "roa", "røa", "skogen", "skrenten", "spranget",
    "stranda", "stubben", "stykket", "svingen", "tjernet", "toppen", "tunet", "vollen", "vika",
    "åsen", "berget", "tvær", "tværvej", "passage", "promenade", "kilen", "krogen", "holm",
    "holmen", "ager", "agre", "dal", "dalen", "lykke", "mose", "mosen",
];

/// The longest of [`STREET_ENDINGS`] that `lower` ends with, leaving at least two bytes
/// before it.
pub fn street_ending(lower: &str) -> Option<&'static str> {
    let endings = &sets().street_endings;
    let longest = STREET_ENDING_MAX.min(lower.len().saturating_sub(2));
    (1..=longest)
        .rev()
        .filter(|&k| lower.is_char_boundary(lower.len() - k))
        .find_map(|k| endings.get(&lower[lower.len() - k..]).copied())
}

/// Length in bytes of the longest of [`STREET_ENDINGS`].
pub const STREET_ENDING_MAX: usize = {
    let mut m = 0;
    let mut i = 0;
    while i < STREET_ENDINGS.len() {
        if STREET_ENDINGS[i].len() > m {
            m = STREET_ENDINGS[i].len();
        }
        i += 1;
    }
    m
};

/// Words that are a street type on their own ("Brønshøj Allé", "Karl Johans gate").
#[rustfmt::skip]
pub const STREET_WORDS: &[&str] = &[
    "allé", "alle", "vej", "gade", "stræde", "plads", "torv", "vænge", "boulevard", "park",
    "vei", "veg", "gate", "gata", "plass", "torg", "alléen", "have", "kaj", "brygge", "passage",
];

/// A term for special-category or criminal data.
pub struct SensitiveTerm {
    /// Lower-case text as written.
    pub text: &'static str,
    /// The next word belongs to the finding ("dømt for vold").
    pub takes_object: bool,
    /// Only matched in lower case: the word is also a name ("Kristen").
    pub lower_only: bool,
}

const fn t(text: &'static str) -> SensitiveTerm {
    SensitiveTerm {
        text,
        takes_object: false,
        lower_only: false,
    }
}

const fn obj(text: &'static str) -> SensitiveTerm {
    SensitiveTerm {
        text,
        takes_object: true,
        lower_only: false,
    }
}

const fn low(text: &'static str) -> SensitiveTerm {
    SensitiveTerm {
        text,
        takes_object: false,
        lower_only: true,
    }
}

/// Special-category and criminal terms, Danish and Norwegian. A match is extended to
/// the whole word it sits in (inflections and compounds: "depressionen",
/// "lungekræft"), within limits set in the detector.
#[rustfmt::skip]
pub const SENSITIVE_TERMS: &[SensitiveTerm] = &[
    // Health (GDPR art. 9)
    t("diabetes"), t("sukkersyge"), t("sukkersyke"), t("kræft"), t("kreft"), t("cancer"),
    t("epilepsi"), t("depression"), t("depresjon"), t("angst"), t("angstlidelse"), t("ptsd"),
    t("adhd"), t("autisme"), t("asperger"), t("skizofreni"), t("schizofreni"),
    t("bipolar lidelse"), t("bipolar"), t("hjerneskade"), t("hjerneskadet"), t("hjertesygdom"),
    t("hjertesykdom"), t("hjertesvigt"), t("hjertesvikt"), t("gigt"), t("gikt"), t("leddgikt"),
    t("sklerose"), t("sclerose"), t("demens"), t("alzheimer"), t("parkinson"), t("stress"),
    t("stressramt"), t("sygemelding"), t("sykemelding"), t("sygemeldt"), t("sykmeldt"),
    t("sykemeldt"), t("misbrug"), t("misbruk"), t("rusmisbrug"), t("rusmisbruk"),
    t("alkoholmisbrug"), t("alkoholmisbruk"), t("alkoholiker"), t("alkoholisme"), t("narkoman"),
    t("afhængighed"), t("avhengighet"), t("hiv"), t("aids"), t("hepatitis"), t("abort"),
    t("spiseforstyrrelse"), t("anoreksi"), t("bulimi"), t("ocd"),
    t("personlighedsforstyrrelse"), t("personlighetsforstyrrelse"), t("psykisk sygdom"),
    t("psykisk lidelse"), t("psykisk syk"), t("psykiatrisk"), t("psykose"),
    t("udviklingshæmmet"), t("utviklingshemmet"), t("udviklingshæmning"),
    t("utviklingshemming"), t("handicap"), t("funktionsnedsættelse"), t("funksjonsnedsettelse"),
    t("astma"), t("allergi"), t("migræne"), t("migrene"), t("kols"), t("kol"), t("infarkt"),
    t("blodprop"), t("slagtilfælde"), t("hjerneblødning"), t("selvmordsforsøg"),
    t("selvmordstanker"), t("selvskade"), t("graviditet"), t("gravid"), t("antidepressiva"),
    t("whiplash"), t("fibromyalgi"), t("tinnitus"), t("ordblind"), t("dysleksi"),
    t("antipsykotika"), t("antipsykotisk"), t("psykofarmaka"), t("antidepressiv"),
    t("metadon"), t("antabus"), t("kemoterapi"), t("cellegift"), t("dialyse"), t("insulin"),
    t("diskusprolaps"), t("prolaps"), t("rygskade"), t("arbejdsskade"), t("arbeidsskade"),
    t("udbrændthed"), t("utbrenthet"), t("nervesammenbrud"), t("hørehæmmet"), t("døv"),
    t("sclerosis"), t("depressiv"), t("angstanfald"), t("panikangst"),
    // Criminal data (GDPR art. 10)
    obj("dømt for"), obj("sigtet for"), obj("siktet for"), obj("tiltalt for"),
    obj("anholdt for"), obj("arresteret for"), obj("arrestert for"), obj("straffet for"),
    obj("domfældt for"), obj("domfelt for"), obj("anmeldt for"), obj("afsoner"),
    obj("misbrug af"), obj("misbruk av"), t("betinget dom"), t("ubetinget dom"),
    obj("dom for"), obj("mistænkt for"), obj("mistenkt for"), obj("anklaget for"),
    obj("dømt til"), t("sigtelse"),
    t("siktelse"), t("voldsdømt"),
    t("fængselsstraf"), t("fengselsstraff"), t("fængselsdom"), t("fengselsdom"),
    t("straffeattest med anmærkninger"), t("straffeattest med merknader"),
    t("plettet straffeattest"), t("prøveløsladt"), t("prøveløslatt"), t("samfundstjeneste"),
    t("samfunnsstraff"), t("fodlænke"), t("fotlenke"), t("voldsdom"), t("narkotikadom"),
    t("fængsel"), t("fængslet"), t("fengsel"), t("fengslet"), t("afsoning"), t("soning"),
    t("kriminalforsorgen"), t("kriminalomsorgen"), t("varetægtsfængslet"),
    t("varetektsfengslet"), t("straffesag"), t("straffesak"), t("ungdomssanktion"),
    t("ungdomsstraff"), t("polititilhold"), t("besøgsforbud"), t("kontaktforbud"),
    // Trade-union membership
    t("fagforening"), t("fagforeningsmedlem"), t("fagforbund"), t("fagforbundet"),
    t("tillidsrepræsentant"), t("tillitsvalgt"), obj("medlem af"), obj("medlem av"),
    // Religion and belief
    low("muslim"), t("muslimsk"), low("kristen"), t("jøde"), t("jødisk"), t("hindu"),
    t("buddhist"), t("katolik"), t("katolsk"), t("jehovas vidne"), t("jehovas vitne"),
    t("jehovas vidner"), t("trosretning"), t("religiøs"), t("ateist"), t("frikirke"),
    t("moské"), t("moske"), t("moskeen"), t("moskéen"), t("synagoge"), t("ramadan"),
    t("fredagsbøn"), t("fredagsbønn"),
    // Ethnicity
    t("etnisk minoritet"), t("etnisk oprindelse"), t("etnisk opprinnelse"), t("romani"),
    t("sigøjner"), t("sigøyner"),
    // Sexual orientation and life
    t("homoseksuel"), t("homoseksuell"), t("homofil"), t("lesbisk"), t("biseksuel"), t("bifil"),
    t("transkønnet"), t("transperson"), t("seksuel orientering"), t("seksuell orientering"),
    // Political opinion
    t("partimedlem"), t("politisk overbevisning"),
];

/// A fast, non-cryptographic hasher for word look-ups (the FxHash mixing step). The
/// keys are our own word lists and the words of the scanned text; hash flooding is not
/// a concern for a process-local set that the input cannot grow.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`FxHasher`]s.
pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A set of words.
pub type WordSet = std::collections::HashSet<&'static str, FxBuild>;

/// The word lists above as hash sets, built once.
pub struct Sets {
    pub stop: WordSet,
    pub company: WordSet,
    pub particles: WordSet,
    pub titles: WordSet,
    pub triggers: WordSet,
    pub greetings: WordSet,
    pub street_words: WordSet,
    pub amount_after: WordSet,
    /// [`STREET_ENDINGS`] as a set.
    pub street_endings: WordSet,
    /// Every context word with the lists it is in ([`context_flags`]).
    pub context: std::collections::HashMap<&'static str, u8, FxBuild>,
    /// [`NEGATIVE_CONTEXT_PREFIXES`] by first byte.
    pub negative_prefixes: Vec<Vec<&'static str>>,
}

/// Bits of [`Sets::context`].
pub mod context_flags {
    pub const CPR: u8 = 1;
    pub const NO_ID: u8 = 2;
    pub const ACCOUNT: u8 = 4;
    pub const PHONE: u8 = 8;
    pub const NEGATIVE: u8 = 16;
}

fn set(words: &[&'static str]) -> WordSet {
    words.iter().copied().collect()
}

/// The process-wide sets.
pub fn sets() -> &'static Sets {
    static S: std::sync::OnceLock<Sets> = std::sync::OnceLock::new();
    S.get_or_init(|| Sets {
        stop: set(STOP_WORDS),
        company: set(COMPANY_SUFFIXES),
        particles: set(NAME_PARTICLES),
        titles: set(NAME_TITLES),
        triggers: set(NAME_TRIGGERS),
        greetings: set(NAME_GREETINGS),
        street_words: set(STREET_WORDS),
        amount_after: set(AMOUNT_AFTER),
        street_endings: set(STREET_ENDINGS),
        context: {
            use context_flags as F;
            let mut m = std::collections::HashMap::default();
            for (list, bit) in [
                (CPR_CONTEXT, F::CPR),
                (NO_ID_CONTEXT, F::NO_ID),
                (ACCOUNT_CONTEXT, F::ACCOUNT),
                (PHONE_CONTEXT, F::PHONE),
                (NEGATIVE_CONTEXT_WORDS, F::NEGATIVE),
            ] {
                for w in list {
                    *m.entry(*w).or_insert(0) |= bit;
                }
            }
            m
        },
        negative_prefixes: {
            let mut v = vec![Vec::new(); 256];
            for p in NEGATIVE_CONTEXT_PREFIXES {
                v[usize::from(p.as_bytes()[0])].push(*p);
            }
            v
        },
    })
}

/// Hash of the lower-case form of `s`, computed without allocating. Word sets and
/// gazetteers are keyed by this hash so that looking a word of the text up costs no
/// lower-casing allocation; a 64-bit collision between a text word and a list entry is
/// the only way to a wrong answer, and is negligible for lists of this size.
pub fn word_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if c.is_ascii() {
            h.write_u8(c.to_ascii_lowercase() as u8);
        } else {
            for l in c.to_lowercase() {
                h.write(l.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    h.finish()
}

/// The lower-case form of `s` in `buf`, or `None` when it does not fit. Lets look-ups of
/// short words in the lists go without allocating.
pub fn lower_in<'a>(s: &str, buf: &'a mut [u8; 64]) -> Option<&'a str> {
    let mut n = 0;
    for c in s.chars() {
        if c.is_ascii() {
            *buf.get_mut(n)? = c.to_ascii_lowercase() as u8;
            n += 1;
        } else {
            for l in c.to_lowercase() {
                let w = l.len_utf8();
                l.encode_utf8(buf.get_mut(n..n + w)?);
                n += w;
            }
        }
    }
    std::str::from_utf8(&buf[..n]).ok()
}

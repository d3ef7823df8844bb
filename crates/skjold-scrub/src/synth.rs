//! A dense synthetic JSONL corpus for throughput measurements: about one piece of
//! personal data every 50 bytes, from a fixed seed.
//!
//! Every name is a random pairing of common first names and surnames and every number
//! is generated with valid check digits (CPR mod 11, both fødselsnummer check digits,
//! IBAN mod 97), so the detectors do their full work on it; none of it belongs to a real
//! person. Used by `cargo bench -p skjold-scrub` and `skjold bench scrub`.

use std::fmt::Write as _;
use std::io::Write;

/// A small deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.next_u64() as usize % xs.len()]
    }
}

const FIRST: &[&str] = &[
    "Mette", "Lars", "Anne", "Søren", "Kirsten", "Jens", "Ingrid", "Ole", "Sigrid", "Henrik",
    "Maja", "Bjørn", "Karen", "Thomas", "Silje", "Jakob", "Hanne", "Morten", "Astrid", "Peter",
];
const SURNAME: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Larsen",
    "Johansen",
    "Olsen",
    "Berg",
    "Haugen",
    "Dahl",
    "Lund",
    "Madsen",
    "Kristiansen",
    "Østergaard",
    "Bakken",
];
const STREET: &[&str] = &[
    "Egevej",
    "Skolegade",
    "Birkealle",
    "Strandvejen",
    "Bakkevej",
    "Storgata",
    "Kirkeveien",
    "Fjordgata",
];
const TOWN: &[&str] = &[
    "2100 København Ø",
    "8000 Aarhus C",
    "5000 Odense C",
    "0159 Oslo",
    "7011 Trondheim",
];
const SENSITIVE: &[&str] = &[
    "diabetes",
    "depression",
    "angst",
    "dømt for vold",
    "medlem af 3F",
    "epilepsi",
];
const FILLER: &[&str] = &[
    "har henvendt sig om sagen.",
    "Mødet er flyttet til tirsdag.",
    "Vi afventer svar fra kommunen.",
    "Saken behandles videre i neste uke.",
    "Faktura 88120034 er betalt.",
    "Beløbet er 1.250,00 kr.",
];

fn cpr(r: &mut Rng, out: &mut String) {
    loop {
        let (d, m, y) = (r.range(1, 28), r.range(1, 12), r.range(40, 99));
        let s7 = r.range(0, 3);
        let s89 = r.range(0, 99);
        let base = format!("{d:02}{m:02}{y:02}{s7}{s89:02}");
        let w = [4u32, 3, 2, 7, 6, 5, 4, 3, 2];
        let sum: u32 = base
            .bytes()
            .zip(w)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let k = (11 - sum % 11) % 11;
        if k < 10 {
            let _ = write!(out, "{}-{}{k}", &base[..6], &base[6..]);
            return;
        }
    }
}

fn fnr(r: &mut Rng, out: &mut String) {
    no_id(r, false, false, out);
}

/// A Norwegian identity number with both check digits valid: a fødselsnummer, or a D-
/// or H-nummer (40 added to the day or the month), born 1940–1999.
pub fn no_id(r: &mut Rng, d_number: bool, h_number: bool, out: &mut String) {
    loop {
        let (mut d, mut m, y) = (r.range(1, 28), r.range(1, 12), r.range(40, 99));
        if d_number {
            d += 40;
        } else if h_number {
            m += 40;
        }
        let base = format!("{d:02}{m:02}{y:02}{:03}", r.range(0, 499));
        let mut dd: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
        let k1 = 11
            - dd.iter()
                .zip([3, 7, 6, 1, 8, 9, 4, 5, 2])
                .map(|(a, b)| a * b)
                .sum::<u32>()
                % 11;
        let k1 = if k1 == 11 { 0 } else { k1 };
        if k1 == 10 {
            continue;
        }
        dd.push(k1);
        let k2 = 11
            - dd.iter()
                .zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
                .map(|(a, b)| a * b)
                .sum::<u32>()
                % 11;
        let k2 = if k2 == 11 { 0 } else { k2 };
        if k2 == 10 {
            continue;
        }
        let _ = write!(out, "{base}{k1}{k2}");
        return;
    }
}

fn iban(r: &mut Rng, out: &mut String) {
    let bban: String = (0..14)
        .map(|_| char::from(b'0' + r.range(0, 9) as u8))
        .collect();
    let mut rem = 0u32;
    for b in bban.bytes().chain(*b"DK00") {
        rem = if b.is_ascii_digit() {
            (rem * 10 + u32::from(b - b'0')) % 97
        } else {
            (rem * 100 + u32::from(b - b'A') + 10) % 97
        };
    }
    let raw = format!("DK{:02}{bban}", 98 - rem);
    for (i, c) in raw.as_bytes().chunks(4).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(std::str::from_utf8(c).unwrap_or(""));
    }
}

fn name(r: &mut Rng, out: &mut String) {
    let _ = write!(out, "{} {}", r.pick(FIRST), r.pick(SURNAME));
}

/// One text of about `target` bytes.
pub fn text(r: &mut Rng, target: usize, out: &mut String) {
    out.clear();
    while out.len() < target {
        match r.range(0, 12) {
            0 => {
                out.push_str("Borgeren ");
                name(r, out);
                out.push_str(" med CPR-nr. ");
                cpr(r, out);
                out.push_str(" har ringet.");
            }
            1 => {
                out.push_str("Søker ");
                name(r, out);
                out.push_str(", fødselsnummer ");
                fnr(r, out);
                out.push('.');
            }
            2 => {
                let _ = write!(
                    out,
                    "Ring på tlf. {} {:02} {:02} {:02}.",
                    r.range(20, 99),
                    r.range(0, 99),
                    r.range(0, 99),
                    r.range(0, 99)
                );
            }
            3 => {
                let (f, s) = (r.pick(FIRST), r.pick(SURNAME));
                let _ = write!(
                    out,
                    "Svar til {}.{}@example.dk i dag.",
                    f.to_lowercase().replace('ø', "oe"),
                    s.to_lowercase().replace('ø', "oe")
                );
            }
            4 => {
                out.push_str("Udbetales til ");
                iban(r, out);
                out.push('.');
            }
            5 => {
                let _ = write!(
                    out,
                    "Bor på {} {}, {}.",
                    r.pick(STREET),
                    r.range(1, 150),
                    r.pick(TOWN)
                );
            }
            6 => {
                out.push_str("Klienten har ");
                out.push_str(r.pick(SENSITIVE));
                out.push('.');
            }
            7 => {
                out.push_str("Kontakt ");
                name(r, out);
                out.push('.');
            }
            _ => out.push_str(r.pick(FILLER)),
        }
        out.push(' ');
    }
}

/// Writes a JSONL corpus of at least `bytes` bytes (`{"id": n, "text": "…"}` per line,
/// texts of 200–800 bytes) and returns the bytes written.
pub fn write_corpus<W: Write>(seed: u64, bytes: u64, mut out: W) -> std::io::Result<u64> {
    let mut r = Rng::new(seed);
    let mut t = String::new();
    let mut line = Vec::new();
    let mut written = 0u64;
    let mut id = 0u64;
    while written < bytes {
        let target = r.range(200, 800) as usize;
        text(&mut r, target, &mut t);
        line.clear();
        let _ = write!(line, "{{\"id\":{id},\"text\":");
        serde_json::to_writer(&mut line, t.trim_end()).map_err(std::io::Error::from)?;
        line.extend_from_slice(b"}\n");
        out.write_all(&line)?;
        written += line.len() as u64;
        id += 1;
    }
    out.flush()?;
    Ok(written)
}

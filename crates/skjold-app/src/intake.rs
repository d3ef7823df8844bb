//! Citizens in bulk from a case system's file (`skjold citizens import`), and synthetic files
//! to test and measure with (`skjold citizens generate`).
//!
//! **Formats**, chosen by the file's extension:
//! - CSV (`.csv`), one row per item, header `cpr,name,field,value,source,purpose`. The rows
//!   of one CPR number make one citizen, wherever they are in the file; the name is taken
//!   from the first row that has one. A row with `field` and `value` empty only names the
//!   citizen. The name item is recorded with the first item's source and purpose.
//! - JSON Lines (`.jsonl`, `.ndjson`), one citizen per line:
//!   `{"cpr": "…", "name": "…", "data": [{"field", "value", "source", "purpose"}]}`.
//!
//! Each citizen is checked as the API checks one ([`parse_citizen`]); a bad one is reported
//! with its line number and left out, and the rest goes on. Citizens are written in
//! batches through the gate ([`App::import_citizens`]); one already registered is skipped,
//! so a re-run imports nothing twice.

use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use skjold_core::citizens::{IntakeCitizen, IntakeOutcome};
use skjold_core::{Date, OrgKind, Problem};

use crate::citizens::{CitizenInput, ItemInput, parse_citizen, parse_item};
use crate::synthetic::{FIRST, LAST, STREETS, pick};
use crate::{App, AppError};

/// A file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// The format of `path`, from its extension; none for another extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// Why a line of the file was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// The line is not CSV or JSON of the expected shape.
    Unreadable(String),
    /// The citizen on it was refused.
    Refused(Problem),
}

/// A citizen read from the file: where it starts, and what it says (or why it cannot be
/// read).
#[derive(Debug, Clone)]
pub struct Entry {
    pub line: usize,
    pub citizen: Result<IntakeCitizen, LineError>,
}

#[derive(Deserialize)]
struct JsonCitizen {
    cpr: String,
    name: String,
    #[serde(default)]
    data: Vec<JsonItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct JsonItem {
    field: String,
    value: String,
    source: String,
    purpose: String,
}

impl From<JsonItem> for ItemInput {
    fn from(i: JsonItem) -> ItemInput {
        ItemInput {
            field: i.field,
            value: i.value,
            source: i.source,
            purpose: i.purpose,
        }
    }
}

/// Reads every citizen of `text` in `format`, each checked with `today` as the day (CPR
/// numbers born later are refused).
pub fn read_citizens(text: &str, format: Format, today: Date) -> Vec<Entry> {
    match format {
        Format::JsonLines => read_json_lines(text, today),
        Format::Csv => read_csv(text, today),
    }
}

fn read_json_lines(text: &str, today: Date) -> Vec<Entry> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Entry {
            line: i + 1,
            citizen: serde_json::from_str::<JsonCitizen>(l)
                .map_err(|e| LineError::Unreadable(e.to_string()))
                .and_then(|c| {
                    let input = CitizenInput {
                        cpr: c.cpr,
                        name: c.name,
                        data: c.data.into_iter().map(Into::into).collect(),
                        ..Default::default()
                    };
                    parse_citizen(&input, today).map_err(LineError::Refused)
                }),
        })
        .collect()
}

const CSV_HEADER: [&str; 6] = ["cpr", "name", "field", "value", "source", "purpose"];

/// One CPR number's rows.
struct Group {
    first_line: usize,
    cpr: String,
    name: String,
    items: Vec<(usize, ItemInput)>,
}

fn read_csv(text: &str, today: Date) -> Vec<Entry> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let header_ok = reader.headers().is_ok_and(|h| {
        h.len() == CSV_HEADER.len() && h.iter().zip(CSV_HEADER).all(|(a, b)| a.trim() == b)
    });
    if !header_ok {
        out.push(Entry {
            line: 1,
            citizen: Err(LineError::Unreadable(format!(
                "the header must be {}",
                CSV_HEADER.join(",")
            ))),
        });
        return out;
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut by_cpr: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                out.push(Entry {
                    line,
                    citizen: Err(LineError::Unreadable(e.to_string())),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != CSV_HEADER.len() {
            out.push(Entry {
                line,
                citizen: Err(LineError::Unreadable(format!(
                    "{} columns, not {}",
                    record.len(),
                    CSV_HEADER.len()
                ))),
            });
            continue;
        }
        let col = |i: usize| record.get(i).unwrap_or("").to_owned();
        let key: String = col(0).chars().filter(char::is_ascii_digit).collect();
        let g = *by_cpr.entry(key).or_insert_with(|| {
            groups.push(Group {
                first_line: line,
                cpr: col(0),
                name: String::new(),
                items: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[g];
        if group.name.trim().is_empty() {
            group.name = col(1);
        }
        if !(col(2).trim().is_empty() && col(3).trim().is_empty()) {
            group.items.push((
                line,
                ItemInput {
                    field: col(2),
                    value: col(3),
                    source: col(4),
                    purpose: col(5),
                },
            ));
        }
    }
    for g in groups {
        // An item's own problem is reported on its own line.
        let bad_item = g
            .items
            .iter()
            .find_map(|(line, i)| parse_item(i).err().map(|p| (*line, p)));
        let entry = match bad_item {
            Some((line, p)) => Entry {
                line,
                citizen: Err(LineError::Refused(p)),
            },
            None => {
                let input = CitizenInput {
                    cpr: g.cpr,
                    name: g.name,
                    data: g.items.into_iter().map(|(_, i)| i).collect(),
                    ..Default::default()
                };
                Entry {
                    line: g.first_line,
                    citizen: parse_citizen(&input, today).map_err(LineError::Refused),
                }
            }
        };
        out.push(entry);
    }
    out.sort_by_key(|e| e.line);
    out
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub imported: usize,
    /// Registered already: left as they were.
    pub skipped: usize,
    /// Left out, with the line and the reason.
    pub failed: Vec<(usize, LineError)>,
}

impl App {
    /// The municipality an import goes into: the one named, or the only one there is.
    pub async fn import_controller(&self, name: Option<&str>) -> Result<Uuid, AppError> {
        let municipalities: Vec<_> = self
            .store()
            .directory()
            .organisations()
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Municipality)
            .collect();
        let found = match name {
            Some(n) => municipalities.iter().find(|o| o.name == n.trim()),
            None if municipalities.len() == 1 => municipalities.first(),
            None => None,
        };
        found
            .map(|o| o.id)
            .ok_or(AppError::Refused(Problem::OrganisationNotFound))
    }

    /// Imports the citizens read from a file into `controller_id`, `batch` at a time (one
    /// key-store and one data transaction per batch), calling `progress` with the number
    /// of entries done after each batch.
    pub async fn import_entries(
        &self,
        controller_id: Uuid,
        entries: Vec<Entry>,
        batch: usize,
        mut progress: impl FnMut(usize),
    ) -> Result<ImportReport, AppError> {
        let mut report = ImportReport::default();
        let mut done = 0;
        let mut pending: Vec<(usize, IntakeCitizen)> = Vec::with_capacity(batch);
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() || !pending.is_empty() {
            while pending.len() < batch.max(1) {
                let Some(e) = entries.next() else { break };
                done += 1;
                match e.citizen {
                    Ok(c) => pending.push((e.line, c)),
                    Err(err) => report.failed.push((e.line, err)),
                }
            }
            if pending.is_empty() {
                continue;
            }
            let citizens: Vec<IntakeCitizen> = pending.iter().map(|(_, c)| c.clone()).collect();
            let outcomes = self.import_citizens(controller_id, &citizens).await?;
            for ((line, _), outcome) in pending.drain(..).zip(outcomes) {
                match outcome {
                    IntakeOutcome::Registered(_) => report.imported += 1,
                    IntakeOutcome::Exists => report.skipped += 1,
                    IntakeOutcome::Refused(p) => report.failed.push((line, LineError::Refused(p))),
                }
            }
            progress(done);
        }
        report.failed.sort_by_key(|(line, _)| *line);
        Ok(report)
    }
}

// ---- synthetic files --------------------------------------------------------------------

const SOURCES: &[&str] = &["Borgeren", "Anden myndighed", "CPR-registret", "Jobcentret"];
const EDUCATION: &[&str] = &[
    "Folkeskolens afgangsprøve",
    "Erhvervsuddannelse som tømrer",
    "Gymnasial uddannelse (stx)",
    "Social- og sundhedshjælper",
    "Bachelor i sygepleje",
];

/// A CPR number of the modern form (a real date; the serial need not pass modulus 11, as
/// numbers given since 2007 need not), born 1940–2005, not among `taken`.
fn synthetic_cpr<R: Rng>(rng: &mut R, taken: &mut HashSet<String>) -> String {
    loop {
        let year: i32 = rng.gen_range(1940..=2005);
        let month: u8 = rng.gen_range(1..=12);
        let day: u8 = rng.gen_range(1..=28);
        // The seventh digit with the century: 0–3 for 1900–1999; 4 or 9 for 1937–1999 and
        // 2000–2036; 5–8 for 2000–2057.
        let seventh = if year >= 2000 {
            *[4u8, 5, 6, 7, 8, 9].choose(rng).unwrap_or(&4)
        } else {
            rng.gen_range(0..=3)
        };
        let rest: u16 = rng.gen_range(0..1000);
        let cpr = format!(
            "{day:02}{month:02}{:02}-{seventh}{rest:03}",
            year.rem_euclid(100)
        );
        if taken.insert(cpr.clone()) {
            return cpr;
        }
    }
}

/// One synthetic citizen: a CPR number, a name and four items for `purpose`.
#[derive(Debug, Clone, Serialize)]
pub struct SyntheticCitizen {
    pub cpr: String,
    pub name: String,
    data: Vec<JsonItem>,
}

/// `count` synthetic citizens from `seed` (the same seed gives the same citizens), their
/// items recorded for `purpose`.
pub fn synthetic_citizens(count: usize, seed: u64, purpose: &str) -> Vec<SyntheticCitizen> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut taken = HashSet::with_capacity(count);
    (0..count)
        .map(|_| {
            let cpr = synthetic_cpr(&mut rng, &mut taken);
            let name = format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST));
            let item = |rng: &mut StdRng, field: &str, value: String| JsonItem {
                field: field.into(),
                value,
                source: pick(rng, SOURCES).into(),
                purpose: purpose.into(),
            };
            let address = format!(
                "{} {}, {}00 København",
                pick(&mut rng, STREETS),
                rng.gen_range(1..=180),
                rng.gen_range(10..=29)
            );
            let phone = format!("{}", rng.gen_range(20_000_000..=99_999_999u32));
            let email = format!(
                "{}{}@example.dk",
                name.split(' ').next().unwrap_or("borger").to_lowercase(),
                rng.gen_range(1..=9999)
            );
            let education = pick(&mut rng, EDUCATION).to_owned();
            let data = vec![
                item(&mut rng, "address", address),
                item(&mut rng, "phone", phone),
                item(&mut rng, "email", email),
                item(&mut rng, "education", education),
            ];
            SyntheticCitizen { cpr, name, data }
        })
        .collect()
}

/// Writes citizens as `format`: CSV with a row per item, or JSON Lines.
pub fn write_citizens(
    citizens: &[SyntheticCitizen],
    format: Format,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::JsonLines => {
            for c in citizens {
                serde_json::to_writer(&mut *out, c)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CSV_HEADER)?;
            for c in citizens {
                for d in &c.data {
                    w.write_record([
                        c.cpr.as_str(),
                        c.name.as_str(),
                        d.field.as_str(),
                        d.value.as_str(),
                        d.source.as_str(),
                        d.purpose.as_str(),
                    ])?;
                }
            }
            w.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 30).expect("date")
    }

    #[test]
    fn synthetic_files_read_back_whole_in_both_formats() {
        let citizens = synthetic_citizens(300, 7, "Beskæftigelsesindsats");
        assert_eq!(
            synthetic_citizens(300, 7, "Beskæftigelsesindsats")
                .iter()
                .map(|c| c.cpr.clone())
                .collect::<Vec<_>>(),
            citizens.iter().map(|c| c.cpr.clone()).collect::<Vec<_>>()
        );
        for format in [Format::Csv, Format::JsonLines] {
            let mut out = Vec::new();
            write_citizens(&citizens, format, &mut out).expect("write");
            let text = String::from_utf8(out).expect("utf-8");
            let entries = read_citizens(&text, format, today());
            assert_eq!(entries.len(), 300, "{format:?}");
            for e in &entries {
                let c = e.citizen.as_ref().expect("valid");
                assert_eq!(c.data.len(), 5, "{format:?}: name and four items");
            }
        }
    }

    #[test]
    fn a_bad_line_is_reported_by_its_number() {
        let text = "cpr,name,field,value,source,purpose\n\
                    010190-1234,Anna Berg,address,Vej 1,Borgeren,Formål\n\
                    010190-1234,,phone,12345678,Borgeren,Formål\n\
                    320190-1234,Bo Berg,address,Vej 2,Borgeren,Formål\n\
                    020290-1234,Carl Berg,shoe_size,44,Borgeren,Formål\n\
                    030390-1234,Dea Berg,phone,,Borgeren,Formål\n";
        let entries = read_citizens(text, Format::Csv, today());
        let lines: Vec<(usize, bool)> = entries
            .iter()
            .map(|e| (e.line, e.citizen.is_ok()))
            .collect();
        assert_eq!(lines, vec![(2, true), (4, false), (5, false), (6, false)]);
        assert!(matches!(
            entries[1].citizen,
            Err(LineError::Refused(Problem::CprImpossibleDate))
        ));
        assert!(matches!(
            entries[2].citizen,
            Err(LineError::Refused(Problem::UnknownField(_)))
        ));
    }
}

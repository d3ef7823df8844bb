//! Evaluation against a labelled corpus.
//!
//! The gold format is that of `shared/data/pii-dev/corpus.jsonl`: one object per line
//! with `id`, `text` and `spans` (`start`, `end` as UTF-8 byte offsets, `type`,
//! `value`). Scoring follows that corpus's README:
//!
//! - a gold span is **found** when findings cover at least half of its bytes, and
//!   **type-exact** when findings of its own type do;
//! - **precision** counts findings that overlap any gold span;
//! - a **leak** is a gold value whose exact text is still in the scrubbed output.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;

use crate::Progress;
use crate::error::{Error, ErrorKind};
use crate::kind::{Finding, Kind};
use crate::scrubber::Scrubber;

#[derive(Deserialize)]
struct GoldLine {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    spans: Vec<GoldSpan>,
}

#[derive(Deserialize)]
struct GoldSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    value: Option<String>,
}

/// Counts for one type.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TypeCounts {
    /// Gold spans of this type.
    pub gold: usize,
    /// Of those, found (any type).
    pub found: usize,
    /// Of those, found with the right type.
    pub type_exact: usize,
    /// Of those, whose value is still in the output.
    pub leaks: usize,
    /// Findings of this type.
    pub predicted: usize,
    /// Of those, overlapping some gold span.
    pub predicted_correct: usize,
}

/// A gold span that was not found, or a finding that overlaps no gold span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// The document's id, as JSON text.
    pub id: String,
    /// Gold or predicted type label.
    pub kind: String,
    /// The text of the span.
    pub text: String,
}

/// The result of an evaluation.
#[derive(Debug, Default, Clone)]
pub struct EvalReport {
    /// Documents read.
    pub documents: usize,
    /// Counts per type label (gold labels the scrubber does not know are kept too).
    pub per_type: BTreeMap<String, TypeCounts>,
    /// Up to [`EvalReport::MAX_EXAMPLES`] missed gold spans.
    pub misses: Vec<EvalError>,
    /// Up to [`EvalReport::MAX_EXAMPLES`] findings that overlap no gold span.
    pub false_positives: Vec<EvalError>,
}

impl EvalReport {
    /// How many examples of each error are kept.
    pub const MAX_EXAMPLES: usize = 200;

    fn total(&self) -> TypeCounts {
        let mut t = TypeCounts::default();
        for c in self.per_type.values() {
            t.gold += c.gold;
            t.found += c.found;
            t.type_exact += c.type_exact;
            t.leaks += c.leaks;
            t.predicted += c.predicted;
            t.predicted_correct += c.predicted_correct;
        }
        t
    }

    /// Found gold spans / gold spans (1.0 when there are none).
    pub fn recall(&self) -> f64 {
        let t = self.total();
        ratio(t.found, t.gold)
    }

    /// Type-exact gold spans / gold spans.
    pub fn type_exact_recall(&self) -> f64 {
        let t = self.total();
        ratio(t.type_exact, t.gold)
    }

    /// Findings overlapping gold / findings (1.0 when there are none).
    pub fn precision(&self) -> f64 {
        let t = self.total();
        ratio(t.predicted_correct, t.predicted)
    }

    /// Gold values still present in the output.
    pub fn leaks(&self) -> usize {
        self.total().leaks
    }

    /// Recall for one type label.
    pub fn recall_of(&self, label: &str) -> f64 {
        self.per_type
            .get(label)
            .map_or(1.0, |c| ratio(c.found, c.gold))
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Bytes of `[s, e)` covered by the findings accepted by `keep`.
fn covered(findings: &[Finding], s: usize, e: usize, keep: impl Fn(&Finding) -> bool) -> usize {
    // Findings do not overlap each other, so the sum of intersections is the union.
    findings
        .iter()
        .filter(|f| keep(f))
        .map(|f| f.end.min(e).saturating_sub(f.start.max(s)))
        .sum()
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>6} {:>8} {:>11} {:>10} {:>6}",
            "type", "gold", "recall", "type-exact", "precision", "leaks"
        )?;
        for (label, c) in &self.per_type {
            writeln!(
                f,
                "{:<10} {:>6} {:>8.4} {:>11.4} {:>10.4} {:>6}",
                label,
                c.gold,
                ratio(c.found, c.gold),
                ratio(c.type_exact, c.gold),
                ratio(c.predicted_correct, c.predicted),
                c.leaks
            )?;
        }
        let t = self.total();
        writeln!(
            f,
            "{:<10} {:>6} {:>8.4} {:>11.4} {:>10.4} {:>6}",
            "ALL",
            t.gold,
            self.recall(),
            self.type_exact_recall(),
            self.precision(),
            t.leaks
        )?;
        write!(
            f,
            "documents: {}, findings: {}",
            self.documents, t.predicted
        )
    }
}

impl Scrubber {
    /// Runs the scrubber over a gold corpus and scores it. A line that does not parse,
    /// or whose spans do not fall on the text's character boundaries, is an error.
    pub fn evaluate<R: BufRead>(
        &self,
        mut gold: R,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<EvalReport, Error> {
        let mut report = EvalReport::default();
        let mut line = String::new();
        let mut number = 0usize;
        let mut bytes = 0u64;
        loop {
            line.clear();
            let n = gold.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            number += 1;
            if line.trim().is_empty() {
                continue;
            }
            let doc: GoldLine = serde_json::from_str(line.trim_end())
                .map_err(|e| Error::with_source(ErrorKind::BadJsonLine { line: number }, "", e))?;
            self.score(&doc, number, &mut report)?;
            report.documents += 1;
            progress(Progress {
                items: report.documents as u64,
                bytes,
            });
        }
        Ok(report)
    }

    fn score(&self, doc: &GoldLine, number: usize, report: &mut EvalReport) -> Result<(), Error> {
        let scrubbed = self.scrub(&doc.text);
        let findings = &scrubbed.findings;
        let id = doc.id.to_string();
        for g in &doc.spans {
            let Some(span_text) = doc.text.get(g.start..g.end) else {
                return Err(Error::new(
                    ErrorKind::BadJsonLine { line: number },
                    "a span is outside the text or not on a character boundary",
                ));
            };
            let len = g.end - g.start;
            let all = covered(findings, g.start, g.end, |_| true);
            let same = covered(findings, g.start, g.end, |f| f.kind.label() == g.kind);
            let c = report.per_type.entry(g.kind.clone()).or_default();
            c.gold += 1;
            if 2 * all >= len {
                c.found += 1;
            } else if report.misses.len() < EvalReport::MAX_EXAMPLES {
                report.misses.push(EvalError {
                    id: id.clone(),
                    kind: g.kind.clone(),
                    text: span_text.to_string(),
                });
            }
            if 2 * same >= len {
                c.type_exact += 1;
            }
            let value = g.value.as_deref().unwrap_or(span_text);
            if !value.is_empty() && scrubbed.text.contains(value) {
                c.leaks += 1;
            }
        }
        for f in findings {
            let hit = doc.spans.iter().any(|g| f.start < g.end && g.start < f.end);
            let c = report
                .per_type
                .entry(f.kind.label().to_string())
                .or_default();
            c.predicted += 1;
            if hit {
                c.predicted_correct += 1;
            } else if report.false_positives.len() < EvalReport::MAX_EXAMPLES {
                report.false_positives.push(EvalError {
                    id: id.clone(),
                    kind: f.kind.label().to_string(),
                    text: doc.text[f.start..f.end].to_string(),
                });
            }
        }
        // Make sure every known kind has a row, even with no gold spans.
        for k in Kind::ALL {
            report.per_type.entry(k.label().to_string()).or_default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scrubber::Config;
    use crate::validate::Date;

    #[test]
    fn scores_a_tiny_corpus() {
        let s = Scrubber::new(Config {
            today: Some(Date {
                year: 2026,
                month: 6,
                day: 1,
            }),
            ..Config::default()
        })
        .expect("scrubber");
        let gold = concat!(
            r#"{"id":"a","text":"Mødet med Leif Holst er flyttet.","spans":[{"start":10,"end":20,"type":"PERSON","value":"Leif Holst"}]}"#,
            "\n",
            r#"{"id":"b","text":"Ring til 27 87 38 85 om xyzzy.","spans":[{"start":24,"end":29,"type":"SENSITIVE","value":"xyzzy"}]}"#,
            "\n"
        );
        let r = s.evaluate(gold.as_bytes(), &mut |_| {}).expect("eval");
        assert_eq!(r.documents, 2);
        assert_eq!(r.per_type["PERSON"].found, 1);
        assert_eq!(r.per_type["SENSITIVE"].found, 0);
        assert_eq!(r.per_type["SENSITIVE"].leaks, 1);
        assert_eq!(r.per_type["PHONE"].predicted, 1);
        assert_eq!(r.per_type["PHONE"].predicted_correct, 0);
        assert!((r.recall() - 0.5).abs() < 1e-9);
        assert!((r.precision() - 0.5).abs() < 1e-9);
        assert_eq!(r.leaks(), 1);
        assert_eq!(r.misses.len(), 1);
        assert!(r.to_string().contains("ALL"));
        assert!(s.evaluate("{bad".as_bytes(), &mut |_| {}).is_err());
    }
}

#[cfg(test)]
mod dev_corpus {
    use std::io::BufReader;

    use crate::scrubber::tests_support::scrubber;

    /// The acceptance figures on the development corpus (see the crate docs).
    #[test]
    fn dev_corpus_meets_targets() {
        let Some(data) = crate::ubl::tests::shared_data() else {
            return;
        };
        let path = data.join("pii-dev/corpus.jsonl");
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let r = scrubber()
            .evaluate(BufReader::new(file), &mut |_| {})
            .expect("eval");
        println!("{r}");
        assert!(r.documents >= 4000);
        assert!(r.recall() >= 0.99, "recall {}", r.recall());
        assert!(r.precision() >= 0.95, "precision {}", r.precision());
        for t in ["CPR", "NO_ID", "EMAIL"] {
            assert_eq!(r.recall_of(t), 1.0, "{t} recall");
        }
    }
}

#[cfg(test)]
mod heldout {
    use crate::scrubber::tests_support::scrubber;

    /// The held-apart corpus (`data/heldout.jsonl`, written apart from the development
    /// corpus with sentence frames the rules were not tuned on): prints the report and
    /// checks the floors recorded in the crate docs.
    #[test]
    fn heldout_corpus_report() {
        let gold = include_str!("../data/heldout.jsonl");
        let r = scrubber()
            .evaluate(gold.as_bytes(), &mut |_| {})
            .expect("eval");
        println!("{r}");
        for m in &r.misses {
            println!("missed {} {} {:?}", m.id, m.kind, m.text);
        }
        for m in &r.false_positives {
            println!("extra  {} {} {:?}", m.id, m.kind, m.text);
        }
        assert_eq!(r.documents, 160);
        // Before the payment-phrase and Norwegian-number rules: recall 0.9476, precision
        // 1.0. After: recall 0.9919 (two "revmatisme" missed), precision 1.0.
        assert!(r.recall() >= 0.99, "recall {}", r.recall());
        assert!(r.precision() >= 0.99, "precision {}", r.precision());
    }
}

//! JSONL in, JSONL out.
//!
//! Input lines are objects `{"id": …, "text": "…"}` (other fields are ignored; `id` may
//! be any JSON value and is copied as is). Each output line is
//! `{"id", "text" (scrubbed), "findings": [{"start", "end", "type", "confidence"}]}`
//! with UTF-8 **byte** offsets into the *input* text and `type` one of the labels of
//! [`crate::Kind`]. This format is a contract read by other tools.
//!
//! A line that is not such an object is reported in [`JsonlSummary::bad_lines`] and
//! skipped; the run goes on. Empty lines are skipped silently.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::Progress;
use crate::error::Error;
use crate::scrubber::Scrubber;

#[derive(Deserialize)]
struct InLine {
    id: serde_json::Value,
    text: String,
}

/// One finding in the output contract.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct JsonFinding {
    /// Byte offset into the input text.
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// Type label (`CPR`, `NO_ID`, `PERSON`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// Confidence, rounded to two decimals.
    pub confidence: f64,
}

/// One output line.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OutLine {
    /// The input's `id`, unchanged.
    pub id: serde_json::Value,
    /// The scrubbed text.
    pub text: String,
    /// What was found.
    pub findings: Vec<JsonFinding>,
}

/// What a JSONL run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JsonlSummary {
    /// Lines written.
    pub lines: usize,
    /// Findings over all lines.
    pub findings: usize,
    /// 1-based numbers of lines that were not `{"id", "text"}` objects.
    pub bad_lines: Vec<usize>,
}

impl Scrubber {
    /// Scrubs one JSONL stream into another. `progress` is called after each line with
    /// the bytes read so far. Fails only on I/O errors; bad lines are counted in the
    /// summary.
    pub fn scrub_jsonl<R: BufRead, W: Write>(
        &self,
        mut input: R,
        mut output: W,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<JsonlSummary, Error> {
        let mut summary = JsonlSummary::default();
        let mut line = String::new();
        let mut bytes = 0u64;
        let mut number = 0usize;
        loop {
            line.clear();
            let n = input.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            number += 1;
            let trimmed = line.trim_end_matches(['\n', '\r']);
            if trimmed.trim().is_empty() {
                continue;
            }
            let Ok(parsed) = serde_json::from_str::<InLine>(trimmed) else {
                summary.bad_lines.push(number);
                continue;
            };
            let out = self.scrub_record(parsed.id, &parsed.text);
            summary.findings += out.findings.len();
            serde_json::to_writer(&mut output, &out).map_err(std::io::Error::from)?;
            output.write_all(b"\n")?;
            summary.lines += 1;
            progress(Progress {
                items: summary.lines as u64,
                bytes,
            });
        }
        output.flush()?;
        Ok(summary)
    }

    /// Scrubs one record into an output line.
    pub fn scrub_record(&self, id: serde_json::Value, text: &str) -> OutLine {
        let s = self.scrub(text);
        OutLine {
            id,
            text: s.text,
            findings: s
                .findings
                .iter()
                .map(|f| JsonFinding {
                    start: f.start,
                    end: f.end,
                    kind: f.kind.label().to_string(),
                    confidence: (f64::from(f.confidence) * 100.0).round() / 100.0,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scrubber::Config;
    use crate::validate::Date;

    #[test]
    fn byte_offsets_into_input_and_bad_lines_reported() {
        let s = Scrubber::new(Config {
            today: Some(Date {
                year: 2026,
                month: 6,
                day: 1,
            }),
            ..Config::default()
        })
        .expect("scrubber");
        let input = "{\"id\": 7, \"text\": \"Middagsmat til Silje Ødegård, tlf. 27 87 38 85.\"}\nnot json\n\n{\"id\":\"b\",\"text\":\"intet\"}\n";
        let mut out = Vec::new();
        let mut calls = 0;
        let summary = s
            .scrub_jsonl(input.as_bytes(), &mut out, &mut |_| calls += 1)
            .expect("run");
        assert_eq!(summary.lines, 2);
        assert_eq!(summary.bad_lines, vec![2]);
        assert_eq!(calls, 2);
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<OutLine> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("output line parses"))
            .collect();
        assert_eq!(lines[0].id, serde_json::json!(7));
        assert_eq!(lines[0].text, "Middagsmat til [NAVN-1], tlf. [TELEFON-1].");
        let original = "Middagsmat til Silje Ødegård, tlf. 27 87 38 85.";
        let f = &lines[0].findings[0];
        assert_eq!(&original[f.start..f.end], "Silje Ødegård");
        assert_eq!((f.start, f.end), (15, 30)); // bytes, not chars: "Ø" and "å" are two bytes
        assert_eq!(f.kind, "PERSON");
        assert_eq!(lines[1].findings, vec![]);
    }
}

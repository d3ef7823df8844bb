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

//!
//! # How it runs
//!
//! Lines are read in batches of about [`BATCH_BYTES`]; a batch is cut into pieces of
//! about [`PIECE_BYTES`] that are scrubbed in parallel on the current rayon pool (all
//! cores by default; run inside a one-thread pool for one core), each piece into its own
//! output buffer, and the buffers are written in input order. Memory is flat in the
//! input size: one batch in, one batch out. A line is parsed without copying (`id` is
//! kept as raw JSON text and copied as is, `text` is borrowed unless it has escapes) and
//! the output line is written straight into the piece's buffer.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::Progress;
use crate::error::{Error, ErrorKind};
use crate::kind::Finding;
use crate::replace::{Replacer, push_decimal_bytes};
use crate::scrubber::{Scrubber, apply_into};

/// Input bytes read before a batch is scrubbed.
pub const BATCH_BYTES: usize = 4 << 20;
/// Input bytes per parallel piece of a batch.
pub const PIECE_BYTES: usize = 64 << 10;

#[derive(Deserialize)]
struct InLine<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(borrow)]
    text: Cow<'a, str>,
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

/// Runs `f` on a pool of `threads` worker threads (0: one per core), so that the
/// parallel paths of the scrubber ([`Scrubber::scrub_jsonl`]) use that many cores.
/// Without it they use rayon's global pool, one thread per core.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::with_source(ErrorKind::Io, "starting worker threads", e))?;
    Ok(pool.install(f))
}

/// Per-thread buffers.
struct Scratch {
    replacer: Replacer,
    text: String,
    findings: Vec<Finding>,
}

/// What one piece of a batch produced.
#[derive(Default)]
struct Piece {
    out: Vec<u8>,
    lines: usize,
    findings: usize,
    /// 0-based indexes (within the batch) of bad lines.
    bad: Vec<usize>,
}

enum LineResult {
    Written(usize),
    Empty,
    Bad,
}

/// Writes a confidence rounded to two decimals as serde_json writes such an `f64`.
fn write_confidence(out: &mut Vec<u8>, c: f32) {
    let c = (f64::from(c) * 100.0).round().clamp(0.0, 100.0) as u8;
    if c == 100 {
        out.extend_from_slice(b"1.0");
    } else {
        out.extend_from_slice(&[b'0', b'.', b'0' + c / 10]);
        if !c.is_multiple_of(10) {
            out.push(b'0' + c % 10);
        }
    }
}

impl Scrubber {
    /// Scrubs one JSONL stream into another, in input order. `progress` is called after
    /// each batch of lines with the lines and bytes done so far. Fails only on I/O
    /// errors; bad lines are counted in the summary.
    pub fn scrub_jsonl<R: BufRead, W: Write>(
        &self,
        mut input: R,
        mut output: W,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<JsonlSummary, Error> {
        let mut summary = JsonlSummary::default();
        let mut buf = String::with_capacity(BATCH_BYTES + PIECE_BYTES);
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
        let mut bytes = 0u64;
        let mut number = 0usize;
        let mut eof = false;
        // Output buffers go back here once written, so later batches reuse them.
        let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
        while !eof {
            buf.clear();
            lines.clear();
            let first = number + 1;
            while buf.len() < BATCH_BYTES {
                let start = buf.len();
                let n = input.read_line(&mut buf)?;
                if n == 0 {
                    eof = true;
                    break;
                }
                bytes += n as u64;
                number += 1;
                lines.push((start, buf.len()));
            }
            if lines.is_empty() {
                break;
            }
            pieces.clear();
            let mut from = 0;
            for (i, &(_, e)) in lines.iter().enumerate() {
                if e - lines[from].0 >= PIECE_BYTES || i + 1 == lines.len() {
                    pieces.push(from..i + 1);
                    from = i + 1;
                }
            }
            let done: Vec<Piece> = pieces
                .par_iter()
                .map_init(
                    || Scratch {
                        replacer: self.replacer(),
                        text: String::new(),
                        findings: Vec::new(),
                    },
                    |sc, range| {
                        let out = spare
                            .lock()
                            .ok()
                            .and_then(|mut v| v.pop())
                            .unwrap_or_else(|| Vec::with_capacity(PIECE_BYTES * 3 / 2));
                        let mut piece = Piece {
                            out,
                            ..Piece::default()
                        };
                        for i in range.clone() {
                            let (s, e) = lines[i];
                            match self.scrub_line(&buf[s..e], sc, &mut piece.out) {
                                LineResult::Written(f) => {
                                    piece.lines += 1;
                                    piece.findings += f;
                                }
                                LineResult::Empty => {}
                                LineResult::Bad => piece.bad.push(i),
                            }
                        }
                        piece
                    },
                )
                .collect();
            for mut p in done {
                output.write_all(&p.out)?;
                summary.lines += p.lines;
                summary.findings += p.findings;
                summary.bad_lines.extend(p.bad.iter().map(|i| first + i));
                p.out.clear();
                if let Ok(mut v) = spare.lock() {
                    v.push(p.out);
                }
            }
            progress(Progress {
                items: summary.lines as u64,
                bytes,
            });
        }
        output.flush()?;
        Ok(summary)
    }

    /// Scrubs one input line (with or without its newline) into `out`.
    fn scrub_line(&self, line: &str, sc: &mut Scratch, out: &mut Vec<u8>) -> LineResult {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed.trim().is_empty() {
            return LineResult::Empty;
        }
        let Ok(parsed) = serde_json::from_str::<InLine>(trimmed) else {
            return LineResult::Bad;
        };
        let text: &str = &parsed.text;
        self.find_into(text, &mut sc.findings);
        sc.replacer.clear();
        sc.text.clear();
        apply_into(text, &sc.findings, &mut sc.replacer, &mut sc.text);
        out.extend_from_slice(b"{\"id\":");
        out.extend_from_slice(parsed.id.get().as_bytes());
        out.extend_from_slice(b",\"text\":");
        if matches!(parsed.text, Cow::Borrowed(_)) {
            // A string serde_json could borrow had no escape sequence, so it holds no
            // quote, backslash or control character; nor do the codes. Escaping it again
            // would change nothing.
            out.push(b'"');
            out.extend_from_slice(sc.text.as_bytes());
            out.push(b'"');
        } else if serde_json::to_writer(&mut *out, sc.text.as_str()).is_err() {
            return LineResult::Bad;
        }
        out.extend_from_slice(b",\"findings\":[");
        for (i, f) in sc.findings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            push_decimal_bytes(out, f.start);
            out.extend_from_slice(b",\"end\":");
            push_decimal_bytes(out, f.end);
            out.extend_from_slice(b",\"type\":\"");
            out.extend_from_slice(f.kind.label().as_bytes());
            out.extend_from_slice(b"\",\"confidence\":");
            write_confidence(out, f.confidence);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}\n");
        LineResult::Written(sc.findings.len())
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
        assert_eq!(calls, 1); // one batch
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

#[cfg(test)]
mod same_as_records {
    use super::*;
    use crate::scrubber::tests_support::scrubber;

    /// The hand-written output lines say the same as the serde form of
    /// [`Scrubber::scrub_record`], line for line, and in input order.
    #[test]
    fn output_lines_match_scrub_record() {
        let mut input = Vec::new();
        crate::synth::write_corpus(3, 300_000, &mut input).expect("corpus");
        // Lines with escape sequences take the other path of the writer.
        input.extend_from_slice(
            b"{\"id\":{\"a\":[1,2]},\"text\":\"Ring \\\"Mette Hansen\\\"\\n p\\u00e5 27 87 38 85\\t/ \\\\ \\u0001\"}\n",
        );
        let mut out = Vec::new();
        let summary = scrubber()
            .scrub_jsonl(&input[..], &mut out, &mut |_| {})
            .expect("run");
        let text = String::from_utf8(out).expect("utf8");
        let ins: Vec<&str> = std::str::from_utf8(&input).expect("utf8").lines().collect();
        let outs: Vec<&str> = text.lines().collect();
        assert_eq!(ins.len(), outs.len());
        assert_eq!(summary.lines, outs.len());
        for (i, o) in ins.iter().zip(&outs) {
            let v: serde_json::Value = serde_json::from_str(i).expect("input");
            let text = v["text"].as_str().expect("text");
            let want = scrubber().scrub_record(v["id"].clone(), text);
            let got: OutLine = serde_json::from_str(o).expect("output parses");
            assert_eq!(got, want);
            assert_eq!(*o, serde_json::to_string(&want).expect("json"));
        }
    }
}

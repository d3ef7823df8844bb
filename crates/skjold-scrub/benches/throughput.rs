//! Throughput: MB/s for text (the dev corpus) and invoices/s and MB/s for UBL (the
//! example invoices). A plain harness (no criterion) to keep the build light; run with
//! `cargo bench -p skjold-scrub` (optimised). Reads `shared/data` next to the workspace.

use std::path::{Path, PathBuf};
use std::time::Instant;

use skjold_scrub::{Config, Scrubber};

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.is_dir() {
        eprintln!("benchmark data missing: {}", data.display());
        std::process::exit(1);
    }
    let s = Scrubber::new(Config::default()).expect("scrubber");

    // Text: every "text" of the dev corpus.
    let corpus = std::fs::read_to_string(data.join("pii-dev/corpus.jsonl")).expect("corpus");
    let texts: Vec<String> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut findings = 0usize;
    for t in &texts {
        findings += s.find(t).len(); // warm-up
    }
    let rounds = 5;
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            findings += s.scrub(t).findings.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "text: {} documents, {:.2} MB x {rounds}: {:.1} MB/s ({findings} findings)",
        texts.len(),
        bytes as f64 / 1e6,
        mb / secs
    );

    // One large text: the corpus joined, to show throughput without per-call overhead.
    let big = texts.join("\n");
    let start = Instant::now();
    let n = s.find(&big).len();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "text (one {:.2} MB document): {:.1} MB/s ({n} findings)",
        big.len() as f64 / 1e6,
        big.len() as f64 / 1e6 / secs
    );

    // JSONL, the whole path (parse, scrub, write), on the dense synthetic corpus.
    let mut jsonl = Vec::new();
    skjold_scrub::synth::write_corpus(1, 20_000_000, &mut jsonl).expect("corpus");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let mut speeds = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            skjold_scrub::with_threads(threads, || {
                s.scrub_jsonl(&jsonl[..], std::io::sink(), &mut |_| {})
            })
            .expect("pool")
            .expect("jsonl");
            speeds.push(jsonl.len() as f64 / 1e6 / start.elapsed().as_secs_f64());
        }
        speeds.sort_by(f64::total_cmp);
        println!(
            "jsonl (dense synthetic, {:.0} MB), {threads} thread(s): {:.1} MB/s (median of 3)",
            jsonl.len() as f64 / 1e6,
            speeds[1]
        );
    }

    // UBL: every example invoice.
    let mut files = Vec::new();
    xml_files(&data.join("invoices"), &mut files);
    let docs: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let ubl_bytes: usize = docs.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut ok = 0usize;
    for _ in 0..rounds {
        for d in &docs {
            ok += usize::from(s.scrub_ubl(d).is_ok());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ubl: {} invoices, {:.2} MB x {rounds}: {:.0} invoices/s, {:.1} MB/s ({ok} ok)",
        docs.len(),
        ubl_bytes as f64 / 1e6,
        (docs.len() * rounds) as f64 / secs,
        (ubl_bytes * rounds) as f64 / 1e6 / secs
    );
}

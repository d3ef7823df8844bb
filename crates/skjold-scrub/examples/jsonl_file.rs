//! Scrubs a JSONL file into another as `skjold scrub jsonl` does (streamed, buffered),
//! on a given number of threads, and prints MB/s and the process's peak RSS
//! (developer tool): `cargo run --release -p skjold-scrub --example jsonl_file --
//! IN.jsonl OUT.jsonl [THREADS]`. With `--make MB IN.jsonl` it writes the dense
//! synthetic corpus instead.
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--make") {
        let mb: u64 = args.get(1).ok_or("--make MB FILE")?.parse()?;
        let path = args.get(2).ok_or("--make MB FILE")?;
        let n = skjold_scrub::synth::write_corpus(
            1,
            mb * 1_000_000,
            BufWriter::new(File::create(path)?),
        )?;
        println!("{n} bytes written to {path}");
        return Ok(());
    }
    let input = args.first().ok_or("usage: jsonl_file IN OUT [THREADS]")?;
    let output = args.get(1).ok_or("usage: jsonl_file IN OUT [THREADS]")?;
    let threads: usize = args.get(2).map(|t| t.parse()).transpose()?.unwrap_or(0);
    let s = skjold_scrub::Scrubber::new(skjold_scrub::Config::default())?;
    let bytes = std::fs::metadata(input)?.len();
    let reader = BufReader::new(File::open(input)?);
    let writer = BufWriter::new(File::create(output)?);
    let t = Instant::now();
    let sum = skjold_scrub::with_threads(threads, || s.scrub_jsonl(reader, writer, &mut |_| {}))??;
    println!(
        "{:.1} MB, {} lines, {} findings, threads {threads}: {:.1} MB/s, peak RSS {:.0} MB",
        bytes as f64 / 1e6,
        sum.lines,
        sum.findings,
        bytes as f64 / 1e6 / t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    Ok(())
}

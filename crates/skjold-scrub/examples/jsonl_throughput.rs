//! Times `Scrubber::scrub_jsonl` over a dense synthetic corpus held in memory
//! (developer tool): `cargo run --release -p skjold-scrub --example jsonl_throughput --
//! [MB]`.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mb: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20);
    let mut corpus = Vec::new();
    skjold_scrub::synth::write_corpus(7, mb * 1_000_000, &mut corpus)?;
    let s = skjold_scrub::Scrubber::new(skjold_scrub::Config::default())?;
    for _ in 0..3 {
        let mut out = Vec::with_capacity(corpus.len() * 2);
        let t = Instant::now();
        let sum = s.scrub_jsonl(&corpus[..], &mut out, &mut |_| {})?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{:.1} MB, {} lines, {} findings ({:.0} bytes per finding): {:.1} MB/s",
            corpus.len() as f64 / 1e6,
            sum.lines,
            sum.findings,
            corpus.len() as f64 / sum.findings as f64,
            corpus.len() as f64 / 1e6 / secs
        );
    }
    Ok(())
}

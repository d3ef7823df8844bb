//! Scores the scrubber on a gold corpus and prints the report with examples of errors.
//!
//! `cargo run -p skjold-scrub --example eval_corpus -- GOLD.jsonl [--errors]`

use std::io::BufReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: eval_corpus GOLD.jsonl [--errors]")?;
    let show = args.next().as_deref() == Some("--errors");
    let scrubber = skjold_scrub::Scrubber::new(skjold_scrub::Config::default())?;
    let file = BufReader::new(std::fs::File::open(path)?);
    let report = scrubber.evaluate(file, &mut |_| {})?;
    println!("{report}");
    if show {
        for m in &report.misses {
            println!("MISS {} {} {:?}", m.id, m.kind, m.text);
        }
        for m in &report.false_positives {
            println!("FP   {} {} {:?}", m.id, m.kind, m.text);
        }
    }
    Ok(())
}

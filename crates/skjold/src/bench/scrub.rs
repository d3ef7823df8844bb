//! `skjold bench scrub`: JSONL scrubbing throughput on a dense synthetic corpus (about
//! one finding per 50 bytes, fixed seed, every number with valid check digits, no real
//! person), on one core and on all cores, with the process's peak memory.
//!
//! The corpus is written to a temporary file and read back as `skjold scrub jsonl`
//! reads its input (buffered, streamed); the output goes to a sink, so the figure is
//! the scrubber's, not the disk's.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use skjold_app::scrub::{Config, Scrubber, synth, with_threads};

/// Peak resident memory of this process so far (VmHWM), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time this process has used so far (user + system), in seconds: on a machine
/// shared with other work, MB per CPU-second is the steadier figure of the two.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // Clock ticks; 100 per second on Linux.
    Some((utime + stime) / 100.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Generates `mb` MB of corpus, then scrubs it `runs` times on one thread and on all
/// cores and prints the median MB/s of each.
pub fn run(mb: u64, runs: usize, seed: u64, keep: Option<PathBuf>) -> Result<()> {
    let runs = runs.max(1);
    let path = match &keep {
        Some(p) => p.clone(),
        None => {
            std::env::temp_dir().join(format!("skjold-bench-scrub-{}.jsonl", std::process::id()))
        }
    };
    let t = Instant::now();
    let bytes = synth::write_corpus(
        seed,
        mb * 1_000_000,
        BufWriter::new(
            File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        ),
    )?;
    println!(
        "corpus: {:.1} MB of JSONL (seed {seed}) written in {:.1} s to {}",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        path.display()
    );
    let scrubber = Scrubber::new(Config::default()).context("building the scrubber")?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut figures = Vec::new();
    for threads in [1, cores] {
        let mut speeds = Vec::new();
        let mut per_cpu = Vec::new();
        let mut findings = 0;
        for _ in 0..runs {
            let input = BufReader::with_capacity(1 << 20, File::open(&path)?);
            let t = Instant::now();
            let cpu = cpu_seconds();
            let summary = with_threads(threads, || {
                scrubber.scrub_jsonl(input, std::io::sink(), &mut |_| {})
            })??;
            speeds.push(bytes as f64 / 1e6 / t.elapsed().as_secs_f64());
            if let (Some(a), Some(b)) = (cpu, cpu_seconds()) {
                per_cpu.push(bytes as f64 / 1e6 / (b - a).max(0.01));
            }
            findings = summary.findings;
        }
        let m = median(speeds.clone());
        let c = if per_cpu.is_empty() {
            0.0
        } else {
            median(per_cpu)
        };
        println!(
            "{threads} thread(s): median {m:.1} MB/s wall ({}), {c:.1} MB per CPU-second; {findings} findings, one per {:.0} bytes",
            speeds
                .iter()
                .map(|s| format!("{s:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
            bytes as f64 / findings.max(1) as f64
        );
        figures.push((threads, m, c));
        if cores == 1 {
            break;
        }
    }
    if let Some(rss) = peak_rss_mb() {
        println!("peak RSS: {rss:.0} MB");
    }
    if keep.is_none() {
        let _ = std::fs::remove_file(&path);
    }
    let json = serde_json::json!({
        "bench": "scrub",
        "corpus_bytes": bytes,
        "runs": runs,
        "mb_per_s": figures
            .iter()
            .map(|(t, m, c)| {
                serde_json::json!({
                    "threads": t,
                    "median_wall": (m * 10.0).round() / 10.0,
                    "per_cpu_second": (c * 10.0).round() / 10.0,
                })
            })
            .collect::<Vec<_>>(),
        "peak_rss_mb": peak_rss_mb().map(|r| r.round()),
    });
    println!("{json}");
    Ok(())
}

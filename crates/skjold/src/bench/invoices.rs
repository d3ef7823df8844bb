//! `skjold bench invoices`: the first step of the invoice pipeline (anonymise, then read)
//! over a directory of UBL files, on one thread and on all cores. Files that are not an
//! invoice or a credit note are counted and left out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use skjold_app::invoices::anonymise::anonymise;
use skjold_app::scrub::{Config, Scrubber, with_threads};

fn xml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Anonymises and reads every invoice in `dir` `rounds` times per run, `runs` runs on one
/// thread and on all cores, and prints the median invoices per second of each.
pub fn run(dir: &Path, rounds: usize, runs: usize) -> Result<()> {
    let scrubber = Scrubber::new(Config::default())?;
    let mut documents = Vec::new();
    let mut left_out = 0;
    for path in xml_files(dir)? {
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        match anonymise(&scrubber, &raw) {
            Ok(_) => documents.push(raw),
            Err(_) => left_out += 1,
        }
    }
    if documents.is_empty() {
        bail!("{} holds no invoice or credit note", dir.display());
    }
    let bytes: usize = documents.iter().map(Vec::len).sum();
    println!(
        "{} invoices and credit notes ({:.2} MB; {left_out} other files left out), {rounds} rounds a run, median of {runs}",
        documents.len(),
        bytes as f64 / 1e6
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for threads in [1, cores] {
        let mut rates = Vec::new();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let reviewed: usize = with_threads(threads, || {
                (0..rounds)
                    .into_par_iter()
                    .flat_map_iter(|_| documents.iter())
                    .map(|raw| anonymise(&scrubber, raw).map_or(0, |a| a.review.len().min(1)))
                    .sum()
            })?;
            let secs = t.elapsed().as_secs_f64();
            rates.push((documents.len() * rounds) as f64 / secs);
            std::hint::black_box(reviewed);
        }
        let rate = median(rates);
        println!(
            "{threads} thread(s): {rate:.0} invoices/s ({:.1} MB/s)",
            rate * bytes as f64 / documents.len() as f64 / 1e6
        );
    }
    Ok(())
}

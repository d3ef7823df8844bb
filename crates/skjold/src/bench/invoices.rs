//! `skjold bench invoices`: the invoice pipeline over a directory of UBL files: its first
//! step (anonymise, then read) on one thread and on all cores, then the whole pipeline
//! (anonymised, read, raw copy sealed, kept with its lines and the aggregate) into a
//! scratch installation. Files that are not an invoice or a credit note are counted and
//! left out. `skjold bench invoice-report`: one organisation's report over millions of
//! synthetic lines on PostgreSQL.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use skjold_app::App;
use skjold_app::bench::{InvoiceFillPlan, Scratch};
use skjold_app::demo::{DEMO_MUNICIPALITY, DEMO_SERVICE};
use skjold_app::invoices::anonymise::anonymise;
use skjold_app::invoices::{Joining, Upload};
use skjold_app::scrub::{Config, Scrubber, with_threads};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Anonymises and reads every invoice in `dir` `rounds` times per run, `runs` runs on one
/// thread and on all cores, and prints the median invoices per second of each; returns
/// the documents.
pub fn first_step(dir: &Path, rounds: usize, runs: usize) -> Result<Vec<Vec<u8>>> {
    let scrubber = Scrubber::new(Config::default())?;
    let mut documents = Vec::new();
    let mut left_out = 0;
    for path in crate::invoices::files_in(dir)? {
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
    Ok(documents)
}

/// The document with its id made unique by `tag` (so that every round is new documents,
/// not a second upload of the same, and examples that share an id stay apart).
fn renumbered(raw: &[u8], tag: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw);
    for element in ["<cbc:ID>", "<ID>"] {
        if let Some(at) = text.find(element) {
            let at = at + element.len();
            return format!("{}{tag}-{}", &text[..at], &text[at..]).into_bytes();
        }
    }
    raw.to_vec()
}

/// A scratch installation with the demo's municipality taking part, and its id.
async fn participating(scratch: &Scratch) -> Result<uuid::Uuid> {
    let app = &scratch.app;
    let demo = app.build_demo_base(10).await?;
    let municipality = demo.organisations[DEMO_MUNICIPALITY];
    let service = demo.organisations[DEMO_SERVICE];
    let buyer = app.named_user("indkoeber").await?;
    app.join_invoices_as_operator(
        municipality,
        &Joining {
            service_id: service,
            contact_user_id: buyer.user_id,
            citizens: Some(100_000),
            currency: "DKK".into(),
        },
    )
    .await?;
    Ok(municipality)
}

/// The whole pipeline: `documents` sent `rounds` times (renumbered each round) into a
/// scratch installation, 500 a transaction; prints invoices per second.
pub async fn ingest(
    documents: &[Vec<u8>],
    rounds: usize,
    database_url: Option<&str>,
) -> Result<()> {
    let scratch = Scratch::new(database_url).await;
    let result = async {
        let municipality = participating(&scratch).await?;
        let uploads: Vec<Upload> = (0..rounds.max(1))
            .flat_map(|r| {
                documents.iter().enumerate().map(move |(i, raw)| Upload {
                    name: format!("{r}-{i}.xml"),
                    bytes: renumbered(raw, &format!("R{r}D{i}")),
                })
            })
            .collect();
        let n = uploads.len();
        let t = Instant::now();
        let report = scratch
            .app
            .import_invoices(municipality, uploads, 500, |_| {})
            .await?;
        let secs = t.elapsed().as_secs_f64();
        Ok::<_, anyhow::Error>((n, report, secs))
    }
    .await;
    let backend = scratch.backend();
    scratch.cleanup().await;
    let (n, report, secs) = result?;
    println!(
        "whole pipeline ({backend}): {n} documents in {secs:.2} s: {:.0} invoices/s; {} new, {} to review, {} refused",
        n as f64 / secs.max(1e-9),
        report.new,
        report.to_review,
        report.failed.len()
    );
    Ok(())
}

/// One organisation's report over `lines` synthetic lines of `organisations`
/// organisations (PostgreSQL): prints the fill and the report's median and slowest time.
pub async fn report(
    lines: u64,
    organisations: usize,
    runs: usize,
    database_url: &str,
) -> Result<()> {
    let scratch = Scratch::new(Some(database_url)).await;
    let result = report_figures(&scratch, lines, organisations, runs).await;
    scratch.cleanup().await;
    let (filled, fill, cells, mut times) = result?;
    times.sort();
    println!("bench invoice-report (PostgreSQL)");
    println!(
        "  fill     {filled} lines of {organisations} organisations over 10 years in {:.1} s (set-based SQL), the aggregate built from them: {cells} cells",
        fill.as_secs_f64()
    );
    println!(
        "  report   one organisation's report (categories, suppliers, months, the comparison with all): median {:.1} ms, slowest {:.1} ms over {runs} runs",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
    Ok(())
}

async fn report_figures(
    scratch: &Scratch,
    lines: u64,
    organisations: usize,
    runs: usize,
) -> Result<(u64, Duration, usize, Vec<Duration>)> {
    let app: &App = &scratch.app;
    let own = participating(scratch).await?;
    let service = app
        .invoice_participation(&app.named_user("indkoeber").await?)
        .await?
        .context("taking part")?
        .service_id;
    let mut all = vec![own];
    for i in 1..organisations.max(1) {
        let org = app
            .create_organisation(
                None,
                skjold_core::OrgKind::Municipality,
                None,
                &format!("Kommune {i}"),
                None,
            )
            .await?;
        let contact = app
            .add_user(
                None,
                org.id,
                &format!("indkoeber{i}"),
                "Indkøber",
                skjold_core::Role::Buyer,
                "bench-adgangskode-2026",
            )
            .await?;
        app.join_invoices_as_operator(
            org.id,
            &Joining {
                service_id: service,
                contact_user_id: contact.id,
                citizens: Some(50_000),
                currency: "DKK".into(),
            },
        )
        .await?;
        all.push(org.id);
    }
    eprintln!("Fylder {lines} linjer …");
    let t = Instant::now();
    let filled = scratch
        .fill_invoices(&InvoiceFillPlan {
            organisations: all,
            lines,
            years: 10,
            suppliers: 400,
            until: app.now(),
        })
        .await?;
    let fill = t.elapsed();
    let buyer = app.named_user("indkoeber").await?;
    let mut times = Vec::with_capacity(runs);
    let mut cells = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = app.spend_report(&buyer).await?;
        times.push(t.elapsed());
        cells = r.by_month.len() * r.by_category.len();
    }
    Ok((filled, fill, cells, times))
}

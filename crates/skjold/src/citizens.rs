//! `skjold citizens`: a case system's citizens in bulk (`import`), and synthetic files to
//! test and measure with (`generate`). The formats are described in
//! `skjold_app::intake` and the README ("Citizens in").

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use skjold_app::App;
use skjold_app::intake::{
    Format, ImportReport, LineError, read_citizens, synthetic_citizens, write_citizens,
};
use skjold_web::i18n::{self, Lang};

use crate::setup::Location;

#[derive(Subcommand, Debug)]
pub enum CitizensCommand {
    /// Import citizens from a CSV file (one row per item: cpr,name,field,value,source,purpose)
    /// or a JSON Lines file (one citizen per line), by the file's extension. A bad line is
    /// reported and left out; citizens already registered are skipped.
    Import(ImportArgs),
    /// Write a file of synthetic citizens (valid CPR numbers, Danish names) to import.
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file: .csv, or .jsonl / .ndjson.
    pub file: PathBuf,
    /// The municipality to import into (its name); by default the only one there is.
    #[arg(long)]
    pub controller: Option<String>,
    /// Citizens per transaction.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch: u32,
    #[command(flatten)]
    pub location: Location,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many citizens.
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// The file to write: .csv, or .jsonl / .ndjson.
    #[arg(long)]
    pub out: PathBuf,
    /// The same seed gives the same citizens.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The purpose the items are recorded for (a purpose of the municipality).
    #[arg(long, default_value = "Beskæftigelsesindsats")]
    pub purpose: String,
}

pub async fn run(command: CitizensCommand) -> Result<()> {
    match command {
        CitizensCommand::Import(args) => {
            let app = args.location.open().await?;
            let controller = app.import_controller(args.controller.as_deref()).await?;
            let (report, elapsed) =
                import_file(&app, controller, &args.file, args.batch as usize, true).await?;
            print_report(&report, elapsed);
            Ok(())
        }
        CitizensCommand::Generate(args) => {
            let n = generate(&args)?;
            println!("{n} syntetiske borgere skrevet til {}.", args.out.display());
            Ok(())
        }
    }
}

fn format_of(path: &Path) -> Result<Format> {
    match Format::of(path) {
        Some(f) => Ok(f),
        None => bail!(
            "{}: the file must end in .csv, .jsonl or .ndjson",
            path.display()
        ),
    }
}

/// Writes the synthetic file; returns how many citizens it holds.
pub fn generate(args: &GenerateArgs) -> Result<usize> {
    let format = format_of(&args.out)?;
    let citizens = synthetic_citizens(args.count, args.seed, &args.purpose);
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write_citizens(&citizens, format, &mut out)?;
    out.flush()?;
    Ok(citizens.len())
}

/// Reads and imports a file; with `bar`, a progress bar on standard error.
pub async fn import_file(
    app: &App,
    controller: uuid::Uuid,
    path: &Path,
    batch: usize,
    bar: bool,
) -> Result<(ImportReport, Duration)> {
    let format = format_of(path)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let started = Instant::now();
    let entries = read_citizens(&text, format, app.now().local_date());
    drop(text);
    let progress = if bar {
        let b = ProgressBar::new(entries.len() as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} borgere ({per_sec}, {eta})",
        ) {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let report = app
        .import_entries(controller, entries, batch, |done| {
            progress.set_position(done as u64)
        })
        .await?;
    progress.finish_and_clear();
    Ok((report, started.elapsed()))
}

fn print_report(report: &ImportReport, elapsed: Duration) {
    for (line, err) in &report.failed {
        match err {
            LineError::Unreadable(e) => eprintln!("Linje {line}: kan ikke læses: {e}"),
            LineError::Refused(p) => eprintln!(
                "Linje {line}: {} ({})",
                i18n::problem(p, Lang::Da),
                p.code()
            ),
        }
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "Indlæst: {}, sprunget over (findes allerede): {}, fejl: {}. {:.1} s, {:.0} borgere/s.",
        report.imported,
        report.skipped,
        report.failed.len(),
        elapsed.as_secs_f64(),
        (report.imported + report.skipped) as f64 / secs
    );
}

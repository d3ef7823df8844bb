//! `skjold invoices`: the procurement-data collaboration from the command line: import a
//! folder of e-invoices into a participating organisation (`import`), and write the
//! anonymised lines as JSON Lines (`export --anonymised`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use skjold_app::App;
use skjold_app::invoices::{Imported, Upload};

use crate::setup::Location;

#[derive(Subcommand, Debug)]
pub enum InvoicesCommand {
    /// Import every UBL file (.xml) and zip of them (.zip) in a folder and its sub-folders
    /// into a participating organisation. Each document is anonymised first; a file that
    /// cannot be read is reported and left out, the rest goes on. A document imported
    /// before changes nothing.
    Import(ImportArgs),
    /// Write the anonymised lines of the documents in the analyses as JSON Lines.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The folder.
    pub dir: PathBuf,
    /// The participating organisation (its name).
    #[arg(long)]
    pub organisation: String,
    /// Files per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    pub batch: u32,
    #[command(flatten)]
    pub location: Location,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The anonymised lines (the only export there is: the raw copies never leave sealed).
    #[arg(long, required = true)]
    pub anonymised: bool,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Only this organisation's lines (its name); all when left out.
    #[arg(long)]
    pub organisation: Option<String>,
    #[command(flatten)]
    pub location: Location,
}

pub async fn run(command: InvoicesCommand) -> Result<()> {
    match command {
        InvoicesCommand::Import(args) => {
            let app = args.location.open().await?;
            let organisation = app.invoice_organisation(&args.organisation).await?;
            let (report, elapsed) =
                import_dir(&app, organisation, &args.dir, args.batch as usize, true).await?;
            print_report(&report, elapsed);
            app.close().await;
            Ok(())
        }
        InvoicesCommand::Export(args) => {
            let app = args.location.open().await?;
            let organisation = match &args.organisation {
                Some(name) => Some(app.invoice_organisation(name).await?),
                None => None,
            };
            let file = std::fs::File::create(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = app.export_invoice_lines(organisation, &mut out).await?;
            out.flush()?;
            println!(
                "{n} anonymiserede fakturalinjer skrevet til {}.",
                args.out.display()
            );
            app.close().await;
            Ok(())
        }
    }
}

/// The .xml and .zip files under `dir`, in name order.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("xml") || e.eq_ignore_ascii_case("zip"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Imports a folder; with `bar`, a progress bar on standard error.
pub async fn import_dir(
    app: &App,
    organisation: uuid::Uuid,
    dir: &Path,
    batch: usize,
    bar: bool,
) -> Result<(Imported, Duration)> {
    let paths = files_in(dir)?;
    if paths.is_empty() {
        bail!("{} holds no .xml or .zip files", dir.display());
    }
    let mut uploads = Vec::with_capacity(paths.len());
    for p in &paths {
        let name = p.strip_prefix(dir).unwrap_or(p).display().to_string();
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        uploads.push(Upload { name, bytes });
    }
    let progress = if bar {
        let b = ProgressBar::new(uploads.len() as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} filer ({per_sec}, {eta})",
        ) {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let report = app
        .import_invoices(organisation, uploads, batch, |done| {
            progress.set_position(done as u64)
        })
        .await?;
    progress.finish_and_clear();
    Ok((report, started.elapsed()))
}

fn print_report(report: &Imported, elapsed: Duration) {
    for (file, reason) in &report.failed {
        eprintln!("{file}: {reason}");
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "Nye dokumenter: {} (heraf {} til manuel gennemgang), modtaget før: {}, fejl: {}. {:.1} s, {:.0} dokumenter/s.",
        report.new,
        report.to_review,
        report.already,
        report.failed.len(),
        elapsed.as_secs_f64(),
        (report.new + report.already) as f64 / secs
    );
}

//! `skjold retention` and `skjold records`: the privacy officer's desk from the command line.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use skjold_app::records::RecordsFormat;

use crate::setup::Location;

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// Apply the retention rules of every municipality: delete or anonymise what is due,
    /// write a deletion receipt for each, and deliver the receipts to the connected systems
    /// (retrying those that failed). With --dry-run, only say what is due.
    Run(RunArgs),
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    location: Location,
    /// Say what is due; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Subcommand, Debug)]
pub enum RecordsCommand {
    /// Export the records of processing (art. 30) as computed now, or a reviewed version.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    location: Location,
    /// The privacy officer, auditor or administrator the export is made by.
    #[arg(long = "as")]
    as_user: String,
    /// `json`, `csv` or `pdf`.
    #[arg(long, default_value = "json")]
    format: String,
    /// A reviewed version's number; without it, the records as computed now.
    #[arg(long)]
    version: Option<u32>,
    /// The file to write; without it, the export's own name in the current folder.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub async fn retention(command: RetentionCommand) -> Result<()> {
    match command {
        RetentionCommand::Run(args) => {
            let app = args.location.open().await?;
            let report = app.run_retention(None, args.dry_run).await?;
            let verb = if args.dry_run { "Ville" } else { "Har" };
            for r in &report.receipts {
                println!(
                    "{} {} {} ({} række(r), opbevaret til {}; regel {})",
                    r.action.danish(),
                    r.record_type.danish().to_lowercase(),
                    r.object_id,
                    r.rows,
                    r.kept_until.danish(),
                    r.rule_id
                );
            }
            println!(
                "{verb} handlet på {} post(er) efter opbevaringsreglerne.",
                report.receipts.len()
            );
            if !args.dry_run {
                println!(
                    "Kvitteringer leveret til tilsluttede systemer: {}; afventer: {}.",
                    report.delivered, report.pending
                );
                println!(
                    "Rå fakturakopier slettet (indkøbsdatasamarbejdet): {}.",
                    report.invoice_copies_deleted
                );
            }
            app.close().await;
            Ok(())
        }
    }
}

pub async fn records(command: RecordsCommand) -> Result<()> {
    match command {
        RecordsCommand::Export(args) => {
            let Some(format) = RecordsFormat::parse(&args.format) else {
                bail!("--format skal være json, csv eller pdf");
            };
            let app = args.location.open().await?;
            let actor = app.named_user(&args.as_user).await?;
            let (name, bytes) = app.export_records(&actor, format, args.version).await?;
            let out = args.out.unwrap_or_else(|| PathBuf::from(name));
            std::fs::write(&out, &bytes)?;
            println!(
                "Fortegnelsen er skrevet til {} ({} byte).",
                out.display(),
                bytes.len()
            );
            app.close().await;
            Ok(())
        }
    }
}

//! `skjold audit`: verify, sign, prune and export the tamper-evident access log.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use skjold_app::audit::{CosignatureVerifier, ExportProblem, MIN_RETENTION_MONTHS, check_export};
use skjold_app::oversight::OversightQuery;

use crate::setup::Location;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute every shard and check every signed checkpoint; or, with --export, check
    /// an export offline. Exits with status 1 at the first problem.
    Verify(VerifyArgs),
    /// Sign a checkpoint for every shard that has grown (the server does so every minute).
    Checkpoint(Location),
    /// Delete the shards older than the retention period; their final checkpoints stay.
    Prune(PruneArgs),
    /// Export entries with inclusion proofs, as a privacy officer or auditor.
    Export(ExportArgs),
    /// Print the keys that check this log's checkpoints, one per line: the log identity
    /// that signs now first, then older identities.
    Key(Location),
    /// A consistency proof from the tree of --from leaves to the checkpoint at --to (the
    /// latest without it), as a C2SP tlog-witness request: `old`, the proof, the checkpoint.
    Consistency(ConsistencyArgs),
    /// The inclusion proof of one entry in the C2SP tlog-proof format, against the latest
    /// checkpoint, with the entry's leaf as its `extra` line.
    Proof(ProofArgs),
}

#[derive(Args, Debug)]
pub struct ConsistencyArgs {
    #[command(flatten)]
    location: Location,
    #[arg(long)]
    from: u64,
    #[arg(long)]
    to: Option<u64>,
}

#[derive(Args, Debug)]
pub struct ProofArgs {
    #[command(flatten)]
    location: Location,
    /// The entry's index in the log.
    #[arg(long)]
    index: u64,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    location: Location,
    /// An export file (JSON Lines or CSV) to check instead of the database.
    #[arg(long)]
    export: Option<PathBuf>,
    /// A verifier key (`skjold audit key`), as many times as needed: each checkpoint is
    /// checked with the key its origin names. Without it, this installation's own keys.
    #[arg(long)]
    key: Vec<String>,
    /// A witness's key (`skjold witness key`), as many times as needed.
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// How many of the given witnesses must have cosigned: the latest checkpoint (of the
    /// log), or every checkpoint (of an export). All of them without it.
    #[arg(long)]
    min_cosignatures: Option<usize>,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    #[command(flatten)]
    location: Location,
    /// Months to keep after a shard's month has ended (at least 6).
    #[arg(long, default_value_t = MIN_RETENTION_MONTHS, env = "SKJOLD_LOG_RETENTION_MONTHS")]
    retention_months: u32,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    location: Location,
    /// The privacy officer or auditor the export is made by (and logged under).
    #[arg(long = "as")]
    as_user: String,
    #[arg(long)]
    cpr: Option<String>,
    /// A user name.
    #[arg(long)]
    user: Option<String>,
    /// An organisation's ID.
    #[arg(long)]
    organisation: Option<uuid::Uuid>,
    /// From this date (YYYY-MM-DD), inclusive.
    #[arg(long)]
    from: Option<String>,
    /// Until this date (YYYY-MM-DD), inclusive.
    #[arg(long)]
    until: Option<String>,
    /// jsonl or csv.
    #[arg(long, default_value = "jsonl")]
    format: String,
    /// Where to write; standard output without it.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub async fn run(command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Checkpoint(location) => {
            let app = location.open().await?;
            let signed = app.checkpoint_log().await?;
            if signed.is_empty() {
                println!("Ingen nye poster; intet at signere.");
            }
            for c in signed {
                println!("Signeret: shard {} ved størrelse {}", c.shard, c.size);
            }
            Ok(())
        }
        AuditCommand::Prune(args) => {
            let app = args.location.open().await?;
            let pruned = app.prune_log(args.retention_months).await?;
            if pruned.is_empty() {
                println!(
                    "Ingen shards er ældre end {} måneder.",
                    args.retention_months
                );
            } else {
                println!(
                    "Slettet (de endelige checkpoints er bevaret): {}",
                    pruned.join(", ")
                );
            }
            Ok(())
        }
        AuditCommand::Export(args) => {
            let app = args
                .location
                .open()
                .await?
                .with_witnesses(crate::serve::witnesses()?);
            let actor = app.named_user(&args.as_user).await?;
            let q = OversightQuery {
                cpr: args.cpr,
                username: args.user,
                organisation: args.organisation,
                from: args.from,
                until: args.until,
                ..OversightQuery::default()
            };
            let bytes = app.export_access_log(&actor, &q, &args.format).await?.bytes;
            match args.out {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("Eksporten er skrevet til {}.", path.display());
                }
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(())
        }
        AuditCommand::Consistency(args) => {
            let app = args.location.open().await?;
            print!("{}", app.log_consistency(args.from, args.to).await?);
            Ok(())
        }
        AuditCommand::Proof(args) => {
            let app = args.location.open().await?;
            print!("{}", app.log_inclusion(args.index).await?);
            Ok(())
        }
        AuditCommand::Key(location) => {
            let app = location.open().await?;
            for key in app.log_verifiers().await? {
                println!("{key}");
            }
            Ok(())
        }
    }
}

/// The witnesses given and how many must have cosigned.
fn witness_policy(args: &VerifyArgs) -> Result<(Vec<CosignatureVerifier>, usize)> {
    let keys = args
        .witnesses
        .iter()
        .map(|k| {
            CosignatureVerifier::parse(k).with_context(|| format!("«{k}» is not a witness key"))
        })
        .collect::<Result<Vec<_>>>()?;
    let k = args.min_cosignatures.unwrap_or(keys.len());
    if k > keys.len() {
        bail!(
            "--min-cosignatures {k} asks for more witnesses than the {} given",
            keys.len()
        );
    }
    Ok((keys, k))
}

async fn verify(args: VerifyArgs) -> Result<()> {
    let (witnesses, min_cosignatures) = witness_policy(&args)?;
    if let Some(path) = &args.export {
        let keys = if args.key.is_empty() {
            args.location.open().await?.log_verifiers().await?
        } else {
            args.key.clone()
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let started = std::time::Instant::now();
        match check_export(&text, &keys, &witnesses, min_cosignatures) {
            Ok(check) => {
                println!(
                    "Eksporten er i orden: {} poster, {} signerede checkpoints ({} ms).",
                    check.entries,
                    check.checkpoints,
                    started.elapsed().as_millis()
                );
                return Ok(());
            }
            Err(ExportProblem::Key(e)) => bail!("the verifier key is malformed: {e}"),
            Err(ExportProblem::Export(e)) => bail!("Eksporten er ikke i orden: {e}"),
        }
    }
    let app = args.location.open().await?;
    let started = std::time::Instant::now();
    let report = app.verify_log().await?;
    let secs = started.elapsed().as_secs_f64();
    for s in &report.shards {
        let state = if s.pruned {
            "slettet efter opbevaringsperioden"
        } else if s.closed {
            "lukket"
        } else {
            "åben"
        };
        println!(
            "  {}: {} poster, {} checkpoints ({state})",
            s.shard, s.entries, s.checkpoints
        );
    }
    if report.legacy_entries > 0 {
        println!(
            "  {} poster fra før loggen blev et Merkle-træ er ikke dækket",
            report.legacy_entries
        );
    }
    if let Some(first) = report.problems.first() {
        bail!("Loggen er ikke i orden. Første fejl: {first}");
    }
    if !witnesses.is_empty() {
        let (size, cosigners) = app.latest_cosigners(&witnesses).await?;
        println!(
            "  Seneste checkpoint (størrelse {size}) er medsigneret af {} af {} vidner: {}",
            cosigners.len(),
            witnesses.len(),
            cosigners.join(", ")
        );
        if cosigners.len() < min_cosignatures {
            bail!(
                "Loggen er ikke i orden: det seneste checkpoint er medsigneret af {} vidner, mindst {min_cosignatures} kræves.",
                cosigners.len()
            );
        }
    }
    println!(
        "Loggen er i orden: {} poster og {} checkpoints kontrolleret på {:.2} s ({:.0} poster/s).",
        report.entries,
        report.checkpoints,
        secs,
        report.entries as f64 / secs.max(1e-9)
    );
    Ok(())
}

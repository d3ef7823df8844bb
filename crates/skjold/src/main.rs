//! `skjold`: the command line. Each command opens the data directory, makes calls into
//! `skjold-app`, and prints what happened; none holds a business rule. A refusal is
//! printed in Danish with its code, and the command exits with status 1.

mod audit;
mod backup;
mod bench;
mod citizens;
mod desk;
mod invoices;
mod scrub;
mod security;
mod serve;
mod setup;
mod users;
mod witness;

use anyhow::Result;
use clap::{Parser, Subcommand};

use skjold_app::AppError;
use skjold_web::i18n::{self, Lang};

use setup::Location;

#[derive(Parser, Debug)]
#[command(
    name = "skjold",
    version,
    about = "Skjold: leverandørplatform med dataminimering, videregivelseslog og adgangslog"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build a demo (municipality, suppliers, 200 citizens, a user per role) and serve it.
    Demo(serve::DemoArgs),
    /// Serve the web UI and the JSON API.
    Serve(serve::ServeArgs),
    /// Set up a new data directory: its municipality and first administrator.
    Init(users::InitArgs),
    /// Bring the database schema up to date.
    Migrate(Location),
    /// Back up the data (without keys) into a folder, and the key store into its own
    /// backup folder; delete the key store's expired backups.
    Backup(backup::BackupArgs),
    /// Put a data backup back in place, keeping the current key store. Stop the server
    /// first.
    Restore(backup::RestoreArgs),
    /// Citizens in bulk: import a case system's file, or generate a synthetic one.
    Citizens {
        #[command(subcommand)]
        command: citizens::CitizensCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: users::TokenCommand,
    },
    /// Find and replace personal data in text, JSON Lines and UBL e-invoices.
    Scrub(scrub::ScrubArgs),
    /// The tamper-evident access log: verify, checkpoint, prune, export, key, proofs.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Be a witness of other installations' access logs: cosign their checkpoints while
    /// they stay consistent.
    Witness {
        #[command(subcommand)]
        command: witness::WitnessCommand,
    },
    /// Measure the platform (prints figures; changes nothing outside its own temporary data).
    Bench(bench::BenchArgs),
    /// Retention rules: apply them (the server does so daily).
    Retention {
        #[command(subcommand)]
        command: desk::RetentionCommand,
    },
    /// The records of processing (art. 30): export them.
    Records {
        #[command(subcommand)]
        command: desk::RecordsCommand,
    },
    /// The procurement-data collaboration: import e-invoices, export the anonymised lines.
    Invoices {
        #[command(subcommand)]
        command: invoices::InvoicesCommand,
    },
    /// Sign-in security: show or change lockout and second-factor settings.
    Security {
        #[command(subcommand)]
        command: security::SecurityCommand,
    },
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Demo(args) => serve::demo(args).await,
        Command::Serve(args) => serve::serve_command(args).await,
        Command::Init(args) => users::init(args).await,
        Command::Migrate(location) => {
            location.open().await?;
            println!("Databasen er opdateret.");
            Ok(())
        }
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Citizens { command } => citizens::run(command).await,
        Command::User { command } => users::user(command).await,
        Command::Token { command } => users::token(command).await,
        Command::Retention { command } => desk::retention(command).await,
        Command::Records { command } => desk::records(command).await,
        Command::Security { command } => security::run(command).await,
        Command::Invoices { command } => invoices::run(command).await,
        Command::Audit { command } => audit::run(command).await,
        Command::Witness { command } => witness::run(command).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Scrub(args) => tokio::task::spawn_blocking(move || scrub::run(args)).await?,
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SKJOLD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse().command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<AppError>() {
                Some(AppError::Refused(p)) => {
                    eprintln!("Fejl: {} ({})", i18n::problem(p, Lang::Da), p.code());
                }
                _ => eprintln!("Error: {e:#}"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

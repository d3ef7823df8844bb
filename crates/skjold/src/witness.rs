//! `skjold witness`: run a witness of other installations' access logs (C2SP tlog-witness),
//! or print its key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use skjold_app::witnesses::WitnessService;

#[derive(Subcommand, Debug)]
pub enum WitnessCommand {
    /// Serve the witness: cosign the followed logs' checkpoints while they stay consistent.
    Serve(ServeArgs),
    /// Print the key that checks this witness's cosignatures (made on first use).
    Key(WitnessArgs),
}

#[derive(Args, Debug)]
pub struct WitnessArgs {
    /// The witness's folder: its key and the latest checkpoint of each log it follows.
    #[arg(long, env = "SKJOLD_WITNESS_DIR")]
    dir: PathBuf,
    /// The witness's name (its key's name): a schema-less URL, e.g. `tilsynet.dk/witness`.
    #[arg(long, env = "SKJOLD_WITNESS_NAME")]
    name: String,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    witness: WitnessArgs,
    /// A log to follow: its verifier key (`skjold audit key` on that installation); as many
    /// times as needed.
    #[arg(long = "log", required = true)]
    logs: Vec<String>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8099")]
    bind: SocketAddr,
}

pub async fn run(command: WitnessCommand) -> Result<()> {
    match command {
        WitnessCommand::Key(args) => {
            let service =
                WitnessService::open(&args.dir, &args.name, &[]).map_err(anyhow::Error::msg)?;
            println!("{}", service.key());
            Ok(())
        }
        WitnessCommand::Serve(args) => {
            let service = WitnessService::open(&args.witness.dir, &args.witness.name, &args.logs)
                .map_err(anyhow::Error::msg)?;
            let key = service.key();
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("cannot listen on {}", args.bind))?;
            println!(
                "Vidnet {} kører på http://{}/add-checkpoint og følger {} log(s). Nøgle: {key}",
                args.witness.name,
                args.bind,
                args.logs.len()
            );
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            skjold_web::serve_witness(listener, Arc::new(service), shutdown).await?;
            Ok(())
        }
    }
}

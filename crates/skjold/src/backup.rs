//! `skjold backup` and `skjold restore`: the data and the key store, apart (wall 4).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use skjold_app::App;

use crate::setup::Location;

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    location: Location,
    /// The folder to write the data's backup and its manifest.json into (created if
    /// missing). It gets no key: the key store's backup goes to its own folder.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    #[command(flatten)]
    location: Location,
    /// A folder written by `skjold backup --out`.
    #[arg(long)]
    from: PathBuf,
}

pub async fn backup(args: BackupArgs) -> Result<()> {
    let app = args.location.open().await?;
    let report = app.backup(&args.out).await?;
    app.close().await;
    println!(
        "Data ({}, databaseversion {}) er sikkerhedskopieret til {} (uden nøgler).",
        report.manifest.backend,
        report.manifest.schema_version,
        report.data_file.display()
    );
    println!(
        "Nøglelageret er sikkerhedskopieret til {} (opbevares {} dage).",
        report.key_backup.display(),
        report.key_backup_days
    );
    for pruned in &report.pruned {
        println!(
            "Udløbet sikkerhedskopi af nøglelageret slettet: {}",
            pruned.display()
        );
    }
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> Result<()> {
    let location = args.location.app_location();
    let manifest = App::restore(&location, &args.from).await?;
    println!(
        "Data fra {} ({}, databaseversion {}) er lagt tilbage; det nuværende nøglelager er beholdt.",
        manifest.created_at, manifest.backend, manifest.schema_version
    );
    // Opening brings the schema up to date and finishes the erasures made since the backup.
    let app = args.location.open().await?;
    let finished = app.erasures_finished_at_open();
    app.close().await;
    if finished > 0 {
        println!(
            "{finished} borger(e), der er slettet efter sikkerhedskopien, er slettet igen i de gendannede data."
        );
    }
    Ok(())
}

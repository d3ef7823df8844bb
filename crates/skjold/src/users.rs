//! Setting up a data directory, users and API tokens.

use std::io::BufRead;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use skjold_core::Role;

use crate::setup::Location;

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    location: Location,
    /// The municipality's name.
    #[arg(long)]
    municipality: String,
    /// The first administrator's user name.
    #[arg(long)]
    admin: String,
    /// The first administrator's full name.
    #[arg(long)]
    name: String,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// administrator, caseworker, supplier_user, privacy_officer or auditor
        #[arg(long)]
        role: String,
        /// The organisation's exact name.
        #[arg(long)]
        organisation: String,
    },
    /// Set (or with --clear remove) the address for a user's new-message notices.
    Notify {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        username: String,
        #[arg(long, required_unless_present = "clear")]
        email: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// Set a user's password, read from standard input.
    Password {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        username: String,
    },
    /// Confirm a user's role as the operator (for when no administrator can sign in).
    ConfirmRole {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        username: String,
        /// Why, for the review record.
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user, scoped to the user's organisation; prints it once.
    Create {
        #[command(flatten)]
        location: Location,
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "integration")]
        name: String,
    },
}

fn read_password() -> Result<String> {
    eprintln!("Adgangskode (mindst 12 tegn), afslut med Enter:");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub async fn init(args: InitArgs) -> Result<()> {
    let app = args.location.open().await?;
    let password = read_password()?;
    app.init(&args.municipality, &args.admin, &args.name, &password)
        .await?;
    println!(
        "{} er sat op med administratoren «{}».",
        args.municipality, args.admin
    );
    Ok(())
}

pub async fn user(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            location,
            username,
            name,
            role,
            organisation,
        } => {
            let app = location.open().await?;
            let role = Role::parse(&role).with_context(|| format!("unknown role «{role}»"))?;
            let org = app.organisation_named(&organisation).await?;
            let password = read_password()?;
            app.add_user(None, org.id, &username, &name, role, &password)
                .await?;
            println!(
                "Brugeren «{username}» ({}) er oprettet i {}.",
                role.danish(),
                org.name
            );
        }
        UserCommand::Notify {
            location,
            username,
            email,
            clear,
        } => {
            let app = location.open().await?;
            let email = if clear { None } else { email };
            app.set_notify_email(&username, email.as_deref()).await?;
            match email {
                Some(e) => println!("«{username}» får besked om nye beskeder på {e}."),
                None => println!("«{username}» får ikke længere e-mail om nye beskeder."),
            }
        }
        UserCommand::Password { location, username } => {
            let app = location.open().await?;
            let password = read_password()?;
            app.set_password(&username, &password).await?;
            println!(
                "Adgangskoden for «{username}» er ændret; et krav om ny adgangskode er ophævet, og brugerens sessioner er afsluttet."
            );
        }
        UserCommand::ConfirmRole {
            location,
            username,
            note,
        } => {
            let app = location.open().await?;
            app.confirm_roles_as_operator(&username, &note).await?;
            println!("Rollen for «{username}» er bekræftet; brugeren er aktiv.");
        }
    }
    Ok(())
}

pub async fn token(command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create {
            location,
            user,
            name,
        } => {
            let app = location.open().await?;
            println!("{}", app.create_api_token(&user, &name).await?);
        }
    }
    Ok(())
}

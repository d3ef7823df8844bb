//! `skjold`: the command line. Each command opens the data directory, makes calls into
//! `skjold-app`, and prints what happened; none holds a business rule.

mod audit;
mod bench;
mod scrub;
mod setup;

use std::io::BufRead;
use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use skjold_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use skjold_core::Role;

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
    Demo(DemoArgs),
    /// Serve the web UI and the JSON API.
    Serve(ServeArgs),
    /// Set up a new data directory: its municipality and first administrator.
    Init(InitArgs),
    /// Bring the database schema up to date.
    Migrate(Location),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Find and replace personal data in text, JSON Lines and UBL e-invoices.
    Scrub(scrub::ScrubArgs),
    /// The tamper-evident access log: verify, checkpoint, prune, export, key.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Measure the platform (prints figures; changes nothing outside its own temporary data).
    Bench(bench::BenchArgs),
    /// Sign-in security: show or change lockout and second-factor settings.
    Security {
        #[command(subcommand)]
        command: SecurityCommand,
    },
}

#[derive(Subcommand, Debug)]
enum SecurityCommand {
    /// Print the settings.
    Show(Location),
    /// Change the settings; what is not given keeps its value.
    Set {
        #[command(flatten)]
        location: Location,
        /// Failures in a row before blocking (3–10).
        #[arg(long)]
        lockout_threshold: Option<String>,
        /// The window the failures must fall in, in hours (1–168).
        #[arg(long)]
        lockout_window_hours: Option<String>,
        /// How long a block lasts, in minutes (1–1440).
        #[arg(long)]
        block_minutes: Option<String>,
        /// Roles that must use a second factor, comma-separated role keys.
        #[arg(long)]
        totp_roles: Option<String>,
    },
}

#[derive(Args, Debug)]
struct DemoArgs {
    #[command(flatten)]
    location: Location,
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// How many synthetic citizens to create.
    #[arg(long, default_value_t = 200)]
    citizens: usize,
    /// Build the demo only; do not serve it.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    location: Location,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "SKJOLD_BIND")]
    bind: SocketAddr,
    #[command(flatten)]
    tls: TlsArgs,
}

/// How connections are protected (SA-6).
#[derive(Args, Debug, Default)]
struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "SKJOLD_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "SKJOLD_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Serve plain HTTP on a non-loopback address, because a TLS-terminating proxy in
    /// front of Skjold handles the encryption (its X-Forwarded-For names the client).
    #[arg(long, env = "SKJOLD_BEHIND_PROXY", conflicts_with = "tls_cert")]
    behind_proxy: bool,
}

#[derive(Args, Debug)]
struct InitArgs {
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
enum UserCommand {
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
enum TokenCommand {
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

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SKJOLD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Demo(args) => demo(args).await,
        Command::Serve(args) => {
            let app = args.location.open().await?;
            serve(app, args.bind, &args.tls).await
        }
        Command::Init(args) => {
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
        Command::Migrate(location) => {
            location.open().await?;
            println!("Databasen er opdateret.");
            Ok(())
        }
        Command::User { command } => match command {
            UserCommand::Add {
                location,
                username,
                name,
                role,
                organisation,
            } => {
                let app = location.open().await?;
                let role = Role::parse(&role).with_context(|| format!("unknown role «{role}»"))?;
                let org = app
                    .store()
                    .organisations()
                    .await?
                    .into_iter()
                    .find(|o| o.name == organisation)
                    .with_context(|| format!("no organisation named «{organisation}»"))?;
                let password = read_password()?;
                app.add_user(None, org.id, &username, &name, role, &password)
                    .await?;
                println!(
                    "Brugeren «{username}» ({}) er oprettet i {}.",
                    role.danish(),
                    org.name
                );
                Ok(())
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
                Ok(())
            }
            UserCommand::Password { location, username } => {
                let app = location.open().await?;
                let password = read_password()?;
                app.set_password(&username, &password).await?;
                println!(
                    "Adgangskoden for «{username}» er ændret; et krav om ny adgangskode er ophævet, og brugerens sessioner er afsluttet."
                );
                Ok(())
            }
            UserCommand::ConfirmRole {
                location,
                username,
                note,
            } => {
                let app = location.open().await?;
                app.confirm_roles_as_operator(&username, &note).await?;
                println!("Rollen for «{username}» er bekræftet; brugeren er aktiv.");
                Ok(())
            }
        },
        Command::Security { command } => security(command).await,
        Command::Token { command } => match command {
            TokenCommand::Create {
                location,
                user,
                name,
            } => {
                let app = location.open().await?;
                let token = app.create_api_token(&user, &name).await?;
                println!("{token}");
                Ok(())
            }
        },
        Command::Audit { command } => audit::run(command).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Scrub(args) => tokio::task::spawn_blocking(move || scrub::run(args)).await?,
    }
}

async fn demo(args: DemoArgs) -> Result<()> {
    let location = args.location.or_demo_dir();
    let app = location.open().await?;
    if app.store().organisations().await?.is_empty() {
        eprintln!(
            "Bygger demo med {} borgere i {} …",
            args.citizens,
            location.describe()
        );
        let summary = app.build_demo(args.citizens).await?;
        eprintln!(
            "Demoen er klar: {} borgere, {} ydelsestyper.",
            summary.citizens.len(),
            summary.service_types.len()
        );
        // Citizens without orders yet, to try the flow with (all data is synthetic).
        for c in summary.citizens.iter().skip(10).take(3) {
            println!(
                "Prøv fx borgeren {} med CPR-nummer {}",
                c.name,
                c.cpr.formatted()
            );
        }
        println!("Demobrugernes nøgler til en godkendelsesapp (base32, kun til demoen):");
        for (username, secret) in &summary.secrets {
            println!("  {username:<18} {secret}");
        }
    } else {
        eprintln!(
            "{} indeholder allerede data; den bruges som den er.",
            location.describe()
        );
    }
    println!("Demobrugere (adgangskode for alle: {DEMO_PASSWORD}):");
    for (username, name, role, org) in DEMO_USERS {
        println!("  {username:<18} {:<26} {name}, {org}", role.danish());
    }
    let settings = app.security_settings().await?;
    let roles: Vec<&str> = settings.totp_roles.iter().map(|r| r.danish()).collect();
    if !roles.is_empty() {
        println!("Engangskode kræves for: {}.", roles.join(", "));
    }
    if args.no_serve {
        return Ok(());
    }
    // Codes are shown only for the demo's own data, never for a directory holding another
    // installation.
    let app = if app.holds_demo().await? {
        println!(
            "Demobrugerne har en engangskode sat op; siden for engangskoden viser den aktuelle kode (kun i demoen)."
        );
        app.serving_demo()
    } else {
        eprintln!(
            "{} indeholder ikke demoen; engangskoder vises ikke.",
            location.describe()
        );
        app
    };
    let local = SocketAddr::from(([127, 0, 0, 1], args.port));
    serve(app, local, &TlsArgs::default()).await
}

async fn serve(app: skjold_app::App, bind: SocketAddr, tls: &TlsArgs) -> Result<()> {
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let (Some(cert), Some(key)) = (&tls.tls_cert, &tls.tls_key) {
        let config = skjold_web::tls_config(cert, key).map_err(anyhow::Error::msg)?;
        let listener = std::net::TcpListener::bind(bind)
            .with_context(|| format!("cannot listen on {bind}"))?;
        println!("Skjold kører på https://{bind}/ (Ctrl+C stopper)");
        spawn_keeper(app.clone());
        let web = skjold_web::WebConfig::default();
        skjold_web::serve_tls(listener, config, app, web, shutdown).await?;
        return Ok(());
    }
    if !skjold_web::plain_http_allowed(&bind, tls.behind_proxy) {
        bail!(
            "Skjold serves plain HTTP only on loopback (got {bind}). Give --tls-cert and --tls-key, or --behind-proxy when a TLS-terminating proxy sits in front"
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    println!("Skjold kører på http://{bind}/ (Ctrl+C stopper)");
    spawn_keeper(app.clone());
    let web = skjold_web::WebConfig {
        hsts: tls.behind_proxy,
        behind_proxy: tls.behind_proxy,
        ..skjold_web::WebConfig::default()
    };
    skjold_web::serve(listener, app, web, shutdown).await?;
    Ok(())
}

async fn security(command: SecurityCommand) -> Result<()> {
    let (location, change) = match command {
        SecurityCommand::Show(location) => (location, None),
        SecurityCommand::Set {
            location,
            lockout_threshold,
            lockout_window_hours,
            block_minutes,
            totp_roles,
        } => (
            location,
            Some((
                lockout_threshold,
                lockout_window_hours,
                block_minutes,
                totp_roles,
            )),
        ),
    };
    let app = location.open().await?;
    let mut settings = app.security_settings().await?;
    if let Some((threshold, window, block, roles)) = change {
        let input = skjold_app::security::SettingsInput {
            lockout_threshold: threshold.unwrap_or(settings.lockout_threshold.to_string()),
            lockout_window_hours: window.unwrap_or(settings.lockout_window_hours.to_string()),
            block_minutes: block.unwrap_or(settings.block_minutes.to_string()),
            totp_roles: match roles {
                Some(r) => r
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect(),
                None => settings
                    .totp_roles
                    .iter()
                    .map(|r| r.key().to_owned())
                    .collect(),
            },
        };
        let ws = skjold_store::security::Workstation::new("kommandolinje", "", false);
        settings = app.set_security_settings(None, &input, &ws).await?;
        println!("Indstillingerne er gemt.");
    }
    println!(
        "Spærring efter {} fejlforsøg inden for {} timer, i {} minutter.",
        settings.lockout_threshold, settings.lockout_window_hours, settings.block_minutes
    );
    let roles: Vec<&str> = settings.totp_roles.iter().map(|r| r.danish()).collect();
    println!("Engangskode kræves for: {}", roles.join(", "));
    Ok(())
}

/// Signs a checkpoint of the access log every minute. Once a day it deletes the shards
/// past the retention period (`SKJOLD_LOG_RETENTION_MONTHS`, at least and by default 6)
/// and suspends the users whose role was not confirmed in time.
fn spawn_keeper(app: skjold_app::App) {
    let retention = std::env::var("SKJOLD_LOG_RETENTION_MONTHS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(skjold_store::audit::MIN_RETENTION_MONTHS);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        for minute in 0u64.. {
            tick.tick().await;
            if let Err(e) = app.store().checkpoint_log(app.now()).await {
                tracing::error!(error.detail = %e, "could not sign an access-log checkpoint");
            }
            if minute % (24 * 60) == 0 {
                match app.store().prune_log(app.now(), retention).await {
                    Ok(pruned) if !pruned.is_empty() => {
                        tracing::info!(shards = ?pruned, "access-log shards past retention deleted");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error.detail = %e, "access-log pruning failed"),
                }
                if let Err(e) = app.suspend_overdue().await {
                    tracing::error!(error.detail = %e, "the access review's suspensions failed");
                }
            }
        }
    });
}

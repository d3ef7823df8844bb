//! `skjold serve` and `skjold demo`: the web UI and the JSON API, over HTTPS or, on
//! loopback or behind a TLS-terminating proxy, plain HTTP; with the background keeper.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use skjold_app::App;
use skjold_app::audit::MIN_RETENTION_MONTHS;
use skjold_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use std::sync::Arc;

use skjold_app::sign_in::oidc::{Oidc, OidcConfig};
use skjold_web::WebConfig;
use skjold_web::demo_mitid::{self, DemoMitid};

use crate::setup::Location;

#[derive(Args, Debug)]
pub struct DemoArgs {
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
pub struct ServeArgs {
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
pub struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, env = "SKJOLD_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "SKJOLD_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address, because a TLS-terminating proxy in
    /// front of Skjold handles the encryption (its X-Forwarded-For names the client).
    #[arg(long, env = "SKJOLD_BEHIND_PROXY", conflicts_with = "tls_cert")]
    behind_proxy: bool,
}

pub async fn serve_command(args: ServeArgs) -> Result<()> {
    let app = args.location.open().await?;
    serve(app, args.bind, &args.tls, WebConfig::default()).await
}

pub async fn demo(args: DemoArgs) -> Result<()> {
    let location = args.location.or_demo_dir();
    let app = location.open().await?;
    if app.is_set_up().await? {
        eprintln!(
            "{} indeholder allerede data; den bruges som den er.",
            location.describe()
        );
    } else {
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
    // The citizens sign in through the demo's own identity provider, served beside Skjold.
    let base = format!("http://{local}");
    let secret = skjold_app::sign_in::new_token();
    let people = skjold_app::demo::demo_identities(DEMO_MITID_PEOPLE)
        .into_iter()
        .map(|(name, cpr)| (name, cpr.formatted()))
        .collect();
    let provider = DemoMitid::new(
        format!("{base}/demo-mitid"),
        secret.clone(),
        format!("{base}/borger/login/callback"),
        people,
    )
    .map_err(anyhow::Error::msg)?;
    let app = app.with_citizen_oidc(Oidc::new(OidcConfig {
        issuer: format!("{base}/demo-mitid"),
        client_id: demo_mitid::CLIENT_ID.into(),
        client_secret: Some(secret),
        redirect_url: format!("{base}/borger/login/callback"),
        username_claim: demo_mitid::CPR_CLAIM.into(),
        role_claim: String::new(),
        role_map: Vec::new(),
        display_name: demo_mitid::DISPLAY_NAME.into(),
        scopes: Vec::new(),
        client_auth: None,
    })?);
    println!(
        "Borgerne logger ind på {base}/borger/ gennem demoens egen MitID-attrap (kun til demoen)."
    );
    let web = WebConfig {
        demo_mitid: Some(Arc::new(provider)),
        ..WebConfig::default()
    };
    serve(app, local, &TlsArgs::default(), web).await
}

/// How many demo citizens the demo identity provider offers to sign in as.
const DEMO_MITID_PEOPLE: usize = 8;

/// The access log's retention: `SKJOLD_LOG_RETENTION_MONTHS`, at least and by default 6.
fn retention_months() -> u32 {
    std::env::var("SKJOLD_LOG_RETENTION_MONTHS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(MIN_RETENTION_MONTHS)
}

/// The access log's witnesses: `SKJOLD_WITNESSES`, entries separated by `;`, each a
/// submission URL and the witness's key. None when unset.
pub(crate) fn witnesses() -> Result<Vec<skjold_app::witnesses::WitnessConfig>> {
    let text = std::env::var("SKJOLD_WITNESSES").unwrap_or_default();
    skjold_app::witnesses::parse_witnesses(&text)
        .map_err(|e| anyhow::anyhow!("SKJOLD_WITNESSES: {e}"))
}

async fn serve(app: App, bind: SocketAddr, tls: &TlsArgs, web: WebConfig) -> Result<()> {
    let witnesses = witnesses()?;
    let app = app.with_witnesses(witnesses.clone());
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let (Some(cert), Some(key)) = (&tls.tls_cert, &tls.tls_key) {
        let config = skjold_web::tls_config(cert, key).map_err(anyhow::Error::msg)?;
        let listener = std::net::TcpListener::bind(bind)
            .with_context(|| format!("cannot listen on {bind}"))?;
        println!("Skjold kører på https://{bind}/ (Ctrl+C stopper)");
        skjold_app::jobs::spawn_keeper(app.clone(), retention_months(), witnesses.clone());
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
    skjold_app::jobs::spawn_keeper(app.clone(), retention_months(), witnesses.clone());
    let web = WebConfig {
        hsts: tls.behind_proxy,
        behind_proxy: tls.behind_proxy,
        ..web
    };
    skjold_web::serve(listener, app, web, shutdown).await?;
    Ok(())
}

//! Skjold's web layer: the Danish HTML UI ([`pages`]) and the JSON API ([`api`]), both
//! thin, with one route table ([`routes`]) that says who may use each route.
//!
//! A handler authenticates (the [`session`] extractors, which also apply the route's
//! access rule), makes one call into `skjold-app`, and renders the answer; refusals are
//! worded here ([`i18n`]). Every form carries a CSRF token tied to the session; every
//! response carries security headers; pages with personal data are never cached.
//!
//! This crate depends on the application and core only: it cannot reach the store, and
//! so cannot read a citizen's data except through a use case.

mod api;
mod assets;
pub mod demo_mitid;
mod download;
mod error;
mod headers;
pub mod i18n;
mod input;
mod layout;
mod pages;
mod routes;
mod session;
mod witness;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;

use skjold_app::App;
pub use witness::witness_router;

pub use api::ApiDoc;
pub use error::ApiError;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`. Browsers accept secure cookies over plain HTTP on localhost,
    /// so this stays on by default; turn it off only for a plain-HTTP host name in a lab.
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security`: on when Skjold serves TLS itself or sits behind a
    /// TLS-terminating proxy.
    pub hsts: bool,
    /// Behind a TLS-terminating proxy: the client address is the one the proxy appended
    /// last to `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// The demo's identity provider, served beside Skjold (`skjold demo` only).
    pub demo_mitid: Option<Arc<demo_mitid::DemoMitid>>,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: true,
            hsts: false,
            behind_proxy: false,
            demo_mitid: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole web application: the route table, with sessions, client information, the
/// API's language and the security headers around it.
pub fn router(app: App, config: WebConfig) -> Router {
    let hsts = config.hsts;
    let demo = config.demo_mitid.clone();
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    let table = routes::table().route("/healthz", get(healthz));
    let table = match demo {
        Some(provider) => table.merge(provider.routes().with_state(())),
        None => table,
    };
    table
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::client_info,
        ))
        .layer(middleware::from_fn(error::api_language))
        .layer(middleware::from_fn(move |req, next| {
            headers::security_headers(req, next, hsts)
        }))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.app.healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// Serves plain HTTP until `shutdown` resolves. Takes a bound listener so tests can use
/// port 0. The caller decides whether plain HTTP is acceptable on that address (see
/// [`plain_http_allowed`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app, config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Serves a witness (see [`witness_router`]) until `shutdown` resolves.
pub async fn serve_witness(
    listener: tokio::net::TcpListener,
    service: Arc<skjold_app::witnesses::WitnessService>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, witness_router(service))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Plain HTTP is served only on a loopback address, or behind a TLS-terminating proxy
/// when the operator says so (SA-6).
pub fn plain_http_allowed(addr: &SocketAddr, behind_proxy: bool) -> bool {
    addr.ip().is_loopback() || behind_proxy
}

/// A TLS server configuration from PEM files: the certificate chain and its private key.
pub fn tls_config(
    cert_pem: &std::path::Path,
    key_pem: &std::path::Path,
) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert_pem)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("could not read the certificate {}: {e}", cert_pem.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", cert_pem.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key_pem)
        .map_err(|e| format!("could not read the private key {}: {e}", key_pem.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| format!("the certificate and key do not fit together: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves HTTPS until `shutdown` resolves, with HSTS.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: App,
    mut config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    config.hsts = true;
    config.secure_cookies = true;
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(tls),
    )?
    .handle(handle)
    .serve(router(app, config).into_make_service_with_connect_info::<SocketAddr>())
    .await
}

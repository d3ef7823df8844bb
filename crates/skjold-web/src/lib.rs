//! Skjold's web layer: the Danish HTML UI and the JSON API (`/api/v1`), both thin.
//!
//! A handler authenticates (the [`session`] extractors), makes one call into `skjold-app`,
//! and renders the answer. Every form carries a CSRF token tied to the session; every
//! response carries security headers; pages with personal data are never cached.

mod api;
mod assets;
mod error;
mod html;
mod security;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use skjold_app::App;

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
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: true,
            hsts: false,
            behind_proxy: false,
        }
    }
}

/// One year, the preload lists' minimum.
const HSTS: &str = "max-age=31536000; includeSubDomains";

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole route table.
pub fn router(app: App, config: WebConfig) -> Router {
    let hsts = config.hsts;
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    Router::new()
        .merge(html::routes())
        .merge(security::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::client_info,
        ))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(req, next, hsts)
        }))
        .with_state(state)
}

/// Serves a file as a download (`Content-Disposition: attachment`) with its sniffed type.
/// An access-log export, as a download named after its format.
pub(crate) fn export_download(
    format: skjold_store::audit::export::Format,
    bytes: Vec<u8>,
) -> Response {
    use skjold_store::audit::export::Format;
    download(skjold_store::gate::AttachmentFile {
        filename: match format {
            Format::Jsonl => "adgangslog.jsonl".into(),
            Format::Csv => "adgangslog.csv".into(),
        },
        content_type: format.content_type().into(),
        bytes,
    })
}

pub(crate) fn download(file: skjold_store::gate::AttachmentFile) -> Response {
    use axum::response::IntoResponse;
    let ascii: String = file
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response()
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    use axum::response::IntoResponse;
    match state.app.store().organisations().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        )
            .into_response(),
    }
}

async fn security_headers(req: Request, next: Next, hsts: bool) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
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

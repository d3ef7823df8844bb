//! Skjold's web layer: the Danish HTML UI and the JSON API (`/api/v1`), both thin.
//!
//! A handler authenticates (the [`session`] extractors), makes one call into `skjold-app`,
//! and renders the answer. Every form carries a CSRF token tied to the session; every
//! response carries security headers; pages with personal data are never cached.

mod api;
mod assets;
mod error;
mod html;
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
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            secure_cookies: true,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole route table.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    Router::new()
        .merge(html::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .layer(middleware::from_fn(security_headers))
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

async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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

/// Serves until `shutdown` resolves. Takes a bound listener so tests can use port 0.
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

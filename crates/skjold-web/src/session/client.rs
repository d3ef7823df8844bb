//! Where a request comes from: the client address and the device cookie, which make the
//! workstation that sign-in attempts are counted by; and the record of every refusal.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use skjold_app::AppError;
use skjold_core::sign_in::Workstation;

use super::{SESSION_COOKIE, bearer};
use crate::AppState;
use crate::layout::error_page;

/// Names the browser, so that failures are counted per workstation and not only per
/// address (many workstations can share an address behind a municipality's NAT).
pub const DEVICE_COOKIE: &str = "skjold_device";
const DEVICE_COOKIE_DAYS: i64 = 400;
const UNKNOWN_ADDRESS: &str = "ukendt";

fn device_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::days(DEVICE_COOKIE_DAYS))
        .build()
}

/// Where a request came from, as the [`client_info`] middleware found it.
#[derive(Clone, Debug)]
struct ClientInfo {
    address: String,
    device: String,
}

/// The client address: the peer, or behind a TLS-terminating proxy the address the proxy
/// appended last to `X-Forwarded-For`.
fn client_address(req: &Request, behind_proxy: bool) -> String {
    let forwarded = behind_proxy
        .then(|| req.headers().get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match forwarded {
        Some(a) => a.to_owned(),
        None => req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| UNKNOWN_ADDRESS.to_owned(), |c| c.0.ip().to_string()),
    }
}

/// Gives every browser a device cookie, notes the client address, and records every
/// refused authorisation (a 403) once, with the caller and the workstation.
pub async fn client_info(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/static/") || path == "/healthz" {
        return next.run(req).await;
    }
    let jar = CookieJar::from_headers(req.headers());
    let existing = jar
        .get(DEVICE_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| (16..=64).contains(&v.len()));
    let new_device = existing.is_none();
    let info = ClientInfo {
        address: client_address(&req, state.config.behind_proxy),
        device: existing.unwrap_or_else(skjold_app::sign_in::new_token),
    };
    let session = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let bearer = bearer(req.headers()).map(str::to_owned);
    req.extensions_mut().insert(info.clone());
    let mut res = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN {
        let app = &state.app;
        let actor = match (&session, &bearer) {
            (_, Some(token)) => app.api_actor(token).await.ok().flatten(),
            (Some(token), None) => app.session(token).await.ok().flatten().map(|(a, _)| a),
            (None, None) => None,
        };
        let recorded = async {
            let ws = app.workstation(&info.address, Some(&info.device)).await?;
            app.record_refusal("authorisation_refused", actor.as_ref(), &ws, &path)
                .await
        }
        .await;
        if let Err(e) = recorded {
            tracing::error!(error.detail = %e, "could not record a refused authorisation");
        }
    }
    if new_device
        && let Ok(v) = header::HeaderValue::from_str(
            &device_cookie(info.device, state.config.secure_cookies).to_string(),
        )
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The workstation of a request (see [`client_info`]).
pub struct Client(pub Workstation);

impl FromRequestParts<AppState> for Client {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        workstation_of(parts, state)
            .await
            .map(Client)
            .map_err(|e| error_page(None, e))
    }
}

async fn workstation_of(parts: &Parts, state: &AppState) -> Result<Workstation, AppError> {
    let info = parts
        .extensions
        .get::<ClientInfo>()
        .cloned()
        .unwrap_or(ClientInfo {
            address: UNKNOWN_ADDRESS.into(),
            device: String::new(),
        });
    state
        .app
        .workstation(&info.address, Some(&info.device))
        .await
}

/// Records a session cookie or API token that named no live session or token: forged,
/// expired or revoked.
pub(super) async fn record_rejected(parts: &Parts, state: &AppState, kind: &str) {
    let recorded = async {
        let ws = workstation_of(parts, state).await?;
        state
            .app
            .record_refusal(kind, None, &ws, parts.uri.path())
            .await
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!(error.detail = %e, "could not record a rejected credential");
    }
}

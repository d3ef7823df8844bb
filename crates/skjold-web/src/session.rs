//! Authentication and CSRF: who is calling, and whether a form really came from our page.
//!
//! Browser sessions are a random 256-bit secret in an HttpOnly, Secure, SameSite=Strict
//! cookie; the database keeps only its hash. Each session has its own CSRF token, which
//! every form posts back and [`CsrfForm`] compares in constant time before the form is
//! even parsed. The sign-in form, which comes before any session, uses a double-submit
//! cookie instead. The API takes `Authorization: Bearer <token>`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use skjold_app::{Actor, AppError};

use crate::AppState;
use crate::error::ApiError;
use crate::html;

pub const SESSION_COOKIE: &str = "skjold_session";
pub const LOGIN_COOKIE: &str = "skjold_login";
/// A sign-in waiting for its second factor.
pub const PENDING_COOKIE: &str = "skjold_pending";
/// Names the browser, so that failures are counted per workstation and not only per
/// address (many workstations can share an address behind a municipality's NAT).
pub const DEVICE_COOKIE: &str = "skjold_device";
const DEVICE_COOKIE_DAYS: i64 = 400;
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A signed-in browser user.
pub struct WebUser {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
}

/// A browser-session cookie: it dies with the browser, and the server ends the session
/// after `skjold_app::auth::SESSION_SECONDS` in any case.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

pub fn login_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((LOGIN_COOKIE, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/login")
        .build()
}

pub fn pending_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((PENDING_COOKIE, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/login")
        .build()
}

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
pub struct ClientInfo {
    pub address: String,
    pub device: String,
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
            .map_or_else(|| "ukendt".to_owned(), |c| c.0.ip().to_string()),
    }
}

/// Gives every browser a device cookie, notes the client address, and records every
/// refused authorisation (a 403) with the caller and the workstation.
pub async fn client_info(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: axum::middleware::Next,
) -> Response {
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
        device: existing.unwrap_or_else(skjold_store::crypto::random_token),
    };
    let session = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let bearer = bearer(req.headers()).map(str::to_owned);
    req.extensions_mut().insert(info.clone());
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::FORBIDDEN {
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
pub struct Client(pub skjold_store::security::Workstation);

impl FromRequestParts<AppState> for Client {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        workstation_of(parts, state)
            .await
            .map(Client)
            .map_err(|e| html::error_response(None, e))
    }
}

async fn workstation_of(
    parts: &Parts,
    state: &AppState,
) -> Result<skjold_store::security::Workstation, AppError> {
    let info = parts
        .extensions
        .get::<ClientInfo>()
        .cloned()
        .unwrap_or(ClientInfo {
            address: "ukendt".into(),
            device: String::new(),
        });
    state
        .app
        .workstation(&info.address, Some(&info.device))
        .await
}

/// Records a session cookie or API token that named no live session or token: forged,
/// expired or revoked.
async fn record_rejected(parts: &Parts, state: &AppState, kind: &str) {
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

fn bearer(headers: &header::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

pub fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Err(Redirect::to("/login").into_response());
        };
        match state.app.session(&token).await {
            Ok(Some((actor, csrf))) => Ok(WebUser { actor, csrf, token }),
            Ok(None) => {
                record_rejected(parts, state, "session_rejected").await;
                Err(Redirect::to("/login").into_response())
            }
            Err(e) => Err(html::error_response(None, e)),
        }
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form from a signed-in user whose CSRF token matched; the form is parsed only then.
pub struct CsrfForm<T>(pub WebUser, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                html::error_response(
                    Some(&user),
                    AppError::invalid("form_too_large", "formularen er for stor"),
                )
            })?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        if !tokens_match(&field.csrf, &user.csrf) {
            return Err(html::error_response(
                Some(&user),
                AppError::forbidden(
                    "csrf_mismatch",
                    "formularen kunne ikke godkendes (sikkerhedsnøglen mangler eller er forkert). Gå tilbage, genindlæs siden og prøv igen.",
                ),
            ));
        }
        let form: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            html::error_response(
                Some(&user),
                AppError::invalid(
                    "form_invalid",
                    format!("formularen er ikke udfyldt korrekt ({e})"),
                ),
            )
        })?;
        Ok(CsrfForm(user, form))
    }
}

/// A multipart form (a message with files) from a signed-in user. The `csrf` field must
/// come first and match before any file is read; text fields and files are returned apart.
pub struct CsrfMultipart(pub WebUser, pub MultipartForm);

#[derive(Default)]
pub struct MultipartForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<skjold_app::messages::Upload>,
}

impl MultipartForm {
    /// A message form's text and, when given, the sender's confirmation for the guard.
    pub fn message(&self) -> (String, Option<&str>) {
        let body = self.fields.get("body").cloned().unwrap_or_default();
        let confirmation = self
            .fields
            .get("confirmation")
            .map(String::as_str)
            .filter(|c| !c.trim().is_empty());
        (body, confirmation)
    }
}

/// Room for the allowed attachments and the text around them.
pub const MAX_MULTIPART_BYTES: usize = skjold_app::messages::MAX_ATTACHMENTS
    * skjold_app::messages::MAX_ATTACHMENT_BYTES
    + 1024 * 1024;

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let bad = |user: &WebUser, msg: &str| {
            html::error_response(
                Some(user),
                AppError::invalid("form_invalid", msg.to_owned()),
            )
        };
        let req = Request::from_parts(
            parts,
            axum::body::Body::new(http_body_util::Limited::new(body, MAX_MULTIPART_BYTES)),
        );
        let mut multipart = match axum::extract::Multipart::from_request(req, state).await {
            Ok(m) => m,
            Err(_) => return Err(bad(&user, "formularen kunne ikke læses")),
        };
        let mut form = MultipartForm::default();
        let mut csrf_ok = false;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(bad(&user, "formularen er for stor eller ufuldstændig")),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if !csrf_ok {
                let value = field.text().await.unwrap_or_default();
                if name != "csrf" || !tokens_match(&value, &user.csrf) {
                    return Err(html::error_response(
                        Some(&user),
                        AppError::forbidden(
                            "csrf_mismatch",
                            "formularen kunne ikke godkendes (sikkerhedsnøglen mangler eller er forkert). Gå tilbage, genindlæs siden og prøv igen.",
                        ),
                    ));
                }
                csrf_ok = true;
                continue;
            }
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| bad(&user, "en fil kunne ikke læses"))?;
                    // A file input left empty arrives as a nameless, empty part.
                    if !(filename.is_empty() && bytes.is_empty()) {
                        form.files.push(skjold_app::messages::Upload {
                            filename,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let value = field
                        .text()
                        .await
                        .map_err(|_| bad(&user, "et felt kunne ikke læses"))?;
                    form.fields.insert(name, value);
                }
            }
        }
        if !csrf_ok {
            return Err(html::error_response(
                Some(&user),
                AppError::forbidden("csrf_mismatch", "formularen mangler sin sikkerhedsnøgle"),
            ));
        }
        Ok(CsrfMultipart(user, form))
    }
}

/// An API caller, from a bearer token.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError(AppError::Unauthenticated))?;
        match state.app.api_actor(token).await? {
            Some(actor) => Ok(ApiUser(actor)),
            None => {
                record_rejected(parts, state, "token_rejected").await;
                Err(ApiError(AppError::Unauthenticated))
            }
        }
    }
}

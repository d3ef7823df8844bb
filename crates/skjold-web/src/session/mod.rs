//! Who is calling, and whether they may: sessions and API tokens, each route's access
//! rule, and CSRF.
//!
//! Browser sessions are a random 256-bit secret in an HttpOnly, Secure, SameSite=Strict
//! cookie; the database keeps only its hash. Each session has its own CSRF token, which
//! every form posts back and [`CsrfForm`] compares in constant time before the form is
//! even parsed. The sign-in form, which comes before any session, uses a double-submit
//! cookie instead. The API takes `Authorization: Bearer <token>`.
//!
//! Every route carries its [`Access`] (see `routes.rs`); [`WebUser`] and [`ApiUser`] refuse
//! a caller whose role the role × action table does not let do the route's action, before
//! the handler runs. A route that names no access rule fails closed.
//!
//! Citizens have sessions of their own ([`CitizenUser`], cookie [`CITIZEN_COOKIE`]), which
//! reach only the routes marked [`Access::Citizen`]; on a staff page or the staff API a
//! citizen's session is refused (403), never taken for a staff session.

mod client;
mod forms;
pub(crate) mod user;

pub use client::{Client, client_info};
pub use forms::{CitizenForm, CsrfForm, CsrfMultipart, MAX_MULTIPART_BYTES};
pub use user::{ApiUser, CitizenUser, WebUser};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;

use skjold_app::AppError;
use skjold_core::{Action, Actor, Problem};

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Boundary;
use crate::layout::error_page;

pub const SESSION_COOKIE: &str = "skjold_session";
pub const LOGIN_COOKIE: &str = "skjold_login";
/// A sign-in waiting for its second factor.
pub const PENDING_COOKIE: &str = "skjold_pending";
/// A citizen's session in their own view.
pub const CITIZEN_COOKIE: &str = "skjold_borger";

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the sign-in pages).
    Anyone,
    /// Anyone signed in (the start page, signing out, one's own account).
    SignedIn,
    /// Those whose role the role × action table lets do the action.
    May(Action),
    /// Those whose role may do either action (a list that those who work and those who
    /// oversee both read).
    MayEither(Action, Action),
    /// A citizen signed in to their own view (never staff).
    Citizen,
}

/// Refuses `actor` unless the route's access rule lets them in.
fn admit(parts: &Parts, actor: &Actor) -> Result<(), AppError> {
    match parts.extensions.get::<Access>() {
        Some(Access::Anyone | Access::SignedIn) => Ok(()),
        Some(Access::May(action)) if actor.may(*action) => Ok(()),
        Some(Access::MayEither(a, b)) if actor.may(*a) || actor.may(*b) => Ok(()),
        Some(Access::May(_) | Access::MayEither(..) | Access::Citizen) => {
            Err(Problem::RoleNotAllowed(actor.role).into())
        }
        None => Err(AppError::Internal(format!(
            "the route {} has no access rule",
            parts.uri.path()
        ))),
    }
}

/// A browser-session cookie: it dies with the browser, and the server ends the session
/// after `skjold_app::sign_in::SESSION_SECONDS` in any case.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    strict_cookie(SESSION_COOKIE, value, secure, "/")
}

pub fn login_cookie(value: String, secure: bool) -> Cookie<'static> {
    strict_cookie(LOGIN_COOKIE, value, secure, "/login")
}

/// A citizen's session cookie, for the citizen's pages only.
pub fn citizen_cookie(value: String, secure: bool) -> Cookie<'static> {
    strict_cookie(CITIZEN_COOKIE, value, secure, "/")
}

pub fn pending_cookie(value: String, secure: bool) -> Cookie<'static> {
    strict_cookie(PENDING_COOKIE, value, secure, "/login")
}

fn strict_cookie(
    name: &'static str,
    value: String,
    secure: bool,
    path: &'static str,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path(path)
        .build()
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

/// Whether the request carries a citizen's session cookie (and so is a citizen's browser).
fn from_a_citizen(parts: &Parts) -> bool {
    CookieJar::from_headers(&parts.headers)
        .get(CITIZEN_COOKIE)
        .is_some()
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            if from_a_citizen(parts) {
                return Err(error_page(None, Problem::StaffOnly.into()));
            }
            return Err(Redirect::to("/login").into_response());
        };
        let user = match state.app.session(&token).await {
            Ok(Some((actor, csrf))) => WebUser { actor, csrf, token },
            Ok(None) => {
                client::record_rejected(parts, state, "session_rejected").await;
                return Err(Redirect::to("/login").into_response());
            }
            Err(e) => return Err(error_page(None, e)),
        };
        match admit(parts, &user.actor) {
            Ok(()) => {
                parts.extensions.insert(user.clone());
                Ok(user)
            }
            Err(e) => Err(error_page(Some(&user), e)),
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer(&parts.headers) else {
            if from_a_citizen(parts) {
                return Err(AppError::from(Problem::StaffOnly).into());
            }
            return Err(Boundary::Unauthenticated.into());
        };
        match state.app.api_actor(token).await? {
            Some(actor) => {
                admit(parts, &actor)?;
                Ok(ApiUser(actor))
            }
            None => {
                client::record_rejected(parts, state, "token_rejected").await;
                Err(Boundary::Unauthenticated.into())
            }
        }
    }
}

impl FromRequestParts<AppState> for CitizenUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if parts.extensions.get::<Access>() != Some(&Access::Citizen) {
            return Err(error_page(
                None,
                AppError::Internal(format!(
                    "the route {} is not a citizen's route",
                    parts.uri.path()
                )),
            ));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(CITIZEN_COOKIE).map(|c| c.value().to_owned()) else {
            return Err(Redirect::to("/borger/login").into_response());
        };
        match state.app.citizen_session(&token).await {
            Ok(Some((citizen, csrf))) => Ok(CitizenUser {
                citizen,
                csrf,
                token,
            }),
            Ok(None) => {
                client::record_rejected(parts, state, "session_rejected").await;
                Err(Redirect::to("/borger/login").into_response())
            }
            Err(e) => Err(error_page(None, e)),
        }
    }
}

//! The Danish HTML UI, one file per feature. Core flows work without JavaScript: plain
//! links and forms, each form with its CSRF token, each refusal explained in Danish on the
//! page it came from. A page makes one call into the application and renders its answer.

pub mod about;
pub mod access_review;
pub mod breaches;
pub mod citizen_view;
pub mod citizens;
pub mod data_requests;
pub mod directory;
pub mod disclosures;
pub mod invoices;
pub mod orders;
pub mod oversight;
pub mod processors;
pub mod records;
pub mod retention;
pub mod rights;
pub mod sign_in;
pub mod threads;

use axum::extract::{FromRequestParts, Path};
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_core::error::IdInput;
use skjold_core::{Problem, ProblemKind};

use crate::AppState;
use crate::i18n::Boundary;
pub(crate) use crate::layout::*;
use crate::session::WebUser;

/// A page's path parameters: an id, or an id with a second id or a name. A part that does
/// not parse (a malformed id) names nothing: the page answers "Siden findes ikke" (404) in
/// the caller's layout, as for an address that is not there, never with the parser's
/// message. The layout is that of the staff user signed in, if one is (on a form's route the
/// session is checked after the path, by the form's extractor).
pub(crate) struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(PagePath(v)),
            Err(_) => Err(boundary_page_at(state, parts, Boundary::NoRoute).await),
        }
    }
}

pub(crate) fn parse_id(s: &str, what: IdInput) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim()).map_err(|_| Problem::BadId(what).into())
}

/// A number as Danish writes it: `12.345`.
pub(crate) fn danish_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Where a page of a long list stands: how many match, which page this is, and the links
/// to the first and the next page (the filters ride along in the address).
pub(crate) struct Pager {
    /// What the count says: `1.234 i alt` or `over 10.000`.
    pub count: String,
    pub number: u32,
    pub first: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `page`, page `number` of the list at `base` filtered by `params`.
    pub(crate) fn of<T>(
        page: &skjold_core::paging::Page<T>,
        base: &str,
        params: &[(&str, String)],
        number: u32,
    ) -> Pager {
        let link = |extra: &[(&str, String)]| {
            let pairs: Vec<(&str, &str)> = params
                .iter()
                .chain(extra)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            match serde_urlencoded::to_string(pairs) {
                Ok(q) if !q.is_empty() => format!("{base}?{q}"),
                _ => base.to_owned(),
            }
        };
        let count = if page.capped() {
            format!("over {}", danish_count(skjold_core::paging::COUNT_CAP))
        } else {
            danish_count(page.total)
        };
        Pager {
            count,
            number,
            first: (number > 1).then(|| link(&[])),
            next: page
                .next
                .map(|c| link(&[("after", c.to_string()), ("side", (number + 1).to_string())])),
        }
    }
}

/// A citizen filter typed as a CPR number, as the citizen's internal id: found through the
/// logged look-up, so that a list's addresses (its paging links, a redirect) carry the id
/// and never the number. None when nothing was typed.
pub(crate) async fn citizen_filter(
    state: &AppState,
    user: &WebUser,
    cpr: &str,
) -> Result<Option<Uuid>, AppError> {
    let cpr = cpr.trim();
    if cpr.is_empty() {
        return Ok(None);
    }
    Ok(Some(state.app.filter_subject(&user.actor, cpr).await?))
}

/// What a form answers: on success, a redirect to `Ok(path)`; input the app refused
/// (invalid or conflicting) shows the page again with the reason; anything else is an
/// error page.
pub(crate) async fn answer<Fut>(
    user: &WebUser,
    result: Result<String, AppError>,
    reshow: impl FnOnce(String) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Response>,
{
    match result {
        Ok(path) => Redirect::to(&path).into_response(),
        Err(AppError::Refused(p))
            if matches!(p.kind(), ProblemKind::Invalid | ProblemKind::Conflict) =>
        {
            with_error_field(&p, reshow(words(&p))).await
        }
        Err(e) => error_page(Some(user), e),
    }
}

/// An address that is not there (or does not take the method), as a page: under
/// `/borger/` the citizen's, in their language and with their menu; elsewhere in the
/// layout of the staff user signed in, if one is (their menu and a way back).
pub(crate) async fn boundary_page_at(state: &AppState, parts: &mut Parts, b: Boundary) -> Response {
    let path = parts.uri.path();
    if path == "/borger" || path.starts_with("/borger/") {
        return citizen_view::boundary_page(state, parts, b).await;
    }
    let user = signed_in_user(state, parts).await;
    boundary_page_for(user.as_ref(), b)
}

/// The staff user whose session the request carries, if any, without refusing anyone (for
/// pages anyone may read, and error pages).
pub(crate) async fn signed_in_user(state: &AppState, parts: &Parts) -> Option<WebUser> {
    if let Some(user) = parts.extensions.get::<WebUser>() {
        return Some(user.clone());
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let c = jar.get(crate::session::SESSION_COOKIE)?;
    match state.app.session(c.value()).await {
        Ok(Some((actor, csrf))) => Some(WebUser {
            actor,
            csrf,
            token: c.value().to_owned(),
        }),
        _ => None,
    }
}

/// Whether the request was for the API, which answers in JSON.
pub(crate) fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

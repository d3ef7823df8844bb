//! The Danish HTML UI, one file per feature. Core flows work without JavaScript: plain
//! links and forms, each form with its CSRF token, each refusal explained in Danish on the
//! page it came from. A page makes one call into the application and renders its answer.

pub mod access_review;
pub mod breaches;
pub mod citizen_view;
pub mod citizens;
pub mod data_requests;
pub mod directory;
pub mod disclosures;
pub mod orders;
pub mod oversight;
pub mod processors;
pub mod records;
pub mod retention;
pub mod rights;
pub mod sign_in;
pub mod threads;

use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use skjold_app::AppError;
use skjold_core::error::IdInput;
use skjold_core::{Problem, ProblemKind};

pub(crate) use crate::layout::*;
use crate::session::WebUser;

pub(crate) fn parse_id(s: &str, what: IdInput) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim()).map_err(|_| Problem::BadId(what).into())
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
            reshow(words(&p)).await
        }
        Err(e) => error_page(Some(user), e),
    }
}

/// Whether the request was for the API, which answers in JSON.
pub(crate) fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

//! Errors at the HTTP boundary, in one shape: the API answers `{"error": {"code",
//! "message"}}` with the status the error deserves and a message in the caller's language;
//! the UI shows the same code and a Danish message on a page (`pages::error_page`).
//!
//! Everything the boundary itself refuses (no such address, a method the address does not
//! take, a body that is not JSON or too large, a malformed id) answers in the same shape.

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use skjold_app::AppError;
use skjold_core::{Problem, ProblemKind};

use crate::i18n::{self, Boundary, Lang};

tokio::task_local! {
    /// The language of the API request being answered.
    static LANG: Lang;
}

/// Answers the API request in the language its caller asked for.
pub async fn api_language(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    LANG.scope(lang, next.run(req)).await
}

fn current_lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// What went wrong: a use case's refusal or failure, or the boundary's own.
#[derive(Debug)]
pub enum Failure {
    App(AppError),
    Boundary(Boundary),
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::App(AppError::Refused(p)) => status_of(p),
            Failure::App(AppError::Unauthenticated) => StatusCode::UNAUTHORIZED,
            Failure::App(AppError::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            Failure::Boundary(b) => match b {
                Boundary::NoRoute => StatusCode::NOT_FOUND,
                Boundary::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
                Boundary::MalformedBody => StatusCode::BAD_REQUEST,
                Boundary::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Boundary::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Boundary::Unauthenticated => StatusCode::UNAUTHORIZED,
                Boundary::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Failure::App(e) => e.code(),
            Failure::Boundary(b) => match b {
                Boundary::NoRoute => "not_found",
                Boundary::MethodNotAllowed => "method_not_allowed",
                Boundary::MalformedBody => "bad_request_body",
                Boundary::UnsupportedMediaType => "unsupported_media_type",
                Boundary::TooLarge => "payload_too_large",
                Boundary::Unauthenticated => "unauthenticated",
                Boundary::Internal => "internal",
            },
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Failure::App(AppError::Refused(p)) => i18n::problem(p, lang),
            Failure::App(AppError::Unauthenticated) => {
                i18n::boundary(Boundary::Unauthenticated, lang).to_owned()
            }
            Failure::App(AppError::Internal(_)) => {
                i18n::boundary(Boundary::Internal, lang).to_owned()
            }
            Failure::Boundary(b) => i18n::boundary(*b, lang).to_owned(),
        }
    }

    /// Logs an internal error once, here, without its details reaching the client.
    pub fn log(&self) {
        if let Failure::App(AppError::Internal(detail)) = self {
            tracing::error!(error.detail = %detail, "request failed");
        }
    }
}

/// The status a refusal deserves.
pub fn status_of(p: &Problem) -> StatusCode {
    match p.kind() {
        ProblemKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ProblemKind::NotFound => StatusCode::NOT_FOUND,
        ProblemKind::Forbidden => StatusCode::FORBIDDEN,
        ProblemKind::Conflict => StatusCode::CONFLICT,
        ProblemKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

/// The API's error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `cpr_format` or `no_dpa_in_force`.
    pub code: String,
    /// For people, in the language of `Accept-Language` (Danish or English; Danish by
    /// default).
    pub message: String,
}

/// An API error: `{"error": {"code", "message"}}` with a fitting status.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(Failure::App(e))
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        ApiError(Failure::App(AppError::Refused(p)))
    }
}

impl From<Boundary> for ApiError {
    fn from(b: Boundary) -> ApiError {
        ApiError(Failure::Boundary(b))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_owned(),
                message: self.0.message(current_lang()),
            },
        };
        (self.0.status(), Json(body)).into_response()
    }
}

//! The JSON API, `/api/v1`: everything the UI does, for integrations, one file per
//! feature. Callers authenticate with `Authorization: Bearer <token>` (`skjold token
//! create --user NAME`); a token acts as its user, within that user's organisation.
//!
//! The API speaks in its own types (each feature's requests and responses, with their
//! constraints in the OpenAPI document), never in the application's, so that the contract
//! changes only on purpose. Errors are `{"error": {"code", "message"}}` with a stable
//! `code` and a message in the language of `Accept-Language`. Every operation's entry
//! lists every status it can answer.
//!
//! Routes that would carry a CPR number take it in a JSON body (`POST`), never in the URL,
//! so it cannot end up in proxy or browser history.

pub mod breaches;
pub mod catalogue;
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
pub mod threads;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use skjold_core::Problem;

use crate::error::{ApiError, ErrorBody};
use crate::i18n::Boundary;

/// A handler's answer: JSON, or the error shape.
pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// A JSON body whose rejection answers in the error shape: not JSON (400), not the JSON
/// the operation takes (422), not `application/json` (415), too large (413).
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(body_rejection(&rejection)),
        }
    }
}

fn body_rejection(r: &JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => Problem::BadRequestBody(e.body_text()).into(),
        JsonRejection::MissingJsonContentType(_) => Boundary::UnsupportedMediaType.into(),
        _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Boundary::TooLarge.into(),
        _ => Boundary::MalformedBody.into(),
    }
}

/// An id in the path. One that is not an id names nothing: 404, like an id that is.
pub(crate) struct Id(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(_) => Err(Boundary::NoRoute.into()),
        }
    }
}

/// An instant as the API writes it: RFC 3339, UTC.
pub(crate) fn instant(t: skjold_core::Timestamp) -> String {
    t.rfc3339()
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Skjold API",
        version = "1",
        description = "Leverandørplatform: bestillinger, videregivelser, sikre beskeder og logge. Alle kald med personoplysninger logges."
    ),
    paths(
        directory::me, directory::organisations, directory::create_organisation, directory::create_user,
        directory::edit_organisation, directory::organisation_history, directory::edit_user,
        directory::user_history,
        catalogue::purposes, catalogue::create_purpose, catalogue::service_types,
        catalogue::create_service_type, catalogue::dpas, catalogue::create_dpa,
        catalogue::set_dpa_coverage,
        catalogue::edit_purpose, catalogue::purpose_history, catalogue::edit_service_type,
        catalogue::service_type_history, catalogue::policy_versions, catalogue::edit_dpa,
        catalogue::dpa_history,
        citizens::register, citizens::record_item, citizens::search, citizens::citizen, citizens::consents, citizens::record_consent,
        citizens::withdraw_consent,
        orders::orders, orders::preview, orders::place, orders::order, orders::close,
        orders::open_stand_in, orders::confirm_deletion, orders::send_reminder,
        disclosures::disclose,
        threads::thread, threads::send_message, threads::attachment, threads::general_threads,
        threads::general_thread, threads::send_general_message, threads::general_attachment,
        data_requests::request_data, data_requests::open_requests, data_requests::decide,
        oversight::follow_up, oversight::follow_up_stand_in, oversight::ledger,
        oversight::access_log, oversight::export, oversight::export_ledger,
        rights::create, rights::cases, rights::case, rights::identity, rights::extend,
        rights::decide, rights::answer, rights::letter, rights::review, rights::send,
        rights::export, rights::tasks, rights::contribute, rights::notifications,
        rights::acknowledge,
        // DPAs and processors.
        processors::desks, processors::desk, processors::new_version, processors::acknowledge,
        processors::announce, processors::object, processors::present_transfer,
        processors::decide_transfer, processors::record_audit, processors::send_notice,
        processors::handle_notice, processors::confirm_end, processors::return_export,
        processors::transfer_document,
        processors::security_rules,
        processors::approve_security_rules,
        // The privacy officer's desk.
        breaches::report, breaches::breaches, breaches::breach, breaches::record_clock,
        breaches::affected, breaches::attach_affected, breaches::report_pdf,
        records::export, records::versions, records::review, records::drafts, records::report,
        records::decide,
        retention::rules, retention::set_rule, retention::retire_rule, retention::run,
        retention::receipts, retention::deliveries,
        // The procurement-data collaboration.
        invoices::send, invoices::join, invoices::report, invoices::own_data, invoices::queue,
        invoices::document, invoices::decide,
    ),
    components(schemas(ErrorBody, crate::error::ErrorDetail, Created)),
    modifiers(&BearerAuth, &EveryStatus),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds to each operation the statuses every operation of its kind can answer: 401 for
/// all; 403 for all but `me` (each route has a role rule); and for those with a body, 400
/// (not JSON), 413 (too large), 415 (not JSON's content type) and 422 (not the JSON the
/// operation takes). What only some operations answer (404, 409, 422 for a rule) each
/// operation lists itself.
struct EveryStatus;

fn error_response(description: &str) -> RefOr<Response> {
    use utoipa::openapi::content::ContentBuilder;
    let schema = utoipa::openapi::schema::Ref::from_schema_name("ErrorBody");
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(schema)).build(),
            )
            .build(),
    )
}

fn add_status(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| error_response(description));
}

impl utoipa::Modify for EveryStatus {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                add_status(op, "401", "No valid token (`unauthenticated`)");
                if op.operation_id.as_deref() != Some("me") {
                    add_status(op, "403", "The caller's role may not do this");
                }
                if op.request_body.is_some() {
                    add_status(op, "400", "The body is not JSON (`bad_request_body`)");
                    add_status(op, "413", "The body is too large (`payload_too_large`)");
                    add_status(
                        op,
                        "415",
                        "The body is not `application/json` (`unsupported_media_type`)",
                    );
                    add_status(
                        op,
                        "422",
                        "The body is not what the operation takes (`bad_request_body`), or a value breaks a rule",
                    );
                }
            }
        }
    }
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

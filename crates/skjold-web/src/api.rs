//! The JSON API, `/api/v1`: everything the UI does, for integrations. Callers authenticate
//! with `Authorization: Bearer <token>` (`skjold token create --user NAME`); a token acts as
//! its user, within that user's organisation. Errors are `{"error": {"code", "message"}}`
//! with a stable `code`.
//!
//! Routes that would carry a CPR number take it in a JSON body (`POST`), never in the URL,
//! so it cannot end up in proxy or browser history.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::messages::Upload;
use skjold_app::ops::{DpaInput, OversightQuery, PurposeInput, ServiceTypeInput};
use skjold_core::Role;
use skjold_store::OrgKind;
use skjold_store::gate::NewOrder;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

type ApiResult = Result<Json<Value>, ApiError>;

/// A JSON body whose rejection (malformed JSON, missing field) is an API error like any other.
struct ApiJson<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(AppError::invalid(
                "bad_request_body",
                rejection.body_text(),
            ))),
        }
    }
}

fn to_json<T: Serialize>(v: T) -> ApiResult {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route(
            "/organisations",
            get(organisations).post(create_organisation),
        )
        .route("/users", post(create_user))
        .route("/purposes", get(purposes).post(create_purpose))
        .route(
            "/service-types",
            get(service_types).post(create_service_type),
        )
        .route("/dpas", get(dpas).post(create_dpa))
        .route("/citizens/search", post(search_citizen))
        .route("/citizens/{id}", get(citizen))
        .route("/orders", get(orders).post(place_order))
        .route("/orders/preview", post(preview_order))
        .route("/orders/{id}", get(order))
        .route("/orders/{id}/disclosures", post(disclose))
        .route("/orders/{id}/close", post(close_order))
        .route("/orders/{id}/stand-in", post(open_stand_in))
        .route("/orders/{id}/deletion-confirmation", post(confirm_deletion))
        .route("/follow-up", get(follow_up))
        .route("/stand-ins/{id}/follow-up", post(follow_up_stand_in))
        .route("/orders/{id}/thread", get(thread))
        .route(
            "/orders/{id}/messages",
            // Base64 makes files a third larger.
            post(send_message).layer(axum::extract::DefaultBodyLimit::max(
                crate::session::MAX_MULTIPART_BYTES * 4 / 3 + 1024,
            )),
        )
        .route("/orders/{id}/data-requests", post(request_data))
        .route("/data-requests", get(open_requests))
        .route("/attachments/{id}", get(attachment))
        .route("/general-threads", get(general_threads))
        .route("/general-threads/{org}", get(general_thread))
        .route(
            "/general-threads/{org}/messages",
            post(send_general_message).layer(axum::extract::DefaultBodyLimit::max(
                crate::session::MAX_MULTIPART_BYTES * 4 / 3 + 1024,
            )),
        )
        .route("/general-attachments/{id}", get(general_attachment))
        .route(
            "/citizens/{id}/consents",
            get(consents).post(record_consent),
        )
        .route(
            "/citizens/{id}/consents/{channel}/withdraw",
            post(withdraw_consent),
        )
        .route("/orders/{id}/reminders", post(send_reminder))
        .route("/data-requests/{id}/decision", post(decide_request))
        .route("/ledger/query", post(ledger))
        .route("/access-log/query", post(access_log))
        .route("/access-log/export", post(export_access_log))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Skjold API", version = "1", description = "Leverandørplatform: bestillinger, videregivelser og logge. Alle kald med personoplysninger logges."),
    paths(me, organisations, create_organisation, create_user, purposes, create_purpose, service_types, create_service_type,
          dpas, create_dpa, search_citizen, citizen, orders, place_order, preview_order, order, disclose, close_order,
          open_stand_in, confirm_deletion, follow_up, follow_up_stand_in,
          thread, send_message, general_threads, general_thread, send_general_message, general_attachment, request_data, open_requests, decide_request, attachment, consents, record_consent, withdraw_consent, send_reminder, ledger, access_log, export_access_log),
    components(schemas(ErrorBody, crate::error::ErrorDetail, PurposeInput, ServiceTypeInput, DpaInput, OrganisationInput, UserInput,
                       CprInput, OrderInput, DisclosureInput, ReasonInput, NoteInput, OversightInput, ExportInput, Created, MessageInput, AttachmentInput, ConsentInput, ReminderInput, DataRequestInput, DecisionInput)),
    modifiers(&BearerAuth),
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

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
struct Created {
    id: Uuid,
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "The authenticated user and organisation"), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(actor): ApiUser) -> ApiResult {
    to_json(actor)
}

#[utoipa::path(get, path = "/api/v1/organisations", responses((status = 200, description = "The municipality, its units and suppliers")))]
async fn organisations(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.organisations(&a).await?)
}

#[derive(Deserialize, ToSchema)]
struct OrganisationInput {
    /// `unit` or `supplier`.
    kind: String,
    name: String,
    /// Required for suppliers (8 digits, modulus 11).
    #[serde(default)]
    cvr: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/organisations", request_body = OrganisationInput,
    responses((status = 200, description = "Created"), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_organisation(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OrganisationInput>,
) -> ApiResult {
    let kind = OrgKind::parse(&i.kind)
        .ok_or_else(|| AppError::invalid("bad_kind", "kind skal være unit eller supplier"))?;
    to_json(
        s.app
            .create_organisation(Some(&a), kind, None, &i.name, i.cvr.as_deref())
            .await?,
    )
}

#[derive(Deserialize, ToSchema)]
struct UserInput {
    organisation_id: Uuid,
    username: String,
    display_name: String,
    /// administrator, caseworker, supplier_user, privacy_officer or auditor
    role: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/users", request_body = UserInput,
    responses((status = 200, description = "Created"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<UserInput>,
) -> ApiResult {
    let role = Role::parse(&i.role).ok_or_else(|| AppError::invalid("bad_role", "ukendt rolle"))?;
    to_json(
        s.app
            .add_user(
                Some(&a),
                i.organisation_id,
                &i.username,
                &i.display_name,
                role,
                &i.password,
            )
            .await?,
    )
}

#[utoipa::path(get, path = "/api/v1/purposes", responses((status = 200, description = "Purposes with legal bases")))]
async fn purposes(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.purposes(&a).await?)
}

#[utoipa::path(post, path = "/api/v1/purposes", request_body = PurposeInput, responses((status = 200, description = "Created"), (status = 422, body = ErrorBody)))]
async fn create_purpose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<PurposeInput>,
) -> ApiResult {
    to_json(s.app.create_purpose(&a, &i).await?)
}

#[utoipa::path(get, path = "/api/v1/service-types", responses((status = 200, description = "Service types with their disclosure policy")))]
async fn service_types(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.service_types(&a).await?)
}

#[utoipa::path(post, path = "/api/v1/service-types", request_body = ServiceTypeInput, responses((status = 200, description = "Created"), (status = 422, body = ErrorBody)))]
async fn create_service_type(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ServiceTypeInput>,
) -> ApiResult {
    to_json(s.app.create_service_type(&a, &i).await?)
}

#[utoipa::path(get, path = "/api/v1/dpas", responses((status = 200, description = "Data processing agreements")))]
async fn dpas(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.dpas(&a).await?)
}

#[utoipa::path(post, path = "/api/v1/dpas", request_body = DpaInput, responses((status = 200, description = "Created"), (status = 422, body = ErrorBody)))]
async fn create_dpa(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<DpaInput>,
) -> ApiResult {
    to_json(s.app.create_dpa(&a, &i).await?)
}

#[derive(Deserialize, ToSchema)]
struct CprInput {
    /// `DDMMYY-SSSS` or `DDMMYYSSSS`
    cpr: String,
}

/// Finds a citizen by CPR number (logged).
#[utoipa::path(post, path = "/api/v1/citizens/search", request_body = CprInput,
    responses((status = 200, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search_citizen(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<CprInput>,
) -> ApiResult {
    to_json(Created {
        id: s.app.find_citizen(&a, &i.cpr).await?,
    })
}

/// A citizen's data and orders (logged).
#[utoipa::path(get, path = "/api/v1/citizens/{id}", params(("id" = Uuid, Path)), responses((status = 200, description = "The citizen"), (status = 404, body = ErrorBody)))]
async fn citizen(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult {
    to_json(s.app.citizen(&a, id).await?)
}

/// Orders of the caseworker's unit, or of the supplier.
#[utoipa::path(get, path = "/api/v1/orders", responses((status = 200, description = "Orders, without personal data")))]
async fn orders(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    if a.role == Role::SupplierUser {
        to_json(s.app.supplier_orders(&a).await?)
    } else {
        to_json(s.app.unit_orders(&a).await?)
    }
}

#[derive(Deserialize, ToSchema)]
struct OrderInput {
    subject_id: Uuid,
    service_type_id: Uuid,
    supplier_id: Uuid,
}

impl OrderInput {
    fn order(&self) -> NewOrder {
        NewOrder {
            subject_id: self.subject_id,
            service_type_id: self.service_type_id,
            supplier_id: self.supplier_id,
        }
    }
}

/// What an order would disclose automatically, before it is placed.
#[utoipa::path(post, path = "/api/v1/orders/preview", request_body = OrderInput, responses((status = 200, description = "The disclosure plan"), (status = 422, body = ErrorBody)))]
async fn preview_order(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OrderInput>,
) -> ApiResult {
    to_json(s.app.preview_order(&a, i.order()).await?)
}

/// Places an order; the policy's automatic fields are disclosed in the same transaction.
#[utoipa::path(post, path = "/api/v1/orders", request_body = OrderInput,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn place_order(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OrderInput>,
) -> ApiResult {
    to_json(Created {
        id: s.app.place_order(&a, i.order()).await?,
    })
}

/// An order: the caseworker's view (ledger, disclosable fields) or the supplier's view
/// (only the disclosed fields with values).
#[utoipa::path(get, path = "/api/v1/orders/{id}", params(("id" = Uuid, Path)), responses((status = 200, description = "The order"), (status = 404, body = ErrorBody)))]
async fn order(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<Uuid>) -> ApiResult {
    if a.role == Role::SupplierUser {
        to_json(s.app.supplier_order(&a, id).await?)
    } else {
        to_json(s.app.caseworker_order(&a, id).await?)
    }
}

#[derive(Deserialize, ToSchema)]
struct DisclosureInput {
    /// A field key of the taxonomy, e.g. `health`.
    field: String,
    /// Why the supplier needs it (at least 10 characters).
    justification: String,
}

/// Discloses one more field on a justified decision (LP-4).
#[utoipa::path(post, path = "/api/v1/orders/{id}/disclosures", params(("id" = Uuid, Path)), request_body = DisclosureInput,
    responses((status = 200, description = "Disclosed"), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn disclose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<DisclosureInput>,
) -> ApiResult {
    s.app.disclose(&a, id, &i.field, &i.justification).await?;
    Ok(Json(json!({ "disclosed": i.field })))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/close", params(("id" = Uuid, Path)), responses((status = 200, description = "Closed"), (status = 409, body = ErrorBody)))]
async fn close_order(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult {
    s.app.close_order(&a, id).await?;
    Ok(Json(json!({ "closed": id })))
}

#[derive(Deserialize, ToSchema)]
struct ReasonInput {
    /// Why the caseworker steps in on another unit's order (at least 10 characters).
    reason: String,
}

/// A caseworker of another unit steps in on an order, with a written reason: the order
/// and the citizen's record open to them for a working day. Logged as a stand-in access
/// and followed up by the privacy officer.
#[utoipa::path(post, path = "/api/v1/orders/{id}/stand-in", params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, description = "The stand-in access and when it ends"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_stand_in(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<ReasonInput>,
) -> ApiResult {
    to_json(s.app.open_stand_in(&a, id, &i.reason).await?)
}

/// The supplier confirms that it has deleted its copies of a closed order's data.
#[utoipa::path(post, path = "/api/v1/orders/{id}/deletion-confirmation", params(("id" = Uuid, Path)),
    responses((status = 200, description = "Confirmed"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn confirm_deletion(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult {
    s.app.confirm_deletion(&a, id).await?;
    Ok(Json(json!({ "deletion_confirmed": id })))
}

/// The privacy officer's follow-up: stand-in accesses, and closed orders whose supplier
/// has not confirmed deletion in time (reasons opened, so logged).
#[utoipa::path(get, path = "/api/v1/follow-up", responses((status = 200, description = "Stand-in accesses and overdue deletions"), (status = 403, body = ErrorBody)))]
async fn follow_up(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.follow_up(&a).await?)
}

#[derive(Deserialize, ToSchema)]
struct NoteInput {
    /// What the follow-up found (at least 5 characters).
    note: String,
}

#[utoipa::path(post, path = "/api/v1/stand-ins/{id}/follow-up", params(("id" = Uuid, Path)), request_body = NoteInput,
    responses((status = 200, description = "Followed up"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn follow_up_stand_in(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<NoteInput>,
) -> ApiResult {
    s.app.follow_up_stand_in(&a, id, &i.note).await?;
    Ok(Json(json!({ "followed_up": id })))
}

/// An order's thread: messages with evidence of delivery, data requests (logged).
#[utoipa::path(get, path = "/api/v1/orders/{id}/thread", params(("id" = Uuid, Path)),
    responses((status = 200, description = "Messages and data requests"), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn thread(State(s): State<AppState>, ApiUser(a): ApiUser, Path(id): Path<Uuid>) -> ApiResult {
    to_json(s.app.thread(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
struct AttachmentInput {
    filename: String,
    /// The file, base64-encoded (standard alphabet).
    content_base64: String,
}

#[derive(Deserialize, ToSchema)]
struct MessageInput {
    body: String,
    /// Up to 5 files of at most 10 MB, judged by their content.
    #[serde(default)]
    attachments: Vec<AttachmentInput>,
    /// Required when the guard stops the message (`guard_confirmation_required`): why it
    /// must go as written. The undisclosed data in it is then recorded as disclosed.
    #[serde(default)]
    confirmation: Option<String>,
}

/// Sends a message on an order's thread. A caseworker's message is checked first.
#[utoipa::path(post, path = "/api/v1/orders/{id}/messages", params(("id" = Uuid, Path)), request_body = MessageInput,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody, description = "Empty, too long, or stopped by the guard")))]
async fn send_message(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<MessageInput>,
) -> ApiResult {
    let uploads = decode_uploads(&i.attachments)?;
    let confirmation = i.confirmation.as_deref();
    to_json(Created {
        id: s
            .app
            .send_message_with(&a, id, &i.body, &uploads, confirmation)
            .await?,
    })
}

fn decode_uploads(files: &[AttachmentInput]) -> Result<Vec<Upload>, ApiError> {
    use base64::Engine;
    files
        .iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|_| {
                    AppError::invalid(
                        "attachment_encoding",
                        format!("«{}» er ikke gyldig base64", f.filename),
                    )
                })?;
            Ok(Upload {
                filename: f.filename.clone(),
                bytes,
            })
        })
        .collect()
}

/// The caller's general threads (no citizen): counts of messages and unread, no content.
#[utoipa::path(get, path = "/api/v1/general-threads", responses((status = 200, description = "One per supplier (caseworker) or municipality (supplier)")))]
async fn general_threads(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.general_threads(&a).await?)
}

/// The general thread with another organisation, with evidence of delivery (logged).
#[utoipa::path(get, path = "/api/v1/general-threads/{org}", params(("org" = Uuid, Path, description = "The supplier (for a caseworker) or the municipality (for a supplier)")),
    responses((status = 200, description = "Messages"), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn general_thread(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(org): Path<Uuid>,
) -> ApiResult {
    to_json(s.app.general_thread(&a, org).await?)
}

/// Sends a message on a general thread. A caseworker's message with a CPR number is
/// refused; one with special-category terms needs a confirmation.
#[utoipa::path(post, path = "/api/v1/general-threads/{org}/messages", params(("org" = Uuid, Path)), request_body = MessageInput,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody, description = "No DPA in force")))]
async fn send_general_message(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(org): Path<Uuid>,
    ApiJson(i): ApiJson<MessageInput>,
) -> ApiResult {
    let uploads = decode_uploads(&i.attachments)?;
    to_json(Created {
        id: s
            .app
            .send_general_message(&a, org, &i.body, &uploads, i.confirmation.as_deref())
            .await?,
    })
}

/// An attachment of a general thread, as a download (logged).
#[utoipa::path(get, path = "/api/v1/general-attachments/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = ErrorBody)))]
async fn general_attachment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> Result<axum::response::Response, ApiError> {
    Ok(crate::download(s.app.general_attachment(&a, id).await?))
}

#[derive(Deserialize, ToSchema)]
struct DataRequestInput {
    /// Field keys, e.g. `["address", "phone"]`.
    fields: Vec<String>,
    reason: String,
}

/// LP-5: the supplier asks the caseworker for more fields.
#[utoipa::path(post, path = "/api/v1/orders/{id}/data-requests", params(("id" = Uuid, Path)), request_body = DataRequestInput,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn request_data(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<DataRequestInput>,
) -> ApiResult {
    to_json(Created {
        id: s.app.request_data(&a, id, &i.fields, &i.reason).await?,
    })
}

/// An attachment, as a download with its sniffed content type (logged).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = ErrorBody)))]
async fn attachment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> Result<axum::response::Response, ApiError> {
    Ok(crate::download(s.app.attachment(&a, id).await?))
}

/// A citizen's consents to reminders (SEC-2).
#[utoipa::path(get, path = "/api/v1/citizens/{id}/consents", params(("id" = Uuid, Path)), responses((status = 200, description = "Consents, newest first")))]
async fn consents(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
) -> ApiResult {
    to_json(s.app.consents(&a, id).await?)
}

#[derive(Deserialize, ToSchema)]
struct ConsentInput {
    /// `sms` or `email`
    channel: String,
    /// Which consent text the citizen was shown.
    notice_version: String,
    /// How and when the consent was given.
    evidence: String,
}

#[utoipa::path(post, path = "/api/v1/citizens/{id}/consents", params(("id" = Uuid, Path)), request_body = ConsentInput,
    responses((status = 200, body = Created), (status = 422, body = ErrorBody)))]
async fn record_consent(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<ConsentInput>,
) -> ApiResult {
    to_json(Created {
        id: s
            .app
            .record_consent(&a, id, &i.channel, &i.notice_version, &i.evidence)
            .await?,
    })
}

/// Withdraws consent for a channel; no reminder goes out through it from now on.
#[utoipa::path(post, path = "/api/v1/citizens/{id}/consents/{channel}/withdraw", params(("id" = Uuid, Path), ("channel" = String, Path)),
    responses((status = 200, description = "Withdrawn"), (status = 409, body = ErrorBody)))]
async fn withdraw_consent(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path((id, channel)): Path<(Uuid, String)>,
) -> ApiResult {
    s.app.withdraw_consent(&a, id, &channel).await?;
    Ok(Json(json!({ "withdrawn": channel })))
}

#[derive(Deserialize, ToSchema)]
struct ReminderInput {
    /// `sms` or `email`
    channel: String,
    /// `YYYY-MM-DD`
    date: String,
    /// `HH:MM`
    time: String,
    /// Address or room; no names.
    place: String,
}

/// Sends a reminder about an appointment to the order's citizen, with consent only.
#[utoipa::path(post, path = "/api/v1/orders/{id}/reminders", params(("id" = Uuid, Path)), request_body = ReminderInput,
    responses((status = 200, description = "The text that was sent"), (status = 403, body = ErrorBody, description = "No consent"), (status = 422, body = ErrorBody)))]
async fn send_reminder(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<ReminderInput>,
) -> ApiResult {
    let date = skjold_app::ops::parse_date(&i.date, "dato")?;
    let appointment = skjold_app::reminders::Appointment {
        date,
        time: i.time,
        place: i.place,
    };
    Ok(Json(
        json!({ "sent": s.app.send_reminder(&a, id, &i.channel, &appointment).await? }),
    ))
}

/// Open data requests of the caseworker's municipality.
#[utoipa::path(get, path = "/api/v1/data-requests", responses((status = 200, description = "Open requests, oldest first")))]
async fn open_requests(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult {
    to_json(s.app.open_requests(&a).await?)
}

#[derive(Deserialize, ToSchema)]
struct DecisionInput {
    approve: bool,
    /// Required for a rejection.
    #[serde(default)]
    reason: String,
}

/// The caseworker approves (the fields become manual disclosures) or rejects a request.
#[utoipa::path(post, path = "/api/v1/data-requests/{id}/decision", params(("id" = Uuid, Path)), request_body = DecisionInput,
    responses((status = 200, description = "Decided"), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decide_request(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Path(id): Path<Uuid>,
    ApiJson(i): ApiJson<DecisionInput>,
) -> ApiResult {
    s.app.decide_request(&a, id, i.approve, &i.reason).await?;
    Ok(Json(json!({ "decided": id, "approved": i.approve })))
}

#[derive(Deserialize, ToSchema, Default)]
struct OversightInput {
    cpr: Option<String>,
    username: Option<String>,
    organisation: Option<Uuid>,
    /// `YYYY-MM-DD`, inclusive
    from: Option<String>,
    /// `YYYY-MM-DD`, inclusive
    until: Option<String>,
}

impl From<OversightInput> for OversightQuery {
    fn from(i: OversightInput) -> OversightQuery {
        OversightQuery {
            cpr: i.cpr,
            username: i.username,
            organisation: i.organisation,
            from: i.from,
            until: i.until,
        }
    }
}

/// The disclosure ledger (privacy officer, auditor).
#[utoipa::path(post, path = "/api/v1/ledger/query", request_body = OversightInput, responses((status = 200, description = "Ledger entries, newest first"), (status = 403, body = ErrorBody)))]
async fn ledger(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OversightInput>,
) -> ApiResult {
    to_json(s.app.ledger(&a, &i.into()).await?)
}

/// The access log (privacy officer, auditor).
#[utoipa::path(post, path = "/api/v1/access-log/query", request_body = OversightInput, responses((status = 200, description = "Log entries, newest first"), (status = 403, body = ErrorBody)))]
async fn access_log(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OversightInput>,
) -> ApiResult {
    to_json(s.app.access_log(&a, &i.into()).await?)
}

#[derive(Deserialize, ToSchema)]
struct ExportInput {
    #[serde(flatten)]
    filter: OversightInput,
    /// `jsonl` (default) or `csv`.
    #[serde(default)]
    format: Option<String>,
}

/// The access log as a verifiable export: entries with inclusion proofs against signed
/// checkpoints (privacy officer, auditor). Check it offline with
/// `skjold audit verify --export FILE --key KEY`.
#[utoipa::path(post, path = "/api/v1/access-log/export", request_body = ExportInput,
    responses((status = 200, description = "JSON Lines or CSV, as an attachment"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_access_log(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ExportInput>,
) -> Result<axum::response::Response, ApiError> {
    let format = i.format.as_deref().unwrap_or("jsonl");
    let (format, bytes) = s
        .app
        .export_access_log(&a, &i.filter.into(), format)
        .await?;
    Ok(crate::export_download(format, bytes))
}

//! Secure messages: an order's thread, the general threads between a municipality and a
//! supplier, and their attachments.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::threads::uploads::Upload;
use skjold_core::Problem;
use skjold_core::threads::{
    AttachmentMeta, GeneralThreadSummary, GeneralThreadView, MessageView, ThreadView,
};

use super::data_requests::RequestEntry;
use super::orders::{OrderSummaryView, keys};
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    id: Uuid,
    filename: String,
    /// Sniffed from the content, not taken from the sender.
    content_type: String,
    size: i64,
    sha256: String,
}

impl From<AttachmentMeta> for AttachmentView {
    fn from(a: AttachmentMeta) -> AttachmentView {
        AttachmentView {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReadView {
    reader: String,
    #[schema(format = DateTime)]
    at: String,
}

/// A message with the evidence of its delivery and reading.
#[derive(Serialize, ToSchema)]
pub struct MessageEntry {
    id: Uuid,
    kind: String,
    sender: String,
    sender_organisation: String,
    recipients: String,
    body: String,
    attachments: Vec<AttachmentView>,
    /// SHA-256 of the body and attachments, as stored.
    content_hash: String,
    #[schema(format = DateTime)]
    sent_at: String,
    delivery: String,
    reads: Vec<ReadView>,
    /// Not read by the caller before this look.
    new_for_me: bool,
    /// The citizen's data was erased: the body and the attachments' names, sealed under
    /// their key, are gone (empty here).
    erased: bool,
}

impl From<MessageView> for MessageEntry {
    fn from(m: MessageView) -> MessageEntry {
        MessageEntry {
            id: m.id,
            kind: m.kind,
            sender: m.sender,
            sender_organisation: m.sender_organisation,
            recipients: m.recipients,
            body: m.body,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
            content_hash: m.content_hash,
            sent_at: instant(m.sent_at),
            delivery: m.delivery.to_owned(),
            reads: m
                .reads
                .into_iter()
                .map(|r| ReadView {
                    reader: r.reader,
                    at: instant(r.at),
                })
                .collect(),
            new_for_me: m.new_for_me,
            erased: m.erased,
        }
    }
}

fn messages(m: Vec<MessageView>) -> Vec<MessageEntry> {
    m.into_iter().map(Into::into).collect()
}

/// A value the supplier asked for, for the caseworker deciding the request.
#[derive(Serialize, ToSchema)]
pub struct FieldValue {
    field: &'static str,
    value: String,
}

/// A field's disclosure rule on the order's service type.
#[derive(Serialize, ToSchema)]
pub struct FieldRuleView {
    field: &'static str,
    rule: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Thread {
    order: OrderSummaryView,
    messages: Vec<MessageEntry>,
    requests: Vec<RequestEntry>,
    /// Fields the supplier may still ask for.
    requestable: Vec<&'static str>,
    /// For the caseworker: the citizen's values of the fields asked for.
    requested_values: Vec<FieldValue>,
    policy: Vec<FieldRuleView>,
    /// The citizen's data was erased: the thread shows without its texts.
    citizen_erased: bool,
}

impl From<ThreadView> for Thread {
    fn from(t: ThreadView) -> Thread {
        Thread {
            order: t.order.into(),
            messages: messages(t.messages),
            requests: t.requests.into_iter().map(Into::into).collect(),
            requestable: keys(&t.requestable),
            requested_values: t
                .requested_values
                .into_iter()
                .map(|(f, value)| FieldValue {
                    field: f.key(),
                    value,
                })
                .collect(),
            policy: t
                .policy
                .into_iter()
                .map(|(f, r)| FieldRuleView {
                    field: f.key(),
                    rule: r.key(),
                })
                .collect(),
            citizen_erased: t.citizen_erased,
        }
    }
}

/// An order's thread: messages with evidence of delivery, data requests (logged).
#[utoipa::path(get, path = "/api/v1/orders/{id}/thread", tag = "threads", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Thread),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
    ))]
pub async fn thread(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Thread> {
    Ok(Json(s.app.thread(&a, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AttachmentInput {
    #[schema(min_length = 1, max_length = 200)]
    filename: String,
    /// The file, base64-encoded (standard alphabet).
    content_base64: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MessageRequest {
    #[schema(min_length = 1, max_length = 20000)]
    body: String,
    /// Up to 5 files of at most 10 MB, judged by their content.
    #[serde(default)]
    #[schema(max_items = 5)]
    attachments: Vec<AttachmentInput>,
    /// Required when the guard stops the message (`guard_confirmation_required`): why it
    /// must go as written. What it discloses is then recorded in the ledger.
    #[serde(default)]
    #[schema(max_length = 4000)]
    confirmation: Option<String>,
}

fn decode_uploads(files: &[AttachmentInput]) -> Result<Vec<Upload>, ApiError> {
    use base64::Engine;
    files
        .iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|_| Problem::AttachmentEncoding(f.filename.chars().take(200).collect()))?;
            Ok(Upload {
                filename: f.filename.clone(),
                bytes,
            })
        })
        .collect()
}

/// Room for five attachments in base64, which makes files a third larger.
pub const MAX_MESSAGE_BODY: usize = crate::session::MAX_MULTIPART_BYTES * 4 / 3 + 1024;

/// Sends a message on an order's thread. A caseworker's message is checked first.
#[utoipa::path(post, path = "/api/v1/orders/{id}/messages", tag = "threads",
    params(("id" = Uuid, Path)), request_body = MessageRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "The order is closed"),
        (status = 422, body = ErrorBody, description = "Empty, too long, a file refused, or stopped by the guard until confirmed"),
    ))]
pub async fn send_message(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<MessageRequest>,
) -> ApiResult<Created> {
    let uploads = decode_uploads(&i.attachments)?;
    let id = s
        .app
        .send_message_with(&a, id, &i.body, &uploads, i.confirmation.as_deref())
        .await?;
    Ok(Json(Created { id }))
}

/// An attachment of an order's thread, as a download with its sniffed type (logged).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "threads", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody, description = "No such attachment, or not the caller's"),
    ))]
pub async fn attachment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let file = s.app.attachment(&a, id).await?;
    Ok(download(&file.filename, &file.content_type, file.bytes))
}

#[derive(Serialize, ToSchema)]
pub struct GeneralThreadEntry {
    /// The supplier (for a caseworker) or the municipality (for a supplier).
    counterpart_id: Uuid,
    counterpart_name: String,
    messages: i64,
    unread: i64,
    #[schema(format = DateTime)]
    last_at: Option<String>,
    /// Open while a DPA is in force.
    open: bool,
}

impl From<GeneralThreadSummary> for GeneralThreadEntry {
    fn from(g: GeneralThreadSummary) -> GeneralThreadEntry {
        GeneralThreadEntry {
            counterpart_id: g.counterpart_id,
            counterpart_name: g.counterpart_name,
            messages: g.messages,
            unread: g.unread,
            last_at: g.last_at.map(instant),
            open: g.open,
        }
    }
}

/// The caller's general threads (no citizen): counts of messages and unread, no content.
#[utoipa::path(get, path = "/api/v1/general-threads", tag = "threads",
    responses((status = 200, body = [GeneralThreadEntry])))]
pub async fn general_threads(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<GeneralThreadEntry>> {
    let threads = s.app.general_threads(&a).await?;
    Ok(Json(threads.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct GeneralThread {
    counterpart_id: Uuid,
    counterpart_name: String,
    open: bool,
    messages: Vec<MessageEntry>,
}

impl From<GeneralThreadView> for GeneralThread {
    fn from(g: GeneralThreadView) -> GeneralThread {
        GeneralThread {
            counterpart_id: g.counterpart_id,
            counterpart_name: g.counterpart_name,
            open: g.open,
            messages: messages(g.messages),
        }
    }
}

/// The general thread with another organisation, with evidence of delivery (logged).
#[utoipa::path(get, path = "/api/v1/general-threads/{org}", tag = "threads",
    params(("org" = Uuid, Path, description = "The supplier (for a caseworker) or the municipality (for a supplier)")),
    responses(
        (status = 200, body = GeneralThread),
        (status = 404, body = ErrorBody, description = "No such counterpart"),
    ))]
pub async fn general_thread(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(org): Id,
) -> ApiResult<GeneralThread> {
    Ok(Json(s.app.general_thread(&a, org).await?.into()))
}

/// Sends a message on a general thread. A caseworker's message with a CPR number is
/// refused; one with special-category terms needs a confirmation.
#[utoipa::path(post, path = "/api/v1/general-threads/{org}/messages", tag = "threads",
    params(("org" = Uuid, Path)), request_body = MessageRequest,
    responses(
        (status = 200, body = Created),
        (status = 403, body = ErrorBody, description = "No DPA in force with the counterpart"),
        (status = 404, body = ErrorBody, description = "No such counterpart"),
    ))]
pub async fn send_general_message(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(org): Id,
    ApiJson(i): ApiJson<MessageRequest>,
) -> ApiResult<Created> {
    let uploads = decode_uploads(&i.attachments)?;
    let id = s
        .app
        .send_general_message(&a, org, &i.body, &uploads, i.confirmation.as_deref())
        .await?;
    Ok(Json(Created { id }))
}

/// An attachment of a general thread, as a download (logged).
#[utoipa::path(get, path = "/api/v1/general-attachments/{id}", tag = "threads",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody, description = "No such attachment, or not the caller's"),
    ))]
pub async fn general_attachment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let file = s.app.general_attachment(&a, id).await?;
    Ok(download(&file.filename, &file.content_type, file.bytes))
}

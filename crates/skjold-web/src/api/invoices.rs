//! The procurement-data collaboration for integrations: invoices in (one UBL document, a
//! zip of them, or many as `multipart/form-data`), the organisation's spend analysis and
//! its own documents back, taking part, and the analysis service's review queue.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use skjold_app::invoices::{Joining, Sent, Upload};
use skjold_core::invoices::report::{Report, Slice};
use skjold_core::invoices::review::{Decision, ForReview, Queued, ReviewReason};
use skjold_core::{Input, Problem};

use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Boundary;
use crate::session::ApiUser;

#[derive(Serialize, ToSchema)]
pub struct SentDocument {
    /// The file it came from (`archive.zip/inner.xml` for a zip's).
    file: String,
    id: Uuid,
    /// False when the document was received before: nothing changed.
    new: bool,
    /// `analysed` (in the analyses) or `review` (waits for the analysis service's reviewer).
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct SentView {
    documents: Vec<SentDocument>,
    new: usize,
    already: usize,
    to_review: usize,
}

impl From<Sent> for SentView {
    fn from(s: Sent) -> SentView {
        let new = s.new_documents();
        let to_review = s.to_review();
        SentView {
            already: s.documents.len() - new,
            new,
            to_review,
            documents: s
                .documents
                .into_iter()
                .map(|(file, d)| SentDocument {
                    file,
                    id: d.id,
                    new: d.new,
                    status: d.status.key(),
                })
                .collect(),
        }
    }
}

/// The uploads a request carries, by its content type.
async fn uploads(req: Request, state: &AppState) -> Result<Vec<Upload>, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match content_type.as_str() {
        "application/xml" | "text/xml" | "application/zip" => {
            let name = if content_type == "application/zip" {
                "dokumenter.zip"
            } else {
                "dokument.xml"
            };
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(|_| ApiError::from(Boundary::TooLarge))?;
            Ok(vec![Upload {
                name: name.to_owned(),
                bytes: bytes.to_vec(),
            }])
        }
        "multipart/form-data" => {
            let mut multipart = Multipart::from_request(req, state)
                .await
                .map_err(|_| ApiError::from(Boundary::MalformedBody))?;
            let mut out = Vec::new();
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|_| ApiError::from(Boundary::MalformedBody))?
            {
                let name = field
                    .file_name()
                    .or(field.name())
                    .unwrap_or("dokument.xml")
                    .to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::from(Boundary::MalformedBody))?;
                out.push(Upload {
                    name,
                    bytes: bytes.to_vec(),
                });
            }
            Ok(out)
        }
        _ => Err(Boundary::UnsupportedMediaType.into()),
    }
}

/// Sends invoices and credit notes of the caller's organisation (OIOUBL 2.x/3, PEPPOL BIS
/// 3, EHF): one document (`application/xml`), a zip of them (`application/zip`), or many
/// files (`multipart/form-data`). Each is anonymised first; only the anonymised form
/// enters the analyses, the raw copy is sealed. A document received before changes nothing.
/// If one cannot be read, nothing of the upload is kept.
#[utoipa::path(post, path = "/api/v1/invoices", tag = "invoices",
    request_body(content(
        (String = "application/xml"),
        (Vec<u8> = "application/zip"),
    ), description = "A UBL invoice or credit note, or a zip of them"),
    responses(
        (status = 200, body = SentView),
        (status = 403, body = ErrorBody, description = "The organisation takes no part in the collaboration (`not_participating`)"),
        (status = 422, body = ErrorBody, description = "A file is not an invoice or credit note Skjold reads (`invoice_unreadable`), a zip cannot be used (`invoice_archive`), nothing was sent (`no_invoices`)"),
    ))]
pub async fn send(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    req: Request,
) -> ApiResult<SentView> {
    let files = uploads(req, &s).await?;
    Ok(Json(s.app.send_invoices(&a, files).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinBody {
    /// The analysis service (a processor organisation).
    service_id: Uuid,
    /// The designated contact: a user of the municipality.
    contact_user_id: Uuid,
    /// The municipality's citizens, for figures per citizen.
    #[serde(default)]
    #[schema(minimum = 1)]
    citizens: Option<u64>,
    /// ISO 4217; `DKK` when left out. Documents in another currency are kept, not summed.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z]{3}$")]
    currency: Option<String>,
}

/// An organisation's part in the collaboration.
#[derive(Serialize, ToSchema)]
pub struct ParticipationView {
    organisation_id: Uuid,
    service_id: Uuid,
    service: String,
    contact_user_id: Uuid,
    contact: String,
    citizens: Option<u64>,
    currency: String,
    #[schema(format = DateTime)]
    joined_at: String,
    #[schema(format = DateTime)]
    ended_at: Option<String>,
}

/// Records the caller's municipality's part in the collaboration (its administrator); a
/// second call replaces the terms.
#[utoipa::path(put, path = "/api/v1/invoices/participation", tag = "invoices", request_body = JoinBody,
    responses(
        (status = 200, body = ParticipationView, description = "Recorded"),
        (status = 403, body = ErrorBody, description = "The contact is not a user of the municipality (`other_controller`)"),
        (status = 404, body = ErrorBody, description = "No such organisation (`organisation_not_found`) or user (`user_not_found`)"),
        (status = 422, body = ErrorBody, description = "The service is not a processor (`not_a_supplier`), the currency is not three letters (`required`)"),
    ))]
pub async fn join(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<JoinBody>,
) -> ApiResult<ParticipationView> {
    let currency = b.currency.unwrap_or_else(|| "DKK".to_owned());
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Problem::Required(Input::Setting).into());
    }
    s.app
        .join_invoices(
            &a,
            &Joining {
                service_id: b.service_id,
                contact_user_id: b.contact_user_id,
                citizens: b.citizens.filter(|c| *c > 0),
                currency,
            },
        )
        .await?;
    let p = s
        .app
        .invoice_participation(&a)
        .await?
        .ok_or(Problem::NotParticipating)?;
    Ok(Json(ParticipationView {
        organisation_id: p.organisation_id,
        service_id: p.service_id,
        service: p.service_name,
        contact_user_id: p.contact_user_id,
        contact: p.contact_name,
        citizens: p.citizens,
        currency: p.currency,
        joined_at: instant(p.joined_at),
        ended_at: p.ended_at.map(instant),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SliceView {
    key: String,
    invoices: u64,
    /// Øre excl. VAT, credit notes negative.
    amount: i64,
}

impl From<&Slice> for SliceView {
    fn from(s: &Slice) -> SliceView {
        SliceView {
            key: s.key.clone(),
            invoices: s.invoices,
            amount: s.amount,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ComparisonView {
    category: String,
    own: i64,
    own_per_citizen: Option<i64>,
    /// Participants in the released cell; none when it is suppressed.
    organisations: Option<usize>,
    average_per_organisation: Option<i64>,
    average_per_citizen: Option<i64>,
    /// Why the average is not shown: `too_few_invoices`, `too_few_organisations`,
    /// `dominated`, `complementary`.
    suppressed: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    invoices: u64,
    lines: u64,
    amount: i64,
    citizens: Option<u64>,
    classified_per_mille: Option<u32>,
    small_invoices: u64,
    small_amount: i64,
    other_currency: u64,
    by_category: Vec<SliceView>,
    by_supplier: Vec<SliceView>,
    other_suppliers: Option<SliceView>,
    by_month: Vec<SliceView>,
    comparison: Vec<ComparisonView>,
}

impl From<Report> for ReportView {
    fn from(r: Report) -> ReportView {
        let slices = |v: &[Slice]| v.iter().map(Into::into).collect();
        ReportView {
            invoices: r.invoices,
            lines: r.lines,
            amount: r.amount,
            citizens: r.citizens,
            classified_per_mille: r.classified_per_mille,
            small_invoices: r.small.invoices,
            small_amount: r.small.amount,
            other_currency: r.other_currency,
            by_category: slices(&r.by_category),
            by_supplier: slices(&r.by_supplier),
            other_suppliers: r.other_suppliers.as_ref().map(Into::into),
            by_month: slices(&r.by_month),
            comparison: r
                .comparison
                .into_iter()
                .map(|c| ComparisonView {
                    category: c.category,
                    own: c.own,
                    own_per_citizen: c.own_per_citizen,
                    organisations: c.average.as_ref().ok().map(|a| a.organisations),
                    average_per_organisation: c.average.as_ref().ok().map(|a| a.per_organisation),
                    average_per_citizen: c.average.as_ref().ok().and_then(|a| a.per_citizen),
                    suppressed: c.average.err().map(|w| {
                        serde_json::to_value(w)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    }),
                })
                .collect(),
        }
    }
}

/// The caller's organisation's spend analysis: by category, supplier and month, small
/// purchases, and its spend beside the collaboration's average as the sharing rules
/// release it.
#[utoipa::path(get, path = "/api/v1/invoices/report", tag = "invoices",
    responses(
        (status = 200, body = ReportView),
        (status = 403, body = ErrorBody, description = "The organisation takes no part (`not_participating`)"),
    ))]
pub async fn report(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<ReportView> {
    Ok(Json(s.app.spend_report(&a).await?.into()))
}

/// The organisation's own documents as they were received, as a zip: for its designated
/// contact only (every read is logged).
#[utoipa::path(get, path = "/api/v1/invoices/own-data", tag = "invoices",
    responses(
        (status = 200, content_type = "application/zip", body = Vec<u8>),
        (status = 403, body = ErrorBody, description = "Not the designated contact (`not_the_contact`)"),
    ))]
pub async fn own_data(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> Result<Response, ApiError> {
    let zip = s.app.return_invoices(&a).await?;
    Ok(download("egne-fakturaer.zip", "application/zip", zip))
}

#[derive(Serialize, ToSchema)]
pub struct QueuedView {
    id: Uuid,
    organisation: String,
    document_id: String,
    supplier: String,
    #[schema(format = Date)]
    issue_date: String,
    #[schema(format = DateTime)]
    received_at: String,
    /// `personal_data_in_free_text` or `lines_do_not_add_up`.
    reasons: Vec<String>,
}

fn reason_key(r: &ReviewReason) -> String {
    match r {
        ReviewReason::PersonalDataInFreeText { .. } => "personal_data_in_free_text".into(),
        ReviewReason::LinesDoNotAddUp => "lines_do_not_add_up".into(),
    }
}

impl From<Queued> for QueuedView {
    fn from(q: Queued) -> QueuedView {
        QueuedView {
            id: q.id,
            organisation: q.organisation,
            document_id: q.document_id,
            supplier: q.supplier,
            issue_date: q.issue_date.to_string(),
            received_at: instant(q.received_at),
            reasons: q.reasons.iter().map(reason_key).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QueueView {
    waiting: u64,
    #[schema(format = DateTime)]
    oldest_received_at: Option<String>,
    documents: Vec<QueuedView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// At most 500; 50 when left out.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The review queue of the caller's service, oldest first, with its size and age.
#[utoipa::path(get, path = "/api/v1/invoices/review", tag = "invoices", params(QueueQuery),
    responses(
        (status = 200, body = QueueView),
        (status = 422, body = ErrorBody, description = "`limit` or `offset` is not a number (`bad_request_body`)"),
    ))]
pub async fn queue(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    q: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult<QueueView> {
    let Ok(Query(q)) = q else {
        return Err(Problem::BadRequestBody("limit=N, offset=N".into()).into());
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let (docs, state) = s.app.invoice_queue(&a, limit, offset).await?;
    Ok(Json(QueueView {
        waiting: state.waiting,
        oldest_received_at: state.oldest.map(instant),
        documents: docs.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DecidedView {
    /// `approve` or `reject`.
    decision: &'static str,
    redacted: u32,
    note: String,
    by: String,
    #[schema(format = DateTime)]
    at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewDocumentView {
    document: QueuedView,
    /// `review`, `analysed` or `rejected`.
    status: &'static str,
    /// The anonymised XML.
    anonymised: String,
    decisions: Vec<DecidedView>,
}

impl From<ForReview> for ReviewDocumentView {
    fn from(f: ForReview) -> ReviewDocumentView {
        ReviewDocumentView {
            document: f.queued.into(),
            status: f.status.key(),
            anonymised: f.anonymised,
            decisions: f
                .decisions
                .into_iter()
                .map(|d| DecidedView {
                    decision: d.decision,
                    redacted: d.redacted,
                    note: d.note,
                    by: d.by,
                    at: instant(d.at),
                })
                .collect(),
        }
    }
}

/// A document of the queue: its anonymised text and the decisions on it (logged).
#[utoipa::path(get, path = "/api/v1/invoices/review/{id}", tag = "invoices",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ReviewDocumentView),
        (status = 404, body = ErrorBody, description = "No such document sent to the caller's service (`invoice_not_found`)"),
    ))]
pub async fn document(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<ReviewDocumentView> {
    Ok(Json(s.app.invoice_for_review(&a, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    #[schema(pattern = "^(approve|reject)$")]
    decision: String,
    /// Text to hide beyond what the scrubber replaced (approve only): at most 20 pieces of
    /// 3 to 200 characters.
    #[serde(default)]
    redact: Vec<String>,
    /// Required to reject.
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecidedStatus {
    /// `analysed` or `rejected`.
    status: &'static str,
}

/// Decides a document of the queue: approved, it enters the analyses (after hiding the
/// pieces named); rejected, it stays out.
#[utoipa::path(post, path = "/api/v1/invoices/review/{id}/decision", tag = "invoices",
    params(("id" = Uuid, Path)), request_body = DecisionBody,
    responses(
        (status = 200, body = DecidedStatus),
        (status = 404, body = ErrorBody, description = "No such document (`invoice_not_found`)"),
        (status = 409, body = ErrorBody, description = "Reviewed already (`invoice_decided`)"),
        (status = 422, body = ErrorBody, description = "An unknown decision (`bad_decision`), a rejection without a note (`required`), pieces out of bounds (`bad_redaction`)"),
    ))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(b): ApiJson<DecisionBody>,
) -> ApiResult<DecidedStatus> {
    let approve = match b.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(Problem::BadDecision.into()),
    };
    let decision = Decision::new(approve, &b.redact.join("\n"), &b.note)?;
    let status = s.app.decide_invoice(&a, id, &decision, &b.note).await?;
    Ok(Json(DecidedStatus {
        status: status.key(),
    }))
}

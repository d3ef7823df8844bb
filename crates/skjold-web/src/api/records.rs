//! The records of processing (art. 30): computed from what Skjold holds, exported as JSON,
//! CSV or PDF (as computed now, or a kept version), reviewed into kept versions; and the
//! units' reports of new processing, which the privacy officer approves or returns.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use skjold_app::records::RecordsFormat;
use skjold_core::Problem;
use skjold_core::records::{Draft, DraftInput, RecordsVersion};

use super::rights::{Done, done};
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::input;
use crate::session::ApiUser;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (the default), `csv` or `pdf`.
    #[param(pattern = "^(json|csv|pdf)$")]
    format: Option<String>,
    /// A kept version, by number; the records as computed now when left out.
    #[param(minimum = 1)]
    version: Option<u32>,
}

/// The records of processing as a file: per unit (art. 30(1)) and per processor
/// (art. 30(2)), with the security measures and the last review's stamp; or a kept
/// version. JSON holds `{"records", "reviewed"}`; CSV one row per activity and processor.
#[utoipa::path(get, path = "/api/v1/records", tag = "records", params(ExportQuery),
    responses(
        (status = 200, description = "The records, as an attachment", content(
            (serde_json::Value = "application/json"),
            (String = "text/csv"),
            (String = "application/pdf"),
        )),
        (status = 404, body = ErrorBody, description = "No such version (`records_version_not_found`)"),
        (status = 422, body = ErrorBody, description = "An unknown format (`export_format`), or a query that does not read (`bad_request_body`)"),
    ))]
pub async fn export(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Query(q)) = q else {
        return Err(Problem::BadRequestBody("format=json|csv|pdf, version=N".into()).into());
    };
    let key = q.format.as_deref().unwrap_or("json");
    let format = RecordsFormat::parse(key)
        .ok_or_else(|| Problem::ExportFormat(key.chars().take(20).collect()))?;
    let (filename, bytes) = s.app.export_records(&a, format, q.version).await?;
    Ok(download(&filename, format.content_type(), bytes))
}

/// A reviewed version of the records, kept as it was.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    id: Uuid,
    version: u32,
    reviewed_by: String,
    #[schema(format = DateTime)]
    reviewed_at: String,
    note: String,
}

impl From<RecordsVersion> for VersionView {
    fn from(v: RecordsVersion) -> VersionView {
        VersionView {
            id: v.id,
            version: v.version,
            reviewed_by: v.reviewed_by,
            reviewed_at: instant(v.reviewed_at),
            note: v.note,
        }
    }
}

/// The kept versions, newest first.
#[utoipa::path(get, path = "/api/v1/records/versions", tag = "records",
    responses((status = 200, body = [VersionView])))]
pub async fn versions(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<VersionView>> {
    let versions = s.app.records_versions(&a).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewInput {
    /// What the review found.
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
}

/// The privacy officer has reviewed the records as computed now: they are kept as a new
/// version, stamped with the review.
#[utoipa::path(post, path = "/api/v1/records/review", tag = "records", request_body = ReviewInput,
    responses((status = 201, body = VersionView, description = "The kept version")))]
pub async fn review(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ReviewInput>,
) -> Result<(StatusCode, Json<VersionView>), ApiError> {
    let version = s.app.review_records(&a, &i.note).await?;
    Ok((StatusCode::CREATED, Json(version.into())))
}

/// A unit's report of a new processing.
#[derive(Serialize, ToSchema)]
pub struct DraftView {
    id: Uuid,
    unit_id: Uuid,
    unit: String,
    name: String,
    purpose: String,
    subject_categories: String,
    data_categories: Vec<&'static str>,
    recipients: String,
    retention: String,
    question: String,
    /// `draft`, `approved` or `returned`.
    status: &'static str,
    reported_by: String,
    #[schema(format = DateTime)]
    reported_at: String,
    decided_by: Option<String>,
    #[schema(format = DateTime)]
    decided_at: Option<String>,
    /// The privacy officer's comment.
    comment: Option<String>,
}

impl From<Draft> for DraftView {
    fn from(d: Draft) -> DraftView {
        DraftView {
            id: d.id,
            unit_id: d.unit_id,
            unit: d.unit,
            name: d.input.name,
            purpose: d.input.purpose,
            subject_categories: d.input.subject_categories,
            data_categories: d.input.data_categories.iter().map(|c| c.key()).collect(),
            recipients: d.input.recipients,
            retention: d.input.retention,
            question: d.input.question,
            status: d.status.key(),
            reported_by: d.reported_by,
            reported_at: instant(d.reported_at),
            decided_by: d.decided_by,
            decided_at: d.decided_at.map(instant),
            comment: d.comment,
        }
    }
}

/// The units' reports: every unit's for the privacy officer, the auditor and the
/// administrator; a caseworker's own unit's.
#[utoipa::path(get, path = "/api/v1/records/drafts", tag = "records",
    responses((status = 200, body = [DraftView])))]
pub async fn drafts(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<DraftView>> {
    let drafts = s.app.processing_drafts(&a).await?;
    Ok(Json(drafts.into_iter().map(Into::into).collect()))
}

/// A new processing, as a unit describes it.
#[derive(Deserialize, ToSchema)]
pub struct DraftBody {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 4000)]
    purpose: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    subject_categories: String,
    /// At least one category key.
    #[serde(default)]
    data_categories: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    recipients: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    retention: String,
    /// What the unit asks the privacy officer.
    #[serde(default)]
    #[schema(max_length = 4000)]
    question: String,
}

/// A unit reports a new processing to the privacy officer.
#[utoipa::path(post, path = "/api/v1/records/drafts", tag = "records", request_body = DraftBody,
    responses(
        (status = 201, body = Created, description = "The report's id"),
        (status = 422, body = ErrorBody, description = "A missing text, or no or an unknown category (`required`)"),
    ))]
pub async fn report(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<DraftBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let draft = DraftInput {
        name: i.name,
        purpose: i.purpose,
        subject_categories: i.subject_categories,
        data_categories: input::categories(&i.data_categories)?,
        recipients: i.recipients,
        retention: i.retention,
        question: i.question,
    };
    let id = s.app.report_processing(&a, &draft).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct DraftDecision {
    /// Approved: the processing joins the unit's record. Otherwise returned to the unit.
    approve: bool,
    #[serde(default)]
    #[schema(max_length = 4000)]
    comment: String,
}

/// The privacy officer approves a unit's report, or returns it with a comment.
#[utoipa::path(post, path = "/api/v1/records/drafts/{id}/decision", tag = "records",
    params(("id" = Uuid, Path)), request_body = DraftDecision,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such report (`records_draft_not_found`)"),
        (status = 409, body = ErrorBody, description = "Already decided (`records_draft_decided`)"),
    ))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DraftDecision>,
) -> ApiResult<Done> {
    s.app
        .decide_processing_draft(&a, id, i.approve, &i.comment)
        .await?;
    done()
}

//! Data requests (LP-5): the supplier asks for more fields; the caseworker decides.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::data_requests::FieldDecisionInput;
use skjold_core::data_requests::{OpenRequest, RequestView};

use super::orders::keys;
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

/// What was decided on one field of a request.
#[derive(Serialize, ToSchema)]
pub struct FieldOutcomeEntry {
    #[schema(inline, value_type = FieldName)]
    field: &'static str,
    /// `approved` or `rejected`.
    decision: &'static str,
    /// The reason for a rejection, or the remark on an approval; null when an approval has
    /// none, or the citizen was erased.
    reason: Option<String>,
    /// The field is in the order's disclosure ledger (an approved field of which the
    /// citizen has no value is not).
    disclosed: bool,
}

/// A request on an order's thread.
#[derive(Serialize, ToSchema)]
pub struct RequestEntry {
    id: Uuid,
    fields: Vec<&'static str>,
    reason: String,
    requested_by: String,
    /// `open`, `approved`, `partly_approved` or `rejected`.
    status: String,
    decided_by: Option<String>,
    /// The decision on each requested field; empty while the request is open.
    decisions: Vec<FieldOutcomeEntry>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    decided_at: Option<String>,
    /// The citizen's data was erased: the reasons, sealed under their key, are gone
    /// (empty here).
    erased: bool,
}

impl From<RequestView> for RequestEntry {
    fn from(r: RequestView) -> RequestEntry {
        RequestEntry {
            id: r.id,
            fields: keys(&r.fields),
            reason: r.reason,
            requested_by: r.requested_by,
            status: r.status,
            decided_by: r.decided_by,
            decisions: r
                .decisions
                .into_iter()
                .map(|d| FieldOutcomeEntry {
                    field: d.field.key(),
                    decision: if d.approved { "approved" } else { "rejected" },
                    reason: d.reason,
                    disclosed: d.disclosed,
                })
                .collect(),
            created_at: instant(r.created_at),
            decided_at: r.decided_at.map(instant),
            erased: r.erased,
        }
    }
}

/// A field key of the taxonomy.
#[derive(ToSchema)]
#[schema(
    pattern = "^(name|cpr|address|phone|email|target_group|benefit|job_goal|work_experience|education|language_skills|family_situation|health|substance_abuse|criminal_record)$"
)]
pub struct FieldName(#[allow(dead_code)] String);

#[derive(Deserialize, ToSchema)]
pub struct DataRequestInput {
    /// Field keys, e.g. `["address", "phone"]`.
    #[schema(min_items = 1, max_items = 15, inline, value_type = Vec<FieldName>)]
    fields: Vec<String>,
    #[schema(min_length = 10, max_length = 4000)]
    reason: String,
}

/// LP-5: the supplier asks the caseworker for more fields.
#[utoipa::path(post, path = "/api/v1/orders/{id}/data-requests", tag = "data_requests",
    params(("id" = Uuid, Path)), request_body = DataRequestInput,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "The order is closed"),
    ))]
pub async fn request_data(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DataRequestInput>,
) -> ApiResult<Created> {
    let id = s.app.request_data(&a, id, &i.fields, &i.reason).await?;
    Ok(Json(Created { id }))
}

#[derive(Serialize, ToSchema)]
pub struct OpenRequestEntry {
    id: Uuid,
    order_id: Uuid,
    order_reference: String,
    supplier_name: String,
    fields: Vec<&'static str>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<OpenRequest> for OpenRequestEntry {
    fn from(r: OpenRequest) -> OpenRequestEntry {
        OpenRequestEntry {
            id: r.id,
            order_id: r.order_id,
            order_reference: r.order_reference,
            supplier_name: r.supplier_name,
            fields: keys(&r.fields),
            created_at: instant(r.created_at),
        }
    }
}

/// Open data requests on the orders of the caseworker's unit, oldest first.
#[utoipa::path(get, path = "/api/v1/data-requests", tag = "data_requests",
    responses((status = 200, body = [OpenRequestEntry])))]
pub async fn open_requests(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<OpenRequestEntry>> {
    let requests = s.app.open_requests(&a).await?;
    Ok(Json(requests.into_iter().map(Into::into).collect()))
}

/// The decision on one requested field.
#[derive(Deserialize, ToSchema)]
pub struct FieldDecisionEntry {
    #[schema(inline, value_type = FieldName)]
    field: String,
    decision: DecisionKind,
    /// Required for a rejection (at least 10 characters); an optional remark on an
    /// approval.
    #[serde(default)]
    #[schema(max_length = 4000)]
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionInput {
    /// One decision for every requested field, and none for another.
    #[schema(min_items = 1, max_items = 15)]
    fields: Vec<FieldDecisionEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    decided: Uuid,
    /// `approved`, `partly_approved` or `rejected`.
    status: &'static str,
}

/// The caseworker decides each field of a request: approved fields become manual
/// disclosures, rejected fields carry their reason.
#[utoipa::path(post, path = "/api/v1/data-requests/{id}/decision", tag = "data_requests",
    params(("id" = Uuid, Path)), request_body = DecisionInput,
    responses(
        (status = 200, body = Decided),
        (status = 404, body = ErrorBody, description = "No such request, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Already decided"),
        (status = 422, body = ErrorBody, description = "A field undecided, not requested or decided twice, or a rejection without a reason"),
    ))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DecisionInput>,
) -> ApiResult<Decided> {
    let fields: Vec<FieldDecisionInput> = i
        .fields
        .into_iter()
        .map(|f| FieldDecisionInput {
            field: f.field,
            decision: match f.decision {
                DecisionKind::Approve => "approve",
                DecisionKind::Reject => "reject",
            }
            .into(),
            reason: f.reason,
        })
        .collect();
    let status = s.app.decide_request(&a, id, &fields).await?;
    Ok(Json(Decided {
        decided: id,
        status: status.key(),
    }))
}

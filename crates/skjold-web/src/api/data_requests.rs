//! Data requests (LP-5): the supplier asks for more fields; the caseworker decides.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_core::data_requests::{OpenRequest, RequestView};

use super::orders::keys;
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

/// A request on an order's thread.
#[derive(Serialize, ToSchema)]
pub struct RequestEntry {
    id: Uuid,
    fields: Vec<&'static str>,
    reason: String,
    requested_by: String,
    /// `open`, `approved` or `rejected`.
    status: String,
    decided_by: Option<String>,
    decision_reason: Option<String>,
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
            decision_reason: r.decision_reason,
            created_at: instant(r.created_at),
            decided_at: r.decided_at.map(instant),
            erased: r.erased,
        }
    }
}

/// A field key of the taxonomy.
#[derive(ToSchema)]
#[schema(
    pattern = "^(name|cpr|address|phone|email|target_group|benefit|job_goal|work_experience|education|language_skills|family_situation|health|substance|criminal_record)$"
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

#[derive(Deserialize, ToSchema)]
pub struct DecisionInput {
    approve: bool,
    /// Required for a rejection (at least 10 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Decided {
    decided: Uuid,
    approved: bool,
}

/// The caseworker approves (the fields become manual disclosures) or rejects a request.
#[utoipa::path(post, path = "/api/v1/data-requests/{id}/decision", tag = "data_requests",
    params(("id" = Uuid, Path)), request_body = DecisionInput,
    responses(
        (status = 200, body = Decided),
        (status = 404, body = ErrorBody, description = "No such request, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Already decided"),
    ))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DecisionInput>,
) -> ApiResult<Decided> {
    s.app.decide_request(&a, id, i.approve, &i.reason).await?;
    Ok(Json(Decided {
        decided: id,
        approved: i.approve,
    }))
}

//! Disclosures: one more field of an order on the caseworker's justified decision (LP-4),
//! and the ledger's entries as the API shows them.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_core::disclosures::LedgerEntry;

use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

/// One row of the disclosure ledger: what left the municipality, to whom, why, when.
#[derive(Serialize, ToSchema)]
pub struct LedgerEntryView {
    id: Uuid,
    #[schema(format = DateTime)]
    at: String,
    order_id: Uuid,
    order_reference: String,
    subject_id: Uuid,
    supplier_name: String,
    /// The field disclosed; none for what a confirmed message disclosed.
    field: Option<&'static str>,
    /// `automatic`, `manual` or `message`.
    kind: &'static str,
    /// The caseworker's written reason (manual disclosures and confirmed messages).
    justification: Option<String>,
    /// The message that disclosed it.
    message_id: Option<Uuid>,
    /// What the guard found in the message.
    found: Option<String>,
    purpose: String,
    legal_basis: String,
    decided_by: String,
    /// The citizen's data was erased: the row stays, its justification and findings,
    /// sealed under their key, are gone.
    erased: bool,
}

impl From<LedgerEntry> for LedgerEntryView {
    fn from(e: LedgerEntry) -> LedgerEntryView {
        LedgerEntryView {
            id: e.id,
            at: instant(e.at),
            order_id: e.order_id,
            order_reference: e.order_reference,
            subject_id: e.subject_id,
            supplier_name: e.supplier_name,
            field: e.field.map(|f| f.key()),
            kind: e.kind.key(),
            justification: e.justification,
            message_id: e.message_id,
            found: e.found,
            purpose: e.purpose,
            legal_basis: e.legal_basis,
            decided_by: e.decided_by,
            erased: e.erased,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct DisclosureRequest {
    /// A field key of the taxonomy, e.g. `health`.
    #[schema(
        pattern = "^(name|cpr|address|phone|email|target_group|benefit|job_goal|work_experience|education|language_skills|family_situation|health|substance_abuse|criminal_record)$"
    )]
    field: String,
    /// Why the supplier needs it.
    #[schema(min_length = 10, max_length = 4000)]
    justification: String,
}

#[derive(Serialize, ToSchema)]
pub struct Disclosed {
    /// The field disclosed.
    disclosed: String,
}

/// Discloses one more field on a justified decision (LP-4).
#[utoipa::path(post, path = "/api/v1/orders/{id}/disclosures", tag = "disclosures",
    params(("id" = Uuid, Path)), request_body = DisclosureRequest,
    responses(
        (status = 200, body = Disclosed),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Already disclosed, or the order is closed"),
    ))]
pub async fn disclose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DisclosureRequest>,
) -> ApiResult<Disclosed> {
    s.app.disclose(&a, id, &i.field, &i.justification).await?;
    Ok(Json(Disclosed {
        disclosed: i.field.trim().to_owned(),
    }))
}

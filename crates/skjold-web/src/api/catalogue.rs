//! What the municipality offers: purposes with their legal basis, service types with their
//! disclosure policy, and data processing agreements with suppliers.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::catalogue::{DpaInput, PurposeInput, ServiceTypeInput};
use skjold_core::catalogue::{Dpa, Purpose, ServiceType};

use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

#[derive(Serialize, ToSchema)]
pub struct PurposeView {
    id: Uuid,
    name: String,
    description: String,
    /// GDPR art. 6(1) basis, e.g. `6.1.e`.
    art6: String,
    /// GDPR art. 9(2) basis, e.g. `9.2.b`.
    art9: Option<String>,
    national_law: String,
    /// The whole legal basis, in words.
    legal_basis: String,
    /// How long the data is kept.
    retention: String,
    /// Decisions based solely on automated processing under the purpose (art. 22): the
    /// logic involved and its significance; empty for none.
    automated_decision: String,
}

impl From<Purpose> for PurposeView {
    fn from(p: Purpose) -> PurposeView {
        PurposeView {
            id: p.id,
            name: p.name,
            description: p.description,
            art6: p.art6,
            art9: p.art9,
            national_law: p.national_law,
            legal_basis: p.legal_basis,
            retention: p.retention,
            automated_decision: p.automated_decision,
        }
    }
}

/// Purposes with their legal bases.
#[utoipa::path(get, path = "/api/v1/purposes", tag = "catalogue",
    responses((status = 200, body = [PurposeView])))]
pub async fn purposes(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<PurposeView>> {
    let purposes = s.app.purposes(&a).await?;
    Ok(Json(purposes.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PurposeRequest {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    description: String,
    /// GDPR art. 6(1) basis: `6.1.a` … `6.1.f`.
    #[schema(pattern = "^6\\.1\\.[a-f]$")]
    art6: String,
    /// GDPR art. 9(2) basis for special categories: `9.2.a` … `9.2.j`; none for none.
    #[serde(default)]
    #[schema(pattern = "^9\\.2\\.[a-j]$")]
    art9: Option<String>,
    /// The national provision, e.g. "LAB § 22".
    #[serde(default)]
    #[schema(max_length = 200)]
    national_law: String,
    /// How long the data is kept, e.g. "5 år efter sagens afslutning".
    #[serde(default)]
    #[schema(max_length = 200)]
    retention: String,
    /// Decisions based solely on automated processing under the purpose (art. 22): the
    /// logic involved and its significance. Empty or left out for none.
    #[serde(default)]
    #[schema(max_length = 4000)]
    automated_decision: String,
}

#[utoipa::path(post, path = "/api/v1/purposes", tag = "catalogue", request_body = PurposeRequest,
    responses((status = 200, body = PurposeView, description = "Created")))]
pub async fn create_purpose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<PurposeRequest>,
) -> ApiResult<PurposeView> {
    let input = PurposeInput {
        name: i.name,
        description: i.description,
        art6: i.art6,
        art9: i.art9,
        national_law: i.national_law,
        retention: i.retention,
        automated_decision: i.automated_decision,
    };
    Ok(Json(s.app.create_purpose(&a, &input).await?.into()))
}

/// How one field is disclosed for a service type.
#[derive(Serialize, ToSchema)]
pub struct FieldRule {
    /// A field key of the taxonomy, e.g. `health`.
    field: &'static str,
    /// `automatic`, `on_justified_request` or `never`.
    rule: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceTypeView {
    id: Uuid,
    code: String,
    name: String,
    description: String,
    purpose_id: Uuid,
    purpose_name: String,
    /// Every field of the taxonomy with its rule.
    rules: Vec<FieldRule>,
}

impl From<ServiceType> for ServiceTypeView {
    fn from(t: ServiceType) -> ServiceTypeView {
        ServiceTypeView {
            rules: t
                .rules
                .iter()
                .map(|(f, r)| FieldRule {
                    field: f.key(),
                    rule: r.key(),
                })
                .collect(),
            id: t.id,
            code: t.code,
            name: t.name,
            description: t.description,
            purpose_id: t.purpose_id,
            purpose_name: t.purpose_name,
        }
    }
}

/// Service types with their disclosure policy.
#[utoipa::path(get, path = "/api/v1/service-types", tag = "catalogue",
    responses((status = 200, body = [ServiceTypeView])))]
pub async fn service_types(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<ServiceTypeView>> {
    let types = s.app.service_types(&a).await?;
    Ok(Json(types.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceTypeRequest {
    #[schema(min_length = 1, max_length = 200)]
    code: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    description: String,
    purpose_id: Uuid,
    /// Field key → `automatic`, `on_justified_request` or `never`; fields not named get
    /// their default.
    #[serde(default)]
    policy: BTreeMap<String, String>,
}

#[utoipa::path(post, path = "/api/v1/service-types", tag = "catalogue",
    request_body = ServiceTypeRequest,
    responses(
        (status = 200, body = ServiceTypeView, description = "Created"),
        (status = 404, body = ErrorBody, description = "No such purpose"),
        (status = 409, body = ErrorBody, description = "The code is taken"),
    ))]
pub async fn create_service_type(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ServiceTypeRequest>,
) -> ApiResult<ServiceTypeView> {
    let input = ServiceTypeInput {
        code: i.code,
        name: i.name,
        description: i.description,
        purpose_id: i.purpose_id,
        policy: i.policy,
    };
    Ok(Json(s.app.create_service_type(&a, &input).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct DpaView {
    id: Uuid,
    processor_id: Uuid,
    processor_name: String,
    reference: String,
    instructions: String,
    /// `YYYY-MM-DD`
    #[schema(format = Date)]
    starts_on: String,
    /// `YYYY-MM-DD`; none for open-ended.
    #[schema(format = Date)]
    ends_on: Option<String>,
    /// The service types the agreement covers: orders from the supplier are for these only.
    service_type_ids: Vec<Uuid>,
    /// The last change of coverage: who and when; none while it is as registered.
    coverage_changed: Option<CoverageChangeView>,
}

/// A change of which service types a DPA covers.
#[derive(Serialize, ToSchema)]
pub struct CoverageChangeView {
    by: String,
    #[schema(format = DateTime)]
    at: String,
    /// The codes of the service types covered since, comma-separated.
    service_codes: String,
}

impl From<Dpa> for DpaView {
    fn from(d: Dpa) -> DpaView {
        DpaView {
            id: d.id,
            processor_id: d.processor_id,
            processor_name: d.processor_name,
            reference: d.reference,
            instructions: d.instructions,
            starts_on: d.starts_on.to_string(),
            ends_on: d.ends_on.map(|e| e.to_string()),
            service_type_ids: d.service_type_ids,
            coverage_changed: d.coverage_changed.map(|c| CoverageChangeView {
                by: c.by,
                at: instant(c.at),
                service_codes: c.service_codes,
            }),
        }
    }
}

/// Data processing agreements.
#[utoipa::path(get, path = "/api/v1/dpas", tag = "catalogue",
    responses((status = 200, body = [DpaView])))]
pub async fn dpas(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<DpaView>> {
    let dpas = s.app.dpas(&a).await?;
    Ok(Json(dpas.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DpaRequest {
    processor_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    reference: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    instructions: String,
    /// `YYYY-MM-DD`
    #[schema(format = Date)]
    starts_on: String,
    /// `YYYY-MM-DD`; none for open-ended.
    #[serde(default)]
    #[schema(format = Date)]
    ends_on: Option<String>,
    /// The service types the agreement covers; none: it covers none until set.
    #[serde(default)]
    service_type_ids: Vec<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/dpas", tag = "catalogue", request_body = DpaRequest,
    responses(
        (status = 200, body = DpaView, description = "Created"),
        (status = 404, body = ErrorBody, description = "No such supplier"),
    ))]
pub async fn create_dpa(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<DpaRequest>,
) -> ApiResult<DpaView> {
    let input = DpaInput {
        processor_id: i.processor_id,
        reference: i.reference,
        instructions: i.instructions,
        starts_on: i.starts_on,
        ends_on: i.ends_on,
        service_type_ids: i.service_type_ids,
    };
    Ok(Json(s.app.create_dpa(&a, &input).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct CoverageRequest {
    /// Every service type the agreement is to cover from now on (replacing the list).
    service_type_ids: Vec<Uuid>,
}

/// Sets which service types a DPA covers; who changed it and when is recorded. Orders
/// placed stay; new orders from the supplier follow the new coverage.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/coverage", tag = "catalogue",
    params(("id" = Uuid, Path)), request_body = CoverageRequest,
    responses(
        (status = 200, body = DpaView, description = "The agreement with its new coverage"),
        (status = 404, body = ErrorBody, description = "No such agreement or service type"),
    ))]
pub async fn set_dpa_coverage(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<CoverageRequest>,
) -> ApiResult<DpaView> {
    Ok(Json(
        s.app
            .set_dpa_coverage(&a, id, &i.service_type_ids)
            .await?
            .into(),
    ))
}

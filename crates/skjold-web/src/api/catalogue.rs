//! What the municipality offers: purposes with their legal basis, service types with their
//! disclosure policy, and data processing agreements with suppliers.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::catalogue::{DpaEdit, DpaInput, PurposeInput, ServiceTypeEdit, ServiceTypeInput};
use skjold_core::catalogue::{Dpa, PolicyVersion, Purpose, ServiceType};

use super::directory::{HistoryEntryView, history_view};
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
    /// The number of the policy version in force.
    policy_version: i64,
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
            policy_version: t.policy_version,
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

impl PurposeRequest {
    fn input(self) -> PurposeInput {
        PurposeInput {
            name: self.name,
            description: self.description,
            art6: self.art6,
            art9: self.art9,
            national_law: self.national_law,
            retention: self.retention,
            automated_decision: self.automated_decision,
        }
    }
}

/// Replaces a purpose's texts and legal basis (fields left out become empty); refused if a
/// service type serving it would no longer have a lawful policy. A new version with who and
/// when.
#[utoipa::path(put, path = "/api/v1/purposes/{id}", tag = "catalogue", params(("id" = Uuid, Path)),
    request_body = PurposeRequest,
    responses(
        (status = 200, body = PurposeView, description = "Changed"),
        (status = 404, body = ErrorBody, description = "No such purpose"),
        (status = 422, body = ErrorBody, description = "Nothing changed, or input the purpose cannot have"),
    ))]
pub async fn edit_purpose(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<PurposeRequest>,
) -> ApiResult<PurposeView> {
    Ok(Json(s.app.edit_purpose(&a, id, &i.input()).await?.into()))
}

/// A purpose's history, oldest first.
#[utoipa::path(get, path = "/api/v1/purposes/{id}/history", tag = "catalogue",
    params(("id" = Uuid, Path)), responses(
        (status = 200, body = [HistoryEntryView]),
        (status = 404, body = ErrorBody, description = "Not the administrator's to see"),
    ))]
pub async fn purpose_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<HistoryEntryView>> {
    Ok(Json(history_view(s.app.purpose_history(&a, id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceTypeEditRequest {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    description: String,
    purpose_id: Uuid,
    /// The whole policy: field key → `automatic`, `on_justified_request` or `never`; fields
    /// not named get their default.
    #[serde(default)]
    policy: BTreeMap<String, String>,
}

/// Replaces a service type's name, description, purpose and policy (its code stays). A
/// changed policy becomes a new policy version: orders placed before keep theirs.
#[utoipa::path(put, path = "/api/v1/service-types/{id}", tag = "catalogue",
    params(("id" = Uuid, Path)), request_body = ServiceTypeEditRequest,
    responses(
        (status = 200, body = ServiceTypeView, description = "Changed"),
        (status = 404, body = ErrorBody, description = "No such service type or purpose"),
        (status = 422, body = ErrorBody, description = "Nothing changed, or a policy the law or the purpose does not allow"),
    ))]
pub async fn edit_service_type(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ServiceTypeEditRequest>,
) -> ApiResult<ServiceTypeView> {
    let input = ServiceTypeEdit {
        name: i.name,
        description: i.description,
        purpose_id: i.purpose_id,
        policy: i.policy,
    };
    Ok(Json(s.app.edit_service_type(&a, id, &input).await?.into()))
}

/// A service type's history, oldest first.
#[utoipa::path(get, path = "/api/v1/service-types/{id}/history", tag = "catalogue",
    params(("id" = Uuid, Path)), responses(
        (status = 200, body = [HistoryEntryView]),
        (status = 404, body = ErrorBody, description = "Not the administrator's to see"),
    ))]
pub async fn service_type_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<HistoryEntryView>> {
    Ok(Json(history_view(
        s.app.service_type_history(&a, id).await?,
    )))
}

/// A version of a service type's disclosure policy.
#[derive(Serialize, ToSchema)]
pub struct PolicyVersionView {
    version: i64,
    /// Who made it; none for version 1 of a service type made before versions were kept.
    changed_by: Option<String>,
    #[schema(format = DateTime)]
    changed_at: String,
    /// Every field of the taxonomy with its rule.
    rules: Vec<FieldRule>,
}

impl From<PolicyVersion> for PolicyVersionView {
    fn from(v: PolicyVersion) -> PolicyVersionView {
        PolicyVersionView {
            version: v.version,
            changed_by: v.changed_by,
            changed_at: instant(v.changed_at),
            rules: v
                .rules
                .iter()
                .map(|(f, r)| FieldRule {
                    field: f.key(),
                    rule: r.key(),
                })
                .collect(),
        }
    }
}

/// The versions of a service type's disclosure policy, oldest first.
#[utoipa::path(get, path = "/api/v1/service-types/{id}/policy-versions", tag = "catalogue",
    params(("id" = Uuid, Path)), responses(
        (status = 200, body = [PolicyVersionView]),
        (status = 404, body = ErrorBody, description = "No such service type"),
    ))]
pub async fn policy_versions(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<PolicyVersionView>> {
    let versions = s.app.policy_versions(&a, id).await?;
    Ok(Json(versions.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DpaEditRequest {
    #[schema(min_length = 1, max_length = 200)]
    reference: String,
    /// Changed instructions become a new version of the DPA's terms, agreed and in force
    /// today.
    #[serde(default)]
    #[schema(max_length = 4000)]
    instructions: String,
    /// `YYYY-MM-DD`; none for open-ended.
    #[serde(default)]
    #[schema(format = Date)]
    ends_on: Option<String>,
}

/// Replaces a DPA's reference, instructions and end date (its supplier and start stay); a
/// new version with who and when.
#[utoipa::path(put, path = "/api/v1/dpas/{id}", tag = "catalogue", params(("id" = Uuid, Path)),
    request_body = DpaEditRequest,
    responses(
        (status = 200, body = DpaView, description = "Changed"),
        (status = 404, body = ErrorBody, description = "No such DPA"),
        (status = 422, body = ErrorBody, description = "Nothing changed, or bad dates"),
    ))]
pub async fn edit_dpa(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DpaEditRequest>,
) -> ApiResult<DpaView> {
    let input = DpaEdit {
        reference: i.reference,
        instructions: i.instructions,
        ends_on: i.ends_on,
    };
    Ok(Json(s.app.edit_dpa(&a, id, &input).await?.into()))
}

/// A DPA's history, oldest first.
#[utoipa::path(get, path = "/api/v1/dpas/{id}/history", tag = "catalogue",
    params(("id" = Uuid, Path)), responses(
        (status = 200, body = [HistoryEntryView]),
        (status = 404, body = ErrorBody, description = "Not the administrator's to see"),
    ))]
pub async fn dpa_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<HistoryEntryView>> {
    Ok(Json(history_view(s.app.dpa_history(&a, id).await?)))
}

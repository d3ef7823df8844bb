//! Citizens: a case system's registration of a citizen and of their items, the search by
//! CPR number, a citizen's record (current items with source and purpose, and the
//! superseded versions), and consents to reminders.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::citizens::{CitizenInput, ItemInput};
use skjold_core::citizens::{Datum, SubjectView};
use skjold_core::consents::ConsentView;

use super::orders::{OrderSummaryView, summaries};
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Boundary;
use crate::session::ApiUser;

#[derive(Deserialize, ToSchema)]
pub struct CprRequest {
    /// `DDMMYY-SSSS` or `DDMMYYSSSS`
    #[schema(pattern = "^[0-9]{6}-?[0-9]{4}$")]
    cpr: String,
}

/// Finds a citizen by CPR number (logged); a hit opens the record to the caseworker for
/// the day.
#[utoipa::path(post, path = "/api/v1/citizens/search", tag = "citizens", request_body = CprRequest,
    responses(
        (status = 200, body = Created, description = "The citizen's id"),
        (status = 404, body = ErrorBody, description = "No such citizen"),
    ))]
pub async fn search(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<CprRequest>,
) -> ApiResult<Created> {
    Ok(Json(Created {
        id: s.app.find_citizen(&a, &i.cpr).await?,
    }))
}

/// One item about a citizen, as a case system sends it.
#[derive(Deserialize, ToSchema)]
pub struct ItemRequest {
    /// A field key of the taxonomy (not `cpr`, which comes with the citizen).
    #[schema(min_length = 1, max_length = 200)]
    field: String,
    #[schema(min_length = 1, max_length = 4000)]
    value: String,
    /// Where the item came from: «Borgeren», «Anden myndighed», a supplier's name.
    #[schema(min_length = 1, max_length = 200)]
    source: String,
    /// The name of one of the controller's purposes (`GET /api/v1/purposes`).
    #[schema(min_length = 1, max_length = 200)]
    purpose: String,
}

impl From<ItemRequest> for ItemInput {
    fn from(i: ItemRequest) -> ItemInput {
        ItemInput {
            field: i.field,
            value: i.value,
            source: i.source,
            purpose: i.purpose,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CitizenRequest {
    /// `DDMMYY-SSSS` or `DDMMYYSSSS`
    #[schema(pattern = "^[0-9]{6}-?[0-9]{4}$")]
    cpr: String,
    /// Recorded as the item `name`.
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// Where the name came from; the first item's source when left out.
    #[serde(default)]
    #[schema(max_length = 200)]
    source: Option<String>,
    /// The purpose the name is recorded for; the first item's when left out.
    #[serde(default)]
    #[schema(max_length = 200)]
    purpose: Option<String>,
    /// The first items, each field at most once.
    #[serde(default)]
    data: Vec<ItemRequest>,
}

/// Registers a citizen with their first items (logged, one transaction). The caller may
/// then open the record for the day. A bad CPR number, an unknown field or purpose, an
/// empty value or a field given twice is refused with nothing written.
#[utoipa::path(post, path = "/api/v1/citizens", tag = "citizens", request_body = CitizenRequest,
    responses(
        (status = 201, body = Created, description = "The new citizen's id"),
        (status = 409, body = ErrorBody, description = "The citizen is registered already (`subject_exists`)"),
        (status = 422, body = ErrorBody, description = "A bad CPR number (`cpr_format`, `cpr_impossible_date`, `cpr_future_date`), an unknown field (`unknown_field`) or purpose (`unknown_purpose`), a missing value (`value_required`, `source_required`, `purpose_required`, `name_required`), `field_repeated`, `field_not_recordable`"),
    ))]
pub async fn register(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<CitizenRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = CitizenInput {
        cpr: i.cpr,
        name: i.name,
        source: i.source.unwrap_or_default(),
        purpose: i.purpose.unwrap_or_default(),
        data: i.data.into_iter().map(Into::into).collect(),
    };
    let id = s.app.register_citizen(&a, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Records an item about a citizen (logged): a new field, or a new version of one; the
/// old version stays, marked superseded, in the record's `history`.
#[utoipa::path(post, path = "/api/v1/citizens/{id}/data", tag = "citizens",
    params(("id" = Uuid, Path)), request_body = ItemRequest,
    responses(
        (status = 201, body = Created, description = "The new item's id"),
        (status = 404, body = ErrorBody, description = "No such citizen, not open to the caller, or erased (`citizen_erased`)"),
        (status = 422, body = ErrorBody, description = "An unknown field (`unknown_field`) or purpose (`unknown_purpose`), a missing value (`value_required`, `source_required`, `purpose_required`), `field_not_recordable`"),
    ))]
pub async fn record_item(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ItemRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let item = s.app.record_citizen_item(&a, id, &i.into()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: item })))
}

#[derive(Serialize, ToSchema)]
pub struct DatumView {
    id: Uuid,
    /// A field key of the taxonomy.
    field: &'static str,
    value: String,
    /// Where the data came from.
    source: String,
    /// The controller's purpose it was collected for, if recorded.
    purpose: Option<String>,
    #[schema(format = DateTime)]
    collected_at: String,
    /// For a version in `history`: when a newer value replaced it.
    #[schema(format = DateTime)]
    replaced_at: Option<String>,
    restricted: bool,
    /// Found incorrect in a rights case: the note that rectifies it.
    rectification: Option<String>,
}

impl From<Datum> for DatumView {
    fn from(d: Datum) -> DatumView {
        DatumView {
            id: d.id,
            field: d.field.key(),
            value: d.value,
            source: d.source,
            purpose: d.purpose,
            collected_at: instant(d.collected_at),
            replaced_at: d.replaced_at.map(instant),
            restricted: d.restricted,
            rectification: d.rectification,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CitizenView {
    id: Uuid,
    /// The current items.
    data: Vec<DatumView>,
    /// Superseded versions, each with when it was replaced.
    history: Vec<DatumView>,
    /// Every order for the citizen; those of other units open only by a stand-in access.
    orders: Vec<OrderSummaryView>,
}

impl From<SubjectView> for CitizenView {
    fn from(v: SubjectView) -> CitizenView {
        CitizenView {
            id: v.id,
            data: v.data.into_iter().map(Into::into).collect(),
            history: v.history.into_iter().map(Into::into).collect(),
            orders: summaries(v.orders),
        }
    }
}

/// A citizen's data and orders (logged). An erased citizen's record answers 404 with the
/// code `citizen_erased`.
#[utoipa::path(get, path = "/api/v1/citizens/{id}", tag = "citizens", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CitizenView),
        (status = 404, body = ErrorBody, description = "No such citizen, not open to the caller, or erased (`citizen_erased`)"),
    ))]
pub async fn citizen(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<CitizenView> {
    Ok(Json(s.app.citizen(&a, id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ConsentEntry {
    id: Uuid,
    /// `sms` or `email`.
    channel: String,
    notice_version: String,
    #[schema(format = DateTime)]
    given_at: String,
    #[schema(format = DateTime)]
    withdrawn_at: Option<String>,
}

impl From<ConsentView> for ConsentEntry {
    fn from(c: ConsentView) -> ConsentEntry {
        ConsentEntry {
            id: c.id,
            channel: c.channel,
            notice_version: c.notice_version,
            given_at: instant(c.given_at),
            withdrawn_at: c.withdrawn_at.map(instant),
        }
    }
}

/// A citizen's consents to reminders (SEC-2), newest first.
#[utoipa::path(get, path = "/api/v1/citizens/{id}/consents", tag = "citizens",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [ConsentEntry]),
        (status = 404, body = ErrorBody, description = "No such citizen, or not open to the caller"),
    ))]
pub async fn consents(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<ConsentEntry>> {
    let consents = s.app.consents(&a, id).await?;
    Ok(Json(consents.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ConsentRequest {
    #[schema(pattern = "^(sms|email)$")]
    channel: String,
    /// Which consent text the citizen was shown.
    #[schema(min_length = 1, max_length = 200)]
    notice_version: String,
    /// How and when the consent was given.
    #[schema(min_length = 10, max_length = 4000)]
    evidence: String,
}

#[utoipa::path(post, path = "/api/v1/citizens/{id}/consents", tag = "citizens",
    params(("id" = Uuid, Path)), request_body = ConsentRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such citizen, or not open to the caller"),
    ))]
pub async fn record_consent(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ConsentRequest>,
) -> ApiResult<Created> {
    let id = s
        .app
        .record_consent(&a, id, &i.channel, &i.notice_version, &i.evidence)
        .await?;
    Ok(Json(Created { id }))
}

#[derive(Serialize, ToSchema)]
pub struct Withdrawn {
    /// The channel no reminder goes out through from now on.
    withdrawn: String,
}

/// Withdraws consent for a channel; no reminder goes out through it from now on.
#[utoipa::path(post, path = "/api/v1/citizens/{id}/consents/{channel}/withdraw", tag = "citizens",
    params(("id" = Uuid, Path), ("channel" = String, Path, pattern = "^(sms|email)$")),
    responses(
        (status = 200, body = Withdrawn),
        (status = 404, body = ErrorBody, description = "No such citizen, or not open to the caller"),
        (status = 409, body = ErrorBody, description = "No consent in force to withdraw"),
        (status = 422, body = ErrorBody, description = "No such channel"),
    ))]
pub async fn withdraw_consent(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    path: Result<Path<(Uuid, String)>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Withdrawn> {
    let Path((id, channel)) = path.map_err(|_| ApiError::from(Boundary::NoRoute))?;
    s.app.withdraw_consent(&a, id, &channel).await?;
    Ok(Json(Withdrawn { withdrawn: channel }))
}

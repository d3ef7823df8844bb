//! Citizens: the search by CPR number, a citizen's record, and consents to reminders.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

#[derive(Serialize, ToSchema)]
pub struct DatumView {
    id: Uuid,
    /// A field key of the taxonomy.
    field: &'static str,
    value: String,
    /// Where the data came from.
    source: String,
    #[schema(format = DateTime)]
    collected_at: String,
    restricted: bool,
}

impl From<Datum> for DatumView {
    fn from(d: Datum) -> DatumView {
        DatumView {
            id: d.id,
            field: d.field.key(),
            value: d.value,
            source: d.source,
            collected_at: instant(d.collected_at),
            restricted: d.restricted,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CitizenView {
    id: Uuid,
    data: Vec<DatumView>,
    /// Every order for the citizen; those of other units open only by a stand-in access.
    orders: Vec<OrderSummaryView>,
}

impl From<SubjectView> for CitizenView {
    fn from(v: SubjectView) -> CitizenView {
        CitizenView {
            id: v.id,
            data: v.data.into_iter().map(Into::into).collect(),
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

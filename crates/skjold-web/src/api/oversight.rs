//! Oversight: the privacy officer's follow-up, the disclosure ledger, the access log and
//! its verifiable export.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::oversight::OversightQuery;
use skjold_core::oversight::{AccessEntry, Cursor, FollowUp, Page, StandInView};

use super::disclosures::LedgerEntryView;
use super::orders::{OrderSummaryView, summaries};
use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

/// A stand-in access: who stepped in on which order, why, and its follow-up.
#[derive(Serialize, ToSchema)]
pub struct StandInEntry {
    id: Uuid,
    user: String,
    user_unit: String,
    order_id: Uuid,
    order_reference: String,
    order_unit: String,
    subject_id: Uuid,
    reason: String,
    #[schema(format = DateTime)]
    opened_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(format = DateTime)]
    followed_up_at: Option<String>,
    followed_up_by: Option<String>,
    follow_up_note: Option<String>,
    /// The citizen's data was erased: the reason and the note, sealed under their key,
    /// are gone (empty here).
    erased: bool,
}

impl From<StandInView> for StandInEntry {
    fn from(s: StandInView) -> StandInEntry {
        StandInEntry {
            id: s.id,
            user: s.user,
            user_unit: s.user_unit,
            order_id: s.order_id,
            order_reference: s.order_reference,
            order_unit: s.order_unit,
            subject_id: s.subject_id,
            reason: s.reason,
            opened_at: instant(s.opened_at),
            expires_at: instant(s.expires_at),
            followed_up_at: s.followed_up_at.map(instant),
            followed_up_by: s.followed_up_by,
            follow_up_note: s.follow_up_note,
            erased: s.erased,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpView {
    stand_ins: Vec<StandInEntry>,
    /// Closed orders whose supplier has not confirmed deletion in time.
    overdue_deletions: Vec<OrderSummaryView>,
}

impl From<FollowUp> for FollowUpView {
    fn from(f: FollowUp) -> FollowUpView {
        FollowUpView {
            stand_ins: f.stand_ins.into_iter().map(Into::into).collect(),
            overdue_deletions: summaries(f.overdue_deletions),
        }
    }
}

/// The privacy officer's follow-up: stand-in accesses, and closed orders whose supplier
/// has not confirmed deletion in time (reasons opened, so logged).
#[utoipa::path(get, path = "/api/v1/follow-up", tag = "oversight",
    responses((status = 200, body = FollowUpView)))]
pub async fn follow_up(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<FollowUpView> {
    Ok(Json(s.app.follow_up(&a).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteInput {
    /// What the follow-up found.
    #[schema(min_length = 5, max_length = 4000)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct FollowedUp {
    followed_up: Uuid,
}

#[utoipa::path(post, path = "/api/v1/stand-ins/{id}/follow-up", tag = "oversight",
    params(("id" = Uuid, Path)), request_body = NoteInput,
    responses(
        (status = 200, body = FollowedUp),
        (status = 404, body = ErrorBody, description = "No such stand-in access"),
        (status = 409, body = ErrorBody, description = "Already followed up"),
    ))]
pub async fn follow_up_stand_in(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<NoteInput>,
) -> ApiResult<FollowedUp> {
    s.app.follow_up_stand_in(&a, id, &i.note).await?;
    Ok(Json(FollowedUp { followed_up: id }))
}

/// Filters for the ledger and the access log, all optional, and the page asked for. An
/// unknown citizen or user gives an empty result.
#[derive(Deserialize, ToSchema, Default)]
pub struct OversightInput {
    /// A citizen's CPR number (the look-up is logged).
    #[schema(pattern = "^[0-9]{6}-?[0-9]{4}$")]
    cpr: Option<String>,
    /// A citizen's internal id, instead of the CPR number.
    subject_id: Option<Uuid>,
    #[schema(max_length = 200)]
    username: Option<String>,
    organisation: Option<Uuid>,
    /// `YYYY-MM-DD`, inclusive.
    #[schema(format = Date)]
    from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    #[schema(format = Date)]
    until: Option<String>,
    /// The `next` of the page before; the first page without it.
    #[schema(max_length = 60)]
    after: Option<String>,
    /// Entries per page (default 100).
    #[schema(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

impl OversightInput {
    fn query(self) -> Result<OversightQuery, ApiError> {
        Ok(OversightQuery {
            cpr: self.cpr,
            username: self.username,
            organisation: self.organisation,
            from: self.from,
            until: self.until,
            subject: self.subject_id,
            after: match self.after {
                Some(c) => Some(c.parse::<Cursor>().map_err(AppError::from)?),
                None => None,
            },
            limit: self.limit,
        })
    }
}

/// A page of the ledger or the access log, newest first.
#[derive(Serialize, ToSchema)]
pub struct OversightPage<T> {
    entries: Vec<T>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
    /// How many entries match the filters, counted up to 10,000.
    total: u64,
    /// The count stopped at 10,000: there are at least that many.
    total_capped: bool,
}

impl<T> OversightPage<T> {
    fn of<E: Into<T>>(page: Page<E>) -> OversightPage<T> {
        let total_capped = page.capped();
        OversightPage {
            next: page.next.map(|c| c.to_string()),
            total: page.total,
            total_capped,
            entries: page.entries.into_iter().map(Into::into).collect(),
        }
    }
}

/// A page of the disclosure ledger, newest first.
#[utoipa::path(post, path = "/api/v1/ledger/query", tag = "oversight", request_body = OversightInput,
    responses(
        (status = 200, body = OversightPage<LedgerEntryView>),
        (status = 422, body = ErrorBody, description = "A malformed filter or page position"),
    ))]
pub async fn ledger(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OversightInput>,
) -> ApiResult<OversightPage<LedgerEntryView>> {
    let page = s.app.ledger(&a, &i.query()?).await?;
    Ok(Json(OversightPage::of(page)))
}

/// One use of personal data, allowed or refused.
#[derive(Serialize, ToSchema)]
pub struct AccessLogEntry {
    id: Uuid,
    #[schema(format = DateTime)]
    at: String,
    user_id: Option<Uuid>,
    username: Option<String>,
    organisation_name: Option<String>,
    /// `search`, `view`, `disclose`, `export`, …
    use_kind: &'static str,
    subject_id: Option<Uuid>,
    criterion: Option<String>,
    purpose: String,
    allowed: bool,
    detail: String,
    /// The stand-in access the use was made under.
    stand_in: Option<Uuid>,
}

impl From<AccessEntry> for AccessLogEntry {
    fn from(e: AccessEntry) -> AccessLogEntry {
        AccessLogEntry {
            id: e.id,
            at: instant(e.at),
            user_id: e.user_id,
            username: e.username,
            organisation_name: e.organisation_name,
            use_kind: e.use_kind.key(),
            subject_id: e.subject_id,
            criterion: e.criterion,
            purpose: e.purpose,
            allowed: e.allowed,
            detail: e.detail,
            stand_in: e.stand_in,
        }
    }
}

/// A page of the access log, newest first.
#[utoipa::path(post, path = "/api/v1/access-log/query", tag = "oversight", request_body = OversightInput,
    responses(
        (status = 200, body = OversightPage<AccessLogEntry>),
        (status = 422, body = ErrorBody, description = "A malformed filter or page position"),
    ))]
pub async fn access_log(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OversightInput>,
) -> ApiResult<OversightPage<AccessLogEntry>> {
    let page = s.app.access_log(&a, &i.query()?).await?;
    Ok(Json(OversightPage::of(page)))
}

#[derive(Deserialize, ToSchema)]
pub struct ExportInput {
    #[serde(flatten)]
    filter: OversightInput,
    /// `jsonl` (default) or `csv`.
    #[serde(default)]
    #[schema(pattern = "^(jsonl|csv)$")]
    format: Option<String>,
}

/// The access log as a verifiable export: entries with inclusion proofs against signed
/// checkpoints. Check it offline with `skjold audit verify --export FILE --key KEY`.
#[utoipa::path(post, path = "/api/v1/access-log/export", tag = "oversight", request_body = ExportInput,
    responses(
        (status = 200, description = "JSON Lines or CSV, as an attachment", content_type = "application/octet-stream"),
        (status = 422, body = ErrorBody, description = "An unknown format or a bad filter"),
    ))]
pub async fn export(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ExportInput>,
) -> Result<Response, ApiError> {
    let format = i.format.as_deref().unwrap_or("jsonl").to_owned();
    let e = s
        .app
        .export_access_log(&a, &i.filter.query()?, &format)
        .await?;
    Ok(download(e.filename, e.content_type, e.bytes))
}

/// The disclosure ledger as a file to read: names, Copenhagen time and Danish labels, with
/// the ids in columns of their own; newest first, filtered like the ledger's query.
#[utoipa::path(post, path = "/api/v1/ledger/export", tag = "oversight", request_body = ExportInput,
    responses(
        (status = 200, description = "JSON Lines or CSV, as an attachment", content_type = "application/octet-stream"),
        (status = 422, body = ErrorBody, description = "An unknown format or a bad filter"),
    ))]
pub async fn export_ledger(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<ExportInput>,
) -> Result<Response, ApiError> {
    let format = i.format.as_deref().unwrap_or("jsonl").to_owned();
    let e = s.app.export_ledger(&a, &i.filter.query()?, &format).await?;
    Ok(download(e.filename, e.content_type, e.bytes))
}

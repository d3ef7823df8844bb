//! The breach register (art. 33-34): a breach recorded by the privacy officer or reported
//! by a supplier, its clocks (the processor's report, Datatilsynet's 72 hours, the
//! persons'), the persons a party reached (counts only) and the report in the shape of
//! Datatilsynet's form.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_core::breaches::{
    AffectedQuery, AffectedSummary, BreachReport, BreachView, Clock, Party,
};
use skjold_core::{Problem, Timestamp};

use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Boundary;
use crate::input;
use crate::session::ApiUser;

/// A breach as it is reported. Keys as in the register: `nature` among
/// `confidentiality`, `integrity`, `availability`; `data_categories` among the taxonomy's
/// categories (`identity`, `contact`, `employment`, `education`, `social`, `health`,
/// `criminal`).
#[derive(Deserialize, ToSchema)]
pub struct BreachInput {
    /// A supplier names the municipality it reports to (one with which it has a DPA in
    /// force); the privacy officer records for their own and leaves it out.
    #[serde(default)]
    controller_id: Option<Uuid>,
    /// `controller` (the default) or `processor`. A supplier's report is always the
    /// processor's.
    #[serde(default)]
    #[schema(pattern = "^(|controller|processor)$")]
    detected_by: String,
    /// The processor concerned; required when it detected the breach. A supplier's report
    /// names the supplier itself.
    #[serde(default)]
    processor_id: Option<Uuid>,
    /// When the processor became aware: its clock (the DPA's breach-notice time) runs from
    /// here. Required when the processor detected the breach.
    #[serde(default)]
    #[schema(format = DateTime)]
    processor_aware_at: Option<String>,
    /// When the municipality became aware: the 72 hours run from here. Now when left out
    /// (a supplier's report is what makes the municipality aware).
    #[serde(default)]
    #[schema(format = DateTime)]
    aware_at: Option<String>,
    #[serde(default)]
    #[schema(format = DateTime)]
    occurred_at: Option<String>,
    /// At least one of `confidentiality`, `integrity`, `availability`.
    #[serde(default)]
    nature: Vec<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 4000)]
    description: String,
    #[serde(default)]
    data_categories: Vec<String>,
    /// E.g. «Borgere i mentorforløb».
    #[serde(default)]
    #[schema(max_length = 200)]
    subject_categories: String,
    #[serde(default)]
    approx_persons: u64,
    #[serde(default)]
    approx_records: u64,
    /// Who Datatilsynet and the persons can contact.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    contact_point: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    consequences: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    measures: String,
    /// Likely to result in a high risk to the persons: they are to be told (art. 34).
    #[serde(default)]
    high_risk: bool,
    /// Unlikely to result in any risk: Datatilsynet need not be notified (art. 33(1)).
    #[serde(default)]
    no_risk: bool,
}

impl BreachInput {
    fn report(&self, now: Timestamp) -> Result<BreachReport, Problem> {
        Ok(BreachReport {
            detected_by: input::detected_by(&self.detected_by)?,
            processor_id: self.processor_id,
            processor_aware_at: input::rfc3339_opt(
                "processor_aware_at",
                self.processor_aware_at.as_deref(),
            )?,
            aware_at: input::rfc3339_opt("aware_at", self.aware_at.as_deref())?.unwrap_or(now),
            occurred_at: input::rfc3339_opt("occurred_at", self.occurred_at.as_deref())?,
            nature: input::natures(&self.nature)?,
            description: self.description.clone(),
            data_categories: input::categories(&self.data_categories)?,
            subject_categories: self.subject_categories.clone(),
            approx_persons: self.approx_persons,
            approx_records: self.approx_records,
            contact_point: self.contact_point.clone(),
            consequences: self.consequences.clone(),
            measures: self.measures.clone(),
            high_risk: self.high_risk,
            no_risk: self.no_risk,
        })
    }
}

/// One clock of a breach, computed at the time of the answer.
#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// `processor_report` (art. 33(2)), `authority` (art. 33(1)) or `persons` (art. 34).
    kind: &'static str,
    /// The deadline.
    #[schema(format = DateTime)]
    due: String,
    /// When the duty was met.
    #[schema(format = DateTime)]
    done_at: Option<String>,
    /// Met after the deadline, or not met and past it.
    late: bool,
    /// Past the deadline, not met, and without a recorded reason.
    overdue: bool,
    /// The reasons recorded for the delay.
    late_reason: Option<String>,
}

impl From<Clock> for ClockView {
    fn from(c: Clock) -> ClockView {
        ClockView {
            kind: c.kind.key(),
            due: instant(c.due),
            done_at: c.done_at.map(instant),
            late: c.late,
            overdue: c.overdue,
            late_reason: c.late_reason,
        }
    }
}

/// A breach in the register, without its texts.
#[derive(Serialize, ToSchema)]
pub struct BreachEntry {
    id: Uuid,
    /// `BR-2026-0001`
    reference: String,
    /// `controller` or `processor`.
    detected_by: &'static str,
    processor_id: Option<Uuid>,
    processor_name: Option<String>,
    #[schema(format = DateTime)]
    processor_aware_at: Option<String>,
    #[schema(format = DateTime)]
    aware_at: String,
    #[schema(format = DateTime)]
    occurred_at: Option<String>,
    nature: Vec<&'static str>,
    data_categories: Vec<&'static str>,
    approx_persons: u64,
    approx_records: u64,
    high_risk: bool,
    no_risk: bool,
    /// The processor's breach-notice time under its DPA.
    breach_notice_hours: u32,
    /// The clocks that apply, each with its deadline.
    clocks: Vec<ClockView>,
    /// Whether any clock is overdue.
    overdue: bool,
    recorded_by: String,
    #[schema(format = DateTime)]
    recorded_at: String,
    /// The persons attached from the records, once attached.
    affected_persons: Option<u64>,
}

impl From<&BreachView> for BreachEntry {
    fn from(b: &BreachView) -> BreachEntry {
        let r = &b.report;
        BreachEntry {
            id: b.id,
            reference: b.reference.clone(),
            detected_by: r.detected_by.key(),
            processor_id: r.processor_id,
            processor_name: b.processor_name.clone(),
            processor_aware_at: r.processor_aware_at.map(instant),
            aware_at: instant(r.aware_at),
            occurred_at: r.occurred_at.map(instant),
            nature: r.nature.iter().map(|n| n.key()).collect(),
            data_categories: r.data_categories.iter().map(|c| c.key()).collect(),
            approx_persons: r.approx_persons,
            approx_records: r.approx_records,
            high_risk: r.high_risk,
            no_risk: r.no_risk,
            breach_notice_hours: b.breach_notice_hours,
            clocks: b.clocks.iter().cloned().map(Into::into).collect(),
            overdue: b.overdue(),
            recorded_by: b.recorded_by.clone(),
            recorded_at: instant(b.recorded_at),
            affected_persons: b.affected.as_ref().map(|a| a.persons),
        }
    }
}

/// A breach with its texts and the persons attached to it.
#[derive(Serialize, ToSchema)]
pub struct BreachDetail {
    #[serde(flatten)]
    summary: BreachEntry,
    description: String,
    subject_categories: String,
    contact_point: String,
    consequences: String,
    measures: String,
    affected: Option<AffectedView>,
}

impl From<BreachView> for BreachDetail {
    fn from(b: BreachView) -> BreachDetail {
        BreachDetail {
            summary: BreachEntry::from(&b),
            description: b.report.description,
            subject_categories: b.report.subject_categories,
            contact_point: b.report.contact_point,
            consequences: b.report.consequences,
            measures: b.report.measures,
            affected: b.affected.map(Into::into),
        }
    }
}

/// Records a breach (the privacy officer), or reports one to the municipality named by
/// `controller_id` (a supplier: the processor's report, met when it is made). The answer
/// is the breach with each clock's deadline. Nothing is written when a value is refused.
#[utoipa::path(post, path = "/api/v1/breaches", tag = "breaches", request_body = BreachInput,
    responses(
        (status = 201, body = BreachDetail, description = "The breach, with its clocks"),
        (status = 422, body = ErrorBody, description = "An unknown nature (`bad_nature`) or category (`required`), no nature (`breach_nature_required`), high and no risk at once (`breach_risk_contradiction`), a processor's breach without the processor or its awareness (`breach_processor_required`), an instant in the future (`breach_in_future`) or not RFC 3339 (`bad_request_body`), a missing text, a supplier's report without `controller_id` (`bad_id`), or to a municipality with which it has no DPA in force (`no_dpa_in_force`)"),
    ))]
pub async fn report(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<BreachInput>,
) -> Result<(StatusCode, Json<BreachDetail>), ApiError> {
    let report = i.report(s.app.now())?;
    let id = s.app.report_breach(&a, i.controller_id, &report).await?;
    let breach = s.app.breach(&a, id).await?;
    Ok((StatusCode::CREATED, Json(breach.into())))
}

/// The breach register, newest first: the municipality's for the privacy officer and the
/// auditor, a supplier's own reports for the supplier.
#[utoipa::path(get, path = "/api/v1/breaches", tag = "breaches",
    responses((status = 200, body = [BreachEntry])))]
pub async fn breaches(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<BreachEntry>> {
    let list = s.app.breaches(&a).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// A breach with its texts and clocks.
#[utoipa::path(get, path = "/api/v1/breaches/{id}", tag = "breaches", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = BreachDetail),
        (status = 404, body = ErrorBody, description = "No such breach, or not the caller's (`breach_not_found`)"),
    ))]
pub async fn breach(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<BreachDetail> {
    Ok(Json(s.app.breach(&a, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ClockInput {
    /// When the duty was met (Datatilsynet notified, the persons told, the processor's
    /// report received); not after now.
    #[serde(default)]
    #[schema(format = DateTime)]
    met_at: Option<String>,
    /// Why it was late: required when the clock is met or stands after its deadline.
    #[serde(default)]
    #[schema(min_length = 5, max_length = 4000)]
    reason: Option<String>,
}

/// Records that a clock's duty was met, and/or the reasons for its delay. The answer is
/// the breach with its clocks recomputed.
#[utoipa::path(post, path = "/api/v1/breaches/{id}/clocks/{clock}", tag = "breaches",
    params(
        ("id" = Uuid, Path),
        ("clock" = String, Path, description = "`processor_report`, `authority` or `persons`"),
    ),
    request_body = ClockInput,
    responses(
        (status = 200, body = BreachDetail),
        (status = 404, body = ErrorBody, description = "No such breach (`breach_not_found`)"),
        (status = 409, body = ErrorBody, description = "The clock does not apply to the breach (`breach_clock_not_running`), or was met already (`breach_clock_met`)"),
        (status = 422, body = ErrorBody, description = "An unknown clock (`bad_clock`), a late duty without its reason (`required`) or with one too short (`reason_required`), an instant in the future or before the awareness (`breach_in_future`), or not RFC 3339 (`bad_request_body`)"),
    ))]
pub async fn record_clock(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    path: Result<Path<(Uuid, String)>, PathRejection>,
    ApiJson(i): ApiJson<ClockInput>,
) -> ApiResult<BreachDetail> {
    let Ok(Path((id, clock))) = path else {
        return Err(Boundary::NoRoute.into());
    };
    let clock = input::clock(&clock)?;
    let met_at = input::rfc3339_opt("met_at", i.met_at.as_deref())?;
    s.app
        .record_breach_clock(&a, id, clock, met_at, i.reason.as_deref())
        .await?;
    Ok(Json(s.app.breach(&a, id).await?.into()))
}

/// Whose actions a search follows.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct PartyInput {
    /// `user` or `organisation` (a unit of the municipality or a supplier).
    #[schema(pattern = "^(user|organisation)$")]
    kind: String,
    id: Uuid,
}

/// A party and a window of time.
#[derive(Deserialize, ToSchema)]
pub struct AffectedInput {
    party: PartyInput,
    #[schema(format = DateTime)]
    from: String,
    /// Exclusive.
    #[schema(format = DateTime)]
    until: String,
}

impl AffectedInput {
    fn query(&self) -> Result<AffectedQuery, Problem> {
        Ok(AffectedQuery {
            party: input::party(&self.party.kind, self.party.id)?,
            from: input::rfc3339("from", &self.from)?,
            until: input::rfc3339("until", &self.until)?,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct CategoryCount {
    category: &'static str,
    /// How many of the persons had data of the category read or received.
    persons: u64,
}

/// The persons a party reached in a window: counts, never who.
#[derive(Serialize, ToSchema)]
pub struct AffectedView {
    party: PartyInput,
    party_name: String,
    #[schema(format = DateTime)]
    from: String,
    #[schema(format = DateTime)]
    until: String,
    persons: u64,
    /// Access-log entries counted.
    log_entries: u64,
    /// Ledger rows counted (what a supplier received in the window).
    ledger_rows: u64,
    per_category: Vec<CategoryCount>,
    #[schema(format = DateTime)]
    computed_at: String,
}

impl From<AffectedSummary> for AffectedView {
    fn from(s: AffectedSummary) -> AffectedView {
        let party = match s.query.party {
            Party::User(id) => PartyInput {
                kind: "user".into(),
                id,
            },
            Party::Organisation(id) => PartyInput {
                kind: "organisation".into(),
                id,
            },
        };
        AffectedView {
            party,
            party_name: s.party_name,
            from: instant(s.query.from),
            until: instant(s.query.until),
            persons: s.persons,
            log_entries: s.log_entries,
            ledger_rows: s.ledger_rows,
            per_category: s
                .per_category
                .into_iter()
                .map(|(c, persons)| CategoryCount {
                    category: c.key(),
                    persons,
                })
                .collect(),
            computed_at: instant(s.computed_at),
        }
    }
}

/// The persons a user or an organisation reached in a window, from the access log and
/// the ledger: counts per category, no one named. Logged as one oversight use.
#[utoipa::path(post, path = "/api/v1/breaches/affected", tag = "breaches", request_body = AffectedInput,
    responses(
        (status = 200, body = AffectedView),
        (status = 404, body = ErrorBody, description = "The user or organisation is not the municipality's (`user_not_found`, `organisation_not_found`)"),
        (status = 422, body = ErrorBody, description = "An unknown party kind (`bad_party`), a window backwards (`period_backwards`), an instant not RFC 3339 (`bad_request_body`)"),
    ))]
pub async fn affected(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<AffectedInput>,
) -> ApiResult<AffectedView> {
    let query = i.query()?;
    Ok(Json(s.app.affected_persons(&a, &query).await?.into()))
}

/// Attaches the persons a party reached to the breach (one access-log entry per citizen),
/// replacing a list attached before.
#[utoipa::path(post, path = "/api/v1/breaches/{id}/affected", tag = "breaches",
    params(("id" = Uuid, Path)), request_body = AffectedInput,
    responses(
        (status = 200, body = AffectedView),
        (status = 404, body = ErrorBody, description = "No such breach, or a party not the municipality's"),
        (status = 422, body = ErrorBody, description = "An unknown party kind (`bad_party`), a window backwards (`period_backwards`), an instant not RFC 3339 (`bad_request_body`)"),
    ))]
pub async fn attach_affected(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<AffectedInput>,
) -> ApiResult<AffectedView> {
    let query = i.query()?;
    Ok(Json(s.app.attach_affected(&a, id, &query).await?.into()))
}

/// The breach as a PDF in the shape of Datatilsynet's form.
#[utoipa::path(get, path = "/api/v1/breaches/{id}/report", tag = "breaches",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The report", content_type = "application/pdf"),
        (status = 404, body = ErrorBody, description = "No such breach (`breach_not_found`)"),
    ))]
pub async fn report_pdf(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let (filename, pdf) = s.app.breach_report_pdf(&a, id).await?;
    Ok(download(&filename, "application/pdf", pdf))
}

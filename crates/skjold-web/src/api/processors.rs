//! The DPAs' desk (GDPR art. 28), for integrations: each DPA with its versions,
//! sub-processor changes, third-country transfers, audits, the processor's notices and its
//! ending; the controller's side (new versions, objections, transfer decisions, audits,
//! handling notices) and the processor's (acknowledging versions, announcing
//! sub-processors, presenting transfers, sending notices, confirming return or deletion);
//! and the written security rules.
//!
//! A supplier reaches only its own DPAs: another's answers 404, like one that is not there.
//! Keys and dates are read before anything is written: an unknown key or a bad date changes
//! nothing.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_app::catalogue::parse_date;
use skjold_app::processors::{Announcement, TransferInput};
use skjold_app::threads::uploads::MAX_ATTACHMENT_BYTES;
use skjold_core::error::DateInput;
use skjold_core::processors::{
    AuditKind, AuditRecordView, AuditStatus, ChangeKind, DEFAULT_BREACH_NOTICE_HOURS, DpaDesk,
    DpaEnding, DpaTerms, DpaVersionView, ProcessorNoticeKind, ProcessorNoticeView, ReturnExport,
    SecurityRules, SubProcessorChange, SubProcessorView, TransferBasis, TransferView,
};
use skjold_core::{Date, Problem};

use super::catalogue::DpaView;
use super::orders::SupplierOrder;
use super::rights::{Done, done};
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

/// A date as the API takes it: `YYYY-MM-DD`.
fn day(s: &str, which: DateInput) -> Result<Date, ApiError> {
    Ok(parse_date(s.trim(), which)?)
}

fn key<T>(parsed: Option<T>, problem: Problem) -> Result<T, ApiError> {
    parsed.ok_or_else(|| problem.into())
}

/// One version of a DPA's terms.
#[derive(Serialize, ToSchema)]
pub struct DpaVersionEntry {
    id: Uuid,
    version: u32,
    /// `agreed` or `unilateral`.
    change: &'static str,
    /// The controller's documented instructions (art. 28(3)(a)).
    instructions: String,
    data_categories: String,
    subject_categories: String,
    security_level: String,
    /// Hours the processor has to report a breach to the controller (art. 33(2)).
    breach_notice_hours: u32,
    retention_and_return: String,
    audit_terms: String,
    #[schema(format = Date)]
    notified_on: String,
    #[schema(format = Date)]
    effective_on: String,
    /// The latest version whose effective date has come.
    in_force: bool,
    created_by: Option<String>,
    /// The processor's acknowledgement of the version.
    acknowledged_by: Option<String>,
    #[schema(format = DateTime)]
    acknowledged_at: Option<String>,
}

impl From<DpaVersionView> for DpaVersionEntry {
    fn from(v: DpaVersionView) -> DpaVersionEntry {
        DpaVersionEntry {
            id: v.id,
            version: v.version,
            change: v.change.key(),
            instructions: v.terms.instructions,
            data_categories: v.terms.data_categories,
            subject_categories: v.terms.subject_categories,
            security_level: v.terms.security_level,
            breach_notice_hours: v.terms.breach_notice_hours,
            retention_and_return: v.terms.retention_and_return,
            audit_terms: v.terms.audit_terms,
            notified_on: v.notified_on.to_string(),
            effective_on: v.effective_on.to_string(),
            in_force: v.in_force,
            created_by: v.created_by,
            acknowledged_by: v.acknowledged_by,
            acknowledged_at: v.acknowledged_at.map(instant),
        }
    }
}

/// A planned change of sub-processor (art. 28(2)), with the controller's window to object.
#[derive(Serialize, ToSchema)]
pub struct SubProcessorEntry {
    id: Uuid,
    /// `add` or `remove`.
    change: &'static str,
    name: String,
    /// ISO 3166-1 alpha-2.
    country: String,
    task: String,
    #[schema(format = Date)]
    announced_on: String,
    #[schema(format = Date)]
    planned_on: String,
    /// The last day the controller can object.
    #[schema(format = Date)]
    objection_deadline: String,
    /// When it takes effect if nobody objects.
    #[schema(format = Date)]
    takes_effect_on: String,
    /// The written agreement between the processor and the sub-processor.
    #[schema(format = Date)]
    agreement_on: Option<String>,
    /// `announced`, `objected`, `in_effect` or `withdrawn`.
    status: &'static str,
    /// Outside the EU/EEA without an approved transfer: it cannot take effect.
    needs_transfer_basis: bool,
    objection: Option<String>,
    /// The controller can still object.
    may_object: bool,
}

impl From<SubProcessorView> for SubProcessorEntry {
    fn from(s: SubProcessorView) -> SubProcessorEntry {
        SubProcessorEntry {
            id: s.id,
            change: s.change.key(),
            name: s.name,
            country: s.country,
            task: s.task,
            announced_on: s.announced_on.to_string(),
            planned_on: s.planned_on.to_string(),
            objection_deadline: s.objection_deadline.to_string(),
            takes_effect_on: s.takes_effect_on.to_string(),
            agreement_on: s.agreement_on.map(|d| d.to_string()),
            status: s.status.key(),
            needs_transfer_basis: s.needs_transfer_basis,
            objection: s.objection,
            may_object: s.may_object,
        }
    }
}

/// A transfer to a third country with its basis (GDPR chapter V).
#[derive(Serialize, ToSchema)]
pub struct TransferEntry {
    id: Uuid,
    recipient: String,
    country: String,
    /// `adequacy`, `standard_contractual_clauses`, `binding_corporate_rules` or
    /// `derogation`.
    basis: &'static str,
    document_name: String,
    /// SHA-256 of the document, as stored.
    document_sha256: String,
    /// `presented`, `approved` or `refused`.
    status: &'static str,
    #[schema(format = DateTime)]
    presented_at: String,
    decided_by: Option<String>,
    #[schema(format = DateTime)]
    decided_at: Option<String>,
    note: Option<String>,
}

impl From<TransferView> for TransferEntry {
    fn from(t: TransferView) -> TransferEntry {
        TransferEntry {
            id: t.id,
            recipient: t.recipient,
            country: t.country,
            basis: t.basis.key(),
            document_name: t.document_name,
            document_sha256: t.document_sha256,
            status: t.status.key(),
            presented_at: instant(t.presented_at),
            decided_by: t.decided_by,
            decided_at: t.decided_at.map(instant),
            note: t.note,
        }
    }
}

/// An audit statement or an inspection (art. 28(3)(h)).
#[derive(Serialize, ToSchema)]
pub struct DpaAuditEntry {
    id: Uuid,
    /// `statement` or `inspection`.
    kind: &'static str,
    /// The statement's date, or the inspection's planned day.
    #[schema(format = Date)]
    on: String,
    /// When an inspection was notified.
    #[schema(format = Date)]
    notified_on: Option<String>,
    summary: String,
    recorded_by: String,
}

impl From<AuditRecordView> for DpaAuditEntry {
    fn from(a: AuditRecordView) -> DpaAuditEntry {
        DpaAuditEntry {
            id: a.id,
            kind: a.kind.key(),
            on: a.on.to_string(),
            notified_on: a.notified_on.map(|d| d.to_string()),
            summary: a.summary,
            recorded_by: a.recorded_by,
        }
    }
}

/// Where the yearly audit statements stand.
#[derive(Serialize, ToSchema)]
pub struct DpaAuditStatus {
    #[schema(format = Date)]
    last_statement: Option<String>,
    #[schema(format = Date)]
    next_due: String,
    /// The next statement is past due.
    missing: bool,
}

impl From<AuditStatus> for DpaAuditStatus {
    fn from(a: AuditStatus) -> DpaAuditStatus {
        DpaAuditStatus {
            last_statement: a.last_statement.map(|d| d.to_string()),
            next_due: a.next_due.to_string(),
            missing: a.missing,
        }
    }
}

/// A warning or a forwarded request from the processor (the text may name a citizen;
/// reading it is logged).
#[derive(Serialize, ToSchema)]
pub struct ProcessorNoticeEntry {
    id: Uuid,
    /// `unlawful_instruction`, `authority_request` or `rights_request`.
    kind: &'static str,
    /// When the processor received it.
    #[schema(format = Date)]
    received_on: String,
    /// When the controller must have it.
    #[schema(format = Date)]
    due_on: String,
    #[schema(format = DateTime)]
    sent_at: String,
    sent_by: String,
    body: String,
    /// Sent after its due day.
    late: bool,
    #[schema(format = DateTime)]
    handled_at: Option<String>,
    handled_by: Option<String>,
    response: Option<String>,
}

impl From<ProcessorNoticeView> for ProcessorNoticeEntry {
    fn from(n: ProcessorNoticeView) -> ProcessorNoticeEntry {
        ProcessorNoticeEntry {
            id: n.id,
            kind: n.kind.key(),
            received_on: n.received_on.to_string(),
            due_on: n.due_on.to_string(),
            sent_at: instant(n.sent_at),
            sent_by: n.sent_by,
            body: n.body,
            late: n.late,
            handled_at: n.handled_at.map(instant),
            handled_by: n.handled_by,
            response: n.response,
        }
    }
}

/// Return or deletion after a DPA ended: within 30 days, confirmed in writing.
#[derive(Serialize, ToSchema)]
pub struct DpaEndingView {
    #[schema(format = Date)]
    ended_on: String,
    #[schema(format = Date)]
    due_on: String,
    #[schema(format = DateTime)]
    confirmed_at: Option<String>,
    confirmed_by: Option<String>,
    confirmation: Option<String>,
    /// Not confirmed by the due day.
    overdue: bool,
}

impl From<DpaEnding> for DpaEndingView {
    fn from(e: DpaEnding) -> DpaEndingView {
        DpaEndingView {
            ended_on: e.ended_on.to_string(),
            due_on: e.due_on.to_string(),
            confirmed_at: e.confirmed_at.map(instant),
            confirmed_by: e.confirmed_by,
            confirmation: e.confirmation,
            overdue: e.overdue,
        }
    }
}

/// Everything the desk holds about one DPA.
#[derive(Serialize, ToSchema)]
pub struct DpaDeskView {
    dpa: DpaView,
    /// The version in force today.
    in_force_version: Option<u32>,
    /// Newest first.
    versions: Vec<DpaVersionEntry>,
    sub_processors: Vec<SubProcessorEntry>,
    transfers: Vec<TransferEntry>,
    audits: Vec<DpaAuditEntry>,
    audit_status: DpaAuditStatus,
    notices: Vec<ProcessorNoticeEntry>,
    /// Once the DPA has ended.
    ending: Option<DpaEndingView>,
}

impl From<DpaDesk> for DpaDeskView {
    fn from(d: DpaDesk) -> DpaDeskView {
        DpaDeskView {
            in_force_version: d.in_force().map(|v| v.version),
            dpa: d.dpa.into(),
            versions: d.versions.into_iter().map(Into::into).collect(),
            sub_processors: d.sub_processors.into_iter().map(Into::into).collect(),
            transfers: d.transfers.into_iter().map(Into::into).collect(),
            audits: d.audits.into_iter().map(Into::into).collect(),
            audit_status: d.audit_status.into(),
            notices: d.notices.into_iter().map(Into::into).collect(),
            ending: d.ending.map(Into::into),
        }
    }
}

/// Every DPA the caller may see, with its desk: the municipality's, or a supplier's own
/// (logged: the processors' notices may name citizens).
#[utoipa::path(get, path = "/api/v1/dpa-desks", tag = "processors",
    responses((status = 200, body = [DpaDeskView])))]
pub async fn desks(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<DpaDeskView>> {
    let desks = s.app.dpa_desks(&a).await?;
    Ok(Json(desks.into_iter().map(Into::into).collect()))
}

/// One DPA's desk (logged).
#[utoipa::path(get, path = "/api/v1/dpas/{id}/desk", tag = "processors",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DpaDeskView),
        (status = 404, body = ErrorBody, description = "No such DPA, or not the caller's"),
    ))]
pub async fn desk(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<DpaDeskView> {
    Ok(Json(s.app.dpa_desk(&a, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct DpaVersionRequest {
    /// `agreed` (signed by both) or `unilateral` (the controller's, 30 days' notice).
    #[schema(pattern = "^(agreed|unilateral)$")]
    change: String,
    /// `YYYY-MM-DD`: an agreed change from today, a unilateral one 30 days after today at
    /// the earliest.
    #[schema(format = Date)]
    effective_on: String,
    #[schema(min_length = 1, max_length = 4000)]
    instructions: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    data_categories: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    subject_categories: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    security_level: String,
    /// 1 to 72; 24 when left out.
    #[serde(default = "default_breach_hours")]
    #[schema(minimum = 1, maximum = 72)]
    breach_notice_hours: u32,
    #[serde(default)]
    #[schema(max_length = 4000)]
    retention_and_return: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    audit_terms: String,
}

fn default_breach_hours() -> u32 {
    DEFAULT_BREACH_NOTICE_HOURS
}

#[derive(Serialize, ToSchema)]
pub struct DpaVersionCreated {
    version: u32,
}

/// A new version of a DPA's terms, taking effect on `effective_on`.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/versions", tag = "processors",
    params(("id" = Uuid, Path)), request_body = DpaVersionRequest,
    responses(
        (status = 200, body = DpaVersionCreated),
        (status = 404, body = ErrorBody, description = "No such DPA"),
        (status = 422, body = ErrorBody, description = "An unknown change (`bad_kind`), a bad date, no instructions, a breach time outside 1-72 hours, or a unilateral change with less than 30 days' notice (`change_notice_too_short`)"),
    ))]
pub async fn new_version(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DpaVersionRequest>,
) -> ApiResult<DpaVersionCreated> {
    let change = key(ChangeKind::parse(&i.change), Problem::BadKind)?;
    let effective_on = day(&i.effective_on, DateInput::Start)?;
    let terms = DpaTerms {
        instructions: i.instructions,
        data_categories: i.data_categories,
        subject_categories: i.subject_categories,
        security_level: i.security_level,
        breach_notice_hours: i.breach_notice_hours,
        retention_and_return: i.retention_and_return,
        audit_terms: i.audit_terms,
    };
    let version = s
        .app
        .new_dpa_version(&a, id, change, &terms, effective_on)
        .await?;
    Ok(Json(DpaVersionCreated { version }))
}

/// The processor acknowledges a version of its DPA's terms.
#[utoipa::path(post, path = "/api/v1/dpa-versions/{id}/acknowledge", tag = "processors",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such version, or not of the caller's DPA"),
        (status = 409, body = ErrorBody, description = "Already acknowledged"),
    ))]
pub async fn acknowledge(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Done> {
    s.app.acknowledge_dpa_version(&a, id).await?;
    done()
}

#[derive(Deserialize, ToSchema)]
pub struct SubProcessorRequest {
    /// `add` or `remove`.
    #[schema(pattern = "^(add|remove)$")]
    change: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// ISO 3166-1 alpha-2, e.g. `DK`, `US`.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    country: String,
    /// What the sub-processor does.
    #[schema(min_length = 1, max_length = 4000)]
    task: String,
    /// `YYYY-MM-DD`, at least one month after today.
    #[schema(format = Date)]
    planned_on: String,
    /// `YYYY-MM-DD`: the written agreement with the sub-processor.
    #[serde(default)]
    #[schema(format = Date)]
    agreement_on: Option<String>,
}

/// The processor announces a change of sub-processor, at least a month ahead (art. 28(2));
/// the controller can object within a month.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/sub-processors", tag = "processors",
    params(("id" = Uuid, Path)), request_body = SubProcessorRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such DPA, or not the caller's"),
        (status = 422, body = ErrorBody, description = "An unknown change (`bad_kind`), a bad date or country, or planned less than a month ahead (`sub_processor_notice_too_short`)"),
    ))]
pub async fn announce(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<SubProcessorRequest>,
) -> ApiResult<Created> {
    let announcement = Announcement {
        change: key(SubProcessorChange::parse(&i.change), Problem::BadKind)?,
        planned_on: day(&i.planned_on, DateInput::Start)?,
        agreement_on: match i.agreement_on.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => Some(day(d, DateInput::Appointment)?),
            _ => None,
        },
        name: i.name,
        country: i.country,
        task: i.task,
    };
    let id = s.app.announce_sub_processor(&a, id, &announcement).await?;
    Ok(Json(Created { id }))
}

#[derive(Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// Why the controller objects.
    #[schema(min_length = 5, max_length = 4000)]
    objection: String,
}

/// The controller objects to an announced sub-processor change, within its window: the
/// change never takes effect.
#[utoipa::path(post, path = "/api/v1/sub-processors/{id}/objection", tag = "processors",
    params(("id" = Uuid, Path)), request_body = ObjectionRequest,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such change"),
        (status = 409, body = ErrorBody, description = "Already objected to or withdrawn, or the window has closed"),
    ))]
pub async fn object(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ObjectionRequest>,
) -> ApiResult<Done> {
    s.app.object_sub_processor(&a, id, &i.objection).await?;
    done()
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    #[schema(min_length = 1, max_length = 200)]
    recipient: String,
    /// ISO 3166-1 alpha-2, outside the EU/EEA.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    country: String,
    #[schema(
        pattern = "^(adequacy|standard_contractual_clauses|binding_corporate_rules|derogation)$"
    )]
    basis: String,
    /// The document's file name, e.g. `scc-2021-914.pdf`.
    #[schema(min_length = 1, max_length = 200)]
    document_name: String,
    /// The document (at most 10 MB), base64-encoded (standard alphabet).
    document_base64: String,
}

/// The processor presents a transfer to a third country with its basis and the document;
/// it is not allowed until the controller approves it.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/transfers", tag = "processors",
    params(("id" = Uuid, Path)), request_body = TransferRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such DPA, or not the caller's"),
        (status = 422, body = ErrorBody, description = "An unknown basis (`bad_transfer_basis`), a country inside the EU/EEA, or a document that is missing, too large or not base64"),
    ))]
pub async fn present_transfer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<TransferRequest>,
) -> ApiResult<Created> {
    use base64::Engine;
    let basis = key(TransferBasis::parse(&i.basis), Problem::BadTransferBasis)?;
    let name: String = i.document_name.chars().take(200).collect();
    let document = base64::engine::general_purpose::STANDARD
        .decode(i.document_base64.trim())
        .map_err(|_| Problem::AttachmentEncoding(name.clone()))?;
    if document.len() > MAX_ATTACHMENT_BYTES {
        return Err(Problem::AttachmentTooLarge {
            name,
            max_mb: MAX_ATTACHMENT_BYTES / (1024 * 1024),
        }
        .into());
    }
    let input = TransferInput {
        recipient: i.recipient,
        country: i.country,
        basis,
        document_name: i.document_name,
        document,
    };
    let id = s.app.present_transfer(&a, id, &input).await?;
    Ok(Json(Created { id }))
}

#[derive(Deserialize, ToSchema)]
pub struct TransferDecisionRequest {
    /// `true` approves, `false` refuses.
    approve: bool,
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
}

/// The controller approves or refuses a presented transfer.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/decision", tag = "processors",
    params(("id" = Uuid, Path)), request_body = TransferDecisionRequest,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such transfer"),
        (status = 409, body = ErrorBody, description = "Already decided"),
    ))]
pub async fn decide_transfer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<TransferDecisionRequest>,
) -> ApiResult<Done> {
    s.app.decide_transfer(&a, id, i.approve, &i.note).await?;
    done()
}

#[derive(Deserialize, ToSchema)]
pub struct DpaAuditRequest {
    /// `statement` (a yearly audit statement received) or `inspection` (planned).
    #[schema(pattern = "^(statement|inspection)$")]
    kind: String,
    /// `YYYY-MM-DD`: the statement's date (not after today), or the inspection's day (7
    /// working days after today at the earliest).
    #[schema(format = Date)]
    on: String,
    #[schema(min_length = 1, max_length = 4000)]
    summary: String,
}

/// Records an audit statement, or plans an inspection with 7 working days' notice.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/audits", tag = "processors",
    params(("id" = Uuid, Path)), request_body = DpaAuditRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such DPA"),
        (status = 422, body = ErrorBody, description = "An unknown kind (`bad_kind`), a bad date, a statement dated in the future, or an inspection with less than 7 working days' notice (`inspection_notice_too_short`)"),
    ))]
pub async fn record_audit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DpaAuditRequest>,
) -> ApiResult<Created> {
    let kind = key(AuditKind::parse(&i.kind), Problem::BadKind)?;
    let on = day(&i.on, DateInput::Appointment)?;
    let id = s.app.record_audit(&a, id, kind, on, &i.summary).await?;
    Ok(Json(Created { id }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProcessorNoticeRequest {
    #[schema(pattern = "^(unlawful_instruction|authority_request|rights_request)$")]
    kind: String,
    /// `YYYY-MM-DD`: when the processor received the instruction or the request.
    #[schema(format = Date)]
    received_on: String,
    #[schema(min_length = 1, max_length = 4000)]
    body: String,
}

/// The processor warns of an unlawful instruction, or passes on a request it received
/// (sealed at rest; logged).
#[utoipa::path(post, path = "/api/v1/dpas/{id}/notices", tag = "processors",
    params(("id" = Uuid, Path)), request_body = ProcessorNoticeRequest,
    responses(
        (status = 200, body = Created),
        (status = 404, body = ErrorBody, description = "No such DPA, or not the caller's"),
        (status = 422, body = ErrorBody, description = "An unknown kind (`bad_processor_notice`), a bad date or one in the future, or no text"),
    ))]
pub async fn send_notice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ProcessorNoticeRequest>,
) -> ApiResult<Created> {
    let kind = key(
        ProcessorNoticeKind::parse(&i.kind),
        Problem::BadProcessorNotice,
    )?;
    let received_on = day(&i.received_on, DateInput::Received)?;
    let id = s
        .app
        .send_processor_notice(&a, id, kind, received_on, &i.body)
        .await?;
    Ok(Json(Created { id }))
}

#[derive(Deserialize, ToSchema)]
pub struct NoticeHandledRequest {
    /// How the controller handled it.
    #[schema(min_length = 5, max_length = 4000)]
    response: String,
}

/// The controller records how a processor's notice was handled.
#[utoipa::path(post, path = "/api/v1/processor-notices/{id}/handled", tag = "processors",
    params(("id" = Uuid, Path)), request_body = NoticeHandledRequest,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such notice"),
        (status = 409, body = ErrorBody, description = "Already handled"),
    ))]
pub async fn handle_notice(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<NoticeHandledRequest>,
) -> ApiResult<Done> {
    s.app.handle_processor_notice(&a, id, &i.response).await?;
    done()
}

#[derive(Deserialize, ToSchema)]
pub struct EndConfirmationRequest {
    /// What was returned or deleted, and when, backups included.
    #[schema(min_length = 5, max_length = 4000)]
    confirmation: String,
}

/// The processor confirms in writing that it returned or deleted everything after the DPA
/// ended.
#[utoipa::path(post, path = "/api/v1/dpas/{id}/end-confirmation", tag = "processors",
    params(("id" = Uuid, Path)), request_body = EndConfirmationRequest,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such DPA, or not the caller's"),
        (status = 409, body = ErrorBody, description = "The DPA has not ended, or it is already confirmed"),
    ))]
pub async fn confirm_end(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<EndConfirmationRequest>,
) -> ApiResult<Done> {
    s.app.confirm_dpa_end(&a, id, &i.confirmation).await?;
    done()
}

/// A transfer's document as presented, for the municipality to read before deciding (and
/// for the processor that presented it); the type is judged from its content.
#[utoipa::path(get, path = "/api/v1/transfers/{id}/document", tag = "processors",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The document, as an attachment", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody, description = "No such transfer, or not the caller's"),
    ))]
pub async fn transfer_document(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let doc = s.app.transfer_document(&a, id).await?;
    Ok(download(&doc.filename, &doc.content_type, doc.bytes))
}

/// What the processor of an ending or ended DPA holds for the municipality: every order
/// whose deletion it has not confirmed, with the values disclosed on it.
#[derive(Serialize, ToSchema)]
pub struct ReturnExportView {
    dpa: DpaView,
    #[schema(format = DateTime)]
    made_at: String,
    made_by: String,
    /// The distinct citizens the orders concern; each was logged as read.
    citizens: usize,
    orders: Vec<SupplierOrder>,
}

impl From<ReturnExport> for ReturnExportView {
    fn from(e: ReturnExport) -> ReturnExportView {
        ReturnExportView {
            dpa: e.dpa.into(),
            made_at: instant(e.made_at),
            made_by: e.made_by,
            citizens: e.citizens,
            orders: e.orders.into_iter().map(Into::into).collect(),
        }
    }
}

/// The return export of a DPA with an end date (INV-17): what its processor holds, for the
/// municipality to take back before the processor deletes it. One access-log entry per
/// citizen.
#[utoipa::path(get, path = "/api/v1/dpas/{id}/return-export", tag = "processors",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = ReturnExportView),
        (status = 404, body = ErrorBody, description = "No such DPA, or another municipality's"),
        (status = 409, body = ErrorBody, description = "The DPA has no end date"),
    ))]
pub async fn return_export(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<ReturnExportView> {
    Ok(Json(s.app.return_export(&a, id).await?.into()))
}

/// A version of the written security rules.
#[derive(Serialize, ToSchema)]
pub struct SecurityRulesEntry {
    id: Uuid,
    version: u32,
    title: String,
    body: String,
    owner: String,
    approved_by: String,
    #[schema(format = DateTime)]
    approved_at: String,
    #[schema(format = Date)]
    review_due: String,
    /// The current version is past its yearly review.
    review_overdue: bool,
}

impl From<SecurityRules> for SecurityRulesEntry {
    fn from(r: SecurityRules) -> SecurityRulesEntry {
        SecurityRulesEntry {
            id: r.id,
            version: r.version,
            title: r.title,
            body: r.body,
            owner: r.owner,
            approved_by: r.approved_by,
            approved_at: instant(r.approved_at),
            review_due: r.review_due.to_string(),
            review_overdue: r.review_overdue,
        }
    }
}

/// The security rules' versions, newest (the current) first.
#[utoipa::path(get, path = "/api/v1/security-rules", tag = "processors",
    responses((status = 200, body = [SecurityRulesEntry])))]
pub async fn security_rules(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<SecurityRulesEntry>> {
    let rules = s.app.security_rules(&a).await?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct SecurityRulesRequest {
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    /// Must cover remote work, disposal and repair of equipment.
    #[schema(min_length = 1, max_length = 80000)]
    body: String,
    /// A user of the municipality, who owns the rules.
    owner_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct SecurityRulesApproved {
    version: u32,
}

/// A new version of the security rules, approved now and due for review in a year.
#[utoipa::path(post, path = "/api/v1/security-rules", tag = "processors",
    request_body = SecurityRulesRequest,
    responses(
        (status = 200, body = SecurityRulesApproved),
        (status = 404, body = ErrorBody, description = "The owner is no user of the municipality"),
        (status = 422, body = ErrorBody, description = "No title or text, or a text that does not cover remote work, disposal and repair (`security_rules_incomplete`)"),
    ))]
pub async fn approve_security_rules(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<SecurityRulesRequest>,
) -> ApiResult<SecurityRulesApproved> {
    let version = s
        .app
        .approve_security_rules(&a, &i.title, &i.body, i.owner_id)
        .await?;
    Ok(Json(SecurityRulesApproved { version }))
}

//! Data-subject rights (DSR-3 … DSR-7, DSR-12): cases from intake to the citizen's letter,
//! the access answer as JSON or PDF, the parts units and suppliers give, and the
//! suppliers' notices of changed data.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use skjold_app::rights::{AccessInput, AssessmentInput, CaseInput, DecisionInput};
use skjold_core::rights::{
    AccessAnswer, AnswerRecipient, CaseItem, CaseSummary, CaseView, NoticeView, TaskView,
};

use super::orders::keys;
use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::download::download;
use crate::error::{ApiError, ErrorBody};
use crate::session::ApiUser;

/// The answers to the access question model (seed 003 § 4.2).
#[derive(Deserialize, ToSchema)]
pub struct AccessQuestionsInput {
    /// What the citizen wants access to; picks the regime most favourable to the citizen.
    #[schema(pattern = "^(my_data_in_a_case|my_data_broadly|whole_case|case_documents)$")]
    wish: String,
    #[schema(pattern = "^(case|institution|area|administration|other)$")]
    scope: String,
    /// Which case, institution, area or administration.
    #[serde(default)]
    #[schema(max_length = 200)]
    scope_detail: String,
    #[serde(default)]
    #[schema(format = Date)]
    period_from: Option<String>,
    #[serde(default)]
    #[schema(format = Date)]
    period_until: Option<String>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    remarks: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CaseCreate {
    citizen: Uuid,
    #[schema(
        pattern = "^(access|rectification|erasure|restriction|portability|objection|automated_decision)$"
    )]
    kind: String,
    /// The day the request reached the municipality: the deadline runs from it.
    #[schema(format = Date)]
    received_at: String,
    #[schema(pattern = "^(form|letter|email|digital_post|phone|in_person)$")]
    channel: String,
    /// What the citizen asks, in the citizen's words as far as possible.
    #[schema(min_length = 1, max_length = 4000)]
    description: String,
    /// For an access request.
    #[serde(default)]
    access: Option<AccessQuestionsInput>,
    /// The citizen's data items a rectification, restriction or erasure concerns.
    #[serde(default)]
    #[schema(max_items = 100)]
    items: Vec<Uuid>,
    /// A rectification disputing accuracy restricts the items while it is investigated.
    #[serde(default)]
    restrict_while_investigating: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseCreated {
    id: Uuid,
    /// `R-2026-0001`
    reference: String,
}

/// Registers a request, by any channel. Its deadline is one month from receipt.
#[utoipa::path(post, path = "/api/v1/rights-cases", tag = "rights", request_body = CaseCreate,
    responses(
        (status = 200, body = CaseCreated),
        (status = 404, body = ErrorBody, description = "No such citizen, or an item not the citizen's"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<CaseCreate>,
) -> ApiResult<CaseCreated> {
    let input = CaseInput {
        citizen: i.citizen,
        kind: i.kind,
        received_on: i.received_at,
        channel: i.channel,
        description: i.description,
        access: i.access.map(|q| AccessInput {
            wish: q.wish,
            scope: q.scope,
            scope_detail: q.scope_detail,
            period_from: q.period_from.unwrap_or_default(),
            period_until: q.period_until.unwrap_or_default(),
            remarks: q.remarks,
        }),
        items: i.items,
        restrict_while_investigating: i.restrict_while_investigating,
    };
    let (id, reference) = s.app.open_rights_case(&a, &input).await?;
    Ok(Json(CaseCreated { id, reference }))
}

#[derive(Serialize, ToSchema)]
pub struct CaseEntry {
    id: Uuid,
    reference: String,
    kind: &'static str,
    /// `received`, `gathering`, `decided` or `answered`.
    status: &'static str,
    /// `granted`, `partly_granted` or `refused`, once decided.
    outcome: Option<&'static str>,
    unit: String,
    #[schema(format = Date)]
    received_on: String,
    /// The deadline, extended or not.
    #[schema(format = Date)]
    due: String,
    extended: bool,
    /// `overdue`, `due_soon` (within 7 days), `on_time` or `done`.
    urgency: &'static str,
    /// Recipients' notices unacknowledged after 14 days.
    overdue_notices: u32,
}

impl From<CaseSummary> for CaseEntry {
    fn from(c: CaseSummary) -> CaseEntry {
        CaseEntry {
            id: c.id,
            reference: c.reference,
            kind: c.kind.key(),
            status: c.status.key(),
            outcome: c.outcome.map(|o| o.key()),
            unit: c.unit_name,
            received_on: c.received_on.to_string(),
            due: c.due.to_string(),
            extended: c.extended,
            urgency: c.urgency.key(),
            overdue_notices: c.overdue_notices,
        }
    }
}

/// The cases of the caseworker's unit, or for the privacy officer and the auditor every
/// case of the municipality: overdue first, then due within a week. No citizen's data.
#[utoipa::path(get, path = "/api/v1/rights-cases", tag = "rights",
    responses((status = 200, body = [CaseEntry])))]
pub async fn cases(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<CaseEntry>> {
    let cases = s.app.rights_cases(&a).await?;
    Ok(Json(cases.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct CaseItemEntry {
    id: Uuid,
    field: &'static str,
    /// Empty once removed.
    value: String,
    source: String,
    purpose: Option<String>,
    #[schema(format = DateTime)]
    collected_at: String,
    restricted: bool,
    /// The rectification note, when the item is marked incorrect.
    rectification: Option<String>,
    /// The citizen's statements beside it.
    statements: Vec<String>,
}

impl From<CaseItem> for CaseItemEntry {
    fn from(i: CaseItem) -> CaseItemEntry {
        CaseItemEntry {
            id: i.id,
            field: i.field.key(),
            value: i.value,
            source: i.source,
            purpose: i.purpose,
            collected_at: instant(i.collected_at),
            restricted: i.restricted,
            rectification: i.rectification,
            statements: i.statements,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskEntry {
    id: Uuid,
    case_id: Uuid,
    case_reference: String,
    organisation: String,
    supplier: bool,
    /// For a supplier: its orders for the citizen.
    orders: Vec<String>,
    #[schema(format = Date)]
    due: String,
    contribution: Option<String>,
    contributed_by: Option<String>,
    #[schema(format = DateTime)]
    contributed_at: Option<String>,
}

impl From<TaskView> for TaskEntry {
    fn from(t: TaskView) -> TaskEntry {
        TaskEntry {
            id: t.id,
            case_id: t.case_id,
            case_reference: t.case_reference,
            organisation: t.organisation_name,
            supplier: t.supplier,
            orders: t.orders,
            due: t.due.to_string(),
            contribution: t.contribution,
            contributed_by: t.contributed_by,
            contributed_at: t.contributed_at.map(instant),
        }
    }
}

/// A field's value before and after a change.
#[derive(Serialize, ToSchema)]
pub struct ChangedValue {
    field: &'static str,
    value: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeEntry {
    id: Uuid,
    case_reference: String,
    /// The right the change answers: `rectification`, `restriction` or `erasure`.
    kind: &'static str,
    supplier: String,
    order_reference: Option<String>,
    fields: Vec<&'static str>,
    before: Vec<ChangedValue>,
    /// A value of none: removed.
    after: Vec<ChangedValue>,
    restricted: bool,
    #[schema(format = DateTime)]
    sent_at: String,
    #[schema(format = DateTime)]
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
    /// Unacknowledged after 14 days.
    overdue: bool,
}

impl From<NoticeView> for NoticeEntry {
    fn from(n: NoticeView) -> NoticeEntry {
        NoticeEntry {
            id: n.id,
            case_reference: n.case_reference,
            kind: n.kind.key(),
            supplier: n.supplier_name,
            order_reference: n.order_reference,
            fields: keys(&n.fields),
            before: n
                .before
                .into_iter()
                .map(|(f, v)| ChangedValue {
                    field: f.key(),
                    value: Some(v),
                })
                .collect(),
            after: n
                .after
                .into_iter()
                .map(|(f, value)| ChangedValue {
                    field: f.key(),
                    value,
                })
                .collect(),
            restricted: n.restricted,
            sent_at: instant(n.sent_at),
            acknowledged_at: n.acknowledged_at.map(instant),
            acknowledged_by: n.acknowledged_by,
            overdue: n.overdue,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessQuestionsView {
    wish: &'static str,
    scope: &'static str,
    scope_detail: String,
    #[schema(format = Date)]
    period_from: Option<String>,
    #[schema(format = Date)]
    period_until: Option<String>,
    remarks: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    summary: CaseEntry,
    citizen: Uuid,
    /// None once the citizen is erased.
    citizen_name: Option<String>,
    channel: &'static str,
    description: String,
    access: Option<AccessQuestionsView>,
    /// The regime the access request is handled under; `gdpr_public_administration_public_records`
    /// is a whole case under the Public Administration Act.
    regime: Option<&'static str>,
    identity_method: Option<String>,
    identity_checked_by: Option<String>,
    #[schema(format = DateTime)]
    identity_checked_at: Option<String>,
    #[schema(format = Date)]
    first_deadline: String,
    extension_reason: Option<String>,
    #[schema(format = DateTime)]
    extension_notice_at: Option<String>,
    ground: Option<String>,
    reasons: Option<String>,
    decided_by: Option<String>,
    #[schema(format = DateTime)]
    decided_at: Option<String>,
    reviewed_by: Option<String>,
    #[schema(format = DateTime)]
    answered_at: Option<String>,
    items: Vec<CaseItemEntry>,
    tasks: Vec<TaskEntry>,
    notices: Vec<NoticeEntry>,
    #[schema(format = DateTime)]
    erased_at: Option<String>,
    /// The last day a key-store backup may still hold the erased citizen's key.
    #[schema(format = Date)]
    key_gone_by: Option<String>,
}

impl From<CaseView> for CaseDetail {
    fn from(c: CaseView) -> CaseDetail {
        CaseDetail {
            summary: c.summary.into(),
            citizen: c.subject_id,
            citizen_name: c.citizen_name,
            channel: c.channel.key(),
            description: c.description,
            access: c.access.map(|a| AccessQuestionsView {
                wish: a.wish.key(),
                scope: a.scope.key(),
                scope_detail: a.scope_detail,
                period_from: a.period_from.map(|d| d.to_string()),
                period_until: a.period_until.map(|d| d.to_string()),
                remarks: a.remarks,
            }),
            regime: c.regime.map(|r| r.key()),
            identity_method: c.identity_method,
            identity_checked_by: c.identity_checked_by,
            identity_checked_at: c.identity_checked_at.map(instant),
            first_deadline: c.first_deadline.to_string(),
            extension_reason: c.extension_reason,
            extension_notice_at: c.extension_notice_at.map(instant),
            ground: c.ground,
            reasons: c.reasons,
            decided_by: c.decided_by,
            decided_at: c.decided_at.map(instant),
            reviewed_by: c.reviewed_by,
            answered_at: c.answered_at.map(instant),
            items: c.items.into_iter().map(Into::into).collect(),
            tasks: c.tasks.into_iter().map(Into::into).collect(),
            notices: c.notices.into_iter().map(Into::into).collect(),
            erased_at: c.erased_at.map(instant),
            key_gone_by: c.key_gone_by.map(|d| d.to_string()),
        }
    }
}

/// A case with its texts (logged).
#[utoipa::path(get, path = "/api/v1/rights-cases/{id}", tag = "rights", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CaseDetail),
        (status = 404, body = ErrorBody, description = "No such case, or not the caller's unit's"),
    ))]
pub async fn case(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<CaseDetail> {
    Ok(Json(s.app.rights_case(&a, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct IdentityInput {
    /// How the identity was checked, e.g. «MitID ved fremmøde».
    #[schema(min_length = 3, max_length = 200)]
    method: String,
}

/// The empty answer of an operation that changes a case.
#[derive(Serialize, ToSchema)]
pub struct Done {
    ok: bool,
}

pub(crate) fn done() -> ApiResult<Done> {
    Ok(Json(Done { ok: true }))
}

/// Records how the requester's identity was checked.
#[utoipa::path(post, path = "/api/v1/rights-cases/{id}/identity", tag = "rights",
    params(("id" = Uuid, Path)), request_body = IdentityInput,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "The case is answered"),
    ))]
pub async fn identity(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<IdentityInput>,
) -> ApiResult<Done> {
    s.app.check_rights_identity(&a, id, &i.method).await?;
    done()
}

#[derive(Deserialize, ToSchema)]
pub struct ExtensionInput {
    #[schema(minimum = 1, maximum = 2)]
    months: i32,
    /// Why: the complexity or number of requests.
    #[schema(min_length = 10, max_length = 4000)]
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Extended {
    #[schema(format = Date)]
    due: String,
}

/// Extends the deadline by one or two months with a reason, before the first deadline;
/// the citizen is sent the notice at once.
#[utoipa::path(post, path = "/api/v1/rights-cases/{id}/extension", tag = "rights",
    params(("id" = Uuid, Path)), request_body = ExtensionInput,
    responses(
        (status = 200, body = Extended),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Already extended, past the first deadline, or answered"),
    ))]
pub async fn extend(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ExtensionInput>,
) -> ApiResult<Extended> {
    let due = s
        .app
        .extend_rights_case(&a, id, i.months, &i.reason)
        .await?;
    Ok(Json(Extended {
        due: due.to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// For every kind but rectification.
    #[serde(default)]
    #[schema(pattern = "^(granted|partly_granted|refused)$")]
    outcome: String,
    /// The erasure ground (none: handled as an objection) or the restriction ground.
    #[serde(default)]
    #[schema(
        pattern = "^(|no_longer_needed|consent_withdrawn|objection|unlawful|prohibited|legal_obligation|accuracy_disputed|unlawful_not_erased|legal_claims|objection_pending)$"
    )]
    ground: String,
    /// For rectification.
    #[serde(default)]
    #[schema(pattern = "^(|incorrect|correct|opinion|misfiled)$")]
    judgement: String,
    /// The rectification note, or the citizen's statement beside an opinion.
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
    /// What was checked, and why: stated in the letter to the citizen.
    #[schema(min_length = 10, max_length = 4000)]
    reasons: String,
    /// For an objection: the citizen's particular situation (art. 21(1)).
    #[serde(default)]
    #[schema(max_length = 4000)]
    situation: String,
    /// For an objection: the municipality's compelling legitimate grounds, or why there
    /// are none.
    #[serde(default)]
    #[schema(max_length = 4000)]
    grounds: String,
    /// For an automated decision: is there a decision?
    #[serde(default)]
    #[schema(pattern = "^(|yes|no)$")]
    decision: String,
    /// For an automated decision: is it based solely on automated processing?
    #[serde(default)]
    #[schema(pattern = "^(|yes|no)$")]
    solely_automated: String,
    /// For an automated decision: does it have legal or similarly significant effects?
    #[serde(default)]
    #[schema(pattern = "^(|yes|no)$")]
    significant_effects: String,
    /// Where all three are yes and the decision stands: the exception of art. 22(2).
    #[serde(default)]
    #[schema(pattern = "^(|contract|law|explicit_consent)$")]
    exception: String,
    /// Where all three are yes and the decision stands: the safeguards (art. 22(3)).
    #[serde(default)]
    #[schema(max_length = 4000)]
    safeguards: String,
}

/// Decides a case with reasons. A granted rectification, restriction or erasure sends a
/// notice to every recipient in the ledger; a granted erasure sends the citizen the letter
/// and erases the citizen (the key destroyed, the rows deleted).
#[utoipa::path(post, path = "/api/v1/rights-cases/{id}/decision", tag = "rights",
    params(("id" = Uuid, Path)), request_body = DecisionBody,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Identity not checked, already decided, or a duty to keep the records"),
    ))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<DecisionBody>,
) -> ApiResult<Done> {
    let input = DecisionInput {
        outcome: i.outcome,
        ground: i.ground,
        judgement: i.judgement,
        note: i.note,
        reasons: i.reasons,
        assessment: AssessmentInput {
            situation: i.situation,
            grounds: i.grounds,
            decision: i.decision,
            solely_automated: i.solely_automated,
            significant_effects: i.significant_effects,
            exception: i.exception,
            safeguards: i.safeguards,
        },
    };
    s.app.decide_rights_case(&a, id, &input).await?;
    done()
}

#[derive(Serialize, ToSchema)]
pub struct PurposeEntry {
    name: String,
    description: String,
    legal_basis: String,
    retention: String,
    /// Decisions based solely on automated processing under the purpose (art. 22): the
    /// logic involved and its significance; empty for none.
    automated_decision: String,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureEntry {
    /// None for the order itself (what every order carries).
    field: Option<&'static str>,
    /// `automatic` or `manual`.
    kind: &'static str,
    #[schema(format = DateTime)]
    at: String,
    justification: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientEntry {
    supplier: String,
    order_reference: String,
    service: String,
    purpose: String,
    disclosures: Vec<DisclosureEntry>,
}

impl From<AnswerRecipient> for RecipientEntry {
    fn from(r: AnswerRecipient) -> RecipientEntry {
        RecipientEntry {
            supplier: r.supplier,
            order_reference: r.order_reference,
            service: r.service,
            purpose: r.purpose,
            disclosures: r
                .disclosures
                .into_iter()
                .map(|d| DisclosureEntry {
                    field: d.field.map(|f| f.key()),
                    kind: d.kind.key(),
                    at: instant(d.at),
                    justification: d.justification,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContributionEntry {
    organisation: String,
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct ThirdPartyEntry {
    /// An item's field, or a contribution's organisation.
    place: String,
    text: String,
    /// `person`, `cpr`, `phone`, …
    kind: String,
}

/// The answer to an access request (art. 15), built from the records.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    case_reference: String,
    controller: String,
    citizen_name: String,
    #[schema(format = Date)]
    received_on: String,
    regime: &'static str,
    purposes: Vec<PurposeEntry>,
    categories: Vec<&'static str>,
    /// Every recipient of the citizen's data, from the disclosure ledger.
    recipients: Vec<RecipientEntry>,
    sources: Vec<String>,
    /// The copy of the data.
    items: Vec<CaseItemEntry>,
    contributions: Vec<ContributionEntry>,
    /// In a draft: other people's data found in the texts, to be replaced before it goes
    /// out. Empty once reviewed (then replaced).
    third_parties: Vec<ThirdPartyEntry>,
    reviewed: bool,
    transfers: Vec<String>,
}

impl From<AccessAnswer> for AnswerView {
    fn from(a: AccessAnswer) -> AnswerView {
        AnswerView {
            case_reference: a.case_reference,
            controller: a.controller,
            citizen_name: a.citizen_name,
            received_on: a.received_on.to_string(),
            regime: a.regime.key(),
            purposes: a
                .purposes
                .into_iter()
                .map(|p| PurposeEntry {
                    name: p.name,
                    description: p.description,
                    legal_basis: p.legal_basis,
                    retention: p.retention,
                    automated_decision: p.automated_decision,
                })
                .collect(),
            categories: a.categories.iter().map(|c| c.key()).collect(),
            recipients: a.recipients.into_iter().map(Into::into).collect(),
            sources: a.sources,
            items: a.items.into_iter().map(Into::into).collect(),
            contributions: a
                .contributions
                .into_iter()
                .map(|(organisation, text)| ContributionEntry { organisation, text })
                .collect(),
            third_parties: a
                .third_parties
                .into_iter()
                .map(|m| ThirdPartyEntry {
                    place: m.place,
                    text: m.text,
                    kind: m.kind,
                })
                .collect(),
            reviewed: a.reviewed,
            transfers: a.transfers,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnswerFormat {
    /// `json` (default) or `pdf`: the letter.
    #[param(pattern = "^(json|pdf)$")]
    format: Option<String>,
}

/// The access answer of a decided access case: a draft with other people's data marked
/// until reviewed, then the answer that goes out. `?format=pdf` gives the letter.
#[utoipa::path(get, path = "/api/v1/rights-cases/{id}/answer", tag = "rights",
    params(("id" = Uuid, Path), AnswerFormat),
    responses(
        (status = 200, body = AnswerView, description = "JSON, or with `format=pdf` the letter (PDF/UA)"),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Not decided yet"),
        (status = 422, body = ErrorBody, description = "Not an access case, or an unknown format"),
    ))]
pub async fn answer(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    q: Result<Query<AnswerFormat>, QueryRejection>,
) -> Result<Response, ApiError> {
    // A query string that does not read as one format (`?format=pdf&format=pdf`) asks
    // for no known format.
    let Ok(Query(q)) = q else {
        return Err(skjold_core::Problem::AnswerFormat("?".into()).into());
    };
    match q.format.as_deref().unwrap_or("json") {
        "json" => {
            let answer = s.app.access_answer(&a, id).await?;
            Ok(Json(AnswerView::from(answer)).into_response())
        }
        "pdf" => letter(State(s), ApiUser(a), Id(id)).await,
        other => Err(skjold_core::Problem::AnswerFormat(other.to_owned()).into()),
    }
}

/// The letter answering a decided case as PDF/UA: the access answer (a draft until
/// reviewed) or the decision.
#[utoipa::path(get, path = "/api/v1/rights-cases/{id}/letter", tag = "rights",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf"),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Not decided yet"),
    ))]
pub async fn letter(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let l = s.app.rights_letter(&a, id).await?;
    Ok(download(&l.filename, "application/pdf", l.pdf))
}

/// The caseworker has reviewed the draft access answer for other people's data.
#[utoipa::path(post, path = "/api/v1/rights-cases/{id}/review", tag = "rights",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Not decided, or answered"),
    ))]
pub async fn review(State(s): State<AppState>, ApiUser(a): ApiUser, Id(id): Id) -> ApiResult<Done> {
    s.app.review_rights_answer(&a, id).await?;
    done()
}

/// Sends the citizen the answer (an access answer once reviewed) to the digital mailbox;
/// the case is then answered.
#[utoipa::path(post, path = "/api/v1/rights-cases/{id}/send", tag = "rights",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such case"),
        (status = 409, body = ErrorBody, description = "Not decided, not reviewed, or answered"),
    ))]
pub async fn send(State(s): State<AppState>, ApiUser(a): ApiUser, Id(id): Id) -> ApiResult<Done> {
    s.app.send_rights_answer(&a, id).await?;
    done()
}

/// Every case of the municipality as CSV, for the privacy officer. No citizen's data.
#[utoipa::path(get, path = "/api/v1/rights-cases/export", tag = "rights",
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
pub async fn export(State(s): State<AppState>, ApiUser(a): ApiUser) -> Result<Response, ApiError> {
    let e = s.app.export_rights_cases(&a).await?;
    Ok(download(e.filename, e.content_type, e.bytes))
}

/// The parts of gathered access answers asked of the caller's unit or supplier.
#[utoipa::path(get, path = "/api/v1/rights-tasks", tag = "rights",
    responses((status = 200, body = [TaskEntry])))]
pub async fn tasks(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<TaskEntry>> {
    let tasks = s.app.rights_tasks(&a).await?;
    Ok(Json(tasks.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ContributionInput {
    /// What the unit or supplier holds about the citizen, other people's data removed.
    #[schema(min_length = 1, max_length = 4000)]
    contribution: String,
}

/// A unit's or supplier's part of a gathered answer.
#[utoipa::path(post, path = "/api/v1/rights-tasks/{id}/contribution", tag = "rights",
    params(("id" = Uuid, Path)), request_body = ContributionInput,
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such task, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Already given, or the case is answered"),
    ))]
pub async fn contribute(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ContributionInput>,
) -> ApiResult<Done> {
    s.app
        .contribute_to_rights_case(&a, id, &i.contribution)
        .await?;
    done()
}

/// The notices of changes to data the caller's supplier received (art. 19), newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "rights",
    responses((status = 200, body = [NoticeEntry])))]
pub async fn notifications(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<NoticeEntry>> {
    let notices = s.app.supplier_notices(&a).await?;
    Ok(Json(notices.into_iter().map(Into::into).collect()))
}

/// The supplier acknowledges a notice: its copies are corrected, restricted or deleted.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/acknowledge", tag = "rights",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such notice, or another supplier's"),
        (status = 409, body = ErrorBody, description = "Already acknowledged"),
    ))]
pub async fn acknowledge(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Done> {
    s.app.acknowledge_notice(&a, id).await?;
    done()
}

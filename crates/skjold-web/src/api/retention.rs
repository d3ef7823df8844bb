//! Retention that runs: the rules (written, retired), a run (or a dry run that changes
//! nothing), the deletion receipts it leaves, and their deliveries to connected systems
//! that have not been acknowledged yet.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use skjold_core::Problem;
use skjold_core::retention::{Delivery, Receipt, RetentionRule, RuleInput, RunReport};

use super::rights::{Done, done};
use super::{ApiJson, ApiResult, Created, Id, instant};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::input;
use crate::session::ApiUser;

/// A rule in force.
#[derive(Serialize, ToSchema)]
pub struct RuleView {
    id: Uuid,
    /// `citizen_data`, `order_messages` or `rights_case`.
    record_type: &'static str,
    /// None: every purpose.
    purpose_id: Option<Uuid>,
    purpose_name: Option<String>,
    /// `received`, `order_closed` or `case_closed`.
    trigger: &'static str,
    period_months: u32,
    /// `delete`, `anonymise` or `review`.
    action: &'static str,
    legal_reference: String,
    /// Suspended: nothing it covers falls due.
    legal_hold: bool,
    #[schema(format = DateTime)]
    created_at: String,
    created_by: Option<String>,
}

impl From<RetentionRule> for RuleView {
    fn from(r: RetentionRule) -> RuleView {
        RuleView {
            id: r.id,
            record_type: r.rule.record_type.key(),
            purpose_id: r.rule.purpose_id,
            purpose_name: r.purpose_name,
            trigger: r.rule.trigger.key(),
            period_months: r.rule.period_months,
            action: r.rule.action.key(),
            legal_reference: r.rule.legal_reference,
            legal_hold: r.rule.legal_hold,
            created_at: instant(r.created_at),
            created_by: r.created_by,
        }
    }
}

/// The rules in force of the caller's municipality.
#[utoipa::path(get, path = "/api/v1/retention/rules", tag = "retention",
    responses((status = 200, body = [RuleView])))]
pub async fn rules(State(s): State<AppState>, ApiUser(a): ApiUser) -> ApiResult<Vec<RuleView>> {
    let rules = s.app.retention_rules(&a).await?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

/// A retention rule. A record type takes these triggers: `citizen_data` — `received`,
/// `order_closed`; `order_messages` — `order_closed`; `rights_case` — `case_closed`.
#[derive(Deserialize, ToSchema)]
pub struct RuleBody {
    #[schema(pattern = "^(citizen_data|order_messages|rights_case)$")]
    record_type: String,
    /// The purpose whose data the rule covers; every purpose when left out.
    #[serde(default)]
    purpose_id: Option<Uuid>,
    #[schema(pattern = "^(received|order_closed|case_closed)$")]
    trigger: String,
    #[schema(minimum = 0, maximum = 1200)]
    period_months: u32,
    #[schema(pattern = "^(delete|anonymise|review)$")]
    action: String,
    /// The duty or the terms the period rests on, e.g. «Arkivloven § 5».
    #[schema(min_length = 1, max_length = 200)]
    legal_reference: String,
    #[serde(default)]
    legal_hold: bool,
}

/// Writes a rule. A rule in force for the same record type, purpose and trigger is
/// retired: the new one replaces it.
#[utoipa::path(post, path = "/api/v1/retention/rules", tag = "retention", request_body = RuleBody,
    responses(
        (status = 201, body = Created, description = "The rule's id"),
        (status = 404, body = ErrorBody, description = "No such purpose of the municipality (`purpose_not_found`)"),
        (status = 422, body = ErrorBody, description = "An unknown record type (`bad_record_type`), trigger or one the record type does not take (`bad_retention_trigger`), action (`bad_retention_action`), a period out of range (`retention_period`), no legal reference (`required`)"),
    ))]
pub async fn set_rule(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<RuleBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let rule = RuleInput {
        record_type: input::record_type(&i.record_type)?,
        purpose_id: i.purpose_id,
        trigger: input::trigger(&i.trigger)?,
        period_months: i.period_months,
        action: input::retention_action(&i.action)?,
        legal_reference: i.legal_reference,
        legal_hold: i.legal_hold,
    };
    let id = s.app.set_retention_rule(&a, &rule).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Retires a rule: it acts no more (its receipts keep pointing at it).
#[utoipa::path(delete, path = "/api/v1/retention/rules/{id}", tag = "retention",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Done),
        (status = 404, body = ErrorBody, description = "No such rule in force (`retention_rule_not_found`)"),
    ))]
pub async fn retire_rule(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Done> {
    s.app.retire_retention_rule(&a, id).await?;
    done()
}

/// One action a run took (or, in a dry run, would take): no personal data, only the
/// internal id of what was acted on.
#[derive(Serialize, ToSchema)]
pub struct ReceiptView {
    id: Uuid,
    rule_id: Uuid,
    record_type: &'static str,
    action: &'static str,
    /// The citizen, order or case acted on (its internal id).
    object_id: Uuid,
    /// Rows deleted or anonymised.
    rows: u64,
    /// The last day the record was kept.
    #[schema(format = Date)]
    kept_until: String,
    #[schema(format = DateTime)]
    at: String,
}

impl From<Receipt> for ReceiptView {
    fn from(r: Receipt) -> ReceiptView {
        ReceiptView {
            id: r.id,
            rule_id: r.rule_id,
            record_type: r.record_type.key(),
            action: r.action.key(),
            object_id: r.object_id,
            rows: r.rows,
            kept_until: r.kept_until.to_string(),
            at: instant(r.at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    dry_run: bool,
    receipts: Vec<ReceiptView>,
    /// Receipts delivered to connected systems in this run.
    delivered: u64,
    /// Deliveries still waiting (failed, to be retried).
    pending: u64,
}

impl From<RunReport> for RunView {
    fn from(r: RunReport) -> RunView {
        RunView {
            dry_run: r.dry_run,
            receipts: r.receipts.into_iter().map(Into::into).collect(),
            delivered: r.delivered,
            pending: r.pending,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// `true`: say what is due and change nothing. `false` (the default): run.
    dry_run: Option<bool>,
}

/// Runs the municipality's rules now: what is due is deleted, anonymised or listed for
/// review, each with a receipt, and the receipts go to the connected systems. A dry run
/// changes nothing and delivers nothing.
#[utoipa::path(post, path = "/api/v1/retention/run", tag = "retention", params(RunQuery),
    responses(
        (status = 200, body = RunView),
        (status = 422, body = ErrorBody, description = "`dry_run` is not `true` or `false` (`bad_request_body`)"),
    ))]
pub async fn run(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    q: Result<Query<RunQuery>, QueryRejection>,
) -> ApiResult<RunView> {
    let Ok(Query(q)) = q else {
        return Err(Problem::BadRequestBody("dry_run=true|false".into()).into());
    };
    let report = s
        .app
        .run_retention(Some(&a), q.dry_run.unwrap_or(false))
        .await?;
    Ok(Json(report.into()))
}

/// The most receipts one answer holds.
const MAX_RECEIPTS: i64 = 500;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptsQuery {
    /// At most 500; 50 when left out.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptsPage {
    receipts: Vec<ReceiptView>,
    /// Receipts in all.
    total: u64,
    limit: i64,
    offset: i64,
}

/// The deletion receipts, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/retention/receipts", tag = "retention", params(ReceiptsQuery),
    responses(
        (status = 200, body = ReceiptsPage),
        (status = 422, body = ErrorBody, description = "`limit` or `offset` is not a number (`bad_request_body`)"),
    ))]
pub async fn receipts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    q: Result<Query<ReceiptsQuery>, QueryRejection>,
) -> ApiResult<ReceiptsPage> {
    let Ok(Query(q)) = q else {
        return Err(Problem::BadRequestBody("limit=N, offset=N".into()).into());
    };
    let limit = q.limit.unwrap_or(50).clamp(1, MAX_RECEIPTS);
    let offset = q.offset.unwrap_or(0).max(0);
    let (receipts, total) = s.app.deletion_receipts(&a, limit, offset).await?;
    Ok(Json(ReceiptsPage {
        receipts: receipts.into_iter().map(Into::into).collect(),
        total,
        limit,
        offset,
    }))
}

/// A receipt's delivery to a connected system that has not been acknowledged.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    connector: String,
    attempts: u32,
    last_error: Option<String>,
    #[schema(format = DateTime)]
    next_attempt_at: Option<String>,
    receipt: ReceiptView,
}

impl From<(Delivery, Receipt)> for DeliveryView {
    fn from((d, r): (Delivery, Receipt)) -> DeliveryView {
        DeliveryView {
            connector: d.connector,
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at.map(instant),
            receipt: r.into(),
        }
    }
}

/// The deliveries to connected systems not yet acknowledged, with their attempts.
#[utoipa::path(get, path = "/api/v1/retention/deliveries", tag = "retention",
    responses((status = 200, body = [DeliveryView])))]
pub async fn deliveries(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<DeliveryView>> {
    let pending = s.app.pending_deliveries(&a).await?;
    Ok(Json(pending.into_iter().map(Into::into).collect()))
}

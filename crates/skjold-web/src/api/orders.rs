//! Orders: what one would disclose, placing it, each side's view, closing it, stepping in
//! on another unit's order, the supplier's deletion confirmation, and reminders.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::catalogue::parse_date;
use skjold_app::orders::OrderContentInput;
use skjold_app::reminders::Appointment;
use skjold_core::disclosures::DisclosurePlan;
use skjold_core::error::DateInput;
use skjold_core::orders::{
    CaseworkerOrderView, Closing, DisclosedField, NewOrder, ORDER_PAGE, OrderContent, OrderFilter,
    OrderListRow, OrderPreview, OrderStatus, OrderSummary, SupplierOrderView, reference_search,
};
use skjold_core::paging::Cursor;
use skjold_core::{FieldKey, Problem, Role};

use super::catalogue::ServiceTypeView;
use super::disclosures::LedgerEntryView;
use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::error::ErrorBody;
use crate::session::ApiUser;

pub(crate) fn keys(fields: &[FieldKey]) -> Vec<&'static str> {
    fields.iter().map(|f| f.key()).collect()
}

/// The end of an order: when it closed, and the supplier's deletion of its copies.
#[derive(Serialize, ToSchema)]
pub struct ClosingView {
    #[schema(format = DateTime)]
    closed_at: String,
    /// The supplier confirms deletion by this day.
    #[schema(format = Date)]
    deletion_due: String,
    #[schema(format = DateTime)]
    deletion_confirmed_at: Option<String>,
    deletion_confirmed_by: Option<String>,
}

impl From<Closing> for ClosingView {
    fn from(c: Closing) -> ClosingView {
        ClosingView {
            closed_at: instant(c.closed_at),
            deletion_due: c.deletion_due.to_string(),
            deletion_confirmed_at: c.deletion_confirmed_at.map(instant),
            deletion_confirmed_by: c.deletion_confirmed_by,
        }
    }
}

/// An order without personal data.
#[derive(Serialize, ToSchema)]
pub struct OrderSummaryView {
    id: Uuid,
    reference: String,
    service_type: String,
    supplier_id: Uuid,
    supplier_name: String,
    unit_id: Uuid,
    unit_name: String,
    caseworker_name: String,
    /// `open` or `closed`.
    status: &'static str,
    #[schema(format = DateTime)]
    created_at: String,
    closing: Option<ClosingView>,
}

impl From<OrderSummary> for OrderSummaryView {
    fn from(o: OrderSummary) -> OrderSummaryView {
        OrderSummaryView {
            id: o.id,
            reference: o.reference,
            service_type: o.service_type,
            supplier_id: o.supplier_id,
            supplier_name: o.supplier_name,
            unit_id: o.unit_id,
            unit_name: o.unit_name,
            caseworker_name: o.caseworker_name,
            status: o.status.key(),
            created_at: instant(o.created_at),
            closing: o.closing.map(Into::into),
        }
    }
}

pub(crate) fn summaries(orders: Vec<OrderSummary>) -> Vec<OrderSummaryView> {
    orders.into_iter().map(Into::into).collect()
}

/// Filters for the order lists, all optional, and the page asked for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// The order reference, or its beginning (letters, digits, hyphens).
    #[param(max_length = 40)]
    reference: Option<String>,
    /// `open` or `closed`.
    status: Option<String>,
    service_type: Option<Uuid>,
    /// The supplier (a caseworker's list).
    supplier: Option<Uuid>,
    /// The citizen, by internal id (a caseworker's list; find it with
    /// `POST /api/v1/citizens/search`, never a CPR number in an address).
    subject_id: Option<Uuid>,
    /// `true`: only orders with messages the caller has not read or, for a caseworker, a
    /// data request waiting for a decision.
    unread: Option<bool>,
    /// The `next` of the page before; the first page without it.
    #[param(max_length = 60)]
    after: Option<String>,
    /// Orders per page: 25 when left out, at most 100.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

impl OrdersQuery {
    fn filter(self) -> Result<OrderFilter, AppError> {
        Ok(OrderFilter {
            reference: reference_search(self.reference.as_deref().unwrap_or(""))?,
            status: self.status.as_deref().map(OrderStatus::parse).transpose()?,
            service_type: self.service_type,
            supplier: self.supplier,
            subject: self.subject_id,
            unread_only: self.unread.unwrap_or(false),
            after: self
                .after
                .as_deref()
                .map(str::parse::<Cursor>)
                .transpose()?,
            limit: self.limit.unwrap_or(ORDER_PAGE),
        })
    }
}

/// The citizen of an order as the caller may see them.
#[derive(Serialize, ToSchema)]
pub struct CitizenShownView {
    /// `name` (the name follows; the caller's view is logged), `not_disclosed` (the
    /// supplier did not receive the name on this order), `order_closed` (the supplier no
    /// longer sees the citizen's data), `unavailable` (restricted or not recorded),
    /// `erased`.
    shown: &'static str,
    name: Option<String>,
}

/// An order in a list: the order, its citizen as the caller may see them, and what waits
/// for the caller.
#[derive(Serialize, ToSchema)]
pub struct OrderListEntry {
    #[serde(flatten)]
    order: OrderSummaryView,
    citizen: CitizenShownView,
    /// Messages from the other side that the caller has not read.
    unread_messages: u32,
    /// Data requests waiting for the municipality's decision.
    open_requests: u32,
    /// Decisions on the supplier's data requests that the caller has not read.
    unread_decisions: u32,
}

impl From<OrderListRow> for OrderListEntry {
    fn from(r: OrderListRow) -> OrderListEntry {
        OrderListEntry {
            citizen: CitizenShownView {
                shown: r.citizen.key(),
                name: r.citizen.name().map(str::to_owned),
            },
            order: r.order.into(),
            unread_messages: r.unread_messages,
            open_requests: r.open_requests,
            unread_decisions: r.unread_decisions,
        }
    }
}

/// A page of an order list, newest first.
#[derive(Serialize, ToSchema)]
pub struct OrdersPage {
    orders: Vec<OrderListEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<String>,
    /// How many orders match the filters, counted up to 10,000.
    total: u64,
    /// The count stopped at 10,000: there are at least that many.
    total_capped: bool,
}

/// Orders of the caseworker's unit, or of the supplier, a page at a time (newest first),
/// filtered. Each citizen whose name the page carries is logged as viewed by the caller.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrdersQuery),
    responses(
        (status = 200, body = OrdersPage),
        (status = 422, body = ErrorBody, description = "A malformed filter or page position"),
    ))]
pub async fn orders(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    q: Result<Query<OrdersQuery>, QueryRejection>,
) -> ApiResult<OrdersPage> {
    let Ok(Query(q)) = q else {
        return Err(Problem::BadRequestBody(
            "reference, status, service_type, supplier, subject_id (ids), unread=true|false, after, limit=N".into(),
        )
        .into());
    };
    let page = s.app.orders(&a, &q.filter()?).await?;
    let total_capped = page.capped();
    Ok(Json(OrdersPage {
        orders: page.entries.into_iter().map(Into::into).collect(),
        next: page.next.map(|c| c.to_string()),
        total: page.total,
        total_capped,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct OrderRequest {
    subject_id: Uuid,
    service_type_id: Uuid,
    supplier_id: Uuid,
}

impl OrderRequest {
    fn order(&self) -> NewOrder {
        NewOrder {
            subject_id: self.subject_id,
            service_type_id: self.service_type_id,
            supplier_id: self.supplier_id,
        }
    }
}

/// An order to place: its parties and its content. The content's texts are screened by
/// the guard like a caseworker's message, and refused if they hold a CPR number,
/// special-category or criminal terms, or the citizen's data the order does not disclose.
#[derive(Deserialize, ToSchema)]
pub struct PlaceOrderRequest {
    subject_id: Uuid,
    service_type_id: Uuid,
    supplier_id: Uuid,
    /// What the supplier is to do.
    #[schema(min_length = 1, max_length = 2000)]
    task: String,
    /// `YYYY-MM-DD`
    #[schema(format = Date)]
    period_from: String,
    /// `YYYY-MM-DD`, not before `period_from`.
    #[schema(format = Date)]
    period_to: String,
    /// How much, e.g. "8 timer om ugen".
    #[schema(min_length = 1, max_length = 200)]
    scope: String,
    /// A remark to the supplier.
    #[serde(default)]
    #[schema(max_length = 2000)]
    remark: Option<String>,
}

/// What the supplier is to do.
#[derive(Serialize, ToSchema)]
pub struct OrderContentView {
    task: String,
    #[schema(format = Date)]
    period_from: String,
    #[schema(format = Date)]
    period_to: String,
    scope: String,
    remark: Option<String>,
}

impl From<OrderContent> for OrderContentView {
    fn from(c: OrderContent) -> OrderContentView {
        OrderContentView {
            task: c.task,
            period_from: c.period_from.to_string(),
            period_to: c.period_to.to_string(),
            scope: c.scope,
            remark: c.remark,
        }
    }
}

/// A citizen's value that goes with the order.
#[derive(Serialize, ToSchema)]
pub struct GoingValueView {
    field: &'static str,
    value: String,
}

/// Which fields an order would disclose, by rule.
#[derive(Serialize, ToSchema)]
pub struct PlanView {
    /// Disclosed when the order is placed.
    automatic: Vec<&'static str>,
    /// Automatic, but the citizen has no such data.
    automatic_missing: Vec<&'static str>,
    /// Only on a caseworker's justified decision.
    on_request: Vec<&'static str>,
    never: Vec<&'static str>,
}

impl From<DisclosurePlan> for PlanView {
    fn from(p: DisclosurePlan) -> PlanView {
        PlanView {
            automatic: keys(&p.automatic),
            automatic_missing: keys(&p.automatic_missing),
            on_request: keys(&p.on_request),
            never: keys(&p.never),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PreviewView {
    subject_id: Uuid,
    service_type: ServiceTypeView,
    supplier_id: Uuid,
    supplier_name: String,
    dpa_reference: String,
    plan: PlanView,
    /// The citizen's values that go automatically with the order.
    values: Vec<GoingValueView>,
}

impl From<OrderPreview> for PreviewView {
    fn from(p: OrderPreview) -> PreviewView {
        PreviewView {
            subject_id: p.subject_id,
            service_type: p.service_type.into(),
            supplier_id: p.supplier_id,
            supplier_name: p.supplier_name,
            dpa_reference: p.dpa_reference,
            plan: p.plan.into(),
            values: p
                .values
                .into_iter()
                .map(|(f, value)| GoingValueView {
                    field: f.key(),
                    value,
                })
                .collect(),
        }
    }
}

/// What an order would disclose automatically, with the citizen's values, before it is
/// placed. Logged (a preview of a disclosure).
#[utoipa::path(post, path = "/api/v1/orders/preview", tag = "orders", request_body = OrderRequest,
    responses(
        (status = 200, body = PreviewView, description = "The disclosure plan"),
        (status = 404, body = ErrorBody, description = "No such citizen, service type or supplier"),
        (status = 422, body = ErrorBody, description = "The supplier's DPA is not in force or does not cover the service type"),
    ))]
pub async fn preview(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OrderRequest>,
) -> ApiResult<PreviewView> {
    Ok(Json(s.app.preview_order(&a, i.order()).await?.into()))
}

/// Places an order with its content; the policy's automatic fields are disclosed in the
/// same transaction, and the content is recorded in the ledger as free text sent to the
/// supplier. With an `Idempotency-Key`, a repeat of the same request by the same caller
/// answers with the order the first one placed (the same body); the same key with another
/// request is refused (409 `idempotency_key_reused`).
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = PlaceOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "1-200 visible ASCII characters, unique per order the caller means to place")),
    responses(
        (status = 200, body = super::Created, description = "The order placed, or placed before under the same key"),
        (status = 404, body = ErrorBody, description = "No such citizen, service type or supplier"),
        (status = 409, body = ErrorBody, description = "The Idempotency-Key was used for another order"),
        (status = 422, body = ErrorBody, description = "The content is invalid or refused by the guard, or the supplier's DPA does not cover the service type"),
    ))]
pub async fn place(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    headers: HeaderMap,
    ApiJson(i): ApiJson<PlaceOrderRequest>,
) -> ApiResult<super::Created> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| skjold_core::Problem::IdempotencyKeyFormat)?,
        ),
        None => None,
    };
    let order = NewOrder {
        subject_id: i.subject_id,
        service_type_id: i.service_type_id,
        supplier_id: i.supplier_id,
    };
    let content = OrderContentInput {
        task: i.task,
        period_from: i.period_from,
        period_to: i.period_to,
        scope: i.scope,
        remark: i.remark.unwrap_or_default(),
    };
    Ok(Json(super::Created {
        id: s.app.place_order(&a, order, &content, key).await?,
    }))
}

/// The caseworker's view of an order: its ledger and what more may be disclosed.
#[derive(Serialize, ToSchema)]
pub struct CaseworkerOrder {
    order: OrderSummaryView,
    subject_id: Uuid,
    citizen_name: Option<String>,
    purpose: String,
    legal_basis: String,
    disclosures: Vec<LedgerEntryView>,
    /// Fields the caseworker may still disclose on a justified decision.
    disclosable: Vec<&'static str>,
    dpa_in_force: bool,
    /// The stand-in access the order is open under, if it is another unit's.
    stand_in: Option<Uuid>,
    /// The citizen's data was erased: no name, and the ledger rows without their texts.
    citizen_erased: bool,
    /// What the supplier is to do; none for orders placed before orders carried it.
    content: Option<OrderContentView>,
    /// The number of the service type's policy version in force when the order was placed
    /// (`GET /api/v1/service-types/{id}/policy-versions` has its rules).
    policy_version: i64,
}

impl From<CaseworkerOrderView> for CaseworkerOrder {
    fn from(v: CaseworkerOrderView) -> CaseworkerOrder {
        CaseworkerOrder {
            order: v.order.into(),
            subject_id: v.subject_id,
            citizen_name: v.citizen_name,
            purpose: v.purpose,
            legal_basis: v.legal_basis,
            disclosures: v.disclosures.into_iter().map(Into::into).collect(),
            disclosable: keys(&v.disclosable),
            dpa_in_force: v.dpa_in_force,
            stand_in: v.stand_in,
            citizen_erased: v.citizen_erased,
            content: v.content.map(Into::into),
            policy_version: v.policy.version,
        }
    }
}

/// A field disclosed to the supplier, with its value.
#[derive(Serialize, ToSchema)]
pub struct DisclosedFieldView {
    field: &'static str,
    value: String,
    /// `automatic`, `manual` or `message`.
    kind: &'static str,
    #[schema(format = DateTime)]
    at: String,
}

impl From<DisclosedField> for DisclosedFieldView {
    fn from(f: DisclosedField) -> DisclosedFieldView {
        DisclosedFieldView {
            field: f.field.key(),
            value: f.value,
            kind: f.kind.key(),
            at: instant(f.at),
        }
    }
}

/// The supplier's view of an order: only the fields disclosed to it, while it is open.
#[derive(Serialize, ToSchema)]
pub struct SupplierOrder {
    order: OrderSummaryView,
    purpose: String,
    legal_basis: String,
    fields: Vec<DisclosedFieldView>,
    /// What the supplier is to do, while the order is open.
    content: Option<OrderContentView>,
    /// The citizen's data was erased: the order's facts stay, the fields are gone.
    citizen_erased: bool,
    /// The number of the service type's policy version in force when the order was placed.
    policy_version: Option<i64>,
}

impl From<SupplierOrderView> for SupplierOrder {
    fn from(v: SupplierOrderView) -> SupplierOrder {
        SupplierOrder {
            order: v.order.into(),
            purpose: v.purpose,
            legal_basis: v.legal_basis,
            fields: v.fields.into_iter().map(Into::into).collect(),
            content: v.content.map(Into::into),
            citizen_erased: v.citizen_erased,
            policy_version: v.policy.map(|p| p.version),
        }
    }
}

/// An order as its caller's side sees it.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum OrderView {
    Caseworker(CaseworkerOrder),
    Supplier(SupplierOrder),
}

/// An order: the caseworker's view (ledger, disclosable fields) or the supplier's view
/// (only the disclosed fields with values). Logged.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = OrderView),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
    ))]
pub async fn order(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<OrderView> {
    Ok(Json(if a.role == Role::SupplierUser {
        OrderView::Supplier(s.app.supplier_order(&a, id).await?.into())
    } else {
        OrderView::Caseworker(s.app.caseworker_order(&a, id).await?.into())
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Closed {
    closed: Uuid,
}

/// Closes an order: the supplier loses the citizen's data and is asked to confirm deletion.
#[utoipa::path(post, path = "/api/v1/orders/{id}/close", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Closed),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Already closed"),
    ))]
pub async fn close(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Closed> {
    s.app.close_order(&a, id).await?;
    Ok(Json(Closed { closed: id }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonRequest {
    /// Why the caseworker steps in on another unit's order.
    #[schema(min_length = 10, max_length = 4000)]
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct StandInView {
    id: Uuid,
    #[schema(format = DateTime)]
    expires_at: String,
}

/// A caseworker of another unit steps in on an order, with a written reason: the order
/// and the citizen's record open to them for a working day. Logged as a stand-in access
/// and followed up by the privacy officer.
#[utoipa::path(post, path = "/api/v1/orders/{id}/stand-in", tag = "orders", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = StandInView, description = "The stand-in access and when it ends"),
        (status = 404, body = ErrorBody, description = "No such order"),
        (status = 409, body = ErrorBody, description = "The order is the caller's own unit's"),
    ))]
pub async fn open_stand_in(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ReasonRequest>,
) -> ApiResult<StandInView> {
    let grant = s.app.open_stand_in(&a, id, &i.reason).await?;
    Ok(Json(StandInView {
        id: grant.id,
        expires_at: instant(grant.expires_at),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DeletionConfirmed {
    deletion_confirmed: Uuid,
}

/// The supplier confirms that it has deleted its copies of a closed order's data.
#[utoipa::path(post, path = "/api/v1/orders/{id}/deletion-confirmation", tag = "orders",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DeletionConfirmed),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "Still open, or already confirmed"),
    ))]
pub async fn confirm_deletion(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<DeletionConfirmed> {
    s.app.confirm_deletion(&a, id).await?;
    Ok(Json(DeletionConfirmed {
        deletion_confirmed: id,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReminderRequest {
    #[schema(pattern = "^(sms|email)$")]
    channel: String,
    /// `YYYY-MM-DD`
    #[schema(format = Date)]
    date: String,
    /// `HH:MM`
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    time: String,
    /// An address or a room; no names.
    #[schema(min_length = 1, max_length = 120)]
    place: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReminderSent {
    /// The text that was sent.
    sent: String,
}

/// Sends a reminder about an appointment to the order's citizen, with consent only.
#[utoipa::path(post, path = "/api/v1/orders/{id}/reminders", tag = "orders",
    params(("id" = Uuid, Path)), request_body = ReminderRequest,
    responses(
        (status = 200, body = ReminderSent),
        (status = 403, body = ErrorBody, description = "No consent to the channel"),
        (status = 404, body = ErrorBody, description = "No such order, or not the caller's"),
        (status = 409, body = ErrorBody, description = "The order is closed"),
    ))]
pub async fn send_reminder(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<ReminderRequest>,
) -> ApiResult<ReminderSent> {
    let appointment = Appointment {
        date: parse_date(&i.date, DateInput::Appointment)?,
        time: i.time,
        place: i.place,
    };
    let sent = s
        .app
        .send_reminder(&a, id, &i.channel, &appointment)
        .await?;
    Ok(Json(ReminderSent { sent }))
}

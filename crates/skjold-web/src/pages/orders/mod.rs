//! Orders, both sides: the caseworker previews, places, works and closes an order, or steps
//! in on another unit's as a stand-in; the supplier sees what was disclosed to it and
//! confirms deletion when the order has closed. The lists of orders, both sides, are in
//! [`lists`].

mod lists;

pub(crate) use lists::{ListForm, OrderList};
pub use lists::{search_citizen, supplier_orders, unit_orders};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::catalogue::parse_date;
use skjold_app::orders::{OrderCase, OrderContentInput, SupplierCase};
use skjold_app::reminders::Appointment;
use skjold_core::error::{Confirm, DateInput, IdInput};
use skjold_core::orders::{
    CaseworkerOrderView, MAX_REMARK, MAX_TASK, NewOrder, OrderPreview, OrderStatus,
    SupplierOrderView,
};
use skjold_core::text::MAX_TEXT;
use skjold_core::threads::ThreadView;
use skjold_core::{Date, FieldKey, Problem, Role};

use super::PagePath;
use super::data_requests::TypedDecisions;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with, parse_id, render};
use crate::AppState;
use crate::session::{CsrfForm, WebUser};

/// Where an order thread's attachments are downloaded.
pub(crate) const ORDER_ATTACHMENTS: &str = "/vedhaeftninger";
pub(crate) const ORDER_CONFIRM_HINT: &str =
    "Oplysningerne registreres som en manuel videregivelse i videregivelsesloggen.";

#[derive(Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    supplier: String,
}

/// A citizen's value that goes with the order, for the preview.
struct GoingValue {
    key: &'static str,
    label: &'static str,
    value: String,
    sensitivity: &'static str,
    sensitivity_key: &'static str,
}

#[derive(Template)]
#[template(path = "orders/preview.html")]
struct PreviewPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    p: OrderPreview,
    values: Vec<GoingValue>,
    /// The order's content as typed, and the form's idempotency key.
    form: PlaceForm,
    max_task: usize,
    max_remark: usize,
}

/// A fresh idempotency key for an order form: a second submit of the same form finds the
/// order the first one placed.
fn new_idempotency_key() -> String {
    Uuid::new_v4().simple().to_string()
}

/// The preview of an order with its form: what the order would disclose, the citizen's
/// values that go with it (a logged read), and the content to type. Shown again with the
/// typed content and the reason when placing it was refused.
async fn preview_page(
    state: &AppState,
    user: &WebUser,
    order: Result<NewOrder, AppError>,
    form: PlaceForm,
    error: Option<String>,
) -> Response {
    let result = match order {
        Ok(order) => state.app.preview_order(&user.actor, order).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => {
            let values = p
                .values
                .iter()
                .map(|(f, v)| GoingValue {
                    key: f.key(),
                    label: f.danish(),
                    value: v.clone(),
                    sensitivity: f.sensitivity().danish(),
                    sensitivity_key: f.sensitivity().key(),
                })
                .collect();
            page_with(
                &error,
                &PreviewPage {
                    layout: Layout::for_user(user, "/borgere"),
                    csrf: user.csrf.clone(),
                    error: error.clone(),
                    p,
                    values,
                    form,
                    max_task: MAX_TASK,
                    max_remark: MAX_REMARK,
                },
            )
        }
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn preview(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(q): Query<PreviewQuery>,
) -> Response {
    let order = (|| {
        Ok(NewOrder {
            subject_id: id,
            service_type_id: parse_id(&q.service, IdInput::ServiceType)?,
            supplier_id: parse_id(&q.supplier, IdInput::Supplier)?,
        })
    })();
    let today = state.app.now().local_date();
    let form = PlaceForm {
        period_from: today.to_string(),
        idempotency_key: new_idempotency_key(),
        ..PlaceForm::default()
    };
    preview_page(&state, &user, order, form, None).await
}

/// The order form: the parties (hidden), the content, and the idempotency key.
#[derive(Deserialize, Default)]
pub struct PlaceForm {
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    service_type_id: String,
    #[serde(default)]
    supplier_id: String,
    #[serde(default)]
    task: String,
    #[serde(default, rename = "from")]
    period_from: String,
    #[serde(default, rename = "until")]
    period_to: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    idempotency_key: String,
}

impl PlaceForm {
    fn order(&self) -> Result<NewOrder, AppError> {
        Ok(NewOrder {
            subject_id: parse_id(&self.subject_id, IdInput::Citizen)?,
            service_type_id: parse_id(&self.service_type_id, IdInput::ServiceType)?,
            supplier_id: parse_id(&self.supplier_id, IdInput::Supplier)?,
        })
    }

    fn content(&self) -> OrderContentInput {
        OrderContentInput {
            task: self.task.clone(),
            period_from: self.period_from.clone(),
            period_to: self.period_to.clone(),
            scope: self.scope.clone(),
            remark: self.remark.clone(),
        }
    }
}

pub async fn place(
    State(state): State<AppState>,
    CsrfForm(user, mut form): CsrfForm<PlaceForm>,
) -> Response {
    let result = match form.order() {
        Ok(order) => {
            let key = Some(form.idempotency_key.as_str()).filter(|k| !k.trim().is_empty());
            state
                .app
                .place_order(&user.actor, order, &form.content(), key)
                .await
        }
        Err(e) => Err(e),
    };
    // A key used for another order: the form gets a new one, so that sending it again
    // places the order as now typed.
    if let Err(AppError::Refused(Problem::IdempotencyKeyReused)) = &result {
        form.idempotency_key = new_idempotency_key();
    }
    let (state, user) = (&state, &user);
    answer(
        user,
        result.map(|id| format!("/bestillinger/{id}?ok=bestilt")),
        move |error| async move {
            let order = form.order();
            preview_page(state, user, order, form, Some(error)).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "orders/order.html")]
struct OrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    today: Date,
    open: bool,
    v: CaseworkerOrderView,
    t: ThreadView,
    message_action: String,
    /// The text the guard stopped, offered back with a confirmation field.
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
    /// A refused decision on a data request, offered back as typed.
    typed: Option<TypedDecisions>,
}

impl OrderPage {
    /// Whether `decision` (`approve` or `reject`) was chosen for `f` of request `r` on the
    /// refused form.
    fn chose(&self, r: &Uuid, f: &FieldKey, decision: &str) -> bool {
        self.typed
            .as_ref()
            .and_then(|t| t.of(*r, *f))
            .is_some_and(|d| d.decision == decision)
    }

    /// The text typed for `f` of request `r` on the refused form.
    fn typed_reason(&self, r: &Uuid, f: &FieldKey) -> &str {
        self.typed
            .as_ref()
            .and_then(|t| t.of(*r, *f))
            .map_or("", |d| d.reason.as_str())
    }

    fn rule_of(&self, f: &FieldKey) -> &'static str {
        self.t
            .policy
            .iter()
            .find(|(k, _)| k == f)
            .map_or("", |(_, r)| r.danish())
    }

    fn value_of(&self, f: &FieldKey) -> &str {
        self.t
            .requested_values
            .iter()
            .find(|(k, _)| k == f)
            .map_or("(borgeren har ingen sådan oplysning)", |(_, v)| v.as_str())
    }
}

/// The caseworker's page of an order, with a form's error or the text the guard stopped.
pub(crate) async fn order_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
    guard_body: Option<String>,
) -> Response {
    order_page_with(state, user, id, flash, error, guard_body, None).await
}

/// The same, with a refused decision on a data request offered back as typed.
pub(crate) async fn order_page_with(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
    guard_body: Option<String>,
    typed: Option<TypedDecisions>,
) -> Response {
    match state.app.order_case(&user.actor, id).await {
        Ok(OrderCase {
            order: v,
            thread: t,
        }) => page_with(
            &error,
            &OrderPage {
                layout: Layout::for_user(user, "/borgere").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                today: state.app.now().local_date(),
                open: v.order.status == OrderStatus::Open,
                message_action: format!("/bestillinger/{id}/besked"),
                v,
                t,
                guard_body,
                attachment_base: ORDER_ATTACHMENTS,
                confirm_hint: ORDER_CONFIRM_HINT,
                typed,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn order(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    let page = order_page(&state, &user, id, &flash, None, None).await;
    // A caseworker who may not open the order is offered a stand-in access instead (the
    // same answer whether or not the order exists).
    if page.status() == StatusCode::NOT_FOUND && user.actor.role == Role::Caseworker {
        return stand_in_form(&user, id, true, None);
    }
    page
}

#[derive(Template)]
#[template(path = "orders/stand_in.html")]
struct StandInPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    order_id: Uuid,
    not_found: bool,
    hours: i64,
    max_text: usize,
}

fn stand_in_form(user: &WebUser, id: Uuid, not_found: bool, error: Option<String>) -> Response {
    let page = StandInPage {
        layout: Layout::for_user(user, "/borgere"),
        csrf: user.csrf.clone(),
        error: error.clone(),
        order_id: id,
        not_found,
        hours: skjold_core::access::STAND_IN_HOURS,
        max_text: MAX_TEXT,
    };
    if not_found {
        (StatusCode::NOT_FOUND, render(&page)).into_response()
    } else {
        page_with(&error, &page)
    }
}

pub async fn stand_in_page(user: WebUser, PagePath(id): PagePath<Uuid>) -> Response {
    stand_in_form(&user, id, false, None)
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn open_stand_in(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Response {
    let result = state.app.open_stand_in(&user.actor, id, &f.reason).await;
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=stedfortraeder")),
        |error| async { stand_in_form(&user, id, false, Some(error)) },
    )
    .await
}

#[derive(Template)]
#[template(path = "orders/close_order.html")]
struct CloseOrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    v: CaseworkerOrderView,
    deletion_due: String,
}

async fn close_order_page_for(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    error: Option<String>,
) -> Response {
    match state.app.caseworker_order(&user.actor, id).await {
        Ok(v) if v.order.status == OrderStatus::Closed => {
            Redirect::to(&format!("/bestillinger/{id}")).into_response()
        }
        Ok(v) => page_with(
            &error,
            &CloseOrderPage {
                layout: Layout::for_user(user, "/borgere"),
                csrf: user.csrf.clone(),
                error: error.clone(),
                v,
                deletion_due: skjold_core::access::deletion_due(state.app.now()).danish(),
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn close_page(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    close_order_page_for(&state, &user, id, None).await
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    confirm: String,
}

pub async fn close(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<CloseForm>,
) -> Response {
    let result = if f.confirm == "yes" {
        state.app.close_order(&user.actor, id).await
    } else {
        Err(Problem::ConfirmationRequired(Confirm::CloseOrder).into())
    };
    answer(
        &user,
        result.map(|()| format!("/bestillinger/{id}?ok=afsluttet")),
        |error| close_order_page_for(&state, &user, id, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
pub struct ReminderForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
}

pub async fn send_reminder(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<ReminderForm>,
) -> Response {
    let result = async {
        let appointment = Appointment {
            date: parse_date(&f.date, DateInput::Appointment)?,
            time: f.time.trim().to_owned(),
            place: f.place,
        };
        state
            .app
            .send_reminder(&user.actor, id, &f.channel, &appointment)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=paamindet")),
        |error| order_page(&state, &user, id, &NO_FLASH, Some(error), None),
    )
    .await
}

// ---- the supplier ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orders/supplier_order.html")]
struct SupplierOrderPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    v: SupplierOrderView,
    /// The thread, while the order is open.
    thread: Option<ThreadView>,
    message_action: String,
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
}

/// The supplier's page of an order, with a form's error.
pub(crate) async fn supplier_order_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.supplier_case(&user.actor, id).await {
        Ok(SupplierCase { order: v, thread }) => page_with(
            &error,
            &SupplierOrderPage {
                layout: Layout::for_user(user, "/leverandoer").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                message_action: format!("/leverandoer/bestillinger/{id}/besked"),
                v,
                thread,
                guard_body: None,
                attachment_base: ORDER_ATTACHMENTS,
                confirm_hint: ORDER_CONFIRM_HINT,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn supplier_order(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    supplier_order_page(&state, &user, id, &flash, None).await
}

#[derive(Deserialize)]
pub struct DeletionForm {
    #[serde(default)]
    deleted: String,
}

pub async fn confirm_deletion(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DeletionForm>,
) -> Response {
    let result: Result<(), AppError> = if f.deleted == "yes" {
        state.app.confirm_deletion(&user.actor, id).await
    } else {
        Err(Problem::ConfirmationRequired(Confirm::Deletion).into())
    };
    answer(
        &user,
        result.map(|()| format!("/leverandoer/bestillinger/{id}?ok=slettet")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

//! The order lists: the caseworker's unit's orders (`/bestillinger`, and the first page on
//! the start page) and the supplier's own (`/leverandoer`), 25 to a page, with the citizen
//! as the reader may see them and what waits for the reader.
//!
//! Filters and position ride in the address (a GET form), so a page can be bookmarked and
//! paged. A CPR number never does: the caseworker posts it, it is looked up through the
//! logged look-up, and the answer is a redirect to the list filtered by the citizen's
//! internal id.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use skjold_app::AppError;
use skjold_core::error::IdInput;
use skjold_core::orders::{
    ORDER_PAGE, OrderChoices, OrderFilter, OrderListRow, OrderStatus, reference_search,
};
use skjold_core::paging::{Cursor, Page};
use skjold_core::{ProblemKind, Role};

use super::super::{
    Layout, Pager, answer, error_page, page_with, parse_id, with_error_field, words,
};
use crate::AppState;
use crate::session::{CsrfForm, WebUser};

/// Where the caseworker's list lives (its CPR number is posted to `/bestillinger/soeg`).
pub(crate) const UNIT_ORDERS: &str = "/bestillinger";
/// Where the supplier's list lives.
const SUPPLIER_ORDERS: &str = "/leverandoer";

/// A list's filters and position: from the address, or posted with a CPR number.
#[derive(Deserialize, Default, Clone)]
pub struct ListForm {
    /// The order reference, or its beginning.
    #[serde(default)]
    pub reference: String,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: String,
    /// A service type's id.
    #[serde(default)]
    pub service: String,
    /// A supplier's id (the caseworker's list).
    #[serde(default)]
    pub supplier: String,
    /// The citizen's internal id (never the CPR number).
    #[serde(default)]
    pub subject: String,
    /// `1`: only orders where something waits for the reader.
    #[serde(default)]
    pub unread: String,
    /// Where the page starts (a cursor); the first page without it.
    #[serde(default)]
    pub after: String,
    /// The page's number, for the reader.
    #[serde(default)]
    pub side: String,
    /// A CPR number, posted only.
    #[serde(default)]
    pub cpr: String,
}

fn opt(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

impl ListForm {
    /// The filter the form names; a malformed value is a refusal that says which.
    pub(crate) fn filter(&self) -> Result<OrderFilter, AppError> {
        let id = |s: &str, what| opt(s).map(|s| parse_id(s, what)).transpose();
        Ok(OrderFilter {
            reference: reference_search(&self.reference)?,
            status: opt(&self.status).map(OrderStatus::parse).transpose()?,
            service_type: id(&self.service, IdInput::ServiceType)?,
            supplier: id(&self.supplier, IdInput::Supplier)?,
            subject: id(&self.subject, IdInput::Citizen)?,
            unread_only: self.unread_only(),
            after: opt(&self.after).map(str::parse::<Cursor>).transpose()?,
            limit: ORDER_PAGE,
        })
    }

    pub(crate) fn unread_only(&self) -> bool {
        matches!(self.unread.trim(), "1" | "on" | "true")
    }

    /// The filters a link carries (never the CPR number, nor the position).
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("reference", self.reference.trim().to_owned()),
            ("status", self.status.trim().to_owned()),
            ("service", self.service.trim().to_owned()),
            ("supplier", self.supplier.trim().to_owned()),
            ("subject", self.subject.trim().to_owned()),
            (
                "unread",
                if self.unread_only() { "1" } else { "" }.to_owned(),
            ),
        ]
    }

    fn number(&self) -> u32 {
        self.side.trim().parse().unwrap_or(1).max(1)
    }

    /// The list's address with these filters, from its first page.
    fn address(&self, base: &str) -> String {
        let pairs: Vec<(&str, String)> = self
            .params()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match serde_urlencoded::to_string(pairs) {
            Ok(q) if !q.is_empty() => format!("{base}?{q}"),
            _ => base.to_owned(),
        }
    }
}

/// One row as the list shows it: the order, the citizen in words, and the markers.
pub(crate) struct ListedOrder {
    pub row: OrderListRow,
    pub markers: Vec<Marker>,
}

/// Something that waits for the reader, as a badge whose text a screen reader reads whole.
pub(crate) struct Marker {
    pub text: String,
    pub class: &'static str,
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn markers(row: &OrderListRow, supplier_side: bool) -> Vec<Marker> {
    let mut out = Vec::new();
    // The supplier's decisions are messages too; they get a badge of their own.
    let messages = row.unread_messages.saturating_sub(row.unread_decisions);
    if messages > 0 {
        out.push(Marker {
            text: plural(messages, "ulæst besked", "ulæste beskeder"),
            class: "badge badge-info",
        });
    }
    if row.unread_decisions > 0 {
        out.push(Marker {
            text: plural(
                row.unread_decisions,
                "ny afgørelse på en anmodning",
                "nye afgørelser på anmodninger",
            ),
            class: "badge badge-info",
        });
    }
    if row.open_requests > 0 {
        out.push(if supplier_side {
            Marker {
                text: plural(
                    row.open_requests,
                    "anmodning afventer kommunen",
                    "anmodninger afventer kommunen",
                ),
                class: "badge",
            }
        } else {
            Marker {
                text: plural(
                    row.open_requests,
                    "anmodning afventer din afgørelse",
                    "anmodninger afventer din afgørelse",
                ),
                class: "badge badge-warning",
            }
        })
    }
    out
}

/// A page of a list as the templates show it, with its filter form's state.
pub(crate) struct OrderList {
    /// The list's own address (the filter form's action, the pager's base).
    pub action: &'static str,
    pub supplier_side: bool,
    pub filter: ListForm,
    pub choices: OrderChoices,
    pub orders: Vec<ListedOrder>,
    pub pager: Pager,
    /// Where an order's page is.
    pub order_base: &'static str,
    /// The list is narrowed by something: "no orders" says so.
    pub filtered: bool,
}

impl OrderList {
    /// A page of the actor's orders under `form`; a malformed filter shows as a refusal
    /// over an empty table, with what was typed kept.
    pub(crate) async fn load(
        state: &AppState,
        user: &WebUser,
        form: ListForm,
    ) -> Result<(OrderList, Option<AppError>), AppError> {
        let supplier_side = user.actor.role == Role::SupplierUser;
        let (action, order_base) = if supplier_side {
            (SUPPLIER_ORDERS, "/leverandoer/bestillinger")
        } else {
            (UNIT_ORDERS, "/bestillinger")
        };
        let read = async { state.app.orders(&user.actor, &form.filter()?).await }.await;
        let (page, refused) = match read {
            Ok(page) => (page, None),
            Err(AppError::Refused(p)) if p.kind() == ProblemKind::Invalid => (
                Page {
                    entries: Vec::new(),
                    next: None,
                    total: 0,
                },
                Some(AppError::Refused(p)),
            ),
            Err(e) => return Err(e),
        };
        let choices = state.app.order_choices(&user.actor).await?;
        let pager = Pager::of(&page, action, &form.params(), form.number());
        let filtered = form.params().iter().any(|(_, v)| !v.is_empty());
        let orders = page
            .entries
            .into_iter()
            .map(|row| ListedOrder {
                markers: markers(&row, supplier_side),
                row,
            })
            .collect();
        Ok((
            OrderList {
                action,
                supplier_side,
                filter: form,
                choices,
                orders,
                pager,
                order_base,
                filtered,
            },
            refused,
        ))
    }

    /// The list's address without any filter.
    pub(crate) fn unfiltered(&self) -> &'static str {
        self.action
    }

    /// The list with the same filters but every citizen.
    pub(crate) fn without_citizen(&self) -> String {
        let mut f = self.filter.clone();
        f.subject.clear();
        f.address(self.action)
    }
}

#[derive(Template)]
#[template(path = "orders/unit_orders.html")]
struct UnitOrdersPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    list: OrderList,
}

#[derive(Template)]
#[template(path = "orders/supplier_orders.html")]
struct SupplierOrdersPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    organisation: String,
    list: OrderList,
}

/// A list page, with a refusal (a malformed filter, a CPR number refused) over it.
async fn list_page(
    state: &AppState,
    user: &WebUser,
    form: ListForm,
    refused: Option<String>,
) -> Response {
    let (list, soft) = match OrderList::load(state, user, form).await {
        Ok(l) => l,
        Err(e) => return error_page(Some(user), e),
    };
    let render = |error: Option<String>| {
        if list.supplier_side {
            page_with(
                &error,
                &SupplierOrdersPage {
                    layout: Layout::for_user(user, SUPPLIER_ORDERS),
                    csrf: user.csrf.clone(),
                    error: error.clone(),
                    organisation: user.actor.organisation_name.clone(),
                    list,
                },
            )
        } else {
            page_with(
                &error,
                &UnitOrdersPage {
                    // The orders are worked under "Borgere og bestillinger".
                    layout: Layout::for_user(user, "/borgere"),
                    csrf: user.csrf.clone(),
                    error: error.clone(),
                    list,
                },
            )
        }
    };
    match (refused, soft) {
        (Some(e), _) => render(Some(e)),
        (None, Some(AppError::Refused(p))) => {
            let error = Some(words(&p));
            with_error_field(&p, async { render(error) }).await
        }
        _ => render(None),
    }
}

/// The caseworker's list of the unit's orders, its filters and position in the address.
pub async fn unit_orders(
    State(state): State<AppState>,
    user: WebUser,
    Query(form): Query<ListForm>,
) -> Response {
    list_page(&state, &user, form, None).await
}

/// The supplier's list of its own orders, its filters and position in the address.
pub async fn supplier_orders(
    State(state): State<AppState>,
    user: WebUser,
    Query(form): Query<ListForm>,
) -> Response {
    list_page(&state, &user, form, None).await
}

/// The caseworker narrows the list to one citizen by CPR number: posted, looked up
/// (logged), and answered with a redirect to the list filtered by the citizen's internal
/// id. A malformed number shows the list again with the number typed and the reason.
pub async fn search_citizen(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ListForm>,
) -> Response {
    let result = async {
        let mut to = form.clone();
        to.subject = state
            .app
            .filter_subject(&user.actor, &form.cpr)
            .await?
            .to_string();
        to.cpr.clear();
        // Bad filters carried along are refused here too, not after the look-up's redirect.
        to.filter()?;
        Ok(to.address(UNIT_ORDERS))
    }
    .await;
    answer(&user, result, |error| {
        let mut reshown = form.clone();
        reshown.after.clear();
        reshown.side.clear();
        list_page(&state, &user, reshown, Some(error))
    })
    .await
}

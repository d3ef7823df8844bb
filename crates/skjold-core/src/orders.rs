//! Orders (LP-2, LP-3): an order as each side sees it, its lifecycle, and what placing
//! one would disclose under its service type's policy (see [`crate::disclosures`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::{PolicyVersion, ServiceType};
use crate::disclosures::{DisclosureKind, DisclosurePlan, LedgerEntry};
use crate::error::{Input, Problem};
use crate::paging::Cursor;
use crate::taxonomy::FieldKey;
use crate::text;
use crate::time::{Date, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Open,
    Closed,
}

impl OrderStatus {
    pub fn key(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Closed => "closed",
        }
    }
    pub fn danish(self) -> &'static str {
        match self {
            OrderStatus::Open => "Åben",
            OrderStatus::Closed => "Afsluttet",
        }
    }
}

/// An order without any personal data: safe for lists.
#[derive(Debug, Clone, Serialize)]
pub struct OrderSummary {
    pub id: Uuid,
    pub reference: String,
    pub service_type: String,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub caseworker_name: String,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    /// When the order was closed, and what became of the supplier's copies since.
    pub closing: Option<Closing>,
}

/// A closed order: the supplier has lost access to the citizen's data and is asked to
/// confirm that it has deleted its copies by `deletion_due`.
#[derive(Debug, Clone, Serialize)]
pub struct Closing {
    pub closed_at: Timestamp,
    pub deletion_due: Date,
    pub deletion_confirmed_at: Option<Timestamp>,
    pub deletion_confirmed_by: Option<String>,
}

impl Closing {
    /// No confirmation, and the deadline has passed.
    pub fn deletion_overdue(&self, today: Date) -> bool {
        self.deletion_confirmed_at.is_none() && today > self.deletion_due
    }
}

/// A disclosed field of an order, with its value, as the supplier sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosedField {
    pub field: FieldKey,
    pub value: String,
    pub kind: DisclosureKind,
    pub at: Timestamp,
    /// Found incorrect: the note that rectifies it.
    pub rectification: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupplierOrderView {
    pub order: OrderSummary,
    pub purpose: String,
    pub legal_basis: String,
    pub fields: Vec<DisclosedField>,
    /// What the supplier is to do; none for an order placed before orders carried it,
    /// a closed order, or an erased citizen's.
    pub content: Option<OrderContent>,
    /// The citizen's data was erased: the order's facts remain, the fields do not.
    pub citizen_erased: bool,
    /// The disclosure policy in force when the order was placed (none in a return export).
    pub policy: Option<PolicyVersion>,
}

/// The caseworker's view of an order: what was disclosed (keys, not values) and what more
/// the policy allows.
#[derive(Debug, Clone, Serialize)]
pub struct CaseworkerOrderView {
    pub order: OrderSummary,
    pub subject_id: Uuid,
    pub citizen_name: Option<String>,
    pub purpose: String,
    pub legal_basis: String,
    pub disclosures: Vec<LedgerEntry>,
    /// Fields the policy allows on a justified decision, which the citizen has and which
    /// are not yet disclosed on this order.
    pub disclosable: Vec<FieldKey>,
    pub dpa_in_force: bool,
    /// The stand-in access this view was opened under, if the order is another unit's.
    pub stand_in: Option<Uuid>,
    /// The citizen's data was erased: no name, and the ledger rows without their texts.
    pub citizen_erased: bool,
    /// What the supplier is to do; none for an order placed before orders carried it, or
    /// an erased citizen's.
    pub content: Option<OrderContent>,
    /// The disclosure policy in force when the order was placed. What may still be
    /// disclosed (`disclosable`) follows the stricter of it and the current one.
    pub policy: PolicyVersion,
}

/// What an order would disclose, shown before it is placed.
#[derive(Debug, Clone, Serialize)]
pub struct OrderPreview {
    pub subject_id: Uuid,
    pub service_type: ServiceType,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub dpa_reference: String,
    pub plan: DisclosurePlan,
    /// The citizen's values that go automatically with the order (opened, so logged).
    pub values: Vec<(FieldKey, String)>,
}

#[derive(Debug, Clone, Copy)]
pub struct NewOrder {
    pub subject_id: Uuid,
    pub service_type_id: Uuid,
    pub supplier_id: Uuid,
}

/// The longest task and remark accepted, in characters.
pub const MAX_TASK: usize = 2000;
pub const MAX_REMARK: usize = 2000;

/// What the supplier is to do: the task, the period, the scope and an optional remark.
/// Free text that may name the citizen: the guard screens it before the order is placed,
/// it is sealed under the citizen's key, and it is recorded in the disclosure ledger as
/// free text sent to the supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderContent {
    pub task: String,
    pub period_from: Date,
    pub period_to: Date,
    /// How much, e.g. "8 timer om ugen".
    pub scope: String,
    pub remark: Option<String>,
}

impl OrderContent {
    /// Checks typed content: a task and a scope, bounded texts without control
    /// characters, and a period that does not end before it starts.
    pub fn parse(
        task: &str,
        period_from: Date,
        period_to: Date,
        scope: &str,
        remark: &str,
    ) -> Result<OrderContent, Problem> {
        let task = text::required_text(Input::Task, task, MAX_TASK)?;
        let scope = text::required_line(Input::Scope, scope)?;
        let remark = text::text(Input::SupplierRemark, remark, MAX_REMARK)?;
        if period_to < period_from {
            return Err(Problem::OrderPeriod);
        }
        Ok(OrderContent {
            task: task.to_owned(),
            period_from,
            period_to,
            scope: scope.to_owned(),
            remark: (!remark.is_empty()).then(|| remark.to_owned()),
        })
    }

    /// The free texts, each with the input it came from, for the guard.
    pub fn texts(&self) -> Vec<(Input, &str)> {
        let mut texts = vec![
            (Input::Task, self.task.as_str()),
            (Input::Scope, self.scope.as_str()),
        ];
        if let Some(r) = &self.remark {
            texts.push((Input::SupplierRemark, r.as_str()));
        }
        texts
    }

    /// What the ledger says was sent, in Danish (not the text itself).
    pub fn ledger_note(&self) -> String {
        format!(
            "Bestillingens tekst: opgave, periode ({} til {}), omfang{}",
            self.period_from.danish(),
            self.period_to.danish(),
            if self.remark.is_some() {
                " og bemærkning til leverandøren"
            } else {
                ""
            }
        )
    }
}

impl OrderStatus {
    /// The status a list filter names (`open` or `closed`).
    pub fn parse(s: &str) -> Result<OrderStatus, Problem> {
        match s.trim() {
            "open" => Ok(OrderStatus::Open),
            "closed" => Ok(OrderStatus::Closed),
            other => Err(Problem::BadOrderStatus(other.to_owned())),
        }
    }
}

/// Rows on one page of an order list: a page shows each citizen's name, and each name
/// shown is an access-log entry, so a page writes at most this many.
pub const ORDER_PAGE: u32 = 25;

/// The most rows an integrator may ask for in one page of an order list.
pub const MAX_ORDER_PAGE: u32 = 100;

/// The longest order reference (or beginning of one) a search takes.
const MAX_REFERENCE: usize = 40;

/// An order reference as a search takes it: the whole reference or its beginning, in
/// capitals (references are `B-` and eight capital hex digits), letters, digits and
/// hyphens only. Empty means no filter.
pub fn reference_search(s: &str) -> Result<Option<String>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > MAX_REFERENCE
        || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(Problem::BadOrderReference);
    }
    Ok(Some(s.to_ascii_uppercase()))
}

/// Which orders a list shows. Every field narrows; none means all the actor's orders
/// (the caseworker's unit's, or the supplier's own).
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// The reference or its beginning, as [`reference_search`] gives it.
    pub reference: Option<String>,
    pub status: Option<OrderStatus>,
    pub service_type: Option<Uuid>,
    /// The supplier (the caseworker's lists).
    pub supplier: Option<Uuid>,
    /// The citizen, by internal id (the caseworker's lists).
    pub subject: Option<Uuid>,
    /// Only orders with messages the reader has not read, or (the caseworker's) a data
    /// request waiting for a decision.
    pub unread_only: bool,
    /// Where the page starts: after this order (newest first, then by id, descending).
    pub after: Option<Cursor>,
    /// Rows per page, [`ORDER_PAGE`] unless asked, at most [`MAX_ORDER_PAGE`].
    pub limit: u32,
}

impl OrderFilter {
    /// Rows per page, within bounds.
    pub fn page_size(&self) -> u32 {
        if self.limit == 0 {
            ORDER_PAGE
        } else {
            self.limit.min(MAX_ORDER_PAGE)
        }
    }
}

/// The citizen of an order, as the reader of a list may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "shown", content = "name", rename_all = "snake_case")]
pub enum CitizenShown {
    /// The citizen's name (opened through the gate, and logged).
    Name(String),
    /// The supplier did not receive the name on this order.
    NotDisclosed,
    /// The order is closed: the supplier no longer sees the citizen's data.
    OrderClosed,
    /// The name is out of ordinary processing (restricted) or not recorded.
    Unavailable,
    /// The citizen's data was erased.
    Erased,
}

impl CitizenShown {
    pub fn key(&self) -> &'static str {
        match self {
            CitizenShown::Name(_) => "name",
            CitizenShown::NotDisclosed => "not_disclosed",
            CitizenShown::OrderClosed => "order_closed",
            CitizenShown::Unavailable => "unavailable",
            CitizenShown::Erased => "erased",
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            CitizenShown::Name(n) => Some(n),
            _ => None,
        }
    }

    /// What the list says in place of a name.
    pub fn danish(&self) -> &str {
        match self {
            CitizenShown::Name(n) => n,
            CitizenShown::NotDisclosed => "ikke videregivet",
            CitizenShown::OrderClosed => "ikke længere tilgængeligt (bestillingen er afsluttet)",
            CitizenShown::Unavailable => "navn ikke tilgængeligt",
            CitizenShown::Erased => "slettet",
        }
    }
}

/// One row of an order list: the order, its citizen as the reader may see them, and what
/// waits for the reader.
#[derive(Debug, Clone, Serialize)]
pub struct OrderListRow {
    pub order: OrderSummary,
    pub citizen: CitizenShown,
    /// Messages on the order's thread from the other side that the reader has not read.
    pub unread_messages: u32,
    /// The caseworker's lists: data requests waiting for a decision. The supplier's:
    /// requests still waiting for the municipality.
    pub open_requests: u32,
    /// The supplier's lists: decisions on its data requests it has not read yet.
    pub unread_decisions: u32,
}

impl OrderListRow {
    /// Something waits for the reader.
    pub fn needs_attention(&self) -> bool {
        self.unread_messages > 0 || self.unread_decisions > 0
    }
}

/// What an order list's filters offer: the service types and suppliers of the orders the
/// reader may list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OrderChoices {
    pub service_types: Vec<(Uuid, String)>,
    pub suppliers: Vec<(Uuid, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u8) -> Date {
        Date::from_ymd(2026, 12, d).expect("date")
    }

    #[test]
    fn content_needs_a_task_a_scope_and_an_ordered_period() {
        let ok = OrderContent::parse(" Jobsøgning ", day(1), day(1), "4 timer", "  ").expect("ok");
        assert_eq!(ok.task, "Jobsøgning");
        assert_eq!(ok.remark, None);
        assert_eq!(
            OrderContent::parse("", day(1), day(2), "4 timer", ""),
            Err(Problem::Required(Input::Task))
        );
        assert_eq!(
            OrderContent::parse("Opgave", day(1), day(2), " ", ""),
            Err(Problem::Required(Input::Scope))
        );
        assert_eq!(
            OrderContent::parse("Opgave", day(2), day(1), "4 timer", ""),
            Err(Problem::OrderPeriod)
        );
        assert!(matches!(
            OrderContent::parse(&"x".repeat(MAX_TASK + 1), day(1), day(2), "4 timer", ""),
            Err(Problem::TooLong {
                input: Input::Task,
                ..
            })
        ));
    }

    #[test]
    fn a_reference_search_takes_a_beginning_in_capitals() {
        assert_eq!(reference_search("  "), Ok(None));
        assert_eq!(reference_search(" b-1a2 "), Ok(Some("B-1A2".into())));
        assert_eq!(reference_search("B-1%"), Err(Problem::BadOrderReference));
        assert_eq!(reference_search("B_1"), Err(Problem::BadOrderReference));
        assert_eq!(
            reference_search(&"B".repeat(41)),
            Err(Problem::BadOrderReference)
        );
    }

    #[test]
    fn a_status_filter_is_open_or_closed() {
        assert_eq!(OrderStatus::parse("open"), Ok(OrderStatus::Open));
        assert_eq!(OrderStatus::parse("closed"), Ok(OrderStatus::Closed));
        assert!(OrderStatus::parse("gone").is_err());
    }

    #[test]
    fn a_page_holds_at_most_a_hundred_rows() {
        let f = OrderFilter::default();
        assert_eq!(f.page_size(), ORDER_PAGE);
        let f = OrderFilter {
            limit: 1_000,
            ..OrderFilter::default()
        };
        assert_eq!(f.page_size(), MAX_ORDER_PAGE);
    }
}

//! Orders (LP-2, LP-3): an order as each side sees it, its lifecycle, and what placing
//! one would disclose under its service type's policy (see [`crate::disclosures`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::ServiceType;
use crate::disclosures::{DisclosureKind, DisclosurePlan, LedgerEntry};
use crate::error::{Input, Problem};
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
}

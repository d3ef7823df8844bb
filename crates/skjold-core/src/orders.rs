//! Orders (LP-2, LP-3): an order as each side sees it, its lifecycle, and what placing
//! one would disclose under its service type's policy (see [`crate::disclosures`]).

use serde::Serialize;
use uuid::Uuid;

use crate::catalogue::{PolicyVersion, ServiceType};
use crate::disclosures::{DisclosureKind, DisclosurePlan, LedgerEntry};
use crate::taxonomy::FieldKey;
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
}

#[derive(Debug, Clone, Copy)]
pub struct NewOrder {
    pub subject_id: Uuid,
    pub service_type_id: Uuid,
    pub supplier_id: Uuid,
}

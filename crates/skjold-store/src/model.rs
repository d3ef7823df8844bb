//! The values the store hands out. These are views for callers, not table rows: a row type
//! never leaves the module that queries it.

use serde::Serialize;
use uuid::Uuid;

use skjold_core::{Date, DisclosureRule, FieldKey, Role, Sensitivity, Timestamp};

/// Who is acting: resolved from a session or an API token, never from the request body.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The organisation the user belongs to (a unit, the municipality, or a supplier).
    pub organisation_id: Uuid,
    pub organisation_name: String,
    /// The municipality for municipal users; the supplier itself for supplier users.
    pub controller_id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Municipality,
    Unit,
    Supplier,
}

impl OrgKind {
    pub fn key(self) -> &'static str {
        match self {
            OrgKind::Municipality => "municipality",
            OrgKind::Unit => "unit",
            OrgKind::Supplier => "supplier",
        }
    }
    pub fn parse(s: &str) -> Option<OrgKind> {
        [OrgKind::Municipality, OrgKind::Unit, OrgKind::Supplier]
            .into_iter()
            .find(|k| k.key() == s)
    }
    pub fn danish(self) -> &'static str {
        match self {
            OrgKind::Municipality => "Kommune",
            OrgKind::Unit => "Enhed",
            OrgKind::Supplier => "Leverandør",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrgKind,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub cvr: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Purpose {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub art6: String,
    pub art9: Option<String>,
    pub national_law: String,
    /// The legal basis in one Danish line.
    pub legal_basis: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceType {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: String,
    pub purpose_id: Uuid,
    pub purpose_name: String,
    pub rules: Vec<(FieldKey, DisclosureRule)>,
}

impl ServiceType {
    pub fn policy(&self) -> skjold_core::ServicePolicy {
        skjold_core::ServicePolicy::new(self.rules.iter().copied())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Dpa {
    pub id: Uuid,
    pub processor_id: Uuid,
    pub processor_name: String,
    pub reference: String,
    pub instructions: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl Dpa {
    /// LP-6: orders and disclosures only while a DPA is in force.
    pub fn in_force(&self, today: Date) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|end| today <= end)
    }
}

/// One piece of a citizen's data, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Datum {
    pub id: Uuid,
    pub field: FieldKey,
    pub value: String,
    pub source: String,
    pub collected_at: Timestamp,
    pub restricted: bool,
}

impl Datum {
    pub fn sensitivity(&self) -> Sensitivity {
        self.field.sensitivity()
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    /// Sent with the order, by its policy.
    Automatic,
    /// A caseworker's justified decision (or an approved data request).
    Manual,
    /// Free text in a message the caseworker sent despite the guard's findings.
    Message,
}

impl DisclosureKind {
    pub fn key(self) -> &'static str {
        match self {
            DisclosureKind::Automatic => "automatic",
            DisclosureKind::Manual => "manual",
            DisclosureKind::Message => "message",
        }
    }

    pub fn parse(s: &str) -> DisclosureKind {
        match s {
            "manual" => DisclosureKind::Manual,
            "message" => DisclosureKind::Message,
            _ => DisclosureKind::Automatic,
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            DisclosureKind::Automatic => "Automatisk",
            DisclosureKind::Manual => "Manuel",
            DisclosureKind::Message => "Fritekst i besked",
        }
    }
}

/// A disclosed field of an order, with its value, as the supplier sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosedField {
    pub field: FieldKey,
    pub value: String,
    pub kind: DisclosureKind,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupplierOrderView {
    pub order: OrderSummary,
    pub purpose: String,
    pub legal_basis: String,
    pub fields: Vec<DisclosedField>,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    pub id: Uuid,
    pub data: Vec<Datum>,
    /// Every order for the citizen; those of other units open only by a stand-in access.
    pub orders: Vec<OrderSummary>,
}

impl SubjectView {
    pub fn value(&self, field: FieldKey) -> Option<&str> {
        self.data
            .iter()
            .find(|d| d.field == field)
            .map(|d| d.value.as_str())
    }
}

/// What an order would disclose, shown before it is placed.
#[derive(Debug, Clone, Serialize)]
pub struct OrderPreview {
    pub subject_id: Uuid,
    pub service_type: ServiceType,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub dpa_reference: String,
    pub plan: skjold_core::DisclosurePlan,
}

/// One row of the disclosure ledger.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub at: Timestamp,
    pub order_id: Uuid,
    pub order_reference: String,
    pub subject_id: Uuid,
    pub supplier_name: String,
    /// The field disclosed; none for free text in a message.
    pub field: Option<FieldKey>,
    pub kind: DisclosureKind,
    pub justification: Option<String>,
    /// The message that carried the disclosure, for disclosures made by a message.
    pub message_id: Option<Uuid>,
    /// What the guard found in the message (kind `message`).
    pub found: Option<String>,
    pub purpose: String,
    pub legal_basis: String,
    pub decided_by: String,
}

impl LedgerEntry {
    /// What was disclosed, in Danish.
    pub fn what(&self) -> String {
        match (self.field, &self.found) {
            (Some(f), _) => f.danish().to_owned(),
            (None, Some(found)) => format!("Fritekst i besked: {found}"),
            (None, None) => "Fritekst i besked".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    Search,
    View,
    Register,
    Disclose,
    Oversight,
    /// A caseworker opened a case outside their unit (break the glass).
    StandIn,
}

impl UseKind {
    pub const ALL: [UseKind; 6] = [
        UseKind::Search,
        UseKind::View,
        UseKind::Register,
        UseKind::Disclose,
        UseKind::Oversight,
        UseKind::StandIn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            UseKind::Search => "search",
            UseKind::View => "view",
            UseKind::Register => "register",
            UseKind::Disclose => "disclose",
            UseKind::Oversight => "oversight",
            UseKind::StandIn => "stand_in",
        }
    }
    pub fn parse(s: &str) -> Option<UseKind> {
        UseKind::ALL.into_iter().find(|k| k.key() == s)
    }
    pub fn danish(self) -> &'static str {
        match self {
            UseKind::Search => "Søgning",
            UseKind::View => "Visning",
            UseKind::Register => "Registrering",
            UseKind::Disclose => "Videregivelse",
            UseKind::Oversight => "Tilsyn",
            UseKind::StandIn => "Stedfortræderadgang",
        }
    }
}

/// One access-log entry, as the privacy officer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub id: Uuid,
    pub at: Timestamp,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub organisation_name: Option<String>,
    pub use_kind: UseKind,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub allowed: bool,
    pub detail: String,
    /// Made under a stand-in access (outside the caseworker's own unit).
    pub stand_in: Option<Uuid>,
}

/// Filters for the access log and the ledger. Every field narrows; none means everything.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub subject_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: i64,
}

//! The disclosure ledger (DESIGN.md wall 2): what left the controller, to whom, why.

use serde::Serialize;
use uuid::Uuid;

use crate::taxonomy::FieldKey;
use crate::time::Timestamp;

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

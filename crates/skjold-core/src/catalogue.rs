//! What the municipality offers and on which terms: purposes with their legal bases,
//! service types with their disclosure policies, and the data processing agreements that
//! let a supplier work for it.

use serde::Serialize;
use uuid::Uuid;

use crate::disclosures::{DisclosureRule, ServicePolicy};
use crate::taxonomy::FieldKey;
use crate::time::{Date, Timestamp};

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
    /// How long the data is kept for this purpose, in words (for the access answer).
    pub retention: String,
    /// Decisions based solely on automated processing (art. 22) under this purpose: the
    /// logic involved and its significance, in words; empty for none.
    pub automated_decision: String,
    /// The categories of persons the purpose concerns (for the records of processing);
    /// empty: the citizens who receive the service.
    pub subject_categories: String,
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
    /// The number of the policy version in force.
    pub policy_version: i64,
}

impl ServiceType {
    pub fn policy(&self) -> ServicePolicy {
        ServicePolicy::new(self.rules.iter().copied())
    }
}

/// A version of a service type's disclosure policy. An order keeps the version in force
/// when it was placed, and shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyVersion {
    pub id: Uuid,
    pub service_type_id: Uuid,
    pub version: i64,
    /// Who made the version; none for version 1 of a service type made before policies were
    /// kept in versions.
    pub changed_by: Option<String>,
    pub changed_at: Timestamp,
    pub rules: Vec<(FieldKey, DisclosureRule)>,
}

impl PolicyVersion {
    pub fn policy(&self) -> ServicePolicy {
        ServicePolicy::new(self.rules.iter().copied())
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
    /// The service types the agreement covers: the supplier is ordered from for these only.
    pub service_type_ids: Vec<Uuid>,
    /// The last change of coverage after registration: who, when, and what it covers since.
    pub coverage_changed: Option<CoverageChange>,
}

/// A change of which service types a DPA covers.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageChange {
    pub by: String,
    pub at: Timestamp,
    /// The codes of the service types covered from then on, comma-separated.
    pub service_codes: String,
}

impl Dpa {
    /// LP-6: orders and disclosures only while a DPA is in force.
    pub fn in_force(&self, today: Date) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|end| today <= end)
    }

    /// Whether the agreement covers the service type.
    pub fn covers(&self, service_type_id: Uuid) -> bool {
        self.service_type_ids.contains(&service_type_id)
    }
}

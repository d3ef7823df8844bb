//! The roles a user can hold.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Caseworker,
    SupplierUser,
    PrivacyOfficer,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::Caseworker,
        Role::SupplierUser,
        Role::PrivacyOfficer,
        Role::Auditor,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Caseworker => "caseworker",
            Role::SupplierUser => "supplier_user",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn danish(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Caseworker => "Sagsbehandler",
            Role::SupplierUser => "Leverandørbruger",
            Role::PrivacyOfficer => "Databeskyttelsesrådgiver",
            Role::Auditor => "Revisor",
        }
    }

    /// Whether a user with this role belongs to a supplier (processor) rather than the
    /// municipality (controller).
    pub fn is_supplier_side(self) -> bool {
        matches!(self, Role::SupplierUser)
    }

    /// Roles that may read the disclosure ledger and the access log.
    pub fn may_oversee(self) -> bool {
        matches!(self, Role::PrivacyOfficer | Role::Auditor)
    }
}

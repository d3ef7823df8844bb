//! Who acts, and what each role may do: the one role × action table that the gate, the
//! use cases and the web all ask ([`may`]). A role allowed an action may still be refused
//! by relationship (a caseworker outside the order's unit, a supplier without a DPA in
//! force); that is the gate's to decide. What no table row allows is refused before
//! anything is read.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Caseworker,
    SupplierUser,
    PrivacyOfficer,
    Auditor,
    /// A municipality's buyer: sends its invoices to the procurement-data collaboration
    /// and reads the organisation's own spend analyses.
    Buyer,
    /// The analysis service's analyst: builds the analyses across organisations.
    Analyst,
    /// The analysis service's reviewer: works the review queue of invoices the scrubber
    /// was unsure of.
    Reviewer,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Administrator,
        Role::Caseworker,
        Role::SupplierUser,
        Role::PrivacyOfficer,
        Role::Auditor,
        Role::Buyer,
        Role::Analyst,
        Role::Reviewer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Caseworker => "caseworker",
            Role::SupplierUser => "supplier_user",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Auditor => "auditor",
            Role::Buyer => "buyer",
            Role::Analyst => "analyst",
            Role::Reviewer => "reviewer",
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
            Role::Buyer => "Indkøber",
            Role::Analyst => "Analytiker",
            Role::Reviewer => "Kontrollant",
        }
    }

    /// Whether a user with this role belongs to a supplier (processor) rather than the
    /// municipality (controller). The analysis service of the procurement-data
    /// collaboration is a processor too.
    pub fn is_supplier_side(self) -> bool {
        matches!(self, Role::SupplierUser | Role::Analyst | Role::Reviewer)
    }

    /// Roles that may read the disclosure ledger and the access log.
    pub fn may_oversee(self) -> bool {
        matches!(self, Role::PrivacyOfficer | Role::Auditor)
    }
}

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

impl Actor {
    /// Whether the table lets this actor's role do `action`.
    pub fn may(&self, action: Action) -> bool {
        may(self.role, action)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Municipality,
    Unit,
    Supplier,
}

impl OrgKind {
    pub const ALL: [OrgKind; 3] = [OrgKind::Municipality, OrgKind::Unit, OrgKind::Supplier];

    pub fn key(self) -> &'static str {
        match self {
            OrgKind::Municipality => "municipality",
            OrgKind::Unit => "unit",
            OrgKind::Supplier => "supplier",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn danish(self) -> &'static str {
        match self {
            OrgKind::Municipality => "Kommune",
            OrgKind::Unit => "Enhed",
            OrgKind::Supplier => "Leverandør",
        }
    }
}

/// Everything a user can ask Skjold to do, by feature. Reading and writing are one
/// action where the same people do both; the gate narrows by relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    // Citizens.
    /// Find a citizen by CPR number for casework.
    SearchCitizen,
    /// Open a citizen's record, record data and consents.
    WorkCitizen,
    // Orders and disclosures.
    /// Preview and place an order.
    PlaceOrder,
    /// The caseworker's side of an order: view, disclose, remind, close.
    WorkOrder,
    /// Step in on another unit's order with a written reason.
    OpenStandIn,
    /// Lists of orders, without personal data.
    ListOrders,
    /// View an order: the caseworker's view or the supplier's.
    ViewOrder,
    /// The supplier's side of an order: see what was disclosed.
    SupplyOrder,
    /// The supplier confirms it has deleted a closed order's data.
    ConfirmDeletion,
    // Threads and data requests.
    /// Read and write an order's thread and its attachments.
    UseOrderThread,
    /// Read and write the general threads between a municipality and a supplier.
    UseGeneralThread,
    /// The supplier asks for more fields.
    RequestData,
    /// The caseworker approves or rejects a data request; the open requests.
    DecideRequest,
    // Oversight.
    /// The disclosure ledger and the access log, and their exports.
    ReadLogs,
    /// The privacy officer's follow-up page.
    ReadFollowUp,
    /// Record the follow-up of a stand-in access.
    RecordFollowUp,
    // Administration.
    /// Organisations, users, purposes, service types, DPAs: create and change.
    Administer,
    /// Read the municipality's organisations, purposes, service types and DPAs.
    ReadCatalogue,
    /// Sign-in security settings, blocks, second factors and required passwords.
    ManageSignIn,
    /// The sign-in report: attempts, refusals and blocks.
    ReadSignInReport,
    /// The half-yearly access review.
    ReviewAccess,
    // Data-subject rights.
    /// Register and work a rights case: intake, identity, decisions (an erasure among
    /// them: the citizen's key destroyed), answers.
    HandleRights,
    /// See every rights case of the municipality, and export them.
    OverseeRights,
    /// Give a unit's or a supplier's part of a gathered answer.
    ContributeToRights,
    /// The supplier acknowledges a notice of a change to data it received (art. 19).
    AcknowledgeNotice,
    /// The consent registry: write a consent text from its checklist.
    ManageConsentTexts,
    // The privacy officer's desk.
    /// Report a breach: the privacy officer for the municipality, a supplier for itself
    /// (the processor's report to the controller, art. 33(2)).
    ReportBreach,
    /// Work the breach register: notifications, late reasons, affected persons.
    ManageBreaches,
    /// Read the breach register (a supplier: the breaches it reported).
    ReadBreaches,
    /// Write retention rules and run them.
    ManageRetention,
    /// Read the records of processing, the retention rules and the deletion receipts.
    ReadRecords,
    /// Review the records of processing (a kept version) and decide units' reports.
    ReviewRecords,
    /// A unit reports a new processing to the privacy officer.
    ReportProcessing,
    /// The controller's side of its DPAs: new versions, objections to sub-processors,
    /// transfer decisions, audits and inspections, processors' notices, the security rules.
    ManageProcessors,
    /// The processor's side of its own DPAs: acknowledge versions, announce sub-processors,
    /// present transfers, send warnings and requests, confirm return or deletion.
    ActAsProcessor,
    /// Read DPAs with their versions, sub-processors, transfers and audits (a supplier: its
    /// own).
    ReadProcessors,
    // The procurement-data collaboration.
    /// Send the organisation's invoices to the collaboration.
    SendInvoices,
    /// Read the organisation's own spend analyses, and ask for its own data back.
    ReadOwnSpend,
    /// Work the analysis service's review queue.
    ReviewInvoices,
    /// The analysis service's view across the participating organisations.
    AnalyseInvoices,
    // One's own account.
    ChangeOwnPassword,
}

/// The role × action table. Everything not named is refused.
pub fn may(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        SearchCitizen | WorkCitizen | PlaceOrder | WorkOrder | OpenStandIn | DecideRequest => {
            role == Caseworker
        }
        ListOrders | ViewOrder | UseOrderThread | UseGeneralThread => {
            matches!(role, Caseworker | SupplierUser)
        }
        SupplyOrder | ConfirmDeletion | RequestData => role == SupplierUser,
        ReadLogs | ReadFollowUp => matches!(role, PrivacyOfficer | Auditor),
        RecordFollowUp => role == PrivacyOfficer,
        Administer | ManageSignIn | ReviewAccess => role == Administrator,
        ReadCatalogue => !role.is_supplier_side(),
        ReadSignInReport => matches!(role, Administrator | PrivacyOfficer | Auditor),
        HandleRights => matches!(role, Caseworker | PrivacyOfficer),
        OverseeRights => matches!(role, PrivacyOfficer | Auditor),
        ContributeToRights => matches!(role, Caseworker | SupplierUser),
        AcknowledgeNotice => role == SupplierUser,
        ManageConsentTexts => role == PrivacyOfficer,
        ReportBreach => matches!(role, PrivacyOfficer | SupplierUser),
        ManageBreaches | ReviewRecords => role == PrivacyOfficer,
        ReadBreaches => matches!(role, PrivacyOfficer | Auditor | SupplierUser),
        ManageRetention => matches!(role, PrivacyOfficer | Administrator),
        ReadRecords => matches!(role, PrivacyOfficer | Auditor | Administrator),
        ReportProcessing => role == Caseworker,
        ManageProcessors => matches!(role, PrivacyOfficer | Administrator),
        ActAsProcessor => role == SupplierUser,
        ReadProcessors => matches!(
            role,
            PrivacyOfficer | Auditor | Administrator | SupplierUser
        ),
        SendInvoices => matches!(role, Buyer | Administrator),
        ReadOwnSpend => matches!(role, Buyer | Administrator),
        ReviewInvoices => role == Reviewer,
        AnalyseInvoices => matches!(role, Analyst | Reviewer),
        ChangeOwnPassword => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppliers_reach_only_their_own_side() {
        for action in [
            Action::SearchCitizen,
            Action::WorkCitizen,
            Action::WorkOrder,
            Action::ReadLogs,
            Action::Administer,
            Action::ReadCatalogue,
        ] {
            assert!(!may(Role::SupplierUser, action), "{action:?}");
        }
        assert!(may(Role::SupplierUser, Action::SupplyOrder));
        assert!(!may(Role::Caseworker, Action::SupplyOrder));
    }

    #[test]
    fn oversight_reads_but_only_the_privacy_officer_records() {
        assert!(may(Role::Auditor, Action::ReadLogs));
        assert!(!may(Role::Auditor, Action::RecordFollowUp));
        assert!(may(Role::PrivacyOfficer, Action::RecordFollowUp));
        assert!(!may(Role::PrivacyOfficer, Action::WorkCitizen));
        assert!(!may(Role::Administrator, Action::ReadLogs));
    }

    #[test]
    fn caseworkers_and_the_privacy_officer_handle_rights() {
        for role in Role::ALL {
            assert_eq!(
                may(role, Action::HandleRights),
                matches!(role, Role::Caseworker | Role::PrivacyOfficer),
                "{role:?}"
            );
        }
    }

    #[test]
    fn everyone_changes_their_own_password() {
        assert!(Role::ALL.iter().all(|r| may(*r, Action::ChangeOwnPassword)));
    }
}

//! Orders and their disclosure policies (LP-2, LP-3, LP-4): for each service type, which
//! fields of the taxonomy go to the supplier automatically when an order is placed, which
//! only by a caseworker's justified decision, and which never; and an order as each side
//! sees it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalogue::ServiceType;
use crate::disclosures::{DisclosureKind, LedgerEntry};
use crate::error::Problem;
use crate::legal::LegalBasis;
use crate::taxonomy::{FieldKey, Sensitivity};
use crate::text::Justification;
use crate::time::{Date, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureRule {
    /// Sent with the order.
    Automatic,
    /// Sent only after a caseworker's individual assessment, with a written justification.
    OnJustifiedRequest,
    /// Never sent to this kind of service.
    Never,
}

impl DisclosureRule {
    pub const ALL: [DisclosureRule; 3] = [
        DisclosureRule::Automatic,
        DisclosureRule::OnJustifiedRequest,
        DisclosureRule::Never,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DisclosureRule::Automatic => "automatic",
            DisclosureRule::OnJustifiedRequest => "on_justified_request",
            DisclosureRule::Never => "never",
        }
    }

    pub fn parse(s: &str) -> Option<DisclosureRule> {
        DisclosureRule::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn danish(self) -> &'static str {
        match self {
            DisclosureRule::Automatic => "Automatisk",
            DisclosureRule::OnJustifiedRequest => "Efter begrundet beslutning",
            DisclosureRule::Never => "Aldrig",
        }
    }

    /// The rule a field has when a policy does not name it: address and contact data may
    /// only be disclosed on a justified decision (LP-3); everything else is never disclosed
    /// until an administrator says otherwise (data protection by default, art. 25).
    pub fn default_for(field: FieldKey) -> DisclosureRule {
        if field.category().never_automatic() {
            DisclosureRule::OnJustifiedRequest
        } else {
            DisclosureRule::Never
        }
    }
}

/// A service type's policy: a rule for every field of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServicePolicy {
    rules: BTreeMap<FieldKey, DisclosureRule>,
}

impl ServicePolicy {
    /// A policy from explicit rules; fields not named get [`DisclosureRule::default_for`].
    pub fn new(rules: impl IntoIterator<Item = (FieldKey, DisclosureRule)>) -> ServicePolicy {
        ServicePolicy {
            rules: rules.into_iter().collect(),
        }
    }

    pub fn rule(&self, field: FieldKey) -> DisclosureRule {
        self.rules
            .get(&field)
            .copied()
            .unwrap_or_else(|| DisclosureRule::default_for(field))
    }

    /// Every field with its rule, in taxonomy order.
    pub fn all(&self) -> impl Iterator<Item = (FieldKey, DisclosureRule)> + '_ {
        FieldKey::ALL.iter().map(|&f| (f, self.rule(f)))
    }

    /// Checks the policy against the law and the purpose it serves.
    pub fn validate(&self, basis: &LegalBasis) -> Result<(), Problem> {
        for (field, rule) in self.all() {
            if rule == DisclosureRule::Never {
                continue;
            }
            if rule == DisclosureRule::Automatic && field.category().never_automatic() {
                return Err(Problem::PolicyContactAutomatic(field));
            }
            match field.sensitivity() {
                Sensitivity::Special if basis.art9.is_none() => {
                    return Err(Problem::PolicySpecialWithoutArt9(field));
                }
                Sensitivity::Criminal if basis.national_law.trim().is_empty() => {
                    return Err(Problem::PolicyCriminalWithoutLaw(field));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What an order would disclose for a citizen who has data in `present` fields.
    pub fn plan(&self, present: &[FieldKey]) -> DisclosurePlan {
        let mut plan = DisclosurePlan::default();
        for (field, rule) in self.all() {
            let has = present.contains(&field);
            match rule {
                DisclosureRule::Automatic if has => plan.automatic.push(field),
                DisclosureRule::Automatic => plan.automatic_missing.push(field),
                DisclosureRule::OnJustifiedRequest => plan.on_request.push(field),
                DisclosureRule::Never => plan.never.push(field),
            }
        }
        plan
    }

    /// Whether a caseworker may disclose `field` manually on an order of this service type.
    /// The justification that goes with it is a [`Justification`], so it has been checked.
    pub fn check_manual(&self, field: FieldKey, _why: &Justification) -> Result<(), Problem> {
        match self.rule(field) {
            DisclosureRule::Never => Err(Problem::FieldNeverDisclosed(field)),
            DisclosureRule::Automatic => Err(Problem::FieldAlreadyDisclosed(field)),
            DisclosureRule::OnJustifiedRequest => Ok(()),
        }
    }
}

/// The outcome of applying a policy to one citizen's data, shown before an order is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DisclosurePlan {
    /// Sent with the order.
    pub automatic: Vec<FieldKey>,
    /// Automatic by policy, but the citizen has no such data: nothing is sent.
    pub automatic_missing: Vec<FieldKey>,
    /// May be sent later on a justified decision.
    pub on_request: Vec<FieldKey>,
    /// Never sent.
    pub never: Vec<FieldKey>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Input;
    use crate::legal::{Art6Basis, Art9Basis};

    fn basis(art9: Option<Art9Basis>, law: &str) -> LegalBasis {
        LegalBasis {
            art6: Art6Basis::PublicTask,
            art9,
            national_law: law.into(),
        }
    }

    #[test]
    fn defaults_keep_contact_data_back() {
        let p = ServicePolicy::default();
        assert_eq!(
            p.rule(FieldKey::Address),
            DisclosureRule::OnJustifiedRequest
        );
        assert_eq!(p.rule(FieldKey::Phone), DisclosureRule::OnJustifiedRequest);
        assert_eq!(p.rule(FieldKey::Name), DisclosureRule::Never);
        assert!(p.plan(FieldKey::ALL).automatic.is_empty());
    }

    #[test]
    fn contact_fields_can_never_be_automatic() {
        let p = ServicePolicy::new([(FieldKey::Email, DisclosureRule::Automatic)]);
        assert_eq!(
            p.validate(&basis(None, "")),
            Err(Problem::PolicyContactAutomatic(FieldKey::Email))
        );
    }

    #[test]
    fn special_and_criminal_need_their_basis() {
        let health = ServicePolicy::new([(FieldKey::Health, DisclosureRule::OnJustifiedRequest)]);
        assert!(matches!(
            health.validate(&basis(None, "LAB § 22")),
            Err(Problem::PolicySpecialWithoutArt9(_))
        ));
        assert!(
            health
                .validate(&basis(Some(Art9Basis::EmploymentSocialSecurity), ""))
                .is_ok()
        );
        let crime = ServicePolicy::new([(FieldKey::CriminalRecord, DisclosureRule::Automatic)]);
        assert!(matches!(
            crime.validate(&basis(None, " ")),
            Err(Problem::PolicyCriminalWithoutLaw(_))
        ));
        assert!(
            crime
                .validate(&basis(None, "Databeskyttelseslovens § 8"))
                .is_ok()
        );
    }

    #[test]
    fn plan_splits_fields_by_rule_and_presence() {
        let p = ServicePolicy::new([
            (FieldKey::Name, DisclosureRule::Automatic),
            (FieldKey::JobGoal, DisclosureRule::Automatic),
            (FieldKey::Health, DisclosureRule::OnJustifiedRequest),
        ]);
        let plan = p.plan(&[FieldKey::Name, FieldKey::Health]);
        assert_eq!(plan.automatic, vec![FieldKey::Name]);
        assert_eq!(plan.automatic_missing, vec![FieldKey::JobGoal]);
        assert!(plan.on_request.contains(&FieldKey::Health));
        assert!(plan.on_request.contains(&FieldKey::Address));
        assert!(plan.never.contains(&FieldKey::CriminalRecord));
        let total = plan.automatic.len()
            + plan.automatic_missing.len()
            + plan.on_request.len()
            + plan.never.len();
        assert_eq!(total, FieldKey::ALL.len());
    }

    #[test]
    fn manual_disclosure_rules() {
        let p = ServicePolicy::new([
            (FieldKey::Name, DisclosureRule::Automatic),
            (FieldKey::Health, DisclosureRule::OnJustifiedRequest),
        ]);
        let why = Justification::parse(
            Input::Justification,
            "Borgeren har bedt om skånehensyn i praktikken",
        )
        .expect("long enough");
        assert_eq!(p.check_manual(FieldKey::Health, &why), Ok(()));
        assert_eq!(
            p.check_manual(FieldKey::CriminalRecord, &why),
            Err(Problem::FieldNeverDisclosed(FieldKey::CriminalRecord))
        );
        assert_eq!(
            p.check_manual(FieldKey::Name, &why),
            Err(Problem::FieldAlreadyDisclosed(FieldKey::Name))
        );
    }
}

//! Disclosures: the policy of each service type (LP-3, LP-4) — which fields of the
//! taxonomy go to the supplier automatically when an order is placed, which only by a
//! caseworker's justified decision, and which never — and the disclosure ledger (DESIGN.md
//! wall 2): what left the controller, to whom, why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Problem;
use crate::legal::LegalBasis;
use crate::taxonomy::{FieldKey, Sensitivity};
use crate::text::Justification;
use crate::time::Timestamp;

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

    /// How much the rule holds back: automatic < on a justified decision < never.
    pub fn strictness(self) -> u8 {
        match self {
            DisclosureRule::Automatic => 0,
            DisclosureRule::OnJustifiedRequest => 1,
            DisclosureRule::Never => 2,
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

    /// Field by field, the stricter of two policies: what may still be disclosed on an order
    /// placed under one version of a service type's policy while another is current (a
    /// tightening holds at once, a loosening only for orders placed after it).
    pub fn stricter(&self, other: &ServicePolicy) -> ServicePolicy {
        ServicePolicy::new(self.all().map(|(f, a)| {
            let b = other.rule(f);
            (
                f,
                if b.strictness() > a.strictness() {
                    b
                } else {
                    a
                },
            )
        }))
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
    /// The citizen's data was erased: the row stays (wall 3), but its sealed texts
    /// (justification, what the guard found) went with the citizen's key.
    pub erased: bool,
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
    fn the_stricter_policy_wins_field_by_field() {
        use DisclosureRule::*;
        let placed =
            ServicePolicy::new([(FieldKey::JobGoal, Automatic), (FieldKey::Health, Never)]);
        let current = ServicePolicy::new([
            (FieldKey::JobGoal, Never),
            (FieldKey::Health, OnJustifiedRequest),
        ]);
        let both = placed.stricter(&current);
        // A tightening holds at once; a loosening does not reach the older order.
        assert_eq!(both.rule(FieldKey::JobGoal), Never);
        assert_eq!(both.rule(FieldKey::Health), Never);
        assert_eq!(both, current.stricter(&placed));
        assert_eq!(
            placed.stricter(&placed),
            placed.stricter(&ServicePolicy::new(placed.all()))
        );
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

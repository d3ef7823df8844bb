//! Disclosure policies (LP-2, LP-3, LP-4): for each service type, which fields of the
//! taxonomy go to the supplier automatically when an order is placed, which only by a
//! caseworker's justified decision, and which never.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::legal::LegalBasis;
use crate::taxonomy::{FieldKey, Sensitivity};

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{0} må aldrig videregives automatisk (adresse- og kontaktoplysninger)")]
    ContactAutomatic(&'static str),
    #[error("{0} er en særlig kategori: formålet skal have et grundlag efter art. 9")]
    SpecialWithoutArt9(&'static str),
    #[error("{0} er oplysninger om strafbare forhold: formålet skal angive en national hjemmel")]
    CriminalWithoutLaw(&'static str),
    #[error("{0} må aldrig videregives til denne ydelse")]
    FieldNever(&'static str),
    #[error("{0} er allerede videregivet automatisk med bestillingen")]
    AlreadyAutomatic(&'static str),
    #[error(
        "en manuel videregivelse kræver en skriftlig begrundelse på mindst {MIN_JUSTIFICATION} tegn"
    )]
    JustificationMissing,
}

impl PolicyError {
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::ContactAutomatic(_) => "policy_contact_automatic",
            PolicyError::SpecialWithoutArt9(_) => "policy_special_without_art9",
            PolicyError::CriminalWithoutLaw(_) => "policy_criminal_without_law",
            PolicyError::FieldNever(_) => "field_never_disclosed",
            PolicyError::AlreadyAutomatic(_) => "field_already_disclosed",
            PolicyError::JustificationMissing => "justification_required",
        }
    }
}

/// The shortest justification accepted for a manual disclosure.
pub const MIN_JUSTIFICATION: usize = 10;

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
    pub fn validate(&self, basis: &LegalBasis) -> Result<(), PolicyError> {
        for (field, rule) in self.all() {
            if rule == DisclosureRule::Never {
                continue;
            }
            if rule == DisclosureRule::Automatic && field.category().never_automatic() {
                return Err(PolicyError::ContactAutomatic(field.danish()));
            }
            match field.sensitivity() {
                Sensitivity::Special if basis.art9.is_none() => {
                    return Err(PolicyError::SpecialWithoutArt9(field.danish()));
                }
                Sensitivity::Criminal if basis.national_law.trim().is_empty() => {
                    return Err(PolicyError::CriminalWithoutLaw(field.danish()));
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

    /// Whether a caseworker may disclose `field` manually on an order of this service type,
    /// with `justification`.
    pub fn check_manual(&self, field: FieldKey, justification: &str) -> Result<(), PolicyError> {
        match self.rule(field) {
            DisclosureRule::Never => Err(PolicyError::FieldNever(field.danish())),
            DisclosureRule::Automatic => Err(PolicyError::AlreadyAutomatic(field.danish())),
            DisclosureRule::OnJustifiedRequest
                if justification.trim().chars().count() < MIN_JUSTIFICATION =>
            {
                Err(PolicyError::JustificationMissing)
            }
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

#[cfg(test)]
mod tests {
    use super::*;
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
            Err(PolicyError::ContactAutomatic("E-mail"))
        );
    }

    #[test]
    fn special_and_criminal_need_their_basis() {
        let health = ServicePolicy::new([(FieldKey::Health, DisclosureRule::OnJustifiedRequest)]);
        assert!(matches!(
            health.validate(&basis(None, "LAB § 22")),
            Err(PolicyError::SpecialWithoutArt9(_))
        ));
        assert!(
            health
                .validate(&basis(Some(Art9Basis::EmploymentSocialSecurity), ""))
                .is_ok()
        );
        let crime = ServicePolicy::new([(FieldKey::CriminalRecord, DisclosureRule::Automatic)]);
        assert!(matches!(
            crime.validate(&basis(None, " ")),
            Err(PolicyError::CriminalWithoutLaw(_))
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
        let why = "Borgeren har bedt om skånehensyn i praktikken";
        assert_eq!(p.check_manual(FieldKey::Health, why), Ok(()));
        assert_eq!(
            p.check_manual(FieldKey::Health, "  kort  "),
            Err(PolicyError::JustificationMissing)
        );
        assert!(matches!(
            p.check_manual(FieldKey::CriminalRecord, why),
            Err(PolicyError::FieldNever(_))
        ));
        assert!(matches!(
            p.check_manual(FieldKey::Name, why),
            Err(PolicyError::AlreadyAutomatic(_))
        ));
    }
}

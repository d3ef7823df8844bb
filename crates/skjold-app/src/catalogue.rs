//! The catalogue: purposes with their legal bases, service types with their disclosure
//! policies, and the data processing agreements that let a supplier work. The
//! administrator changes it; every municipal role reads it.

use std::collections::BTreeMap;

use uuid::Uuid;

use skjold_core::catalogue::{Dpa, PolicyVersion, Purpose, ServiceType};
use skjold_core::directory::{HistoryEntry, history};
use skjold_core::error::{DateInput, Input};
use skjold_core::text::{self, MAX_TEXT};
use skjold_core::{
    Action, Actor, Art6Basis, Art9Basis, Date, DisclosureRule, FieldKey, LegalBasis, Problem,
};
use skjold_store::catalogue::{DpaChange, NewDpa, NewPurpose, NewServiceType, ServiceTypeChange};

use crate::disclosures::parse_field;
use crate::{App, AppError, require};

/// A date as typed (`YYYY-MM-DD`), or the refusal that names which date.
pub fn parse_date(s: &str, which: DateInput) -> Result<Date, AppError> {
    s.parse()
        .map_err(|_| AppError::Refused(Problem::BadDate(which)))
}

/// A new purpose.
#[derive(Debug, Clone, Default)]
pub struct PurposeInput {
    pub name: String,
    pub description: String,
    /// GDPR art. 6(1) basis: `6.1.a` … `6.1.f`.
    pub art6: String,
    /// GDPR art. 9(2) basis for special categories, e.g. `9.2.b`; none or empty for none.
    pub art9: Option<String>,
    /// The national provision, e.g. "LAB § 22".
    pub national_law: String,
    /// How long the data is kept, e.g. "5 år efter sagens afslutning".
    pub retention: String,
    /// Decisions based solely on automated processing (art. 22) under the purpose: the
    /// logic involved and its significance; empty for none.
    pub automated_decision: String,
}

/// A new service type with its policy (field key → `automatic`, `on_justified_request`,
/// `never`; unnamed fields get the default).
#[derive(Debug, Clone)]
pub struct ServiceTypeInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub purpose_id: Uuid,
    pub policy: BTreeMap<String, String>,
}

/// A new data processing agreement.
#[derive(Debug, Clone)]
pub struct DpaInput {
    pub processor_id: Uuid,
    pub reference: String,
    pub instructions: String,
    /// `YYYY-MM-DD`
    pub starts_on: String,
    /// `YYYY-MM-DD`, or none or empty for open-ended.
    pub ends_on: Option<String>,
    /// The service types the agreement covers: the supplier is ordered from for these only.
    pub service_type_ids: Vec<Uuid>,
}

/// A purpose's fields, checked.
struct CheckedPurpose<'a> {
    name: &'a str,
    description: &'a str,
    retention: &'a str,
    automated: &'a str,
    basis: LegalBasis,
}

impl<'a> CheckedPurpose<'a> {
    fn of(input: &'a PurposeInput) -> Result<CheckedPurpose<'a>, AppError> {
        let name = text::required_line(Input::PurposeName, &input.name)?;
        let description = text::text(Input::Description, &input.description, MAX_TEXT)?;
        let national_law = text::line(Input::NationalLaw, &input.national_law)?;
        let retention = text::line(Input::Retention, &input.retention)?;
        let automated = text::text(Input::Description, &input.automated_decision, MAX_TEXT)?;
        let art6 = Art6Basis::parse(input.art6.trim()).ok_or(Problem::BadArt6)?;
        let art9 = match non_empty(&input.art9) {
            Some(s) => Some(Art9Basis::parse(s).ok_or(Problem::BadArt9)?),
            None => None,
        };
        Ok(CheckedPurpose {
            name,
            description,
            retention,
            automated,
            basis: LegalBasis {
                art6,
                art9,
                national_law: national_law.to_owned(),
            },
        })
    }

    fn as_new(&self) -> NewPurpose<'_> {
        NewPurpose {
            name: self.name,
            description: self.description,
            basis: &self.basis,
            retention: self.retention,
            automated_decision: self.automated,
        }
    }
}

/// Field key → rule text, as typed, into rules (unnamed fields get their default).
fn parse_rules(
    policy: &BTreeMap<String, String>,
) -> Result<Vec<(FieldKey, DisclosureRule)>, AppError> {
    let mut rules = Vec::with_capacity(policy.len());
    for (field, rule) in policy {
        let field = parse_field(field)?;
        let rule = DisclosureRule::parse(rule.trim()).ok_or_else(|| Problem::BadRule {
            field,
            rule: rule.trim().chars().take(40).collect(),
        })?;
        rules.push((field, rule));
    }
    Ok(rules)
}

/// A service type's new state: its code stays; the policy replaces the current one whole
/// (unnamed fields get their default).
#[derive(Debug, Clone)]
pub struct ServiceTypeEdit {
    pub name: String,
    pub description: String,
    pub purpose_id: Uuid,
    pub policy: BTreeMap<String, String>,
}

/// A DPA's new reference, instructions and end date (its processor and start stay).
#[derive(Debug, Clone)]
pub struct DpaEdit {
    pub reference: String,
    pub instructions: String,
    /// `YYYY-MM-DD`, or none or empty for open-ended.
    pub ends_on: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    pub async fn create_purpose(
        &self,
        actor: &Actor,
        input: &PurposeInput,
    ) -> Result<Purpose, AppError> {
        require(actor, Action::Administer)?;
        let checked = CheckedPurpose::of(input)?;
        Ok(self
            .store()
            .catalogue()
            .create_purpose(
                actor.controller_id,
                checked.as_new(),
                Some(actor.user_id),
                self.now(),
            )
            .await?)
    }

    pub async fn purposes(&self, actor: &Actor) -> Result<Vec<Purpose>, AppError> {
        require(actor, Action::ReadCatalogue)?;
        Ok(self
            .store()
            .catalogue()
            .purposes(actor.controller_id)
            .await?)
    }

    pub async fn create_service_type(
        &self,
        actor: &Actor,
        input: &ServiceTypeInput,
    ) -> Result<ServiceType, AppError> {
        require(actor, Action::Administer)?;
        let code = text::required_line(Input::ServiceCode, &input.code)?;
        let name = text::required_line(Input::ServiceName, &input.name)?;
        let description = text::text(Input::Description, &input.description, MAX_TEXT)?;
        let rules = parse_rules(&input.policy)?;
        Ok(self
            .store()
            .catalogue()
            .create_service_type(
                actor.controller_id,
                NewServiceType {
                    code,
                    name,
                    description,
                    purpose_id: input.purpose_id,
                    rules: &rules,
                },
                Some(actor.user_id),
                self.now(),
            )
            .await?)
    }

    pub async fn service_types(&self, actor: &Actor) -> Result<Vec<ServiceType>, AppError> {
        require(actor, Action::ReadCatalogue)?;
        Ok(self
            .store()
            .catalogue()
            .service_types(actor.controller_id)
            .await?)
    }

    pub async fn create_dpa(&self, actor: &Actor, input: &DpaInput) -> Result<Dpa, AppError> {
        require(actor, Action::Administer)?;
        let reference = text::required_line(Input::DpaReference, &input.reference)?;
        let instructions = text::text(Input::Instructions, &input.instructions, MAX_TEXT)?;
        let starts_on = parse_date(&input.starts_on, DateInput::Start)?;
        let ends_on = match non_empty(&input.ends_on) {
            Some(s) => Some(parse_date(s, DateInput::End)?),
            None => None,
        };
        Ok(self
            .store()
            .catalogue()
            .create_dpa(
                actor.controller_id,
                NewDpa {
                    processor_id: input.processor_id,
                    reference,
                    instructions,
                    starts_on,
                    ends_on,
                    service_type_ids: &input.service_type_ids,
                },
                Some(actor.user_id),
                self.now(),
            )
            .await?)
    }

    /// Sets which service types a DPA covers; who changed it and when is recorded beside
    /// it. Placed orders stay; new orders follow the new coverage.
    pub async fn set_dpa_coverage(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        service_type_ids: &[Uuid],
    ) -> Result<Dpa, AppError> {
        require(actor, Action::Administer)?;
        Ok(self
            .store()
            .catalogue()
            .set_dpa_coverage(
                actor.controller_id,
                actor.user_id,
                dpa_id,
                service_type_ids,
                self.now(),
            )
            .await?)
    }

    pub async fn dpas(&self, actor: &Actor) -> Result<Vec<Dpa>, AppError> {
        require(actor, Action::ReadCatalogue)?;
        Ok(self.store().catalogue().dpas(actor.controller_id).await?)
    }

    /// Suppliers a caseworker can order from today, with their DPA and the service types
    /// it covers.
    pub async fn suppliers_in_force(&self, actor: &Actor) -> Result<Vec<Dpa>, AppError> {
        let today = self.now().local_date();
        Ok(self
            .dpas(actor)
            .await?
            .into_iter()
            .filter(|d| d.in_force(today))
            .collect())
    }
}

impl App {
    /// A purpose of the administrator's authority.
    pub async fn purpose(&self, actor: &Actor, id: Uuid) -> Result<Purpose, AppError> {
        require(actor, Action::Administer)?;
        Ok(self
            .store()
            .catalogue()
            .purpose(actor.controller_id, id)
            .await?)
    }

    /// Changes a purpose's texts and legal basis; refused if a service type serving it would
    /// no longer have a lawful policy.
    pub async fn edit_purpose(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &PurposeInput,
    ) -> Result<Purpose, AppError> {
        require(actor, Action::Administer)?;
        let checked = CheckedPurpose::of(input)?;
        Ok(self
            .store()
            .catalogue()
            .update_purpose(
                actor.controller_id,
                actor.user_id,
                id,
                checked.as_new(),
                self.now(),
            )
            .await?)
    }

    pub async fn purpose_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        require(actor, Action::Administer)?;
        let versions = self
            .store()
            .catalogue()
            .purpose_versions(actor.controller_id, id)
            .await?;
        Ok(history(&versions))
    }

    /// A service type of the administrator's authority.
    pub async fn service_type(&self, actor: &Actor, id: Uuid) -> Result<ServiceType, AppError> {
        require(actor, Action::Administer)?;
        Ok(self
            .store()
            .catalogue()
            .service_type(actor.controller_id, id)
            .await?)
    }

    /// Changes a service type; a changed policy becomes a new policy version, which orders
    /// placed from now on record (those placed before keep theirs).
    pub async fn edit_service_type(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &ServiceTypeEdit,
    ) -> Result<ServiceType, AppError> {
        require(actor, Action::Administer)?;
        let name = text::required_line(Input::ServiceName, &input.name)?;
        let description = text::text(Input::Description, &input.description, MAX_TEXT)?;
        let rules = parse_rules(&input.policy)?;
        Ok(self
            .store()
            .catalogue()
            .update_service_type(
                actor.controller_id,
                actor.user_id,
                id,
                ServiceTypeChange {
                    name,
                    description,
                    purpose_id: input.purpose_id,
                    rules: &rules,
                },
                self.now(),
            )
            .await?)
    }

    pub async fn service_type_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        require(actor, Action::Administer)?;
        let versions = self
            .store()
            .catalogue()
            .service_type_versions(actor.controller_id, id)
            .await?;
        Ok(history(&versions))
    }

    /// The versions of a service type's disclosure policy, oldest first.
    pub async fn policy_versions(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<PolicyVersion>, AppError> {
        require(actor, Action::Administer)?;
        Ok(self
            .store()
            .catalogue()
            .policy_versions(actor.controller_id, id)
            .await?)
    }

    /// A DPA of the administrator's authority, with its current instructions.
    pub async fn dpa(&self, actor: &Actor, id: Uuid) -> Result<Dpa, AppError> {
        require(actor, Action::Administer)?;
        Ok(self
            .store()
            .catalogue()
            .dpa(actor.controller_id, id)
            .await?)
    }

    /// Changes a DPA's reference and end date; changed instructions become a new version of
    /// its terms, agreed and in force today (the processors desk shows it).
    pub async fn edit_dpa(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &DpaEdit,
    ) -> Result<Dpa, AppError> {
        require(actor, Action::Administer)?;
        let reference = text::required_line(Input::DpaReference, &input.reference)?;
        let instructions = text::text(Input::Instructions, &input.instructions, MAX_TEXT)?;
        let ends_on = match non_empty(&input.ends_on) {
            Some(s) => Some(parse_date(s, DateInput::End)?),
            None => None,
        };
        Ok(self
            .store()
            .catalogue()
            .update_dpa(
                actor.controller_id,
                actor.user_id,
                id,
                DpaChange {
                    reference,
                    ends_on,
                    instructions,
                },
                self.now(),
            )
            .await?)
    }

    pub async fn dpa_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        require(actor, Action::Administer)?;
        let versions = self
            .store()
            .catalogue()
            .dpa_versions(actor.controller_id, id)
            .await?;
        Ok(history(&versions))
    }
}

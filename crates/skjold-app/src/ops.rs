//! The use cases of the supplier platform: administration, casework, the supplier's view
//! and oversight.

use serde::Deserialize;
use uuid::Uuid;

use skjold_core::{
    Art6Basis, Art9Basis, Cpr, Cvr, Date, DisclosureRule, FieldKey, LegalBasis, Role,
};
use skjold_store::admin::{NewDpa, NewServiceType};
use skjold_store::gate::{NewOrder, StandInGrant, StandInView};
use skjold_store::*;

use crate::{App, AppError};

pub fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::Administrator {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "administrator_only",
            "kun administratorer kan gøre dette",
        ))
    }
}

fn municipal(actor: &Actor) -> Result<(), AppError> {
    if actor.role.is_supplier_side() {
        Err(AppError::forbidden(
            "municipal_only",
            "kun kommunens brugere har adgang til dette",
        ))
    } else {
        Ok(())
    }
}

fn required<'a>(value: &'a str, code: &'static str, what: &str) -> Result<&'a str, AppError> {
    let v = value.trim();
    if v.is_empty() {
        Err(AppError::invalid(code, format!("{what} skal udfyldes")))
    } else {
        Ok(v)
    }
}

pub fn parse_field(s: &str) -> Result<FieldKey, AppError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::invalid("unknown_field", format!("ukendt datafelt «{}»", s.trim())))
}

pub fn parse_date(s: &str, what: &str) -> Result<Date, AppError> {
    s.parse().map_err(|_| {
        AppError::invalid(
            "bad_date",
            format!("{what}: ugyldig dato, brug formatet ÅÅÅÅ-MM-DD"),
        )
    })
}

/// A new purpose, as sent by a form or the API.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PurposeInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// GDPR art. 6(1) basis: `6.1.a` … `6.1.f`.
    pub art6: String,
    /// GDPR art. 9(2) basis for special categories, e.g. `9.2.b`; empty for none.
    #[serde(default)]
    pub art9: Option<String>,
    /// The national provision, e.g. "LAB § 22".
    #[serde(default)]
    pub national_law: String,
}

/// A new service type with its policy (field key → `automatic`, `on_justified_request`,
/// `never`; unnamed fields get the default).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ServiceTypeInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub purpose_id: Uuid,
    #[serde(default)]
    pub policy: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DpaInput {
    pub processor_id: Uuid,
    pub reference: String,
    #[serde(default)]
    pub instructions: String,
    /// `YYYY-MM-DD`
    pub starts_on: String,
    /// `YYYY-MM-DD`, or empty for open-ended.
    #[serde(default)]
    pub ends_on: Option<String>,
}

/// What the privacy officer follows up.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FollowUp {
    /// Stand-in accesses: those not yet followed up first.
    pub stand_ins: Vec<StandInView>,
    pub overdue_deletions: Vec<OrderSummary>,
}

/// Filters for the oversight views. A CPR number is resolved through the gate (and logged).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct OversightQuery {
    pub cpr: Option<String>,
    pub username: Option<String>,
    pub organisation: Option<Uuid>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub until: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    // ---- administration -------------------------------------------------------------------

    pub async fn create_organisation(
        &self,
        by: Option<&Actor>,
        kind: OrgKind,
        parent_id: Option<Uuid>,
        name: &str,
        cvr: Option<&str>,
    ) -> Result<Organisation, AppError> {
        if let Some(a) = by {
            require_admin(a)?;
            if kind == OrgKind::Municipality {
                return Err(AppError::forbidden(
                    "municipality_by_cli",
                    "en ny kommune oprettes med `skjold init`",
                ));
            }
        }
        let name = required(name, "name_required", "navnet")?;
        let cvr = match cvr.map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(Cvr::parse(c)?),
            None if kind == OrgKind::Supplier => {
                return Err(AppError::invalid(
                    "cvr_required",
                    "en leverandør skal have et CVR-nummer",
                ));
            }
            None => None,
        };
        let parent_id = match (kind, by) {
            (OrgKind::Unit, Some(a)) => Some(a.controller_id),
            (OrgKind::Unit, None) => Some(parent_id.ok_or_else(|| {
                AppError::invalid("parent_required", "en enhed skal høre under en kommune")
            })?),
            _ => None,
        };
        Ok(self
            .store
            .create_organisation(
                kind,
                parent_id,
                name,
                cvr.as_ref().map(Cvr::as_str),
                self.now(),
            )
            .await?)
    }

    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>, AppError> {
        municipal(actor)?;
        Ok(self.store.organisations_of(actor.controller_id).await?)
    }

    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>, AppError> {
        require_admin(actor)?;
        let orgs = self.own_organisations(actor).await?;
        Ok(self.store.users(&orgs).await?)
    }

    /// The ids of the actor's authority's own organisations and its suppliers.
    pub(crate) async fn own_organisations(&self, actor: &Actor) -> Result<Vec<Uuid>, AppError> {
        Ok(self
            .store
            .organisations_of(actor.controller_id)
            .await?
            .iter()
            .map(|o| o.id)
            .collect())
    }

    pub async fn create_purpose(
        &self,
        actor: &Actor,
        input: &PurposeInput,
    ) -> Result<Purpose, AppError> {
        require_admin(actor)?;
        let name = required(&input.name, "name_required", "formålets navn")?;
        let art6 = Art6Basis::parse(input.art6.trim()).ok_or_else(|| {
            AppError::invalid("bad_art6", "vælg et retsgrundlag efter art. 6, stk. 1")
        })?;
        let art9 = match non_empty(&input.art9) {
            Some(s) => Some(Art9Basis::parse(s).ok_or_else(|| {
                AppError::invalid("bad_art9", "ukendt grundlag efter art. 9, stk. 2")
            })?),
            None => None,
        };
        let basis = LegalBasis {
            art6,
            art9,
            national_law: input.national_law.trim().to_owned(),
        };
        Ok(self
            .store
            .create_purpose(
                actor.controller_id,
                name,
                input.description.trim(),
                &basis,
                self.now(),
            )
            .await?)
    }

    pub async fn purposes(&self, actor: &Actor) -> Result<Vec<Purpose>, AppError> {
        municipal(actor)?;
        Ok(self.store.purposes(actor.controller_id).await?)
    }

    pub async fn create_service_type(
        &self,
        actor: &Actor,
        input: &ServiceTypeInput,
    ) -> Result<ServiceType, AppError> {
        require_admin(actor)?;
        let code = required(&input.code, "code_required", "ydelseskoden")?;
        let name = required(&input.name, "name_required", "ydelsens navn")?;
        let mut rules = Vec::with_capacity(input.policy.len());
        for (field, rule) in &input.policy {
            let field = parse_field(field)?;
            let rule = DisclosureRule::parse(rule.trim()).ok_or_else(|| {
                AppError::invalid(
                    "bad_rule",
                    format!("ukendt regel «{rule}» for {}", field.danish()),
                )
            })?;
            rules.push((field, rule));
        }
        Ok(self
            .store
            .create_service_type(
                actor.controller_id,
                NewServiceType {
                    code,
                    name,
                    description: input.description.trim(),
                    purpose_id: input.purpose_id,
                    rules: &rules,
                },
                self.now(),
            )
            .await?)
    }

    pub async fn service_types(&self, actor: &Actor) -> Result<Vec<ServiceType>, AppError> {
        municipal(actor)?;
        Ok(self.store.service_types(actor.controller_id).await?)
    }

    pub async fn create_dpa(&self, actor: &Actor, input: &DpaInput) -> Result<Dpa, AppError> {
        require_admin(actor)?;
        let reference = required(&input.reference, "reference_required", "aftalens reference")?;
        let starts_on = parse_date(&input.starts_on, "startdato")?;
        let ends_on = match non_empty(&input.ends_on) {
            Some(s) => Some(parse_date(s, "slutdato")?),
            None => None,
        };
        Ok(self
            .store
            .create_dpa(
                actor.controller_id,
                NewDpa {
                    processor_id: input.processor_id,
                    reference,
                    instructions: input.instructions.trim(),
                    starts_on,
                    ends_on,
                },
                self.now(),
            )
            .await?)
    }

    pub async fn dpas(&self, actor: &Actor) -> Result<Vec<Dpa>, AppError> {
        municipal(actor)?;
        Ok(self.store.dpas(actor.controller_id).await?)
    }

    /// Suppliers a caseworker can order from today, with their DPA.
    pub async fn suppliers_in_force(&self, actor: &Actor) -> Result<Vec<Dpa>, AppError> {
        let today = self.now().local_date();
        Ok(self
            .dpas(actor)
            .await?
            .into_iter()
            .filter(|d| d.in_force(today))
            .collect())
    }

    // ---- casework -------------------------------------------------------------------------

    /// Finds a citizen by CPR number; a malformed or impossible number is refused before
    /// any look-up.
    pub async fn find_citizen(&self, actor: &Actor, cpr: &str) -> Result<Uuid, AppError> {
        // The store also lets the privacy officer and the auditor look up a CPR number, but
        // only to filter the logs; finding a citizen for casework is the caseworker's.
        if actor.role != Role::Caseworker {
            return Err(AppError::forbidden(
                "role_not_allowed",
                "kun sagsbehandlere kan slå borgere op",
            ));
        }
        let cpr = Cpr::parse_at(cpr, self.now().local_date())?;
        self.store
            .find_subject(actor, &cpr, self.now())
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "citizen_not_found",
                    "der er ingen borger med dette CPR-nummer",
                )
            })
    }

    pub async fn citizen(&self, actor: &Actor, subject_id: Uuid) -> Result<SubjectView, AppError> {
        Ok(self
            .store
            .subject_view(actor, subject_id, self.now())
            .await?)
    }

    pub async fn preview_order(
        &self,
        actor: &Actor,
        order: NewOrder,
    ) -> Result<OrderPreview, AppError> {
        Ok(self.store.order_preview(actor, order, self.now()).await?)
    }

    pub async fn place_order(&self, actor: &Actor, order: NewOrder) -> Result<Uuid, AppError> {
        Ok(self.store.place_order(actor, order, self.now()).await?)
    }

    pub async fn disclose(
        &self,
        actor: &Actor,
        order_id: Uuid,
        field: &str,
        justification: &str,
    ) -> Result<(), AppError> {
        let field = parse_field(field)?;
        if justification.trim().chars().count() < skjold_core::policy::MIN_JUSTIFICATION {
            let e = skjold_core::PolicyError::JustificationMissing;
            return Err(AppError::invalid(e.code(), e.to_string()));
        }
        Ok(self
            .store
            .disclose_manual(actor, order_id, field, justification, self.now())
            .await?)
    }

    pub async fn close_order(&self, actor: &Actor, order_id: Uuid) -> Result<(), AppError> {
        Ok(self.store.close_order(actor, order_id, self.now()).await?)
    }

    /// A caseworker steps in on another unit's order, with a written reason (SA-3).
    pub async fn open_stand_in(
        &self,
        actor: &Actor,
        order_id: Uuid,
        reason: &str,
    ) -> Result<StandInGrant, AppError> {
        Ok(self
            .store
            .open_stand_in(actor, order_id, reason, self.now())
            .await?)
    }

    /// The supplier confirms that it has deleted its copies of a closed order's data.
    pub async fn confirm_deletion(&self, actor: &Actor, order_id: Uuid) -> Result<(), AppError> {
        Ok(self
            .store
            .confirm_deletion(actor, order_id, self.now())
            .await?)
    }

    pub async fn caseworker_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
    ) -> Result<CaseworkerOrderView, AppError> {
        Ok(self
            .store
            .caseworker_order(actor, order_id, self.now())
            .await?)
    }

    pub async fn unit_orders(&self, actor: &Actor) -> Result<Vec<OrderSummary>, AppError> {
        Ok(self.store.unit_orders(actor).await?)
    }

    // ---- the supplier ---------------------------------------------------------------------

    pub async fn supplier_orders(&self, actor: &Actor) -> Result<Vec<OrderSummary>, AppError> {
        Ok(self.store.supplier_orders(actor, self.now()).await?)
    }

    pub async fn supplier_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
    ) -> Result<SupplierOrderView, AppError> {
        Ok(self
            .store
            .supplier_order(actor, order_id, self.now())
            .await?)
    }

    // ---- oversight ------------------------------------------------------------------------

    /// The privacy officer's follow-up: stand-in accesses to look at, and closed orders
    /// whose supplier has not confirmed deletion in time.
    pub async fn follow_up(&self, actor: &Actor) -> Result<FollowUp, AppError> {
        let now = self.now();
        Ok(FollowUp {
            stand_ins: self.store.stand_ins(actor, now).await?,
            overdue_deletions: self.store.overdue_deletions(actor, now).await?,
        })
    }

    /// The privacy officer records the follow-up of a stand-in access.
    pub async fn follow_up_stand_in(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store
            .follow_up_stand_in(actor, id, note, self.now())
            .await?)
    }

    async fn log_filter(&self, actor: &Actor, q: &OversightQuery) -> Result<LogFilter, AppError> {
        if !actor.role.may_oversee() {
            return Err(AppError::forbidden(
                "oversight_only",
                "kun databeskyttelsesrådgiver og revisor har adgang til loggene",
            ));
        }
        let subject_id = match non_empty(&q.cpr) {
            Some(cpr) => {
                let cpr = Cpr::parse(cpr)?;
                // An unknown citizen gives an empty result, not an error.
                Some(
                    self.store
                        .find_subject(actor, &cpr, self.now())
                        .await?
                        .unwrap_or_else(Uuid::nil),
                )
            }
            None => None,
        };
        let user_id = match non_empty(&q.username) {
            Some(u) => Some(
                self.store
                    .actor_by_username(u)
                    .await?
                    .map_or_else(Uuid::nil, |a| a.user_id),
            ),
            None => None,
        };
        let from = match non_empty(&q.from) {
            Some(s) => Some(parse_date(s, "fra-dato")?.start_local()),
            None => None,
        };
        let until = match non_empty(&q.until) {
            Some(s) => Some(parse_date(s, "til-dato")?.plus_days(1).start_local()),
            None => None,
        };
        Ok(LogFilter {
            subject_id,
            user_id,
            organisation_id: q.organisation,
            from,
            until,
            limit: 500,
        })
    }

    pub async fn ledger(
        &self,
        actor: &Actor,
        q: &OversightQuery,
    ) -> Result<Vec<LedgerEntry>, AppError> {
        let f = self.log_filter(actor, q).await?;
        Ok(self.store.ledger(actor, &f, self.now()).await?)
    }

    /// The access log as a verifiable export (JSON Lines or CSV, with inclusion proofs
    /// and signed checkpoints), filtered like the log view.
    /// `format` is `jsonl` or `csv`.
    pub async fn export_access_log(
        &self,
        actor: &Actor,
        q: &OversightQuery,
        format: &str,
    ) -> Result<(skjold_store::audit::export::Format, Vec<u8>), AppError> {
        let format: skjold_store::audit::export::Format = format
            .parse()
            .map_err(|e: String| AppError::invalid("export_format", e))?;
        let filter = self.log_filter(actor, q).await?;
        let export = self
            .store
            .export_access_log(actor, &filter, self.now())
            .await?;
        Ok((format, export.write(format)))
    }

    pub async fn access_log(
        &self,
        actor: &Actor,
        q: &OversightQuery,
    ) -> Result<Vec<AccessEntry>, AppError> {
        let f = self.log_filter(actor, q).await?;
        Ok(self.store.access_log(actor, &f, self.now()).await?)
    }
}

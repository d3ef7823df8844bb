//! The demo: a Copenhagen-like municipality with two job-centre units, three suppliers (one
//! of them with an expired DPA), eight service types, 200 synthetic citizens, a user for
//! every role, and rights cases in every state. Every name, number and address is generated from a fixed seed; CPR numbers
//! are valid (real dates, modulus 11) but belong to no one on purpose: the generated
//! combinations of names and numbers are fictitious.

mod catalogue;
mod invoices;
mod people;

pub use invoices::{DEMO_SERVICE, demo_invoices};
pub use people::demo_identities;
mod rights;

use std::collections::BTreeMap;
use std::sync::Arc;

use uuid::Uuid;

use skjold_core::orders::NewOrder;
use skjold_core::{Actor, Cpr, Date, OrgKind, Role};

use crate::orders::OrderContentInput;
use crate::{App, AppError};

/// What a demo order asks of its supplier, by service type: a task, three months from
/// `from`, and a scope.
pub fn demo_order_content(code: &str, from: Date) -> OrderContentInput {
    let (task, scope) = match code {
        "MENTOR" => (
            "Mentorstøtte til fastholdelse i job: ugentlige samtaler og hjælp til at planlægge arbejdsugen.",
            "4 timer om ugen",
        ),
        "PRAKTIK" => (
            "Virksomhedspraktik i detailhandlen med kundeservice og vareopfyldning.",
            "30 timer om ugen",
        ),
        "AFKLAR" => (
            "Afklaringsforløb med arbejdsprøvning og opfølgende samtaler.",
            "15 timer om ugen",
        ),
        "JOBSOG" => (
            "Jobsøgningsforløb: cv, ansøgninger og træning i jobsamtaler.",
            "6 timer om ugen",
        ),
        "DANSK" => (
            "Danskundervisning med vægt på dansk på arbejdspladsen.",
            "9 timer om ugen",
        ),
        "OPKVAL" => ("Kursus i truckkørsel med certifikat.", "37 timer om ugen"),
        _ => ("Forløb efter ydelsens beskrivelse.", "Efter aftale"),
    };
    OrderContentInput {
        task: task.into(),
        period_from: from.to_string(),
        period_to: from.plus_months(3).to_string(),
        scope: scope.into(),
        remark: String::new(),
    }
}

/// The one password of every demo user. Only `skjold demo` uses it.
pub const DEMO_PASSWORD: &str = "skjold-demo-2026";

/// The demo's municipality; a data directory holding it is a demo's.
pub const DEMO_MUNICIPALITY: &str = "Københavns Kommune (demo)";

/// The demo users: user name, name, role, and the organisation they belong to.
pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    (
        "admin",
        "Birgitte Holm-Larsen",
        Role::Administrator,
        DEMO_MUNICIPALITY,
    ),
    (
        "sagsbehandler",
        "Rasmus Kjærgaard",
        Role::Caseworker,
        "Jobcenter København Nord",
    ),
    (
        "sagsbehandler2",
        "Yasmin El-Amin",
        Role::Caseworker,
        "Jobcenter København Syd",
    ),
    (
        "mentorhuset",
        "Torben Vestergaard",
        Role::SupplierUser,
        "Mentorhuset ApS",
    ),
    (
        "praktikpartner",
        "Louise Brandt",
        Role::SupplierUser,
        "Praktikpartner A/S",
    ),
    (
        "kompetencecentret",
        "Henrik Dalsgaard",
        Role::SupplierUser,
        "Kompetencecentret Øst ApS",
    ),
    (
        "dpo",
        "Signe Winther",
        Role::PrivacyOfficer,
        DEMO_MUNICIPALITY,
    ),
    ("revisor", "Peter Aagaard", Role::Auditor, DEMO_MUNICIPALITY),
    // ---- the procurement-data collaboration ----
    ("indkoeber", "Anne Mølgaard", Role::Buyer, DEMO_MUNICIPALITY),
    ("analytiker", "Kasper Lund", Role::Analyst, DEMO_SERVICE),
    ("kontrollant", "Sofie Riis", Role::Reviewer, DEMO_SERVICE),
];

const SUPPLIERS: &[(&str, &str)] = &[
    ("Mentorhuset ApS", "mentor"),
    ("Praktikpartner A/S", "praktik"),
    ("Kompetencecentret Øst ApS", "udløbet"),
];

/// What the demo created, for the CLI banner and for tests.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub municipality_id: Uuid,
    pub organisations: BTreeMap<String, Uuid>,
    pub service_types: BTreeMap<String, Uuid>,
    pub citizens: Vec<DemoCitizen>,
    /// The citizens the demo erased on their request (their data is gone).
    pub erased: Vec<DemoCitizen>,
    /// Two citizens whose mentor order ended over two years ago: the first retention run
    /// deletes their data (not among `citizens`).
    pub historic: Vec<DemoCitizen>,
    /// Every demo user's second-factor secret in base32, by user name, for an
    /// authenticator app.
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct DemoCitizen {
    pub id: Uuid,
    pub cpr: Cpr,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

impl App {
    /// In a demo server only, the code that signs a demo user in now, to show beside the
    /// form; `None` anywhere else, and for users who have no second factor.
    pub async fn demo_totp_code(&self, username: &str) -> Result<Option<String>, AppError> {
        if !self.demo || !DEMO_USERS.iter().any(|u| u.0 == username) {
            return Ok(None);
        }
        let Some(actor) = self.store().directory().actor_by_username(username).await? else {
            return Ok(None);
        };
        let factor = self.store().sign_in().second_factor(actor.user_id).await?;
        let Some(sealed) = factor.sealed_secret else {
            return Ok(None);
        };
        let secret = self.open_secret(actor.user_id, &sealed)?;
        crate::sign_in::second_factor::usable_code(
            secret,
            &actor.username,
            factor.last_step,
            self.now(),
        )
        .map(Some)
    }

    /// Whether the database holds the demo (its municipality), so that `skjold demo` never
    /// shows codes for another installation's users.
    pub async fn holds_demo(&self) -> Result<bool, AppError> {
        Ok(self
            .store()
            .directory()
            .organisations()
            .await?
            .iter()
            .any(|o| o.kind == OrgKind::Municipality && o.name == DEMO_MUNICIPALITY))
    }

    /// Builds the demo into an empty database. Every demo user gets a second factor set up
    /// already, with the secret returned in the summary.
    pub async fn build_demo(&self, citizens: usize) -> Result<DemoSummary, AppError> {
        let summary = self.build_demo_base(citizens).await?;
        self.add_demo_collaboration().await?;
        Ok(summary)
    }

    /// The demo without the procurement-data collaboration's participants and invoices
    /// ([`App::add_demo_collaboration`] adds them): its users and the analysis service are
    /// there, nobody takes part yet.
    pub async fn build_demo_base(&self, citizens: usize) -> Result<DemoSummary, AppError> {
        let municipality_id = self
            .init(DEMO_MUNICIPALITY, "admin", DEMO_USERS[0].1, DEMO_PASSWORD)
            .await?;
        let admin = self
            .store()
            .directory()
            .actor_by_username("admin")
            .await?
            .ok_or_else(|| AppError::Internal("demo administrator missing".into()))?;
        let mut orgs = BTreeMap::new();
        orgs.insert(DEMO_MUNICIPALITY.to_owned(), municipality_id);
        for unit in ["Jobcenter København Nord", "Jobcenter København Syd"] {
            let o = self
                .create_organisation(Some(&admin), OrgKind::Unit, None, unit, None)
                .await?;
            orgs.insert(unit.to_owned(), o.id);
        }
        let cvrs = ["37104914", "29403473", "32365590"];
        for ((name, _), cvr) in SUPPLIERS.iter().zip(cvrs) {
            let o = self
                .create_organisation(Some(&admin), OrgKind::Supplier, None, name, Some(cvr))
                .await?;
            orgs.insert((*name).to_owned(), o.id);
        }
        let service = self
            .create_organisation(
                Some(&admin),
                OrgKind::Supplier,
                None,
                DEMO_SERVICE,
                Some("30291107"),
            )
            .await?;
        orgs.insert(DEMO_SERVICE.to_owned(), service.id);
        let mut user_ids = vec![(DEMO_USERS[0].0, admin.user_id)];
        for (username, display, role, org) in &DEMO_USERS[1..] {
            let user = self
                .add_user(
                    Some(&admin),
                    orgs[*org],
                    username,
                    display,
                    *role,
                    DEMO_PASSWORD,
                )
                .await?;
            user_ids.push((username, user.id));
        }
        let mut secrets = BTreeMap::new();
        for (username, user_id) in user_ids {
            let secret = crate::sign_in::second_factor::new_totp_secret();
            let sealed = self
                .store()
                .sign_in()
                .seal_second_factor(user_id, &secret)?;
            // Step 0: no code has been used yet.
            self.store()
                .sign_in()
                .enrol_second_factor(user_id, &sealed, 0)
                .await?;
            secrets.insert(
                username.to_owned(),
                crate::sign_in::second_factor::totp_secret_base32(&secret, username)?,
            );
        }

        let service_types = self.demo_catalogue(&admin, &orgs).await?;
        let mut list = self.demo_citizens(municipality_id, citizens + 2).await?;
        let historic = list.split_off(citizens);

        // A few orders, so every role has something to look at from the start.
        let caseworker = self
            .store()
            .directory()
            .actor_by_username("sagsbehandler")
            .await?
            .ok_or_else(|| AppError::Internal("demo caseworker missing".into()))?;
        let plan = [
            ("MENTOR", "Mentorhuset ApS"),
            ("PRAKTIK", "Praktikpartner A/S"),
            ("AFKLAR", "Mentorhuset ApS"),
            ("JOBSOG", "Praktikpartner A/S"),
        ];
        // As at the desk: find the citizen by CPR number, then order.
        let order = async |c: &DemoCitizen, code: &str, supplier: &str| {
            self.find_citizen(&caseworker, &c.cpr.formatted()).await?;
            let order = self
                .place_order(
                    &caseworker,
                    NewOrder {
                        subject_id: c.id,
                        service_type_id: service_types[code],
                        supplier_id: orgs[supplier],
                    },
                    &demo_order_content(code, self.now().local_date()),
                    None,
                )
                .await?;
            if code == "MENTOR" {
                self.disclose(&caseworker, order, "health", "Mentoren skal kende borgerens skånehensyn for at kunne tilrettelægge forløbet.").await?;
            }
            Ok::<_, AppError>(order)
        };
        for (c, (code, supplier)) in list.iter().zip(plan) {
            order(c, code, supplier).await?;
        }
        let erased = self.demo_rights(&caseworker, &mut list, order).await?;
        self.demo_consent_texts().await?;

        self.demo_retention(
            &caseworker,
            &historic,
            &service_types,
            orgs["Mentorhuset ApS"],
        )
        .await?;
        Ok(DemoSummary {
            municipality_id,
            organisations: orgs,
            service_types,
            citizens: list,
            erased: erased.into_iter().collect(),
            historic,
            secrets,
        })
    }
}

impl App {
    /// Retention rules, and two citizens whose order ended over two years ago (the
    /// supplier confirmed its deletion), so that the first `skjold retention run` has
    /// something to delete (and the second nothing).
    async fn demo_retention(
        &self,
        caseworker: &Actor,
        historic: &[DemoCitizen],
        service_types: &BTreeMap<String, Uuid>,
        supplier: Uuid,
    ) -> Result<(), AppError> {
        use skjold_core::retention::{RecordType, RetentionAction, RuleInput, Trigger};
        let now = self.now();
        let mut past = self.clone();
        let clock = Arc::new(crate::FixedClock::new(now.plus_seconds(-28 * 30 * 86_400)));
        past.clock = clock.clone();
        let mentor = self
            .store()
            .directory()
            .actor_by_username("mentorhuset")
            .await?
            .ok_or_else(|| AppError::Internal("demo supplier user missing".into()))?;
        for c in historic {
            past.find_citizen(caseworker, &c.cpr.formatted()).await?;
            let order = past
                .place_order(
                    caseworker,
                    NewOrder {
                        subject_id: c.id,
                        service_type_id: service_types["MENTOR"],
                        supplier_id: supplier,
                    },
                    &demo_order_content("MENTOR", past.now().local_date()),
                    None,
                )
                .await?;
            clock.advance_seconds(5 * 86_400);
            past.close_order(caseworker, order).await?;
            clock.advance_seconds(2 * 86_400);
            past.confirm_deletion(&mentor, order).await?;
        }
        let dpo = self
            .store()
            .directory()
            .actor_by_username("dpo")
            .await?
            .ok_or_else(|| AppError::Internal("demo privacy officer missing".into()))?;
        let rules = [
            (
                RecordType::CitizenData,
                Trigger::OrderClosed,
                24,
                "Kommunens opbevaringspolitik for beskæftigelsessager: 2 år efter sidste forløb",
            ),
            (
                RecordType::OrderMessages,
                Trigger::OrderClosed,
                12,
                "Databehandleraftalerne: beskeder slettes 1 år efter forløbets afslutning",
            ),
            (
                RecordType::RightsCase,
                Trigger::CaseClosed,
                60,
                "Arkivloven og kommunens bevaringsplan: 5 år efter sagens afslutning",
            ),
        ];
        for (record_type, trigger, months, reference) in rules {
            self.set_retention_rule(
                &dpo,
                &RuleInput {
                    record_type,
                    purpose_id: None,
                    trigger,
                    period_months: months,
                    action: RetentionAction::Delete,
                    legal_reference: reference.to_owned(),
                    legal_hold: false,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The consent registry's texts for reminders, written by the privacy officer after the
    /// checklist (seed 003 § 11).
    async fn demo_consent_texts(&self) -> Result<(), AppError> {
        let dpo = DEMO_USERS
            .iter()
            .find(|u| u.2 == Role::PrivacyOfficer)
            .map(|u| u.0)
            .ok_or_else(|| AppError::Internal("demo privacy officer missing".into()))?;
        let dpo = self
            .store()
            .directory()
            .actor_by_username(dpo)
            .await?
            .ok_or_else(|| AppError::Internal("demo privacy officer missing".into()))?;
        let checklist = skjold_core::consents::ConsentChecklist {
            right_basis: true,
            not_a_condition: true,
            imbalance: true,
            imbalance_offset:
                "Påmindelser er en ekstra service: borgeren får samme hjælp uden dem, \
                               og et nej eller en tilbagekaldelse har ingen følger."
                    .into(),
        };
        for channel in [
            skjold_core::consents::Channel::Sms,
            skjold_core::consents::Channel::Email,
        ] {
            self.add_consent_text(
                &dpo,
                channel,
                &checklist,
                "sletter vi det senest 30 dage efter",
                "kommunens udbyder af påmindelser (databehandler)",
            )
            .await?;
        }
        Ok(())
    }
}

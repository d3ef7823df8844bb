//! The records of processing (art. 30), computed from the catalogue (purposes, service
//! types and their policies, DPAs), the directory (units, privacy officers, suppliers),
//! the retention rules, the units' approved reports and the ledger's counts; reviewed
//! versions kept; exports as JSON, CSV and PDF.

use std::collections::{BTreeMap, BTreeSet};

use skjold_core::processors::{SubProcessorStatus, TransferStatus, TransferView};
use skjold_core::records::{
    Activity, Contact, Draft, DraftInput, DraftStatus, ProcessorRecord, Recipient,
    RecordsOfProcessing, RecordsVersion, SubProcessorLine, TransferLine, UnitRecord,
};
use skjold_core::retention::RetentionRule;
use skjold_core::{Action, Actor, Category, DisclosureRule, FieldKey, OrgKind, Role};

use crate::{App, AppError, require};

/// An export format of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordsFormat {
    Json,
    Csv,
    Pdf,
}

impl RecordsFormat {
    pub fn parse(s: &str) -> Option<RecordsFormat> {
        match s.trim() {
            "json" => Some(RecordsFormat::Json),
            "csv" => Some(RecordsFormat::Csv),
            "pdf" => Some(RecordsFormat::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            RecordsFormat::Json => "json",
            RecordsFormat::Csv => "csv",
            RecordsFormat::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            RecordsFormat::Json => "application/json",
            RecordsFormat::Csv => "text/csv; charset=utf-8",
            RecordsFormat::Pdf => "application/pdf",
        }
    }
}

/// The general description of the installation's security measures (art. 30(1)(g)).
fn security_measures(settings: &skjold_core::sign_in::SecuritySettings, sso: bool) -> Vec<String> {
    let totp: Vec<&str> = settings.totp_roles.iter().map(|r| r.danish()).collect();
    vec![
        "Personoplysninger krypteres i databasen (AES-256-GCM) med en nøgle pr. borger; nøglerne ligger i et nøglelager adskilt fra data, og sletning sker ved at destruere nøglen.".to_owned(),
        "CPR-numre gemmes kun som nøglede hashværdier (HMAC-SHA-256).".to_owned(),
        "Al brug af personoplysninger logges i en manipulationssikker adgangslog (Merkle-træ efter RFC 6962 med signerede kontrolpunkter), som kan eksporteres og efterprøves uden for systemet.".to_owned(),
        format!(
            "Log-ind: {}spærring efter {} fejlede forsøg inden for {} timer i {} minutter; to-faktor-godkendelse for {}.",
            if sso { "fælles log-ind (OpenID Connect) og adgangskoder; " } else { "adgangskoder (Argon2id); " },
            settings.lockout_threshold,
            settings.lockout_window_hours,
            settings.block_minutes,
            if totp.is_empty() { "ingen roller".to_owned() } else { totp.join(", ") }
        ),
        "Leverandører ser kun det, deres opgave kræver, og kun mens en databehandleraftale er i kraft; sagsbehandlere arbejder i egen enhed, og stedfortræderadgang kræver en skriftlig begrundelse, som følges op.".to_owned(),
        "Adgang gennemgås halvårligt; opbevaringsregler sletter det, der ikke længere må opbevares, med kvittering for hver sletning.".to_owned(),
    ]
}

/// A processor's transfers for the records: presented ones (not yet approved) are shown
/// as such.
fn transfer_lines(processor: &str, transfers: &[TransferView]) -> Vec<TransferLine> {
    transfers
        .iter()
        .filter(|t| t.status != TransferStatus::Refused)
        .map(|t| TransferLine {
            processor: processor.to_owned(),
            recipient: t.recipient.clone(),
            country: t.country.clone(),
            basis: t.basis.danish().to_owned(),
            approved: t.status == TransferStatus::Approved,
        })
        .collect()
}

fn rule_text(r: &RetentionRule) -> String {
    format!(
        "{}: {} {} måneder efter «{}» ({}){}",
        r.rule.record_type.danish(),
        r.rule.action.danish(),
        r.rule.period_months,
        r.rule.trigger.danish().to_lowercase(),
        r.rule.legal_reference,
        if r.rule.legal_hold {
            ", retligt tilbageholdt"
        } else {
            ""
        }
    )
}

impl App {
    /// The records of processing of the actor's municipality, computed now.
    pub async fn records_of_processing(
        &self,
        actor: &Actor,
    ) -> Result<RecordsOfProcessing, AppError> {
        require(actor, Action::ReadRecords)?;
        let now = self.now();
        let gate = self.store().gate();
        let facts = gate.processing_facts(actor).await?;
        let organisations = self.organisations(actor).await?;
        let purposes = self.purposes(actor).await?;
        let service_types = self.service_types(actor).await?;
        let rules = gate.retention_rules(actor).await?;
        let drafts = gate.processing_drafts(actor).await?;
        let own: Vec<uuid::Uuid> = organisations
            .iter()
            .filter(|o| o.kind != OrgKind::Supplier)
            .map(|o| o.id)
            .collect();
        let users = self.store().directory().users(&own).await?;
        let controller = organisations.iter().find(|o| o.id == actor.controller_id);
        let held: BTreeMap<uuid::Uuid, BTreeSet<Category>> =
            facts.held.iter().fold(BTreeMap::new(), |mut m, (p, f)| {
                if let (Some(p), Ok(f)) = (p, f.parse::<FieldKey>()) {
                    m.entry(*p).or_default().insert(f.category());
                }
                m
            });
        let mut units = Vec::new();
        for unit in organisations.iter().filter(|o| o.kind == OrgKind::Unit) {
            let mut by_purpose: BTreeMap<uuid::Uuid, BTreeSet<Category>> = BTreeMap::new();
            for (_, st) in facts.ordered.iter().filter(|(u, _)| *u == unit.id) {
                if let Some(t) = service_types.iter().find(|t| t.id == *st) {
                    let cats = by_purpose.entry(t.purpose_id).or_default();
                    for (f, rule) in &t.rules {
                        if *rule != DisclosureRule::Never {
                            cats.insert(f.category());
                        }
                    }
                }
            }
            let mut activities = Vec::new();
            for (purpose_id, mut cats) in by_purpose {
                let Some(p) = purposes.iter().find(|p| p.id == purpose_id) else {
                    continue;
                };
                cats.extend(held.get(&purpose_id).into_iter().flatten());
                let mut recipients: BTreeMap<String, (BTreeSet<Category>, u64)> = BTreeMap::new();
                for (u, pid, supplier, field, n) in &facts.disclosed {
                    if *u == unit.id && *pid == purpose_id {
                        let r = recipients.entry(supplier.clone()).or_default();
                        if let Ok(f) = field.parse::<FieldKey>() {
                            r.0.insert(f.category());
                        }
                        r.1 += u64::try_from(*n).unwrap_or(0);
                    }
                }
                let mut retention: Vec<String> = Vec::new();
                if !p.retention.trim().is_empty() {
                    retention.push(p.retention.clone());
                }
                retention.extend(
                    rules
                        .iter()
                        .filter(|r| r.rule.purpose_id.is_none_or(|id| id == purpose_id))
                        .map(rule_text),
                );
                activities.push(Activity {
                    name: p.name.clone(),
                    purpose: p.description.clone(),
                    legal_basis: p.legal_basis.clone(),
                    subject_categories: if p.subject_categories.trim().is_empty() {
                        "Borgere, der modtager ydelsen".to_owned()
                    } else {
                        p.subject_categories.clone()
                    },
                    data_categories: cats.into_iter().collect(),
                    recipients: recipients
                        .into_iter()
                        .map(|(name, (cats, n))| Recipient {
                            name,
                            categories: cats.into_iter().collect(),
                            disclosures: n,
                        })
                        .collect(),
                    transfers: Vec::new(),
                    retention,
                    source: "configuration".to_owned(),
                });
            }
            for d in drafts
                .iter()
                .filter(|d| d.unit_id == unit.id && d.status == DraftStatus::Approved)
            {
                activities.push(Activity {
                    name: d.input.name.clone(),
                    purpose: d.input.purpose.clone(),
                    legal_basis: String::new(),
                    subject_categories: d.input.subject_categories.clone(),
                    data_categories: d.input.data_categories.clone(),
                    recipients: if d.input.recipients.trim().is_empty() {
                        Vec::new()
                    } else {
                        vec![Recipient {
                            name: d.input.recipients.clone(),
                            categories: d.input.data_categories.clone(),
                            disclosures: 0,
                        }]
                    },
                    transfers: Vec::new(),
                    retention: vec![d.input.retention.clone()],
                    source: "reported".to_owned(),
                });
            }
            units.push(UnitRecord {
                unit_id: unit.id,
                unit: unit.name.clone(),
                activities,
            });
        }
        let desks = self.dpa_desks(actor).await?;
        let mut processors: Vec<ProcessorRecord> = Vec::new();
        // The latest DPA of each processor (the desks come ordered by name and start).
        for desk in desks.iter().rev() {
            let dpa = &desk.dpa;
            if processors
                .iter()
                .any(|p| p.processor_id == dpa.processor_id)
            {
                continue;
            }
            let cats: BTreeSet<Category> = facts
                .disclosed
                .iter()
                .filter(|(_, _, s, _, _)| *s == dpa.processor_name)
                .filter_map(|(_, _, _, f, _)| f.parse::<FieldKey>().ok())
                .map(|f| f.category())
                .collect();
            let version = desk.in_force();
            let security = version
                .map(|v| v.terms.security_level.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("Som fastsat i databehandleraftale {}", dpa.reference));
            processors.push(ProcessorRecord {
                processor_id: dpa.processor_id,
                name: dpa.processor_name.clone(),
                cvr: organisations
                    .iter()
                    .find(|o| o.id == dpa.processor_id)
                    .and_then(|o| o.cvr.clone()),
                controller: controller.map(|c| c.name.clone()).unwrap_or_default(),
                dpa_reference: dpa.reference.clone(),
                dpa_version: version.map_or(1, |v| v.version),
                processing: facts
                    .supplied
                    .iter()
                    .filter(|(s, _)| *s == dpa.processor_id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                data_categories: cats.into_iter().collect(),
                sub_processors: desk
                    .sub_processors
                    .iter()
                    .filter(|s| {
                        matches!(
                            s.status,
                            SubProcessorStatus::InEffect | SubProcessorStatus::Announced
                        )
                    })
                    .map(|s| SubProcessorLine {
                        name: s.name.clone(),
                        country: s.country.clone(),
                        task: s.task.clone(),
                        agreement_on: s.agreement_on.map(|d| d.danish()),
                        status: s.status.key().to_owned(),
                    })
                    .collect(),
                transfers: transfer_lines(&dpa.processor_name, &desk.transfers),
                security_level: security,
            });
        }
        processors.sort_by(|a, b| a.name.cmp(&b.name));
        // An activity's transfers are those of the processors that received its data.
        for unit in &mut units {
            for a in &mut unit.activities {
                a.transfers = processors
                    .iter()
                    .filter(|p| a.recipients.iter().any(|r| r.name == p.name))
                    .flat_map(|p| p.transfers.clone())
                    .collect();
            }
        }
        let settings = self.security_settings().await?;
        Ok(RecordsOfProcessing {
            controller: controller.map(|c| c.name.clone()).unwrap_or_default(),
            controller_cvr: controller.and_then(|c| c.cvr.clone()),
            privacy_officers: users
                .iter()
                .filter(|u| u.role == Role::PrivacyOfficer && u.active)
                .map(|u| Contact {
                    name: u.display_name.clone(),
                    detail: format!("Bruger {} i Skjold", u.username),
                })
                .collect(),
            units,
            processors,
            security_measures: security_measures(&settings, self.oidc.is_some()),
            generated_at: now,
        })
    }

    /// Keeps the records as computed now, stamped as reviewed by the privacy officer.
    pub async fn review_records(
        &self,
        actor: &Actor,
        note: &str,
    ) -> Result<RecordsVersion, AppError> {
        require(actor, Action::ReviewRecords)?;
        let records = self.records_of_processing(actor).await?;
        Ok(self
            .store()
            .gate()
            .keep_records_version(actor, &records, note, self.now())
            .await?)
    }

    pub async fn records_versions(&self, actor: &Actor) -> Result<Vec<RecordsVersion>, AppError> {
        Ok(self.store().gate().records_versions(actor).await?)
    }

    /// The records as a file: a kept version (by number), or as computed now with the last
    /// review's stamp.
    pub async fn export_records(
        &self,
        actor: &Actor,
        format: RecordsFormat,
        version: Option<u32>,
    ) -> Result<(String, Vec<u8>), AppError> {
        let (records, stamp) = match version {
            Some(v) => {
                let (stamp, records) = self.store().gate().records_version(actor, v).await?;
                (records, Some(stamp))
            }
            None => (
                self.records_of_processing(actor).await?,
                self.records_versions(actor).await?.into_iter().next(),
            ),
        };
        let date = records.generated_at.local_date();
        let name = match &stamp {
            Some(s) if version.is_some() => {
                format!("fortegnelse-v{}-{date}.{}", s.version, format.extension())
            }
            _ => format!("fortegnelse-{date}.{}", format.extension()),
        };
        let bytes = match format {
            RecordsFormat::Json => serde_json::to_vec_pretty(&serde_json::json!({
                "records": records,
                "reviewed": stamp,
            }))
            .map_err(|e| AppError::Internal(e.to_string()))?,
            RecordsFormat::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                for row in records.to_csv_rows() {
                    w.write_record(&row)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                }
                w.into_inner()
                    .map_err(|e| AppError::Internal(e.to_string()))?
            }
            RecordsFormat::Pdf => skjold_letters::records_of_processing(&records, stamp.as_ref())
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        Ok((name, bytes))
    }

    /// A unit reports a new processing to the privacy officer.
    pub async fn report_processing(
        &self,
        actor: &Actor,
        draft: &DraftInput,
    ) -> Result<uuid::Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .report_processing(actor, draft, self.now())
            .await?)
    }

    pub async fn processing_drafts(&self, actor: &Actor) -> Result<Vec<Draft>, AppError> {
        Ok(self.store().gate().processing_drafts(actor).await?)
    }

    pub async fn decide_processing_draft(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        approve: bool,
        comment: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .decide_processing_draft(actor, id, approve, comment, self.now())
            .await?)
    }
}

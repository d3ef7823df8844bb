//! The citizen's own view (DSR-1 … DSR-11): signed in through MitID (see
//! [`crate::sign_in::oidc`]), the citizen reads their data, who received it and who used
//! it, files rights requests and follows them to the letter, and gives and withdraws
//! consents. Each call takes the [`Citizen`] of the session; the gate keeps them to their
//! own record and logs every use with the citizen as the actor.
//!
//! "Who used my data" is read from the tamper-evident log itself, and every entry shown is
//! checked against the log's signed checkpoint before it is shown.

use uuid::Uuid;

use skjold_core::Actor;
use skjold_core::Problem;
use skjold_core::citizen_view::{
    Citizen, ConsentOffer, MyCase, MyConsent, MyData, MyLog, MyLogEntry, MyRecipient, Withdrawal,
};
use skjold_core::consents::{Channel, ConsentChecklist, ConsentTemplate};
use skjold_core::oversight::{LogFilter, UseKind};
use skjold_core::rights::{AccessQuestions, IntakeChannel, NewCase, RightKind};
use skjold_store::sign_in::secret_hash;

use crate::rights::letters::LetterFile;
use crate::{App, AppError};

/// A citizen's session just started: the cookie secret, the form token, and who it is.
pub struct CitizenSession {
    pub token: String,
    pub csrf: String,
    pub citizen: Citizen,
}

/// Shows whose session it is, never its secrets.
impl std::fmt::Debug for CitizenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitizenSession")
            .field("subject", &self.citizen.subject_id)
            .finish_non_exhaustive()
    }
}

/// One item of a portability delivery, as JSON and CSV carry it.
#[derive(Debug, serde::Serialize)]
struct PortableItem {
    field: &'static str,
    label: &'static str,
    value: String,
    source: String,
    purpose: String,
    collected_at: String,
}

/// A file for the citizen: a portability delivery.
pub struct DataFile {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A notice as the caseworker records it: for which purpose, and whether it is given,
/// postponed (with the reason and the date) or not given under an exception (with the
/// reason).
#[derive(Debug, Clone, Default)]
pub struct NoticeInput {
    /// The purpose's id.
    pub purpose: String,
    /// `given`, `postponed` or `exempt`.
    pub status: String,
    pub reason: String,
    /// For a postponement: until when (`YYYY-MM-DD`).
    pub until: String,
}

/// A rights request as the citizen files it online.
#[derive(Debug, Clone)]
pub struct MyRequest {
    pub kind: RightKind,
    /// The request in the citizen's words: the correction, the ground for erasure, the
    /// particular situation behind an objection, the decision concerned.
    pub description: String,
    /// The items a rectification, restriction or erasure concerns.
    pub items: Vec<Uuid>,
    /// For an access request: the answers to the question model.
    pub access: Option<AccessQuestions>,
}

impl App {
    /// The citizen and the form token behind a citizen's session cookie.
    pub async fn citizen_session(
        &self,
        token: &str,
    ) -> Result<Option<(Citizen, String)>, AppError> {
        Ok(self
            .store()
            .sign_in()
            .citizen_session(&secret_hash(token), self.now())
            .await?)
    }

    pub async fn citizen_logout(&self, token: &str) -> Result<(), AppError> {
        Ok(self
            .store()
            .sign_in()
            .delete_citizen_session(&secret_hash(token))
            .await?)
    }

    /// Every item held about the citizen, grouped by category.
    pub async fn my_data(&self, c: &Citizen) -> Result<MyData, AppError> {
        Ok(self.store().gate().my_data(c, self.now()).await?)
    }

    /// Who received the citizen's data, by order.
    pub async fn my_recipients(&self, c: &Citizen) -> Result<Vec<MyRecipient>, AppError> {
        Ok(self.store().gate().my_recipients(c, self.now()).await?)
    }

    /// Who used the citizen's data, from the signed log: the opening is logged first, then
    /// every entry about the citizen is exported with its inclusion proof and checked
    /// against the signed checkpoint. Organisations are named; staff members are not.
    pub async fn my_log(&self, c: &Citizen) -> Result<MyLog, AppError> {
        let now = self.now();
        self.store().gate().my_log_opened(c, now).await?;
        let filter = LogFilter {
            subject_id: Some(c.subject_id),
            ..LogFilter::default()
        };
        let audit = self.store().audit();
        let export = audit.export_log(&filter, None, now).await?;
        let check = export.verify(&audit.log_verifiers().await?);
        let names: Vec<(Uuid, String)> = self
            .store()
            .directory()
            .organisations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let mut own_views = 0;
        let mut entries = Vec::with_capacity(export.entries.len());
        for e in &export.entries {
            let entry = &e.entry;
            let use_kind = UseKind::parse(&entry.use_kind).unwrap_or(UseKind::View);
            if use_kind == UseKind::SelfService {
                own_views += 1;
                continue;
            }
            let organisation = entry
                .organisation_id
                .and_then(|id| names.iter().find(|(o, _)| *o == id))
                .map_or_else(|| "Skjold (systemet)".to_owned(), |(_, n)| n.clone());
            entries.push(MyLogEntry {
                at: skjold_core::Timestamp(entry.at),
                organisation,
                use_kind,
                purpose: entry.purpose.clone(),
                allowed: entry.outcome == "allowed",
                stand_in: entry.stand_in.is_some(),
            });
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.at));
        let (verified_entries, checkpoints, problem) = match check {
            Ok(c) => (c.entries, c.checkpoints, None),
            Err(why) => (0, 0, Some(why)),
        };
        Ok(MyLog {
            entries,
            own_views,
            verified_entries,
            checkpoints,
            problem,
        })
    }

    /// The citizen's rights requests, the newest first.
    pub async fn my_cases(&self, c: &Citizen) -> Result<Vec<MyCase>, AppError> {
        Ok(self.store().gate().my_cases(c, self.now()).await?)
    }

    /// The data a granted portability request delivers, as `json` or `csv` (art. 20: a
    /// structured, commonly used, machine-readable format).
    pub async fn my_portable_data(
        &self,
        c: &Citizen,
        case_id: Uuid,
        format: &str,
    ) -> Result<DataFile, AppError> {
        let (reference, items) = self
            .store()
            .gate()
            .my_portable_data(c, case_id, self.now())
            .await?;
        let rows: Vec<PortableItem> = items
            .into_iter()
            .map(|i| PortableItem {
                field: i.field.key(),
                label: i.field.danish(),
                value: i.value,
                source: i.source,
                purpose: i.purpose.unwrap_or_default(),
                collected_at: i.collected_at.rfc3339(),
            })
            .collect();
        match format {
            "json" => {
                let body = serde_json::json!({
                    "controller": c.controller_name,
                    "case": reference,
                    "exported_at": self.now().rfc3339(),
                    "items": rows,
                });
                Ok(DataFile {
                    filename: format!("{reference}-mine-oplysninger.json"),
                    content_type: "application/json",
                    bytes: serde_json::to_vec_pretty(&body)
                        .map_err(|e| AppError::Internal(format!("portability JSON: {e}")))?,
                })
            }
            "csv" => {
                let mut w = csv::Writer::from_writer(Vec::new());
                for row in &rows {
                    w.serialize(row)
                        .map_err(|e| AppError::Internal(format!("portability CSV: {e}")))?;
                }
                let bytes = w
                    .into_inner()
                    .map_err(|e| AppError::Internal(format!("portability CSV: {e}")))?;
                Ok(DataFile {
                    filename: format!("{reference}-mine-oplysninger.csv"),
                    content_type: "text/csv; charset=utf-8",
                    bytes,
                })
            }
            other => Err(Problem::ExportFormat(other.chars().take(20).collect()).into()),
        }
    }

    /// The letter that answered one of the citizen's requests.
    pub async fn my_letter(&self, c: &Citizen, case_id: Uuid) -> Result<LetterFile, AppError> {
        let (filename, pdf) = self
            .store()
            .gate()
            .my_letter(c, case_id, self.now())
            .await?;
        Ok(LetterFile { filename, pdf })
    }

    /// Files a rights request the citizen made online, received today; a rectification
    /// disputes the items' accuracy, so they are restricted while it is looked into
    /// (art. 18(1)(a)). Returns the case and its reference.
    pub async fn file_my_request(
        &self,
        c: &Citizen,
        request: MyRequest,
    ) -> Result<(Uuid, String), AppError> {
        let now = self.now();
        let restrict = request.kind == RightKind::Rectification;
        let case = NewCase {
            subject_id: c.subject_id,
            kind: request.kind,
            channel: IntakeChannel::Online,
            received_on: now.local_date(),
            description: request.description,
            access: request.access,
            items: request.items,
            restrict_while_investigating: restrict,
        };
        if case.kind == RightKind::Access && case.access.is_none() {
            return Err(Problem::BadAccessWish.into());
        }
        Ok(self.store().gate().file_my_request(c, &case, now).await?)
    }

    /// Adds a version of the consent text for `channel` to the registry (the privacy
    /// officer's): written from the template of seed 003 § 11 with the municipality's name,
    /// after the checklist's answers, which are stored with it; refused unless they pass.
    pub async fn add_consent_text(
        &self,
        actor: &Actor,
        channel: Channel,
        checklist: &ConsentChecklist,
        retention: &str,
        recipients: &str,
    ) -> Result<i64, AppError> {
        let retention = skjold_core::text::required_line(skjold_core::Input::Retention, retention)?;
        let recipients =
            skjold_core::text::required_line(skjold_core::Input::Description, recipients)?;
        let controller = self
            .store()
            .directory()
            .organisation(actor.controller_id)
            .await?;
        let text = ConsentTemplate {
            controller: &controller.name,
            channel,
            retention,
            recipients,
        }
        .text();
        Ok(self
            .store()
            .gate()
            .add_consent_text(actor, channel, checklist, &text, self.now())
            .await?)
    }

    /// Records the duty to inform for one purpose on a citizen's record: the notice of
    /// art. 13 (data from the citizen) or art. 14 (data from others, with the source),
    /// generated from the configuration and the record; or its postponement until a date,
    /// or an exception, each with the reason.
    pub async fn record_notice(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        input: &NoticeInput,
    ) -> Result<Uuid, AppError> {
        use skjold_core::citizen_view::{NoticeArticle, NoticeFacts, NoticeStatus};
        crate::require(actor, skjold_core::Action::WorkCitizen)?;
        let status = NoticeStatus::parse(&input.status)?;
        let purposes = self.purposes(actor).await?;
        let purpose = input
            .purpose
            .trim()
            .parse::<Uuid>()
            .ok()
            .and_then(|id| purposes.iter().find(|p| p.id == id))
            .ok_or(Problem::PurposeNotFound)?;
        let view = self.citizen(actor, subject_id).await?;
        let items: Vec<_> = view
            .data
            .iter()
            .filter(|d| d.purpose.as_deref() == Some(purpose.name.as_str()))
            .collect();
        let article = NoticeArticle::for_sources(items.iter().map(|d| d.source.as_str()));
        let mut until = None;
        let body = match status {
            NoticeStatus::Given => {
                let mut categories: Vec<_> = items.iter().map(|d| d.field.category()).collect();
                categories.sort();
                categories.dedup();
                let mut sources: Vec<String> = items.iter().map(|d| d.source.clone()).collect();
                sources.sort();
                sources.dedup();
                let offered = self
                    .service_types(actor)
                    .await?
                    .iter()
                    .any(|s| s.purpose_id == purpose.id);
                let recipients: Vec<String> = if offered {
                    self.suppliers_in_force(actor)
                        .await?
                        .into_iter()
                        .map(|d| d.processor_name)
                        .collect()
                } else {
                    Vec::new()
                };
                let dpo: Vec<String> = self
                    .store()
                    .directory()
                    .users(&[actor.controller_id])
                    .await?
                    .into_iter()
                    .filter(|u| u.active && u.role == skjold_core::Role::PrivacyOfficer)
                    .map(|u| u.display_name)
                    .collect();
                let controller = self
                    .store()
                    .directory()
                    .organisation(actor.controller_id)
                    .await?;
                NoticeFacts {
                    article,
                    controller: &controller.name,
                    dpo: &dpo,
                    purpose: &purpose.name,
                    purpose_description: &purpose.description,
                    legal_basis: &purpose.legal_basis,
                    categories: &categories,
                    recipients: &recipients,
                    retention: &purpose.retention,
                    automated_decision: &purpose.automated_decision,
                    sources: &sources,
                }
                .text()
            }
            NoticeStatus::Postponed | NoticeStatus::Exempt => {
                let reason = skjold_core::text::Justification::parse(
                    skjold_core::Input::Reason,
                    &input.reason,
                )?;
                if status == NoticeStatus::Postponed {
                    let day = crate::catalogue::parse_date(
                        &input.until,
                        skjold_core::error::DateInput::Until,
                    )?;
                    if day <= self.now().local_date() {
                        return Err(Problem::PeriodBackwards.into());
                    }
                    until = Some(day);
                }
                reason.as_str().to_owned()
            }
        };
        Ok(self
            .store()
            .gate()
            .record_notice(
                actor,
                subject_id,
                purpose.id,
                article,
                status,
                &body,
                until,
                self.now(),
            )
            .await?)
    }

    /// Every notice on a citizen's record (the caseworker's view).
    pub async fn notices(
        &self,
        actor: &Actor,
        subject_id: Uuid,
    ) -> Result<Vec<skjold_core::citizen_view::NoticeRecord>, AppError> {
        Ok(self
            .store()
            .gate()
            .notices(actor, subject_id, self.now())
            .await?)
    }

    /// The notices the citizen was given.
    pub async fn my_notices(
        &self,
        c: &Citizen,
    ) -> Result<Vec<skjold_core::citizen_view::NoticeRecord>, AppError> {
        Ok(self.store().gate().my_notices(c, self.now()).await?)
    }

    /// The proof of the consents of a rights case's citizen: each with its evidence opened.
    /// The privacy officer's.
    pub async fn consent_evidence(
        &self,
        actor: &Actor,
        case_id: Uuid,
    ) -> Result<Vec<(skjold_core::consents::ConsentView, String)>, AppError> {
        Ok(self
            .store()
            .gate()
            .consent_evidence(actor, case_id, self.now())
            .await?)
    }

    /// The consent registry: every text version with its checklist.
    pub async fn consent_texts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<skjold_core::consents::ConsentText>, AppError> {
        Ok(self.store().gate().consent_texts(actor).await?)
    }

    /// The citizen's consents, and those they may give now.
    pub async fn my_consents(
        &self,
        c: &Citizen,
    ) -> Result<(Vec<MyConsent>, Vec<ConsentOffer>), AppError> {
        Ok(self.store().gate().my_consents(c, self.now()).await?)
    }

    pub async fn give_my_consent(&self, c: &Citizen, channel: Channel) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .give_my_consent(c, channel, self.now())
            .await?)
    }

    pub async fn withdraw_my_consent(
        &self,
        c: &Citizen,
        channel: Channel,
    ) -> Result<Withdrawal, AppError> {
        Ok(self
            .store()
            .gate()
            .withdraw_my_consent(c, channel, self.now())
            .await?)
    }
}

//! Secure messages (SEC-1): order threads and general threads. Here a message is checked
//! before anything is stored — its length, every attachment ([`uploads`]), and the guard's
//! scan of the body and the attachments' text ([`extract`]) — then handed to the gate,
//! which applies the guard's verdict (core's `threads` rule) with what only it knows.

pub mod extract;
pub mod uploads;

use std::sync::{Arc, OnceLock};

use uuid::Uuid;

use skjold_core::text::MAX_MESSAGE;
use skjold_core::threads::{
    AttachmentFile, GeneralThreadSummary, GeneralThreadView, GuardFindings, NewAttachment,
    OutgoingMessage, ThreadView,
};
use skjold_core::{Action, Actor, Input, Problem, Role};
use skjold_scrub::{Config, Kind, Scrubber};

use crate::{App, AppError, require};
use extract::Extracted;
use uploads::{MAX_ATTACHMENTS, Upload, check_upload};

/// A message that passed the checks, with what the guard found in it.
struct Outgoing<'b> {
    body: &'b str,
    attachments: Vec<NewAttachment>,
    confirmation: Option<&'b str>,
    findings: GuardFindings,
}

impl Outgoing<'_> {
    fn message(&self) -> OutgoingMessage<'_> {
        OutgoingMessage {
            body: self.body,
            attachments: &self.attachments,
            confirmation: self.confirmation,
        }
    }
}

/// The sender's written confirmation, bounded like any text; empty is none.
fn confirmation_text(confirmation: Option<&str>) -> Result<Option<&str>, AppError> {
    match confirmation {
        Some(c) => {
            let c = skjold_core::text::text(Input::Confirmation, c, skjold_core::text::MAX_TEXT)?;
            Ok(Some(c).filter(|c| !c.is_empty()))
        }
        None => Ok(None),
    }
}

/// The scrubber the guard uses, built once (its patterns take a few milliseconds).
#[derive(Clone, Default)]
pub(crate) struct Guard(Arc<OnceLock<Result<Scrubber, String>>>);

impl Guard {
    pub(crate) fn scrubber(&self, app: &App) -> Result<&Scrubber, AppError> {
        let built = self.0.get_or_init(|| {
            let today = app.now().local_date();
            let today = skjold_scrub::Date::new(today.year(), today.month(), today.day());
            Scrubber::new(Config {
                today,
                ..Config::default()
            })
            .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| AppError::Internal(format!("guard scrubber: {e}")))
    }
}

impl App {
    /// What the guard sees in a text: CPR numbers (as the scrubber knows them, and in every
    /// other written form: dots, spaces, full-width digits) and special-category or
    /// criminal terms.
    pub fn guard_findings(&self, text: &str) -> Result<GuardFindings, AppError> {
        let mut findings = GuardFindings::default();
        self.scan_into(text, &mut findings)?;
        Ok(findings)
    }

    fn scan_into(&self, text: &str, findings: &mut GuardFindings) -> Result<(), AppError> {
        let scrubber = self.guard.scrubber(self)?;
        let mut cprs = 0;
        for f in scrubber.find(text) {
            match f.kind {
                Kind::Cpr | Kind::NoId => cprs += 1,
                Kind::Sensitive => {
                    let term = text.get(f.start..f.end).unwrap_or_default().to_lowercase();
                    if !findings.sensitive_terms.contains(&term) {
                        findings.sensitive_terms.push(term);
                    }
                }
                _ => {}
            }
        }
        findings.cpr_numbers += cprs.max(skjold_core::ids::find_cpr_numbers(text).len());
        Ok(())
    }

    /// What the guard sees in a message and its attachments: each file's text is read
    /// and scanned like the body; a file whose text cannot be read is named.
    async fn guard_message(
        &self,
        body: &str,
        attachments: &[NewAttachment],
    ) -> Result<GuardFindings, AppError> {
        let mut findings = self.guard_findings(body)?;
        // Reading a document is work for a blocking thread, not the request's.
        let files: Vec<(String, Vec<u8>)> = attachments
            .iter()
            .map(|a| (a.content_type.clone(), a.bytes.clone()))
            .collect();
        let texts = tokio::task::spawn_blocking(move || {
            files
                .iter()
                .map(|(content_type, bytes)| extract::text_of(content_type, bytes))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| AppError::Internal(format!("reading attachments: {e}")))?;
        for (a, extracted) in attachments.iter().zip(texts) {
            match extracted {
                Extracted::Text(text) => {
                    self.scan_into(&text, &mut findings)?;
                    findings.attachment_text.push_str(&text);
                    findings.attachment_text.push('\n');
                }
                Extracted::Unreadable => findings.unreadable.push(a.filename.clone()),
            }
        }
        Ok(findings)
    }

    pub async fn thread(&self, actor: &Actor, order_id: Uuid) -> Result<ThreadView, AppError> {
        Ok(self
            .store()
            .gate()
            .thread(actor, order_id, self.now())
            .await?)
    }

    /// Sends a message without attachments.
    pub async fn send_message(
        &self,
        actor: &Actor,
        order_id: Uuid,
        body: &str,
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        self.send_message_with(actor, order_id, body, &[], confirmation)
            .await
    }

    /// Sends a message on an order's thread; see the gate for the guard's rules. Every
    /// attachment is checked before anything is stored.
    pub async fn send_message_with(
        &self,
        actor: &Actor,
        order_id: Uuid,
        body: &str,
        uploads: &[Upload],
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        let out = self
            .check_outgoing(actor, Action::UseOrderThread, body, uploads, confirmation)
            .await?;
        let gate = self.store().gate();
        let id = gate
            .post_message(actor, order_id, &out.message(), &out.findings, self.now())
            .await?;
        if self.notifier.is_on() {
            self.notifier
                .notify(gate.notification_recipients(actor, order_id).await?);
        }
        Ok(id)
    }

    /// Checks a message before anything is stored: the sender's role, its length, every
    /// attachment, the confirmation, and what the guard finds in it. The guard stops what
    /// the municipality discloses; a supplier writing to the municipality discloses
    /// nothing, so its messages are not scanned.
    async fn check_outgoing<'b>(
        &self,
        actor: &Actor,
        action: Action,
        body: &'b str,
        uploads: &[Upload],
        confirmation: Option<&'b str>,
    ) -> Result<Outgoing<'b>, AppError> {
        require(actor, action)?;
        let confirmation = confirmation_text(confirmation)?;
        if uploads.len() > MAX_ATTACHMENTS {
            return Err(Problem::TooManyAttachments {
                max: MAX_ATTACHMENTS,
            }
            .into());
        }
        let attachments = uploads
            .iter()
            .map(check_upload)
            .collect::<Result<Vec<_>, _>>()?;
        let body = skjold_core::text::text(Input::Message, body, usize::MAX)?;
        if body.is_empty() {
            return Err(Problem::MessageEmpty.into());
        }
        if body.chars().count() > MAX_MESSAGE {
            return Err(Problem::MessageTooLong { max: MAX_MESSAGE }.into());
        }
        let findings = if actor.role == Role::Caseworker {
            self.guard_message(body, &attachments).await?
        } else {
            GuardFindings::default()
        };
        Ok(Outgoing {
            body,
            attachments,
            confirmation,
            findings,
        })
    }

    /// The user's general threads with suppliers (or, for a supplier, municipalities).
    pub async fn general_threads(
        &self,
        actor: &Actor,
    ) -> Result<Vec<GeneralThreadSummary>, AppError> {
        Ok(self
            .store()
            .gate()
            .general_threads(actor, self.now())
            .await?)
    }

    pub async fn general_thread(
        &self,
        actor: &Actor,
        counterpart: Uuid,
    ) -> Result<GeneralThreadView, AppError> {
        Ok(self
            .store()
            .gate()
            .general_thread(actor, counterpart, self.now())
            .await?)
    }

    /// Sends a message on the general thread with `counterpart`; checked like a message
    /// on an order's thread.
    pub async fn send_general_message(
        &self,
        actor: &Actor,
        counterpart: Uuid,
        body: &str,
        uploads: &[Upload],
        confirmation: Option<&str>,
    ) -> Result<Uuid, AppError> {
        let out = self
            .check_outgoing(actor, Action::UseGeneralThread, body, uploads, confirmation)
            .await?;
        let gate = self.store().gate();
        let id = gate
            .post_general_message(
                actor,
                counterpart,
                &out.message(),
                &out.findings,
                self.now(),
            )
            .await?;
        if self.notifier.is_on() {
            self.notifier.notify(
                gate.general_notification_recipients(actor, counterpart)
                    .await?,
            );
        }
        Ok(id)
    }

    pub async fn general_attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
    ) -> Result<AttachmentFile, AppError> {
        Ok(self
            .store()
            .gate()
            .general_attachment(actor, attachment_id, self.now())
            .await?)
    }

    pub async fn attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
    ) -> Result<AttachmentFile, AppError> {
        Ok(self
            .store()
            .gate()
            .attachment(actor, attachment_id, self.now())
            .await?)
    }
}

//! The procurement-data collaboration (INV-1 … INV-4, INV-12, INV-17): invoices in,
//! anonymised, reviewed, analysed.
//!
//! - [`anonymise`]: the first step: the scrubber replaces personal data, and only the
//!   anonymised document is read; what it was unsure of sends the document to review.
//! - [`read`]: a UBL invoice or credit note (OIOUBL, PEPPOL BIS 3, EHF) read into the
//!   analyses' [`Document`](skjold_core::invoices::document::Document).
//! - [`files`]: what an upload or an import holds: UBL files, or zips of them.
//!
//! The use cases here: taking part ([`App::join_invoices`]); sending documents, all or
//! nothing from a user ([`App::send_invoices`]) or file by file from the operator's import
//! ([`App::import_invoices`]); the review queue and its decisions; an organisation's report
//! ([`App::spend_report`]); its own data back to its designated contact
//! ([`App::return_invoices`]); and the anonymised lines as JSON Lines
//! ([`App::export_invoice_lines`]). The rules on what figures may leave an organisation
//! are core's ([`skjold_core::invoices::sharing`]).

pub mod anonymise;
pub mod files;
pub mod read;

#[cfg(test)]
mod tests;

use std::io::Write;

use rayon::prelude::*;
use uuid::Uuid;

use skjold_core::invoices::report::{Report, report};
use skjold_core::invoices::review::{
    Decision, ForReview, Participant, QueueState, Queued, Status, redact,
};
use skjold_core::invoices::sharing::Thresholds;
use skjold_core::text::{MAX_TEXT, text};
use skjold_core::{Action, Actor, Input, Problem};
use skjold_store::gate::Received;
pub use skjold_store::gate::{ExportLine, Joining, Participation, Stored};

use crate::{App, AppError, require};
use anonymise::{Anonymised, anonymise};
pub use files::Upload;

/// What an upload did.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    /// Each document, by the file it came from (`archive.zip/inner.xml` for a zip's).
    pub documents: Vec<(String, Stored)>,
}

impl Sent {
    pub fn new_documents(&self) -> usize {
        self.documents.iter().filter(|(_, s)| s.new).count()
    }

    pub fn to_review(&self) -> usize {
        self.documents
            .iter()
            .filter(|(_, s)| s.new && s.status == Status::Review)
            .count()
    }
}

/// What an import did, file by file.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub new: usize,
    /// Kept already: nothing changed.
    pub already: usize,
    pub to_review: usize,
    /// Left out, with the file and the reason.
    pub failed: Vec<(String, String)>,
}

/// A file read and anonymised: its name, its raw bytes, and what the first step made of it.
type Prepared = (String, Vec<u8>, Anonymised);
/// A file's outcome of the first step: prepared, or why not (in Danish).
type Outcome = (String, Result<Prepared, String>);

impl App {
    fn anonymise_all(&self, uploads: Vec<Upload>) -> Result<Vec<Outcome>, AppError> {
        let scrubber = self.guard.scrubber(self)?;
        Ok(uploads
            .into_par_iter()
            .map(|u| match anonymise(scrubber, &u.bytes) {
                Ok(a) => (u.name.clone(), Ok((u.name, u.bytes, a))),
                Err(e) => (u.name, Err(e.to_string())),
            })
            .collect())
    }

    async fn keep(
        &self,
        by: Option<&Actor>,
        organisation_id: Uuid,
        prepared: &[Prepared],
    ) -> Result<Vec<Stored>, AppError> {
        let received: Vec<Received<'_>> = prepared
            .iter()
            .map(|(_, raw, a)| Received {
                raw,
                anonymised: &a.xml,
                document: &a.document,
                review: &a.review,
            })
            .collect();
        Ok(self
            .store()
            .gate()
            .receive_invoices(by, organisation_id, &received, self.now())
            .await?)
    }

    /// Records the actor's municipality's part in the collaboration (its administrator).
    pub async fn join_invoices(&self, actor: &Actor, joining: &Joining) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .join_invoices(Some(actor), actor.controller_id, joining, self.now())
            .await?)
    }

    /// Records a municipality's part in the collaboration as the operator (the demo, the
    /// command line).
    pub async fn join_invoices_as_operator(
        &self,
        organisation_id: Uuid,
        joining: &Joining,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .join_invoices(None, organisation_id, joining, self.now())
            .await?)
    }

    /// Ends the municipality's part: the raw copies are deleted within 30 days.
    pub async fn leave_invoices(&self, actor: &Actor) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .leave_invoices(actor, self.now())
            .await?)
    }

    /// The actor's organisation's part in the collaboration, if any.
    pub async fn invoice_participation(
        &self,
        actor: &Actor,
    ) -> Result<Option<Participation>, AppError> {
        require(actor, Action::ReadOwnSpend).or_else(|_| require(actor, Action::SendInvoices))?;
        Ok(self
            .store()
            .gate()
            .invoice_participation(actor.controller_id)
            .await?)
    }

    /// Sends the actor's organisation's documents (UBL files, or zips of them): every one
    /// anonymised first, then all kept in one transaction. One that cannot be read refuses
    /// the upload, and nothing of it is kept.
    pub async fn send_invoices(
        &self,
        actor: &Actor,
        uploads: Vec<Upload>,
    ) -> Result<Sent, AppError> {
        require(actor, Action::SendInvoices)?;
        let uploads = files::expand(uploads)?;
        let mut prepared = Vec::with_capacity(uploads.len());
        for (name, outcome) in self.anonymise_all(uploads)? {
            prepared.push(outcome.map_err(|reason| {
                AppError::Refused(Problem::InvoiceUnreadable { file: name, reason })
            })?);
        }
        let stored = self
            .keep(Some(actor), actor.controller_id, &prepared)
            .await?;
        Ok(Sent {
            documents: prepared
                .into_iter()
                .map(|(name, _, _)| name)
                .zip(stored)
                .collect(),
        })
    }

    /// The operator's import into `organisation_id` (the CLI): the documents `batch` at a
    /// time (anonymised on every core, kept in one transaction per batch). A file that
    /// cannot be read is reported and left out; the rest goes on. `progress` hears how
    /// many files are done after each batch.
    pub async fn import_invoices(
        &self,
        organisation_id: Uuid,
        uploads: Vec<Upload>,
        batch: usize,
        mut progress: impl FnMut(usize),
    ) -> Result<Imported, AppError> {
        let mut report = Imported::default();
        let mut done = 0;
        let mut uploads = uploads.into_iter().peekable();
        while uploads.peek().is_some() {
            let chunk: Vec<Upload> = uploads.by_ref().take(batch.max(1)).collect();
            done += chunk.len();
            let mut expanded = Vec::with_capacity(chunk.len());
            for u in chunk {
                let name = u.name.clone();
                match files::expand_one(u) {
                    Ok(mut e) => expanded.append(&mut e),
                    Err(why) => report.failed.push((name, why)),
                }
            }
            let mut prepared = Vec::with_capacity(expanded.len());
            for (name, outcome) in self.anonymise_all(expanded)? {
                match outcome {
                    Ok(p) => prepared.push(p),
                    Err(reason) => report.failed.push((name, reason)),
                }
            }
            if !prepared.is_empty() {
                for s in self.keep(None, organisation_id, &prepared).await? {
                    match (s.new, s.status) {
                        (false, _) => report.already += 1,
                        (true, Status::Review) => {
                            report.new += 1;
                            report.to_review += 1;
                        }
                        (true, _) => report.new += 1,
                    }
                }
            }
            progress(done);
        }
        Ok(report)
    }

    /// The organisation an import goes into: one with a participation, by name.
    pub async fn invoice_organisation(&self, name: &str) -> Result<Uuid, AppError> {
        let found = self
            .store()
            .directory()
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.name == name.trim())
            .ok_or(AppError::Refused(Problem::OrganisationNotFound))?;
        match self.store().gate().invoice_participation(found.id).await? {
            Some(p) if p.ended_at.is_none() => Ok(found.id),
            _ => Err(AppError::Refused(Problem::NotParticipating)),
        }
    }

    /// The participants of the analyst's service.
    pub async fn invoice_participants(&self, actor: &Actor) -> Result<Vec<Participant>, AppError> {
        Ok(self.store().gate().invoice_participants(actor).await?)
    }

    /// The review queue of the reviewer's service, oldest first.
    pub async fn invoice_queue(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Queued>, QueueState), AppError> {
        Ok(self
            .store()
            .gate()
            .invoice_queue(actor, limit, offset)
            .await?)
    }

    pub async fn invoice_for_review(&self, actor: &Actor, id: Uuid) -> Result<ForReview, AppError> {
        Ok(self
            .store()
            .gate()
            .invoice_for_review(actor, id, self.now())
            .await?)
    }

    /// A reviewer's decision. Approved, the pieces named are hidden wherever they stand
    /// and the document is read again before it enters the analyses.
    pub async fn decide_invoice(
        &self,
        actor: &Actor,
        id: Uuid,
        decision: &Decision,
        note: &str,
    ) -> Result<Status, AppError> {
        require(actor, Action::ReviewInvoices)?;
        let note = text(Input::Note, note.trim(), MAX_TEXT)?;
        let gate = self.store().gate();
        match decision {
            Decision::Reject => Ok(gate
                .decide_invoice(actor, id, None, 0, note, self.now())
                .await?),
            Decision::Approve { redact: pieces } => {
                let current = gate.invoice_for_review(actor, id, self.now()).await?;
                if current.status != Status::Review {
                    return Err(AppError::Refused(Problem::InvoiceDecided));
                }
                let (revised, n) = redact(&current.anonymised, pieces);
                let document = read::read(&revised).map_err(|e| {
                    AppError::Refused(Problem::InvoiceUnreadable {
                        file: current.queued.document_id.clone(),
                        reason: e.to_string(),
                    })
                })?;
                Ok(gate
                    .decide_invoice(
                        actor,
                        id,
                        Some((revised.as_bytes(), &document)),
                        n,
                        note,
                        self.now(),
                    )
                    .await?)
            }
        }
    }

    /// The actor's organisation's spend analysis.
    pub async fn spend_report(&self, actor: &Actor) -> Result<Report, AppError> {
        let (own, all, counts) = self.store().gate().invoice_spend(actor).await?;
        Ok(report(
            actor.controller_id,
            &own,
            &all,
            counts,
            &Thresholds::default(),
        ))
    }

    /// The organisation's own documents as received, as a zip, for its designated contact.
    pub async fn return_invoices(&self, actor: &Actor) -> Result<Vec<u8>, AppError> {
        let returned = self
            .store()
            .gate()
            .return_invoices(actor, self.now())
            .await?;
        files::zip_of(returned.iter().map(|r| {
            (
                format!("{}-{}.xml", r.issue_date, r.document_id),
                &r.raw[..],
            )
        }))
    }

    /// Writes the anonymised lines of the documents in the analyses (of one organisation,
    /// or all) as JSON Lines; returns how many.
    pub async fn export_invoice_lines(
        &self,
        organisation: Option<Uuid>,
        out: &mut impl Write,
    ) -> Result<u64, AppError> {
        const PAGE: i64 = 10_000;
        let gate = self.store().gate();
        let mut after = None;
        let mut n = 0;
        loop {
            let page: Vec<ExportLine> =
                gate.export_invoice_lines(organisation, after, PAGE).await?;
            for line in &page {
                serde_json::to_writer(&mut *out, line)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                out.write_all(b"\n")
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                n += 1;
            }
            match page.last() {
                Some(last) if page.len() == PAGE as usize => {
                    after = Some((last.document, last.line))
                }
                _ => break,
            }
        }
        Ok(n)
    }
}

//! The DPAs' desk (GDPR art. 28): versions of the terms, sub-processors, transfers,
//! audits and inspections, processors' notices, the end of a DPA, and the written security
//! rules. The rules are core's (`skjold_core::processors`); the store keeps the records.

use uuid::Uuid;

use skjold_core::processors::{
    AuditKind, ChangeKind, DpaDesk, DpaTerms, ProcessorNoticeKind, ReturnExport, SecurityRules,
    SubProcessorChange, TransferBasis,
};
use skjold_core::{Actor, Date};

use skjold_core::threads::NewAttachment;

use crate::threads::uploads::{Upload, check_upload};
use crate::{App, AppError};

/// A change of sub-processor, as the processor announces it.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub change: SubProcessorChange,
    pub name: String,
    pub country: String,
    pub task: String,
    pub planned_on: Date,
    pub agreement_on: Option<Date>,
}

/// A transfer to a third country, as the processor presents it.
#[derive(Debug, Clone)]
pub struct TransferInput {
    pub recipient: String,
    pub country: String,
    pub basis: TransferBasis,
    pub document_name: String,
    pub document: Vec<u8>,
}

impl App {
    pub async fn dpa_desks(&self, actor: &Actor) -> Result<Vec<DpaDesk>, AppError> {
        Ok(self.store().gate().dpa_desks(actor, self.now()).await?)
    }

    pub async fn dpa_desk(&self, actor: &Actor, dpa_id: Uuid) -> Result<DpaDesk, AppError> {
        Ok(self
            .store()
            .gate()
            .dpa_desk(actor, dpa_id, self.now())
            .await?)
    }

    /// A new version of a DPA's terms, taking effect on `effective_on`.
    pub async fn new_dpa_version(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        change: ChangeKind,
        terms: &DpaTerms,
        effective_on: Date,
    ) -> Result<u32, AppError> {
        Ok(self
            .store()
            .gate()
            .new_dpa_version(actor, dpa_id, change, terms, effective_on, self.now())
            .await?)
    }

    pub async fn acknowledge_dpa_version(
        &self,
        actor: &Actor,
        version_id: Uuid,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .acknowledge_dpa_version(actor, version_id, self.now())
            .await?)
    }

    pub async fn announce_sub_processor(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        a: &Announcement,
    ) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .announce_sub_processor(
                actor,
                dpa_id,
                a.change,
                &a.name,
                &a.country,
                &a.task,
                a.planned_on,
                a.agreement_on,
                self.now(),
            )
            .await?)
    }

    pub async fn object_sub_processor(
        &self,
        actor: &Actor,
        id: Uuid,
        objection: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .object_sub_processor(actor, id, objection, self.now())
            .await?)
    }

    pub async fn present_transfer(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        t: &TransferInput,
    ) -> Result<Uuid, AppError> {
        // The document passes the attachments' guard: judged by its content, named safely.
        let document = check_upload(&Upload {
            filename: t.document_name.clone(),
            bytes: t.document.clone(),
        })?;
        Ok(self
            .store()
            .gate()
            .present_transfer(
                actor,
                dpa_id,
                &t.recipient,
                &t.country,
                t.basis,
                &document.filename,
                &document.bytes,
                self.now(),
            )
            .await?)
    }

    /// A transfer's document, to download: its safe name and the type judged from its
    /// content (the guard it passed when presented).
    pub async fn transfer_document(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<NewAttachment, AppError> {
        let (filename, bytes) = self.store().gate().transfer_document(actor, id).await?;
        check_upload(&Upload { filename, bytes })
    }

    pub async fn decide_transfer(
        &self,
        actor: &Actor,
        id: Uuid,
        approve: bool,
        note: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .decide_transfer(actor, id, approve, note, self.now())
            .await?)
    }

    pub async fn record_audit(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        kind: AuditKind,
        on: Date,
        summary: &str,
    ) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .record_audit(actor, dpa_id, kind, on, summary, self.now())
            .await?)
    }

    pub async fn send_processor_notice(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        kind: ProcessorNoticeKind,
        received_on: Date,
        body: &str,
    ) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .send_processor_notice(actor, dpa_id, kind, received_on, body, self.now())
            .await?)
    }

    pub async fn handle_processor_notice(
        &self,
        actor: &Actor,
        id: Uuid,
        response: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .handle_processor_notice(actor, id, response, self.now())
            .await?)
    }

    pub async fn confirm_dpa_end(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        confirmation: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .confirm_dpa_end(actor, dpa_id, confirmation, self.now())
            .await?)
    }

    /// What the processor of an ending or ended DPA holds for the municipality, to take
    /// back (INV-17); logged once per citizen.
    pub async fn return_export(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
    ) -> Result<ReturnExport, AppError> {
        Ok(self
            .store()
            .gate()
            .return_export(actor, dpa_id, self.now())
            .await?)
    }

    pub async fn security_rules(&self, actor: &Actor) -> Result<Vec<SecurityRules>, AppError> {
        Ok(self
            .store()
            .gate()
            .security_rules(actor, self.now())
            .await?)
    }

    /// Who may own the security rules: the active users of the municipality and its units.
    pub async fn rules_owners(
        &self,
        actor: &Actor,
    ) -> Result<Vec<skjold_core::directory::User>, AppError> {
        crate::require(actor, skjold_core::Action::ManageProcessors)?;
        let own: Vec<Uuid> = self
            .store()
            .directory()
            .organisations_of(actor.controller_id)
            .await?
            .into_iter()
            .filter(|o| o.kind != skjold_core::OrgKind::Supplier)
            .map(|o| o.id)
            .collect();
        let mut users = self.store().directory().users(&own).await?;
        users.retain(|u| u.active);
        Ok(users)
    }

    pub async fn approve_security_rules(
        &self,
        actor: &Actor,
        title: &str,
        body: &str,
        owner: Uuid,
    ) -> Result<u32, AppError> {
        Ok(self
            .store()
            .gate()
            .approve_security_rules(actor, title, body, owner, self.now())
            .await?)
    }
}

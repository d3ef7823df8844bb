//! The controller's and the processors' sides of their DPAs (GDPR art. 28): the terms in
//! versions (each acknowledged by the processor), sub-processor changes with the
//! controller's window to object, third-country transfers refused until approved, audit
//! statements and inspections, the processors' warnings and forwarded requests, the
//! return or deletion when a DPA ends, and the written security rules (SA-1). The rules
//! and deadlines are core's (`skjold_core::processors`).
//!
//! The notices a processor sends may name a citizen (a rights request it received), so
//! their texts are sealed under the municipality's key and reading them is logged. The
//! rest holds no personal data.

use uuid::Uuid;

use skjold_core::catalogue::Dpa;
use skjold_core::oversight::UseKind;
use skjold_core::processors::{
    AuditKind, AuditRecordView, ChangeKind, DpaDesk, DpaTerms, DpaVersionView, ProcessorNoticeKind,
    ProcessorNoticeView, ReturnExport, SECURITY_RULES_REVIEW_MONTHS, SecurityRules,
    SubProcessorChange, SubProcessorStatus, SubProcessorView, TransferBasis, TransferStatus,
    TransferView, audit_status, check_announcement, check_effective, check_inspection, ending,
    in_eea, may_object, missing_topics, notice_due, objection_deadline, status, takes_effect_on,
};
use skjold_core::text::{self, MAX_TEXT};
use skjold_core::{Action, Actor, Date, Input, Problem, Role};

use super::*;
use skjold_core::orders::SupplierOrderView;

use crate::catalogue::{DPA_SELECT, DpaRow, purpose_summary, with_coverage};

const PURPOSE_PROCESSORS: &str = "Tilsyn med databehandlere";

/// A stored date; the schema only ever holds `YYYY-MM-DD`.
fn date(s: &str) -> Date {
    s.parse().unwrap_or(Date::EPOCH)
}

fn text_of(sealed: &[u8], key: &SubjectKey, owner: Uuid, aad: &str) -> Result<String, StoreError> {
    if sealed.is_empty() {
        return Ok(String::new());
    }
    Ok(String::from_utf8(key.open_bytes(owner, aad, sealed)?).unwrap_or_default())
}

/// A DPA the actor may see: the municipality's own, or, for a supplier, its own.
async fn visible_dpa(tx: &mut Tx, actor: &Actor, dpa_id: Uuid) -> Result<(Uuid, Dpa), StoreError> {
    let sql = format!("{DPA_SELECT} WHERE d.id = $1");
    let row = fetch!(tx, fetch_optional, DpaRow, &sql, dpa_id)?
        .ok_or(StoreError::Refused(Problem::DpaNotFound))?;
    let controller: Uuid = scalar!(
        tx,
        fetch_one,
        Uuid,
        "SELECT controller_id FROM dpa WHERE id = $1",
        dpa_id
    )?;
    let dpa = with_coverage(tx, row.into_model()?).await?;
    let visible = if actor.role == Role::SupplierUser {
        dpa.processor_id == actor.organisation_id
    } else {
        controller == actor.controller_id
    };
    if !visible {
        return Err(Problem::DpaNotFound.into());
    }
    Ok((controller, dpa))
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: Uuid,
    version: i64,
    change_kind: String,
    instructions: String,
    data_categories: String,
    subject_categories: String,
    security_level: String,
    breach_notice_hours: i64,
    retention_and_return: String,
    audit_terms: String,
    notified_on: String,
    effective_on: String,
    created_by: Option<String>,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SubRow {
    id: Uuid,
    change_kind: String,
    name: String,
    country: String,
    task: String,
    announced_on: String,
    planned_on: String,
    agreement_on: Option<String>,
    objected_at: Option<i64>,
    objection: Option<String>,
    withdrawn_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TransferRow {
    id: Uuid,
    recipient: String,
    country: String,
    basis: String,
    document_name: String,
    document_sha256: String,
    status: String,
    presented_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: Uuid,
    kind: String,
    received_on: String,
    due_on: String,
    body: Vec<u8>,
    sent_by: String,
    sent_at: i64,
    handled_by: Option<String>,
    handled_at: Option<i64>,
    response: Option<Vec<u8>>,
}

impl Gate {
    /// Every DPA the actor may see, with everything the desk holds about each. Logged as
    /// one read (the processors' notices may name citizens).
    pub async fn dpa_desks(&self, actor: &Actor, now: Now) -> Result<Vec<DpaDesk>, StoreError> {
        require(actor, Action::ReadProcessors)?;
        let mut tx = self.db.read().await?;
        let ids: Vec<Uuid> = if actor.role == Role::SupplierUser {
            scalar!(
                &mut tx,
                fetch_all,
                Uuid,
                "SELECT id FROM dpa WHERE processor_id = $1 ORDER BY starts_on",
                actor.organisation_id
            )?
        } else {
            scalar!(
                &mut tx,
                fetch_all,
                Uuid,
                "SELECT d.id FROM dpa d JOIN organisation o ON o.id = d.processor_id \
                 WHERE d.controller_id = $1 ORDER BY o.name, d.starts_on",
                actor.controller_id
            )?
        };
        let mut desks = Vec::with_capacity(ids.len());
        for id in ids {
            desks.push(self.desk_in(&mut tx, actor, id, now).await?);
        }
        let u = Use::new(
            UseKind::Oversight,
            None,
            PURPOSE_PROCESSORS,
            format!("Databehandleraftaler læst ({})", desks.len()),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        Ok(desks)
    }

    /// One DPA with everything the desk holds about it. Logged.
    pub async fn dpa_desk(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        now: Now,
    ) -> Result<DpaDesk, StoreError> {
        require(actor, Action::ReadProcessors)?;
        let mut tx = self.db.read().await?;
        let desk = match self.desk_in(&mut tx, actor, dpa_id, now).await {
            Ok(d) => d,
            Err(e) => {
                let u = Use::new(
                    UseKind::Oversight,
                    None,
                    PURPOSE_PROCESSORS,
                    "Databehandleraftale afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let u = Use::new(
            UseKind::Oversight,
            None,
            PURPOSE_PROCESSORS,
            format!("Databehandleraftale {} læst", desk.dpa.reference),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        Ok(desk)
    }

    async fn desk_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        dpa_id: Uuid,
        now: Now,
    ) -> Result<DpaDesk, StoreError> {
        let (controller, dpa) = visible_dpa(tx, actor, dpa_id).await?;
        let today = now.local_date();
        let versions = fetch!(
            tx,
            fetch_all,
            VersionRow,
            "SELECT v.id, v.version, v.change_kind, v.instructions, v.data_categories, v.subject_categories, \
             v.security_level, v.breach_notice_hours, v.retention_and_return, v.audit_terms, v.notified_on, \
             v.effective_on, c.display_name AS created_by, a.display_name AS acknowledged_by, v.acknowledged_at \
             FROM dpa_version v LEFT JOIN app_user c ON c.id = v.created_by \
             LEFT JOIN app_user a ON a.id = v.acknowledged_by WHERE v.dpa_id = $1 ORDER BY v.version DESC",
            dpa_id
        )?;
        let in_force_version = versions
            .iter()
            .filter(|v| date(&v.effective_on) <= today)
            .map(|v| v.version)
            .max();
        let versions = versions
            .into_iter()
            .map(|v| DpaVersionView {
                id: v.id,
                version: u32::try_from(v.version).unwrap_or(0),
                change: ChangeKind::parse(&v.change_kind).unwrap_or(ChangeKind::Agreed),
                in_force: Some(v.version) == in_force_version,
                terms: DpaTerms {
                    instructions: v.instructions,
                    data_categories: v.data_categories,
                    subject_categories: v.subject_categories,
                    security_level: v.security_level,
                    breach_notice_hours: u32::try_from(v.breach_notice_hours).unwrap_or(24),
                    retention_and_return: v.retention_and_return,
                    audit_terms: v.audit_terms,
                },
                notified_on: date(&v.notified_on),
                effective_on: date(&v.effective_on),
                created_by: v.created_by,
                acknowledged_by: v.acknowledged_by,
                acknowledged_at: v.acknowledged_at.map(Now::from_micros),
            })
            .collect();
        let transfers: Vec<TransferView> = fetch!(
            tx,
            fetch_all,
            TransferRow,
            "SELECT t.id, t.recipient, t.country, t.basis, t.document_name, t.document_sha256, t.status, \
             t.presented_at, u.display_name AS decided_by, t.decided_at, t.note FROM transfer t \
             LEFT JOIN app_user u ON u.id = t.decided_by WHERE t.dpa_id = $1 ORDER BY t.presented_at DESC",
            dpa_id
        )?
        .into_iter()
        .map(|t| TransferView {
            id: t.id,
            recipient: t.recipient,
            country: t.country,
            basis: TransferBasis::parse(&t.basis).unwrap_or(TransferBasis::Derogation),
            document_name: t.document_name,
            document_sha256: t.document_sha256,
            status: TransferStatus::parse(&t.status).unwrap_or(TransferStatus::Presented),
            presented_at: Now::from_micros(t.presented_at),
            decided_by: t.decided_by,
            decided_at: t.decided_at.map(Now::from_micros),
            note: t.note,
        })
        .collect();
        let approved_country = |c: &str| {
            transfers
                .iter()
                .any(|t| t.status == TransferStatus::Approved && t.country.eq_ignore_ascii_case(c))
        };
        let sub_processors = fetch!(
            tx,
            fetch_all,
            SubRow,
            "SELECT id, change_kind, name, country, task, announced_on, planned_on, agreement_on, \
             objected_at, objection, withdrawn_at FROM sub_processor WHERE dpa_id = $1 \
             ORDER BY announced_on DESC, name",
            dpa_id
        )?
        .into_iter()
        .map(|s| {
            let (announced, planned) = (date(&s.announced_on), date(&s.planned_on));
            let change =
                SubProcessorChange::parse(&s.change_kind).unwrap_or(SubProcessorChange::Add);
            let needs_transfer_basis = change == SubProcessorChange::Add
                && !in_eea(&s.country)
                && !approved_country(&s.country);
            let mut st = status(
                announced,
                planned,
                s.objected_at.is_some(),
                s.withdrawn_at.is_some(),
                today,
            );
            if needs_transfer_basis && st == SubProcessorStatus::InEffect {
                st = SubProcessorStatus::Announced;
            }
            SubProcessorView {
                id: s.id,
                change,
                name: s.name,
                country: s.country,
                task: s.task,
                announced_on: announced,
                planned_on: planned,
                objection_deadline: objection_deadline(announced),
                takes_effect_on: takes_effect_on(announced, planned),
                agreement_on: s.agreement_on.as_deref().map(date),
                status: st,
                needs_transfer_basis,
                may_object: st == SubProcessorStatus::Announced && may_object(announced, today),
                objection: s.objection,
            }
        })
        .collect();
        let audits: Vec<AuditRecordView> = fetch!(
            tx,
            fetch_all,
            (Uuid, String, String, Option<String>, String, String),
            "SELECT a.id, a.kind, a.on_date, a.notified_on, a.summary, u.display_name FROM audit_record a \
             JOIN app_user u ON u.id = a.recorded_by WHERE a.dpa_id = $1 ORDER BY a.on_date DESC",
            dpa_id
        )?
        .into_iter()
        .map(|(id, kind, on, notified, summary, by)| AuditRecordView {
            id,
            kind: AuditKind::parse(&kind).unwrap_or(AuditKind::Statement),
            on: date(&on),
            notified_on: notified.as_deref().map(date),
            summary,
            recorded_by: by,
        })
        .collect();
        let last_statement = audits
            .iter()
            .filter(|a| a.kind == AuditKind::Statement)
            .map(|a| a.on)
            .max();
        let rows = fetch!(
            tx,
            fetch_all,
            NoticeRow,
            "SELECT n.id, n.kind, n.received_on, n.due_on, n.body, s.display_name AS sent_by, n.sent_at, \
             h.display_name AS handled_by, n.handled_at, n.response FROM processor_notice n \
             JOIN app_user s ON s.id = n.sent_by LEFT JOIN app_user h ON h.id = n.handled_by \
             WHERE n.dpa_id = $1 ORDER BY n.sent_at DESC",
            dpa_id
        )?;
        let mut notices = Vec::with_capacity(rows.len());
        if !rows.is_empty() {
            let key = self.organisation_key(controller, now).await?;
            for n in rows {
                let sent_at = Now::from_micros(n.sent_at);
                let due_on = date(&n.due_on);
                notices.push(ProcessorNoticeView {
                    id: n.id,
                    kind: ProcessorNoticeKind::parse(&n.kind)
                        .unwrap_or(ProcessorNoticeKind::UnlawfulInstruction),
                    received_on: date(&n.received_on),
                    due_on,
                    late: sent_at.local_date() > due_on,
                    sent_at,
                    sent_by: n.sent_by,
                    body: text_of(&n.body, &key, controller, &format!("notice:{}", n.id))?,
                    handled_by: n.handled_by,
                    handled_at: n.handled_at.map(Now::from_micros),
                    response: match &n.response {
                        Some(r) => Some(text_of(
                            r,
                            &key,
                            controller,
                            &format!("notice:{}:response", n.id),
                        )?),
                        None => None,
                    },
                });
            }
        }
        let ending = match dpa.ends_on {
            Some(end) if end < today => {
                let confirmed = fetch!(
                    tx,
                    fetch_optional,
                    (i64, String, String),
                    "SELECT c.confirmed_at, u.display_name, c.confirmation FROM dpa_end_confirmation c \
                     JOIN app_user u ON u.id = c.confirmed_by WHERE c.dpa_id = $1",
                    dpa_id
                )?
                .map(|(at, by, text)| (Now::from_micros(at), by, text));
                Some(ending(end, confirmed, today))
            }
            _ => None,
        };
        Ok(DpaDesk {
            audit_status: audit_status(dpa.starts_on, last_statement, today),
            dpa,
            versions,
            sub_processors,
            transfers,
            audits,
            notices,
            ending,
        })
    }

    /// A new version of a DPA's terms. A unilateral change by the controller takes effect no
    /// earlier than 30 days after the notice.
    pub async fn new_dpa_version(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        change: ChangeKind,
        terms: &DpaTerms,
        effective_on: Date,
        now: Now,
    ) -> Result<u32, StoreError> {
        require(actor, Action::ManageProcessors)?;
        terms.check().map_err(Problem::from)?;
        for (input, t) in [
            (Input::DataCategories, &terms.data_categories),
            (Input::SubjectCategories, &terms.subject_categories),
            (Input::SecurityLevel, &terms.security_level),
            (Input::RetentionAndReturn, &terms.retention_and_return),
            (Input::AuditTerms, &terms.audit_terms),
        ] {
            text::text(input, t, MAX_TEXT)?;
        }
        text::text(Input::Instructions, &terms.instructions, MAX_TEXT)?;
        let notified_on = now.local_date();
        check_effective(change, notified_on, effective_on).map_err(Problem::from)?;
        let mut tx = self.db.write().await?;
        visible_dpa(&mut tx, actor, dpa_id).await?;
        let last: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COALESCE(MAX(version), 0) FROM dpa_version WHERE dpa_id = $1",
            dpa_id
        )?;
        execute!(
            &mut tx,
            "INSERT INTO dpa_version (id, dpa_id, version, change_kind, instructions, data_categories, \
             subject_categories, security_level, breach_notice_hours, retention_and_return, audit_terms, \
             notified_on, effective_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15)",
            Uuid::new_v4(),
            dpa_id,
            last + 1,
            change.key(),
            terms.instructions.trim(),
            terms.data_categories.trim(),
            terms.subject_categories.trim(),
            terms.security_level.trim(),
            i64::from(terms.breach_notice_hours),
            terms.retention_and_return.trim(),
            terms.audit_terms.trim(),
            notified_on.to_string(),
            effective_on.to_string(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(u32::try_from(last + 1).unwrap_or(u32::MAX))
    }

    /// The processor acknowledges a version of its DPA's terms.
    pub async fn acknowledge_dpa_version(
        &self,
        actor: &Actor,
        version_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ActAsProcessor)?;
        let mut tx = self.db.write().await?;
        let found = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Option<i64>),
            "SELECT dpa_id, acknowledged_at FROM dpa_version WHERE id = $1",
            version_id
        )?
        .ok_or(StoreError::Refused(Problem::DpaVersionNotFound))?;
        visible_dpa(&mut tx, actor, found.0)
            .await
            .map_err(|_| StoreError::Refused(Problem::DpaVersionNotFound))?;
        if found.1.is_some() {
            return Err(Problem::DpaVersionAcknowledged.into());
        }
        execute!(
            &mut tx,
            "UPDATE dpa_version SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3",
            actor.user_id,
            now.micros(),
            version_id
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// The processor announces a change of sub-processor, at least a month ahead.
    #[allow(clippy::too_many_arguments)]
    pub async fn announce_sub_processor(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        change: SubProcessorChange,
        name: &str,
        country: &str,
        task: &str,
        planned_on: Date,
        agreement_on: Option<Date>,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ActAsProcessor)?;
        let name = text::required_line(Input::Name, name)?;
        let country = country_code(country)?;
        let task = text::required_text(Input::Description, task, MAX_TEXT)?;
        let announced_on = now.local_date();
        check_announcement(announced_on, planned_on).map_err(Problem::from)?;
        let mut tx = self.db.write().await?;
        visible_dpa(&mut tx, actor, dpa_id).await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO sub_processor (id, dpa_id, change_kind, name, country, task, announced_on, \
             planned_on, agreement_on, announced_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11)",
            id,
            dpa_id,
            change.key(),
            name.trim(),
            country.as_str(),
            task.trim(),
            announced_on.to_string(),
            planned_on.to_string(),
            agreement_on.map(|d| d.to_string()),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The controller objects to an announced change, within the window. An objected change
    /// never takes effect.
    pub async fn object_sub_processor(
        &self,
        actor: &Actor,
        id: Uuid,
        objection: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageProcessors)?;
        let objection = text::at_least(Input::Reason, objection, text::MIN_NOTE)?;
        let mut tx = self.db.write().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String, Option<i64>, Option<i64>),
            "SELECT dpa_id, announced_on, objected_at, withdrawn_at FROM sub_processor WHERE id = $1",
            id
        )?
        .ok_or(StoreError::Refused(Problem::SubProcessorChangeNotFound))?;
        visible_dpa(&mut tx, actor, row.0)
            .await
            .map_err(|_| StoreError::Refused(Problem::SubProcessorChangeNotFound))?;
        if row.2.is_some() || row.3.is_some() {
            return Err(Problem::SubProcessorChangeSettled.into());
        }
        if !may_object(date(&row.1), now.local_date()) {
            return Err(Problem::ObjectionWindowClosed.into());
        }
        execute!(
            &mut tx,
            "UPDATE sub_processor SET objected_at = $1, objected_by = $2, objection = $3 WHERE id = $4",
            now.micros(),
            actor.user_id,
            objection.trim(),
            id
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// The processor presents a transfer to a third country with its basis and document.
    #[allow(clippy::too_many_arguments)]
    pub async fn present_transfer(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        recipient: &str,
        country: &str,
        basis: TransferBasis,
        document_name: &str,
        document: &[u8],
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ActAsProcessor)?;
        let recipient = text::required_line(Input::Name, recipient)?;
        let country = country_code(country)?;
        if in_eea(&country) {
            return Err(Problem::TransferInsideEea.into());
        }
        let document_name = text::required_line(Input::Document, document_name)?;
        if document.is_empty() {
            return Err(Problem::Required(Input::Document).into());
        }
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(document))
        };
        let mut tx = self.db.write().await?;
        visible_dpa(&mut tx, actor, dpa_id).await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO transfer (id, dpa_id, recipient, country, basis, document_name, document_sha256, \
             document, status, presented_by, presented_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             'presented', $9, $10)",
            id,
            dpa_id,
            recipient.trim(),
            country.as_str(),
            basis.key(),
            document_name.trim(),
            sha,
            document,
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The controller approves or refuses a presented transfer.
    pub async fn decide_transfer(
        &self,
        actor: &Actor,
        id: Uuid,
        approve: bool,
        note: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageProcessors)?;
        let note = text::text(Input::Note, note, MAX_TEXT)?;
        let mut tx = self.db.write().await?;
        let (dpa_id, st) = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String),
            "SELECT dpa_id, status FROM transfer WHERE id = $1",
            id
        )?
        .ok_or(StoreError::Refused(Problem::TransferNotFound))?;
        visible_dpa(&mut tx, actor, dpa_id)
            .await
            .map_err(|_| StoreError::Refused(Problem::TransferNotFound))?;
        if st != "presented" {
            return Err(Problem::TransferDecided.into());
        }
        let status = if approve {
            TransferStatus::Approved
        } else {
            TransferStatus::Refused
        };
        execute!(
            &mut tx,
            "UPDATE transfer SET status = $1, decided_by = $2, decided_at = $3, note = $4 WHERE id = $5",
            status.key(),
            actor.user_id,
            now.micros(),
            Some(note.trim()).filter(|n| !n.is_empty()),
            id
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// A transfer's document as the processor presented it (its name and bytes), for the
    /// controller to read before deciding, and for the processor itself.
    pub async fn transfer_document(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(String, Vec<u8>), StoreError> {
        require(actor, Action::ReadProcessors)?;
        let mut tx = self.db.read().await?;
        let (dpa_id, name, document) = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String, Vec<u8>),
            "SELECT dpa_id, document_name, document FROM transfer WHERE id = $1",
            id
        )?
        .ok_or(StoreError::Refused(Problem::TransferNotFound))?;
        visible_dpa(&mut tx, actor, dpa_id)
            .await
            .map_err(|_| StoreError::Refused(Problem::TransferNotFound))?;
        tx.commit().await?;
        Ok((name, document))
    }

    /// Records a yearly audit statement (dated `on`) or plans an inspection on `on`, with at
    /// least 7 working days' notice from today.
    pub async fn record_audit(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        kind: AuditKind,
        on: Date,
        summary: &str,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ManageProcessors)?;
        let summary = text::required_text(Input::Description, summary, MAX_TEXT)?;
        let today = now.local_date();
        let notified_on = match kind {
            AuditKind::Inspection => {
                check_inspection(today, on).map_err(Problem::from)?;
                Some(today)
            }
            AuditKind::Statement => {
                if on > today {
                    return Err(Problem::ReceivedInFuture.into());
                }
                None
            }
        };
        let mut tx = self.db.write().await?;
        visible_dpa(&mut tx, actor, dpa_id).await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO audit_record (id, dpa_id, kind, on_date, notified_on, summary, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            dpa_id,
            kind.key(),
            on.to_string(),
            notified_on.map(|d| d.to_string()),
            summary.trim(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The processor warns of an unlawful instruction, or passes on a request it received
    /// (from an authority or a data subject) on `received_on`. Sealed; logged.
    pub async fn send_processor_notice(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        kind: ProcessorNoticeKind,
        received_on: Date,
        body: &str,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ActAsProcessor)?;
        let body = text::required_text(Input::Message, body, MAX_TEXT)?;
        if received_on > now.local_date() {
            return Err(Problem::ReceivedInFuture.into());
        }
        let mut tx = self.db.write().await?;
        let (controller, _) = visible_dpa(&mut tx, actor, dpa_id).await?;
        let key = self.organisation_key(controller, now).await?;
        let id = Uuid::new_v4();
        let sealed = key.seal_bytes(controller, &format!("notice:{id}"), body.trim().as_bytes())?;
        execute!(
            &mut tx,
            "INSERT INTO processor_notice (id, dpa_id, kind, received_on, due_on, body, sent_by, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            dpa_id,
            kind.key(),
            received_on.to_string(),
            notice_due(kind, received_on).to_string(),
            sealed.as_slice(),
            actor.user_id,
            now.micros()
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Oversight,
                None,
                PURPOSE_PROCESSORS,
                format!("Henvendelse fra databehandler: {}", kind.danish()),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The controller records how a processor's notice was handled.
    pub async fn handle_processor_notice(
        &self,
        actor: &Actor,
        id: Uuid,
        response: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageProcessors)?;
        let response = text::at_least(Input::Note, response, text::MIN_NOTE)?;
        let mut tx = self.db.write().await?;
        let (dpa_id, handled) = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Option<i64>),
            "SELECT dpa_id, handled_at FROM processor_notice WHERE id = $1",
            id
        )?
        .ok_or(StoreError::Refused(Problem::ProcessorNoticeNotFound))?;
        let (controller, _) = visible_dpa(&mut tx, actor, dpa_id)
            .await
            .map_err(|_| StoreError::Refused(Problem::ProcessorNoticeNotFound))?;
        if handled.is_some() {
            return Err(Problem::ProcessorNoticeHandled.into());
        }
        let key = self.organisation_key(controller, now).await?;
        let sealed = key.seal_bytes(
            controller,
            &format!("notice:{id}:response"),
            response.trim().as_bytes(),
        )?;
        execute!(
            &mut tx,
            "UPDATE processor_notice SET handled_by = $1, handled_at = $2, response = $3 WHERE id = $4",
            actor.user_id,
            now.micros(),
            sealed.as_slice(),
            id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Oversight,
                None,
                PURPOSE_PROCESSORS,
                "Henvendelse fra databehandler behandlet",
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The processor confirms in writing that it returned or deleted everything after the
    /// DPA ended.
    pub async fn confirm_dpa_end(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        confirmation: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ActAsProcessor)?;
        let confirmation = text::at_least(Input::Confirmation, confirmation, text::MIN_NOTE)?;
        let mut tx = self.db.write().await?;
        let (_, dpa) = visible_dpa(&mut tx, actor, dpa_id).await?;
        let ended = dpa.ends_on.is_some_and(|end| end < now.local_date());
        let done: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM dpa_end_confirmation WHERE dpa_id = $1",
            dpa_id
        )?;
        if !ended || done > 0 {
            return Err(Problem::DpaNotEnded.into());
        }
        execute!(
            &mut tx,
            "INSERT INTO dpa_end_confirmation (dpa_id, confirmation, confirmed_by, confirmed_at) \
             VALUES ($1, $2, $3, $4)",
            dpa_id,
            confirmation.trim(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// The return export of a DPA with an end date (INV-17): what the processor holds for
    /// the controller (see [`ReturnExport`]), opened for the privacy officer. Each citizen
    /// it names gets one access-log entry, written before anything is opened.
    pub async fn return_export(
        &self,
        actor: &Actor,
        dpa_id: Uuid,
        now: Now,
    ) -> Result<ReturnExport, StoreError> {
        let mut tx = self.db.read().await?;
        let authorised = async {
            require(actor, Action::ManageProcessors)?;
            let (controller, dpa) = visible_dpa(&mut tx, actor, dpa_id).await?;
            if dpa.ends_on.is_none() {
                return Err(Problem::DpaNoEnd.into());
            }
            Ok((controller, dpa))
        }
        .await;
        let (controller, dpa) = match authorised {
            Ok(found) => found,
            Err(e) => {
                let u = Use::new(
                    UseKind::Oversight,
                    None,
                    PURPOSE_PROCESSORS,
                    "Tilbagelevering ved aftalens ophør afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let sql = format!(
            "{ORDER_SELECT} WHERE o.controller_id = $1 AND o.supplier_id = $2 \
             AND o.deletion_confirmed_at IS NULL ORDER BY o.created_at, o.id"
        );
        let orders = fetch!(
            &mut tx,
            fetch_all,
            OrderRow,
            &sql,
            controller,
            dpa.processor_id
        )?;
        let mut purposes = std::collections::HashMap::new();
        let mut read = Vec::with_capacity(orders.len());
        for order in orders {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                purposes.entry(order.purpose_id)
            {
                slot.insert(purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?);
            }
            let held = self.held_by_supplier(&mut tx, &order).await?;
            read.push((order, held));
        }
        tx.commit().await?;

        let mut subjects: Vec<Uuid> = read.iter().map(|(o, _)| o.subject_id).collect();
        subjects.sort_unstable();
        subjects.dedup();
        let detail = format!("Tilbagelevering ved ophør af aftale {}", dpa.reference);
        let entries = subjects
            .iter()
            .map(|s| {
                let u = Use::new(
                    UseKind::Oversight,
                    Some(*s),
                    PURPOSE_PROCESSORS,
                    detail.clone(),
                );
                log_row(Some(actor), now, &u, true)
            })
            .collect();
        self.log.append_all(entries).await?;

        let mut returned = Vec::with_capacity(read.len());
        for (order, held) in read {
            let (purpose, legal_basis) = purposes[&order.purpose_id].clone();
            let (fields, content, citizen_erased) = self.open_held(held)?;
            returned.push(SupplierOrderView {
                order: order.summary(),
                purpose,
                legal_basis,
                fields,
                content,
                citizen_erased,
                // The export returns the data; the order's terms are on its page.
                policy: None,
            });
        }
        Ok(ReturnExport {
            dpa,
            made_at: now,
            made_by: actor.display_name.clone(),
            citizens: subjects.len(),
            orders: returned,
        })
    }

    /// The security rules' versions, newest first.
    pub async fn security_rules(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<SecurityRules>, StoreError> {
        if !actor.may(Action::ReadRecords) {
            require(actor, Action::ManageProcessors)?;
        }
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, i64, String, String, String, String, i64, String),
            "SELECT r.id, r.version, r.title, r.body, o.display_name, a.display_name, r.approved_at, \
             r.review_due FROM security_rules r JOIN app_user o ON o.id = r.owner_id \
             JOIN app_user a ON a.id = r.approved_by WHERE r.controller_id = $1 ORDER BY r.version DESC",
            actor.controller_id
        )?;
        tx.commit().await?;
        let today = now.local_date();
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, (id, version, title, body, owner, by, at, due))| {
                let review_due = date(&due);
                SecurityRules {
                    id,
                    version: u32::try_from(version).unwrap_or(0),
                    title,
                    body,
                    owner,
                    approved_by: by,
                    approved_at: Now::from_micros(at),
                    review_due,
                    review_overdue: i == 0 && today > review_due,
                }
            })
            .collect())
    }

    /// A new version of the security rules, approved now, owned by `owner` (a user of the
    /// municipality), due for review in a year. It must cover remote work, disposal and
    /// repair of equipment.
    pub async fn approve_security_rules(
        &self,
        actor: &Actor,
        title: &str,
        body: &str,
        owner: Uuid,
        now: Now,
    ) -> Result<u32, StoreError> {
        require(actor, Action::ManageProcessors)?;
        let title = text::required_line(Input::Name, title)?;
        let body = text::required_text(Input::RulesBody, body, 20 * MAX_TEXT)?;
        let missing = missing_topics(body);
        if !missing.is_empty() {
            return Err(Problem::SecurityRulesIncomplete(
                missing.into_iter().map(str::to_owned).collect(),
            )
            .into());
        }
        let mut tx = self.db.write().await?;
        let of_municipality: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM app_user u JOIN organisation o ON o.id = u.organisation_id \
             WHERE u.id = $1 AND (o.id = $2 OR o.parent_id = $2)",
            owner,
            actor.controller_id
        )?;
        if of_municipality == 0 {
            return Err(Problem::UserNotFound(None).into());
        }
        let last: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COALESCE(MAX(version), 0) FROM security_rules WHERE controller_id = $1",
            actor.controller_id
        )?;
        execute!(
            &mut tx,
            "INSERT INTO security_rules (id, controller_id, version, title, body, owner_id, review_due, \
             approved_by, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            Uuid::new_v4(),
            actor.controller_id,
            last + 1,
            title.trim(),
            body.trim(),
            owner,
            now.local_date()
                .plus_months(SECURITY_RULES_REVIEW_MONTHS)
                .to_string(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(u32::try_from(last + 1).unwrap_or(u32::MAX))
    }
}

/// A country as an ISO 3166-1 alpha-2 code (`US`, `IN`), upper-cased.
fn country_code(s: &str) -> Result<String, StoreError> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(Problem::Required(Input::Country).into())
    }
}

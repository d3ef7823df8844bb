//! What the records of processing (art. 30) are computed from, besides the catalogue and
//! the directory: counts from the ledger and the data held, never a citizen. No access-log
//! entry: nothing here points to a person. Also the reviewed versions (kept as JSON) and
//! the units' reports of new processing (PR-11).

use uuid::Uuid;

use skjold_core::records::{Draft, DraftInput, DraftStatus, RecordsOfProcessing, RecordsVersion};
use skjold_core::{Action, Actor, Category, Problem};

use super::*;

/// Counts behind the records of one municipality.
#[derive(Debug, Default)]
pub struct ProcessingFacts {
    /// (unit, purpose, supplier name, field key, fields disclosed): the ledger by unit.
    pub disclosed: Vec<(Uuid, Uuid, String, String, i64)>,
    /// (unit, service type): the service types each unit has ordered.
    pub ordered: Vec<(Uuid, Uuid)>,
    /// (purpose, field key): what is held under each purpose.
    pub held: Vec<(Option<Uuid>, String)>,
    /// (supplier, service type name): what each supplier was ordered for.
    pub supplied: Vec<(Uuid, String)>,
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    id: Uuid,
    unit_id: Uuid,
    unit: String,
    name: String,
    purpose: String,
    subject_categories: String,
    data_categories: String,
    recipients: String,
    retention: String,
    question: String,
    status: String,
    reported_by: String,
    reported_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    comment: Option<String>,
}

impl DraftRow {
    fn into_model(self) -> Draft {
        Draft {
            id: self.id,
            unit_id: self.unit_id,
            unit: self.unit,
            input: DraftInput {
                name: self.name,
                purpose: self.purpose,
                subject_categories: self.subject_categories,
                data_categories: self
                    .data_categories
                    .split(',')
                    .filter_map(|k| Category::ALL.into_iter().find(|c| c.key() == k))
                    .collect(),
                recipients: self.recipients,
                retention: self.retention,
                question: self.question,
            },
            status: DraftStatus::parse(&self.status).unwrap_or(DraftStatus::Draft),
            reported_by: self.reported_by,
            reported_at: Now::from_micros(self.reported_at),
            decided_by: self.decided_by,
            decided_at: self.decided_at.map(Now::from_micros),
            comment: self.comment,
        }
    }
}

const DRAFT_SELECT: &str = "SELECT d.id, d.unit_id, o.name AS unit, d.name, d.purpose, d.subject_categories, \
     d.data_categories, d.recipients, d.retention, d.question, d.status, u.display_name AS reported_by, \
     d.reported_at, v.display_name AS decided_by, d.decided_at, d.comment FROM records_draft d \
     JOIN organisation o ON o.id = d.unit_id JOIN app_user u ON u.id = d.reported_by \
     LEFT JOIN app_user v ON v.id = d.decided_by";

impl Gate {
    /// The counts the records of the actor's municipality are computed from.
    pub async fn processing_facts(&self, actor: &Actor) -> Result<ProcessingFacts, StoreError> {
        require(actor, Action::ReadRecords)?;
        let c = actor.controller_id;
        let mut tx = self.db.read().await?;
        let disclosed = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid, String, String, i64),
            "SELECT o.unit_id, d.purpose_id, s.name, d.field_key, COUNT(*) FROM disclosure d \
             JOIN service_order o ON o.id = d.order_id JOIN organisation s ON s.id = d.supplier_id \
             WHERE d.controller_id = $1 AND d.field_key IS NOT NULL GROUP BY o.unit_id, d.purpose_id, s.name, d.field_key \
             ORDER BY s.name, d.field_key",
            c
        )?;
        let ordered = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid),
            "SELECT DISTINCT unit_id, service_type_id FROM service_order WHERE controller_id = $1",
            c
        )?;
        let held = fetch!(
            &mut tx,
            fetch_all,
            (Option<Uuid>, String),
            "SELECT DISTINCT d.purpose_id, d.field_key FROM personal_datum d \
             JOIN data_subject s ON s.id = d.subject_id WHERE s.controller_id = $1 \
             AND d.removed_at IS NULL",
            c
        )?;
        let supplied = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String),
            "SELECT DISTINCT o.supplier_id, t.name FROM service_order o \
             JOIN service_type t ON t.id = o.service_type_id WHERE o.controller_id = $1 ORDER BY t.name",
            c
        )?;
        tx.commit().await?;
        Ok(ProcessingFacts {
            disclosed,
            ordered,
            held,
            supplied,
        })
    }

    /// Keeps a reviewed version of the records, stamped with the reviewer and the time.
    pub async fn keep_records_version(
        &self,
        actor: &Actor,
        records: &RecordsOfProcessing,
        note: &str,
        now: Now,
    ) -> Result<RecordsVersion, StoreError> {
        require(actor, Action::ReviewRecords)?;
        let note = skjold_core::text::text(
            skjold_core::error::Input::Note,
            note,
            skjold_core::text::MAX_TEXT,
        )?;
        let content =
            serde_json::to_string(records).map_err(|e| StoreError::Config(e.to_string()))?;
        let mut tx = self.db.write().await?;
        let last: Option<i64> = scalar!(
            &mut tx,
            fetch_one,
            Option<i64>,
            "SELECT MAX(version) FROM records_version WHERE controller_id = $1",
            actor.controller_id
        )?;
        let version = last.unwrap_or(0) + 1;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO records_version (id, controller_id, version, content, note, reviewed_by, reviewed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            actor.controller_id,
            version,
            content,
            note.trim(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(RecordsVersion {
            id,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            reviewed_by: actor.display_name.clone(),
            reviewed_at: now,
            note: note.trim().to_owned(),
        })
    }

    /// The kept versions, newest first.
    pub async fn records_versions(&self, actor: &Actor) -> Result<Vec<RecordsVersion>, StoreError> {
        require(actor, Action::ReadRecords)?;
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, i64, String, i64, String),
            "SELECT v.id, v.version, u.display_name, v.reviewed_at, v.note FROM records_version v \
             JOIN app_user u ON u.id = v.reviewed_by WHERE v.controller_id = $1 ORDER BY v.version DESC",
            actor.controller_id
        )?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(id, version, by, at, note)| RecordsVersion {
                id,
                version: u32::try_from(version).unwrap_or(0),
                reviewed_by: by,
                reviewed_at: Now::from_micros(at),
                note,
            })
            .collect())
    }

    /// One kept version, as it was reviewed.
    pub async fn records_version(
        &self,
        actor: &Actor,
        version: u32,
    ) -> Result<(RecordsVersion, RecordsOfProcessing), StoreError> {
        require(actor, Action::ReadRecords)?;
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, i64, String, i64, String, String),
            "SELECT v.id, v.version, u.display_name, v.reviewed_at, v.note, v.content FROM records_version v \
             JOIN app_user u ON u.id = v.reviewed_by WHERE v.controller_id = $1 AND v.version = $2",
            actor.controller_id,
            i64::from(version)
        )?
        .ok_or(StoreError::Refused(Problem::RecordsVersionNotFound))?;
        tx.commit().await?;
        let records: RecordsOfProcessing =
            serde_json::from_str(&row.5).map_err(|e| StoreError::Config(e.to_string()))?;
        Ok((
            RecordsVersion {
                id: row.0,
                version,
                reviewed_by: row.2,
                reviewed_at: Now::from_micros(row.3),
                note: row.4,
            },
            records,
        ))
    }

    /// A unit's report of a new processing, as a draft for the privacy officer.
    pub async fn report_processing(
        &self,
        actor: &Actor,
        draft: &DraftInput,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ReportProcessing)?;
        draft.check()?;
        let id = Uuid::new_v4();
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "INSERT INTO records_draft (id, controller_id, unit_id, name, purpose, subject_categories, \
             data_categories, recipients, retention, question, status, reported_by, reported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12)",
            id,
            actor.controller_id,
            actor.organisation_id,
            draft.name.trim(),
            draft.purpose.trim(),
            draft.subject_categories.trim(),
            draft
                .data_categories
                .iter()
                .map(|c| c.key())
                .collect::<Vec<_>>()
                .join(","),
            draft.recipients.trim(),
            draft.retention.trim(),
            draft.question.trim(),
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reports: all of the municipality's for the privacy officer and the auditor, the
    /// unit's own for a caseworker.
    pub async fn processing_drafts(&self, actor: &Actor) -> Result<Vec<Draft>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = if actor.may(Action::ReadRecords) {
            let sql =
                format!("{DRAFT_SELECT} WHERE d.controller_id = $1 ORDER BY d.reported_at DESC");
            fetch!(&mut tx, fetch_all, DraftRow, &sql, actor.controller_id)?
        } else {
            require(actor, Action::ReportProcessing)?;
            let sql = format!("{DRAFT_SELECT} WHERE d.unit_id = $1 ORDER BY d.reported_at DESC");
            fetch!(&mut tx, fetch_all, DraftRow, &sql, actor.organisation_id)?
        };
        tx.commit().await?;
        Ok(rows.into_iter().map(DraftRow::into_model).collect())
    }

    /// The privacy officer approves a report (it joins the unit's record) or returns it
    /// with a comment.
    pub async fn decide_processing_draft(
        &self,
        actor: &Actor,
        id: Uuid,
        approve: bool,
        comment: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ReviewRecords)?;
        let comment = skjold_core::text::text(
            skjold_core::error::Input::Note,
            comment,
            skjold_core::text::MAX_TEXT,
        )?;
        if !approve && comment.trim().is_empty() {
            return Err(Problem::Required(skjold_core::error::Input::Note).into());
        }
        let mut tx = self.db.write().await?;
        let status: Option<String> = scalar!(
            &mut tx,
            fetch_optional,
            String,
            "SELECT status FROM records_draft WHERE id = $1 AND controller_id = $2",
            id,
            actor.controller_id
        )?;
        match status.as_deref() {
            None => return Err(Problem::RecordsDraftNotFound.into()),
            Some("draft") => {}
            Some(_) => return Err(Problem::RecordsDraftDecided.into()),
        }
        let status = if approve {
            DraftStatus::Approved
        } else {
            DraftStatus::Returned
        };
        execute!(
            &mut tx,
            "UPDATE records_draft SET status = $1, decided_by = $2, decided_at = $3, comment = $4 WHERE id = $5",
            status.key(),
            actor.user_id,
            now.micros(),
            Some(comment.trim()).filter(|c| !c.is_empty()),
            id
        )?;
        tx.commit().await?;
        Ok(())
    }
}

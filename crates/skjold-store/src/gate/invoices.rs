//! The procurement-data collaboration (INV-1 … INV-4, INV-12, INV-17): the documents an
//! organisation sends, anonymised before they get here; their raw copies, sealed under the
//! organisation's key; the review queue; and the aggregate the analyses read.
//!
//! - **Once per document.** A document is kept once per (organisation, sender, document
//!   id, issue date); a second upload of it changes nothing and says so.
//! - **The raw copy** is sealed under the organisation's key (from the key store) and read
//!   only to hand it back to the organisation's designated contact; every receipt, read and
//!   deletion is an access-log entry of the kind `invoices`. Retention deletes it five years
//!   after receipt, or thirty days after the participation ended.
//! - **The aggregate** (`invoice_spend`, `invoice_totals`) is kept as documents enter the
//!   analyses (at once, or when a reviewer approves them), so a report reads a few rows per
//!   month and category, never the lines.

use skjold_core::invoices::document::{Document, DocumentKind};
use skjold_core::invoices::report::{
    Counts, SMALL_PURCHASE, SmallPurchases, SpendCell, document_cells, line_amount, line_category,
    month_of,
};
use skjold_core::invoices::review::{
    Decided, ForReview, Participant, QueueState, Queued, ReviewReason, Status,
};
use skjold_core::oversight::UseKind;
use skjold_core::time::Date;
use skjold_core::{Action, Actor, OrgKind, Problem};

use super::*;

const PURPOSE_INVOICES: &str = "Indkøbsdatasamarbejdet (forbrugsanalyse)";
/// The raw copy is deleted this long after receipt (INV-17) …
pub const RAW_YEARS: i32 = 5;
/// … or this long after the participation ended.
pub const RAW_DAYS_AFTER_END: i32 = 30;

/// An organisation's part in the collaboration.
#[derive(Debug, Clone)]
pub struct Participation {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub service_id: Uuid,
    pub service_name: String,
    pub contact_user_id: Uuid,
    pub contact_name: String,
    pub citizens: Option<u64>,
    pub currency: String,
    pub joined_at: Now,
    pub ended_at: Option<Now>,
}

/// What the municipality's administrator records to take part.
#[derive(Debug, Clone)]
pub struct Joining {
    pub service_id: Uuid,
    pub contact_user_id: Uuid,
    pub citizens: Option<u64>,
    pub currency: String,
}

/// A document received: its raw bytes (to seal), its anonymised form and what was read
/// from it, and why it must wait for review (nothing: it enters the analyses at once).
pub struct Received<'a> {
    pub raw: &'a [u8],
    pub anonymised: &'a [u8],
    pub document: &'a Document,
    pub review: &'a [ReviewReason],
}

/// What became of a document received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: Uuid,
    /// False when the document was kept already (nothing changed).
    pub new: bool,
    pub status: Status,
}

/// An anonymised line as exported (JSON Lines).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ExportLine {
    pub organisation: String,
    pub document: Uuid,
    pub line: i64,
    pub issue_date: String,
    pub supplier: String,
    pub category: String,
    pub classification: Option<String>,
    pub item_name: Option<String>,
    pub gtin: Option<String>,
    pub seller_item_id: Option<String>,
    pub quantity: String,
    pub unit_code: Option<String>,
    /// Øre, signed.
    pub amount: i64,
    pub emission_kg: Option<String>,
}

/// A raw copy handed back: the document's id as the sender wrote it, and its bytes.
pub struct Returned {
    pub document_id: String,
    pub issue_date: String,
    pub raw: Vec<u8>,
}

fn not_found() -> StoreError {
    StoreError::Refused(Problem::InvoiceNotFound)
}

fn db_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The sender a document is kept under: the supplier's identifier, else its name.
fn sender(d: &Document) -> &str {
    d.supplier
        .id
        .as_deref()
        .or(d.supplier.name.as_deref())
        .unwrap_or("")
}

fn supplier_name(d: &Document) -> &str {
    d.supplier
        .name
        .as_deref()
        .or(d.supplier.id.as_deref())
        .unwrap_or("")
}

fn raw_field(id: Uuid) -> String {
    format!("invoice:{id}:raw")
}

fn note_field(id: Uuid) -> String {
    format!("invoice:{id}:note")
}

#[derive(sqlx::FromRow)]
struct ParticipationRow {
    organisation_id: Uuid,
    organisation_name: String,
    service_id: Uuid,
    service_name: String,
    contact_user_id: Uuid,
    contact_name: String,
    citizens: Option<i64>,
    currency: String,
    joined_at: i64,
    ended_at: Option<i64>,
}

impl From<ParticipationRow> for Participation {
    fn from(r: ParticipationRow) -> Participation {
        Participation {
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            service_id: r.service_id,
            service_name: r.service_name,
            contact_user_id: r.contact_user_id,
            contact_name: r.contact_name,
            citizens: r.citizens.map(count),
            currency: r.currency,
            joined_at: Now::from_micros(r.joined_at),
            ended_at: r.ended_at.map(Now::from_micros),
        }
    }
}

const PARTICIPATION_SELECT: &str = "SELECT p.organisation_id, o.name AS organisation_name, \
     p.service_id, s.name AS service_name, p.contact_user_id, u.display_name AS contact_name, \
     p.citizens, p.currency, p.joined_at, p.ended_at FROM invoice_participation p \
     JOIN organisation o ON o.id = p.organisation_id JOIN organisation s ON s.id = p.service_id \
     JOIN app_user u ON u.id = p.contact_user_id";

async fn participation_in(
    tx: &mut Tx,
    organisation_id: Uuid,
) -> Result<Option<Participation>, StoreError> {
    let sql = format!("{PARTICIPATION_SELECT} WHERE p.organisation_id = $1");
    Ok(fetch!(tx, fetch_optional, ParticipationRow, &sql, organisation_id)?.map(Into::into))
}

/// The participation the organisation sends under, refused when there is none in force.
async fn active_participation(
    tx: &mut Tx,
    organisation_id: Uuid,
) -> Result<Participation, StoreError> {
    participation_in(tx, organisation_id)
        .await?
        .filter(|p| p.ended_at.is_none())
        .ok_or(StoreError::Refused(Problem::NotParticipating))
}

/// Adds a document's cells and totals to the aggregate (`sign` +1 to add, −1 to take
/// away), unless it is in another currency than the participation's.
async fn aggregate(
    tx: &mut Tx,
    organisation_id: Uuid,
    currency: &str,
    d: &Document,
) -> Result<(), StoreError> {
    let (cells, total) = document_cells(d).ok_or_else(|| {
        StoreError::Refused(Problem::InvoiceUnreadable {
            file: d.id.clone(),
            reason: "beløbene er for store".into(),
        })
    })?;
    if !d.currency.eq_ignore_ascii_case(currency) {
        execute!(
            tx,
            "INSERT INTO invoice_totals (organisation_id, invoices, small_invoices, small_amount, other_currency) \
             VALUES ($1, 0, 0, 0, 1) ON CONFLICT (organisation_id) DO UPDATE SET \
             other_currency = invoice_totals.other_currency + 1",
            organisation_id
        )?;
        return Ok(());
    }
    let month = month_of(d);
    let supplier = supplier_name(d);
    for c in &cells {
        execute!(
            tx,
            "INSERT INTO invoice_spend (organisation_id, month, category_top, category_sub, supplier, invoices, lines, amount) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7) \
             ON CONFLICT (organisation_id, month, category_top, category_sub, supplier) DO UPDATE SET \
             invoices = invoice_spend.invoices + 1, lines = invoice_spend.lines + excluded.lines, \
             amount = invoice_spend.amount + excluded.amount",
            organisation_id,
            &month,
            &c.category[0],
            &c.category[1],
            supplier,
            db_i64(c.lines),
            c.amount
        )?;
    }
    let small = d.kind == DocumentKind::Invoice && total < SMALL_PURCHASE;
    execute!(
        tx,
        "INSERT INTO invoice_totals (organisation_id, invoices, small_invoices, small_amount, other_currency) \
         VALUES ($1, 1, $2, $3, 0) ON CONFLICT (organisation_id) DO UPDATE SET \
         invoices = invoice_totals.invoices + 1, \
         small_invoices = invoice_totals.small_invoices + excluded.small_invoices, \
         small_amount = invoice_totals.small_amount + excluded.small_amount",
        organisation_id,
        i64::from(small),
        if small { total } else { 0 }
    )?;
    Ok(())
}

/// Writes a document's anonymised lines (after taking away those it had).
async fn write_lines(
    tx: &mut Tx,
    id: Uuid,
    organisation_id: Uuid,
    d: &Document,
) -> Result<(), StoreError> {
    execute!(tx, "DELETE FROM invoice_line WHERE document_id = $1", id)?;
    let issue = d.issue_date.to_string();
    let supplier = supplier_name(d);
    for (no, line) in d.lines.iter().enumerate() {
        let category = line_category(line);
        // The document's cells were summed already, so every amount fits.
        let amount = line_amount(d, line).unwrap_or(0);
        let emission = line
            .emission
            .and_then(|e| e.valid_kg(line.quantity))
            .map(|kg| kg.to_string());
        execute!(
            tx,
            "INSERT INTO invoice_line (document_id, line_no, organisation_id, issue_year, issue_date, \
             supplier, category_top, category_sub, classification, item_name, gtin, seller_item_id, \
             quantity, unit_code, amount, emission_kg) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            id,
            i64::try_from(no).unwrap_or(i64::MAX),
            organisation_id,
            i64::from(d.issue_date.year()),
            &issue,
            supplier,
            &category[0],
            &category[1],
            line.classification.as_ref().map(|c| c.code.clone()),
            line.item_name.clone(),
            line.gtin.clone(),
            line.seller_item_id.clone(),
            line.quantity.to_string(),
            line.unit_code.clone(),
            amount,
            emission
        )?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct QueuedRow {
    id: Uuid,
    organisation: String,
    document_id: String,
    supplier_name: String,
    issue_date: String,
    received_at: i64,
    reasons: String,
}

impl From<QueuedRow> for Queued {
    fn from(r: QueuedRow) -> Queued {
        Queued {
            id: r.id,
            organisation: r.organisation,
            document_id: r.document_id,
            supplier: r.supplier_name,
            issue_date: r.issue_date.parse().unwrap_or(Date::EPOCH),
            received_at: Now::from_micros(r.received_at),
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
        }
    }
}

const QUEUED_SELECT: &str = "SELECT d.id, o.name AS organisation, d.document_id, \
     d.supplier_name, d.issue_date, d.received_at, d.reasons FROM invoice_document d \
     JOIN organisation o ON o.id = d.organisation_id";

impl Gate {
    /// Records a municipality's part in the collaboration, `by` its administrator (or by
    /// the operator, none): the analysis service (a processor), the designated contact (one
    /// of its users), its citizens and currency. A second call replaces the terms and
    /// resumes an ended part.
    pub async fn join_invoices(
        &self,
        by: Option<&Actor>,
        organisation_id: Uuid,
        joining: &Joining,
        now: Now,
    ) -> Result<(), StoreError> {
        if let Some(actor) = by {
            require(actor, Action::Administer)?;
            if actor.controller_id != organisation_id {
                return Err(StoreError::Refused(Problem::OtherController));
            }
        }
        let mut tx = self.db.write().await?;
        let service = organisation_in(&mut tx, joining.service_id).await?;
        if service.kind != OrgKind::Supplier {
            return Err(StoreError::Refused(Problem::NotASupplier));
        }
        let contact_org = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT u.organisation_id FROM app_user u WHERE u.id = $1 AND u.active",
            joining.contact_user_id
        )?
        .ok_or(StoreError::Refused(Problem::UserNotFound(None)))?;
        let contact = organisation_in(&mut tx, contact_org).await?;
        let contact_controller = match contact.kind {
            OrgKind::Unit => contact.parent_id,
            _ => Some(contact.id),
        };
        if contact_controller != Some(organisation_id) {
            return Err(StoreError::Refused(Problem::OtherController));
        }
        execute!(
            &mut tx,
            "INSERT INTO invoice_participation (organisation_id, service_id, contact_user_id, citizens, currency, joined_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organisation_id) DO UPDATE SET \
             service_id = excluded.service_id, contact_user_id = excluded.contact_user_id, \
             citizens = excluded.citizens, currency = excluded.currency, ended_at = NULL, \
             end_confirmed_at = NULL",
            organisation_id,
            service.id,
            joining.contact_user_id,
            joining.citizens.map(db_i64),
            joining.currency.to_uppercase(),
            now.micros()
        )?;
        tx.commit().await
    }

    /// Ends the municipality's part (its administrator): nothing more is received, and the
    /// raw copies are deleted within [`RAW_DAYS_AFTER_END`] days.
    pub async fn leave_invoices(&self, actor: &Actor, now: Now) -> Result<(), StoreError> {
        require(actor, Action::Administer)?;
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE invoice_participation SET ended_at = $1 WHERE organisation_id = $2 AND ended_at IS NULL",
            now.micros(),
            actor.controller_id
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::NotParticipating));
        }
        tx.commit().await
    }

    /// The organisation's participation, if it has one (ended ones too). Not personal data.
    pub async fn invoice_participation(
        &self,
        organisation_id: Uuid,
    ) -> Result<Option<Participation>, StoreError> {
        let mut tx = self.db.read().await?;
        let p = participation_in(&mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Keeps documents for `organisation_id` in one transaction: `by` a user of it allowed
    /// to send invoices, or none for the operator's import (the CLI). Each raw copy is
    /// sealed under the organisation's key; a document kept already is left as it was. One
    /// access-log entry records the receipt.
    pub async fn receive_invoices(
        &self,
        by: Option<&Actor>,
        organisation_id: Uuid,
        documents: &[Received<'_>],
        now: Now,
    ) -> Result<Vec<Stored>, StoreError> {
        if let Some(actor) = by {
            require(actor, Action::SendInvoices)?;
            if actor.controller_id != organisation_id {
                return Err(StoreError::Refused(Problem::OtherController));
            }
        }
        let key = self.organisation_key(organisation_id, now).await?;
        let mut tx = self.db.write().await?;
        let participation = active_participation(&mut tx, organisation_id).await?;
        let mut out = Vec::with_capacity(documents.len());
        let mut new = 0usize;
        for r in documents {
            let d = r.document;
            let id = Uuid::new_v4();
            let status = if r.review.is_empty() {
                Status::Analysed
            } else {
                Status::Review
            };
            let (_, total) = document_cells(d).ok_or_else(|| {
                StoreError::Refused(Problem::InvoiceUnreadable {
                    file: d.id.clone(),
                    reason: "beløbene er for store".into(),
                })
            })?;
            let sealed = key.seal_bytes(organisation_id, &raw_field(id), r.raw)?;
            let inserted = scalar!(
                &mut tx,
                fetch_optional,
                Uuid,
                "INSERT INTO invoice_document (id, organisation_id, sender, document_id, issue_date, kind, \
                 supplier_name, currency, amount, lines, status, reasons, anonymised, raw, received_at, received_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (organisation_id, sender, document_id, issue_date) DO NOTHING RETURNING id",
                id,
                organisation_id,
                sender(d),
                &d.id,
                d.issue_date.to_string(),
                match d.kind {
                    DocumentKind::Invoice => "invoice",
                    DocumentKind::CreditNote => "credit_note",
                },
                supplier_name(d),
                &d.currency,
                total,
                i64::try_from(d.lines.len()).unwrap_or(i64::MAX),
                status.key(),
                serde_json::to_string(r.review).unwrap_or_else(|_| "[]".into()),
                r.anonymised,
                sealed,
                now.micros(),
                by.map(|a| a.user_id)
            )?;
            match inserted {
                Some(id) => {
                    new += 1;
                    write_lines(&mut tx, id, organisation_id, d).await?;
                    if status == Status::Analysed {
                        aggregate(&mut tx, organisation_id, &participation.currency, d).await?;
                    }
                    out.push(Stored {
                        id,
                        new: true,
                        status,
                    });
                }
                None => {
                    let (id, status) = fetch!(
                        &mut tx,
                        fetch_one,
                        (Uuid, String),
                        "SELECT id, status FROM invoice_document WHERE organisation_id = $1 AND sender = $2 \
                         AND document_id = $3 AND issue_date = $4",
                        organisation_id,
                        sender(d),
                        &d.id,
                        d.issue_date.to_string()
                    )?;
                    out.push(Stored {
                        id,
                        new: false,
                        status: Status::parse(&status).unwrap_or(Status::Review),
                    });
                }
            }
        }
        if new > 0 {
            let u = Use::new(
                UseKind::Invoices,
                None,
                PURPOSE_INVOICES,
                format!(
                    "{new} fakturadokumenter modtaget til {}; rå kopier forseglet",
                    participation.organisation_name
                ),
            );
            append_log(&mut tx, by, now, &u, true).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The participants of the actor's service, with the state of their documents.
    pub async fn invoice_participants(
        &self,
        actor: &Actor,
    ) -> Result<Vec<Participant>, StoreError> {
        require(actor, Action::AnalyseInvoices)?;
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (String, String, i64, Option<i64>, i64, i64, i64, i64),
            "SELECT o.name, u.display_name, p.joined_at, p.ended_at,              COUNT(CASE WHEN d.status = 'analysed' THEN 1 END),              COUNT(CASE WHEN d.status = 'review' THEN 1 END),              COUNT(CASE WHEN d.status = 'rejected' THEN 1 END),              COUNT(d.raw) FROM invoice_participation p              JOIN organisation o ON o.id = p.organisation_id              JOIN app_user u ON u.id = p.contact_user_id              LEFT JOIN invoice_document d ON d.organisation_id = p.organisation_id              WHERE p.service_id = $1 GROUP BY o.name, u.display_name, p.joined_at, p.ended_at              ORDER BY o.name",
            actor.organisation_id
        )?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|r| Participant {
                organisation: r.0,
                contact: r.1,
                joined_at: Now::from_micros(r.2),
                ended_at: r.3.map(Now::from_micros),
                analysed: count(r.4),
                waiting: count(r.5),
                rejected: count(r.6),
                raw_kept: count(r.7),
            })
            .collect())
    }

    /// The review queue, oldest first, a page at a time, with its size and age.
    pub async fn invoice_queue(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Queued>, QueueState), StoreError> {
        require(actor, Action::ReviewInvoices)?;
        let mut tx = self.db.read().await?;
        let scope = "d.status = 'review' AND d.organisation_id IN \
             (SELECT organisation_id FROM invoice_participation WHERE service_id = $1)";
        let sql = format!(
            "{QUEUED_SELECT} WHERE {scope} ORDER BY d.received_at, d.id LIMIT $2 OFFSET $3"
        );
        let rows = fetch!(
            &mut tx,
            fetch_all,
            QueuedRow,
            &sql,
            actor.organisation_id,
            limit,
            offset
        )?;
        let (waiting, oldest) = fetch!(
            &mut tx,
            fetch_one,
            (i64, Option<i64>),
            &format!("SELECT COUNT(*), MIN(d.received_at) FROM invoice_document d WHERE {scope}"),
            actor.organisation_id
        )?;
        tx.commit().await?;
        Ok((
            rows.into_iter().map(Into::into).collect(),
            QueueState {
                waiting: count(waiting),
                oldest: oldest.map(Now::from_micros),
            },
        ))
    }

    /// One document for a reviewer of the service it was sent to: its anonymised text and
    /// the decisions on it. Logged: the text may still hold what the scrubber missed.
    pub async fn invoice_for_review(
        &self,
        actor: &Actor,
        id: Uuid,
        now: Now,
    ) -> Result<ForReview, StoreError> {
        require(actor, Action::ReviewInvoices)?;
        let mut tx = self.db.read().await?;
        let (organisation_id, status, anonymised) = match self.reviewable(&mut tx, actor, id).await
        {
            Ok(found) => found,
            Err(e) => {
                let u = Use::new(
                    UseKind::Invoices,
                    None,
                    PURPOSE_INVOICES,
                    format!("Dokument {id}"),
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let sql = format!("{QUEUED_SELECT} WHERE d.id = $1");
        let queued: Queued = fetch!(&mut tx, fetch_one, QueuedRow, &sql, id)?.into();
        let decisions = fetch!(
            &mut tx,
            fetch_all,
            (String, i64, Vec<u8>, String, i64),
            "SELECT r.decision, r.redacted, r.note, u.display_name, r.decided_at FROM invoice_review r \
             JOIN app_user u ON u.id = r.decided_by WHERE r.document_id = $1 ORDER BY r.decided_at",
            id
        )?;
        let u = Use::new(
            UseKind::Invoices,
            None,
            PURPOSE_INVOICES,
            format!("Anonymiseret dokument {} gennemset", queued.document_id),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        let key = self.organisation_key(organisation_id, now).await?;
        let mut opened = Vec::with_capacity(decisions.len());
        for (decision, redacted, note, by, at) in decisions {
            let note = key.open_bytes(organisation_id, &note_field(id), &note)?;
            opened.push(Decided {
                decision: if decision == "approve" {
                    "approve"
                } else {
                    "reject"
                },
                redacted: u32::try_from(redacted).unwrap_or(0),
                note: String::from_utf8_lossy(&note).into_owned(),
                by,
                at: Now::from_micros(at),
            });
        }
        Ok(ForReview {
            queued,
            status: Status::parse(&status).unwrap_or(Status::Review),
            anonymised: String::from_utf8_lossy(&anonymised).into_owned(),
            decisions: opened,
        })
    }

    /// A document sent to the reviewer's service: its organisation, status and anonymised
    /// form; refused as not found otherwise.
    async fn reviewable(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Uuid, String, Vec<u8>), StoreError> {
        fetch!(
            tx,
            fetch_optional,
            (Uuid, String, Vec<u8>),
            "SELECT d.organisation_id, d.status, d.anonymised FROM invoice_document d \
             JOIN invoice_participation p ON p.organisation_id = d.organisation_id \
             WHERE d.id = $1 AND p.service_id = $2",
            id,
            actor.organisation_id
        )?
        .ok_or_else(not_found)
    }

    /// Records a reviewer's decision on a document in the queue. Approved, it enters the
    /// analyses as `revised` (its anonymised form after the reviewer's redactions, read
    /// again); rejected, it stays out. The note is sealed under the organisation's key.
    pub async fn decide_invoice(
        &self,
        actor: &Actor,
        id: Uuid,
        revised: Option<(&[u8], &Document)>,
        redacted: usize,
        note: &str,
        now: Now,
    ) -> Result<Status, StoreError> {
        require(actor, Action::ReviewInvoices)?;
        let mut tx = self.db.write().await?;
        let (organisation_id, status, _) = self.reviewable(&mut tx, actor, id).await?;
        if status != Status::Review.key() {
            return Err(StoreError::Refused(Problem::InvoiceDecided));
        }
        let participation = participation_in(&mut tx, organisation_id)
            .await?
            .ok_or(StoreError::Refused(Problem::NotParticipating))?;
        drop(tx);
        let key = self.organisation_key(organisation_id, now).await?;
        let sealed_note = key.seal_bytes(organisation_id, &note_field(id), note.as_bytes())?;
        let mut tx = self.db.write().await?;
        let next = if revised.is_some() {
            Status::Analysed
        } else {
            Status::Rejected
        };
        let changed = execute!(
            &mut tx,
            "UPDATE invoice_document SET status = $1 WHERE id = $2 AND status = 'review'",
            next.key(),
            id
        )?;
        if changed == 0 {
            return Err(StoreError::Refused(Problem::InvoiceDecided));
        }
        if let Some((anonymised, document)) = revised {
            execute!(
                &mut tx,
                "UPDATE invoice_document SET anonymised = $1 WHERE id = $2",
                anonymised,
                id
            )?;
            write_lines(&mut tx, id, organisation_id, document).await?;
            aggregate(&mut tx, organisation_id, &participation.currency, document).await?;
        }
        execute!(
            &mut tx,
            "INSERT INTO invoice_review (id, document_id, decision, redacted, note, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Uuid::new_v4(),
            id,
            if revised.is_some() {
                "approve"
            } else {
                "reject"
            },
            i64::try_from(redacted).unwrap_or(i64::MAX),
            sealed_note,
            actor.user_id,
            now.micros()
        )?;
        let u = Use::new(
            UseKind::Invoices,
            None,
            PURPOSE_INVOICES,
            format!(
                "Dokument {id} gennemgået: {} ({redacted} steder skjult)",
                next.key()
            ),
        );
        append_log(&mut tx, Some(actor), now, &u, true).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// What a report of `organisation_id` is made of: its cells, every participant's of the
    /// same service (for the comparison) and its counts. For the organisation's own users
    /// allowed to read its spend; no personal data, not logged.
    pub async fn invoice_spend(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<SpendCell>, Vec<SpendCell>, Counts), StoreError> {
        require(actor, Action::ReadOwnSpend)?;
        let organisation_id = actor.controller_id;
        let mut tx = self.db.read().await?;
        let participation = participation_in(&mut tx, organisation_id)
            .await?
            .ok_or(StoreError::Refused(Problem::NotParticipating))?;
        type Row = (Uuid, String, String, String, String, i64, i64, i64);
        let to_cell = |r: Row| SpendCell {
            organisation: r.0,
            month: r.1,
            category: [r.2, r.3],
            supplier: r.4,
            invoices: count(r.5),
            lines: count(r.6),
            amount: r.7,
        };
        let own: Vec<SpendCell> = fetch!(
            &mut tx,
            fetch_all,
            Row,
            "SELECT organisation_id, month, category_top, category_sub, supplier, invoices, lines, amount \
             FROM invoice_spend WHERE organisation_id = $1",
            organisation_id
        )?
        .into_iter()
        .map(to_cell)
        .collect();
        // The comparison needs only categories, summed over months and suppliers.
        let all: Vec<SpendCell> = fetch!(
            &mut tx,
            fetch_all,
            Row,
            "SELECT s.organisation_id, '' AS month, s.category_top, s.category_sub, '' AS supplier, \
             CAST(SUM(s.invoices) AS BIGINT), CAST(SUM(s.lines) AS BIGINT), \
             CAST(SUM(s.amount) AS BIGINT) FROM invoice_spend s \
             JOIN invoice_participation p ON p.organisation_id = s.organisation_id \
             WHERE p.service_id = $1 AND s.category_top <> '' \
             GROUP BY s.organisation_id, s.category_top, s.category_sub",
            participation.service_id
        )?
        .into_iter()
        .map(to_cell)
        .collect();
        let totals = fetch!(
            &mut tx,
            fetch_optional,
            (i64, i64, i64, i64),
            "SELECT invoices, small_invoices, small_amount, other_currency FROM invoice_totals WHERE organisation_id = $1",
            organisation_id
        )?
        .unwrap_or_default();
        let citizens = scalar!(
            &mut tx,
            fetch_all,
            Option<i64>,
            "SELECT citizens FROM invoice_participation WHERE service_id = $1",
            participation.service_id
        )?;
        tx.commit().await?;
        let all_citizens = citizens
            .iter()
            .try_fold(0u64, |sum, c| c.map(|c| sum + count(c)));
        Ok((
            own,
            all,
            Counts {
                invoices: count(totals.0),
                small: SmallPurchases {
                    invoices: count(totals.1),
                    amount: totals.2,
                },
                citizens: participation.citizens,
                all_citizens,
                other_currency: count(totals.3),
            },
        ))
    }

    /// The anonymised lines of documents in the analyses, for the operator's export (the
    /// CLI; `organisation` narrows it to one), a page after `after` (document, line).
    pub async fn export_invoice_lines(
        &self,
        organisation: Option<Uuid>,
        after: Option<(Uuid, i64)>,
        limit: i64,
    ) -> Result<Vec<ExportLine>, StoreError> {
        let (after_doc, after_line) = after.unwrap_or((Uuid::nil(), -1));
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            ExportLine,
            "SELECT o.name AS organisation, l.document_id AS document, l.line_no AS line, l.issue_date, \
             l.supplier, l.category_sub AS category, l.classification, l.item_name, l.gtin, \
             l.seller_item_id, l.quantity, l.unit_code, l.amount, l.emission_kg \
             FROM invoice_line l JOIN invoice_document d ON d.id = l.document_id \
             JOIN organisation o ON o.id = l.organisation_id \
             WHERE d.status = 'analysed' AND ($1 IS NULL OR l.organisation_id = $1) \
             AND (l.document_id > $2 OR (l.document_id = $2 AND l.line_no > $3)) \
             ORDER BY l.document_id, l.line_no LIMIT $4",
            organisation,
            after_doc,
            after_line,
            limit
        )?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The organisation's own documents as they were received (INV-2: without the manual
    /// step), for its designated contact only; each read is logged.
    pub async fn return_invoices(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<Returned>, StoreError> {
        require(actor, Action::ReadOwnSpend)?;
        let organisation_id = actor.controller_id;
        let mut tx = self.db.read().await?;
        let participation = participation_in(&mut tx, organisation_id).await?;
        if participation.as_ref().map(|p| p.contact_user_id) != Some(actor.user_id) {
            let u = Use::new(
                UseKind::Invoices,
                None,
                PURPOSE_INVOICES,
                "Egne fakturadata tilbage: kun til den udpegede kontaktperson",
            );
            return Err(self
                .refuse(
                    tx,
                    actor,
                    now,
                    u,
                    StoreError::Refused(Problem::NotTheContact),
                )
                .await);
        }
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String, String, Vec<u8>),
            "SELECT id, document_id, issue_date, raw FROM invoice_document \
             WHERE organisation_id = $1 AND raw IS NOT NULL ORDER BY issue_date, document_id",
            organisation_id
        )?;
        let u = Use::new(
            UseKind::Invoices,
            None,
            PURPOSE_INVOICES,
            format!(
                "{} rå fakturadokumenter åbnet og tilbageleveret til den udpegede kontaktperson",
                rows.len()
            ),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        let key = self.organisation_key(organisation_id, now).await?;
        rows.into_iter()
            .map(|(id, document_id, issue_date, sealed)| {
                Ok(Returned {
                    document_id,
                    issue_date,
                    raw: key.open_bytes(organisation_id, &raw_field(id), &sealed)?,
                })
            })
            .collect()
    }

    /// Deletes the raw copies that are due (INV-17): received [`RAW_YEARS`] years ago, or
    /// of a participation ended [`RAW_DAYS_AFTER_END`] days ago; the anonymised form stays.
    /// Returns how many; one access-log entry per organisation.
    pub async fn expire_invoice_raw(&self, now: Now) -> Result<u64, StoreError> {
        let received_before = now
            .local_date()
            .plus_months(-12 * RAW_YEARS)
            .start_local()
            .micros();
        let ended_before = now
            .plus_seconds(-i64::from(RAW_DAYS_AFTER_END) * 86_400)
            .micros();
        let mut tx = self.db.write().await?;
        let due = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, i64),
            "SELECT d.organisation_id, COUNT(*) FROM invoice_document d \
             LEFT JOIN invoice_participation p ON p.organisation_id = d.organisation_id \
             WHERE d.raw IS NOT NULL AND (d.received_at < $1 OR p.ended_at < $2) \
             GROUP BY d.organisation_id",
            received_before,
            ended_before
        )?;
        let mut total = 0;
        for (organisation_id, n) in due {
            execute!(
                &mut tx,
                "UPDATE invoice_document SET raw = NULL, raw_deleted_at = $1 WHERE organisation_id = $2 \
                 AND raw IS NOT NULL AND (received_at < $3 OR organisation_id IN \
                 (SELECT organisation_id FROM invoice_participation WHERE ended_at < $4))",
                now.micros(),
                organisation_id,
                received_before,
                ended_before
            )?;
            let u = Use::new(
                UseKind::Invoices,
                None,
                PURPOSE_INVOICES,
                format!("{n} rå fakturakopier slettet efter opbevaringsreglen"),
            );
            append_log(&mut tx, None, now, &u, true).await?;
            total += count(n);
        }
        tx.commit().await?;
        Ok(total)
    }
}

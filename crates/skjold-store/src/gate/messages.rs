//! Secure messages and data requests (SEC-1, PR-2, LP-5): the communication that replaces
//! e-mail. Part of the gate: message bodies are personal data, sealed under the citizen's
//! key, and every thread read or message sent is in the access log.
//!
//! One thread per order, between the supplier's users and the municipality's caseworkers
//! (any caseworker of the municipality can stand in for the responsible one). A supplier
//! loses the thread with its DPA; the history stays for the caseworker.

use std::collections::HashSet;

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use skjold_core::{DisclosureRule, FieldKey, Role};

use super::*;

/// What the guard found in a message and its attachments before it is sent (computed by
/// the caller, which owns the scrubber and reads the files). The gate adds what only it
/// can know: which of the citizen's undisclosed values the text contains.
#[derive(Debug, Clone, Default)]
pub struct GuardFindings {
    pub cpr_numbers: usize,
    pub sensitive_terms: Vec<String>,
    /// Attachments whose text could not be read (images, scans, damaged files): the guard
    /// cannot vouch for them, so they need the same confirmation.
    pub unreadable: Vec<String>,
    /// The text read from the attachments, for the gate's own check.
    pub attachment_text: String,
}

impl GuardFindings {
    /// Whether the scan found anything that needs a confirmation.
    pub fn any(&self) -> bool {
        self.cpr_numbers > 0 || !self.sensitive_terms.is_empty() || !self.unreadable.is_empty()
    }

    /// What was found, in Danish, for the sender and (sealed) for the ledger.
    pub fn describe(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.cpr_numbers > 0 {
            found.push("et CPR-nummer".to_owned());
        }
        if !self.sensitive_terms.is_empty() {
            found.push(format!(
                "følsomme oplysninger ({})",
                self.sensitive_terms.join(", ")
            ));
        }
        if !self.unreadable.is_empty() {
            found.push(format!(
                "vedhæftninger, hvis tekst ikke kan læses ({})",
                self.unreadable.join(", ")
            ));
        }
        found
    }
}

/// An attachment to send, already checked by the caller: a clean file name, a content
/// type sniffed from the bytes, and a size within limits.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message to send.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMessage<'a> {
    pub body: &'a str,
    pub attachments: &'a [NewAttachment],
    /// The sender's reason to send despite the guard's findings.
    pub confirmation: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentMeta {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// An attachment's content, for download.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadReceipt {
    pub reader: String,
    pub at: Now,
}

/// A message with its evidence of delivery (SEC-1).
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: Uuid,
    pub kind: String,
    pub sender: String,
    pub sender_organisation: String,
    pub recipients: String,
    pub body: String,
    pub attachments: Vec<AttachmentMeta>,
    /// SHA-256 over the message id and the body, hex.
    pub content_hash: String,
    pub sent_at: Now,
    /// How it travelled: always inside the platform, encrypted.
    pub delivery: &'static str,
    pub reads: Vec<ReadReceipt>,
    /// Not read by the viewer before this view.
    pub new_for_me: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: Uuid,
    pub fields: Vec<FieldKey>,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub created_at: Now,
    pub decided_at: Option<Now>,
}

impl RequestView {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn status_danish(&self) -> &'static str {
        match self.status.as_str() {
            "approved" => "Godkendt",
            "rejected" => "Afvist",
            _ => "Afventer sagsbehandler",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    pub order: OrderSummary,
    pub messages: Vec<MessageView>,
    pub requests: Vec<RequestView>,
    /// Fields the supplier may ask for: allowed on a justified decision, not yet disclosed,
    /// not already asked for. Says nothing about whether the citizen has such data.
    pub requestable: Vec<FieldKey>,
    /// For the caseworker: the citizen's current values of the fields in open requests,
    /// to decide with the data beside the request.
    pub requested_values: Vec<(FieldKey, String)>,
    /// The service type's policy, field by field.
    pub policy: Vec<(FieldKey, DisclosureRule)>,
}

/// An open data request, for the caseworker's start page. No personal data.
#[derive(Debug, Clone, Serialize)]
pub struct OpenRequest {
    pub id: Uuid,
    pub order_id: Uuid,
    pub order_reference: String,
    pub supplier_name: String,
    pub fields: Vec<FieldKey>,
    pub created_at: Now,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    sender_id: Uuid,
    sender_name: String,
    sender_org_id: Uuid,
    sender_org: String,
    kind: String,
    body: Vec<u8>,
    content_hash: Vec<u8>,
    sent_at: i64,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: Uuid,
    message_id: Uuid,
    filename: Vec<u8>,
    content_type: String,
    size: i64,
    sha256: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct ReadRow {
    message_id: Uuid,
    reader: String,
    first_read_at: i64,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: Uuid,
    fields: String,
    reason: Vec<u8>,
    status: String,
    requested_by: String,
    decided_by: Option<String>,
    decision_reason: Option<Vec<u8>>,
    created_at: i64,
    decided_at: Option<i64>,
}

impl RequestRow {
    fn into_view(self, key: &SubjectKey, subject_id: Uuid) -> Result<RequestView, StoreError> {
        Ok(RequestView {
            id: self.id,
            fields: parse_fields(&self.fields),
            reason: key.open(subject_id, &reason_aad(self.id), &self.reason)?,
            requested_by: self.requested_by,
            status: self.status,
            decided_by: self.decided_by,
            decision_reason: match &self.decision_reason {
                Some(sealed) => Some(key.open(subject_id, &decision_aad(self.id), sealed)?),
                None => None,
            },
            created_at: Now::from_micros(self.created_at),
            decided_at: self.decided_at.map(Now::from_micros),
        })
    }
}

fn attachment_aad(id: Uuid, part: &str) -> String {
    format!("attachment-{part}:{id}")
}

fn reason_aad(request: Uuid) -> String {
    format!("request-reason:{request}")
}

fn decision_aad(request: Uuid) -> String {
    format!("request-decision:{request}")
}

fn parse_fields(s: &str) -> Vec<FieldKey> {
    s.split(',').filter_map(|f| f.trim().parse().ok()).collect()
}

const PURPOSE_MESSAGES: &str = "Kommunikation om bestillingen";

/// The order of a thread, if the actor may use it: a caseworker who may work the order
/// (with the stand-in access that allows it, if any), or a user of the order's supplier
/// while the order is open and a DPA is in force.
async fn thread_order(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    now: Now,
) -> Result<(OrderRow, Option<Uuid>), StoreError> {
    match actor.role {
        Role::Caseworker => access::caseworker_order_row(tx, actor, order_id, now).await,
        Role::SupplierUser => {
            let order = match order_row(tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if order.status() == OrderStatus::Closed {
                return Err(StoreError::forbidden(
                    "order_closed_for_supplier",
                    "bestillingen er afsluttet; leverandøren har ikke længere adgang til borgerens oplysninger",
                ));
            }
            if dpa_in_force(tx, order.controller_id, order.supplier_id, now.local_date())
                .await?
                .is_none()
            {
                return Err(StoreError::forbidden(
                    "dpa_not_in_force",
                    "der er ingen databehandleraftale i kraft for denne bestilling",
                ));
            }
            Ok((order, None))
        }
        _ => Err(order_not_found()),
    }
}

async fn thread_id(tx: &mut Tx, order: &OrderRow, now: Now) -> Result<Uuid, StoreError> {
    let existing: Option<Uuid> = scalar!(
        tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM message_thread WHERE order_id = $1",
        order.id
    )?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = Uuid::new_v4();
    execute!(
        tx,
        "INSERT INTO message_thread (id, controller_id, supplier_id, order_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        id,
        order.controller_id,
        order.supplier_id,
        order.id,
        now.micros()
    )?;
    Ok(id)
}

/// The field keys already disclosed on an order, by any route.
async fn disclosed_fields(tx: &mut Tx, order_id: Uuid) -> Result<Vec<String>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_all,
        String,
        "SELECT field_key FROM disclosure WHERE order_id = $1 AND field_key IS NOT NULL",
        order_id
    )?)
}

fn content_hash(id: Uuid, body: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(id.as_bytes());
    h.update(body.as_bytes());
    h.finalize().to_vec()
}

fn body_aad(id: Uuid) -> String {
    format!("message:{id}")
}

fn confirmation_aad(id: Uuid) -> String {
    format!("message-confirmation:{id}")
}

/// The tables of one kind of thread. Order threads are sealed under the citizen's key,
/// general threads (municipality and supplier, no citizen) under the municipality's; the
/// two keep the same shape in tables of their own.
pub(super) struct Tables {
    message: &'static str,
    read: &'static str,
    attachment: &'static str,
}

pub(super) const ORDER_THREADS: Tables = Tables {
    message: "message",
    read: "message_read",
    attachment: "attachment",
};

pub(super) const GENERAL_THREADS: Tables = Tables {
    message: "general_message",
    read: "general_message_read",
    attachment: "general_attachment",
};

/// Where a message goes and the key that seals it: the key's owner is the citizen (order
/// threads) or the municipality (general threads).
pub(super) struct Sealing<'a> {
    pub(super) tables: &'a Tables,
    pub(super) key: &'a SubjectKey,
    pub(super) owner: Uuid,
    pub(super) thread: Uuid,
}

/// Seals and stores a message; `confirmation` is the sender's reason to send it despite
/// the guard, sealed beside the body.
pub(super) async fn insert_message(
    tx: &mut Tx,
    to: &Sealing<'_>,
    actor: &Actor,
    kind: &str,
    body: &str,
    confirmation: Option<&str>,
    now: Now,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let sealed = to.key.seal(to.owner, &body_aad(id), body)?;
    let confirmation = confirmation
        .map(|c| to.key.seal(to.owner, &confirmation_aad(id), c))
        .transpose()?;
    let table = to.tables.message;
    let next = format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE thread_id = $1");
    let seq: i64 = scalar!(tx, fetch_one, i64, &next, to.thread)?;
    let insert = format!(
        "INSERT INTO {table} (id, thread_id, seq, sender_id, sender_org_id, kind, body, content_hash, sent_at, confirmation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    execute!(
        tx,
        &insert,
        id,
        to.thread,
        seq,
        actor.user_id,
        actor.organisation_id,
        kind,
        sealed.as_slice(),
        content_hash(id, body).as_slice(),
        now.micros(),
        confirmation.as_deref()
    )?;
    Ok(id)
}

/// Seals and stores a message's attachments (name and content).
pub(super) async fn insert_attachments(
    tx: &mut Tx,
    to: &Sealing<'_>,
    message_id: Uuid,
    files: &[NewAttachment],
) -> Result<(), StoreError> {
    let insert = format!(
        "INSERT INTO {} (id, message_id, filename, content_type, size, sha256, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        to.tables.attachment
    );
    for file in files {
        let id = Uuid::new_v4();
        let name = to
            .key
            .seal(to.owner, &attachment_aad(id, "name"), &file.filename)?;
        let content = to
            .key
            .seal_bytes(to.owner, &attachment_aad(id, "body"), &file.bytes)?;
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        execute!(
            tx,
            &insert,
            id,
            message_id,
            name.as_slice(),
            file.content_type.as_str(),
            size,
            Sha256::digest(&file.bytes).to_vec(),
            content.as_slice()
        )?;
    }
    Ok(())
}

/// A thread's messages as stored (sealed), with read receipts as they were before this
/// view and which messages the viewer had read.
pub(super) struct Loaded {
    messages: Vec<MessageRow>,
    reads: Vec<ReadRow>,
    attachments: Vec<AttachmentRow>,
    mine: HashSet<Uuid>,
}

/// Loads a thread and marks its messages read by `viewer`.
pub(super) async fn load_thread(
    tx: &mut Tx,
    t: &Tables,
    thread: Uuid,
    viewer: Uuid,
    now: Now,
) -> Result<Loaded, StoreError> {
    let Tables {
        message,
        read,
        attachment,
        ..
    } = t;
    let sql = format!(
        "SELECT m.id, m.sender_id, u.display_name AS sender_name, m.sender_org_id, o.name AS sender_org, m.kind, m.body, \
         m.content_hash, m.sent_at FROM {message} m JOIN app_user u ON u.id = m.sender_id \
         JOIN organisation o ON o.id = m.sender_org_id WHERE m.thread_id = $1 ORDER BY m.seq"
    );
    let messages = fetch!(&mut *tx, fetch_all, MessageRow, &sql, thread)?;
    let sql = format!(
        "SELECT r.message_id, u.display_name AS reader, r.first_read_at FROM {read} r \
         JOIN {message} m ON m.id = r.message_id JOIN app_user u ON u.id = r.user_id WHERE m.thread_id = $1 \
         ORDER BY r.first_read_at"
    );
    let reads = fetch!(&mut *tx, fetch_all, ReadRow, &sql, thread)?;
    let sql = format!(
        "SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256 FROM {attachment} a \
         JOIN {message} m ON m.id = a.message_id WHERE m.thread_id = $1 ORDER BY a.id"
    );
    let attachments = fetch!(&mut *tx, fetch_all, AttachmentRow, &sql, thread)?;
    let sql = format!(
        "SELECT r.message_id FROM {read} r JOIN {message} m ON m.id = r.message_id \
         WHERE m.thread_id = $1 AND r.user_id = $2"
    );
    let mine = scalar!(&mut *tx, fetch_all, Uuid, &sql, thread, viewer)?
        .into_iter()
        .collect();
    let sql = format!(
        "INSERT INTO {read} (message_id, user_id, first_read_at) SELECT m.id, $2, $3 FROM {message} m \
         WHERE m.thread_id = $1 AND m.sender_id <> $2 \
         AND NOT EXISTS (SELECT 1 FROM {read} r WHERE r.message_id = m.id AND r.user_id = $2)"
    );
    execute!(&mut *tx, &sql, thread, viewer, now.micros())?;
    Ok(Loaded {
        messages,
        reads,
        attachments,
        mine,
    })
}

impl Loaded {
    /// Opens the messages with `key` (owned by `owner`) into views with their evidence.
    /// `recipients` names who a message went to, from the sender's organisation.
    pub(super) fn render(
        self,
        key: &SubjectKey,
        owner: Uuid,
        viewer: Uuid,
        recipients: impl Fn(Uuid) -> String,
    ) -> Result<Vec<MessageView>, StoreError> {
        let mut views = Vec::with_capacity(self.messages.len());
        for m in self.messages {
            let body = key.open(owner, &body_aad(m.id), &m.body)?;
            let mut files = Vec::new();
            for a in self.attachments.iter().filter(|a| a.message_id == m.id) {
                files.push(AttachmentMeta {
                    id: a.id,
                    filename: key.open(owner, &attachment_aad(a.id, "name"), &a.filename)?,
                    content_type: a.content_type.clone(),
                    size: a.size,
                    sha256: hex::encode(&a.sha256),
                });
            }
            views.push(MessageView {
                id: m.id,
                kind: m.kind,
                sender: m.sender_name,
                sender_organisation: m.sender_org,
                recipients: recipients(m.sender_org_id),
                body,
                attachments: files,
                content_hash: hex::encode(&m.content_hash),
                sent_at: Now::from_micros(m.sent_at),
                delivery: "Leveret i Skjold, krypteret",
                reads: self
                    .reads
                    .iter()
                    .filter(|r| r.message_id == m.id)
                    .map(|r| ReadReceipt {
                        reader: r.reader.clone(),
                        at: Now::from_micros(r.first_read_at),
                    })
                    .collect(),
                new_for_me: m.sender_id != viewer && !self.mine.contains(&m.id),
            });
        }
        Ok(views)
    }
}

/// An attachment's sealed parts and the thread it belongs to.
#[derive(sqlx::FromRow)]
pub(super) struct StoredAttachment {
    pub(super) filename: Vec<u8>,
    pub(super) content_type: String,
    pub(super) body: Vec<u8>,
    pub(super) thread_id: Uuid,
}

pub(super) async fn stored_attachment(
    tx: &mut Tx,
    t: &Tables,
    id: Uuid,
) -> Result<Option<StoredAttachment>, StoreError> {
    let sql = format!(
        "SELECT a.filename, a.content_type, a.body, m.thread_id FROM {} a JOIN {} m ON m.id = a.message_id WHERE a.id = $1",
        t.attachment, t.message
    );
    Ok(fetch!(tx, fetch_optional, StoredAttachment, &sql, id)?)
}

impl StoredAttachment {
    pub(super) fn open(
        self,
        key: &SubjectKey,
        owner: Uuid,
        id: Uuid,
    ) -> Result<AttachmentFile, StoreError> {
        Ok(AttachmentFile {
            filename: key.open(owner, &attachment_aad(id, "name"), &self.filename)?,
            content_type: self.content_type,
            bytes: key.open_bytes(owner, &attachment_aad(id, "body"), &self.body)?,
        })
    }
}

pub(super) fn attachment_not_found() -> StoreError {
    StoreError::not_found(
        "attachment_not_found",
        "vedhæftningen findes ikke, eller du har ikke adgang til den",
    )
}

/// Whether `text` mentions a citizen's value, in the forms people write it.
fn mentions(text_lower: &str, text_digits: &str, field: FieldKey, value: &str) -> bool {
    let v = value.trim().to_lowercase();
    match field {
        FieldKey::Cpr | FieldKey::Phone => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            let tail = &digits[digits.len().saturating_sub(if field == FieldKey::Phone {
                8
            } else {
                10
            })..];
            tail.len() >= 8 && text_digits.contains(tail)
        }
        FieldKey::Address => {
            let street = v.split(',').next().unwrap_or("").trim();
            street.chars().count() >= 5 && text_lower.contains(street)
        }
        FieldKey::Name => {
            let surname = v.split_whitespace().last().unwrap_or("");
            text_lower.contains(&v)
                || (surname.chars().count() >= 4
                    && text_lower
                        .split(|c: char| !c.is_alphanumeric() && c != '-')
                        .any(|w| w == surname))
        }
        _ => {
            let head = v.split([';', ',']).next().unwrap_or("").trim();
            (v.chars().count() >= 4 && text_lower.contains(&v))
                || (head.chars().count() >= 6 && text_lower.contains(head))
        }
    }
}

impl Store {
    /// Opens an order's thread: messages with evidence, data requests, and — for the
    /// caseworker — the citizen's values of requested fields. Marks the messages read by
    /// this user. Logged.
    pub async fn thread(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<ThreadView, StoreError> {
        let mut tx = self.db.write().await?;
        let (order, stand_in) = match thread_order(&mut tx, actor, order_id, now).await {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_MESSAGES,
                    "Visning af beskedtråd afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let thread = thread_id(&mut tx, &order, now).await?;
        let loaded = load_thread(&mut tx, &ORDER_THREADS, thread, actor.user_id, now).await?;
        let request_rows: Vec<RequestRow> = fetch!(
            &mut tx,
            fetch_all,
            RequestRow,
            "SELECT r.id, r.fields, r.reason, r.status, u.display_name AS requested_by, d.display_name AS decided_by, \
             r.decision_reason, r.created_at, r.decided_at FROM data_request r JOIN app_user u ON u.id = r.requested_by \
             LEFT JOIN app_user d ON d.id = r.decided_by WHERE r.order_id = $1 ORDER BY r.created_at, r.id",
            order_id
        )?;
        let disclosed = disclosed_fields(&mut tx, order_id).await?;
        let service_type =
            service_type_in(&mut tx, order.controller_id, order.service_type_id).await?;
        let asked: Vec<FieldKey> = request_rows
            .iter()
            .filter(|r| r.status == "open")
            .flat_map(|r| parse_fields(&r.fields))
            .collect();
        let policy: Vec<(FieldKey, DisclosureRule)> = service_type.policy().all().collect();
        let requestable = policy
            .iter()
            .copied()
            .filter(|(f, rule)| {
                *rule == DisclosureRule::OnJustifiedRequest
                    && !disclosed.iter().any(|d| d == f.key())
                    && !asked.contains(f)
            })
            .map(|(f, _)| f)
            .collect();
        let sealed_values = if actor.role == Role::Caseworker && !asked.is_empty() {
            current_data(&mut tx, order.subject_id)
                .await?
                .into_iter()
                .filter(|r| r.field_key.parse().is_ok_and(|f| asked.contains(&f)))
                .collect()
        } else {
            Vec::new()
        };
        let wrapped = wrapped_key(&mut tx, order.subject_id).await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!("Beskedtråd for {} vist", order.reference),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;

        let key = self.keys.unwrap_subject_key(order.subject_id, &wrapped)?;
        let requests = request_rows
            .into_iter()
            .map(|r| r.into_view(&key, order.subject_id))
            .collect::<Result<Vec<_>, _>>()?;
        let supplier_id = order.supplier_id;
        let to_caseworker = format!("{} ({})", order.caseworker_name, order.unit_name);
        let views = loaded.render(&key, order.subject_id, actor.user_id, |sender_org| {
            if sender_org == supplier_id {
                to_caseworker.clone()
            } else {
                order.supplier_name.clone()
            }
        })?;
        let requested_values = self
            .open_all(order.subject_id, &wrapped, sealed_values)?
            .into_iter()
            .map(|d| (d.field, d.value))
            .collect();
        Ok(ThreadView {
            order: order.summary(),
            messages: views,
            requests,
            requestable,
            requested_values,
            policy,
        })
    }

    /// Sends a message on an order's thread. A caseworker's message and its attachments
    /// are checked first (the guard): if they name a CPR number, special-category or
    /// criminal terms, or data about the citizen that this supplier has not received, or if
    /// an attachment's text cannot be read, the message is sent only with a written
    /// confirmation. A confirmed send records what it disclosed in the ledger: each
    /// undisclosed field as a manual disclosure, and the rest of what the guard found as
    /// free text in a message. The confirmation is sealed with the message.
    pub async fn post_message(
        &self,
        actor: &Actor,
        order_id: Uuid,
        message: &OutgoingMessage<'_>,
        findings: &GuardFindings,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let OutgoingMessage {
            body,
            attachments,
            confirmation,
        } = *message;
        let mut tx = self.db.write().await?;
        let (order, stand_in) = match thread_order(&mut tx, actor, order_id, now).await {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    None,
                    PURPOSE_MESSAGES,
                    "Afsendelse af besked afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let key = self.subject_key(&mut tx, order.subject_id).await?;
        let mut undisclosed: Vec<(FieldKey, Uuid)> = Vec::new();
        if actor.role == Role::Caseworker {
            let disclosed = disclosed_fields(&mut tx, order_id).await?;
            let text = format!("{body}\n{}", findings.attachment_text);
            let lower = text.to_lowercase();
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            for row in current_data(&mut tx, order.subject_id).await? {
                let Ok(field) = row.field_key.parse::<FieldKey>() else {
                    continue;
                };
                if disclosed.iter().any(|d| d == field.key()) {
                    continue;
                }
                let value = key.open(order.subject_id, field.key(), &row.ciphertext)?;
                if mentions(&lower, &digits, field, &value) {
                    undisclosed.push((field, row.id));
                }
            }
        }
        let flagged = actor.role == Role::Caseworker && (findings.any() || !undisclosed.is_empty());
        let confirmation = confirmation.map(str::trim).filter(|c| !c.is_empty());
        if flagged
            && confirmation
                .is_none_or(|c| c.chars().count() < skjold_core::policy::MIN_JUSTIFICATION)
        {
            let mut found = findings.describe();
            if !undisclosed.is_empty() {
                let names: Vec<&str> = undisclosed.iter().map(|(f, _)| f.danish()).collect();
                found.push(format!(
                    "oplysninger om borgeren, som leverandøren ikke har fået: {}",
                    names.join(", ")
                ));
            }
            drop(tx);
            let mut u = Use::new(
                UseKind::View,
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                "Besked kontrolleret før afsendelse; ikke sendt",
            )
            .under(stand_in);
            u.criterion = Some(format!("bestilling {}", order.reference));
            self.log.append(log_row(Some(actor), now, &u, true)).await?;
            return Err(StoreError::invalid(
                "guard_confirmation_required",
                format!(
                    "beskeden indeholder {}. Ret teksten, eller bekræft afsendelsen med en begrundelse på mindst {} tegn.",
                    found.join("; "),
                    skjold_core::policy::MIN_JUSTIFICATION
                ),
            ));
        }
        let to = Sealing {
            tables: &ORDER_THREADS,
            key: &key,
            owner: order.subject_id,
            thread: thread_id(&mut tx, &order, now).await?,
        };
        let confirmed = confirmation.filter(|_| flagged);
        let id = insert_message(&mut tx, &to, actor, "message", body, confirmed, now).await?;
        insert_attachments(&mut tx, &to, id, attachments).await?;
        let mut detail = format!("Besked sendt i tråden for {}", order.reference);
        if !attachments.is_empty() {
            detail.push_str(&format!(" med {} vedhæftning(er)", attachments.len()));
        }
        if let Some(why) = confirmed {
            let (_, legal_basis) =
                purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
            let justification = format!("Bekræftet ved afsendelse af besked: {why}");
            for (field, datum_id) in &undisclosed {
                insert_disclosure(
                    &mut tx,
                    actor,
                    &key,
                    &DisclosureRow {
                        field: Some(*field),
                        datum_id: Some(*datum_id),
                        justification: Some(&justification),
                        message_id: Some(id),
                        ..DisclosureRow::of_order(DisclosureKind::Manual, &order, &legal_basis)
                    },
                    now,
                )
                .await?;
            }
            if findings.any() {
                let found = findings.describe().join("; ");
                insert_disclosure(
                    &mut tx,
                    actor,
                    &key,
                    &DisclosureRow {
                        justification: Some(&justification),
                        message_id: Some(id),
                        found: Some(&found),
                        ..DisclosureRow::of_order(DisclosureKind::Message, &order, &legal_basis)
                    },
                    now,
                )
                .await?;
            }
            detail.push_str("; sendt trods vagtens advarsel, registreret i videregivelsesloggen");
        }
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                if flagged {
                    UseKind::Disclose
                } else {
                    UseKind::Register
                },
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// LP-5: the supplier asks for more fields, with a reason. Only fields the policy
    /// allows on a justified decision, not yet disclosed.
    pub async fn request_data(
        &self,
        actor: &Actor,
        order_id: Uuid,
        fields: &[FieldKey],
        reason: &str,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require_role(actor, &[Role::SupplierUser])?;
            let (order, _) = thread_order(&mut tx, actor, order_id, now).await?;
            if order.status() == OrderStatus::Closed {
                return Err(StoreError::conflict(
                    "order_closed",
                    "bestillingen er afsluttet",
                ));
            }
            if fields.is_empty() {
                return Err(StoreError::invalid(
                    "fields_required",
                    "vælg mindst én oplysning",
                ));
            }
            if reason.trim().chars().count() < skjold_core::policy::MIN_JUSTIFICATION {
                return Err(StoreError::invalid(
                    "reason_required",
                    format!(
                        "begrundelsen skal være på mindst {} tegn",
                        skjold_core::policy::MIN_JUSTIFICATION
                    ),
                ));
            }
            let policy = service_type_in(&mut tx, order.controller_id, order.service_type_id)
                .await?
                .policy();
            let disclosed = disclosed_fields(&mut tx, order_id).await?;
            for f in fields {
                match policy.rule(*f) {
                    DisclosureRule::Never => {
                        return Err(StoreError::invalid(
                            "field_never_disclosed",
                            format!("{} må aldrig videregives til denne ydelse", f.danish()),
                        ));
                    }
                    _ if disclosed.iter().any(|d| d == f.key()) => {
                        return Err(StoreError::conflict(
                            "field_already_disclosed",
                            format!("{} er allerede videregivet", f.danish()),
                        ));
                    }
                    DisclosureRule::Automatic | DisclosureRule::OnJustifiedRequest => {}
                }
            }
            Ok(order)
        }
        .await;
        let order = match checked {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::Search,
                    None,
                    PURPOSE_MESSAGES,
                    "Anmodning om oplysninger afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let id = Uuid::new_v4();
        let keys: Vec<&str> = fields.iter().map(|f| f.key()).collect();
        let key = self.subject_key(&mut tx, order.subject_id).await?;
        let sealed_reason = key.seal(order.subject_id, &reason_aad(id), reason.trim())?;
        execute!(
            &mut tx,
            "INSERT INTO data_request (id, order_id, requested_by, fields, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
            id,
            order_id,
            actor.user_id,
            keys.join(","),
            sealed_reason.as_slice(),
            now.micros()
        )?;
        let thread = thread_id(&mut tx, &order, now).await?;
        let names: Vec<&str> = fields.iter().map(|f| f.danish()).collect();
        let body = format!(
            "Anmodning om oplysninger: {}. Begrundelse: {}",
            names.join(", "),
            reason.trim()
        );
        insert_message(
            &mut tx,
            &Sealing {
                tables: &ORDER_THREADS,
                key: &key,
                owner: order.subject_id,
                thread,
            },
            actor,
            "data_request",
            &body,
            None,
            now,
        )
        .await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!("Anmodning om oplysninger på {}", order.reference),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caseworker decides a data request. Approved fields become manual disclosures
    /// carrying the supplier's reason and the caseworker's decision; a rejection needs a
    /// reason. The decision is posted in the thread.
    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        approve: bool,
        decision: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require_role(actor, &[Role::Caseworker])?;
            let row: Option<(Uuid, String, Vec<u8>, String)> = fetch!(
                &mut tx,
                fetch_optional,
                (Uuid, String, Vec<u8>, String),
                "SELECT order_id, fields, reason, status FROM data_request WHERE id = $1",
                request_id
            )?;
            let (order_id, fields, reason, status) = row.ok_or_else(|| {
                StoreError::not_found("request_not_found", "anmodningen findes ikke")
            })?;
            let (order, stand_in) =
                access::caseworker_order_row(&mut tx, actor, order_id, now).await?;
            if status != "open" {
                return Err(StoreError::conflict(
                    "request_decided",
                    "anmodningen er allerede afgjort",
                ));
            }
            if approve && order.status() == OrderStatus::Closed {
                return Err(StoreError::conflict(
                    "order_closed",
                    "bestillingen er afsluttet; der kan ikke videregives mere",
                ));
            }
            if !approve && decision.trim().chars().count() < skjold_core::policy::MIN_JUSTIFICATION
            {
                return Err(StoreError::invalid(
                    "reason_required",
                    format!(
                        "en afvisning skal begrundes med mindst {} tegn",
                        skjold_core::policy::MIN_JUSTIFICATION
                    ),
                ));
            }
            Ok((order, stand_in, parse_fields(&fields), reason))
        }
        .await;
        let (order, stand_in, fields, sealed_reason) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    None,
                    PURPOSE_MESSAGES,
                    "Afgørelse af anmodning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let decision = decision.trim();
        let key = self.subject_key(&mut tx, order.subject_id).await?;
        let reason = key.open(order.subject_id, &reason_aad(request_id), &sealed_reason)?;
        let sealed_decision = match decision {
            "" => None,
            d => Some(key.seal(order.subject_id, &decision_aad(request_id), d)?),
        };
        let mut granted = Vec::new();
        let mut missing = Vec::new();
        if approve {
            let data = current_data(&mut tx, order.subject_id).await?;
            let (_, legal_basis) =
                purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
            let policy = service_type_in(&mut tx, order.controller_id, order.service_type_id)
                .await?
                .policy();
            let justification = if decision.is_empty() {
                format!(
                    "Leverandørens anmodning: {}. Godkendt af sagsbehandler.",
                    reason.trim_end_matches('.')
                )
            } else {
                format!(
                    "Leverandørens anmodning: {}. Sagsbehandlerens afgørelse: {decision}",
                    reason.trim_end_matches('.')
                )
            };
            for f in &fields {
                let datum = data.iter().find(|d| d.field_key == f.key());
                match (policy.rule(*f), datum) {
                    (DisclosureRule::OnJustifiedRequest, Some(d)) => {
                        insert_disclosure(
                            &mut tx,
                            actor,
                            &key,
                            &DisclosureRow {
                                field: Some(*f),
                                datum_id: Some(d.id),
                                justification: Some(&justification),
                                ..DisclosureRow::of_order(
                                    DisclosureKind::Manual,
                                    &order,
                                    &legal_basis,
                                )
                            },
                            now,
                        )
                        .await?;
                        granted.push(f.danish());
                    }
                    _ => missing.push(f.danish()),
                }
            }
        }
        execute!(
            &mut tx,
            "UPDATE data_request SET status = $1, decided_by = $2, decision_reason = $3, decided_at = $4 WHERE id = $5",
            if approve { "approved" } else { "rejected" },
            actor.user_id,
            sealed_decision.as_deref(),
            now.micros(),
            request_id
        )?;
        let body = if approve {
            let mut b = format!(
                "Anmodningen er godkendt. Videregivet: {}.",
                if granted.is_empty() {
                    "intet".to_owned()
                } else {
                    granted.join(", ")
                }
            );
            if !missing.is_empty() {
                b.push_str(&format!(
                    " Ikke videregivet (ingen oplysning eller ikke tilladt): {}.",
                    missing.join(", ")
                ));
            }
            if !decision.is_empty() {
                b.push_str(&format!(" Bemærkning: {decision}"));
            }
            b
        } else {
            format!("Anmodningen er afvist. Begrundelse: {decision}")
        };
        let thread = thread_id(&mut tx, &order, now).await?;
        insert_message(
            &mut tx,
            &Sealing {
                tables: &ORDER_THREADS,
                key: &key,
                owner: order.subject_id,
                thread,
            },
            actor,
            "decision",
            &body,
            None,
            now,
        )
        .await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                if granted.is_empty() {
                    UseKind::Register
                } else {
                    UseKind::Disclose
                },
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!(
                    "Anmodning på {} {}",
                    order.reference,
                    if approve { "godkendt" } else { "afvist" }
                ),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Where to send "you have a new message" notices after `sender` wrote on an order's
    /// thread: the supplier's users when the municipality wrote, the caseworkers of the
    /// order's unit when the supplier wrote. Only users who gave an address; never the
    /// sender. No personal data about the citizen.
    pub async fn notification_recipients(
        &self,
        sender: &Actor,
        order_id: Uuid,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.db.read().await?;
        let (join, role) = if sender.role == Role::SupplierUser {
            ("o.unit_id", "caseworker")
        } else {
            ("o.supplier_id", "supplier_user")
        };
        let sql = format!(
            "SELECT u.notify_email FROM app_user u JOIN service_order o ON {join} = u.organisation_id \
             WHERE o.id = $1 AND u.role = $2 AND u.active = $3 AND u.notify_email IS NOT NULL AND u.id <> $4 \
             ORDER BY u.username"
        );
        Ok(scalar!(
            &mut tx,
            fetch_all,
            String,
            &sql,
            order_id,
            role,
            true,
            sender.user_id
        )?)
    }

    /// An attachment's content, for someone who may read its thread. Logged.
    pub async fn attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
        now: Now,
    ) -> Result<AttachmentFile, StoreError> {
        let mut tx = self.db.write().await?;
        let authorised = match stored_attachment(&mut tx, &ORDER_THREADS, attachment_id).await? {
            Some(stored) => {
                let order_id: Uuid = scalar!(
                    &mut tx,
                    fetch_one,
                    Uuid,
                    "SELECT order_id FROM message_thread WHERE id = $1",
                    stored.thread_id
                )?;
                thread_order(&mut tx, actor, order_id, now)
                    .await
                    .map(|access| (stored, access))
                    .map_err(|e| match e {
                        StoreError::NotFound { .. } => attachment_not_found(),
                        other => other,
                    })
            }
            None => Err(attachment_not_found()),
        };
        let (stored, (order, stand_in)) = match authorised {
            Ok(a) => a,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_MESSAGES,
                    "Hentning af vedhæftning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let wrapped = wrapped_key(&mut tx, order.subject_id).await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!("Vedhæftning hentet fra tråden for {}", order.reference),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        let key = self.keys.unwrap_subject_key(order.subject_id, &wrapped)?;
        stored.open(&key, order.subject_id, attachment_id)
    }

    /// Open data requests on the orders of the caseworker's unit, oldest first. No personal
    /// data.
    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, StoreError> {
        require_role(actor, &[Role::Caseworker])?;
        let mut tx = self.db.read().await?;
        let rows: Vec<(Uuid, Uuid, String, String, String, i64)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid, String, String, String, i64),
            "SELECT r.id, r.order_id, o.reference, s.name, r.fields, r.created_at FROM data_request r \
             JOIN service_order o ON o.id = r.order_id JOIN organisation s ON s.id = o.supplier_id \
             WHERE o.controller_id = $1 AND o.unit_id = $2 AND r.status = 'open' ORDER BY r.created_at, r.id",
            actor.controller_id,
            actor.organisation_id
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(id, order_id, order_reference, supplier_name, fields, at)| OpenRequest {
                    id,
                    order_id,
                    order_reference,
                    supplier_name,
                    fields: parse_fields(&fields),
                    created_at: Now::from_micros(at),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_finds_values_as_people_write_them() {
        let t = "Ring til Mette på 85 96 60 68, hun bor på Nørrebrogade 21. CPR 160172-3499.";
        let (l, d) = (
            t.to_lowercase(),
            t.chars().filter(char::is_ascii_digit).collect::<String>(),
        );
        assert!(mentions(&l, &d, FieldKey::Phone, "+45 85 96 60 68"));
        assert!(mentions(
            &l,
            &d,
            FieldKey::Address,
            "Nørrebrogade 21, 2. tv., 2400 København NV"
        ));
        assert!(mentions(&l, &d, FieldKey::Cpr, "160172-3499"));
        assert!(!mentions(&l, &d, FieldKey::Phone, "+45 20 30 40 50"));
        assert!(!mentions(&l, &d, FieldKey::Email, "mette@example.dk"));
        assert!(!mentions(
            "har angst i store grupper",
            "",
            FieldKey::Health,
            "Angst; har brug for rolige omgivelser"
        ));
        assert!(mentions(
            "hun har angst; har brug for rolige omgivelser",
            "",
            FieldKey::Health,
            "Angst; har brug for rolige omgivelser"
        ));
    }
}

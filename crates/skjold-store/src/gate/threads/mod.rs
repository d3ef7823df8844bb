//! Secure messages (SEC-1, PR-2): the machinery both kinds of thread share — sealing and
//! storing a message and its attachments, loading a thread with its read receipts, opening
//! it for the reader. Order threads ([`orders`]) are sealed under the citizen's key, general
//! threads ([`general`]) under the municipality's; the two keep the same shape in tables of
//! their own.

pub(super) mod general;
pub(super) mod orders;

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use skjold_core::orders::OrderStatus;
use skjold_core::threads::{
    AttachmentFile, AttachmentMeta, MessageView, NewAttachment, ReadReceipt,
};

use super::*;
use skjold_core::{Action, Actor, Role};

use crate::catalogue::dpa_in_force;

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

fn attachment_aad(id: Uuid, part: &str) -> String {
    format!("attachment-{part}:{id}")
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
    /// Opens the messages with `key` (owned by `owner`) into views with their evidence;
    /// with no key (an erased citizen's), the views carry the evidence without the texts.
    /// `recipients` names who a message went to, from the sender's organisation.
    pub(super) fn render(
        self,
        key: Option<&SubjectKey>,
        owner: Uuid,
        viewer: Uuid,
        recipients: impl Fn(Uuid) -> String,
    ) -> Result<Vec<MessageView>, StoreError> {
        let open = |aad: String, sealed: &[u8]| -> Result<String, StoreError> {
            // No key: the citizen is erased. An empty body: deleted by a retention rule.
            match key {
                Some(k) if !sealed.is_empty() => Ok(k.open(owner, &aad, sealed)?),
                _ => Ok(String::new()),
            }
        };
        let mut views = Vec::with_capacity(self.messages.len());
        for m in self.messages {
            let body = open(body_aad(m.id), &m.body)?;
            let mut files = Vec::new();
            for a in self.attachments.iter().filter(|a| a.message_id == m.id) {
                files.push(AttachmentMeta {
                    id: a.id,
                    filename: open(attachment_aad(a.id, "name"), &a.filename)?,
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
                erased: key.is_none(),
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
    StoreError::Refused(Problem::AttachmentNotFound)
}

// ---- an order's thread ------------------------------------------------------------------

pub(crate) const PURPOSE_MESSAGES: &str = "Kommunikation om bestillingen";

/// The order of a thread, if the actor may use it: a caseworker who may work the order
/// (with the stand-in access that allows it, if any), or a user of the order's supplier
/// while the order is open and a DPA is in force.
pub(crate) async fn thread_order(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    now: Now,
) -> Result<(OrderRow, Option<Uuid>), StoreError> {
    require(actor, Action::UseOrderThread)?;
    match actor.role {
        Role::Caseworker => access::caseworker_order_row(tx, actor, order_id, now).await,
        Role::SupplierUser => {
            let order = match order_row(tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if order.status() == OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderClosedForSupplier));
            }
            if dpa_in_force(tx, order.controller_id, order.supplier_id, now.local_date())
                .await?
                .is_none()
            {
                return Err(StoreError::Refused(Problem::DpaNotInForce));
            }
            Ok((order, None))
        }
        _ => Err(order_not_found()),
    }
}

pub(crate) async fn thread_id(tx: &mut Tx, order: &OrderRow, now: Now) -> Result<Uuid, StoreError> {
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
pub(crate) async fn disclosed_fields(
    tx: &mut Tx,
    order_id: Uuid,
) -> Result<Vec<String>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_all,
        String,
        "SELECT field_key FROM disclosure WHERE order_id = $1 AND field_key IS NOT NULL",
        order_id
    )?)
}

//! General threads: one between a municipality and each of its suppliers, for matters that
//! concern no citizen (agreements, capacity, practical arrangements). Same evidence and
//! read receipts as the order threads; bodies and attachments are sealed under the
//! municipality's key, and every view and message is in the access log.
//!
//! Any caseworker of the municipality may use the thread with a supplier it has had a DPA
//! with (the history stays after the DPA ends; writing needs one in force, since the
//! supplier could not read it). A supplier's users may use it while a DPA is in force.

use uuid::Uuid;

use skjold_core::oversight::UseKind;
use skjold_core::text::Justification;
use skjold_core::threads::{
    AttachmentFile, GeneralThreadSummary, GeneralThreadView, GuardFindings, OutgoingMessage,
    Verdict,
};
use skjold_core::{Action, Actor, Problem, Role};

use super::{
    GENERAL_THREADS, Sealing, attachment_not_found, insert_attachments, insert_message,
    load_thread, stored_attachment,
};
use crate::crypto::SubjectKey;
use crate::gate::*;

const PURPOSE_GENERAL: &str = "Kommunikation med leverandøren";

/// The two parties of a general thread, as the actor may see them.
struct Parties {
    controller_id: Uuid,
    supplier_id: Uuid,
    counterpart_name: String,
    /// A DPA is in force today.
    open: bool,
}

fn thread_not_found() -> StoreError {
    StoreError::Refused(Problem::ThreadNotFound)
}

/// Whether the municipality has ever had a DPA with the supplier, and whether one is in
/// force today.
async fn dpa_state(
    tx: &mut Tx,
    controller_id: Uuid,
    supplier_id: Uuid,
    now: Now,
) -> Result<(bool, bool), StoreError> {
    let any: i64 = scalar!(
        &mut *tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM dpa WHERE controller_id = $1 AND processor_id = $2",
        controller_id,
        supplier_id
    )?;
    let in_force = any > 0
        && dpa_in_force(tx, controller_id, supplier_id, now.local_date())
            .await?
            .is_some();
    Ok((any > 0, in_force))
}

/// Who the actor may talk to in a general thread with `counterpart`.
async fn parties(
    tx: &mut Tx,
    actor: &Actor,
    counterpart: Uuid,
    now: Now,
) -> Result<Parties, StoreError> {
    require(actor, Action::UseGeneralThread)?;
    let (controller_id, supplier_id) = match actor.role {
        Role::Caseworker => (actor.controller_id, counterpart),
        Role::SupplierUser => (counterpart, actor.organisation_id),
        _ => return Err(thread_not_found()),
    };
    let (ever, in_force) = dpa_state(tx, controller_id, supplier_id, now).await?;
    match actor.role {
        Role::Caseworker if ever => {}
        Role::SupplierUser if in_force => {}
        Role::SupplierUser if ever => {
            return Err(StoreError::Refused(Problem::DpaNotInForce));
        }
        _ => return Err(thread_not_found()),
    }
    let counterpart_name = organisation_in(tx, counterpart).await?.name;
    Ok(Parties {
        controller_id,
        supplier_id,
        counterpart_name,
        open: in_force,
    })
}

async fn general_thread_id(tx: &mut Tx, p: &Parties) -> Result<Option<Uuid>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM general_thread WHERE controller_id = $1 AND supplier_id = $2",
        p.controller_id,
        p.supplier_id
    )?)
}

async fn create_general_thread(tx: &mut Tx, p: &Parties, now: Now) -> Result<Uuid, StoreError> {
    if let Some(id) = general_thread_id(tx, p).await? {
        return Ok(id);
    }
    let id = Uuid::new_v4();
    execute!(
        &mut *tx,
        "INSERT INTO general_thread (id, controller_id, supplier_id, created_at) VALUES ($1, $2, $3, $4)",
        id,
        p.controller_id,
        p.supplier_id,
        now.micros()
    )?;
    Ok(id)
}

impl Gate {
    /// The municipality's data key (for what concerns no citizen), from the key store;
    /// created there on first use (durably, before the message that uses it).
    pub(in crate::gate) async fn organisation_key(
        &self,
        organisation_id: Uuid,
        now: Now,
    ) -> Result<SubjectKey, StoreError> {
        if let Some(w) = self.key_store.organisation_key(organisation_id).await? {
            return Ok(self.keys.unwrap_subject_key(organisation_id, &w)?);
        }
        let (_, wrapped) = self.keys.new_subject_key(organisation_id)?;
        self.key_store
            .put_organisation_key(organisation_id, &wrapped, now)
            .await?;
        // Two first uses at once keep the key that was stored first.
        let stored = self
            .key_store
            .organisation_key(organisation_id)
            .await?
            .ok_or_else(|| StoreError::Config("the organisation's key was not stored".into()))?;
        Ok(self.keys.unwrap_subject_key(organisation_id, &stored)?)
    }

    /// The actor's general threads: for a caseworker, one per supplier the municipality
    /// has had a DPA with; for a supplier user, one per municipality with a DPA in force.
    /// Counts only, no content; not logged.
    pub async fn general_threads(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<GeneralThreadSummary>, StoreError> {
        let (mine, other) = match actor.role {
            Role::Caseworker => ("controller_id", "processor_id"),
            Role::SupplierUser => ("processor_id", "controller_id"),
            _ => return Ok(Vec::new()),
        };
        let own = if actor.role == Role::Caseworker {
            actor.controller_id
        } else {
            actor.organisation_id
        };
        let mut tx = self.db.read().await?;
        let sql = format!(
            "SELECT DISTINCT o.id, o.name FROM dpa d JOIN organisation o ON o.id = d.{other} \
             WHERE d.{mine} = $1 ORDER BY o.name"
        );
        let counterparts = fetch!(&mut tx, fetch_all, (Uuid, String), &sql, own)?;
        let mut out = Vec::with_capacity(counterparts.len());
        for (counterpart_id, counterpart_name) in counterparts {
            let Ok(p) = parties(&mut tx, actor, counterpart_id, now).await else {
                continue;
            };
            let (messages, unread, last_at): (i64, i64, Option<i64>) = fetch!(
                &mut tx,
                fetch_one,
                (i64, i64, Option<i64>),
                "SELECT COUNT(m.id), \
                 COALESCE(SUM(CASE WHEN m.sender_org_id <> $3 AND NOT EXISTS \
                   (SELECT 1 FROM general_message_read r WHERE r.message_id = m.id AND r.user_id = $4) \
                   THEN 1 ELSE 0 END), 0), MAX(m.sent_at) \
                 FROM general_thread t JOIN general_message m ON m.thread_id = t.id \
                 WHERE t.controller_id = $1 AND t.supplier_id = $2",
                p.controller_id,
                p.supplier_id,
                actor.organisation_id,
                actor.user_id
            )?;
            out.push(GeneralThreadSummary {
                counterpart_id,
                counterpart_name,
                messages,
                unread,
                last_at: last_at.map(Now::from_micros),
                open: p.open,
            });
        }
        Ok(out)
    }

    /// Opens the general thread with `counterpart` and marks its messages read. Logged.
    pub async fn general_thread(
        &self,
        actor: &Actor,
        counterpart: Uuid,
        now: Now,
    ) -> Result<GeneralThreadView, StoreError> {
        let mut tx = self.db.write().await?;
        let p = match parties(&mut tx, actor, counterpart, now).await {
            Ok(p) => p,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_GENERAL,
                    "Visning af generel tråd afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        // An empty thread has nothing to open, so it needs no key.
        let loaded = match general_thread_id(&mut tx, &p).await? {
            Some(thread) => Some((
                load_thread(&mut tx, &GENERAL_THREADS, thread, actor.user_id, now).await?,
                self.organisation_key(p.controller_id, now).await?,
            )),
            None => None,
        };
        let mut u = Use::new(
            UseKind::View,
            None,
            PURPOSE_GENERAL,
            format!("Generel tråd med {} vist", p.counterpart_name),
        );
        u.criterion = Some(format!("generel tråd med {}", p.counterpart_name));
        append_log(&mut tx, Some(actor), now, &u, true).await?;
        tx.commit().await?;
        let (supplier_id, controller_id) = (p.supplier_id, p.controller_id);
        let supplier_side = if actor.role == Role::SupplierUser {
            actor.organisation_name.clone()
        } else {
            p.counterpart_name.clone()
        };
        let messages = match loaded {
            Some((l, key)) => l.render(Some(&key), controller_id, actor.user_id, |sender_org| {
                if sender_org == supplier_id {
                    "Kommunens sagsbehandlere".to_owned()
                } else {
                    supplier_side.clone()
                }
            })?,
            None => Vec::new(),
        };
        Ok(GeneralThreadView {
            counterpart_id: counterpart,
            counterpart_name: p.counterpart_name,
            open: p.open,
            messages,
        })
    }

    /// Sends a message on the general thread with `counterpart`. The thread is for matters
    /// that concern no citizen: a caseworker's message with a CPR number is refused (it
    /// belongs in the order's thread, where the guard and the ledger apply), and one with
    /// special-category or criminal terms needs a written confirmation.
    pub async fn post_general_message(
        &self,
        actor: &Actor,
        counterpart: Uuid,
        message: &OutgoingMessage<'_>,
        findings: &GuardFindings,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            let p = parties(&mut tx, actor, counterpart, now).await?;
            if !p.open {
                return Err(StoreError::Refused(Problem::DpaNotInForce));
            }
            Ok(p)
        }
        .await;
        let p = match checked {
            Ok(p) => p,
            Err(e) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_GENERAL,
                    "Afsendelse i generel tråd afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        // A caseworker's message is checked; what a supplier writes discloses nothing.
        let verdict = if actor.role == Role::Caseworker {
            findings.general_verdict(message.confirmation)
        } else {
            Ok(Verdict::Clean)
        };
        let confirmed = match verdict.map_err(StoreError::Refused)? {
            Verdict::Confirmed(why) => Some(why),
            Verdict::Clean => None,
        };
        let key = self.organisation_key(p.controller_id, now).await?;
        let to = Sealing {
            tables: &GENERAL_THREADS,
            key: &key,
            owner: p.controller_id,
            thread: create_general_thread(&mut tx, &p, now).await?,
        };
        let id = insert_message(
            &mut tx,
            &to,
            actor,
            "message",
            message.body,
            confirmed.as_ref().map(Justification::as_str),
            now,
        )
        .await?;
        insert_attachments(&mut tx, &to, id, message.attachments).await?;
        let mut detail = format!(
            "Besked sendt i den generelle tråd med {}",
            p.counterpart_name
        );
        if !message.attachments.is_empty() {
            detail.push_str(&format!(
                " med {} vedhæftning(er)",
                message.attachments.len()
            ));
        }
        if confirmed.is_some() {
            detail.push_str(
                "; sendt trods vagtens advarsel, begrundelsen gemt forseglet med beskeden",
            );
        }
        let mut u = Use::new(UseKind::Register, None, PURPOSE_GENERAL, detail);
        u.criterion = Some(format!("generel tråd med {}", p.counterpart_name));
        append_log(&mut tx, Some(actor), now, &u, true).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An attachment of a general thread, for someone who may read the thread. Logged.
    pub async fn general_attachment(
        &self,
        actor: &Actor,
        attachment_id: Uuid,
        now: Now,
    ) -> Result<AttachmentFile, StoreError> {
        let mut tx = self.db.write().await?;
        let authorised = match stored_attachment(&mut tx, &GENERAL_THREADS, attachment_id).await? {
            Some(stored) => {
                let (controller_id, supplier_id): (Uuid, Uuid) = fetch!(
                    &mut tx,
                    fetch_one,
                    (Uuid, Uuid),
                    "SELECT controller_id, supplier_id FROM general_thread WHERE id = $1",
                    stored.thread_id
                )?;
                let counterpart = if actor.role == Role::SupplierUser {
                    controller_id
                } else {
                    supplier_id
                };
                match parties(&mut tx, actor, counterpart, now).await {
                    Ok(p) if p.controller_id == controller_id && p.supplier_id == supplier_id => {
                        Ok((stored, p))
                    }
                    Ok(_)
                    | Err(StoreError::Refused(Problem::OrderNotFound | Problem::ThreadNotFound)) => {
                        Err(attachment_not_found())
                    }
                    Err(other) => Err(other),
                }
            }
            None => Err(attachment_not_found()),
        };
        let (stored, p) = match authorised {
            Ok(a) => a,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_GENERAL,
                    "Hentning af vedhæftning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let key = self.organisation_key(p.controller_id, now).await?;
        let mut u = Use::new(
            UseKind::View,
            None,
            PURPOSE_GENERAL,
            format!(
                "Vedhæftning hentet fra den generelle tråd med {}",
                p.counterpart_name
            ),
        );
        u.criterion = Some(format!("generel tråd med {}", p.counterpart_name));
        append_log(&mut tx, Some(actor), now, &u, true).await?;
        tx.commit().await?;
        stored.open(&key, p.controller_id, attachment_id)
    }

    /// Where to send "you have a new message" notices after `sender` wrote on the general
    /// thread with `counterpart`: the other party's users (caseworkers of the whole
    /// municipality, or the supplier's users) who gave an address.
    pub async fn general_notification_recipients(
        &self,
        sender: &Actor,
        counterpart: Uuid,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.db.read().await?;
        let (role, org_clause) = if sender.role == Role::SupplierUser {
            (
                "caseworker",
                "(u.organisation_id = $1 OR u.organisation_id IN (SELECT id FROM organisation WHERE parent_id = $1))",
            )
        } else {
            ("supplier_user", "u.organisation_id = $1")
        };
        let sql = format!(
            "SELECT u.notify_email FROM app_user u WHERE {org_clause} AND u.role = $2 AND u.active = $3 \
             AND u.notify_email IS NOT NULL AND u.id <> $4 ORDER BY u.username"
        );
        Ok(scalar!(
            &mut tx,
            fetch_all,
            String,
            &sql,
            counterpart,
            role,
            true,
            sender.user_id
        )?)
    }
}

//! Secure messages and data requests (SEC-1, PR-2, LP-5): the communication that replaces
//! e-mail. Part of the gate: message bodies are personal data, sealed under the citizen's
//! key, and every thread read or message sent is in the access log.
//!
//! One thread per order, between the supplier's users and the municipality's caseworkers
//! (any caseworker of the municipality can stand in for the responsible one). A supplier
//! loses the thread with its DPA; the history stays for the caseworker.

use uuid::Uuid;

use skjold_core::disclosures::DisclosureKind;
use skjold_core::oversight::UseKind;
use skjold_core::text::Justification;
use skjold_core::threads::{AttachmentFile, GuardFindings, OutgoingMessage, ThreadView, Verdict};
use skjold_core::{Actor, DisclosureRule, FieldKey, Problem, Role};

use super::{
    ORDER_THREADS, PURPOSE_MESSAGES, Sealing, attachment_not_found, disclosed_fields,
    insert_attachments, insert_message, load_thread, stored_attachment, thread_id, thread_order,
};
use crate::gate::data_requests::{OrderRequests, parse_fields};
use crate::gate::disclosures::{DisclosureRow, insert_disclosure};
use crate::gate::*;

/// Whether `text` mentions a citizen's value, in the forms people write it.
pub(crate) fn mentions(text_lower: &str, text_digits: &str, field: FieldKey, value: &str) -> bool {
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

impl Gate {
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
        let loaded_requests = OrderRequests::load(&mut tx, order_id).await?;
        let disclosed = disclosed_fields(&mut tx, order_id).await?;
        let policy = order_policy(
            &mut tx,
            order.controller_id,
            order.id,
            order.service_type_id,
        )
        .await?;
        let asked: Vec<FieldKey> = loaded_requests
            .requests
            .iter()
            .filter(|r| r.status == "open")
            .flat_map(|r| parse_fields(&r.fields))
            .collect();
        let policy: Vec<(FieldKey, DisclosureRule)> = policy.all().collect();
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
        let wrapped = self.wrapped_key(order.subject_id).await?;
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

        // An erased citizen's thread shows its messages and requests without their texts.
        let key = self.unwrap_optional(order.subject_id, wrapped.as_deref())?;
        let requests = loaded_requests.into_views(key.as_ref(), order.subject_id, &disclosed)?;
        let supplier_id = order.supplier_id;
        let to_caseworker = format!("{} ({})", order.caseworker_name, order.unit_name);
        let views = loaded.render(
            key.as_ref(),
            order.subject_id,
            actor.user_id,
            |sender_org| {
                if sender_org == supplier_id {
                    to_caseworker.clone()
                } else {
                    order.supplier_name.clone()
                }
            },
        )?;
        let requested_values = match &wrapped {
            Some(w) => self
                .open_all(order.subject_id, w, sealed_values)?
                .into_iter()
                .map(|d| (d.field, d.value))
                .collect(),
            None => Vec::new(),
        };
        Ok(ThreadView {
            order: order.summary(),
            messages: views,
            requests,
            requestable,
            requested_values,
            policy,
            citizen_erased: key.is_none(),
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
        let key = self.subject_key(order.subject_id).await?;
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
        // The guard stops what the municipality discloses; a supplier writing to the
        // municipality discloses nothing.
        let verdict = if actor.role == Role::Caseworker {
            let fields: Vec<FieldKey> = undisclosed.iter().map(|(f, _)| *f).collect();
            findings.verdict(&fields, confirmation)
        } else {
            Ok(Verdict::Clean)
        };
        let verdict = match verdict {
            Ok(v) => v,
            Err(stop) => {
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
                return Err(StoreError::Refused(stop));
            }
        };
        let to = Sealing {
            tables: &ORDER_THREADS,
            key: &key,
            owner: order.subject_id,
            thread: thread_id(&mut tx, &order, now).await?,
        };
        let confirmed = match &verdict {
            Verdict::Confirmed(why) => Some(why),
            Verdict::Clean => None,
        };
        let id = insert_message(
            &mut tx,
            &to,
            actor,
            "message",
            body,
            confirmed.map(Justification::as_str),
            now,
        )
        .await?;
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
                if confirmed.is_some() {
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
                        StoreError::Refused(Problem::OrderNotFound) => attachment_not_found(),
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
        // An erased citizen's attachments went with their key.
        let wrapped = match self.wrapped_key(order.subject_id).await? {
            Some(w) => w,
            None => {
                let u = Use::new(
                    UseKind::View,
                    Some(order.subject_id),
                    PURPOSE_MESSAGES,
                    "Hentning af vedhæftning afvist: borgerens oplysninger er slettet",
                );
                return Err(self.refuse(tx, actor, now, u, citizen_erased()).await);
            }
        };
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

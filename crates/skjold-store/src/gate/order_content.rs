//! Placing an order with its content (LP-2, LP-3, LP-4, LP-6). The content — the task, the
//! period, the scope and a remark — is free text that may name the citizen, so it is
//! treated like a message body: screened by the guard before the order is placed, sealed
//! under the citizen's key, recorded in the ledger as free text sent to the supplier, and
//! opened only after the read is logged ([`super::orders`] shows it to each side). The
//! idempotency keys make a repeated submit find the order it placed the first time.

use uuid::Uuid;

use skjold_core::catalogue::ServiceType;
use skjold_core::disclosures::DisclosureKind;
use skjold_core::error::Input;
use skjold_core::orders::{NewOrder, OrderContent};
use skjold_core::oversight::UseKind;
use skjold_core::threads::GuardFindings;
use skjold_core::{Actor, DisclosureRule, FieldKey, Problem};

use super::disclosures::{DisclosureRow, insert_disclosure};
use super::orders::prepare_order;
use super::threads::orders::mentions;
use super::*;

/// An order to place: its parties, its content with what the caller's guard scan found
/// in each of its texts, and the caller's idempotency key, if any.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub order: NewOrder,
    pub content: &'a OrderContent,
    pub findings: &'a [(Input, GuardFindings)],
    pub idempotency_key: Option<&'a str>,
}

/// Why the content's ledger row was written: it went with the order.
const CONTENT_SENT: &str = "Sendt med bestillingen som opgavebeskrivelse til leverandøren";

fn content_aad(order_id: Uuid) -> String {
    format!("order-content:{order_id}")
}

/// Seals and stores an order's content under the citizen's key.
pub(super) async fn insert_content(
    tx: &mut Tx,
    key: &SubjectKey,
    subject_id: Uuid,
    order_id: Uuid,
    content: &OrderContent,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(content)
        .map_err(|e| StoreError::Config(format!("order content: {e}")))?;
    let sealed = key.seal(subject_id, &content_aad(order_id), &json)?;
    execute!(
        tx,
        "INSERT INTO order_content (order_id, content) VALUES ($1, $2)",
        order_id,
        sealed.as_slice()
    )?;
    Ok(())
}

/// An order's sealed content, if it has one (orders placed before orders carried their
/// content have none). Open it with [`open_content`] once the read is logged.
pub(super) async fn sealed_content(
    tx: &mut Tx,
    order_id: Uuid,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        Vec<u8>,
        "SELECT content FROM order_content WHERE order_id = $1",
        order_id
    )?)
}

/// Opens an order's content; none when there is none or the citizen's key is gone.
pub(super) fn open_content(
    key: Option<&SubjectKey>,
    subject_id: Uuid,
    order_id: Uuid,
    sealed: Option<Vec<u8>>,
) -> Result<Option<OrderContent>, StoreError> {
    let (Some(key), Some(sealed)) = (key, sealed) else {
        return Ok(None);
    };
    let json = key.open(subject_id, &content_aad(order_id), &sealed)?;
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| StoreError::Config(format!("order content of {order_id}: {e}")))
}

/// The guard's verdict on each text of the content, on what the caller's scan found
/// alone (CPR numbers, special-category or criminal terms): no stored data is read.
pub(super) fn screen(findings: &[(Input, GuardFindings)]) -> Result<(), StoreError> {
    for (input, found) in findings {
        found
            .order_text_verdict(*input, &[])
            .map_err(StoreError::Refused)?;
    }
    Ok(())
}

/// The guard's verdict on the citizen's own values in the content: a text that mentions a
/// value the order would not disclose (one the policy does not send automatically) is
/// refused, naming the fields. Opens the citizen's current values to compare: the caller
/// logs the check.
pub(super) fn screen_values(
    key: &SubjectKey,
    subject_id: Uuid,
    rows: &[SealedRow],
    service_type: &ServiceType,
    content: &OrderContent,
) -> Result<Result<(), Problem>, StoreError> {
    let policy = service_type.policy();
    let mut values = Vec::new();
    for row in rows {
        let Ok(field) = row.field_key.parse::<FieldKey>() else {
            continue;
        };
        if policy.rule(field) != DisclosureRule::Automatic {
            values.push((field, key.open(subject_id, field.key(), &row.ciphertext)?));
        }
    }
    for (input, text) in content.texts() {
        let lower = text.to_lowercase();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let mut found: Vec<FieldKey> = values
            .iter()
            .filter(|(f, v)| mentions(&lower, &digits, *f, v))
            .map(|(f, _)| *f)
            .collect();
        found.dedup();
        if let Err(p) = GuardFindings::default().order_text_verdict(input, &found) {
            return Ok(Err(p));
        }
    }
    Ok(Ok(()))
}

/// An idempotency key as the caller sent it: 1 to 200 printable ASCII characters.
pub(super) fn check_key(key: &str) -> Result<&str, StoreError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(StoreError::Refused(Problem::IdempotencyKeyFormat));
    }
    Ok(key)
}

impl Gate {
    /// The keyed hash of an order request, to tell a repeat from another order.
    pub(super) fn order_request_hash(&self, new: &NewOrder, content: &OrderContent) -> Vec<u8> {
        let from = content.period_from.to_string();
        let to = content.period_to.to_string();
        self.keys.request_hash(
            "order",
            &[
                new.subject_id.as_bytes(),
                new.service_type_id.as_bytes(),
                new.supplier_id.as_bytes(),
                content.task.as_bytes(),
                from.as_bytes(),
                to.as_bytes(),
                content.scope.as_bytes(),
                content.remark.as_deref().unwrap_or("").as_bytes(),
            ],
        )
    }
}

/// The order an earlier request with this key placed: its id when the request was the
/// same, refused when it was another.
pub(super) async fn earlier_order(
    tx: &mut Tx,
    user_id: Uuid,
    key: &str,
    hash: &[u8],
) -> Result<Option<Uuid>, StoreError> {
    let row: Option<(Vec<u8>, Uuid)> = fetch!(
        tx,
        fetch_optional,
        (Vec<u8>, Uuid),
        "SELECT request_hash, order_id FROM order_idempotency WHERE user_id = $1 AND idempotency_key = $2",
        user_id,
        key
    )?;
    match row {
        Some((h, id)) if h == hash => Ok(Some(id)),
        Some(_) => Err(StoreError::Refused(Problem::IdempotencyKeyReused)),
        None => Ok(None),
    }
}

/// Records the key of a request that placed `order_id`. A concurrent request with the same
/// key that committed first makes this fail as a unique violation.
pub(super) async fn insert_key(
    tx: &mut Tx,
    user_id: Uuid,
    key: &str,
    hash: &[u8],
    order_id: Uuid,
    now: Now,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO order_idempotency (user_id, idempotency_key, request_hash, order_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        user_id,
        key,
        hash,
        order_id,
        now.micros()
    )?;
    Ok(())
}

impl Gate {
    /// Places an order and discloses, in the same transaction, exactly the fields the
    /// service type's policy marks automatic (LP-2, LP-3, LP-6), with the order's content
    /// sealed beside it and recorded in the ledger as free text sent to the supplier (LP-4).
    /// The order belongs to the caseworker's unit.
    ///
    /// The guard screens the content first: what the caller's scan found (a CPR number,
    /// special-category or criminal terms) is refused before anything of the citizen is
    /// read, so nothing is written or logged; a text that mentions a value of the
    /// citizen's that the order would not disclose is refused after the (logged) check.
    ///
    /// With an idempotency key, a repeat of the same request by the same user finds the
    /// order the first one placed (the key is unique per user, so of two concurrent
    /// requests one places the order and the other finds it); the same key with another
    /// request is refused.
    pub async fn place_order(
        &self,
        actor: &Actor,
        placement: Placement<'_>,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let Placement {
            order: new,
            content,
            findings,
            idempotency_key,
        } = placement;
        let key_and_hash = idempotency_key
            .map(|k| check_key(k).map(|k| (k, self.order_request_hash(&new, content))))
            .transpose()?;
        let mut tx = self.db.write().await?;
        if let Some((k, hash)) = &key_and_hash {
            match earlier_order(&mut tx, actor.user_id, k, hash).await {
                Ok(Some(id)) => return Ok(id),
                Ok(None) => {}
                Err(e) => {
                    let u = Use::new(
                        UseKind::Disclose,
                        None,
                        PURPOSE_CASEWORK,
                        "Bestilling afvist",
                    );
                    return Err(self.refuse(tx, actor, now, u, e).await);
                }
            }
        }
        screen(findings)?;
        let prepared = prepare_order(&mut tx, actor, new, now).await;
        let (service_type, supplier, dpa, _, stand_in) = match prepared {
            Ok(p) => p,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    Some(new.subject_id),
                    PURPOSE_CASEWORK,
                    "Bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let key = self.subject_key(new.subject_id).await?;
        let data = current_data(&mut tx, new.subject_id).await?;
        if let Err(stop) = screen_values(&key, new.subject_id, &data, &service_type, content)? {
            let mut u = Use::new(
                UseKind::View,
                Some(new.subject_id),
                PURPOSE_CASEWORK,
                "Bestillingens tekst kontrolleret før afsendelse; ikke bestilt",
            )
            .under(stand_in);
            u.criterion = Some(format!("{} hos {}", service_type.name, supplier.name));
            return Err(self
                .refuse(tx, actor, now, u, StoreError::Refused(stop))
                .await);
        }
        let (purpose_name, legal_basis) =
            purpose_summary(&mut tx, actor.controller_id, service_type.purpose_id).await?;
        let id = Uuid::new_v4();
        let reference = format!("B-{}", &id.simple().to_string()[..8].to_uppercase());
        execute!(
            &mut tx,
            "INSERT INTO service_order (id, controller_id, unit_id, reference, subject_id, service_type_id, supplier_id, \
             dpa_id, caseworker_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)",
            id,
            actor.controller_id,
            actor.organisation_id,
            reference.as_str(),
            new.subject_id,
            service_type.id,
            supplier.id,
            dpa.id,
            actor.user_id,
            now.micros()
        )?;
        pin_order_policy(&mut tx, id, service_type.id).await?;
        if let Some((k, hash)) = &key_and_hash {
            match insert_key(&mut tx, actor.user_id, k, hash, id, now).await {
                Ok(()) => {}
                // A concurrent request with the same key placed its order first.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    drop(tx);
                    let mut tx = self.db.read().await?;
                    return earlier_order(&mut tx, actor.user_id, k, hash)
                        .await?
                        .ok_or(StoreError::Refused(Problem::IdempotencyKeyReused));
                }
                Err(e) => return Err(e.into()),
            }
        }
        insert_content(&mut tx, &key, new.subject_id, id, content).await?;
        let policy = service_type.policy();
        let mut disclosed = Vec::new();
        for row in data {
            let Ok(field) = row.field_key.parse::<FieldKey>() else {
                continue;
            };
            if policy.rule(field) == skjold_core::DisclosureRule::Automatic {
                insert_disclosure(
                    &mut tx,
                    actor,
                    &key,
                    &DisclosureRow {
                        field: Some(field),
                        datum_id: Some(row.id),
                        ..DisclosureRow::new(
                            DisclosureKind::Automatic,
                            id,
                            new.subject_id,
                            supplier.id,
                            service_type.purpose_id,
                            &legal_basis,
                        )
                    },
                    now,
                )
                .await?;
                disclosed.push(field.danish());
            }
        }
        // The content is free text sent to the supplier: in the ledger like a message's.
        let note = content.ledger_note();
        insert_disclosure(
            &mut tx,
            actor,
            &key,
            &DisclosureRow {
                justification: Some(CONTENT_SENT),
                found: Some(&note),
                ..DisclosureRow::new(
                    DisclosureKind::Message,
                    id,
                    new.subject_id,
                    supplier.id,
                    service_type.purpose_id,
                    &legal_basis,
                )
            },
            now,
        )
        .await?;
        let detail = format!(
            "Bestilling {reference} ({}) hos {}; automatisk videregivet: {}; bestillingens tekst sendt med",
            service_type.name,
            supplier.name,
            if disclosed.is_empty() {
                "intet".into()
            } else {
                disclosed.join(", ")
            }
        );
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Disclose,
                Some(new.subject_id),
                &purpose_name,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

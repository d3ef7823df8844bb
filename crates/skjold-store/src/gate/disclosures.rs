//! The disclosure ledger (wall 2): writing its rows, with their free text sealed under
//! the citizen's key, and a caseworker's justified disclosure of one more field (LP-4).

use uuid::Uuid;

use skjold_core::disclosures::{DisclosureKind, LedgerEntry};
use skjold_core::oversight::UseKind;
use skjold_core::text::Justification;
use skjold_core::{Actor, FieldKey, Problem};

use super::*;

#[derive(sqlx::FromRow)]
pub(crate) struct LedgerRow {
    pub(crate) id: Uuid,
    pub(crate) at: i64,
    pub(crate) order_id: Uuid,
    pub(crate) order_reference: String,
    pub(crate) subject_id: Uuid,
    pub(crate) supplier_name: String,
    pub(crate) field_key: Option<String>,
    pub(crate) kind: String,
    /// The clear justification of a row written before justifications were sealed, until
    /// [`Store::seal_legacy_justifications`] has sealed it.
    pub(crate) justification: Option<String>,
    pub(crate) justification_sealed: Option<Vec<u8>>,
    pub(crate) message_id: Option<Uuid>,
    pub(crate) found_sealed: Option<Vec<u8>>,
    pub(crate) purpose: String,
    pub(crate) legal_basis: String,
    pub(crate) decided_by: String,
}

fn justification_aad(disclosure: Uuid) -> String {
    format!("disclosure-justification:{disclosure}")
}

fn found_aad(disclosure: Uuid) -> String {
    format!("disclosure-found:{disclosure}")
}

impl LedgerRow {
    /// The row as a ledger entry, its sealed texts opened with the citizen's key (`None`
    /// when the key is gone: the texts are erased with it).
    pub(super) fn into_model(self, key: Option<&SubjectKey>) -> Result<LedgerEntry, StoreError> {
        let open = |sealed: &Option<Vec<u8>>, aad: String| -> Result<Option<String>, StoreError> {
            match (sealed, key) {
                (Some(s), Some(k)) => Ok(Some(k.open(self.subject_id, &aad, s)?)),
                _ => Ok(None),
            }
        };
        let justification = match (&self.justification, key) {
            (Some(clear), Some(_)) => Some(clear.clone()),
            _ => open(&self.justification_sealed, justification_aad(self.id))?,
        };
        let found = open(&self.found_sealed, found_aad(self.id))?;
        Ok(LedgerEntry {
            id: self.id,
            at: Now::from_micros(self.at),
            order_id: self.order_id,
            order_reference: self.order_reference,
            subject_id: self.subject_id,
            supplier_name: self.supplier_name,
            field: self.field_key.as_deref().and_then(|f| f.parse().ok()),
            kind: DisclosureKind::parse(&self.kind),
            justification,
            message_id: self.message_id,
            found,
            purpose: self.purpose,
            legal_basis: self.legal_basis,
            decided_by: self.decided_by,
            erased: key.is_none(),
        })
    }
}

pub(crate) const LEDGER_SELECT: &str = "SELECT d.id, d.at, d.order_id, o.reference AS order_reference, d.subject_id, \
     sup.name AS supplier_name, d.field_key, d.kind, d.justification, d.justification_sealed, d.message_id, \
     d.found_sealed, p.name AS purpose, d.legal_basis, u.display_name AS decided_by \
     FROM disclosure d JOIN service_order o ON o.id = d.order_id JOIN organisation sup ON sup.id = d.supplier_id \
     JOIN purpose p ON p.id = d.purpose_id JOIN app_user u ON u.id = d.decided_by";

/// A row of the disclosure ledger to write.
pub(crate) struct DisclosureRow<'a> {
    pub(crate) kind: DisclosureKind,
    pub(crate) order_id: Uuid,
    pub(crate) subject_id: Uuid,
    pub(crate) supplier_id: Uuid,
    /// The field disclosed, with the datum that carried it; none for free text.
    pub(crate) field: Option<FieldKey>,
    pub(crate) datum_id: Option<Uuid>,
    /// Why (sealed under the citizen's key).
    pub(crate) justification: Option<&'a str>,
    /// The message that carried it, and what the guard found there (sealed).
    pub(crate) message_id: Option<Uuid>,
    pub(crate) found: Option<&'a str>,
    pub(crate) purpose_id: Uuid,
    pub(crate) legal_basis: &'a str,
}

impl<'a> DisclosureRow<'a> {
    pub(super) fn new(
        kind: DisclosureKind,
        order_id: Uuid,
        subject_id: Uuid,
        supplier_id: Uuid,
        purpose_id: Uuid,
        legal_basis: &'a str,
    ) -> DisclosureRow<'a> {
        DisclosureRow {
            kind,
            order_id,
            subject_id,
            supplier_id,
            field: None,
            datum_id: None,
            justification: None,
            message_id: None,
            found: None,
            purpose_id,
            legal_basis,
        }
    }

    pub(super) fn of_order(kind: DisclosureKind, order: &OrderRow, legal_basis: &'a str) -> Self {
        DisclosureRow::new(
            kind,
            order.id,
            order.subject_id,
            order.supplier_id,
            order.purpose_id,
            legal_basis,
        )
    }
}

/// Appends a row to the ledger, its free text sealed under the citizen's `key`.
pub(crate) async fn insert_disclosure(
    tx: &mut Tx,
    actor: &Actor,
    key: &SubjectKey,
    d: &DisclosureRow<'_>,
    now: Now,
) -> Result<(), StoreError> {
    let id = Uuid::new_v4();
    let justification = d
        .justification
        .map(|j| key.seal(d.subject_id, &justification_aad(id), j))
        .transpose()?;
    let found = d
        .found
        .map(|f| key.seal(d.subject_id, &found_aad(id), f))
        .transpose()?;
    execute!(
        tx,
        "INSERT INTO disclosure (id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind, \
         justification_sealed, message_id, found_sealed, purpose_id, legal_basis, decided_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        id,
        actor.controller_id,
        d.order_id,
        d.subject_id,
        d.supplier_id,
        d.field.map(FieldKey::key),
        d.datum_id,
        d.kind.key(),
        justification.as_deref(),
        d.message_id,
        found.as_deref(),
        d.purpose_id,
        d.legal_basis,
        actor.user_id,
        now.micros()
    )?;
    Ok(())
}

pub(crate) async fn check_manual(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    field: FieldKey,
    justification: &Justification,
    now: Now,
) -> Result<(OrderRow, Uuid, Option<Uuid>), StoreError> {
    let (order, stand_in) = access::caseworker_order_row(tx, actor, order_id, now).await?;
    if order.status() == OrderStatus::Closed {
        return Err(StoreError::Refused(Problem::OrderClosed));
    }
    not_erased(tx, order.subject_id).await?;
    order_policy(tx, order.controller_id, order.id, order.service_type_id)
        .await?
        .check_manual(field, justification)
        .map_err(StoreError::Refused)?;
    if dpa_in_force(tx, order.controller_id, order.supplier_id, now.local_date())
        .await?
        .is_none()
    {
        return Err(StoreError::Refused(Problem::NoDpaInForce(Some(
            order.supplier_name.clone(),
        ))));
    }
    let already: Option<Uuid> = scalar!(
        tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM disclosure WHERE order_id = $1 AND field_key = $2",
        order_id,
        field.key()
    )?;
    if already.is_some() {
        return Err(StoreError::Refused(Problem::FieldAlreadyDisclosed(field)));
    }
    let Some(datum) = current_data(tx, order.subject_id)
        .await?
        .into_iter()
        .find(|r| r.field_key == field.key())
    else {
        // Held but restricted by a rights case: out of ordinary processing until lifted.
        let restricted: Option<Uuid> = scalar!(
            tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM personal_datum WHERE subject_id = $1 AND field_key = $2 \
             AND superseded_by IS NULL AND removed_at IS NULL AND restricted = $3",
            order.subject_id,
            field.key(),
            true
        )?;
        return Err(StoreError::Refused(match restricted {
            Some(_) => Problem::DataRestricted(field),
            None => Problem::NoSuchData(field),
        }));
    };
    Ok((order, datum.id, stand_in))
}

impl Gate {
    /// LP-4: a caseworker discloses one more field on an order, with a written
    /// justification, where the policy allows it on a justified decision.
    pub async fn disclose_manual(
        &self,
        actor: &Actor,
        order_id: Uuid,
        field: FieldKey,
        justification: &Justification,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = check_manual(&mut tx, actor, order_id, field, justification, now).await;
        let (order, datum_id, stand_in) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    None,
                    PURPOSE_CASEWORK,
                    format!("Manuel videregivelse afvist: {}", field.danish()),
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let (purpose_name, legal_basis) =
            purpose_summary(&mut tx, actor.controller_id, order.purpose_id).await?;
        let key = self.subject_key(order.subject_id).await?;
        insert_disclosure(
            &mut tx,
            actor,
            &key,
            &DisclosureRow {
                field: Some(field),
                datum_id: Some(datum_id),
                justification: Some(justification.as_str()),
                ..DisclosureRow::of_order(DisclosureKind::Manual, &order, &legal_basis)
            },
            now,
        )
        .await?;
        let detail = format!(
            "Manuel videregivelse på {} til {}: {}",
            order.reference,
            order.supplier_name,
            field.danish()
        );
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Disclose,
                Some(order.subject_id),
                &purpose_name,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Seals the clear justifications of ledger rows written before justifications were
    /// sealed, under each citizen's key; returns how many were sealed. The ledger's
    /// append-only rule lets exactly this change through. Run after migrating.
    pub async fn seal_legacy_justifications(&self) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        let rows: Vec<(Uuid, Uuid, String)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid, String),
            "SELECT id, subject_id, justification FROM disclosure WHERE justification IS NOT NULL"
        )?;
        let mut sealed = 0;
        for (id, subject, text) in rows {
            let Some(wrapped) = self.wrapped_key(subject).await? else {
                continue;
            };
            let key = self.keys.unwrap_subject_key(subject, &wrapped)?;
            let sealed_text = key.seal(subject, &justification_aad(id), &text)?;
            sealed += execute!(
                &mut tx,
                "UPDATE disclosure SET justification = NULL, justification_sealed = $1 WHERE id = $2",
                sealed_text.as_slice(),
                id
            )?;
        }
        tx.commit().await?;
        Ok(sealed)
    }
}

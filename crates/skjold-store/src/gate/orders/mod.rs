//! Orders (LP-2, LP-3, LP-6, LP-7): what an order would disclose (the values that would go,
//! in one logged read), each side's view of it with its content, closing it (the supplier
//! loses the citizen's data and confirms deletion), and the lists ([`lists`]). Placing one,
//! with its content and idempotency key, is in [`super::order_content`].

mod lists;

use std::collections::HashSet;
use std::sync::LazyLock;

use uuid::Uuid;

use skjold_core::catalogue::{Dpa, ServiceType};
use skjold_core::directory::Organisation;
use skjold_core::disclosures::DisclosureKind;
use skjold_core::orders::{
    CaseworkerOrderView, DisclosedField, NewOrder, OrderContent, OrderPreview, OrderStatus,
    SupplierOrderView,
};
use skjold_core::oversight::UseKind;
use skjold_core::{Action, Actor, Art6Basis, Art9Basis, FieldKey, LegalBasis, OrgKind, Problem};

use super::disclosures::{LEDGER_SELECT, LedgerRow};
use super::order_content::{open_content, sealed_content};
use super::*;

/// An order as its supplier reads it, in one statement: the order, whether a DPA between
/// its municipality and the supplier is in force, its purpose, and its sealed content.
#[derive(sqlx::FromRow)]
struct SupplierOrderRow {
    #[sqlx(flatten)]
    order: OrderRow,
    dpa_in_force: bool,
    content: Option<Vec<u8>>,
    purpose_name: Option<String>,
    purpose_art6: Option<String>,
    purpose_art9: Option<String>,
    purpose_national_law: Option<String>,
}

static SUPPLIER_ORDER_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {ORDER_COLUMNS}, EXISTS (SELECT 1 FROM dpa d WHERE d.controller_id = o.controller_id \
         AND d.processor_id = o.supplier_id AND d.starts_on <= $2 \
         AND (d.ends_on IS NULL OR d.ends_on >= $2)) AS dpa_in_force, \
         (SELECT c.content FROM order_content c WHERE c.order_id = o.id) AS content, \
         pu.name AS purpose_name, pu.art6 AS purpose_art6, pu.art9 AS purpose_art9, \
         pu.national_law AS purpose_national_law {ORDER_FROM} \
         LEFT JOIN purpose pu ON pu.id = s.purpose_id AND pu.organisation_id = o.controller_id \
         WHERE o.id = $1"
    )
});

async fn supplier_order_row(
    tx: &mut Tx,
    order_id: Uuid,
    now: Now,
) -> Result<Option<SupplierOrderRow>, StoreError> {
    let today = now.local_date().to_string();
    Ok(fetch!(
        tx,
        fetch_optional,
        SupplierOrderRow,
        SUPPLIER_ORDER_SELECT.as_str(),
        order_id,
        today.as_str()
    )?)
}

#[derive(sqlx::FromRow)]
struct DisclosedRow {
    field_key: String,
    kind: String,
    at: i64,
    #[sqlx(flatten)]
    sealed: SealedRow,
    /// The rectification note on the value, sealed, when it is marked incorrect.
    note_id: Option<Uuid>,
    note: Option<Vec<u8>>,
}

/// An order's sealed disclosed values, read; see [`Gate::held_by_supplier`].
pub(super) struct Held {
    subject_id: Uuid,
    order_id: Uuid,
    /// The order's content, sealed.
    content: Option<Vec<u8>>,
    rows: Vec<DisclosedRow>,
    notes: Vec<(Uuid, Uuid, Vec<u8>)>,
    wrapped: Option<Vec<u8>>,
}

/// What an order needs, checked: the caseworker may open the citizen's record, the
/// service type is the municipality's, and the supplier has a DPA in force today.
pub(super) type Prepared = (ServiceType, Organisation, Dpa, Vec<FieldKey>, Option<Uuid>);

/// Authorises and validates a new order: a caseworker who may open the citizen's
/// record, a service type of that municipality, a supplier with a DPA in force today.
pub(super) async fn prepare_order(
    tx: &mut Tx,
    actor: &Actor,
    new: NewOrder,
    now: Now,
) -> Result<Prepared, StoreError> {
    let stand_in = access::caseworker_subject(tx, actor, new.subject_id, now).await?;
    not_erased(tx, new.subject_id).await?;
    let service_type = service_type_in(tx, actor.controller_id, new.service_type_id).await?;
    let supplier = organisation_in(tx, new.supplier_id).await?;
    if supplier.kind != OrgKind::Supplier {
        return Err(StoreError::Refused(Problem::NotASupplier));
    }
    let dpa = dpa_in_force(tx, actor.controller_id, supplier.id, now.local_date())
        .await?
        .ok_or_else(|| StoreError::Refused(Problem::NoDpaInForce(Some(supplier.name.clone()))))?;
    if !dpa_covers(tx, dpa.id, service_type.id).await? {
        return Err(StoreError::Refused(Problem::ServiceNotCovered {
            supplier: supplier.name.clone(),
            service: service_type.name.clone(),
        }));
    }
    let present = current_data(tx, new.subject_id)
        .await?
        .iter()
        .filter_map(|r| r.field_key.parse().ok())
        .collect();
    Ok((service_type, supplier, dpa, present, stand_in))
}

impl Gate {
    /// What an order would disclose, before it is placed. Refuses a supplier without a DPA
    /// in force.
    pub async fn order_preview(
        &self,
        actor: &Actor,
        new: NewOrder,
        now: Now,
    ) -> Result<OrderPreview, StoreError> {
        let mut tx = self.db.read().await?;
        let prepared = prepare_order(&mut tx, actor, new, now).await;
        let (service_type, supplier, dpa, present, stand_in) = match prepared {
            Ok(p) => p,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    Some(new.subject_id),
                    PURPOSE_CASEWORK,
                    "Forhåndsvisning af bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let plan = service_type.policy().plan(&present);
        let going: Vec<SealedRow> = current_data(&mut tx, new.subject_id)
            .await?
            .into_iter()
            .filter(|r| {
                r.field_key
                    .parse::<FieldKey>()
                    .is_ok_and(|f| plan.automatic.contains(&f))
            })
            .collect();
        let wrapped = self.wrapped_key(new.subject_id).await?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(new.subject_id),
                PURPOSE_PREVIEW,
                format!(
                    "Forhåndsvisning af bestilling: {} hos {}",
                    service_type.name, supplier.name
                ),
            )
            .under(stand_in),
            true,
        )
        .await?;
        let values = match &wrapped {
            Some(w) => self
                .open_all(new.subject_id, w, going)?
                .into_iter()
                .map(|d| (d.field, d.value))
                .collect(),
            None => Vec::new(),
        };
        Ok(OrderPreview {
            subject_id: new.subject_id,
            service_type,
            supplier_id: supplier.id,
            supplier_name: supplier.name,
            dpa_reference: dpa.reference,
            plan,
            values,
        })
    }

    /// Closes an order. From then on the supplier sees only the order's facts, not the
    /// citizen's data nor the thread, and is asked to confirm that it has deleted its
    /// copies within [`skjold_core::access::DELETION_CONFIRMATION_DAYS`] days.
    pub async fn close_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            let (order, stand_in) =
                access::caseworker_order_row(&mut tx, actor, order_id, now).await?;
            if order.status() == OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderClosed));
            }
            Ok((order, stand_in))
        }
        .await;
        let (order, stand_in) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_CASEWORK,
                    "Afslutning af bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        execute!(
            &mut tx,
            "UPDATE service_order SET status = 'closed', closed_at = $1, closed_by = $2 WHERE id = $3",
            now.micros(),
            actor.user_id,
            order_id
        )?;
        let detail = format!(
            "Bestilling {} afsluttet; {} har ikke længere adgang til borgerens oplysninger og skal bekræfte sletning senest {}",
            order.reference,
            order.supplier_name,
            skjold_core::access::deletion_due(now).danish()
        );
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(order.subject_id),
                PURPOSE_CASEWORK,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// The supplier confirms that it has deleted its copies of a closed order's data.
    pub async fn confirm_deletion(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::ConfirmDeletion)?;
            let order = match order_row(&mut tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if order.status() != OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderOpen));
            }
            if order.deletion_confirmed_at.is_some() {
                return Err(StoreError::Refused(Problem::DeletionConfirmed));
            }
            Ok(order)
        }
        .await;
        let order = match checked {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_SUPPLY,
                    "Bekræftelse af sletning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        execute!(
            &mut tx,
            "UPDATE service_order SET deletion_confirmed_at = $1, deletion_confirmed_by = $2 WHERE id = $3",
            now.micros(),
            actor.user_id,
            order_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(order.subject_id),
                PURPOSE_SUPPLY,
                format!(
                    "{} bekræftede sletning af borgerens oplysninger for {}",
                    order.supplier_name, order.reference
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// The caseworker's view of an order: the ledger rows, what more may be disclosed, and
    /// the citizen's name (opened, so logged). For an erased citizen: the order and its
    /// ledger rows without the citizen's name or the rows' sealed texts.
    pub async fn caseworker_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<CaseworkerOrderView, StoreError> {
        let mut tx = self.db.read().await?;
        let (order, stand_in) =
            match access::caseworker_order_row(&mut tx, actor, order_id, now).await {
                Ok(o) => o,
                Err(e) => {
                    let u = Use::new(
                        UseKind::View,
                        None,
                        PURPOSE_CASEWORK,
                        "Visning af bestilling afvist",
                    );
                    return Err(self.refuse(tx, actor, now, u, e).await);
                }
            };
        let placed_under = order_policy_version(&mut tx, order.id, order.service_type_id).await?;
        let policy = order_policy(
            &mut tx,
            order.controller_id,
            order.id,
            order.service_type_id,
        )
        .await?;
        let (purpose, legal_basis) =
            purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
        let sql = format!("{LEDGER_SELECT} WHERE d.order_id = $1 ORDER BY d.at, d.id");
        let ledger_rows = fetch!(&mut tx, fetch_all, LedgerRow, &sql, order_id)?;
        let rows = current_data(&mut tx, order.subject_id).await?;
        let sealed = sealed_content(&mut tx, order.id).await?;
        let wrapped = self.wrapped_key(order.subject_id).await?;
        let dpa_ok = dpa_in_force(
            &mut tx,
            order.controller_id,
            order.supplier_id,
            now.local_date(),
        )
        .await?
        .is_some();
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(order.subject_id),
                &purpose,
                format!("Bestilling {} vist", order.reference),
            )
            .under(stand_in),
            true,
        )
        .await?;

        let keys: Vec<(Uuid, Vec<u8>)> = wrapped
            .iter()
            .map(|w| (order.subject_id, w.clone()))
            .collect();
        let mut disclosures = self.open_ledger(ledger_rows, &keys)?;
        disclosures.sort_by_key(|d| (d.at, d.kind, d.field));
        let done: HashSet<FieldKey> = disclosures.iter().filter_map(|d| d.field).collect();
        let present: Vec<FieldKey> = rows
            .iter()
            .filter_map(|r| r.field_key.parse().ok())
            .collect();
        let disclosable = present
            .into_iter()
            .filter(|f| {
                !done.contains(f)
                    && policy.rule(*f) == skjold_core::DisclosureRule::OnJustifiedRequest
            })
            .collect();
        let name_rows = rows
            .into_iter()
            .filter(|r| r.field_key == FieldKey::Name.key())
            .collect();
        let citizen_name = match &wrapped {
            Some(w) => self
                .open_all(order.subject_id, w, name_rows)?
                .into_iter()
                .next()
                .map(|d| d.value),
            None => None,
        };
        let key = self.unwrap_optional(order.subject_id, wrapped.as_deref())?;
        let content = open_content(key.as_ref(), order.subject_id, order.id, sealed)?;
        Ok(CaseworkerOrderView {
            order: order.summary(),
            subject_id: order.subject_id,
            citizen_name,
            purpose,
            legal_basis,
            disclosures,
            disclosable,
            dpa_in_force: dpa_ok,
            stand_in,
            citizen_erased: wrapped.is_none(),
            content,
            policy: placed_under,
        })
    }

    /// LP-7 and LP-2: a supplier user's view of an order of its own organisation, with only
    /// the fields that were disclosed to it, and only while a DPA is in force and the
    /// order is open. A closed order shows its facts only (no personal data, not logged),
    /// so that the supplier can confirm the deletion of its copies.
    pub async fn supplier_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<SupplierOrderView, StoreError> {
        let mut tx = self.db.read().await?;
        let authorised = async {
            require(actor, Action::SupplyOrder)?;
            let row = match supplier_order_row(&mut tx, order_id, now).await? {
                Some(r) if r.order.supplier_id == actor.organisation_id => r,
                _ => return Err(order_not_found()),
            };
            if row.order.status() == OrderStatus::Open && !row.dpa_in_force {
                return Err(StoreError::Refused(Problem::DpaNotInForce));
            }
            Ok(row)
        }
        .await;
        let SupplierOrderRow {
            order,
            dpa_in_force: _,
            content,
            purpose_name,
            purpose_art6,
            purpose_art9,
            purpose_national_law,
        } = match authorised {
            Ok(r) => r,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_SUPPLY,
                    "Leverandørs visning af bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let purpose = purpose_name.ok_or(StoreError::Refused(Problem::PurposeNotFound))?;
        let legal_basis = LegalBasis {
            art6: Art6Basis::parse(purpose_art6.as_deref().unwrap_or_default())
                .unwrap_or(Art6Basis::PublicTask),
            art9: purpose_art9.as_deref().and_then(Art9Basis::parse),
            national_law: purpose_national_law.unwrap_or_default(),
        }
        .summary();
        let policy = order_policy_version(&mut tx, order.id, order.service_type_id).await?;
        if order.status() == OrderStatus::Closed {
            return Ok(SupplierOrderView {
                order: order.summary(),
                purpose,
                legal_basis,
                fields: Vec::new(),
                content: None,
                citizen_erased: erased_at(&mut tx, order.subject_id).await?.is_some(),
                policy: Some(policy),
            });
        }
        let held = self
            .held_by_supplier_with(&mut tx, &order, Some(content))
            .await?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(order.subject_id),
                &purpose,
                format!("Bestilling {} vist hos leverandør", order.reference),
            ),
            true,
        )
        .await?;

        let (fields, content, citizen_erased) = self.open_held(held)?;
        Ok(SupplierOrderView {
            order: order.summary(),
            purpose,
            legal_basis,
            fields,
            content,
            citizen_erased,
            policy: Some(policy),
        })
    }

    /// The values disclosed on an order that its supplier still sees (not restricted, not
    /// removed), sealed, with what opening them needs. Open them with [`Gate::open_held`]
    /// once the read is logged.
    pub(super) async fn held_by_supplier(
        &self,
        tx: &mut Tx,
        order: &OrderRow,
    ) -> Result<Held, StoreError> {
        self.held_by_supplier_with(tx, order, None).await
    }

    /// [`Gate::held_by_supplier`], with the sealed content when the caller read it already
    /// (`Some(None)`: the order has none).
    async fn held_by_supplier_with(
        &self,
        tx: &mut Tx,
        order: &OrderRow,
        content: Option<Option<Vec<u8>>>,
    ) -> Result<Held, StoreError> {
        let rows = fetch!(
            tx,
            fetch_all,
            DisclosedRow,
            "SELECT d.field_key, d.kind, d.at, p.id, p.ciphertext, p.source, p.collected_at, p.restricted, \
             n.id AS note_id, n.note FROM disclosure d JOIN personal_datum p ON p.id = d.datum_id \
             LEFT JOIN datum_note n ON n.id = p.incorrect_note WHERE d.order_id = $1 \
             AND p.restricted = $2 AND p.removed_at IS NULL ORDER BY d.at, d.id",
            order.id,
            false
        )?;
        Ok(Held {
            subject_id: order.subject_id,
            order_id: order.id,
            content: match content {
                Some(read) => read,
                None => sealed_content(tx, order.id).await?,
            },
            notes: rows
                .iter()
                .filter_map(|r| Some((r.sealed.id, r.note_id?, r.note.clone()?)))
                .collect(),
            wrapped: self.wrapped_key(order.subject_id).await?,
            rows,
        })
    }

    /// Opens what [`Gate::held_by_supplier`] read: the fields in the order they were
    /// disclosed, the order's content, and whether the citizen was erased (their rows and
    /// key are gone then, so there is nothing to open).
    pub(super) fn open_held(
        &self,
        held: Held,
    ) -> Result<(Vec<DisclosedField>, Option<OrderContent>, bool), StoreError> {
        let subject = held.subject_id;
        let Some(key) = self.unwrap_optional(subject, held.wrapped.as_deref())? else {
            return Ok((Vec::new(), None, true));
        };
        let content = open_content(Some(&key), subject, held.order_id, held.content)?;
        let mut fields = Vec::with_capacity(held.rows.len());
        for d in held.rows {
            let Ok(field) = d.field_key.parse::<FieldKey>() else {
                continue;
            };
            fields.push(DisclosedField {
                field,
                value: open_one(&key, subject, field, &d.sealed)?,
                kind: DisclosureKind::parse(&d.kind),
                at: Now::from_micros(d.at),
                rectification: super::rights::rectification_of(
                    &key,
                    subject,
                    &held.notes,
                    d.sealed.id,
                )?,
            });
        }
        fields.sort_by_key(|f| (f.at, f.kind, f.field));
        Ok((fields, content, false))
    }
}

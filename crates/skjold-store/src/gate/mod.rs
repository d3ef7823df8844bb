//! The gate (DESIGN.md wall 1): every read or write of a citizen's personal data.
//!
//! Each public function here follows the same steps:
//! 1. open one transaction;
//! 2. authorise the [`Actor`] by role *and* relationship (a caseworker only within their own
//!    municipality; a supplier only through an order of its own under a DPA in force);
//! 3. do the work on sealed values only;
//! 4. append the access-log entry — one per citizen touched — in the same transaction;
//! 5. commit, and only then unwrap keys and open values for the caller.
//!
//! A refused call rolls back whatever it did and records the refusal in the access log in a
//! transaction of its own, so "who tried to see what" has an answer too.

mod general;
mod messages;
mod reminders;

pub use general::{GeneralThreadSummary, GeneralThreadView};
pub use messages::{
    AttachmentFile, AttachmentMeta, GuardFindings, MessageView, NewAttachment, OpenRequest,
    OutgoingMessage, RequestView, ThreadView,
};
pub use reminders::{Channel, ConsentView};

use std::collections::HashSet;

use uuid::Uuid;

use skjold_core::{Cpr, FieldKey, Role};

use crate::admin::{dpa_in_force, organisation_in, purpose_summary, service_type_in};
use crate::crypto::SubjectKey;
use crate::db::{Tx, execute, fetch, scalar};
use crate::log::{LogRow, insert_in};
use crate::model::*;
use crate::{Now, Store, StoreError};

/// A value to record about a citizen.
#[derive(Debug, Clone)]
pub struct NewDatum {
    pub field: FieldKey,
    pub value: String,
    pub source: String,
}

#[derive(Debug, Clone, Copy)]
pub struct NewOrder {
    pub subject_id: Uuid,
    pub service_type_id: Uuid,
    pub supplier_id: Uuid,
}

/// What an access-log entry says, besides who and when.
struct Use<'a> {
    kind: UseKind,
    subject_id: Option<Uuid>,
    criterion: Option<String>,
    purpose: &'a str,
    detail: String,
}

impl<'a> Use<'a> {
    fn new(
        kind: UseKind,
        subject_id: Option<Uuid>,
        purpose: &'a str,
        detail: impl Into<String>,
    ) -> Self {
        Use {
            kind,
            subject_id,
            criterion: None,
            purpose,
            detail: detail.into(),
        }
    }
}

const PURPOSE_CASEWORK: &str = "Sagsbehandling";
const PURPOSE_OVERSIGHT: &str = "Tilsyn med behandlingen af personoplysninger";
const PURPOSE_LOG_UPKEEP: &str = "Vedligehold af adgangsloggen";

fn log_row(actor: Option<&Actor>, now: Now, u: &Use<'_>, allowed: bool) -> LogRow {
    LogRow {
        id: Uuid::new_v4(),
        at: now.micros(),
        user_id: actor.map(|a| a.user_id),
        organisation_id: actor.map(|a| a.organisation_id),
        use_kind: u.kind.key(),
        subject_id: u.subject_id,
        criterion: u.criterion.clone(),
        purpose: u.purpose.to_owned(),
        outcome: if allowed { "allowed" } else { "denied" },
        detail: u.detail.clone(),
        shard: String::new(),
        idx: 0,
        leaf_hash: Vec::new(),
    }
}

/// Writes an entry inside a transaction that changes data.
async fn append_log(
    tx: &mut Tx,
    actor: Option<&Actor>,
    now: Now,
    u: &Use<'_>,
    allowed: bool,
) -> Result<(), StoreError> {
    insert_in(tx, &log_row(actor, now, u, allowed)).await
}

fn require_role(actor: &Actor, roles: &[Role]) -> Result<(), StoreError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(StoreError::forbidden(
            "role_not_allowed",
            format!(
                "rollen {} har ikke adgang til denne funktion",
                actor.role.danish()
            ),
        ))
    }
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: Uuid,
    controller_id: Uuid,
    reference: String,
    subject_id: Uuid,
    service_type_id: Uuid,
    supplier_id: Uuid,
    status: String,
    created_at: i64,
    service_name: String,
    supplier_name: String,
    unit_name: String,
    caseworker_name: String,
    purpose_id: Uuid,
}

impl OrderRow {
    fn status(&self) -> OrderStatus {
        if self.status == "closed" {
            OrderStatus::Closed
        } else {
            OrderStatus::Open
        }
    }

    fn summary(&self) -> OrderSummary {
        OrderSummary {
            id: self.id,
            reference: self.reference.clone(),
            service_type: self.service_name.clone(),
            supplier_id: self.supplier_id,
            supplier_name: self.supplier_name.clone(),
            unit_name: self.unit_name.clone(),
            caseworker_name: self.caseworker_name.clone(),
            status: self.status(),
            created_at: Now::from_micros(self.created_at),
        }
    }
}

const ORDER_SELECT: &str = "SELECT o.id, o.controller_id, o.reference, o.subject_id, o.service_type_id, \
     o.supplier_id, o.status, o.created_at, s.name AS service_name, sup.name AS supplier_name, \
     un.name AS unit_name, cw.display_name AS caseworker_name, s.purpose_id \
     FROM service_order o JOIN service_type s ON s.id = o.service_type_id \
     JOIN organisation sup ON sup.id = o.supplier_id JOIN organisation un ON un.id = o.unit_id \
     JOIN app_user cw ON cw.id = o.caseworker_id";

#[derive(sqlx::FromRow)]
struct SealedRow {
    id: Uuid,
    field_key: String,
    ciphertext: Vec<u8>,
    source: String,
    collected_at: i64,
    restricted: bool,
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: Uuid,
    at: i64,
    order_id: Uuid,
    order_reference: String,
    subject_id: Uuid,
    supplier_name: String,
    field_key: String,
    kind: String,
    justification: Option<String>,
    purpose: String,
    legal_basis: String,
    decided_by: String,
}

impl LedgerRow {
    fn into_model(self) -> Option<LedgerEntry> {
        Some(LedgerEntry {
            id: self.id,
            at: Now::from_micros(self.at),
            order_id: self.order_id,
            order_reference: self.order_reference,
            subject_id: self.subject_id,
            supplier_name: self.supplier_name,
            field: self.field_key.parse().ok()?,
            kind: if self.kind == "manual" {
                DisclosureKind::Manual
            } else {
                DisclosureKind::Automatic
            },
            justification: self.justification,
            purpose: self.purpose,
            legal_basis: self.legal_basis,
            decided_by: self.decided_by,
        })
    }
}

const LEDGER_SELECT: &str = "SELECT d.id, d.at, d.order_id, o.reference AS order_reference, d.subject_id, \
     sup.name AS supplier_name, d.field_key, d.kind, d.justification, p.name AS purpose, d.legal_basis, \
     u.display_name AS decided_by \
     FROM disclosure d JOIN service_order o ON o.id = d.order_id JOIN organisation sup ON sup.id = d.supplier_id \
     JOIN purpose p ON p.id = d.purpose_id JOIN app_user u ON u.id = d.decided_by";

#[derive(sqlx::FromRow)]
struct AccessRow {
    id: Uuid,
    at: i64,
    user_id: Option<Uuid>,
    username: Option<String>,
    organisation_name: Option<String>,
    use_kind: String,
    subject_id: Option<Uuid>,
    criterion: Option<String>,
    purpose: String,
    outcome: String,
    detail: String,
}

/// Sealed values of a citizen's current, unrestricted data.
async fn current_data(tx: &mut Tx, subject_id: Uuid) -> Result<Vec<SealedRow>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_all,
        SealedRow,
        "SELECT id, field_key, ciphertext, source, collected_at, restricted FROM personal_datum \
         WHERE subject_id = $1 AND superseded_by IS NULL AND restricted = $2 ORDER BY collected_at",
        subject_id,
        false
    )?)
}

async fn wrapped_key(tx: &mut Tx, subject_id: Uuid) -> Result<Vec<u8>, StoreError> {
    scalar!(
        tx,
        fetch_optional,
        Vec<u8>,
        "SELECT wrapped_key FROM subject_key WHERE subject_id = $1",
        subject_id
    )?
    .ok_or_else(|| {
        StoreError::not_found(
            "subject_key_missing",
            "borgerens nøgle findes ikke (slettet?)",
        )
    })
}

/// Checks that the subject belongs to the actor's municipality.
async fn subject_of_controller(
    tx: &mut Tx,
    subject_id: Uuid,
    controller_id: Uuid,
) -> Result<(), StoreError> {
    let found: Option<Uuid> = scalar!(
        tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM data_subject WHERE id = $1 AND controller_id = $2",
        subject_id,
        controller_id
    )?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::not_found("subject_not_found", "borgeren findes ikke"))
}

async fn order_row(tx: &mut Tx, order_id: Uuid) -> Result<Option<OrderRow>, StoreError> {
    let sql = format!("{ORDER_SELECT} WHERE o.id = $1");
    Ok(fetch!(tx, fetch_optional, OrderRow, &sql, order_id)?)
}

fn order_not_found() -> StoreError {
    StoreError::not_found(
        "order_not_found",
        "bestillingen findes ikke, eller du har ikke adgang til den",
    )
}

/// The order, if the actor is a caseworker of the order's municipality.
async fn caseworker_order_row(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
) -> Result<OrderRow, StoreError> {
    require_role(actor, &[Role::Caseworker])?;
    match order_row(tx, order_id).await? {
        Some(o) if o.controller_id == actor.controller_id => Ok(o),
        _ => Err(order_not_found()),
    }
}

impl Store {
    /// Ends a read transaction and makes its access-log entry durable (group commit, see
    /// `crate::log`). Callers open personal data only after this returns `Ok`.
    async fn log_after(
        &self,
        tx: Tx,
        actor: Option<&Actor>,
        now: Now,
        u: &Use<'_>,
        allowed: bool,
    ) -> Result<(), StoreError> {
        tx.commit().await?;
        self.log.append(log_row(actor, now, u, allowed)).await
    }

    /// A citizen's data key, unwrapped (inside a transaction that changes data).
    async fn subject_key(&self, tx: &mut Tx, subject_id: Uuid) -> Result<SubjectKey, StoreError> {
        let wrapped = wrapped_key(tx, subject_id).await?;
        Ok(self.keys.unwrap_subject_key(subject_id, &wrapped)?)
    }

    /// Opens sealed values, in taxonomy order.
    fn open_all(
        &self,
        subject_id: Uuid,
        wrapped: &[u8],
        rows: Vec<SealedRow>,
    ) -> Result<Vec<Datum>, StoreError> {
        let key = self.keys.unwrap_subject_key(subject_id, wrapped)?;
        let mut data = rows
            .into_iter()
            .filter_map(|r| {
                let field: FieldKey = r.field_key.parse().ok()?;
                Some(open_one(&key, subject_id, field, &r).map(|value| Datum {
                    id: r.id,
                    field,
                    value,
                    source: r.source.clone(),
                    collected_at: Now::from_micros(r.collected_at),
                    restricted: r.restricted,
                }))
            })
            .collect::<Result<Vec<Datum>, StoreError>>()?;
        data.sort_by_key(|d| d.field);
        Ok(data)
    }

    /// Ends `tx`, rolling back whatever it did (and releasing SQLite's write lock, which
    /// the log writer needs), records the refusal durably, and hands the error back.
    async fn refuse(
        &self,
        tx: Tx,
        actor: &Actor,
        now: Now,
        u: Use<'_>,
        err: StoreError,
    ) -> StoreError {
        drop(tx);
        match self.log.append(log_row(Some(actor), now, &u, false)).await {
            Ok(()) => err,
            Err(log_err) => log_err,
        }
    }

    // ---- citizens -----------------------------------------------------------------------

    /// Registers a citizen with their data, as `actor` (a caseworker), or, with `actor`
    /// `None`, as a system import into `controller_id` (the CLI and the demo).
    pub async fn register_subject(
        &self,
        actor: Option<&Actor>,
        controller_id: Uuid,
        cpr: &Cpr,
        data: &[NewDatum],
        now: Now,
    ) -> Result<Uuid, StoreError> {
        if let Some(a) = actor {
            require_role(a, &[Role::Caseworker])?;
            if a.controller_id != controller_id {
                return Err(StoreError::forbidden(
                    "other_controller",
                    "borgeren hører til en anden myndighed",
                ));
            }
        }
        let mut tx = self.db.write().await?;
        let hash = self.keys.cpr_hash(cpr);
        let existing: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE controller_id = $1 AND cpr_hash = $2",
            controller_id,
            hash.as_slice()
        )?;
        if existing.is_some() {
            return Err(StoreError::conflict(
                "subject_exists",
                "borgeren er allerede registreret",
            ));
        }
        let id = Uuid::new_v4();
        let (key, wrapped) = self.keys.new_subject_key(id)?;
        execute!(
            &mut tx,
            "INSERT INTO data_subject (id, controller_id, cpr_hash, created_at) VALUES ($1, $2, $3, $4)",
            id,
            controller_id,
            hash.as_slice(),
            now.micros()
        )?;
        execute!(
            &mut tx,
            "INSERT INTO subject_key (subject_id, wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4)",
            id,
            wrapped.as_slice(),
            self.keys.id(),
            now.micros()
        )?;
        // The CPR number is data like any other: sealed under the citizen's key.
        let cpr_datum = NewDatum {
            field: FieldKey::Cpr,
            value: cpr.formatted(),
            source: data
                .first()
                .map(|d| d.source.clone())
                .unwrap_or_else(|| "Registrering".into()),
        };
        for d in std::iter::once(&cpr_datum).chain(data.iter().filter(|d| d.field != FieldKey::Cpr))
        {
            insert_datum(&mut tx, &key, id, d, now).await?;
        }
        let detail = if actor.is_some() {
            "Borger oprettet"
        } else {
            "Borger indlæst ved import"
        };
        append_log(
            &mut tx,
            actor,
            now,
            &Use::new(UseKind::Register, Some(id), PURPOSE_CASEWORK, detail),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a new value for one field of a citizen; the previous value is kept, marked
    /// as superseded.
    pub async fn record_datum(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        datum: &NewDatum,
        now: Now,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Caseworker])?;
        let mut tx = self.db.write().await?;
        subject_of_controller(&mut tx, subject_id, actor.controller_id).await?;
        let key = self.subject_key(&mut tx, subject_id).await?;
        let new_id = insert_datum(&mut tx, &key, subject_id, datum, now).await?;
        execute!(
            &mut tx,
            "UPDATE personal_datum SET superseded_by = $1 WHERE subject_id = $2 AND field_key = $3 \
             AND superseded_by IS NULL AND id <> $1",
            new_id,
            subject_id,
            datum.field.key()
        )?;
        let detail = format!("Oplysning registreret: {}", datum.field.danish());
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(subject_id),
                PURPOSE_CASEWORK,
                detail,
            ),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Finds a citizen by CPR number (through its keyed hash). Caseworkers search for
    /// casework; privacy officers and auditors to filter the logs.
    pub async fn find_subject(
        &self,
        actor: &Actor,
        cpr: &Cpr,
        now: Now,
    ) -> Result<Option<Uuid>, StoreError> {
        require_role(
            actor,
            &[Role::Caseworker, Role::PrivacyOfficer, Role::Auditor],
        )?;
        let purpose = if actor.role == Role::Caseworker {
            PURPOSE_CASEWORK
        } else {
            PURPOSE_OVERSIGHT
        };
        let mut tx = self.db.read().await?;
        let hash = self.keys.cpr_hash(cpr);
        let found: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE controller_id = $1 AND cpr_hash = $2",
            actor.controller_id,
            hash.as_slice()
        )?;
        let mut u = Use::new(
            UseKind::Search,
            found,
            purpose,
            if found.is_some() {
                "CPR-opslag: fundet"
            } else {
                "CPR-opslag: intet fund"
            },
        );
        // The criterion is kept as a prefix of the keyed hash: enough to match repeated
        // searches for the same number, useless without the key.
        u.criterion = Some(format!("cpr-hmac:{}", hex::encode(&hash[..8])));
        self.log_after(tx, Some(actor), now, &u, true).await?;
        Ok(found)
    }

    /// A citizen's current data and orders, for a caseworker of their municipality.
    pub async fn subject_view(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<SubjectView, StoreError> {
        let mut tx = self.db.read().await?;
        let authorised = async {
            require_role(actor, &[Role::Caseworker])?;
            subject_of_controller(&mut tx, subject_id, actor.controller_id).await
        }
        .await;
        if let Err(e) = authorised {
            let u = Use::new(
                UseKind::View,
                None,
                PURPOSE_CASEWORK,
                "Visning af borger afvist",
            );
            return Err(self.refuse(tx, actor, now, u, e).await);
        }
        let rows = current_data(&mut tx, subject_id).await?;
        let wrapped = wrapped_key(&mut tx, subject_id).await?;
        let sql = format!("{ORDER_SELECT} WHERE o.subject_id = $1 ORDER BY o.created_at DESC");
        let orders = fetch!(&mut tx, fetch_all, OrderRow, &sql, subject_id)?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(subject_id),
                PURPOSE_CASEWORK,
                "Borgerens oplysninger vist",
            ),
            true,
        )
        .await?;
        Ok(SubjectView {
            id: subject_id,
            data: self.open_all(subject_id, &wrapped, rows)?,
            orders: orders.iter().map(OrderRow::summary).collect(),
        })
    }

    // ---- orders -------------------------------------------------------------------------

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
        let (service_type, supplier, dpa, present) = match prepared {
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
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(new.subject_id),
                PURPOSE_CASEWORK,
                format!("Forhåndsvisning af bestilling: {}", service_type.name),
            ),
            true,
        )
        .await?;
        Ok(OrderPreview {
            subject_id: new.subject_id,
            service_type,
            supplier_id: supplier.id,
            supplier_name: supplier.name,
            dpa_reference: dpa.reference,
            plan,
        })
    }

    /// Places an order and discloses, in the same transaction, exactly the fields the
    /// service type's policy marks automatic (LP-2, LP-3, LP-6).
    pub async fn place_order(
        &self,
        actor: &Actor,
        new: NewOrder,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let prepared = prepare_order(&mut tx, actor, new, now).await;
        let (service_type, supplier, dpa, _) = match prepared {
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
        let policy = service_type.policy();
        let mut disclosed = Vec::new();
        for row in current_data(&mut tx, new.subject_id).await? {
            let Ok(field) = row.field_key.parse::<FieldKey>() else {
                continue;
            };
            if policy.rule(field) == skjold_core::DisclosureRule::Automatic {
                insert_disclosure(
                    &mut tx,
                    actor,
                    &DisclosureRow {
                        order_id: id,
                        subject_id: new.subject_id,
                        supplier_id: supplier.id,
                        field,
                        datum_id: row.id,
                        justification: None,
                        purpose_id: service_type.purpose_id,
                        legal_basis: &legal_basis,
                    },
                    now,
                )
                .await?;
                disclosed.push(field.danish());
            }
        }
        let detail = format!(
            "Bestilling {reference} ({}) hos {}; automatisk videregivet: {}",
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
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// LP-4: a caseworker discloses one more field on an order, with a written
    /// justification, where the policy allows it on a justified decision.
    pub async fn disclose_manual(
        &self,
        actor: &Actor,
        order_id: Uuid,
        field: FieldKey,
        justification: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = check_manual(&mut tx, actor, order_id, field, justification, now).await;
        let (order, datum_id) = match checked {
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
        insert_disclosure(
            &mut tx,
            actor,
            &DisclosureRow {
                order_id,
                subject_id: order.subject_id,
                supplier_id: order.supplier_id,
                field,
                datum_id,
                justification: Some(justification.trim()),
                purpose_id: order.purpose_id,
                legal_basis: &legal_basis,
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
            ),
            true,
        )
        .await?;
        tx.commit().await
    }

    pub async fn close_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let order = caseworker_order_row(&mut tx, actor, order_id).await?;
        if order.status() == OrderStatus::Closed {
            return Err(StoreError::conflict(
                "order_closed",
                "bestillingen er allerede afsluttet",
            ));
        }
        execute!(
            &mut tx,
            "UPDATE service_order SET status = 'closed', closed_at = $1 WHERE id = $2",
            now.micros(),
            order_id
        )?;
        tx.commit().await
    }

    /// The caseworker's view of an order: the ledger rows, what more may be disclosed, and
    /// the citizen's name (opened, so logged).
    pub async fn caseworker_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<CaseworkerOrderView, StoreError> {
        let mut tx = self.db.read().await?;
        let order = match caseworker_order_row(&mut tx, actor, order_id).await {
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
        let service_type =
            service_type_in(&mut tx, order.controller_id, order.service_type_id).await?;
        let (purpose, legal_basis) =
            purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
        let sql = format!("{LEDGER_SELECT} WHERE d.order_id = $1 ORDER BY d.at, d.id");
        let mut disclosures: Vec<LedgerEntry> =
            fetch!(&mut tx, fetch_all, LedgerRow, &sql, order_id)?
                .into_iter()
                .filter_map(LedgerRow::into_model)
                .collect();
        disclosures.sort_by_key(|d| (d.at, d.kind, d.field));
        let rows = current_data(&mut tx, order.subject_id).await?;
        let wrapped = wrapped_key(&mut tx, order.subject_id).await?;
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
            ),
            true,
        )
        .await?;

        let done: HashSet<FieldKey> = disclosures.iter().map(|d| d.field).collect();
        let policy = service_type.policy();
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
        let citizen_name = self
            .open_all(order.subject_id, &wrapped, name_rows)?
            .into_iter()
            .next()
            .map(|d| d.value);
        Ok(CaseworkerOrderView {
            order: order.summary(),
            subject_id: order.subject_id,
            citizen_name,
            purpose,
            legal_basis,
            disclosures,
            disclosable,
            dpa_in_force: dpa_ok,
        })
    }

    /// LP-7 and LP-2: a supplier user's view of an order of its own organisation, with only
    /// the fields that were disclosed to it, and only while a DPA is in force.
    pub async fn supplier_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
        now: Now,
    ) -> Result<SupplierOrderView, StoreError> {
        let mut tx = self.db.read().await?;
        let authorised = async {
            require_role(actor, &[Role::SupplierUser])?;
            let order = match order_row(&mut tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if dpa_in_force(
                &mut tx,
                order.controller_id,
                order.supplier_id,
                now.local_date(),
            )
            .await?
            .is_none()
            {
                return Err(StoreError::forbidden(
                    "dpa_not_in_force",
                    "der er ingen databehandleraftale i kraft for denne bestilling",
                ));
            }
            Ok(order)
        }
        .await;
        let order = match authorised {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    "Levering af ydelse",
                    "Leverandørs visning af bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let (purpose, legal_basis) =
            purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
        let disclosed = fetch!(
            &mut tx,
            fetch_all,
            DisclosedRow,
            "SELECT d.field_key, d.kind, d.at, p.id, p.ciphertext, p.source, p.collected_at, p.restricted \
             FROM disclosure d JOIN personal_datum p ON p.id = d.datum_id WHERE d.order_id = $1 ORDER BY d.at, d.id",
            order_id
        )?;
        let wrapped = wrapped_key(&mut tx, order.subject_id).await?;
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

        let key = self.keys.unwrap_subject_key(order.subject_id, &wrapped)?;
        let mut fields = Vec::with_capacity(disclosed.len());
        for d in disclosed {
            let Ok(field) = d.field_key.parse::<FieldKey>() else {
                continue;
            };
            let value = open_one(&key, order.subject_id, field, &d.sealed)?;
            fields.push(DisclosedField {
                field,
                value,
                kind: if d.kind == "manual" {
                    DisclosureKind::Manual
                } else {
                    DisclosureKind::Automatic
                },
                at: Now::from_micros(d.at),
            });
        }
        fields.sort_by_key(|f| (f.at, f.kind, f.field));
        Ok(SupplierOrderView {
            order: order.summary(),
            purpose,
            legal_basis,
            fields,
        })
    }

    /// The supplier's own orders under a DPA in force. No personal data: not logged.
    pub async fn supplier_orders(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        require_role(actor, &[Role::SupplierUser])?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ORDER_SELECT} WHERE o.supplier_id = $1 AND EXISTS (SELECT 1 FROM dpa d WHERE d.controller_id = o.controller_id \
             AND d.processor_id = o.supplier_id AND d.starts_on <= $2 AND (d.ends_on IS NULL OR d.ends_on >= $2)) \
             ORDER BY o.created_at DESC"
        );
        let today = now.local_date().to_string();
        let rows = fetch!(
            &mut tx,
            fetch_all,
            OrderRow,
            &sql,
            actor.organisation_id,
            today.as_str()
        )?;
        Ok(rows.iter().map(OrderRow::summary).collect())
    }

    /// The orders of the caseworker's unit. No personal data: not logged.
    pub async fn unit_orders(&self, actor: &Actor) -> Result<Vec<OrderSummary>, StoreError> {
        require_role(actor, &[Role::Caseworker])?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ORDER_SELECT} WHERE o.controller_id = $1 AND o.unit_id = $2 ORDER BY o.created_at DESC"
        );
        let rows = fetch!(
            &mut tx,
            fetch_all,
            OrderRow,
            &sql,
            actor.controller_id,
            actor.organisation_id
        )?;
        Ok(rows.iter().map(OrderRow::summary).collect())
    }

    /// How many entries the access log holds (for benchmarks and operations; no content).
    pub async fn access_log_len(&self) -> Result<u64, StoreError> {
        let mut tx = self.db.read().await?;
        let n: i64 = scalar!(&mut tx, fetch_one, i64, "SELECT COUNT(*) FROM access_log")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    // ---- oversight ----------------------------------------------------------------------

    /// The disclosure ledger, for the privacy officer and the auditor.
    pub async fn ledger(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        require_role(actor, &[Role::PrivacyOfficer, Role::Auditor])?;
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            LedgerRow,
            &format!(
                "{LEDGER_SELECT} WHERE d.controller_id = $1 AND ($2 IS NULL OR d.subject_id = $2) \
                 AND ($3 IS NULL OR d.supplier_id = $3) AND ($4 IS NULL OR d.at >= $4) AND ($5 IS NULL OR d.at < $5) \
                 ORDER BY d.at DESC, d.id LIMIT $6"
            ),
            actor.controller_id,
            filter.subject_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            filter.limit.clamp(1, 10_000)
        )?;
        tx.commit().await?;
        // The ledger says which citizen had what disclosed: one entry per citizen shown
        // (wall 1), or one for the search itself when nothing matched.
        let criterion = describe_filter(filter);
        let mut subjects: Vec<Option<Uuid>> = rows.iter().map(|r| Some(r.subject_id)).collect();
        subjects.sort();
        subjects.dedup();
        if subjects.is_empty() {
            subjects.push(filter.subject_id);
        }
        let entries = subjects
            .into_iter()
            .map(|subject| {
                let mut u = Use::new(
                    UseKind::Oversight,
                    subject,
                    PURPOSE_OVERSIGHT,
                    "Videregivelsesloggen gennemset",
                );
                u.criterion = Some(criterion.clone());
                log_row(Some(actor), now, &u, true)
            })
            .collect();
        self.log.append_all(entries).await?;
        Ok(rows.into_iter().filter_map(LedgerRow::into_model).collect())
    }

    /// The access log, for the privacy officer and the auditor.
    pub async fn access_log(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        require_role(actor, &[Role::PrivacyOfficer, Role::Auditor])?;
        let mut tx = self.db.read().await?;
        // The log covers the municipality's own users and the suppliers acting for it.
        let rows = fetch!(
            &mut tx,
            fetch_all,
            AccessRow,
            "SELECT l.id, l.at, l.user_id, u.username, o.name AS organisation_name, l.use_kind, l.subject_id, l.criterion, \
             l.purpose, l.outcome, l.detail FROM access_log l LEFT JOIN app_user u ON u.id = l.user_id \
             LEFT JOIN organisation o ON o.id = l.organisation_id \
             WHERE (o.id IS NULL OR o.id = $1 OR o.parent_id = $1 OR o.kind = 'supplier') \
             AND ($2 IS NULL OR l.subject_id = $2) AND ($3 IS NULL OR l.user_id = $3) \
             AND ($4 IS NULL OR l.organisation_id = $4) AND ($5 IS NULL OR l.at >= $5) AND ($6 IS NULL OR l.at < $6) \
             ORDER BY l.at DESC, l.id LIMIT $7",
            actor.controller_id,
            filter.subject_id,
            filter.user_id,
            filter.organisation_id,
            filter.from.map(Now::micros),
            filter.until.map(Now::micros),
            filter.limit.clamp(1, 10_000)
        )?;
        let mut u = Use::new(
            UseKind::Oversight,
            filter.subject_id,
            PURPOSE_OVERSIGHT,
            "Adgangsloggen gennemset",
        );
        u.criterion = Some(describe_filter(filter));
        self.log_after(tx, Some(actor), now, &u, true).await?;
        Ok(rows
            .into_iter()
            .map(|r| AccessEntry {
                id: r.id,
                at: Now::from_micros(r.at),
                user_id: r.user_id,
                username: r.username,
                organisation_name: r.organisation_name,
                use_kind: UseKind::parse(&r.use_kind).unwrap_or(UseKind::View),
                subject_id: r.subject_id,
                criterion: r.criterion,
                purpose: r.purpose,
                allowed: r.outcome == "allowed",
                detail: r.detail,
            })
            .collect())
    }

    /// Records something the system itself did (no user, no citizen) in the access log,
    /// and returns once the entry is durable: the log's own upkeep, such as pruning.
    pub async fn log_system_event(&self, now: Now, detail: &str) -> Result<(), StoreError> {
        let u = Use::new(UseKind::Oversight, None, PURPOSE_LOG_UPKEEP, detail);
        self.log.append(log_row(None, now, &u, true)).await
    }

    /// An export of the access log with inclusion proofs, for the privacy officer or the
    /// auditor to hand to the controller or the supervisory authority. The export itself is
    /// logged first.
    pub async fn export_access_log(
        &self,
        actor: &Actor,
        filter: &LogFilter,
        now: Now,
    ) -> Result<crate::audit::export::Export, StoreError> {
        require_role(actor, &[Role::PrivacyOfficer, Role::Auditor])?;
        let mut u = Use::new(
            UseKind::Oversight,
            filter.subject_id,
            PURPOSE_OVERSIGHT,
            "Adgangsloggen eksporteret med beviser",
        );
        u.criterion = Some(describe_filter(filter));
        self.log.append(log_row(Some(actor), now, &u, true)).await?;
        self.export_log(filter, Some(actor.controller_id), now)
            .await
    }
}

fn describe_filter(f: &LogFilter) -> String {
    let mut parts = Vec::new();
    if let Some(s) = f.subject_id {
        parts.push(format!("borger={s}"));
    }
    if let Some(u) = f.user_id {
        parts.push(format!("bruger={u}"));
    }
    if let Some(o) = f.organisation_id {
        parts.push(format!("organisation={o}"));
    }
    if let Some(t) = f.from {
        parts.push(format!("fra={}", t.rfc3339()));
    }
    if let Some(t) = f.until {
        parts.push(format!("til={}", t.rfc3339()));
    }
    if parts.is_empty() {
        "alle".into()
    } else {
        parts.join(" ")
    }
}

#[derive(sqlx::FromRow)]
struct DisclosedRow {
    field_key: String,
    kind: String,
    at: i64,
    #[sqlx(flatten)]
    sealed: SealedRow,
}

fn open_one(
    key: &SubjectKey,
    subject_id: Uuid,
    field: FieldKey,
    row: &SealedRow,
) -> Result<String, StoreError> {
    Ok(key.open(subject_id, field.key(), &row.ciphertext)?)
}

async fn insert_datum(
    tx: &mut Tx,
    key: &SubjectKey,
    subject_id: Uuid,
    d: &NewDatum,
    now: Now,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let sealed = key.seal(subject_id, d.field.key(), &d.value)?;
    execute!(
        tx,
        "INSERT INTO personal_datum (id, subject_id, field_key, ciphertext, source, collected_at, restricted) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        subject_id,
        d.field.key(),
        sealed.as_slice(),
        d.source.as_str(),
        now.micros(),
        false
    )?;
    Ok(id)
}

struct DisclosureRow<'a> {
    order_id: Uuid,
    subject_id: Uuid,
    supplier_id: Uuid,
    field: FieldKey,
    datum_id: Uuid,
    justification: Option<&'a str>,
    purpose_id: Uuid,
    legal_basis: &'a str,
}

async fn insert_disclosure(
    tx: &mut Tx,
    actor: &Actor,
    d: &DisclosureRow<'_>,
    now: Now,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO disclosure (id, controller_id, order_id, subject_id, supplier_id, field_key, datum_id, kind, \
         justification, purpose_id, legal_basis, decided_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        Uuid::new_v4(),
        actor.controller_id,
        d.order_id,
        d.subject_id,
        d.supplier_id,
        d.field.key(),
        d.datum_id,
        if d.justification.is_some() {
            "manual"
        } else {
            "automatic"
        },
        d.justification,
        d.purpose_id,
        d.legal_basis,
        actor.user_id,
        now.micros()
    )?;
    Ok(())
}

/// Authorises and validates a new order: a caseworker of the citizen's municipality, a
/// service type of that municipality, a supplier with a DPA in force today.
async fn prepare_order(
    tx: &mut Tx,
    actor: &Actor,
    new: NewOrder,
    now: Now,
) -> Result<(ServiceType, Organisation, Dpa, Vec<FieldKey>), StoreError> {
    require_role(actor, &[Role::Caseworker])?;
    subject_of_controller(tx, new.subject_id, actor.controller_id).await?;
    let service_type = service_type_in(tx, actor.controller_id, new.service_type_id).await?;
    let supplier = organisation_in(tx, new.supplier_id).await?;
    if supplier.kind != OrgKind::Supplier {
        return Err(StoreError::invalid(
            "not_a_supplier",
            "den valgte organisation er ikke en leverandør",
        ));
    }
    let dpa = dpa_in_force(tx, actor.controller_id, supplier.id, now.local_date())
        .await?
        .ok_or_else(|| {
            StoreError::invalid(
                "no_dpa_in_force",
                format!(
                    "{} har ingen databehandleraftale i kraft; der kan ikke bestilles",
                    supplier.name
                ),
            )
        })?;
    let present = current_data(tx, new.subject_id)
        .await?
        .iter()
        .filter_map(|r| r.field_key.parse().ok())
        .collect();
    Ok((service_type, supplier, dpa, present))
}

async fn check_manual(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    field: FieldKey,
    justification: &str,
    now: Now,
) -> Result<(OrderRow, Uuid), StoreError> {
    let order = caseworker_order_row(tx, actor, order_id).await?;
    if order.status() == OrderStatus::Closed {
        return Err(StoreError::conflict(
            "order_closed",
            "bestillingen er afsluttet; der kan ikke videregives mere",
        ));
    }
    let service_type = service_type_in(tx, order.controller_id, order.service_type_id).await?;
    service_type
        .policy()
        .check_manual(field, justification)
        .map_err(|e| StoreError::invalid(e.code(), e.to_string()))?;
    if dpa_in_force(tx, order.controller_id, order.supplier_id, now.local_date())
        .await?
        .is_none()
    {
        return Err(StoreError::invalid(
            "no_dpa_in_force",
            "leverandøren har ingen databehandleraftale i kraft; der kan ikke videregives",
        ));
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
        return Err(StoreError::conflict(
            "field_already_disclosed",
            format!("{} er allerede videregivet", field.danish()),
        ));
    }
    let datum = current_data(tx, order.subject_id)
        .await?
        .into_iter()
        .find(|r| r.field_key == field.key())
        .ok_or_else(|| {
            StoreError::invalid(
                "no_such_data",
                format!(
                    "borgeren har ingen oplysning om {}",
                    field.danish().to_lowercase()
                ),
            )
        })?;
    Ok((order, datum.id))
}

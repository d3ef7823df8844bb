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

mod access;
mod general;
mod messages;
mod reminders;

pub use access::{StandInGrant, StandInView};

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
    /// The stand-in access the use is made under.
    stand_in: Option<Uuid>,
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
            stand_in: None,
        }
    }

    /// The same use, made under `stand_in` (a stand-in access), if any.
    fn under(mut self, stand_in: Option<Uuid>) -> Self {
        self.stand_in = stand_in;
        self
    }
}

const PURPOSE_CASEWORK: &str = "Sagsbehandling";
const PURPOSE_OVERSIGHT: &str = "Tilsyn med behandlingen af personoplysninger";
const PURPOSE_LOG_UPKEEP: &str = "Vedligehold af adgangsloggen";
const PURPOSE_SUPPLY: &str = "Levering af ydelse";

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
        stand_in: u.stand_in,
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
    unit_id: Uuid,
    unit_name: String,
    caseworker_name: String,
    purpose_id: Uuid,
    closed_at: Option<i64>,
    deletion_confirmed_at: Option<i64>,
    deletion_confirmer: Option<String>,
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
            unit_id: self.unit_id,
            unit_name: self.unit_name.clone(),
            caseworker_name: self.caseworker_name.clone(),
            status: self.status(),
            created_at: Now::from_micros(self.created_at),
            closing: self.closing(),
        }
    }

    fn closing(&self) -> Option<Closing> {
        let closed_at = Now::from_micros(self.closed_at?);
        Some(Closing {
            closed_at,
            deletion_due: skjold_core::access::deletion_due(closed_at),
            deletion_confirmed_at: self.deletion_confirmed_at.map(Now::from_micros),
            deletion_confirmed_by: self.deletion_confirmer.clone(),
        })
    }
}

const ORDER_SELECT: &str = "SELECT o.id, o.controller_id, o.reference, o.subject_id, o.service_type_id, \
     o.supplier_id, o.status, o.created_at, s.name AS service_name, sup.name AS supplier_name, \
     o.unit_id, un.name AS unit_name, cw.display_name AS caseworker_name, s.purpose_id, o.closed_at, \
     o.deletion_confirmed_at, dc.display_name AS deletion_confirmer \
     FROM service_order o JOIN service_type s ON s.id = o.service_type_id \
     JOIN organisation sup ON sup.id = o.supplier_id JOIN organisation un ON un.id = o.unit_id \
     JOIN app_user cw ON cw.id = o.caseworker_id LEFT JOIN app_user dc ON dc.id = o.deletion_confirmed_by";

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
    field_key: Option<String>,
    kind: String,
    /// The clear justification of a row written before justifications were sealed, until
    /// [`Store::seal_legacy_justifications`] has sealed it.
    justification: Option<String>,
    justification_sealed: Option<Vec<u8>>,
    message_id: Option<Uuid>,
    found_sealed: Option<Vec<u8>>,
    purpose: String,
    legal_basis: String,
    decided_by: String,
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
    fn into_model(self, key: Option<&SubjectKey>) -> Result<LedgerEntry, StoreError> {
        let open = |sealed: &Option<Vec<u8>>, aad: String| -> Result<Option<String>, StoreError> {
            match (sealed, key) {
                (Some(s), Some(k)) => Ok(Some(k.open(self.subject_id, &aad, s)?)),
                _ => Ok(None),
            }
        };
        let justification = match &self.justification {
            Some(clear) => Some(clear.clone()),
            None => open(&self.justification_sealed, justification_aad(self.id))?,
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
        })
    }
}

const LEDGER_SELECT: &str = "SELECT d.id, d.at, d.order_id, o.reference AS order_reference, d.subject_id, \
     sup.name AS supplier_name, d.field_key, d.kind, d.justification, d.justification_sealed, d.message_id, \
     d.found_sealed, p.name AS purpose, d.legal_basis, u.display_name AS decided_by \
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
    stand_in_id: Option<Uuid>,
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

/// The wrapped keys of several citizens (those whose key is gone are left out).
async fn wrapped_keys(tx: &mut Tx, subjects: &[Uuid]) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
    let mut keys: Vec<(Uuid, Vec<u8>)> = Vec::new();
    for &subject in subjects {
        if keys.iter().any(|(s, _)| *s == subject) {
            continue;
        }
        if let Ok(wrapped) = wrapped_key(tx, subject).await {
            keys.push((subject, wrapped));
        }
    }
    Ok(keys)
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
    found.map(|_| ()).ok_or_else(subject_not_found)
}

fn subject_not_found() -> StoreError {
    StoreError::not_found(
        "subject_not_found",
        "borgeren findes ikke, eller du har ikke adgang til borgeren",
    )
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

    /// Ledger rows as entries, their sealed texts opened with the citizens' keys (fetched,
    /// wrapped, before the read transaction ended).
    fn open_ledger(
        &self,
        rows: Vec<LedgerRow>,
        wrapped: &[(Uuid, Vec<u8>)],
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let mut keys: Vec<(Uuid, SubjectKey)> = Vec::with_capacity(wrapped.len());
        for (subject, w) in wrapped {
            keys.push((*subject, self.keys.unwrap_subject_key(*subject, w)?));
        }
        rows.into_iter()
            .map(|r| {
                let key = keys
                    .iter()
                    .find(|(s, _)| *s == r.subject_id)
                    .map(|(_, k)| k);
                r.into_model(key)
            })
            .collect()
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

    /// Registers a citizen with their data, as `actor` (a caseworker, who may then open the
    /// citizen's record for the working day), or, with `actor` `None`, as a system import
    /// into `controller_id` (the CLI and the demo).
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
        if let Some(a) = actor {
            access::grant_lookup(&mut tx, a, id, now).await?;
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
        let mut tx = self.db.write().await?;
        let stand_in = match access::caseworker_subject(&mut tx, actor, subject_id, now).await {
            Ok(s) => s,
            Err(e) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_CASEWORK,
                    "Registrering af oplysning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
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
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Finds a citizen by CPR number (through its keyed hash). Caseworkers search for
    /// casework, and a hit opens the citizen's record to them for the working day;
    /// privacy officers and auditors search to filter the logs.
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
        let casework = actor.role == Role::Caseworker;
        let purpose = if casework {
            PURPOSE_CASEWORK
        } else {
            PURPOSE_OVERSIGHT
        };
        let mut tx = if casework {
            self.db.write().await?
        } else {
            self.db.read().await?
        };
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
        match (casework, found) {
            (true, Some(subject)) => {
                access::grant_lookup(&mut tx, actor, subject, now).await?;
                append_log(&mut tx, Some(actor), now, &u, true).await?;
                tx.commit().await?;
            }
            _ => self.log_after(tx, Some(actor), now, &u, true).await?,
        }
        Ok(found)
    }

    /// A citizen's current data and orders, for a caseworker who may open the record: one
    /// with an order of their unit for the citizen, who found the citizen by a search
    /// today, or who holds a stand-in access on one of the citizen's orders.
    pub async fn subject_view(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<SubjectView, StoreError> {
        let mut tx = self.db.read().await?;
        let stand_in = match access::caseworker_subject(&mut tx, actor, subject_id, now).await {
            Ok(s) => s,
            Err(e) => {
                let u = Use::new(
                    UseKind::View,
                    None,
                    PURPOSE_CASEWORK,
                    "Visning af borger afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
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
            )
            .under(stand_in),
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
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(new.subject_id),
                PURPOSE_CASEWORK,
                format!("Forhåndsvisning af bestilling: {}", service_type.name),
            )
            .under(stand_in),
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
    /// service type's policy marks automatic (LP-2, LP-3, LP-6). The order belongs to the
    /// caseworker's unit.
    pub async fn place_order(
        &self,
        actor: &Actor,
        new: NewOrder,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
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
        let key = self.subject_key(&mut tx, new.subject_id).await?;
        let mut disclosed = Vec::new();
        for row in current_data(&mut tx, new.subject_id).await? {
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
            )
            .under(stand_in),
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
        let key = self.subject_key(&mut tx, order.subject_id).await?;
        insert_disclosure(
            &mut tx,
            actor,
            &key,
            &DisclosureRow {
                field: Some(field),
                datum_id: Some(datum_id),
                justification: Some(justification.trim()),
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
                return Err(StoreError::conflict(
                    "order_closed",
                    "bestillingen er allerede afsluttet",
                ));
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
            require_role(actor, &[Role::SupplierUser])?;
            let order = match order_row(&mut tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if order.status() != OrderStatus::Closed {
                return Err(StoreError::conflict(
                    "order_open",
                    "bestillingen er ikke afsluttet; sletning bekræftes, når kommunen har afsluttet den",
                ));
            }
            if order.deletion_confirmed_at.is_some() {
                return Err(StoreError::conflict(
                    "deletion_confirmed",
                    "sletningen er allerede bekræftet",
                ));
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
    /// the citizen's name (opened, so logged).
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
        let service_type =
            service_type_in(&mut tx, order.controller_id, order.service_type_id).await?;
        let (purpose, legal_basis) =
            purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
        let sql = format!("{LEDGER_SELECT} WHERE d.order_id = $1 ORDER BY d.at, d.id");
        let ledger_rows = fetch!(&mut tx, fetch_all, LedgerRow, &sql, order_id)?;
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
            )
            .under(stand_in),
            true,
        )
        .await?;

        let mut disclosures =
            self.open_ledger(ledger_rows, &[(order.subject_id, wrapped.clone())])?;
        disclosures.sort_by_key(|d| (d.at, d.kind, d.field));
        let done: HashSet<FieldKey> = disclosures.iter().filter_map(|d| d.field).collect();
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
            stand_in,
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
            require_role(actor, &[Role::SupplierUser])?;
            let order = match order_row(&mut tx, order_id).await? {
                Some(o) if o.supplier_id == actor.organisation_id => o,
                _ => return Err(order_not_found()),
            };
            if order.status() == OrderStatus::Open
                && dpa_in_force(
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
                    PURPOSE_SUPPLY,
                    "Leverandørs visning af bestilling afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let (purpose, legal_basis) =
            purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
        if order.status() == OrderStatus::Closed {
            return Ok(SupplierOrderView {
                order: order.summary(),
                purpose,
                legal_basis,
                fields: Vec::new(),
            });
        }
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
                kind: DisclosureKind::parse(&d.kind),
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

    /// The supplier's own orders under a DPA in force, and its closed orders whose
    /// deletion it has yet to confirm. No personal data: not logged.
    pub async fn supplier_orders(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        require_role(actor, &[Role::SupplierUser])?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ORDER_SELECT} WHERE o.supplier_id = $1 AND (EXISTS (SELECT 1 FROM dpa d WHERE d.controller_id = o.controller_id \
             AND d.processor_id = o.supplier_id AND d.starts_on <= $2 AND (d.ends_on IS NULL OR d.ends_on >= $2)) \
             OR (o.status = 'closed' AND o.deletion_confirmed_at IS NULL)) \
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

    /// Closed orders of the actor's municipality whose supplier has not confirmed deletion
    /// by the deadline, for the privacy officer's follow-up. No personal data: not logged.
    pub async fn overdue_deletions(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        require_role(actor, &[Role::PrivacyOfficer, Role::Auditor])?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ORDER_SELECT} WHERE o.controller_id = $1 AND o.status = 'closed' AND o.deletion_confirmed_at IS NULL \
             ORDER BY o.closed_at, o.id"
        );
        let rows = fetch!(&mut tx, fetch_all, OrderRow, &sql, actor.controller_id)?;
        let today = now.local_date();
        Ok(rows
            .iter()
            .map(OrderRow::summary)
            .filter(|o| {
                o.closing
                    .as_ref()
                    .is_some_and(|c| c.deletion_overdue(today))
            })
            .collect())
    }

    /// How many entries the access log holds (for benchmarks and operations; no content).
    pub async fn access_log_len(&self) -> Result<u64, StoreError> {
        let mut tx = self.db.read().await?;
        let n: i64 = scalar!(&mut tx, fetch_one, i64, "SELECT COUNT(*) FROM access_log")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    // ---- oversight ----------------------------------------------------------------------

    /// The disclosure ledger, for the privacy officer and the auditor, with its sealed
    /// justifications opened.
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
        let subjects: Vec<Uuid> = rows.iter().map(|r| r.subject_id).collect();
        let wrapped = wrapped_keys(&mut tx, &subjects).await?;
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
        self.open_ledger(rows, &wrapped)
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
             l.purpose, l.outcome, l.detail, l.stand_in_id FROM access_log l LEFT JOIN app_user u ON u.id = l.user_id \
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
                stand_in: r.stand_in_id,
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
            let Ok(wrapped) = wrapped_key(&mut tx, subject).await else {
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

/// A row of the disclosure ledger to write.
struct DisclosureRow<'a> {
    kind: DisclosureKind,
    order_id: Uuid,
    subject_id: Uuid,
    supplier_id: Uuid,
    /// The field disclosed, with the datum that carried it; none for free text.
    field: Option<FieldKey>,
    datum_id: Option<Uuid>,
    /// Why (sealed under the citizen's key).
    justification: Option<&'a str>,
    /// The message that carried it, and what the guard found there (sealed).
    message_id: Option<Uuid>,
    found: Option<&'a str>,
    purpose_id: Uuid,
    legal_basis: &'a str,
}

impl<'a> DisclosureRow<'a> {
    fn new(
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

    fn of_order(kind: DisclosureKind, order: &OrderRow, legal_basis: &'a str) -> Self {
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
async fn insert_disclosure(
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

/// What an order needs, checked: the caseworker may open the citizen's record, the
/// service type is the municipality's, and the supplier has a DPA in force today.
type Prepared = (ServiceType, Organisation, Dpa, Vec<FieldKey>, Option<Uuid>);

/// Authorises and validates a new order: a caseworker who may open the citizen's
/// record, a service type of that municipality, a supplier with a DPA in force today.
async fn prepare_order(
    tx: &mut Tx,
    actor: &Actor,
    new: NewOrder,
    now: Now,
) -> Result<Prepared, StoreError> {
    let stand_in = access::caseworker_subject(tx, actor, new.subject_id, now).await?;
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
    Ok((service_type, supplier, dpa, present, stand_in))
}

async fn check_manual(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    field: FieldKey,
    justification: &str,
    now: Now,
) -> Result<(OrderRow, Uuid, Option<Uuid>), StoreError> {
    let (order, stand_in) = access::caseworker_order_row(tx, actor, order_id, now).await?;
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
    Ok((order, datum.id, stand_in))
}

//! The gate (DESIGN.md wall 1): every read or write of a citizen's personal data, and the
//! only holder of the keys that open it.
//!
//! **The rule the compiler keeps.** The key ring (`crate::crypto`), the database
//! (`crate::db`) and the key store (`crate::keystore`) are private to the store, and the keys
//! that seal and open citizens' data (the key that unwraps each citizen's data key, the CPR
//! look-up key, and the handle on the key store where the wrapped data keys live, apart
//! from the data) are fields of [`Gate`] alone. So no code outside this module can read a
//! citizen's data, and none can do it without the access log: the other handles of the
//! store ([`crate::directory::Directory`], [`crate::catalogue::Catalogue`],
//! [`crate::sign_in::SignInRecords`], [`crate::audit::AuditLog`]) hold no such key.
//!
//! **Two databases.** A citizen's wrapped key is read from the key store, not from the data
//! transaction; a new key is written there (durably) before the data transaction that uses
//! it, and removed again if that transaction fails. Erasure ([`erasure`]) destroys the key
//! first, then deletes the data. A citizen without a key is an erased citizen: their record
//! answers [`Problem::CitizenErased`], and the views of their orders, threads and ledger rows
//! show the rows without the texts that were sealed under the key.
//!
//! **The protocol.** Each public function follows the same steps:
//! 1. open one transaction;
//! 2. authorise the [`Actor`]: the role × action table ([`skjold_core::may`]) first, then
//!    the relationship (a caseworker within the order's unit, or through a look-up or a
//!    stand-in access, see [`access`]; a supplier only through an order of its own under a
//!    DPA in force);
//! 3. do the work on sealed values only;
//! 4. append the access-log entry — one per citizen touched — in the same transaction (or,
//!    for a pure read, hand it to the group-committing writer and wait until it is durable);
//! 5. commit, and only then unwrap keys and open values for the caller.
//!
//! A refused call rolls back whatever it did and records the refusal in the access log in a
//! transaction of its own, so "who tried to see what" has an answer too.
//!
//! The rooms, by feature: [`citizens`], [`citizen_view`] (the citizen as the actor), [`erasure`], [`orders`], [`disclosures`],
//! [`threads`], [`data_requests`], [`consents`], [`access`] (need-to-know) and
//! [`oversight`].

mod access;
mod breaches;
mod citizen_view;
mod citizens;
mod consents;
mod data_requests;
mod disclosures;
mod erasure;
mod intake;
mod invoices;
mod order_content;
mod orders;
mod oversight;
mod processors;
mod records;
mod retention;
mod rights;
mod threads;

pub use invoices::{ExportLine, Joining, Participation, Received, Returned, Stored};
pub use order_content::Placement;
pub use records::ProcessingFacts;

use uuid::Uuid;

use skjold_core::citizens::Datum;
use skjold_core::disclosures::LedgerEntry;
use skjold_core::orders::{Closing, OrderStatus, OrderSummary};
use skjold_core::oversight::UseKind;
use skjold_core::{Action, Actor, FieldKey, Problem};

use crate::audit::entry::{LogRow, PURPOSE_OVERSIGHT, describe_filter};
use crate::catalogue::{
    dpa_covers, dpa_in_force, order_policy, order_policy_version, pin_order_policy,
    purpose_summary, service_type_in,
};
use crate::crypto::{GateKeys, SubjectKey};
use crate::db::{Db, Tx, execute, fetch, scalar};
use crate::directory::organisation_in;
use crate::gate::disclosures::LedgerRow;
use crate::keystore::KeyStore;
use crate::log::{LogWriter, insert_in};
use crate::{Now, StoreError};

/// The only handle on citizens' personal data: a database, the keys that open the data
/// (and the key store that holds each citizen's wrapped key), and the access log's writer.
#[derive(Clone, Debug)]
pub struct Gate {
    db: Db,
    keys: GateKeys,
    key_store: KeyStore,
    log: LogWriter,
}

impl Gate {
    pub(crate) fn new(db: Db, keys: GateKeys, key_store: KeyStore, log: LogWriter) -> Gate {
        Gate {
            db,
            keys,
            key_store,
            log,
        }
    }
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
const PURPOSE_SUPPLY: &str = "Levering af ydelse";
/// Showing what an order would disclose, values and all, before it is placed.
const PURPOSE_PREVIEW: &str = "Forhåndsvisning af videregivelse";

fn log_row(actor: Option<&Actor>, now: Now, u: &Use<'_>, allowed: bool) -> LogRow {
    LogRow {
        id: crate::audit::entry::entry_id(now.micros()),
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

/// The role × action table's answer for `actor`, as a refusal when it says no.
fn require(actor: &Actor, action: Action) -> Result<(), StoreError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(Problem::RoleNotAllowed(actor.role).into())
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

/// The columns of an [`OrderRow`], over `order_from!()`.
macro_rules! order_columns {
    () => {
        "o.id, o.controller_id, o.reference, o.subject_id, o.service_type_id, \
     o.supplier_id, o.status, o.created_at, s.name AS service_name, sup.name AS supplier_name, \
     o.unit_id, un.name AS unit_name, cw.display_name AS caseworker_name, s.purpose_id, o.closed_at, \
     o.deletion_confirmed_at, dc.display_name AS deletion_confirmer"
    };
}

macro_rules! order_from {
    () => {
        "FROM service_order o JOIN service_type s ON s.id = o.service_type_id \
     JOIN organisation sup ON sup.id = o.supplier_id JOIN organisation un ON un.id = o.unit_id \
     JOIN app_user cw ON cw.id = o.caseworker_id LEFT JOIN app_user dc ON dc.id = o.deletion_confirmed_by"
    };
}

const ORDER_COLUMNS: &str = order_columns!();
const ORDER_FROM: &str = order_from!();
const ORDER_SELECT: &str = concat!("SELECT ", order_columns!(), " ", order_from!());

#[derive(sqlx::FromRow)]
struct SealedRow {
    id: Uuid,
    field_key: String,
    ciphertext: Vec<u8>,
    source: String,
    collected_at: i64,
    restricted: bool,
    /// The purpose's name, where the query joins it.
    #[sqlx(default)]
    purpose: Option<String>,
    /// When a superseded version was replaced, where the query joins it.
    #[sqlx(default)]
    replaced_at: Option<i64>,
}

/// Sealed values of a citizen's current data: not restricted (out of active processing,
/// art. 18) and not removed.
async fn current_data(tx: &mut Tx, subject_id: Uuid) -> Result<Vec<SealedRow>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_all,
        SealedRow,
        "SELECT d.id, d.field_key, d.ciphertext, d.source, d.collected_at, d.restricted, \
         p.name AS purpose FROM personal_datum d LEFT JOIN purpose p ON p.id = d.purpose_id \
         WHERE d.subject_id = $1 AND d.superseded_by IS NULL AND d.restricted = $2 \
         AND d.removed_at IS NULL ORDER BY d.collected_at",
        subject_id,
        false
    )?)
}

/// Sealed values of a citizen's superseded versions (not restricted, not removed), with
/// when each was replaced, the latest replacement first.
async fn superseded_data(tx: &mut Tx, subject_id: Uuid) -> Result<Vec<SealedRow>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_all,
        SealedRow,
        "SELECT d.id, d.field_key, d.ciphertext, d.source, d.collected_at, d.restricted, \
         p.name AS purpose, n.collected_at AS replaced_at FROM personal_datum d \
         LEFT JOIN purpose p ON p.id = d.purpose_id \
         LEFT JOIN personal_datum n ON n.id = d.superseded_by \
         WHERE d.subject_id = $1 AND d.superseded_by IS NOT NULL AND d.restricted = $2 \
         AND d.removed_at IS NULL ORDER BY n.collected_at DESC, d.collected_at DESC",
        subject_id,
        false
    )?)
}

fn citizen_erased() -> StoreError {
    StoreError::Refused(Problem::CitizenErased)
}

/// When the citizen's data was erased, if it was.
async fn erased_at(tx: &mut Tx, subject_id: Uuid) -> Result<Option<i64>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        Option<i64>,
        "SELECT erased_at FROM data_subject WHERE id = $1",
        subject_id
    )?
    .flatten())
}

/// Refuses a citizen whose data was erased: nothing of them can be opened or added.
async fn not_erased(tx: &mut Tx, subject_id: Uuid) -> Result<(), StoreError> {
    match erased_at(tx, subject_id).await? {
        Some(_) => Err(citizen_erased()),
        None => Ok(()),
    }
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
    StoreError::Refused(Problem::SubjectNotFound)
}

async fn order_row(tx: &mut Tx, order_id: Uuid) -> Result<Option<OrderRow>, StoreError> {
    let sql = format!("{ORDER_SELECT} WHERE o.id = $1");
    Ok(fetch!(tx, fetch_optional, OrderRow, &sql, order_id)?)
}

fn order_not_found() -> StoreError {
    StoreError::Refused(Problem::OrderNotFound)
}

impl Gate {
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

    /// A citizen's wrapped data key, from the key store; none once the citizen is erased.
    async fn wrapped_key(&self, subject_id: Uuid) -> Result<Option<Vec<u8>>, StoreError> {
        self.key_store.subject_key(subject_id).await
    }

    /// The wrapped keys of several citizens (those whose key is gone are left out).
    async fn wrapped_keys(&self, subjects: &[Uuid]) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        self.key_store.subject_keys(subjects).await
    }

    /// A citizen's data key, unwrapped, to seal or open with; refused as
    /// [`Problem::CitizenErased`] once the key is destroyed.
    async fn subject_key(&self, subject_id: Uuid) -> Result<SubjectKey, StoreError> {
        let wrapped = self
            .wrapped_key(subject_id)
            .await?
            .ok_or_else(citizen_erased)?;
        Ok(self.keys.unwrap_subject_key(subject_id, &wrapped)?)
    }

    /// A citizen's data key, unwrapped, or none when it is destroyed (views that show an
    /// erased citizen's rows without their texts).
    fn unwrap_optional(
        &self,
        subject_id: Uuid,
        wrapped: Option<&[u8]>,
    ) -> Result<Option<SubjectKey>, StoreError> {
        wrapped
            .map(|w| self.keys.unwrap_subject_key(subject_id, w))
            .transpose()
            .map_err(StoreError::from)
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
                    purpose: r.purpose.clone(),
                    collected_at: Now::from_micros(r.collected_at),
                    replaced_at: r.replaced_at.map(Now::from_micros),
                    restricted: r.restricted,
                    rectification: None,
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

    // ---- orders -------------------------------------------------------------------------

    // ---- oversight ----------------------------------------------------------------------
}

/// Cuts the one row read beyond a page's `limit` and returns where the next page starts
/// (the last row kept), or none when nothing was beyond.
fn next_page<R>(
    rows: &mut Vec<R>,
    limit: i64,
    cursor: impl Fn(&R) -> skjold_core::paging::Cursor,
) -> Option<skjold_core::paging::Cursor> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last().map(cursor)
}

fn open_one(
    key: &SubjectKey,
    subject_id: Uuid,
    field: FieldKey,
    row: &SealedRow,
) -> Result<String, StoreError> {
    Ok(key.open(subject_id, field.key(), &row.ciphertext)?)
}

//! The order lists (LP-7): the caseworker's unit's orders and the supplier's own, a page
//! at a time (newest first, then by id, descending: keyset paging, stable while orders
//! arrive), filtered, with what waits for the reader (messages they have not read, data
//! requests waiting for a decision) and the citizen.
//!
//! Showing the citizen is a read of personal data: the caseworker sees the citizen's
//! current name, the supplier only a name disclosed to it on that order, while the order is
//! open. Every citizen shown gets an access-log entry, all of a page's entries in one
//! durable append before any name is opened; a page holds at most
//! [`skjold_core::orders::MAX_ORDER_PAGE`] rows.

use uuid::Uuid;

use skjold_core::orders::{CitizenShown, OrderChoices, OrderFilter, OrderListRow, OrderStatus};
use skjold_core::oversight::UseKind;
use skjold_core::paging::{COUNT_CAP, Cursor, Page};
use skjold_core::{Action, Actor, FieldKey, Role};

use crate::gate::*;

/// An order row of a list, with what waits for the reader.
#[derive(sqlx::FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    order: OrderRow,
    unread_messages: i64,
    open_requests: i64,
    unread_decisions: i64,
}

/// Whose orders a list shows, as the query's first parameters: the caseworker's unit (in
/// their municipality), or the supplier's own orders under a DPA in force today and its
/// closed orders whose deletion it has yet to confirm.
struct Scope {
    unit: Option<Uuid>,
    controller: Option<Uuid>,
    supplier: Option<Uuid>,
    /// The messages the reader has not read are those from the other side:
    /// `=` the supplier (the caseworker reads), `<>` (the supplier reads).
    from_other_side: &'static str,
    purpose: &'static str,
}

fn scope(actor: &Actor) -> Result<Scope, StoreError> {
    match actor.role {
        Role::Caseworker => {
            require(actor, Action::WorkOrder)?;
            Ok(Scope {
                unit: Some(actor.organisation_id),
                controller: Some(actor.controller_id),
                supplier: None,
                from_other_side: "=",
                purpose: PURPOSE_CASEWORK,
            })
        }
        Role::SupplierUser => {
            require(actor, Action::SupplyOrder)?;
            Ok(Scope {
                unit: None,
                controller: None,
                supplier: Some(actor.organisation_id),
                from_other_side: "<>",
                purpose: PURPOSE_SUPPLY,
            })
        }
        role => Err(Problem::RoleNotAllowed(role).into()),
    }
}

/// The orders in scope ($1 unit, $2 municipality, $3 supplier, $4 today), filtered ($5
/// reference or its beginning, $6 status, $7 service type, $8 supplier, $9 citizen, $10
/// only those waiting for the reader, $11 the reader).
fn where_clause(from_other_side: &str) -> String {
    let unread = unread_sql(from_other_side, false);
    format!(
        "WHERE (($1 IS NOT NULL AND o.unit_id = $1 AND o.controller_id = $2) \
         OR ($3 IS NOT NULL AND o.supplier_id = $3 AND (EXISTS (SELECT 1 FROM dpa d WHERE d.controller_id = o.controller_id \
           AND d.processor_id = o.supplier_id AND d.starts_on <= $4 AND (d.ends_on IS NULL OR d.ends_on >= $4)) \
           OR (o.status = 'closed' AND o.deletion_confirmed_at IS NULL)))) \
         AND ($5 IS NULL OR substr(o.reference, 1, length($5)) = $5) \
         AND ($6 IS NULL OR o.status = $6) AND ($7 IS NULL OR o.service_type_id = $7) \
         AND ($8 IS NULL OR o.supplier_id = $8) AND ($9 IS NULL OR o.subject_id = $9) \
         AND ($10 IS NULL OR {unread} > 0 OR ($1 IS NOT NULL AND {OPEN_REQUESTS} > 0))"
    )
}

/// Messages on the order's thread from the other side that the reader ($11) has not read;
/// with `decisions`, only the decisions on data requests among them.
fn unread_sql(from_other_side: &str, decisions: bool) -> String {
    let kind = if decisions {
        " AND m.kind = 'decision'"
    } else {
        ""
    };
    format!(
        "(SELECT COUNT(*) FROM message_thread t JOIN message m ON m.thread_id = t.id \
         WHERE t.order_id = o.id AND m.sender_org_id {from_other_side} o.supplier_id{kind} \
         AND NOT EXISTS (SELECT 1 FROM message_read r WHERE r.message_id = m.id AND r.user_id = $11))"
    )
}

const OPEN_REQUESTS: &str =
    "(SELECT COUNT(*) FROM data_request q WHERE q.order_id = o.id AND q.status = 'open')";

/// The citizen's name, sealed, as the reader may see it.
enum Sealed {
    Name(SealedRow),
    Shown(CitizenShown),
}

impl Gate {
    /// A page of the actor's orders: the caseworker's unit's, or the supplier's own. Each
    /// citizen whose name the page shows is logged (one entry per citizen, in one durable
    /// append, before any name is opened).
    pub async fn order_list(
        &self,
        actor: &Actor,
        filter: &OrderFilter,
        now: Now,
    ) -> Result<Page<OrderListRow>, StoreError> {
        let scope = scope(actor)?;
        let limit = i64::from(filter.page_size());
        let mut tx = self.db.read().await?;
        let filters = where_clause(scope.from_other_side);
        let today = now.local_date().to_string();
        let status = filter.status.map(OrderStatus::key);
        let unread_only = filter.unread_only.then_some(true);
        let sql = format!(
            "SELECT {columns}, {unread} AS unread_messages, {OPEN_REQUESTS} AS open_requests, \
             {decisions} AS unread_decisions {from} {filters} \
             AND ($12 IS NULL OR o.created_at < $12 OR (o.created_at = $12 AND o.id < $13)) \
             ORDER BY o.created_at DESC, o.id DESC LIMIT $14",
            columns = ORDER_COLUMNS,
            unread = unread_sql(scope.from_other_side, false),
            decisions = unread_sql(scope.from_other_side, true),
            from = ORDER_FROM,
        );
        let mut rows = fetch!(
            &mut tx,
            fetch_all,
            ListRow,
            &sql,
            scope.unit,
            scope.controller,
            scope.supplier,
            today.as_str(),
            filter.reference.as_deref(),
            status,
            filter.service_type,
            filter.supplier,
            filter.subject,
            unread_only,
            actor.user_id,
            filter.after.map(|c| c.at.micros()),
            filter.after.map(|c| c.id),
            limit + 1
        )?;
        let total = scalar!(
            &mut tx,
            fetch_one,
            i64,
            &format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM service_order o {filters} LIMIT $12) counted"
            ),
            scope.unit,
            scope.controller,
            scope.supplier,
            today.as_str(),
            filter.reference.as_deref(),
            status,
            filter.service_type,
            filter.supplier,
            filter.subject,
            unread_only,
            actor.user_id,
            COUNT_CAP as i64
        )?;
        let next = next_page(&mut rows, limit, |r| Cursor {
            at: Now::from_micros(r.order.created_at),
            id: r.order.id,
        });

        // The names, sealed, and the keys that open them, read before the log entries.
        let mut sealed = Vec::with_capacity(rows.len());
        for r in &rows {
            sealed.push(match actor.role {
                Role::Caseworker => current_name(&mut tx, r.order.subject_id).await?,
                _ => disclosed_name(&mut tx, &r.order).await?,
            });
        }
        let mut subjects: Vec<Uuid> = rows
            .iter()
            .zip(&sealed)
            .filter(|(_, s)| matches!(s, Sealed::Name(_)))
            .map(|(r, _)| r.order.subject_id)
            .collect();
        subjects.sort();
        subjects.dedup();
        let wrapped = self.wrapped_keys(&subjects).await?;
        tx.commit().await?;

        // One entry per citizen whose name the page shows; erased citizens show none.
        let entries = wrapped
            .iter()
            .map(|(subject, _)| {
                let references: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.order.subject_id == *subject)
                    .map(|r| r.order.reference.as_str())
                    .collect();
                let u = Use::new(
                    UseKind::View,
                    Some(*subject),
                    scope.purpose,
                    format!(
                        "Bestillingsoversigt: borgerens navn vist ({})",
                        references.join(", ")
                    ),
                );
                log_row(Some(actor), now, &u, true)
            })
            .collect::<Vec<_>>();
        if !entries.is_empty() {
            self.log.append_all(entries).await?;
        }

        let mut out = Vec::with_capacity(rows.len());
        for (r, s) in rows.into_iter().zip(sealed) {
            let subject = r.order.subject_id;
            let citizen = match s {
                Sealed::Shown(c) => c,
                Sealed::Name(row) => match wrapped.iter().find(|(id, _)| *id == subject) {
                    Some((_, w)) => {
                        let key = self.keys.unwrap_subject_key(subject, w)?;
                        CitizenShown::Name(open_one(&key, subject, FieldKey::Name, &row)?)
                    }
                    None => CitizenShown::Erased,
                },
            };
            out.push(OrderListRow {
                order: r.order.summary(),
                citizen,
                unread_messages: count(r.unread_messages),
                open_requests: count(r.open_requests),
                unread_decisions: count(r.unread_decisions),
            });
        }
        Ok(Page {
            entries: out,
            next,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The service types and suppliers of the orders the actor may list, for the lists'
    /// filters. No personal data: not logged.
    pub async fn order_choices(&self, actor: &Actor, now: Now) -> Result<OrderChoices, StoreError> {
        let scope = scope(actor)?;
        let mut tx = self.db.read().await?;
        let today = now.local_date().to_string();
        let filters = where_clause(scope.from_other_side);
        let mut choices = OrderChoices::default();
        for (column, name, out) in [
            ("o.service_type_id", "s.name", &mut choices.service_types),
            ("o.supplier_id", "sup.name", &mut choices.suppliers),
        ] {
            let sql = format!(
                "SELECT DISTINCT {column}, {name} FROM service_order o \
                 JOIN service_type s ON s.id = o.service_type_id JOIN organisation sup ON sup.id = o.supplier_id \
                 {filters} ORDER BY {name}"
            );
            *out = fetch!(
                &mut tx,
                fetch_all,
                (Uuid, String),
                &sql,
                scope.unit,
                scope.controller,
                scope.supplier,
                today.as_str(),
                None::<&str>,
                None::<&str>,
                None::<Uuid>,
                None::<Uuid>,
                None::<Uuid>,
                None::<bool>,
                actor.user_id
            )?;
        }
        tx.commit().await?;
        Ok(choices)
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The citizen's current name, sealed, for the caseworker (not restricted, not removed).
async fn current_name(tx: &mut Tx, subject_id: Uuid) -> Result<Sealed, StoreError> {
    let row = current_data(tx, subject_id)
        .await?
        .into_iter()
        .find(|r| r.field_key == FieldKey::Name.key());
    Ok(match row {
        Some(r) => Sealed::Name(r),
        None if erased_at(tx, subject_id).await?.is_some() => Sealed::Shown(CitizenShown::Erased),
        None => Sealed::Shown(CitizenShown::Unavailable),
    })
}

/// The name disclosed to the supplier on this order, sealed, while the order is open (and
/// neither restricted nor removed since).
async fn disclosed_name(tx: &mut Tx, order: &OrderRow) -> Result<Sealed, StoreError> {
    if order.status() == OrderStatus::Closed {
        return Ok(Sealed::Shown(CitizenShown::OrderClosed));
    }
    let disclosed: i64 = scalar!(
        &mut *tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM disclosure WHERE order_id = $1 AND field_key = $2",
        order.id,
        FieldKey::Name.key()
    )?;
    if disclosed == 0 {
        return Ok(Sealed::Shown(CitizenShown::NotDisclosed));
    }
    if erased_at(tx, order.subject_id).await?.is_some() {
        return Ok(Sealed::Shown(CitizenShown::Erased));
    }
    let row = fetch!(
        &mut *tx,
        fetch_optional,
        SealedRow,
        "SELECT p.id, p.field_key, p.ciphertext, p.source, p.collected_at, p.restricted \
         FROM disclosure d JOIN personal_datum p ON p.id = d.datum_id WHERE d.order_id = $1 \
         AND d.field_key = $2 AND p.restricted = $3 AND p.removed_at IS NULL ORDER BY d.at DESC, d.id LIMIT 1",
        order.id,
        FieldKey::Name.key(),
        false
    )?;
    Ok(match row {
        Some(r) => Sealed::Name(r),
        None => Sealed::Shown(CitizenShown::Unavailable),
    })
}

//! Need-to-know (SA-3): which caseworker may open which case.
//!
//! A caseworker works the orders of their own unit. Anyone else of the municipality:
//! - opens a citizen's record only after finding the citizen by CPR number (a *look-up*,
//!   recorded with the search and open for the working day), and
//! - opens another unit's order only through a *stand-in access*: a written reason,
//!   sealed under the citizen's key, opens the order (and the citizen's record) for a
//!   working day. Every access-log entry it allows names it, and the privacy officer
//!   follows each one up, like a health record's break-the-glass.
//!
//! Everyone else gets "not found", so an order's existence is not told either.

use uuid::Uuid;

use skjold_core::access::{lookup_expires, stand_in_expires};
use skjold_core::oversight::{StandInGrant, StandInView};
use skjold_core::text::{self, Justification, MIN_NOTE};
use skjold_core::{Action, Actor, Input, Problem};

use super::*;

const PURPOSE_STAND_IN: &str = "Sagsbehandling som stedfortræder";
const PURPOSE_FOLLOW_UP: &str = "Opfølgning på stedfortræderadgang";

fn reason_aad(id: Uuid) -> String {
    format!("stand-in-reason:{id}")
}

fn note_aad(id: Uuid) -> String {
    format!("stand-in-note:{id}")
}

/// The stand-in access `user` holds on `order_id` at `now`, if any.
async fn active_stand_in(
    tx: &mut Tx,
    user: Uuid,
    order_id: Uuid,
    now: Now,
) -> Result<Option<Uuid>, StoreError> {
    Ok(scalar!(
        tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM case_access WHERE user_id = $1 AND order_id = $2 AND kind = 'stand_in' \
         AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1",
        user,
        order_id,
        now.micros()
    )?)
}

/// The order, if the actor is a caseworker who may work it: one of its unit, or one
/// holding a stand-in access on it (whose id comes along, to mark the log entries).
pub(super) async fn caseworker_order_row(
    tx: &mut Tx,
    actor: &Actor,
    order_id: Uuid,
    now: Now,
) -> Result<(OrderRow, Option<Uuid>), StoreError> {
    require(actor, Action::WorkOrder)?;
    let order = match order_row(tx, order_id).await? {
        Some(o) if o.controller_id == actor.controller_id => o,
        _ => return Err(order_not_found()),
    };
    if order.unit_id == actor.organisation_id {
        return Ok((order, None));
    }
    match active_stand_in(tx, actor.user_id, order_id, now).await? {
        Some(stand_in) => Ok((order, Some(stand_in))),
        None => Err(order_not_found()),
    }
}

/// Whether the actor, a caseworker, may open the citizen's record: an order of their unit
/// for the citizen, a look-up today, or a stand-in access on one of the citizen's orders
/// (whose id comes back, to mark the log entries).
pub(super) async fn caseworker_subject(
    tx: &mut Tx,
    actor: &Actor,
    subject_id: Uuid,
    now: Now,
) -> Result<Option<Uuid>, StoreError> {
    require(actor, Action::WorkCitizen)?;
    subject_of_controller(tx, subject_id, actor.controller_id).await?;
    let own: Option<Uuid> = scalar!(
        &mut *tx,
        fetch_optional,
        Uuid,
        "SELECT id FROM service_order WHERE subject_id = $1 AND unit_id = $2 LIMIT 1",
        subject_id,
        actor.organisation_id
    )?;
    if own.is_some() {
        return Ok(None);
    }
    // A look-up sorts before a stand-in, so a search made today leaves no stand-in mark.
    let grant: Option<(Uuid, String)> = fetch!(
        &mut *tx,
        fetch_optional,
        (Uuid, String),
        "SELECT id, kind FROM case_access WHERE user_id = $1 AND subject_id = $2 AND expires_at > $3 \
         ORDER BY kind, expires_at DESC LIMIT 1",
        actor.user_id,
        subject_id,
        now.micros()
    )?;
    match grant {
        Some((_, kind)) if kind == "lookup" => Ok(None),
        Some((id, _)) => Ok(Some(id)),
        None => Err(subject_not_found()),
    }
}

/// Opens the citizen's record to the caseworker for the working day (after a search that
/// found the citizen, or after registering them).
pub(super) async fn grant_lookup(
    tx: &mut Tx,
    actor: &Actor,
    subject_id: Uuid,
    now: Now,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO case_access (id, controller_id, user_id, subject_id, kind, opened_at, expires_at) \
         VALUES ($1, $2, $3, $4, 'lookup', $5, $6)",
        Uuid::new_v4(),
        actor.controller_id,
        actor.user_id,
        subject_id,
        now.micros(),
        lookup_expires(now).micros()
    )?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StandInRow {
    id: Uuid,
    user_name: String,
    user_unit: String,
    order_id: Uuid,
    order_reference: String,
    order_unit: String,
    subject_id: Uuid,
    reason: Vec<u8>,
    opened_at: i64,
    expires_at: i64,
    followed_up_at: Option<i64>,
    followed_up_by: Option<String>,
    follow_up_note: Option<Vec<u8>>,
}

const STAND_IN_SELECT: &str = "SELECT a.id, u.display_name AS user_name, uo.name AS user_unit, a.order_id, \
     o.reference AS order_reference, ou.name AS order_unit, a.subject_id, a.reason, a.opened_at, a.expires_at, \
     a.followed_up_at, f.display_name AS followed_up_by, a.follow_up_note \
     FROM case_access a JOIN app_user u ON u.id = a.user_id JOIN organisation uo ON uo.id = u.organisation_id \
     JOIN service_order o ON o.id = a.order_id JOIN organisation ou ON ou.id = o.unit_id \
     LEFT JOIN app_user f ON f.id = a.followed_up_by";

impl StandInRow {
    /// The access with its reason and note opened; without them when the citizen's key is
    /// gone (the citizen was erased).
    fn open(self, key: Option<&SubjectKey>) -> Result<StandInView, StoreError> {
        let open = |sealed: &[u8], aad: String| -> Result<String, StoreError> {
            match key {
                Some(k) => Ok(k.open(self.subject_id, &aad, sealed)?),
                None => Ok(String::new()),
            }
        };
        let reason = open(&self.reason, reason_aad(self.id))?;
        let follow_up_note = match (&self.follow_up_note, key) {
            (Some(n), Some(_)) => Some(open(n, note_aad(self.id))?),
            _ => None,
        };
        Ok(StandInView {
            id: self.id,
            user: self.user_name,
            user_unit: self.user_unit,
            order_id: self.order_id,
            order_reference: self.order_reference,
            order_unit: self.order_unit,
            subject_id: self.subject_id,
            reason,
            opened_at: Now::from_micros(self.opened_at),
            expires_at: Now::from_micros(self.expires_at),
            followed_up_at: self.followed_up_at.map(Now::from_micros),
            followed_up_by: self.followed_up_by,
            follow_up_note,
            erased: key.is_none(),
        })
    }
}

impl Gate {
    /// A caseworker steps in on another unit's order, with a written reason: the order and
    /// the citizen's record open to them for a working day. Logged as a stand-in access;
    /// the privacy officer follows it up.
    pub async fn open_stand_in(
        &self,
        actor: &Actor,
        order_id: Uuid,
        reason: &Justification,
        now: Now,
    ) -> Result<StandInGrant, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::OpenStandIn)?;
            let order = match order_row(&mut tx, order_id).await? {
                Some(o) if o.controller_id == actor.controller_id => o,
                _ => return Err(order_not_found()),
            };
            if order.unit_id == actor.organisation_id {
                return Err(StoreError::Refused(Problem::OwnUnitOrder));
            }
            Ok(order)
        }
        .await;
        let order = match checked {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::StandIn,
                    None,
                    PURPOSE_STAND_IN,
                    "Stedfortræderadgang afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let id = Uuid::new_v4();
        let key = self.subject_key(order.subject_id).await?;
        let sealed = key.seal(order.subject_id, &reason_aad(id), reason.as_str())?;
        let expires_at = stand_in_expires(now);
        execute!(
            &mut tx,
            "INSERT INTO case_access (id, controller_id, user_id, subject_id, order_id, kind, reason, opened_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, 'stand_in', $6, $7, $8)",
            id,
            actor.controller_id,
            actor.user_id,
            order.subject_id,
            order_id,
            sealed.as_slice(),
            now.micros(),
            expires_at.micros()
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::StandIn,
                Some(order.subject_id),
                PURPOSE_STAND_IN,
                format!(
                    "Stedfortræderadgang til {} ({}) til {}",
                    order.reference,
                    order.unit_name,
                    expires_at.danish()
                ),
            )
            .under(Some(id)),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(StandInGrant { id, expires_at })
    }

    /// Stand-in accesses of the actor's municipality: those not yet followed up (all of
    /// them, oldest first), then the latest followed up. The reasons are opened, so each
    /// citizen shown is logged.
    pub async fn stand_ins(&self, actor: &Actor, now: Now) -> Result<Vec<StandInView>, StoreError> {
        require(actor, Action::ReadFollowUp)?;
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{STAND_IN_SELECT} WHERE a.controller_id = $1 AND a.kind = 'stand_in' AND a.followed_up_at IS NULL \
             ORDER BY a.opened_at, a.id"
        );
        let mut rows = fetch!(&mut tx, fetch_all, StandInRow, &sql, actor.controller_id)?;
        let sql = format!(
            "{STAND_IN_SELECT} WHERE a.controller_id = $1 AND a.kind = 'stand_in' AND a.followed_up_at IS NOT NULL \
             ORDER BY a.followed_up_at DESC, a.id LIMIT 50"
        );
        rows.extend(fetch!(
            &mut tx,
            fetch_all,
            StandInRow,
            &sql,
            actor.controller_id
        )?);
        let subjects: Vec<Uuid> = rows.iter().map(|r| r.subject_id).collect();
        let wrapped = self.wrapped_keys(&subjects).await?;
        tx.commit().await?;
        let mut subjects: Vec<Uuid> = rows.iter().map(|r| r.subject_id).collect();
        subjects.sort();
        subjects.dedup();
        let entries = subjects
            .into_iter()
            .map(|subject| {
                let u = Use::new(
                    UseKind::Oversight,
                    Some(subject),
                    PURPOSE_FOLLOW_UP,
                    "Stedfortræderadgange gennemset",
                );
                log_row(Some(actor), now, &u, true)
            })
            .collect();
        self.log.append_all(entries).await?;
        let mut keys = Vec::with_capacity(wrapped.len());
        for (subject, w) in &wrapped {
            keys.push((*subject, self.keys.unwrap_subject_key(*subject, w)?));
        }
        rows.into_iter()
            .map(|r| {
                let key = keys
                    .iter()
                    .find(|(s, _)| *s == r.subject_id)
                    .map(|(_, k)| k);
                r.open(key)
            })
            .collect()
    }

    /// The privacy officer records the follow-up of a stand-in access, with a note.
    pub async fn follow_up_stand_in(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::RecordFollowUp)?;
            let note = text::at_least(Input::Note, note, MIN_NOTE)?;
            let row: Option<(Uuid, Option<i64>)> = fetch!(
                &mut tx,
                fetch_optional,
                (Uuid, Option<i64>),
                "SELECT subject_id, followed_up_at FROM case_access WHERE id = $1 AND controller_id = $2 AND kind = 'stand_in'",
                id,
                actor.controller_id
            )?;
            let (subject_id, done) = row.ok_or_else(|| {
                StoreError::Refused(Problem::StandInNotFound)
            })?;
            if done.is_some() {
                return Err(StoreError::Refused(Problem::StandInFollowedUp));
            }
            Ok((subject_id, note))
        }
        .await;
        let (subject_id, note) = match checked {
            Ok(s) => s,
            Err(e) => {
                let u = Use::new(
                    UseKind::Oversight,
                    None,
                    PURPOSE_FOLLOW_UP,
                    "Opfølgning på stedfortræderadgang afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        // The note is sealed under the citizen's key; for an erased citizen, whose key is
        // gone, the follow-up is recorded without it (the note may name them).
        let sealed = match self.wrapped_key(subject_id).await? {
            Some(w) => Some(self.keys.unwrap_subject_key(subject_id, &w)?.seal(
                subject_id,
                &note_aad(id),
                note,
            )?),
            None => None,
        };
        execute!(
            &mut tx,
            "UPDATE case_access SET followed_up_at = $1, followed_up_by = $2, follow_up_note = $3 WHERE id = $4",
            now.micros(),
            actor.user_id,
            sealed.as_deref(),
            id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Oversight,
                Some(subject_id),
                PURPOSE_FOLLOW_UP,
                "Stedfortræderadgang fulgt op",
            )
            .under(Some(id)),
            true,
        )
        .await?;
        tx.commit().await
    }
}

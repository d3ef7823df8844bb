//! Data requests (LP-5): a supplier asks for more fields with a reason; the caseworker
//! approves (each field becomes a manual disclosure carrying both reasons) or rejects with
//! a reason. Both are posted in the order's thread.

use uuid::Uuid;

use skjold_core::data_requests::{Decision, OpenRequest, RequestView};
use skjold_core::disclosures::DisclosureKind;
use skjold_core::orders::OrderStatus;
use skjold_core::oversight::UseKind;
use skjold_core::text::Justification;
use skjold_core::{Action, Actor, DisclosureRule, FieldKey, Problem};

use super::disclosures::{DisclosureRow, insert_disclosure};
use super::threads::{
    ORDER_THREADS, PURPOSE_MESSAGES, Sealing, disclosed_fields, insert_message, thread_id,
    thread_order,
};
use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    pub(crate) id: Uuid,
    pub(crate) fields: String,
    pub(crate) reason: Vec<u8>,
    pub(crate) status: String,
    pub(crate) requested_by: String,
    pub(crate) decided_by: Option<String>,
    pub(crate) decision_reason: Option<Vec<u8>>,
    pub(crate) created_at: i64,
    pub(crate) decided_at: Option<i64>,
}

impl RequestRow {
    /// The request with its reasons opened under the citizen's key; without them when the
    /// key is gone (the citizen was erased).
    pub(super) fn into_view(
        self,
        key: Option<&SubjectKey>,
        subject_id: Uuid,
    ) -> Result<RequestView, StoreError> {
        let (reason, decision_reason) = match key {
            Some(key) => (
                key.open(subject_id, &reason_aad(self.id), &self.reason)?,
                match &self.decision_reason {
                    Some(sealed) => Some(key.open(subject_id, &decision_aad(self.id), sealed)?),
                    None => None,
                },
            ),
            None => (String::new(), None),
        };
        Ok(RequestView {
            id: self.id,
            fields: parse_fields(&self.fields),
            reason,
            requested_by: self.requested_by,
            status: self.status,
            decided_by: self.decided_by,
            decision_reason,
            created_at: Now::from_micros(self.created_at),
            decided_at: self.decided_at.map(Now::from_micros),
            erased: key.is_none(),
        })
    }
}

fn reason_aad(request: Uuid) -> String {
    format!("request-reason:{request}")
}

fn decision_aad(request: Uuid) -> String {
    format!("request-decision:{request}")
}

pub(super) fn parse_fields(s: &str) -> Vec<FieldKey> {
    s.split(',').filter_map(|f| f.trim().parse().ok()).collect()
}

impl Gate {
    /// LP-5: the supplier asks for more fields, with a reason. Only fields the policy
    /// allows on a justified decision, not yet disclosed.
    pub async fn request_data(
        &self,
        actor: &Actor,
        order_id: Uuid,
        fields: &[FieldKey],
        reason: &Justification,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::RequestData)?;
            let (order, _) = thread_order(&mut tx, actor, order_id, now).await?;
            if order.status() == OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderClosed));
            }
            not_erased(&mut tx, order.subject_id).await?;
            if fields.is_empty() {
                return Err(StoreError::Refused(Problem::FieldsRequired));
            }
            let policy = order_policy(
                &mut tx,
                order.controller_id,
                order.id,
                order.service_type_id,
            )
            .await?;
            let disclosed = disclosed_fields(&mut tx, order_id).await?;
            for f in fields {
                match policy.rule(*f) {
                    DisclosureRule::Never => {
                        return Err(StoreError::Refused(Problem::FieldNeverDisclosed(*f)));
                    }
                    _ if disclosed.iter().any(|d| d == f.key()) => {
                        return Err(StoreError::Refused(Problem::FieldAlreadyDisclosed(*f)));
                    }
                    DisclosureRule::Automatic | DisclosureRule::OnJustifiedRequest => {}
                }
            }
            Ok(order)
        }
        .await;
        let order = match checked {
            Ok(o) => o,
            Err(e) => {
                let u = Use::new(
                    UseKind::Search,
                    None,
                    PURPOSE_MESSAGES,
                    "Anmodning om oplysninger afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let id = Uuid::new_v4();
        let keys: Vec<&str> = fields.iter().map(|f| f.key()).collect();
        let key = self.subject_key(order.subject_id).await?;
        let sealed_reason = key.seal(order.subject_id, &reason_aad(id), reason.as_str())?;
        execute!(
            &mut tx,
            "INSERT INTO data_request (id, order_id, requested_by, fields, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
            id,
            order_id,
            actor.user_id,
            keys.join(","),
            sealed_reason.as_slice(),
            now.micros()
        )?;
        let thread = thread_id(&mut tx, &order, now).await?;
        let names: Vec<&str> = fields.iter().map(|f| f.danish()).collect();
        let body = format!(
            "Anmodning om oplysninger: {}. Begrundelse: {}",
            names.join(", "),
            reason.as_str()
        );
        insert_message(
            &mut tx,
            &Sealing {
                tables: &ORDER_THREADS,
                key: &key,
                owner: order.subject_id,
                thread,
            },
            actor,
            "data_request",
            &body,
            None,
            now,
        )
        .await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!("Anmodning om oplysninger på {}", order.reference),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The caseworker decides a data request. Approved fields become manual disclosures
    /// carrying the supplier's reason and the caseworker's decision; a rejection needs a
    /// reason. The decision is posted in the thread.
    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        decision: &Decision,
        now: Now,
    ) -> Result<(), StoreError> {
        let approve = decision.approves();
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::DecideRequest)?;
            let row: Option<(Uuid, String, Vec<u8>, String)> = fetch!(
                &mut tx,
                fetch_optional,
                (Uuid, String, Vec<u8>, String),
                "SELECT order_id, fields, reason, status FROM data_request WHERE id = $1",
                request_id
            )?;
            let (order_id, fields, reason, status) =
                row.ok_or_else(|| StoreError::Refused(Problem::RequestNotFound))?;
            let (order, stand_in) =
                access::caseworker_order_row(&mut tx, actor, order_id, now).await?;
            if status != "open" {
                return Err(StoreError::Refused(Problem::RequestDecided));
            }
            not_erased(&mut tx, order.subject_id).await?;
            if approve && order.status() == OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderClosed));
            }
            Ok((order, stand_in, parse_fields(&fields), reason))
        }
        .await;
        let (order, stand_in, fields, sealed_reason) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    None,
                    PURPOSE_MESSAGES,
                    "Afgørelse af anmodning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let decision = decision.text();
        let key = self.subject_key(order.subject_id).await?;
        let reason = key.open(order.subject_id, &reason_aad(request_id), &sealed_reason)?;
        let sealed_decision = match decision {
            "" => None,
            d => Some(key.seal(order.subject_id, &decision_aad(request_id), d)?),
        };
        let mut granted = Vec::new();
        let mut missing = Vec::new();
        if approve {
            let data = current_data(&mut tx, order.subject_id).await?;
            let (_, legal_basis) =
                purpose_summary(&mut tx, order.controller_id, order.purpose_id).await?;
            let policy = order_policy(
                &mut tx,
                order.controller_id,
                order.id,
                order.service_type_id,
            )
            .await?;
            let justification = if decision.is_empty() {
                format!(
                    "Leverandørens anmodning: {}. Godkendt af sagsbehandler.",
                    reason.trim_end_matches('.')
                )
            } else {
                format!(
                    "Leverandørens anmodning: {}. Sagsbehandlerens afgørelse: {decision}",
                    reason.trim_end_matches('.')
                )
            };
            for f in &fields {
                let datum = data.iter().find(|d| d.field_key == f.key());
                match (policy.rule(*f), datum) {
                    (DisclosureRule::OnJustifiedRequest, Some(d)) => {
                        insert_disclosure(
                            &mut tx,
                            actor,
                            &key,
                            &DisclosureRow {
                                field: Some(*f),
                                datum_id: Some(d.id),
                                justification: Some(&justification),
                                ..DisclosureRow::of_order(
                                    DisclosureKind::Manual,
                                    &order,
                                    &legal_basis,
                                )
                            },
                            now,
                        )
                        .await?;
                        granted.push(f.danish());
                    }
                    _ => missing.push(f.danish()),
                }
            }
        }
        execute!(
            &mut tx,
            "UPDATE data_request SET status = $1, decided_by = $2, decision_reason = $3, decided_at = $4 WHERE id = $5",
            if approve { "approved" } else { "rejected" },
            actor.user_id,
            sealed_decision.as_deref(),
            now.micros(),
            request_id
        )?;
        let body = if approve {
            let mut b = format!(
                "Anmodningen er godkendt. Videregivet: {}.",
                if granted.is_empty() {
                    "intet".to_owned()
                } else {
                    granted.join(", ")
                }
            );
            if !missing.is_empty() {
                b.push_str(&format!(
                    " Ikke videregivet (ingen oplysning eller ikke tilladt): {}.",
                    missing.join(", ")
                ));
            }
            if !decision.is_empty() {
                b.push_str(&format!(" Bemærkning: {decision}"));
            }
            b
        } else {
            format!("Anmodningen er afvist. Begrundelse: {decision}")
        };
        let thread = thread_id(&mut tx, &order, now).await?;
        insert_message(
            &mut tx,
            &Sealing {
                tables: &ORDER_THREADS,
                key: &key,
                owner: order.subject_id,
                thread,
            },
            actor,
            "decision",
            &body,
            None,
            now,
        )
        .await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                if granted.is_empty() {
                    UseKind::Register
                } else {
                    UseKind::Disclose
                },
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!(
                    "Anmodning på {} {}",
                    order.reference,
                    if approve { "godkendt" } else { "afvist" }
                ),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Open data requests on the orders of the caseworker's unit, oldest first. No personal
    /// data.
    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, StoreError> {
        require(actor, Action::DecideRequest)?;
        let mut tx = self.db.read().await?;
        let rows: Vec<(Uuid, Uuid, String, String, String, i64)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid, String, String, String, i64),
            "SELECT r.id, r.order_id, o.reference, s.name, r.fields, r.created_at FROM data_request r \
             JOIN service_order o ON o.id = r.order_id JOIN organisation s ON s.id = o.supplier_id \
             WHERE o.controller_id = $1 AND o.unit_id = $2 AND r.status = 'open' ORDER BY r.created_at, r.id",
            actor.controller_id,
            actor.organisation_id
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(id, order_id, order_reference, supplier_name, fields, at)| OpenRequest {
                    id,
                    order_id,
                    order_reference,
                    supplier_name,
                    fields: parse_fields(&fields),
                    created_at: Now::from_micros(at),
                },
            )
            .collect())
    }
}

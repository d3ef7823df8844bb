//! Data requests (LP-5): a supplier asks for more fields with a reason; the caseworker
//! decides each field: an approved field becomes a manual disclosure carrying both reasons,
//! a rejected one carries its own reason. Both are posted in the order's thread.

use uuid::Uuid;

use skjold_core::data_requests::{
    Decisions, FieldOutcome, OpenRequest, RequestStatus, RequestView,
};
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

/// The decision on one field of a request, its reason or remark sealed.
#[derive(sqlx::FromRow)]
pub(super) struct FieldRow {
    pub(crate) request_id: Uuid,
    pub(crate) field: String,
    pub(crate) decision: String,
    pub(crate) reason: Option<Vec<u8>>,
}

/// An order's data requests with the decisions on their fields, still sealed.
pub(super) struct OrderRequests {
    pub(crate) requests: Vec<RequestRow>,
    pub(crate) fields: Vec<FieldRow>,
}

impl OrderRequests {
    pub(super) async fn load(tx: &mut Tx, order_id: Uuid) -> Result<OrderRequests, StoreError> {
        let requests: Vec<RequestRow> = fetch!(
            tx,
            fetch_all,
            RequestRow,
            "SELECT r.id, r.fields, r.reason, r.status, u.display_name AS requested_by, d.display_name AS decided_by, \
             r.decision_reason, r.created_at, r.decided_at FROM data_request r JOIN app_user u ON u.id = r.requested_by \
             LEFT JOIN app_user d ON d.id = r.decided_by WHERE r.order_id = $1 ORDER BY r.created_at, r.id",
            order_id
        )?;
        let fields: Vec<FieldRow> = fetch!(
            tx,
            fetch_all,
            FieldRow,
            "SELECT f.request_id, f.field, f.decision, f.reason FROM data_request_field f \
             JOIN data_request r ON r.id = f.request_id WHERE r.order_id = $1",
            order_id
        )?;
        Ok(OrderRequests { requests, fields })
    }

    /// The requests with their reasons opened under the citizen's key; without them when
    /// the key is gone (the citizen was erased). `disclosed` is the order's ledger fields.
    pub(super) fn into_views(
        self,
        key: Option<&SubjectKey>,
        subject_id: Uuid,
        disclosed: &[String],
    ) -> Result<Vec<RequestView>, StoreError> {
        let OrderRequests { requests, fields } = self;
        requests
            .into_iter()
            .map(|r| {
                let own: Vec<&FieldRow> = fields.iter().filter(|f| f.request_id == r.id).collect();
                r.into_view(key, subject_id, &own, disclosed)
            })
            .collect()
    }
}

impl RequestRow {
    fn into_view(
        self,
        key: Option<&SubjectKey>,
        subject_id: Uuid,
        decided: &[&FieldRow],
        disclosed: &[String],
    ) -> Result<RequestView, StoreError> {
        let open = |aad: &str, sealed: &Option<Vec<u8>>| -> Result<Option<String>, StoreError> {
            match (key, sealed) {
                (Some(key), Some(sealed)) => Ok(Some(key.open(subject_id, aad, sealed)?)),
                _ => Ok(None),
            }
        };
        let reason = match key {
            Some(key) => key.open(subject_id, &reason_aad(self.id), &self.reason)?,
            None => String::new(),
        };
        let fields = parse_fields(&self.fields);
        let was_disclosed = |f: FieldKey| disclosed.iter().any(|d| d == f.key());
        let decisions = if self.status == RequestStatus::Open.key() {
            Vec::new()
        } else if decided.is_empty() {
            // Decided as a whole (before decisions per field), or ended by an erasure: the
            // one decision and its reason stand for every field.
            let approved = self.status == RequestStatus::Approved.key();
            let reason = open(&decision_aad(self.id), &self.decision_reason)?;
            fields
                .iter()
                .map(|f| FieldOutcome {
                    field: *f,
                    approved,
                    reason: reason.clone(),
                    disclosed: approved && was_disclosed(*f),
                })
                .collect()
        } else {
            let mut out = Vec::with_capacity(decided.len());
            for f in &fields {
                let Some(row) = decided.iter().find(|d| d.field == f.key()) else {
                    continue;
                };
                let approved = row.decision == "approved";
                out.push(FieldOutcome {
                    field: *f,
                    approved,
                    reason: open(&field_decision_aad(self.id, *f), &row.reason)?,
                    disclosed: approved && was_disclosed(*f),
                });
            }
            out
        };
        Ok(RequestView {
            id: self.id,
            fields,
            reason,
            requested_by: self.requested_by,
            status: self.status,
            decided_by: self.decided_by,
            decisions,
            created_at: Now::from_micros(self.created_at),
            decided_at: self.decided_at.map(Now::from_micros),
            erased: key.is_none(),
        })
    }
}

fn reason_aad(request: Uuid) -> String {
    format!("request-reason:{request}")
}

/// The reason of a request decided as a whole, before decisions per field.
fn decision_aad(request: Uuid) -> String {
    format!("request-decision:{request}")
}

fn field_decision_aad(request: Uuid, field: FieldKey) -> String {
    format!("request-decision:{request}:{}", field.key())
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

    /// The caseworker decides a data request, field by field: every requested field is
    /// approved or rejected, and nothing else. Approved fields become manual disclosures
    /// carrying the supplier's reason and the caseworker's remark on that field; a rejected
    /// field carries its reason. Remarks and reasons are sealed under the citizen's key, and
    /// the decision is posted in the thread. Returns the request's new status.
    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        decisions: &Decisions,
        now: Now,
    ) -> Result<RequestStatus, StoreError> {
        let status = decisions.status();
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
            let (order_id, fields, reason, current) =
                row.ok_or_else(|| StoreError::Refused(Problem::RequestNotFound))?;
            let (order, stand_in) =
                access::caseworker_order_row(&mut tx, actor, order_id, now).await?;
            if current != RequestStatus::Open.key() {
                return Err(StoreError::Refused(Problem::RequestDecided));
            }
            not_erased(&mut tx, order.subject_id).await?;
            let fields = parse_fields(&fields);
            decisions.cover(&fields).map_err(StoreError::Refused)?;
            if status != RequestStatus::Rejected && order.status() == OrderStatus::Closed {
                return Err(StoreError::Refused(Problem::OrderClosed));
            }
            Ok((order, stand_in, fields, reason))
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
        let key = self.subject_key(order.subject_id).await?;
        let reason = key.open(order.subject_id, &reason_aad(request_id), &sealed_reason)?;
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
        let mut said = Vec::with_capacity(fields.len());
        let mut granted = 0usize;
        for f in &fields {
            let Some(decision) = decisions.of(*f) else {
                continue;
            };
            let text = decision.text();
            let sealed = match text {
                "" => None,
                t => Some(key.seal(order.subject_id, &field_decision_aad(request_id, *f), t)?),
            };
            execute!(
                &mut tx,
                "INSERT INTO data_request_field (request_id, field, decision, reason) VALUES ($1, $2, $3, $4)",
                request_id,
                f.key(),
                if decision.approves() {
                    "approved"
                } else {
                    "rejected"
                },
                sealed.as_deref()
            )?;
            if !decision.approves() {
                said.push(format!("{}: afvist. Begrundelse: {text}", f.danish()));
                continue;
            }
            let datum = data.iter().find(|d| d.field_key == f.key());
            let mut line = match (policy.rule(*f), datum) {
                (DisclosureRule::OnJustifiedRequest, Some(d)) => {
                    let justification = if text.is_empty() {
                        format!(
                            "Leverandørens anmodning: {}. Godkendt af sagsbehandler.",
                            reason.trim_end_matches('.')
                        )
                    } else {
                        format!(
                            "Leverandørens anmodning: {}. Sagsbehandlerens afgørelse: {text}",
                            reason.trim_end_matches('.')
                        )
                    };
                    insert_disclosure(
                        &mut tx,
                        actor,
                        &key,
                        &DisclosureRow {
                            field: Some(*f),
                            datum_id: Some(d.id),
                            justification: Some(&justification),
                            ..DisclosureRow::of_order(DisclosureKind::Manual, &order, &legal_basis)
                        },
                        now,
                    )
                    .await?;
                    granted += 1;
                    format!("{}: godkendt og videregivet.", f.danish())
                }
                _ => format!(
                    "{}: godkendt, men ikke videregivet (ingen oplysning om borgeren, eller ydelsens politik tillader det ikke).",
                    f.danish()
                ),
            };
            if !text.is_empty() {
                line.push_str(&format!(" Bemærkning: {text}"));
            }
            said.push(line);
        }
        execute!(
            &mut tx,
            "UPDATE data_request SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
            status.key(),
            actor.user_id,
            now.micros(),
            request_id
        )?;
        let outcome = status.danish().to_lowercase();
        let body = format!("Anmodningen er {outcome}. {}", said.join(" "));
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
                if granted == 0 {
                    UseKind::Register
                } else {
                    UseKind::Disclose
                },
                Some(order.subject_id),
                PURPOSE_MESSAGES,
                format!("Anmodning på {} {outcome}", order.reference),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(status)
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

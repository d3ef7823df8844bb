//! Retention that runs (PR-3, PR-4, SA-2, SA-5): the rules, the run that applies them, its
//! deletion receipts, and their deliveries to connected systems. What each action does to
//! each record type is fixed in core (`skjold_core::retention`).
//!
//! A run finds, per rule, what is due (the trigger's instant plus the period, the day
//! after), acts on it in one transaction per object with its access-log entry (a citizen's
//! data) and its receipt, and queues the receipt for every connected system. What it acted
//! on is no longer a candidate (values removed, bodies emptied, texts cleared), so a second
//! run finds nothing. A dry run computes the same receipts and writes nothing.

use uuid::Uuid;

use skjold_core::oversight::UseKind;
use skjold_core::retention::{
    Delivery, Receipt, RecordType, RetentionAction, RetentionRule, RuleInput, RunReport, Trigger,
    is_due, keep_until,
};
use skjold_core::{Action, Actor, Problem};

use super::*;

const PURPOSE_RETENTION: &str = "Opbevaring og sletning efter reglerne";

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    controller_id: Uuid,
    record_type: String,
    purpose_id: Option<Uuid>,
    purpose_name: Option<String>,
    trigger_kind: String,
    period_months: i64,
    action: String,
    legal_reference: String,
    legal_hold: bool,
    created_at: i64,
    created_by: Option<String>,
}

impl RuleRow {
    fn into_model(self) -> Option<(Uuid, RetentionRule)> {
        Some((
            self.controller_id,
            RetentionRule {
                id: self.id,
                rule: RuleInput {
                    record_type: RecordType::parse(&self.record_type)?,
                    purpose_id: self.purpose_id,
                    trigger: Trigger::parse(&self.trigger_kind)?,
                    period_months: u32::try_from(self.period_months).ok()?,
                    action: RetentionAction::parse(&self.action)?,
                    legal_reference: self.legal_reference,
                    legal_hold: self.legal_hold,
                },
                purpose_name: self.purpose_name,
                created_at: Now::from_micros(self.created_at),
                created_by: self.created_by,
            },
        ))
    }
}

const RULE_SELECT: &str = "SELECT r.id, r.controller_id, r.record_type, r.purpose_id, p.name AS purpose_name, \
     r.trigger_kind, r.period_months, r.action, r.legal_reference, r.legal_hold, r.created_at, \
     u.display_name AS created_by FROM retention_rule r LEFT JOIN purpose p ON p.id = r.purpose_id \
     LEFT JOIN app_user u ON u.id = r.created_by WHERE r.retired_at IS NULL";

/// What is due under a rule: an object, its rows, and the day it was kept until.
struct Due {
    object_id: Uuid,
    subject_id: Option<Uuid>,
    rows: Vec<Uuid>,
    kept_until: skjold_core::Date,
}

/// The purpose condition of a rule on a column, as SQL with `$2` (the rule's purpose, or
/// none for every purpose).
fn purpose_clause(column: &str) -> String {
    format!(" AND ({column} = $2 OR $2 IS NULL)")
}

fn rows_count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Gate {
    /// The rules in force of the actor's municipality.
    pub async fn retention_rules(&self, actor: &Actor) -> Result<Vec<RetentionRule>, StoreError> {
        if !actor.may(Action::ReadRecords) {
            require(actor, Action::ManageRetention)?;
        }
        let mut tx = self.db.read().await?;
        let sql =
            format!("{RULE_SELECT} AND r.controller_id = $1 ORDER BY r.record_type, r.created_at");
        let rows = fetch!(&mut tx, fetch_all, RuleRow, &sql, actor.controller_id)?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(RuleRow::into_model)
            .map(|(_, r)| r)
            .collect())
    }

    /// Writes a rule. A rule for the same record type, purpose and trigger is retired: the
    /// new one replaces it (receipts keep pointing at the rule that acted).
    pub async fn set_retention_rule(
        &self,
        actor: &Actor,
        rule: &RuleInput,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ManageRetention)?;
        rule.check()?;
        let mut tx = self.db.write().await?;
        if let Some(p) = rule.purpose_id {
            let found: Option<Uuid> = scalar!(
                &mut tx,
                fetch_optional,
                Uuid,
                "SELECT id FROM purpose WHERE id = $1 AND organisation_id = $2",
                p,
                actor.controller_id
            )?;
            found.ok_or(StoreError::Refused(Problem::PurposeNotFound))?;
        }
        let same = "(purpose_id = $4 OR (purpose_id IS NULL AND $4 IS NULL))";
        let sql = format!(
            "UPDATE retention_rule SET retired_at = $1 WHERE controller_id = $2 AND record_type = $3 \
             AND {same} AND trigger_kind = $5 AND retired_at IS NULL"
        );
        execute!(
            &mut tx,
            &sql,
            now.micros(),
            actor.controller_id,
            rule.record_type.key(),
            rule.purpose_id,
            rule.trigger.key()
        )?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO retention_rule (id, controller_id, record_type, purpose_id, trigger_kind, \
             period_months, action, legal_reference, legal_hold, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            id,
            actor.controller_id,
            rule.record_type.key(),
            rule.purpose_id,
            rule.trigger.key(),
            i64::from(rule.period_months),
            rule.action.key(),
            rule.legal_reference.trim(),
            rule.legal_hold,
            actor.user_id,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// Retires a rule: nothing more falls due under it.
    pub async fn retire_retention_rule(
        &self,
        actor: &Actor,
        id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageRetention)?;
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE retention_rule SET retired_at = $1 WHERE id = $2 AND controller_id = $3 \
             AND retired_at IS NULL",
            now.micros(),
            id,
            actor.controller_id
        )?;
        if n == 0 {
            return Err(Problem::RetentionRuleNotFound.into());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies every rule in force (of the actor's municipality; of every municipality when
    /// run by the system), or, in a dry run, says what it would do. `connectors` names the
    /// connected systems each receipt is queued for.
    pub async fn run_retention(
        &self,
        actor: Option<&Actor>,
        dry_run: bool,
        connectors: &[String],
        now: Now,
    ) -> Result<RunReport, StoreError> {
        if let Some(a) = actor {
            require(a, Action::ManageRetention)?;
        }
        let mut tx = self.db.read().await?;
        let rules = match actor {
            Some(a) => {
                let sql = format!("{RULE_SELECT} AND r.controller_id = $1");
                fetch!(&mut tx, fetch_all, RuleRow, &sql, a.controller_id)?
            }
            None => fetch!(&mut tx, fetch_all, RuleRow, RULE_SELECT)?,
        };
        tx.commit().await?;
        let mut report = RunReport {
            dry_run,
            ..RunReport::default()
        };
        let today = now.local_date();
        for (controller, rule) in rules.into_iter().filter_map(RuleRow::into_model) {
            if rule.rule.legal_hold {
                continue;
            }
            for due in self.due_under(controller, &rule, today).await? {
                let receipt = Receipt {
                    id: Uuid::new_v4(),
                    rule_id: rule.id,
                    record_type: rule.rule.record_type,
                    action: rule.rule.action,
                    object_id: due.object_id,
                    rows: rows_count(due.rows.len()),
                    kept_until: due.kept_until,
                    at: now,
                };
                if !dry_run {
                    let rows = self
                        .apply(actor, controller, &rule, &due, &receipt, connectors, now)
                        .await?;
                    report.receipts.push(Receipt { rows, ..receipt });
                } else {
                    report.receipts.push(receipt);
                }
            }
        }
        Ok(report)
    }

    /// What is due under `rule` on `today`.
    async fn due_under(
        &self,
        controller: Uuid,
        rule: &RetentionRule,
        today: skjold_core::Date,
    ) -> Result<Vec<Due>, StoreError> {
        let months = rule.rule.period_months;
        let mut tx = self.db.read().await?;
        let mut out: Vec<Due> = Vec::new();
        match (rule.rule.record_type, rule.rule.trigger) {
            (RecordType::CitizenData, Trigger::Received) => {
                // An item a supplier holds on an open order is still in use for the
                // service: it falls due once the order is closed (and the supplier has been
                // asked to delete its copy, with its 30-day clock).
                let sql = format!(
                    "SELECT d.id, d.subject_id, d.collected_at FROM personal_datum d \
                     JOIN data_subject s ON s.id = d.subject_id WHERE s.controller_id = $1 \
                     AND s.erased_at IS NULL AND d.removed_at IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM disclosure x JOIN service_order o ON o.id = x.order_id \
                     WHERE x.datum_id = d.id AND o.status = 'open'){} \
                     ORDER BY d.subject_id, d.collected_at",
                    purpose_clause("d.purpose_id")
                );
                let rows = fetch!(
                    &mut tx,
                    fetch_all,
                    (Uuid, Uuid, i64),
                    &sql,
                    controller,
                    rule.rule.purpose_id
                )?;
                for (datum, subject, at) in rows {
                    let at = Now::from_micros(at);
                    if !is_due(at, months, false, today) {
                        continue;
                    }
                    match out.last_mut() {
                        Some(d) if d.object_id == subject => {
                            d.rows.push(datum);
                            d.kept_until = d.kept_until.max(keep_until(at, months));
                        }
                        _ => out.push(Due {
                            object_id: subject,
                            subject_id: Some(subject),
                            rows: vec![datum],
                            kept_until: keep_until(at, months),
                        }),
                    }
                }
            }
            (RecordType::CitizenData, Trigger::OrderClosed) => {
                // Citizens with no open order under the purpose, and their last closed.
                let sql = format!(
                    "SELECT o.subject_id, MAX(o.closed_at) FROM service_order o \
                     JOIN service_type t ON t.id = o.service_type_id \
                     JOIN data_subject s ON s.id = o.subject_id \
                     WHERE o.controller_id = $1 AND s.erased_at IS NULL{} \
                     GROUP BY o.subject_id HAVING SUM(CASE WHEN o.status = 'open' THEN 1 ELSE 0 END) = 0",
                    purpose_clause("t.purpose_id")
                );
                let closed = fetch!(
                    &mut tx,
                    fetch_all,
                    (Uuid, Option<i64>),
                    &sql,
                    controller,
                    rule.rule.purpose_id
                )?;
                for (subject, closed_at) in closed {
                    let Some(closed_at) = closed_at.map(Now::from_micros) else {
                        continue;
                    };
                    if !is_due(closed_at, months, false, today) {
                        continue;
                    }
                    let sql = format!(
                        "SELECT id FROM personal_datum d WHERE d.subject_id = $1 AND d.removed_at IS NULL{}",
                        purpose_clause("d.purpose_id")
                    );
                    let rows = scalar!(
                        &mut tx,
                        fetch_all,
                        Uuid,
                        &sql,
                        subject,
                        rule.rule.purpose_id
                    )?;
                    if !rows.is_empty() || rule.rule.action == RetentionAction::Anonymise {
                        out.push(Due {
                            object_id: subject,
                            subject_id: Some(subject),
                            rows,
                            kept_until: keep_until(closed_at, months),
                        });
                    }
                }
            }
            (RecordType::OrderMessages, trigger) => {
                // From the order's closing, or from the end of the DPA it was placed under
                // (the last day of the DPA, from the start of the day after).
                let (when, also) = match trigger {
                    Trigger::DpaEnded => ("d.ends_on", " AND d.ends_on IS NOT NULL"),
                    _ => (
                        "o.closed_at",
                        " AND o.status = 'closed' AND o.closed_at IS NOT NULL",
                    ),
                };
                let sql = format!(
                    "SELECT o.id, o.subject_id, {when}, m.id FROM service_order o \
                     JOIN service_type t ON t.id = o.service_type_id JOIN dpa d ON d.id = o.dpa_id \
                     JOIN message_thread th ON th.order_id = o.id JOIN message m ON m.thread_id = th.id \
                     WHERE o.controller_id = $1{also} AND LENGTH(m.body) > 0{} ORDER BY o.id",
                    purpose_clause("t.purpose_id")
                );
                let rows: Vec<(Uuid, Uuid, Option<Now>, Uuid)> = if trigger == Trigger::DpaEnded {
                    fetch!(
                        &mut tx,
                        fetch_all,
                        (Uuid, Uuid, Option<String>, Uuid),
                        &sql,
                        controller,
                        rule.rule.purpose_id
                    )?
                    .into_iter()
                    .map(|(o, s, end, m)| {
                        let at = end
                            .and_then(|e| e.parse::<skjold_core::Date>().ok())
                            .map(|e| e.plus_days(1).start_local());
                        (o, s, at, m)
                    })
                    .collect()
                } else {
                    fetch!(
                        &mut tx,
                        fetch_all,
                        (Uuid, Uuid, Option<i64>, Uuid),
                        &sql,
                        controller,
                        rule.rule.purpose_id
                    )?
                    .into_iter()
                    .map(|(o, s, at, m)| (o, s, at.map(Now::from_micros), m))
                    .collect()
                };
                for (order, subject, triggered, message) in rows {
                    let Some(triggered) = triggered else {
                        continue;
                    };
                    if !is_due(triggered, months, false, today) {
                        continue;
                    }
                    match out.last_mut() {
                        Some(d) if d.object_id == order => d.rows.push(message),
                        _ => out.push(Due {
                            object_id: order,
                            subject_id: Some(subject),
                            rows: vec![message],
                            kept_until: keep_until(triggered, months),
                        }),
                    }
                }
            }
            (RecordType::RightsCase, _) => {
                let rows = fetch!(
                    &mut tx,
                    fetch_all,
                    (Uuid, Uuid, i64),
                    "SELECT id, subject_id, answered_at FROM rights_case WHERE controller_id = $1 \
                     AND answered_at IS NOT NULL AND LENGTH(description) > 0",
                    controller
                )?;
                for (case, subject, answered_at) in rows {
                    let at = Now::from_micros(answered_at);
                    if is_due(at, months, false, today) {
                        out.push(Due {
                            object_id: case,
                            subject_id: Some(subject),
                            rows: vec![case],
                            kept_until: keep_until(at, months),
                        });
                    }
                }
            }
            (RecordType::CitizenData, Trigger::CaseClosed | Trigger::DpaEnded) => {}
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Acts on one due object, with its receipt and its log entry, in one transaction; a
    /// citizen left with nothing (or anonymised) is then erased by key. Returns the rows
    /// acted on.
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        actor: Option<&Actor>,
        controller: Uuid,
        rule: &RetentionRule,
        due: &Due,
        receipt: &Receipt,
        connectors: &[String],
        now: Now,
    ) -> Result<u64, StoreError> {
        let review = rule.rule.action == RetentionAction::Review;
        let mut tx = self.db.write().await?;
        let mut rows = 0u64;
        if !review {
            match rule.rule.record_type {
                RecordType::CitizenData if rule.rule.action == RetentionAction::Delete => {
                    for id in &due.rows {
                        rows += execute!(
                            &mut tx,
                            "UPDATE personal_datum SET ciphertext = $1, removed_at = $2 \
                             WHERE id = $3 AND removed_at IS NULL",
                            Vec::<u8>::new(),
                            now.micros(),
                            id
                        )?;
                    }
                }
                RecordType::CitizenData => rows = rows_count(due.rows.len()),
                RecordType::OrderMessages => {
                    for id in &due.rows {
                        execute!(&mut tx, "DELETE FROM attachment WHERE message_id = $1", id)?;
                        rows += execute!(
                            &mut tx,
                            "UPDATE message SET body = $1, confirmation = NULL WHERE id = $2",
                            Vec::<u8>::new(),
                            id
                        )?;
                    }
                }
                RecordType::RightsCase => {
                    rows += execute!(
                        &mut tx,
                        "UPDATE rights_case SET description = $1, scope_detail = NULL, remarks = NULL, \
                         extension_reason = NULL, reasons = NULL WHERE id = $2",
                        Vec::<u8>::new(),
                        due.object_id
                    )?;
                    execute!(
                        &mut tx,
                        "UPDATE rights_task SET contribution = NULL WHERE case_id = $1",
                        due.object_id
                    )?;
                    execute!(
                        &mut tx,
                        "DELETE FROM rights_letter WHERE case_id = $1",
                        due.object_id
                    )?;
                }
            }
        }
        execute!(
            &mut tx,
            "INSERT INTO deletion_receipt (id, controller_id, rule_id, record_type, action, object_id, \
             rows_affected, kept_until, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            receipt.id,
            controller,
            rule.id,
            rule.rule.record_type.key(),
            rule.rule.action.key(),
            due.object_id,
            i64::try_from(rows).unwrap_or(i64::MAX),
            receipt.kept_until.to_string(),
            now.micros()
        )?;
        for c in connectors {
            execute!(
                &mut tx,
                "INSERT INTO connector_delivery (receipt_id, connector, attempts, next_attempt_at) \
                 VALUES ($1, $2, $3, $4)",
                receipt.id,
                c.as_str(),
                0_i64,
                now.micros()
            )?;
        }
        let detail = format!(
            "{}: {} efter opbevaringsregel ({} måneder fra {}; {})",
            rule.rule.record_type.danish(),
            rule.rule.action.danish().to_lowercase(),
            rule.rule.period_months,
            rule.rule.trigger.danish().to_lowercase(),
            rule.rule.legal_reference
        );
        append_log(
            &mut tx,
            actor,
            now,
            &Use::new(
                UseKind::Retention,
                due.subject_id,
                PURPOSE_RETENTION,
                detail,
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        // A citizen whose data is all gone, or who is anonymised, is erased by key.
        if rule.rule.record_type == RecordType::CitizenData
            && !review
            && let Some(subject) = due.subject_id
        {
            let mut tx = self.db.read().await?;
            let left: i64 = scalar!(
                &mut tx,
                fetch_one,
                i64,
                "SELECT COUNT(*) FROM personal_datum WHERE subject_id = $1 AND removed_at IS NULL",
                subject
            )?;
            let open: i64 = scalar!(
                &mut tx,
                fetch_one,
                i64,
                "SELECT COUNT(*) FROM service_order WHERE subject_id = $1 AND status = 'open'",
                subject
            )?;
            tx.commit().await?;
            let anonymise = rule.rule.action == RetentionAction::Anonymise;
            if open == 0 && (left == 0 || anonymise) {
                let erased = self
                    .retire_subject(actor, subject, &rule.rule.legal_reference, now)
                    .await?;
                if anonymise {
                    rows = erased;
                }
            }
        }
        Ok(rows)
    }

    /// The receipts of the actor's municipality, newest first, `limit` from `offset`.
    pub async fn deletion_receipts(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Receipt>, u64), StoreError> {
        require(actor, Action::ReadRecords)?;
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, Uuid, String, String, Uuid, i64, String, i64),
            "SELECT id, rule_id, record_type, action, object_id, rows_affected, kept_until, at \
             FROM deletion_receipt WHERE controller_id = $1 ORDER BY at DESC, id LIMIT $2 OFFSET $3",
            actor.controller_id,
            limit,
            offset
        )?;
        let total: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM deletion_receipt WHERE controller_id = $1",
            actor.controller_id
        )?;
        tx.commit().await?;
        let receipts = rows
            .into_iter()
            .filter_map(|(id, rule_id, rt, action, object_id, rows, kept, at)| {
                Some(Receipt {
                    id,
                    rule_id,
                    record_type: RecordType::parse(&rt)?,
                    action: RetentionAction::parse(&action)?,
                    object_id,
                    rows: u64::try_from(rows).ok()?,
                    kept_until: kept.parse().ok()?,
                    at: Now::from_micros(at),
                })
            })
            .collect();
        Ok((receipts, u64::try_from(total).unwrap_or(0)))
    }

    /// Deliveries not yet acknowledged; `due_only` keeps those whose next attempt is due.
    pub async fn pending_deliveries(
        &self,
        controller: Option<Uuid>,
        due_only: bool,
        now: Now,
    ) -> Result<Vec<(Delivery, Receipt)>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (
                Uuid,
                String,
                i64,
                Option<String>,
                Option<i64>,
                Uuid,
                String,
                String,
                Uuid,
                i64,
                String,
                i64
            ),
            "SELECT c.receipt_id, c.connector, c.attempts, c.last_error, c.next_attempt_at, r.rule_id, \
             r.record_type, r.action, r.object_id, r.rows_affected, r.kept_until, r.at \
             FROM connector_delivery c JOIN deletion_receipt r ON r.id = c.receipt_id \
             WHERE c.acknowledged_at IS NULL AND ($1 IS NULL OR r.controller_id = $1) \
             AND ($2 = FALSE OR c.next_attempt_at <= $3) ORDER BY r.at, c.connector",
            controller,
            due_only,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(
                    id,
                    connector,
                    attempts,
                    err,
                    next,
                    rule_id,
                    rt,
                    action,
                    object_id,
                    n,
                    kept,
                    at,
                )| {
                    Some((
                        Delivery {
                            receipt_id: id,
                            connector,
                            attempts: u32::try_from(attempts).ok()?,
                            last_error: err,
                            acknowledged_at: None,
                            next_attempt_at: next.map(Now::from_micros),
                        },
                        Receipt {
                            id,
                            rule_id,
                            record_type: RecordType::parse(&rt)?,
                            action: RetentionAction::parse(&action)?,
                            object_id,
                            rows: u64::try_from(n).ok()?,
                            kept_until: kept.parse().ok()?,
                            at: Now::from_micros(at),
                        },
                    ))
                },
            )
            .collect())
    }

    /// Records a delivery attempt: acknowledged, or failed with the error and the next try.
    pub async fn record_delivery(
        &self,
        receipt_id: Uuid,
        connector: &str,
        outcome: Result<(), String>,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        match outcome {
            Ok(()) => execute!(
                &mut tx,
                "UPDATE connector_delivery SET attempts = attempts + 1, acknowledged_at = $1, \
                 last_error = NULL, next_attempt_at = NULL WHERE receipt_id = $2 AND connector = $3",
                now.micros(),
                receipt_id,
                connector
            )?,
            Err(e) => {
                let attempts: i64 = scalar!(
                    &mut tx,
                    fetch_one,
                    i64,
                    "SELECT attempts FROM connector_delivery WHERE receipt_id = $1 AND connector = $2",
                    receipt_id,
                    connector
                )?;
                let attempts = u32::try_from(attempts + 1).unwrap_or(u32::MAX);
                let next = skjold_core::retention::next_attempt(now, attempts);
                execute!(
                    &mut tx,
                    "UPDATE connector_delivery SET attempts = attempts + 1, last_error = $1, \
                     next_attempt_at = $2 WHERE receipt_id = $3 AND connector = $4",
                    e,
                    next.micros(),
                    receipt_id,
                    connector
                )?
            }
        };
        tx.commit().await?;
        Ok(())
    }
}

//! The breach register (GDPR art. 33-34, INV-10): breaches reported by the privacy officer
//! or by a processor, their clocks, and the persons they reached, found in the access log
//! and the ledger.
//!
//! A breach's free texts (its description, the categories of persons, the contact point,
//! the likely consequences, the measures, the reasons for lateness) may name people, so they
//! are sealed under the municipality's key. Reading or writing a breach is an access-log
//! entry of its own kind; attaching the affected persons writes one entry per citizen.
//!
//! **Affected persons.** Given a user or an organisation and a window, the search counts,
//! per citizen, the party's allowed uses in the access log and the fields disclosed to it
//! in the ledger; the categories are those the party received (a supplier: the ledger up
//! to the window's end) or, for the municipality's own users and units, those held about
//! the citizen. Both are grouped in the database on the indexes `(user_id, at, subject_id,
//! outcome)`, `(organisation_id, at, subject_id, outcome)` and `(supplier_id, at)`: only the
//! party's own rows in the window are read, and in the access log from the index alone
//! (`skjold bench breach` measures it over ten million entries).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use skjold_core::breaches::{
    AffectedPerson, AffectedQuery, AffectedSummary, BreachReport, BreachView, ClockKind,
    DetectedBy, Nature, Notifications, Party, clocks,
};
use skjold_core::error::{IdInput, Input};
use skjold_core::oversight::UseKind;
use skjold_core::processors::DEFAULT_BREACH_NOTICE_HOURS;
use skjold_core::{Action, Actor, Category, FieldKey, Problem, Role};

use super::*;

const PURPOSE_BREACH: &str = "Håndtering af brud på persondatasikkerheden";

/// The sealed part of a breach.
#[derive(Serialize, Deserialize, Default)]
struct Texts {
    description: String,
    subject_categories: String,
    contact_point: String,
    consequences: String,
    measures: String,
}

/// The sealed reasons for lateness, per clock key.
#[derive(Serialize, Deserialize, Default)]
struct LateReasons(BTreeMap<String, String>);

#[derive(sqlx::FromRow)]
struct BreachRow {
    id: Uuid,
    controller_id: Uuid,
    reference: String,
    detected_by: String,
    processor_id: Option<Uuid>,
    processor_name: Option<String>,
    processor_aware_at: Option<i64>,
    aware_at: i64,
    occurred_at: Option<i64>,
    nature: String,
    data_categories: String,
    approx_persons: i64,
    approx_records: i64,
    high_risk: bool,
    no_risk: bool,
    breach_notice_hours: i64,
    texts: Vec<u8>,
    processor_reported_at: Option<i64>,
    authority_notified_at: Option<i64>,
    persons_notified_at: Option<i64>,
    late_reasons: Option<Vec<u8>>,
    affected_summary: Option<String>,
    recorded_by: String,
    recorded_at: i64,
}

const BREACH_SELECT: &str = "SELECT b.id, b.controller_id, b.reference, b.detected_by, b.processor_id, \
     p.name AS processor_name, b.processor_aware_at, b.aware_at, b.occurred_at, b.nature, \
     b.data_categories, b.approx_persons, b.approx_records, b.high_risk, b.no_risk, \
     b.breach_notice_hours, b.texts, b.processor_reported_at, b.authority_notified_at, \
     b.persons_notified_at, b.late_reasons, b.affected_summary, u.display_name AS recorded_by, \
     b.recorded_at FROM breach b LEFT JOIN organisation p ON p.id = b.processor_id \
     JOIN app_user u ON u.id = b.recorded_by";

fn keys_of<T: Copy>(list: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
    list.split(',').filter_map(parse).collect()
}

fn join_keys<T>(items: &[T], key: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(key).collect::<Vec<_>>().join(",")
}

fn category(key: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| c.key() == key)
}

fn breach_not_found() -> StoreError {
    StoreError::Refused(Problem::BreachNotFound)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn db_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl BreachRow {
    fn view(self, key: &SubjectKey, now: Now) -> Result<BreachView, StoreError> {
        let field = format!("breach:{}", self.id);
        let texts: Texts =
            serde_json::from_slice(&key.open_bytes(self.controller_id, &field, &self.texts)?)
                .unwrap_or_default();
        let late = match &self.late_reasons {
            Some(sealed) if !sealed.is_empty() => serde_json::from_slice::<LateReasons>(
                &key.open_bytes(self.controller_id, &format!("{field}:late"), sealed)?,
            )
            .unwrap_or_default(),
            _ => LateReasons::default(),
        };
        let reason = |c: ClockKind| late.0.get(c.key()).cloned();
        let report = BreachReport {
            detected_by: DetectedBy::parse(&self.detected_by).unwrap_or(DetectedBy::Controller),
            processor_id: self.processor_id,
            processor_aware_at: self.processor_aware_at.map(Now::from_micros),
            aware_at: Now::from_micros(self.aware_at),
            occurred_at: self.occurred_at.map(Now::from_micros),
            nature: keys_of(&self.nature, Nature::parse),
            description: texts.description,
            data_categories: keys_of(&self.data_categories, category),
            subject_categories: texts.subject_categories,
            approx_persons: count(self.approx_persons),
            approx_records: count(self.approx_records),
            contact_point: texts.contact_point,
            consequences: texts.consequences,
            measures: texts.measures,
            high_risk: self.high_risk,
            no_risk: self.no_risk,
        };
        let notifications = Notifications {
            processor_reported_at: self.processor_reported_at.map(Now::from_micros),
            authority_notified_at: self.authority_notified_at.map(Now::from_micros),
            persons_notified_at: self.persons_notified_at.map(Now::from_micros),
            processor_late_reason: reason(ClockKind::ProcessorReport),
            authority_late_reason: reason(ClockKind::Authority),
            persons_late_reason: reason(ClockKind::Persons),
        };
        let hours = u32::try_from(self.breach_notice_hours).unwrap_or(DEFAULT_BREACH_NOTICE_HOURS);
        Ok(BreachView {
            id: self.id,
            reference: self.reference,
            clocks: clocks(&report, hours, &notifications, now),
            report,
            processor_name: self.processor_name,
            breach_notice_hours: hours,
            notifications,
            recorded_by: self.recorded_by,
            recorded_at: Now::from_micros(self.recorded_at),
            affected: self
                .affected_summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
        })
    }
}

/// One citizen's counts, as the search groups them.
#[derive(Default)]
struct Tally {
    uses: u64,
    fields: u64,
    categories: BTreeSet<Category>,
}

impl Gate {
    /// Records a breach. The privacy officer records it for the municipality; a supplier
    /// reports one of its own to the municipality named by `controller_id` (with which it
    /// has a DPA in force): that is the processor's report, met when it is made.
    pub async fn report_breach(
        &self,
        actor: &Actor,
        controller_id: Option<Uuid>,
        report: &BreachReport,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        require(actor, Action::ReportBreach)?;
        let mut report = report.clone();
        if actor.role == Role::SupplierUser {
            report.detected_by = DetectedBy::Processor;
            report.processor_id = Some(actor.organisation_id);
        }
        report.check(now)?;
        let mut tx = self.db.write().await?;
        let controller = if actor.role == Role::SupplierUser {
            let controller =
                controller_id.ok_or(StoreError::Refused(Problem::BadId(IdInput::Organisation)))?;
            dpa_in_force(&mut tx, controller, actor.organisation_id, now.local_date())
                .await?
                .ok_or(StoreError::Refused(Problem::NoDpaInForce(None)))?;
            controller
        } else {
            if let Some(p) = report.processor_id {
                let org = organisation_in(&mut tx, p).await?;
                if org.kind != skjold_core::OrgKind::Supplier {
                    return Err(Problem::NotASupplier.into());
                }
            }
            actor.controller_id
        };
        let year = now.local_date().year();
        let start = skjold_core::Date::from_ymd(year, 1, 1)
            .map(|d| d.start_local().micros())
            .unwrap_or(0);
        let n: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM breach WHERE controller_id = $1 AND recorded_at >= $2",
            controller,
            start
        )?;
        let reference = format!("BR-{year}-{:04}", n + 1);
        // The processor's clock: the breach-notice time of its DPA's terms in force.
        let hours: Option<i64> = match report.processor_id {
            Some(p) => scalar!(
                &mut tx,
                fetch_optional,
                i64,
                "SELECT v.breach_notice_hours FROM dpa_version v JOIN dpa d ON d.id = v.dpa_id \
                 WHERE d.controller_id = $1 AND d.processor_id = $2 AND v.effective_on <= $3 \
                 ORDER BY d.starts_on DESC, v.version DESC LIMIT 1",
                controller,
                p,
                now.local_date().to_string()
            )?,
            None => None,
        };
        let id = Uuid::new_v4();
        let key = self.organisation_key(controller, now).await?;
        let texts = Texts {
            description: report.description.clone(),
            subject_categories: report.subject_categories.clone(),
            contact_point: report.contact_point.clone(),
            consequences: report.consequences.clone(),
            measures: report.measures.clone(),
        };
        let sealed = key.seal_bytes(
            controller,
            &format!("breach:{id}"),
            &serde_json::to_vec(&texts).map_err(|e| StoreError::Config(e.to_string()))?,
        )?;
        let reported_now = (actor.role == Role::SupplierUser).then_some(now.micros());
        execute!(
            &mut tx,
            "INSERT INTO breach (id, controller_id, reference, detected_by, processor_id, \
             processor_aware_at, aware_at, occurred_at, nature, data_categories, approx_persons, \
             approx_records, high_risk, no_risk, breach_notice_hours, texts, processor_reported_at, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19)",
            id,
            controller,
            reference.as_str(),
            report.detected_by.key(),
            report.processor_id,
            report.processor_aware_at.map(|t| t.micros()),
            report.aware_at.micros(),
            report.occurred_at.map(|t| t.micros()),
            join_keys(&report.nature, |n| n.key()),
            join_keys(&report.data_categories, |c| c.key()),
            db_count(report.approx_persons),
            db_count(report.approx_records),
            report.high_risk,
            report.no_risk,
            hours.unwrap_or(i64::from(DEFAULT_BREACH_NOTICE_HOURS)),
            sealed.as_slice(),
            reported_now,
            actor.user_id,
            now.micros()
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Breach,
                None,
                PURPOSE_BREACH,
                format!("Brud registreret: {reference}"),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The breach register: the municipality's breaches for the privacy officer and the
    /// auditor, a supplier's own reports for the supplier. Newest first. Logged as one
    /// read.
    pub async fn breaches(&self, actor: &Actor, now: Now) -> Result<Vec<BreachView>, StoreError> {
        require(actor, Action::ReadBreaches)?;
        let mut tx = self.db.read().await?;
        let rows = if actor.role == Role::SupplierUser {
            let sql = format!("{BREACH_SELECT} WHERE b.processor_id = $1 ORDER BY b.aware_at DESC");
            fetch!(&mut tx, fetch_all, BreachRow, &sql, actor.organisation_id)?
        } else {
            let sql =
                format!("{BREACH_SELECT} WHERE b.controller_id = $1 ORDER BY b.aware_at DESC");
            fetch!(&mut tx, fetch_all, BreachRow, &sql, actor.controller_id)?
        };
        let u = Use::new(
            UseKind::Breach,
            None,
            PURPOSE_BREACH,
            format!("Brudregistret læst ({} brud)", rows.len()),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        self.open_breaches(rows, now).await
    }

    async fn open_breaches(
        &self,
        rows: Vec<BreachRow>,
        now: Now,
    ) -> Result<Vec<BreachView>, StoreError> {
        let mut keys: Vec<(Uuid, SubjectKey)> = Vec::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if !keys.iter().any(|(c, _)| *c == row.controller_id) {
                let key = self.organisation_key(row.controller_id, now).await?;
                keys.push((row.controller_id, key));
            }
            let key = keys
                .iter()
                .find(|(c, _)| *c == row.controller_id)
                .map(|(_, k)| k)
                .ok_or_else(breach_not_found)?;
            out.push(row.view(key, now)?);
        }
        Ok(out)
    }

    /// One breach, with its clocks at `now`.
    pub async fn breach(
        &self,
        actor: &Actor,
        id: Uuid,
        now: Now,
    ) -> Result<BreachView, StoreError> {
        require(actor, Action::ReadBreaches)?;
        let mut tx = self.db.read().await?;
        let row = self.visible_breach(&mut tx, actor, id).await;
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let u = Use::new(UseKind::Breach, None, PURPOSE_BREACH, "Brud afvist");
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let u = Use::new(
            UseKind::Breach,
            None,
            PURPOSE_BREACH,
            format!("Brud læst: {}", row.reference),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        let mut views = self.open_breaches(vec![row], now).await?;
        views.pop().ok_or_else(breach_not_found)
    }

    async fn visible_breach(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Uuid,
    ) -> Result<BreachRow, StoreError> {
        let sql = format!("{BREACH_SELECT} WHERE b.id = $1");
        let row = fetch!(tx, fetch_optional, BreachRow, &sql, id)?.ok_or_else(breach_not_found)?;
        let visible = if actor.role == Role::SupplierUser {
            row.processor_id == Some(actor.organisation_id)
        } else {
            row.controller_id == actor.controller_id
        };
        if visible {
            Ok(row)
        } else {
            Err(breach_not_found())
        }
    }

    /// Records that a clock's duty was met at `met_at`, and/or the reason it was late. A
    /// duty met after its deadline needs a reason (art. 33(1): "accompanied by reasons for
    /// the delay"), given now or before.
    pub async fn record_breach_clock(
        &self,
        actor: &Actor,
        id: Uuid,
        clock: ClockKind,
        met_at: Option<Now>,
        reason: Option<&str>,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ManageBreaches)?;
        let mut tx = self.db.write().await?;
        let row = self.visible_breach(&mut tx, actor, id).await?;
        let reference = row.reference.clone();
        let controller = row.controller_id;
        let key = self.organisation_key(controller, now).await?;
        let view = row.view(&key, now)?;
        let c = view
            .clocks
            .iter()
            .find(|c| c.kind == clock)
            .ok_or(StoreError::Refused(Problem::BreachClockNotRunning))?;
        if let Some(at) = met_at {
            if c.done_at.is_some() {
                return Err(Problem::BreachClockMet.into());
            }
            if at > now
                || at
                    < view
                        .report
                        .aware_at
                        .min(view.report.processor_aware_at.unwrap_or(at))
            {
                return Err(Problem::BreachInFuture.into());
            }
        }
        let late = met_at.map_or(now > c.due, |at| at > c.due);
        if late && reason.is_none() && c.late_reason.is_none() {
            return Err(Problem::Required(Input::Reason).into());
        }
        if let Some(at) = met_at {
            let column = match clock {
                ClockKind::ProcessorReport => "processor_reported_at",
                ClockKind::Authority => "authority_notified_at",
                ClockKind::Persons => "persons_notified_at",
            };
            let sql = format!("UPDATE breach SET {column} = $1 WHERE id = $2");
            execute!(&mut tx, &sql, at.micros(), id)?;
        }
        if let Some(reason) = reason {
            let mut reasons = LateReasons(
                ClockKind::ALL
                    .into_iter()
                    .filter_map(|k| {
                        view.notifications
                            .late_reason(k)
                            .map(|r| (k.key().to_owned(), r.to_owned()))
                    })
                    .collect(),
            );
            reasons.0.insert(clock.key().to_owned(), reason.to_owned());
            let sealed = key.seal_bytes(
                controller,
                &format!("breach:{id}:late"),
                &serde_json::to_vec(&reasons).map_err(|e| StoreError::Config(e.to_string()))?,
            )?;
            execute!(
                &mut tx,
                "UPDATE breach SET late_reasons = $1 WHERE id = $2",
                sealed.as_slice(),
                id
            )?;
        }
        let detail = format!("Brud {reference}: {}", clock.danish());
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(UseKind::Breach, None, PURPOSE_BREACH, detail),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The persons a party reached in a window: counts only, nothing of any citizen is
    /// opened. Logged as one oversight use.
    pub async fn affected_persons(
        &self,
        actor: &Actor,
        query: &AffectedQuery,
        now: Now,
    ) -> Result<AffectedSummary, StoreError> {
        require(actor, Action::ManageBreaches)?;
        query.check()?;
        let mut tx = self.db.read().await?;
        let (name, persons, log_entries, ledger_rows) =
            match affected_in(&mut tx, actor, query).await {
                Ok(found) => found,
                Err(e) => {
                    let u = Use::new(
                        UseKind::Breach,
                        None,
                        PURPOSE_BREACH,
                        "Søgning efter berørte afvist",
                    );
                    return Err(self.refuse(tx, actor, now, u, e).await);
                }
            };
        let summary = AffectedSummary::of(*query, name, &persons, log_entries, ledger_rows, now);
        let u = Use::new(
            UseKind::Breach,
            None,
            PURPOSE_BREACH,
            format!(
                "Berørte personer fundet for {}: {} borger(e)",
                summary.party_name, summary.persons
            ),
        );
        self.log_after(tx, Some(actor), now, &u, true).await?;
        Ok(summary)
    }

    /// Attaches the persons a party reached to a breach: one row and one access-log entry
    /// per citizen, and the summary on the breach, in one transaction.
    pub async fn attach_affected(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &AffectedQuery,
        now: Now,
    ) -> Result<AffectedSummary, StoreError> {
        require(actor, Action::ManageBreaches)?;
        query.check()?;
        let mut tx = self.db.write().await?;
        let row = self.visible_breach(&mut tx, actor, id).await?;
        let (name, persons, log_entries, ledger_rows) = affected_in(&mut tx, actor, query).await?;
        let summary = AffectedSummary::of(*query, name, &persons, log_entries, ledger_rows, now);
        execute!(
            &mut tx,
            "DELETE FROM breach_affected WHERE breach_id = $1",
            id
        )?;
        for p in &persons {
            execute!(
                &mut tx,
                "INSERT INTO breach_affected (breach_id, subject_id, uses, fields_received, categories) \
                 VALUES ($1, $2, $3, $4, $5)",
                id,
                p.subject_id,
                db_count(p.uses),
                db_count(p.fields_received),
                join_keys(&p.categories, |c| c.key())
            )?;
            append_log(
                &mut tx,
                Some(actor),
                now,
                &Use::new(
                    UseKind::Breach,
                    Some(p.subject_id),
                    PURPOSE_BREACH,
                    format!("Berørt af brud {}", row.reference),
                ),
                true,
            )
            .await?;
        }
        execute!(
            &mut tx,
            "UPDATE breach SET affected_summary = $1 WHERE id = $2",
            serde_json::to_string(&summary).map_err(|e| StoreError::Config(e.to_string()))?,
            id
        )?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The citizens attached to a breach (their internal ids), for a list to notify them.
    pub async fn breach_affected_ids(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<Uuid>, StoreError> {
        require(actor, Action::ManageBreaches)?;
        let mut tx = self.db.read().await?;
        self.visible_breach(&mut tx, actor, id).await?;
        let ids = scalar!(
            &mut tx,
            fetch_all,
            Uuid,
            "SELECT subject_id FROM breach_affected WHERE breach_id = $1 ORDER BY subject_id",
            id
        )?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// The party's name, the persons it reached in the window, and how many log entries and
/// ledger rows were counted. The party must belong to the actor's municipality (a user or
/// unit of it, or a supplier with which it has had a DPA).
async fn affected_in(
    tx: &mut Tx,
    actor: &Actor,
    q: &AffectedQuery,
) -> Result<(String, Vec<AffectedPerson>, u64, u64), StoreError> {
    let (from, until) = (q.from.micros(), q.until.micros());
    let mut tally: BTreeMap<Uuid, Tally> = BTreeMap::new();
    let (name, supplier) = match q.party {
        Party::User(user) => {
            let found = fetch!(
                tx,
                fetch_optional,
                (String, Uuid, String),
                "SELECT u.display_name, o.id, o.kind FROM app_user u \
                 JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1",
                user
            )?
            .ok_or(StoreError::Refused(Problem::UserNotFound(None)))?;
            let supplier = (found.2 == "supplier").then_some(found.1);
            party_of_controller(tx, actor, found.1).await?;
            (found.0, supplier)
        }
        Party::Organisation(org) => {
            let o = organisation_in(tx, org).await?;
            party_of_controller(tx, actor, org).await?;
            let supplier = (o.kind == skjold_core::OrgKind::Supplier).then_some(org);
            (o.name, supplier)
        }
    };
    let (column, party_id) = match q.party {
        Party::User(u) => ("user_id", u),
        Party::Organisation(o) => ("organisation_id", o),
    };
    let sql = format!(
        "SELECT subject_id, COUNT(*) FROM access_log WHERE {column} = $1 AND at >= $2 AND at < $3 \
         AND subject_id IS NOT NULL AND outcome = 'allowed' GROUP BY subject_id"
    );
    let uses = fetch!(tx, fetch_all, (Uuid, i64), &sql, party_id, from, until)?;
    let mut log_entries = 0u64;
    for (subject, n) in uses {
        log_entries += count(n);
        tally.entry(subject).or_default().uses = count(n);
    }
    let mut ledger_rows = 0u64;
    match supplier {
        Some(supplier) => {
            // Received in the window (an organisation), and, for the categories, what the
            // supplier held of the citizens found: the ledger up to the window's end.
            if matches!(q.party, Party::Organisation(_)) {
                let received = fetch!(
                    tx,
                    fetch_all,
                    (Uuid, i64),
                    "SELECT subject_id, COUNT(*) FROM disclosure WHERE supplier_id = $1 \
                     AND at >= $2 AND at < $3 GROUP BY subject_id",
                    supplier,
                    from,
                    until
                )?;
                for (subject, n) in received {
                    ledger_rows += count(n);
                    tally.entry(subject).or_default().fields = count(n);
                }
            }
            let held = fetch!(
                tx,
                fetch_all,
                (Uuid, String),
                "SELECT DISTINCT subject_id, field_key FROM disclosure WHERE supplier_id = $1 \
                 AND at < $2 AND field_key IS NOT NULL",
                supplier,
                until
            )?;
            for (subject, field) in held {
                if let (Some(t), Ok(f)) = (tally.get_mut(&subject), field.parse::<FieldKey>()) {
                    t.categories.insert(f.category());
                }
            }
        }
        None => {
            let sql = format!(
                "SELECT DISTINCT d.subject_id, d.field_key FROM personal_datum d WHERE d.subject_id IN \
                 (SELECT DISTINCT subject_id FROM access_log WHERE {column} = $1 AND at >= $2 \
                 AND at < $3 AND subject_id IS NOT NULL AND outcome = 'allowed')"
            );
            let held = fetch!(tx, fetch_all, (Uuid, String), &sql, party_id, from, until)?;
            for (subject, field) in held {
                if let (Some(t), Ok(f)) = (tally.get_mut(&subject), field.parse::<FieldKey>()) {
                    t.categories.insert(f.category());
                }
            }
        }
    }
    let persons = tally
        .into_iter()
        .map(|(subject_id, t)| AffectedPerson {
            subject_id,
            uses: t.uses,
            fields_received: t.fields,
            categories: t.categories.into_iter().collect(),
        })
        .collect();
    Ok((name, persons, log_entries, ledger_rows))
}

/// Refuses a party outside the actor's municipality: neither the municipality, one of its
/// units, nor a supplier it has had a DPA with.
async fn party_of_controller(tx: &mut Tx, actor: &Actor, org: Uuid) -> Result<(), StoreError> {
    let n: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM organisation o WHERE o.id = $1 AND (o.id = $2 OR o.parent_id = $2 \
         OR EXISTS (SELECT 1 FROM dpa d WHERE d.processor_id = o.id AND d.controller_id = $2))",
        org,
        actor.controller_id
    )?;
    if n > 0 {
        Ok(())
    } else {
        Err(StoreError::Refused(Problem::OrganisationNotFound))
    }
}

//! Registering a rights case, checking the requester's identity, extending the deadline,
//! and the parts of a gathered answer that units and suppliers give.

use uuid::Uuid;

use skjold_core::rights::{self, CaseStatus, NewCase, RightKind, TaskView};
use skjold_core::text::Justification;
use skjold_core::{Action, Actor, Date, Problem, Role};

use super::*;

/// The next case reference of the municipality: `R-YYYY-NNNN`.
async fn next_reference(tx: &mut Tx, controller: Uuid, year: i32) -> Result<String, StoreError> {
    let prefix = format!("R-{year}-");
    let taken: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM rights_case WHERE controller_id = $1 AND reference LIKE $2",
        controller,
        format!("{prefix}%")
    )?;
    Ok(format!("{prefix}{:04}", taken + 1))
}

/// The citizen's current items among `ids`; anything else is refused.
async fn items_of(tx: &mut Tx, subject: Uuid, ids: &[Uuid]) -> Result<(), StoreError> {
    for id in ids {
        let found: Option<Uuid> = scalar!(
            &mut *tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM personal_datum WHERE id = $1 AND subject_id = $2 AND superseded_by IS NULL \
             AND removed_at IS NULL",
            *id,
            subject
        )?;
        if found.is_none() {
            return Err(StoreError::Refused(Problem::ItemNotOfCitizen));
        }
    }
    Ok(())
}

/// Whether the actor may register a case for the citizen: a caseworker who may open the
/// record (returns the stand-in access, if that is how), or the privacy officer.
async fn may_register(
    tx: &mut Tx,
    actor: &Actor,
    subject: Uuid,
    now: Now,
) -> Result<Option<Uuid>, StoreError> {
    require(actor, Action::HandleRights)?;
    if actor.role == Role::Caseworker {
        access::caseworker_subject(tx, actor, subject, now).await
    } else {
        subject_of_controller(tx, subject, actor.controller_id).await?;
        Ok(None)
    }
}

/// Who files a case: the municipality it belongs to, the unit that works it, and the staff
/// member who registered it (none when the citizen filed it online).
pub(crate) struct Filer {
    pub(crate) controller_id: Uuid,
    pub(crate) unit_id: Uuid,
    pub(crate) user_id: Option<Uuid>,
}

impl Gate {
    /// Writes a new case, its items, the restriction a disputed rectification brings, and
    /// the parts a gathered answer needs, inside `tx`.
    pub(crate) async fn write_case(
        &self,
        tx: &mut Tx,
        filer: Filer,
        case: &NewCase,
        now: Now,
    ) -> Result<(Uuid, String), StoreError> {
        items_of(tx, case.subject_id, &case.items).await?;
        let key = self.subject_key(case.subject_id).await?;
        let id = Uuid::new_v4();
        let reference = next_reference(tx, filer.controller_id, now.local_date().year()).await?;
        let deadline = rights::deadline(case.received_on);
        let description = key.seal(case.subject_id, &description_aad(id), &case.description)?;
        let (regime, scope, scope_detail, period_from, period_until, remarks) = match &case.access {
            Some(a) => (
                Some(a.regime().key()),
                Some(a.scope.key()),
                Some(key.seal(case.subject_id, &scope_aad(id), &a.scope_detail)?),
                a.period_from.map(|d| d.to_string()),
                a.period_until.map(|d| d.to_string()),
                Some(key.seal(case.subject_id, &remarks_aad(id), &a.remarks)?),
            ),
            None => (None, None, None, None, None, None),
        };
        let gathers = case.kind == RightKind::Access
            && case.access.as_ref().is_some_and(|a| a.scope.gathers());
        let status = if gathers {
            CaseStatus::Gathering
        } else {
            CaseStatus::Received
        };
        execute!(
            &mut *tx,
            "INSERT INTO rights_case (id, controller_id, unit_id, subject_id, reference, kind, channel, received_on, \
             deadline, description, regime, scope, scope_detail, period_from, period_until, remarks, status, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            id,
            filer.controller_id,
            filer.unit_id,
            case.subject_id,
            reference.as_str(),
            case.kind.key(),
            case.channel.key(),
            case.received_on.to_string(),
            deadline.to_string(),
            description.as_slice(),
            regime,
            scope,
            scope_detail.as_deref(),
            period_from.as_deref(),
            period_until.as_deref(),
            remarks.as_deref(),
            status.key(),
            filer.user_id,
            now.micros()
        )?;
        for item in &case.items {
            execute!(
                &mut *tx,
                "INSERT INTO rights_case_item (case_id, datum_id) VALUES ($1, $2)",
                id,
                *item
            )?;
        }
        if case.kind == RightKind::Rectification && case.restrict_while_investigating {
            for item in &case.items {
                execute!(
                    &mut *tx,
                    "UPDATE personal_datum SET restricted = $1, restricted_case = $2 WHERE id = $3",
                    true,
                    id,
                    *item
                )?;
            }
        }
        if gathers {
            open_tasks(
                &mut *tx,
                id,
                filer.controller_id,
                case.subject_id,
                case.received_on,
                now,
            )
            .await?;
        }
        Ok((id, reference))
    }
}

impl Gate {
    /// Registers a rights case. A request wider than one case opens a part for every unit
    /// of the municipality and every supplier the ledger says received the citizen's data,
    /// each due well inside the month. A rectification request that disputes the data's
    /// accuracy restricts the items while it is investigated.
    pub async fn open_rights_case(
        &self,
        actor: &Actor,
        case: &NewCase,
        now: Now,
    ) -> Result<(Uuid, String), StoreError> {
        case.check(now.local_date())?;
        let mut tx = self.db.write().await?;
        let stand_in = match may_register(&mut tx, actor, case.subject_id, now).await {
            Ok(s) => s,
            Err(e) => {
                let u = rights_use(None, "Registrering af rettighedssag afvist");
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let (id, reference) = self
            .write_case(
                &mut tx,
                Filer {
                    controller_id: actor.controller_id,
                    // The registering unit works the case; the privacy officer's cases sit
                    // with the municipality itself.
                    unit_id: actor.organisation_id,
                    user_id: Some(actor.user_id),
                },
                case,
                now,
            )
            .await?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(case.subject_id),
                format!(
                    "Rettighedssag {reference} registreret ({})",
                    case.kind.key()
                ),
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok((id, reference))
    }

    /// Records how the requester's identity was checked.
    pub async fn check_rights_identity(
        &self,
        actor: &Actor,
        case_id: Uuid,
        method: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let method = rights::identity_method(method)?;
        let mut tx = self.db.write().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.open()?;
        execute!(
            &mut tx,
            "UPDATE rights_case SET identity_method = $1, identity_checked_by = $2, identity_checked_at = $3 WHERE id = $4",
            method,
            actor.user_id,
            now.micros(),
            case_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(row.subject_id),
                format!("Identitet kontrolleret i rettighedssag {}", row.reference),
            ),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Extends the deadline by up to two months, with a reason, before the first deadline;
    /// the citizen's notice is recorded as sent now (the application sends it).
    pub async fn extend_rights_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        months: i32,
        reason: &str,
        now: Now,
    ) -> Result<Date, StoreError> {
        let mut tx = self.db.write().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.open()?;
        let (until, reason): (Date, Justification) = rights::extend(
            row.received_on(),
            row.extended_until.is_some(),
            months,
            reason,
            now.local_date(),
        )?;
        let key = self.subject_key(row.subject_id).await?;
        let sealed = key.seal(row.subject_id, &extension_aad(case_id), reason.as_str())?;
        execute!(
            &mut tx,
            "UPDATE rights_case SET extended_until = $1, extension_reason = $2, extension_notice_at = $3 WHERE id = $4",
            until.to_string(),
            sealed.as_slice(),
            now.micros(),
            case_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(row.subject_id),
                format!(
                    "Fristen i rettighedssag {} forlænget til {until}",
                    row.reference
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(until)
    }

    /// The parts of gathered answers asked of the actor's organisation (a caseworker's unit,
    /// or a supplier), with what each case asks (its scope) — no citizen's data beyond the
    /// case reference. Not logged.
    pub async fn rights_tasks(&self, actor: &Actor) -> Result<Vec<TaskView>, StoreError> {
        require(actor, Action::ContributeToRights)?;
        let mut tx = self.db.read().await?;
        let rows = task_rows(
            &mut tx,
            "t.organisation_id = $1 AND t.contributed_at IS NULL",
            actor.organisation_id,
        )
        .await?;
        let mut tasks = Vec::with_capacity(rows.len());
        for row in rows {
            let mut task = row.into_view(None, Uuid::nil())?;
            if task.supplier {
                task.orders = scalar!(
                    &mut tx,
                    fetch_all,
                    String,
                    "SELECT DISTINCT o.reference FROM disclosure d JOIN service_order o ON o.id = d.order_id \
                     WHERE d.supplier_id = $1 AND d.subject_id = (SELECT subject_id FROM rights_case WHERE id = $2) \
                     ORDER BY o.reference",
                    actor.organisation_id,
                    task.case_id
                )?;
            }
            tasks.push(task);
        }
        Ok(tasks)
    }

    /// A unit or a supplier gives its part of a gathered answer: what it holds about the
    /// citizen, beyond what Skjold records. Sealed under the citizen's key.
    pub async fn contribute_to_rights_case(
        &self,
        actor: &Actor,
        task_id: Uuid,
        contribution: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::ContributeToRights)?;
        let contribution = skjold_core::text::required_text(
            skjold_core::Input::Contribution,
            contribution,
            skjold_core::text::MAX_TEXT,
        )?;
        let mut tx = self.db.write().await?;
        let task: Option<(Uuid, Uuid, Option<i64>)> = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Uuid, Option<i64>),
            "SELECT t.case_id, t.organisation_id, t.contributed_at FROM rights_task t WHERE t.id = $1",
            task_id
        )?;
        let (case_id, contributed) = match task {
            Some((case_id, organisation, contributed)) if organisation == actor.organisation_id => {
                (case_id, contributed)
            }
            _ => return Err(StoreError::Refused(Problem::RightsTaskNotFound)),
        };
        if contributed.is_some() {
            return Err(StoreError::Refused(Problem::TaskContributed));
        }
        let (subject, reference, status): (Uuid, String, String) = fetch!(
            &mut tx,
            fetch_one,
            (Uuid, String, String),
            "SELECT subject_id, reference, status FROM rights_case WHERE id = $1",
            case_id
        )?;
        if CaseStatus::parse(&status) == Some(CaseStatus::Answered) {
            return Err(StoreError::Refused(Problem::CaseAnswered));
        }
        let key = self.subject_key(subject).await?;
        let sealed = key.seal(subject, &contribution_aad(task_id), contribution)?;
        execute!(
            &mut tx,
            "UPDATE rights_task SET contribution = $1, contributed_by = $2, contributed_at = $3 WHERE id = $4",
            sealed.as_slice(),
            actor.user_id,
            now.micros(),
            task_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(subject),
                format!("Bidrag til rettighedssag {reference} afgivet"),
            ),
            true,
        )
        .await?;
        tx.commit().await
    }
}

/// Opens a part for every unit of the municipality and every supplier that received the
/// citizen's data.
async fn open_tasks(
    tx: &mut Tx,
    case_id: Uuid,
    controller: Uuid,
    subject: Uuid,
    received_on: Date,
    now: Now,
) -> Result<(), StoreError> {
    let units: Vec<Uuid> = scalar!(
        &mut *tx,
        fetch_all,
        Uuid,
        "SELECT id FROM organisation WHERE parent_id = $1 AND kind = 'unit' ORDER BY name",
        controller
    )?;
    let suppliers: Vec<Uuid> = scalar!(
        &mut *tx,
        fetch_all,
        Uuid,
        "SELECT DISTINCT supplier_id FROM disclosure WHERE subject_id = $1",
        subject
    )?;
    let due = rights::task_deadline(received_on).to_string();
    for (organisation, kind) in units
        .into_iter()
        .map(|u| (u, "unit"))
        .chain(suppliers.into_iter().map(|s| (s, "supplier")))
    {
        execute!(
            &mut *tx,
            "INSERT INTO rights_task (id, case_id, organisation_id, kind, deadline, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            Uuid::new_v4(),
            case_id,
            organisation,
            kind,
            due.as_str(),
            now.micros()
        )?;
    }
    Ok(())
}

//! Data-subject rights (GDPR art. 15–22) through the gate: the case and its sealed texts,
//! who may work it, the list, and the case as its caseworker sees it. The rooms:
//! [`intake`] (registering, identity, extension, the gathered parts), [`decisions`]
//! (deciding, notes beside the data, restriction, the recipients' notices), [`answer`]
//! (the records an access answer is built from) and [`notices`] (the supplier's side).
//!
//! Who may: a caseworker works the cases their unit registered (and registers cases only
//! for citizens whose record they may open); the privacy officer every case of the
//! municipality. The auditor and the privacy officer see the list. Every opening of a
//! case's texts is logged with the purpose of handling the citizen's rights.

mod answer;
mod decisions;
mod intake;
mod notices;

pub(crate) use intake::Filer;

use uuid::Uuid;

use skjold_core::rights::{
    CaseItem, CaseStatus, CaseSummary, CaseView, IntakeChannel, NoticeView, Outcome, Regime,
    RightKind, TaskView,
};
use skjold_core::{Action, Actor, Date, FieldKey, Problem, Role};

use super::*;

/// The purpose every use of personal data for a rights case is logged with.
pub(crate) const PURPOSE_RIGHTS: &str = "Behandling af den registreredes rettigheder";

/// A use of personal data for a rights case, as the log records it.
fn rights_use(subject: Option<Uuid>, detail: impl Into<String>) -> Use<'static> {
    Use::new(UseKind::Rights, subject, PURPOSE_RIGHTS, detail)
}

fn description_aad(case: Uuid) -> String {
    format!("rights-description:{case}")
}
fn scope_aad(case: Uuid) -> String {
    format!("rights-scope:{case}")
}
fn remarks_aad(case: Uuid) -> String {
    format!("rights-remarks:{case}")
}
fn extension_aad(case: Uuid) -> String {
    format!("rights-extension:{case}")
}
fn reasons_aad(case: Uuid) -> String {
    format!("rights-reasons:{case}")
}
pub(crate) fn assessment_aad(case: Uuid) -> String {
    format!("rights-assessment:{case}")
}
fn contribution_aad(task: Uuid) -> String {
    format!("rights-contribution:{task}")
}
pub(crate) fn note_aad(note: Uuid) -> String {
    format!("datum-note:{note}")
}
fn copy_aad(notice: Uuid, which: &str) -> String {
    format!("notice-{which}:{notice}")
}

fn case_not_found() -> StoreError {
    StoreError::Refused(Problem::RightsCaseNotFound)
}

/// A date as the case stores it (`YYYY-MM-DD`, written by the gate itself).
fn date_of(s: &str) -> Date {
    s.parse()
        .unwrap_or_else(|_| Now::from_micros(0).local_date())
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: Uuid,
    controller_id: Uuid,
    controller_name: String,
    unit_id: Uuid,
    unit_name: String,
    subject_id: Uuid,
    reference: String,
    kind: String,
    channel: String,
    received_on: String,
    deadline: String,
    description: Vec<u8>,
    regime: Option<String>,
    scope: Option<String>,
    scope_detail: Option<Vec<u8>>,
    period_from: Option<String>,
    period_until: Option<String>,
    remarks: Option<Vec<u8>>,
    identity_method: Option<String>,
    identity_checker: Option<String>,
    identity_checked_at: Option<i64>,
    extended_until: Option<String>,
    extension_reason: Option<Vec<u8>>,
    extension_notice_at: Option<i64>,
    status: String,
    outcome: Option<String>,
    ground: Option<String>,
    reasons: Option<Vec<u8>>,
    decider: Option<String>,
    decided_at: Option<i64>,
    reviewer: Option<String>,
    reviewed_at: Option<i64>,
    answered_at: Option<i64>,
    assessment: Option<Vec<u8>>,
    overdue_notices: i64,
}

pub(crate) const CASE_SELECT: &str = "SELECT c.id, c.controller_id, co.name AS controller_name, c.unit_id, un.name AS unit_name, c.subject_id, \
     c.reference, c.kind, c.channel, c.received_on, c.deadline, c.description, c.regime, c.scope, c.scope_detail, \
     c.period_from, c.period_until, c.remarks, c.identity_method, iu.display_name AS identity_checker, \
     c.identity_checked_at, c.extended_until, c.extension_reason, c.extension_notice_at, c.status, c.outcome, \
     c.ground, c.reasons, du.display_name AS decider, c.decided_at, ru.display_name AS reviewer, c.reviewed_at, \
     c.answered_at, c.assessment, (SELECT COUNT(*) FROM recipient_notice n WHERE n.case_id = c.id AND n.acknowledged_at IS NULL \
       AND n.sent_at < $1) AS overdue_notices \
     FROM rights_case c JOIN organisation un ON un.id = c.unit_id JOIN organisation co ON co.id = c.controller_id \
     LEFT JOIN app_user iu ON iu.id = c.identity_checked_by LEFT JOIN app_user du ON du.id = c.decided_by \
     LEFT JOIN app_user ru ON ru.id = c.reviewed_by";

/// The instant before which an unacknowledged notice is overdue.
pub(crate) fn notices_due_before(now: Now) -> i64 {
    now.plus_seconds(-i64::from(skjold_core::rights::NOTICE_ACK_DAYS) * 86_400)
        .micros()
}

impl CaseRow {
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    pub(crate) fn subject_id(&self) -> Uuid {
        self.subject_id
    }

    pub(crate) fn kind(&self) -> Result<RightKind, StoreError> {
        Ok(RightKind::parse(&self.kind)?)
    }

    pub(crate) fn status(&self) -> CaseStatus {
        CaseStatus::parse(&self.status).unwrap_or(CaseStatus::Received)
    }

    pub(crate) fn received_on(&self) -> Date {
        date_of(&self.received_on)
    }

    pub(crate) fn due(&self) -> Date {
        date_of(self.extended_until.as_deref().unwrap_or(&self.deadline))
    }

    pub(crate) fn summary(&self, today: Date) -> Result<CaseSummary, StoreError> {
        let status = self.status();
        Ok(CaseSummary {
            id: self.id,
            reference: self.reference.clone(),
            kind: self.kind()?,
            status,
            outcome: self.outcome.as_deref().and_then(|o| Outcome::parse(o).ok()),
            unit_name: self.unit_name.clone(),
            received_on: self.received_on(),
            due: self.due(),
            extended: self.extended_until.is_some(),
            urgency: CaseSummary::urgency_at(status, self.due(), today),
            overdue_notices: u32::try_from(self.overdue_notices).unwrap_or(0),
        })
    }

    /// Refuses a change to a case that has been answered.
    pub(crate) fn open(&self) -> Result<(), StoreError> {
        if self.status().open() {
            Ok(())
        } else {
            Err(StoreError::Refused(Problem::CaseAnswered))
        }
    }
}

/// The case, if the actor may work it: a caseworker of the unit that registered it, or the
/// privacy officer of the municipality. Anyone else: not found.
pub(crate) async fn case_row(
    tx: &mut Tx,
    actor: &Actor,
    case_id: Uuid,
    now: Now,
) -> Result<CaseRow, StoreError> {
    require(actor, Action::HandleRights)?;
    let sql = format!("{CASE_SELECT} WHERE c.id = $2");
    let row = fetch!(
        &mut *tx,
        fetch_optional,
        CaseRow,
        &sql,
        notices_due_before(now),
        case_id
    )?;
    match row {
        Some(c)
            if c.controller_id == actor.controller_id
                && (actor.role == Role::PrivacyOfficer || c.unit_id == actor.organisation_id) =>
        {
            Ok(c)
        }
        _ => Err(case_not_found()),
    }
}

impl Gate {
    /// The cases the actor may see: a caseworker's unit's, or for the privacy officer and
    /// the auditor every case of the municipality; overdue first, then due within a week.
    /// No personal data: not logged.
    pub async fn rights_cases(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let all = actor.may(Action::OverseeRights);
        if !all {
            require(actor, Action::HandleRights)?;
        }
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{CASE_SELECT} WHERE c.controller_id = $2 AND ($3 OR c.unit_id = $4) ORDER BY c.created_at"
        );
        let rows = fetch!(
            &mut tx,
            fetch_all,
            CaseRow,
            &sql,
            notices_due_before(now),
            actor.controller_id,
            all,
            actor.organisation_id
        )?;
        let today = now.local_date();
        let mut cases = rows
            .iter()
            .map(|r| r.summary(today))
            .collect::<Result<Vec<_>, _>>()?;
        CaseSummary::sort(&mut cases);
        Ok(cases)
    }

    /// A case's facts without its texts: kind, status, deadline. No personal data: not
    /// logged.
    pub async fn rights_case_summary(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: Now,
    ) -> Result<CaseSummary, StoreError> {
        let mut tx = self.db.read().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.summary(now.local_date())
    }

    /// A case with its texts opened, the items it concerns, its gathered parts and the
    /// recipients' notices. Logged.
    pub async fn rights_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: Now,
    ) -> Result<CaseView, StoreError> {
        let mut tx = self.db.read().await?;
        let row = match case_row(&mut tx, actor, case_id, now).await {
            Ok(r) => r,
            Err(e) => {
                let u = rights_use(None, "Visning af rettighedssag afvist");
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let items = case_items(&mut tx, case_id).await?;
        let notes = note_rows(&mut tx, row.subject_id).await?;
        let tasks = task_rows(&mut tx, "t.case_id = $1", case_id).await?;
        let notice_rows = notice_rows(&mut tx, "n.case_id = $1", case_id).await?;
        let erased_at: Option<i64> = scalar!(
            &mut tx,
            fetch_optional,
            Option<i64>,
            "SELECT erased_at FROM data_subject WHERE id = $1",
            row.subject_id
        )?
        .flatten();
        let name_rows = current_data(&mut tx, row.subject_id)
            .await?
            .into_iter()
            .filter(|r| r.field_key == FieldKey::Name.key() || r.field_key == FieldKey::Cpr.key())
            .collect::<Vec<_>>();
        let wrapped = self.wrapped_key(row.subject_id).await?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &rights_use(
                Some(row.subject_id),
                format!("Rettighedssag {} vist", row.reference),
            ),
            true,
        )
        .await?;
        let key = self.unwrap_optional(row.subject_id, wrapped.as_deref())?;
        let items = open_items(key.as_ref(), row.subject_id, items, notes)?;
        self.case_view(
            row,
            key.as_ref(),
            items,
            tasks,
            notice_rows,
            name_rows,
            erased_at,
            now,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn case_view(
        &self,
        row: CaseRow,
        key: Option<&SubjectKey>,
        items: Vec<CaseItem>,
        tasks: Vec<TaskRow>,
        notices: Vec<NoticeRow>,
        name_rows: Vec<SealedRow>,
        erased_at: Option<i64>,
        now: Now,
    ) -> Result<CaseView, StoreError> {
        let subject = row.subject_id;
        let open = |sealed: &Option<Vec<u8>>, aad: String| -> Result<Option<String>, StoreError> {
            // An empty text was deleted by a retention rule.
            match (sealed, key) {
                (Some(s), Some(k)) if !s.is_empty() => Ok(Some(k.open(subject, &aad, s)?)),
                _ => Ok(None),
            }
        };
        let access = match (&row.scope, row.regime.as_deref().and_then(Regime::parse)) {
            (Some(scope), Some(_)) => Some(skjold_core::rights::AccessQuestions {
                wish: wish_of(&row)?,
                scope: skjold_core::rights::ScopeKind::parse(scope)?,
                scope_detail: open(&row.scope_detail, scope_aad(row.id))?.unwrap_or_default(),
                period_from: row.period_from.as_deref().map(date_of),
                period_until: row.period_until.as_deref().map(date_of),
                remarks: open(&row.remarks, remarks_aad(row.id))?.unwrap_or_default(),
            }),
            _ => None,
        };
        let opened = |field: FieldKey| -> Result<Option<String>, StoreError> {
            match key {
                Some(k) => name_rows
                    .iter()
                    .find(|r| r.field_key == field.key())
                    .map(|r| open_one(k, subject, field, r))
                    .transpose(),
                None => Ok(None),
            }
        };
        let citizen_name = opened(FieldKey::Name)?;
        let citizen_cpr = opened(FieldKey::Cpr)?;
        let today = now.local_date();
        Ok(CaseView {
            summary: row.summary(today)?,
            subject_id: subject,
            controller: row.controller_name.clone(),
            citizen_name,
            citizen_cpr,
            channel: IntakeChannel::recorded(&row.channel)?,
            description: open(&Some(row.description.clone()), description_aad(row.id))?
                .unwrap_or_default(),
            access,
            regime: row.regime.as_deref().and_then(Regime::parse),
            identity_method: row.identity_method.clone(),
            identity_checked_by: row.identity_checker.clone(),
            identity_checked_at: row.identity_checked_at.map(Now::from_micros),
            first_deadline: date_of(&row.deadline),
            extension_reason: open(&row.extension_reason, extension_aad(row.id))?,
            extension_notice_at: row.extension_notice_at.map(Now::from_micros),
            ground: row.ground.clone(),
            reasons: open(&row.reasons, reasons_aad(row.id))?,
            assessment: open(&row.assessment, assessment_aad(row.id))?
                .and_then(|json| serde_json::from_str(&json).ok()),
            decided_by: row.decider.clone(),
            decided_at: row.decided_at.map(Now::from_micros),
            reviewed_by: row.reviewer.clone(),
            answered_at: row.answered_at.map(Now::from_micros),
            items,
            tasks: tasks
                .into_iter()
                .map(|t| t.into_view(key, subject))
                .collect::<Result<_, _>>()?,
            notices: notices
                .into_iter()
                .map(|n| n.into_view(key, subject, now))
                .collect::<Result<_, _>>()?,
            erased_at: erased_at.map(Now::from_micros),
            key_gone_by: None,
        })
    }
}

/// The access question's wish, recovered from the recorded regime.
fn wish_of(row: &CaseRow) -> Result<skjold_core::rights::AccessWish, StoreError> {
    use skjold_core::rights::AccessWish;
    Ok(match row.regime.as_deref().and_then(Regime::parse) {
        Some(Regime::Gdpr) => AccessWish::MyDataInACase,
        Some(Regime::GdprAndPublicRecords) => AccessWish::MyDataBroadly,
        Some(Regime::GdprPublicAdministrationAndPublicRecords) => AccessWish::WholeCase,
        Some(Regime::PublicAdministrationAndPublicRecords) => AccessWish::CaseDocuments,
        None => return Err(StoreError::Refused(Problem::BadAccessWish)),
    })
}

/// An item of the citizen's data with what a rights case needs beside it.
#[derive(sqlx::FromRow)]
pub(crate) struct ItemRow {
    id: Uuid,
    field_key: String,
    ciphertext: Vec<u8>,
    source: String,
    purpose: Option<String>,
    collected_at: i64,
    restricted: bool,
    removed_at: Option<i64>,
}

pub(crate) const ITEM_SELECT: &str = "SELECT p.id, p.field_key, p.ciphertext, p.source, pu.name AS purpose, p.collected_at, \
     p.restricted, p.removed_at FROM personal_datum p LEFT JOIN purpose pu ON pu.id = p.purpose_id";

/// The items a case concerns.
async fn case_items(tx: &mut Tx, case_id: Uuid) -> Result<Vec<ItemRow>, StoreError> {
    let sql = format!(
        "{ITEM_SELECT} JOIN rights_case_item ci ON ci.datum_id = p.id WHERE ci.case_id = $1 ORDER BY p.collected_at"
    );
    Ok(fetch!(tx, fetch_all, ItemRow, &sql, case_id)?)
}

/// Every current item of a citizen, restricted ones included (not removed ones).
pub(crate) async fn all_items(tx: &mut Tx, subject_id: Uuid) -> Result<Vec<ItemRow>, StoreError> {
    let sql = format!(
        "{ITEM_SELECT} WHERE p.subject_id = $1 AND p.superseded_by IS NULL AND p.removed_at IS NULL ORDER BY p.collected_at"
    );
    Ok(fetch!(tx, fetch_all, ItemRow, &sql, subject_id)?)
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoteRow {
    id: Uuid,
    datum_id: Uuid,
    kind: String,
    note: Vec<u8>,
}

/// The rectification notes of a citizen's items found incorrect: (item, note, sealed note).
pub(crate) async fn rectification_notes(
    tx: &mut Tx,
    subject: Uuid,
) -> Result<Vec<(Uuid, Uuid, Vec<u8>)>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_all,
        (Uuid, Uuid, Vec<u8>),
        "SELECT p.id, n.id, n.note FROM personal_datum p JOIN datum_note n ON n.id = p.incorrect_note \
         WHERE p.subject_id = $1",
        subject
    )?)
}

/// The rectification note of `item`, opened.
pub(crate) fn rectification_of(
    key: &SubjectKey,
    subject: Uuid,
    notes: &[(Uuid, Uuid, Vec<u8>)],
    item: Uuid,
) -> Result<Option<String>, StoreError> {
    match notes.iter().find(|(d, _, _)| *d == item) {
        Some((_, note, sealed)) => Ok(Some(key.open(subject, &note_aad(*note), sealed)?)),
        None => Ok(None),
    }
}

/// The notes beside a citizen's items.
pub(crate) async fn note_rows(tx: &mut Tx, subject: Uuid) -> Result<Vec<NoteRow>, StoreError> {
    Ok(fetch!(
        tx,
        fetch_all,
        NoteRow,
        "SELECT id, datum_id, kind, note FROM datum_note WHERE subject_id = $1 ORDER BY created_at",
        subject
    )?)
}

/// Opens items with the notes beside them (rectification notes, the citizen's statements);
/// none when the key is gone.
pub(crate) fn open_items(
    key: Option<&SubjectKey>,
    subject: Uuid,
    items: Vec<ItemRow>,
    notes: Vec<NoteRow>,
) -> Result<Vec<CaseItem>, StoreError> {
    let Some(key) = key else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for r in items {
        let Ok(field) = r.field_key.parse::<FieldKey>() else {
            continue;
        };
        let value = if r.removed_at.is_some() {
            String::new()
        } else {
            key.open(subject, field.key(), &r.ciphertext)?
        };
        out.push(CaseItem {
            id: r.id,
            field,
            value,
            source: r.source,
            purpose: r.purpose,
            collected_at: Now::from_micros(r.collected_at),
            restricted: r.restricted,
            rectification: None,
            statements: Vec::new(),
        });
    }
    for n in notes {
        if let Some(item) = out.iter_mut().find(|i| i.id == n.datum_id) {
            let text = key.open(subject, &note_aad(n.id), &n.note)?;
            if n.kind == "rectification" {
                item.rectification = Some(text);
            } else {
                item.statements.push(text);
            }
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    id: Uuid,
    case_id: Uuid,
    case_reference: String,
    subject_id: Uuid,
    organisation_id: Uuid,
    organisation_name: String,
    kind: String,
    deadline: String,
    contribution: Option<Vec<u8>>,
    contributor: Option<String>,
    contributed_at: Option<i64>,
}

pub(crate) async fn task_rows(
    tx: &mut Tx,
    condition: &str,
    id: Uuid,
) -> Result<Vec<TaskRow>, StoreError> {
    let sql = format!(
        "SELECT t.id, t.case_id, c.reference AS case_reference, c.subject_id, t.organisation_id, \
         o.name AS organisation_name, t.kind, t.deadline, t.contribution, u.display_name AS contributor, \
         t.contributed_at FROM rights_task t JOIN rights_case c ON c.id = t.case_id \
         JOIN organisation o ON o.id = t.organisation_id LEFT JOIN app_user u ON u.id = t.contributed_by \
         WHERE {condition} ORDER BY t.deadline, o.name"
    );
    Ok(fetch!(tx, fetch_all, TaskRow, &sql, id)?)
}

impl TaskRow {
    pub(crate) fn into_view(
        self,
        key: Option<&SubjectKey>,
        subject: Uuid,
    ) -> Result<TaskView, StoreError> {
        let contribution = match (&self.contribution, key) {
            (Some(s), Some(k)) => Some(k.open(subject, &contribution_aad(self.id), s)?),
            _ => None,
        };
        Ok(TaskView {
            id: self.id,
            case_id: self.case_id,
            case_reference: self.case_reference,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            supplier: self.kind == "supplier",
            orders: Vec::new(),
            citizen: (self.kind == "unit").then_some(self.subject_id),
            due: date_of(&self.deadline),
            contribution,
            contributed_by: self.contributor,
            contributed_at: self.contributed_at.map(Now::from_micros),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoticeRow {
    id: Uuid,
    case_reference: String,
    case_kind: String,
    subject_id: Uuid,
    supplier_name: String,
    order_reference: Option<String>,
    fields: String,
    before_copy: Vec<u8>,
    after_copy: Vec<u8>,
    sent_at: i64,
    acknowledged_at: Option<i64>,
    acknowledger: Option<String>,
}

pub(crate) async fn notice_rows(
    tx: &mut Tx,
    condition: &str,
    id: Uuid,
) -> Result<Vec<NoticeRow>, StoreError> {
    let sql = format!(
        "SELECT n.id, c.reference AS case_reference, c.kind AS case_kind, n.subject_id, n.supplier_id, \
         s.name AS supplier_name, o.reference AS order_reference, n.fields, n.before_copy, n.after_copy, \
         n.sent_at, n.acknowledged_at, u.display_name AS acknowledger \
         FROM recipient_notice n JOIN rights_case c ON c.id = n.case_id JOIN organisation s ON s.id = n.supplier_id \
         LEFT JOIN service_order o ON o.id = n.order_id LEFT JOIN app_user u ON u.id = n.acknowledged_by \
         WHERE {condition} ORDER BY n.sent_at DESC, s.name"
    );
    Ok(fetch!(tx, fetch_all, NoticeRow, &sql, id)?)
}

impl NoticeRow {
    pub(crate) fn into_view(
        self,
        key: Option<&SubjectKey>,
        subject: Uuid,
        now: Now,
    ) -> Result<NoticeView, StoreError> {
        let open = |sealed: &[u8], which: &str| -> Result<Option<String>, StoreError> {
            match key {
                Some(k) if !sealed.is_empty() => {
                    Ok(Some(k.open(subject, &copy_aad(self.id, which), sealed)?))
                }
                _ => Ok(None),
            }
        };
        let before: Vec<(FieldKey, String)> = match open(&self.before_copy, "before")? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Vec::new(),
        };
        let after: Vec<(FieldKey, Option<String>)> = match open(&self.after_copy, "after")? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Vec::new(),
        };
        let kind = RightKind::parse(&self.case_kind)?;
        let sent_at = Now::from_micros(self.sent_at);
        Ok(NoticeView {
            id: self.id,
            case_reference: self.case_reference,
            kind,
            supplier_name: self.supplier_name,
            order_reference: self.order_reference,
            fields: self
                .fields
                .split(',')
                .filter_map(|f| f.trim().parse().ok())
                .collect(),
            before,
            after,
            restricted: kind == RightKind::Restriction,
            sent_at,
            acknowledged_at: self.acknowledged_at.map(Now::from_micros),
            acknowledged_by: self.acknowledger,
            overdue: skjold_core::rights::notice_overdue(
                sent_at,
                self.acknowledged_at.is_some(),
                now,
            ),
        })
    }
}

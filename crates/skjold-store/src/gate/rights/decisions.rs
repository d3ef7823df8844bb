//! Deciding a rights case: notes beside the data (nothing is overwritten), restriction,
//! removal of misfiled items, and a notice to every recipient of changed data (art. 19).
//! Erasure proper (crypto-shredding) follows the decision, in [`Gate::erase_subject`].

use uuid::Uuid;

use skjold_core::rights::{
    self, Assessment, CaseStatus, Decision, ErasureGround, RectificationJudgement, RightKind,
};
use skjold_core::text::{self, Justification, MIN_NOTE};
use skjold_core::{Actor, Art6Basis, FieldKey, Input, Problem};

use super::*;

/// What a decision leaves for the application to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    /// The citizen's data is to be erased (crypto-shredded) now.
    pub erase: bool,
    /// Recipients told of the change.
    pub notices: usize,
}

/// The current items of a case, sealed, with their fields.
async fn sealed_items(
    tx: &mut Tx,
    case_id: Uuid,
) -> Result<Vec<(Uuid, FieldKey, Vec<u8>)>, StoreError> {
    let rows: Vec<(Uuid, String, Vec<u8>)> = fetch!(
        tx,
        fetch_all,
        (Uuid, String, Vec<u8>),
        "SELECT p.id, p.field_key, p.ciphertext FROM personal_datum p JOIN rights_case_item ci ON ci.datum_id = p.id \
         WHERE ci.case_id = $1 AND p.removed_at IS NULL",
        case_id
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, f, c)| Some((id, f.parse().ok()?, c)))
        .collect())
}

/// Who writes notes beside a case's items, and when.
struct Noting<'a> {
    key: &'a SubjectKey,
    subject: Uuid,
    case_id: Uuid,
    actor: &'a Actor,
    now: Now,
}

impl Noting<'_> {
    /// A note beside an item, sealed.
    async fn add(
        &self,
        tx: &mut Tx,
        datum: Uuid,
        kind: &str,
        note: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::new_v4();
        let sealed = self.key.seal(self.subject, &note_aad(id), note)?;
        execute!(
            tx,
            "INSERT INTO datum_note (id, datum_id, subject_id, case_id, kind, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            datum,
            self.subject,
            self.case_id,
            kind,
            sealed.as_slice(),
            self.actor.user_id,
            self.now.micros()
        )?;
        Ok(id)
    }
}

/// Lifts the restriction a case put on its items while investigating them.
async fn lift_investigation(tx: &mut Tx, case_id: Uuid) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE personal_datum SET restricted = $1, restricted_case = NULL WHERE restricted_case = $2",
        false,
        case_id
    )?;
    Ok(())
}

/// A change to tell the recipients of: the fields, and copies before and after.
struct Change {
    fields: Vec<FieldKey>,
    before: Vec<(FieldKey, String)>,
    after: Vec<(FieldKey, Option<String>)>,
}

impl Change {
    fn new() -> Change {
        Change {
            fields: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
        }
    }
}

/// Removes a case's items (a misfiled item, a partly granted erasure): the value is
/// deleted, the row stays as the record that there was one.
async fn remove_items(
    tx: &mut Tx,
    items: &[(Uuid, FieldKey, Vec<u8>)],
    open: impl Fn(&[u8], FieldKey) -> Result<String, StoreError>,
    now: Now,
) -> Result<Change, StoreError> {
    let mut c = Change::new();
    for (id, field, sealed) in items {
        c.fields.push(*field);
        c.before.push((*field, open(sealed, *field)?));
        c.after.push((*field, None));
        execute!(
            tx,
            "UPDATE personal_datum SET removed_at = $1, ciphertext = $2 WHERE id = $3",
            now.micros(),
            Vec::<u8>::new(),
            *id
        )?;
    }
    Ok(c)
}

impl Gate {
    /// Decides a case, with reasons. The identity must have been checked; a decision fits
    /// the case's kind. A granted erasure on a ground that deletes is refused while the
    /// citizen has an open order (the duty to keep case records).
    pub async fn decide_rights_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        decision: &Decision,
        assessment: Option<&Assessment>,
        reasons: &Justification,
        now: Now,
    ) -> Result<Decided, StoreError> {
        let mut tx = self.db.write().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.open()?;
        if row.status() == CaseStatus::Decided {
            return Err(StoreError::Refused(Problem::CaseDecided));
        }
        if row.identity_checked_at.is_none() {
            return Err(StoreError::Refused(Problem::IdentityNotChecked));
        }
        let kind = row.kind()?;
        if !decision.fits(kind) {
            return Err(StoreError::Refused(Problem::BadOutcome));
        }
        // An objection is weighed, and a request about an automated decision answers the
        // three questions; no other kind carries an assessment.
        match (kind, assessment) {
            (RightKind::Objection | RightKind::AutomatedDecision, Some(a)) => {
                a.check(kind, decision.outcome())?;
            }
            (RightKind::Objection | RightKind::AutomatedDecision, None) | (_, Some(_)) => {
                return Err(StoreError::Refused(Problem::BadOutcome));
            }
            _ => {}
        }
        let subject = row.subject_id;
        let key = self.subject_key(subject).await?;
        let items = sealed_items(&mut tx, case_id).await?;
        let open = |c: &[u8], f: FieldKey| -> Result<String, StoreError> {
            Ok(key.open(subject, f.key(), c)?)
        };
        let noting = Noting {
            key: &key,
            subject,
            case_id,
            actor,
            now,
        };
        let mut change: Option<Change> = None;
        match decision {
            Decision::Rectification(judgement, note) => {
                lift_investigation(&mut tx, case_id).await?;
                match judgement {
                    RectificationJudgement::Incorrect => {
                        let note = text::at_least(Input::RectificationNote, note, MIN_NOTE)?;
                        let mut c = Change::new();
                        for (id, field, sealed) in &items {
                            let note_id = noting.add(&mut tx, *id, "rectification", note).await?;
                            execute!(
                                &mut tx,
                                "UPDATE personal_datum SET incorrect_note = $1 WHERE id = $2",
                                note_id,
                                *id
                            )?;
                            c.fields.push(*field);
                            c.before.push((*field, open(sealed, *field)?));
                            c.after.push((*field, Some(note.to_owned())));
                        }
                        change = Some(c);
                    }
                    RectificationJudgement::Opinion => {
                        let statement = text::at_least(Input::Statement, note, MIN_NOTE)?;
                        for (id, _, _) in &items {
                            noting.add(&mut tx, *id, "statement", statement).await?;
                        }
                    }
                    RectificationJudgement::Misfiled => {
                        change = Some(remove_items(&mut tx, &items, &open, now).await?);
                    }
                    RectificationJudgement::Correct => {}
                }
            }
            Decision::Restriction(outcome, _) if outcome.grants() => {
                let mut c = Change::new();
                for (id, field, sealed) in &items {
                    execute!(
                        &mut tx,
                        "UPDATE personal_datum SET restricted = $1, restricted_case = $2 WHERE id = $3",
                        true,
                        case_id,
                        *id
                    )?;
                    let value = open(sealed, *field)?;
                    c.fields.push(*field);
                    c.before.push((*field, value.clone()));
                    c.after.push((*field, Some(value)));
                }
                change = Some(c);
            }
            Decision::Erasure(outcome, Some(ground)) if outcome.grants() => {
                let open_orders: i64 = scalar!(
                    &mut tx,
                    fetch_one,
                    i64,
                    "SELECT COUNT(*) FROM service_order WHERE subject_id = $1 AND status = 'open'",
                    subject
                )?;
                rights::erasure_allowed(*ground, open_orders > 0)?;
                if *ground == ErasureGround::Unlawful {
                    // Unlawful but not prohibited: out of active processing, kept as evidence.
                    execute!(
                        &mut tx,
                        "UPDATE personal_datum SET restricted = $1, restricted_case = $2 \
                         WHERE subject_id = $3 AND superseded_by IS NULL AND removed_at IS NULL",
                        true,
                        case_id,
                        subject
                    )?;
                } else if decision.deletes() {
                    // The citizen is erased (crypto-shredded) once the letter is made.
                    change = Some(Change {
                        fields: FieldKey::ALL.to_vec(),
                        before: Vec::new(),
                        after: Vec::new(),
                    });
                } else {
                    change = Some(remove_items(&mut tx, &items, &open, now).await?);
                }
            }
            // Portability (art. 20(1)) reaches only data processed on consent or a
            // contract: with none, the request is refused and access offered instead.
            Decision::Other(outcome) if kind == RightKind::Portability && outcome.grants() => {
                let portable: i64 = scalar!(
                    &mut tx,
                    fetch_one,
                    i64,
                    "SELECT COUNT(*) FROM personal_datum p JOIN purpose pu ON pu.id = p.purpose_id \
                     WHERE p.subject_id = $1 AND p.superseded_by IS NULL AND p.removed_at IS NULL \
                     AND pu.art6 IN ($2, $3)",
                    subject,
                    Art6Basis::Consent.key(),
                    Art6Basis::Contract.key()
                )?;
                if portable == 0 {
                    return Err(StoreError::Refused(Problem::NotPortable));
                }
            }
            _ => {}
        }
        let notices = match &change {
            Some(c) => send_notices(&mut tx, &key, &row, c, kind, now).await?,
            None => 0,
        };
        let sealed_reasons = key.seal(subject, &reasons_aad(case_id), reasons.as_str())?;
        let sealed_assessment = assessment
            .map(|a| {
                let json = serde_json::to_string(a)
                    .map_err(|e| StoreError::LogWrite(format!("assessment: {e}")))?;
                Ok::<_, StoreError>(key.seal(subject, &assessment_aad(case_id), &json)?)
            })
            .transpose()?;
        execute!(
            &mut tx,
            "UPDATE rights_case SET status = $1, outcome = $2, ground = $3, reasons = $4, decided_by = $5, \
             decided_at = $6, assessment = $7 WHERE id = $8",
            CaseStatus::Decided.key(),
            decision.outcome().key(),
            decision.ground_key(),
            sealed_reasons.as_slice(),
            actor.user_id,
            now.micros(),
            sealed_assessment.as_deref(),
            case_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(subject),
                format!(
                    "Afgørelse i rettighedssag {}: {}",
                    row.reference,
                    decision.outcome().key()
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(Decided {
            erase: decision.deletes(),
            notices,
        })
    }

    /// The caseworker has reviewed the answer for third parties' data.
    pub async fn review_rights_answer(
        &self,
        actor: &Actor,
        case_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.open()?;
        if row.status() != CaseStatus::Decided {
            return Err(StoreError::Refused(Problem::CaseNotDecided));
        }
        execute!(
            &mut tx,
            "UPDATE rights_case SET reviewed_by = $1, reviewed_at = $2 WHERE id = $3",
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
                format!(
                    "Svar i rettighedssag {} gennemgået for tredjemands oplysninger",
                    row.reference
                ),
            ),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// The citizen has been answered: the letter has gone out. Its SHA-256 goes on the
    /// case, and the letter itself, sealed under the citizen's key, stays for the citizen's
    /// own view (none after an erasure: the key is gone, and the letter with it).
    pub async fn mark_rights_answered(
        &self,
        actor: &Actor,
        case_id: Uuid,
        filename: &str,
        pdf: &[u8],
        now: Now,
    ) -> Result<(), StoreError> {
        let letter_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pdf));
        let wrapped = {
            let mut tx = self.db.read().await?;
            let row = case_row(&mut tx, actor, case_id, now).await?;
            self.wrapped_key(row.subject_id).await?
        };
        let mut tx = self.db.write().await?;
        let row = case_row(&mut tx, actor, case_id, now).await?;
        row.open()?;
        if row.status() != CaseStatus::Decided {
            return Err(StoreError::Refused(Problem::CaseNotDecided));
        }
        execute!(
            &mut tx,
            "UPDATE rights_case SET status = $1, answered_at = $2, letter_sha256 = $3 WHERE id = $4",
            CaseStatus::Answered.key(),
            now.micros(),
            letter_sha256.as_str(),
            case_id
        )?;
        if let Some(wrapped) = wrapped {
            let key = self.keys.unwrap_subject_key(row.subject_id, &wrapped)?;
            let sealed = key.seal_bytes(
                row.subject_id,
                &super::super::citizen_view::letter_aad(case_id),
                pdf,
            )?;
            execute!(
                &mut tx,
                "INSERT INTO rights_letter (case_id, subject_id, filename, pdf, sent_at) VALUES ($1, $2, $3, $4, $5)",
                case_id,
                row.subject_id,
                filename,
                sealed.as_slice(),
                now.micros()
            )?;
        }
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(row.subject_id),
                format!("Svar i rettighedssag {} sendt til borgeren", row.reference),
            ),
            true,
        )
        .await?;
        tx.commit().await
    }
}

/// Tells every recipient of the changed fields (by the ledger), one notice per order.
async fn send_notices(
    tx: &mut Tx,
    key: &SubjectKey,
    row: &CaseRow,
    change: &Change,
    kind: RightKind,
    now: Now,
) -> Result<usize, StoreError> {
    let disclosed: Vec<(Uuid, Uuid, String)> = fetch!(
        &mut *tx,
        fetch_all,
        (Uuid, Uuid, String),
        "SELECT DISTINCT supplier_id, order_id, field_key FROM disclosure WHERE subject_id = $1 \
         AND field_key IS NOT NULL ORDER BY supplier_id, order_id",
        row.subject_id
    )?;
    let mut recipients: Vec<(Uuid, Uuid, Vec<FieldKey>)> = Vec::new();
    for (supplier, order, field) in disclosed {
        let Ok(field) = field.parse::<FieldKey>() else {
            continue;
        };
        if !change.fields.contains(&field) {
            continue;
        }
        match recipients
            .iter_mut()
            .find(|r| r.0 == supplier && r.1 == order)
        {
            Some(r) => r.2.push(field),
            None => recipients.push((supplier, order, vec![field])),
        }
    }
    let erasure = kind == RightKind::Erasure;
    for (supplier, order, fields) in &recipients {
        let id = Uuid::new_v4();
        let (before, after) = if erasure {
            (Vec::new(), Vec::new())
        } else {
            let before: Vec<&(FieldKey, String)> = change
                .before
                .iter()
                .filter(|(f, _)| fields.contains(f))
                .collect();
            let after: Vec<&(FieldKey, Option<String>)> = change
                .after
                .iter()
                .filter(|(f, _)| fields.contains(f))
                .collect();
            (
                key.seal(
                    row.subject_id,
                    &copy_aad(id, "before"),
                    &serde_json::to_string(&before).unwrap_or_default(),
                )?,
                key.seal(
                    row.subject_id,
                    &copy_aad(id, "after"),
                    &serde_json::to_string(&after).unwrap_or_default(),
                )?,
            )
        };
        let keys: Vec<&str> = fields.iter().map(|f| f.key()).collect();
        execute!(
            &mut *tx,
            "INSERT INTO recipient_notice (id, case_id, subject_id, supplier_id, order_id, fields, before_copy, \
             after_copy, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            id,
            row.id,
            row.subject_id,
            *supplier,
            *order,
            keys.join(","),
            before.as_slice(),
            after.as_slice(),
            now.micros()
        )?;
    }
    Ok(recipients.len())
}

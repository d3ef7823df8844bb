//! Data-subject rights (GDPR art. 15–22, DSR-3 … DSR-7, DSR-12): registering a request by
//! any channel, checking identity, extending the deadline with a notice to the citizen,
//! gathering parts from units and suppliers, deciding with reasons, the access answer built
//! from the records ([`answer`]), the letters ([`letters`]), and the recipients' notices.
//!
//! Input is parsed here into core's checked types; the gate authorises, seals and logs.

pub mod answer;
pub mod letters;

use uuid::Uuid;

use skjold_core::error::DateInput;
use skjold_core::rights::{
    AccessQuestions, AccessWish, Art22Exception, Assessment, CaseSummary, CaseView, Decision,
    ErasureGround, IntakeChannel, NewCase, NoticeView, Outcome, RectificationJudgement,
    RestrictionGround, RightKind, ScopeKind, TaskView,
};
use skjold_core::text::Justification;
use skjold_core::{Action, Actor, Date, Input};

use crate::catalogue::parse_date;
use crate::oversight::Export;
use crate::{App, AppError, require};

/// A request as a form or an integration gives it.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub citizen: Uuid,
    pub kind: String,
    /// `YYYY-MM-DD`
    pub received_on: String,
    pub channel: String,
    pub description: String,
    /// For an access request.
    pub access: Option<AccessInput>,
    /// For rectification, restriction or erasure of particular items.
    pub items: Vec<Uuid>,
    /// A rectification request disputing accuracy restricts the items meanwhile.
    pub restrict_while_investigating: bool,
}

/// The answers to the access question model (seed 003 § 4.2).
#[derive(Debug, Clone, Default)]
pub struct AccessInput {
    pub wish: String,
    pub scope: String,
    pub scope_detail: String,
    pub period_from: String,
    pub period_until: String,
    pub remarks: String,
}

/// A decision as a form or an integration gives it; which fields count depends on the
/// case's kind.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    /// An objection's weighing, or the answers about an automated decision.
    pub assessment: AssessmentInput,
    /// `granted`, `partly_granted` or `refused` (all kinds but rectification).
    pub outcome: String,
    /// The erasure or restriction ground.
    pub ground: String,
    /// For rectification: `incorrect`, `correct`, `opinion` or `misfiled`.
    pub judgement: String,
    /// The rectification note, or the citizen's statement beside an opinion.
    pub note: String,
    pub reasons: String,
}

fn optional_date(s: &str, which: DateInput) -> Result<Option<Date>, AppError> {
    match s.trim() {
        "" => Ok(None),
        d => parse_date(d, which).map(Some),
    }
}

impl CaseInput {
    fn parse(&self) -> Result<NewCase, AppError> {
        let kind = RightKind::parse(&self.kind)?;
        let access = match (&self.access, kind) {
            (Some(a), RightKind::Access) => Some(AccessQuestions::new(
                AccessWish::parse(&a.wish)?,
                ScopeKind::parse(&a.scope)?,
                &a.scope_detail,
                (
                    optional_date(&a.period_from, DateInput::From)?,
                    optional_date(&a.period_until, DateInput::Until)?,
                ),
                &a.remarks,
            )?),
            _ => None,
        };
        Ok(NewCase {
            subject_id: self.citizen,
            kind,
            channel: IntakeChannel::parse(&self.channel)?,
            received_on: parse_date(self.received_on.trim(), DateInput::Received)?,
            description: self.description.trim().to_owned(),
            access,
            items: self.items.clone(),
            restrict_while_investigating: self.restrict_while_investigating,
        })
    }
}

/// How an objection was weighed, or the three questions about an automated decision as a
/// form gives them (`yes`/`no`).
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub situation: String,
    pub grounds: String,
    pub decision: String,
    pub solely_automated: String,
    pub significant_effects: String,
    /// `contract`, `law` or `explicit_consent`, or empty.
    pub exception: String,
    pub safeguards: String,
}

impl AssessmentInput {
    fn parse(&self, kind: RightKind) -> Result<Option<Assessment>, AppError> {
        let answer = |a: &str| match a.trim() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(AppError::Refused(skjold_core::Problem::FieldsRequired)),
        };
        Ok(match kind {
            RightKind::Objection => Some(Assessment::Objection {
                situation: self.situation.trim().to_owned(),
                grounds: self.grounds.trim().to_owned(),
            }),
            RightKind::AutomatedDecision => Some(Assessment::AutomatedDecision {
                decision: answer(&self.decision)?,
                solely_automated: answer(&self.solely_automated)?,
                significant_effects: answer(&self.significant_effects)?,
                exception: match self.exception.trim() {
                    "" => None,
                    e => Some(Art22Exception::parse(e).ok_or(skjold_core::Problem::BadOutcome)?),
                },
                safeguards: self.safeguards.trim().to_owned(),
            }),
            _ => None,
        })
    }
}

impl DecisionInput {
    fn parse(
        &self,
        kind: RightKind,
    ) -> Result<(Decision, Option<Assessment>, Justification), AppError> {
        let reasons = Justification::parse(Input::DecisionReasons, &self.reasons)?;
        let decision = match kind {
            RightKind::Access => Decision::Access(Outcome::parse(&self.outcome)?),
            RightKind::Rectification => Decision::Rectification(
                RectificationJudgement::parse(&self.judgement)?,
                self.note.clone(),
            ),
            RightKind::Restriction => Decision::Restriction(
                Outcome::parse(&self.outcome)?,
                RestrictionGround::parse(&self.ground)?,
            ),
            RightKind::Erasure => {
                let ground = match self.ground.trim() {
                    "" => None,
                    g => Some(ErasureGround::parse(g)?),
                };
                Decision::Erasure(Outcome::parse(&self.outcome)?, ground)
            }
            RightKind::Portability | RightKind::Objection | RightKind::AutomatedDecision => {
                Decision::Other(Outcome::parse(&self.outcome)?)
            }
        };
        let assessment = self.assessment.parse(kind)?;
        if let Some(a) = &assessment {
            a.check(kind, decision.outcome())?;
        }
        Ok((decision, assessment, reasons))
    }
}

impl App {
    /// Registers a request, by any channel. Returns the case's id and reference.
    pub async fn open_rights_case(
        &self,
        actor: &Actor,
        input: &CaseInput,
    ) -> Result<(Uuid, String), AppError> {
        require(actor, Action::HandleRights)?;
        let case = input.parse()?;
        Ok(self
            .store()
            .gate()
            .open_rights_case(actor, &case, self.now())
            .await?)
    }

    /// The cases the actor works or oversees: overdue first, then due within a week.
    pub async fn rights_cases(&self, actor: &Actor) -> Result<Vec<CaseSummary>, AppError> {
        Ok(self.store().gate().rights_cases(actor, self.now()).await?)
    }

    /// A case, its texts opened (logged).
    /// An erased citizen's case tells when the key leaves the key store's backups.
    pub async fn rights_case(&self, actor: &Actor, case_id: Uuid) -> Result<CaseView, AppError> {
        let mut view = self
            .store()
            .gate()
            .rights_case(actor, case_id, self.now())
            .await?;
        view.key_gone_by = view.erased_at.map(|at| self.key_backups_gone_by(at));
        Ok(view)
    }

    /// Records how the requester's identity was checked.
    pub async fn check_rights_identity(
        &self,
        actor: &Actor,
        case_id: Uuid,
        method: &str,
    ) -> Result<(), AppError> {
        require(actor, Action::HandleRights)?;
        Ok(self
            .store()
            .gate()
            .check_rights_identity(actor, case_id, method, self.now())
            .await?)
    }

    /// Extends the deadline by one or two months with a reason, before the first deadline,
    /// and sends the citizen the notice.
    pub async fn extend_rights_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        months: i32,
        reason: &str,
    ) -> Result<Date, AppError> {
        require(actor, Action::HandleRights)?;
        let until = self
            .store()
            .gate()
            .extend_rights_case(actor, case_id, months, reason, self.now())
            .await?;
        self.send_extension_notice(actor, case_id).await?;
        Ok(until)
    }

    /// Decides a case, with reasons. A granted rectification, restriction or erasure tells
    /// every recipient in the ledger; a granted erasure then erases the citizen's data.
    pub async fn decide_rights_case(
        &self,
        actor: &Actor,
        case_id: Uuid,
        input: &DecisionInput,
    ) -> Result<(), AppError> {
        require(actor, Action::HandleRights)?;
        let gate = self.store().gate();
        let summary = gate.rights_case_summary(actor, case_id, self.now()).await?;
        let (decision, assessment, reasons) = input.parse(summary.kind)?;
        let decided = gate
            .decide_rights_case(
                actor,
                case_id,
                &decision,
                assessment.as_ref(),
                &reasons,
                self.now(),
            )
            .await?;
        if decided.erase {
            let view = self.rights_case(actor, case_id).await?;
            self.answer_case(actor, view).await?;
        }
        Ok(())
    }

    /// The parts of gathered answers waiting on the actor's unit or supplier.
    pub async fn rights_tasks(&self, actor: &Actor) -> Result<Vec<TaskView>, AppError> {
        Ok(self.store().gate().rights_tasks(actor).await?)
    }

    /// A unit's or supplier's part of a gathered answer.
    pub async fn contribute_to_rights_case(
        &self,
        actor: &Actor,
        task_id: Uuid,
        contribution: &str,
    ) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .contribute_to_rights_case(actor, task_id, contribution, self.now())
            .await?)
    }

    /// The notices of changes sent to the actor's supplier (art. 19).
    pub async fn supplier_notices(&self, actor: &Actor) -> Result<Vec<NoticeView>, AppError> {
        Ok(self
            .store()
            .gate()
            .supplier_notices(actor, self.now())
            .await?)
    }

    /// The supplier acknowledges a notice.
    pub async fn acknowledge_notice(&self, actor: &Actor, notice_id: Uuid) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .acknowledge_notice(actor, notice_id, self.now())
            .await?)
    }

    /// Every case of the municipality as CSV, for the privacy officer: reference, kind,
    /// unit, received, deadline, status, outcome, overdue notices. No citizen's data.
    pub async fn export_rights_cases(&self, actor: &Actor) -> Result<Export, AppError> {
        require(actor, Action::OverseeRights)?;
        let cases = self.rights_cases(actor).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut write = |row: [String; 10]| w.write_record(row.iter().map(|v| formula_safe(v)));
        let header = [
            "reference",
            "kind",
            "unit",
            "received_on",
            "due",
            "extended",
            "status",
            "outcome",
            "urgency",
            "overdue_notices",
        ];
        write(header.map(str::to_owned)).map_err(csv_error)?;
        for c in cases {
            write([
                c.reference,
                c.kind.key().to_owned(),
                c.unit_name,
                c.received_on.to_string(),
                c.due.to_string(),
                c.extended.to_string(),
                c.status.key().to_owned(),
                c.outcome.map(|o| o.key().to_owned()).unwrap_or_default(),
                c.urgency.key().to_owned(),
                c.overdue_notices.to_string(),
            ])
            .map_err(csv_error)?;
        }
        Ok(Export {
            filename: "rettighedssager.csv",
            content_type: "text/csv; charset=utf-8",
            bytes: w
                .into_inner()
                .map_err(|e| csv_error(e.into_error().into()))?,
        })
    }
}

/// A field a spreadsheet will not read as a formula (a unit's name is typed by people).
/// A cell a spreadsheet would take as a formula, quoted so that it stays text.
pub(crate) fn formula_safe(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_owned()
    }
}

fn csv_error(e: csv::Error) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

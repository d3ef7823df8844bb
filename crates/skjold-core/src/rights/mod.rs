//! Data-subject rights (GDPR art. 15–22; REQUIREMENTS DSR-3 … DSR-7, DSR-12; the binding
//! procedure of seed 003): the kinds of request, the question model that picks the regime
//! most favourable to the citizen, the deadline of one month and its extension, the grounds
//! of erasure and restriction, and what a decision must carry.
//!
//! Everything here is pure and takes its dates as parameters (DESIGN.md wall 6).

mod views;

pub use views::*;

use serde::Serialize;

use crate::error::{Input, Problem};
use crate::text::{self, Justification};
use crate::time::{Date, Timestamp};

/// What the citizen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    /// Art. 15: insight in one's own data.
    Access,
    /// Art. 16: incorrect data corrected.
    Rectification,
    /// Art. 17: data erased.
    Erasure,
    /// Art. 18: processing restricted.
    Restriction,
    /// Art. 20: one's data in a machine-readable form.
    Portability,
    /// Art. 21: objection to processing.
    Objection,
    /// Art. 22: a decision not based solely on automated processing.
    AutomatedDecision,
}

impl RightKind {
    pub const ALL: [RightKind; 7] = [
        RightKind::Access,
        RightKind::Rectification,
        RightKind::Erasure,
        RightKind::Restriction,
        RightKind::Portability,
        RightKind::Objection,
        RightKind::AutomatedDecision,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RightKind::Access => "access",
            RightKind::Rectification => "rectification",
            RightKind::Erasure => "erasure",
            RightKind::Restriction => "restriction",
            RightKind::Portability => "portability",
            RightKind::Objection => "objection",
            RightKind::AutomatedDecision => "automated_decision",
        }
    }

    pub fn parse(s: &str) -> Result<RightKind, Problem> {
        RightKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or(Problem::BadRightKind)
    }

    /// Whether a granted decision of this kind changes the data, so that every recipient
    /// of it must be told (art. 19).
    pub fn notifies_recipients(self) -> bool {
        matches!(
            self,
            RightKind::Rectification | RightKind::Erasure | RightKind::Restriction
        )
    }
}

/// How the request reached the municipality. The request form is offered, never required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeChannel {
    Form,
    Letter,
    Email,
    DigitalPost,
    Phone,
    InPerson,
    /// Filed by the citizen in their own view, signed in with MitID.
    Online,
}

impl IntakeChannel {
    /// The channels staff register a request from; an online request is filed by the
    /// citizen themselves, never registered as one.
    pub const ALL: [IntakeChannel; 6] = [
        IntakeChannel::Form,
        IntakeChannel::Letter,
        IntakeChannel::Email,
        IntakeChannel::DigitalPost,
        IntakeChannel::Phone,
        IntakeChannel::InPerson,
    ];

    pub fn key(self) -> &'static str {
        match self {
            IntakeChannel::Form => "form",
            IntakeChannel::Letter => "letter",
            IntakeChannel::Email => "email",
            IntakeChannel::DigitalPost => "digital_post",
            IntakeChannel::Phone => "phone",
            IntakeChannel::InPerson => "in_person",
            IntakeChannel::Online => "online",
        }
    }

    /// A channel staff register a request from.
    pub fn parse(s: &str) -> Result<IntakeChannel, Problem> {
        IntakeChannel::ALL
            .into_iter()
            .find(|c| c.key() == s.trim())
            .ok_or(Problem::BadIntakeChannel)
    }

    /// Any channel, as a case records it (the online one too).
    pub fn recorded(s: &str) -> Result<IntakeChannel, Problem> {
        match s {
            "online" => Ok(IntakeChannel::Online),
            other => IntakeChannel::parse(other),
        }
    }
}

/// The first, compulsory question of the access model (seed 003 § 4.2, 1): what the
/// citizen wants to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessWish {
    /// 1.a: what is registered about me in one case, and nothing else of the case.
    MyDataInACase,
    /// 1.b: what is registered about me more widely (an administration).
    MyDataBroadly,
    /// 1.c: the case as a whole, where I have data registered.
    WholeCase,
    /// Information in a case that is not necessarily registered about me: a request for
    /// access to documents (aktindsigt), not a GDPR access request.
    CaseDocuments,
}

impl AccessWish {
    pub const ALL: [AccessWish; 4] = [
        AccessWish::MyDataInACase,
        AccessWish::MyDataBroadly,
        AccessWish::WholeCase,
        AccessWish::CaseDocuments,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AccessWish::MyDataInACase => "my_data_in_a_case",
            AccessWish::MyDataBroadly => "my_data_broadly",
            AccessWish::WholeCase => "whole_case",
            AccessWish::CaseDocuments => "case_documents",
        }
    }

    pub fn parse(s: &str) -> Result<AccessWish, Problem> {
        AccessWish::ALL
            .into_iter()
            .find(|w| w.key() == s.trim())
            .ok_or(Problem::BadAccessWish)
    }

    /// The rules the request is handled under: always the set most favourable to the
    /// citizen (seed 003 § 4.1).
    pub fn regime(self) -> Regime {
        match self {
            AccessWish::MyDataInACase => Regime::Gdpr,
            AccessWish::MyDataBroadly => Regime::GdprAndPublicRecords,
            AccessWish::WholeCase => Regime::GdprPublicAdministrationAndPublicRecords,
            AccessWish::CaseDocuments => Regime::PublicAdministrationAndPublicRecords,
        }
    }
}

/// The rules an access request is handled under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// The GDPR alone.
    Gdpr,
    /// The GDPR and the Access to Public Records Act.
    GdprAndPublicRecords,
    /// The GDPR, the Public Administration Act and the Access to Public Records Act: a
    /// request for a whole case.
    GdprPublicAdministrationAndPublicRecords,
    /// Access to documents under the Public Administration Act and the Access to Public
    /// Records Act: not a GDPR access request.
    PublicAdministrationAndPublicRecords,
}

impl Regime {
    pub fn key(self) -> &'static str {
        match self {
            Regime::Gdpr => "gdpr",
            Regime::GdprAndPublicRecords => "gdpr_public_records",
            Regime::GdprPublicAdministrationAndPublicRecords => {
                "gdpr_public_administration_public_records"
            }
            Regime::PublicAdministrationAndPublicRecords => "public_administration_public_records",
        }
    }

    pub fn parse(s: &str) -> Option<Regime> {
        [
            Regime::Gdpr,
            Regime::GdprAndPublicRecords,
            Regime::GdprPublicAdministrationAndPublicRecords,
            Regime::PublicAdministrationAndPublicRecords,
        ]
        .into_iter()
        .find(|r| r.key() == s)
    }

    /// A request for a whole case under the Public Administration Act, flagged as such.
    pub fn whole_case(self) -> bool {
        matches!(
            self,
            Regime::GdprPublicAdministrationAndPublicRecords
                | Regime::PublicAdministrationAndPublicRecords
        )
    }
}

/// The second, compulsory question (seed 003 § 4.2, 2): where the data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Case,
    Institution,
    Area,
    Administration,
    Other,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 5] = [
        ScopeKind::Case,
        ScopeKind::Institution,
        ScopeKind::Area,
        ScopeKind::Administration,
        ScopeKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ScopeKind::Case => "case",
            ScopeKind::Institution => "institution",
            ScopeKind::Area => "area",
            ScopeKind::Administration => "administration",
            ScopeKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<ScopeKind, Problem> {
        ScopeKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or(Problem::BadScope)
    }

    /// Wider than one case: the answer is gathered from every unit in scope and every
    /// supplier that received the citizen's data (seed 003 § 4.3).
    pub fn gathers(self) -> bool {
        self != ScopeKind::Case
    }
}

/// The answers to the access question model; the last two are voluntary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessQuestions {
    pub wish: AccessWish,
    pub scope: ScopeKind,
    /// Which case, institution, area or administration, or what else.
    pub scope_detail: String,
    pub period_from: Option<Date>,
    pub period_until: Option<Date>,
    pub remarks: String,
}

impl AccessQuestions {
    /// The answers, checked: a period runs forwards, texts are bounded.
    pub fn new(
        wish: AccessWish,
        scope: ScopeKind,
        scope_detail: &str,
        period: (Option<Date>, Option<Date>),
        remarks: &str,
    ) -> Result<AccessQuestions, Problem> {
        let scope_detail = text::line(Input::ScopeDetail, scope_detail)?.to_owned();
        let remarks = text::text(Input::Remarks, remarks, text::MAX_TEXT)?.to_owned();
        if let (Some(from), Some(until)) = period
            && until < from
        {
            return Err(Problem::PeriodBackwards);
        }
        Ok(AccessQuestions {
            wish,
            scope,
            scope_detail,
            period_from: period.0,
            period_until: period.1,
            remarks,
        })
    }

    pub fn regime(&self) -> Regime {
        self.wish.regime()
    }
}

/// How long the municipality has: one month from receipt (DSR-12).
pub const ANSWER_MONTHS: i32 = 1;
/// The longest extension, with a reason and a notice sent before the first deadline.
pub const MAX_EXTENSION_MONTHS: i32 = 2;
/// A case due within this many days heads the list.
pub const DUE_SOON_DAYS: i32 = 7;
/// A recipient's notice not acknowledged within this many days is shown for follow-up.
pub const NOTICE_ACK_DAYS: i32 = 14;
/// A unit's or supplier's part of a gathered answer is due this many days after the
/// request reached the municipality, well inside the month.
pub const TASK_DAYS: i32 = 14;

/// The deadline of a request received on `received`: the same day a month later, or the
/// month's last day when it has no such day (31 January + 1 month = 28/29 February).
pub fn deadline(received: Date) -> Date {
    received.plus_months(ANSWER_MONTHS)
}

/// When a gathered part is due.
pub fn task_deadline(received: Date) -> Date {
    received.plus_days(TASK_DAYS).min(deadline(received))
}

/// An extension of `months` more months, decided on `today`: with a written reason, at
/// most two months, and only while the first deadline has not passed (the citizen must be
/// told before it).
pub fn extend(
    received: Date,
    already_extended: bool,
    months: i32,
    reason: &str,
    today: Date,
) -> Result<(Date, Justification), Problem> {
    if already_extended {
        return Err(Problem::AlreadyExtended);
    }
    if !(1..=MAX_EXTENSION_MONTHS).contains(&months) {
        return Err(Problem::ExtensionTooLong {
            max: MAX_EXTENSION_MONTHS,
        });
    }
    if today > deadline(received) {
        return Err(Problem::ExtensionTooLate);
    }
    let reason = Justification::parse(Input::ExtensionReason, reason)?;
    Ok((received.plus_months(ANSWER_MONTHS + months), reason))
}

/// How pressing an open case is, for ordering the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    DueSoon,
    OnTime,
    /// Answered or closed.
    Done,
}

impl Urgency {
    pub fn key(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::DueSoon => "due_soon",
            Urgency::OnTime => "on_time",
            Urgency::Done => "done",
        }
    }
}

pub fn urgency(due: Date, open: bool, today: Date) -> Urgency {
    if !open {
        Urgency::Done
    } else if today > due {
        Urgency::Overdue
    } else if due <= today.plus_days(DUE_SOON_DAYS) {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Registered; identity and scope being settled.
    Received,
    /// Parts asked of units and suppliers; waiting for them.
    Gathering,
    /// Decided; the answer awaits review of third parties' data and sending.
    Decided,
    /// The citizen has been answered.
    Answered,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Received,
        CaseStatus::Gathering,
        CaseStatus::Decided,
        CaseStatus::Answered,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::Gathering => "gathering",
            CaseStatus::Decided => "decided",
            CaseStatus::Answered => "answered",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.key() == s)
    }

    pub fn open(self) -> bool {
        self != CaseStatus::Answered
    }
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Granted,
    PartlyGranted,
    Refused,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::PartlyGranted => "partly_granted",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Result<Outcome, Problem> {
        [Outcome::Granted, Outcome::PartlyGranted, Outcome::Refused]
            .into_iter()
            .find(|o| o.key() == s.trim())
            .ok_or(Problem::BadOutcome)
    }

    pub fn grants(self) -> bool {
        self != Outcome::Refused
    }
}

/// Art. 17(1): the grounds for erasure (seed 003 § 6.1.1–6.1.5). A request without a
/// ground is handled as an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureGround {
    NoLongerNeeded,
    ConsentWithdrawn,
    Objection,
    /// Processed unlawfully: rectified and kept as evidence, unless processed against an
    /// explicit prohibition.
    Unlawful,
    /// Processed against an explicit prohibition in law: deleted.
    Prohibited,
    LegalObligation,
}

impl ErasureGround {
    pub const ALL: [ErasureGround; 6] = [
        ErasureGround::NoLongerNeeded,
        ErasureGround::ConsentWithdrawn,
        ErasureGround::Objection,
        ErasureGround::Unlawful,
        ErasureGround::Prohibited,
        ErasureGround::LegalObligation,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ErasureGround::NoLongerNeeded => "no_longer_needed",
            ErasureGround::ConsentWithdrawn => "consent_withdrawn",
            ErasureGround::Objection => "objection",
            ErasureGround::Unlawful => "unlawful",
            ErasureGround::Prohibited => "prohibited",
            ErasureGround::LegalObligation => "legal_obligation",
        }
    }

    pub fn parse(s: &str) -> Result<ErasureGround, Problem> {
        ErasureGround::ALL
            .into_iter()
            .find(|g| g.key() == s.trim())
            .ok_or(Problem::BadErasureGround)
    }

    /// Whether a granted request on this ground really deletes (crypto-shreds): data that
    /// was merely unlawful is rectified and kept as evidence instead.
    pub fn deletes(self) -> bool {
        self != ErasureGround::Unlawful
    }
}

/// Art. 18(1): the grounds for restriction (seed 003 § 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionGround {
    /// The accuracy is disputed: restricted for the days of the investigation.
    AccuracyDisputed,
    /// Unlawful, and the citizen wants it restricted rather than erased.
    UnlawfulNotErased,
    /// No longer needed, but needed for a legal claim.
    LegalClaims,
    /// An objection is being weighed.
    ObjectionPending,
}

impl RestrictionGround {
    pub const ALL: [RestrictionGround; 4] = [
        RestrictionGround::AccuracyDisputed,
        RestrictionGround::UnlawfulNotErased,
        RestrictionGround::LegalClaims,
        RestrictionGround::ObjectionPending,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RestrictionGround::AccuracyDisputed => "accuracy_disputed",
            RestrictionGround::UnlawfulNotErased => "unlawful_not_erased",
            RestrictionGround::LegalClaims => "legal_claims",
            RestrictionGround::ObjectionPending => "objection_pending",
        }
    }

    pub fn parse(s: &str) -> Result<RestrictionGround, Problem> {
        RestrictionGround::ALL
            .into_iter()
            .find(|g| g.key() == s.trim())
            .ok_or(Problem::BadRestrictionGround)
    }
}

/// How a rectification request was judged (seed 003 § 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RectificationJudgement {
    /// The data is incorrect: it is marked so, with a pointer to the rectification note;
    /// nothing is overwritten.
    Incorrect,
    /// The data is correct: the request, the answer and the reasons go on the case.
    Correct,
    /// An opinion or an external assessment: a fact of who said what; the citizen's
    /// statement is added beside it.
    Opinion,
    /// Filed on the citizen by mistake: removed.
    Misfiled,
}

impl RectificationJudgement {
    pub const ALL: [RectificationJudgement; 4] = [
        RectificationJudgement::Incorrect,
        RectificationJudgement::Correct,
        RectificationJudgement::Opinion,
        RectificationJudgement::Misfiled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RectificationJudgement::Incorrect => "incorrect",
            RectificationJudgement::Correct => "correct",
            RectificationJudgement::Opinion => "opinion",
            RectificationJudgement::Misfiled => "misfiled",
        }
    }

    pub fn parse(s: &str) -> Result<RectificationJudgement, Problem> {
        RectificationJudgement::ALL
            .into_iter()
            .find(|j| j.key() == s.trim())
            .ok_or(Problem::BadJudgement)
    }

    /// The outcome the citizen is told.
    pub fn outcome(self) -> Outcome {
        match self {
            RectificationJudgement::Incorrect | RectificationJudgement::Misfiled => {
                Outcome::Granted
            }
            RectificationJudgement::Correct | RectificationJudgement::Opinion => Outcome::Refused,
        }
    }
}

/// A request to register, checked.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub subject_id: uuid::Uuid,
    pub kind: RightKind,
    pub channel: IntakeChannel,
    pub received_on: Date,
    /// What the citizen asked, in the caseworker's words or the citizen's.
    pub description: String,
    /// For an access request: the answers to the question model.
    pub access: Option<AccessQuestions>,
    /// For rectification, restriction or erasure of particular items: which.
    pub items: Vec<uuid::Uuid>,
    /// A rectification request that disputes the data's accuracy restricts it while the
    /// case is investigated (art. 18(1)(a)), unless the dispute is obviously unfounded.
    pub restrict_while_investigating: bool,
}

impl NewCase {
    /// Checks what does not need the records: the date is not in the future, the
    /// description is bounded, an access request has its answers.
    pub fn check(&self, today: Date) -> Result<(), Problem> {
        if self.received_on > today {
            return Err(Problem::ReceivedInFuture);
        }
        text::text(Input::RequestDescription, &self.description, text::MAX_TEXT)?;
        if self.kind == RightKind::Access && self.access.is_none() {
            return Err(Problem::BadAccessWish);
        }
        if matches!(self.kind, RightKind::Rectification | RightKind::Restriction)
            && self.items.is_empty()
        {
            return Err(Problem::ItemsRequired);
        }
        Ok(())
    }
}

/// What a caseworker decided on a case, by kind of right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Access(Outcome),
    /// With the rectification note (incorrect data) or the citizen's statement (an opinion).
    Rectification(RectificationJudgement, String),
    Restriction(Outcome, RestrictionGround),
    /// Without a ground, the request is handled as an objection.
    Erasure(Outcome, Option<ErasureGround>),
    /// Portability, objection, automated decision.
    Other(Outcome),
}

impl Decision {
    pub fn outcome(&self) -> Outcome {
        match self {
            Decision::Access(o) | Decision::Restriction(o, _) | Decision::Erasure(o, _) => *o,
            Decision::Rectification(j, _) => j.outcome(),
            Decision::Other(o) => *o,
        }
    }

    /// The ground or judgement recorded with the decision.
    pub fn ground_key(&self) -> Option<&'static str> {
        match self {
            Decision::Rectification(j, _) => Some(j.key()),
            Decision::Restriction(_, g) => Some(g.key()),
            Decision::Erasure(_, Some(g)) => Some(g.key()),
            Decision::Erasure(_, None) => Some(ErasureGround::Objection.key()),
            Decision::Access(_) | Decision::Other(_) => None,
        }
    }

    /// Whether this decision fits a case of `kind`.
    pub fn fits(&self, kind: RightKind) -> bool {
        matches!(
            (self, kind),
            (Decision::Access(_), RightKind::Access)
                | (Decision::Rectification(..), RightKind::Rectification)
                | (Decision::Restriction(..), RightKind::Restriction)
                | (Decision::Erasure(..), RightKind::Erasure)
                | (
                    Decision::Other(_),
                    RightKind::Portability | RightKind::Objection | RightKind::AutomatedDecision
                )
        )
    }

    /// Whether the decision changes the data, so that the recipients must be told.
    pub fn changes_data(&self) -> bool {
        match self {
            Decision::Rectification(j, _) => matches!(
                j,
                RectificationJudgement::Incorrect | RectificationJudgement::Misfiled
            ),
            Decision::Restriction(o, _) => o.grants(),
            Decision::Erasure(o, g) => o.grants() && g.is_some_and(ErasureGround::deletes),
            Decision::Access(_) | Decision::Other(_) => false,
        }
    }

    /// Whether the erasure is of the citizen, all their data (crypto-shredding): granted
    /// in full on a ground that deletes. Partly granted, the case's items are removed.
    pub fn deletes(&self) -> bool {
        matches!(self, Decision::Erasure(Outcome::Granted, Some(g)) if g.deletes())
    }
}

/// The duty to keep case records (the Access to Public Records Act §§ 13 and 15): a
/// citizen whose case is open is not erased on the grounds the citizen can invoke; an
/// explicit prohibition or a legal duty to delete goes before it.
pub fn erasure_allowed(ground: ErasureGround, open_case: bool) -> Result<(), Problem> {
    match ground {
        ErasureGround::Prohibited | ErasureGround::LegalObligation | ErasureGround::Unlawful => {
            Ok(())
        }
        _ if open_case => Err(Problem::DutyToKeepRecords),
        _ => Ok(()),
    }
}

/// How the requester's identity was checked (the request may ask for what is needed).
pub fn identity_method(method: &str) -> Result<&str, Problem> {
    text::required_line(Input::IdentityMethod, method)
}

/// A recipient's notice is overdue for acknowledgement.
pub fn notice_overdue(sent_at: Timestamp, acknowledged: bool, now: Timestamp) -> bool {
    !acknowledged && now > sent_at.plus_seconds(i64::from(NOTICE_ACK_DAYS) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_ymd(y, m, day).expect("date")
    }

    #[test]
    fn one_month_ends_on_the_months_last_day_when_it_must() {
        assert_eq!(deadline(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(deadline(d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(deadline(d(2026, 3, 31)), d(2026, 4, 30));
        assert_eq!(deadline(d(2026, 11, 23)), d(2026, 12, 23));
        assert_eq!(deadline(d(2026, 12, 15)), d(2027, 1, 15));
    }

    #[test]
    fn an_extension_needs_a_reason_and_comes_before_the_deadline() {
        let received = d(2026, 1, 31);
        let (until, _) = extend(
            received,
            false,
            2,
            "Anmodningen omfatter fem forvaltninger",
            d(2026, 2, 20),
        )
        .expect("extended");
        assert_eq!(until, d(2026, 4, 30));
        assert_eq!(
            extend(received, false, 2, "for kort", d(2026, 2, 20)).err(),
            Some(Problem::TooShort {
                input: Input::ExtensionReason,
                min: crate::text::MIN_JUSTIFICATION
            })
        );
        assert_eq!(
            extend(
                received,
                false,
                1,
                "Anmodningen omfatter fem forvaltninger",
                d(2026, 3, 1)
            )
            .err(),
            Some(Problem::ExtensionTooLate)
        );
        assert_eq!(
            extend(
                received,
                false,
                3,
                "Anmodningen omfatter fem forvaltninger",
                d(2026, 2, 1)
            )
            .err(),
            Some(Problem::ExtensionTooLong { max: 2 })
        );
        assert_eq!(
            extend(
                received,
                true,
                1,
                "Anmodningen omfatter fem forvaltninger",
                d(2026, 2, 1)
            )
            .err(),
            Some(Problem::AlreadyExtended)
        );
    }

    #[test]
    fn overdue_and_due_soon_head_the_list() {
        let today = d(2026, 11, 30);
        assert_eq!(urgency(d(2026, 11, 29), true, today), Urgency::Overdue);
        assert_eq!(urgency(d(2026, 12, 7), true, today), Urgency::DueSoon);
        assert_eq!(urgency(d(2026, 12, 8), true, today), Urgency::OnTime);
        assert_eq!(urgency(d(2026, 11, 1), false, today), Urgency::Done);
        assert!(Urgency::Overdue < Urgency::DueSoon && Urgency::DueSoon < Urgency::OnTime);
    }

    #[test]
    fn the_question_model_picks_the_most_favourable_regime() {
        assert_eq!(AccessWish::MyDataInACase.regime(), Regime::Gdpr);
        assert_eq!(
            AccessWish::MyDataBroadly.regime(),
            Regime::GdprAndPublicRecords
        );
        assert!(AccessWish::WholeCase.regime().whole_case());
        assert!(AccessWish::CaseDocuments.regime().whole_case());
        assert!(!AccessWish::MyDataBroadly.regime().whole_case());
        assert!(ScopeKind::Administration.gathers());
        assert!(!ScopeKind::Case.gathers());
        assert_eq!(
            AccessQuestions::new(
                AccessWish::MyDataBroadly,
                ScopeKind::Area,
                "Beskæftigelse",
                (Some(d(2026, 5, 1)), Some(d(2026, 1, 1))),
                ""
            )
            .err(),
            Some(Problem::PeriodBackwards)
        );
    }

    #[test]
    fn unlawful_data_is_kept_as_evidence_prohibited_data_is_deleted() {
        assert!(!ErasureGround::Unlawful.deletes());
        assert!(ErasureGround::Prohibited.deletes());
        assert!(ErasureGround::ConsentWithdrawn.deletes());
        assert_eq!(RectificationJudgement::Opinion.outcome(), Outcome::Refused);
        assert_eq!(RectificationJudgement::Misfiled.outcome(), Outcome::Granted);
        assert!(RightKind::Restriction.notifies_recipients());
        assert!(!RightKind::Access.notifies_recipients());
    }

    #[test]
    fn an_open_case_is_kept_unless_the_law_says_delete() {
        assert_eq!(
            erasure_allowed(ErasureGround::NoLongerNeeded, true),
            Err(Problem::DutyToKeepRecords)
        );
        assert_eq!(
            erasure_allowed(ErasureGround::NoLongerNeeded, false),
            Ok(())
        );
        assert_eq!(erasure_allowed(ErasureGround::Prohibited, true), Ok(()));
        let granted = Decision::Erasure(Outcome::Granted, Some(ErasureGround::ConsentWithdrawn));
        assert!(granted.deletes() && granted.changes_data());
        let unlawful = Decision::Erasure(Outcome::Granted, Some(ErasureGround::Unlawful));
        assert!(!unlawful.deletes());
        let objection = Decision::Erasure(Outcome::Refused, None);
        assert_eq!(objection.ground_key(), Some("objection"));
        assert!(Decision::Other(Outcome::Granted).fits(RightKind::Portability));
        assert!(!Decision::Access(Outcome::Granted).fits(RightKind::Erasure));
    }

    #[test]
    fn a_notice_is_overdue_after_fourteen_days() {
        let sent = Timestamp::from_micros(0);
        let later = |days: i64| Timestamp::from_micros(days * 86_400 * 1_000_000);
        assert!(!notice_overdue(sent, false, later(14)));
        assert!(notice_overdue(sent, false, later(15)));
        assert!(!notice_overdue(sent, true, later(30)));
    }
}

/// How an objection or a request about an automated decision was weighed, recorded with
/// the decision (DSR-9, DSR-10) and shown in the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Assessment {
    /// Art. 21(1): the citizen's particular situation against the municipality's compelling
    /// legitimate grounds for the processing.
    Objection { situation: String, grounds: String },
    /// Art. 22(1)'s three questions: is there a decision, is it based solely on automated
    /// processing, does it have legal or similarly significant effects? Only when all three
    /// are yes does art. 22 apply; then the decision stands only on an exception of
    /// art. 22(2), with the safeguards of art. 22(3).
    AutomatedDecision {
        decision: bool,
        solely_automated: bool,
        significant_effects: bool,
        exception: Option<Art22Exception>,
        safeguards: String,
    },
}

/// The exceptions of art. 22(2) under which a decision based solely on automated
/// processing may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Art22Exception {
    /// (a) necessary for a contract with the citizen.
    Contract,
    /// (b) authorised by law, with suitable safeguards.
    Law,
    /// (c) the citizen's explicit consent.
    ExplicitConsent,
}

impl Art22Exception {
    pub const ALL: [Art22Exception; 3] = [
        Art22Exception::Contract,
        Art22Exception::Law,
        Art22Exception::ExplicitConsent,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Art22Exception::Contract => "contract",
            Art22Exception::Law => "law",
            Art22Exception::ExplicitConsent => "explicit_consent",
        }
    }

    pub fn parse(s: &str) -> Option<Art22Exception> {
        Art22Exception::ALL
            .into_iter()
            .find(|e| e.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            Art22Exception::Contract => {
                "nødvendig for at indgå eller opfylde en kontrakt med dig (artikel 22, stk. 2, litra a)"
            }
            Art22Exception::Law => {
                "hjemlet i lov med passende garantier (artikel 22, stk. 2, litra b)"
            }
            Art22Exception::ExplicitConsent => {
                "baseret på dit udtrykkelige samtykke (artikel 22, stk. 2, litra c)"
            }
        }
    }
}

/// The shortest weighing or safeguard text that says something.
const MIN_WEIGHING: usize = 10;

impl Assessment {
    /// Whether art. 22 applies: all three questions answered yes.
    pub fn art22_applies(&self) -> bool {
        matches!(
            self,
            Assessment::AutomatedDecision {
                decision: true,
                solely_automated: true,
                significant_effects: true,
                ..
            }
        )
    }

    /// Checks the assessment against the decision: an objection is weighed in words on
    /// both sides; where art. 22 applies and the decision stands (the request refused), it
    /// names its exception and the safeguards.
    pub fn check(&self, kind: RightKind, outcome: Outcome) -> Result<(), Problem> {
        match self {
            Assessment::Objection { situation, grounds } if kind == RightKind::Objection => {
                text::at_least(Input::Situation, situation, MIN_WEIGHING)?;
                text::at_least(Input::Grounds, grounds, MIN_WEIGHING)?;
                Ok(())
            }
            Assessment::AutomatedDecision {
                exception,
                safeguards,
                ..
            } if kind == RightKind::AutomatedDecision => {
                if self.art22_applies() && outcome == Outcome::Refused {
                    exception.ok_or(Problem::Art22ExceptionRequired)?;
                    text::at_least(Input::Safeguards, safeguards, MIN_WEIGHING)?;
                }
                Ok(())
            }
            _ => Err(Problem::BadOutcome),
        }
    }

    /// The assessment as questions and answers, in Danish, for the case and the letter.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let yes = |b: bool| if b { "Ja" } else { "Nej" }.to_owned();
        match self {
            Assessment::Objection { situation, grounds } => vec![
                ("Din særlige situation", situation.clone()),
                ("Kommunens vægtige legitime grunde", grounds.clone()),
            ],
            Assessment::AutomatedDecision {
                decision,
                solely_automated,
                significant_effects,
                exception,
                safeguards,
            } => {
                let mut lines = vec![
                    ("Er der truffet en afgørelse?", yes(*decision)),
                    (
                        "Er afgørelsen alene baseret på automatisk behandling?",
                        yes(*solely_automated),
                    ),
                    (
                        "Har den retsvirkning eller påvirker den dig tilsvarende betydeligt?",
                        yes(*significant_effects),
                    ),
                ];
                if !self.art22_applies() {
                    lines.push((
                        "Artikel 22",
                        "Gælder ikke, fordi ikke alle tre spørgsmål kan besvares med ja."
                            .to_owned(),
                    ));
                } else if let Some(e) = exception {
                    lines.push(("Undtagelse", e.danish().to_owned()));
                    lines.push(("Garantier", safeguards.clone()));
                }
                lines
            }
        }
    }
}

#[cfg(test)]
mod assessment_tests {
    use super::*;

    fn art22(all: bool, exception: Option<Art22Exception>, safeguards: &str) -> Assessment {
        Assessment::AutomatedDecision {
            decision: true,
            solely_automated: all,
            significant_effects: true,
            exception,
            safeguards: safeguards.into(),
        }
    }

    #[test]
    fn an_objection_is_weighed_on_both_sides() {
        let weighed = Assessment::Objection {
            situation: "Borgeren er flyttet og har skjult adresse".into(),
            grounds: "Ingen vægtige grunde går forud".into(),
        };
        assert_eq!(
            weighed.check(RightKind::Objection, Outcome::Granted),
            Ok(())
        );
        let unweighed = Assessment::Objection {
            situation: "Flyttet".into(),
            grounds: "".into(),
        };
        assert!(
            unweighed
                .check(RightKind::Objection, Outcome::Granted)
                .is_err()
        );
        assert_eq!(
            weighed.check(RightKind::Erasure, Outcome::Granted),
            Err(Problem::BadOutcome)
        );
    }

    #[test]
    fn a_decision_standing_under_art22_names_its_exception_and_safeguards() {
        let kind = RightKind::AutomatedDecision;
        assert_eq!(
            art22(true, None, "").check(kind, Outcome::Refused),
            Err(Problem::Art22ExceptionRequired)
        );
        assert!(
            art22(true, Some(Art22Exception::Law), "kort")
                .check(kind, Outcome::Refused)
                .is_err()
        );
        let standing = art22(
            true,
            Some(Art22Exception::Law),
            "Du kan få afgørelsen prøvet af en sagsbehandler",
        );
        assert_eq!(standing.check(kind, Outcome::Refused), Ok(()));
        assert!(standing.art22_applies());
        assert!(standing.lines().iter().any(|(q, _)| *q == "Undtagelse"));
        // Not all yes: art. 22 does not apply, and the letter says so.
        let partial = art22(false, None, "");
        assert_eq!(partial.check(kind, Outcome::Refused), Ok(()));
        assert!(!partial.art22_applies());
        assert!(
            partial
                .lines()
                .iter()
                .any(|(_, a)| a.contains("Gælder ikke"))
        );
        // Granted (a person looks at it again): nothing more to name.
        assert_eq!(art22(true, None, "").check(kind, Outcome::Granted), Ok(()));
    }
}

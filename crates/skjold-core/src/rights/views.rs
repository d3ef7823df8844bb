//! Rights cases and their answers as the gate hands them out (opened, and logged).

use serde::Serialize;
use uuid::Uuid;

use super::{
    AccessQuestions, CaseStatus, ErasureGround, IntakeChannel, Outcome, Regime, RightKind, Urgency,
    urgency,
};
use crate::disclosures::DisclosureKind;
use crate::taxonomy::{Category, FieldKey};
use crate::time::{Date, Timestamp};

/// A case in a list: no personal data beyond the reference.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: Uuid,
    pub reference: String,
    pub kind: RightKind,
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
    pub unit_name: String,
    pub received_on: Date,
    /// The deadline in force: the extended one, if extended.
    pub due: Date,
    pub extended: bool,
    pub urgency: Urgency,
    /// Recipients' notices of the case not acknowledged in time.
    pub overdue_notices: u32,
}

impl CaseSummary {
    /// A portability request answered and granted (wholly or in part): its data can be
    /// fetched in a machine-readable form.
    pub fn delivers_data(&self) -> bool {
        self.kind == RightKind::Portability
            && self.status == CaseStatus::Answered
            && self.outcome.is_some_and(|o| o != Outcome::Refused)
    }

    /// Sorts a list: overdue first, then due within a week, then the rest by deadline.
    pub fn sort(cases: &mut [CaseSummary]) {
        cases.sort_by(|a, b| {
            (a.urgency, a.due, &a.reference).cmp(&(b.urgency, b.due, &b.reference))
        });
    }

    pub fn urgency_at(status: CaseStatus, due: Date, today: Date) -> Urgency {
        urgency(due, status.open(), today)
    }
}

/// An item of the citizen's data as the rights case sees it: restricted items included,
/// with the notes beside them.
#[derive(Debug, Clone, Serialize)]
pub struct CaseItem {
    pub id: Uuid,
    pub field: FieldKey,
    pub value: String,
    pub source: String,
    pub purpose: Option<String>,
    pub collected_at: Timestamp,
    pub restricted: bool,
    /// Found incorrect: the note that rectifies it.
    pub rectification: Option<String>,
    /// The citizen's own statements beside it.
    pub statements: Vec<String>,
}

/// A unit's or supplier's part of a gathered answer.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_reference: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub supplier: bool,
    /// For a supplier: its orders for the citizen, by which it knows whom the part is about.
    pub orders: Vec<String>,
    /// For a unit of the municipality: the citizen, to open (logged) and look up.
    pub citizen: Option<Uuid>,
    pub due: Date,
    pub contribution: Option<String>,
    pub contributed_by: Option<String>,
    pub contributed_at: Option<Timestamp>,
}

/// A recipient's notice of a change (art. 19).
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub id: Uuid,
    pub case_reference: String,
    pub kind: RightKind,
    pub supplier_name: String,
    pub order_reference: Option<String>,
    /// The fields the change concerns.
    pub fields: Vec<FieldKey>,
    /// Their values before the change, and after it (none: removed or erased).
    pub before: Vec<(FieldKey, String)>,
    pub after: Vec<(FieldKey, Option<String>)>,
    /// Restricted: the supplier must stop processing the fields.
    pub restricted: bool,
    pub sent_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
    pub overdue: bool,
}

/// A whole case, for those who work it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub subject_id: Uuid,
    /// The municipality, the controller answering.
    pub controller: String,
    pub citizen_name: Option<String>,
    /// The citizen's CPR number, the address of a letter to the digital mailbox.
    pub citizen_cpr: Option<String>,
    pub channel: IntakeChannel,
    pub description: String,
    pub access: Option<AccessQuestions>,
    pub regime: Option<Regime>,
    pub identity_method: Option<String>,
    pub identity_checked_by: Option<String>,
    pub identity_checked_at: Option<Timestamp>,
    pub first_deadline: Date,
    pub extension_reason: Option<String>,
    pub extension_notice_at: Option<Timestamp>,
    /// The erasure or restriction ground, or the rectification judgement (its key).
    pub ground: Option<String>,
    pub reasons: Option<String>,
    /// An objection's weighing, or the questions about an automated decision.
    pub assessment: Option<super::Assessment>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub reviewed_by: Option<String>,
    pub answered_at: Option<Timestamp>,
    /// The items the request concerns (rectification, restriction, erasure).
    pub items: Vec<CaseItem>,
    pub tasks: Vec<TaskView>,
    pub notices: Vec<NoticeView>,
    /// The citizen was erased: when, and the day the last key-store backup holding the key
    /// expires.
    pub erased_at: Option<Timestamp>,
    pub key_gone_by: Option<Date>,
}

impl CaseView {
    /// Whether the decision erases the citizen (a granted erasure on a ground that
    /// deletes; see [`super::Decision::deletes`]).
    pub fn deletes(&self) -> bool {
        self.summary.kind == RightKind::Erasure
            && self.summary.outcome == Some(Outcome::Granted)
            && self
                .ground
                .as_deref()
                .and_then(|g| ErasureGround::parse(g).ok())
                .is_some_and(ErasureGround::deletes)
    }
}

/// A purpose the citizen's data is processed for, with its legal basis and retention.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerPurpose {
    pub name: String,
    pub description: String,
    pub legal_basis: String,
    pub retention: String,
    /// Decisions based solely on automated processing under the purpose: the logic and
    /// its significance; empty for none.
    pub automated_decision: String,
}

/// A recipient from the disclosure ledger: which supplier got which fields, when, why.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRecipient {
    pub supplier: String,
    pub order_reference: String,
    pub service: String,
    pub purpose: String,
    pub disclosures: Vec<AnswerDisclosure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerDisclosure {
    /// None for what a confirmed message disclosed.
    pub field: Option<FieldKey>,
    pub kind: DisclosureKind,
    pub at: Timestamp,
    /// The caseworker's written reason, for manual disclosures.
    pub justification: Option<String>,
}

/// Another person's data found in a text of the answer: removed before it goes out.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ThirdPartyMark {
    /// Where: an item's field, or a contribution's organisation.
    pub place: String,
    pub text: String,
    /// The kind of data, as the scrubber names it (`person`, `cpr`, `phone`, …).
    pub kind: String,
}

/// The answer to an access request (art. 15, seed 003 § 4.3.1), built from the records.
#[derive(Debug, Clone, Serialize)]
pub struct AccessAnswer {
    pub case_reference: String,
    pub controller: String,
    pub citizen_name: String,
    pub received_on: Date,
    pub regime: Regime,
    pub purposes: Vec<AnswerPurpose>,
    pub categories: Vec<Category>,
    pub recipients: Vec<AnswerRecipient>,
    /// Where the data came from, by source.
    pub sources: Vec<String>,
    /// The copy of the data (art. 15(3)).
    pub items: Vec<CaseItem>,
    /// What units and suppliers contributed, by organisation.
    pub contributions: Vec<(String, String)>,
    /// Other people's data found in the texts: in a draft, to review; in the answer that
    /// goes out, already replaced.
    pub third_parties: Vec<ThirdPartyMark>,
    /// The caseworker has reviewed the draft for third parties' data.
    pub reviewed: bool,
    /// Transfers to third countries, with their safeguards (none recorded: empty).
    pub transfers: Vec<String>,
}

/// The letter telling the citizen the outcome of a request other than access (and of an
/// access request refused), with the reasons and the right to complain.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionLetter {
    pub case_reference: String,
    pub controller: String,
    pub citizen_name: String,
    pub kind: RightKind,
    pub outcome: Outcome,
    /// The erasure or restriction ground, or the rectification judgement (its key).
    pub ground: Option<String>,
    pub reasons: String,
    /// An objection's weighing, or the questions about an automated decision.
    pub assessment: Option<super::Assessment>,
    pub received_on: Date,
    pub decided_on: Date,
    /// The items the request concerned, as they stand after the decision.
    pub items: Vec<CaseItem>,
    /// For a granted erasure: the day the last key-store backup holding the citizen's key
    /// expires.
    pub key_gone_by: Option<Date>,
}

/// The notice that the deadline is extended, sent before the first deadline.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionNotice {
    pub case_reference: String,
    pub controller: String,
    pub citizen_name: String,
    pub kind: RightKind,
    pub received_on: Date,
    pub first_deadline: Date,
    pub new_deadline: Date,
    pub reason: String,
}

//! Data processing agreements (GDPR art. 28): DPAs with versions, sub-processors,
//! third-country transfers, audits and inspections, processor warnings and forwarded
//! requests. Pure rules on dates; the caller passes "today".
//!
//! Sources:
//! - Art. 28(2): a processor engages a sub-processor only with the controller's prior
//!   specific or general written authorisation; under a general one it announces intended
//!   changes, and the controller can object to them ([`objection_deadline`], [`status`]).
//! - Art. 28(3)(a): the processor acts only on documented instructions, also as regards
//!   transfers to third countries ([`DpaTerms`], [`transfer_allowed`]).
//! - Art. 28(3)(h): the processor allows for and contributes to audits, including
//!   inspections, by the controller ([`audit_status`], [`earliest_inspection`]).
//! - Art. 28(3), last sentence: the processor informs the controller immediately if an
//!   instruction in its opinion infringes the regulation ([`notice_due`]).
//! - Art. 33(2): the processor notifies the controller of a personal-data breach without
//!   undue delay ([`DpaTerms::breach_notice_hours`]).
//! - Chapter V: a transfer to a third country needs a basis: an adequacy decision
//!   (art. 45), standard contractual clauses (art. 46(2)(c)), binding corporate rules
//!   (art. 47) or a derogation (art. 49) ([`TransferBasis`]).

use serde::{Deserialize, Serialize};

use crate::time::Date;

/// Hours the processor has to report a breach to the controller (art. 33(2)) when the DPA
/// names no other time.
pub const DEFAULT_BREACH_NOTICE_HOURS: u32 = 24;
/// The shortest breach-notice time a DPA may name, in hours.
pub const MIN_BREACH_NOTICE_HOURS: u32 = 1;
/// The longest breach-notice time a DPA may name, in hours: the controller's own 72 hours
/// towards the authority (art. 33(1)).
pub const MAX_BREACH_NOTICE_HOURS: u32 = 72;
/// Days after notice before the controller's unilateral change of a DPA takes effect, at
/// the earliest.
pub const UNILATERAL_CHANGE_NOTICE_DAYS: i32 = 30;
/// Months ahead a planned sub-processor change is announced, at least; also the window
/// in which the controller can object (art. 28(2)).
pub const SUB_PROCESSOR_NOTICE_MONTHS: i32 = 1;
/// Working days' notice of an inspection (art. 28(3)(h)), at least.
pub const INSPECTION_NOTICE_WORKING_DAYS: u32 = 7;
/// Months between audit statements: one a year (art. 28(3)(h)).
pub const AUDIT_STATEMENT_MONTHS: i32 = 12;
/// Days a processor has to pass on to the controller a data subject's request
/// (art. 28(3)(e)) or a public authority's request that it receives. "Without undue delay"
/// sets no days; this is the installation's reading of it, an internal target.
pub const FORWARD_WITHOUT_DELAY_DAYS: i32 = 3;

/// Why a DPA, a change or a notice is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProcessorRule {
    /// Art. 28(3)(a): the processor acts only on documented instructions.
    #[error("the DPA must state the controller's documented instructions")]
    InstructionsRequired,
    #[error("the breach notice time must be between 1 and 72 hours")]
    BreachNoticeHours,
    #[error("a unilateral change takes effect no earlier than {earliest}")]
    NoticeTooShort { earliest: Date },
    #[error(
        "a sub-processor change announced now can be planned no earlier than {earliest_planned}"
    )]
    AnnouncementTooLate { earliest_planned: Date },
    #[error("an inspection notified now can take place no earlier than {earliest}")]
    InspectionNoticeTooShort { earliest: Date },
}

/// The terms of one version of a DPA (the content art. 28(3) requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpaTerms {
    /// The controller's documented instructions (art. 28(3)(a)).
    pub instructions: String,
    /// The categories of personal data (art. 28(3), first paragraph).
    pub data_categories: String,
    /// The categories of data subjects (art. 28(3), first paragraph).
    pub subject_categories: String,
    /// The security measures (art. 28(3)(c), art. 32).
    pub security_level: String,
    /// Hours the processor has to report a breach to the controller (art. 33(2)).
    pub breach_notice_hours: u32,
    /// Deletion or return of the data when the services end (art. 28(3)(g)).
    pub retention_and_return: String,
    /// Audits and inspections (art. 28(3)(h)).
    pub audit_terms: String,
}

impl DpaTerms {
    /// Instructions are required (art. 28(3)(a)); the breach-notice time is
    /// [`MIN_BREACH_NOTICE_HOURS`]..=[`MAX_BREACH_NOTICE_HOURS`].
    pub fn check(&self) -> Result<(), ProcessorRule> {
        if self.instructions.trim().is_empty() {
            return Err(ProcessorRule::InstructionsRequired);
        }
        if !(MIN_BREACH_NOTICE_HOURS..=MAX_BREACH_NOTICE_HOURS).contains(&self.breach_notice_hours)
        {
            return Err(ProcessorRule::BreachNoticeHours);
        }
        Ok(())
    }
}

/// How a new version of a DPA comes about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Signed by both parties.
    Agreed,
    /// Made by the controller alone, with notice.
    Unilateral,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 2] = [ChangeKind::Agreed, ChangeKind::Unilateral];

    pub fn key(self) -> &'static str {
        match self {
            ChangeKind::Agreed => "agreed",
            ChangeKind::Unilateral => "unilateral",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            ChangeKind::Agreed => "Aftalt ændring",
            ChangeKind::Unilateral => "Ensidig ændring",
        }
    }
}

/// When a new version may take effect at the earliest: an agreed change on the date both
/// sign (`notified_on`, or later); a unilateral one [`UNILATERAL_CHANGE_NOTICE_DAYS`]
/// after notice.
pub fn earliest_effective(kind: ChangeKind, notified_on: Date) -> Date {
    match kind {
        ChangeKind::Agreed => notified_on,
        ChangeKind::Unilateral => notified_on.plus_days(UNILATERAL_CHANGE_NOTICE_DAYS),
    }
}

/// Refuses a version that would take effect before [`earliest_effective`].
pub fn check_effective(
    kind: ChangeKind,
    notified_on: Date,
    effective_on: Date,
) -> Result<(), ProcessorRule> {
    let earliest = earliest_effective(kind, notified_on);
    if effective_on < earliest {
        return Err(ProcessorRule::NoticeTooShort { earliest });
    }
    Ok(())
}

/// A planned change of sub-processors (art. 28(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubProcessorChange {
    Add,
    Remove,
}

impl SubProcessorChange {
    pub const ALL: [SubProcessorChange; 2] = [SubProcessorChange::Add, SubProcessorChange::Remove];

    pub fn key(self) -> &'static str {
        match self {
            SubProcessorChange::Add => "add",
            SubProcessorChange::Remove => "remove",
        }
    }

    pub fn parse(s: &str) -> Option<SubProcessorChange> {
        SubProcessorChange::ALL
            .into_iter()
            .find(|c| c.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            SubProcessorChange::Add => "Tilføjelse",
            SubProcessorChange::Remove => "Fjernelse",
        }
    }
}

/// Where an announced sub-processor change stands ([`status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubProcessorStatus {
    /// Announced; not yet in effect.
    Announced,
    /// The controller objected: it never takes effect.
    Objected,
    /// The window has passed without objection and the planned date has come.
    InEffect,
    /// The processor withdrew it.
    Withdrawn,
}

impl SubProcessorStatus {
    pub const ALL: [SubProcessorStatus; 4] = [
        SubProcessorStatus::Announced,
        SubProcessorStatus::Objected,
        SubProcessorStatus::InEffect,
        SubProcessorStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SubProcessorStatus::Announced => "announced",
            SubProcessorStatus::Objected => "objected",
            SubProcessorStatus::InEffect => "in_effect",
            SubProcessorStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<SubProcessorStatus> {
        SubProcessorStatus::ALL
            .into_iter()
            .find(|st| st.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            SubProcessorStatus::Announced => "Varslet",
            SubProcessorStatus::Objected => "Indsigelse",
            SubProcessorStatus::InEffect => "I kraft",
            SubProcessorStatus::Withdrawn => "Trukket tilbage",
        }
    }
}

/// The last day the controller can object to a sub-processor change (art. 28(2)):
/// [`SUB_PROCESSOR_NOTICE_MONTHS`] after the announcement, clamped to the month's end
/// (31 January gives 28/29 February). The window includes both ends.
pub fn objection_deadline(announced_on: Date) -> Date {
    announced_on.plus_months(SUB_PROCESSOR_NOTICE_MONTHS)
}

/// A change is announced at least [`SUB_PROCESSOR_NOTICE_MONTHS`] before it is planned.
pub fn check_announcement(announced_on: Date, planned_on: Date) -> Result<(), ProcessorRule> {
    let earliest_planned = announced_on.plus_months(SUB_PROCESSOR_NOTICE_MONTHS);
    if planned_on < earliest_planned {
        return Err(ProcessorRule::AnnouncementTooLate { earliest_planned });
    }
    Ok(())
}

/// Whether the controller can still object: from the announcement to the
/// [`objection_deadline`], both included.
pub fn may_object(announced_on: Date, today: Date) -> bool {
    announced_on <= today && today <= objection_deadline(announced_on)
}

/// The day an announced change takes effect if nobody objects: the planned date, but not
/// before the day after the [`objection_deadline`].
pub fn takes_effect_on(announced_on: Date, planned_on: Date) -> Date {
    planned_on.max(objection_deadline(announced_on).plus_days(1))
}

/// Where a change stands today. A withdrawn change is withdrawn and an objected one never
/// takes effect; otherwise it is in effect from [`takes_effect_on`].
pub fn status(
    announced_on: Date,
    planned_on: Date,
    objected: bool,
    withdrawn: bool,
    today: Date,
) -> SubProcessorStatus {
    if withdrawn {
        SubProcessorStatus::Withdrawn
    } else if objected {
        SubProcessorStatus::Objected
    } else if today >= takes_effect_on(announced_on, planned_on) {
        SubProcessorStatus::InEffect
    } else {
        SubProcessorStatus::Announced
    }
}

/// The basis of a transfer to a third country (GDPR chapter V).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferBasis {
    Adequacy,
    StandardContractualClauses,
    BindingCorporateRules,
    Derogation,
}

impl TransferBasis {
    pub const ALL: [TransferBasis; 4] = [
        TransferBasis::Adequacy,
        TransferBasis::StandardContractualClauses,
        TransferBasis::BindingCorporateRules,
        TransferBasis::Derogation,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TransferBasis::Adequacy => "adequacy",
            TransferBasis::StandardContractualClauses => "standard_contractual_clauses",
            TransferBasis::BindingCorporateRules => "binding_corporate_rules",
            TransferBasis::Derogation => "derogation",
        }
    }

    pub fn parse(s: &str) -> Option<TransferBasis> {
        TransferBasis::ALL.into_iter().find(|b| b.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            TransferBasis::Adequacy => "Tilstrækkelighedsafgørelse (art. 45)",
            TransferBasis::StandardContractualClauses => {
                "Standardkontraktbestemmelser (art. 46, stk. 2, litra c)"
            }
            TransferBasis::BindingCorporateRules => "Bindende virksomhedsregler (art. 47)",
            TransferBasis::Derogation => "Undtagelse (art. 49)",
        }
    }
}

/// Where a transfer the processor has presented stands with the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Presented,
    Approved,
    Refused,
}

impl TransferStatus {
    pub const ALL: [TransferStatus; 3] = [
        TransferStatus::Presented,
        TransferStatus::Approved,
        TransferStatus::Refused,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TransferStatus::Presented => "presented",
            TransferStatus::Approved => "approved",
            TransferStatus::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<TransferStatus> {
        TransferStatus::ALL
            .into_iter()
            .find(|t| t.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            TransferStatus::Presented => "Forelagt",
            TransferStatus::Approved => "Godkendt",
            TransferStatus::Refused => "Afvist",
        }
    }
}

/// A transfer to a third country is allowed only when the controller has approved it
/// (art. 28(3)(a): transfers only on documented instructions); presented or refused ones
/// are not.
pub fn transfer_allowed(status: TransferStatus) -> bool {
    matches!(status, TransferStatus::Approved)
}

/// The EU member states and the other EEA states (Iceland, Liechtenstein, Norway), as
/// ISO 3166-1 alpha-2 codes (Greece is `GR`, not the EU's `EL`).
pub const EEA_COUNTRIES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether `country` (ISO 3166-1 alpha-2, any case) is in the EU/EEA, so that data going
/// there is no transfer under chapter V and needs no basis. Greenland (`GL`) and the
/// Faroe Islands (`FO`) are outside the EU and the EEA.
pub fn in_eea(country: &str) -> bool {
    let country = country.trim();
    EEA_COUNTRIES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(country))
}

/// Where a processor's yearly audit statements stand (art. 28(3)(h)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditStatus {
    pub last_statement: Option<Date>,
    /// [`AUDIT_STATEMENT_MONTHS`] after the last statement, or after the DPA started if
    /// there is none yet.
    pub next_due: Date,
    /// Today is after `next_due`.
    pub missing: bool,
}

/// Yearly audit statements: the next is due [`AUDIT_STATEMENT_MONTHS`] after the last (or
/// after the DPA started if there is none), and is missing from the day after.
pub fn audit_status(dpa_starts_on: Date, last_statement: Option<Date>, today: Date) -> AuditStatus {
    let next_due = last_statement
        .unwrap_or(dpa_starts_on)
        .plus_months(AUDIT_STATEMENT_MONTHS);
    AuditStatus {
        last_statement,
        next_due,
        missing: today > next_due,
    }
}

/// The earliest date for an inspection notified on `notified_on` (art. 28(3)(h)): after
/// [`INSPECTION_NOTICE_WORKING_DAYS`] working days, so Danish holidays and the days public
/// offices are closed do not count.
pub fn earliest_inspection(notified_on: Date) -> Date {
    notified_on.plus_working_days(INSPECTION_NOTICE_WORKING_DAYS)
}

/// Refuses an inspection planned before [`earliest_inspection`].
pub fn check_inspection(notified_on: Date, planned_on: Date) -> Result<(), ProcessorRule> {
    let earliest = earliest_inspection(notified_on);
    if planned_on < earliest {
        return Err(ProcessorRule::InspectionNoticeTooShort { earliest });
    }
    Ok(())
}

/// What a processor passes on to the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessorNoticeKind {
    /// An instruction that in the processor's opinion infringes the regulation
    /// (art. 28(3), last sentence).
    UnlawfulInstruction,
    /// A request from a supervisory or other public authority.
    AuthorityRequest,
    /// A data subject's request to exercise their rights (art. 28(3)(e)).
    RightsRequest,
}

impl ProcessorNoticeKind {
    pub const ALL: [ProcessorNoticeKind; 3] = [
        ProcessorNoticeKind::UnlawfulInstruction,
        ProcessorNoticeKind::AuthorityRequest,
        ProcessorNoticeKind::RightsRequest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProcessorNoticeKind::UnlawfulInstruction => "unlawful_instruction",
            ProcessorNoticeKind::AuthorityRequest => "authority_request",
            ProcessorNoticeKind::RightsRequest => "rights_request",
        }
    }

    pub fn parse(s: &str) -> Option<ProcessorNoticeKind> {
        ProcessorNoticeKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            ProcessorNoticeKind::UnlawfulInstruction => "Advarsel om ulovlig instruks",
            ProcessorNoticeKind::AuthorityRequest => "Henvendelse fra myndighed",
            ProcessorNoticeKind::RightsRequest => "Anmodning fra den registrerede",
        }
    }
}

/// The day the controller must have it: a warning about an unlawful instruction at once
/// (the day the processor has it); an authority's or a data subject's request within
/// [`FORWARD_WITHOUT_DELAY_DAYS`] of the processor receiving it.
pub fn notice_due(kind: ProcessorNoticeKind, received_by_processor: Date) -> Date {
    match kind {
        ProcessorNoticeKind::UnlawfulInstruction => received_by_processor,
        ProcessorNoticeKind::AuthorityRequest | ProcessorNoticeKind::RightsRequest => {
            received_by_processor.plus_days(FORWARD_WITHOUT_DELAY_DAYS)
        }
    }
}

impl From<ProcessorRule> for crate::Problem {
    fn from(r: ProcessorRule) -> crate::Problem {
        use crate::Problem;
        match r {
            ProcessorRule::InstructionsRequired => Problem::Required(crate::Input::Instructions),
            ProcessorRule::BreachNoticeHours => Problem::BreachNoticeHours,
            ProcessorRule::NoticeTooShort { earliest } => {
                Problem::ChangeNoticeTooShort { earliest }
            }
            ProcessorRule::AnnouncementTooLate { earliest_planned } => {
                Problem::SubProcessorNoticeTooShort {
                    earliest: earliest_planned,
                }
            }
            ProcessorRule::InspectionNoticeTooShort { earliest } => {
                Problem::InspectionNoticeTooShort { earliest }
            }
        }
    }
}

/// One version of a DPA, as the desk shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DpaVersionView {
    pub id: uuid::Uuid,
    pub version: u32,
    pub change: ChangeKind,
    #[serde(flatten)]
    pub terms: DpaTerms,
    pub notified_on: Date,
    pub effective_on: Date,
    /// In force on the day asked about: the latest version whose effective date has come.
    pub in_force: bool,
    pub created_by: Option<String>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<crate::Timestamp>,
}

/// A planned change of sub-processor, with its window.
#[derive(Debug, Clone, Serialize)]
pub struct SubProcessorView {
    pub id: uuid::Uuid,
    pub change: SubProcessorChange,
    pub name: String,
    pub country: String,
    pub task: String,
    pub announced_on: Date,
    pub planned_on: Date,
    pub objection_deadline: Date,
    pub takes_effect_on: Date,
    /// The written agreement between the processor and the sub-processor.
    pub agreement_on: Option<Date>,
    pub status: SubProcessorStatus,
    /// Outside the EU/EEA without an approved transfer basis: it cannot take effect.
    pub needs_transfer_basis: bool,
    pub objection: Option<String>,
    pub may_object: bool,
}

/// A third-country transfer and its basis.
#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub id: uuid::Uuid,
    pub recipient: String,
    pub country: String,
    pub basis: TransferBasis,
    pub document_name: String,
    pub document_sha256: String,
    pub status: TransferStatus,
    pub presented_at: crate::Timestamp,
    pub decided_by: Option<String>,
    pub decided_at: Option<crate::Timestamp>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A yearly audit statement (e.g. an ISAE 3000 report).
    Statement,
    /// An inspection, planned with notice.
    Inspection,
}

impl AuditKind {
    pub fn key(self) -> &'static str {
        match self {
            AuditKind::Statement => "statement",
            AuditKind::Inspection => "inspection",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        [AuditKind::Statement, AuditKind::Inspection]
            .into_iter()
            .find(|k| k.key() == s.trim())
    }

    pub fn danish(self) -> &'static str {
        match self {
            AuditKind::Statement => "Revisionserklæring",
            AuditKind::Inspection => "Tilsyn",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRecordView {
    pub id: uuid::Uuid,
    pub kind: AuditKind,
    /// The statement's date, or the inspection's planned day.
    pub on: Date,
    pub notified_on: Option<Date>,
    pub summary: String,
    pub recorded_by: String,
}

/// A warning or a forwarded request from the processor.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessorNoticeView {
    pub id: uuid::Uuid,
    pub kind: ProcessorNoticeKind,
    pub received_on: Date,
    pub due_on: Date,
    pub sent_at: crate::Timestamp,
    pub sent_by: String,
    pub body: String,
    /// Sent to the controller after its due day.
    pub late: bool,
    pub handled_at: Option<crate::Timestamp>,
    pub handled_by: Option<String>,
    pub response: Option<String>,
}

/// Return or deletion when a DPA ends (INV-17): within 30 days, with a written
/// confirmation.
#[derive(Debug, Clone, Serialize)]
pub struct DpaEnding {
    pub ended_on: Date,
    pub due_on: Date,
    pub confirmed_at: Option<crate::Timestamp>,
    pub confirmed_by: Option<String>,
    pub confirmation: Option<String>,
    pub overdue: bool,
}

/// The days a processor has to return or delete after a DPA ends.
pub const END_RETURN_DAYS: i32 = 30;

/// The ending of a DPA that ended on `ended_on`, at `today`.
pub fn ending(
    ended_on: Date,
    confirmed: Option<(crate::Timestamp, String, String)>,
    today: Date,
) -> DpaEnding {
    let due_on = ended_on.plus_days(END_RETURN_DAYS);
    let overdue = confirmed.is_none() && today > due_on;
    let (confirmed_at, confirmed_by, confirmation) = match confirmed {
        Some((at, by, text)) => (Some(at), Some(by), Some(text)),
        None => (None, None, None),
    };
    DpaEnding {
        ended_on,
        due_on,
        confirmed_at,
        confirmed_by,
        confirmation,
        overdue,
    }
}

/// What a processor holds for the controller when its DPA ends (INV-17): every order of
/// the DPA's controller with it whose deletion the processor has not confirmed, with the
/// values disclosed on it, for the controller to take back before the processor deletes.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnExport {
    pub dpa: crate::catalogue::Dpa,
    pub made_at: crate::Timestamp,
    pub made_by: String,
    /// The distinct citizens the orders concern; each read is one access-log entry.
    pub citizens: usize,
    pub orders: Vec<crate::orders::SupplierOrderView>,
}

/// Everything the desk holds about one DPA.
#[derive(Debug, Clone, Serialize)]
pub struct DpaDesk {
    pub dpa: crate::catalogue::Dpa,
    pub versions: Vec<DpaVersionView>,
    pub sub_processors: Vec<SubProcessorView>,
    pub transfers: Vec<TransferView>,
    pub audits: Vec<AuditRecordView>,
    pub audit_status: AuditStatus,
    pub notices: Vec<ProcessorNoticeView>,
    pub ending: Option<DpaEnding>,
}

impl DpaDesk {
    /// The version in force (the latest that has taken effect).
    pub fn in_force(&self) -> Option<&DpaVersionView> {
        self.versions.iter().find(|v| v.in_force)
    }
}

/// Something on a DPA that waits for the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "what")]
pub enum Attention {
    /// A sub-processor change the controller may still object to, until `deadline`.
    ObjectionWindow { name: String, deadline: Date },
    /// A third-country transfer waiting for a decision.
    TransferAwaiting { recipient: String, country: String },
    /// A processor's notice not yet handled.
    NoticeOpen {
        kind: ProcessorNoticeKind,
        due_on: Date,
    },
    /// The yearly audit statement is missing.
    AuditMissing { due: Date },
    /// Return or deletion after the DPA ended is overdue.
    EndingOverdue { due: Date },
}

impl Attention {
    /// The item in one Danish sentence.
    pub fn danish(&self) -> String {
        match self {
            Attention::ObjectionWindow { name, deadline } => format!(
                "Ændring af underdatabehandler ({name}): indsigelse senest {}",
                deadline.danish()
            ),
            Attention::TransferAwaiting { recipient, country } => {
                format!("Overførsel til {recipient} ({country}) venter på afgørelse")
            }
            Attention::NoticeOpen { kind, due_on } => format!(
                "{} (frist {}) er ikke behandlet",
                kind.danish(),
                due_on.danish()
            ),
            Attention::AuditMissing { due } => {
                format!(
                    "Årlig revisionserklæring mangler (forfaldt {})",
                    due.danish()
                )
            }
            Attention::EndingOverdue { due } => format!(
                "Tilbagelevering eller sletning efter ophør er ikke bekræftet (frist {})",
                due.danish()
            ),
        }
    }
}

impl DpaDesk {
    /// What waits for the controller on this DPA.
    pub fn attention(&self) -> Vec<Attention> {
        let mut out: Vec<Attention> = self
            .sub_processors
            .iter()
            .filter(|s| s.may_object)
            .map(|s| Attention::ObjectionWindow {
                name: s.name.clone(),
                deadline: s.objection_deadline,
            })
            .collect();
        out.extend(
            self.transfers
                .iter()
                .filter(|t| t.status == TransferStatus::Presented)
                .map(|t| Attention::TransferAwaiting {
                    recipient: t.recipient.clone(),
                    country: t.country.clone(),
                }),
        );
        out.extend(
            self.notices
                .iter()
                .filter(|n| n.handled_at.is_none())
                .map(|n| Attention::NoticeOpen {
                    kind: n.kind,
                    due_on: n.due_on,
                }),
        );
        // An ended DPA owes no more statements; its return or deletion may be overdue.
        match &self.ending {
            Some(e) if e.overdue => out.push(Attention::EndingOverdue { due: e.due_on }),
            Some(_) => {}
            None if self.audit_status.missing => out.push(Attention::AuditMissing {
                due: self.audit_status.next_due,
            }),
            None => {}
        }
        out
    }
}

/// The written internal security rules (SA-1): a document with an owner, a yearly review
/// and its history.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityRules {
    pub id: uuid::Uuid,
    pub version: u32,
    pub title: String,
    pub body: String,
    pub owner: String,
    pub approved_by: String,
    pub approved_at: crate::Timestamp,
    pub review_due: Date,
    pub review_overdue: bool,
}

/// Months between reviews of the security rules.
pub const SECURITY_RULES_REVIEW_MONTHS: i32 = 12;

/// Topics the security rules must cover (SA-1: remote work, disposal and repair of
/// equipment among them); a text that names none of a topic's words is incomplete.
pub const SECURITY_RULES_TOPICS: [(&str, &[&str]); 3] = [
    (
        "hjemmearbejde",
        &["hjemmearbejde", "fjernarbejde", "distancearbejde"],
    ),
    (
        "bortskaffelse",
        &["bortskaffelse", "kassation", "destruktion"],
    ),
    ("reparation", &["reparation", "service"]),
];

/// The topics the text does not mention.
pub fn missing_topics(body: &str) -> Vec<&'static str> {
    let lower = body.to_lowercase();
    SECURITY_RULES_TOPICS
        .iter()
        .filter(|(_, words)| !words.iter().any(|w| lower.contains(w)))
        .map(|(topic, _)| *topic)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u8, d: u8) -> Date {
        Date::from_ymd(y, m, d).expect("date")
    }

    fn terms() -> DpaTerms {
        DpaTerms {
            instructions: String::from("Behandl kun data til levering af hjælpemidler."),
            data_categories: String::from("Navn, adresse"),
            subject_categories: String::from("Borgere"),
            security_level: String::from("ISO 27001"),
            breach_notice_hours: DEFAULT_BREACH_NOTICE_HOURS,
            retention_and_return: String::from("Slettes 30 dage efter ordrens afslutning"),
            audit_terms: String::from("Årlig revisionserklæring"),
        }
    }

    #[test]
    fn dpa_terms_need_instructions_and_a_breach_time() {
        assert_eq!(terms().check(), Ok(()));
        let blank = DpaTerms {
            instructions: String::from("  \n "),
            ..terms()
        };
        assert_eq!(blank.check(), Err(ProcessorRule::InstructionsRequired));
        for (hours, ok) in [(0, false), (1, true), (24, true), (72, true), (73, false)] {
            let t = DpaTerms {
                breach_notice_hours: hours,
                ..terms()
            };
            let expected = if ok {
                Ok(())
            } else {
                Err(ProcessorRule::BreachNoticeHours)
            };
            assert_eq!(t.check(), expected, "{hours}");
        }
    }

    #[test]
    fn unilateral_change_needs_30_days() {
        let notified = ymd(2026, 3, 2);
        let earliest = ymd(2026, 4, 1);
        assert_eq!(
            earliest_effective(ChangeKind::Unilateral, notified),
            earliest
        );
        assert_eq!(
            check_effective(ChangeKind::Unilateral, notified, notified.plus_days(30)),
            Ok(())
        );
        assert_eq!(
            check_effective(ChangeKind::Unilateral, notified, notified.plus_days(29)),
            Err(ProcessorRule::NoticeTooShort { earliest })
        );
    }

    #[test]
    fn agreed_change_takes_effect_when_signed() {
        let signed = ymd(2026, 3, 2);
        assert_eq!(earliest_effective(ChangeKind::Agreed, signed), signed);
        assert_eq!(check_effective(ChangeKind::Agreed, signed, signed), Ok(()));
        assert_eq!(
            check_effective(ChangeKind::Agreed, signed, ymd(2026, 3, 1)),
            Err(ProcessorRule::NoticeTooShort { earliest: signed })
        );
    }

    #[test]
    fn sub_processor_announcement_one_month_ahead() {
        let announced = ymd(2026, 3, 10);
        assert_eq!(objection_deadline(announced), ymd(2026, 4, 10));
        assert_eq!(check_announcement(announced, ymd(2026, 4, 10)), Ok(()));
        assert_eq!(
            check_announcement(announced, ymd(2026, 4, 9)),
            Err(ProcessorRule::AnnouncementTooLate {
                earliest_planned: ymd(2026, 4, 10)
            })
        );
    }

    #[test]
    fn one_month_from_31_january_is_end_of_february() {
        let announced = ymd(2027, 1, 31);
        assert_eq!(objection_deadline(announced), ymd(2027, 2, 28));
        assert_eq!(check_announcement(announced, ymd(2027, 2, 28)), Ok(()));
        assert!(check_announcement(announced, ymd(2027, 2, 27)).is_err());
        // A leap year.
        assert_eq!(objection_deadline(ymd(2028, 1, 31)), ymd(2028, 2, 29));
    }

    #[test]
    fn objection_window_includes_both_ends() {
        let announced = ymd(2026, 3, 10);
        assert!(!may_object(announced, ymd(2026, 3, 9)));
        assert!(may_object(announced, announced));
        assert!(may_object(announced, ymd(2026, 4, 10)));
        assert!(!may_object(announced, ymd(2026, 4, 11)));
    }

    #[test]
    fn sub_processor_status_transitions() {
        let announced = ymd(2026, 3, 10);
        // Planned on the last day of the window: takes effect the day after it.
        let planned = ymd(2026, 4, 10);
        assert_eq!(takes_effect_on(announced, planned), ymd(2026, 4, 11));
        let at =
            |today, objected, withdrawn| status(announced, planned, objected, withdrawn, today);
        assert_eq!(at(announced, false, false), SubProcessorStatus::Announced);
        assert_eq!(
            at(ymd(2026, 4, 10), false, false),
            SubProcessorStatus::Announced
        );
        assert_eq!(
            at(ymd(2026, 4, 11), false, false),
            SubProcessorStatus::InEffect
        );
        // An objected change never takes effect.
        assert_eq!(at(announced, true, false), SubProcessorStatus::Objected);
        assert_eq!(
            at(ymd(2030, 1, 1), true, false),
            SubProcessorStatus::Objected
        );
        // Nor does a withdrawn one.
        assert_eq!(
            at(ymd(2030, 1, 1), false, true),
            SubProcessorStatus::Withdrawn
        );
        assert_eq!(
            at(ymd(2030, 1, 1), true, true),
            SubProcessorStatus::Withdrawn
        );
        // Planned later than the window: in effect on the planned date, not before.
        let later = ymd(2026, 6, 1);
        assert_eq!(
            status(announced, later, false, false, ymd(2026, 5, 31)),
            SubProcessorStatus::Announced
        );
        assert_eq!(
            status(announced, later, false, false, later),
            SubProcessorStatus::InEffect
        );
        // Planned too early (refused by check_announcement): still not before the window ends.
        assert_eq!(
            status(announced, ymd(2026, 3, 20), false, false, ymd(2026, 4, 10)),
            SubProcessorStatus::Announced
        );
    }

    #[test]
    fn transfers_need_approval() {
        assert!(transfer_allowed(TransferStatus::Approved));
        assert!(!transfer_allowed(TransferStatus::Presented));
        assert!(!transfer_allowed(TransferStatus::Refused));
    }

    #[test]
    fn eea_countries() {
        for c in ["DK", "dk", " SE ", "NO", "IS", "LI", "GR", "DE"] {
            assert!(in_eea(c), "{c}");
        }
        for c in ["US", "GB", "CH", "GL", "FO", "EL", "", "DNK"] {
            assert!(!in_eea(c), "{c}");
        }
    }

    #[test]
    fn audit_statement_missing_the_day_after_due() {
        let start = ymd(2025, 3, 1);
        let none = audit_status(start, None, ymd(2026, 3, 1));
        assert_eq!(none.next_due, ymd(2026, 3, 1));
        assert!(!none.missing);
        assert!(audit_status(start, None, ymd(2026, 3, 2)).missing);
        let last = ymd(2026, 2, 15);
        let with = audit_status(start, Some(last), ymd(2027, 2, 15));
        assert_eq!(
            with,
            AuditStatus {
                last_statement: Some(last),
                next_due: ymd(2027, 2, 15),
                missing: false,
            }
        );
        assert!(audit_status(start, Some(last), ymd(2027, 2, 16)).missing);
    }

    #[test]
    fn inspection_notice_across_easter_2026() {
        // Wed 1 April; 2, 3 and 6 April are holidays: 7, 8, 9, 10, 13, 14, 15.
        let notified = ymd(2026, 4, 1);
        let earliest = ymd(2026, 4, 15);
        assert_eq!(earliest_inspection(notified), earliest);
        assert_eq!(check_inspection(notified, earliest), Ok(()));
        assert_eq!(
            check_inspection(notified, ymd(2026, 4, 14)),
            Err(ProcessorRule::InspectionNoticeTooShort { earliest })
        );
    }

    #[test]
    fn inspection_notice_across_christmas_2026() {
        // Fri 18 December: 21, 22, 23, 28, 29, 30 December and 4 January.
        let notified = ymd(2026, 12, 18);
        let earliest = ymd(2027, 1, 4);
        assert_eq!(earliest_inspection(notified), earliest);
        assert_eq!(check_inspection(notified, earliest), Ok(()));
        assert_eq!(
            check_inspection(notified, ymd(2026, 12, 31)),
            Err(ProcessorRule::InspectionNoticeTooShort { earliest })
        );
    }

    #[test]
    fn notices_due() {
        let received = ymd(2026, 12, 30);
        assert_eq!(
            notice_due(ProcessorNoticeKind::UnlawfulInstruction, received),
            received
        );
        assert_eq!(
            notice_due(ProcessorNoticeKind::AuthorityRequest, received),
            ymd(2027, 1, 2)
        );
        assert_eq!(
            notice_due(ProcessorNoticeKind::RightsRequest, received),
            ymd(2027, 1, 2)
        );
    }

    #[test]
    fn keys_round_trip() {
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.key()), Some(k));
        }
        for c in SubProcessorChange::ALL {
            assert_eq!(SubProcessorChange::parse(c.key()), Some(c));
        }
        for s in SubProcessorStatus::ALL {
            assert_eq!(SubProcessorStatus::parse(s.key()), Some(s));
        }
        for b in TransferBasis::ALL {
            assert_eq!(TransferBasis::parse(b.key()), Some(b));
        }
        for t in TransferStatus::ALL {
            assert_eq!(TransferStatus::parse(t.key()), Some(t));
        }
        for n in ProcessorNoticeKind::ALL {
            assert_eq!(ProcessorNoticeKind::parse(n.key()), Some(n));
        }
        assert_eq!(TransferBasis::parse("adequacy_decision"), None);
        assert_eq!(
            TransferBasis::StandardContractualClauses.danish(),
            "Standardkontraktbestemmelser (art. 46, stk. 2, litra c)"
        );
    }
}

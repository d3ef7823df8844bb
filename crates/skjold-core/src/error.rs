//! The catalogue of refusals: every reason Skjold gives for not doing what was asked, as a
//! code with its parameters and no prose. The web layer turns a [`Problem`] into words in
//! the reader's language (`skjold-web`'s `i18n`); the API sends its [`Problem::code`] and
//! those words. A match there over every variant is what keeps each language complete.

use crate::actor::Role;
use crate::consents::Channel;
use crate::taxonomy::FieldKey;
use crate::time::Date;

/// What kind of refusal a problem is, which decides its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input is wrong; correcting it can help (422).
    Invalid,
    /// Not there, or not for this caller (404): the two are never told apart.
    NotFound,
    /// Known, and not for this caller (403).
    Forbidden,
    /// At odds with the current state (409).
    Conflict,
    /// More than the operation takes (413).
    TooLarge,
}

/// Something a person types, named in problems about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    Name,
    DisplayName,
    Username,
    PurposeName,
    ServiceCode,
    ServiceName,
    DpaReference,
    Description,
    Instructions,
    NationalLaw,
    Cvr,
    Reason,
    Justification,
    RejectionReason,
    Note,
    Message,
    Confirmation,
    Evidence,
    NoticeVersion,
    Place,
    Time,
    Password,
    Email,
    Filename,
    Setting,
    RequestDescription,
    ScopeDetail,
    Remarks,
    ExtensionReason,
    IdentityMethod,
    DecisionReasons,
    RectificationNote,
    Statement,
    Contribution,
    Retention,
    /// A citizen's data item: its value, where it came from, what for.
    DatumValue,
    DatumSource,
    DatumPurpose,
    /// An objection's weighing: the citizen's particular situation, the municipality's
    /// grounds; and the safeguards of a decision that stands under art. 22.
    Situation,
    Grounds,
    Safeguards,
    // The privacy officer's desk.
    ContactPoint,
    Consequences,
    Measures,
    SubjectCategories,
    DataCategories,
    SecurityLevel,
    RetentionAndReturn,
    AuditTerms,
    LegalReference,
    Country,
    Document,
    ProcessingName,
    RulesBody,
    // An order's content.
    Task,
    Scope,
    SupplierRemark,
}

/// A date a form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInput {
    Start,
    End,
    From,
    Until,
    Appointment,
    Received,
}

/// An identifier a form or address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdInput {
    Citizen,
    Order,
    Organisation,
    Purpose,
    ServiceType,
    Supplier,
    User,
    Block,
    /// A page's position in a long list (its cursor).
    Page,
}

/// A security setting with a permitted range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    LockoutThreshold,
    LockoutWindowHours,
    BlockMinutes,
}

/// What a confirmation is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    CloseOrder,
    Deletion,
}

/// What the guard found in a message that needs a confirmation before it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardStop {
    pub cpr_numbers: usize,
    pub sensitive_terms: Vec<String>,
    /// Attachments whose text could not be read.
    pub unreadable: Vec<String>,
    /// The citizen's data in the text that this supplier has not received.
    pub undisclosed: Vec<FieldKey>,
    /// The shortest confirmation accepted.
    pub min: usize,
}

/// One reason for a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.code())]
pub enum Problem {
    // ---- what was typed -----------------------------------------------------------------
    Required(Input),
    TooShort {
        input: Input,
        min: usize,
    },
    TooLong {
        input: Input,
        max: usize,
    },
    ControlCharacters(Input),
    CprFormat,
    CprImpossibleDate,
    CprFutureDate,
    CvrFormat,
    CvrChecksum,
    UnknownField(String),
    /// No purpose of the controller has this name.
    UnknownPurpose(String),
    /// The field is not recorded as an item (the CPR number comes with the citizen).
    FieldNotRecordable(FieldKey),
    /// The same field given twice for one citizen.
    FieldRepeated(FieldKey),
    BadDate(DateInput),
    BadTime,
    BadId(IdInput),
    BadChannel,
    BadKind,
    /// An order reference to search for with other characters than letters, digits and
    /// hyphens, or too long to be one.
    BadOrderReference,
    /// An order status other than `open` or `closed` (the value given).
    BadOrderStatus(String),
    BadRole(String),
    BadRule {
        field: FieldKey,
        rule: String,
    },
    BadArt6,
    BadArt9,
    BadDecision,
    ExportFormat(String),
    AnswerFormat(String),
    EmailFormat(String),
    UsernameFormat,
    PasswordTooShort {
        min: usize,
    },
    PasswordMismatch,
    PasswordUnchanged,
    SettingOutOfRange {
        setting: Setting,
        min: u32,
        max: u32,
        given: String,
    },
    RetentionTooShort {
        min: u32,
    },
    /// The access log holds no proof of what was asked (a size never signed, or pruned);
    /// the reason in Danish.
    LogProofUnavailable(String),
    ConfirmationRequired(Confirm),
    BadRequestBody(String),
    FormInvalid(String),
    FormTooLarge,
    ReminderContent,
    // ---- messages and attachments -------------------------------------------------------
    MessageEmpty,
    MessageTooLong {
        max: usize,
    },
    TooManyAttachments {
        max: usize,
    },
    AttachmentEmpty(String),
    AttachmentTooLarge {
        name: String,
        max_mb: usize,
    },
    AttachmentType(String),
    AttachmentDisguised {
        name: String,
        content_type: String,
    },
    AttachmentEncoding(String),
    GuardConfirmationRequired(GuardStop),
    GeneralThreadCpr,
    /// The guard found something in an order's own text (task, scope, remark), which
    /// goes to the supplier with the order and takes no confirmation.
    OrderTextGuard {
        input: Input,
        stop: GuardStop,
    },
    FieldsRequired,
    /// A requested field was given neither an approval nor a rejection.
    FieldUndecided(FieldKey),
    /// A decision names a field the request did not ask for.
    FieldNotRequested(FieldKey),
    /// The remark or reason typed for one field's decision is refused by `problem`.
    FieldDecisionText {
        field: FieldKey,
        problem: Box<Problem>,
    },
    // ---- sign-in ------------------------------------------------------------------------
    BadCredentials,
    BadSecondFactor,
    SignInExpired,
    SignInBlocked,
    SecondFactorRequired,
    NewPasswordRequired,
    WrongCurrentPassword,
    OwnPasswordReset,
    CsrfMismatch,
    SsoRefused,
    SsoNotConfigured,
    SsoIssuerMismatch,
    SsoUnreachable,
    SsoProviderUnusable,
    // ---- who may --------------------------------------------------------------------------
    RoleNotAllowed(Role),
    OtherController,
    MunicipalityByCli,
    // ---- not found ------------------------------------------------------------------------
    OrderNotFound,
    SubjectNotFound,
    CitizenNotFound,
    /// The citizen's data was erased: their key is destroyed, nothing of them can be read.
    CitizenErased,
    SubjectKeyMissing,
    AttachmentNotFound,
    ThreadNotFound,
    RequestNotFound,
    StandInNotFound,
    UserNotFound(Option<String>),
    OrganisationNotFound,
    PurposeNotFound,
    ServiceTypeNotFound,
    BlockNotFound,
    // ---- rules and state ------------------------------------------------------------------
    SubjectExists,
    OrderClosed,
    OrderOpen,
    OrderClosedForSupplier,
    DeletionConfirmed,
    OwnUnitOrder,
    StandInFollowedUp,
    RequestDecided,
    BlockNotActive,
    FieldAlreadyDisclosed(FieldKey),
    FieldNeverDisclosed(FieldKey),
    NoSuchData(FieldKey),
    PolicyContactAutomatic(FieldKey),
    PolicySpecialWithoutArt9(FieldKey),
    PolicyCriminalWithoutLaw(FieldKey),
    NoDpaInForce(Option<String>),
    DpaNotInForce,
    /// The supplier's DPA in force does not cover the service type.
    ServiceNotCovered {
        supplier: String,
        service: String,
    },
    /// An order's period ends before it starts.
    OrderPeriod,
    /// An idempotency key that is empty, too long or not printable ASCII.
    IdempotencyKeyFormat,
    /// The idempotency key was used before by the same user for a different order.
    IdempotencyKeyReused,
    NotASupplier,
    DpaNotSupplier,
    DpaDates,
    ParentNotMunicipality,
    CvrRequired,
    RoleOrganisationMismatch {
        supplier_org: bool,
    },
    UsernameTaken(String),
    ServiceCodeTaken(String),
    /// An edit that changes nothing: no version is made.
    NothingChanged,
    /// The change would leave the authority without an active administrator.
    LastAdministrator,
    AlreadyInitialised,
    NoConsent(Channel),
    NoConsentToWithdraw(Channel),
    NoContact(Channel),
    NoReminderProvider,
    // ---- data-subject rights ------------------------------------------------------------------
    BadRightKind,
    BadIntakeChannel,
    BadAccessWish,
    BadScope,
    BadOutcome,
    BadErasureGround,
    BadRestrictionGround,
    BadJudgement,
    PeriodBackwards,
    ReceivedInFuture,
    AlreadyExtended,
    ExtensionTooLong {
        max: i32,
    },
    ExtensionTooLate,
    RightsCaseNotFound,
    RightsTaskNotFound,
    NoticeNotFound,
    CaseAnswered,
    CaseNotDecided,
    CaseDecided,
    AnswerNotReviewed,
    IdentityNotChecked,
    ItemsRequired,
    ItemNotOfCitizen,
    DataRestricted(FieldKey),
    DutyToKeepRecords,
    /// Portability (art. 20) covers data processed on consent or contract only.
    NotPortable,
    /// A decision that stands under art. 22 names the exception of art. 22(2).
    Art22ExceptionRequired,
    TaskContributed,
    NoticeAcknowledged,
    // ---- the citizen's own view ------------------------------------------------------------
    /// Signed in through MitID, but the municipality holds no record of the citizen.
    CitizenNotKnown,
    /// A citizen's session on a staff page or the staff API.
    StaffOnly,
    /// No consent text in force for the channel: consent cannot be asked for yet.
    NoConsentText(Channel),
    /// A consent text whose checklist says consent is not the right basis, is a condition
    /// for a service, or is asked under an imbalance of power that nothing offsets.
    ConsentChecklistFails,
    /// The consent is already in force.
    ConsentAlreadyGiven(Channel),
    // ---- the privacy officer's desk ------------------------------------------------------------
    /// A breach names none of confidentiality, integrity, availability.
    BreachNatureRequired,
    /// A breach both of high risk and unlikely to result in any risk.
    BreachRiskContradiction,
    /// A breach the processor found names the processor and when it became aware.
    BreachProcessorRequired,
    /// An instant of awareness or occurrence after now.
    BreachInFuture,
    BreachNotFound,
    /// The clock does not apply to this breach (e.g. no processor was involved).
    BreachClockNotRunning,
    /// The clock's duty was already recorded as met.
    BreachClockMet,
    BadNature,
    BadParty,
    BadClock,
    BadRetentionTrigger,
    BadRetentionAction,
    BadRecordType,
    RetentionPeriod {
        min: u32,
        max: u32,
    },
    RetentionRuleNotFound,
    /// A rule for the same record type, purpose and trigger exists.
    RetentionRuleExists,
    RecordsDraftNotFound,
    RecordsDraftDecided,
    RecordsVersionNotFound,
    /// A DPA's breach-notice time outside 1..=72 hours.
    BreachNoticeHours,
    /// A unilateral change of a DPA takes effect no earlier than 30 days after notice.
    ChangeNoticeTooShort {
        earliest: Date,
    },
    /// A sub-processor change is announced at least a month before it is planned.
    SubProcessorNoticeTooShort {
        earliest: Date,
    },
    /// An inspection needs 7 working days' notice.
    InspectionNoticeTooShort {
        earliest: Date,
    },
    /// The objection window of a sub-processor change has closed.
    ObjectionWindowClosed,
    SubProcessorChangeNotFound,
    /// The change was already objected to or withdrawn.
    SubProcessorChangeSettled,
    TransferNotFound,
    TransferDecided,
    BadTransferBasis,
    /// A country inside the EU/EEA needs no transfer basis.
    TransferInsideEea,
    DpaNotFound,
    DpaVersionNotFound,
    /// The supplier already acknowledged this version.
    DpaVersionAcknowledged,
    ProcessorNoticeNotFound,
    BadProcessorNotice,
    ProcessorNoticeHandled,
    SecurityRulesNotFound,
    /// The security rules do not cover these topics (remote work, disposal, repair).
    SecurityRulesIncomplete(Vec<String>),
    /// The DPA has not ended, or its return or deletion is already confirmed.
    DpaNotEnded,
    /// The DPA has no end date: the processor holds nothing to return yet.
    DpaNoEnd,
    // ---- the installation ------------------------------------------------------------------
    SmtpUrl(String),
    SmtpFrom(String),
    SmtpTls(String),
    // ---- backups ----------------------------------------------------------------------------
    /// The folder (named) already holds a backup.
    BackupExists(String),
    /// The folder (named) holds no backup that can be used.
    BackupNotFound(String),
    /// A backup of one backend, for an installation of the other (`sqlite`, `postgres`).
    BackupMismatch {
        backup: String,
        configured: String,
    },
    /// A backup of a newer schema than this version knows.
    BackupTooNew {
        version: i64,
        known: i64,
    },
    /// The data directory is open (the server, or another command): stop it first.
    DataInUse,
    // ---- the procurement-data collaboration -------------------------------------------------
    /// The organisation takes no part in the collaboration (or its part has ended).
    NotParticipating,
    /// Only the organisation's designated contact for the collaboration gets its data back.
    NotTheContact,
    /// A file that is not an invoice or credit note Skjold reads (its name, and why).
    InvoiceUnreadable {
        file: String,
        reason: String,
    },
    /// A zip that cannot be opened, or holds more than an upload takes.
    InvoiceArchive(String),
    NoInvoices,
    InvoiceNotFound,
    /// The document is no longer in the review queue.
    InvoiceDecided,
    BadRedaction {
        max: usize,
        min_length: usize,
    },
}

impl Problem {
    /// The stable, machine-readable code of the API's error answer.
    pub fn code(&self) -> &'static str {
        use Problem::*;
        match self {
            Required(i) => match i {
                Input::Name | Input::PurposeName | Input::ServiceName => "name_required",
                Input::DisplayName => "display_name_required",
                Input::ServiceCode => "code_required",
                Input::DpaReference => "reference_required",
                Input::Message => "message_empty",
                Input::DatumValue => "value_required",
                Input::DatumSource => "source_required",
                Input::DatumPurpose => "purpose_required",
                _ => "required",
            },
            TooShort { input, .. } => match input {
                Input::Justification => "justification_required",
                Input::Note => "note_required",
                Input::Evidence | Input::NoticeVersion => "consent_evidence",
                _ => "reason_required",
            },
            TooLong { .. } => "text_too_long",
            ControlCharacters(_) => "control_characters",
            CprFormat => "cpr_format",
            CprImpossibleDate => "cpr_impossible_date",
            CprFutureDate => "cpr_future_date",
            CvrFormat => "cvr_format",
            CvrChecksum => "cvr_checksum",
            UnknownField(_) => "unknown_field",
            UnknownPurpose(_) => "unknown_purpose",
            FieldNotRecordable(_) => "field_not_recordable",
            FieldRepeated(_) => "field_repeated",
            BadDate(_) => "bad_date",
            BadTime => "bad_time",
            BadId(_) => "bad_id",
            BadChannel => "bad_channel",
            BadKind => "bad_kind",
            BadOrderReference => "bad_order_reference",
            BadOrderStatus(_) => "bad_order_status",
            BadRole(_) => "bad_role",
            BadRule { .. } => "bad_rule",
            BadArt6 => "bad_art6",
            BadArt9 => "bad_art9",
            BadDecision => "bad_decision",
            ExportFormat(_) => "export_format",
            LogProofUnavailable(_) => "log_proof_unavailable",
            AnswerFormat(_) => "answer_format",
            EmailFormat(_) => "email_format",
            UsernameFormat => "username_format",
            PasswordTooShort { .. } => "password_too_short",
            PasswordMismatch => "password_mismatch",
            PasswordUnchanged => "password_unchanged",
            SettingOutOfRange { setting, .. } => match setting {
                Setting::LockoutThreshold => "lockout_threshold_range",
                Setting::LockoutWindowHours => "lockout_window_range",
                Setting::BlockMinutes => "block_minutes_range",
            },
            RetentionTooShort { .. } => "retention_too_short",
            ConfirmationRequired(_) => "confirmation_required",
            BadRequestBody(_) => "bad_request_body",
            FormInvalid(_) => "form_invalid",
            FormTooLarge => "form_too_large",
            ReminderContent => "reminder_content",
            MessageEmpty => "message_empty",
            MessageTooLong { .. } => "message_too_long",
            TooManyAttachments { .. } => "too_many_attachments",
            AttachmentEmpty(_) => "attachment_empty",
            AttachmentTooLarge { .. } => "attachment_too_large",
            AttachmentType(_) => "attachment_type",
            AttachmentDisguised { .. } => "attachment_disguised",
            AttachmentEncoding(_) => "attachment_encoding",
            GuardConfirmationRequired(_) => "guard_confirmation_required",
            GeneralThreadCpr => "general_thread_cpr",
            OrderTextGuard { .. } => "order_text_guard",
            FieldsRequired => "fields_required",
            FieldUndecided(_) => "field_undecided",
            FieldNotRequested(_) => "field_not_requested",
            FieldDecisionText { problem, .. } => problem.code(),
            BadCredentials => "bad_credentials",
            BadSecondFactor => "bad_second_factor",
            SignInExpired => "sign_in_expired",
            SignInBlocked => "sign_in_blocked",
            SecondFactorRequired => "second_factor_required",
            NewPasswordRequired => "new_password_required",
            WrongCurrentPassword => "wrong_current_password",
            OwnPasswordReset => "own_password_reset",
            CsrfMismatch => "csrf_mismatch",
            SsoRefused => "sso_refused",
            SsoNotConfigured => "sso_not_configured",
            SsoIssuerMismatch => "sso_issuer_mismatch",
            SsoUnreachable => "sso_unreachable",
            SsoProviderUnusable => "sso_provider_unusable",
            RoleNotAllowed(_) => "role_not_allowed",
            OtherController => "other_controller",
            MunicipalityByCli => "municipality_by_cli",
            OrderNotFound => "order_not_found",
            SubjectNotFound => "subject_not_found",
            CitizenNotFound => "citizen_not_found",
            CitizenErased => "citizen_erased",
            SubjectKeyMissing => "subject_key_missing",
            AttachmentNotFound => "attachment_not_found",
            ThreadNotFound => "thread_not_found",
            RequestNotFound => "request_not_found",
            StandInNotFound => "stand_in_not_found",
            UserNotFound(_) => "user_not_found",
            OrganisationNotFound => "organisation_not_found",
            PurposeNotFound => "purpose_not_found",
            ServiceTypeNotFound => "service_type_not_found",
            BlockNotFound => "block_not_found",
            SubjectExists => "subject_exists",
            OrderClosed => "order_closed",
            OrderOpen => "order_open",
            OrderClosedForSupplier => "order_closed_for_supplier",
            DeletionConfirmed => "deletion_confirmed",
            OwnUnitOrder => "own_unit_order",
            StandInFollowedUp => "stand_in_followed_up",
            RequestDecided => "request_decided",
            BlockNotActive => "block_not_active",
            FieldAlreadyDisclosed(_) => "field_already_disclosed",
            FieldNeverDisclosed(_) => "field_never_disclosed",
            NoSuchData(_) => "no_such_data",
            PolicyContactAutomatic(_) => "policy_contact_automatic",
            PolicySpecialWithoutArt9(_) => "policy_special_without_art9",
            PolicyCriminalWithoutLaw(_) => "policy_criminal_without_law",
            NoDpaInForce(_) => "no_dpa_in_force",
            DpaNotInForce => "dpa_not_in_force",
            ServiceNotCovered { .. } => "service_not_covered",
            OrderPeriod => "order_period",
            IdempotencyKeyFormat => "idempotency_key_format",
            IdempotencyKeyReused => "idempotency_key_reused",
            NotASupplier => "not_a_supplier",
            DpaNotSupplier => "dpa_not_supplier",
            DpaDates => "dpa_dates",
            ParentNotMunicipality => "parent_not_municipality",
            CvrRequired => "cvr_required",
            RoleOrganisationMismatch { .. } => "role_organisation_mismatch",
            UsernameTaken(_) => "username_taken",
            ServiceCodeTaken(_) => "service_code_taken",
            NothingChanged => "nothing_changed",
            LastAdministrator => "last_administrator",
            AlreadyInitialised => "already_initialised",
            NoConsent(_) | NoConsentToWithdraw(_) => "no_consent",
            NoContact(_) => "no_contact",
            NoReminderProvider => "no_reminder_provider",
            BadRightKind => "bad_right_kind",
            BadIntakeChannel => "bad_intake_channel",
            BadAccessWish => "bad_access_wish",
            BadScope => "bad_scope",
            BadOutcome => "bad_outcome",
            BadErasureGround => "bad_erasure_ground",
            BadRestrictionGround => "bad_restriction_ground",
            BadJudgement => "bad_judgement",
            PeriodBackwards => "period_backwards",
            ReceivedInFuture => "received_in_future",
            AlreadyExtended => "already_extended",
            ExtensionTooLong { .. } => "extension_too_long",
            ExtensionTooLate => "extension_too_late",
            RightsCaseNotFound => "rights_case_not_found",
            RightsTaskNotFound => "rights_task_not_found",
            NoticeNotFound => "notice_not_found",
            CaseAnswered => "case_answered",
            CaseNotDecided => "case_not_decided",
            CaseDecided => "case_decided",
            AnswerNotReviewed => "answer_not_reviewed",
            IdentityNotChecked => "identity_not_checked",
            ItemsRequired => "items_required",
            ItemNotOfCitizen => "item_not_of_citizen",
            DataRestricted(_) => "data_restricted",
            DutyToKeepRecords => "duty_to_keep_records",
            NotPortable => "not_portable",
            Art22ExceptionRequired => "art22_exception_required",
            TaskContributed => "task_contributed",
            NoticeAcknowledged => "notice_acknowledged",
            CitizenNotKnown => "citizen_not_known",
            StaffOnly => "staff_only",
            NoConsentText(_) => "no_consent_text",
            ConsentChecklistFails => "consent_checklist_fails",
            ConsentAlreadyGiven(_) => "consent_already_given",
            BreachNatureRequired => "breach_nature_required",
            BreachRiskContradiction => "breach_risk_contradiction",
            BreachProcessorRequired => "breach_processor_required",
            BreachInFuture => "breach_in_future",
            BreachNotFound => "breach_not_found",
            BreachClockNotRunning => "breach_clock_not_running",
            BreachClockMet => "breach_clock_met",
            BadNature => "bad_nature",
            BadParty => "bad_party",
            BadClock => "bad_clock",
            BadRetentionTrigger => "bad_retention_trigger",
            BadRetentionAction => "bad_retention_action",
            BadRecordType => "bad_record_type",
            RetentionPeriod { .. } => "retention_period",
            RetentionRuleNotFound => "retention_rule_not_found",
            RetentionRuleExists => "retention_rule_exists",
            RecordsDraftNotFound => "records_draft_not_found",
            RecordsDraftDecided => "records_draft_decided",
            RecordsVersionNotFound => "records_version_not_found",
            BreachNoticeHours => "breach_notice_hours",
            ChangeNoticeTooShort { .. } => "change_notice_too_short",
            SubProcessorNoticeTooShort { .. } => "sub_processor_notice_too_short",
            InspectionNoticeTooShort { .. } => "inspection_notice_too_short",
            ObjectionWindowClosed => "objection_window_closed",
            SubProcessorChangeNotFound => "sub_processor_change_not_found",
            SubProcessorChangeSettled => "sub_processor_change_settled",
            TransferNotFound => "transfer_not_found",
            TransferDecided => "transfer_decided",
            BadTransferBasis => "bad_transfer_basis",
            TransferInsideEea => "transfer_inside_eea",
            DpaNotFound => "dpa_not_found",
            DpaVersionNotFound => "dpa_version_not_found",
            DpaVersionAcknowledged => "dpa_version_acknowledged",
            ProcessorNoticeNotFound => "processor_notice_not_found",
            BadProcessorNotice => "bad_processor_notice",
            ProcessorNoticeHandled => "processor_notice_handled",
            SecurityRulesNotFound => "security_rules_not_found",
            SecurityRulesIncomplete(_) => "security_rules_incomplete",
            DpaNotEnded => "dpa_not_ended",
            DpaNoEnd => "dpa_no_end",
            SmtpUrl(_) => "smtp_url",
            SmtpFrom(_) => "smtp_from",
            SmtpTls(_) => "smtp_tls",
            BackupExists(_) => "backup_exists",
            BackupNotFound(_) => "backup_not_found",
            BackupMismatch { .. } => "backup_mismatch",
            BackupTooNew { .. } => "backup_too_new",
            DataInUse => "data_in_use",
            NotParticipating => "not_participating",
            NotTheContact => "not_the_contact",
            InvoiceUnreadable { .. } => "invoice_unreadable",
            InvoiceArchive(_) => "invoice_archive",
            NoInvoices => "no_invoices",
            InvoiceNotFound => "invoice_not_found",
            InvoiceDecided => "invoice_decided",
            BadRedaction { .. } => "bad_redaction",
        }
    }

    /// What kind of refusal this is.
    pub fn kind(&self) -> ProblemKind {
        use Problem::*;
        match self {
            OrderNotFound
            | SubjectNotFound
            | CitizenNotFound
            | CitizenErased
            | SubjectKeyMissing
            | AttachmentNotFound
            | ThreadNotFound
            | RequestNotFound
            | StandInNotFound
            | UserNotFound(_)
            | OrganisationNotFound
            | PurposeNotFound
            | ServiceTypeNotFound
            | BlockNotFound
            | SsoNotConfigured
            | BackupNotFound(_)
            | RightsCaseNotFound
            | RightsTaskNotFound
            | NoticeNotFound
            | ItemNotOfCitizen
            | CitizenNotKnown
            | BreachNotFound
            | RetentionRuleNotFound
            | RecordsDraftNotFound
            | RecordsVersionNotFound
            | SubProcessorChangeNotFound
            | TransferNotFound
            | DpaNotFound
            | DpaVersionNotFound
            | ProcessorNoticeNotFound
            | SecurityRulesNotFound
            | InvoiceNotFound => ProblemKind::NotFound,
            BadCredentials
            | BadSecondFactor
            | SignInExpired
            | SignInBlocked
            | SecondFactorRequired
            | NewPasswordRequired
            | CsrfMismatch
            | SsoRefused
            | RoleNotAllowed(_)
            | OtherController
            | MunicipalityByCli
            | DpaNotInForce
            | OrderClosedForSupplier
            | NoConsent(_)
            | StaffOnly
            | NotParticipating
            | NotTheContact => ProblemKind::Forbidden,
            SubjectExists
            | OrderClosed
            | OrderOpen
            | DeletionConfirmed
            | OwnUnitOrder
            | StandInFollowedUp
            | RequestDecided
            | BlockNotActive
            | FieldAlreadyDisclosed(_)
            | UsernameTaken(_)
            | ServiceCodeTaken(_)
            | LastAdministrator
            | AlreadyInitialised
            | NoConsentToWithdraw(_)
            | AlreadyExtended
            | ExtensionTooLate
            | CaseAnswered
            | CaseNotDecided
            | CaseDecided
            | AnswerNotReviewed
            | IdentityNotChecked
            | DataRestricted(_)
            | DutyToKeepRecords
            | NotPortable
            | TaskContributed
            | NoticeAcknowledged
            | NoConsentText(_)
            | ConsentAlreadyGiven(_)
            | BackupExists(_)
            | BackupMismatch { .. }
            | BackupTooNew { .. }
            | DataInUse
            | BreachClockNotRunning
            | BreachClockMet
            | RetentionRuleExists
            | RecordsDraftDecided
            | ObjectionWindowClosed
            | SubProcessorChangeSettled
            | TransferDecided
            | DpaVersionAcknowledged
            | ProcessorNoticeHandled
            | DpaNotEnded
            | DpaNoEnd
            | IdempotencyKeyReused
            | InvoiceDecided => ProblemKind::Conflict,
            FormTooLarge => ProblemKind::TooLarge,
            FieldDecisionText { problem, .. } => problem.kind(),
            _ => ProblemKind::Invalid,
        }
    }
}

impl From<crate::ids::IdError> for Problem {
    fn from(e: crate::ids::IdError) -> Problem {
        use crate::ids::IdError;
        match e {
            IdError::CprFormat => Problem::CprFormat,
            IdError::CprDate => Problem::CprImpossibleDate,
            IdError::CprFuture => Problem::CprFutureDate,
            IdError::CvrFormat => Problem::CvrFormat,
            IdError::CvrChecksum => Problem::CvrChecksum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_spelling() {
        assert_eq!(Problem::OrderNotFound.code(), "order_not_found");
        assert_eq!(
            Problem::Required(Input::ServiceCode).code(),
            "code_required"
        );
        assert_eq!(
            Problem::TooShort {
                input: Input::Justification,
                min: 10
            }
            .code(),
            "justification_required"
        );
        assert_eq!(
            Problem::GuardConfirmationRequired(GuardStop::default()).kind(),
            ProblemKind::Invalid
        );
        assert_eq!(Problem::DpaNotInForce.kind(), ProblemKind::Forbidden);
        assert_eq!(Problem::CitizenErased.code(), "citizen_erased");
        assert_eq!(Problem::CitizenErased.kind(), ProblemKind::NotFound);
        assert_eq!(
            Problem::NoConsentToWithdraw(Channel::Sms).kind(),
            ProblemKind::Conflict
        );
    }
}

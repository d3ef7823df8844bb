//! English: for callers who ask for it (`Accept-Language: en`).

use skjold_core::consents::Channel;
use skjold_core::error::{Confirm, DateInput, GuardStop, IdInput, Input, Setting};
use skjold_core::{FieldKey, Problem, Role};

fn input(i: Input) -> &'static str {
    match i {
        Input::Name | Input::DisplayName => "the name",
        Input::Username => "the user name",
        Input::PurposeName => "the purpose's name",
        Input::ServiceCode => "the service code",
        Input::ServiceName => "the service's name",
        Input::DpaReference => "the agreement's reference",
        Input::Description => "the description",
        Input::Instructions => "the instructions",
        Input::NationalLaw => "the national provision",
        Input::Cvr => "the CVR number",
        Input::Reason | Input::Justification => "the reason",
        Input::RejectionReason => "the reason for the rejection",
        Input::Note => "the note",
        Input::Message => "the message",
        Input::Confirmation => "the reason to send it anyway",
        Input::Evidence => "how the consent was given",
        Input::NoticeVersion => "the consent notice's version",
        Input::Place => "the place",
        Input::Time => "the time",
        Input::Password => "the password",
        Input::Email => "the e-mail address",
        Input::Filename => "the file name",
        Input::Setting => "the setting",
        Input::RequestDescription => "the description of the request",
        Input::ScopeDetail => "the scope",
        Input::Remarks => "the remarks",
        Input::ExtensionReason => "the reason for the extension",
        Input::IdentityMethod => "how the identity was checked",
        Input::DecisionReasons => "the reasons for the decision",
        Input::RectificationNote => "the rectification note",
        Input::Statement => "the citizen's statement",
        Input::Situation => "the citizen's particular situation",
        Input::Grounds => "the municipality's compelling legitimate grounds",
        Input::Safeguards => "the safeguards (article 22(3))",
        Input::ContactPoint => "the contact point",
        Input::Consequences => "the likely consequences",
        Input::Measures => "the measures",
        Input::SubjectCategories => "the categories of data subjects",
        Input::DataCategories => "the categories of data",
        Input::SecurityLevel => "the security level",
        Input::RetentionAndReturn => "retention and return at the end",
        Input::AuditTerms => "the audit terms",
        Input::LegalReference => "the legal reference",
        Input::Country => "the country",
        Input::Document => "the document",
        Input::ProcessingName => "the processing's name",
        Input::RulesBody => "the text of the security rules",
        Input::Retention => "the retention period",
        Input::Contribution => "the contribution",
        Input::DatumValue => "the value",
        Input::DatumSource => "the source",
        Input::DatumPurpose => "the purpose",
        Input::Task => "the task",
        Input::Scope => "the scope of the service",
        Input::SupplierRemark => "the remark to the supplier",
    }
}

fn date(d: DateInput) -> &'static str {
    match d {
        DateInput::Start => "the start date",
        DateInput::End => "the end date",
        DateInput::From => "the from date",
        DateInput::Until => "the until date",
        DateInput::Appointment => "the date",
        DateInput::Received => "the date of receipt",
    }
}

fn id(i: IdInput) -> &'static str {
    match i {
        IdInput::Citizen => "citizen",
        IdInput::Order => "order",
        IdInput::Organisation => "organisation",
        IdInput::Purpose => "purpose",
        IdInput::ServiceType => "service type",
        IdInput::Supplier => "supplier",
        IdInput::User => "user",
        IdInput::Block => "block",
        IdInput::Page => "page position",
    }
}

fn setting(s: Setting) -> &'static str {
    match s {
        Setting::LockoutThreshold => "The failures before blocking",
        Setting::LockoutWindowHours => "The window in hours",
        Setting::BlockMinutes => "The block in minutes",
    }
}

fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Sms => "SMS",
        Channel::Email => "e-mail",
    }
}

/// A field's name in English.
pub fn field(f: FieldKey) -> &'static str {
    match f {
        FieldKey::Name => "Name",
        FieldKey::Cpr => "CPR number",
        FieldKey::Address => "Address",
        FieldKey::Phone => "Phone",
        FieldKey::Email => "E-mail",
        FieldKey::TargetGroup => "Target group",
        FieldKey::Benefit => "Benefit",
        FieldKey::JobGoal => "Job goal",
        FieldKey::WorkExperience => "Work experience",
        FieldKey::Education => "Education",
        FieldKey::LanguageSkills => "Language skills",
        FieldKey::FamilySituation => "Family situation",
        FieldKey::Health => "Health",
        FieldKey::Substance => "Substance abuse",
        FieldKey::CriminalRecord => "Criminal record",
    }
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Administrator => "administrator",
        Role::Caseworker => "caseworker",
        Role::SupplierUser => "supplier user",
        Role::PrivacyOfficer => "privacy officer",
        Role::Auditor => "auditor",
        Role::Buyer => "buyer",
        Role::Analyst => "analyst",
        Role::Reviewer => "reviewer",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn guard(g: &GuardStop) -> String {
    format!(
        "The message contains {}. Change the text, or confirm sending it with a reason of at least {} characters.",
        guard_found(g).join("; "),
        g.min
    )
}

/// The guard's refusal of an order's own text: it goes with the order, unconfirmed.
fn order_text_guard(i: Input, g: &GuardStop) -> String {
    format!(
        "{} contains {}. The order's text goes to the supplier without a confirmed reason, so change the text. If the supplier needs the data, disclose it on the order with a justification once the order is placed.",
        capitalised(input(i)),
        guard_found(g).join("; ")
    )
}

/// What the guard found, each kind in a phrase.
fn guard_found(g: &GuardStop) -> Vec<String> {
    let mut found = Vec::new();
    if g.cpr_numbers > 0 {
        found.push("a CPR number".to_owned());
    }
    if !g.sensitive_terms.is_empty() {
        found.push(format!(
            "sensitive information ({})",
            g.sensitive_terms.join(", ")
        ));
    }
    if !g.unreadable.is_empty() {
        found.push(format!(
            "attachments whose text cannot be read ({})",
            g.unreadable.join(", ")
        ));
    }
    if !g.undisclosed.is_empty() {
        let names: Vec<&str> = g.undisclosed.iter().map(|f| field(*f)).collect();
        found.push(format!(
            "data about the citizen this supplier has not received: {}",
            names.join(", ")
        ));
    }
    found
}

/// The problem in English, as a sentence.
pub fn problem(p: &Problem) -> String {
    use Problem::*;
    match p {
        Required(i) => format!("{} is required.", capitalised(input(*i))),
        TooShort {
            input: Input::Justification,
            min,
        } => format!("A disclosure needs a written justification of at least {min} characters."),
        TooShort { input: i, min } => format!(
            "{} must be at least {min} characters long.",
            capitalised(input(*i))
        ),
        TooLong { input: i, max } => format!(
            "{} may be at most {max} characters long.",
            capitalised(input(*i))
        ),
        ControlCharacters(i) => format!(
            "{} contains control characters that cannot be stored.",
            capitalised(input(*i))
        ),
        CprFormat => "A CPR number has 10 digits, optionally with a hyphen after the first 6.".into(),
        CprImpossibleDate => "The CPR number holds no real birth date.".into(),
        CprFutureDate => "The CPR number's birth date lies in the future.".into(),
        CvrFormat => "A CVR number has 8 digits and does not begin with 0.".into(),
        CvrChecksum => "The CVR number's check digit is wrong.".into(),
        UnknownField(f) => format!("Unknown data field «{f}»."),
        UnknownPurpose(p) => format!("The authority has no purpose named «{p}»."),
        FieldNotRecordable(f) => format!("The field «{}» comes with the citizen and cannot be recorded as an item.", f.key()),
        FieldRepeated(f) => format!("The field «{}» is given more than once.", f.key()),
        BadDate(d) => format!("{} is not a valid date; use YYYY-MM-DD.", capitalised(date(*d))),
        BadTime => "Write the time as HH:MM.".into(),
        BadId(i) => format!("Unknown {}.", id(*i)),
        BadChannel => "The channel must be sms or email.".into(),
        BadKind => "Choose a kind of organisation (unit or supplier).".into(),
        BadOrderReference => "An order reference has letters, digits and hyphens only, e.g. B-1A2B3C4D or its beginning.".into(),
        BadOrderStatus(s) => format!("Unknown status «{s}»; choose open or closed."),
        BadRole(r) => format!("«{r}» is not a role."),
        BadRule { field: f, rule } => format!("Unknown rule «{rule}» for {}.", field(*f)),
        BadArt6 => "Choose a legal basis under art. 6(1).".into(),
        BadArt9 => "Unknown basis under art. 9(2).".into(),
        BadDecision => "Choose one of the options.".into(),
        ExportFormat(f) => format!("Unknown export format «{f}»; use jsonl or csv."),
        LogProofUnavailable(why) => format!("The log cannot prove it: {why}."),
        AnswerFormat(f) => format!("Unknown format «{f}»; use json or pdf."),
        EmailFormat(e) => format!("«{e}» is not an e-mail address."),
        UsernameFormat => "A user name has 2–64 characters: letters a–z, digits, dot, hyphen, underscore or @.".into(),
        PasswordTooShort { min } => format!("The password must have at least {min} characters."),
        PasswordMismatch => "The two new passwords differ.".into(),
        PasswordUnchanged => "The new password must differ from the current one.".into(),
        SettingOutOfRange { setting: s, min, max, given } => format!(
            "{} must be a whole number from {min} to {max} (not «{given}»).",
            setting(*s)
        ),
        RetentionTooShort { min } => format!("The log must be kept for at least {min} months."),
        ConfirmationRequired(Confirm::CloseOrder) => "Confirm that the order is to be closed.".into(),
        ConfirmationRequired(Confirm::Deletion) => "Tick the box to confirm that the copies are deleted.".into(),
        BadRequestBody(detail) => format!("The request's body cannot be read ({detail})."),
        FormInvalid(detail) => format!("The form is not filled in correctly ({detail})."),
        FormTooLarge => "The form is too large.".into(),
        ReminderContent => "The place may not contain names, numbers or sensitive information – only an address or a room.".into(),
        MessageEmpty => "The message is empty.".into(),
        MessageTooLong { max } => format!("The message is too long (at most {max} characters)."),
        TooManyAttachments { max } => format!("At most {max} attachments per message."),
        AttachmentEmpty(name) => format!("The file «{name}» is empty."),
        AttachmentTooLarge { name, max_mb } => format!("The file «{name}» is larger than {max_mb} MB."),
        AttachmentType(name) => format!(
            "The file «{name}» is of a type that cannot be sent (allowed: PDF, PNG, JPEG, DOCX, XLSX, ODT and text)."
        ),
        AttachmentDisguised { name, content_type } => format!(
            "The file «{name}» is not what its name says (its content is {content_type})."
        ),
        AttachmentEncoding(name) => format!("«{name}» is not valid base64."),
        GuardConfirmationRequired(g) => guard(g),
        OrderTextGuard { input: i, stop } => order_text_guard(*i, stop),
        GeneralThreadCpr => "The general thread is for matters that concern no citizen; the message or an attachment contains a CPR number. Write about the citizen in the order's thread.".into(),
        FieldsRequired => "Choose at least one field.".into(),
        FieldUndecided(f) => format!("Approve or reject {}: every field of the request must be decided.", field(*f)),
        FieldNotRequested(f) => format!("The request does not ask for {}. Decide only the fields the supplier asked for.", field(*f)),
        FieldDecisionText { field: f, problem: p } => match p.as_ref() {
            Required(Input::RejectionReason) => format!(
                "Write why {} is rejected: a rejection needs a reason of at least {} characters.",
                field(*f),
                skjold_core::text::MIN_JUSTIFICATION
            ),
            TooShort { input: Input::RejectionReason, min } => format!(
                "Write why {} is rejected: a rejection needs a reason of at least {min} characters.",
                field(*f)
            ),
            p => format!("{}: {}", field(*f), problem(p)),
        },
        BadCredentials => "Wrong user name or password.".into(),
        BadSecondFactor => "The one-time code is wrong or already used.".into(),
        SignInExpired => "The sign-in has expired; start again.".into(),
        SignInBlocked => "Too many failed attempts: the user ID or workstation is blocked for a while. Try again later.".into(),
        SecondFactorRequired => "The role needs a one-time code to sign in.".into(),
        NewPasswordRequired => "The administrator requires you to choose a new password.".into(),
        WrongCurrentPassword => "The current password is wrong.".into(),
        OwnPasswordReset => "You change your own password under «Change password».".into(),
        CsrfMismatch => "The form could not be accepted (its security token is missing or wrong). Go back, reload the page and try again.".into(),
        SsoRefused => "Single sign-on was refused; try again, or contact your administrator.".into(),
        SsoNotConfigured => "Single sign-on is not set up.".into(),
        SsoIssuerMismatch => "The provider's issuer does not match Skjold's configuration; contact your administrator.".into(),
        SsoUnreachable => "The provider cannot be reached right now; try again later, or contact your administrator.".into(),
        SsoProviderUnusable => "The provider's discovery document cannot be used; contact your administrator.".into(),
        RoleNotAllowed(r) => format!("The role {} has no access to this.", role(*r)),
        OtherController => "That belongs to another authority.".into(),
        MunicipalityByCli => "A new municipality is created with `skjold init`.".into(),
        OrderNotFound => "The order does not exist, or you have no access to it.".into(),
        SubjectNotFound => "The citizen does not exist, or you have no access to them. Look the citizen up by CPR number.".into(),
        CitizenNotFound => "There is no citizen with this CPR number.".into(),
        CitizenErased => "The citizen's data has been erased and can no longer be read.".into(),
        SubjectKeyMissing => "The citizen's data has been erased.".into(),
        AttachmentNotFound => "The attachment does not exist, or you have no access to it.".into(),
        ThreadNotFound => "The thread does not exist, or you have no access to it.".into(),
        RequestNotFound => "The request does not exist.".into(),
        StandInNotFound => "The stand-in access does not exist.".into(),
        UserNotFound(Some(name)) => format!("The user «{name}» does not exist."),
        UserNotFound(None) => "The user does not exist in your authority.".into(),
        OrganisationNotFound => "The organisation does not exist.".into(),
        PurposeNotFound => "The purpose does not exist.".into(),
        ServiceTypeNotFound => "The service type does not exist.".into(),
        BlockNotFound => "The block does not exist.".into(),
        SubjectExists => "The citizen is already registered.".into(),
        OrderClosed => "The order is closed; nothing more can be disclosed.".into(),
        OrderOpen => "The order is not closed; deletion is confirmed once the municipality has closed it.".into(),
        OrderClosedForSupplier => "The order is closed; the supplier no longer has access to the citizen's data.".into(),
        DeletionConfirmed => "The deletion is already confirmed.".into(),
        OwnUnitOrder => "The order belongs to your own unit; open it without a stand-in access.".into(),
        StandInFollowedUp => "The stand-in access has already been followed up.".into(),
        RequestDecided => "The request has already been decided.".into(),
        BlockNotActive => "The block has already ended or been lifted.".into(),
        FieldAlreadyDisclosed(f) => format!("{} has already been disclosed.", field(*f)),
        FieldNeverDisclosed(f) => format!("{} may never be disclosed for this service.", field(*f)),
        NoSuchData(f) => format!("The citizen has no {} on record.", field(*f).to_lowercase()),
        PolicyContactAutomatic(f) => format!(
            "{} may never be disclosed automatically (address and contact data).",
            field(*f)
        ),
        PolicySpecialWithoutArt9(f) => format!(
            "{} is a special category: the purpose needs a basis under art. 9.",
            field(*f)
        ),
        PolicyCriminalWithoutLaw(f) => format!(
            "{} is criminal-offence data: the purpose must name a national provision.",
            field(*f)
        ),
        NoDpaInForce(Some(name)) => format!(
            "{name} has no data processing agreement in force; nothing can be ordered or disclosed."
        ),
        NoDpaInForce(None) => "The supplier has no data processing agreement in force.".into(),
        DpaNotInForce => "There is no data processing agreement in force for this.".into(),
        NotASupplier => "The chosen organisation is not a supplier.".into(),
        ServiceNotCovered { supplier, service } => format!(
            "The data processing agreement with {supplier} does not cover the service {service}. Choose a supplier whose agreement covers it, or ask the administrator to extend the agreement's coverage."
        ),
        OrderPeriod => "The period ends before it starts: the until date must be the from date or later.".into(),
        IdempotencyKeyFormat => "The Idempotency-Key must be 1-200 visible ASCII characters.".into(),
        IdempotencyKeyReused => "This Idempotency-Key was used for an order with other content. Use a new key to place another order.".into(),
        DpaNotSupplier => "A data processing agreement is made with a supplier.".into(),
        DpaDates => "The agreement's end date lies before its start date.".into(),
        ParentNotMunicipality => "A unit belongs to a municipality.".into(),
        CvrRequired => "A supplier needs a CVR number.".into(),
        RoleOrganisationMismatch { supplier_org: true } => {
            "Users of a supplier can only be supplier users.".into()
        }
        RoleOrganisationMismatch {
            supplier_org: false,
        } => "Supplier users belong to a supplier.".into(),
        UsernameTaken(name) => format!("The user name «{name}» is taken."),
        ServiceCodeTaken(code) => format!("The service code «{code}» is taken."),
        NothingChanged => "There are no changes to save. Change at least one field, or go back to the overview.".into(),
        LastAdministrator => "The change would leave the authority without an active administrator. \
            Give another user the administrator role first, then try again."
            .into(),
        AlreadyInitialised => "The database is already set up.".into(),
        NoConsent(c) => format!(
            "The citizen has not consented to reminders by {}.",
            channel(*c)
        ),
        NoConsentToWithdraw(c) => format!(
            "The citizen has no consent to reminders by {} to withdraw.",
            channel(*c)
        ),
        NoContact(c) => format!(
            "The citizen has no {} on record.",
            field(c.field()).to_lowercase()
        ),
        NoReminderProvider => "No SMS or e-mail provider is set up.".into(),
        BadRightKind => "Choose which right the request concerns.".into(),
        BadIntakeChannel => "Choose how the request was received.".into(),
        BadAccessWish => "Choose what the citizen wants access to.".into(),
        BadScope => "Choose which area the request concerns.".into(),
        BadOutcome => "Choose the outcome: granted, partly granted or refused.".into(),
        BadErasureGround => "Choose the ground for erasure.".into(),
        BadRestrictionGround => "Choose the ground for restriction.".into(),
        BadJudgement => "Choose how the data was judged.".into(),
        PeriodBackwards => "The period ends before it begins.".into(),
        ReceivedInFuture => "The date of receipt lies in the future.".into(),
        AlreadyExtended => "The deadline has already been extended once.".into(),
        ExtensionTooLong { max } => format!("The deadline can be extended by at most {max} months."),
        ExtensionTooLate => "The deadline has passed; it can only be extended before it does, with notice to the citizen.".into(),
        RightsCaseNotFound => "There is no such case.".into(),
        CitizenNotKnown => "You are signed in with MitID, but the municipality holds no data about you in Skjold. Contact the municipality if you believe it holds data about you.".into(),
        StaffOnly => "This page is for the municipality's staff and suppliers. Your own data is under My data (/borger/).".into(),
        NoConsentText(c) => format!("There is no consent text for reminders by {}: consent cannot be given yet.", channel(*c)),
        ConsentChecklistFails => "The consent text cannot be used: the checklist shows that consent is not the right basis, that it is a condition for a service, or that an imbalance of power is not offset.".into(),
        ConsentAlreadyGiven(c) => format!("You have already consented to reminders by {}.", channel(*c)),
        RightsTaskNotFound => "There is no such task.".into(),
        NoticeNotFound => "There is no such notice.".into(),
        CaseAnswered => "The case has been answered and cannot change.".into(),
        CaseNotDecided => "The case has not been decided yet.".into(),
        AnswerNotReviewed => "The answer must be reviewed for other people's data before it is sent.".into(),
        CaseDecided => "The case has already been decided.".into(),
        IdentityNotChecked => "The citizen's identity must be checked before a decision.".into(),
        ItemsRequired => "Choose the data the request concerns.".into(),
        ItemNotOfCitizen => "The data does not belong to the case's citizen.".into(),
        DataRestricted(f) => format!(
            "The processing of «{}» is restricted; it cannot be disclosed.",
            field(*f)
        ),
        NotPortable => "The right to data portability covers only data processed on consent or a contract, and none of the citizen's data is. Refuse the request for that reason and offer the citizen access instead.".into(),
        Art22ExceptionRequired => "All three questions are answered yes, so article 22 applies: a decision that stands must rest on an exception of article 22(2). Choose the exception and describe the safeguards.".into(),
        DutyToKeepRecords => "The data is covered by the duty to keep case records and cannot be erased; refuse the request or handle it as a rectification.".into(),
        TaskContributed => "The contribution has already been given.".into(),
        NoticeAcknowledged => "The notice has already been acknowledged.".into(),
        SmtpUrl(url) => format!(
            "Invalid SMTP address «{url}»: use smtps://host[:port], smtp+starttls://host[:port] or smtp://host[:port]."
        ),
        SmtpFrom(from) => format!("Invalid sender address «{from}»."),
        SmtpTls(e) => format!("TLS to the SMTP server: {e}."),
        BackupExists(dir) => format!("The folder {dir} already holds a backup."),
        BackupNotFound(dir) => format!("There is no usable backup in {dir}."),
        BackupMismatch { backup, configured } => format!(
            "The backup is of a {backup} database, but this installation uses {configured}."
        ),
        BackupTooNew { version, known } => format!(
            "The backup has database version {version}, but this version of Skjold knows only up to {known}."
        ),
        BreachNatureRequired => "Say whether the breach concerns confidentiality, integrity or availability.".into(),
        BreachRiskContradiction => "A breach cannot be both high-risk and without risk.".into(),
        BreachProcessorRequired => "A breach the processor found names the processor and when it became aware.".into(),
        BreachInFuture => "The time lies in the future.".into(),
        BreachNotFound => "The breach does not exist.".into(),
        BreachClockNotRunning => "That deadline does not apply to this breach.".into(),
        BreachClockMet => "That duty is already recorded as met.".into(),
        BadNature => "Unknown nature of breach.".into(),
        BadParty => "Choose a user or an organisation.".into(),
        BadClock => "Unknown deadline.".into(),
        BadRetentionTrigger => "Unknown trigger.".into(),
        BadRetentionAction => "Unknown action.".into(),
        BadRecordType => "Unknown record type.".into(),
        RetentionPeriod { min, max } => format!("The period must be between {min} and {max} months."),
        RetentionRuleNotFound => "The retention rule does not exist.".into(),
        RetentionRuleExists => "A rule for that record type, purpose and trigger exists already.".into(),
        RecordsDraftNotFound => "The report does not exist.".into(),
        RecordsDraftDecided => "The report has been handled already.".into(),
        RecordsVersionNotFound => "That version of the records does not exist.".into(),
        BreachNoticeHours => "The breach-notice time must be between 1 and 72 hours.".into(),
        ChangeNoticeTooShort { earliest } => format!("A unilateral change takes effect on {} at the earliest (30 days' notice).", earliest),
        SubProcessorNoticeTooShort { earliest } => format!("A sub-processor change is announced at least a month ahead: {} at the earliest.", earliest),
        InspectionNoticeTooShort { earliest } => format!("An inspection needs 7 working days' notice: {} at the earliest.", earliest),
        ObjectionWindowClosed => "The window for objections has closed.".into(),
        SubProcessorChangeNotFound => "The change does not exist.".into(),
        SubProcessorChangeSettled => "The change was already objected to or withdrawn.".into(),
        TransferNotFound => "The transfer does not exist.".into(),
        TransferDecided => "The transfer has been decided already.".into(),
        BadTransferBasis => "Unknown transfer basis.".into(),
        TransferInsideEea => "The country is in the EU/EEA: a transfer there needs no basis.".into(),
        DpaNotFound => "The data processing agreement does not exist.".into(),
        DpaVersionNotFound => "That version of the agreement does not exist.".into(),
        DpaVersionAcknowledged => "That version has been acknowledged already.".into(),
        ProcessorNoticeNotFound => "The notice does not exist.".into(),
        BadProcessorNotice => "Unknown kind of notice.".into(),
        ProcessorNoticeHandled => "The notice has been handled already.".into(),
        SecurityRulesNotFound => "The security rules do not exist.".into(),
        SecurityRulesIncomplete(topics) => format!("The security rules must also cover: {}.", topics.join(", ")),
        DpaNotEnded => "The agreement has not ended, or its return or deletion is already confirmed.".into(),
        DpaNoEnd => "The agreement has no end date: there is nothing to return yet.".into(),
        DataInUse => "The data directory is in use. Stop the server (and other commands) before restoring.".into(),
        NotParticipating => "The organisation takes no part in the procurement-data collaboration.".into(),
        NotTheContact => "Only the organisation's designated contact for the collaboration can get its data back.".into(),
        InvoiceUnreadable { file, reason } => format!("{file}: cannot be read as an invoice or credit note ({reason}). Nothing was stored."),
        InvoiceArchive(why) => format!("The zip file cannot be used: {why}. Nothing was stored."),
        NoInvoices => "Choose at least one invoice (UBL XML) or a zip file of invoices.".into(),
        InvoiceNotFound => "The document does not exist.".into(),
        InvoiceDecided => "The document has been reviewed already.".into(),
        BadRedaction { max, min_length } => format!("Give at most {max} pieces of text to hide, one per line, each at least {min_length} characters."),
    }
}

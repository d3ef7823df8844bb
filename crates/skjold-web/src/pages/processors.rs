//! The DPAs' desk in the UI (GDPR art. 28). The privacy officer's and the administrator's
//! side (the auditor reads it): every DPA with what needs attention, and each DPA's desk
//! with forms for a new version, objections to sub-processor changes, transfer decisions,
//! audits and inspections, and handling the processor's notices. The supplier's side: its
//! own DPAs, acknowledging versions, announcing sub-processor changes, presenting transfers
//! with their document, sending warnings and forwarding requests, and confirming return or
//! deletion after the end. And the written security rules.
//!
//! A form refused re-shows its page with the reason and what was typed (a file must be
//! chosen again); success redirects with a message.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::catalogue::parse_date;
use skjold_app::processors::{Announcement, TransferInput};
use skjold_core::error::{DateInput, IdInput};
use skjold_core::processors::{
    AuditKind, ChangeKind, DpaDesk, DpaTerms, ProcessorNoticeKind, SUB_PROCESSOR_NOTICE_MONTHS,
    SecurityRules, SubProcessorChange, SubProcessorStatus, TransferBasis, TransferStatus,
    earliest_effective, earliest_inspection, missing_topics,
};
use skjold_core::text::{MAX_LINE, MAX_TEXT};
use skjold_core::{Action, Date, Input, Problem};

use super::PagePath;
use super::sign_in::Empty;
use super::{Layout, answer, error_page, page_with};
use crate::AppState;
use crate::api::processors::ReturnExportView;
use crate::download::download;
use crate::session::{CsrfForm, CsrfMultipart, WebUser};

/// The controller's list of DPAs.
const INDEX: &str = "/tilsyn/aftaler";
/// The supplier's own DPAs.
const SUPPLIER: &str = "/aftaler";
const RULES: &str = "/tilsyn/sikkerhedsregler";

/// Success messages after a redirect (`?ok=…`) on the desk's pages.
#[derive(Deserialize, Default)]
pub struct DeskFlash {
    ok: Option<String>,
}

impl DeskFlash {
    fn message(&self) -> Option<&'static str> {
        Some(match self.ok.as_deref()? {
            "version" => {
                "Den nye version er registreret. Databehandleren kan se og kvittere for den."
            }
            "indsigelse" => "Indsigelsen er registreret. Ændringen træder ikke i kraft.",
            "godkendt" => "Overførslen er godkendt.",
            "afvist" => "Overførslen er afvist. Den må ikke finde sted.",
            "revision" => "Revisionen er registreret.",
            "behandlet" => "Henvendelsen er registreret som behandlet.",
            "kvitteret" => "Tak. Versionen er kvitteret.",
            "varslet" => "Ændringen er varslet. Kommunen kan gøre indsigelse inden for en måned.",
            "forelagt" => {
                "Overførslen er forelagt kommunen. Den må ikke finde sted, før kommunen har godkendt den."
            }
            "sendt" => "Henvendelsen er sendt til kommunen.",
            "bekraeftet" => "Tak. Tilbagelevering eller sletning er bekræftet.",
            "regler" => "Den nye version af sikkerhedsreglerne er godkendt.",
            _ => return None,
        })
    }
}

fn layout(user: &WebUser, current: &str, flash: &DeskFlash) -> Layout {
    let mut l = Layout::for_user(user, current);
    l.flash = flash.message();
    l
}

const NO_FLASH: DeskFlash = DeskFlash { ok: None };

fn today(state: &AppState) -> Date {
    state.app.now().local_date()
}

/// A form's date, `YYYY-MM-DD` as a date input sends it.
fn day(s: &str, which: DateInput) -> Result<Date, AppError> {
    parse_date(s.trim(), which)
}

/// A reference short enough for a tab's title.
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

// ---- the controller's list ----------------------------------------------------------

/// A DPA and what on it needs attention.
struct DeskRow {
    d: DpaDesk,
    /// Sub-processor changes the controller can still object to.
    open_windows: usize,
    /// Transfers waiting for the controller's decision.
    awaiting: usize,
    /// Notices not yet handled, and of those the ones the processor sent late.
    unhandled: usize,
    late: usize,
}

impl DeskRow {
    fn new(d: DpaDesk) -> DeskRow {
        let unhandled: Vec<_> = d
            .notices
            .iter()
            .filter(|n| n.handled_at.is_none())
            .collect();
        DeskRow {
            open_windows: d.sub_processors.iter().filter(|s| s.may_object).count(),
            awaiting: d
                .transfers
                .iter()
                .filter(|t| t.status == TransferStatus::Presented)
                .count(),
            late: unhandled.iter().filter(|n| n.late).count(),
            unhandled: unhandled.len(),
            d,
        }
    }
}

#[derive(Template)]
#[template(path = "processors/index.html")]
struct IndexPage {
    layout: Layout,
    rows: Vec<DeskRow>,
}

pub async fn index(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<DeskFlash>,
) -> Response {
    match state.app.dpa_desks(&user.actor).await {
        Ok(desks) => page_with(
            &None,
            &IndexPage {
                layout: layout(&user, INDEX, &flash),
                rows: desks.into_iter().map(DeskRow::new).collect(),
            },
        ),
        Err(e) => error_page(Some(&user), e),
    }
}

// ---- the controller's desk ----------------------------------------------------------

/// The form for a new version, as typed (or the newest version's terms to start from).
#[derive(Deserialize, Default)]
pub struct VersionForm {
    #[serde(default)]
    change: String,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    instructions: String,
    #[serde(default)]
    data_categories: String,
    #[serde(default)]
    subject_categories: String,
    #[serde(default)]
    security_level: String,
    #[serde(default)]
    breach_notice_hours: String,
    #[serde(default)]
    retention_and_return: String,
    #[serde(default)]
    audit_terms: String,
}

impl VersionForm {
    /// The newest version's terms, to change from.
    fn from_desk(d: &DpaDesk) -> VersionForm {
        match d.versions.first() {
            Some(v) => VersionForm {
                change: ChangeKind::Agreed.key().into(),
                effective_on: String::new(),
                instructions: v.terms.instructions.clone(),
                data_categories: v.terms.data_categories.clone(),
                subject_categories: v.terms.subject_categories.clone(),
                security_level: v.terms.security_level.clone(),
                breach_notice_hours: v.terms.breach_notice_hours.to_string(),
                retention_and_return: v.terms.retention_and_return.clone(),
                audit_terms: v.terms.audit_terms.clone(),
            },
            None => VersionForm {
                change: ChangeKind::Agreed.key().into(),
                instructions: d.dpa.instructions.clone(),
                breach_notice_hours: skjold_core::processors::DEFAULT_BREACH_NOTICE_HOURS
                    .to_string(),
                ..VersionForm::default()
            },
        }
    }

    fn read(&self) -> Result<(ChangeKind, DpaTerms, Date), AppError> {
        let change = ChangeKind::parse(&self.change).ok_or(Problem::BadKind)?;
        let effective_on = day(&self.effective_on, DateInput::Start)?;
        let hours = self
            .breach_notice_hours
            .trim()
            .parse::<u32>()
            .map_err(|_| Problem::BreachNoticeHours)?;
        let terms = DpaTerms {
            instructions: self.instructions.clone(),
            data_categories: self.data_categories.clone(),
            subject_categories: self.subject_categories.clone(),
            security_level: self.security_level.clone(),
            breach_notice_hours: hours,
            retention_and_return: self.retention_and_return.clone(),
            audit_terms: self.audit_terms.clone(),
        };
        Ok((change, terms, effective_on))
    }
}

/// An audit statement or an inspection, as typed.
#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    summary: String,
}

/// What was typed into one row's form (an objection, a transfer's note, a notice's
/// handling), kept for that row when it is shown again.
#[derive(Default)]
struct RowText {
    id: Option<Uuid>,
    text: String,
}

impl RowText {
    fn of(&self, id: &Uuid) -> &str {
        if self.id.as_ref() == Some(id) {
            &self.text
        } else {
            ""
        }
    }
}

/// The form the page is shown again for.
enum Typed {
    Nothing,
    Version(VersionForm),
    Audit(AuditForm),
    Objection(Uuid, String),
    Decision(Uuid, String),
    Handled(Uuid, String),
}

#[derive(Template)]
#[template(path = "processors/desk.html")]
struct DeskPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    d: DpaDesk,
    title: String,
    version: VersionForm,
    /// The new version's form was refused: it shows open.
    version_typed: bool,
    audit: AuditForm,
    objection: RowText,
    decision: RowText,
    handled: RowText,
    /// The privacy officer and the administrator work the desk; the auditor reads it.
    may_manage: bool,
    today: Date,
    earliest_unilateral: Date,
    earliest_inspection: Date,
    change_kinds: [ChangeKind; 2],
    max_text: usize,
}

impl DeskPage {
    fn status_badge(&self, s: &SubProcessorStatus) -> &'static str {
        match s {
            SubProcessorStatus::Announced => "badge-info",
            SubProcessorStatus::Objected => "badge-warning",
            SubProcessorStatus::InEffect => "badge-success",
            SubProcessorStatus::Withdrawn => "badge-info",
        }
    }

    fn transfer_badge(&self, s: &TransferStatus) -> &'static str {
        match s {
            TransferStatus::Presented => "badge-warning",
            TransferStatus::Approved => "badge-success",
            TransferStatus::Refused => "badge-error",
        }
    }
}

async fn desk_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &DeskFlash,
    error: Option<String>,
    typed: Typed,
) -> Response {
    let d = match state.app.dpa_desk(&user.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(Some(user), e),
    };
    let today = today(state);
    let mut version = None;
    let mut audit = AuditForm {
        kind: AuditKind::Statement.key().into(),
        ..AuditForm::default()
    };
    let (mut objection, mut decision, mut handled) = Default::default();
    match typed {
        Typed::Nothing => {}
        Typed::Version(f) => version = Some(f),
        Typed::Audit(f) => audit = f,
        Typed::Objection(id, text) => objection = RowText { id: Some(id), text },
        Typed::Decision(id, text) => decision = RowText { id: Some(id), text },
        Typed::Handled(id, text) => handled = RowText { id: Some(id), text },
    }
    let version_typed = version.is_some();
    let version = version.unwrap_or_else(|| VersionForm::from_desk(&d));
    page_with(
        &error,
        &DeskPage {
            layout: layout(user, INDEX, flash),
            csrf: user.csrf.clone(),
            error: error.clone(),
            title: short(&d.dpa.reference),
            d,
            version,
            version_typed,
            audit,
            objection,
            decision,
            handled,
            may_manage: user.actor.may(Action::ManageProcessors),
            today,
            earliest_unilateral: earliest_effective(ChangeKind::Unilateral, today),
            earliest_inspection: earliest_inspection(today),
            change_kinds: ChangeKind::ALL,
            max_text: MAX_TEXT,
        },
    )
}

pub async fn desk(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<DeskFlash>,
) -> Response {
    desk_page(&state, &user, id, &flash, None, Typed::Nothing).await
}

/// A transfer's document, for the privacy officer to read before deciding.
pub async fn transfer_document(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.transfer_document(&user.actor, id).await {
        Ok(doc) => download(&doc.filename, &doc.content_type, doc.bytes),
        Err(e) => error_page(Some(&user), e),
    }
}

/// The return export as a file: the API's JSON, for the municipality's archive or case
/// system.
pub async fn return_export(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.return_export(&user.actor, id).await {
        Ok(export) => {
            let filename = format!("tilbagelevering-{}.json", export.dpa.reference);
            let view = ReturnExportView::from(export);
            match serde_json::to_vec_pretty(&view) {
                Ok(bytes) => download(&filename, "application/json", bytes),
                Err(e) => error_page(Some(&user), AppError::Internal(e.to_string())),
            }
        }
        Err(e) => error_page(Some(&user), e),
    }
}

pub async fn new_version(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<VersionForm>,
) -> Response {
    let result = async {
        let (change, terms, effective_on) = f.read()?;
        state
            .app
            .new_dpa_version(&user.actor, id, change, &terms, effective_on)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{INDEX}/{id}?ok=version#versioner")),
        |error| desk_page(&state, &user, id, &NO_FLASH, Some(error), Typed::Version(f)),
    )
    .await
}

#[derive(Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    objection: String,
}

pub async fn object(
    State(state): State<AppState>,
    PagePath((id, change)): PagePath<(Uuid, Uuid)>,
    CsrfForm(user, f): CsrfForm<ObjectionForm>,
) -> Response {
    let result = state
        .app
        .object_sub_processor(&user.actor, change, &f.objection)
        .await;
    answer(
        &user,
        result.map(|()| format!("{INDEX}/{id}?ok=indsigelse#underdatabehandlere")),
        |error| {
            let typed = Typed::Objection(change, f.objection);
            desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// `approve` or `refuse`: the button pressed.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide_transfer(
    State(state): State<AppState>,
    PagePath((id, transfer)): PagePath<(Uuid, Uuid)>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let approve = match f.decision.trim() {
        "approve" => Ok(true),
        "refuse" => Ok(false),
        _ => Err(AppError::from(Problem::BadDecision)),
    };
    let result = async {
        let approve = approve?;
        state
            .app
            .decide_transfer(&user.actor, transfer, approve, &f.note)
            .await?;
        Ok::<_, AppError>(if approve { "godkendt" } else { "afvist" })
    }
    .await;
    answer(
        &user,
        result.map(|ok| format!("{INDEX}/{id}?ok={ok}#overfoersler")),
        |error| {
            let typed = Typed::Decision(transfer, f.note);
            desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

pub async fn record_audit(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<AuditForm>,
) -> Response {
    let result = async {
        let kind = AuditKind::parse(&f.kind).ok_or(Problem::BadKind)?;
        let on = day(&f.on, DateInput::Appointment)?;
        state
            .app
            .record_audit(&user.actor, id, kind, on, &f.summary)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{INDEX}/{id}?ok=revision#revision")),
        |error| desk_page(&state, &user, id, &NO_FLASH, Some(error), Typed::Audit(f)),
    )
    .await
}

#[derive(Deserialize)]
pub struct HandledForm {
    #[serde(default)]
    response: String,
}

pub async fn handle_notice(
    State(state): State<AppState>,
    PagePath((id, notice)): PagePath<(Uuid, Uuid)>,
    CsrfForm(user, f): CsrfForm<HandledForm>,
) -> Response {
    let result = state
        .app
        .handle_processor_notice(&user.actor, notice, &f.response)
        .await;
    answer(
        &user,
        result.map(|()| format!("{INDEX}/{id}?ok=behandlet#henvendelser")),
        |error| {
            let typed = Typed::Handled(notice, f.response);
            desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

// ---- the supplier's side --------------------------------------------------------------

/// One of the supplier's DPAs and what waits for the supplier.
struct SupplierRow {
    d: DpaDesk,
    /// Versions the supplier has not acknowledged.
    unacknowledged: usize,
}

#[derive(Template)]
#[template(path = "processors/supplier_index.html")]
struct SupplierIndexPage {
    layout: Layout,
    rows: Vec<SupplierRow>,
}

pub async fn supplier_index(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<DeskFlash>,
) -> Response {
    match state.app.dpa_desks(&user.actor).await {
        Ok(desks) => page_with(
            &None,
            &SupplierIndexPage {
                layout: layout(&user, SUPPLIER, &flash),
                rows: desks
                    .into_iter()
                    .map(|d| SupplierRow {
                        unacknowledged: d
                            .versions
                            .iter()
                            .filter(|v| v.acknowledged_at.is_none())
                            .count(),
                        d,
                    })
                    .collect(),
            },
        ),
        Err(e) => error_page(Some(&user), e),
    }
}

/// A sub-processor change, as typed.
#[derive(Deserialize, Default)]
pub struct AnnounceForm {
    #[serde(default)]
    change: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    task: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    agreement_on: String,
}

impl AnnounceForm {
    fn read(&self) -> Result<Announcement, AppError> {
        Ok(Announcement {
            change: SubProcessorChange::parse(&self.change).ok_or(Problem::BadKind)?,
            name: self.name.clone(),
            country: self.country.clone(),
            task: self.task.clone(),
            planned_on: day(&self.planned_on, DateInput::Start)?,
            agreement_on: match self.agreement_on.trim() {
                "" => None,
                d => Some(day(d, DateInput::Appointment)?),
            },
        })
    }
}

/// A transfer's text fields, as typed (the file is chosen again).
#[derive(Default)]
struct TransferForm {
    recipient: String,
    country: String,
    basis: String,
}

/// A warning or a forwarded request, as typed.
#[derive(Deserialize, Default)]
pub struct NoticeForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize, Default)]
pub struct EndForm {
    #[serde(default)]
    confirmation: String,
}

enum SupplierTyped {
    Nothing,
    Announce(AnnounceForm),
    Transfer(TransferForm),
    Notice(NoticeForm),
    End(EndForm),
}

#[derive(Template)]
#[template(path = "processors/supplier_desk.html")]
struct SupplierDeskPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    d: DpaDesk,
    title: String,
    /// The form refused (`announce`, `transfer`, `notice`, `end`): it shows open.
    typed: &'static str,
    announce: AnnounceForm,
    transfer: TransferForm,
    notice: NoticeForm,
    end: EndForm,
    earliest_planned: Date,
    today: Date,
    changes: [SubProcessorChange; 2],
    bases: [TransferBasis; 4],
    notice_kinds: [ProcessorNoticeKind; 3],
    max_text: usize,
    max_line: usize,
}

async fn supplier_desk_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &DeskFlash,
    error: Option<String>,
    typed: SupplierTyped,
) -> Response {
    let d = match state.app.dpa_desk(&user.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(Some(user), e),
    };
    let today = today(state);
    let mut announce = AnnounceForm {
        change: SubProcessorChange::Add.key().into(),
        ..AnnounceForm::default()
    };
    let mut transfer = TransferForm::default();
    let mut notice = NoticeForm {
        received_on: today.to_string(),
        ..NoticeForm::default()
    };
    let mut end = EndForm::default();
    let typed = match typed {
        SupplierTyped::Nothing => "",
        SupplierTyped::Announce(f) => {
            announce = f;
            "announce"
        }
        SupplierTyped::Transfer(f) => {
            transfer = f;
            "transfer"
        }
        SupplierTyped::Notice(f) => {
            notice = f;
            "notice"
        }
        SupplierTyped::End(f) => {
            end = f;
            "end"
        }
    };
    page_with(
        &error,
        &SupplierDeskPage {
            layout: layout(user, SUPPLIER, flash),
            csrf: user.csrf.clone(),
            error: error.clone(),
            title: short(&d.dpa.reference),
            d,
            typed,
            announce,
            transfer,
            notice,
            end,
            earliest_planned: today.plus_months(SUB_PROCESSOR_NOTICE_MONTHS),
            today,
            changes: SubProcessorChange::ALL,
            bases: TransferBasis::ALL,
            notice_kinds: ProcessorNoticeKind::ALL,
            max_text: MAX_TEXT,
            max_line: MAX_LINE,
        },
    )
}

pub async fn supplier_desk(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<DeskFlash>,
) -> Response {
    supplier_desk_page(&state, &user, id, &flash, None, SupplierTyped::Nothing).await
}

pub async fn acknowledge(
    State(state): State<AppState>,
    PagePath((id, version)): PagePath<(Uuid, Uuid)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state
        .app
        .acknowledge_dpa_version(&user.actor, version)
        .await;
    answer(
        &user,
        result.map(|()| format!("{SUPPLIER}/{id}?ok=kvitteret#versioner")),
        |error| {
            supplier_desk_page(
                &state,
                &user,
                id,
                &NO_FLASH,
                Some(error),
                SupplierTyped::Nothing,
            )
        },
    )
    .await
}

pub async fn announce(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<AnnounceForm>,
) -> Response {
    let result = async {
        let a = f.read()?;
        state.app.announce_sub_processor(&user.actor, id, &a).await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{SUPPLIER}/{id}?ok=varslet#underdatabehandlere")),
        |error| {
            let typed = SupplierTyped::Announce(f);
            supplier_desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

pub async fn present_transfer(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfMultipart(user, mut f): CsrfMultipart,
) -> Response {
    let mut field = |name: &str| f.fields.remove(name).unwrap_or_default();
    let typed = TransferForm {
        recipient: field("recipient"),
        country: field("country"),
        basis: field("basis"),
    };
    let file = f.files.drain(..).next();
    let result = async {
        let basis = TransferBasis::parse(&typed.basis).ok_or(Problem::BadTransferBasis)?;
        let file = file.ok_or(Problem::Required(Input::Document))?;
        let max = skjold_app::threads::uploads::MAX_ATTACHMENT_BYTES;
        if file.bytes.len() > max {
            return Err(Problem::AttachmentTooLarge {
                name: file.filename.chars().take(MAX_LINE).collect(),
                max_mb: max / (1024 * 1024),
            }
            .into());
        }
        let input = TransferInput {
            recipient: typed.recipient.clone(),
            country: typed.country.clone(),
            basis,
            document_name: file.filename,
            document: file.bytes,
        };
        state.app.present_transfer(&user.actor, id, &input).await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{SUPPLIER}/{id}?ok=forelagt#overfoersler")),
        |error| {
            let typed = SupplierTyped::Transfer(typed);
            supplier_desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

pub async fn send_notice(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<NoticeForm>,
) -> Response {
    let result = async {
        let kind = ProcessorNoticeKind::parse(&f.kind).ok_or(Problem::BadProcessorNotice)?;
        let received_on = day(&f.received_on, DateInput::Received)?;
        state
            .app
            .send_processor_notice(&user.actor, id, kind, received_on, &f.body)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{SUPPLIER}/{id}?ok=sendt#henvendelser")),
        |error| {
            let typed = SupplierTyped::Notice(f);
            supplier_desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

pub async fn confirm_end(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<EndForm>,
) -> Response {
    let result = state
        .app
        .confirm_dpa_end(&user.actor, id, &f.confirmation)
        .await;
    answer(
        &user,
        result.map(|()| format!("{SUPPLIER}/{id}?ok=bekraeftet#ophoer")),
        |error| {
            let typed = SupplierTyped::End(f);
            supplier_desk_page(&state, &user, id, &NO_FLASH, Some(error), typed)
        },
    )
    .await
}

// ---- the security rules ---------------------------------------------------------------

/// A new version of the security rules, as typed.
#[derive(Deserialize, Default)]
pub struct RulesForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    owner: String,
}

#[derive(Template)]
#[template(path = "processors/security_rules.html")]
struct RulesPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    current: Option<SecurityRules>,
    history: Vec<SecurityRules>,
    /// Topics the current version does not name.
    missing: Vec<&'static str>,
    form: RulesForm,
    /// Who may own the rules: (user id, name).
    owners: Vec<(String, String)>,
    /// The privacy officer and the administrator approve new versions; the auditor reads.
    may_write: bool,
    max_line: usize,
}

/// The users who may own the rules: the municipality's active users.
async fn owners(state: &AppState, user: &WebUser) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .app
        .rules_owners(&user.actor)
        .await?
        .into_iter()
        .map(|u| {
            (
                u.id.to_string(),
                format!("{} ({})", u.display_name, u.username),
            )
        })
        .collect())
}

async fn rules_page(
    state: &AppState,
    user: &WebUser,
    flash: &DeskFlash,
    error: Option<String>,
    form: Option<RulesForm>,
) -> Response {
    let may_write = user.actor.may(Action::ManageProcessors);
    let loaded = async {
        let rules = state.app.security_rules(&user.actor).await?;
        let owners = if may_write {
            owners(state, user).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((rules, owners))
    }
    .await;
    let (mut rules, owners) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(Some(user), e),
    };
    let current = if rules.is_empty() {
        None
    } else {
        Some(rules.remove(0))
    };
    let form = form.unwrap_or_else(|| RulesForm {
        title: current
            .as_ref()
            .map(|c| c.title.clone())
            .unwrap_or_default(),
        body: current.as_ref().map(|c| c.body.clone()).unwrap_or_default(),
        owner: user.actor.user_id.to_string(),
    });
    page_with(
        &error,
        &RulesPage {
            layout: layout(user, RULES, flash),
            csrf: user.csrf.clone(),
            error: error.clone(),
            missing: current
                .as_ref()
                .map(|c| missing_topics(&c.body))
                .unwrap_or_default(),
            current,
            history: rules,
            form,
            owners,
            may_write,
            max_line: MAX_LINE,
        },
    )
}

pub async fn security_rules(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<DeskFlash>,
) -> Response {
    rules_page(&state, &user, &flash, None, None).await
}

pub async fn approve_security_rules(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<RulesForm>,
) -> Response {
    let result = async {
        let owner = super::parse_id(&f.owner, IdInput::User)?;
        state
            .app
            .approve_security_rules(&user.actor, &f.title, &f.body, owner)
            .await
    }
    .await;
    answer(
        &user,
        result.map(|_| format!("{RULES}?ok=regler")),
        |error| rules_page(&state, &user, &NO_FLASH, Some(error), Some(f)),
    )
    .await
}

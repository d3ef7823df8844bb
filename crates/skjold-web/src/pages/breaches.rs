//! The breach register in the UI (art. 33-34): the privacy officer's register with a form
//! to record a breach, each breach with its clocks (a form per clock: when it was met, why
//! it was late), the search for the persons a user or an organisation reached (counts per
//! category, attached on request) and the report as PDF; the supplier's own reports and
//! its form to report one to a municipality; and the overdue clocks that head the
//! privacy officer's start page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_core::breaches::{
    AffectedQuery, AffectedSummary, BreachReport, BreachView, Clock, ClockKind, DetectedBy, Nature,
    Party,
};
use skjold_core::directory::Organisation;
use skjold_core::error::IdInput;
use skjold_core::text::{MAX_LINE, MAX_TEXT};
use skjold_core::threads::GeneralThreadSummary;
use skjold_core::{Action, Actor, Category, OrgKind, Problem, ProblemKind, Role, Timestamp};

use super::PagePath;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with, words};
use crate::AppState;
use crate::download::download;
use crate::input;
use crate::session::{CsrfForm, WebUser};

const REGISTER: &str = "/tilsyn/brud";
const SUPPLIER: &str = "/brud";

/// The register's words: short names for the tables, and each clock's state.
pub(crate) struct Words;

impl Words {
    fn nature(&self, n: &Nature) -> &'static str {
        match n {
            Nature::Confidentiality => "Fortrolighed",
            Nature::Integrity => "Integritet",
            Nature::Availability => "Tilgængelighed",
        }
    }

    fn clock(&self, k: &ClockKind) -> &'static str {
        match k {
            ClockKind::ProcessorReport => "Databehandlerens underretning",
            ClockKind::Authority => "Datatilsynet",
            ClockKind::Persons => "De registrerede",
        }
    }

    /// The badge class of a clock's state.
    fn badge(&self, c: &Clock) -> &'static str {
        if c.overdue {
            "badge-error"
        } else if c.late {
            "badge-warning"
        } else if c.done_at.is_some() {
            "badge-success"
        } else {
            "badge-info"
        }
    }

    fn state(&self, c: &Clock) -> &'static str {
        match (c.done_at.is_some(), c.late, c.overdue) {
            (_, _, true) => "Overskredet",
            (true, true, _) => "Opfyldt for sent",
            (true, false, _) => "Opfyldt",
            (false, true, _) => "Forsinket, begrundet",
            (false, false, _) => "Løber",
        }
    }

    fn detected_by(&self, d: &DetectedBy) -> &'static str {
        d.danish()
    }

    fn party(&self, p: &Party) -> &'static str {
        match p {
            Party::User(_) => "Bruger",
            Party::Organisation(_) => "Organisation",
        }
    }
}

/// A breach form as typed, kept when it is shown again. Checkboxes arrive once per box
/// ticked, so the form is read as pairs.
#[derive(Default)]
pub struct BreachForm {
    controller_id: String,
    detected_by: String,
    processor_id: String,
    processor_aware_at: String,
    aware_at: String,
    occurred_at: String,
    natures: Vec<String>,
    description: String,
    categories: Vec<String>,
    subject_categories: String,
    approx_persons: String,
    approx_records: String,
    contact_point: String,
    consequences: String,
    measures: String,
    /// `high`, `normal` or `none`.
    risk: String,
}

/// A form's instant, required or not; a refusal names the field.
fn when(label: &str, s: &str, required: bool) -> Result<Option<Timestamp>, Problem> {
    if s.trim().is_empty() {
        return if required {
            Err(Problem::FormInvalid(format!(
                "{label}: angiv dato og klokkeslæt"
            )))
        } else {
            Ok(None)
        };
    }
    input::local_instant(s)
        .map(Some)
        .ok_or_else(|| Problem::FormInvalid(format!("{label}: angiv dato og klokkeslæt")))
}

fn count(label: &str, s: &str) -> Result<u64, Problem> {
    if s.trim().is_empty() {
        return Ok(0);
    }
    s.trim()
        .parse()
        .map_err(|_| Problem::FormInvalid(format!("{label}: skriv et helt tal")))
}

fn optional_id(s: &str, what: IdInput) -> Result<Option<Uuid>, Problem> {
    match s.trim() {
        "" => Ok(None),
        s => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| Problem::BadId(what)),
    }
}

impl BreachForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> BreachForm {
        let mut f = BreachForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "controller_id" => f.controller_id = v,
                "detected_by" => f.detected_by = v,
                "processor_id" => f.processor_id = v,
                "processor_aware_at" => f.processor_aware_at = v,
                "aware_at" => f.aware_at = v,
                "occurred_at" => f.occurred_at = v,
                "nature" => f.natures.push(v),
                "description" => f.description = v,
                "category" => f.categories.push(v),
                "subject_categories" => f.subject_categories = v,
                "approx_persons" => f.approx_persons = v,
                "approx_records" => f.approx_records = v,
                "contact_point" => f.contact_point = v,
                "consequences" => f.consequences = v,
                "measures" => f.measures = v,
                "risk" => f.risk = v,
                _ => {}
            }
        }
        f
    }

    fn has_nature(&self, key: &str) -> bool {
        self.natures.iter().any(|n| n == key)
    }

    fn has_category(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c == key)
    }

    /// The report the form describes. A supplier's form names when the supplier became
    /// aware; the municipality becomes aware with the report, `now`.
    fn report(&self, supplier: bool, now: Timestamp) -> Result<BreachReport, Problem> {
        let processor_aware_at = when(
            "Hvornår databehandleren blev opmærksom på bruddet",
            &self.processor_aware_at,
            supplier,
        )?;
        let aware_at = if supplier {
            now
        } else {
            when(
                "Hvornår kommunen blev opmærksom på bruddet",
                &self.aware_at,
                true,
            )?
            .unwrap_or(now)
        };
        Ok(BreachReport {
            detected_by: if supplier {
                DetectedBy::Processor
            } else {
                input::detected_by(&self.detected_by)?
            },
            processor_id: optional_id(&self.processor_id, IdInput::Supplier)?,
            processor_aware_at,
            aware_at,
            occurred_at: when("Hvornår bruddet skete", &self.occurred_at, false)?,
            nature: input::natures(&self.natures)?,
            description: self.description.clone(),
            data_categories: input::categories(&self.categories)?,
            subject_categories: self.subject_categories.clone(),
            approx_persons: count("Omtrentligt antal personer", &self.approx_persons)?,
            approx_records: count("Omtrentligt antal registreringer", &self.approx_records)?,
            contact_point: self.contact_point.clone(),
            consequences: self.consequences.clone(),
            measures: self.measures.clone(),
            high_risk: self.risk == "high",
            no_risk: self.risk == "none",
        })
    }
}

/// What every breach form offers to choose from.
struct Choices {
    natures: [Nature; 3],
    categories: [Category; 7],
    max_text: usize,
    max_line: usize,
}

const CHOICES: Choices = Choices {
    natures: Nature::ALL,
    categories: Category::ALL,
    max_text: MAX_TEXT,
    max_line: MAX_LINE,
};

#[derive(Template)]
#[template(path = "breaches/register.html")]
struct RegisterPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    c: Choices,
    breaches: Vec<BreachView>,
    /// The privacy officer records breaches; the auditor reads.
    may_manage: bool,
    form: BreachForm,
    suppliers: Vec<Organisation>,
}

async fn register_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    form: BreachForm,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let breaches = state.app.breaches(&user.actor).await?;
        let may_manage = user.actor.may(Action::ManageBreaches);
        let suppliers = if may_manage {
            state
                .app
                .organisations(&user.actor)
                .await?
                .into_iter()
                .filter(|o| o.kind == OrgKind::Supplier)
                .collect()
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((breaches, may_manage, suppliers))
    }
    .await;
    match loaded {
        Ok((breaches, may_manage, suppliers)) => page_with(
            &error,
            &RegisterPage {
                layout: Layout::for_user(user, REGISTER).with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                c: CHOICES,
                breaches,
                may_manage,
                form,
                suppliers,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

/// A new form: the municipality became aware now, the risk is not yet judged high.
fn new_form(now: Timestamp) -> BreachForm {
    BreachForm {
        aware_at: input::local_input(now),
        risk: "normal".into(),
        ..BreachForm::default()
    }
}

pub async fn register(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    let form = new_form(state.app.now());
    register_page(&state, &user, &flash, form, None).await
}

pub async fn record(
    State(state): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let form = BreachForm::from_pairs(pairs);
    let result = async {
        let report = form.report(false, state.app.now())?;
        let id = state.app.report_breach(&user.actor, None, &report).await?;
        Ok::<_, AppError>(format!("{REGISTER}/{id}?ok=brud"))
    }
    .await;
    answer(&user, result, |error| {
        register_page(&state, &user, &NO_FLASH, form, Some(error))
    })
    .await
}

/// The search for affected persons as typed: a user (by user name or id) or an
/// organisation, and a window of days.
#[derive(Deserialize, Default)]
pub struct AffectedForm {
    #[serde(default)]
    party: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

impl AffectedForm {
    async fn query(&self, state: &AppState) -> Result<AffectedQuery, AppError> {
        let day =
            |s: &str, end: bool, which| input::local_day(s, end).ok_or(Problem::BadDate(which));
        let from = day(&self.from, false, skjold_core::error::DateInput::From)?;
        let until = day(&self.until, true, skjold_core::error::DateInput::Until)?;
        let party = match self.party.as_str() {
            "organisation" => {
                let id = optional_id(&self.organisation, IdInput::Organisation)?
                    .ok_or(Problem::BadId(IdInput::Organisation))?;
                Party::Organisation(id)
            }
            "user" => {
                let name = self.username.trim();
                if name.is_empty() {
                    return Err(Problem::BadParty.into());
                }
                // A user's id, or their user name; whether the user is the municipality's
                // is the search's to say.
                let id = match Uuid::parse_str(name) {
                    Ok(id) => id,
                    Err(_) => {
                        state
                            .app
                            .named_user(name)
                            .await
                            .map_err(|_| Problem::UserNotFound(None))?
                            .user_id
                    }
                };
                Party::User(id)
            }
            _ => return Err(Problem::BadParty.into()),
        };
        Ok(AffectedQuery { party, from, until })
    }
}

/// A user outside the municipality is, to the search, no user of it.
fn unknown_user(e: AppError, form: &AffectedForm) -> AppError {
    match (&e, form.party.as_str()) {
        (AppError::Refused(Problem::OrganisationNotFound), "user") => {
            Problem::UserNotFound(None).into()
        }
        _ => e,
    }
}

/// A clock's form as typed.
#[derive(Deserialize, Default)]
pub struct ClockForm {
    #[serde(default)]
    met_at: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "breaches/breach.html")]
struct BreachPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    b: BreachView,
    may_manage: bool,
    /// The clock whose form was refused, and what was typed in it.
    clock_form: Option<(ClockKind, ClockForm)>,
    search: AffectedForm,
    found: Option<AffectedSummary>,
    organisations: Vec<Organisation>,
    now_input: String,
    max_text: usize,
}

impl BreachPage {
    /// What was typed in `kind`'s form, if that form was refused.
    fn typed(&self, kind: &ClockKind) -> Option<&ClockForm> {
        match &self.clock_form {
            Some((k, f)) if k == kind => Some(f),
            _ => None,
        }
    }

    /// A clock takes a form while its duty is not met, or it is late without a reason.
    fn open(&self, c: &Clock) -> bool {
        c.done_at.is_none() || (c.late && c.late_reason.is_none())
    }
}

struct Shown {
    flash: Flash,
    error: Option<String>,
    clock_form: Option<(ClockKind, ClockForm)>,
    search: Option<AffectedForm>,
    found: Option<AffectedSummary>,
}

impl Shown {
    fn plain(flash: Flash) -> Shown {
        Shown {
            flash,
            error: None,
            clock_form: None,
            search: None,
            found: None,
        }
    }

    fn error(error: String) -> Shown {
        Shown {
            error: Some(error),
            ..Shown::plain(Flash::default())
        }
    }
}

async fn breach_page(state: &AppState, user: &WebUser, id: Uuid, shown: Shown) -> Response {
    let loaded = async {
        let b = state.app.breach(&user.actor, id).await?;
        let may_manage = user.actor.may(Action::ManageBreaches);
        let organisations = if may_manage {
            state.app.organisations(&user.actor).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((b, may_manage, organisations))
    }
    .await;
    let (b, may_manage, organisations) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(Some(user), e),
    };
    let now = state.app.now();
    let search = shown.search.unwrap_or_else(|| AffectedForm {
        party: "organisation".into(),
        organisation: b
            .report
            .processor_id
            .map(|p| p.to_string())
            .unwrap_or_default(),
        from: b
            .report
            .occurred_at
            .unwrap_or(b.report.aware_at)
            .local_date()
            .plus_days(-30)
            .to_string(),
        until: now.local_date().to_string(),
        ..AffectedForm::default()
    });
    page_with(
        &shown.error,
        &BreachPage {
            layout: Layout::for_user(user, REGISTER).with_flash(&shown.flash),
            csrf: user.csrf.clone(),
            error: shown.error.clone(),
            w: Words,
            b,
            may_manage,
            clock_form: shown.clock_form,
            search,
            found: shown.found,
            organisations,
            now_input: input::local_input(now),
            max_text: MAX_TEXT,
        },
    )
}

pub async fn breach(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    breach_page(&state, &user, id, Shown::plain(flash)).await
}

pub async fn record_clock(
    State(state): State<AppState>,
    PagePath((id, clock)): PagePath<(Uuid, String)>,
    CsrfForm(user, f): CsrfForm<ClockForm>,
) -> Response {
    let kind = match input::clock(&clock) {
        Ok(k) => k,
        Err(p) => return error_page(Some(&user), p.into()),
    };
    let result = async {
        let met_at = when("Hvornår pligten blev opfyldt", &f.met_at, false)?;
        let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
        state
            .app
            .record_breach_clock(&user.actor, id, kind, met_at, reason)
            .await?;
        Ok::<_, AppError>(format!("{REGISTER}/{id}?ok=frist#frister"))
    }
    .await;
    answer(&user, result, |error| {
        let shown = Shown {
            clock_form: Some((kind, f)),
            ..Shown::error(error)
        };
        breach_page(&state, &user, id, shown)
    })
    .await
}

/// Whether a refusal of a search is the form's to explain (a bad window, an unknown
/// party) rather than an error page's.
fn on_form(p: &Problem) -> bool {
    matches!(p.kind(), ProblemKind::Invalid | ProblemKind::Conflict)
        || matches!(p, Problem::UserNotFound(_) | Problem::OrganisationNotFound)
}

pub async fn search(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<AffectedForm>,
) -> Response {
    let result = async {
        let query = f.query(&state).await?;
        state
            .app
            .affected_persons(&user.actor, &query)
            .await
            .map_err(|e| unknown_user(e, &f))
    }
    .await;
    let shown = match result {
        Ok(found) => Shown {
            found: Some(found),
            ..Shown::plain(Flash::default())
        },
        Err(AppError::Refused(p)) if on_form(&p) => Shown::error(words(&p)),
        Err(e) => return error_page(Some(&user), e),
    };
    let shown = Shown {
        search: Some(f),
        ..shown
    };
    breach_page(&state, &user, id, shown).await
}

pub async fn attach(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<AffectedForm>,
) -> Response {
    let result = async {
        let query = f.query(&state).await?;
        state
            .app
            .attach_affected(&user.actor, id, &query)
            .await
            .map_err(|e| unknown_user(e, &f))
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("{REGISTER}/{id}?ok=tilknyttet#beroerte")).into_response(),
        Err(AppError::Refused(p)) if on_form(&p) => {
            let shown = Shown {
                search: Some(f),
                ..Shown::error(words(&p))
            };
            breach_page(&state, &user, id, shown).await
        }
        Err(e) => error_page(Some(&user), e),
    }
}

/// The breach in the shape of Datatilsynet's form.
pub async fn report_pdf(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.breach_report_pdf(&user.actor, id).await {
        Ok((filename, pdf)) => download(&filename, "application/pdf", pdf),
        Err(e) => error_page(Some(&user), e),
    }
}

/// A breach clock past its deadline, for the privacy officer's start page.
pub(crate) struct OverdueClock {
    pub(crate) id: Uuid,
    pub(crate) reference: String,
    pub(crate) kind: ClockKind,
    pub(crate) due: Timestamp,
}

/// Every overdue clock of the register, the longest overdue first; none for those who
/// do not read the register.
pub(crate) async fn overdue_clocks(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<OverdueClock>, AppError> {
    if !actor.may(Action::ReadBreaches) {
        return Ok(Vec::new());
    }
    let mut overdue: Vec<OverdueClock> = state
        .app
        .breaches(actor)
        .await?
        .into_iter()
        .flat_map(|b| {
            b.clocks
                .iter()
                .filter(|c| c.overdue)
                .map(|c| OverdueClock {
                    id: b.id,
                    reference: b.reference.clone(),
                    kind: c.kind,
                    due: c.due,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    overdue.sort_by_key(|o| o.due);
    Ok(overdue)
}

// ---- the supplier's side ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "breaches/supplier.html")]
struct SupplierPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    c: Choices,
    breaches: Vec<BreachView>,
    /// The municipalities with which the supplier has a DPA in force.
    municipalities: Vec<GeneralThreadSummary>,
    form: BreachForm,
}

async fn supplier_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    form: BreachForm,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let breaches = state.app.breaches(&user.actor).await?;
        let municipalities = state
            .app
            .general_threads(&user.actor)
            .await?
            .into_iter()
            .filter(|t| t.open)
            .collect();
        Ok::<_, AppError>((breaches, municipalities))
    }
    .await;
    match loaded {
        Ok((breaches, municipalities)) => page_with(
            &error,
            &SupplierPage {
                layout: Layout::for_user(user, SUPPLIER).with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                c: CHOICES,
                breaches,
                municipalities,
                form,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

/// The supplier's reports and its form. The privacy officer keeps the register itself.
pub async fn supplier_register(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    if user.actor.may(Action::ManageBreaches) {
        return Redirect::to(REGISTER).into_response();
    }
    let form = BreachForm {
        processor_aware_at: input::local_input(state.app.now()),
        risk: "normal".into(),
        ..BreachForm::default()
    };
    supplier_page(&state, &user, &flash, form, None).await
}

/// A supplier reports a breach to a municipality. The route admits those who may report
/// breaches; this form is the supplier's (the privacy officer records at the register).
pub async fn supplier_report(
    State(state): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    if user.actor.role != Role::SupplierUser {
        return error_page(Some(&user), Problem::RoleNotAllowed(user.actor.role).into());
    }
    let form = BreachForm::from_pairs(pairs);
    let result = async {
        let controller = optional_id(&form.controller_id, IdInput::Organisation)?
            .ok_or(Problem::BadId(IdInput::Organisation))?;
        let report = form.report(true, state.app.now())?;
        state
            .app
            .report_breach(&user.actor, Some(controller), &report)
            .await?;
        Ok::<_, AppError>(format!("{SUPPLIER}?ok=brud-anmeldt"))
    }
    .await;
    answer(&user, result, |error| {
        supplier_page(&state, &user, &NO_FLASH, form, Some(error))
    })
    .await
}

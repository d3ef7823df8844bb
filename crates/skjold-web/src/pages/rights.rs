//! Data-subject rights in the UI: the list (overdue and due-soon first), registering a
//! request from the citizen's page, the case page (identity, extension, decision, the
//! access answer's draft, review and sending, the letter), the parts units and suppliers
//! give, and the supplier's notices of changed data.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::rights::{AccessInput, AssessmentInput, CaseInput, DecisionInput};
use skjold_core::citizens::Datum;
use skjold_core::rights::{
    AccessAnswer, AccessWish, CaseStatus, CaseSummary, CaseView, ErasureGround, IntakeChannel,
    NoticeView, RectificationJudgement, Regime, RestrictionGround, RightKind, ScopeKind, TaskView,
};
use skjold_core::{Action, Date, Role};

use super::PagePath;
use super::sign_in::Empty;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with};
use crate::AppState;
use crate::download::download;
use crate::i18n::rights as words;
use crate::session::{CsrfForm, WebUser};

/// The vocabulary's Danish names, for the templates.
struct Words;

impl Words {
    fn kind(&self, k: &RightKind) -> &'static str {
        words::kind(*k)
    }
    fn status(&self, s: &CaseStatus) -> &'static str {
        words::status(*s)
    }
    fn urgency(&self, c: &CaseSummary) -> &'static str {
        words::urgency(c.urgency)
    }
    fn urgency_key(&self, c: &CaseSummary) -> &'static str {
        c.urgency.key()
    }
    fn outcome(&self, c: &CaseSummary) -> &'static str {
        c.outcome.map_or("", words::outcome)
    }
    fn channel(&self, c: &IntakeChannel) -> &'static str {
        words::channel(*c)
    }
    fn ground(&self, key: &str) -> &'static str {
        words::ground(key)
    }
    fn wish(&self, w: &AccessWish) -> &'static str {
        words::wish(*w)
    }
    fn scope(&self, s: &ScopeKind) -> &'static str {
        words::scope(*s)
    }
    fn regime(&self, r: &Regime) -> &'static str {
        words::regime(*r)
    }
}

#[derive(Template)]
#[template(path = "rights/index.html")]
struct IndexPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    cases: Vec<CaseSummary>,
    tasks: Vec<TaskView>,
    /// Those who work cases open them; the auditor sees the list only.
    may_open: bool,
    may_export: bool,
}

pub async fn index(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    index_page(&state, &user, &flash, None).await
}

async fn index_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let cases = state.app.rights_cases(&user.actor).await?;
        let tasks = if user.actor.may(Action::ContributeToRights) {
            state.app.rights_tasks(&user.actor).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((cases, tasks))
    }
    .await;
    match loaded {
        Ok((cases, tasks)) => page_with(
            &error,
            &IndexPage {
                layout: Layout::for_user(user, "/rettigheder").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                cases,
                tasks,
                may_open: user.actor.may(Action::HandleRights),
                may_export: user.actor.may(Action::OverseeRights),
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

#[derive(Template)]
#[template(path = "rights/new.html")]
struct NewPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    citizen: Uuid,
    citizen_name: String,
    items: Vec<Datum>,
    kinds: [RightKind; 7],
    channels: [IntakeChannel; 6],
    wishes: [AccessWish; 4],
    scopes: [ScopeKind; 5],
    today: Date,
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    borger: Option<Uuid>,
}

async fn new_page_for(
    state: &AppState,
    user: &WebUser,
    citizen: Uuid,
    error: Option<String>,
) -> Response {
    match state.app.citizen(&user.actor, citizen).await {
        Ok(view) => page_with(
            &error,
            &NewPage {
                layout: Layout::for_user(user, "/rettigheder"),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                citizen,
                citizen_name: view
                    .value(skjold_core::FieldKey::Name)
                    .unwrap_or_default()
                    .to_owned(),
                items: view.data,
                kinds: RightKind::ALL,
                channels: IntakeChannel::ALL,
                wishes: AccessWish::ALL,
                scopes: ScopeKind::ALL,
                today: state.app.now().local_date(),
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

/// The form to register a request, for a citizen the caseworker has open.
pub async fn new_page(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<NewQuery>,
) -> Response {
    match q.borger {
        Some(citizen) => new_page_for(&state, &user, citizen, None).await,
        None => error_page(
            Some(&user),
            skjold_core::Problem::BadId(skjold_core::error::IdInput::Citizen).into(),
        ),
    }
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let Ok(citizen) = get("citizen").parse::<Uuid>() else {
        return error_page(
            Some(&user),
            skjold_core::Problem::BadId(skjold_core::error::IdInput::Citizen).into(),
        );
    };
    let input = CaseInput {
        citizen,
        kind: get("kind"),
        received_on: get("received_on"),
        channel: get("channel"),
        description: get("description"),
        access: (get("kind") == "access").then(|| AccessInput {
            wish: get("wish"),
            scope: get("scope"),
            scope_detail: get("scope_detail"),
            period_from: get("period_from"),
            period_until: get("period_until"),
            remarks: get("remarks"),
        }),
        items: f
            .keys()
            .filter_map(|k| k.strip_prefix("item.")?.parse().ok())
            .collect(),
        restrict_while_investigating: f.contains_key("restrict"),
    };
    let result = state
        .app
        .open_rights_case(&user.actor, &input)
        .await
        .map(|(id, _)| format!("/rettigheder/{id}?ok=registreret"));
    answer(&user, result, |error| {
        new_page_for(&state, &user, citizen, Some(error))
    })
    .await
}

#[derive(Template)]
#[template(path = "rights/case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    c: CaseView,
    /// For an access case once decided: the answer as it stands (a draft with marks until
    /// reviewed).
    answer: Option<AccessAnswer>,
    /// For the privacy officer: the citizen's consents with their evidence.
    evidence: Vec<(skjold_core::consents::ConsentView, String)>,
    today: Date,
    is_caseworker: bool,
    judgements: [RectificationJudgement; 4],
    erasure_grounds: [ErasureGround; 6],
    restriction_grounds: [RestrictionGround; 4],
    art22_exceptions: [skjold_core::rights::Art22Exception; 3],
}

impl CasePage {
    /// Art. 22(1)'s three questions, by field.
    fn art22_questions(&self) -> [(&'static str, &'static str); 3] {
        [
            ("decision", "Er der truffet en afgørelse?"),
            (
                "solely_automated",
                "Er afgørelsen alene baseret på automatisk behandling?",
            ),
            (
                "significant_effects",
                "Har den retsvirkning for borgeren eller påvirker den borgeren tilsvarende betydeligt?",
            ),
        ]
    }

    fn open(&self) -> bool {
        self.c.summary.status.open()
    }
    fn decided(&self) -> bool {
        self.c.summary.status == CaseStatus::Decided
    }
    fn undecided(&self) -> bool {
        matches!(
            self.c.summary.status,
            CaseStatus::Received | CaseStatus::Gathering
        )
    }
    fn kind_is(&self, key: &str) -> bool {
        self.c.summary.kind.key() == key
    }
    /// An access answer goes out once reviewed for other people's data; a decision letter
    /// at once.
    fn ready_to_send(&self) -> bool {
        self.answer.as_ref().is_none_or(|a| a.reviewed)
    }
    fn ground_words(&self) -> &'static str {
        self.c.ground.as_deref().map_or("", words::ground)
    }
}

async fn case_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let c = state.app.rights_case(&user.actor, id).await?;
        let answer = if c.summary.kind == RightKind::Access
            && c.summary.status != CaseStatus::Answered
            && c.summary.status == CaseStatus::Decided
        {
            Some(state.app.access_answer(&user.actor, id).await?)
        } else {
            None
        };
        // The privacy officer sees the proof of the citizen's consents.
        let evidence = if user.actor.may(Action::ManageConsentTexts) && c.erased_at.is_none() {
            state.app.consent_evidence(&user.actor, id).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((c, answer, evidence))
    }
    .await;
    match loaded {
        Ok((c, answer, evidence)) => page_with(
            &error,
            &CasePage {
                layout: Layout::for_user(user, "/rettigheder").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                c,
                answer,
                evidence,
                today: state.app.now().local_date(),
                is_caseworker: user.actor.role == Role::Caseworker,
                judgements: RectificationJudgement::ALL,
                erasure_grounds: ErasureGround::ALL,
                restriction_grounds: RestrictionGround::ALL,
                art22_exceptions: skjold_core::rights::Art22Exception::ALL,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn case(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    case_page(&state, &user, id, &flash, None).await
}

/// After a form on the case page: back to it with a message, or with the error.
async fn case_done<T>(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    result: Result<T, AppError>,
    ok: &str,
) -> Response {
    answer(
        user,
        result.map(|_| format!("/rettigheder/{id}?ok={ok}")),
        |error| case_page(state, user, id, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
pub struct IdentityForm {
    #[serde(default)]
    method: String,
}

pub async fn identity(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<IdentityForm>,
) -> Response {
    let result = state
        .app
        .check_rights_identity(&user.actor, id, &f.method)
        .await;
    case_done(&state, &user, id, result, "identitet").await
}

#[derive(Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    months: String,
    #[serde(default)]
    reason: String,
}

pub async fn extend(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<ExtensionForm>,
) -> Response {
    let result = state
        .app
        .extend_rights_case(
            &user.actor,
            id,
            f.months.trim().parse().unwrap_or(0),
            &f.reason,
        )
        .await;
    case_done(&state, &user, id, result, "forlaenget").await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    judgement: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    situation: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    solely_automated: String,
    #[serde(default)]
    significant_effects: String,
    #[serde(default)]
    exception: String,
    #[serde(default)]
    safeguards: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let input = DecisionInput {
        outcome: f.outcome,
        ground: f.ground,
        judgement: f.judgement,
        note: f.note,
        reasons: f.reasons,
        assessment: AssessmentInput {
            situation: f.situation,
            grounds: f.grounds,
            decision: f.decision,
            solely_automated: f.solely_automated,
            significant_effects: f.significant_effects,
            exception: f.exception,
            safeguards: f.safeguards,
        },
    };
    let result = state.app.decide_rights_case(&user.actor, id, &input).await;
    case_done(&state, &user, id, result, "sagen-afgjort").await
}

pub async fn review(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state.app.review_rights_answer(&user.actor, id).await;
    case_done(&state, &user, id, result, "svar-gennemgaaet").await
}

pub async fn send(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state.app.send_rights_answer(&user.actor, id).await;
    case_done(&state, &user, id, result, "besvaret").await
}

/// The case's letter as a PDF: the access answer (a draft until reviewed) or the decision.
pub async fn letter(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.rights_letter(&user.actor, id).await {
        Ok(l) => download(&l.filename, "application/pdf", l.pdf),
        Err(e) => error_page(Some(&user), e),
    }
}

/// Every case of the municipality as CSV, for the privacy officer.
pub async fn export(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.export_rights_cases(&user.actor).await {
        Ok(e) => download(e.filename, e.content_type, e.bytes),
        Err(e) => error_page(Some(&user), e),
    }
}

#[derive(Deserialize)]
pub struct ContributionForm {
    #[serde(default)]
    contribution: String,
}

/// A unit's or a supplier's part of a gathered answer.
pub async fn contribute(
    State(state): State<AppState>,
    PagePath(task): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<ContributionForm>,
) -> Response {
    let back = if user.actor.role == Role::SupplierUser {
        "/leverandoer/underretninger"
    } else {
        "/rettigheder"
    };
    let result = state
        .app
        .contribute_to_rights_case(&user.actor, task, &f.contribution)
        .await
        .map(|()| format!("{back}?ok=bidrag"));
    answer(&user, result, |error| async {
        if user.actor.role == Role::SupplierUser {
            notices_page(&state, &user, &NO_FLASH, Some(error)).await
        } else {
            index_page(&state, &user, &NO_FLASH, Some(error)).await
        }
    })
    .await
}

#[derive(Template)]
#[template(path = "rights/notices.html")]
struct NoticesPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    notices: Vec<NoticeView>,
    tasks: Vec<TaskView>,
}

impl NoticesPage {
    fn kind(&self, k: &RightKind) -> &'static str {
        words::kind(*k)
    }
}

async fn notices_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let notices = state.app.supplier_notices(&user.actor).await?;
        let tasks = state.app.rights_tasks(&user.actor).await?;
        Ok::<_, AppError>((notices, tasks))
    }
    .await;
    match loaded {
        Ok((notices, tasks)) => page_with(
            &error,
            &NoticesPage {
                layout: Layout::for_user(user, "/leverandoer/underretninger").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                notices,
                tasks,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

/// The supplier's notices of changes to data it received, and the parts it is asked for.
pub async fn notices(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    notices_page(&state, &user, &flash, None).await
}

pub async fn acknowledge(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state
        .app
        .acknowledge_notice(&user.actor, id)
        .await
        .map(|()| "/leverandoer/underretninger?ok=kvitteret".to_owned());
    answer(&user, result, |error| {
        notices_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

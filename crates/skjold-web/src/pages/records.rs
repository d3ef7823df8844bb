//! The records of processing (art. 30) in the UI: as computed now (per unit and per
//! processor, with the security measures), the kept versions, the privacy officer's review
//! that keeps a new one, the exports, and the units' reports of new processing, decided
//! by the privacy officer; and the caseworker's short form to report one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::records::RecordsFormat;
use skjold_core::records::{Draft, DraftInput, DraftStatus, RecordsOfProcessing, RecordsVersion};
use skjold_core::text::{MAX_LINE, MAX_TEXT};
use skjold_core::{Action, Category, Problem};

use super::PagePath;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with};
use crate::AppState;
use crate::download::download;
use crate::input;
use crate::session::{CsrfForm, WebUser};

const RECORDS: &str = "/tilsyn/fortegnelse";
const REPORT: &str = "/fortegnelse/anmeld";

/// Category names joined for a table cell.
struct Words;

impl Words {
    fn categories(&self, cs: &[Category]) -> String {
        cs.iter().map(|c| c.danish()).collect::<Vec<_>>().join(", ")
    }

    fn status_badge(&self, s: &DraftStatus) -> &'static str {
        match s {
            DraftStatus::Draft => "badge-info",
            DraftStatus::Approved => "badge-success",
            DraftStatus::Returned => "badge-warning",
        }
    }

    fn source(&self, s: &str) -> &'static str {
        if s == "reported" {
            "Anmeldt af enheden"
        } else {
            "Fra opsætningen"
        }
    }
}

#[derive(Template)]
#[template(path = "records/records.html")]
struct RecordsPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    r: RecordsOfProcessing,
    versions: Vec<RecordsVersion>,
    drafts: Vec<Draft>,
    may_review: bool,
    /// The review's note as typed.
    note: String,
    max_text: usize,
}

async fn records_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    note: String,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let r = state.app.records_of_processing(&user.actor).await?;
        let versions = state.app.records_versions(&user.actor).await?;
        let drafts = state.app.processing_drafts(&user.actor).await?;
        Ok::<_, AppError>((r, versions, drafts))
    }
    .await;
    match loaded {
        Ok((r, versions, drafts)) => page_with(
            &error,
            &RecordsPage {
                layout: Layout::for_user(user, RECORDS).with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                r,
                versions,
                drafts,
                may_review: user.actor.may(Action::ReviewRecords),
                note,
                max_text: MAX_TEXT,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn records(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    records_page(&state, &user, &flash, String::new(), None).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    note: String,
}

pub async fn review(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<ReviewForm>,
) -> Response {
    let result = state
        .app
        .review_records(&user.actor, &f.note)
        .await
        .map(|_| format!("{RECORDS}?ok=fortegnelse-gemt#versioner"));
    answer(&user, result, |error| {
        records_page(&state, &user, &NO_FLASH, f.note.clone(), Some(error))
    })
    .await
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    version: Option<String>,
}

/// The records as a file: `json`, `csv` or `pdf`; a kept version with `?version=N`.
pub async fn export(
    State(state): State<AppState>,
    user: WebUser,
    Path(format): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let exported = async {
        let format = RecordsFormat::parse(&format)
            .ok_or_else(|| Problem::ExportFormat(format.chars().take(20).collect()))?;
        let version = match q
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(v) => Some(
                v.parse::<u32>()
                    .map_err(|_| Problem::RecordsVersionNotFound)?,
            ),
            None => None,
        };
        let (filename, bytes) = state
            .app
            .export_records(&user.actor, format, version)
            .await?;
        Ok::<_, AppError>(download(&filename, format.content_type(), bytes))
    }
    .await;
    exported.unwrap_or_else(|e| error_page(Some(&user), e))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// `approve` or `return`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> Response {
    let result = async {
        let approve = match f.decision.as_str() {
            "approve" => true,
            "return" => false,
            _ => return Err(Problem::BadDecision.into()),
        };
        state
            .app
            .decide_processing_draft(&user.actor, id, approve, &f.comment)
            .await?;
        Ok::<_, AppError>(format!("{RECORDS}?ok=anmeldelse-afgjort#anmeldelser"))
    }
    .await;
    answer(&user, result, |error| {
        records_page(&state, &user, &NO_FLASH, String::new(), Some(error))
    })
    .await
}

// ---- the unit's report ------------------------------------------------------------------

/// The short form as typed; the categories arrive once per box ticked.
#[derive(Default)]
pub struct DraftForm {
    name: String,
    purpose: String,
    subject_categories: String,
    categories: Vec<String>,
    recipients: String,
    retention: String,
    question: String,
}

impl DraftForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> DraftForm {
        let mut f = DraftForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "purpose" => f.purpose = v,
                "subject_categories" => f.subject_categories = v,
                "category" => f.categories.push(v),
                "recipients" => f.recipients = v,
                "retention" => f.retention = v,
                "question" => f.question = v,
                _ => {}
            }
        }
        f
    }

    fn has_category(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c == key)
    }

    fn input(&self) -> Result<DraftInput, Problem> {
        Ok(DraftInput {
            name: self.name.clone(),
            purpose: self.purpose.clone(),
            subject_categories: self.subject_categories.clone(),
            data_categories: input::categories(&self.categories)?,
            recipients: self.recipients.clone(),
            retention: self.retention.clone(),
            question: self.question.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "records/report.html")]
struct ReportPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    w: Words,
    form: DraftForm,
    drafts: Vec<Draft>,
    categories: [Category; 7],
    max_text: usize,
    max_line: usize,
}

async fn report_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    form: DraftForm,
    error: Option<String>,
) -> Response {
    match state.app.processing_drafts(&user.actor).await {
        Ok(drafts) => page_with(
            &error,
            &ReportPage {
                layout: Layout::for_user(user, REPORT).with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                w: Words,
                form,
                drafts,
                categories: Category::ALL,
                max_text: MAX_TEXT,
                max_line: MAX_LINE,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn report_form(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    report_page(&state, &user, &flash, DraftForm::default(), None).await
}

pub async fn report(
    State(state): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let form = DraftForm::from_pairs(pairs);
    let result = async {
        let draft = form.input()?;
        state.app.report_processing(&user.actor, &draft).await?;
        Ok::<_, AppError>(format!("{REPORT}?ok=behandling-anmeldt#anmeldelser"))
    }
    .await;
    answer(&user, result, |error| {
        report_page(&state, &user, &NO_FLASH, form, Some(error))
    })
    .await
}

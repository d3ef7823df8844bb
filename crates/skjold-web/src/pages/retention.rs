//! Retention in the UI: the rules in force (added, retired), a run or a dry run with its
//! result, the latest deletion receipts a page at a time, and the receipts' deliveries to
//! connected systems that are still pending.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_core::catalogue::Purpose;
use skjold_core::error::IdInput;
use skjold_core::retention::{
    Delivery, MAX_PERIOD_MONTHS, Receipt, RecordType, RetentionAction, RetentionRule, RuleInput,
    RunReport, Trigger,
};
use skjold_core::text::MAX_LINE;
use skjold_core::{Action, Problem};

use super::PagePath;
use super::sign_in::Empty;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with};
use crate::AppState;
use crate::input;
use crate::session::{CsrfForm, WebUser};

const RETENTION: &str = "/tilsyn/opbevaring";
/// Receipts on one page.
const PER_PAGE: u32 = 50;

/// A rule as typed, kept when the form is shown again.
#[derive(Deserialize, Default)]
pub struct RuleForm {
    #[serde(default)]
    record_type: String,
    /// A purpose's id, or empty for every purpose.
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    trigger: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    legal_reference: String,
    #[serde(default)]
    legal_hold: String,
}

impl RuleForm {
    fn input(&self) -> Result<RuleInput, Problem> {
        let purpose_id = match self.purpose.trim() {
            "" => None,
            p => Some(Uuid::parse_str(p).map_err(|_| Problem::BadId(IdInput::Purpose))?),
        };
        let period_months =
            self.months
                .trim()
                .parse::<u32>()
                .map_err(|_| Problem::RetentionPeriod {
                    min: skjold_core::retention::MIN_PERIOD_MONTHS,
                    max: MAX_PERIOD_MONTHS,
                })?;
        Ok(RuleInput {
            record_type: input::record_type(&self.record_type)?,
            purpose_id,
            trigger: input::trigger(&self.trigger)?,
            period_months,
            action: input::retention_action(&self.action)?,
            legal_reference: self.legal_reference.clone(),
            legal_hold: self.legal_hold == "yes",
        })
    }
}

#[derive(Template)]
#[template(path = "retention/retention.html")]
struct RetentionPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    rules: Vec<RetentionRule>,
    purposes: Vec<Purpose>,
    receipts: Vec<Receipt>,
    total: u64,
    page: u32,
    pending: Vec<(Delivery, Receipt)>,
    /// The privacy officer and the administrator write rules and run them; the auditor
    /// reads.
    may_manage: bool,
    form: RuleForm,
    run: Option<RunReport>,
    record_types: [RecordType; 3],
    triggers: [Trigger; 4],
    actions: [RetentionAction; 3],
    max_months: u32,
    max_line: usize,
}

impl RetentionPage {
    fn has_next(&self) -> bool {
        u64::from(self.page) * u64::from(PER_PAGE) < self.total
    }

    fn first_shown(&self) -> u64 {
        if self.receipts.is_empty() {
            0
        } else {
            u64::from(self.page - 1) * u64::from(PER_PAGE) + 1
        }
    }

    fn last_shown(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(PER_PAGE)
            + u64::try_from(self.receipts.len()).unwrap_or(0)
    }
}

struct Shown {
    page: u32,
    form: RuleForm,
    run: Option<RunReport>,
    error: Option<String>,
}

async fn retention_page(state: &AppState, user: &WebUser, flash: &Flash, shown: Shown) -> Response {
    let page = shown.page.max(1);
    let loaded = async {
        let rules = state.app.retention_rules(&user.actor).await?;
        let purposes = state.app.purposes(&user.actor).await?;
        let offset = i64::from(page - 1) * i64::from(PER_PAGE);
        let (receipts, total) = state
            .app
            .deletion_receipts(&user.actor, i64::from(PER_PAGE), offset)
            .await?;
        let pending = state.app.pending_deliveries(&user.actor).await?;
        Ok::<_, AppError>((rules, purposes, receipts, total, pending))
    }
    .await;
    match loaded {
        Ok((rules, purposes, receipts, total, pending)) => page_with(
            &shown.error,
            &RetentionPage {
                layout: Layout::for_user(user, RETENTION).with_flash(flash),
                csrf: user.csrf.clone(),
                error: shown.error.clone(),
                rules,
                purposes,
                receipts,
                total,
                page,
                pending,
                may_manage: user.actor.may(Action::ManageRetention),
                form: shown.form,
                run: shown.run,
                record_types: RecordType::ALL,
                triggers: Trigger::ALL,
                actions: RetentionAction::ALL,
                max_months: MAX_PERIOD_MONTHS,
                max_line: MAX_LINE,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    side: Option<String>,
}

pub async fn retention(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
    Query(q): Query<PageQuery>,
) -> Response {
    let page = q
        .side
        .as_deref()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let shown = Shown {
        page,
        form: RuleForm::default(),
        run: None,
        error: None,
    };
    retention_page(&state, &user, &flash, shown).await
}

fn with_error(form: RuleForm, error: String) -> Shown {
    Shown {
        page: 1,
        form,
        run: None,
        error: Some(error),
    }
}

pub async fn add_rule(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<RuleForm>,
) -> Response {
    let result = async {
        let rule = f.input()?;
        state.app.set_retention_rule(&user.actor, &rule).await?;
        Ok::<_, AppError>(format!("{RETENTION}?ok=regel#regler"))
    }
    .await;
    answer(&user, result, |error| {
        retention_page(&state, &user, &NO_FLASH, with_error(f, error))
    })
    .await
}

pub async fn retire_rule(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state
        .app
        .retire_retention_rule(&user.actor, id)
        .await
        .map(|()| format!("{RETENTION}?ok=regel-ophaevet#regler"));
    answer(&user, result, |error| {
        retention_page(
            &state,
            &user,
            &NO_FLASH,
            with_error(RuleForm::default(), error),
        )
    })
    .await
}

#[derive(Deserialize)]
pub struct RunForm {
    /// `yes` for a dry run.
    #[serde(default)]
    dry_run: String,
}

/// Runs the rules now, or tries them (a dry run changes nothing), and shows the result.
pub async fn run(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<RunForm>) -> Response {
    let dry_run = f.dry_run == "yes";
    match state.app.run_retention(Some(&user.actor), dry_run).await {
        Ok(report) => {
            let shown = Shown {
                page: 1,
                form: RuleForm::default(),
                run: Some(report),
                error: None,
            };
            retention_page(&state, &user, &NO_FLASH, shown).await
        }
        Err(e) => error_page(Some(&user), e),
    }
}

//! Oversight for the privacy officer and the auditor: the follow-up page (breach clocks
//! past their deadline at its head, stand-in accesses, deletions not confirmed in time),
//! the disclosure ledger, the access log and its verifiable export.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::oversight::{Export, OversightQuery};
use skjold_core::directory::Organisation;
use skjold_core::disclosures::LedgerEntry;
use skjold_core::error::IdInput;
use skjold_core::oversight::{AccessEntry, Cursor, FollowUp, Page as LogPage};
use skjold_core::text::MAX_TEXT;
use skjold_core::{Action, ProblemKind};

use super::PagePath;
use super::breaches::{OverdueClock, overdue_clocks};
use super::{
    Flash, Layout, NO_FLASH, Pager, answer, citizen_filter, error_page, page_with, parse_id, words,
};
use crate::AppState;
use crate::download::download;
use crate::session::{CsrfForm, WebUser};

#[derive(Template)]
#[template(path = "oversight/follow_up.html")]
struct FollowUpPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    f: FollowUp,
    /// Breach clocks past their deadline: they head the page.
    overdue: Vec<OverdueClock>,
    /// Per DPA (id, processor, reference), what waits for the municipality.
    processors: Vec<(uuid::Uuid, String, String, Vec<String>)>,
    /// The security rules' state: none written, or their review overdue.
    rules_note: Option<String>,
    may_follow_up: bool,
    max_text: usize,
}

async fn follow_up_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let loaded = async {
        let f = state.app.follow_up(&user.actor).await?;
        let overdue = overdue_clocks(state, &user.actor).await?;
        let processors = state
            .app
            .dpa_desks(&user.actor)
            .await?
            .into_iter()
            .map(|d| {
                let items: Vec<String> = d.attention().iter().map(|a| a.danish()).collect();
                (d.dpa.id, d.dpa.processor_name, d.dpa.reference, items)
            })
            .filter(|(_, _, _, items)| !items.is_empty())
            .collect();
        let rules = state.app.security_rules(&user.actor).await?;
        let rules_note = match rules.first() {
            None => Some("Der er ingen skriftlige sikkerhedsregler endnu.".to_owned()),
            Some(r) if r.review_overdue => Some(format!(
                "Sikkerhedsreglerne skulle have været gennemgået senest {}.",
                r.review_due.danish()
            )),
            Some(_) => None,
        };
        Ok::<_, AppError>((f, overdue, processors, rules_note))
    }
    .await;
    match loaded {
        Ok((f, overdue, processors, rules_note)) => page_with(
            &error,
            &FollowUpPage {
                layout: Layout::for_user(user, "/tilsyn").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                f,
                overdue,
                processors,
                rules_note,
                may_follow_up: user.actor.may(Action::RecordFollowUp),
                max_text: MAX_TEXT,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn follow_up(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    follow_up_page(&state, &user, &flash, None).await
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    note: String,
}

pub async fn follow_up_stand_in(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<FollowUpForm>,
) -> Response {
    let result = state.app.follow_up_stand_in(&user.actor, id, &f.note).await;
    answer(
        &user,
        result.map(|()| "/tilsyn?ok=fulgtop#stedfortraedere".to_owned()),
        |error| follow_up_page(&state, &user, &NO_FLASH, Some(error)),
    )
    .await
}

/// The filter's values: from the form (with the CPR number, posted) or from a page's
/// address (with the citizen's internal id instead, and where the page starts).
#[derive(Deserialize, Default)]
pub struct FilterForm {
    #[serde(default)]
    cpr: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// The citizen's internal id, as the paging links carry it.
    #[serde(default)]
    subject: String,
    /// Where the page starts (a cursor); the first page without it.
    #[serde(default)]
    after: String,
    /// The page's number, for the reader.
    #[serde(default)]
    side: String,
    /// `jsonl` or `csv` for an export of the access log.
    #[serde(default)]
    export: String,
}

impl FilterForm {
    fn query(&self) -> Result<OversightQuery, AppError> {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let subject = match opt(&self.subject) {
            Some(s) => Some(parse_id(&s, IdInput::Citizen)?),
            None => None,
        };
        Ok(OversightQuery {
            // A CPR number already turned into the citizen's id is not looked up again.
            cpr: opt(&self.cpr).filter(|_| subject.is_none()),
            username: opt(&self.username),
            organisation: match opt(&self.organisation) {
                Some(o) => Some(parse_id(&o, IdInput::Organisation)?),
                None => None,
            },
            from: opt(&self.from),
            until: opt(&self.until),
            subject,
            after: match opt(&self.after) {
                Some(c) => Some(c.parse::<Cursor>()?),
                None => None,
            },
            limit: None,
        })
    }

    /// The filters a paging link carries (never the CPR number).
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("username", self.username.trim().to_owned()),
            ("organisation", self.organisation.trim().to_owned()),
            ("from", self.from.trim().to_owned()),
            ("until", self.until.trim().to_owned()),
            ("subject", self.subject.trim().to_owned()),
        ]
    }

    fn number(&self) -> u32 {
        self.side.trim().parse().unwrap_or(1).max(1)
    }

    /// A posted CPR number becomes the citizen's internal id (the look-up is logged), so
    /// that the paging links can carry the filter.
    async fn resolve(&mut self, state: &AppState, user: &WebUser) -> Result<(), AppError> {
        if let Some(subject) = citizen_filter(state, user, &self.cpr).await? {
            self.subject = subject.to_string();
            self.after.clear();
            self.side.clear();
        }
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "oversight/ledger.html")]
struct LedgerPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    action: &'static str,
    show_user: bool,
    filter: FilterForm,
    organisations: Vec<Organisation>,
    entries: Vec<LedgerEntry>,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "oversight/access_log.html")]
struct AccessLogPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    action: &'static str,
    show_user: bool,
    filter: FilterForm,
    organisations: Vec<Organisation>,
    entries: Vec<AccessEntry>,
    pager: Pager,
}

const LEDGER: &str = "/tilsyn/videregivelser";
const ACCESS_LOG: &str = "/tilsyn/adgangslog";

/// A page of entries for an oversight page, with its pager; a bad filter shows as a
/// message over an empty table.
async fn soft<T>(
    filter: FilterForm,
    state: &AppState,
    user: &WebUser,
    base: &str,
    read: impl AsyncFnOnce(OversightQuery) -> Result<LogPage<T>, AppError>,
) -> Result<(FilterForm, LogPage<T>, Pager, Option<String>), AppError> {
    let mut filter = filter;
    let read = async {
        filter.resolve(state, user).await?;
        read(filter.query()?).await
    }
    .await;
    match read {
        Ok(page) => {
            let pager = Pager::of(&page, base, &filter.params(), filter.number());
            Ok((filter, page, pager, None))
        }
        // What was typed stays in the form, over an empty table.
        Err(AppError::Refused(p)) if p.kind() == ProblemKind::Invalid => {
            let empty = LogPage {
                entries: Vec::new(),
                next: None,
                total: 0,
            };
            let pager = Pager::of(&empty, base, &[], 1);
            Ok((filter, empty, pager, Some(words(&p))))
        }
        Err(e) => Err(e),
    }
}

async fn ledger_page(state: &AppState, user: &WebUser, filter: FilterForm) -> Response {
    let app = &state.app;
    let page = async {
        let (filter, page, pager, error) = soft(filter, state, user, LEDGER, async |q| {
            app.ledger(&user.actor, &q).await
        })
        .await?;
        let organisations = app.organisations(&user.actor).await?;
        Ok::<_, AppError>(page_with(
            &error,
            &LedgerPage {
                layout: Layout::for_user(user, LEDGER),
                csrf: user.csrf.clone(),
                error: error.clone(),
                action: LEDGER,
                show_user: false,
                filter,
                organisations,
                entries: page.entries,
                pager,
            },
        ))
    }
    .await;
    page.unwrap_or_else(|e| error_page(Some(user), e))
}

async fn access_log_page(state: &AppState, user: &WebUser, filter: FilterForm) -> Response {
    let app = &state.app;
    let page = async {
        let (filter, page, pager, error) = soft(filter, state, user, ACCESS_LOG, async |q| {
            app.access_log(&user.actor, &q).await
        })
        .await?;
        let organisations = app.organisations(&user.actor).await?;
        Ok::<_, AppError>(page_with(
            &error,
            &AccessLogPage {
                layout: Layout::for_user(user, ACCESS_LOG),
                csrf: user.csrf.clone(),
                error: error.clone(),
                action: ACCESS_LOG,
                show_user: true,
                filter,
                organisations,
                entries: page.entries,
                pager,
            },
        ))
    }
    .await;
    page.unwrap_or_else(|e| error_page(Some(user), e))
}

/// The ledger's page, its filters and position in the address.
pub async fn ledger(
    State(state): State<AppState>,
    user: WebUser,
    Query(filter): Query<FilterForm>,
) -> Response {
    ledger_page(&state, &user, filter).await
}

pub async fn ledger_filtered(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    ledger_page(&state, &user, f).await
}

/// The access log's page, its filters and position in the address.
pub async fn access_log(
    State(state): State<AppState>,
    user: WebUser,
    Query(filter): Query<FilterForm>,
) -> Response {
    access_log_page(&state, &user, filter).await
}

pub async fn access_log_filtered(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    access_log_page(&state, &user, f).await
}

/// The access log as a verifiable export (with inclusion proofs and signed checkpoints),
/// filtered like the page.
pub async fn export(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    let app = &state.app;
    export_with(&state, &user, f, async |q, format| {
        app.export_access_log(&user.actor, &q, format).await
    })
    .await
}

/// The ledger as a file to read (CSV or JSON Lines), filtered like the page.
pub async fn export_ledger(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<FilterForm>,
) -> Response {
    let app = &state.app;
    export_with(&state, &user, f, async |q, format| {
        app.export_ledger(&user.actor, &q, format).await
    })
    .await
}

async fn export_with(
    state: &AppState,
    user: &WebUser,
    mut f: FilterForm,
    export: impl AsyncFnOnce(OversightQuery, &str) -> Result<Export, AppError>,
) -> Response {
    let exported = async {
        f.resolve(state, user).await?;
        export(f.query()?, &f.export).await
    }
    .await;
    match exported {
        Ok(e) => download(e.filename, e.content_type, e.bytes).into_response(),
        Err(e) => error_page(Some(user), e),
    }
}

#[derive(Template)]
#[template(path = "oversight/consent_texts.html")]
struct ConsentTextsPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    texts: Vec<skjold_core::consents::ConsentText>,
    form: ConsentTextForm,
    /// The privacy officer writes new versions; the auditor reads.
    may_write: bool,
}

/// A new version of a consent text: what it is for, the checklist's answers, and what
/// the template needs besides the municipality's name.
#[derive(Deserialize, Default)]
pub struct ConsentTextForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    right_basis: String,
    #[serde(default)]
    not_a_condition: String,
    #[serde(default)]
    imbalance: String,
    #[serde(default)]
    imbalance_offset: String,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    recipients: String,
}

async fn consent_texts_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    form: ConsentTextForm,
    error: Option<String>,
) -> Response {
    match state.app.consent_texts(&user.actor).await {
        Ok(texts) => page_with(
            &error,
            &ConsentTextsPage {
                layout: Layout::for_user(user, "/tilsyn/samtykker").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                texts,
                form,
                may_write: user.actor.may(Action::ManageConsentTexts),
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn consent_texts(
    State(state): State<AppState>,
    Query(flash): Query<Flash>,
    user: WebUser,
) -> Response {
    let form = ConsentTextForm {
        retention: "sletter vi det senest 30 dage efter".into(),
        recipients: "kommunens udbyder af påmindelser (databehandler)".into(),
        ..ConsentTextForm::default()
    };
    consent_texts_page(&state, &user, &flash, form, None).await
}

pub async fn add_consent_text(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<ConsentTextForm>,
) -> Response {
    let checklist = skjold_core::consents::ConsentChecklist {
        right_basis: f.right_basis == "yes",
        not_a_condition: f.not_a_condition == "yes",
        imbalance: f.imbalance == "yes",
        imbalance_offset: f.imbalance_offset.clone(),
    };
    let result = match skjold_core::consents::Channel::parse(&f.channel) {
        Some(channel) => state
            .app
            .add_consent_text(
                &user.actor,
                channel,
                &checklist,
                &f.retention,
                &f.recipients,
            )
            .await
            .map(|_| "/tilsyn/samtykker?ok=oprettet".to_owned()),
        None => Err(skjold_core::Problem::BadChannel.into()),
    };
    answer(&user, result, |error| {
        consent_texts_page(&state, &user, &NO_FLASH, f, Some(error))
    })
    .await
}

//! Sign-in security: the administrator's settings, blocks and second-factor resets, and
//! the sign-in report for the administrator and the controller's oversight.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::sign_in::security::SignInReport;
use skjold_core::Role;
use skjold_core::sign_in::{Block, SecuritySettings, SettingsInput};

use crate::AppState;
use crate::pages::PagePath;
use crate::pages::access_review::review_page;
use crate::pages::{Flash, Layout, NO_FLASH, answer, error_page, page_with, render};
use crate::session::{Client, CsrfForm, WebUser};

#[derive(Template)]
#[template(path = "sign_in/security.html")]
struct SecurityPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    settings: SecuritySettings,
    blocks: Vec<Block>,
    roles: [Role; 8],
}

async fn security_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.sign_in_report(&user.actor).await {
        Ok(report) => {
            let now = state.app.now();
            page_with(
                &error,
                &SecurityPage {
                    layout: Layout::for_user(user, "/admin/sikkerhed").with_flash(flash),
                    csrf: user.csrf.clone(),
                    error: error.clone(),
                    settings: report.settings,
                    blocks: report
                        .blocks
                        .into_iter()
                        .filter(|b| b.active(now))
                        .collect(),
                    roles: Role::ALL,
                },
            )
        }
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn settings(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    security_page(&state, &user, &flash, None).await
}

pub async fn save_settings(
    State(state): State<AppState>,
    Client(ws): Client,
    CsrfForm(user, raw): CsrfForm<Vec<(String, String)>>,
) -> Response {
    // Checked roles arrive as `totp_roles=…` once each, so the form is read as pairs.
    let mut input = SettingsInput::default();
    for (k, v) in raw {
        match k.as_str() {
            "lockout_threshold" => input.lockout_threshold = v,
            "lockout_window_hours" => input.lockout_window_hours = v,
            "block_minutes" => input.block_minutes = v,
            "totp_roles" => input.totp_roles.push(v),
            _ => {}
        }
    }
    let result = state
        .app
        .set_security_settings(Some(&user.actor), &input, &ws)
        .await
        .map(|_| "/admin/sikkerhed?ok=gemt".to_owned());
    answer(&user, result, |error| {
        security_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn unblock(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    Client(ws): Client,
    CsrfForm(user, f): CsrfForm<ReasonForm>,
) -> Response {
    let result = async {
        state.app.unblock(&user.actor, id, &f.reason, &ws).await?;
        Ok("/admin/sikkerhed?ok=ophaevet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        security_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

pub async fn reset_second_factor(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    Client(ws): Client,
    CsrfForm(user, _): CsrfForm<ReasonForm>,
) -> Response {
    let result = async {
        state.app.reset_second_factor(&user.actor, id, &ws).await?;
        Ok("/admin/gennemgang?ok=nulstillet".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

#[derive(Template)]
#[template(path = "sign_in/sign_in_report.html")]
struct ReportPage {
    layout: Layout,
    report: SignInReport,
    now: skjold_core::Timestamp,
}

impl ReportPage {
    fn kind(&self, kind: &str) -> &'static str {
        crate::i18n::sign_in_event(kind)
    }
}

pub async fn report(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.sign_in_report(&user.actor).await {
        Ok(report) => render(&ReportPage {
            layout: Layout::for_user(&user, "/tilsyn/log-ind"),
            report,
            now: state.app.now(),
        }),
        Err(e) => error_page(Some(&user), e),
    }
}

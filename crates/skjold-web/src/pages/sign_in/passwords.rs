//! Passwords: choosing a new one when an administrator requires it, changing one's own,
//! and the administrator's requirement.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::sign_in::passwords::MIN_PASSWORD;
use skjold_core::ProblemKind;

use super::second_factor::pending_token;
use super::{FORM_EXPIRED, login_form, onwards};
use crate::AppState;
use crate::pages::PagePath;
use crate::pages::access_review::review_page;
use crate::pages::{Flash, Layout, NO_FLASH, answer, error_page, page_with, words};
use crate::session::{Client, CsrfForm, PENDING_COOKIE, WebUser, tokens_match};

#[derive(Template)]
#[template(path = "sign_in/new_password.html")]
struct NewPasswordPage {
    layout: Layout,
    error: Option<String>,
    csrf: String,
    min_length: usize,
}

async fn new_password_form(state: &AppState, token: &str, error: Option<String>) -> Response {
    match state.app.pending_sign_in(token).await {
        Ok(pending) if pending.new_password => page_with(
            &error,
            &NewPasswordPage {
                layout: Layout::anonymous(),
                error: error.clone(),
                csrf: pending.csrf,
                min_length: MIN_PASSWORD,
            },
        ),
        Ok(_) => Redirect::to("/login/engangskode").into_response(),
        Err(e @ AppError::Internal(_)) => error_page(None, e),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn new_password_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    new_password_form(&state, &pending_token(&jar), None).await
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn new_password(
    State(state): State<AppState>,
    jar: CookieJar,
    Client(ws): Client,
    axum::Form(form): axum::Form<NewPasswordForm>,
) -> Response {
    let token = pending_token(&jar);
    let pending = match state.app.pending_sign_in(&token).await {
        Ok(p) => p,
        Err(_) => return Redirect::to("/login").into_response(),
    };
    if !tokens_match(&form.csrf, &pending.csrf) {
        return new_password_form(&state, &token, Some(FORM_EXPIRED.into())).await;
    }
    match state
        .app
        .choose_new_password(&token, &form.new_password, &form.repeat_password, &ws)
        .await
    {
        Ok(session) => onwards(&state, jar, skjold_app::sign_in::SignIn::Done(session)),
        Err(AppError::Refused(p)) if p.kind() == ProblemKind::Invalid => {
            new_password_form(&state, &token, Some(words(&p))).await
        }
        // Blocked, or the waiting sign-in is gone: start again.
        Err(AppError::Refused(p)) => login_form(
            &state,
            jar.remove(Cookie::build(PENDING_COOKIE).path("/login")),
            Some(words(&p)),
            String::new(),
        ),
        Err(e) => error_page(None, e),
    }
}

#[derive(Template)]
#[template(path = "sign_in/password.html")]
struct PasswordPage {
    layout: Layout,
    error: Option<String>,
    csrf: String,
    min_length: usize,
}

fn password_page(user: &WebUser, flash: &Flash, error: Option<String>) -> Response {
    page_with(
        &error,
        &PasswordPage {
            layout: Layout::for_user(user, "/konto/adgangskode").with_flash(flash),
            error: error.clone(),
            csrf: user.csrf.clone(),
            min_length: MIN_PASSWORD,
        },
    )
}

pub async fn change_page(user: WebUser, Query(flash): Query<Flash>) -> Response {
    password_page(&user, &flash, None)
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change(
    State(state): State<AppState>,
    Client(ws): Client,
    CsrfForm(user, f): CsrfForm<ChangePasswordForm>,
) -> Response {
    let result = state
        .app
        .change_password(
            &user.token,
            &f.current_password,
            &f.new_password,
            &f.repeat_password,
            &ws,
        )
        .await;
    match result {
        Ok(()) => Redirect::to("/konto/adgangskode?ok=adgangskode").into_response(),
        // Refusals (a wrong current password, a block, a new password that will not do)
        // are explained on the form; a 403 here would be recorded as a refused authorisation.
        Err(AppError::Refused(p)) => password_page(&user, &NO_FLASH, Some(words(&p))),
        Err(e) => error_page(Some(&user), e),
    }
}

#[derive(Deserialize)]
pub struct NoFields {}

pub async fn require_reset(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    Client(ws): Client,
    CsrfForm(user, _): CsrfForm<NoFields>,
) -> Response {
    let result = async {
        state
            .app
            .require_password_reset(&user.actor, id, &ws)
            .await?;
        Ok("/admin/gennemgang?ok=ny-adgangskode".to_owned())
    }
    .await;
    answer(&user, result, |error| {
        review_page(&state, &user, &NO_FLASH, Some(error))
    })
    .await
}

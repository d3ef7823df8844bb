//! Secure messages: an order's thread on each side, the general threads between a
//! municipality and a supplier, and the attachments of both.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_core::Problem;
use skjold_core::threads::{GeneralThreadSummary, GeneralThreadView};

use super::PagePath;
use super::orders::{order_page, supplier_order_page};
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with, render};
use crate::AppState;
use crate::download::download;
use crate::session::{CsrfMultipart, WebUser};

const GENERAL_ATTACHMENTS: &str = "/beskeder/vedhaeftninger";
const GENERAL_CONFIRM_HINT: &str = "Begrundelsen gemmes i adgangsloggen sammen med afsendelsen.";

/// Whether the guard stopped a message until it is confirmed.
fn stopped_by_guard<T>(result: &Result<T, AppError>) -> bool {
    matches!(
        result,
        Err(AppError::Refused(Problem::GuardConfirmationRequired(_)))
    )
}

pub async fn caseworker_message(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    let (body, confirmation) = f.message();
    let result = state
        .app
        .send_message_with(&user.actor, id, &body, &f.files, confirmation)
        .await;
    // Stopped by the guard: offer the text back with a field for the confirmation.
    let guarded = stopped_by_guard(&result);
    answer(
        &user,
        result.map(|_| format!("/bestillinger/{id}?ok=sendt#beskeder")),
        |error| {
            order_page(
                &state,
                &user,
                id,
                &NO_FLASH,
                Some(error),
                guarded.then_some(body),
            )
        },
    )
    .await
}

pub async fn supplier_message(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    let (body, _) = f.message();
    let result = state
        .app
        .send_message_with(&user.actor, id, &body, &f.files, None)
        .await;
    answer(
        &user,
        result.map(|_| format!("/leverandoer/bestillinger/{id}?ok=sendt#beskeder")),
        |error| supplier_order_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

pub async fn attachment(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.attachment(&user.actor, id).await {
        Ok(file) => download(&file.filename, &file.content_type, file.bytes),
        Err(e) => error_page(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "threads/general_threads.html")]
struct GeneralThreadsPage {
    layout: Layout,
    threads: Vec<GeneralThreadSummary>,
}

pub async fn general_threads(State(state): State<AppState>, user: WebUser) -> Response {
    match state.app.general_threads(&user.actor).await {
        Ok(threads) => render(&GeneralThreadsPage {
            layout: Layout::for_user(&user, "/beskeder"),
            threads,
        }),
        Err(e) => error_page(Some(&user), e),
    }
}

#[derive(Template)]
#[template(path = "threads/general_thread.html")]
struct GeneralThreadPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    t: GeneralThreadView,
    message_action: String,
    guard_body: Option<String>,
    attachment_base: &'static str,
    confirm_hint: &'static str,
}

async fn general_thread_page(
    state: &AppState,
    user: &WebUser,
    org: Uuid,
    flash: &Flash,
    error: Option<String>,
    guard_body: Option<String>,
) -> Response {
    match state.app.general_thread(&user.actor, org).await {
        Ok(t) => page_with(
            &error,
            &GeneralThreadPage {
                layout: Layout::for_user(user, "/beskeder").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                t,
                message_action: format!("/beskeder/{org}"),
                guard_body,
                attachment_base: GENERAL_ATTACHMENTS,
                confirm_hint: GENERAL_CONFIRM_HINT,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn general_thread(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(org): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    general_thread_page(&state, &user, org, &flash, None, None).await
}

pub async fn general_message(
    State(state): State<AppState>,
    PagePath(org): PagePath<Uuid>,
    CsrfMultipart(user, f): CsrfMultipart,
) -> Response {
    let (body, confirmation) = f.message();
    let result = state
        .app
        .send_general_message(&user.actor, org, &body, &f.files, confirmation)
        .await;
    let guarded = stopped_by_guard(&result);
    answer(
        &user,
        result.map(|_| format!("/beskeder/{org}?ok=sendt#beskeder")),
        |error| {
            general_thread_page(
                &state,
                &user,
                org,
                &NO_FLASH,
                Some(error),
                guarded.then_some(body),
            )
        },
    )
    .await
}

pub async fn general_attachment(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
) -> Response {
    match state.app.general_attachment(&user.actor, id).await {
        Ok(file) => download(&file.filename, &file.content_type, file.bytes),
        Err(e) => error_page(Some(&user), e),
    }
}

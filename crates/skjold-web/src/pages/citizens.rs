//! The caseworker's citizens: the start page (the unit's orders and the data requests
//! waiting), the search by CPR number, a citizen's record, and consents to reminders.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::citizens::CitizenCase;
use skjold_core::catalogue::{Dpa, ServiceType};
use skjold_core::data_requests::OpenRequest;
use skjold_core::orders::OrderSummary;
use skjold_core::{Category, FieldKey, ProblemKind};

use super::sign_in::Empty;
use super::{Flash, Layout, NO_FLASH, answer, error_page, page_with, words};
use crate::AppState;
use crate::session::{CsrfForm, WebUser};

#[derive(Template)]
#[template(path = "citizens/index.html")]
struct CitizensPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    orders: Vec<OrderSummary>,
    order_base: &'static str,
    own_unit: Option<Uuid>,
    requests: Vec<OpenRequest>,
}

async fn citizens_page(state: &AppState, user: &WebUser, error: Option<String>) -> Response {
    match state.app.caseload(&user.actor).await {
        Ok(caseload) => page_with(
            &error,
            &CitizensPage {
                layout: Layout::for_user(user, "/borgere"),
                csrf: user.csrf.clone(),
                error: error.clone(),
                orders: caseload.orders,
                order_base: "/bestillinger",
                own_unit: None,
                requests: caseload.requests,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn index(State(state): State<AppState>, user: WebUser) -> Response {
    citizens_page(&state, &user, None).await
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    cpr: String,
}

pub async fn search(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<SearchForm>,
) -> Response {
    match state.app.find_citizen(&user.actor, &form.cpr).await {
        Ok(id) => Redirect::to(&format!("/borgere/{id}")).into_response(),
        Err(AppError::Refused(p))
            if matches!(p.kind(), ProblemKind::Invalid | ProblemKind::NotFound) =>
        {
            citizens_page(&state, &user, Some(words(&p))).await
        }
        Err(e) => error_page(Some(&user), e),
    }
}

struct DatumRow {
    key: &'static str,
    label: &'static str,
    value: String,
    sensitivity: &'static str,
    sensitivity_key: &'static str,
    source: String,
    collected: String,
}

struct Group {
    name: &'static str,
    items: Vec<DatumRow>,
}

struct ConsentRow {
    channel: String,
    notice_version: String,
    given: String,
    withdrawn: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "citizens/citizen.html")]
struct CitizenPage {
    layout: Layout,
    id: Uuid,
    name: String,
    cpr: String,
    groups: Vec<Group>,
    service_types: Vec<ServiceType>,
    suppliers: Vec<Dpa>,
    orders: Vec<OrderSummary>,
    order_base: &'static str,
    /// The caseworker's unit: other units' orders open only by a stand-in access.
    own_unit: Option<Uuid>,
    consents: Vec<ConsentRow>,
    csrf: String,
    error: Option<String>,
}

pub async fn citizen(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    citizen_page(&state, &user, id, &flash, None).await
}

async fn citizen_page(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    let CitizenCase {
        view,
        consents,
        service_types,
        suppliers,
    } = match state.app.citizen_case(&user.actor, id).await {
        Ok(case) => case,
        Err(e) => return error_page(Some(user), e),
    };
    let now = state.app.now();
    let consents = consents
        .into_iter()
        .map(|c| ConsentRow {
            active: c.in_force(now),
            channel: c.channel,
            notice_version: c.notice_version,
            given: c.given_at.danish(),
            withdrawn: c.withdrawn_at.map(|t| t.danish()).unwrap_or_default(),
        })
        .collect();
    let groups = Category::ALL
        .iter()
        .map(|c| Group {
            name: c.danish(),
            items: view
                .data
                .iter()
                .filter(|d| d.field.category() == *c)
                .map(|d| DatumRow {
                    key: d.field.key(),
                    label: d.field.danish(),
                    value: d.value.clone(),
                    sensitivity: d.sensitivity().danish(),
                    sensitivity_key: d.sensitivity().key(),
                    source: d.source.clone(),
                    collected: d.collected_at.danish(),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    page_with(
        &error,
        &CitizenPage {
            layout: Layout::for_user(user, "/borgere").with_flash(flash),
            id,
            name: view
                .value(FieldKey::Name)
                .unwrap_or("(uden navn)")
                .to_owned(),
            cpr: view.value(FieldKey::Cpr).unwrap_or("").to_owned(),
            groups,
            service_types,
            suppliers,
            orders: view.orders,
            order_base: "/bestillinger",
            own_unit: Some(user.actor.organisation_id),
            consents,
            csrf: user.csrf.clone(),
            error: error.clone(),
        },
    )
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    notice_version: String,
    #[serde(default)]
    evidence: String,
}

pub async fn record_consent(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    CsrfForm(user, f): CsrfForm<ConsentForm>,
) -> Response {
    let result = state
        .app
        .record_consent(&user.actor, id, &f.channel, &f.notice_version, &f.evidence)
        .await;
    answer(
        &user,
        result.map(|_| format!("/borgere/{id}?ok=samtykke#samtykke")),
        |error| citizen_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    Path((id, channel)): Path<(Uuid, String)>,
    CsrfForm(user, _): CsrfForm<Empty>,
) -> Response {
    let result = state.app.withdraw_consent(&user.actor, id, &channel).await;
    answer(
        &user,
        result.map(|()| format!("/borgere/{id}?ok=tilbagekaldt#samtykke")),
        |error| citizen_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

//! The caseworker's citizens: the start page (the first page of the unit's orders and the
//! data requests waiting), the search by CPR number and a new citizen's registration, a citizen's record
//! (items with source and purpose, earlier values, a new item), and consents to reminders.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::citizens::{CitizenCase, CitizenInput, ItemInput};
use skjold_core::catalogue::{Dpa, Purpose, ServiceType};
use skjold_core::data_requests::OpenRequest;
use skjold_core::orders::OrderSummary;
use skjold_core::{Category, FieldKey, ProblemKind};

use super::PagePath;
use super::orders::{ListForm, OrderList};
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
    /// The first page of the unit's orders; the filters lead to the list's own page.
    list: OrderList,
    requests: Vec<OpenRequest>,
    /// The form "Tilføj borger": what was typed, and why it was refused.
    new: NewCitizenForm,
    new_rows: Vec<NewRow>,
    new_error: Option<String>,
    fields: Vec<FieldOption>,
    purposes: Vec<Purpose>,
}

/// A field of the taxonomy that can be recorded as an item (all but the CPR number).
pub(crate) struct FieldOption {
    key: &'static str,
    label: &'static str,
}

fn field_options() -> Vec<FieldOption> {
    FieldKey::ALL
        .iter()
        .filter(|f| **f != FieldKey::Cpr && **f != FieldKey::Name)
        .map(|f| FieldOption {
            key: f.key(),
            label: f.danish(),
        })
        .collect()
}

async fn citizens_page(
    state: &AppState,
    user: &WebUser,
    error: Option<String>,
    new: NewCitizenForm,
    new_error: Option<String>,
) -> Response {
    let list = match OrderList::load(state, user, ListForm::default()).await {
        Ok((list, _)) => list,
        Err(e) => return error_page(Some(user), e),
    };
    let requests = match state.app.open_requests(&user.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(user), e),
    };
    let purposes = match state.app.purposes(&user.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(Some(user), e),
    };
    let shown = error.clone().or_else(|| new_error.clone());
    page_with(
        &shown,
        &CitizensPage {
            layout: Layout::for_user(user, "/borgere"),
            csrf: user.csrf.clone(),
            error: error.clone(),
            list,
            requests,
            new_rows: new.rows(),
            new,
            new_error,
            fields: field_options(),
            purposes,
        },
    )
}

pub async fn index(State(state): State<AppState>, user: WebUser) -> Response {
    citizens_page(&state, &user, None, NewCitizenForm::default(), None).await
}

/// The form "Tilføj borger": CPR number, name, where they came from and what for, and up
/// to three first items.
#[derive(Deserialize, Default)]
pub struct NewCitizenForm {
    #[serde(default)]
    cpr: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    field_1: String,
    #[serde(default)]
    value_1: String,
    #[serde(default)]
    field_2: String,
    #[serde(default)]
    value_2: String,
    #[serde(default)]
    field_3: String,
    #[serde(default)]
    value_3: String,
}

/// One of the form's first items, as typed.
struct NewRow {
    n: usize,
    field: String,
    value: String,
}

impl NewCitizenForm {
    fn rows(&self) -> Vec<NewRow> {
        [
            (&self.field_1, &self.value_1),
            (&self.field_2, &self.value_2),
            (&self.field_3, &self.value_3),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (f, v))| NewRow {
            n: i + 1,
            field: f.clone(),
            value: v.clone(),
        })
        .collect()
    }

    fn input(&self) -> CitizenInput {
        let rows = [
            (&self.field_1, &self.value_1),
            (&self.field_2, &self.value_2),
            (&self.field_3, &self.value_3),
        ];
        CitizenInput {
            cpr: self.cpr.clone(),
            name: self.name.clone(),
            source: self.source.clone(),
            purpose: self.purpose.clone(),
            data: rows
                .into_iter()
                .filter(|(f, v)| !f.trim().is_empty() || !v.trim().is_empty())
                .map(|(f, v)| ItemInput {
                    field: f.clone(),
                    value: v.clone(),
                    source: self.source.clone(),
                    purpose: self.purpose.clone(),
                })
                .collect(),
        }
    }
}

pub async fn register(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<NewCitizenForm>,
) -> Response {
    match state.app.register_citizen(&user.actor, &form.input()).await {
        Ok(id) => Redirect::to(&format!("/borgere/{id}?ok=borger")).into_response(),
        Err(AppError::Refused(p))
            if matches!(p.kind(), ProblemKind::Invalid | ProblemKind::Conflict) =>
        {
            citizens_page(&state, &user, None, form, Some(words(&p))).await
        }
        Err(e) => error_page(Some(&user), e),
    }
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
            citizens_page(
                &state,
                &user,
                Some(words(&p)),
                NewCitizenForm::default(),
                None,
            )
            .await
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
    purpose: String,
    collected: String,
    /// For an earlier value: when it was replaced.
    replaced: String,
    rectification: String,
}

impl DatumRow {
    fn of(d: &skjold_core::citizens::Datum) -> DatumRow {
        DatumRow {
            key: d.field.key(),
            label: d.field.danish(),
            value: d.value.clone(),
            sensitivity: d.sensitivity().danish(),
            sensitivity_key: d.sensitivity().key(),
            source: d.source.clone(),
            purpose: d.purpose.clone().unwrap_or_else(|| "–".into()),
            collected: d.collected_at.danish(),
            replaced: d.replaced_at.map(|t| t.danish()).unwrap_or_default(),
            rectification: d.rectification.clone().unwrap_or_default(),
        }
    }
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
    /// Earlier values, replaced by newer ones.
    history: Vec<DatumRow>,
    /// The form "Registrér oplysning": what was typed, and why it was refused.
    item: ItemForm,
    item_error: Option<String>,
    fields: Vec<FieldOption>,
    purposes: Vec<Purpose>,
    notices: Vec<skjold_core::citizen_view::NoticeRecord>,
    csrf: String,
    error: Option<String>,
}

pub async fn citizen(
    State(state): State<AppState>,
    user: WebUser,
    PagePath(id): PagePath<Uuid>,
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
    citizen_page_with(state, user, id, flash, error, ItemForm::default(), None).await
}

async fn citizen_page_with(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    flash: &Flash,
    error: Option<String>,
    item: ItemForm,
    item_error: Option<String>,
) -> Response {
    let CitizenCase {
        view,
        consents,
        service_types,
        suppliers,
        purposes,
        notices,
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
                .map(DatumRow::of)
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let shown = error.clone().or_else(|| item_error.clone());
    page_with(
        &shown,
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
            history: view.history.iter().map(DatumRow::of).collect(),
            item,
            item_error,
            fields: field_options(),
            purposes,
            notices,
            csrf: user.csrf.clone(),
            error: error.clone(),
        },
    )
}

/// The form "Registrér oplysning".
#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    purpose: String,
}

pub async fn record_item(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<ItemForm>,
) -> Response {
    let input = ItemInput {
        field: f.field.clone(),
        value: f.value.clone(),
        source: f.source.clone(),
        purpose: f.purpose.clone(),
    };
    match state.app.record_citizen_item(&user.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/borgere/{id}?ok=oplysning#oplysninger")).into_response(),
        Err(AppError::Refused(p))
            if matches!(p.kind(), ProblemKind::Invalid | ProblemKind::Conflict) =>
        {
            citizen_page_with(&state, &user, id, &NO_FLASH, None, f, Some(words(&p))).await
        }
        Err(e) => error_page(Some(&user), e),
    }
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
    PagePath(id): PagePath<Uuid>,
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
    PagePath((id, channel)): PagePath<(Uuid, String)>,
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

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

pub async fn record_notice(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<NoticeForm>,
) -> Response {
    let input = skjold_app::citizen_view::NoticeInput {
        purpose: f.purpose,
        status: f.status,
        reason: f.reason,
        until: f.until,
    };
    let result = state.app.record_notice(&user.actor, id, &input).await;
    answer(
        &user,
        result.map(|_| format!("/borgere/{id}?ok=underretning#underretning")),
        |error| citizen_page(&state, &user, id, &NO_FLASH, Some(error)),
    )
    .await
}

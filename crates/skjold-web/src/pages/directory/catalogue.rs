//! The administrator edits purposes, service types (with a new policy version when the
//! policy changes) and DPAs: one page each, with the form (typed values kept after a
//! refusal, the error tied to its field) and the history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::catalogue::{DpaEdit, PurposeInput, ServiceTypeEdit};
use skjold_core::catalogue::{Dpa, PolicyVersion, Purpose, ServiceType};
use skjold_core::error::IdInput;
use skjold_core::{Art6Basis, Art9Basis, DisclosureRule, FieldKey};

use super::history::{HistoryRow, rows};
use crate::AppState;
use crate::pages::{Flash, Layout, NO_FLASH, PagePath, answer, error_page, page_with, parse_id};
use crate::session::{CsrfForm, WebUser};

// ---- purposes ---------------------------------------------------------------------------

#[derive(Deserialize, Clone, Default)]
pub struct PurposeEditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    art6: String,
    #[serde(default)]
    art9: String,
    #[serde(default)]
    national_law: String,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    automated_decision: String,
}

impl PurposeEditForm {
    fn of(p: &Purpose) -> PurposeEditForm {
        PurposeEditForm {
            name: p.name.clone(),
            description: p.description.clone(),
            art6: p.art6.clone(),
            art9: p.art9.clone().unwrap_or_default(),
            national_law: p.national_law.clone(),
            retention: p.retention.clone(),
            automated_decision: p.automated_decision.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "directory/purpose.html")]
struct PurposePage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    purpose: Purpose,
    form: PurposeEditForm,
    art6: &'static [Art6Basis],
    art9: &'static [Art9Basis],
    history: Vec<HistoryRow>,
}

async fn purpose_page(
    state: &AppState,
    web: &WebUser,
    id: Uuid,
    flash: &Flash,
    posted: Option<(PurposeEditForm, String)>,
) -> Response {
    let a = &web.actor;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.purpose(a, id).await?,
            state.app.purpose_history(a, id).await?,
        ))
    }
    .await;
    match loaded {
        Ok((purpose, history)) => {
            let (form, error) = match posted {
                Some((f, e)) => (f, Some(e)),
                None => (PurposeEditForm::of(&purpose), None),
            };
            page_with(
                &error,
                &PurposePage {
                    layout: Layout::for_user(web, "/admin").with_flash(flash),
                    csrf: web.csrf.clone(),
                    error: error.clone(),
                    purpose,
                    form,
                    art6: Art6Basis::ALL,
                    art9: Art9Basis::ALL,
                    history: rows(history),
                },
            )
        }
        Err(e) => error_page(Some(web), e),
    }
}

pub async fn purpose(
    State(state): State<AppState>,
    web: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    purpose_page(&state, &web, id, &flash, None).await
}

pub async fn edit_purpose(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(web, f): CsrfForm<PurposeEditForm>,
) -> Response {
    let input = PurposeInput {
        name: f.name.clone(),
        description: f.description.clone(),
        art6: f.art6.clone(),
        art9: Some(f.art9.clone()),
        national_law: f.national_law.clone(),
        retention: f.retention.clone(),
        automated_decision: f.automated_decision.clone(),
    };
    let result = state.app.edit_purpose(&web.actor, id, &input).await;
    answer(
        &web,
        result.map(|_| format!("/admin/formaal/{id}?ok=aendret")),
        |error| purpose_page(&state, &web, id, &NO_FLASH, Some((f.clone(), error))),
    )
    .await
}

// ---- service types ----------------------------------------------------------------------

/// A service type's form as typed: texts, purpose, and a rule key per field.
#[derive(Clone, Default)]
struct ServiceTypeForm {
    name: String,
    description: String,
    purpose_id: String,
    rules: Vec<(FieldKey, String)>,
}

impl ServiceTypeForm {
    fn of(t: &ServiceType) -> ServiceTypeForm {
        ServiceTypeForm {
            name: t.name.clone(),
            description: t.description.clone(),
            purpose_id: t.purpose_id.to_string(),
            rules: t
                .rules
                .iter()
                .map(|(f, r)| (*f, r.key().to_owned()))
                .collect(),
        }
    }

    fn posted(f: &HashMap<String, String>) -> ServiceTypeForm {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        ServiceTypeForm {
            name: get("name"),
            description: get("description"),
            purpose_id: get("purpose_id"),
            // A field the form does not name gets its default, as on creation.
            rules: FieldKey::ALL
                .iter()
                .map(|field| {
                    let rule = f
                        .get(&format!("rule.{}", field.key()))
                        .cloned()
                        .unwrap_or_else(|| DisclosureRule::default_for(*field).key().to_owned());
                    (*field, rule)
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "directory/service_type.html")]
struct ServiceTypePage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    service_type: ServiceType,
    purposes: Vec<Purpose>,
    form: ServiceTypeForm,
    rule_choices: [DisclosureRule; 3],
    versions: Vec<PolicyVersion>,
    history: Vec<HistoryRow>,
}

async fn service_type_page(
    state: &AppState,
    web: &WebUser,
    id: Uuid,
    flash: &Flash,
    posted: Option<(ServiceTypeForm, String)>,
) -> Response {
    let a = &web.actor;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.service_type(a, id).await?,
            state.app.purposes(a).await?,
            state.app.policy_versions(a, id).await?,
            state.app.service_type_history(a, id).await?,
        ))
    }
    .await;
    match loaded {
        Ok((service_type, purposes, mut versions, history)) => {
            let (form, error) = match posted {
                Some((f, e)) => (f, Some(e)),
                None => (ServiceTypeForm::of(&service_type), None),
            };
            versions.reverse();
            page_with(
                &error,
                &ServiceTypePage {
                    layout: Layout::for_user(web, "/admin").with_flash(flash),
                    csrf: web.csrf.clone(),
                    error: error.clone(),
                    service_type,
                    purposes,
                    form,
                    rule_choices: DisclosureRule::ALL,
                    versions,
                    history: rows(history),
                },
            )
        }
        Err(e) => error_page(Some(web), e),
    }
}

pub async fn service_type(
    State(state): State<AppState>,
    web: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    service_type_page(&state, &web, id, &flash, None).await
}

pub async fn edit_service_type(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(web, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let form = ServiceTypeForm::posted(&f);
    let before = state.app.service_type(&web.actor, id).await;
    let result = async {
        let input = ServiceTypeEdit {
            name: form.name.clone(),
            description: form.description.clone(),
            purpose_id: parse_id(&form.purpose_id, IdInput::Purpose)?,
            policy: form
                .rules
                .iter()
                .map(|(field, rule)| (field.key().to_owned(), rule.clone()))
                .collect(),
        };
        state.app.edit_service_type(&web.actor, id, &input).await
    }
    .await;
    let ok = match (&before, &result) {
        (Ok(b), Ok(a)) if a.policy_version != b.policy_version => "politik",
        _ => "aendret",
    };
    answer(
        &web,
        result.map(|_| format!("/admin/ydelser/{id}?ok={ok}")),
        |error| service_type_page(&state, &web, id, &NO_FLASH, Some((form.clone(), error))),
    )
    .await
}

// ---- DPAs -------------------------------------------------------------------------------

#[derive(Deserialize, Clone, Default)]
pub struct DpaEditForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    instructions: String,
    #[serde(default)]
    ends_on: String,
}

#[derive(Template)]
#[template(path = "directory/dpa.html")]
struct DpaPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    dpa: Dpa,
    form: DpaEditForm,
    history: Vec<HistoryRow>,
}

async fn dpa_page(
    state: &AppState,
    web: &WebUser,
    id: Uuid,
    flash: &Flash,
    posted: Option<(DpaEditForm, String)>,
) -> Response {
    let a = &web.actor;
    let loaded = async {
        Ok::<_, AppError>((
            state.app.dpa(a, id).await?,
            state.app.dpa_history(a, id).await?,
        ))
    }
    .await;
    match loaded {
        Ok((dpa, history)) => {
            let (form, error) = match posted {
                Some((f, e)) => (f, Some(e)),
                None => (
                    DpaEditForm {
                        reference: dpa.reference.clone(),
                        instructions: dpa.instructions.clone(),
                        ends_on: dpa.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                    },
                    None,
                ),
            };
            page_with(
                &error,
                &DpaPage {
                    layout: Layout::for_user(web, "/admin").with_flash(flash),
                    csrf: web.csrf.clone(),
                    error: error.clone(),
                    dpa,
                    form,
                    history: rows(history),
                },
            )
        }
        Err(e) => error_page(Some(web), e),
    }
}

pub async fn dpa(
    State(state): State<AppState>,
    web: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    dpa_page(&state, &web, id, &flash, None).await
}

pub async fn edit_dpa(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(web, f): CsrfForm<DpaEditForm>,
) -> Response {
    let input = DpaEdit {
        reference: f.reference.clone(),
        instructions: f.instructions.clone(),
        ends_on: Some(f.ends_on.clone()),
    };
    let result = state.app.edit_dpa(&web.actor, id, &input).await;
    answer(
        &web,
        result.map(|_| format!("/admin/aftaler/{id}?ok=aendret")),
        |error| dpa_page(&state, &web, id, &NO_FLASH, Some((f.clone(), error))),
    )
    .await
}

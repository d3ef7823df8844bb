//! The administrator's page: organisations, users, purposes, service types with their
//! disclosure policy, and data processing agreements; each of them edited on its own page
//! with its history ([`edit`], [`catalogue`]).

mod catalogue;
mod edit;
mod history;

pub use catalogue::{dpa, edit_dpa, edit_purpose, edit_service_type, purpose, service_type};
pub use edit::{edit_organisation, edit_user, organisation, user};

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::catalogue::{DpaInput, PurposeInput, ServiceTypeInput};
use skjold_app::directory::Administration;
use skjold_core::catalogue::{Dpa, Purpose, ServiceType};
use skjold_core::directory::{Organisation, User};
use skjold_core::error::IdInput;
use skjold_core::{Art6Basis, Art9Basis, Date, DisclosureRule, FieldKey, OrgKind, Problem, Role};

use super::{Flash, Layout, NO_FLASH, PagePath, answer, error_page, page_with, parse_id};
use crate::AppState;
use crate::session::{CsrfForm, WebUser};

#[derive(Template)]
#[template(path = "directory/admin.html")]
struct AdminPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    organisations: Vec<Organisation>,
    users: Vec<User>,
    purposes: Vec<Purpose>,
    service_types: Vec<ServiceType>,
    dpas: Vec<Dpa>,
    today: Date,
    roles: [Role; 8],
    art6: &'static [Art6Basis],
    art9: &'static [Art9Basis],
    fields: &'static [FieldKey],
    rules: [DisclosureRule; 3],
}

impl AdminPage {
    fn org_name(&self, id: &Uuid) -> &str {
        self.organisations
            .iter()
            .find(|o| o.id == *id)
            .map_or("", |o| o.name.as_str())
    }

    fn in_force(&self, d: &Dpa) -> bool {
        d.in_force(self.today)
    }

    fn default_rule(&self, f: &FieldKey) -> &'static str {
        DisclosureRule::default_for(*f).key()
    }

    fn covered(&self, d: &Dpa, s: &ServiceType) -> bool {
        d.covers(s.id)
    }

    /// The names of the service types a DPA covers, or that it covers none.
    fn coverage(&self, d: &Dpa) -> String {
        let names: Vec<&str> = self
            .service_types
            .iter()
            .filter(|s| d.covers(s.id))
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            "Ingen ydelser".to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// The service types ticked in a form (`service.<id>`).
fn ticked_services(f: &HashMap<String, String>) -> Result<Vec<Uuid>, AppError> {
    f.keys()
        .filter_map(|k| k.strip_prefix("service."))
        .map(|id| parse_id(id, IdInput::ServiceType))
        .collect()
}

async fn admin_page(
    state: &AppState,
    user: &WebUser,
    flash: &Flash,
    error: Option<String>,
) -> Response {
    match state.app.administration(&user.actor).await {
        Ok(Administration {
            organisations,
            users,
            purposes,
            service_types,
            dpas,
        }) => page_with(
            &error,
            &AdminPage {
                layout: Layout::for_user(user, "/admin").with_flash(flash),
                csrf: user.csrf.clone(),
                error: error.clone(),
                organisations,
                users,
                purposes,
                service_types,
                dpas,
                today: state.app.now().local_date(),
                roles: Role::ALL,
                art6: Art6Basis::ALL,
                art9: Art9Basis::ALL,
                fields: FieldKey::ALL,
                rules: DisclosureRule::ALL,
            },
        ),
        Err(e) => error_page(Some(user), e),
    }
}

pub async fn admin(
    State(state): State<AppState>,
    user: WebUser,
    Query(flash): Query<Flash>,
) -> Response {
    admin_page(&state, &user, &flash, None).await
}

/// After an administration form: back to the page with a message, or the page with the error.
async fn admin_done<T>(
    state: &AppState,
    user: &WebUser,
    result: Result<T, AppError>,
    anchor: &str,
) -> Response {
    answer(
        user,
        result.map(|_| format!("/admin?ok=oprettet#{anchor}")),
        |error| admin_page(state, user, &NO_FLASH, Some(error)),
    )
    .await
}

#[derive(Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    cvr: String,
}

pub async fn create_organisation(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<OrgForm>,
) -> Response {
    let result = match OrgKind::parse(&f.kind) {
        Some(kind) => {
            state
                .app
                .create_organisation(Some(&user.actor), kind, None, &f.name, Some(&f.cvr))
                .await
        }
        None => Err(Problem::BadKind.into()),
    };
    admin_done(&state, &user, result, "organisationer").await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<UserForm>,
) -> Response {
    let result = async {
        let org = parse_id(&f.organisation_id, IdInput::Organisation)?;
        let role = Role::parse(&f.role).ok_or_else(|| Problem::BadRole(f.role.clone()))?;
        state
            .app
            .add_user(
                Some(&user.actor),
                org,
                &f.username,
                &f.display_name,
                role,
                &f.password,
            )
            .await
    }
    .await;
    admin_done(&state, &user, result, "brugere").await
}

#[derive(Deserialize)]
pub struct PurposeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    art6: String,
    #[serde(default)]
    art9: Option<String>,
    #[serde(default)]
    national_law: String,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    automated_decision: String,
}

pub async fn create_purpose(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<PurposeForm>,
) -> Response {
    let input = PurposeInput {
        name: f.name,
        description: f.description,
        art6: f.art6,
        art9: f.art9,
        national_law: f.national_law,
        retention: f.retention,
        automated_decision: f.automated_decision,
    };
    let result = state.app.create_purpose(&user.actor, &input).await;
    admin_done(&state, &user, result, "formaal").await
}

pub async fn create_service_type(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let result = async {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = ServiceTypeInput {
            code: get("code"),
            name: get("name"),
            description: get("description"),
            purpose_id: parse_id(&get("purpose_id"), IdInput::Purpose)?,
            policy: f
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("rule.")?.to_owned(), v.clone())))
                .collect(),
        };
        state.app.create_service_type(&user.actor, &input).await
    }
    .await;
    admin_done(&state, &user, result, "ydelser").await
}

pub async fn create_dpa(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let result = async {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let input = DpaInput {
            processor_id: parse_id(&get("processor_id"), IdInput::Supplier)?,
            reference: get("reference"),
            instructions: get("instructions"),
            starts_on: get("starts_on"),
            ends_on: Some(get("ends_on")),
            service_type_ids: ticked_services(&f)?,
        };
        state.app.create_dpa(&user.actor, &input).await
    }
    .await;
    admin_done(&state, &user, result, "aftaler").await
}

/// The administrator sets which service types a DPA covers.
pub async fn set_dpa_coverage(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(user, f): CsrfForm<HashMap<String, String>>,
) -> Response {
    let result = match ticked_services(&f) {
        Ok(ids) => state.app.set_dpa_coverage(&user.actor, id, &ids).await,
        Err(e) => Err(e),
    };
    answer(
        &user,
        result.map(|_| "/admin?ok=daekning#aftaler".to_owned()),
        |error| admin_page(&state, &user, &NO_FLASH, Some(error)),
    )
    .await
}

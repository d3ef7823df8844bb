//! The administrator edits organisations and users: one page each, with the form (typed
//! values kept after a refusal, the error tied to its field) and the history.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use skjold_app::AppError;
use skjold_app::directory::UserEdit;
use skjold_core::directory::{Organisation, User};
use skjold_core::error::IdInput;
use skjold_core::{OrgKind, Problem, Role};

use super::history::{HistoryRow, rows};
use crate::AppState;
use crate::pages::{Flash, Layout, NO_FLASH, PagePath, answer, error_page, page_with, parse_id};
use crate::session::{CsrfForm, WebUser};

// ---- users ------------------------------------------------------------------------------

#[derive(Deserialize, Clone, Default)]
pub struct UserEditForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: String,
}

impl UserEditForm {
    fn of(u: &User) -> UserEditForm {
        UserEditForm {
            organisation_id: u.organisation_id.to_string(),
            role: u.role.key().to_owned(),
            active: u.active.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "directory/user.html")]
struct UserPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    user: User,
    organisation: String,
    organisations: Vec<Organisation>,
    roles: [Role; 8],
    form: UserEditForm,
    history: Vec<HistoryRow>,
}

async fn user_page(
    state: &AppState,
    web: &WebUser,
    id: Uuid,
    flash: &Flash,
    posted: Option<(UserEditForm, String)>,
) -> Response {
    let a = &web.actor;
    let loaded = async {
        let user = state.app.user(a, id).await?;
        let organisations = state.app.organisations(a).await?;
        let history = state.app.user_history(a, id).await?;
        Ok::<_, AppError>((user, organisations, history))
    }
    .await;
    match loaded {
        Ok((user, organisations, history)) => {
            let (form, error) = match posted {
                Some((f, e)) => (f, Some(e)),
                None => (UserEditForm::of(&user), None),
            };
            let organisation = organisations
                .iter()
                .find(|o| o.id == user.organisation_id)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            page_with(
                &error,
                &UserPage {
                    layout: Layout::for_user(web, "/admin").with_flash(flash),
                    csrf: web.csrf.clone(),
                    error: error.clone(),
                    user,
                    organisation,
                    organisations,
                    roles: Role::ALL,
                    form,
                    history: rows(history),
                },
            )
        }
        Err(e) => error_page(Some(web), e),
    }
}

pub async fn user(
    State(state): State<AppState>,
    web: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    user_page(&state, &web, id, &flash, None).await
}

pub async fn edit_user(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(web, f): CsrfForm<UserEditForm>,
) -> Response {
    let result = async {
        let organisation_id = parse_id(&f.organisation_id, IdInput::Organisation)?;
        let role = Role::parse(&f.role).ok_or_else(|| Problem::BadRole(f.role.clone()))?;
        let active = match f.active.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(Problem::FormInvalid("status".into()).into()),
        };
        let edit = UserEdit {
            organisation_id,
            role,
            active,
        };
        state.app.edit_user(&web.actor, id, edit).await
    }
    .await;
    let ok = match &result {
        Ok(u) if !u.active => "deaktiveret",
        _ => "aendret",
    };
    answer(
        &web,
        result.map(|_| format!("/admin/brugere/{id}?ok={ok}")),
        |error| user_page(&state, &web, id, &NO_FLASH, Some((f.clone(), error))),
    )
    .await
}

// ---- organisations ----------------------------------------------------------------------

#[derive(Deserialize, Clone, Default)]
pub struct OrgEditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    cvr: String,
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage {
    layout: Layout,
    csrf: String,
    error: Option<String>,
    organisation: Organisation,
    supplier: bool,
    form: OrgEditForm,
    history: Vec<HistoryRow>,
}

async fn organisation_page(
    state: &AppState,
    web: &WebUser,
    id: Uuid,
    flash: &Flash,
    posted: Option<(OrgEditForm, String)>,
) -> Response {
    let a = &web.actor;
    let loaded = async {
        let org = state.app.organisation(a, id).await?;
        let history = state.app.organisation_history(a, id).await?;
        Ok::<_, AppError>((org, history))
    }
    .await;
    match loaded {
        Ok((organisation, history)) => {
            let (form, error) = match posted {
                Some((f, e)) => (f, Some(e)),
                None => (
                    OrgEditForm {
                        name: organisation.name.clone(),
                        cvr: organisation.cvr.clone().unwrap_or_default(),
                    },
                    None,
                ),
            };
            page_with(
                &error,
                &OrganisationPage {
                    layout: Layout::for_user(web, "/admin").with_flash(flash),
                    csrf: web.csrf.clone(),
                    error: error.clone(),
                    supplier: organisation.kind == OrgKind::Supplier,
                    organisation,
                    form,
                    history: rows(history),
                },
            )
        }
        Err(e) => error_page(Some(web), e),
    }
}

pub async fn organisation(
    State(state): State<AppState>,
    web: WebUser,
    PagePath(id): PagePath<Uuid>,
    Query(flash): Query<Flash>,
) -> Response {
    organisation_page(&state, &web, id, &flash, None).await
}

pub async fn edit_organisation(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    CsrfForm(web, f): CsrfForm<OrgEditForm>,
) -> Response {
    let result = state
        .app
        .edit_organisation(&web.actor, id, &f.name, Some(&f.cvr))
        .await;
    answer(
        &web,
        result.map(|_| format!("/admin/organisationer/{id}?ok=aendret")),
        |error| organisation_page(&state, &web, id, &NO_FLASH, Some((f.clone(), error))),
    )
    .await
}

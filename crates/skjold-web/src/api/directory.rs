//! The caller, the municipality's organisations, and new organisations and users.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_core::directory::{Organisation, User};
use skjold_core::{Actor, OrgKind, Problem, Role};

use skjold_app::directory::UserEdit;
use skjold_core::directory::HistoryEntry;

use super::{ApiJson, ApiResult, Id, instant};
use crate::AppState;
use crate::session::ApiUser;
use axum::Json;

/// The caller: a user of an organisation.
#[derive(Serialize, ToSchema)]
pub struct Me {
    user_id: Uuid,
    username: String,
    display_name: String,
    /// `administrator`, `caseworker`, `supplier_user`, `privacy_officer` or `auditor`.
    role: &'static str,
    organisation_id: Uuid,
    organisation_name: String,
    /// The municipality for municipal users; the supplier itself for supplier users.
    controller_id: Uuid,
}

impl From<Actor> for Me {
    fn from(a: Actor) -> Me {
        Me {
            user_id: a.user_id,
            username: a.username,
            display_name: a.display_name,
            role: a.role.key(),
            organisation_id: a.organisation_id,
            organisation_name: a.organisation_name,
            controller_id: a.controller_id,
        }
    }
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "me", tag = "directory",
    responses((status = 200, body = Me, description = "The authenticated user and organisation")))]
pub async fn me(ApiUser(actor): ApiUser) -> ApiResult<Me> {
    Ok(Json(actor.into()))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    id: Uuid,
    /// `municipality`, `unit` or `supplier`.
    kind: &'static str,
    /// The municipality of a unit.
    parent_id: Option<Uuid>,
    name: String,
    cvr: Option<String>,
}

impl From<Organisation> for OrganisationView {
    fn from(o: Organisation) -> OrganisationView {
        OrganisationView {
            id: o.id,
            kind: o.kind.key(),
            parent_id: o.parent_id,
            name: o.name,
            cvr: o.cvr,
        }
    }
}

/// The municipality, its units and its suppliers.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "directory",
    responses((status = 200, body = [OrganisationView])))]
pub async fn organisations(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> ApiResult<Vec<OrganisationView>> {
    let orgs = s.app.organisations(&a).await?;
    Ok(Json(orgs.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct OrganisationInput {
    /// A unit of the caller's municipality, or a supplier.
    #[schema(pattern = "^(unit|supplier)$")]
    kind: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// Required for suppliers: 8 digits, modulus 11.
    #[serde(default)]
    #[schema(pattern = "^[1-9][0-9]{7}$")]
    cvr: Option<String>,
}

/// Adds a unit of the caller's municipality, or a supplier.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "directory",
    request_body = OrganisationInput,
    responses((status = 200, body = OrganisationView, description = "Created")))]
pub async fn create_organisation(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<OrganisationInput>,
) -> ApiResult<OrganisationView> {
    let kind = OrgKind::parse(&i.kind).ok_or(Problem::BadKind)?;
    let org = s
        .app
        .create_organisation(Some(&a), kind, None, &i.name, i.cvr.as_deref())
        .await?;
    Ok(Json(org.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct UserInput {
    organisation_id: Uuid,
    /// Letters, digits and `.-_@`.
    #[schema(pattern = "^[A-Za-z0-9._@-]{2,64}$")]
    username: String,
    #[schema(min_length = 1, max_length = 200)]
    display_name: String,
    #[schema(pattern = "^(administrator|caseworker|supplier_user|privacy_officer|auditor)$")]
    role: String,
    #[schema(min_length = 12, max_length = 1024)]
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    id: Uuid,
    organisation_id: Uuid,
    username: String,
    display_name: String,
    role: &'static str,
    active: bool,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            organisation_id: u.organisation_id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.key(),
            active: u.active,
        }
    }
}

/// Adds a user to one of the municipality's organisations or a supplier.
#[utoipa::path(post, path = "/api/v1/users", tag = "directory", request_body = UserInput,
    responses(
        (status = 200, body = UserView, description = "Created"),
        (status = 404, body = crate::error::ErrorBody, description = "No such organisation"),
        (status = 409, body = crate::error::ErrorBody, description = "The user name is taken"),
    ))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(i): ApiJson<UserInput>,
) -> ApiResult<UserView> {
    let role = Role::parse(&i.role).ok_or_else(|| Problem::BadRole(i.role.clone()))?;
    let user = s
        .app
        .add_user(
            Some(&a),
            i.organisation_id,
            &i.username,
            &i.display_name,
            role,
            &i.password,
        )
        .await?;
    Ok(Json(user.into()))
}

/// A field's change between two versions.
#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    /// The field's key, e.g. `role`, `name`, `rule.health`.
    field: String,
    /// The value before; none in the first version.
    before: Option<String>,
    after: String,
}

/// A version of an administered entity: what changed, by whom, when.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntryView {
    version: i64,
    changes: Vec<ChangeView>,
    /// The display name of who made the change; none for the state before history was
    /// kept.
    changed_by: Option<String>,
    #[schema(format = DateTime)]
    changed_at: String,
}

pub(crate) fn history_view(entries: Vec<HistoryEntry>) -> Vec<HistoryEntryView> {
    entries
        .into_iter()
        .map(|h| HistoryEntryView {
            version: h.version,
            changes: h
                .changes
                .into_iter()
                .map(|c| ChangeView {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            changed_by: h.changed_by,
            changed_at: instant(h.changed_at),
        })
        .collect()
}

/// A change of a user; fields left out stay as they are.
#[derive(Deserialize, ToSchema)]
pub struct UserPatch {
    /// The unit (or supplier) the user works in.
    #[serde(default)]
    organisation_id: Option<Uuid>,
    #[serde(default)]
    #[schema(pattern = "^(administrator|caseworker|supplier_user|privacy_officer|auditor)$")]
    role: Option<String>,
    /// `false` deactivates the user: their sessions and API tokens stop working at once.
    #[serde(default)]
    active: Option<bool>,
}

/// Changes a user's unit, role or state; a new version with who and when.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "directory", params(("id" = Uuid, Path)),
    request_body = UserPatch,
    responses(
        (status = 200, body = UserView, description = "Changed"),
        (status = 404, body = crate::error::ErrorBody, description = "No such user"),
        (status = 409, body = crate::error::ErrorBody, description = "The last active administrator"),
        (status = 422, body = crate::error::ErrorBody, description = "Nothing changed, or a role that does not fit the organisation"),
    ))]
pub async fn edit_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<UserPatch>,
) -> ApiResult<UserView> {
    let current = s.app.user(&a, id).await?;
    let role = match i.role {
        Some(r) => Role::parse(&r).ok_or(Problem::BadRole(r))?,
        None => current.role,
    };
    let edit = UserEdit {
        organisation_id: i.organisation_id.unwrap_or(current.organisation_id),
        role,
        active: i.active.unwrap_or(current.active),
    };
    Ok(Json(s.app.edit_user(&a, id, edit).await?.into()))
}

/// A user's history, oldest first.
#[utoipa::path(get, path = "/api/v1/users/{id}/history", tag = "directory", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = [HistoryEntryView]),
        (status = 404, body = crate::error::ErrorBody, description = "Not the administrator's to see"),
    ))]
pub async fn user_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<HistoryEntryView>> {
    Ok(Json(history_view(s.app.user_history(&a, id).await?)))
}

/// A change of an organisation; fields left out stay as they are.
#[derive(Deserialize, ToSchema)]
pub struct OrganisationPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    name: Option<String>,
    /// Required for suppliers: 8 digits, modulus 11. Empty removes it (not for suppliers).
    #[serde(default)]
    cvr: Option<String>,
}

/// Renames an organisation or changes its CVR number; a new version with who and when.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "directory",
    params(("id" = Uuid, Path)), request_body = OrganisationPatch,
    responses(
        (status = 200, body = OrganisationView, description = "Changed"),
        (status = 404, body = crate::error::ErrorBody, description = "No such organisation"),
        (status = 422, body = crate::error::ErrorBody, description = "Nothing changed, or a bad name or CVR number"),
    ))]
pub async fn edit_organisation(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
    ApiJson(i): ApiJson<OrganisationPatch>,
) -> ApiResult<OrganisationView> {
    let current = s.app.organisation(&a, id).await?;
    let name = i.name.unwrap_or(current.name);
    let cvr = i.cvr.or(current.cvr);
    let org = s
        .app
        .edit_organisation(&a, id, &name, cvr.as_deref())
        .await?;
    Ok(Json(org.into()))
}

/// An organisation's history, oldest first.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/history", tag = "directory",
    params(("id" = Uuid, Path)), responses(
        (status = 200, body = [HistoryEntryView]),
        (status = 404, body = crate::error::ErrorBody, description = "Not the administrator's to see"),
    ))]
pub async fn organisation_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    Id(id): Id,
) -> ApiResult<Vec<HistoryEntryView>> {
    Ok(Json(history_view(
        s.app.organisation_history(&a, id).await?,
    )))
}

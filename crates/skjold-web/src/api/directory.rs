//! The caller, the municipality's organisations, and new organisations and users.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use skjold_core::directory::{Organisation, User};
use skjold_core::{Actor, OrgKind, Problem, Role};

use super::{ApiJson, ApiResult};
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

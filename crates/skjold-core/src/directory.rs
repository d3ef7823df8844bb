//! The municipality, its units and its suppliers, and their users: who there is to act.
//! No personal data of citizens.

use serde::Serialize;
use uuid::Uuid;

use crate::actor::{OrgKind, Role};

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrgKind,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub cvr: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

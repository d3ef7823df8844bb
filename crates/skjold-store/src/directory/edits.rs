//! The administrator's edits of organisations and users, each a new version with who and
//! when ([`crate::versions`]). A user who is deactivated loses their sessions and API
//! tokens in the same transaction; a reactivated user signs in again and makes new tokens.

use uuid::Uuid;

use skjold_core::directory::{Entity, Organisation, Snapshot, User, Version};
use skjold_core::{OrgKind, Problem, Role};

use super::{Directory, UserRow, organisation_in};
use crate::db::{Tx, execute, fetch, scalar};
use crate::versions::{append, ensure_first, snapshot, versions_in};
use crate::{Now, StoreError};

/// What an administrator may change about a user: where they work, their role, and whether
/// they may sign in.
#[derive(Debug, Clone, Copy)]
pub struct UserChange {
    pub organisation_id: Uuid,
    pub role: Role,
    pub active: bool,
}

fn user_snapshot(u: &User, organisation: &str) -> Snapshot {
    snapshot([
        ("display_name", u.display_name.clone()),
        ("organisation", organisation.to_owned()),
        ("role", u.role.key().to_owned()),
        ("active", u.active.to_string()),
    ])
}

fn organisation_snapshot(o: &Organisation) -> Snapshot {
    snapshot([
        ("name", o.name.clone()),
        ("cvr", o.cvr.clone().unwrap_or_default()),
    ])
}

async fn user_in(tx: &mut Tx, id: Uuid) -> Result<(User, i64), StoreError> {
    let row = fetch!(
        tx,
        fetch_optional,
        UserRow,
        "SELECT id, organisation_id, username, display_name, role, active FROM app_user WHERE id = $1",
        id
    )?
    .ok_or(StoreError::Refused(Problem::UserNotFound(None)))?;
    let created: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT created_at FROM app_user WHERE id = $1",
        id
    )?;
    Ok((row.into_model()?, created))
}

/// The users of the authority `controller_id` itself and its units.
async fn own_users(tx: &mut Tx, controller_id: Uuid) -> Result<Vec<User>, StoreError> {
    let rows = fetch!(
        tx,
        fetch_all,
        UserRow,
        "SELECT u.id, u.organisation_id, u.username, u.display_name, u.role, u.active FROM app_user u \
         JOIN organisation o ON o.id = u.organisation_id WHERE o.id = $1 OR o.parent_id = $1",
        controller_id
    )?;
    rows.into_iter().map(UserRow::into_model).collect()
}

impl Directory {
    /// A user, whatever their state.
    pub async fn user(&self, id: Uuid) -> Result<User, StoreError> {
        let mut tx = self.db.read().await?;
        Ok(user_in(&mut tx, id).await?.0)
    }

    /// Changes a user's organisation, role or state, for the administrator `by` of the
    /// authority `controller_id`. Refuses a role of the other side than the organisation,
    /// a change that changes nothing, and one that would leave the authority without an
    /// active administrator.
    pub async fn update_user(
        &self,
        controller_id: Uuid,
        by: Uuid,
        id: Uuid,
        change: UserChange,
        now: Now,
    ) -> Result<User, StoreError> {
        let mut tx = self.db.write().await?;
        let (before, created_at) = user_in(&mut tx, id).await?;
        let old_org = organisation_in(&mut tx, before.organisation_id).await?;
        let org = organisation_in(&mut tx, change.organisation_id).await?;
        let supplier_org = org.kind == OrgKind::Supplier;
        if change.role.is_supplier_side() != supplier_org {
            return Err(StoreError::Refused(Problem::RoleOrganisationMismatch {
                supplier_org,
            }));
        }
        if before.organisation_id == change.organisation_id
            && before.role == change.role
            && before.active == change.active
        {
            return Err(StoreError::Refused(Problem::NothingChanged));
        }
        let users = own_users(&mut tx, controller_id).await?;
        if users.iter().any(|u| u.id == id) {
            skjold_core::directory::keeps_an_administrator(&users, id, change.role, change.active)
                .map_err(StoreError::Refused)?;
        }
        ensure_first(
            &mut tx,
            Entity::User,
            id,
            &user_snapshot(&before, &old_org.name),
            created_at,
        )
        .await?;
        execute!(
            &mut tx,
            "UPDATE app_user SET organisation_id = $1, role = $2, active = $3 WHERE id = $4",
            change.organisation_id,
            change.role.key(),
            change.active,
            id
        )?;
        if !change.active {
            // Signed out at once, everywhere.
            execute!(&mut tx, "DELETE FROM web_session WHERE user_id = $1", id)?;
            execute!(
                &mut tx,
                "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                now.micros(),
                id
            )?;
        }
        let after = User {
            organisation_id: change.organisation_id,
            role: change.role,
            active: change.active,
            ..before
        };
        append(
            &mut tx,
            Entity::User,
            id,
            &user_snapshot(&after, &org.name),
            Some(by),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Renames an organisation or changes its CVR number, by the administrator `by`.
    pub async fn update_organisation(
        &self,
        by: Uuid,
        id: Uuid,
        name: &str,
        cvr: Option<&str>,
        now: Now,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.db.write().await?;
        let before = organisation_in(&mut tx, id).await?;
        if before.name == name && before.cvr.as_deref() == cvr {
            return Err(StoreError::Refused(Problem::NothingChanged));
        }
        let created_at: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT created_at FROM organisation WHERE id = $1",
            id
        )?;
        ensure_first(
            &mut tx,
            Entity::Organisation,
            id,
            &organisation_snapshot(&before),
            created_at,
        )
        .await?;
        execute!(
            &mut tx,
            "UPDATE organisation SET name = $1, cvr = $2 WHERE id = $3",
            name,
            cvr,
            id
        )?;
        let after = Organisation {
            name: name.to_owned(),
            cvr: cvr.map(str::to_owned),
            ..before
        };
        append(
            &mut tx,
            Entity::Organisation,
            id,
            &organisation_snapshot(&after),
            Some(by),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A user's versions, oldest first; one made before versions were kept has its current
    /// state as version 1 until it is first changed.
    pub async fn user_versions(&self, id: Uuid) -> Result<Vec<Version>, StoreError> {
        let mut tx = self.db.read().await?;
        let (user, created_at) = user_in(&mut tx, id).await?;
        let versions = versions_in(&mut tx, Entity::User, id).await?;
        if !versions.is_empty() {
            return Ok(versions);
        }
        let org = organisation_in(&mut tx, user.organisation_id).await?;
        Ok(vec![Version {
            version: 1,
            snapshot: user_snapshot(&user, &org.name),
            changed_by: None,
            changed_at: Now::from_micros(created_at),
        }])
    }

    /// An organisation's versions, oldest first (as [`Directory::user_versions`]).
    pub async fn organisation_versions(&self, id: Uuid) -> Result<Vec<Version>, StoreError> {
        let mut tx = self.db.read().await?;
        let org = organisation_in(&mut tx, id).await?;
        let versions = versions_in(&mut tx, Entity::Organisation, id).await?;
        if !versions.is_empty() {
            return Ok(versions);
        }
        let created_at: i64 = scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT created_at FROM organisation WHERE id = $1",
            id
        )?;
        Ok(vec![Version {
            version: 1,
            snapshot: organisation_snapshot(&org),
            changed_by: None,
            changed_at: Now::from_micros(created_at),
        }])
    }
}

/// Version 1 of a user made now by `by`.
pub(crate) async fn user_created(
    tx: &mut Tx,
    user: &User,
    organisation: &str,
    by: Option<Uuid>,
    now: Now,
) -> Result<(), StoreError> {
    append(
        tx,
        Entity::User,
        user.id,
        &user_snapshot(user, organisation),
        by,
        now,
    )
    .await
    .map(drop)
}

/// Version 1 of an organisation made now by `by`.
pub(crate) async fn organisation_created(
    tx: &mut Tx,
    org: &Organisation,
    by: Option<Uuid>,
    now: Now,
) -> Result<(), StoreError> {
    append(
        tx,
        Entity::Organisation,
        org.id,
        &organisation_snapshot(org),
        by,
        now,
    )
    .await
    .map(drop)
}

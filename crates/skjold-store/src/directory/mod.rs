//! The directory: organisations (the municipality, its units, its suppliers), their users,
//! and the access review of those users' roles ([`review`]).
//!
//! Nothing here is a citizen's personal data, so these calls do not pass the gate; the
//! caller (`skjold-app`) checks that the actor may make them.

mod edits;
mod review;

pub use edits::UserChange;

use uuid::Uuid;

use skjold_core::directory::{Organisation, User};
use skjold_core::{Actor, OrgKind, Problem, Role};

use crate::db::{Db, Tx, execute, fetch, scalar};
use crate::{Now, StoreError};

/// Organisations and users.
#[derive(Clone, Debug)]
pub struct Directory {
    pub(crate) db: Db,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    kind: String,
    parent_id: Option<Uuid>,
    name: String,
    cvr: Option<String>,
}

impl OrgRow {
    fn into_model(self) -> Organisation {
        Organisation {
            id: self.id,
            kind: OrgKind::parse(&self.kind).unwrap_or(OrgKind::Supplier),
            parent_id: self.parent_id,
            name: self.name,
            cvr: self.cvr,
        }
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    organisation_id: Uuid,
    username: String,
    display_name: String,
    role: String,
    active: bool,
}

impl UserRow {
    fn into_model(self) -> Result<User, StoreError> {
        Ok(User {
            id: self.id,
            organisation_id: self.organisation_id,
            username: self.username,
            display_name: self.display_name,
            role: parse_role(&self.role)?,
            active: self.active,
        })
    }
}

fn parse_role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).ok_or_else(|| StoreError::Config(format!("unknown role in database: {s}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActorRow {
    user_id: Uuid,
    username: String,
    display_name: String,
    role: String,
    organisation_id: Uuid,
    organisation_name: String,
    controller_id: Uuid,
}

impl ActorRow {
    pub(crate) fn into_actor(self) -> Result<Actor, StoreError> {
        Ok(Actor {
            user_id: self.user_id,
            username: self.username,
            display_name: self.display_name,
            role: parse_role(&self.role)?,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            controller_id: self.controller_id,
        })
    }
}

pub(crate) const ACTOR_SELECT: &str = "SELECT u.id AS user_id, u.username, u.display_name, u.role, \
     o.id AS organisation_id, o.name AS organisation_name, \
     CASE WHEN o.kind = 'unit' THEN o.parent_id ELSE o.id END AS controller_id \
     FROM app_user u JOIN organisation o ON o.id = u.organisation_id";

pub struct NewUser<'a> {
    pub organisation_id: Uuid,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

impl Directory {
    // ---- organisations ----------------------------------------------------------------

    /// Creates an organisation by the operator (no user: the command line, set-up).
    pub async fn create_organisation(
        &self,
        kind: OrgKind,
        parent_id: Option<Uuid>,
        name: &str,
        cvr: Option<&str>,
        now: Now,
    ) -> Result<Organisation, StoreError> {
        self.create_organisation_by(kind, parent_id, name, cvr, None, now)
            .await
    }

    /// Creates an organisation by the user `by`, who is named in its version 1.
    pub async fn create_organisation_by(
        &self,
        kind: OrgKind,
        parent_id: Option<Uuid>,
        name: &str,
        cvr: Option<&str>,
        by: Option<Uuid>,
        now: Now,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.db.write().await?;
        if let Some(parent) = parent_id {
            let parent = organisation_in(&mut tx, parent).await?;
            if parent.kind != OrgKind::Municipality {
                return Err(StoreError::Refused(Problem::ParentNotMunicipality));
            }
        }
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO organisation (id, kind, parent_id, name, cvr, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            kind.key(),
            parent_id,
            name,
            cvr,
            now.micros()
        )?;
        let org = Organisation {
            id,
            kind,
            parent_id,
            name: name.to_owned(),
            cvr: cvr.map(str::to_owned),
        };
        edits::organisation_created(&mut tx, &org, by, now).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            OrgRow,
            "SELECT id, kind, parent_id, name, cvr FROM organisation ORDER BY kind, name"
        )?;
        Ok(rows.into_iter().map(OrgRow::into_model).collect())
    }

    pub async fn organisation(&self, id: Uuid) -> Result<Organisation, StoreError> {
        let mut tx = self.db.read().await?;
        organisation_in(&mut tx, id).await
    }

    /// The municipality's own organisations and the suppliers it has DPAs with.
    pub async fn organisations_of(
        &self,
        controller_id: Uuid,
    ) -> Result<Vec<Organisation>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            OrgRow,
            "SELECT id, kind, parent_id, name, cvr FROM organisation \
             WHERE id = $1 OR parent_id = $1 OR kind = 'supplier' ORDER BY kind, name",
            controller_id
        )?;
        Ok(rows.into_iter().map(OrgRow::into_model).collect())
    }

    // ---- users ------------------------------------------------------------------------

    pub async fn create_user(
        &self,
        new: NewUser<'_>,
        by: Option<Uuid>,
        now: Now,
    ) -> Result<User, StoreError> {
        let mut tx = self.db.write().await?;
        let org = organisation_in(&mut tx, new.organisation_id).await?;
        let supplier_org = org.kind == OrgKind::Supplier;
        if new.role.is_supplier_side() != supplier_org {
            return Err(StoreError::Refused(Problem::RoleOrganisationMismatch {
                supplier_org,
            }));
        }
        let id = Uuid::new_v4();
        let inserted = execute!(
            &mut tx,
            "INSERT INTO app_user (id, organisation_id, username, display_name, role, password_hash, active, created_at, roles_confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            id,
            new.organisation_id,
            new.username,
            new.display_name,
            new.role.key(),
            new.password_hash,
            true,
            now.micros()
        );
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Refused(Problem::UsernameTaken(
                    new.username.to_owned(),
                )));
            }
            other => other?,
        };
        let user = User {
            id,
            organisation_id: new.organisation_id,
            username: new.username.to_owned(),
            display_name: new.display_name.to_owned(),
            role: new.role,
            active: true,
        };
        edits::user_created(&mut tx, &user, &org.name, by, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn users(&self, organisation_ids: &[Uuid]) -> Result<Vec<User>, StoreError> {
        let mut users = self.users_everywhere().await?;
        users.retain(|u| organisation_ids.contains(&u.organisation_id));
        Ok(users)
    }

    /// Every user of the installation, whichever authority they belong to.
    pub async fn users_everywhere(&self) -> Result<Vec<User>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            UserRow,
            "SELECT id, organisation_id, username, display_name, role, active FROM app_user ORDER BY username"
        )?;
        rows.into_iter().map(UserRow::into_model).collect()
    }

    /// For sign-in: the user's id, password hash and whether the account is active. User
    /// names are unique regardless of case, and found regardless of case.
    pub async fn credentials(
        &self,
        username: &str,
    ) -> Result<Option<(Uuid, Option<String>, bool)>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Option<String>, bool),
            "SELECT id, password_hash, active FROM app_user WHERE lower(username) = $1",
            username.to_lowercase()
        )?;
        Ok(row)
    }

    /// Sets a user's password, clears a required reset, and ends the user's sessions except
    /// `keep` (the hash of the session that made the change, if it is to go on).
    pub async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE app_user SET password_hash = $1, password_reset_required = $2 WHERE id = $3",
            password_hash,
            false,
            user_id
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::UserNotFound(None)));
        }
        match keep {
            Some(token_hash) => execute!(
                &mut tx,
                "DELETE FROM web_session WHERE user_id = $1 AND token_hash <> $2",
                user_id,
                token_hash
            )?,
            None => execute!(
                &mut tx,
                "DELETE FROM web_session WHERE user_id = $1",
                user_id
            )?,
        };
        tx.commit().await
    }

    /// Requires the user to choose a new password at the next sign-in, and ends the user's
    /// sessions.
    pub async fn require_password_reset(&self, user_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE app_user SET password_reset_required = $1 WHERE id = $2",
            true,
            user_id
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::UserNotFound(None)));
        }
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE user_id = $1",
            user_id
        )?;
        tx.commit().await
    }

    /// Whether the user must choose a new password before signing in.
    pub async fn password_reset_required(&self, user_id: Uuid) -> Result<bool, StoreError> {
        let mut tx = self.db.read().await?;
        Ok(scalar!(
            &mut tx,
            fetch_optional,
            bool,
            "SELECT password_reset_required FROM app_user WHERE id = $1",
            user_id
        )?
        .unwrap_or(false))
    }

    /// Sets (or with `None` clears) the address for a user's new-message notices.
    pub async fn set_notify_email(
        &self,
        user_id: Uuid,
        email: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE app_user SET notify_email = $1 WHERE id = $2",
            email,
            user_id
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::UserNotFound(None)));
        }
        tx.commit().await
    }

    pub async fn actor(&self, user_id: Uuid) -> Result<Option<Actor>, StoreError> {
        active_actor(&self.db, user_id).await
    }

    /// The active user of `username`, whatever its case.
    pub async fn actor_by_username(&self, username: &str) -> Result<Option<Actor>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{ACTOR_SELECT} WHERE lower(u.username) = $1 AND u.active = $2");
        let key = username.to_lowercase();
        let row = fetch!(&mut tx, fetch_optional, ActorRow, &sql, key.as_str(), true)?;
        row.map(ActorRow::into_actor).transpose()
    }

    // ---- DPAs -------------------------------------------------------------------------
}

// ---- helpers shared with the gate ---------------------------------------------------------

/// The active user `user_id` as an actor.
pub(crate) async fn active_actor(db: &Db, user_id: Uuid) -> Result<Option<Actor>, StoreError> {
    let mut tx = db.read().await?;
    let sql = format!("{ACTOR_SELECT} WHERE u.id = $1 AND u.active = $2");
    let row = fetch!(&mut tx, fetch_optional, ActorRow, &sql, user_id, true)?;
    row.map(ActorRow::into_actor).transpose()
}

pub(crate) async fn organisation_in(tx: &mut Tx, id: Uuid) -> Result<Organisation, StoreError> {
    let row = fetch!(
        tx,
        fetch_optional,
        OrgRow,
        "SELECT id, kind, parent_id, name, cvr FROM organisation WHERE id = $1",
        id
    )?;
    row.map(OrgRow::into_model)
        .ok_or_else(|| StoreError::Refused(Problem::OrganisationNotFound))
}

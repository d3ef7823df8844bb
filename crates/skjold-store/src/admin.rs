//! Organisations, users, sessions, API tokens, purposes, service types and DPAs.
//!
//! Nothing here is a citizen's personal data, so these calls do not pass the gate; the
//! caller (`skjold-app`) checks that the actor may make them.

use uuid::Uuid;

use skjold_core::{Art6Basis, Art9Basis, Date, DisclosureRule, FieldKey, LegalBasis, Role};

use crate::db::{Tx, execute, fetch, scalar};
use crate::model::*;
use crate::{Now, Store, StoreError};

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
struct ActorRow {
    user_id: Uuid,
    username: String,
    display_name: String,
    role: String,
    organisation_id: Uuid,
    organisation_name: String,
    controller_id: Uuid,
}

impl ActorRow {
    fn into_actor(self) -> Result<Actor, StoreError> {
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

const ACTOR_SELECT: &str = "SELECT u.id AS user_id, u.username, u.display_name, u.role, \
     o.id AS organisation_id, o.name AS organisation_name, \
     CASE WHEN o.kind = 'unit' THEN o.parent_id ELSE o.id END AS controller_id \
     FROM app_user u JOIN organisation o ON o.id = u.organisation_id";

/// A session to record.
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub token_hash: &'a [u8],
    pub csrf_token: &'a str,
    pub expires_at: Now,
    pub stage: &'a str,
    pub pending_secret: Option<&'a [u8]>,
}

/// A session between password and second factor, or between them and a new password.
#[derive(Debug)]
pub struct PendingSession {
    pub actor: Actor,
    pub csrf: String,
    /// The user sets up a second factor (the sealed secret is `pending_secret`), rather
    /// than entering one.
    pub enrol: bool,
    /// The user has signed in but must choose a new password first (stage `password`).
    pub new_password: bool,
    pub pending_secret: Option<Vec<u8>>,
}

#[derive(sqlx::FromRow)]
struct PurposeRow {
    id: Uuid,
    name: String,
    description: String,
    art6: String,
    art9: Option<String>,
    national_law: String,
}

impl PurposeRow {
    fn legal_basis(&self) -> LegalBasis {
        LegalBasis {
            art6: Art6Basis::parse(&self.art6).unwrap_or(Art6Basis::PublicTask),
            art9: self.art9.as_deref().and_then(Art9Basis::parse),
            national_law: self.national_law.clone(),
        }
    }

    fn into_model(self) -> Purpose {
        let legal_basis = self.legal_basis().summary();
        Purpose {
            id: self.id,
            name: self.name,
            description: self.description,
            art6: self.art6,
            art9: self.art9,
            national_law: self.national_law,
            legal_basis,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ServiceTypeRow {
    id: Uuid,
    code: String,
    name: String,
    description: String,
    purpose_id: Uuid,
    purpose_name: String,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    field_key: String,
    rule: String,
}

#[derive(sqlx::FromRow)]
struct DpaRow {
    id: Uuid,
    processor_id: Uuid,
    processor_name: String,
    reference: String,
    instructions: String,
    starts_on: String,
    ends_on: Option<String>,
}

impl DpaRow {
    fn into_model(self) -> Result<Dpa, StoreError> {
        let bad = |_| StoreError::Config(format!("bad date on DPA {}", self.id));
        Ok(Dpa {
            id: self.id,
            processor_id: self.processor_id,
            processor_name: self.processor_name.clone(),
            reference: self.reference.clone(),
            instructions: self.instructions.clone(),
            starts_on: self.starts_on.parse().map_err(bad)?,
            ends_on: match &self.ends_on {
                Some(d) => Some(d.parse().map_err(bad)?),
                None => None,
            },
        })
    }
}

const DPA_SELECT: &str = "SELECT d.id, d.processor_id, o.name AS processor_name, d.reference, \
     d.instructions, d.starts_on, d.ends_on FROM dpa d JOIN organisation o ON o.id = d.processor_id";

pub struct NewUser<'a> {
    pub organisation_id: Uuid,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub struct NewServiceType<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub purpose_id: Uuid,
    pub rules: &'a [(FieldKey, DisclosureRule)],
}

pub struct NewDpa<'a> {
    pub processor_id: Uuid,
    pub reference: &'a str,
    pub instructions: &'a str,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl Store {
    // ---- organisations ----------------------------------------------------------------

    pub async fn create_organisation(
        &self,
        kind: OrgKind,
        parent_id: Option<Uuid>,
        name: &str,
        cvr: Option<&str>,
        now: Now,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.db.write().await?;
        if let Some(parent) = parent_id {
            let parent = organisation_in(&mut tx, parent).await?;
            if parent.kind != OrgKind::Municipality {
                return Err(StoreError::invalid(
                    "parent_not_municipality",
                    "en enhed skal høre under en kommune",
                ));
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
        tx.commit().await?;
        Ok(Organisation {
            id,
            kind,
            parent_id,
            name: name.to_owned(),
            cvr: cvr.map(str::to_owned),
        })
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

    pub async fn create_user(&self, new: NewUser<'_>, now: Now) -> Result<User, StoreError> {
        let mut tx = self.db.write().await?;
        let org = organisation_in(&mut tx, new.organisation_id).await?;
        let supplier_org = org.kind == OrgKind::Supplier;
        if new.role.is_supplier_side() != supplier_org {
            return Err(StoreError::invalid(
                "role_organisation_mismatch",
                if supplier_org {
                    "brugere hos en leverandør kan kun være leverandørbrugere"
                } else {
                    "leverandørbrugere skal høre til en leverandør"
                },
            ));
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
                return Err(StoreError::conflict(
                    "username_taken",
                    format!("brugernavnet «{}» er allerede i brug", new.username),
                ));
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(User {
            id,
            organisation_id: new.organisation_id,
            username: new.username.to_owned(),
            display_name: new.display_name.to_owned(),
            role: new.role,
            active: true,
        })
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
            return Err(StoreError::not_found(
                "user_not_found",
                "brugeren findes ikke",
            ));
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
            return Err(StoreError::not_found(
                "user_not_found",
                "brugeren findes ikke",
            ));
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
            return Err(StoreError::not_found(
                "user_not_found",
                "brugeren findes ikke",
            ));
        }
        tx.commit().await
    }

    pub async fn actor(&self, user_id: Uuid) -> Result<Option<Actor>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{ACTOR_SELECT} WHERE u.id = $1 AND u.active = $2");
        let row = fetch!(&mut tx, fetch_optional, ActorRow, &sql, user_id, true)?;
        row.map(ActorRow::into_actor).transpose()
    }

    /// The active user of `username`, whatever its case.
    pub async fn actor_by_username(&self, username: &str) -> Result<Option<Actor>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{ACTOR_SELECT} WHERE lower(u.username) = $1 AND u.active = $2");
        let key = username.to_lowercase();
        let row = fetch!(&mut tx, fetch_optional, ActorRow, &sql, key.as_str(), true)?;
        row.map(ActorRow::into_actor).transpose()
    }

    // ---- sessions and tokens ----------------------------------------------------------

    /// Records a session. `stage` is `done` for a signed-in session, `totp`/`enrol` for one
    /// that waits for its second factor, or `password` for one that waits for a new password
    /// (see [`PendingSession`]).
    pub async fn create_session(&self, s: NewSession<'_>, now: Now) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE expires_at < $1",
            now.micros()
        )?;
        execute!(
            &mut tx,
            "INSERT INTO web_session (token_hash, user_id, csrf_token, created_at, expires_at, stage, pending_secret) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            s.token_hash,
            s.user_id,
            s.csrf_token,
            now.micros(),
            s.expires_at.micros(),
            s.stage,
            s.pending_secret
        )?;
        tx.commit().await
    }

    /// The actor and CSRF token of a live, signed-in session.
    pub async fn session(
        &self,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Option<(Actor, String)>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String),
            "SELECT user_id, csrf_token FROM web_session WHERE token_hash = $1 AND expires_at > $2 AND stage = $3",
            token_hash,
            now.micros(),
            "done"
        )?;
        drop(tx);
        match row {
            Some((user_id, csrf)) => Ok(self.actor(user_id).await?.map(|a| (a, csrf))),
            None => Ok(None),
        }
    }

    /// A live session that waits for its second factor.
    pub async fn pending_session(
        &self,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Option<PendingSession>, StoreError> {
        let mut tx = self.db.read().await?;
        let row = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, String, String, Option<Vec<u8>>),
            "SELECT user_id, csrf_token, stage, pending_secret FROM web_session \
             WHERE token_hash = $1 AND expires_at > $2 AND stage <> $3",
            token_hash,
            now.micros(),
            "done"
        )?;
        drop(tx);
        let Some((user_id, csrf, stage, pending_secret)) = row else {
            return Ok(None);
        };
        Ok(self.actor(user_id).await?.map(|actor| PendingSession {
            actor,
            csrf,
            enrol: stage == "enrol",
            new_password: stage == "password",
            pending_secret,
        }))
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE token_hash = $1",
            token_hash
        )?;
        tx.commit().await
    }

    /// Records an API token for `user_id`, scoped to the user's organisation.
    pub async fn create_api_token(
        &self,
        user_id: Uuid,
        name: &str,
        token_hash: &[u8],
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let org: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT organisation_id FROM app_user WHERE id = $1",
            user_id
        )?;
        let org =
            org.ok_or_else(|| StoreError::not_found("user_not_found", "brugeren findes ikke"))?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO api_token (id, token_hash, user_id, organisation_id, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            token_hash,
            user_id,
            org,
            name,
            now.micros()
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The actor behind an API token. A token stops working if its user moves to another
    /// organisation, is deactivated, or the token is revoked.
    pub async fn actor_by_api_token(&self, token_hash: &[u8]) -> Result<Option<Actor>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{ACTOR_SELECT} JOIN api_token t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.organisation_id = u.organisation_id AND u.active = $2"
        );
        let row = fetch!(&mut tx, fetch_optional, ActorRow, &sql, token_hash, true)?;
        row.map(ActorRow::into_actor).transpose()
    }

    // ---- purposes and service types ---------------------------------------------------

    pub async fn create_purpose(
        &self,
        controller_id: Uuid,
        name: &str,
        description: &str,
        basis: &LegalBasis,
        now: Now,
    ) -> Result<Purpose, StoreError> {
        let mut tx = self.db.write().await?;
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO purpose (id, organisation_id, name, description, art6, art9, national_law, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            controller_id,
            name,
            description,
            basis.art6.key(),
            basis.art9.map(Art9Basis::key),
            basis.national_law.trim(),
            now.micros()
        )?;
        let purpose = purpose_in(&mut tx, controller_id, id).await?;
        tx.commit().await?;
        Ok(purpose.into_model())
    }

    pub async fn purposes(&self, controller_id: Uuid) -> Result<Vec<Purpose>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            PurposeRow,
            "SELECT id, name, description, art6, art9, national_law FROM purpose WHERE organisation_id = $1 ORDER BY name",
            controller_id
        )?;
        Ok(rows.into_iter().map(PurposeRow::into_model).collect())
    }

    /// Creates a service type with its disclosure policy, after checking the policy against
    /// the law and the purpose's legal basis.
    pub async fn create_service_type(
        &self,
        controller_id: Uuid,
        new: NewServiceType<'_>,
        now: Now,
    ) -> Result<ServiceType, StoreError> {
        let mut tx = self.db.write().await?;
        let purpose = purpose_in(&mut tx, controller_id, new.purpose_id).await?;
        let policy = skjold_core::ServicePolicy::new(new.rules.iter().copied());
        policy
            .validate(&purpose.legal_basis())
            .map_err(|e| StoreError::invalid(e.code(), e.to_string()))?;
        let id = Uuid::new_v4();
        let inserted = execute!(
            &mut tx,
            "INSERT INTO service_type (id, organisation_id, code, name, description, purpose_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            controller_id,
            new.code,
            new.name,
            new.description,
            new.purpose_id,
            now.micros()
        );
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::conflict(
                    "service_code_taken",
                    format!("ydelseskoden «{}» er allerede i brug", new.code),
                ));
            }
            other => other?,
        };
        // Every field gets an explicit row, so the policy in force is visible in the data.
        for (field, rule) in policy.all() {
            execute!(
                &mut tx,
                "INSERT INTO service_policy (service_type_id, field_key, rule) VALUES ($1, $2, $3)",
                id,
                field.key(),
                rule.key()
            )?;
        }
        let st = service_type_in(&mut tx, controller_id, id).await?;
        tx.commit().await?;
        Ok(st)
    }

    pub async fn service_types(&self, controller_id: Uuid) -> Result<Vec<ServiceType>, StoreError> {
        let mut tx = self.db.read().await?;
        let ids: Vec<Uuid> = scalar!(
            &mut tx,
            fetch_all,
            Uuid,
            "SELECT id FROM service_type WHERE organisation_id = $1 ORDER BY name",
            controller_id
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(service_type_in(&mut tx, controller_id, id).await?);
        }
        Ok(out)
    }

    pub async fn service_type(
        &self,
        controller_id: Uuid,
        id: Uuid,
    ) -> Result<ServiceType, StoreError> {
        let mut tx = self.db.read().await?;
        service_type_in(&mut tx, controller_id, id).await
    }

    // ---- DPAs -------------------------------------------------------------------------

    pub async fn create_dpa(
        &self,
        controller_id: Uuid,
        new: NewDpa<'_>,
        now: Now,
    ) -> Result<Dpa, StoreError> {
        let mut tx = self.db.write().await?;
        let processor = organisation_in(&mut tx, new.processor_id).await?;
        if processor.kind != OrgKind::Supplier {
            return Err(StoreError::invalid(
                "dpa_not_supplier",
                "en databehandleraftale indgås med en leverandør",
            ));
        }
        if new.ends_on.is_some_and(|end| end < new.starts_on) {
            return Err(StoreError::invalid(
                "dpa_dates",
                "aftalens slutdato ligger før startdatoen",
            ));
        }
        let id = Uuid::new_v4();
        execute!(
            &mut tx,
            "INSERT INTO dpa (id, controller_id, processor_id, reference, instructions, starts_on, ends_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            controller_id,
            new.processor_id,
            new.reference,
            new.instructions,
            new.starts_on.to_string(),
            new.ends_on.map(|d| d.to_string()),
            now.micros()
        )?;
        tx.commit().await?;
        Ok(Dpa {
            id,
            processor_id: new.processor_id,
            processor_name: processor.name,
            reference: new.reference.to_owned(),
            instructions: new.instructions.to_owned(),
            starts_on: new.starts_on,
            ends_on: new.ends_on,
        })
    }

    pub async fn dpas(&self, controller_id: Uuid) -> Result<Vec<Dpa>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{DPA_SELECT} WHERE d.controller_id = $1 ORDER BY o.name, d.starts_on");
        let rows = fetch!(&mut tx, fetch_all, DpaRow, &sql, controller_id)?;
        rows.into_iter().map(DpaRow::into_model).collect()
    }
}

// ---- helpers shared with the gate ---------------------------------------------------------

pub(crate) async fn organisation_in(tx: &mut Tx, id: Uuid) -> Result<Organisation, StoreError> {
    let row = fetch!(
        tx,
        fetch_optional,
        OrgRow,
        "SELECT id, kind, parent_id, name, cvr FROM organisation WHERE id = $1",
        id
    )?;
    row.map(OrgRow::into_model).ok_or_else(|| {
        StoreError::not_found("organisation_not_found", "organisationen findes ikke")
    })
}

async fn purpose_in(tx: &mut Tx, controller_id: Uuid, id: Uuid) -> Result<PurposeRow, StoreError> {
    fetch!(
        tx,
        fetch_optional,
        PurposeRow,
        "SELECT id, name, description, art6, art9, national_law FROM purpose WHERE id = $1 AND organisation_id = $2",
        id,
        controller_id
    )?
    .ok_or_else(|| StoreError::not_found("purpose_not_found", "formålet findes ikke"))
}

/// The purpose's display name and legal basis summary.
pub(crate) async fn purpose_summary(
    tx: &mut Tx,
    controller_id: Uuid,
    id: Uuid,
) -> Result<(String, String), StoreError> {
    let p = purpose_in(tx, controller_id, id).await?;
    Ok((p.name.clone(), p.legal_basis().summary()))
}

pub(crate) async fn service_type_in(
    tx: &mut Tx,
    controller_id: Uuid,
    id: Uuid,
) -> Result<ServiceType, StoreError> {
    let row = fetch!(
        tx,
        fetch_optional,
        ServiceTypeRow,
        "SELECT s.id, s.code, s.name, s.description, s.purpose_id, p.name AS purpose_name \
         FROM service_type s JOIN purpose p ON p.id = s.purpose_id WHERE s.id = $1 AND s.organisation_id = $2",
        id,
        controller_id
    )?
    .ok_or_else(|| StoreError::not_found("service_type_not_found", "ydelsestypen findes ikke"))?;
    let rules = fetch!(
        tx,
        fetch_all,
        RuleRow,
        "SELECT field_key, rule FROM service_policy WHERE service_type_id = $1",
        id
    )?;
    let rules = rules
        .into_iter()
        .filter_map(|r| Some((r.field_key.parse().ok()?, DisclosureRule::parse(&r.rule)?)))
        .collect::<Vec<(FieldKey, DisclosureRule)>>();
    let policy = skjold_core::ServicePolicy::new(rules);
    Ok(ServiceType {
        id: row.id,
        code: row.code,
        name: row.name,
        description: row.description,
        purpose_id: row.purpose_id,
        purpose_name: row.purpose_name,
        rules: policy.all().collect(),
    })
}

/// The DPA in force today between a controller and a processor, if any.
pub(crate) async fn dpa_in_force(
    tx: &mut Tx,
    controller_id: Uuid,
    processor_id: Uuid,
    today: Date,
) -> Result<Option<Dpa>, StoreError> {
    let sql = format!(
        "{DPA_SELECT} WHERE d.controller_id = $1 AND d.processor_id = $2 AND d.starts_on <= $3 \
         AND (d.ends_on IS NULL OR d.ends_on >= $3) ORDER BY d.starts_on DESC"
    );
    let today = today.to_string();
    let rows = fetch!(
        tx,
        fetch_all,
        DpaRow,
        &sql,
        controller_id,
        processor_id,
        today.as_str()
    )?;
    rows.into_iter().next().map(DpaRow::into_model).transpose()
}

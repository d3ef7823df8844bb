//! The directory: the municipality's units, its suppliers and their users. No citizen's
//! data, so no gate: the role × action table decides here.

use uuid::Uuid;

use skjold_core::catalogue::{Dpa, Purpose, ServiceType};
use skjold_core::directory::{HistoryEntry, Organisation, User, history};
use skjold_core::error::Input;
use skjold_core::text;
use skjold_core::{Action, Actor, Cvr, OrgKind, Problem, Role};
use skjold_store::directory::{NewUser, UserChange};

use crate::sign_in::passwords::{hash_password, validate_new_password, validate_username};
use crate::{App, AppError, require};

impl App {
    /// Creates an organisation. `by` is the administrator doing it (a unit of their
    /// municipality, or a supplier), or `None` from the CLI, which also creates
    /// municipalities (`skjold init`).
    pub async fn create_organisation(
        &self,
        by: Option<&Actor>,
        kind: OrgKind,
        parent_id: Option<Uuid>,
        name: &str,
        cvr: Option<&str>,
    ) -> Result<Organisation, AppError> {
        if let Some(a) = by {
            require(a, Action::Administer)?;
            if kind == OrgKind::Municipality {
                return Err(Problem::MunicipalityByCli.into());
            }
        }
        let name = text::required_line(Input::Name, name)?;
        let cvr = match cvr.map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(Cvr::parse(c)?),
            None if kind == OrgKind::Supplier => return Err(Problem::CvrRequired.into()),
            None => None,
        };
        let parent_id = match (kind, by) {
            (OrgKind::Unit, Some(a)) => Some(a.controller_id),
            (OrgKind::Unit, None) => Some(parent_id.ok_or(Problem::ParentNotMunicipality)?),
            _ => None,
        };
        Ok(self
            .store()
            .directory()
            .create_organisation_by(
                kind,
                parent_id,
                name,
                cvr.as_ref().map(Cvr::as_str),
                by.map(|a| a.user_id),
                self.now(),
            )
            .await?)
    }

    /// Sets up a new data directory's municipality and its first administrator.
    pub async fn init(
        &self,
        municipality: &str,
        admin_username: &str,
        admin_name: &str,
        password: &str,
    ) -> Result<Uuid, AppError> {
        if self.is_set_up().await? {
            return Err(AppError::Refused(Problem::AlreadyInitialised));
        }
        crate::sign_in::passwords::validate_new_password(password)?;
        let m = self
            .create_organisation(None, OrgKind::Municipality, None, municipality, None)
            .await?;
        self.add_user(
            None,
            m.id,
            admin_username,
            admin_name,
            Role::Administrator,
            password,
        )
        .await?;
        Ok(m.id)
    }

    /// Whether the data directory has been set up (holds any organisation).
    pub async fn is_set_up(&self) -> Result<bool, AppError> {
        Ok(!self.store().directory().organisations().await?.is_empty())
    }

    /// An organisation by its exact name, for the operator at the command line.
    pub async fn organisation_named(&self, name: &str) -> Result<Organisation, AppError> {
        self.store()
            .directory()
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.name == name)
            .ok_or(AppError::Refused(Problem::OrganisationNotFound))
    }

    /// The municipality's own organisations and its suppliers.
    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>, AppError> {
        require(actor, Action::ReadCatalogue)?;
        Ok(self
            .store()
            .directory()
            .organisations_of(actor.controller_id)
            .await?)
    }

    /// The users of the administrator's authority and its suppliers.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>, AppError> {
        require(actor, Action::Administer)?;
        let orgs = self.own_organisations(actor).await?;
        Ok(self.store().directory().users(&orgs).await?)
    }

    /// The administrator's page: the directory and the catalogue.
    pub async fn administration(&self, actor: &Actor) -> Result<Administration, AppError> {
        require(actor, Action::Administer)?;
        Ok(Administration {
            organisations: self.organisations(actor).await?,
            users: self.users(actor).await?,
            purposes: self.purposes(actor).await?,
            service_types: self.service_types(actor).await?,
            dpas: self.dpas(actor).await?,
        })
    }

    /// The ids of the actor's authority's own organisations and its suppliers.
    pub(crate) async fn own_organisations(&self, actor: &Actor) -> Result<Vec<Uuid>, AppError> {
        Ok(self
            .store()
            .directory()
            .organisations_of(actor.controller_id)
            .await?
            .iter()
            .map(|o| o.id)
            .collect())
    }

    /// Creates a user. `by` is the administrator doing it, or `None` from the CLI (which
    /// runs with the operator's rights on the data directory).
    pub async fn add_user(
        &self,
        by: Option<&Actor>,
        organisation_id: Uuid,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, AppError> {
        if let Some(a) = by {
            require(a, Action::Administer)?;
            let org = self
                .store()
                .directory()
                .organisation(organisation_id)
                .await?;
            let own = org.id == a.controller_id || org.parent_id == Some(a.controller_id);
            if !own && org.kind != OrgKind::Supplier {
                return Err(Problem::OtherController.into());
            }
        }
        let username = username.trim();
        validate_username(username)?;
        let display_name = text::required_line(Input::DisplayName, display_name)?;
        validate_new_password(password)?;
        let hash = hash_password(password)?;
        Ok(self
            .store()
            .directory()
            .create_user(
                NewUser {
                    organisation_id,
                    username,
                    display_name,
                    role,
                    password_hash: &hash,
                },
                by.map(|a| a.user_id),
                self.now(),
            )
            .await?)
    }

    /// Sets or clears the work address for `username`'s new-message notices.
    pub async fn set_notify_email(
        &self,
        username: &str,
        email: Option<&str>,
    ) -> Result<(), AppError> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email
            && !(e.contains('@') && !e.contains(char::is_whitespace) && e.len() <= 254)
        {
            return Err(Problem::EmailFormat(e.to_owned()).into());
        }
        let actor = self.named_user(username).await?;
        Ok(self
            .store()
            .directory()
            .set_notify_email(actor.user_id, email)
            .await?)
    }

    /// The active user `username`, or a refusal that names them: whom the operator acts
    /// as at the command line (an export made as a privacy officer, a benchmark's caller).
    pub async fn named_user(&self, username: &str) -> Result<Actor, AppError> {
        self.store()
            .directory()
            .actor_by_username(username)
            .await?
            .ok_or_else(|| Problem::UserNotFound(Some(username.to_owned())).into())
    }
}

/// A user's new place, role and state, as the administrator sets them.
#[derive(Debug, Clone, Copy)]
pub struct UserEdit {
    pub organisation_id: Uuid,
    pub role: Role,
    pub active: bool,
}

impl App {
    /// An organisation the administrator keeps (their municipality, its units, a supplier).
    pub async fn organisation(&self, actor: &Actor, id: Uuid) -> Result<Organisation, AppError> {
        require(actor, Action::Administer)?;
        self.organisations(actor)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(AppError::Refused(Problem::OrganisationNotFound))
    }

    /// Renames an organisation or changes its CVR number (required for a supplier); a new
    /// version with who and when.
    pub async fn edit_organisation(
        &self,
        actor: &Actor,
        id: Uuid,
        name: &str,
        cvr: Option<&str>,
    ) -> Result<Organisation, AppError> {
        let org = self.organisation(actor, id).await?;
        let name = text::required_line(Input::Name, name)?;
        let cvr = match cvr.map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(Cvr::parse(c)?),
            None if org.kind == OrgKind::Supplier => return Err(Problem::CvrRequired.into()),
            None => None,
        };
        Ok(self
            .store()
            .directory()
            .update_organisation(
                actor.user_id,
                id,
                name,
                cvr.as_ref().map(Cvr::as_str),
                self.now(),
            )
            .await?)
    }

    /// An organisation's history, oldest first.
    pub async fn organisation_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        self.organisation(actor, id).await?;
        let versions = self.store().directory().organisation_versions(id).await?;
        Ok(history(&versions))
    }

    /// A user of the administrator's authority or of one of its suppliers.
    pub async fn user(&self, actor: &Actor, id: Uuid) -> Result<User, AppError> {
        require(actor, Action::Administer)?;
        let user = self.store().directory().user(id).await?;
        if !self
            .own_organisations(actor)
            .await?
            .contains(&user.organisation_id)
        {
            return Err(Problem::UserNotFound(None).into());
        }
        Ok(user)
    }

    /// Moves a user to another unit (or supplier), changes their role, or deactivates or
    /// reactivates them. A deactivated user's sessions and API tokens end at once. Refused:
    /// a role of the other side than the organisation, another authority's organisation, a
    /// change that changes nothing, and leaving the authority without an active
    /// administrator.
    pub async fn edit_user(
        &self,
        actor: &Actor,
        id: Uuid,
        edit: UserEdit,
    ) -> Result<User, AppError> {
        self.user(actor, id).await?;
        let org = self
            .store()
            .directory()
            .organisation(edit.organisation_id)
            .await?;
        let own = org.id == actor.controller_id || org.parent_id == Some(actor.controller_id);
        if !own && org.kind != OrgKind::Supplier {
            return Err(Problem::OtherController.into());
        }
        Ok(self
            .store()
            .directory()
            .update_user(
                actor.controller_id,
                actor.user_id,
                id,
                UserChange {
                    organisation_id: edit.organisation_id,
                    role: edit.role,
                    active: edit.active,
                },
                self.now(),
            )
            .await?)
    }

    /// A user's history, oldest first.
    pub async fn user_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        self.user(actor, id).await?;
        let versions = self.store().directory().user_versions(id).await?;
        Ok(history(&versions))
    }
}

/// The municipality's directory and catalogue, as the administrator keeps them.
#[derive(Debug, Clone)]
pub struct Administration {
    pub organisations: Vec<Organisation>,
    pub users: Vec<User>,
    pub purposes: Vec<Purpose>,
    pub service_types: Vec<ServiceType>,
    pub dpas: Vec<Dpa>,
}

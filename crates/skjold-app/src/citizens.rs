//! Citizens: finding one by CPR number (a refused number never reaches the store),
//! opening their record, and erasing their data by destroying their key. All through the
//! gate, logged.

use uuid::Uuid;

use skjold_core::catalogue::{Dpa, ServiceType};
use skjold_core::citizens::{Erasure, SubjectView};
use skjold_core::consents::ConsentView;
use skjold_core::{Action, Actor, Cpr, Problem};

use crate::{App, AppError, require};

impl App {
    /// Finds a citizen by CPR number for casework; a malformed or impossible number is
    /// refused before any look-up. A hit opens the record to the caseworker for the day.
    pub async fn find_citizen(&self, actor: &Actor, cpr: &str) -> Result<Uuid, AppError> {
        require(actor, Action::SearchCitizen)?;
        let cpr = Cpr::parse_at(cpr, self.now().local_date())?;
        self.store()
            .gate()
            .find_subject(actor, &cpr, self.now())
            .await?
            .ok_or(AppError::Refused(Problem::CitizenNotFound))
    }

    /// A citizen's record: current data and orders.
    pub async fn citizen(&self, actor: &Actor, subject_id: Uuid) -> Result<SubjectView, AppError> {
        Ok(self
            .store()
            .gate()
            .subject_view(actor, subject_id, self.now())
            .await?)
    }

    /// Erases a citizen's personal data by destroying their key (crypto-shredding, wall 4):
    /// for a caseworker who may open the citizen's record, or the privacy officer. Their
    /// record then answers `CitizenErased`; their orders, threads and ledger rows stay,
    /// without the texts sealed under the key. The key leaves the key store's backups by
    /// [`App::key_backups_gone_by`] of [`Erasure::erased_at`].
    pub async fn erase_subject(
        &self,
        actor: &Actor,
        subject_id: Uuid,
    ) -> Result<Erasure, AppError> {
        require(actor, Action::HandleRights)?;
        Ok(self
            .store()
            .gate()
            .erase_subject(actor, subject_id, self.now())
            .await?)
    }

    /// The caseworker's page of a citizen: the record, the consents to reminders, and what
    /// can be ordered today.
    pub async fn citizen_case(
        &self,
        actor: &Actor,
        subject_id: Uuid,
    ) -> Result<CitizenCase, AppError> {
        let view = self.citizen(actor, subject_id).await?;
        Ok(CitizenCase {
            consents: self.consents(actor, subject_id).await?,
            service_types: self.service_types(actor).await?,
            suppliers: self.suppliers_in_force(actor).await?,
            view,
        })
    }
}

/// A citizen's record as the caseworker works it.
#[derive(Debug, Clone)]
pub struct CitizenCase {
    pub view: SubjectView,
    pub consents: Vec<ConsentView>,
    pub service_types: Vec<ServiceType>,
    /// Suppliers with a DPA in force today.
    pub suppliers: Vec<Dpa>,
}

//! Citizens: finding one by CPR number (a refused number never reaches the store),
//! opening their record, and erasing their data by destroying their key. All through the
//! gate, logged.

use uuid::Uuid;

use std::collections::HashSet;

use skjold_core::catalogue::{Dpa, Purpose, ServiceType};
use skjold_core::citizens::{Erasure, IntakeCitizen, IntakeOutcome, NewDatum, SubjectView};
use skjold_core::consents::ConsentView;
use skjold_core::text::{self, MAX_TEXT};
use skjold_core::{Action, Actor, Cpr, Date, FieldKey, Input, Problem};

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
            notices: self.notices(actor, subject_id).await?,
            purposes: self.purposes(actor).await?,
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
    /// The controller's purposes, which new items are recorded for.
    pub purposes: Vec<Purpose>,
    /// The notices of art. 13 and 14 on the record.
    pub notices: Vec<skjold_core::citizen_view::NoticeRecord>,
}

/// One item about a citizen as a case system or a form gives it: all text, checked by
/// [`parse_item`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemInput {
    /// A field key of the taxonomy (`address`, `phone`, …).
    pub field: String,
    pub value: String,
    /// Where it came from: «Borgeren», «Anden myndighed», a supplier's name.
    pub source: String,
    /// The name of one of the controller's purposes.
    pub purpose: String,
}

/// A new citizen as a case system or a form gives it: all text, checked by
/// [`parse_citizen`].
#[derive(Debug, Clone, Default)]
pub struct CitizenInput {
    pub cpr: String,
    pub name: String,
    /// Where the name came from, and what for; when blank, the first item's.
    pub source: String,
    pub purpose: String,
    /// The first items.
    pub data: Vec<ItemInput>,
}

/// Checks one item: a field of the taxonomy other than the CPR number (which comes with
/// the citizen), a value, a source and a purpose, each present and bounded.
pub fn parse_item(i: &ItemInput) -> Result<NewDatum, Problem> {
    let key = i.field.trim();
    let field: FieldKey = key
        .parse()
        .map_err(|_| Problem::UnknownField(key.to_owned()))?;
    if field == FieldKey::Cpr {
        return Err(Problem::FieldNotRecordable(field));
    }
    Ok(NewDatum {
        field,
        value: text::required_text(Input::DatumValue, &i.value, MAX_TEXT)?.to_owned(),
        source: text::required_line(Input::DatumSource, &i.source)?.to_owned(),
        purpose: Some(text::required_line(Input::DatumPurpose, &i.purpose)?.to_owned()),
    })
}

/// Checks a new citizen: a possible CPR number (not born after `today`), a name, and items
/// that each pass [`parse_item`], no field twice. The name becomes an item of its own,
/// collected with the source and purpose given for it, else the first item's
/// ("Registrering" and none without items).
pub fn parse_citizen(c: &CitizenInput, today: Date) -> Result<IntakeCitizen, Problem> {
    let cpr = Cpr::parse_at(&c.cpr, today)?;
    let name = text::required_line(Input::Name, &c.name)?;
    let items = c
        .data
        .iter()
        .map(parse_item)
        .collect::<Result<Vec<NewDatum>, Problem>>()?;
    let mut seen = HashSet::new();
    for d in &items {
        if d.field == FieldKey::Name || !seen.insert(d.field) {
            return Err(Problem::FieldRepeated(d.field));
        }
    }
    let first = items.first();
    let source = text::line(Input::DatumSource, &c.source)?;
    let purpose = text::line(Input::DatumPurpose, &c.purpose)?;
    let name = NewDatum {
        field: FieldKey::Name,
        value: name.to_owned(),
        source: match (source, first) {
            ("", Some(d)) => d.source.clone(),
            ("", None) => "Registrering".into(),
            (s, _) => s.to_owned(),
        },
        purpose: match purpose {
            "" => first.and_then(|d| d.purpose.clone()),
            p => Some(p.to_owned()),
        },
    };
    Ok(IntakeCitizen {
        cpr,
        data: std::iter::once(name).chain(items).collect(),
    })
}

impl App {
    /// Registers a new citizen with their first items, as a caseworker (a case system's
    /// call, or the form): checked at the edge, written through the gate in one
    /// transaction with its log entry. The caseworker may then open the record for the day.
    pub async fn register_citizen(
        &self,
        actor: &Actor,
        input: &CitizenInput,
    ) -> Result<Uuid, AppError> {
        require(actor, Action::WorkCitizen)?;
        let c = parse_citizen(input, self.now().local_date())?;
        Ok(self
            .store()
            .gate()
            .register_subject(
                Some(actor),
                actor.controller_id,
                &c.cpr,
                &c.data,
                self.now(),
            )
            .await?)
    }

    /// Records an item about a citizen: a new field, or a new version of one (the old
    /// version stays, marked superseded, in the record's history). Returns the item's id.
    pub async fn record_citizen_item(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        input: &ItemInput,
    ) -> Result<Uuid, AppError> {
        require(actor, Action::WorkCitizen)?;
        let datum = parse_item(input)?;
        Ok(self
            .store()
            .gate()
            .record_datum(actor, subject_id, &datum, self.now())
            .await?)
    }

    /// Registers checked citizens into `controller_id` in one batch, as a system import
    /// (the command line): see `Gate::register_subjects`.
    pub async fn import_citizens(
        &self,
        controller_id: Uuid,
        citizens: &[IntakeCitizen],
    ) -> Result<Vec<IntakeOutcome>, AppError> {
        Ok(self
            .store()
            .gate()
            .register_subjects(controller_id, citizens, self.now())
            .await?)
    }
}

//! Citizens: registering one with their data, recording a new value, finding one by CPR
//! number (a look-up that opens the record for the working day), and the record itself.

use uuid::Uuid;

use skjold_core::citizens::{NewDatum, SubjectView};
use skjold_core::oversight::UseKind;
use skjold_core::{Action, Actor, Cpr, FieldKey, Problem};

use super::*;

async fn insert_datum(
    tx: &mut Tx,
    key: &SubjectKey,
    subject_id: Uuid,
    d: &NewDatum,
    purpose_id: Option<Uuid>,
    now: Now,
) -> Result<Uuid, StoreError> {
    let id = Uuid::new_v4();
    let sealed = key.seal(subject_id, d.field.key(), &d.value)?;
    execute!(
        tx,
        "INSERT INTO personal_datum (id, subject_id, field_key, ciphertext, source, purpose_id, collected_at, restricted) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        subject_id,
        d.field.key(),
        sealed.as_slice(),
        d.source.as_str(),
        purpose_id,
        now.micros(),
        false
    )?;
    Ok(id)
}

/// The controller's purposes by name (the first created wins where two share a name).
pub(super) async fn purposes_by_name(
    tx: &mut Tx,
    controller_id: Uuid,
) -> Result<std::collections::HashMap<String, Uuid>, StoreError> {
    let rows = fetch!(
        tx,
        fetch_all,
        (Uuid, String),
        "SELECT id, name FROM purpose WHERE organisation_id = $1 ORDER BY created_at DESC",
        controller_id
    )?;
    Ok(rows.into_iter().map(|(id, name)| (name, id)).collect())
}

/// Each item's purpose, resolved by name among the controller's purposes; an unknown name
/// is refused.
pub(super) fn resolve_purposes(
    purposes: &std::collections::HashMap<String, Uuid>,
    data: &[NewDatum],
) -> Result<Vec<Option<Uuid>>, Problem> {
    data.iter()
        .map(|d| match d.purpose.as_deref() {
            None => Ok(None),
            Some(name) => purposes
                .get(name)
                .copied()
                .map(Some)
                .ok_or_else(|| Problem::UnknownPurpose(name.to_owned())),
        })
        .collect()
}

/// A citizen's items with their CPR number first: the number is data like any other, sealed
/// under the citizen's key, collected with the first item's source and purpose. A CPR item
/// among `data` is left out (the number registered is the one looked up by).
pub(super) fn with_cpr(cpr: &Cpr, data: &[NewDatum]) -> Vec<NewDatum> {
    let first = data.first();
    let cpr_datum = NewDatum {
        field: FieldKey::Cpr,
        value: cpr.formatted(),
        source: first
            .map(|d| d.source.clone())
            .unwrap_or_else(|| "Registrering".into()),
        purpose: first.and_then(|d| d.purpose.clone()),
    };
    std::iter::once(cpr_datum)
        .chain(data.iter().filter(|d| d.field != FieldKey::Cpr).cloned())
        .collect()
}

impl Gate {
    /// Registers a citizen with their data, as `actor` (a caseworker, who may then open the
    /// citizen's record for the working day), or, with `actor` `None`, as a system import
    /// into `controller_id` (the CLI and the demo).
    pub async fn register_subject(
        &self,
        actor: Option<&Actor>,
        controller_id: Uuid,
        cpr: &Cpr,
        data: &[NewDatum],
        now: Now,
    ) -> Result<Uuid, StoreError> {
        if let Some(a) = actor {
            require(a, Action::WorkCitizen)?;
            if a.controller_id != controller_id {
                return Err(StoreError::Refused(Problem::OtherController));
            }
        }
        // The key first, durably, in the key store; if the data's transaction fails, the
        // key goes again.
        let id = Uuid::new_v4();
        let (key, wrapped) = self.keys.new_subject_key(id)?;
        self.key_store
            .put_subject_key(id, &wrapped, self.keys.id(), now)
            .await?;
        let registered = self
            .register_data(actor, controller_id, cpr, data, id, &key, now)
            .await;
        if registered.is_err()
            && let Err(e) = self.key_store.remove_orphan(id).await
        {
            tracing::warn!(error.detail = %e, "could not remove the key of a citizen not registered");
        }
        registered.map(|()| id)
    }

    /// The data half of [`Gate::register_subject`], in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn register_data(
        &self,
        actor: Option<&Actor>,
        controller_id: Uuid,
        cpr: &Cpr,
        data: &[NewDatum],
        id: Uuid,
        key: &SubjectKey,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let hash = self.keys.cpr_hash(cpr);
        let existing: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE controller_id = $1 AND cpr_hash = $2",
            controller_id,
            hash.as_slice()
        )?;
        if existing.is_some() {
            return Err(StoreError::Refused(Problem::SubjectExists));
        }
        let purposes = purposes_by_name(&mut tx, controller_id).await?;
        execute!(
            &mut tx,
            "INSERT INTO data_subject (id, controller_id, cpr_hash, created_at) VALUES ($1, $2, $3, $4)",
            id,
            controller_id,
            hash.as_slice(),
            now.micros()
        )?;
        let items = with_cpr(cpr, data);
        let purpose_ids = resolve_purposes(&purposes, &items).map_err(StoreError::Refused)?;
        for (d, purpose_id) in items.iter().zip(purpose_ids) {
            insert_datum(&mut tx, key, id, d, purpose_id, now).await?;
        }
        if let Some(a) = actor {
            access::grant_lookup(&mut tx, a, id, now).await?;
        }
        let detail = if actor.is_some() {
            "Borger oprettet"
        } else {
            "Borger indlæst ved import"
        };
        append_log(
            &mut tx,
            actor,
            now,
            &Use::new(UseKind::Register, Some(id), PURPOSE_CASEWORK, detail),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// Records a new value for one field of a citizen, for the controller's purpose it
    /// names; the previous value is kept, marked as superseded. Returns the new item's id.
    pub async fn record_datum(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        datum: &NewDatum,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            let stand_in = access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
            not_erased(&mut tx, subject_id).await?;
            Ok(stand_in)
        }
        .await;
        let stand_in = match checked {
            Ok(s) => s,
            Err(e) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_CASEWORK,
                    "Registrering af oplysning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let purposes = purposes_by_name(&mut tx, actor.controller_id).await?;
        let purpose_id = match resolve_purposes(&purposes, std::slice::from_ref(datum)) {
            Ok(ids) => ids.into_iter().next().flatten(),
            Err(p) => {
                let u = Use::new(
                    UseKind::Register,
                    None,
                    PURPOSE_CASEWORK,
                    "Registrering af oplysning afvist",
                );
                return Err(self.refuse(tx, actor, now, u, StoreError::Refused(p)).await);
            }
        };
        let key = self.subject_key(subject_id).await?;
        let new_id = insert_datum(&mut tx, &key, subject_id, datum, purpose_id, now).await?;
        execute!(
            &mut tx,
            "UPDATE personal_datum SET superseded_by = $1 WHERE subject_id = $2 AND field_key = $3 \
             AND superseded_by IS NULL AND id <> $1",
            new_id,
            subject_id,
            datum.field.key()
        )?;
        let detail = format!("Oplysning registreret: {}", datum.field.danish());
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(subject_id),
                PURPOSE_CASEWORK,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(new_id)
    }

    /// Finds a citizen by CPR number (through its keyed hash). Caseworkers search for
    /// casework, and a hit opens the citizen's record to them for the working day;
    /// privacy officers and auditors search to filter the logs.
    pub async fn find_subject(
        &self,
        actor: &Actor,
        cpr: &Cpr,
        now: Now,
    ) -> Result<Option<Uuid>, StoreError> {
        // Caseworkers search for casework; the privacy officer and the auditor to filter
        // the logs by citizen.
        let casework = actor.may(Action::SearchCitizen);
        if !casework {
            require(actor, Action::ReadLogs)?;
        }
        let purpose = if casework {
            PURPOSE_CASEWORK
        } else {
            PURPOSE_OVERSIGHT
        };
        let mut tx = if casework {
            self.db.write().await?
        } else {
            self.db.read().await?
        };
        let hash = self.keys.cpr_hash(cpr);
        let found: Option<Uuid> = scalar!(
            &mut tx,
            fetch_optional,
            Uuid,
            "SELECT id FROM data_subject WHERE controller_id = $1 AND cpr_hash = $2",
            actor.controller_id,
            hash.as_slice()
        )?;
        let mut u = Use::new(
            UseKind::Search,
            found,
            purpose,
            if found.is_some() {
                "CPR-opslag: fundet"
            } else {
                "CPR-opslag: intet fund"
            },
        );
        // The criterion is kept as a prefix of the keyed hash: enough to match repeated
        // searches for the same number, useless without the key.
        u.criterion = Some(format!("cpr-hmac:{}", hex::encode(&hash[..8])));
        match (casework, found) {
            (true, Some(subject)) => {
                access::grant_lookup(&mut tx, actor, subject, now).await?;
                append_log(&mut tx, Some(actor), now, &u, true).await?;
                tx.commit().await?;
            }
            _ => self.log_after(tx, Some(actor), now, &u, true).await?,
        }
        Ok(found)
    }

    /// A citizen's current data and orders, for a caseworker who may open the record: one
    /// with an order of their unit for the citizen, who found the citizen by a search
    /// today, or who holds a stand-in access on one of the citizen's orders. An erased
    /// citizen's record answers [`Problem::CitizenErased`] (the refusal is logged).
    pub async fn subject_view(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<SubjectView, StoreError> {
        let mut tx = self.db.read().await?;
        let checked = async {
            let stand_in = access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
            not_erased(&mut tx, subject_id).await?;
            // A key gone without an erasure recorded: data restored from before an erasure
            // that has not been done again yet. Erased all the same.
            let wrapped = self
                .wrapped_key(subject_id)
                .await?
                .ok_or_else(citizen_erased)?;
            Ok((stand_in, wrapped))
        }
        .await;
        let (stand_in, wrapped) = match checked {
            Ok(s) => s,
            Err(e) => {
                let erased = matches!(e, StoreError::Refused(Problem::CitizenErased));
                let u = Use::new(
                    UseKind::View,
                    erased.then_some(subject_id),
                    PURPOSE_CASEWORK,
                    if erased {
                        "Visning af borger afvist: borgerens oplysninger er slettet"
                    } else {
                        "Visning af borger afvist"
                    },
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let rows = current_data(&mut tx, subject_id).await?;
        let old_rows = superseded_data(&mut tx, subject_id).await?;
        let notes = super::rights::rectification_notes(&mut tx, subject_id).await?;
        let sql = format!("{ORDER_SELECT} WHERE o.subject_id = $1 ORDER BY o.created_at DESC");
        let orders = fetch!(&mut tx, fetch_all, OrderRow, &sql, subject_id)?;
        self.log_after(
            tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(subject_id),
                PURPOSE_CASEWORK,
                "Borgerens oplysninger vist",
            )
            .under(stand_in),
            true,
        )
        .await?;
        let mut data = self.open_all(subject_id, &wrapped, rows)?;
        if !notes.is_empty() {
            let key = self.keys.unwrap_subject_key(subject_id, &wrapped)?;
            for d in &mut data {
                d.rectification = super::rights::rectification_of(&key, subject_id, &notes, d.id)?;
            }
        }
        let history = self.open_all(subject_id, &wrapped, old_rows)?;
        Ok(SubjectView {
            id: subject_id,
            data,
            history,
            orders: orders.iter().map(OrderRow::summary).collect(),
        })
    }
}

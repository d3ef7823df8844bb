//! Citizens in bulk: a case system's import, many citizens per transaction.
//!
//! The same walls as [`Gate::register_subject`], paid once per batch instead of once per
//! citizen: the batch's keys are written to the key store in one durable transaction
//! first; then the citizens, their sealed items and one access-log entry per citizen go in
//! one data transaction. A citizen already registered with the controller (a re-run of the
//! same file, or the same CPR number twice) is skipped and its unused key removed; if the
//! data transaction fails, every key of the batch is removed again. A citizen whose items
//! name an unknown purpose is refused alone, before anything of it is written.

use std::collections::HashMap;

use uuid::Uuid;

use skjold_core::citizens::{IntakeCitizen, IntakeOutcome};
use skjold_core::oversight::UseKind;

use super::citizens::{purposes_by_name, resolve_purposes, with_cpr};
use super::*;

/// One citizen of a batch, ready to write.
struct Prepared {
    index: usize,
    id: Uuid,
    key: SubjectKey,
    wrapped: Vec<u8>,
    hash: Vec<u8>,
    items: Vec<(skjold_core::citizens::NewDatum, Option<Uuid>)>,
}

/// A sealed item of a batch, to insert.
struct DatumRow<'a> {
    id: Uuid,
    subject_id: Uuid,
    field_key: &'static str,
    ciphertext: Vec<u8>,
    source: &'a str,
    purpose_id: Option<Uuid>,
}

/// Items per `INSERT` (8 parameters each, well under either backend's limit).
const DATUM_CHUNK: usize = 500;

macro_rules! insert_data {
    ($db:ty, $conn:expr, $chunk:expr, $now:expr) => {{
        let mut qb = sqlx::QueryBuilder::<$db>::new(
            "INSERT INTO personal_datum (id, subject_id, field_key, ciphertext, source, purpose_id, collected_at, restricted) ",
        );
        qb.push_values($chunk.iter(), |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.subject_id)
                .push_bind(r.field_key)
                .push_bind(r.ciphertext.as_slice())
                .push_bind(r.source)
                .push_bind(r.purpose_id)
                .push_bind($now.micros())
                .push_bind(false);
        });
        qb.build().execute(&mut **$conn).await?;
    }};
}

impl Gate {
    /// Registers a batch of citizens into `controller_id` as a system import (the CLI),
    /// in one data transaction. Returns each citizen's outcome, in order. An error (the
    /// database, the key store) fails the whole batch and leaves nothing of it behind.
    pub async fn register_subjects(
        &self,
        controller_id: Uuid,
        citizens: &[IntakeCitizen],
        now: Now,
    ) -> Result<Vec<IntakeOutcome>, StoreError> {
        let mut outcomes: Vec<Option<IntakeOutcome>> = vec![None; citizens.len()];
        let purposes: HashMap<String, Uuid> = {
            let mut tx = self.db.read().await?;
            let p = purposes_by_name(&mut tx, controller_id).await?;
            tx.commit().await?;
            p
        };
        let mut prepared = Vec::with_capacity(citizens.len());
        for (index, c) in citizens.iter().enumerate() {
            let items = with_cpr(&c.cpr, &c.data);
            match resolve_purposes(&purposes, &items) {
                Err(p) => outcomes[index] = Some(IntakeOutcome::Refused(p)),
                Ok(ids) => {
                    let id = Uuid::new_v4();
                    let (key, wrapped) = self.keys.new_subject_key(id)?;
                    prepared.push(Prepared {
                        index,
                        id,
                        key,
                        wrapped,
                        hash: self.keys.cpr_hash(&c.cpr),
                        items: items.into_iter().zip(ids).collect(),
                    });
                }
            }
        }
        if prepared.is_empty() {
            return Ok(outcomes.into_iter().flatten().collect());
        }
        // The keys first, durably, in the key store.
        let wrapped: Vec<(Uuid, Vec<u8>)> =
            prepared.iter().map(|p| (p.id, p.wrapped.clone())).collect();
        self.key_store
            .put_subject_keys(&wrapped, self.keys.id(), now)
            .await?;
        let all: Vec<Uuid> = prepared.iter().map(|p| p.id).collect();
        match self.write_batch(controller_id, &prepared, now).await {
            Ok(existing) => {
                let unused: Vec<Uuid> = prepared
                    .iter()
                    .zip(&existing)
                    .filter(|(_, e)| **e)
                    .map(|(p, _)| p.id)
                    .collect();
                if let Err(e) = self.key_store.remove_orphans(&unused).await {
                    tracing::warn!(error.detail = %e, "could not remove the keys of citizens already registered");
                }
                for (p, exists) in prepared.iter().zip(existing) {
                    outcomes[p.index] = Some(if exists {
                        IntakeOutcome::Exists
                    } else {
                        IntakeOutcome::Registered(p.id)
                    });
                }
                Ok(outcomes.into_iter().flatten().collect())
            }
            Err(e) => {
                if let Err(k) = self.key_store.remove_orphans(&all).await {
                    tracing::warn!(error.detail = %k, "could not remove the keys of a batch not registered");
                }
                Err(e)
            }
        }
    }

    /// The data half of [`Gate::register_subjects`]: one transaction. Returns, for each
    /// prepared citizen, whether it was registered already (and so skipped).
    async fn write_batch(
        &self,
        controller_id: Uuid,
        prepared: &[Prepared],
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.db.write().await?;
        let mut existing = Vec::with_capacity(prepared.len());
        let mut log = Vec::with_capacity(prepared.len());
        let mut rows: Vec<DatumRow<'_>> = Vec::with_capacity(prepared.len() * 6);
        for p in prepared {
            let inserted = execute!(
                &mut tx,
                "INSERT INTO data_subject (id, controller_id, cpr_hash, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (controller_id, cpr_hash) DO NOTHING",
                p.id,
                controller_id,
                p.hash.as_slice(),
                now.micros()
            )?;
            existing.push(inserted == 0);
            if inserted == 0 {
                continue;
            }
            for (d, purpose_id) in &p.items {
                let sealed = p.key.seal(p.id, d.field.key(), &d.value)?;
                rows.push(DatumRow {
                    id: Uuid::new_v4(),
                    subject_id: p.id,
                    field_key: d.field.key(),
                    ciphertext: sealed,
                    source: d.source.as_str(),
                    purpose_id: *purpose_id,
                });
            }
            log.push(log_row(
                None,
                now,
                &Use::new(
                    UseKind::Register,
                    Some(p.id),
                    PURPOSE_CASEWORK,
                    "Borger indlæst ved import",
                ),
                true,
            ));
        }
        // The items many rows to a statement: one statement each costs more than the rest.
        for chunk in rows.chunks(DATUM_CHUNK) {
            match &mut tx {
                Tx::Sqlite(c) => insert_data!(sqlx::Sqlite, c, chunk, now),
                Tx::Postgres(c) => insert_data!(sqlx::Postgres, c, chunk, now),
            }
        }
        if !log.is_empty() {
            crate::log::insert_all(&mut tx, &mut log).await?;
        }
        tx.commit().await?;
        Ok(existing)
    }
}

//! Erasure by key (wall 4, GDPR art. 17): crypto-shredding a citizen.
//!
//! In this order, so that a failure at any step leaves nothing readable behind:
//! 1. authorise, and record the erasure on the citizen (`erased_at`): from then on nothing
//!    of theirs is opened or added;
//! 2. destroy the citizen's key in the key store, durably, and add them to its list of
//!    erased citizens: every sealed value of theirs, in this database and in every backup of
//!    it, is unreadable from here on;
//! 3. in one transaction with its access-log entry: delete their data rows, clear their
//!    consents' sealed evidence, replace their CPR hash with random bytes, so that no CPR
//!    search finds them, and end the data requests still open on their orders (they can no
//!    longer be decided: their reasons went with the key).
//!
//! The disclosure ledger, the access log and the orders stay (wall 3): their rows no longer
//! point to anyone, and their sealed texts went with the key. An erasure interrupted at any
//! step, an erasure undone by restoring data from before it, and a key brought back by
//! restoring a key-store backup from before it, are all finished when the application opens
//! the store ([`Gate::finish_erasures`]), from the erasures recorded on either side.

use std::collections::HashSet;

use rand::RngCore;
use uuid::Uuid;

use skjold_core::citizens::Erasure;
use skjold_core::oversight::UseKind;
use skjold_core::{Action, Actor, Role};

use super::*;

const PURPOSE_RIGHTS: &str = "Behandling af den registreredes rettigheder";

/// Whether any of the citizen's data rows are still here.
async fn has_data(tx: &mut Tx, subject_id: Uuid) -> Result<bool, StoreError> {
    let n: i64 = scalar!(
        tx,
        fetch_one,
        i64,
        "SELECT COUNT(*) FROM personal_datum WHERE subject_id = $1",
        subject_id
    )?;
    Ok(n > 0)
}

impl Gate {
    /// Erases a citizen's personal data by destroying their key (see the module's notes).
    /// For a caseworker who may open the citizen's record, or the municipality's privacy
    /// officer. A citizen already erased is refused as [`Problem::CitizenErased`]; one whose
    /// erasure was interrupted is finished.
    pub async fn erase_subject(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<Erasure, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            require(actor, Action::HandleRights)?;
            let stand_in = match actor.role {
                Role::Caseworker => {
                    access::caseworker_subject(&mut tx, actor, subject_id, now).await?
                }
                _ => {
                    subject_of_controller(&mut tx, subject_id, actor.controller_id).await?;
                    None
                }
            };
            let erased = erased_at(&mut tx, subject_id).await?;
            if erased.is_some() && !has_data(&mut tx, subject_id).await? {
                return Err(citizen_erased());
            }
            Ok((stand_in, erased))
        }
        .await;
        let (stand_in, erased) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Erase,
                    None,
                    PURPOSE_RIGHTS,
                    "Sletning af borgerens oplysninger afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        // 1. The erasure is recorded: nothing of the citizen's is opened or added from now.
        let erased_at = erased.map_or(now, Now::from_micros);
        if erased.is_none() {
            execute!(
                &mut tx,
                "UPDATE data_subject SET erased_at = $1 WHERE id = $2",
                now.micros(),
                subject_id
            )?;
        }
        tx.commit().await?;
        // 2. The key, durably, before anything else.
        let key_destroyed = self
            .key_store
            .destroy_subject_key(subject_id, erased_at)
            .await?;
        // 3. The data, with the log entry.
        let (data_deleted, consents_cleared) = self
            .wipe(Some(actor), subject_id, erased_at, now, stand_in, None)
            .await?;
        Ok(Erasure {
            subject_id,
            erased_at,
            key_destroyed,
            data_deleted,
            consents_cleared,
        })
    }

    /// Finishes every erasure left unfinished: a citizen whose erasure is recorded here but
    /// whose key is still in the key store (an erasure interrupted before step 2, or a key
    /// store restored from before the erasure) loses the key; a citizen on the key store's
    /// list whose data is still here (an erasure interrupted after step 2, or data restored
    /// from before the erasure) loses the data. Logged, as done by the system. Returns how
    /// many citizens it erased. The application runs it when it opens the store.
    pub async fn finish_erasures(&self, now: Now) -> Result<u64, StoreError> {
        let mut tx = self.db.read().await?;
        let recorded = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, i64),
            "SELECT id, erased_at FROM data_subject WHERE erased_at IS NOT NULL"
        )?;
        tx.commit().await?;
        let mut finished: HashSet<Uuid> = HashSet::new();
        for (subject_id, erased_at) in recorded {
            if self.wrapped_key(subject_id).await?.is_some() {
                self.key_store
                    .destroy_subject_key(subject_id, Now::from_micros(erased_at))
                    .await?;
                tracing::warn!(subject = %subject_id, "destroyed the key of a citizen whose erasure is recorded");
                finished.insert(subject_id);
            }
        }
        for (subject_id, erased_at) in self.key_store.erased_subjects().await? {
            let mut tx = self.db.read().await?;
            let exists: Option<Option<i64>> = scalar!(
                &mut tx,
                fetch_optional,
                Option<i64>,
                "SELECT erased_at FROM data_subject WHERE id = $1",
                subject_id
            )?;
            let pending = match exists {
                None => false,
                Some(None) => true,
                Some(Some(_)) => has_data(&mut tx, subject_id).await?,
            };
            tx.commit().await?;
            if pending {
                self.wipe(None, subject_id, erased_at, now, None, None)
                    .await?;
                finished.insert(subject_id);
            }
        }
        Ok(u64::try_from(finished.len()).unwrap_or(u64::MAX))
    }

    /// Erases a citizen by key under a retention rule (`reference`, its legal reference):
    /// the same three steps as [`Gate::erase_subject`], by the system or the actor who ran
    /// the rules. Returns the data rows deleted.
    pub(super) async fn retire_subject(
        &self,
        actor: Option<&Actor>,
        subject_id: Uuid,
        reference: &str,
        now: Now,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "UPDATE data_subject SET erased_at = COALESCE(erased_at, $1) WHERE id = $2",
            now.micros(),
            subject_id
        )?;
        tx.commit().await?;
        self.key_store.destroy_subject_key(subject_id, now).await?;
        let (deleted, _) = self
            .wipe(actor, subject_id, now, now, None, Some(reference))
            .await?;
        Ok(deleted)
    }

    /// Step 3 of an erasure: the citizen's data rows, their consents' evidence and their
    /// CPR hash, in one transaction with the access-log entry. `retention` names the rule's
    /// legal reference when a retention rule erases the citizen.
    async fn wipe(
        &self,
        actor: Option<&Actor>,
        subject_id: Uuid,
        erased_at: Now,
        now: Now,
        stand_in: Option<Uuid>,
        retention: Option<&str>,
    ) -> Result<(u64, u64), StoreError> {
        let mut tx = self.db.write().await?;
        let data_deleted = execute!(
            &mut tx,
            "DELETE FROM personal_datum WHERE subject_id = $1",
            subject_id
        )?;
        let consents_cleared = execute!(
            &mut tx,
            "UPDATE consent SET evidence = $1 WHERE subject_id = $2",
            Vec::<u8>::new(),
            subject_id
        )?;
        // Nothing more will be disclosed about them: their open data requests end.
        execute!(
            &mut tx,
            "UPDATE data_request SET status = 'rejected', decided_at = $1 WHERE status = 'open' \
             AND order_id IN (SELECT id FROM service_order WHERE subject_id = $2)",
            now.micros(),
            subject_id
        )?;
        // Random bytes where the keyed CPR hash was: no search finds the citizen again.
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        execute!(
            &mut tx,
            "UPDATE data_subject SET cpr_hash = $1, erased_at = COALESCE(erased_at, $2) WHERE id = $3",
            random.as_slice(),
            erased_at.micros(),
            subject_id
        )?;
        let detail = match (retention, actor) {
            (Some(reference), _) => format!(
                "Borgerens oplysninger slettet efter opbevaringsregel ({reference}): nøglen destrueret, {data_deleted} oplysning(er) slettet, CPR-opslag fjernet"
            ),
            (None, Some(_)) => format!(
                "Borgerens oplysninger slettet: nøglen destrueret, {data_deleted} oplysning(er) slettet, CPR-opslag fjernet"
            ),
            (None, None) => format!(
                "Sletning fra {} gennemført ved opstart (afbrudt sletning eller data gendannet fra før sletningen): {data_deleted} oplysning(er) slettet",
                erased_at.danish()
            ),
        };
        append_log(
            &mut tx,
            actor,
            now,
            &Use::new(
                if retention.is_some() {
                    UseKind::Retention
                } else {
                    UseKind::Erase
                },
                Some(subject_id),
                PURPOSE_RIGHTS,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok((data_deleted, consents_cleared))
    }
}

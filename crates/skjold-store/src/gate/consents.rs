//! Consents and reminders (SEC-2): a reminder by SMS or e-mail goes to a citizen only while
//! the citizen's consent for that channel is in force. Withdrawal takes effect at once.

use uuid::Uuid;

use skjold_core::consents::{Channel, ConsentView};
use skjold_core::oversight::UseKind;
use skjold_core::{Actor, Problem};

use super::*;

const PURPOSE_REMINDERS: &str = "Påmindelser om aftaler (samtykke)";

impl Gate {
    /// Records a citizen's consent to reminders through `channel`, with the evidence (how
    /// and when it was given). Logged.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        channel: Channel,
        notice_version: &str,
        evidence: &str,
        now: Now,
    ) -> Result<Uuid, StoreError> {
        let mut tx = self.db.write().await?;
        let stand_in = access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
        not_erased(&mut tx, subject_id).await?;
        let key = self.subject_key(subject_id).await?;
        let id = Uuid::new_v4();
        let sealed = key.seal(subject_id, &format!("consent:{id}"), evidence)?;
        execute!(
            &mut tx,
            "INSERT INTO consent (id, subject_id, channel, notice_version, evidence, recorded_by, given_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            subject_id,
            channel.key(),
            notice_version,
            sealed.as_slice(),
            actor.user_id,
            now.micros()
        )?;
        let detail = format!(
            "Samtykke til påmindelser via {} registreret",
            channel.danish()
        );
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(subject_id),
                PURPOSE_REMINDERS,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Withdraws the consents in force for `channel` from `now` on.
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        channel: Channel,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let stand_in = access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
        let n = execute!(
            &mut tx,
            "UPDATE consent SET withdrawn_at = $1 WHERE subject_id = $2 AND channel = $3 AND withdrawn_at IS NULL",
            now.micros(),
            subject_id,
            channel.key()
        )?;
        if n == 0 {
            return Err(StoreError::Refused(Problem::NoConsentToWithdraw(channel)));
        }
        let detail = format!(
            "Samtykke til påmindelser via {} trukket tilbage",
            channel.danish()
        );
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::Register,
                Some(subject_id),
                PURPOSE_REMINDERS,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await
    }

    /// A citizen's consents, newest first. Not the evidence: that stays sealed.
    pub async fn consents(
        &self,
        actor: &Actor,
        subject_id: Uuid,
        now: Now,
    ) -> Result<Vec<ConsentView>, StoreError> {
        let mut tx = self.db.read().await?;
        access::caseworker_subject(&mut tx, actor, subject_id, now).await?;
        let rows: Vec<(Uuid, String, String, i64, Option<i64>)> = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String, String, i64, Option<i64>),
            "SELECT id, channel, notice_version, given_at, withdrawn_at FROM consent WHERE subject_id = $1 ORDER BY given_at DESC, id",
            subject_id
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(id, channel, notice_version, given, withdrawn)| ConsentView {
                    id,
                    channel,
                    notice_version,
                    given_at: Now::from_micros(given),
                    withdrawn_at: withdrawn.map(Now::from_micros),
                },
            )
            .collect())
    }

    /// Checks that a reminder may go to the citizen of `order_id` through `channel` now,
    /// and returns the address (phone or e-mail) to send `text` to. The reminder is
    /// recorded and logged in the same transaction; the caller then hands it to the
    /// provider.
    pub async fn prepare_reminder(
        &self,
        actor: &Actor,
        order_id: Uuid,
        channel: Channel,
        text: &str,
        now: Now,
    ) -> Result<String, StoreError> {
        let mut tx = self.db.write().await?;
        let checked = async {
            let (order, stand_in) =
                access::caseworker_order_row(&mut tx, actor, order_id, now).await?;
            not_erased(&mut tx, order.subject_id).await?;
            let consents: Vec<(i64, Option<i64>)> = fetch!(
                &mut tx,
                fetch_all,
                (i64, Option<i64>),
                "SELECT given_at, withdrawn_at FROM consent WHERE subject_id = $1 AND channel = $2",
                order.subject_id,
                channel.key()
            )?;
            let in_force = consents.iter().any(|(given, withdrawn)| {
                *given <= now.micros() && withdrawn.is_none_or(|w| now.micros() < w)
            });
            if !in_force {
                return Err(StoreError::Refused(Problem::NoConsent(channel)));
            }
            let contact = current_data(&mut tx, order.subject_id)
                .await?
                .into_iter()
                .find(|r| r.field_key == channel.field().key())
                .ok_or(StoreError::Refused(Problem::NoContact(channel)))?;
            Ok((order, stand_in, contact))
        }
        .await;
        let (order, stand_in, contact) = match checked {
            Ok(c) => c,
            Err(e) => {
                let u = Use::new(
                    UseKind::Disclose,
                    None,
                    PURPOSE_REMINDERS,
                    "Påmindelse afvist",
                );
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        let key = self.subject_key(order.subject_id).await?;
        let id = Uuid::new_v4();
        let sealed = key.seal(order.subject_id, &format!("reminder:{id}"), text)?;
        execute!(
            &mut tx,
            "INSERT INTO reminder (id, order_id, subject_id, channel, body, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id,
            order_id,
            order.subject_id,
            channel.key(),
            sealed.as_slice(),
            actor.user_id,
            now.micros()
        )?;
        let detail = format!("Påmindelse via {} om {}", channel.danish(), order.reference);
        append_log(
            &mut tx,
            Some(actor),
            now,
            &Use::new(
                UseKind::View,
                Some(order.subject_id),
                PURPOSE_REMINDERS,
                detail,
            )
            .under(stand_in),
            true,
        )
        .await?;
        tx.commit().await?;
        Ok(key.open(order.subject_id, channel.field().key(), &contact.ciphertext)?)
    }
}

//! The supplier's side of art. 19: the notices of changes to data it received, opened
//! (logged), and its acknowledgement.

use uuid::Uuid;

use skjold_core::rights::NoticeView;
use skjold_core::{Action, Actor, Problem};

use super::*;

impl Gate {
    /// The notices sent to the actor's supplier, newest first, with the copies before and
    /// after the change opened. Logged, one entry per citizen.
    pub async fn supplier_notices(
        &self,
        actor: &Actor,
        now: Now,
    ) -> Result<Vec<NoticeView>, StoreError> {
        require(actor, Action::AcknowledgeNotice)?;
        let mut tx = self.db.read().await?;
        let rows = notice_rows(&mut tx, "n.supplier_id = $1", actor.organisation_id).await?;
        let mut subjects: Vec<Uuid> = rows.iter().map(|r| r.subject_id).collect();
        subjects.sort();
        subjects.dedup();
        let wrapped = self.wrapped_keys(&subjects).await?;
        tx.commit().await?;
        let entries = subjects
            .iter()
            .map(|s| {
                log_row(
                    Some(actor),
                    now,
                    &Use::new(
                        UseKind::View,
                        Some(*s),
                        PURPOSE_RIGHTS,
                        "Underretning om ændrede oplysninger vist hos leverandør",
                    ),
                    true,
                )
            })
            .collect();
        self.log.append_all(entries).await?;
        let mut keys = Vec::with_capacity(wrapped.len());
        for (subject, w) in &wrapped {
            keys.push((*subject, self.keys.unwrap_subject_key(*subject, w)?));
        }
        rows.into_iter()
            .map(|r| {
                let subject = r.subject_id;
                let key = keys.iter().find(|(s, _)| *s == subject).map(|(_, k)| k);
                r.into_view(key, subject, now)
            })
            .collect()
    }

    /// The supplier acknowledges a notice of its own.
    pub async fn acknowledge_notice(
        &self,
        actor: &Actor,
        notice_id: Uuid,
        now: Now,
    ) -> Result<(), StoreError> {
        require(actor, Action::AcknowledgeNotice)?;
        let mut tx = self.db.write().await?;
        let notice: Option<(Uuid, Uuid, Option<i64>)> = fetch!(
            &mut tx,
            fetch_optional,
            (Uuid, Uuid, Option<i64>),
            "SELECT supplier_id, subject_id, acknowledged_at FROM recipient_notice WHERE id = $1",
            notice_id
        )?;
        let subject = match notice {
            Some((supplier, subject, None)) if supplier == actor.organisation_id => subject,
            Some((supplier, _, Some(_))) if supplier == actor.organisation_id => {
                return Err(StoreError::Refused(Problem::NoticeAcknowledged));
            }
            _ => {
                let u = rights_use(None, "Kvittering for underretning afvist");
                let e = StoreError::Refused(Problem::NoticeNotFound);
                return Err(self.refuse(tx, actor, now, u, e).await);
            }
        };
        execute!(
            &mut tx,
            "UPDATE recipient_notice SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3",
            now.micros(),
            actor.user_id,
            notice_id
        )?;
        append_log(
            &mut tx,
            Some(actor),
            now,
            &rights_use(
                Some(subject),
                "Underretning om ændrede oplysninger kvitteret",
            ),
            true,
        )
        .await?;
        tx.commit().await
    }
}

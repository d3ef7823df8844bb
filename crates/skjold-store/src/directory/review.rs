//! The half-yearly access review (SA-3): each user's last confirmation, and every
//! decision on it.

use uuid::Uuid;

use skjold_core::access_review::{ReviewDecision, ReviewRow};
use skjold_core::{Problem, Role, Timestamp};

use super::Directory;
use crate::db::{execute, fetch};
use crate::{Now, StoreError};

const REVIEW_SELECT: &str = "SELECT id AS user_id, organisation_id, username, display_name, \
     role, active, roles_confirmed_at, suspended_at FROM app_user";

/// A row of `app_user` as the review reads it.
#[derive(sqlx::FromRow)]
struct Row {
    user_id: Uuid,
    organisation_id: Uuid,
    username: String,
    display_name: String,
    role: String,
    active: bool,
    roles_confirmed_at: Option<i64>,
    suspended_at: Option<i64>,
}

impl From<Row> for ReviewRow {
    fn from(r: Row) -> ReviewRow {
        ReviewRow {
            user_id: r.user_id,
            organisation_id: r.organisation_id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            active: r.active,
            roles_confirmed_at: r.roles_confirmed_at,
            suspended_at: r.suspended_at,
        }
    }
}

impl Directory {
    /// Every user of the given organisations with their last confirmation.
    pub async fn review_rows(
        &self,
        organisation_ids: &[Uuid],
    ) -> Result<Vec<ReviewRow>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!("{REVIEW_SELECT} ORDER BY roles_confirmed_at, username");
        let rows: Vec<ReviewRow> = fetch!(&mut tx, fetch_all, Row, &sql)?
            .into_iter()
            .map(ReviewRow::from)
            .collect();
        Ok(rows
            .into_iter()
            .filter(|r| organisation_ids.contains(&r.organisation_id))
            .collect())
    }

    /// Records a review decision on `user_id`. A confirmation also lifts a suspension; a
    /// revocation or suspension deactivates the user and ends their sessions.
    pub async fn decide_review(
        &self,
        user_id: Uuid,
        role: Role,
        decision: &str,
        reviewer: Option<Uuid>,
        note: &str,
        now: Now,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        let n = match decision {
            "confirmed" => execute!(
                &mut tx,
                "UPDATE app_user SET roles_confirmed_at = $1, suspended_at = NULL, active = $2 WHERE id = $3",
                now.micros(),
                true,
                user_id
            )?,
            "suspended" => execute!(
                &mut tx,
                "UPDATE app_user SET suspended_at = $1, active = $2 WHERE id = $3",
                now.micros(),
                false,
                user_id
            )?,
            _ => execute!(
                &mut tx,
                "UPDATE app_user SET active = $1 WHERE id = $2",
                false,
                user_id
            )?,
        };
        if n == 0 {
            return Err(StoreError::Refused(Problem::UserNotFound(None)));
        }
        if decision != "confirmed" {
            execute!(
                &mut tx,
                "DELETE FROM web_session WHERE user_id = $1",
                user_id
            )?;
        }
        execute!(
            &mut tx,
            "INSERT INTO role_review (id, user_id, role, decision, reviewer_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Uuid::new_v4(),
            user_id,
            role.key(),
            decision,
            reviewer,
            note,
            now.micros()
        )?;
        tx.commit().await
    }

    /// Active users whose last confirmation is older than `cutoff`.
    pub async fn overdue_reviews(&self, cutoff: Now) -> Result<Vec<ReviewRow>, StoreError> {
        let mut tx = self.db.read().await?;
        let sql = format!(
            "{REVIEW_SELECT} WHERE active = $1 AND COALESCE(roles_confirmed_at, created_at) < $2"
        );
        Ok(
            fetch!(&mut tx, fetch_all, Row, &sql, true, cutoff.micros())?
                .into_iter()
                .map(ReviewRow::from)
                .collect(),
        )
    }

    /// Review decisions on users of the given organisations, newest first.
    pub async fn review_decisions(
        &self,
        organisation_ids: &[Uuid],
    ) -> Result<Vec<ReviewDecision>, StoreError> {
        let mut tx = self.db.read().await?;
        let rows = fetch!(
            &mut tx,
            fetch_all,
            (Uuid, String, String, String, Option<String>, String, i64),
            "SELECT u.organisation_id, u.username, r.role, r.decision, rv.username, r.note, r.at \
             FROM role_review r JOIN app_user u ON u.id = r.user_id \
             LEFT JOIN app_user rv ON rv.id = r.reviewer_id ORDER BY r.at DESC LIMIT 500"
        )?;
        Ok(rows
            .into_iter()
            .filter(|r| organisation_ids.contains(&r.0))
            .map(
                |(_, username, role, decision, reviewer, note, at)| ReviewDecision {
                    username,
                    role,
                    decision,
                    reviewer,
                    note,
                    at: Timestamp::from_micros(at),
                },
            )
            .collect())
    }
}

//! Second factors (TOTP): the sealed secret and the last time step used, so that a code
//! is accepted once.

use uuid::Uuid;

use skjold_core::Problem;

use super::SignInRecords;
use crate::StoreError;
use crate::db::{execute, fetch};

/// A user's second-factor state, for sign-in.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub sealed_secret: Option<Vec<u8>>,
    pub last_step: Option<i64>,
}

impl SignInRecords {
    pub async fn second_factor(&self, user_id: Uuid) -> Result<SecondFactor, StoreError> {
        let mut tx = self.db.read().await?;
        let (sealed_secret, last_step) = fetch!(
            &mut tx,
            fetch_optional,
            (Option<Vec<u8>>, Option<i64>),
            "SELECT totp_secret, totp_last_step FROM app_user WHERE id = $1",
            user_id
        )?
        .ok_or_else(|| StoreError::Refused(Problem::UserNotFound(None)))?;
        Ok(SecondFactor {
            sealed_secret,
            last_step,
        })
    }

    /// Sets up a user's second factor: the sealed secret and the step its first code used.
    pub async fn enrol_second_factor(
        &self,
        user_id: Uuid,
        sealed_secret: &[u8],
        step: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "UPDATE app_user SET totp_secret = $1, totp_last_step = $2 WHERE id = $3",
            sealed_secret,
            step,
            user_id
        )?;
        tx.commit().await
    }

    /// Marks `step` as used, and says whether it was unused (later than every step used
    /// before). The check and the mark are one statement, so a code is accepted once even
    /// when two requests race.
    pub async fn use_totp_step(&self, user_id: Uuid, step: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.write().await?;
        let n = execute!(
            &mut tx,
            "UPDATE app_user SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            step,
            user_id
        )?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Removes a user's second factor (an administrator's reset; the user sets it up anew).
    pub async fn reset_second_factor(&self, user_id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.db.write().await?;
        execute!(
            &mut tx,
            "UPDATE app_user SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1",
            user_id
        )?;
        execute!(
            &mut tx,
            "DELETE FROM web_session WHERE user_id = $1",
            user_id
        )?;
        tx.commit().await
    }
}

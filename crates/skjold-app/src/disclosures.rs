//! Disclosures (LP-4): one more field to the supplier, on a caseworker's written,
//! justified decision, recorded in the ledger.

use uuid::Uuid;

use skjold_core::error::Input;
use skjold_core::text::Justification;
use skjold_core::{Action, Actor, FieldKey, Problem};

use crate::{App, AppError, require};

/// A field key as typed or posted.
pub fn parse_field(s: &str) -> Result<FieldKey, AppError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::Refused(Problem::UnknownField(s.trim().to_owned())))
}

impl App {
    pub async fn disclose(
        &self,
        actor: &Actor,
        order_id: Uuid,
        field: &str,
        justification: &str,
    ) -> Result<(), AppError> {
        require(actor, Action::WorkOrder)?;
        let field = parse_field(field)?;
        let why = Justification::parse(Input::Justification, justification)?;
        Ok(self
            .store()
            .gate()
            .disclose_manual(actor, order_id, field, &why, self.now())
            .await?)
    }
}

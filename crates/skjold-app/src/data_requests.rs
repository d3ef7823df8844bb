//! Data requests (LP-5): a supplier asks for more fields with a reason; the caseworker
//! decides each field. The rules are the gate's; the reasons are checked here.

use uuid::Uuid;

use skjold_core::data_requests::{Decisions, FieldDecision, OpenRequest, RequestStatus};
use skjold_core::error::Input;
use skjold_core::text::Justification;
use skjold_core::{Action, Actor};

use crate::disclosures::parse_field;
use crate::{App, AppError, require};

/// One field's decision as typed or sent: the field's key, `approve` or `reject`, and the
/// remark (optional on an approval) or reason (required on a rejection).
#[derive(Debug, Clone, Default)]
pub struct FieldDecisionInput {
    pub field: String,
    pub decision: String,
    pub reason: String,
}

impl FieldDecisionInput {
    pub fn approve(field: &str, remark: &str) -> FieldDecisionInput {
        FieldDecisionInput {
            field: field.to_owned(),
            decision: "approve".into(),
            reason: remark.to_owned(),
        }
    }

    pub fn reject(field: &str, reason: &str) -> FieldDecisionInput {
        FieldDecisionInput {
            field: field.to_owned(),
            decision: "reject".into(),
            reason: reason.to_owned(),
        }
    }
}

impl App {
    /// A supplier asks for more fields of an order, with a reason.
    pub async fn request_data(
        &self,
        actor: &Actor,
        order_id: Uuid,
        fields: &[String],
        reason: &str,
    ) -> Result<Uuid, AppError> {
        require(actor, Action::RequestData)?;
        let mut keys = Vec::with_capacity(fields.len());
        for f in fields {
            let key = parse_field(f)?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let reason = Justification::parse(Input::Reason, reason)?;
        Ok(self
            .store()
            .gate()
            .request_data(actor, order_id, &keys, &reason, self.now())
            .await?)
    }

    /// The caseworker decides each requested field: approves it (with an optional remark)
    /// or rejects it (with a reason). Returns the request's new status.
    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        fields: &[FieldDecisionInput],
    ) -> Result<RequestStatus, AppError> {
        require(actor, Action::DecideRequest)?;
        let mut decisions = Vec::with_capacity(fields.len());
        for f in fields {
            let field = parse_field(&f.field)?;
            decisions.push(FieldDecision::parse(field, &f.decision, &f.reason)?);
        }
        let decisions = Decisions::new(decisions)?;
        Ok(self
            .store()
            .gate()
            .decide_request(actor, request_id, &decisions, self.now())
            .await?)
    }

    /// Open requests on the orders of the caseworker's unit.
    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, AppError> {
        Ok(self.store().gate().open_requests(actor).await?)
    }
}

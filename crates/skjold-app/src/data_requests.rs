//! Data requests (LP-5): a supplier asks for more fields with a reason; the caseworker
//! decides. The rules are the gate's; the reasons are checked here.

use uuid::Uuid;

use skjold_core::data_requests::{Decision, OpenRequest};
use skjold_core::error::Input;
use skjold_core::text::Justification;
use skjold_core::{Action, Actor};

use crate::disclosures::parse_field;
use crate::{App, AppError, require};

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

    /// The caseworker approves (with an optional remark) or rejects (with a reason).
    pub async fn decide_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
        approve: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        require(actor, Action::DecideRequest)?;
        let decision = Decision::parse(approve, reason)?;
        Ok(self
            .store()
            .gate()
            .decide_request(actor, request_id, &decision, self.now())
            .await?)
    }

    /// Open requests on the orders of the caseworker's unit.
    pub async fn open_requests(&self, actor: &Actor) -> Result<Vec<OpenRequest>, AppError> {
        Ok(self.store().gate().open_requests(actor).await?)
    }
}

//! The breach register (art. 33-34): reporting, the clocks, the affected persons found in
//! the access log and the ledger, and the report in the shape of Datatilsynet's form.

use uuid::Uuid;

use skjold_core::breaches::{AffectedQuery, AffectedSummary, BreachReport, BreachView, ClockKind};
use skjold_core::{Actor, Timestamp};

use crate::{App, AppError};

impl App {
    /// Records a breach (the privacy officer), or reports one to the municipality named by
    /// `controller_id` (a supplier). Returns its id.
    pub async fn report_breach(
        &self,
        actor: &Actor,
        controller_id: Option<Uuid>,
        report: &BreachReport,
    ) -> Result<Uuid, AppError> {
        Ok(self
            .store()
            .gate()
            .report_breach(actor, controller_id, report, self.now())
            .await?)
    }

    pub async fn breaches(&self, actor: &Actor) -> Result<Vec<BreachView>, AppError> {
        Ok(self.store().gate().breaches(actor, self.now()).await?)
    }

    pub async fn breach(&self, actor: &Actor, id: Uuid) -> Result<BreachView, AppError> {
        Ok(self.store().gate().breach(actor, id, self.now()).await?)
    }

    /// Records that a clock's duty was met, and/or why it was late.
    pub async fn record_breach_clock(
        &self,
        actor: &Actor,
        id: Uuid,
        clock: ClockKind,
        met_at: Option<Timestamp>,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(skjold_core::text::at_least(
                skjold_core::Input::Reason,
                r,
                skjold_core::text::MIN_NOTE,
            )?),
            None => None,
        };
        Ok(self
            .store()
            .gate()
            .record_breach_clock(actor, id, clock, met_at, reason, self.now())
            .await?)
    }

    /// The persons a party reached in a window (counts only).
    pub async fn affected_persons(
        &self,
        actor: &Actor,
        query: &AffectedQuery,
    ) -> Result<AffectedSummary, AppError> {
        Ok(self
            .store()
            .gate()
            .affected_persons(actor, query, self.now())
            .await?)
    }

    /// Attaches the persons a party reached to a breach (logged per citizen).
    pub async fn attach_affected(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &AffectedQuery,
    ) -> Result<AffectedSummary, AppError> {
        Ok(self
            .store()
            .gate()
            .attach_affected(actor, id, query, self.now())
            .await?)
    }

    /// The breach as a PDF in the shape of Datatilsynet's form.
    pub async fn breach_report_pdf(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(String, Vec<u8>), AppError> {
        let breach = self.breach(actor, id).await?;
        let controller = self
            .store()
            .directory()
            .organisations_of(actor.controller_id)
            .await?
            .into_iter()
            .find(|o| o.id == actor.controller_id)
            .map(|o| o.name)
            .unwrap_or_default();
        let pdf = skjold_letters::breach_report(&breach, &controller)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((format!("brud-{}.pdf", breach.reference), pdf))
    }
}
